"""Forms of the drafting pages: what a person asks a job for, and the agency's provider settings."""

from __future__ import annotations

from django import forms

from brandkit.drafting import prompts, services
from brandkit.governance.types import CHANNELS
from projects.models import CampaignGoal


class DraftingJobForm(forms.Form):
    channel = forms.ChoiceField(choices=[("", "Same as the source")] + list(CHANNELS), required=False)
    goal = forms.ChoiceField(
        choices=[("", "From the brief or piece")] + list(CampaignGoal.choices), required=False
    )
    title = forms.CharField(max_length=200, required=False, help_text="The new piece's name (first drafts).")
    count = forms.IntegerField(
        min_value=1, max_value=services.MAX_COUNT, required=False,
        help_text="Emails in a sequence, pieces to repurpose into, or variants to write.",
    )  # fmt: skip
    spacing_days = forms.IntegerField(
        min_value=1, max_value=60, required=False, help_text="Days between emails."
    )
    variant_of = forms.ChoiceField(
        choices=[(k, v.capitalize()) for k, v in prompts.VARIANT_OF.items()], required=False
    )
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=services.MAX_INSTRUCTIONS, required=False,
        help_text="Anything the draft should do; the brand layer is added for you.",
    )  # fmt: skip

    def inputs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class DraftingSettingsForm(forms.Form):
    base_url = forms.URLField(max_length=300, required=False, label="Base URL", assume_scheme="https")
    model = forms.CharField(max_length=120, required=False)
    api_key = forms.CharField(
        max_length=500, required=False, label="API key",
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted and never shown again; leave empty to keep the saved key.",
    )  # fmt: skip
    clear_api_key = forms.BooleanField(required=False, label="Remove the saved key")
    monthly_token_budget = forms.IntegerField(
        min_value=0,
        required=False,
        help_text="Tokens per calendar month; empty: the instance default; 0: no limit.",
    )
    price_input_per_million = forms.DecimalField(min_value=0, max_digits=10, decimal_places=4, initial=0)
    price_output_per_million = forms.DecimalField(min_value=0, max_digits=10, decimal_places=4, initial=0)
