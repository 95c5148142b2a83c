"""Field validators shared by models, forms and the API."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

RESERVED_AGENCY_SLUGS = frozenset(
    {
        "about",
        "accounts",
        "admin",
        "api",
        "app",
        "assets",
        "auth",
        "calendar",
        "healthz",
        "help",
        "invitations",
        "login",
        "logout",
        "media",
        "new",
        "portal",
        "settings",
        "signup",
        "static",
        "status",
        "support",
        "www",
        # The inbox's webhooks: /inbound/email/ and /hooks/chat/<token>/.
        "hooks",
        "inbound",
    }
)

LOGO_CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


def validate_agency_slug(value: str) -> None:
    """Agency slugs share the URL root with the app's own paths, so those words are taken."""
    if value.lower() in RESERVED_AGENCY_SLUGS:
        raise ValidationError(f"“{value}” is reserved; choose another web address.", code="reserved")


def validate_logo(file: UploadedFile) -> None:
    """A logo must really be a PNG, JPEG, GIF or WebP image within the size limit."""
    from PIL import Image, UnidentifiedImageError

    if file is None or not getattr(file, "size", None):
        return
    limit = settings.LOGO_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            f"The logo is {file.size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB.",
            code="too_large",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(
            "The logo must be a PNG, JPEG, GIF or WebP image.", code="invalid_type"
        ) from None
    finally:
        file.seek(position)
    if image_format not in LOGO_CONTENT_TYPES:
        raise ValidationError("The logo must be a PNG, JPEG, GIF or WebP image.", code="invalid_type")
