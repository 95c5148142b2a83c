"""Uploaded files, one place: what a file is (judged by its bytes, never its name or the browser's word),
which kinds are allowed, the size and pixel limits, and how a stored file is streamed back.

Images are measured from their header before any pixel is decoded, so a decompression bomb (a small PNG
that decodes to gigabytes) is refused with its size instead of exhausting a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404

PDF = "PDF"
IMAGE_CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
CONTENT_TYPES = {**IMAGE_CONTENT_TYPES, PDF: "application/pdf"}
IMAGE_KINDS_LABEL = "PNG, JPEG, GIF or WebP"

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF-", PDF),
)
HEAD_BYTES = 16


def sniff(head: bytes) -> str | None:
    """The kind a file's first bytes announce ("PNG", "JPEG", "GIF", "WEBP", "PDF"), or None."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def read_head(file: IO[bytes]) -> bytes:
    """The first bytes of an open file, leaving its position at the start."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def content_type_of(head: bytes) -> str:
    """The content type to serve a stored file with: from its bytes, octet-stream when unknown."""
    kind = sniff(head)
    return CONTENT_TYPES[kind] if kind else "application/octet-stream"


def megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def check_size(file: Any, *, limit: int, what: str = "The file") -> None:
    """Refuse a file over ``limit`` bytes, saying both sizes."""
    if file.size > limit:
        raise ValidationError(
            f"{what} is {megabytes(file.size)}; the limit is {limit / 1_048_576:.0f} MB.", code="too_large"
        )


@dataclass(frozen=True)
class ImageInfo:
    kind: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def _image_class(kind: str) -> Any:
    # The format's own reader, without Image.open's bomb check: we measure and refuse in our words.
    from PIL import GifImagePlugin, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

    return {
        "PNG": PngImagePlugin.PngImageFile,
        "JPEG": JpegImagePlugin.JpegImageFile,
        "GIF": GifImagePlugin.GifImageFile,
        "WEBP": WebPImagePlugin.WebPImageFile,
    }[kind]


def pixel_limit_message(width: int, height: int, limit: int) -> str | None:
    """Why an image of this size is refused, or None when it is within ``limit`` pixels."""
    if width * height <= limit:
        return None
    return (
        f"The image is {_megapixels(width * height)} megapixels ({width:,} × {height:,}); "
        f"the limit is {_megapixels(limit)} megapixels."
    )


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:,.0f}" if pixels >= 10_000_000 else f"{pixels / 1_000_000:.1f}"


def inspect_image(file: IO[bytes], *, max_pixels: int | None = None) -> ImageInfo:
    """Measure a PNG, JPEG, GIF or WebP image from its header and check its structure, decoding no pixels.

    Refuses (ValidationError, code "invalid_type" or "too_many_pixels") anything else, a broken image, and
    one of more than ``max_pixels`` (the UPLOAD_MAX_PIXELS setting by default).
    """
    from PIL import UnidentifiedImageError

    limit = max_pixels or settings.UPLOAD_MAX_PIXELS
    kind = sniff(read_head(file))
    refusal = ValidationError(f"Upload a {IMAGE_KINDS_LABEL} image.", code="invalid_type")
    if kind not in IMAGE_CONTENT_TYPES:
        raise refusal
    try:
        image = _image_class(kind)(file)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        file.seek(0)
        raise refusal from None
    # As a context manager the reader leaves the caller's file open (close() would close it).
    with image:
        try:
            width, height = image.size
            if message := pixel_limit_message(width, height, limit):
                raise ValidationError(message, code="too_many_pixels")
            try:
                image.verify()
            except (OSError, ValueError, SyntaxError, EOFError):
                raise refusal from None
        finally:
            file.seek(0)
    return ImageInfo(kind=kind, width=width, height=height)


def stream(
    field: Any, *, filename: str, as_attachment: bool = False, max_age: int = 3600
) -> FileResponse:
    """Stream a stored file (a FieldFile) with the content type its bytes announce, never sniffed by the
    browser and never kept by a shared cache; a missing file is a 404."""
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle, content_type=content_type_of(read_head(handle)), as_attachment=as_attachment, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response
