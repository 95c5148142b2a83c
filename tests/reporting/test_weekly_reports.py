"""Weekly reports: the week and send time, holding for missing data, one PDF and one mail per period, retry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from brandkit.library.models import LibraryItem
from reporting import pdf, weekly
from reporting.models import IssueState, ReportIssue
from reporting.services import insights, reports
from tests import factories
from tests.reporting import story

LONDON = ZoneInfo("Europe/London")
MONDAY_10_05 = dt.datetime(2026, 11, 23, 10, 5, tzinfo=LONDON)


def test_the_report_due_on_monday_at_ten_covers_the_week_before():
    due = weekly.latest_due(MONDAY_10_05, weekday=0, send_at=dt.time(10))
    assert (due.period_start, due.period_end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert due.due_at == dt.datetime(2026, 11, 23, 10, tzinfo=LONDON)
    early = weekly.latest_due(MONDAY_10_05.replace(hour=9), weekday=0, send_at=dt.time(10))
    assert (early.period_start, early.due_at.date()) == (dt.date(2026, 11, 9), dt.date(2026, 11, 16))


def test_missing_data_names_each_feed_that_stops_before_the_weeks_end():
    missing = weekly.missing_data(
        expected={"LinkedIn": dt.date(2026, 11, 20), "GA4": dt.date(2026, 11, 22), "Meta": None},
        period_end=dt.date(2026, 11, 22),
    )
    assert missing == [
        "LinkedIn: data up to 20 Nov, the week ends 22 Nov",
        "Meta: no data, the week ends 22 Nov",
    ]


def test_rendering_refuses_the_network():
    with pytest.raises(pdf.NetworkRefused):
        pdf.LocalOnlyFetcher().fetch("http://example.com/logo.png")
    with pytest.raises(pdf.NetworkRefused):
        pdf.LocalOnlyFetcher().fetch("file:///etc/passwd")
    rendered = pdf.render_pdf('<p>Hi</p><img src="http://example.com/x.png">')
    assert rendered.pages == 1 and rendered.content.startswith(b"%PDF")


def pdf_text(content: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(content)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def define(team, data):
    owner = team["owner"]
    with (
        time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), tick=False),
        scope(agency=owner.agency_id),
    ):
        return reports.report_definition_create(
            actor=owner,
            client=data["client"],
            sections=["insight", "campaigns", "website", "retainer"],
            weekday=0,
            send_at=dt.time(10),
            contacts=[team["contacts"][0]],
            internal_recipients=[team["coordinator"]],
            coordinator=team["coordinator"],
            data_lag_days=1,
        )


def top_up_linkedin(team, data, day: dt.date):
    factories.report_import(
        actor=team["owner"],
        client=data["client"],
        data=story.linkedin_days([(day, "LinkedIn - Industry", D("50"), 1000, 20, 1)]),
        name=f"linkedin-{day}.csv",
        mapping={"LinkedIn - Industry": data["industry"].pk},
    )


@pytest.mark.django_db
def test_a_report_holds_for_missing_data_tells_the_coordinator_once_then_is_sent_once(
    team, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    data = story.build(team)
    define(team, data)
    with scope(agency=team["agency"].pk):
        draft = insights.insight_draft_create(
            actor=team["coordinator"], client=data["client"], period_start=story.NOVEMBER[0],
            period_end=story.NOVEMBER[1],
        )  # fmt: skip
        insights.insight_draft_approve(actor=team["coordinator"], draft=draft)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        (issue_id,) = reports.report_issues_schedule(now=MONDAY_10_05)
    assert len(queued) == 1  # the build job goes to the queue after commit
    with scope(agency=team["agency"].pk), django_capture_on_commit_callbacks(execute=True):
        issue = reports.report_issue_build(issue_id=issue_id, now=MONDAY_10_05)
        assert issue.state == IssueState.HELD
        assert issue.missing == ["LinkedIn Campaign Manager: data up to 20 Nov, the week ends 22 Nov"]
        reports.report_issue_build(issue_id=issue_id, now=MONDAY_10_05 + dt.timedelta(minutes=15))
    told = [m for m in mail.outbox if "waits for data" in m.subject]
    assert len(told) == 1 and told[0].to == [team["coordinator"].user.email]
    assert "LinkedIn Campaign Manager: data up to 20 Nov" in told[0].body

    top_up_linkedin(team, data, dt.date(2026, 11, 22))
    mail.outbox.clear()
    # Beat runs twice and the job is delivered twice: one issue, one PDF, one mail.
    assert reports.report_issues_schedule(now=MONDAY_10_05 + dt.timedelta(minutes=30)) == [issue_id]
    with scope(agency=team["agency"].pk):
        sent = reports.report_issue_build(issue_id=issue_id, now=MONDAY_10_05 + dt.timedelta(minutes=30))
        again = reports.report_issue_build(issue_id=issue_id, now=MONDAY_10_05 + dt.timedelta(minutes=31))
    assert reports.report_issues_schedule(now=MONDAY_10_05 + dt.timedelta(minutes=45)) == []
    with scopes_disabled():
        assert ReportIssue.objects.count() == 1
    assert sent.state == again.state == IssueState.SENT
    (message,) = mail.outbox
    assert sorted(message.to) == sorted([team["contacts"][0].email, team["coordinator"].user.email])
    (name, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf" and content == sent.pdf.open("rb").read()
    pages = pdf_text(content)
    assert sent.page_count == len(pages) >= 4
    text = " ".join(" ".join(pages).split())
    assert "Acme Dental" in pages[0] and "16 November – 22 November 2026" in pages[0]
    assert "Contents" in pages[1]
    for title in (
        "What changed, why, what next",
        "Campaign performance",
        "Website and conversion",
        "Retainer",
    ):
        assert title in text
    assert "Page 3 of" in pages[2]
    assert "on 3 November (campaign change)" in text  # the approved insight
    assert "50.00" in text  # this week's Industry spend
    assert "hour" not in text.lower().replace("hours)", "")  # the client's report carries no hours

    # The sent PDF is filed in the client's library, once, however often the build ran.
    with scope(agency=team["agency"].pk):
        filed = LibraryItem.objects.filter(client=data["client"], kind="report")
        assert filed.count() == 1
        assert filed.get().latest_version.file.open("rb").read() == content
        assert filed.get().title == "Weekly report 16 Nov – 22 Nov 2026"

    # Sent is final: the database refuses any change.
    with scope(agency=team["agency"].pk), pytest.raises(Exception, match="report_issue_immutable_once_sent"):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE reporting_reportissue SET failure_reason = 'x' WHERE id = %s", [issue_id])


@pytest.mark.django_db
def test_data_still_missing_after_the_window_fails_visibly_and_a_retry_sends_it(
    team, settings, tmp_path, as_coordinator
):
    settings.MEDIA_ROOT = tmp_path
    data = story.build(team)
    define(team, data)
    later = MONDAY_10_05 + dt.timedelta(days=1, hours=1)  # past the one-day data-lag window
    (issue_id,) = reports.report_issues_schedule(now=later)
    with scope(agency=team["agency"].pk):
        issue = reports.report_issue_build(issue_id=issue_id, now=later)
    assert (
        issue.state == IssueState.FAILED
        and "Data still missing after the data-lag window" in issue.failure_reason
    )
    page = as_coordinator.get(reverse("reporting_report_list", args=[team["agency"].slug])).content.decode()
    assert "Data still missing" in page and "Retry" in page
    top_up_linkedin(team, data, dt.date(2026, 11, 22))
    mail.outbox.clear()
    retry = reverse("reporting_report_issue_retry", args=[team["agency"].slug, issue_id])
    with time_machine.travel(later, tick=False):
        as_coordinator.post(retry)
        with scope(agency=team["agency"].pk):
            issue = reports.report_issue_build(issue_id=issue_id, now=later)
    assert issue.state == IssueState.SENT and len(mail.outbox) == 1
    with scope(agency=team["agency"].pk), pytest.raises(ValidationError):
        reports.report_issue_retry(actor=team["coordinator"], issue=issue)


@pytest.mark.django_db
def test_the_portal_reports_page_lists_sent_issues_with_their_pdf_for_the_clients_own_contacts(
    team, settings, tmp_path
):
    from django.test import Client as HttpClient

    settings.MEDIA_ROOT = tmp_path
    data = story.build(team)
    define(team, data)
    top_up_linkedin(team, data, dt.date(2026, 11, 22))
    (issue_id,) = reports.report_issues_schedule(now=MONDAY_10_05)
    with scope(agency=team["agency"].pk):
        reports.report_issue_build(issue_id=issue_id, now=MONDAY_10_05)
    slug = team["agency"].slug
    own = HttpClient()
    own.force_login(team["contacts"][0].user, backend="django.contrib.auth.backends.ModelBackend")
    page = own.get(reverse("portal_report_list", args=[slug])).content.decode()
    pdf_url = reverse("portal_report_pdf", args=[slug, issue_id])
    assert pdf_url in page
    response = own.get(pdf_url)
    assert response["Content-Type"] == "application/pdf" and b"".join(response.streaming_content).startswith(
        b"%PDF"
    )
    other = HttpClient()
    other.force_login(team["contacts"][1].user, backend="django.contrib.auth.backends.ModelBackend")
    assert other.get(pdf_url).status_code == 404
    assert pdf_url not in other.get(reverse("portal_report_list", args=[slug])).content.decode()
