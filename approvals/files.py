"""Checking uploaded versions before anything is stored, and rendering PDF pages for pinning.

A file is judged by its bytes (agencyops.files), not by its name or the browser's content type. PDF pages
are rendered by a worker after the upload is stored, each within a pixel budget whatever its shape, so
a tall or huge page can neither stall a web process nor exhaust a worker.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from agencyops import files

MAX_PDF_PAGES = 40
# About 1200 px wide: sharp enough to pin on, small enough to load fast ...
PAGE_WIDTH_PX = 1200
# ... and never longer than this on either side, whatever the page's aspect ratio.
PAGE_MAX_SIDE_PX = 8000


@dataclass
class CheckedFile:
    kind: str  # "image" or "pdf"
    width: int | None = None
    height: int | None = None


def check_upload(upload) -> CheckedFile:
    """Refuse anything that is not a real PNG/JPEG/GIF/WebP image or PDF within the size and pixel limits."""
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    try:
        files.check_size(upload, limit=settings.APPROVAL_FILE_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    if files.sniff(files.read_head(upload)) == files.PDF:
        return _check_pdf(upload)
    return _check_image(upload)


def _check_image(upload) -> CheckedFile:
    try:
        info = files.inspect_image(upload)
    except ValidationError as error:
        if error.code == "invalid_type":
            raise ValidationError(
                {"file": f"Upload an image ({files.IMAGE_KINDS_LABEL}) or a PDF."}
            ) from None
        raise ValidationError({"file": error.messages}) from None
    return CheckedFile(kind="image", width=info.width, height=info.height)


def page_scale(width_pt: float, height_pt: float, *, max_pixels: int) -> float:
    """The render scale for a page: 1200 px wide, unless that would pass the pixel budget or the longest
    side, in which case the page is scaled down to fit them."""
    width_pt, height_pt = max(width_pt, 1.0), max(height_pt, 1.0)
    return min(
        PAGE_WIDTH_PX / width_pt,
        math.sqrt(max_pixels / (width_pt * height_pt)),
        PAGE_MAX_SIDE_PX / max(width_pt, height_pt),
    )


def render_pdf_pages(data: bytes, *, max_pixels: int | None = None) -> list[tuple[bytes, int, int]]:
    """Every page of a PDF as a PNG (bytes, width, height), each within ``max_pixels`` pixels."""
    import pypdfium2

    budget = max_pixels or settings.PDF_PAGE_MAX_PIXELS
    document = pypdfium2.PdfDocument(data)
    pages = []
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                scale = page_scale(page.get_width(), page.get_height(), max_pixels=budget)
                image = page.render(scale=scale).to_pil()
            finally:
                page.close()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", compress_level=6)
            pages.append((buffer.getvalue(), image.width, image.height))
    finally:
        document.close()
    return pages


# Images larger than this get a bounded preview for reviewers; the original stays a download.
PREVIEW_MAX_SIDE_PX = 2400


def needs_preview(width: int | None, height: int | None) -> bool:
    return bool(width and height and max(width, height) > PREVIEW_MAX_SIDE_PX)


def render_image_preview(data: bytes) -> tuple[bytes, int, int]:
    """A PNG at most PREVIEW_MAX_SIDE_PX on its longest side (the image was measured when uploaded)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (PREVIEW_MAX_SIDE_PX, PREVIEW_MAX_SIDE_PX))  # JPEG decodes at a smaller size
        image.thumbnail((PREVIEW_MAX_SIDE_PX, PREVIEW_MAX_SIDE_PX))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=6)
        return buffer.getvalue(), image.width, image.height


def _check_pdf(upload) -> CheckedFile:
    """Open the PDF and count its pages, rendering nothing: pages are rendered by a worker after the
    upload is stored (approvals.tasks.render_version_pages). The first page's size is what it will be."""
    import pypdfium2

    data = upload.read()
    upload.seek(0)
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise ValidationError({"file": "This PDF cannot be opened; export it again and retry."}) from None
    try:
        count = len(document)
        if count == 0:
            raise ValidationError({"file": "This PDF has no pages."})
        if count > MAX_PDF_PAGES:
            raise ValidationError(
                {"file": f"This PDF has {count} pages; split it into parts of {MAX_PDF_PAGES} or fewer."}
            )
        width_pt, height_pt = document[0].get_size()
    finally:
        document.close()
    scale = page_scale(width_pt, height_pt, max_pixels=settings.PDF_PAGE_MAX_PIXELS)
    return CheckedFile(
        kind="pdf", width=max(round(width_pt * scale), 1), height=max(round(height_pt * scale), 1)
    )
