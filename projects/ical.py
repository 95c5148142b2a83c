"""A member's deadlines as an iCalendar (RFC 5545) document of all-day events.

Pure module: plain values in, text out, no Django. Lines end in CRLF and are folded at 75 octets
(never inside a UTF-8 character); TEXT values escape backslashes, semicolons, commas and newlines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

__all__ = ["CalendarEvent", "build_calendar", "escape_text", "fold_line"]

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//AgencyOps//Deadlines//EN"


@dataclass(frozen=True)
class CalendarEvent:
    """One all-day event: a task due on ``day``."""

    uid: str
    summary: str
    day: date
    url: str = ""
    description: str = ""


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): backslash first, then ; , and newlines as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold one content line so no physical line exceeds 75 octets (RFC 5545 §3.1).

    Continuation lines start with one space, which counts towards their 75 octets; a multi-byte
    character is never split across lines.
    """
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def build_calendar(events: Iterable[CalendarEvent], *, name: str, stamp: datetime) -> str:
    """The whole .ics document: one VEVENT per event, DTEND the day after (all-day events end exclusive)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    dtstamp = _stamp(stamp)
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            # URL is a URI value, not TEXT: it is not escaped.
            lines.append(f"URL:{event.url}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines)
