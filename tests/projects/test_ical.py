"""The private calendar feed: RFC 5545 text from plain values, the settings page and the .ics URL."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from agencyops.models import Discipline
from agencyops.services import accounts
from projects import services
from projects.ical import CalendarEvent, build_calendar, escape_text, fold_line
from projects.models import CalendarFeed
from tests import factories

STAMP = datetime(2025, 5, 2, 9, 30, 15, tzinfo=UTC)


def _unfold(text: str) -> str:
    return text.replace("\r\n ", "")


# --------------------------------------------------------------------------- the text (pure)


def test_text_values_escape_backslashes_semicolons_commas_and_newlines():
    assert escape_text("Copy, v2; final\\draft\nline two\r\nthree") == (
        "Copy\\, v2\\; final\\\\draft\\nline two\\nthree"
    )


def test_a_short_line_is_not_folded():
    line = "SUMMARY:" + "x" * 67
    assert len(line) == 75 and fold_line(line) == line


def test_a_long_line_folds_at_75_octets_with_a_leading_space_on_each_continuation():
    line = "SUMMARY:" + "abcdefghij" * 20  # 208 octets
    folded = fold_line(line)
    physical = folded.split("\r\n")
    assert [len(p.encode()) for p in physical] == [75, 75, 60]
    assert all(p.startswith(" ") for p in physical[1:])
    assert _unfold(folded) == line


def test_folding_never_splits_a_multibyte_character():
    line = "SUMMARY:" + "é" * 60  # 8 + 120 octets
    physical = fold_line(line).split("\r\n")
    assert [len(p.encode()) for p in physical] == [
        74,
        55,
    ]  # 8 + 33×2 = 74 (a 34th é would make 76), then a space and 27×2
    assert all(len(p.encode()) <= 75 for p in physical)
    assert _unfold(fold_line(line)) == line


def test_the_calendar_is_all_day_events_with_crlf_lines():
    text = build_calendar(
        [
            CalendarEvent(
                uid="task-7@agencyops",
                summary="Copy, v2 — Spring; launch (Acme)",
                day=date(2025, 5, 12),
                url="https://app.example/north/tasks/7/?a=1,2",
            )
        ],
        name="Northwind: Sam",
        stamp=STAMP,
    )
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # no bare line feeds
    lines = _unfold(text).split("\r\n")
    assert "BEGIN:VEVENT" in lines and "END:VEVENT" in lines
    assert "UID:task-7@agencyops" in lines
    assert "DTSTAMP:20250502T093015Z" in lines
    assert "DTSTART;VALUE=DATE:20250512" in lines and "DTEND;VALUE=DATE:20250513" in lines
    assert "SUMMARY:Copy\\, v2 — Spring\\; launch (Acme)" in lines
    assert "URL:https://app.example/north/tasks/7/?a=1,2" in lines  # a URI, not escaped
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_a_long_summary_is_folded_inside_the_calendar():
    title = (
        "Write the long-form landing page copy, with the offer, proof points and FAQ — Spring launch (Acme)"
    )
    text = build_calendar(
        [CalendarEvent("task-1@agencyops", title, date(2025, 5, 12))], name="x", stamp=STAMP
    )
    assert "\r\n " in text
    assert "SUMMARY:" + escape_text(title) in _unfold(text).split("\r\n")


# --------------------------------------------------------------------------- the pages

pytestmark = pytest.mark.django_db


def _writer(team):
    return next(m for m in team["members"] if m.discipline == Discipline.WRITER)


def _create_link(http, slug) -> str:
    """Create a link on the settings page and return the token it shows once."""
    response = http.post(reverse("calendar_settings", args=[slug]), {"action": "create"})
    assert response.status_code == 302
    html = http.get(reverse("calendar_settings", args=[slug])).content.decode()
    match = re.search(r'value="(https?://[^"]+/calendar/([^"/]+)\.ics)"', html)
    assert match, "the new link is shown right after it is created"
    assert match[1].startswith(settings.SITE_URL)
    return match[2]


def test_creating_a_link_shows_it_once_and_stores_only_its_hash(team, logged_in):
    writer = _writer(team)
    http = logged_in(writer.user)
    slug = team["agency"].slug
    token = _create_link(http, slug)
    with scope(agency=team["agency"].pk):
        feed = CalendarFeed.objects.get(membership=writer)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in feed.token_hash
    again = http.get(reverse("calendar_settings", args=[slug])).content.decode()
    assert token not in again
    assert "Feed active since" in again and ">Revoke<" in again and "Create a new link" in again


def test_without_a_link_the_page_offers_to_create_one(team, as_member):
    html = as_member.get(reverse("calendar_settings", args=[team["agency"].slug])).content.decode()
    assert "Create my calendar link" in html and "Feed active since" not in html
    with scopes_disabled():
        assert CalendarFeed.objects.count() == 0  # looking at the page creates nothing


def test_the_feed_lists_the_members_open_tasks_as_all_day_events(team, logged_in, client):
    writer = next(m for m in team["members"] if m.discipline == Discipline.DESIGNER)
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Spring site"
    )
    with scope(agency=team["agency"].pk):
        mine = list(project.tasks.filter(assignee=writer).order_by("due_date"))
        others = list(project.tasks.exclude(assignee=writer))
        done = mine.pop()
        services.task_update_status(actor=writer, task=done, status="done")
    token = _create_link(logged_in(writer.user), team["agency"].slug)
    response = client.get(f"/calendar/{token}.ics")  # no login: calendar apps fetch it
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    lines = _unfold(text).split("\r\n")
    # The designer's wireframes, design, build and QA fixes; the fixes (due last) are done.
    assert [t.key for t in mine] == ["wireframes", "design", "build"] and done.key == "fixes"
    assert text.count("BEGIN:VEVENT") == 3
    for task in mine:
        assert f"UID:task-{task.pk}@agencyops" in lines
        assert f"SUMMARY:{task.title} — Spring site ({team['clients'][0].name})" in lines
        url = settings.SITE_URL + reverse("task_detail", args=[team["agency"].slug, task.pk])
        assert f"URL:{url}" in lines
        assert f"DTSTART;VALUE=DATE:{task.due_date:%Y%m%d}" in lines
    # Every event names the committed launch, the same date as the header, the brief and the API.
    assert _unfold(text).count(f"committed launch {project.launch_date:%a %-d %b %Y}") == 3
    for task in [*others, done]:
        assert f"UID:task-{task.pk}@agencyops" not in lines


def test_a_revoked_or_unknown_token_is_a_404(team, logged_in, client):
    writer = _writer(team)
    http = logged_in(writer.user)
    slug = team["agency"].slug
    token = _create_link(http, slug)
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    http.post(reverse("calendar_settings", args=[slug]), {"action": "revoke"})
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404
    with scope(agency=team["agency"].pk):
        assert CalendarFeed.objects.get(membership=writer).revoked_at is not None
    assert "Create my calendar link" in http.get(reverse("calendar_settings", args=[slug])).content.decode()


def test_a_new_link_replaces_the_old_one(team, logged_in, client):
    http = logged_in(_writer(team).user)
    old = _create_link(http, team["agency"].slug)
    new = _create_link(http, team["agency"].slug)
    assert old != new
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_the_feed_of_someone_who_left_stops_working(team, logged_in, client):
    writer = _writer(team)
    token = _create_link(logged_in(writer.user), team["agency"].slug)
    with scope(agency=team["agency"].pk):
        accounts.membership_remove(actor=team["owner"], membership=writer)
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_member_cannot_revoke_someone_elses_feed(team):
    writer, designer = _writer(team), team["members"][0]
    with scope(agency=team["agency"].pk):
        services.calendar_feed_create(actor=writer)
        feed = CalendarFeed.objects.get(membership=writer)
        with pytest.raises(ValidationError) as excinfo:
            services.calendar_feed_revoke(actor=designer, feed=feed)
        assert "your own calendar link" in str(excinfo.value)
        feed.refresh_from_db()
        assert feed.revoked_at is None


def test_the_feed_runs_two_queries_whatever_the_number_of_tasks(
    team, logged_in, client, django_assert_num_queries
):
    writer = _writer(team)
    token = _create_link(logged_in(writer.user), team["agency"].slug)
    with django_assert_num_queries(2):
        empty = client.get(f"/calendar/{token}.ics").content.decode()
    for _ in range(3):
        factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with django_assert_num_queries(2):
        full = client.get(f"/calendar/{token}.ics").content.decode()
    assert empty.count("BEGIN:VEVENT") == 0 and full.count("BEGIN:VEVENT") >= 3
