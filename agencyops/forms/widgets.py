"""Form widgets of the platform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms


@dataclass(frozen=True)
class _ServedFile:
    name: str
    url: str

    def __str__(self) -> str:
        return self.name


class ServedFileInput(forms.ClearableFileInput):
    """A file input whose "Currently" link is the URL the app serves the file from after its tenant
    check (set ``served_url``), never the storage's /media/ address."""

    served_url = ""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"] and self.served_url:
            context["widget"]["value"] = _ServedFile(str(value).rsplit("/", 1)[-1], self.served_url)
        return context
