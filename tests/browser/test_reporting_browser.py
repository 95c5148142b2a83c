"""From the dashboards to the weekly report in a real browser, with a real Celery worker.

Acme Dental's LinkedIn numbers for October and November are imported (tests/reporting/story.py). The
coordinator opens the four dashboards for November compared with October, drafts "what changed, why, what
next" (it cites the general campaign paused by a client decision and the launch that slipped two days),
edits and approves it, and schedules the weekly report. Beat runs twice on the Monday after: the worker
renders the PDF once; it is mailed once, listed on the client's portal Reports page and filed in the
library. The PDF is read back as text: its sections and numbers, and no hours.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.test import Client as HttpClient
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from agencyops.celery import app
from reporting.models import IssueState, ReportIssue
from reporting.services import reports
from tests import factories
from tests.reporting import story

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
EDIT = "We paused General on Anna's decision; the launch is now on 12 November."


def _log_in(page, live_server, user) -> None:
    """The browser carries a session of ``user`` (any previous one is dropped)."""
    http = HttpClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": http.cookies["sessionid"].value, "url": live_server.url}]
    )


def _pdf_text(content: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(content)
    return [" ".join(document[i].get_textpage().get_text_range().split()) for i in range(len(document))]


def test_a_coordinator_goes_from_the_dashboards_to_a_weekly_report_sent_once(
    page, live_server, team, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    agency, coordinator, contact = team["agency"], team["coordinator"], team["contacts"][0]
    data = story.build(team)
    slug, base = agency.slug, live_server.url

    with time_machine.travel(dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC), tick=True):
        _log_in(page, live_server, coordinator.user)

        # (a) The four dashboards for Acme, November against October.
        page.goto(f"{base}/{slug}/reports/dashboards/campaigns/")
        page.locator('select[name="client"]').select_option(label="Acme Dental")
        page.get_by_label("From", exact=True).fill("2026-11-01")
        page.get_by_label("To", exact=True).fill("2026-11-30")
        page.locator('select[name="compare"]').select_option(label="Previous period")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_text("compared with 1 Oct 2026 – 31 Oct 2026")).to_be_visible()
        campaigns = page.locator("section", has=page.get_by_role("heading", name="Campaigns", exact=True))
        general = campaigns.get_by_role("row").filter(has_text="General")
        expect(general).to_contain_text("3000.00")  # spend this month
        expect(general).to_contain_text("6000.00")  # spend last month
        expect(general).to_contain_text("-50.0")  # results change
        expect(campaigns.get_by_role("img")).to_have_count(1)  # the SVG chart beside the table
        # A number opens the rows behind it.
        general.get_by_role("link", name="3000.00", exact=True).first.click()
        expect(page.get_by_role("heading", level=1, name="Daily facts")).to_be_visible()
        expect(page.get_by_text("2 rows")).to_be_visible()
        page.go_back()
        for tab, heading, shows in (
            ("Content output", "Deliverables due", "Campaign live"),
            ("Website and conversion", "Traffic by channel", "Nothing in this range."),
            ("Retainer health", "Next reporting date", "Not scheduled"),
        ):
            page.get_by_role("navigation", name="Dashboards").get_by_role("link", name=tab).click()
            expect(page.get_by_role("heading", level=1, name=tab)).to_be_visible()
            section = page.locator("section", has=page.get_by_role("heading", name=heading, exact=True))
            expect(section).to_contain_text(shows)
        expect(page).to_have_url(re.compile(r"from=2026-11-01.*to=2026-11-30"))

        # (b) The draft cites the paused campaign and the launch slip; she edits it and approves it.
        page.get_by_role("link", name="What changed, why, next").click()
        page.locator('select[name="client"]').select_option(label="Acme Dental")
        page.get_by_label("From", exact=True).fill("2026-11-01")
        page.get_by_label("To", exact=True).fill("2026-11-30")
        page.get_by_role("button", name="Draft").click()
        text = page.get_by_label("Text", exact=True)
        expect(text).to_have_value(re.compile(r"the decision to pause the general campaign .* on 4 November"))
        expect(text).to_have_value(re.compile(r"the launch slipped 2 business days \(Campaign live"))
        text.fill(text.input_value() + "\n" + EDIT)
        page.get_by_role("button", name="Save").click()
        page.get_by_role("button", name="Approve for the client's report").click()
        expect(page.get_by_text("Approved by Casey Coordinator")).to_be_visible()
        expect(page.get_by_text(EDIT)).to_be_visible()

        # (c) She schedules the weekly report: Mondays at 10:00, waiting up to a day for data.
        page.goto(f"{base}/{slug}/reports/weekly/")
        page.locator('select[name="client"]').select_option(label="Acme Dental")
        page.locator('select[name="weekday"]').select_option(label="Monday")
        page.get_by_label("Time (agency time)", exact=True).fill("10:00")
        page.get_by_role("button", name="Schedule").click()
        expect(page.get_by_text(re.compile(r"Acme Dental: Weekly report — Monday 10:00"))).to_be_visible()

    # Last week's LinkedIn day arrives; beat runs twice on Monday 30 November; a real worker builds.
    story_day = dt.date(2026, 11, 29)
    factories.report_import(
        actor=team["owner"], client=data["client"], name="linkedin-29.csv",
        mapping={"LinkedIn - Industry": data["industry"].pk},
        data=story.linkedin_days([(story_day, "LinkedIn - Industry", D("52.50"), 1000, 20, 1)]),
    )  # fmt: skip
    mail.outbox.clear()
    monday = dt.datetime(2026, 11, 30, 10, 5, tzinfo=LONDON)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        first = reports.report_issues_schedule(now=monday)
        second = reports.report_issues_schedule(now=monday + dt.timedelta(seconds=1))
        assert len(first) == 1 and second in ([], first)
        deadline = time.monotonic() + 90
        with scopes_disabled():
            while time.monotonic() < deadline:
                if ReportIssue.objects.get().state in (IssueState.SENT, IssueState.FAILED):
                    break
                time.sleep(0.5)
            time.sleep(2)  # a duplicate job, if any, finishes too
            issue = ReportIssue.objects.get()
            pdf = issue.pdf.open("rb").read()
    assert issue.state == IssueState.SENT, issue.failure_reason
    (sent,) = [m for m in mail.outbox if m.attachments]
    assert contact.email in sent.to and sent.attachments[0][1] == pdf

    # (d) The PDF's sections and numbers, read back as text.
    pages = _pdf_text(pdf)
    whole = " ".join(pages)
    assert "Acme Dental" in pages[0] and "23 November – 29 November 2026" in pages[0]
    assert "Contents" in pages[1]
    for title in (
        "What changed, why, what next",
        "Campaign performance",
        "Website and conversion",
        "Retainer",
    ):
        assert title in whole, title
    assert EDIT in whole  # the approved, edited text
    assert "on 4 November (decision log)" in whole
    assert "52.50" in whole  # the week's Industry-specific spend
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert "hour" not in whole.lower().replace("hours)", "")

    # (e) The client sees it on the portal's Reports page (and no internal figures on its dashboards).
    _log_in(page, live_server, contact.user)
    page.goto(f"{base}/portal/{slug}/reports/")
    link = page.get_by_role("link", name="Weekly report (PDF)")
    expect(link).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text="23 Nov – 29 Nov 2026")).to_be_visible()
    served = page.request.get(base + link.get_attribute("href"))
    assert served.ok and served.body() == pdf
    page.goto(f"{base}/portal/{slug}/dashboards/retainer/?from=2026-11-01&to=2026-11-30")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    portal_text = page.locator("main").inner_text().lower()
    assert "hours" not in portal_text and "hourly rate" not in portal_text

    # (f) The coordinator finds it filed in Acme's library.
    _log_in(page, live_server, coordinator.user)
    page.goto(f"{base}/{slug}/library/")
    expect(page.get_by_role("link", name="Weekly report 23 Nov – 29 Nov 2026")).to_have_count(1)
