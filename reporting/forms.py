"""Forms of the reporting pages: they parse; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms

from agencyops.models import Agency, Client, ClientContact, Membership
from projects.models import CampaignGoal, Project
from reporting.kpis import kpis_for_goal
from reporting.models import Campaign, Channel, KpiComparison, ReportSection, TargetPeriod
from reporting.services.reports import CONTACT_REFUSED, MAX_RECIPIENTS, MEMBER_REFUSED

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CampaignForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none())
    name = forms.CharField(max_length=160)
    goal = forms.ChoiceField(choices=CampaignGoal.choices)
    channels = forms.MultipleChoiceField(
        choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    budget = forms.DecimalField(max_digits=12, decimal_places=2, required=False, min_value=0)
    budget_currency = forms.CharField(max_length=3, required=False, help_text="e.g. USD")

    def __init__(self, *args, agency, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(agency=agency).exclude(status="archived")


class ChangeLineForm(forms.Form):
    line = forms.CharField(
        max_length=400,
        label="What changed",
        help_text="One line, optionally starting with the day: “3 Nov: broad job titles → industry-specific audiences”.",
    )


class UploadForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none())
    file = forms.FileField(
        help_text="A Google Ads, Meta, LinkedIn or GA4 export (CSV or .xlsx), or a mapped CSV."
    )
    default_currency = forms.CharField(
        max_length=3,
        required=False,
        help_text="For money the file does not label (GA4 revenue). Default USD.",
    )

    def __init__(self, *args, agency, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(agency=agency).exclude(status="archived")


class MappingForm(forms.Form):
    """One choice per new platform name: an agency campaign of the client, or none."""

    NONE = ""

    def __init__(self, *args, names: list[str], campaigns: list[Campaign], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.names = names
        choices = [(self.NONE, "Not one of our campaigns")] + [(str(c.pk), c.name) for c in campaigns]
        for index, name in enumerate(names):
            self.fields[f"map_{index}"] = forms.ChoiceField(choices=choices, required=False, label=name)

    def mapping(self) -> dict[str, int | None]:
        return {
            name: int(self.cleaned_data[f"map_{i}"]) if self.cleaned_data[f"map_{i}"] else None
            for i, name in enumerate(self.names)
        }


class TimeLogForm(forms.Form):
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60, required=False)
    note = forms.CharField(max_length=300, required=False)
    timer = forms.BooleanField(required=False)


class TargetForm(forms.Form):
    kpi = forms.ChoiceField(label="KPI")
    comparison = forms.ChoiceField(choices=KpiComparison.choices)
    value = forms.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    currency = forms.CharField(max_length=3, required=False, help_text="For money KPIs, e.g. USD.")
    period = forms.ChoiceField(choices=TargetPeriod.choices, initial=TargetPeriod.MONTH)

    def __init__(self, *args, goal: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [(k.key, k.label) for k in kpis_for_goal(goal)]


class RetainerTermsForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none())
    included_hours = forms.DecimalField(max_digits=7, decimal_places=2, min_value=0, required=False)
    monthly_fee = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    currency = forms.CharField(max_length=3, required=False, help_text="The fee's currency, e.g. USD.")

    def __init__(self, *args, agency, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = (
            Project.objects.filter(agency=agency).exclude(status__in=["done", "cancelled"]).order_by("name")
        )


class RecipientsField(forms.ModelMultipleChoiceField):
    """Ids among the agency's own (contacts or team): one that is not refuses the field, naming it."""

    def __init__(self, *args, refused: str, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs["error_messages"] = {
            "invalid_choice": f"{refused} (%(value)s)",
            "invalid_pk_value": f"{refused} (%(pk)s)",
        }
        super().__init__(*args, **kwargs)

    def clean(self, value):
        if value and len(value) > MAX_RECIPIENTS:
            raise forms.ValidationError(f"Choose at most {MAX_RECIPIENTS}.", code="max_length")
        return super().clean(value)


class ReportDefinitionForm(forms.Form):
    """Schedule a client's weekly report. Recipients are ids among the agency's own; the service then refuses
    a contact of another client (on the same field)."""

    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), error_messages={"invalid_choice": "Choose one of your clients."}
    )
    sections = forms.MultipleChoiceField(choices=ReportSection.choices)
    weekday = forms.TypedChoiceField(label="Day", choices=list(enumerate(WEEKDAYS)), coerce=int, initial=0)
    send_at = forms.TimeField(label="Time (agency time)", initial=dt.time(10))
    data_lag_days = forms.IntegerField(min_value=0, max_value=7, initial=1)
    send_to_contacts = forms.BooleanField(required=False, initial=True)
    contacts = RecipientsField(queryset=ClientContact.objects.none(), refused=CONTACT_REFUSED)
    internal_recipients = RecipientsField(queryset=Membership.objects.none(), refused=MEMBER_REFUSED)

    def __init__(self, *args, agency: Agency, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(agency=agency).order_by("name")
        # Every contact and member of the agency is its own (as in the API); the page offers the active ones.
        self.fields["contacts"].queryset = (
            ClientContact.objects.filter(agency=agency)
            .select_related("client")
            .order_by("client__name", "full_name", "pk")
        )
        self.fields["internal_recipients"].queryset = (
            Membership.objects.filter(agency=agency).select_related("user").order_by("user__full_name", "pk")
        )
