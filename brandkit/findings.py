"""Findings as the content pages and API keep them: stored dicts with a stable key, grouped under the
checklist's eight questions, and the text cut into highlighted spans. Plain values, no ORM.

A finding's key is the same in every version where the same check flags the same words with the same
message, so a dismissal made on version 3 still holds on version 4.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from brandkit.governance.types import CHECK_QUESTIONS, CHECKLIST_QUESTIONS, Finding

STAFF_ONLY_CHECKS = frozenset({"bleed"})
TEXT_FIELDS = ("headline", "subject", "preheader", "body")


def finding_key(*, check: str, field: str, excerpt: str, message: str) -> str:
    raw = f"{check}|{field}|{' '.join(excerpt.lower().split())}|{message}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def finding_record(finding: Finding, texts: Mapping[str, str]) -> dict[str, Any]:
    """A finding as stored on a content version: its fields, the words it points at and its key."""
    text = texts.get(finding.field, "")
    excerpt = text[finding.start : finding.end][:300]
    question = finding.question or CHECK_QUESTIONS.get(finding.check, 0)
    return {
        "key": finding_key(
            check=finding.check, field=finding.field, excerpt=excerpt, message=finding.message
        ),
        "check": finding.check,
        "severity": finding.severity,
        "field": finding.field,
        "start": finding.start,
        "end": finding.end,
        "excerpt": excerpt,
        "message": finding.message,
        "suggestion": finding.suggestion,
        "question": question,
        "staff_only": finding.check in STAFF_ONLY_CHECKS,
    }


def open_findings(records: Iterable[Mapping[str, Any]], dismissed: set[str]) -> list[Mapping[str, Any]]:
    return [r for r in records if r["key"] not in dismissed]


def open_errors(records: Iterable[Mapping[str, Any]], dismissed: set[str]) -> list[Mapping[str, Any]]:
    """The open findings that stop a piece going to the client unless a coordinator overrides."""
    return [r for r in open_findings(records, dismissed) if r["severity"] == "error"]


def can_accept(record: Mapping[str, Any]) -> bool:
    """A suggestion can be applied with one click when it replaces the flagged words."""
    return bool(record.get("suggestion")) and record["end"] > record["start"]


def apply_suggestion(text: str, record: Mapping[str, Any]) -> str:
    """The text with the finding's words replaced by its suggestion; refuses a span that moved."""
    start, end = record["start"], record["end"]
    if text[start:end] != record["excerpt"]:
        raise ValueError("The text changed since this finding was made; check again first.")
    return text[:start] + record["suggestion"] + text[end:]


@dataclass(frozen=True)
class ChecklistItem:
    number: int
    question: str
    findings: list[Mapping[str, Any]]

    @property
    def passed(self) -> bool:
        return not self.findings


def checklist(
    records: Iterable[Mapping[str, Any]], *, dismissed: set[str], staff: bool
) -> list[ChecklistItem]:
    """The eight pre-review questions, each answered by its open findings (bleed only for staff)."""
    shown = [r for r in open_findings(records, dismissed) if staff or not r["staff_only"]]
    return [
        ChecklistItem(number, question, [r for r in shown if r["question"] == number])
        for number, question in enumerate(CHECKLIST_QUESTIONS, start=1)
    ]


@dataclass(frozen=True)
class Span:
    text: str
    keys: tuple[str, ...] = ()
    severity: str = ""


SEVERITY_RANK = {"error": 3, "warning": 2, "suggestion": 1}


def highlighted(text: str, records: Iterable[Mapping[str, Any]], *, field: str = "body") -> list[Span]:
    """The text cut at every finding boundary; each piece knows which findings cover it."""
    spans = [r for r in records if r["field"] == field and r["end"] > r["start"]]
    cuts = sorted(
        {
            0,
            len(text),
            *(min(r["start"], len(text)) for r in spans),
            *(min(r["end"], len(text)) for r in spans),
        }
    )
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [r for r in spans if r["start"] <= a and r["end"] >= b]
        severity = max((r["severity"] for r in covering), key=lambda s: SEVERITY_RANK.get(s, 0), default="")
        out.append(Span(text[a:b], tuple(r["key"] for r in covering), severity))
    return out
