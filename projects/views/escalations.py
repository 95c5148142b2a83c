"""Escalations found by the risk scan: the list, and acknowledging, assigning, snoozing and resolving them."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agencyops.models import Client, Membership
from agencyops.tenancy import agency_view
from projects import escalations as escalation_services
from projects.health import COUNTED_STATES
from projects.models import Escalation, EscalationEvent, EscalationSeverity, EscalationState, Project
from projects.permissions import can_manage_escalation
from projects.risks import RULES
from projects.tasks import agency_scan_now

RULE_LABELS = {
    "missing_input": "Missing input",
    "deadline_moved": "Deadline moved more than once",
    "capacity": "Capacity overloaded",
    "owner_unclear": "Owner unclear",
    "scope": "Scope mismatch",
    "launch_at_risk": "Launch date at risk",
    "decision_needed": "Decision needed",
}
# The states that still speak for a project: the same ones its health counts (projects.health).
OPEN_STATES = list(COUNTED_STATES)


def escalations_with_history() -> QuerySet[Escalation]:
    """Escalations with their project, client, task, assignee and history (two queries however many)."""
    return Escalation.objects.select_related("project__client", "task", "assignee__user").prefetch_related(
        Prefetch("events", queryset=EscalationEvent.objects.select_related("actor__user"))
    )


def escalations_for_list(
    *, client_id: str, rule: str, severity: str, state: str, project_id: str = ""
) -> list[Escalation]:
    """Escalations with their project, client, assignee and history, filtered as the list page asks."""
    rows = escalations_with_history()
    if state == "open" or not state:
        rows = rows.filter(state__in=OPEN_STATES)
    elif state in EscalationState.values:
        rows = rows.filter(state=state)
    if client_id.isdigit():
        rows = rows.filter(project__client_id=int(client_id))
    if project_id.isdigit():
        rows = rows.filter(project_id=int(project_id))
    if rule in RULE_LABELS:
        rows = rows.filter(rule=rule)
    if severity in EscalationSeverity.values:
        rows = rows.filter(severity=severity)
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(rows, key=lambda e: (order.get(e.severity, 3), -e.last_seen_at.timestamp(), e.pk))


@agency_view
def escalation_list(request: HttpRequest) -> HttpResponse:
    """Every escalation of the agency, worst first, filterable by client, rule, severity and state."""
    filters = {key: request.GET.get(key, "") for key in ("client", "rule", "severity", "state")}
    rows = escalations_for_list(
        client_id=filters["client"],
        rule=filters["rule"],
        severity=filters["severity"],
        state=filters["state"],
    )
    return TemplateResponse(
        request,
        "projects/escalation_list.html",
        {
            "escalations": rows,
            "filters": filters,
            "clients": Client.objects.exclude(status="archived").order_by("name"),
            "rules": [
                (r.__name__.removeprefix("rule_"), RULE_LABELS.get(r.__name__.removeprefix("rule_"), ""))
                for r in RULES
            ],
            "severities": EscalationSeverity.choices,
            # "open" filters open and acknowledged together, so it is listed once, saying so.
            "states": [
                ("open", "Open or acknowledged"),
                *[
                    (value, label)
                    for value, label in EscalationState.choices
                    if value != EscalationState.OPEN
                ],
            ],
            "members": Membership.objects.filter(is_active=True).select_related("user"),
            "can_act": can_manage_escalation(request.membership),
            "rule_labels": RULE_LABELS,
        },
    )


@agency_view(permission=can_manage_escalation)
@require_POST
def escalation_action(request: HttpRequest, escalation_id: int) -> HttpResponse:
    """Acknowledge, assign, snooze or resolve one escalation; every action is kept as history."""
    escalation = get_object_or_404(Escalation, pk=escalation_id)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    actor = request.membership
    try:
        if action == "acknowledge":
            escalation_services.escalation_acknowledge(actor=actor, escalation=escalation, note=note)
            messages.success(request, "Acknowledged.")
        elif action == "assign":
            assignee_id = request.POST.get("assignee", "")
            assignee = get_object_or_404(Membership, pk=int(assignee_id)) if assignee_id.isdigit() else None
            escalation_services.escalation_assign(actor=actor, escalation=escalation, assignee=assignee)
            messages.success(
                request, f"Assigned to {assignee.user.full_name}." if assignee else "Unassigned."
            )
        elif action == "snooze":
            try:
                until = date.fromisoformat(request.POST.get("until", ""))
            except ValueError:
                until = None
            escalation_services.escalation_snooze(actor=actor, escalation=escalation, until=until, note=note)
            messages.success(request, f"Snoozed until {until:%a %-d %b}.")
        elif action == "resolve":
            escalation_services.escalation_resolve(actor=actor, escalation=escalation, note=note)
            messages.success(request, "Resolved. If the scan finds the risk again, it reopens.")
        else:
            messages.error(request, "Choose what to do with the escalation.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("escalation_list", agency_slug=request.agency.slug)


SCAN_BUSY = "A scan of this agency is running; try again in a minute."


@agency_view(permission=can_manage_escalation)
@require_POST
def project_scan(request: HttpRequest, project_id: int) -> HttpResponse:
    """Scan now: run the agency's risk scan at once and come back to the project with what it found."""
    project = get_object_or_404(Project, pk=project_id)
    result = agency_scan_now(request.agency)
    if result is None:
        messages.error(request, SCAN_BUSY)
    else:
        open_count = Escalation.objects.filter(project=project, state__in=OPEN_STATES).count()
        found = result["opened"] + result["reopened"]
        messages.success(
            request,
            f"Scan done: {found} new risk{pluralize(found)} across the agency, {result['cleared']} cleared; "
            f"{open_count} open on this project.",
        )
    return redirect("project_detail", agency_slug=request.agency.slug, project_id=project.pk)
