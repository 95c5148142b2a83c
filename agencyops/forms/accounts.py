"""Forms for logging in, starting an agency and accepting an invitation: shape only, services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencyops.services.accounts import COMMON_TIME_ZONES, holiday_countries


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: keys naming a field go there, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# Plain words for settings.AUTH_PASSWORD_VALIDATORS (Django's own help text is an HTML list).
PASSWORD_HELP = "At least 10 characters; not all numbers, not a common password, not like your name or email."


def time_zone_choices(current: str = "") -> list[tuple[str, str]]:
    """Common zoneinfo names, plus the agency's own when it is not among them."""
    names = list(COMMON_TIME_ZONES)
    if current and current not in names:
        names.insert(0, current)
    return [(name, name.replace("_", " ")) for name in names]


def country_choices() -> list[tuple[str, str]]:
    """Every country with a public-holiday calendar, by name."""
    return [(code, f"{name} ({code})") for code, name in holiday_countries().items()]


class LoginForm(AuthenticationForm):
    """Email and password. The field keeps the name ``username``: django-axes throttles on it."""

    username = forms.CharField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "That email and password do not match an account. Check both and try again.",
        "inactive": "This account has been switched off. Ask your agency's owner for help.",
    }

    def clean_username(self) -> str:
        # Addresses are stored lower-cased; people type them any way they like.
        return self.cleaned_data["username"].strip().lower()


class PasswordPairMixin:
    """A password typed twice; the second must match the first."""

    password_field = "password"
    confirm_field = "password_confirm"

    def check_passwords_match(self, cleaned: dict[str, Any]) -> None:
        first, second = cleaned.get(self.password_field), cleaned.get(self.confirm_field)
        if first and second and first != second:
            self.add_error(self.confirm_field, "The two passwords are not the same.")  # type: ignore[attr-defined]


def _password_field(label: str, *, new: bool = True, help_text: str = "") -> forms.CharField:
    autocomplete = "new-password" if new else "current-password"
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class SignupForm(PasswordPairMixin, forms.Form):
    """A new agency, and (for a visitor who is not logged in) its owner's account."""

    password_field = "owner_password"
    confirm_field = "owner_password_confirm"

    name = forms.CharField(label="Agency name", max_length=120)
    slug = forms.SlugField(
        label="Web address",
        max_length=50,
        required=False,
        help_text="Your agency's pages live at /your-address/. Lowercase letters, numbers and hyphens; "
        "leave blank to use the address suggested from the name.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone", initial="Europe/London", help_text="Deadlines and reminders use this time zone."
    )
    country = forms.ChoiceField(
        label="Country", initial="GB", help_text="Public holidays from this country are never working days."
    )
    owner_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    owner_email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    owner_password = _password_field("Password", help_text=PASSWORD_HELP)
    owner_password_confirm = _password_field("Confirm password")

    OWNER_FIELDS = ("owner_name", "owner_email", "owner_password", "owner_password_confirm")

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()
        self.fields["country"].choices = country_choices()
        # Someone already logged in becomes the owner as they are; no second account.
        if signed_in:
            for field in self.OWNER_FIELDS:
                del self.fields[field]
        # As the name is typed, htmx asks the sign-up page for a suggested address (shown as placeholder).
        self.fields["name"].widget.attrs.update(
            {
                "hx-get": reverse("signup"),
                "hx-trigger": "input changed delay:400ms",
                "hx-target": "#id_slug",
                "hx-swap": "outerHTML",
                "hx-include": "#id_slug",
                "autocomplete": "organization",
            }
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.check_passwords_match(cleaned)
        return cleaned


class InvitationAcceptForm(PasswordPairMixin, forms.Form):
    """What accepting takes: a name and a new password, the existing account's password, or nothing."""

    NEW_ACCOUNT, EXISTING_ACCOUNT, SIGNED_IN = "new", "existing", "signed_in"

    full_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = _password_field("Choose a password", help_text=PASSWORD_HELP)
    password_confirm = _password_field("Confirm password")

    def __init__(self, *args: Any, mode: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode = mode
        if mode == self.EXISTING_ACCOUNT:
            del self.fields["full_name"], self.fields["password_confirm"]
            self.fields["password"] = _password_field(
                "Your password", new=False, help_text="You already have an AgencyOps account with this email."
            )
        elif mode == self.SIGNED_IN:
            self.fields.clear()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.mode == self.NEW_ACCOUNT:
            self.check_passwords_match(cleaned)
        return cleaned
