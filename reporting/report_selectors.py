"""Reads behind weekly reports: which feeds a client's week waits for, the sections' content, issue lists."""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes

from django.db.models import Max, Q, QuerySet

from agencyops.models import Agency, Client
from reporting import dashboards
from reporting.models import (
    DailyFact,
    InsightDraft,
    InsightState,
    Platform,
    ReportDefinition,
    ReportIssue,
    ReportSection,
)

# A feed "usually reports" for a client when it had data in these many days before the week.
LOOKBACK_DAYS = 28


def expected_feeds(agency: Agency, client: Client, start: dt.date, end: dt.date) -> dict[str, dt.date | None]:
    """Each platform that fed the client in the four weeks before the week, with its last day of data (one query)."""
    rows = (
        DailyFact.objects.filter(
            agency=agency, client=client, date__range=(start - dt.timedelta(days=LOOKBACK_DAYS), end)
        )
        .values("platform")
        .annotate(last=Max("date"), before=Max("date", filter=Q(date__lt=start)))
        .order_by()
    )
    labels = dict(Platform.choices)
    return {labels.get(r["platform"], r["platform"]): r["last"] for r in rows if r["before"] is not None}


def approved_insight(agency: Agency, client: Client, start: dt.date, end: dt.date) -> InsightDraft | None:
    """The latest approved insight whose period overlaps the week."""
    return (
        InsightDraft.objects.filter(
            agency=agency,
            client=client,
            state=InsightState.APPROVED,
            period_start__lte=end,
            period_end__gte=start,
        )
        .order_by("-approved_at", "-pk")
        .first()
    )


def data_uri(field) -> str:
    """A stored logo as an inline data: URL, so the PDF needs no file or network access to show it."""
    if not field:
        return ""
    try:
        with field.open("rb") as handle:
            content = handle.read(2_000_000)
    except (OSError, ValueError):
        return ""
    mime = mimetypes.guess_type(field.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def report_sections(issue: ReportIssue, *, as_of: dt.date, next_report: dt.datetime | None) -> list[dict]:
    """The sections of an issue in the definition's order: the approved insight text and dashboard tables.

    The retainer section is the client's version: deliverables and change requests, never hours or rates.
    """
    agency, client, definition = issue.agency, issue.client, issue.definition
    sections = []
    for key in definition.sections:
        title = ReportSection(key).label
        if key == ReportSection.INSIGHT:
            found = approved_insight(agency, client, issue.period_start, issue.period_end)
            sections.append(
                {
                    "key": key,
                    "title": title,
                    "text": found.text if found else "",
                    "note": "" if found else "The commentary for this week is not approved yet.",
                    "tables": [],
                }
            )
            continue
        board = dashboards.build(
            key,
            agency,
            client,
            start=issue.period_start,
            end=issue.period_end,
            compare="previous",
            as_of=as_of,
            next_report=next_report,
            portal=key != "content",
        )
        sections.append({"key": key, "title": title, "text": "", "note": "", "tables": board.tables})
    return sections


def definitions_for_list(agency: Agency) -> QuerySet[ReportDefinition]:
    return (
        ReportDefinition.objects.filter(agency=agency)
        .select_related("client", "coordinator__user")
        .prefetch_related("contacts", "internal_recipients__user")
        .order_by("client__name", "name")
    )


def issues_for_list(agency: Agency, *, client: Client | None = None, sent_only: bool = False):
    qs = ReportIssue.objects.filter(agency=agency).select_related("definition", "client")
    if client is not None:
        qs = qs.filter(client=client)
    if sent_only:
        qs = qs.filter(state="sent")
    return qs.order_by("-period_start", "-pk")
