"""What a library file is, judged by its bytes, and the text inside it for search.

Pure module: bytes in, plain values out, no Django and no ORM. Office files and zips are archives, so
every archive is measured (entry count, total uncompressed size, compression ratio) before any entry is
read; XML inside them is parsed with defusedxml (no entity expansion). Extraction stops at a character
budget and a time budget so one hostile file cannot hold a worker.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree

# Kinds of file, by content.
PDF = "pdf"
IMAGE = "image"
SVG = "svg"
DOCX = "docx"
PPTX = "pptx"
XLSX = "xlsx"
ZIP = "zip"
FONT = "font"
TEXT = "text"
HTML = "html"
OTHER = "other"

KIND_LABELS = {
    PDF: "PDF",
    IMAGE: "Image",
    SVG: "SVG image",
    DOCX: "Word document",
    PPTX: "PowerPoint deck",
    XLSX: "Excel workbook",
    ZIP: "Zip archive",
    FONT: "Font",
    TEXT: "Text",
    HTML: "HTML page",
    OTHER: "File",
}
# Never shown inline in a browser: they can carry script.
ACTIVE_KINDS = frozenset({SVG, HTML})
CONTENT_TYPES = {
    PDF: "application/pdf",
    SVG: "image/svg+xml",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ZIP: "application/zip",
    FONT: "font/sfnt",
    TEXT: "text/plain; charset=utf-8",
    HTML: "text/html; charset=utf-8",
    OTHER: "application/octet-stream",
}
IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


@dataclass(frozen=True)
class Limits:
    """How much of a file extraction may read."""

    max_entries: int = 2_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_ratio: float = 100.0
    max_chars: int = 400_000
    max_pdf_pages: int = 500
    seconds: float = 20.0


class NotSearchable(Exception):
    """The file stays usable, but its text cannot be read: the message says why, for a person."""


@dataclass(frozen=True)
class Extracted:
    text: str
    pages: int = 0


def sniff(head: bytes, name: str = "") -> str:
    """The kind of a file from its first bytes (at least 4 KiB of them), the name only to tell text apart."""
    lower = name.lower()
    if head.startswith(b"%PDF-"):
        return PDF
    for magic in IMAGE_TYPES:
        if head.startswith(magic):
            return IMAGE
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGE
    if head[:4] in (b"OTTO", b"\x00\x01\x00\x00", b"true", b"wOFF", b"wOF2", b"ttcf"):
        return FONT
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        names = _zip_names(head)
        if any(n.startswith("word/") for n in names) or lower.endswith(".docx"):
            return DOCX
        if any(n.startswith("ppt/") for n in names) or lower.endswith(".pptx"):
            return PPTX
        if any(n.startswith("xl/") for n in names) or lower.endswith(".xlsx"):
            return XLSX
        return ZIP
    if b"\x00" in head[:4096]:
        return OTHER
    try:
        sample = head[:4096].decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is still text.
        try:
            sample = head[:4090].decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            return OTHER
    stripped = sample.lstrip("\ufeff \t\r\n").lower()
    if stripped.startswith("<svg") or (stripped.startswith("<?xml") and "<svg" in stripped):
        return SVG
    if stripped.startswith(("<!doctype html", "<html")) or "<script" in stripped:
        return HTML
    return TEXT


def office_kind(data: bytes) -> str:
    """DOCX, PPTX, XLSX or plain ZIP from an archive's central directory (read without unpacking)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return ZIP
    for prefix, kind in (("word/", DOCX), ("ppt/", PPTX), ("xl/", XLSX)):
        if any(n.startswith(prefix) for n in names):
            return kind
    return ZIP


def _zip_names(head: bytes) -> list[str]:
    """Entry names from the local headers in the first bytes (enough to tell Office files apart)."""
    return [name.decode("utf-8", "replace") for name in _local_names(head)]


def _local_names(head: bytes) -> list[bytes]:
    names = []
    offset = head.find(b"PK\x03\x04")
    while 0 <= offset < len(head) - 30:
        name_length = int.from_bytes(head[offset + 26 : offset + 28], "little")
        names.append(head[offset + 30 : offset + 30 + name_length])
        offset = head.find(b"PK\x03\x04", offset + 30 + name_length)
    return names


def content_type(kind: str, head: bytes = b"") -> str:
    """The Content-Type a download is served with."""
    if kind == IMAGE:
        for magic, value in IMAGE_TYPES.items():
            if head.startswith(magic):
                return value
        return "image/webp"
    return CONTENT_TYPES.get(kind, CONTENT_TYPES[OTHER])


def extract_text(data: bytes, kind: str, *, limits: Limits | None = None) -> Extracted:
    """The searchable text of a file; raises NotSearchable with a reason when it cannot be read."""
    limits = limits or Limits()
    deadline = time.monotonic() + limits.seconds
    if kind == PDF:
        return _pdf_text(data, limits, deadline)
    if kind in (DOCX, PPTX, XLSX):
        with _checked_archive(data, limits) as archive:
            reader = {DOCX: _docx_text, PPTX: _pptx_text, XLSX: _xlsx_text}[kind]
            return Extracted(text=_capped(reader(archive, deadline), limits))
    if kind == ZIP:
        with _checked_archive(data, limits) as archive:
            names = "\n".join(info.filename for info in archive.infolist())
            return Extracted(text=_capped(names, limits))
    if kind in (TEXT, HTML, SVG):
        text = data.decode("utf-8", errors="replace")
        if kind in (HTML, SVG):
            text = re.sub(r"<[^>]{0,2000}>", " ", text)
        return Extracted(text=_capped(text, limits))
    raise NotSearchable(f"{KIND_LABELS.get(kind, 'this kind of file')} files have no text to search.")


def _capped(text: str, limits: Limits) -> str:
    text = re.sub(r"[ \t\r\f\v]+", " ", text.replace("\x00", ""))
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    return text[: limits.max_chars]


def _pdf_text(data: bytes, limits: Limits, deadline: float) -> Extracted:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        message = str(error).lower()
        if "password" in message:
            raise NotSearchable("the PDF is protected with a password") from None
        raise NotSearchable("the PDF cannot be opened") from None
    try:
        pages = len(document)
        parts: list[str] = []
        length = 0
        for index in range(min(pages, limits.max_pdf_pages)):
            if time.monotonic() > deadline:
                raise NotSearchable(f"reading the PDF took too long (stopped at page {index + 1})")
            page = document[index]
            textpage = page.get_textpage()
            try:
                chunk = textpage.get_text_bounded()
            finally:
                textpage.close()
                page.close()
            parts.append(chunk)
            length += len(chunk)
            if length >= limits.max_chars:
                break
        return Extracted(text=_capped("\n\n".join(parts), limits), pages=pages)
    finally:
        document.close()


class _checked_archive:
    """Open a zip only after its directory says it is safe to read."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError):
            raise NotSearchable("the file is damaged (not a readable archive)") from None
        entries = self.archive.infolist()
        if len(entries) > limits.max_entries:
            raise NotSearchable(
                f"the archive has {len(entries):,} entries; the limit is {limits.max_entries:,}"
            )
        total = sum(info.file_size for info in entries)
        if total > limits.max_uncompressed_bytes:
            raise NotSearchable(
                f"the archive unpacks to {total / 1_048_576:,.0f} MB; the limit is "
                f"{limits.max_uncompressed_bytes / 1_048_576:,.0f} MB"
            )
        compressed = sum(info.compress_size for info in entries) or 1
        if total / compressed > limits.max_ratio:
            raise NotSearchable(
                f"the archive is compressed {total / compressed:,.0f} to 1, beyond the limit of "
                f"{limits.max_ratio:,.0f} to 1 (a zip bomb?)"
            )
        if any(info.flag_bits & 0x1 for info in entries):
            raise NotSearchable("the file is encrypted")

    def __enter__(self) -> zipfile.ZipFile:
        return self.archive

    def __exit__(self, *exc: object) -> None:
        self.archive.close()


def _xml(archive: zipfile.ZipFile, name: str):
    try:
        return ElementTree.fromstring(archive.read(name))
    except KeyError:
        raise NotSearchable(f"the document is incomplete ({name} is missing)") from None
    except Exception:  # defusedxml's refusals and ParseError alike: the document is not readable XML
        raise NotSearchable(f"the document is damaged ({name} cannot be read)") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_time(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise NotSearchable("reading the document took too long")


def _docx_text(archive: zipfile.ZipFile, deadline: float) -> str:
    paragraphs: list[str] = []
    for element in _xml(archive, "word/document.xml").iter():
        if _local(element.tag) == "p":
            _check_time(deadline)
            words = "".join(t.text or "" for t in element.iter() if _local(t.tag) == "t")
            if words.strip():
                paragraphs.append(words)
    return "\n".join(paragraphs)


def _slide_number(name: str) -> int:
    digits = re.findall(r"\d+", name)
    return int(digits[-1]) if digits else 0


def _pptx_text(archive: zipfile.ZipFile, deadline: float) -> str:
    slides = sorted(
        (n for n in archive.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)), key=_slide_number
    )
    parts: list[str] = []
    for name in slides:
        _check_time(deadline)
        root = _xml(archive, name)
        lines = []
        for paragraph in root.iter():
            if _local(paragraph.tag) == "p":
                words = "".join(t.text or "" for t in paragraph.iter() if _local(t.tag) == "t")
                if words.strip():
                    lines.append(words)
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _xlsx_text(archive: zipfile.ZipFile, deadline: float) -> str:
    shared: list[str] = []
    if "xl/sharedStrings.xml" in archive.namelist():
        for item in _xml(archive, "xl/sharedStrings.xml"):
            shared.append("".join(t.text or "" for t in item.iter() if _local(t.tag) == "t"))
    sheets = sorted(
        (n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)), key=_slide_number
    )
    rows: list[str] = []
    for name in sheets:
        _check_time(deadline)
        for row in _xml(archive, name).iter():
            if _local(row.tag) != "row":
                continue
            cells = []
            for cell in row:
                if _local(cell.tag) != "c":
                    continue
                kind = cell.get("t", "")
                value = next((v.text or "" for v in cell.iter() if _local(v.tag) == "v"), "")
                if kind == "s" and value.isdigit() and int(value) < len(shared):
                    cells.append(shared[int(value)])
                elif kind == "inlineStr":
                    cells.append("".join(t.text or "" for t in cell.iter() if _local(t.tag) == "t"))
                elif value:
                    cells.append(value)
            if cells:
                rows.append(" ".join(cells))
    return "\n".join(rows)
