"""The inbox pages: coordinators see what waits, file it or turn it into a task, change request or decision,
or discard it; inbound addresses are issued, rotated and revoked from the client's and the request's pages."""

from __future__ import annotations

import secrets
from email.message import EmailMessage

import pytest
from django_scopes import scope

from agencyops.inbound.models import InboundAddress, InboundMessage
from agencyops.inbound.services import inbound_email_receive
from approvals.models import ChangeRequest, Comment, DecisionLogEntry
from projects.models import Task
from tests import factories
from tests.reads import STAFF_PAGE_READS


@pytest.fixture(autouse=True)
def inbound_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.INBOUND_EMAIL_DOMAIN = "in.example.test"


def stranger_mail(
    address, *, body: str = "Can we add a Spanish version?", attachment: bool = False
) -> InboundMessage:
    mail = EmailMessage()
    mail["From"] = "Sam Stranger <sam@elsewhere.test>"
    mail["To"] = address.email
    mail["Subject"] = f"Idea {secrets.token_hex(3)}"
    mail["Message-ID"] = f"<{secrets.token_hex(8)}@elsewhere.test>"
    mail.set_content(body)
    if attachment:
        mail.add_attachment(b"%PDF-1.4 idea", maintype="application", subtype="pdf", filename="idea.pdf")
    return inbound_email_receive(raw=mail.as_bytes(), recipients=[address.email])


@pytest.fixture
def inbox(team) -> dict:
    owner, client = team["owner"], team["clients"][0]
    project = factories.project_create(actor=owner, client=client, name="Spring launch")
    request = factories.approval_create(actor=owner, project=project, contact=team["contacts"][0])
    address = factories.inbound_address_create(actor=owner, client=client)
    held = stranger_mail(address, attachment=True)
    return {
        **team,
        "client": client,
        "project": project,
        "request": request,
        "address": address,
        "held": held,
    }


def url(agency, name: str = "", message=None) -> str:
    base = f"/{agency.slug}/inbox/"
    return base + (f"{message.pk}/" if message is not None else "") + (f"{name}/" if name else "")


def reload(agency, message) -> InboundMessage:
    with scope(agency=agency.pk):
        return InboundMessage.objects.get(pk=message.pk)


@pytest.mark.parametrize("count", [3, 40])
def test_the_inbox_list_runs_the_same_number_of_queries_however_many_messages_wait(
    count, team, logged_in, django_assert_num_queries
):
    owner = team["owner"]
    address = factories.inbound_address_create(actor=owner, client=team["clients"][0])
    for _ in range(count):
        stranger_mail(address, attachment=True)
    http = logged_in(team["coordinator"].user)

    # the first reads, the page count, the page of messages (client, handler, attachment count), the
    # counts per state
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        response = http.get(f"/{team['agency'].slug}/inbox/")

    page = response.content.decode()
    assert page.count("Sam Stranger &lt;sam@elsewhere.test&gt;") == count
    assert page.count("1 attachment") == count
    assert f"Waiting in the inbox ({count})" in page


def test_the_list_filters_by_state(inbox, as_coordinator):
    agency = inbox["agency"]
    discarded = stranger_mail(inbox["address"], body="Win a prize")
    as_coordinator.post(url(agency, "discard", discarded), {"reason": "Spam"})

    held_page = as_coordinator.get(url(agency)).content.decode()
    discarded_page = as_coordinator.get(url(agency) + "?state=discarded").content.decode()

    assert inbox["held"].subject in held_page and discarded.subject not in held_page
    assert discarded.subject in discarded_page and inbox["held"].subject not in discarded_page
    assert "Spam" in discarded_page


def test_a_message_page_shows_the_sender_text_and_attachments_and_serves_them(inbox, as_coordinator):
    agency, held = inbox["agency"], inbox["held"]
    with scope(agency=agency.pk):
        attachment = held.attachments.get()

    page = as_coordinator.get(url(agency, message=held)).content.decode()
    download = as_coordinator.get(url(agency, f"attachments/{attachment.pk}", held))
    raw = as_coordinator.get(url(agency, "raw", held))

    assert "Sam Stranger &lt;sam@elsewhere.test&gt;" in page
    assert "Can we add a Spanish version?" in page
    assert "is neither on the team nor a contact" in page
    assert b"".join(download.streaming_content) == b"%PDF-1.4 idea"
    assert download["Content-Disposition"].startswith('attachment; filename="idea.pdf"')
    assert b"Can we add a Spanish version?" in b"".join(raw.streaming_content)


def test_a_coordinator_files_a_held_message_on_a_request_as_captured_feedback(inbox, as_coordinator):
    agency, held, request = inbox["agency"], inbox["held"], inbox["request"]

    response = as_coordinator.post(url(agency, "file", held), {"request_id": request.pk})

    assert response.status_code == 302
    with scope(agency=agency.pk):
        comment = Comment.objects.get(request=request, source="email")
    assert comment.said_by == "Sam Stranger <sam@elsewhere.test>"
    assert "Can we add a Spanish version?" in comment.body and "idea.pdf" in comment.body
    assert comment.author_membership == inbox["coordinator"]
    filed = reload(agency, held)
    assert (filed.state, filed.filed_kind, filed.filed_id) == ("filed", "approvals.comment", comment.pk)
    assert filed.handled_by == inbox["coordinator"]
    # The request's page leads back to the original and its attachments.
    request_page = as_coordinator.get(f"/{agency.slug}/approvals/{request.pk}/").content.decode()
    assert f'href="/{agency.slug}/inbox/{held.pk}/">original message and attachments' in request_page
    # Dealt with once: a second action is refused and changes nothing.
    again = as_coordinator.post(url(agency, "discard", held), {"reason": "oops"}, follow=True)
    assert "already been dealt with" in again.content.decode()
    assert reload(agency, held).state == "filed"


def test_a_held_message_becomes_a_task_a_change_request_or_a_decision_that_cite_it(inbox, as_coordinator):
    agency, project, address = inbox["agency"], inbox["project"], inbox["address"]
    for_task, for_change, for_decision = inbox["held"], stranger_mail(address), stranger_mail(address)

    as_coordinator.post(url(agency, "task", for_task), {"project_id": project.pk, "title": "Spanish version"})
    as_coordinator.post(
        url(agency, "change-request", for_change), {"project_id": project.pk, "description": ""}
    )
    as_coordinator.post(
        url(agency, "decision", for_decision),
        {"decision": "Go with Spanish", "asset": "Homepage", "decided_on": "2026-12-01"},
    )

    with scope(agency=agency.pk):
        task = Task.objects.get(project=project, title="Spanish version")
        change = ChangeRequest.objects.get(
            project=project, description__contains="Can we add a Spanish version?"
        )
        entry = DecisionLogEntry.objects.get(client=inbox["client"], decision="Go with Spanish")
    assert f"/inbox/{for_change.pk}/" in change.description
    assert entry.source_kind == "email" and f"/inbox/{for_decision.pk}/" in entry.source_note
    assert entry.approver_name == "Sam Stranger"
    assert [
        (m.filed_kind, m.filed_id)
        for m in (reload(agency, for_task), reload(agency, for_change), reload(agency, for_decision))
    ] == [
        ("projects.task", task.pk),
        ("approvals.changerequest", change.pk),
        ("approvals.decisionlogentry", entry.pk),
    ]


def test_discarding_needs_a_reason(inbox, as_coordinator):
    agency, held = inbox["agency"], inbox["held"]

    refused = as_coordinator.post(url(agency, "discard", held), {"reason": " "}, follow=True)
    done = as_coordinator.post(url(agency, "discard", held), {"reason": "Not for us"})

    assert "Say why it is discarded." in refused.content.decode()
    assert done.status_code == 302
    message = reload(agency, held)
    assert (message.state, message.state_reason) == ("discarded", "Not for us")


def test_a_pasted_chat_message_waits_in_the_inbox_with_its_source(inbox, as_coordinator):
    agency = inbox["agency"]

    missing = as_coordinator.post(
        url(agency, "paste"), {"client_id": inbox["client"].pk, "text": "", "said_by": "", "source": ""}
    )
    response = as_coordinator.post(
        url(agency, "paste"),
        {
            "client_id": inbox["client"].pk,
            "text": "Use the green logo",
            "said_by": "Anna",
            "source": "WhatsApp",
            "said_at": "2026-12-01T10:30",
        },
    )

    assert (
        "Paste the message." in missing.content.decode() and "Say who wrote it." in missing.content.decode()
    )
    with scope(agency=agency.pk):
        pasted = InboundMessage.objects.get(channel="pasted")
    assert response["Location"] == url(agency, message=pasted)
    assert (pasted.text, pasted.sender_name, pasted.source_detail, pasted.state) == (
        "Use the green logo",
        "Anna",
        "WhatsApp",
        "held",
    )


def test_team_members_without_a_lead_role_cannot_use_the_inbox(inbox, as_member):
    agency, held = inbox["agency"], inbox["held"]

    assert as_member.get(url(agency)).status_code == 403
    assert as_member.post(url(agency, "discard", held), {"reason": "x"}).status_code == 403
    assert reload(agency, held).state == "held"


def test_another_agencys_inbox_message_is_a_404_like_a_missing_one(inbox, other_team, logged_in):
    foreign = logged_in(other_team["owner"].user)
    other_slug = other_team["agency"].slug
    held = inbox["held"]

    for path in ("", "raw/", "file/", "discard/"):
        method = foreign.get if path in ("", "raw/") else foreign.post
        assert method(f"/{other_slug}/inbox/{held.pk}/{path}").status_code == 404
        assert method(f"/{other_slug}/inbox/2147483647/{path}").status_code == 404
    assert reload(inbox["agency"], held).state == "held"


def test_a_client_address_is_issued_rotated_and_revoked_from_the_client_page(team, as_coordinator):
    agency, client = team["agency"], team["clients"][0]
    action = f"/{agency.slug}/clients/{client.pk}/inbound-address/"

    as_coordinator.post(action, {"action": "issue"})
    with scope(agency=agency.pk):
        first = InboundAddress.objects.get(client=client)
    page = as_coordinator.get(f"/{agency.slug}/clients/{client.pk}/").content.decode()
    as_coordinator.post(action, {"action": "issue"})
    as_coordinator.post(action, {"action": "revoke"})

    assert first.email in page and f"/hooks/chat/{first.token}/" in page
    with scope(agency=agency.pk):
        addresses = list(InboundAddress.objects.filter(client=client).order_by("pk"))
    assert len(addresses) == 2 and addresses[1].token != first.token
    assert all(a.revoked_at is not None for a in addresses)
    assert first.email not in as_coordinator.get(f"/{agency.slug}/clients/{client.pk}/").content.decode()


def test_a_request_gets_its_own_address_on_its_page(inbox, as_coordinator):
    agency, request = inbox["agency"], inbox["request"]

    as_coordinator.post(f"/{agency.slug}/approvals/{request.pk}/inbound-address/", {"action": "issue"})

    with scope(agency=agency.pk):
        address = InboundAddress.objects.get(target="approvals.request", target_id=request.pk)
    assert address.client_id == request.client_id
    assert address.email in as_coordinator.get(f"/{agency.slug}/approvals/{request.pk}/").content.decode()
