"""Forms of the client pages: they parse input and hand it to agencyops.services.clients."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencyops.forms.widgets import ServedFileInput
from agencyops.models import Client, ClientContact, Membership
from agencyops.selectors.clients import STATUS_FILTERS
from agencyops.services import clients as client_services
from agencyops.validation import validate_logo


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's errors on the matching fields; anything else shows above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.error_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ClientFilterForm(forms.Form):
    """The list page's filters; bad values fall back to the defaults rather than failing."""

    status = forms.ChoiceField(
        choices=[(value, value.capitalize()) for value in STATUS_FILTERS], required=False, initial="active"
    )
    q = forms.CharField(
        label="Search by name",
        required=False,
        max_length=120,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )

    def filters(self) -> tuple[str, str]:
        """The (status, search) the list should show."""
        if not self.is_valid():
            return "active", ""
        return self.cleaned_data["status"] or "active", self.cleaned_data["q"].strip()


class ClientForm(forms.Form):
    """A client's details; saving creates or updates it through the services."""

    name = forms.CharField(max_length=120)
    slug = forms.CharField(
        label="Short name",
        max_length=60,
        required=False,
        help_text="Letters, digits and hyphens. Leave empty to make one from the name.",
    )
    website = forms.URLField(required=False, assume_scheme="https")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    logo = forms.FileField(
        required=False,
        validators=[validate_logo],
        widget=ServedFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        help_text="PNG, JPEG, GIF or WebP, up to 2 MB.",
    )

    def __init__(self, *args: Any, client: Client | None = None, **kwargs: Any) -> None:
        self.client = client
        if client is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": client.name,
                    "slug": client.slug,
                    "website": client.website,
                    "notes": client.notes,
                    "logo": client.logo,
                },
            )
        super().__init__(*args, **kwargs)
        if client is not None:
            self.fields["logo"].widget.served_url = reverse(
                "client_logo", kwargs={"agency_slug": client.agency.slug, "client_id": client.pk}
            )

    def save(self, *, actor: Membership) -> Client | None:
        """Create or update the client; returns None (with errors on the form) when the service refuses."""
        data = dict(self.cleaned_data)
        logo = data.pop("logo")
        # ClearableFileInput: a file to store, False to remove the current logo, None to keep it.
        if logo is False:
            data["logo"] = ""
        elif logo:
            data["logo"] = logo
        try:
            if self.client is None:
                return client_services.client_create(actor=actor, **data)
            return client_services.client_update(actor=actor, client=self.client, **data)
        except ValidationError as error:
            _add_service_errors(self, error)
            return None


class ContactForm(forms.Form):
    """A person at a client; saving creates or updates them through the services."""

    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(max_length=254)
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
    is_default_approver = forms.BooleanField(
        label="Default final approver",
        required=False,
        help_text="Named as the final approver on new approval requests; replaces the current one.",
    )

    def __init__(
        self, *args: Any, client: Client, contact: ClientContact | None = None, **kwargs: Any
    ) -> None:
        self.client = client
        self.contact = contact
        if contact is not None:
            kwargs.setdefault(
                "initial",
                {
                    "full_name": contact.full_name,
                    "email": contact.email,
                    "job_title": contact.job_title,
                    "is_default_approver": contact.is_default_approver,
                },
            )
        super().__init__(*args, **kwargs)

    def save(self, *, actor: Membership) -> ClientContact | None:
        """Create or update the contact; returns None (with errors on the form) when the service refuses."""
        try:
            if self.contact is None:
                return client_services.client_contact_create(
                    actor=actor, client=self.client, **self.cleaned_data
                )
            return client_services.client_contact_update(
                actor=actor, contact=self.contact, **self.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(self, error)
            return None
