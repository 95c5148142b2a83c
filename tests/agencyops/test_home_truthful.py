"""The home view tells the truth (issue 10): blocked is tasks only, risks have their own group titled by
their sentence, one question is listed once, capped lists say how much they show, and a client's
"request changes" reaches the project's coordinator."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from approvals import services as approval_services
from projects.models import Escalation, Task, TaskStatus
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db


def _home(agency) -> str:
    return reverse("home", kwargs={"agency_slug": agency.slug})


def _api_home(agency) -> str:
    return reverse("api_home", kwargs={"agency_slug": agency.slug})


def _card(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def _risk(team, project, *, message: str, section: str = "blocked", task=None, n: int = 1) -> Escalation:
    with scope(agency=team["agency"].pk):
        return Escalation.objects.create(
            agency=team["agency"],
            project=project,
            rule="missing_input" if section == "blocked" else "decision_needed",
            fingerprint=f"{section}:{n}",
            severity="high",
            section=section,
            message=message,
            task=task,
        )


def test_blocked_lists_blocked_and_waiting_tasks_only_and_risks_have_their_own_group(team, as_owner):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        Task.objects.filter(project=project, key="build").update(
            status=TaskStatus.BLOCKED, blocked_reason="No host"
        )
    _risk(team, project, message="The brand photos were due Monday.")

    page = as_owner.get(_home(team["agency"])).content.decode()

    blocked, risks = _card(page, "blocked-h"), _card(page, "risks-h")
    assert 'Blocked <span class="count">(1)</span>' in blocked and "No host" in blocked
    assert "The brand photos were due Monday." not in blocked
    assert 'Risks <span class="count">(1)</span>' in risks and "The brand photos were due Monday." in risks


def test_the_api_titles_a_risk_with_its_sentence_never_its_rule_id(team):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    _risk(team, project, message="The brand photos were due Monday.")

    body = token_client(team["owner"].user).get(_api_home(team["agency"])).json()

    assert [risk["title"] for risk in body["risks_blocking"]] == ["The brand photos were due Monday."]
    assert body["blocked"] == [] and body["blocked_total"] == 0 and body["risks_total"] == 1


def test_one_question_needing_a_decision_is_listed_once_however_many_signals_point_at_it(team, as_owner):
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        design = Task.objects.get(project=project, key="design")
        Task.objects.filter(pk=design.pk).update(
            needs_decision=True,
            decision_question="Photography or illustration for the hero?",
            decision_by="Olivia",
        )
    _risk(
        team,
        project,
        section="needs_decision",
        task=design,
        message="Sam (owner) needs to decide “Photography or illustration for the hero?” for “Design”.",
    )

    page = as_owner.get(_home(team["agency"])).content.decode()
    decisions = _card(page, "decision-h")
    body = token_client(team["owner"].user).get(_api_home(team["agency"])).json()

    assert decisions.count("Photography or illustration for the hero?") == 1
    assert 'Needs decision <span class="count">(1)</span>' in decisions
    assert [item["question"] for item in body["needs_decision"]] == [
        "Photography or illustration for the hero?"
    ]


def test_a_capped_list_says_how_many_it_shows_of_how_many_and_the_api_gives_the_totals(team, as_owner):
    first = factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="First site")
    second = factories.project_create(
        actor=team["coordinator"], client=team["clients"][1], name="Second site"
    )
    with scope(agency=team["agency"].pk):
        stuck = list(Task.objects.filter(project__in=[first, second]).order_by("pk")[:12])
        Task.objects.filter(pk__in=[t.pk for t in stuck]).update(
            status=TaskStatus.BLOCKED, blocked_reason="Stuck"
        )

    page = as_owner.get(_home(team["agency"])).content.decode()
    body = token_client(team["owner"].user).get(_api_home(team["agency"])).json()

    assert (
        f'<a href="{_home(team["agency"])}?show=all#blocked-h">10 of 12 blocked or waiting — show all</a>'
        in page
    )
    assert len(body["blocked"]) == 10 and body["blocked_total"] == 12
    assert body["due_total"] >= len(body["due_this_week"])
    assert body["needs_decision_total"] == len(body["needs_decision"])


@pytest.mark.parametrize("projects", [1, 6])
def test_the_home_api_gives_totals_at_a_fixed_query_count(team, projects, django_assert_num_queries):
    for n in range(projects):
        project = factories.project_create(actor=team["coordinator"], client=team["clients"][n % 2])
        with scope(agency=team["agency"].pk):
            Task.objects.filter(project=project, key__in=["build", "qa"]).update(
                status=TaskStatus.BLOCKED, blocked_reason="Stuck"
            )
        _risk(team, project, message=f"Risk {n}", n=n)
    api = token_client(team["owner"].user)

    # token and its user, membership; then in one round trip placing the tasks with those listed, the
    # risks, approvals and change requests: the totals come from the rows already placed, never a count
    # per item
    with django_assert_num_queries(3):
        body = api.get(_api_home(team["agency"])).json()

    assert body["blocked_total"] == 2 * projects and body["risks_total"] == projects


def test_a_clients_request_for_changes_reaches_the_projects_coordinator_on_the_home_view(
    team, as_coordinator, as_owner
):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Smile campaign"
    )
    request = factories.approval_create(actor=team["coordinator"], project=project, title="Hero copy")
    contact = team["contacts"][0]
    with scope(agency=team["agency"].pk):
        approval_services.approval_decide(
            contact=contact, request=request, verdict="request_changes", comment="Shorter headline"
        )

    mine = _card(as_coordinator.get(_home(team["agency"])).content.decode(), "decision-h")
    owners = _card(as_owner.get(_home(team["agency"])).content.decode(), "decision-h")

    assert f"Changes requested by {contact.full_name} — upload version 2" in mine
    assert (
        reverse("approval_detail", kwargs={"agency_slug": team["agency"].slug, "request_id": request.pk})
        in mine
    )
    # The owner does not coordinate this project: the next step is not theirs.
    assert "Changes requested by" not in owners
