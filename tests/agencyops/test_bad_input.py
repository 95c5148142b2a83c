"""Hostile or impossible input answers a clear 4xx with the field named, never a 500 (issue 11)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from approvals import services as approval_services
from approvals.models import ApprovalRequest, ChangeRequest, Comment, DecisionLogEntry
from projects.models import DeadlineChange, Project, Task
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db


def url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def server_errors_raise(client: HttpClient) -> HttpClient:
    """Test clients re-raise view exceptions; these tests want the status a browser would see."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def project(team):
    return factories.project_create(actor=team["coordinator"], client=team["clients"][0])


@pytest.fixture
def api(team):
    return server_errors_raise(token_client(team["coordinator"].user))


def approval_body(project, contact, **changes) -> dict:
    body = {
        "project": project.pk,
        "title": "Landing page copy",
        "final_approver": contact.pk,
        "scopes": ["copy"],
        "due_at": (timezone.now() + timedelta(days=2)).replace(microsecond=0).isoformat(),
        "text": "Headline: Smile with confidence.",
    }
    body.update(changes)
    return body


def count(model, agency) -> int:
    with scope(agency=agency.pk):
        return model.objects.count()


@pytest.mark.parametrize("due_at", ["2027-02-30T10:00:00+00:00", "2027-03-01T10:61:00+00:00"])
def test_an_impossible_due_moment_is_refused_by_field(team, project, api, due_at):
    response = api.post(
        url("api_approval_list", team["agency"]),
        approval_body(project, team["contacts"][0], due_at=due_at),
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["due_at"]
    assert count(ApprovalRequest, team["agency"]) == 0


def test_a_due_moment_years_ahead_is_refused_with_the_allowed_range(team, project, api):
    response = api.post(
        url("api_approval_list", team["agency"]),
        approval_body(project, team["contacts"][0], due_at="9999-12-31T10:00:00+00:00"),
        format="json",
    )

    assert response.status_code == 400
    assert "between" in response.json()["due_at"][0]


@pytest.mark.parametrize("list_name", ["api_project_list", "api_client_list", "api_member_list"])
def test_a_huge_list_limit_is_capped_to_the_largest_page(team, project, api, list_name):
    response = api.get(url(list_name, team["agency"]), {"limit": "99999999999999999999"})

    assert response.status_code == 200
    assert response.json()["count"] == len(response.json()["results"]) > 0
    assert "limit=200" in (response.json()["next"] or "limit=200")


def test_a_huge_list_offset_lands_past_the_end(team, project, api):
    response = api.get(url("api_project_list", team["agency"]), {"offset": "99999999999999999999"})

    assert response.status_code == 200
    assert response.json()["results"] == []
    assert response.json()["count"] == 1


def test_a_comment_on_page_two_to_the_fortieth_is_refused_by_field(team, project, api):
    request = factories.approval_create(actor=team["coordinator"], project=project)

    response = api.post(
        url("api_approval_comments", team["agency"], request_id=request.pk),
        {"body": "Move the logo", "page": 2**40},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["page"]
    assert count(Comment, team["agency"]) == 0


@pytest.mark.parametrize("launch", ["9999-12-31", (date.today() + timedelta(days=365 * 12)).isoformat()])
def test_a_launch_date_far_ahead_is_refused_with_the_allowed_range(team, api, launch):
    response = api.post(
        url("api_project_list", team["agency"]),
        {"client": team["clients"][0].pk, "name": "Far", "template": "builtin:website-launch", "launch_date": launch},
        format="json",
    )

    assert response.status_code == 400
    assert "between" in response.json()["launch_date"][0]
    assert count(Project, team["agency"]) == 0


def test_a_launch_date_far_ahead_on_the_new_project_page_is_a_form_error(team, as_coordinator):
    http = server_errors_raise(as_coordinator)

    response = http.post(
        url("project_create", team["agency"]),
        {
            "client": team["clients"][0].pk,
            "name": "Far",
            "template": "builtin:website-launch",
            "launch_date": "9999-12-31",
        },
    )

    assert response.status_code in (200, 400)
    assert "between" in response.content.decode()
    assert count(Project, team["agency"]) == 0


def test_a_due_date_move_to_the_year_9999_is_refused_by_field(team, project, api):
    with scope(agency=team["agency"].pk):
        task = Task.objects.filter(project=project).order_by("due_date").first()

    response = api.patch(
        url("api_task_detail", team["agency"], pk=task.pk),
        {"due_date": "9999-12-30", "reason": "Client asked"},
        format="json",
    )

    assert response.status_code == 400
    assert "between" in response.json()["due_date"][0]
    assert count(DeadlineChange, team["agency"]) == 0


def test_a_decision_dated_2099_is_refused_with_the_allowed_range(team, api):
    response = api.post(
        url("api_decision_list", team["agency"]),
        {
            "client": team["clients"][0].pk,
            "decided_on": "2099-05-08",
            "decision": "Go",
            "approver_name": "Dr Lee",
            "asset": "Site",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "between" in response.json()["decided_on"][0]
    assert count(DecisionLogEntry, team["agency"]) == 0


def test_rework_of_two_to_the_31st_days_is_refused_by_field(team, project, api):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        approval_services.approval_decide(contact=team["contacts"][0], request=request, verdict="approve")

    response = api.post(
        url("api_change_request_list", team["agency"]),
        {"approval_request": request.pk, "description": "New headline", "rework_days": 2**31},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["rework_days"]
    assert count(ChangeRequest, team["agency"]) == 0


def test_a_newline_in_an_approval_title_is_folded_and_the_mail_goes_out(
    team, project, api, django_capture_on_commit_callbacks
):
    created = api.post(
        url("api_approval_list", team["agency"]),
        approval_body(project, team["contacts"][0], title="Landing page\r\nBcc: everyone@example.test"),
        format="json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = api.post(
            url("api_approval_send", team["agency"], request_id=created.json()["id"]), {}, format="json"
        )

    assert created.status_code == 201
    assert created.json()["title"] == "Landing page Bcc: everyone@example.test"
    assert sent.status_code == 200
    assert [m.subject for m in mail.outbox] == ["For your approval: Landing page Bcc: everyone@example.test"]
    assert mail.outbox[0].bcc == []


def test_an_unknown_api_address_answers_a_json_404(team, api):
    response = api.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_address_outside_the_api_keeps_the_html_404(as_owner):
    response = as_owner.get("/no-such-agency/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_due_day_in_the_year_9999_west_of_utc_is_a_form_error(team, project, as_coordinator):
    from agencyops.models import Agency

    Agency.objects.filter(pk=team["agency"].pk).update(time_zone="America/New_York")
    http = server_errors_raise(as_coordinator)

    response = http.post(
        reverse("approval_create", kwargs={"agency_slug": team["agency"].slug}),
        {
            "project": project.pk,
            "title": "Landing page copy",
            "final_approver": team["contacts"][0].pk,
            "scopes": ["copy"],
            "due_date": "9999-12-31",
            "due_time": "23:00",
            "text": "Headline",
        },
    )

    assert response.status_code in (200, 400)
    assert "between" in response.content.decode()
    assert count(ApprovalRequest, team["agency"]) == 0
