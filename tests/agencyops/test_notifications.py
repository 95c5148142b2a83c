"""Notifications as a platform service: routing by a person's preferences, mail from a retrying task,
the daily digest with its one-click unsubscribe, the bell and the notification centre."""

from __future__ import annotations

import re
import socket
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from agencyops.celery import app
from agencyops.models import Invitation, Notification, NotificationPreference
from agencyops.notifications import services
from agencyops.notifications.tasks import notification_mail_send, send_digests_for_agency
from agencyops.notifications.unsubscribe import unsubscribe_token
from agencyops.services import accounts
from approvals import services as approval_services
from approvals.tasks import remind_approvers_for_agency
from projects import services as project_services
from projects.models import Task, TaskDependency, TaskStatus
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(team):
    return factories.project_create(actor=team["coordinator"], client=team["clients"][0])


def _lead_of(request):
    with scope(agency=request.agency_id):
        return request.project.coordinator or request.created_by


def _decide(team, project, captured):
    """A client approves a sent request, through the real services; returns the person told about it."""
    request = factories.approval_create(actor=team["coordinator"], project=project, title="Homepage proof")
    mail.outbox.clear()
    with captured(execute=True), scope(agency=team["agency"].pk):
        approval_services.approval_decide(contact=team["contacts"][0], request=request, verdict="approve")
    return request, _lead_of(request)


def _choose(membership, kind: str, channel: str) -> None:
    with scope(agency=membership.agency_id):
        services.notification_preferences_set(
            agency=membership.agency, user=membership.user, choices={kind: channel}
        )


def _notifications_of(membership):
    with scope(agency=membership.agency_id):
        return list(Notification.objects.filter(recipient=membership.user).order_by("pk"))


# --------------------------------------------------------------------------- routing by preference


@pytest.mark.parametrize(
    ("channel", "mailed_now", "stored", "in_digest"),
    [
        ("mail", True, True, False),
        ("in_app", False, True, False),
        ("digest", False, True, True),
        ("off", False, False, False),
    ],
)
def test_a_persons_preference_routes_a_decided_approval_to_mail_in_app_digest_or_nowhere(
    channel, mailed_now, stored, in_digest, team, project, django_capture_on_commit_callbacks
):
    lead = team["coordinator"]
    _choose(lead, "approval_decided", channel)

    request, told = _decide(team, project, django_capture_on_commit_callbacks)
    assert told == lead

    decision_mails = [m for m in mail.outbox if m.to == [lead.user.email]]
    assert len(decision_mails) == (1 if mailed_now else 0)
    if mailed_now:
        assert decision_mails[0].subject == "Approved: Homepage proof"
    decided = [n for n in _notifications_of(lead) if n.kind == "decision"]
    assert len(decided) == (1 if stored else 0)
    if stored:
        assert decided[0].channel == channel and decided[0].read_at is None
        assert decided[0].target_type == "approvals.approvalrequest" and decided[0].target_id == request.pk

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_digests_for_agency(team["agency"].pk)
    digests = [m for m in mail.outbox if m.to == [lead.user.email]]
    assert len(digests) == (1 if in_digest else 0)
    if in_digest:
        assert "Approved: Homepage proof" in digests[0].body


def test_without_a_choice_the_role_default_applies(team, project, django_capture_on_commit_callbacks):
    # A coordinator hears about decisions by mail; a member assigned nothing hears nothing about them.
    _, told = _decide(team, project, django_capture_on_commit_callbacks)
    assert told.role == "coordinator"
    assert [m.to for m in mail.outbox if m.subject.startswith("Approved:")] == [[told.user.email]]
    with scope(agency=team["agency"].pk):
        assert NotificationPreference.objects.count() == 0


def test_a_notification_is_mailed_at_most_once_even_when_its_task_runs_twice(
    team, project, django_capture_on_commit_callbacks
):
    _, lead = _decide(team, project, django_capture_on_commit_callbacks)
    decided = next(n for n in _notifications_of(lead) if n.kind == "decision")
    before = len(mail.outbox)

    assert notification_mail_send(decided.pk) is False
    assert notification_mail_send(decided.pk) is False
    assert len(mail.outbox) == before == 1
    with scope(agency=team["agency"].pk):
        assert Notification.objects.get(pk=decided.pk).mailed_at is not None


def test_the_same_event_twice_is_one_notification(team, project, django_capture_on_commit_callbacks):
    agency, owner = team["agency"], team["owner"]
    with django_capture_on_commit_callbacks(execute=True), scope(agency=agency.pk):
        for _ in range(2):
            services.notify(
                agency=agency, to=owner.user.email, recipient=owner.user, subject="Needs attention",
                body="Nobody owns the kickoff.", kind="escalation", dedupe_key="escalation:1:owner",
            )  # fmt: skip
    assert [m.subject for m in mail.outbox] == ["Needs attention"]
    assert len(_notifications_of(owner)) == 1


# --------------------------------------------------------------------------- the mail itself


def test_a_notification_mail_has_text_and_html_parts_the_agency_logo_inline_and_site_links(
    team, project, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    owner = team["owner"]
    with scope(agency=owner.agency_id):
        accounts.agency_update(
            actor=owner, agency=owner.agency, logo=factories.png_upload("logo.png", (60, 30))
        )

    request, lead = _decide(team, project, django_capture_on_commit_callbacks)

    message = next(m for m in mail.outbox if m.to == [lead.user.email])
    link = f"{settings.SITE_URL}/{team['agency'].slug}/approvals/{request.pk}/"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and link in html
    assert 'src="cid:agency-logo"' in html and team["agency"].name in html
    raw = message.message()
    assert raw.get_content_type() == "multipart/related"
    logo = [part for part in raw.walk() if part.get("Content-ID") == "<agency-logo>"]
    assert len(logo) == 1 and logo[0].get_content_type() == "image/png"
    assert logo[0].get_payload(decode=True).startswith(b"\x89PNG")


def test_an_smtp_server_that_is_down_never_fails_the_saved_change(team, as_owner, settings):
    # Nothing listens on this port: every connection is refused, the mail task's retries included.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", dead_port, 2
    agency = team["agency"]

    response = as_owner.post(
        reverse("member_invite", kwargs={"agency_slug": agency.slug}),
        {"email": "dana@example.test", "role": "member", "discipline": "", "weekly_capacity_hours": "40"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("member_list", kwargs={"agency_slug": agency.slug})
    with scope(agency=agency.pk):
        assert Invitation.objects.filter(email="dana@example.test").exists()


class FlakySMTPServer:
    """A real SMTP server on a local port that drops the first connection, then accepts mail."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.messages: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                if self.connections == 1:
                    continue  # dropped: the client sees the server disconnect before its greeting
                self._converse(conn.makefile("rwb"))

    def _converse(self, stream) -> None:
        def say(line: str) -> None:
            stream.write(line.encode() + b"\r\n")
            stream.flush()

        say("220 flaky ESMTP")
        while line := stream.readline():
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                say("250 flaky")
            elif command == b"DATA":
                say("354 go ahead")
                body = b""
                while (chunk := stream.readline()) not in (b".\r\n", b""):
                    body += chunk
                self.messages.append(body)
                say("250 queued")
            elif command == b"QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")

    def close(self) -> None:
        self.sock.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_mail_task_retries_a_dropped_smtp_connection_while_the_saved_change_stands(settings):
    team = factories.team_create(agency_name="Northwind Creative")
    server = FlakySMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    http = HttpClient()
    http.force_login(team["owner"].user, backend="django.contrib.auth.backends.ModelBackend")
    agency = team["agency"]
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            response = http.post(
                reverse("member_invite", kwargs={"agency_slug": agency.slug}),
                {
                    "email": "dana@example.test",
                    "role": "member",
                    "discipline": "",
                    "weekly_capacity_hours": "40",
                },
            )
            assert response.status_code == 302
            with scope(agency=agency.pk):
                assert Invitation.objects.filter(email="dana@example.test").exists()
            deadline = time.monotonic() + 30
            while not server.messages and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        server.close()
    # The first attempt met a dropped connection; the retry (after a backoff) delivered the invitation.
    assert server.connections >= 2
    assert len(server.messages) == 1
    assert b"dana@example.test" in server.messages[0]
    assert b"You're invited to Northwind Creative" in server.messages[0]


# --------------------------------------------------------------------------- digest and unsubscribe


def test_the_digest_mail_lists_the_items_and_its_unsubscribe_link_moves_them_to_in_app(
    team, project, django_capture_on_commit_callbacks, settings
):
    lead = team["coordinator"]
    _choose(lead, "approval_decided", "digest")
    _choose(lead, "escalation_raised", "digest")
    _decide(team, project, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True), scope(agency=team["agency"].pk):
        services.notify(
            agency=team["agency"], to=lead.user.email, recipient=lead.user, subject="Needs attention: Spring",
            body="Nobody owns the kickoff.", kind="escalation", dedupe_key="escalation:9:lead", url="/x/",
        )  # fmt: skip
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests_for_agency(team["agency"].pk) == 1
        assert send_digests_for_agency(team["agency"].pk) == 0  # each item goes in one digest only

    (digest,) = mail.outbox
    assert digest.to == [lead.user.email]
    assert "Approved: Homepage proof" in digest.body and "Needs attention: Spring" in digest.body
    assert "A client decided on an approval" in digest.body and "A risk was escalated" in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = digest.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith(settings.SITE_URL + "/accounts/unsubscribe/") and link in digest.body
    assert link in digest.alternatives[0][0]

    visitor = HttpClient()  # no login: the signature is the key
    path = urlsplit(link).path
    page = visitor.get(path)
    assert page.status_code == 200 and "Stop these digest mails" in page.content.decode()
    with scope(agency=team["agency"].pk):
        assert set(
            NotificationPreference.objects.filter(user=lead.user).values_list("channel", flat=True)
        ) == {"digest"}  # a GET (a link checker) changes nothing

    done = visitor.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    with scope(agency=team["agency"].pk):
        chosen = dict(NotificationPreference.objects.filter(user=lead.user).values_list("kind", "channel"))
    assert chosen == {"approval_decided": "in_app", "escalation_raised": "in_app"}


def test_a_forged_or_mangled_unsubscribe_link_is_refused_and_changes_nothing(team):
    lead = team["coordinator"]
    _choose(lead, "approval_decided", "digest")
    token = unsubscribe_token(user_id=lead.user_id, agency_id=lead.agency_id, kinds=["approval_decided"])
    visitor = HttpClient()
    for bad in (token[:-3] + "abc", "not-a-token", "x" * 5000):
        response = visitor.post(reverse("notification_unsubscribe", kwargs={"token": bad}))
        assert response.status_code == 400 and "not valid" in response.content.decode()
    with scope(agency=lead.agency_id):
        assert NotificationPreference.objects.get(user=lead.user).channel == "digest"


# --------------------------------------------------------------------------- the handoff


def test_a_task_whose_predecessors_are_all_done_tells_its_assignee_it_can_start(
    team, project, django_capture_on_commit_callbacks
):
    coordinator, designer = team["coordinator"], team["members"][0]
    with scope(agency=team["agency"].pk):
        link = TaskDependency.objects.filter(successor__project=project).select_related("successor").first()
        successor = link.successor
        project_services.task_assign(actor=coordinator, task=successor, assignee=designer)
        predecessors = list(Task.objects.filter(successor_links__successor=successor))
        with django_capture_on_commit_callbacks(execute=True):
            for before in predecessors[:-1]:
                project_services.task_update_status(actor=coordinator, task=before, status=TaskStatus.DONE)
            assert not Notification.objects.filter(kind="task_can_start").exists()
            project_services.task_update_status(
                actor=coordinator, task=predecessors[-1], status=TaskStatus.DONE
            )

        (told,) = Notification.objects.filter(kind="task_can_start")
    assert told.recipient == designer.user and told.target_id == successor.pk
    assert told.url == reverse(
        "task_detail", kwargs={"agency_slug": team["agency"].slug, "task_id": successor.pk}
    )
    assert [m.subject for m in mail.outbox if m.to == [designer.user.email]] == [
        f"You can start: {successor.title}"
    ]


def test_a_clients_change_request_tells_the_project_coordinator(
    team, project, django_capture_on_commit_callbacks
):
    coordinator = team["coordinator"]
    with django_capture_on_commit_callbacks(execute=True), scope(agency=team["agency"].pk):
        change = approval_services.change_request_create(
            project=project,
            contact=team["contacts"][0],
            description="Add a bilingual version",
            reason="other",
        )
    (told,) = [n for n in _notifications_of(coordinator) if n.kind == "change_requested"]
    assert told.target_type == "approvals.changerequest" and told.target_id == change.pk
    (message,) = [m for m in mail.outbox if m.to == [coordinator.user.email]]
    assert "Add a bilingual version" in message.body and f"/change-requests/{change.pk}/" in message.body


def test_an_approval_that_closes_a_review_milestone_tells_the_next_tasks_assignee(
    team, project, django_capture_on_commit_callbacks
):
    designer = team["members"][0]
    with scope(agency=team["agency"].pk):
        # The approval request gates the copy approval milestone (tests/factories.py:approval_create).
        milestone = project.tasks.get(key="copy-approval")
        successor = (
            TaskDependency.objects.filter(predecessor=milestone).select_related("successor").first().successor
        )
        for other in Task.objects.filter(successor_links__successor=successor).exclude(pk=milestone.pk):
            project_services.task_update_status(actor=team["coordinator"], task=other, status=TaskStatus.DONE)
        project_services.task_assign(actor=team["coordinator"], task=successor, assignee=designer)
    request = factories.approval_create(actor=team["coordinator"], project=project)
    assert request.task_id == milestone.pk
    with django_capture_on_commit_callbacks(execute=True), scope(agency=team["agency"].pk):
        approval_services.approval_decide(contact=team["contacts"][0], request=request, verdict="approve")
        told = list(Notification.objects.filter(kind="task_can_start", recipient=designer.user))
    assert [n.target_id for n in told] == [successor.pk]


# --------------------------------------------------------------------------- bell and centre


def _seed_notifications(membership, count: int, *, read: int = 0, days: int = 1) -> None:
    with scope(agency=membership.agency_id):
        now = timezone.now()
        Notification.objects.bulk_create(
            Notification(
                agency=membership.agency, recipient=membership.user, recipient_email=membership.user.email,
                kind="escalation", subject=f"Item {i}", body="Body", url=f"/item/{i}/", channel="in_app",
                dedupe_key=f"seed:{membership.pk}:{i}", created_at=now - timedelta(days=i % days, minutes=i),
                read_at=now if i < read else None,
            )
            for i in range(count)
        )  # fmt: skip


def _queries(http, url):
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("url_name", ["home", "project_list", "approval_list"])
def test_the_bell_shows_the_unread_count_without_a_query_of_its_own(url_name, team, as_owner):
    url = reverse(url_name, kwargs={"agency_slug": team["agency"].slug})
    as_owner.get(url)  # warm the fragment cache and the session
    before, page = _queries(as_owner, url)
    assert 'class="bell-count"' not in page

    _seed_notifications(team["owner"], 7, read=2)
    _seed_notifications(team["coordinator"], 5)  # someone else's: not in the owner's count
    after, page = _queries(as_owner, url)

    assert after == before
    assert '<span class="bell-count">5<span class="sr-only"> unread</span></span>' in page


def test_the_centre_lists_unread_first_grouped_by_day_in_pages_at_a_fixed_query_count(team, as_owner):
    owner = team["owner"]
    url = reverse("my_notifications", kwargs={"agency_slug": team["agency"].slug})
    _seed_notifications(owner, 3, read=1, days=3)
    few, _ = _queries(as_owner, url)
    _seed_notifications(team["coordinator"], 3)
    with scope(agency=owner.agency_id):
        Notification.objects.filter(recipient=owner.user).delete()
    _seed_notifications(owner, 75, read=10, days=5)

    many, page = _queries(as_owner, url)
    # The first reads (the bell's count among them), the page's count and rows.
    assert many == few == STAFF_PAGE_READS + 2
    # Items 10..74 are unread; the first page holds 30 of them, newest first, under "Unread" day headings.
    assert page.index("Item 10<") < page.index("Item 15<") and "Item 5<" not in page
    assert page.count('class="notification notification-unread"') == 30
    # Grouped by day, newest day first: 65 unread items over five days fill more than one day's group.
    headings = re.findall(r'<section class="notification-day" aria-label="Unread, ([^"]+)"', page)
    assert len(headings) >= 2 and len(set(headings)) == len(headings)
    assert "Page 1 of 3" in page
    last = as_owner.get(url + "?page=3").content.decode()
    assert "Item 0<" in last and "notification-unread" in last  # read ones come last


def test_mark_read_and_mark_all_read_work_without_javascript_and_with_htmx(team, as_owner):
    owner, slug = team["owner"], team["agency"].slug
    _seed_notifications(owner, 3)
    first, *_ = _notifications_of(owner)

    response = as_owner.post(
        reverse("notification_read", kwargs={"agency_slug": slug, "notification_id": first.pk}),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert f'id="notification-{first.pk}"' in body and "Mark read" not in body
    assert 'hx-swap-oob="true"' in body and '<span class="bell-count">2<' in body

    response = as_owner.post(reverse("notifications_read_all", kwargs={"agency_slug": slug}), {"page": "1"})
    assert response["Location"] == reverse("my_notifications", kwargs={"agency_slug": slug}) + "?page=1"
    assert all(n.read_at is not None for n in _notifications_of(owner))


def test_another_agencys_notification_answers_404_on_mark_read_and_stays_unread(team, other_team, as_owner):
    _seed_notifications(other_team["owner"], 1)
    (foreign,) = _notifications_of(other_team["owner"])
    _seed_notifications(team["coordinator"], 1)
    (colleagues,) = _notifications_of(team["coordinator"])
    slug = team["agency"].slug

    for target in (foreign, colleagues):
        response = as_owner.post(
            reverse("notification_read", kwargs={"agency_slug": slug, "notification_id": target.pk})
        )
        assert response.status_code == 404
    assert _notifications_of(other_team["owner"])[0].read_at is None
    assert _notifications_of(team["coordinator"])[0].read_at is None


def test_the_settings_page_stores_only_what_the_person_changed(team, as_member):
    member, slug = team["members"][0], team["agency"].slug
    url = reverse("notification_settings", kwargs={"agency_slug": slug})
    page = as_member.get(url).content.decode()
    assert "Your task can start" in page and "default for your role" in page

    response = as_member.post(url, {"approval_decided": "off", "task_can_start": "mail"})
    assert response.status_code == 302
    with scope(agency=member.agency_id):
        chosen = dict(NotificationPreference.objects.filter(user=member.user).values_list("kind", "channel"))
    assert chosen == {"approval_decided": "off"}  # task_can_start: "mail" is already a member's default
    assert as_member.post(url, {"approval_decided": "shout"}).status_code == 200


def test_a_client_contact_chooses_a_digest_for_reminders_in_the_portal(
    team, project, as_contact, django_capture_on_commit_callbacks
):
    contact, slug = team["contacts"][0], team["agency"].slug
    url = reverse("portal_notification_settings", kwargs={"agency_slug": slug})
    page = as_contact.get(url).content.decode()
    assert "An approval is due soon or overdue" in page and "A risk was escalated" not in page

    assert as_contact.post(url, {"approval_due": "digest"}).status_code == 302
    request = factories.approval_create(actor=team["coordinator"], project=project, due_in_hours=3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_approvers_for_agency(team["agency"].pk) == 1
    assert mail.outbox == []  # not now: in tomorrow's digest

    with django_capture_on_commit_callbacks(execute=True):
        send_digests_for_agency(team["agency"].pk)
    (digest,) = mail.outbox
    assert digest.to == [contact.email] and f"Reminder: {request.title}" in digest.body
