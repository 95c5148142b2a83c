"""Pictures of uploaded files, one place: PDF pages rendered within a pixel budget, bounded image previews
and small thumbnails (an image, or a PDF's first page) for lists.

Pure functions: bytes in, PNG bytes out, no ORM. Callers run them in a worker with a time limit (approvals
renders pages for pinning, the library thumbnails its files). Images are measured from their header first
(agencyops.files.inspect_image), so a decompression bomb is refused before any pixel is decoded.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from agencyops import files

# About 1200 px wide: sharp enough to pin on, small enough to load fast ...
PAGE_WIDTH_PX = 1200
# ... and never longer than this on either side, whatever the page's aspect ratio.
PAGE_MAX_SIDE_PX = 8000
# Images larger than this get a bounded preview for reviewers; the original stays a download.
PREVIEW_MAX_SIDE_PX = 2400
# Thumbnails in lists: small, whatever the file.
THUMBNAIL_MAX_SIDE_PX = 480


def page_scale(width_pt: float, height_pt: float, *, max_pixels: int) -> float:
    """The render scale for a page: 1200 px wide, unless that would pass the pixel budget or the longest
    side, in which case the page is scaled down to fit them."""
    width_pt, height_pt = max(width_pt, 1.0), max(height_pt, 1.0)
    return min(
        PAGE_WIDTH_PX / width_pt,
        math.sqrt(max_pixels / (width_pt * height_pt)),
        PAGE_MAX_SIDE_PX / max(width_pt, height_pt),
    )


def render_pdf_pages(
    data: bytes, *, max_pixels: int | None = None, max_pages: int | None = None
) -> list[tuple[bytes, int, int]]:
    """The pages of a PDF (all, or the first ``max_pages``) as PNGs (bytes, width, height), each within
    ``max_pixels`` pixels."""
    import pypdfium2

    budget = max_pixels or settings.PDF_PAGE_MAX_PIXELS
    document = pypdfium2.PdfDocument(data)
    pages = []
    try:
        count = len(document) if max_pages is None else min(len(document), max_pages)
        for index in range(count):
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


def render_image_preview(data: bytes, *, max_side: int = PREVIEW_MAX_SIDE_PX) -> tuple[bytes, int, int]:
    """A PNG at most ``max_side`` px on its longest side (the caller measured the image first)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (max_side, max_side))  # JPEG decodes at a smaller size
        image.thumbnail((max_side, max_side))
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=6)
        return buffer.getvalue(), image.width, image.height


class NoPreview(Exception):
    """No picture can be made of this file; the message says why, for a person. The file stays usable."""


@dataclass(frozen=True)
class Thumbnail:
    png: bytes
    width: int
    height: int


def render_thumbnail(data: bytes, *, max_side: int = THUMBNAIL_MAX_SIDE_PX) -> Thumbnail:
    """A small PNG of an image (measured first: a decompression bomb is refused with its size) or of a
    PDF's first page (rendered within the page pixel budget). Raises NoPreview with the reason."""
    kind = files.sniff(data[: files.HEAD_BYTES])
    if kind == files.PDF:
        import pypdfium2

        try:
            pages = render_pdf_pages(data, max_pages=1)
        except pypdfium2.PdfiumError:
            raise NoPreview("the PDF cannot be opened (damaged or password-protected)") from None
        if not pages:
            raise NoPreview("the PDF has no pages")
        data = pages[0][0]
    elif kind in files.IMAGE_CONTENT_TYPES:
        try:
            files.inspect_image(io.BytesIO(data))
        except ValidationError as refusal:
            raise NoPreview(" ".join(refusal.messages)) from None
    else:
        raise NoPreview("only images and PDFs get a preview")
    try:
        png, width, height = render_image_preview(data, max_side=max_side)
    except (OSError, ValueError, SyntaxError, EOFError):
        raise NoPreview("the image cannot be decoded") from None
    return Thumbnail(png=png, width=width, height=height)
