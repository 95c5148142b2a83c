"""The models and their migrations tell one story: a model change without its migration fails here, not on
a deployment that then lacks a column or an index."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as missing:
        pytest.fail(f"Models changed without a migration (exit {missing.code}):\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
