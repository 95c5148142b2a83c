"""Production settings pass Django's deployment checklist, and refuse to start without a secret key."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test.utils import override_settings

from agencyops.static_manifest import RememberedManifestStaticFilesStorage

ROOT = Path(__file__).resolve().parents[2]


# Test-run switches that a production server never has (the browser tests set the async one).
NOT_IN_PRODUCTION = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "TEST_DATABASE_NAME")


def production_environment(**overrides: str) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if name not in NOT_IN_PRODUCTION}
    environment.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        # Never connected to by `check`; set so that settings take the production path.
        DATABASE_URL="postgres://agencyops:secret@db.internal:5432/agencyops",
        REDIS_URL="redis://cache.internal:6379/0",
        ALLOWED_HOSTS="example.com",
        SITE_URL="https://example.com",
    )
    environment.update(overrides)
    return environment


def manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deployment_checklist_without_a_single_warning():
    checked = manage("check", "--deploy", "--fail-level", "WARNING", environment=production_environment())

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_production_refuses_to_start_without_a_secret_key():
    refused = manage("check", environment=production_environment(SECRET_KEY=""))

    assert refused.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in refused.stderr


def start_wsgi(environment: dict[str, str]) -> subprocess.CompletedProcess:
    """Load the WSGI application as gunicorn does when a worker boots."""
    command = [sys.executable, "-c", "import agencyops.wsgi"]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_a_production_server_without_collected_static_files_stops_at_start_up_saying_what_to_run(tmp_path):
    environment = production_environment(STATIC_ROOT=str(tmp_path / "empty"))

    started = start_wsgi(environment)

    assert started.returncode != 0
    assert "static files are not collected" in started.stderr
    assert "collectstatic --noinput" in started.stderr


def test_a_production_server_starts_once_the_static_files_manifest_is_there(tmp_path):
    environment = production_environment(STATIC_ROOT=str(tmp_path / "static"))
    # The manifest as collectstatic writes it, through the same storage (a full collectstatic compresses
    # every file and is the Docker build's job, not this test's).
    written = manage(
        "shell",
        "-c",
        "from django.contrib.staticfiles.storage import staticfiles_storage as s; s.save_manifest()",
        environment=environment,
    )
    assert written.returncode == 0, written.stderr

    started = start_wsgi(environment)

    assert started.returncode == 0, started.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_a_production_server_names_each_static_file_by_its_manifest_once_and_still_refuses_unknown_ones(
    tmp_path,
):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {"css/app.css": "css/app.0123abcd.css"}, "version": "1.1", "hash": "h"})
    )
    with override_settings(DEBUG=False):
        storage = RememberedManifestStaticFilesStorage(location=str(tmp_path), base_url="/static/")
        assert storage.url("css/app.css") == "/static/css/app.0123abcd.css"
        # Remembered: a later change to the manifest on disk is not read by a running server.
        storage.hashed_files["css/app.css"] = "css/app.ffffffff.css"
        assert storage.url("css/app.css") == "/static/css/app.0123abcd.css"
        for _ in range(2):
            with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
                storage.url("css/missing.css")
