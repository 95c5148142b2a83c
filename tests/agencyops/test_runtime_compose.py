"""docker-compose.yml, the Dockerfile and README.md describe the app that actually exists.

Docker is not needed: the compose file is parsed as YAML, and everything it points at is looked
up in the project (modules, the Celery app, settings read from the environment).
"""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
# Production cannot run on the defaults of these: the embedded servers, a development key,
# localhost-only hosts, and invitation links pointing at 127.0.0.1.
REQUIRED_IN_PRODUCTION = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"}


def settings_environment_variables() -> set[str]:
    """Every variable agencyops/settings.py reads through django-environ."""
    source = (ROOT / "agencyops" / "settings.py").read_text()
    return set(re.findall(r"env\.[a-z_]+\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_words(service: dict) -> list[str]:
    command = service.get("command", [])
    words = shlex.split(command) if isinstance(command, str) else list(command)
    # `sh -c "a && b"` runs a shell line: look at its words too.
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2])
    return words


def test_settings_read_the_variables_this_test_relies_on():
    # Guards the regex below against reading nothing and passing every other test vacuously.
    assert REQUIRED_IN_PRODUCTION <= settings_environment_variables()


def test_compose_runs_web_worker_beat_postgres_and_redis(compose):
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_redis_is_capped_and_evicts_only_entries_that_expire(compose):
    """The cache of kept pages grows with every edit; the queue shares the server. Past the cap Redis may
    drop cache entries (they all expire) but never a queued job (it does not)."""
    command = compose["services"]["redis"]["command"]
    assert command[command.index("--maxmemory") + 1].startswith("${REDIS_MAXMEMORY")
    assert command[command.index("--maxmemory-policy") + 1].startswith("volatile-")
    assert command[command.index("--appendonly") + 1] == "yes"


def test_every_service_has_a_health_check(compose):
    for name, service in compose["services"].items():
        check = service.get("healthcheck", {})
        assert check.get("test"), f"{name} has no health check"


@pytest.mark.filterwarnings("ignore:No directory at")  # whitenoise: static files are collected in the image
def test_web_runs_gunicorn_on_the_project_wsgi_application_and_checks_healthz(compose):
    web = compose["services"]["web"]
    words = command_words(web)
    assert "gunicorn" in words
    target = next(word for word in words if word.endswith(":application"))
    module_name, attribute = target.split(":")
    application = getattr(importlib.import_module(module_name), attribute)
    assert callable(application)
    assert "migrate" in words, "web applies migrations before serving"
    check = " ".join(web["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in check
    assert any(port.endswith(":8000") for port in web["ports"])


@pytest.mark.parametrize("service, subcommand", [("worker", "worker"), ("beat", "beat")])
def test_worker_and_beat_run_the_project_celery_app(compose, service, subcommand):
    words = command_words(compose["services"][service])
    assert words[0] == "celery"
    app_name = words[words.index("-A") + 1]
    app = find_app(app_name)
    assert isinstance(app, Celery)
    assert app.main == "agencyops"
    assert subcommand in words
    app.loader.import_default_modules()  # what a starting worker does: autodiscover each app's tasks.py
    assert "agencyops.tasks.heartbeat" in app.tasks


def test_app_services_build_from_the_project_dockerfile(compose):
    for name in APP_SERVICES:
        build = compose["services"][name]["build"]
        context = (ROOT / build["context"]).resolve()
        assert context == ROOT, f"{name} builds from {context}"
        assert (context / build.get("dockerfile", "Dockerfile")).is_file()


def test_dockerfile_installs_the_project_and_runs_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert "pip install ." in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "libpango-1.0-0" in dockerfile, "WeasyPrint needs Pango for PDF reports"
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert "gunicorn" in dockerfile


def test_compose_passes_only_variables_the_settings_read(compose):
    read = settings_environment_variables()
    for name in APP_SERVICES:
        passed = set(compose["services"][name]["environment"])
        unknown = passed - read
        assert not unknown, f"{name} passes variables settings.py never reads: {sorted(unknown)}"


def test_compose_passes_every_variable_production_needs(compose):
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        missing = REQUIRED_IN_PRODUCTION - set(environment)
        assert not missing, f"{name} lacks {sorted(missing)}"
        assert str(environment["DEBUG"]) in ("0", "false", "False")
        assert re.match(r"postgres://[^@]+@postgres:5432/", environment["DATABASE_URL"])
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")


def test_readme_documents_every_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text()
    table_names = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`", readme, re.MULTILINE))
    undocumented = settings_environment_variables() - table_names
    assert not undocumented, f"README.md's configuration table lacks {sorted(undocumented)}"
    stale = table_names - settings_environment_variables()
    assert not stale, f"README.md documents variables settings.py no longer reads: {sorted(stale)}"
