"""A production server refuses to start without its collected static files, and names them cheaply.

With DEBUG off, pages name their CSS and scripts through the manifest that `collectstatic` writes; without
it every page would answer 500. Better to stop at start-up with a sentence that says what to run.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from whitenoise.storage import CompressedManifestStaticFilesStorage


def missing_manifest_message() -> str | None:
    """Why the server cannot serve pages, or None when the static files are collected (or not needed)."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return None
    if staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return None
    return (
        f"The static files are not collected: {staticfiles_storage.manifest_name} is missing from "
        f"STATIC_ROOT ({settings.STATIC_ROOT}). Run `python manage.py collectstatic --noinput` "
        "before starting the server (the Docker image does this when it is built)."
    )


def require_collected_static_files() -> None:
    """Raise at start-up when the manifest the pages need is missing."""
    message = missing_manifest_message()
    if message:
        raise ImproperlyConfigured(message)


class RememberedManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, with each file's URL worked out once per process: every page names
    its stylesheet and scripts, and the manifest a server reads at start-up does not change under it
    (a deploy collects the files and restarts the server)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str, force: bool = False) -> str:
        if force:
            return super().url(name, force=True)
        found = self._urls.get(name)
        if found is None:
            # A file missing from the manifest raises here, every time, as before.
            found = self._urls[name] = super().url(name)
        return found
