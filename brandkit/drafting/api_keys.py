"""An agency's model-provider API key, encrypted at rest with Fernet keyed from SECRET_KEY.

The clear key exists only in memory on its way to the provider; it is never shown back or logged.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"agencyops drafting api key|" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def api_key_encrypt(clear: str) -> str:
    """The key as stored: an opaque Fernet token (empty stays empty)."""
    return _fernet().encrypt(clear.encode()).decode() if clear else ""


def api_key_decrypt(stored: str) -> str:
    """The clear key for one call, or "" when none is stored or SECRET_KEY changed since it was saved."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        return ""
