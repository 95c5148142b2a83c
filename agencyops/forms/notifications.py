"""The notification settings form: one channel per kind of event. Shape only; the service stores it."""

from __future__ import annotations

from typing import Any

from django import forms

from agencyops.notifications.selectors import CHANNEL_CHOICES, PreferenceRow


class NotificationPreferencesForm(forms.Form):
    def __init__(self, *args: Any, rows: list[PreferenceRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[row.kind.key] = forms.ChoiceField(
                label=row.kind.label, choices=CHANNEL_CHOICES, initial=row.channel.value, required=False
            )

    def changed_choices(self) -> dict[str, str]:
        """Only the kinds the person changed: untouched ones keep following their role's default."""
        return {key: self.cleaned_data[key] for key in self.changed_data if self.cleaned_data.get(key)}

    def bound_rows(self) -> list[tuple[PreferenceRow, forms.BoundField]]:
        return [(row, self[row.kind.key]) for row in self.rows]
