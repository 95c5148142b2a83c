"""Escalations found by the risk scan: the list, and acknowledging, assigning, snoozing and resolving them."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agencyops.models import Client, Membership
from agencyops.permissions import can_manage_clients
from agencyops.tenancy import agency_view
from projects import escalations as escalation_services
from projects.models import Escalation, EscalationEvent, EscalationSeverity, EscalationState
from projects.risks import RULES

RULE_LABELS = {
    "missing_input": "Missing input",
    "deadline_moved": "Deadline moved more than once",
    "capacity": "Capacity overloaded",
    "owner_unclear": "Owner unclear",
    "scope": "Scope mismatch",
    "launch_at_risk": "Launch date at risk",
    "decision_needed": "Decision needed",
}
OPEN_STATES = [EscalationState.OPEN, EscalationState.ACKNOWLEDGED]


def escalations_for_list(*, client_id: str, rule: str, severity: str, state: str):
    """Escalations with their project, client, assignee and history, filtered as the list page asks."""
    rows = Escalation.objects.select_related("project__client", "task", "assignee__user").prefetch_related(
        Prefetch("events", queryset=EscalationEvent.objects.select_related("actor__user"))
    )
    if state == "open" or not state:
        rows = rows.filter(state__in=OPEN_STATES)
    elif state in EscalationState.values:
        rows = rows.filter(state=state)
    if client_id.isdigit():
        rows = rows.filter(project__client_id=int(client_id))
    if rule in RULE_LABELS:
        rows = rows.filter(rule=rule)
    if severity in EscalationSeverity.values:
        rows = rows.filter(severity=severity)
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(rows, key=lambda e: (order.get(e.severity, 3), -e.last_seen_at.timestamp()))


@agency_view
def escalation_list(request: HttpRequest) -> HttpResponse:
    """Every escalation of the agency, worst first, filterable by client, rule, severity and state."""
    filters = {key: request.GET.get(key, "") for key in ("client", "rule", "severity", "state")}
    rows = escalations_for_list(
        client_id=filters["client"], rule=filters["rule"], severity=filters["severity"], state=filters["state"]
    )
    return TemplateResponse(
        request,
        "projects/escalation_list.html",
        {
            "escalations": rows,
            "filters": filters,
            "clients": Client.objects.exclude(status="archived").order_by("name"),
            "rules": [(r.__name__.removeprefix("rule_"), RULE_LABELS.get(r.__name__.removeprefix("rule_"), ""))
                      for r in RULES],
            "severities": EscalationSeverity.choices,
            "states": [("open", "Open"), *EscalationState.choices],
            "members": Membership.objects.filter(is_active=True).select_related("user"),
            "can_act": can_manage_clients(request.membership),
            "rule_labels": RULE_LABELS,
        },
    )


@agency_view(permission=can_manage_clients)
@require_POST
def escalation_action(request: HttpRequest, escalation_id: int) -> HttpResponse:
    """Acknowledge, assign, snooze or resolve one escalation; every action is kept as history."""
    escalation = get_object_or_404(Escalation, pk=escalation_id)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action == "acknowledge":
            escalation_services.escalation_acknowledge(actor=request.membership, escalation=escalation, note=note)
            messages.success(request, "Acknowledged.")
        elif action == "assign":
            assignee_id = request.POST.get("assignee", "")
            assignee = get_object_or_404(Membership, pk=int(assignee_id)) if assignee_id.isdigit() else None
            escalation_services.escalation_assign(actor=request.membership, escalation=escalation, assignee=assignee)
            messages.success(request, f"Assigned to {assignee.user.full_name}." if assignee else "Unassigned.")
        elif action == "snooze":
            try:
                until = date.fromisoformat(request.POST.get("until", ""))
            except ValueError:
                until = None
            escalation_services.escalation_snooze(actor=request.membership, escalation=escalation, until=until, note=note)
            messages.success(request, f"Snoozed until {until:%a %-d %b}.")
        elif action == "resolve":
            escalation_services.escalation_resolve(actor=request.membership, escalation=escalation, note=note)
            messages.success(request, "Resolved. If the scan finds the risk again, it reopens.")
        else:
            messages.error(request, "Choose what to do with the escalation.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("escalation_list", agency_slug=request.agency.slug)
