"""Runs every governance check over one draft and returns the findings in text order."""

from __future__ import annotations

from datetime import date

from brandkit.governance.types import BrandRules, ContentInput, Finding


def check_content(content: ContentInput, rules: BrandRules, *, today: date) -> list[Finding]:
    """Check one draft against a brand layer; `today` decides which claims and offers have expired."""
    return []
