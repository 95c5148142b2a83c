"""API shapes of escalations. Serializers only parse input and render output; writes are services
(projects.escalations), reads come from the escalation list's selector. Dates and moments are ISO 8601.
"""

from __future__ import annotations

from typing import get_args

from rest_framework import serializers

from agencyops.api.fields import ScopedInputSerializer, ScopedPrimaryKeyRelatedField
from agencyops.models import Membership
from projects.models import EscalationSeverity, EscalationState
from projects.risks import RuleName, Section

RULE_NAMES = list(get_args(RuleName))
SECTIONS = list(get_args(Section))
OPEN_FILTER = "open"

# --- Output --------------------------------------------------------------------------------


class EscalationProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class EscalationTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class EscalationAssigneeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="Membership id; send it as `assignee`.")
    name = serializers.CharField(source="user.full_name", read_only=True)


class EscalationEventSerializer(serializers.Serializer):
    """One step of an escalation's history, by a person or by the scan (then `actor_name` is null)."""

    action = serializers.CharField(
        read_only=True,
        help_text="found, updated, reopened, woke, cleared (by the scan); acknowledged, assigned, snoozed, "
        "resolved (by a person).",
    )
    actor_name = serializers.CharField(
        source="actor.user.full_name", read_only=True, allow_null=True, default=None
    )
    note = serializers.CharField(read_only=True)
    at = serializers.DateTimeField(read_only=True)


class EscalationSerializer(serializers.Serializer):
    """A risk the scan found, what it is about, where it stands and what has been done about it."""

    id = serializers.IntegerField(read_only=True)
    project = EscalationProjectSerializer(
        read_only=True, allow_null=True, help_text="Null for agency-wide risks such as an overloaded week."
    )
    client_name = serializers.CharField(
        source="project.client.name", read_only=True, allow_null=True, default=None
    )
    task = EscalationTaskSerializer(read_only=True, allow_null=True, help_text="The task at risk, if any.")
    rule = serializers.ChoiceField(choices=RULE_NAMES, read_only=True)
    severity = serializers.ChoiceField(choices=EscalationSeverity.choices, read_only=True)
    section = serializers.ChoiceField(
        choices=SECTIONS, read_only=True, help_text="Where the owner's home view lists it."
    )
    message = serializers.CharField(read_only=True)
    facts = serializers.DictField(
        read_only=True, help_text="The figures behind the message (dates, names, counts), by rule."
    )
    state = serializers.ChoiceField(choices=EscalationState.choices, read_only=True)
    assignee = EscalationAssigneeSerializer(read_only=True, allow_null=True)
    snoozed_until = serializers.DateField(read_only=True, allow_null=True)
    first_seen_at = serializers.DateTimeField(read_only=True)
    last_seen_at = serializers.DateTimeField(read_only=True)
    cleared_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the scan found the cause gone."
    )
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    events = EscalationEventSerializer(source="events.all", many=True, read_only=True)


class ProjectScanSerializer(serializers.Serializer):
    """What a scan changed across the agency, and the project's open escalations after it."""

    opened = serializers.IntegerField(read_only=True, help_text="New risks found across the agency.")
    reopened = serializers.IntegerField(read_only=True, help_text="Resolved risks that came back.")
    updated = serializers.IntegerField(read_only=True, help_text="Risks whose details changed.")
    cleared = serializers.IntegerField(read_only=True, help_text="Risks whose cause is gone.")
    escalations = EscalationSerializer(
        many=True, read_only=True, help_text="This project's open and acknowledged escalations, worst first."
    )


# --- Input ---------------------------------------------------------------------------------


class EscalationAcknowledgeInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EscalationAssignInputSerializer(ScopedInputSerializer):
    # Someone of another agency is "not on your team", like an unknown id.
    assignee = ScopedPrimaryKeyRelatedField(
        model=Membership,
        queryset=lambda context: Membership.objects.select_related("user"),
        message="Choose someone on your team.",
        allow_null=True,
        help_text="Membership id of someone on the team; null to unassign.",
    )


class EscalationSnoozeInputSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="A day after today (agency time); it comes back then.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EscalationResolveInputSerializer(serializers.Serializer):
    # Optional here so the service's own message ("Say how it was resolved.") answers a missing note.
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Required: what was done."
    )
