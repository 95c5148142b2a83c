"""Field validators shared by models, forms and the API."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from agencyops import files
from agencyops.brand_colour import brand_colour_problem, normalise_hex_colour

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


def validate_agency_slug(value: str) -> None:
    """Agency slugs share the URL root with the app's own paths, so those words are taken."""
    if value.lower() in RESERVED_AGENCY_SLUGS:
        raise ValidationError(f"“{value}” is reserved; choose another web address.", code="reserved")


def validate_brand_colour(value: str) -> None:
    """A stored brand colour is a normalised ``#rrggbb`` that white text is readable on."""
    if not value:
        return
    problem = brand_colour_problem(value)
    if problem is None and normalise_hex_colour(value) != value:
        problem = "Write the colour as six hex digits, e.g. #1f4e79."
    if problem is not None:
        raise ValidationError(problem, code="brand_colour")


def validate_logo(file: UploadedFile) -> None:
    """A logo must really be a PNG, JPEG, GIF or WebP image within the size and pixel limits."""
    if file is None or not getattr(file, "size", None):
        return
    files.check_size(file, limit=settings.LOGO_MAX_BYTES, what="The logo")
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        files.inspect_image(file)
    except ValidationError as error:
        if error.code == "invalid_type":
            raise ValidationError(
                f"The logo must be a {files.IMAGE_KINDS_LABEL} image.", code="invalid_type"
            ) from None
        raise
    finally:
        file.seek(position)
