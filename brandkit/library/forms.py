"""Forms of the library pages: they only parse; the services decide."""

from __future__ import annotations

from django import forms

from agencyops.models import Client
from brandkit.library.models import ItemKind


class LibraryFilterForm(forms.Form):
    """The search box and filters; anything out of range is simply not applied (and said so)."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    client = forms.ChoiceField(required=False, label="Client")
    kind = forms.ChoiceField(required=False, label="Kind", choices=[("", "Any kind"), *ItemKind.choices])
    tag = forms.CharField(required=False, max_length=40, label="Tag")
    owner = forms.ChoiceField(required=False, label="Owner")
    project = forms.IntegerField(
        required=False, min_value=1, max_value=2_147_483_647, widget=forms.HiddenInput
    )
    since = forms.DateField(
        required=False, label="Changed since", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="Changed until", widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=400, widget=forms.HiddenInput)

    def __init__(self, *args, clients=(), owners=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "All clients"), ("agency", "Agency-wide only")] + [
            (str(c.pk), c.name) for c in clients
        ]
        self.fields["owner"].choices = [("", "Anyone")] + [
            (str(m.pk), m.user.full_name or m.user.email) for m in owners
        ]


class LibraryItemForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="What people will search for, e.g. “Acme logo pack”.")
    kind = forms.ChoiceField(choices=ItemKind.choices, initial=ItemKind.OTHER)
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, empty_label="Agency-wide (no client)"
    )
    tags = forms.CharField(required=False, max_length=900, help_text="Separate tags with commas.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    file = forms.FileField(
        required=False, help_text="Any common file: images, PDF, Word, PowerPoint, Excel, text, fonts, zip."
    )
    url = forms.URLField(
        required=False,
        label="…or a link",
        max_length=1000,
        assume_scheme="https",
        help_text="Figma, Google Drive, Canva or any other link.",
    )
    allow_duplicate = forms.BooleanField(
        required=False, label="Upload it even if it is already in the library"
    )

    def __init__(self, *args, clients=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if clients is not None:
            self.fields["client"].queryset = clients


class LibraryItemEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ItemKind.choices)
    tags = forms.CharField(required=False, max_length=900, help_text="Separate tags with commas.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class LibraryVersionForm(forms.Form):
    file = forms.FileField(required=False, label="New file")
    url = forms.URLField(required=False, label="…or a new link", max_length=1000, assume_scheme="https")
    notes = forms.CharField(required=False, max_length=2000, label="What changed")
    allow_duplicate = forms.BooleanField(
        required=False, label="Upload it even if it is already in the library"
    )


def split_tags(value: str) -> list[str]:
    return [tag.strip() for tag in (value or "").split(",") if tag.strip()]
