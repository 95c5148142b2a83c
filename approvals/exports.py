"""A client's decision log as CSV (for spreadsheets) and as PDF (WeasyPrint, from an HTML template).

The PDF goes through the platform's renderer (agencyops.pdf), whose URL fetcher refuses anything but
data: URLs and files under the app's own static folder, so no text in an entry can fetch a remote URL.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from agencyops.pdf import render_pdf
from approvals.models import DecisionLogEntry

CSV_HEADER = [
    "Entry",
    "Date",
    "Decision",
    "Approver",
    "Asset or campaign",
    "Project",
    "Timeline impact",
    "Budget impact",
    "Deliverables impact",
    "Source",
    "Source detail",
    "Source link",
    "Corrects",
    "Corrected by",
    "Recorded by",
]

# Spreadsheet apps run a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def source_link(entry: DecisionLogEntry, agency_slug: str) -> str:
    """The staff page an entry came from (the request, at its version or comment), or "" for none."""
    if entry.approval_request_id is None:
        return ""
    url = reverse(
        "approval_detail", kwargs={"agency_slug": agency_slug, "request_id": entry.approval_request_id}
    )
    if entry.comment_id and entry.comment is not None:
        return f"{url}?v={entry.comment.version.number}#comment-{entry.comment_id}"
    if entry.version_id and entry.version is not None:
        return f"{url}?v={entry.version.number}"
    return url


def decision_log_csv(entries: list[DecisionLogEntry], *, agency_slug: str) -> str:
    """One header row, then one row per entry (newest first, as the page lists them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for entry in entries:
        link = source_link(entry, agency_slug)
        writer.writerow(
            [
                _cell(value)
                for value in (
                    f"#{entry.number}",
                    entry.decided_on.isoformat(),
                    entry.decision,
                    entry.approver_name,
                    entry.asset,
                    entry.project.name if entry.project else "",
                    entry.impact_timeline,
                    entry.impact_budget,
                    entry.impact_deliverables,
                    entry.get_source_kind_display(),
                    entry.source_note,
                    f"{settings.SITE_URL}{link}" if link else "",
                    f"#{entry.corrects_number}" if getattr(entry, "corrects_number", None) else "",
                    " ".join(f"#{n}" for n in getattr(entry, "corrected_by_numbers", [])),
                    entry.recorded_by.user.full_name if entry.recorded_by else "Recorded automatically",
                )
            ]
        )
    return buffer.getvalue()


def decision_log_pdf(
    entries: list[DecisionLogEntry], *, agency: Any, client: Any, exported_at: datetime, exported_by: str
) -> bytes:
    """The log as a PDF: a clean table under the agency's and client's names and the export date."""
    return render_pdf(
        "approvals/decision_log_pdf.html",
        {
            "agency": agency,
            "client": client,
            "entries": entries,
            "exported_at": exported_at,
            "exported_by": exported_by,
        },
    )
