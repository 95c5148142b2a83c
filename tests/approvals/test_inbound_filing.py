"""Client mail and chat reaching the inbox: filed as captured feedback on the right request, or held.

Mail goes through the real receivers: an aiosmtpd listener on a free port (what `make run` starts) spoken to
with smtplib, and the provider webhook through the test client.
"""

from __future__ import annotations

import json
import smtplib
import socket
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.core import mail as outbox
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agencyops.inbound.models import InboundMessage, OutboundMessage
from agencyops.inbound.services import InboundRefused, inbound_email_receive
from agencyops.inbound.smtp import inbound_smtp_controller
from approvals.models import Comment, FeedbackSource
from approvals.services import approval_request_send
from tests import factories

SECRET = "inbound-test-secret"


@pytest.fixture(autouse=True)
def inbound_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.INBOUND_EMAIL_DOMAIN = "in.example.test"
    settings.INBOUND_EMAIL_SECRET = SECRET
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def client_mail(
    *,
    to: str,
    sender: str,
    body: str = "Please make the headline shorter.",
    subject: str = "Re: Landing page copy",
    in_reply_to: str = "",
    attachment: bytes | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(domain="client.test")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="notes.pdf")
    return message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """The development SMTP listener on a free port; yields its port."""
    port = free_port()
    controller = inbound_smtp_controller(host="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def send_over_smtp(port: int, message: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.send_message(message)


def comments_of(agency, request) -> list[Comment]:
    with scope(agency=agency.pk):
        return list(
            Comment.objects.filter(request=request, source__in=[FeedbackSource.EMAIL, FeedbackSource.CHAT])
        )


@pytest.fixture
def acme(team) -> dict:
    """Agency A's first client with one sent request on a project, and the request's own inbound address."""
    owner, client, contact = team["owner"], team["clients"][0], team["contacts"][0]
    project = factories.project_create(actor=owner, client=client, name="Spring launch")
    request = factories.approval_create(actor=owner, project=project, contact=contact)
    address = factories.inbound_address_create(actor=owner, client=client, request=request)
    return {
        **team,
        "client": client,
        "contact": contact,
        "project": project,
        "request": request,
        "address": address,
    }


@pytest.mark.django_db(transaction=True)
def test_a_mail_sent_over_smtp_to_a_requests_address_appears_as_captured_feedback_on_it(acme, smtp_server):
    contact, request = acme["contact"], acme["request"]
    body = (
        "Please make the headline shorter.\n\nKind regards,\nAnna\n\n"
        "On Tue, 1 Dec 2026 at 10:00, Agency wrote:\n> Your copy is ready for approval.\n"
    )
    message = client_mail(
        to=acme["address"].email,
        sender=f"{contact.full_name} <{contact.email}>",
        body=body,
        attachment=b"%PDF-1.4 x",
    )

    send_over_smtp(smtp_server, message)

    [comment] = comments_of(acme["agency"], request)
    assert comment.source == FeedbackSource.EMAIL
    assert comment.said_by == f"{contact.full_name} <{contact.email}>"
    assert comment.body.startswith("Subject: Re: Landing page copy\n\nPlease make the headline shorter.")
    assert "Kind regards" not in comment.body and "Your copy is ready" not in comment.body
    assert "Attachments: notes.pdf" in comment.body
    with scope(agency=acme["agency"].pk):
        kept = InboundMessage.objects.get()
        assert kept.state == "filed"
        assert kept.filed_url.endswith(f"/approvals/{request.pk}/#comment-{comment.pk}")
        assert kept.raw.name.endswith(".eml")
        assert b"On Tue, 1 Dec 2026 at 10:00, Agency wrote:" in kept.raw.read()  # the whole mail, as received
        [attachment] = kept.attachments.all()
        assert (attachment.name, attachment.size_bytes, attachment.file.read()) == (
            "notes.pdf",
            10,
            b"%PDF-1.4 x",
        )


@pytest.mark.django_db(transaction=True)
def test_a_mail_from_a_stranger_is_held_in_the_inbox_and_never_filed(acme, smtp_server):
    send_over_smtp(
        smtp_server, client_mail(to=acme["address"].email, sender="Mallory <mallory@elsewhere.test>")
    )

    assert comments_of(acme["agency"], acme["request"]) == []
    with scope(agency=acme["agency"].pk):
        held = InboundMessage.objects.get()
    assert held.state == "held"
    assert "mallory@elsewhere.test is neither on the team nor a contact of Acme Dental" in held.state_reason
    assert held.sender_email == "mallory@elsewhere.test"


@pytest.mark.django_db(transaction=True)
def test_the_smtp_listener_refuses_unknown_addresses_and_replays_without_stopping(acme, smtp_server):
    contact = acme["contact"]
    with smtplib.SMTP("127.0.0.1", smtp_server, timeout=30) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.send_message(client_mail(to="someone@not-ours.test", sender=contact.email))
        with pytest.raises(smtplib.SMTPDataError) as unknown:
            smtp.send_message(client_mail(to="0000dead@in.example.test", sender=contact.email))
        assert unknown.value.smtp_code == 550
        message = client_mail(to=acme["address"].email, sender=contact.email)
        smtp.send_message(message)
        with pytest.raises(smtplib.SMTPDataError) as replay:
            smtp.send_message(message)
        assert replay.value.smtp_code == 554
        # The listener still takes the next message.
        smtp.send_message(client_mail(to=acme["address"].email, sender=contact.email, body="Second thought."))

    assert [c.body.split("\n\n")[-1] for c in comments_of(acme["agency"], acme["request"])] == [
        "Please make the headline shorter.",
        "Second thought.",
    ]


def test_a_reply_is_filed_on_the_request_its_in_reply_to_names(acme, django_capture_on_commit_callbacks):
    owner, contact, project = acme["owner"], acme["contact"], acme["project"]
    client_address = factories.inbound_address_create(actor=owner, client=acme["client"])
    # Two open requests: only the reply's In-Reply-To can tell which one the client answers.
    second = factories.approval_create(
        actor=owner, project=project, contact=contact, send=False, title="Banner"
    )
    outbox.outbox.clear()
    with scope(agency=owner.agency_id), django_capture_on_commit_callbacks(execute=True):
        approval_request_send(actor=owner, request=second)
    [sent] = [m for m in outbox.outbox if m.to == [contact.email]]
    our_id = sent.extra_headers["Message-ID"]
    assert sent.extra_headers["Reply-To"] == client_address.email
    assert sent.message()["Message-ID"] == our_id

    inbound_email_receive(
        raw=client_mail(to=client_address.email, sender=contact.email, in_reply_to=our_id).as_bytes(),
        recipients=[client_address.email],
    )

    assert len(comments_of(acme["agency"], second)) == 1
    assert comments_of(acme["agency"], acme["request"]) == []


def test_mail_to_the_clients_address_waits_when_the_client_has_several_open_requests(acme):
    owner, contact = acme["owner"], acme["contact"]
    client_address = factories.inbound_address_create(actor=owner, client=acme["client"])
    factories.approval_create(actor=owner, project=acme["project"], contact=contact, title="Banner")

    message = inbound_email_receive(
        raw=client_mail(to=client_address.email, sender=contact.email).as_bytes(), recipients=[]
    )

    assert message.state == "held"
    assert "No open request" in message.state_reason


def test_mail_to_the_clients_address_is_filed_on_its_only_open_request(acme):
    client_address = factories.inbound_address_create(actor=acme["owner"], client=acme["client"])
    # A team member forwarding the client's mail is a known sender too.
    member = acme["members"][0]

    message = inbound_email_receive(
        raw=client_mail(to=client_address.email, sender=member.user.email).as_bytes(),
        recipients=[client_address.email],
    )

    assert message.state == "filed"
    assert len(comments_of(acme["agency"], acme["request"])) == 1


def test_a_revoked_address_holds_mail_and_a_rotated_one_files_it(acme):
    owner, contact, old = acme["owner"], acme["contact"], acme["address"]
    new = factories.inbound_address_create(actor=owner, client=acme["client"], request=acme["request"])
    assert new.token != old.token

    held = inbound_email_receive(
        raw=client_mail(to=old.email, sender=contact.email).as_bytes(), recipients=[old.email]
    )
    filed = inbound_email_receive(
        raw=client_mail(to=new.email, sender=contact.email).as_bytes(), recipients=[new.email]
    )

    assert (held.state, filed.state) == ("held", "filed")
    assert "revoked" in held.state_reason


def test_a_replayed_message_is_refused_as_a_duplicate(acme):
    raw = client_mail(to=acme["address"].email, sender=acme["contact"].email).as_bytes()
    inbound_email_receive(raw=raw, recipients=[acme["address"].email])

    with pytest.raises(InboundRefused) as refused:
        inbound_email_receive(raw=raw, recipients=[acme["address"].email])

    assert refused.value.code == "duplicate"
    assert len(comments_of(acme["agency"], acme["request"])) == 1


def test_a_token_of_another_agency_never_files_into_this_one(acme, other_team, django_capture_on_commit_callbacks):
    """Agency B's address, with an In-Reply-To naming agency A's mail: it stays in B and touches nothing of A."""
    b_owner, b_contact = other_team["owner"], other_team["contacts"][0]
    b_address = factories.inbound_address_create(actor=b_owner, client=other_team["clients"][0])
    # A mail agency A really sent about its request (the Message-ID is recorded as the mail leaves).
    banner = factories.approval_create(
        actor=acme["owner"], project=acme["project"], contact=acme["contact"], send=False, title="Banner"
    )
    with scope(agency=acme["agency"].pk), django_capture_on_commit_callbacks(execute=True):
        approval_request_send(actor=acme["owner"], request=banner)
    with scope(agency=acme["agency"].pk):
        a_mail_id = OutboundMessage.objects.filter(target_id=banner.pk).values_list("message_id", flat=True)[0]

    message = inbound_email_receive(
        raw=client_mail(to=b_address.email, sender=b_contact.email, in_reply_to=a_mail_id).as_bytes(),
        recipients=[b_address.email],
    )

    assert message.agency_id == other_team["agency"].pk
    assert message.state == "held"
    assert comments_of(acme["agency"], acme["request"]) == []
    with scopes_disabled():
        assert not InboundMessage.objects.filter(agency=acme["agency"]).exists()


# --- The provider webhook ------------------------------------------------------------------


def post_mime(client, raw: bytes, *, secret: str = SECRET, recipient: str = ""):
    url = "/inbound/email/" + (f"?recipient={recipient}" if recipient else "")
    return client.post(url, data=raw, content_type="message/rfc822", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_webhook_refuses_a_wrong_or_missing_secret_and_keeps_nothing(acme, client):
    raw = client_mail(to=acme["address"].email, sender=acme["contact"].email).as_bytes()

    wrong = post_mime(client, raw, secret="guess")
    missing = client.post("/inbound/email/", data=raw, content_type="message/rfc822")

    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert wrong.json()["reason"] == "Wrong or missing secret."
    with scopes_disabled():
        assert not InboundMessage.objects.exists()


def test_the_webhook_files_mail_and_answers_bad_input_with_a_4xx(acme, client, settings):
    contact, address = acme["contact"], acme["address"]
    raw = client_mail(to="list@client.test", sender=contact.email).as_bytes()

    accepted = post_mime(client, raw, recipient=address.email)
    replayed = post_mime(client, raw, recipient=address.email)
    unknown = post_mime(client, client_mail(to="ffff@in.example.test", sender=contact.email).as_bytes())
    malformed = post_mime(client, b"\x00\x01 not mail", recipient=address.email)
    settings.INBOUND_EMAIL_MAX_BYTES = 2000
    huge = post_mime(client, client_mail(to=address.email, sender=contact.email, body="x" * 5000).as_bytes())

    assert accepted.status_code == 202 and accepted.json()["status"] == "filed"
    assert (replayed.status_code, replayed.json()["code"]) == (409, "duplicate")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_address")
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed")
    assert (huge.status_code, huge.json()["code"]) == (413, "too_large")
    assert len(comments_of(acme["agency"], acme["request"])) == 1


def test_an_attachment_above_the_limit_keeps_its_name_and_size_and_holds_the_mail(acme, settings):
    settings.INBOUND_ATTACHMENT_MAX_BYTES = 100
    raw = client_mail(to=acme["address"].email, sender=acme["contact"].email, attachment=b"%PDF" + b"x" * 500)

    message = inbound_email_receive(raw=raw.as_bytes(), recipients=[])

    assert message.state == "held"
    assert "Attachment too large" in message.state_reason
    with scope(agency=acme["agency"].pk):
        [attachment] = message.attachments.all()
    assert (attachment.name, attachment.size_bytes, bool(attachment.file)) == ("notes.pdf", 504, False)


# --- Chat ---------------------------------------------------------------------------------------


def test_a_chat_message_from_a_contact_is_filed_and_a_strangers_is_held(acme, client):
    client_address = factories.inbound_address_create(actor=acme["owner"], client=acme["client"])
    url = f"/hooks/chat/{client_address.token}/"

    known = client.post(
        url,
        data=json.dumps(
            {
                "text": "Go with option B",
                "user": acme["contact"].full_name,
                "channel": "#acme",
                "ts": "1764000000.0001",
            }
        ),
        content_type="application/json",
    )
    stranger = client.post(
        url,
        data=json.dumps(
            {"text": "Buy followers", "user": "spammer", "channel": "#acme", "ts": "1764000001.0001"}
        ),
        content_type="application/json",
    )
    replay = client.post(
        url,
        data=json.dumps(
            {
                "text": "Go with option B",
                "user": acme["contact"].full_name,
                "channel": "#acme",
                "ts": "1764000000.0001",
            }
        ),
        content_type="application/json",
    )
    wrong_token = client.post(
        "/hooks/chat/nope/", data=json.dumps({"text": "hi"}), content_type="application/json"
    )
    not_json = client.post(url, data="text=hi", content_type="application/x-www-form-urlencoded")

    assert (known.status_code, known.json()["status"]) == (202, "filed")
    assert (stranger.status_code, stranger.json()["status"]) == (202, "held")
    assert replay.status_code == 409
    assert wrong_token.status_code == 404
    assert not_json.status_code == 400
    [comment] = comments_of(acme["agency"], acme["request"])
    assert comment.source == FeedbackSource.CHAT
    assert comment.body == "Go with option B"
    assert comment.said_by == acme["contact"].full_name


# --- Forwards ---------------------------------------------------------------------------------


def forward_of(author: str, words: str) -> str:
    return (
        "See below.\n\n---------- Forwarded message ---------\n"
        f"From: {author}\nDate: Tue, 1 Dec 2026 at 10:00\nSubject: Landing page copy\nTo: team@agency.test\n\n"
        f"{words}\n\nThanks,\nAnna\n"
    )


def test_a_team_members_forward_of_the_clients_mail_is_filed_as_the_clients_feedback(acme):
    member, contact = acme["members"][0], acme["contact"]
    raw = client_mail(
        to=acme["address"].email,
        sender=member.user.email,
        subject="Fwd: Landing page copy",
        body=forward_of(f"{contact.full_name} <{contact.email}>", "Swap the hero photo."),
    ).as_bytes()

    message = inbound_email_receive(raw=raw, recipients=[acme["address"].email])

    assert message.state == "filed"
    assert (message.sender_email, message.forwarded_by) == (contact.email, member.user.email)
    [comment] = comments_of(acme["agency"], acme["request"])
    assert comment.said_by == f"{contact.full_name} <{contact.email}>"
    assert comment.body == "Subject: Landing page copy\n\nSwap the hero photo."


def test_a_forward_of_a_strangers_mail_is_held_even_from_a_team_member(acme):
    raw = client_mail(
        to=acme["address"].email,
        sender=acme["members"][0].user.email,
        subject="Fwd: offer",
        body=forward_of("Vendor <sales@vendor.test>", "Buy our banner ads."),
    ).as_bytes()

    message = inbound_email_receive(raw=raw, recipients=[acme["address"].email])

    assert message.state == "held"
    assert "Forwarded mail by sales@vendor.test" in message.state_reason
    assert comments_of(acme["agency"], acme["request"]) == []


# --- The platform's resolver registry ------------------------------------------------------------


def test_without_approvals_resolver_a_known_senders_mail_waits_in_the_inbox(acme):
    from agencyops.inbound import registry
    from approvals.inbound import REQUEST_TARGET, file_on_request

    registry.unregister_resolver(REQUEST_TARGET)
    try:
        message = inbound_email_receive(
            raw=client_mail(to=acme["address"].email, sender=acme["contact"].email).as_bytes(), recipients=[]
        )
    finally:
        registry.register_resolver(REQUEST_TARGET, file_on_request, order=10)

    assert message.state == "held"
    assert comments_of(acme["agency"], acme["request"]) == []


def test_a_failing_resolver_leaves_the_message_held_with_a_reason(acme):
    from agencyops.inbound import registry

    def broken(message):
        raise RuntimeError("a bug in some app")

    registry.register_resolver("tests.broken", broken, order=1)
    try:
        message = inbound_email_receive(
            raw=client_mail(to=acme["address"].email, sender=acme["contact"].email).as_bytes(), recipients=[]
        )
    finally:
        registry.unregister_resolver("tests.broken")

    assert message.state == "held"
    assert message.state_reason == "Could not be filed automatically; a coordinator files it."


def test_a_mail_without_a_message_id_is_still_refused_when_replayed(acme):
    message = client_mail(to=acme["address"].email, sender=acme["contact"].email)
    del message["Message-ID"]
    raw = message.as_bytes()
    inbound_email_receive(raw=raw, recipients=[])

    with pytest.raises(InboundRefused) as refused:
        inbound_email_receive(raw=raw, recipients=[])

    assert refused.value.code == "duplicate"


@pytest.mark.django_db(transaction=True)
def test_the_smtp_listener_refuses_oversized_and_unreadable_mail(acme, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 4000
    port = free_port()
    controller = inbound_smtp_controller(host="127.0.0.1", port=port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            huge = client_mail(to=acme["address"].email, sender=acme["contact"].email, body="x" * 10_000)
            with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as too_large:
                smtp.send_message(huge)
            assert too_large.value.smtp_code == 552
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            with pytest.raises(smtplib.SMTPDataError) as unreadable:
                smtp.sendmail(
                    "x@client.test", [acme["address"].email], b"Subject: no sender\r\n\r\nhello\r\n"
                )
            assert unreadable.value.smtp_code == 550
    finally:
        controller.stop()
    with scopes_disabled():
        assert not InboundMessage.objects.exists()
