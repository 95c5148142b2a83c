"""Checking uploaded versions before anything is stored, and rendering PDF pages for pinning.

A file is judged by its bytes (agencyops.files), not by its name or the browser's content type. PDF pages
are rendered by a worker after the upload is stored, each within a pixel budget whatever its shape, so
a tall or huge page can neither stall a web process nor exhaust a worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from agencyops import files

# The renderers are the platform's (the library thumbnails its files with them too); approvals calls them
# from here, by these names.
from agencyops.previews import (  # noqa: F401
    PAGE_MAX_SIDE_PX,
    PAGE_WIDTH_PX,
    PREVIEW_MAX_SIDE_PX,
    page_scale,
    render_image_preview,
    render_pdf_pages,
)

MAX_PDF_PAGES = 40


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


def needs_preview(width: int | None, height: int | None) -> bool:
    return bool(width and height and max(width, height) > PREVIEW_MAX_SIDE_PX)


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
