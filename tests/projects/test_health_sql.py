"""The project health's SQL text (``HEALTH_FACTS_SQL``, read by the portal home and the API's project
list) gives the answers of its ORM expressions (``with_health_facts``, read by the project list page and
the detail API), project by project."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django_scopes import scope

from projects.health import HEALTH_FACTS_SQL, with_health_facts
from projects.models import Escalation, EscalationState, Project, Task
from tests import factories

pytestmark = pytest.mark.django_db


def _escalation(project: Project, state: str, n: int) -> None:
    Escalation.objects.create(
        agency=project.agency,
        project=project,
        rule="owner_unclear",
        fingerprint=f"owner_unclear:task:{n}",
        severity="medium",
        section="needs_decision",
        message=f"Nobody owns task {n}.",
        state=state,
    )


def _facts_by_sql(agency_id: int, project_ids: list[int]) -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, health.forecast_launch, health.open_risks FROM projects_project p "
            f"CROSS JOIN LATERAL ({HEALTH_FACTS_SQL}) health WHERE p.id = ANY(%(projects)s)",
            {
                "agency": agency_id,
                "projects": project_ids,
            },
        )
        return {pk: (forecast, risks) for pk, forecast, risks in cursor.fetchall()}


def test_the_sql_text_and_the_orm_expressions_give_every_project_the_same_health_facts(team, other_team):
    coordinator, clients = team["coordinator"], team["clients"]
    plain = factories.project_create(actor=coordinator, client=clients[0], name="Plain")
    slipping = factories.project_create(actor=coordinator, client=clients[0], name="Slipping")
    risky = factories.project_create(actor=coordinator, client=clients[1], name="Risky")
    retainer = factories.project_create(
        actor=coordinator, client=clients[1], name="Retainer", template="builtin:monthly-retainer"
    )
    elsewhere = factories.project_create(
        actor=other_team["coordinator"], client=other_team["clients"][0], name="Elsewhere"
    )
    with scope(agency=team["agency"].pk):
        last = Task.objects.filter(project=slipping).order_by("-due_date").first()
        Task.objects.filter(pk=last.pk).update(due_date=slipping.launch_date + timedelta(days=9))
        # Open and acknowledged risks count; snoozed and resolved ones do not.
        for n, state in enumerate(EscalationState.values):
            _escalation(risky, state, n)
        _escalation(retainer, EscalationState.OPEN, 10)
        empty = factories.project_create(actor=coordinator, client=clients[0], name="Empty")
        Task.objects.filter(project=empty).delete()
        projects = [plain, slipping, risky, retainer, empty]
        by_orm = {
            p.pk: (p.forecast_launch, p.open_risks)
            for p in with_health_facts(Project.objects.filter(pk__in=[p.pk for p in projects]))
        }
    with scope(agency=other_team["agency"].pk):
        _escalation(elsewhere, EscalationState.OPEN, 20)

    by_sql = _facts_by_sql(team["agency"].pk, [p.pk for p in projects])

    assert by_sql == by_orm
    assert by_sql[risky.pk][1] == 2 and by_sql[retainer.pk][1] == 1 and by_sql[plain.pk][1] == 0
    assert by_sql[slipping.pk][0] == slipping.launch_date + timedelta(days=9)
    assert by_sql[empty.pk] == (None, 0)
    # Another agency's rows never count, even asked about by id.
    assert _facts_by_sql(team["agency"].pk, [elsewhere.pk]) == {elsewhere.pk: (None, 0)}
