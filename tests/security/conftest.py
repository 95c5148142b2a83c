"""Two fully furnished agencies for the security tests: one object of every kind the walker can fill in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scope

from agencyops.services import accounts
from projects import services as project_services
from projects.calendars import agency_today
from projects.models import Escalation, TaskDependency
from tests import factories


def tenant_world(team: dict) -> dict:
    """The objects of one agency that route kwargs point at, keyed as the walker's OBJECT_FOR_KWARG values.

    Nested objects belong together (the contact is the client's, the task the project's), so a nested URL
    built from one world is a real page. New kinds of object are added here and in the walker's maps.
    """
    owner, agency = team["owner"], team["agency"]
    project = factories.project_create(actor=owner, client=team["clients"][0], name="Spring launch")
    with scope(agency=agency.pk):
        invitation = accounts.invitation_create(
            actor=owner, email=f"invitee@{agency.slug}.test", role="member"
        ).invitation
        dependency = (
            TaskDependency.objects.filter(successor__project=project).select_related("successor").first()
        )
        assert dependency is not None, "the built-in template should link its tasks"
        required_input = project_services.required_input_create(
            actor=owner,
            project=project,
            description="Final logo files",
            from_party="client",
            expected_by=agency_today(agency) + timedelta(days=14),
        )
        template = project_services.template_save_from_project(
            actor=owner, project=project, name=f"{agency.name} launch"
        )
        closure = project_services.closure_add(
            actor=owner, day=agency_today(agency) + timedelta(days=30), name="Team day"
        )
        # As the risk scan stores one: a distinct risk of the project, open.
        escalation = Escalation.objects.create(
            agency=agency, project=project, rule="owner_unclear", fingerprint=f"owner_unclear:{project.pk}",
            severity="medium", section="needs_decision", message="Nobody owns the kickoff.",
        )
    return {
        "agency": agency,
        "client": team["clients"][0],
        "contact": team["contacts"][0],
        "membership": team["members"][0],
        "invitation": invitation,
        "project": project,
        # The dependency's successor, so tasks/<task_id>/dependencies/<dependency_id>/ is a real pair.
        "task": dependency.successor,
        "dependency": dependency,
        "required_input": required_input,
        "template": template,
        "closure": closure,
        "escalation": escalation,
    }


@pytest.fixture
def worlds(team, other_team) -> dict:
    """Agency A (the caller's) and agency B (never visible from A)."""
    return {"A": tenant_world(team), "B": tenant_world(other_team)}
