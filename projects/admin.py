"""Support staff's view of projects; deadline history is read-only (the database refuses edits anyway)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from agencyops.admin import TenantModelAdmin
from projects.models import (
    AgencyClosure,
    Brief,
    CalendarFeed,
    DeadlineChange,
    Phase,
    Project,
    ProjectTemplate,
    RequiredInput,
    Task,
    TaskDependency,
)


@admin.register(Project)
class ProjectAdmin(TenantModelAdmin):
    list_display = ("name", "agency", "client", "status", "launch_date", "template_name")
    list_filter = ("agency", "status")
    list_select_related = ("agency", "client")
    search_fields = ("name", "client__name", "agency__name")
    raw_id_fields = ("client", "coordinator", "created_by")


@admin.register(Task)
class TaskAdmin(TenantModelAdmin):
    list_display = ("title", "agency", "project", "status", "start_date", "due_date", "assignee")
    list_filter = ("agency", "status", "discipline")
    list_select_related = ("agency", "project", "assignee__user")
    search_fields = ("title", "project__name")
    raw_id_fields = ("project", "phase", "assignee")


@admin.register(DeadlineChange)
class DeadlineChangeAdmin(TenantModelAdmin):
    list_display = ("task", "agency", "old_due", "new_due", "cause", "changed_by", "changed_at")
    list_filter = ("agency", "cause")
    list_select_related = ("agency", "task", "changed_by__user")
    search_fields = ("task__title", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


for model, fields in (
    (Brief, ("project", "agency", "internal_owner", "due_date")),
    (Phase, ("name", "agency", "project", "owner", "due_date")),
    (TaskDependency, ("predecessor", "successor", "agency", "kind", "lag_days")),
    (RequiredInput, ("description", "agency", "project", "from_party", "expected_by", "received_at")),
    (ProjectTemplate, ("name", "agency", "updated_at")),
    (AgencyClosure, ("date", "agency", "name")),
    (CalendarFeed, ("membership", "agency", "created_at", "revoked_at")),
):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (TenantModelAdmin,),
            {
                "list_display": fields,
                "list_filter": ("agency",),
                "raw_id_fields": tuple(
                    f.name for f in model._meta.get_fields() if f.many_to_one and f.name != "agency"
                ),
                "exclude": ("token_hash",) if model is CalendarFeed else (),
            },
        ),
    )
