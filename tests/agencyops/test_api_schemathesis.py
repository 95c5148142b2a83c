"""Every operation of the OpenAPI schema, fed generated input: no 5xx, and every answer matches the schema.

Schemathesis reads the schema drf-spectacular serves at /api/schema/ and calls the Django WSGI app in this
process (so the test database and its transaction are shared). Path parameters point at real objects of
the caller's agency, so the answers include real bodies, not only 404s; the rest of the input is generated.
A bounded number of examples per operation keeps the run to a few minutes (API_FUZZ_EXAMPLES to change).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django_scopes import scope
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from approvals import services as approval_services
from approvals.models import ChangeRequest, DecisionLogEntry
from projects.models import Escalation, Task
from projects.risk_scan import agency_scan
from tests import factories

pytestmark = [pytest.mark.django_db]

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """A real WSGI request closes the database connection when it ends; the test's transaction must survive
    it (Django's own test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(team) -> dict:
    """One agency with an object of every kind the API addresses by id."""
    coordinator = team["coordinator"]
    project = factories.project_create(actor=coordinator, client=team["clients"][0], launch_in_days=20, accept_start_in_past=True)
    approval = factories.approval_create(actor=coordinator, project=project)
    factories.approval_create(actor=coordinator, project=project, send=False, title="Draft")
    decided = factories.approval_create(actor=coordinator, project=project, title="Decided")
    with scope(agency=team["agency"].pk):
        approval_services.approval_decide(contact=team["contacts"][0], request=decided, verdict="approve")
        approval_services.change_request_create(
            project=project, description="New headline", requester=coordinator, approval_request=decided
        )
        task = Task.objects.filter(project=project).order_by("due_date").first()
        agency_scan(team["agency"])
        escalation = Escalation.objects.first()
        change_request = ChangeRequest.objects.first()
        entry = DecisionLogEntry.objects.first()
    return {
        "team": team,
        "ids": {
            "approvals": approval.pk,
            "clients": team["clients"][0].pk,
            "contacts": team["contacts"][0].pk,
            "members": team["members"][0].pk,
            "projects": project.pk,
            "tasks": task.pk,
            "escalations": escalation.pk if escalation else 2_147_483_647,
            "change-requests": change_request.pk if change_request else 2_147_483_647,
            "decisions": entry.pk if entry else 2_147_483_647,
        },
    }


def _point_at_real_objects(case, world: dict) -> None:
    """Path parameters name the caller's agency and, for the id, a real object of the collection before it."""
    parts = case.operation.path.strip("/").split("/")
    for name in case.path_parameters or {}:
        if name == "agency_slug":
            case.path_parameters[name] = world["team"]["agency"].slug
            continue
        collection = parts[parts.index("{" + name + "}") - 1]
        case.path_parameters[name] = world["ids"].get(collection, 2_147_483_647)


def _token_for(path: str, team: dict) -> str:
    from agencyops.services.api_tokens import api_token_issue

    user = team["contacts"][0].user if path.startswith("/api/v1/portal/") else team["owner"].user
    return api_token_issue(user=user)[1]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_without_a_server_error_and_as_the_schema_says(case, world):
    _point_at_real_objects(case, world)
    headers = {"Authorization": f"Token {_token_for(case.operation.path, world['team'])}"}

    case.call_and_validate(headers=headers, checks=CHECKS)
