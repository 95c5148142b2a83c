"""Isolation in the client portal's approval pages: a contact sees only their own client's sent work.

Another client's request, of the same agency or another one, is a 404 on every portal route (GET and
POST, and nothing changes); internal comments, unsent versions and staff-only fields never reach a
portal page's bytes.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from approvals import portal_urls, services
from approvals.models import (
    ApprovalRequest,
    ChangeRequest,
    ChangeRequestDecision,
    Comment,
    DecisionLogEntry,
    ReviewerDecision,
)
from tests import factories

pytestmark = pytest.mark.django_db

# What each portal URL kwarg stands for, in a furnished client world (see _client_world).
WORLD_KEY_FOR_KWARG = {
    "request_id": "request",
    "version_id": "version",
    "page": "page",
    "change_request_id": "change_request",
}


def _client_world(team: dict, client_index: int, *, title: str) -> dict:
    """A client's approved PDF request (so files, pages, the log and a change request exist)."""
    coordinator = team["coordinator"]
    contact = team["contacts"][client_index]
    project = factories.project_create(actor=coordinator, client=team["clients"][client_index])
    request = factories.approval_create(
        actor=coordinator,
        project=project,
        contact=contact,
        title=title,
        kind="pdf",
        upload=factories.pdf_upload(pages=2),
    )
    with scope(agency=team["agency"].pk):
        version = request.versions.get()
        services.comment_add(
            author=contact.user,
            request=request,
            version=version,
            body=f"{title}: a client comment",
            contact=contact,
        )
        services.approval_decide(contact=contact, request=request, verdict="approve")
        change_request = services.approval_request_revision(
            request=request, description=f"{title}: a revision", contact=contact
        )
    return {
        "request": request,
        "version": version,
        "page": 1,
        "change_request": change_request,
        "title": title,
    }


def _portal_routes() -> list[URLPattern]:
    return [p for p in portal_urls.urlpatterns if isinstance(p, URLPattern)]


def _url_for(pattern: URLPattern, agency, world: dict) -> str:
    kwargs = {"agency_slug": agency.slug}
    for name in pattern.pattern.converters:
        assert name in WORLD_KEY_FOR_KWARG, f"teach this test what <{name}> stands for"
        value = world[WORLD_KEY_FOR_KWARG[name]]
        kwargs[name] = value if isinstance(value, int) else value.pk
    return reverse(pattern.name, kwargs=kwargs)


def _state() -> tuple:
    with scopes_disabled():
        return (
            Comment.objects.count(),
            ReviewerDecision.objects.count(),
            DecisionLogEntry.objects.count(),
            ChangeRequest.objects.count(),
            ChangeRequestDecision.objects.count(),
            list(ApprovalRequest.objects.order_by("pk").values_list("status", flat=True)),
        )


POST_DATA = {
    "body": "Sneaky comment",
    "verdict": "approved",
    "description": "Sneaky revision",
    "changes": "Sneaky",
    "comment": "Sneaky",
    "pin_x": "0.5",
    "pin_y": "0.5",
}


@pytest.mark.parametrize("whose", ["another client of the same agency", "a client of another agency"])
def test_another_clients_objects_answer_404_on_every_portal_route(team, other_team, as_contact, whose):
    _client_world(team, 0, title="Acme homepage")
    theirs = (
        _client_world(team, 1, title="Birch menu")
        if whose.startswith("another client")
        else _client_world(other_team, 0, title="Southpaw flyer")
    )
    before = _state()
    routes = [p for p in _portal_routes() if p.pattern.converters]
    assert {p.name for p in routes} >= {
        "portal_approval",
        "portal_comment_create",
        "portal_decide",
        "portal_advise",
        "portal_request_revision",
        "portal_version_file",
        "portal_version_page",
        "portal_change_request",
    }

    for pattern in routes:
        url = _url_for(pattern, team["agency"], theirs)
        for method in ("get", "post"):
            response = getattr(as_contact, method)(url, POST_DATA if method == "post" else None)
            assert response.status_code == 404, f"{method.upper()} {pattern.name}"
            assert theirs["title"].encode() not in response.content, f"{method.upper()} {pattern.name}"

    assert _state() == before
    for name in ("portal_home", "portal_decision_log"):
        page = as_contact.get(reverse(name, kwargs={"agency_slug": team["agency"].slug}))
        assert "Acme homepage" in page.content.decode()
        assert theirs["title"].encode() not in page.content, name


def test_the_contacts_own_client_is_served_on_every_portal_route(team, as_contact):
    """The other side of the 404s above: the same routes work for the contact's own client's objects."""
    ours = _client_world(team, 0, title="Acme homepage")

    for pattern in _portal_routes():
        url = _url_for(pattern, team["agency"], ours)
        response = as_contact.get(url)
        assert response.status_code in (200, 302), pattern.name
        if response.status_code == 302:
            # Action URLs send a GET back to the request's page.
            assert response["Location"].startswith(
                reverse(
                    "portal_approval",
                    kwargs={"agency_slug": team["agency"].slug, "request_id": ours["request"].pk},
                )
            )


def test_internal_comments_and_replies_to_them_never_reach_a_portal_page(team, as_contact):
    coordinator, contact = team["coordinator"], team["contacts"][0]
    project = factories.project_create(actor=coordinator, client=team["clients"][0])
    request = factories.approval_create(
        actor=coordinator, project=project, kind="image", upload=factories.png_upload()
    )
    secrets = [
        "INTERNAL-margin-is-thin",
        "INTERNAL-reply-to-internal",
        "INTERNAL-on-version-two",
        "INTERNAL-reply-to-client",
    ]
    with scope(agency=team["agency"].pk):
        v1 = request.versions.get()
        internal = services.comment_add(
            author=coordinator.user,
            request=request,
            version=v1,
            body=secrets[0],
            membership=coordinator,
            is_internal=True,
            page=1,
            pin_x=0.9,
            pin_y=0.9,
        )
        services.comment_add(
            author=coordinator.user,
            request=request,
            version=v1,
            body=secrets[1],
            membership=coordinator,
            parent=internal,
        )
        client_comment = services.comment_add(
            author=contact.user, request=request, version=v1, body="Client says hello", contact=contact
        )
        services.comment_add(
            author=coordinator.user,
            request=request,
            version=v1,
            body=secrets[3],
            membership=coordinator,
            parent=client_comment,
            is_internal=True,
        )
        services.version_add(actor=coordinator, request=request, kind="image", upload=factories.png_upload())
        request = services.approval_request_send(actor=coordinator, request=request)
        v2 = request.versions.get(number=2)
        services.comment_add(
            author=coordinator.user,
            request=request,
            version=v2,
            body=secrets[2],
            membership=coordinator,
            is_internal=True,
        )
    slug = team["agency"].slug
    approval_url = reverse("portal_approval", kwargs={"agency_slug": slug, "request_id": request.pk})
    pages = [
        as_contact.get(reverse("portal_home", kwargs={"agency_slug": slug})),
        as_contact.get(approval_url),
        as_contact.get(approval_url + "?version=1"),
        as_contact.get(approval_url + "?version=2"),
        as_contact.get(approval_url, HTTP_HX_REQUEST="true"),
        as_contact.post(
            reverse("portal_comment_create", kwargs={"agency_slug": slug, "request_id": request.pk}),
            {"body": "A new client comment"},
            HTTP_HX_REQUEST="true",
        ),
        as_contact.post(  # a refused comment re-renders the whole page
            reverse("portal_comment_create", kwargs={"agency_slug": slug, "request_id": request.pk}),
            {"body": ""},
        ),
    ]
    as_contact.post(
        reverse("portal_decide", kwargs={"agency_slug": slug, "request_id": request.pk}),
        {"verdict": "approve"},
    )
    pages += [
        as_contact.get(approval_url),
        as_contact.get(approval_url + "?version=1"),
        as_contact.get(reverse("portal_decision_log", kwargs={"agency_slug": slug})),
    ]

    assert b"Client says hello" in pages[2].content and b"A new client comment" in pages[5].content
    # v1's pinned internal comment left no pin behind either (0.9 of 400x300 is 360, 270).
    assert b'cx="360"' not in pages[2].content
    for response in pages:
        assert response.status_code == 200
        for secret in secrets:
            assert secret.encode() not in response.content, (response.request["PATH_INFO"], secret)


def test_unsent_versions_and_never_sent_requests_stay_out_of_the_portal(team, as_contact):
    coordinator = team["coordinator"]
    project = factories.project_create(actor=coordinator, client=team["clients"][0])
    request = factories.approval_create(
        actor=coordinator, project=project, title="Sent brochure", kind="image", upload=factories.png_upload()
    )
    draft = factories.approval_create(actor=coordinator, project=project, title="Unsent poster", send=False)
    with scope(agency=team["agency"].pk):
        unsent = services.version_add(
            actor=coordinator,
            request=request,
            kind="image",
            upload=factories.png_upload(),
            notes="Secret-notes-of-the-draft-version",
        )
    slug = team["agency"].slug
    approval_url = reverse("portal_approval", kwargs={"agency_slug": slug, "request_id": request.pk})

    page = as_contact.get(approval_url).content.decode()
    home = as_contact.get(reverse("portal_home", kwargs={"agency_slug": slug})).content.decode()

    assert "Version 1" in page and "Version 2" not in page
    assert "Secret-notes-of-the-draft-version" not in page
    assert as_contact.get(approval_url + "?version=2").status_code == 404
    assert (
        as_contact.get(
            reverse("portal_version_file", kwargs={"agency_slug": slug, "version_id": unsent.pk})
        ).status_code
        == 404
    )
    assert (
        as_contact.get(
            reverse("portal_approval", kwargs={"agency_slug": slug, "request_id": draft.pk})
        ).status_code
        == 404
    )
    assert "Unsent poster" not in home


def test_staff_only_fields_never_reach_the_portal(team, as_contact):
    coordinator, contact = team["coordinator"], team["contacts"][0]
    signer = team["members"][0]
    project = factories.project_create(actor=coordinator, client=team["clients"][0])
    request = factories.approval_create(actor=coordinator, project=project, internal_approver=signer)
    with scope(agency=team["agency"].pk):
        request = services.approval_internal_signoff(actor=signer, request=request)
        services.approval_decide(contact=contact, request=request, verdict="approve")
        services.decision_log_add(
            actor=coordinator,
            client=contact.client,
            decision="Budget agreed",
            approver_name="Anna Li",
            asset="Spring campaign",
            decided_on=timezone.localdate(),
        )
    slug = team["agency"].slug

    pages = [
        as_contact.get(reverse("portal_home", kwargs={"agency_slug": slug})),
        as_contact.get(reverse("portal_approval", kwargs={"agency_slug": slug, "request_id": request.pk})),
        as_contact.get(reverse("portal_decision_log", kwargs={"agency_slug": slug})),
    ]

    assert b"Budget agreed" in pages[2].content
    for response in pages:
        content = response.content.decode()
        assert signer.user.full_name not in content  # the internal approver
        assert coordinator.user.full_name not in content  # who recorded the log entry
        assert "internal sign-off" not in content.lower()


def test_a_reply_to_an_internal_comment_is_refused_and_nothing_is_stored(team, as_contact):
    coordinator = team["coordinator"]
    project = factories.project_create(actor=coordinator, client=team["clients"][0])
    request = factories.approval_create(actor=coordinator, project=project)
    with scope(agency=team["agency"].pk):
        internal = services.comment_add(
            author=coordinator.user,
            request=request,
            version=request.versions.get(),
            body="INTERNAL-only",
            membership=coordinator,
            is_internal=True,
        )
    before = _state()

    response = as_contact.post(
        reverse(
            "portal_comment_create", kwargs={"agency_slug": team["agency"].slug, "request_id": request.pk}
        ),
        {"body": "Replying to something I cannot see", "parent": internal.pk},
    )

    assert "Reply to a comment of this request." in response.content.decode()
    assert b"INTERNAL-only" not in response.content
    assert _state() == before
