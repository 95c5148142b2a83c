"""From bytes to a table of text cells: encodings, delimiters and .xlsx workbooks, with size limits.

Platforms export CSV as UTF-8 (Meta with a BOM), UTF-16 with tabs (Google Ads "Excel CSV"),
semicolon-separated where the decimal mark is a comma, or as .xlsx. Everything becomes
``list[list[str]]``; cells keep their text exactly (a cell starting with "=" stays text).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reporting.importers.base import UnrecognisedFile

XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 500_000
    # A .xlsx is a zip archive: refuse one that would unpack into far more than it weighs.
    max_archive_entries: int = 200
    max_uncompressed_bytes: int = 100 * 1024 * 1024
    max_compression_ratio: int = 100


@dataclass
class Table:
    cells: list[list[str]]
    delimiter: str  # "," ";" "\t", or "xlsx"
    encoding: str


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in; refuses bytes that are not text."""
    try:
        return _decode(data)
    except UnicodeDecodeError as exc:
        raise UnrecognisedFile("The file is neither text nor a valid .xlsx workbook.") from exc


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    # UTF-16 without a BOM: every other byte of ASCII text is zero.
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        return data.decode("utf-16-le"), "utf-16-le"
    if b"\x00" in data[:4096]:
        raise UnrecognisedFile("The file is neither text nor a valid .xlsx workbook.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _field_count_score(text: str, delimiter: str) -> int:
    """How many lines share the most common field count (above one field) under this delimiter."""
    counts: dict[int, int] = {}
    reader = csv.reader(io.StringIO(text[:200_000]), delimiter=delimiter)
    try:
        for i, row in enumerate(reader):
            if i > 400:
                break
            if len(row) > 1:
                counts[len(row)] = counts.get(len(row), 0) + 1
    except csv.Error:
        return 0
    return max(counts.values(), default=0)


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    scores = {d: _field_count_score(text, d) for d in ("\t", ";", ",")}
    delimiter = max(scores, key=lambda d: (scores[d], d == ","))
    try:
        cells = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise UnrecognisedFile(f"The file could not be read as CSV: {exc}.") from exc
    return Table(cells=[[c.strip() for c in row] for row in cells], delimiter=delimiter, encoding=encoding)


def _check_archive(data: bytes, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnrecognisedFile("The file is neither text nor a valid .xlsx workbook.") from exc
    if len(entries) > limits.max_archive_entries:
        raise UnrecognisedFile(
            f"The workbook has {len(entries)} parts; at most {limits.max_archive_entries} are accepted."
        )
    total = sum(e.file_size for e in entries)
    if total > limits.max_uncompressed_bytes:
        raise UnrecognisedFile(
            f"The workbook unpacks to {total // (1024 * 1024)} MB; at most "
            f"{limits.max_uncompressed_bytes // (1024 * 1024)} MB are accepted."
        )
    for e in entries:
        if e.compress_size and e.file_size / e.compress_size > limits.max_compression_ratio:
            raise UnrecognisedFile("The workbook is compressed suspiciously tightly; it was not opened.")
    if "xl/workbook.xml" not in {e.filename for e in entries}:
        raise UnrecognisedFile("The file is neither text nor a valid .xlsx workbook.")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # repr keeps every digit without float noise for numbers typed into a sheet
        return str(Decimal(repr(value)))
    return str(value).strip()


def read_xlsx(data: bytes, limits: Limits) -> Table:
    """The first sheet whose rows look like a table (the export's own sheet)."""
    _check_archive(data, limits)
    import openpyxl  # imported here: CSV imports never pay for it

    try:
        # data_only=False: a formula cell comes back as its text ("=SUM(…)") and is never evaluated.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise UnrecognisedFile("The file is neither text nor a valid .xlsx workbook.") from exc
    try:
        return _first_table(workbook, limits)
    except UnrecognisedFile:
        raise
    except Exception as exc:  # a damaged sheet can fail while it is read, not only when opened
        raise UnrecognisedFile("The file is neither text nor a valid .xlsx workbook.") from exc
    finally:
        workbook.close()


def _first_table(workbook: Any, limits: Limits) -> Table:
    """The sheet with the most multi-cell rows: the export's table, whatever the sheet is called."""
    best: list[list[str]] = []
    for sheet in workbook.worksheets:
        rows: list[list[str]] = []
        for i, row in enumerate(sheet.iter_rows(values_only=True)):
            if i >= limits.max_rows:
                raise UnrecognisedFile(f"The workbook has more than {limits.max_rows} rows.")
            rows.append([_cell_text(v) for v in row])
        # Trim the empty cells and rows openpyxl pads to the sheet's size.
        rows = [_trim(r) for r in rows]
        while rows and not rows[-1]:
            rows.pop()
        if sum(1 for r in rows if len(r) > 1) > sum(1 for r in best if len(r) > 1):
            best = rows
    return Table(cells=best, delimiter="xlsx", encoding="xlsx")


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1]:
        end -= 1
    return row[:end]


def read_table(data: bytes, *, limits: Limits) -> Table:
    """Refuse too-large or non-text bytes before parsing; then read CSV or .xlsx alike."""
    if len(data) > limits.max_bytes:
        raise UnrecognisedFile(
            f"The file is {len(data) // 1024} KB; at most {limits.max_bytes // 1024} KB are accepted."
        )
    if not data.strip():
        raise UnrecognisedFile("The file is empty.")
    if data.startswith(XLSX_MAGIC):
        return read_xlsx(data, limits)
    table = read_csv(data)
    if len(table.cells) > limits.max_rows:
        raise UnrecognisedFile(f"The file has more than {limits.max_rows} rows.")
    return table
