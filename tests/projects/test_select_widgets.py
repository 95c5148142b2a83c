"""The selects that write their options in one pass render what Django's own select widgets render."""

from __future__ import annotations

import re

import pytest
from django import forms

from projects.forms import ManySelect, TaskPicker

CHOICES = [("", "All clients"), (1, "Acme & Sons"), (2, "<Bakery>"), (3, "Café “Nord”")]


def _tight(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("value", [None, "", "1", 2, "3", "99"])
def test_a_single_select_matches_djangos(value):
    ours = ManySelect(choices=CHOICES, attrs={"id": "id_client"}).render("client", value)
    django = forms.Select(choices=CHOICES, attrs={"id": "id_client"}).render("client", value)
    assert _tight(ours) == _tight(django)


def test_a_single_select_marks_only_the_first_of_equal_values_as_django_does():
    twice = [*CHOICES, (1, "Acme again")]
    ours = ManySelect(choices=twice).render("client", "1")
    assert _tight(ours) == _tight(forms.Select(choices=twice).render("client", "1"))
    assert ours.count(" selected") == 1


@pytest.mark.parametrize("value", [None, [], ["1"], ["1", "3"], [2, "99"]])
def test_the_task_picker_matches_djangos_multiple_select(value):
    tasks = CHOICES[1:]
    ours = TaskPicker(choices=tasks, attrs={"size": 6}).render("tasks", value)
    django = forms.SelectMultiple(choices=tasks, attrs={"size": 6}).render("tasks", value)
    assert _tight(ours) == _tight(django)
    assert ours.count(" selected") == len([v for v in value or [] if str(v) in {"1", "2", "3"}])
