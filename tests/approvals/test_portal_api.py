"""The client portal API: a contact sees their own client's sent requests, comments, decides, reads the log.

Nothing internal may leave through it: internal comments, unsent versions, the internal approver, who
at the agency recorded a log entry.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from rest_framework.test import APIClient

from agencyops.models import Role
from approvals import portal_api_urls, services
from approvals.models import ApprovalRequest, Comment, DecisionLogEntry, ReviewerDecision
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db

NOT_FOUND_BODY = {"detail": "Not found."}
MISSING_ID = 2_147_483_647
INTERNAL_NOTE = "INTERNAL-our-margin-on-this-is-thin"
INTERNAL_REPLY = "INTERNAL-REPLY-do-not-offer-a-discount"
UNSENT_COPY = "UNSENT-v2-headline-still-in-the-works"
UNSENT_VERSION_NOTE = "UNSENT-v2-note-on-a-draft"


def url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def portal_state(agency) -> tuple:
    with scope(agency=agency.pk):
        return (
            list(ApprovalRequest.objects.order_by("pk").values_list("pk", "status", "decided_at")),
            list(Comment.objects.order_by("pk").values_list("pk", "body", "pin_x", "pin_y")),
            list(ReviewerDecision.objects.order_by("pk").values_list("pk", "verdict", "is_final")),
            DecisionLogEntry.objects.count(),
        )


@pytest.fixture
def portal(approver) -> APIClient:
    return token_client(approver.user)


def decide(request, contact, verdict: str, **kwargs):
    with scope(agency=request.agency_id):
        return services.approval_decide(contact=contact, request=request, verdict=verdict, **kwargs)


# --- What a contact sees -------------------------------------------------------------------


def test_the_list_shows_only_requests_sent_to_the_contacts_client_awaiting_ones_first(
    team, project, approver, portal
):
    bakery = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    decided = factories.approval_create(
        actor=team["coordinator"], project=project, title="Decided", due_in_hours=5
    )
    decide(decided, approver, "approve")
    awaiting = factories.approval_create(actor=team["coordinator"], project=project, title="Awaiting")
    factories.approval_create(actor=team["coordinator"], project=project, title="Never sent", send=False)
    factories.approval_create(actor=team["coordinator"], project=bakery, title="Bakery's")

    body = portal.get(url("api_portal_approval_list", team["agency"])).json()

    assert [(r["title"], r["status"], r["awaiting_you"]) for r in body["results"]] == [
        ("Awaiting", "awaiting_decision", True),
        ("Decided", "approved", False),
    ]
    first = body["results"][0]
    assert 47 * 3600 < first["seconds_left"] <= 48 * 3600
    assert first["due_label"] == services.format_moment(awaiting.due_at, team["agency"])
    assert first["you_decide"] is True
    assert body["results"][1]["seconds_left"] is None
    only_decided = portal.get(url("api_portal_approval_list", team["agency"]), {"status": "approved"}).json()
    assert [r["title"] for r in only_decided["results"]] == ["Decided"]


def test_portal_responses_never_contain_internal_comments_unsent_versions_or_internal_people(
    team, project, approver, portal
):
    signer = team["members"][0]
    request = factories.approval_create(
        actor=team["coordinator"], project=project, internal_approver=signer, title="Spring landing page"
    )
    with scope(agency=team["agency"].pk):
        request = services.approval_internal_signoff(actor=signer, request=request)
        v1 = request.versions.get()
        public = services.comment_add(
            author=team["coordinator"].user,
            membership=team["coordinator"],
            request=request,
            version=v1,
            body="We kept the offer wording from the brief.",
        )
        internal = services.comment_add(
            author=team["owner"].user,
            membership=team["owner"],
            request=request,
            version=v1,
            body=INTERNAL_NOTE,
            is_internal=True,
        )
        services.comment_add(
            author=team["owner"].user,
            membership=team["owner"],
            request=request,
            version=v1,
            body=INTERNAL_REPLY,
            parent=internal,
        )
        services.approval_decide(
            contact=approver, request=request, verdict="request_changes", comment="Shorter."
        )
        v2 = services.version_add(
            actor=team["coordinator"],
            request=request,
            kind="text",
            text=UNSENT_COPY,
            notes=UNSENT_VERSION_NOTE,
        )
        services.comment_add(
            author=team["coordinator"].user,
            membership=team["coordinator"],
            request=request,
            version=v2,
            body="UNSENT-comment-on-v2",
        )
    agency = team["agency"]

    responses = [
        portal.get(url("api_portal_approval_list", agency)),
        portal.get(url("api_portal_approval_detail", agency, request_id=request.pk)),
        portal.get(url("api_portal_approval_comments", agency, request_id=request.pk)),
        portal.get(url("api_portal_decision_list", agency)),
    ]

    assert all(r.status_code == 200 for r in responses)
    raw = b"".join(r.content for r in responses)
    for secret in (INTERNAL_NOTE, INTERNAL_REPLY, UNSENT_COPY, UNSENT_VERSION_NOTE, "UNSENT-comment-on-v2"):
        assert secret.encode() not in raw
    assert signer.user.full_name.encode() not in raw
    assert b'"is_internal"' not in raw and b"internal_approver" not in raw and b"internal_signed" not in raw
    assert b"recorded_by" not in raw and b"uploaded_by" not in raw
    detail = responses[1].json()
    assert detail["status"] == "in_revision"
    assert [v["number"] for v in detail["versions"]] == [1]
    assert [c["body"] for c in detail["comments"]] == [public.body, "Shorter."]
    # The same request through the staff API does carry them: the filter above is what keeps them out.
    staff = token_client(team["coordinator"].user).get(
        url("api_approval_detail", agency, request_id=request.pk)
    )
    assert INTERNAL_NOTE.encode() in staff.content and UNSENT_COPY.encode() in staff.content


def test_the_portal_log_shows_the_clients_entries_without_who_recorded_them(team, project, approver, portal):
    with scope(agency=team["agency"].pk):
        for client in team["clients"]:
            services.decision_log_add(
                actor=team["coordinator"],
                client=client,
                decision=f"Budget agreed for {client.name}",
                approver_name="Dr Lee",
                asset="Spring campaign",
                decided_on=timezone.localdate(),
                source_kind="email",
                source_note="Re: spring budget",
            )

    response = portal.get(url("api_portal_decision_list", team["agency"]))

    assert [(e["decision"], e["source_kind"]) for e in response.json()["results"]] == [
        ("Budget agreed for Acme Dental", "email")
    ]
    assert b"Casey Coordinator" not in response.content


@pytest.mark.parametrize("total", [5, 60])
def test_the_portal_list_costs_the_same_queries_for_5_or_60_requests(
    team, project, portal, total, django_assert_num_queries
):
    for n in range(total):
        factories.approval_create(actor=team["coordinator"], project=project, title=f"Asset {n:02}")

    # Token and user, contact, page count, the page itself.
    with django_assert_num_queries(4):
        response = portal.get(url("api_portal_approval_list", team["agency"]), {"limit": 100})

    assert response.json()["count"] == total
    assert {r["project"]["name"] for r in response.json()["results"]} == {project.name}


# --- Commenting ----------------------------------------------------------------------------


def test_a_client_pins_a_comment_on_an_image_and_a_pin_off_the_page_is_refused(
    team, project, approver, portal, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with scope(agency=team["agency"].pk):
        request = services.approval_request_create(
            actor=team["coordinator"],
            project=project,
            title="Hero image",
            final_approver=approver,
            scopes=["design"],
            due_at=timezone.now() + timedelta(days=2),
            kind="image",
            upload=factories.png_upload(),
        )
        services.approval_request_send(actor=team["coordinator"], request=request)
    comments_url = url("api_portal_approval_comments", team["agency"], request_id=request.pk)
    before = portal_state(team["agency"])

    off_page = portal.post(comments_url, {"body": "Here", "pin_x": 0.4, "pin_y": 1.2}, format="json")

    assert off_page.status_code == 400
    assert off_page.json() == {"pin_y": ["A pin must sit on the page (between 0 and 1)."]}
    assert portal_state(team["agency"]) == before

    pinned = portal.post(comments_url, {"body": "Logo bigger", "pin_x": 0.4, "pin_y": 0.1}, format="json")

    assert pinned.status_code == 201
    assert (pinned.json()["pin_x"], pinned.json()["pin_y"], pinned.json()["author_side"]) == (
        0.4,
        0.1,
        "client",
    )
    assert pinned.json()["author_name"] == approver.full_name
    assert "is_internal" not in pinned.json()
    detail = portal.get(url("api_portal_approval_detail", team["agency"], request_id=request.pk)).json()
    assert detail["versions"][0]["file_url"].endswith(
        reverse(
            "portal_version_file",
            kwargs={"agency_slug": team["agency"].slug, "version_id": detail["versions"][0]["id"]},
        )
    )


def test_a_client_cannot_reach_an_internal_comment_or_an_unsent_version(team, project, approver, portal):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        v1 = request.versions.get()
        internal = services.comment_add(
            author=team["owner"].user,
            membership=team["owner"],
            request=request,
            version=v1,
            body=INTERNAL_NOTE,
            is_internal=True,
        )
        decide(request, approver, "request_changes", comment="Shorter.")
        v2 = services.version_add(actor=team["coordinator"], request=request, kind="text", text=UNSENT_COPY)
    before = portal_state(team["agency"])

    response = portal.post(
        url("api_portal_approval_comments", team["agency"], request_id=request.pk),
        {"body": "Replying", "parent": internal.pk, "version": v2.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "version": ["Choose a version of this request."],
        "parent": ["Reply to a comment of this request."],
    }
    assert portal_state(team["agency"]) == before


def test_a_client_comments_on_a_passage_of_the_copy(team, project, portal):
    request = factories.approval_create(actor=team["coordinator"], project=project)

    response = portal.post(
        url("api_portal_approval_comments", team["agency"], request_id=request.pk),
        {"body": "Say “smile brighter”", "quote_start": 10, "quote_end": 32},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["quote"] == "Smile with confidence."
    listed = portal.get(url("api_portal_approval_comments", team["agency"], request_id=request.pk)).json()
    assert [c["body"] for c in listed] == ["Say “smile brighter”"]


# --- Deciding ------------------------------------------------------------------------------


def test_someone_other_than_the_final_approver_is_refused_with_who_decides(team, project, approver):
    with scope(agency=team["agency"].pk):
        colleague = factories.contact_create(
            actor=team["owner"], client=project.client, full_name="Sam Colleague"
        )
    request = factories.approval_create(actor=team["coordinator"], project=project)
    before = portal_state(team["agency"])

    response = token_client(colleague.user).post(
        url("api_portal_approval_decision", team["agency"], request_id=request.pk),
        {"verdict": "approve"},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"Only {approver.full_name}, the final approver, can decide. Your verdict can be recorded as advice."
    )
    assert portal_state(team["agency"]) == before


def test_a_closed_round_is_refused_with_409_and_the_message(team, project, approver, portal):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    decision_url = url("api_portal_approval_decision", team["agency"], request_id=request.pk)
    assert portal.post(decision_url, {"verdict": "approve"}, format="json").status_code == 201
    before = portal_state(team["agency"])

    again = portal.post(decision_url, {"verdict": "request_changes", "comment": "Wait"}, format="json")

    assert again.status_code == 409
    assert again.json() == {"detail": "This round is closed; there is nothing to decide right now."}
    assert portal_state(team["agency"]) == before


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"verdict": "request_changes"}, "comment", "Add at least one comment saying what should change."),
        ({"verdict": "approve_with_changes"}, "changes", "List the changes you approve with."),
        ({"verdict": "maybe"}, "verdict", "not a valid choice"),
    ],
)
def test_an_incomplete_decision_is_refused_by_field_and_decides_nothing(
    team, project, portal, body, field, message
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    before = portal_state(team["agency"])

    response = portal.post(
        url("api_portal_approval_decision", team["agency"], request_id=request.pk), body, format="json"
    )

    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert portal_state(team["agency"]) == before


def test_requesting_changes_with_a_comment_records_both(team, project, portal):
    request = factories.approval_create(actor=team["coordinator"], project=project)

    response = portal.post(
        url("api_portal_approval_decision", team["agency"], request_id=request.pk),
        {"verdict": "request_changes", "comment": "Mention the free consultation."},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["verdict"] == "request_changes"
    detail = portal.get(url("api_portal_approval_detail", team["agency"], request_id=request.pk)).json()
    assert detail["status"] == "changes_requested"
    assert [c["body"] for c in detail["comments"]] == ["Mention the free consultation."]


def test_another_contact_gives_advice_that_does_not_decide(team, project, approver, portal):
    with scope(agency=team["agency"].pk):
        colleague = factories.contact_create(
            actor=team["owner"], client=project.client, full_name="Sam Colleague"
        )
    request = factories.approval_create(actor=team["coordinator"], project=project)
    advice_url = url("api_portal_approval_advice", team["agency"], request_id=request.pk)
    colleague_api = token_client(colleague.user)

    advised = colleague_api.post(
        advice_url, {"verdict": "request_changes", "changes": "Softer tone"}, format="json"
    )

    assert advised.status_code == 201
    assert (advised.json()["is_final"], advised.json()["contact"]["name"]) == (False, "Sam Colleague")
    detail = portal.get(url("api_portal_approval_detail", team["agency"], request_id=request.pk)).json()
    assert detail["status"] == "awaiting_decision"
    assert [(d["verdict"], d["is_final"]) for d in detail["decisions"]] == [("request_changes", False)]
    before = portal_state(team["agency"])
    again = colleague_api.post(advice_url, {"verdict": "approve"}, format="json")
    from_the_approver = portal.post(advice_url, {"verdict": "approve"}, format="json")
    assert again.json() == {"non_field_errors": ["You already gave your verdict on this round."]}
    assert from_the_approver.json() == {
        "non_field_errors": ["As the final approver, your verdict decides: use the decision form."]
    }
    assert portal_state(team["agency"]) == before


# --- Tenancy -------------------------------------------------------------------------------

# Every portal API route naming a request, and each method its view answers: a new route is probed too.
PORTAL_ENDPOINTS = [
    (method, pattern.name)
    for pattern in portal_api_urls.urlpatterns
    if "request_id" in pattern.pattern.converters
    for method in ("get", "post", "put", "patch", "delete")
    if hasattr(pattern.callback.view_class, method)
]


def test_every_portal_route_naming_a_request_is_probed_below():
    assert len(PORTAL_ENDPOINTS) >= 5
    assert all(
        "request_id" in p.pattern.converters or not p.pattern.converters for p in portal_api_urls.urlpatterns
    )


@pytest.mark.parametrize("method, name", PORTAL_ENDPOINTS)
def test_another_clients_request_answers_404_exactly_like_a_missing_one(team, project, method, name):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    other_client_contact = token_client(team["contacts"][1].user)
    body = {"body": "Let me in", "verdict": "approve"}
    before = portal_state(team["agency"])

    theirs = getattr(other_client_contact, method)(
        url(name, team["agency"], request_id=request.pk), body, format="json"
    )
    missing = getattr(other_client_contact, method)(
        url(name, team["agency"], request_id=MISSING_ID), body, format="json"
    )

    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert theirs.json() == NOT_FOUND_BODY
    assert portal_state(team["agency"]) == before


@pytest.mark.parametrize("method, name", PORTAL_ENDPOINTS)
def test_another_agencys_request_answers_404_exactly_like_a_missing_one(
    team, other_team, portal, method, name
):
    theirs_project = factories.project_create(
        actor=other_team["coordinator"], client=other_team["clients"][0]
    )
    request = factories.approval_create(actor=other_team["coordinator"], project=theirs_project)
    body = {"body": "Let me in", "verdict": "approve"}
    before = portal_state(other_team["agency"])

    theirs = getattr(portal, method)(url(name, team["agency"], request_id=request.pk), body, format="json")
    missing = getattr(portal, method)(url(name, team["agency"], request_id=MISSING_ID), body, format="json")
    their_portal = getattr(portal, method)(
        url(name, other_team["agency"], request_id=request.pk), body, format="json"
    )

    assert theirs.status_code == missing.status_code == their_portal.status_code == 404
    assert theirs.content == missing.content == their_portal.content
    assert portal_state(other_team["agency"]) == before


def test_a_request_never_sent_answers_404_in_the_portal(team, project, portal):
    request = factories.approval_create(actor=team["coordinator"], project=project, send=False)

    response = portal.get(url("api_portal_approval_detail", team["agency"], request_id=request.pk))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_BODY


def test_staff_who_are_not_contacts_get_404_from_the_portal_api(team, project):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    assert team["owner"].role == Role.OWNER

    response = token_client(team["owner"].user).get(
        url("api_portal_approval_detail", team["agency"], request_id=request.pk)
    )

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_BODY


def test_nobody_logged_out_reads_the_portal_api(team, project):
    factories.approval_create(actor=team["coordinator"], project=project)

    response = APIClient().get(url("api_portal_approval_list", team["agency"]))

    assert response.status_code in (401, 403)
    assert b"Landing page copy" not in response.content
