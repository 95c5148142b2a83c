"""Forms for the team pages and the agency's settings: shape only, services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse

from agencyops import dates
from agencyops.forms.accounts import country_choices, time_zone_choices
from agencyops.forms.widgets import ServedFileInput
from agencyops.models import Agency, Discipline, Role

WEEKDAY_NAMES = list(enumerate(dates.WEEKDAY_NAMES))
DISCIPLINE_CHOICES = [("", "None"), *Discipline.choices]


def _capacity_field() -> forms.DecimalField:
    return forms.DecimalField(
        label="Weekly capacity (hours)",
        min_value=Decimal("0"),
        max_value=Decimal("168"),
        max_digits=5,
        decimal_places=1,
        initial=Decimal("40"),
        help_text="Hours a week this person can give to client work; used to spot overloaded weeks.",
        error_messages={"min_value": "Capacity cannot be below zero.", "max_value": "A week has 168 hours."},
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "168"}),
    )


class MemberForm(forms.Form):
    """Role, discipline and weekly capacity of a team member."""

    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        initial=Role.MEMBER,
        help_text="Owners manage the team and settings; coordinators run clients and projects; "
        "members work on tasks.",
    )
    discipline = forms.ChoiceField(label="Discipline", choices=DISCIPLINE_CHOICES, required=False)
    weekly_capacity_hours = _capacity_field()


class MemberInviteForm(MemberForm):
    """An invitation: the address it goes to, plus the seat the person will take."""

    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    field_order = ["email", "role", "discipline", "weekly_capacity_hours"]


class AgencySettingsForm(forms.Form):
    """The agency's name, calendar, approval terms and logo."""

    name = forms.CharField(label="Agency name", max_length=120)
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG, GIF or WebP, up to 2 MB. Shown in the client portal and on reports.",
        widget=ServedFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    brand_colour = forms.CharField(
        label="Brand colour",
        max_length=20,
        required=False,
        help_text="A hex code such as #1f4e79, for the portal's header, buttons and links (white text sits on "
        "it, so it must be dark enough to read). Leave empty for the standard colour.",
        widget=forms.TextInput(attrs={"placeholder": "#1f4e79", "autocomplete": "off", "spellcheck": "false"}),
    )
    time_zone = forms.ChoiceField(label="Time zone", help_text="Deadlines and reminders use this time zone.")
    country = forms.ChoiceField(label="Country", help_text="Its public holidays are never working days.")
    subdivision = forms.CharField(
        label="Region",
        max_length=10,
        required=False,
        help_text="Optional region code for regional holidays, e.g. ENG for England or CA for California.",
    )
    working_weekdays = forms.TypedMultipleChoiceField(
        label="Working days",
        coerce=int,
        choices=WEEKDAY_NAMES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one working day."},
        help_text="Schedules count only these days.",
    )
    approval_terms = forms.CharField(
        label="Approval terms",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Clients see and accept these words each time they approve work.",
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": agency.name,
                "logo": agency.logo,
                "brand_colour": agency.brand_colour,
                "time_zone": agency.time_zone,
                "country": agency.country,
                "subdivision": agency.subdivision,
                "working_weekdays": agency.working_weekdays,
                "approval_terms": agency.approval_terms,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(agency.time_zone)
        self.fields["country"].choices = country_choices()
        self.fields["logo"].widget.served_url = reverse("agency_logo", kwargs={"agency_slug": agency.slug})

    def clean_logo(self) -> UploadedFile | bool | None:
        logo = self.cleaned_data.get("logo")
        # Without a new upload Django hands back the current file; the service reads None as "leave it".
        if logo is False or isinstance(logo, UploadedFile):
            return logo
        return None
