"""The Django admin, for platform support staff only (is_staff): every agency's data, unscoped.

django-scopes refuses tenant queries outside a scope, and the admin works across agencies on purpose.
So every view of these ModelAdmins runs with scopes disabled, rendering included (the approach the
django-scopes README points to: disable scoping around the admin rather than inside each query).
Agency owners are not staff and are sent to the admin login like anyone else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.urls import URLPattern
from django_scopes import scopes_disabled

from agencyops.models import Agency, Client, ClientContact, Invitation, Membership, User


def _unscoped_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run an admin view with tenant scoping off, and render its template response before scoping returns."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with scopes_disabled():
            response = view(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
        return response

    return wrapper


class UnscopedAdminMixin:
    """Every URL of the ModelAdmin runs unscoped: querysets, form choices, unique checks and rendering."""

    def get_urls(self) -> list[URLPattern]:
        return [
            URLPattern(url.pattern, _unscoped_view(url.callback), url.default_args, url.name)
            for url in super().get_urls()  # type: ignore[misc]
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Also unscoped when called from outside our views (the site-wide autocomplete view).
        with scopes_disabled():
            return super().get_queryset(request)  # type: ignore[misc]


class TenantModelAdmin(UnscopedAdminMixin, admin.ModelAdmin):
    """Base for tenant-owned models: filter by agency first, foreign keys by raw id (lists can be huge)."""

    list_per_page = 50
    # Django 6 makes https the default for scheme-less URLs; say so now (and silence its warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


# --- People ----------------------------------------------------------------------------------


class PlatformUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class PlatformUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(UnscopedAdminMixin, DjangoUserAdmin):
    """People log in by email; there is no username."""

    form = PlatformUserChangeForm
    add_form = PlatformUserCreationForm
    list_display = ("email", "full_name", "is_staff", "is_superuser", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        (
            "Platform access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )


# --- Agencies and their data -----------------------------------------------------------------


@admin.register(Agency)
class AgencyAdmin(UnscopedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "slug", "country", "time_zone", "created_at")
    search_fields = ("name", "slug")
    list_filter = ("country",)
    ordering = ("name",)


@admin.register(Membership)
class MembershipAdmin(TenantModelAdmin):
    list_display = (
        "__str__",
        "agency",
        "role",
        "discipline",
        "weekly_capacity_hours",
        "is_active",
        "joined_at",
    )
    list_filter = ("agency", "role", "discipline", "is_active")
    list_select_related = ("agency", "user")
    search_fields = ("user__email", "user__full_name", "agency__name")
    raw_id_fields = ("user",)


@admin.register(Client)
class ClientAdmin(TenantModelAdmin):
    list_display = ("__str__", "agency", "slug", "status", "created_at")
    list_filter = ("agency", "status")
    list_select_related = ("agency",)
    search_fields = ("name", "slug", "agency__name")


@admin.register(ClientContact)
class ClientContactAdmin(TenantModelAdmin):
    list_display = ("__str__", "agency", "email", "is_default_approver", "is_active")
    list_filter = ("agency", "is_default_approver", "is_active")
    list_select_related = ("agency", "client")
    search_fields = ("full_name", "email", "client__name", "agency__name")
    raw_id_fields = ("client", "user")


@admin.register(Invitation)
class InvitationAdmin(TenantModelAdmin):
    list_display = (
        "__str__",
        "agency",
        "kind",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_filter = ("agency", "kind", "role")
    list_select_related = ("agency",)
    search_fields = ("email", "agency__name")
    raw_id_fields = ("client_contact", "invited_by")
    # The token is only in the emailed link; its hash is useless to support staff and must not be edited.
    exclude = ("token_hash",)
    readonly_fields = ("created_at", "accepted_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # An invitation made here would have no link to send; agencies invite from the team page.
        return False
