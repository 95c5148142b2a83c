"""Files for the library tests, generated here in each format's real layout (no binary fixtures)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile


def _zip(entries: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return buffer.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def docx(paragraphs: list[str]) -> bytes:
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(text[: len(text) // 2])}</w:t></w:r>'
        f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{escape(text[len(text) // 2 :])}</w:t></w:r></w:p>'
        for text in paragraphs
    )
    return _zip(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>',
            "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>',
        }
    )


def pptx(slides: list[list[str]]) -> bytes:
    entries: dict[str, str | bytes] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "ppt/presentation.xml": f'<?xml version="1.0"?><p:presentation xmlns:p="{P}"/>',
    }
    for number, lines in enumerate(slides, start=1):
        paragraphs = "".join(f"<a:p><a:r><a:t>{escape(line)}</a:t></a:r></a:p>" for line in lines)
        entries[f"ppt/slides/slide{number}.xml"] = (
            f'<?xml version="1.0"?><p:sld xmlns:p="{P}" xmlns:a="{A}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"{paragraphs}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
    return _zip(entries)


def xlsx(rows: list[list[str | int]]) -> bytes:
    strings: list[str] = []
    cells_xml = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for value in row:
            if isinstance(value, int):
                cells.append(f"<c><v>{value}</v></c>")
            else:
                strings.append(value)
                cells.append(f'<c t="s"><v>{len(strings) - 1}</v></c>')
        cells_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return _zip(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{S}"/>',
            "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst xmlns="{S}">{shared}</sst>',
            "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet xmlns="{S}"><sheetData>{"".join(cells_xml)}</sheetData></worksheet>',
        }
    )


def pdf(pages: list[str]) -> bytes:
    """A real PDF with selectable text, one page per string, laid out by WeasyPrint."""
    from weasyprint import HTML

    body = "".join(
        f'<section style="page-break-after: always"><p>{escape(text)}</p></section>' for text in pages
    )
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def zip_bomb(megabytes: int = 60) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w") as entry:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                entry.write(chunk)
    return buffer.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


SVG_WITH_SCRIPT = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><text>Logo</text></svg>'


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def guidelines_pages() -> list[str]:
    """Twenty pages of brand guidelines; page 14 carries the sentence people search for."""
    pages = [
        f"Page {n}: spacing, colour and type rules for every placement of the mark." for n in range(1, 21)
    ]
    pages[13] = (
        "Page 14: Invisalign treatments are always shown with the clear aligner case beside the smile."
    )
    return pages
