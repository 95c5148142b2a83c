"""Checking uploaded versions before anything is stored, and rendering PDF pages for pinning.

A file is judged by its bytes, not by its name or the browser's content type.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError

IMAGE_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
MAX_PDF_PAGES = 40


@dataclass
class CheckedFile:
    kind: str  # "image" or "pdf"
    width: int | None = None
    height: int | None = None
    pages: list[tuple[bytes, int, int]] = field(
        default_factory=list
    )  # rendered PDF pages: PNG, width, height


def check_upload(upload) -> CheckedFile:
    """Refuse anything that is not a real PNG/JPEG/GIF/WebP image or PDF within the size limit."""
    limit = settings.APPROVAL_FILE_MAX_BYTES
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    if upload.size > limit:
        raise ValidationError(
            {
                "file": f"The file is {upload.size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB."
            }
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return _check_pdf(upload)
    return _check_image(upload)


def _check_image(upload) -> CheckedFile:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            image_format, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError({"file": "Upload an image (PNG, JPEG, GIF or WebP) or a PDF."}) from None
    finally:
        upload.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError({"file": "Upload an image (PNG, JPEG, GIF or WebP) or a PDF."})
    return CheckedFile(kind="image", width=width, height=height)


def _check_pdf(upload) -> CheckedFile:
    import pypdfium2

    data = upload.read()
    upload.seek(0)
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise ValidationError({"file": "This PDF cannot be opened; export it again and retry."}) from None
    try:
        if len(document) == 0:
            raise ValidationError({"file": "This PDF has no pages."})
        if len(document) > MAX_PDF_PAGES:
            raise ValidationError(
                {
                    "file": f"This PDF has {len(document)} pages; split it into parts of {MAX_PDF_PAGES} or fewer."
                }
            )
        pages = []
        for index in range(len(document)):
            page = document[index]
            # About 1200 px wide: sharp enough to pin on, small enough to load fast.
            scale = 1200 / max(page.get_width(), 1)
            image = page.render(scale=scale).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            pages.append((buffer.getvalue(), image.width, image.height))
            page.close()
    finally:
        document.close()
    first = pages[0]
    return CheckedFile(kind="pdf", width=first[1], height=first[2], pages=pages)
