"""Parsing and rendering for the reporting API: input serializers parse, output serializers only render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from rest_framework import serializers

from agencyops.api.fields import MAX_DB_ID, ScopedInputSerializer, ScopedPrimaryKeyRelatedField
from agencyops.api.filters import IdFilterField
from agencyops.models import Client
from projects.calendars import agency_today
from projects.models import CampaignGoal, Project, Task
from reporting.models import Channel, KpiComparison, Platform, TargetPeriod


class CampaignChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    changed_on = serializers.DateField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    platform = serializers.CharField()
    source = serializers.CharField()


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_id = serializers.IntegerField()
    client_name = serializers.CharField(source="client.name")
    project_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    goal = serializers.ChoiceField(choices=CampaignGoal.choices)
    channels = serializers.ListField(child=serializers.CharField())
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    budget_currency = serializers.CharField()


class CampaignDetailSerializer(CampaignSerializer):
    platform_names = serializers.SerializerMethodField()
    changes = CampaignChangeSerializer(many=True, source="changes.all")

    def get_platform_names(self, campaign) -> list[dict]:
        return [{"platform": pc.platform, "name": pc.name} for pc in campaign.platform_campaigns.all()]


CLIENT_REFUSED = "No such client in this agency."


def client_field(**kwargs: Any) -> ScopedPrimaryKeyRelatedField:
    """A client id in reporting input, looked up among the agency's clients (another's is a 400 here)."""
    return ScopedPrimaryKeyRelatedField(
        model=Client, message=CLIENT_REFUSED, help_text="Id of one of this agency's clients.", **kwargs
    )


class CampaignCreateInputSerializer(ScopedInputSerializer):
    client = client_field()
    project = ScopedPrimaryKeyRelatedField(
        model=Project,
        message="No such project in this agency.",
        required=False,
        allow_null=True,
        help_text="Id of one of this agency's projects.",
    )
    name = serializers.CharField(max_length=160)
    goal = serializers.ChoiceField(choices=CampaignGoal.choices)
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False, max_length=10
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    budget_currency = serializers.CharField(max_length=3, required=False, default="", allow_blank=True)


class ChangeLineInputSerializer(serializers.Serializer):
    line = serializers.CharField(max_length=400)


class TargetInputSerializer(serializers.Serializer):
    kpi = serializers.CharField(max_length=40)
    comparison = serializers.ChoiceField(choices=KpiComparison.choices)
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    period = serializers.ChoiceField(choices=TargetPeriod.choices, default=TargetPeriod.MONTH)
    currency = serializers.CharField(max_length=3, required=False, default="", allow_blank=True)


class ImportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_id = serializers.IntegerField()
    platform = serializers.ChoiceField(choices=Platform.choices)
    layout = serializers.CharField()
    original_name = serializers.CharField()
    state = serializers.CharField()
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    row_count = serializers.IntegerField()
    uploaded_by = serializers.CharField(source="uploaded_by.user.full_name", default="")
    uploaded_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


class ImportDetailSerializer(ImportSerializer):
    summary = serializers.JSONField()
    notes = serializers.ListField(child=serializers.CharField())
    blocking = serializers.ListField(child=serializers.CharField())
    problem_count = serializers.SerializerMethodField()
    new_campaign_names = serializers.SerializerMethodField()

    def get_problem_count(self, record) -> int:
        return len(record.problems)

    def get_new_campaign_names(self, record) -> list[str]:
        return [c["name"] for c in record.summary.get("campaigns", []) if not c["known"]]


class ImportUploadInputSerializer(ScopedInputSerializer):
    client = client_field()
    file = serializers.FileField()
    default_currency = serializers.CharField(max_length=3, required=False, default="", allow_blank=True)


class ImportConfirmInputSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), required=False, default=dict
    )

    def validate_mapping(self, value: dict) -> dict:
        if len(value) > 2000:
            raise serializers.ValidationError("Map at most 2000 names at a time.")
        return value


class MetricFilterSerializer(serializers.Serializer):
    """The metrics list's query: a range of at most REPORTING_METRICS_MAX_DAYS days (default: the last 30,
    ending today in the agency's time zone), an interval and optional narrowing."""

    start = serializers.DateField(required=False, help_text="Default: 29 days before the end.")
    end = serializers.DateField(required=False, help_text="Default: today.")
    interval = serializers.ChoiceField(choices=["day", "week", "month"], default="day")
    client = IdFilterField(what="client")
    campaign = IdFilterField(what="campaign")
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    metric = serializers.CharField(required=False, max_length=400)
    level = serializers.ChoiceField(choices=["campaign", "ad", "channel", "landing_page"], required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if "end" not in data:
            data["end"] = agency_today(self.context["request"].agency)
        data.setdefault("start", data["end"] - dt.timedelta(days=29))
        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": ["The end comes after the start."]})
        if (data["end"] - data["start"]).days + 1 > settings.REPORTING_METRICS_MAX_DAYS:
            raise serializers.ValidationError(
                {"end": [f"Ask for at most {settings.REPORTING_METRICS_MAX_DAYS} days at a time."]}
            )
        return data


class MetricPointSerializer(serializers.Serializer):
    period = serializers.DateField()
    metric = serializers.CharField()
    currency = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4)


class KpiFilterSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False)
    period = serializers.ChoiceField(choices=TargetPeriod.choices, default=TargetPeriod.MONTH)
    campaign = IdFilterField(what="campaign")


class KpiLineSerializer(serializers.Serializer):
    kpi = serializers.CharField(source="kpi.key")
    label = serializers.CharField(source="kpi.label")
    unit = serializers.CharField(source="kpi.unit")
    value = serializers.DecimalField(source="value.value", max_digits=24, decimal_places=6, allow_null=True)
    currency = serializers.CharField(source="value.currency")
    note = serializers.CharField(source="value.note")
    target = serializers.SerializerMethodField()
    state = serializers.CharField()

    def get_target(self, line) -> dict | None:
        t = line.target
        if t is None:
            return None
        return {"comparison": t.comparison, "value": str(t.value), "currency": t.currency, "period": t.period}


class CampaignKpisSerializer(serializers.Serializer):
    campaign_id = serializers.IntegerField(source="campaign.pk")
    campaign = serializers.CharField(source="campaign.name")
    goal = serializers.CharField(source="campaign.goal")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    lines = KpiLineSerializer(many=True)


class TimeEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task_id = serializers.IntegerField()
    task_title = serializers.CharField(source="task.title")
    project_id = serializers.IntegerField()
    member_id = serializers.IntegerField()
    member_name = serializers.CharField(source="member.user.full_name")
    work_date = serializers.DateField()
    minutes = serializers.IntegerField()
    note = serializers.CharField()
    running = serializers.BooleanField(source="is_running")


class TimeEntryInputSerializer(ScopedInputSerializer):
    task = ScopedPrimaryKeyRelatedField(
        model=Task,
        queryset=lambda context: Task.objects.select_related("project"),
        message="No such task in this agency.",
        help_text="Id of one of this agency's tasks.",
    )
    minutes = serializers.IntegerField(required=False, min_value=1, max_value=24 * 60)
    work_date = serializers.DateField(required=False)
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)
    timer = serializers.BooleanField(
        required=False, default=False, help_text="Start a timer instead of minutes."
    )

    def validate(self, data: dict) -> dict:
        if not data.get("timer") and data.get("minutes") is None:
            raise serializers.ValidationError(
                {"minutes": ["Give the minutes, or start a timer with timer: true."]}
            )
        return data


class TimeEntryEditInputSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    work_date = serializers.DateField()
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)


class DecisionLinkInputSerializer(serializers.Serializer):
    # Looked up by the view through the scoped querysets: another agency's entry is a 404, as it always was.
    decision = serializers.IntegerField(required=False, min_value=1, max_value=MAX_DB_ID)
    change_request = serializers.IntegerField(required=False, min_value=1, max_value=MAX_DB_ID)


class DecisionLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign_id = serializers.IntegerField()
    decision_id = serializers.IntegerField(allow_null=True)
    change_request_id = serializers.IntegerField(allow_null=True)


class ColumnMappingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_id = serializers.IntegerField()
    name = serializers.CharField()
    mapping = serializers.JSONField()


class ColumnMappingInputSerializer(ScopedInputSerializer):
    client = client_field()
    name = serializers.CharField(max_length=120)
    mapping = serializers.JSONField(
        help_text='{"date": "Created", "campaign": "Campaign", "metrics": {"Form fills": "form_fills"}}'
    )
