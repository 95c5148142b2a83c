"""The staff approvals API: preparing, sending, versions, comments, the decision log and change requests."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from rest_framework.test import APIClient

from approvals import api_urls, services
from approvals.models import (
    ApprovalRequest,
    AssetVersion,
    ChangeRequest,
    ChangeRequestDecision,
    Comment,
    DecisionLogEntry,
    ReviewerDecision,
)
from projects.models import DeadlineChange, Task
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db

NOT_FOUND_BODY = {"detail": "Not found."}
MISSING_ID = 2_147_483_647
COPY = "Headline: Smile with confidence.\nBook your consultation today."


def url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def due_in(hours: int = 48) -> str:
    """A due moment as an API caller sends it: ISO 8601 with a UTC offset."""
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0).isoformat()


def approvals_state(agency) -> tuple:
    """Everything an approvals write could change, to prove a refusal changed nothing."""
    with scope(agency=agency.pk):
        return (
            list(ApprovalRequest.objects.order_by("pk").values_list("pk", "status", "sent_at", "decided_at")),
            list(AssetVersion.objects.order_by("pk").values_list("pk", "number", "sent_at", "file")),
            list(Comment.objects.order_by("pk").values_list("pk", "body", "pin_x", "pin_y", "is_internal")),
            ReviewerDecision.objects.count(),
            list(
                DecisionLogEntry.objects.order_by("pk").values_list(
                    "pk", "decision", "approver_name", "asset"
                )
            ),
            ChangeRequest.objects.count(),
            ChangeRequestDecision.objects.count(),
        )


@pytest.fixture
def coordinator_api(team) -> APIClient:
    return token_client(team["coordinator"].user)


def create_body(project, approver, /, **changes) -> dict:
    body = {
        "project": project.pk,
        "title": "Landing page copy",
        "deliverable": "Homepage messaging",
        "final_approver": approver.pk,
        "scopes": ["copy", "timing"],
        "scope_notes": "Headline, page copy, CTA and offer accuracy. Design polish comes after copy.",
        "due_at": due_in(),
        "text": COPY,
    }
    body.update(changes)
    return body


# --- The round trip ------------------------------------------------------------------------


def test_a_request_prepared_and_sent_by_token_is_decided_in_the_portal_and_logged(team, project, approver):
    agency, coordinator_api = team["agency"], token_client(team["coordinator"].user)
    with scope(agency=agency.pk):
        gated = Task.objects.get(project=project, key="copy-approval")

    created = coordinator_api.post(
        url("api_approval_list", agency), create_body(project, approver, task=gated.pk), format="json"
    )

    assert created.status_code == 201, created.json()
    request_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert created.json()["after_approval"] == agency.approval_terms.strip()
    assert created.json()["versions"][0]["text"] == COPY
    assert created.json()["send_check"]["label"] == "First round"
    assert created.json()["can_send"] is True

    sent = coordinator_api.post(url("api_approval_send", agency, request_id=request_id), {}, format="json")

    assert sent.status_code == 200, sent.json()
    assert sent.json()["status"] == "awaiting_client"
    assert sent.json()["versions"][0]["sent_at"] is not None
    portal = token_client(approver.user)
    waiting = portal.get(url("api_portal_approval_list", agency)).json()["results"]
    assert [(r["id"], r["awaiting_you"], r["status"]) for r in waiting] == [
        (request_id, True, "awaiting_decision")
    ]

    decided = portal.post(
        url("api_portal_approval_decision", agency, request_id=request_id),
        {"verdict": "approve_with_changes", "changes": "Use “consultation” in the CTA."},
        format="json",
    )

    assert decided.status_code == 201, decided.json()
    assert decided.json()["is_final"] is True
    detail = coordinator_api.get(url("api_approval_detail", agency, request_id=request_id)).json()
    assert detail["status"] == "approved_with_changes"
    assert [(d["contact"]["id"], d["verdict"]) for d in detail["decisions"]] == [
        (approver.pk, "approve_with_changes")
    ]
    log = coordinator_api.get(url("api_decision_list", agency), {"client": project.client_id}).json()[
        "results"
    ]
    assert len(log) == 1
    assert log[0]["approver_name"] == approver.full_name
    assert log[0]["asset"] == "Homepage messaging"
    assert log[0]["approval_request"] == {"id": request_id, "title": "Landing page copy"}
    assert "Use “consultation” in the CTA." in log[0]["decision"]
    with scope(agency=agency.pk):
        assert Task.objects.get(pk=gated.pk).status == "done"


def test_moments_are_iso_8601_in_the_agencys_time_zone(team, project, approver, coordinator_api):
    due = timezone.now().replace(microsecond=0) + timedelta(days=3)

    created = coordinator_api.post(
        url("api_approval_list", team["agency"]),
        create_body(project, approver, due_at=due.isoformat()),
        format="json",
    ).json()

    rendered = datetime.fromisoformat(created["due_at"])
    assert rendered == due
    assert rendered.utcoffset() == due.astimezone(ZoneInfo(team["agency"].time_zone)).utcoffset()
    assert created["due_label"] == services.format_moment(due, team["agency"])


# --- Refusals when preparing ---------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"due_at": "2030-05-14T15:00:00"}, "due_at", "UTC offset"),
        ({"due_at": "2001-05-14T15:00:00+00:00"}, "due_at", "Feedback cannot be due in the past."),
        ({"scopes": []}, "scopes", "Choose what is being approved"),
        ({"scopes": ["copy", "vibes"]}, "scopes", "Choose what is being approved"),
        ({"title": "   "}, "title", ""),
        ({"text": ""}, "text", "Send the version"),
        ({"project": MISSING_ID}, "project", "Choose one of your projects."),
        ({"final_approver": MISSING_ID}, "final_approver", "Choose a contact at this project's client."),
    ],
)
def test_bad_request_input_is_refused_by_field_and_creates_nothing(
    team, project, approver, coordinator_api, change, field, message
):
    before = approvals_state(team["agency"])

    response = coordinator_api.post(
        url("api_approval_list", team["agency"]), create_body(project, approver, **change), format="json"
    )

    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert approvals_state(team["agency"]) == before


def test_a_contact_of_another_client_cannot_be_the_final_approver(team, project, coordinator_api):
    before = approvals_state(team["agency"])

    response = coordinator_api.post(
        url("api_approval_list", team["agency"]),
        create_body(project, team["contacts"][1]),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["final_approver"] == ["Choose a contact at Acme Dental as the final approver."]
    assert approvals_state(team["agency"]) == before


def test_another_agencys_project_or_contact_is_refused_like_a_missing_one(
    team, other_team, project, approver, coordinator_api
):
    theirs = factories.project_create(actor=other_team["owner"], client=other_team["clients"][0])
    before = approvals_state(team["agency"])

    response = coordinator_api.post(
        url("api_approval_list", team["agency"]),
        create_body(project, approver, project=theirs.pk, final_approver=other_team["contacts"][0].pk),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "project": ["Choose one of your projects."],
        "final_approver": ["Choose a contact at this project's client."],
    }
    assert approvals_state(team["agency"]) == before


def test_an_image_upload_becomes_the_first_version_and_is_stored_under_media(
    team, project, approver, coordinator_api, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    body = create_body(project, approver, text="", file=factories.png_upload(size=(640, 480)))
    body.pop("text")

    response = coordinator_api.post(url("api_approval_list", team["agency"]), body, format="multipart")

    assert response.status_code == 201, response.json()
    version = response.json()["versions"][0]
    assert (version["kind"], version["width"], version["height"]) == ("image", 640, 480)
    assert version["original_name"] == "mockup.png"
    assert version["file_url"].endswith(
        reverse("api_version_file", kwargs={"agency_slug": team["agency"].slug, "version_id": version["id"]})
    )
    assert response.json()["scopes"] == ["copy", "timing"]
    assert len(list(tmp_path.rglob("*.png"))) == 1
    # The link works for the API client itself, with its token: the image, not the login page.
    download = coordinator_api.get(version["file_url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_a_file_that_is_not_an_image_or_pdf_is_refused_and_nothing_is_stored(
    team, project, approver, coordinator_api, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    before = approvals_state(team["agency"])
    body = create_body(project, approver)
    body.pop("text")
    body["file"] = SimpleUploadedFile("mockup.png", b"MZ\x90\x00 not a picture", content_type="image/png")

    response = coordinator_api.post(url("api_approval_list", team["agency"]), body, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["Upload an image (PNG, JPEG, GIF or WebP) or a PDF."]}
    assert list(tmp_path.rglob("*")) == []
    assert approvals_state(team["agency"]) == before


def test_text_and_a_file_together_are_refused(team, project, approver, coordinator_api):
    body = create_body(project, approver, file=factories.png_upload())

    response = coordinator_api.post(url("api_approval_list", team["agency"]), body, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["Send either the copy as text or a file, not both."]}


def test_a_member_may_read_and_comment_but_not_prepare_or_send(team, project, approver):
    request = factories.approval_create(actor=team["coordinator"], project=project, send=False)
    member = token_client(team["members"][0].user)
    before = approvals_state(team["agency"])

    created = member.post(
        url("api_approval_list", team["agency"]), create_body(project, approver), format="json"
    )
    sent = member.post(url("api_approval_send", team["agency"], request_id=request.pk), {}, format="json")

    assert created.status_code == sent.status_code == 403
    assert created.json() == {"detail": "Your role in this agency does not allow this."}
    assert approvals_state(team["agency"]) == before
    assert (
        member.get(url("api_approval_detail", team["agency"], request_id=request.pk)).json()["id"]
        == request.pk
    )
    commented = member.post(
        url("api_approval_comments", team["agency"], request_id=request.pk),
        {"body": "Tighten the headline?", "is_internal": True},
        format="json",
    )
    assert commented.status_code == 201
    assert commented.json()["author_name"] == team["members"][0].user.full_name


def test_an_internal_sign_off_comes_before_the_client_sees_the_request(
    team, project, approver, coordinator_api
):
    signer, bystander = team["members"][0], team["members"][1]
    created = coordinator_api.post(
        url("api_approval_list", team["agency"]),
        create_body(project, approver, internal_approver=signer.pk),
        format="json",
    ).json()
    request_id = created["id"]
    portal = token_client(approver.user)

    held = coordinator_api.post(
        url("api_approval_send", team["agency"], request_id=request_id), {}, format="json"
    )

    assert held.json()["status"] == "awaiting_internal"
    assert held.json()["internal_approver"] == {"id": signer.pk, "name": signer.user.full_name}
    assert portal.get(url("api_portal_approval_list", team["agency"])).json()["count"] == 0
    refused = token_client(bystander.user).post(
        url("api_approval_signoff", team["agency"], request_id=request_id)
    )
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only the named internal approver or an owner can sign this off."}

    signed = token_client(signer.user).post(
        url("api_approval_signoff", team["agency"], request_id=request_id)
    )

    assert signed.status_code == 200
    assert signed.json()["status"] == "awaiting_client"
    assert signed.json()["internal_signed_off_at"] is not None
    assert [
        r["id"] for r in portal.get(url("api_portal_approval_list", team["agency"])).json()["results"]
    ] == [request_id]


# --- Reading a request ---------------------------------------------------------------------


def test_the_detail_shows_every_comment_with_internal_ones_flagged(team, project, approver, coordinator_api):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        version = request.versions.get()
        services.comment_add(
            author=approver.user,
            contact=approver,
            request=request,
            version=version,
            body="Love the headline.",
        )
        services.comment_add(
            author=team["owner"].user,
            membership=team["owner"],
            request=request,
            version=version,
            body="Our margin on this is thin.",
            is_internal=True,
        )
        services.feedback_capture(
            actor=team["coordinator"],
            request=request,
            body="Call: keep the offer wording.",
            source="call",
            said_by="Dr Lee",
            said_at=timezone.now() - timedelta(hours=1),
        )

    body = coordinator_api.get(url("api_approval_detail", team["agency"], request_id=request.pk)).json()

    assert [(c["body"], c["is_internal"], c["author_side"]) for c in body["comments"]] == [
        ("Love the headline.", False, "client"),
        ("Our margin on this is thin.", True, "agency"),
        ("Call: keep the offer wording.", False, "agency"),
    ]
    captured = body["comments"][2]
    assert (captured["source"], captured["captured"], captured["said_by"]) == ("call", True, "Dr Lee")
    assert body["final_approver"] == {"id": approver.pk, "name": approver.full_name}
    assert body["send_check"]["revision_round"] == 0
    assert body["can_send"] is False


def test_the_list_filters_by_status_client_and_project(team, project, coordinator_api):
    other_project = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    sent = factories.approval_create(actor=team["coordinator"], project=project, title="Sent one")
    draft = factories.approval_create(
        actor=team["coordinator"], project=project, title="Draft one", send=False
    )
    elsewhere = factories.approval_create(actor=team["coordinator"], project=other_project, title="Bakery")
    list_url = url("api_approval_list", team["agency"])

    def ids(**params) -> list[int]:
        return [r["id"] for r in coordinator_api.get(list_url, params).json()["results"]]

    assert set(ids()) == {sent.pk, draft.pk, elsewhere.pk}
    assert ids(status="draft") == [draft.pk]
    assert set(ids(status="awaiting_client")) == {sent.pk, elsewhere.pk}
    assert ids(client=team["clients"][1].pk) == [elsewhere.pk]
    assert set(ids(project=project.pk)) == {sent.pk, draft.pk}
    refused = coordinator_api.get(list_url, {"status": "maybe", "client": "acme"})
    assert refused.status_code == 400
    assert set(refused.json()) == {"status", "client"}


@pytest.mark.parametrize("total", [5, 60])
def test_the_approval_list_costs_the_same_queries_for_5_or_60_requests(
    team, project, total, django_assert_num_queries
):
    for n in range(total):
        factories.approval_create(
            actor=team["coordinator"], project=project, title=f"Asset {n:02}", send=n % 2 == 0
        )
    api = token_client(team["owner"].user)

    # Token and user, membership, page count, the page itself.
    with django_assert_num_queries(4):
        response = api.get(url("api_approval_list", team["agency"]), {"limit": 100})

    assert response.json()["count"] == total
    assert {r["latest_version"] for r in response.json()["results"]} == {1}
    assert all(r["final_approver"]["name"] for r in response.json()["results"])


# --- Sending, rounds and versions ----------------------------------------------------------


def test_a_round_beyond_budget_is_refused_until_accepted_and_then_creates_a_change_request(
    team, project, approver, coordinator_api
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    send_url = url("api_approval_send", team["agency"], request_id=request.pk)
    with scope(agency=team["agency"].pk):
        for n in range(2):
            services.approval_decide(
                contact=approver, request=request, verdict="request_changes", comment=f"R{n}"
            )
            services.version_add(
                actor=team["coordinator"], request=request, kind="text", text=f"Copy v{n + 2}"
            )
            services.approval_request_send(actor=team["coordinator"], request=request)
        services.approval_decide(
            contact=approver, request=request, verdict="request_changes", comment="Again"
        )
    new_version = coordinator_api.post(
        url("api_approval_versions", team["agency"], request_id=request.pk),
        {"text": "Copy v4", "notes": "Shorter headline."},
        format="json",
    )
    assert new_version.status_code == 201
    assert (new_version.json()["number"], new_version.json()["revision_round"]) == (4, 3)
    detail = coordinator_api.get(url("api_approval_detail", team["agency"], request_id=request.pk)).json()
    assert detail["send_check"] | {"label": None} == {
        "version_number": 4,
        "revision_round": 3,
        "included": 2,
        "beyond_budget": True,
        "label": None,
    }
    before = approvals_state(team["agency"])

    refused = coordinator_api.post(send_url, {}, format="json")

    assert refused.status_code == 400
    assert refused.json()["revision_round"] == 3 and refused.json()["included"] == 2
    assert "revision round 3" in refused.json()["non_field_errors"][0]
    assert approvals_state(team["agency"]) == before

    accepted = coordinator_api.post(
        send_url, {"accept_change_request": True, "extra_cost": "450.00"}, format="json"
    )

    assert accepted.status_code == 200
    assert accepted.json()["status"] == "awaiting_client"
    assert [c["status"] for c in accepted.json()["change_requests"]] == ["pending"]
    with scope(agency=team["agency"].pk):
        change = ChangeRequest.objects.get()
        assert (change.reason, str(change.impact_budget)) == ("extra_round", "450.00")


def test_a_pdf_version_lists_its_pages_for_pinning(
    team, project, approver, coordinator_api, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        services.approval_decide(
            contact=approver, request=request, verdict="request_changes", comment="Make a PDF"
        )

    response = coordinator_api.post(
        url("api_approval_versions", team["agency"], request_id=request.pk),
        {"file": factories.pdf_upload(pages=2), "notes": "As a proof."},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "pdf"
    # The upload answers at once; a worker renders the pages after the commit.
    assert (response.json()["pages"], response.json()["preparing_pages"]) == ([], True)
    factories.pdf_pages_rendered(request)
    listed = coordinator_api.get(url("api_approval_versions", team["agency"], request_id=request.pk)).json()
    assert [(v["number"], v["kind"], v["sent_at"] is None) for v in listed] == [
        (1, "text", False),
        (2, "pdf", True),
    ]
    pdf = listed[-1]
    assert pdf["preparing_pages"] is False
    assert [p["number"] for p in pdf["pages"]] == [1, 2]
    assert pdf["pages"][1]["url"].endswith(
        reverse("version_page", kwargs={"agency_slug": team["agency"].slug, "version_id": pdf["id"], "page": 2})
    )


# --- Comments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pin, field",
    [({"pin_x": 1.5, "pin_y": 0.5}, "pin_x"), ({"pin_x": 0.5, "pin_y": -0.01}, "pin_y")],
)
def test_a_pin_outside_the_page_is_refused_with_a_field_message_and_stores_nothing(
    team, project, approver, coordinator_api, settings, tmp_path, pin, field
):
    settings.MEDIA_ROOT = tmp_path
    body = create_body(project, approver, file=factories.png_upload())
    body.pop("text")
    request_id = coordinator_api.post(
        url("api_approval_list", team["agency"]), body, format="multipart"
    ).json()["id"]
    before = approvals_state(team["agency"])

    response = coordinator_api.post(
        url("api_approval_comments", team["agency"], request_id=request_id),
        {"body": "Move this", **pin},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {field: ["A pin must sit on the page (between 0 and 1)."]}
    assert approvals_state(team["agency"]) == before
    pinned = coordinator_api.post(
        url("api_approval_comments", team["agency"], request_id=request_id),
        {"body": "Move the logo up", "pin_x": 0.25, "pin_y": 1},
        format="json",
    )
    assert pinned.status_code == 201
    assert (pinned.json()["pin_x"], pinned.json()["pin_y"], pinned.json()["page"]) == (0.25, 1.0, 1)


def test_a_comment_on_a_passage_of_copy_quotes_it_and_replies_thread(team, project, coordinator_api):
    request = factories.approval_create(actor=team["coordinator"], project=project, text=COPY)
    comments_url = url("api_approval_comments", team["agency"], request_id=request.pk)

    first = coordinator_api.post(
        comments_url, {"body": "Too bold?", "quote_start": 10, "quote_end": 32}, format="json"
    )
    reply = coordinator_api.post(
        comments_url, {"body": "Keep it.", "parent": first.json()["id"]}, format="json"
    )

    assert first.status_code == reply.status_code == 201
    assert first.json()["quote"] == "Smile with confidence."
    assert reply.json()["parent"] == first.json()["id"]
    listed = coordinator_api.get(comments_url).json()
    assert [c["body"] for c in listed] == ["Too bold?", "Keep it."]


def test_a_comment_on_another_requests_version_or_reply_is_refused(team, project, coordinator_api):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    other = factories.approval_create(actor=team["coordinator"], project=project, title="Other")
    with scope(agency=team["agency"].pk):
        other_version = other.versions.get()
        other_comment = services.comment_add(
            author=team["owner"].user,
            membership=team["owner"],
            request=other,
            version=other_version,
            body="Hi",
        )
    before = approvals_state(team["agency"])

    response = coordinator_api.post(
        url("api_approval_comments", team["agency"], request_id=request.pk),
        {"body": "Hm", "version": other_version.pk, "parent": other_comment.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "version": ["Choose a version of this request."],
        "parent": ["Reply to a comment of this request."],
    }
    assert approvals_state(team["agency"]) == before


# --- Decisions come from the client --------------------------------------------------------


def test_staff_cannot_decide_for_the_client(team, project):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    before = approvals_state(team["agency"])

    response = token_client(team["owner"].user).post(
        url("api_approval_decision", team["agency"], request_id=request.pk),
        {"verdict": "approve"},
        format="json",
    )

    assert response.status_code == 403
    assert "Decisions come from the client" in response.json()["detail"]
    assert approvals_state(team["agency"]) == before


# --- The decision log ----------------------------------------------------------------------


def test_a_coordinator_logs_a_decision_from_a_call_and_corrects_it_with_a_new_entry(
    team, project, coordinator_api
):
    client = team["clients"][0]
    entry = coordinator_api.post(
        url("api_decision_list", team["agency"]),
        {
            "client": client.pk,
            "project": project.pk,
            "decided_on": "2026-05-08",
            "decision": "Launch moves to June.",
            "approver_name": "Dr Lee",
            "asset": "Spring campaign",
            "impact_timeline": "+5 business days",
            "source_kind": "call",
            "source_note": "Call with Dr Lee",
        },
        format="json",
    )
    assert entry.status_code == 201, entry.json()
    assert entry.json()["recorded_by"]["name"] == "Casey Coordinator"
    assert entry.json()["number"] == 1

    correction = coordinator_api.post(
        url("api_decision_list", team["agency"]),
        {
            "client": client.pk,
            "decided_on": "2026-05-08",
            "decision": "Launch moves to 3 June.",
            "approver_name": "Dr Lee",
            "asset": "Spring campaign",
            "corrects": entry.json()["id"],
        },
        format="json",
    )

    assert correction.status_code == 201
    assert correction.json()["corrects"] == entry.json()["id"]
    assert correction.json()["number"] == 2
    original = coordinator_api.get(
        url("api_decision_detail", team["agency"], entry_id=entry.json()["id"])
    ).json()
    assert original["corrected_by"] == [correction.json()["id"]]
    assert original["number"] == 1
    assert (
        coordinator_api.get(
            url("api_decision_detail", team["agency"], entry_id=correction.json()["id"])
        ).json()["number"]
        == 2
    )
    assert original["decision"] == "Launch moves to June."


def test_bad_log_entries_are_refused_by_field_and_add_nothing(team, other_team, project, coordinator_api):
    other_project = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    log_url = url("api_decision_list", team["agency"])
    entry = {"decided_on": "2026-05-08", "decision": "Go", "approver_name": "Dr Lee", "asset": "Site"}
    before = approvals_state(team["agency"])

    foreign = coordinator_api.post(log_url, {**entry, "client": other_team["clients"][0].pk}, format="json")
    wrong_project = coordinator_api.post(
        log_url, {**entry, "client": team["clients"][0].pk, "project": other_project.pk}, format="json"
    )
    no_date = coordinator_api.post(
        log_url, {**entry, "client": team["clients"][0].pk, "decided_on": ""}, format="json"
    )

    assert foreign.status_code == wrong_project.status_code == no_date.status_code == 400
    assert foreign.json() == {"client": ["Choose one of your clients."]}
    assert wrong_project.json() == {"project": ["Choose a project of this client."]}
    assert list(no_date.json()) == ["decided_on"]
    assert approvals_state(team["agency"]) == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_decision_log_cannot_be_edited_or_deleted_through_the_api(team, project, approver, method):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        services.approval_decide(contact=approver, request=request, verdict="approve")
        entry = DecisionLogEntry.objects.get()
    owner = token_client(team["owner"].user)
    before = approvals_state(team["agency"])

    on_entry = getattr(owner, method)(
        url("api_decision_detail", team["agency"], entry_id=entry.pk),
        {"decision": "Rejected."},
        format="json",
    )
    on_log = getattr(owner, method)(
        url("api_decision_list", team["agency"]), {"decision": "x"}, format="json"
    )

    assert on_entry.status_code == on_log.status_code == 405
    assert approvals_state(team["agency"]) == before
    with scope(agency=team["agency"].pk):
        assert DecisionLogEntry.objects.get().decision.startswith("Approve: Landing page copy")


def test_the_log_filters_by_client(team, project, coordinator_api):
    for client in team["clients"]:
        with scope(agency=team["agency"].pk):
            services.decision_log_add(
                actor=team["coordinator"],
                client=client,
                decision=f"Decided for {client.name}",
                approver_name="X",
                asset="Y",
                decided_on=timezone.localdate(),
            )

    log = coordinator_api.get(
        url("api_decision_list", team["agency"]), {"client": team["clients"][1].pk}
    ).json()

    assert [e["decision"] for e in log["results"]] == ["Decided for Birch Bakery"]


@pytest.mark.parametrize("total", [5, 60])
def test_the_decision_log_and_change_requests_cost_the_same_queries_for_5_or_60_rows(
    team, project, total, django_assert_num_queries
):
    with scope(agency=team["agency"].pk):
        first = None
        for n in range(total):
            entry = services.decision_log_add(
                actor=team["coordinator"],
                client=project.client,
                project=project,
                decision=f"Decision {n}",
                approver_name="Dr Lee",
                asset="Site",
                decided_on=timezone.localdate(),
                corrects=first,
            )
            first = first or entry
            services.change_request_create(
                requester=team["coordinator"], project=project, description=f"Change {n}", rework_days=1
            )
    api = token_client(team["owner"].user)

    # Token and user, membership, page count, the page, the corrections of the page's entries.
    with django_assert_num_queries(5):
        log = api.get(url("api_decision_list", team["agency"]), {"limit": 100})
    # Token and user, membership, page count, the page (decision, requester and task joined in).
    with django_assert_num_queries(4):
        changes = api.get(url("api_change_request_list", team["agency"]), {"limit": 100})

    assert log.json()["count"] == changes.json()["count"] == total
    assert len(next(e for e in log.json()["results"] if e["id"] == first.pk)["corrected_by"]) == total - 1
    assert {c["requested_by"] for c in changes.json()["results"]} == {"Casey Coordinator"}


# --- Change requests -----------------------------------------------------------------------


def test_revising_approved_work_cites_the_decision_and_approving_it_moves_the_task(
    team, project, approver, coordinator_api
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        services.approval_decide(contact=approver, request=request, verdict="approve")
        task = Task.objects.get(pk=request.task_id)
        due_before = task.due_date

    raised = coordinator_api.post(
        url("api_change_request_list", team["agency"]),
        {
            "approval_request": request.pk,
            "description": "New headline after the board meeting.",
            "rework_days": 2,
            "impact_budget": "300",
        },
        format="json",
    )

    assert raised.status_code == 201, raised.json()
    assert raised.json()["citation"].startswith("Homepage messaging was approved on ")
    assert raised.json()["citation"].endswith(f"by {approver.full_name}.")
    assert raised.json()["status"] == "pending"
    assert raised.json()["affected_task"] == {"id": task.pk, "title": task.title}
    listed = coordinator_api.get(url("api_change_request_list", team["agency"]), {"status": "pending"}).json()
    assert [c["id"] for c in listed["results"]] == [raised.json()["id"]]

    decided = coordinator_api.post(
        url("api_change_request_decision", team["agency"], change_request_id=raised.json()["id"]),
        {"verdict": "approved", "note": "Agreed with Dr Lee."},
        format="json",
    )

    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    assert decided.json()["decision"]["decided_by"] == "Casey Coordinator"
    with scope(agency=team["agency"].pk):
        assert Task.objects.get(pk=task.pk).due_date > due_before
        assert DeadlineChange.objects.filter(
            source_reference=f"change-request:{raised.json()['id']}"
        ).exists()
    again = coordinator_api.post(
        url("api_change_request_decision", team["agency"], change_request_id=raised.json()["id"]),
        {"verdict": "rejected"},
        format="json",
    )
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This change request has already been decided."]}


def test_a_change_request_names_its_project_or_approval(team, project, coordinator_api):
    other_project = factories.project_create(actor=team["coordinator"], client=team["clients"][1])
    request = factories.approval_create(actor=team["coordinator"], project=project)
    before = approvals_state(team["agency"])
    create = url("api_change_request_list", team["agency"])

    nothing = coordinator_api.post(create, {"description": "More pages"}, format="json")
    mismatched = coordinator_api.post(
        create,
        {"description": "More pages", "project": other_project.pk, "approval_request": request.pk},
        format="json",
    )

    assert nothing.json() == {"project": ["Say which project (or approval request) the change is for."]}
    assert mismatched.json() == {"approval_request": ["Choose an approval request of this project."]}
    assert approvals_state(team["agency"]) == before


# --- Tenancy -------------------------------------------------------------------------------


def object_routes(urlconf) -> list[tuple[str, str, str]]:
    """(method, route name, object kwarg) for every route of an API urlconf that names an object, so a
    new route is probed the day it is added."""
    routes = []
    for pattern in urlconf.urlpatterns:
        kwargs = list(pattern.pattern.converters)
        for method in ("get", "post", "put", "patch", "delete"):
            if kwargs and hasattr(pattern.callback.view_class, method):
                routes.append((method, pattern.name, kwargs[0]))
    return routes


STAFF_ENDPOINTS = object_routes(api_urls)


def test_every_staff_route_naming_an_object_is_probed_below():
    assert {kwarg for _, _, kwarg in STAFF_ENDPOINTS} == {
        "request_id",
        "entry_id",
        "change_request_id",
        "version_id",
    }
    assert len(STAFF_ENDPOINTS) >= 10


@pytest.mark.parametrize("method, name, kwarg", STAFF_ENDPOINTS)
def test_another_agencys_objects_answer_404_exactly_like_missing_ones(
    team, other_team, method, name, kwarg, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    theirs = factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0])
    request = factories.approval_create(actor=other_team["coordinator"], project=theirs)
    with scope(agency=other_team["agency"].pk):
        services.approval_decide(contact=other_team["contacts"][0], request=request, verdict="approve")
        change = services.approval_request_revision(
            request=request, description="Revise", requester=other_team["coordinator"]
        )
        entry = DecisionLogEntry.objects.get(approval_request=request)
        version = factories.approval_create(
            actor=other_team["coordinator"],
            project=theirs,
            title="Print proof",
            text="",
            kind="image",  # the file's bytes decide image or PDF
            upload=factories.pdf_upload(pages=1),
        ).versions.get()
    their_ids = {
        "request_id": request.pk,
        "entry_id": entry.pk,
        "change_request_id": change.pk,
        "version_id": version.pk,
    }
    # A version's rendered page also needs its number.
    extra = {"page": 1} if name == "api_version_page" else {}
    owner = token_client(team["owner"].user)
    body = {"body": "Hello", "text": "v2", "verdict": "approved", "accept_change_request": True}
    before = approvals_state(other_team["agency"])

    theirs_response = getattr(owner, method)(
        url(name, team["agency"], **{kwarg: their_ids[kwarg]}, **extra), body, format="json"
    )
    missing_response = getattr(owner, method)(
        url(name, team["agency"], **{kwarg: MISSING_ID}, **extra), body, format="json"
    )

    assert theirs_response.status_code == missing_response.status_code == 404
    assert theirs_response.content == missing_response.content
    assert theirs_response.json() == NOT_FOUND_BODY
    assert approvals_state(other_team["agency"]) == before


def test_an_agency_the_caller_does_not_belong_to_answers_404_and_lists_nothing(team, other_team):
    theirs = factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0])
    factories.approval_create(actor=other_team["coordinator"], project=theirs)
    owner = token_client(team["owner"].user)

    for name in ("api_approval_list", "api_decision_list", "api_change_request_list"):
        response = owner.get(url(name, other_team["agency"]))
        assert response.status_code == 404
        assert response.json() == NOT_FOUND_BODY
    assert owner.get(url("api_approval_list", team["agency"])).json()["count"] == 0


def test_a_client_contact_gets_404_from_the_staff_api(team, project, approver):
    request = factories.approval_create(actor=team["coordinator"], project=project)

    response = token_client(approver.user).get(
        url("api_approval_detail", team["agency"], request_id=request.pk)
    )

    assert response.status_code == 404
    assert json.loads(response.content) == NOT_FOUND_BODY
