"""Every number on the staff dashboards links to the rows behind it: one tenant-scoped page, paged, with CSV."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Agency
from projects.calendars import agency_today
from reporting import dashboards
from tests import factories
from tests.reads import STAFF_PAGE_READS
from tests.reporting import exports, story

pytestmark = pytest.mark.django_db
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30", "compare": "previous"}


def _dashboard(team, name, client):
    return reverse(f"reporting_dashboard_{name}", args=[team["agency"].slug]), {
        **NOVEMBER,
        "client": client.pk,
    }


def _link_of(page: str, row_label: str, value: str) -> str:
    """The address behind ``value`` in the table row that starts with ``row_label``."""
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if f"<td>{row_label}</td>" in r)
    href = re.search(rf'<a href="([^"]+)" class="rows-link"[^>]*>{re.escape(value)}</a>', row)
    assert href, f"{value} of {row_label} links nowhere: {row}"
    return html.unescape(href.group(1))


def _cells(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", r, re.S)]
        for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_a_campaigns_spend_links_to_exactly_the_facts_it_sums(team, as_coordinator):
    data = story.build(team)
    page = as_coordinator.get(*_dashboard(team, "campaigns", data["client"])).content.decode()
    rows = as_coordinator.get(_link_of(page, "Industry-specific", "4100.00"))
    assert rows.status_code == 200
    cells = _cells(rows.content.decode())
    assert [c[4] for c in cells] == ["spend", "spend"]
    assert {c[1] for c in cells} == {"Industry-specific"}
    assert sum(D(c[5]) for c in cells) == D("4100")
    assert "linkedin.csv" in cells[0][7]
    # Last month's leads of the paused campaign: the 100 before the pause, in October.
    before = _cells(as_coordinator.get(_link_of(page, "General", "100.0000")).content.decode())
    assert {c[0] for c in before} == {"5 Oct 2026", "20 Oct 2026"} and sum(D(c[5]) for c in before) == D(100)


def test_content_numbers_link_to_the_deadline_history_and_the_deliverables_they_count(team, as_coordinator):
    data = story.build(team)
    page = as_coordinator.get(*_dashboard(team, "content", data["client"])).content.decode()
    shifted = _cells(as_coordinator.get(_link_of(page, "Dates shifted", "1")).content.decode())
    assert [c[0] for c in shifted] == ["Campaign live"]
    moves = as_coordinator.get(_link_of(page, "Campaign live", "1")).content.decode()
    (move,) = _cells(moves)
    assert move[2:4] == ["10 Nov 2026", "12 Nov 2026"] and move[5] == "Ad account access came late"
    assert "Deadline history" in moves


def test_every_number_on_the_four_staff_dashboards_has_rows_behind_it(team):
    data = story.build(team)
    agency, client = team["agency"], data["client"]
    for name, export in (
        ("traffic.csv", exports.ga4_traffic_csv()),
        ("pages.csv", exports.ga4_landing_page_csv()),
    ):
        factories.report_import(actor=team["owner"], client=client, data=export, name=name)
    settings_columns = {("hours", 2), ("hours", 3)}  # hours included and the fee are terms, not sums of rows
    with scope(agency=agency.pk):
        for name in dashboards.NAMES:
            board = dashboards.build(
                name, agency, client, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30),
                compare="previous", as_of=dt.date(2026, 11, 30),
            )  # fmt: skip
            numbers = 0
            for table in board.tables:
                for i, row in enumerate(table.rows):
                    for j, value in enumerate(row):
                        if (
                            isinstance(value, D | int)
                            and not isinstance(value, bool)
                            and (table.key, j) not in settings_columns
                        ):
                            numbers += 1
                            assert table.links[i][j], f"{name}/{table.key} row {i} column {table.columns[j]}"
            assert numbers > 3 or name == "retainer", name


def test_the_rows_page_is_paged_with_a_csv_of_all_rows_at_a_fixed_query_count(
    team, as_coordinator, django_assert_num_queries
):
    data = story.build(team)
    days = [dt.date(2026, 9, 1) + dt.timedelta(days=n) for n in range(30)]
    factories.report_import(
        actor=team["owner"], client=data["client"], name="september.csv",
        mapping={"LinkedIn - Industry": data["industry"].pk},
        data=story.linkedin_days([(d, "LinkedIn - Industry", D("10"), 100, 5, 1) for d in days]),
    )  # fmt: skip
    url = reverse("reporting_rows_facts", args=[team["agency"].slug, data["client"].pk])
    params = {"from": "2026-09-01", "to": "2026-09-30", "campaign": data["industry"].pk}
    # the first reads, the client, the campaign, the count, the page
    with django_assert_num_queries(STAFF_PAGE_READS + 4):
        first = as_coordinator.get(url, params).content.decode()
    with django_assert_num_queries(STAFF_PAGE_READS + 4):
        second = as_coordinator.get(url, {**params, "page": 2}).content.decode()
    total = int(re.search(r"(\d+) rows", first).group(1))
    assert total > 100 and len(_cells(first)) == 100 and len(_cells(second)) == total - 100
    assert "Page 1 of 2" in first and 'rel="next"' in first
    response = as_coordinator.get(url, {**params, "format": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0][:3] == ["Date", "Campaign", "Level"] and len(lines) == total + 1


def test_another_clients_or_agencys_objects_answer_404_and_bad_filters_400(team, other_team, as_coordinator):
    data = story.build(team)
    slug = team["agency"].slug
    other_client = team["clients"][1]
    facts = reverse("reporting_rows_facts", args=[slug, data["client"].pk])
    # A campaign of this client asked for under the other client's rows: a 404, like a missing one.
    assert (
        as_coordinator.get(
            reverse("reporting_rows_facts", args=[slug, other_client.pk]), {"campaign": data["industry"].pk}
        ).status_code
        == 404
    )
    assert (
        as_coordinator.get(
            reverse("reporting_rows_tasks", args=[slug, other_client.pk]), {"project": data["project"].pk}
        ).status_code
        == 404
    )
    assert (
        as_coordinator.get(
            reverse("reporting_rows_time", args=[slug, other_team["clients"][0].pk])
        ).status_code
        == 404
    )
    for bad in ({"from": "soon", "to": "2026-11-30"}, {"from": "2026-11-01"}, {"metric": "spend;drop"},
                {"level": "planet"}, {"campaign": "x"}, {"page": "99"}, {"breakdown": "x" * 400},
                {"from": "2020-01-01", "to": "2026-01-01"}):  # fmt: skip
        response = as_coordinator.get(facts, bad)
        assert response.status_code == 400, bad
    assert (
        as_coordinator.get(
            reverse("reporting_rows_tasks", args=[slug, data["client"].pk]), {"state": "sideways"}
        ).status_code
        == 400
    )


def test_the_rows_page_defaults_to_this_month_so_far(team, as_coordinator):
    client = team["clients"][0]
    today = agency_today(Agency.objects.get(pk=team["agency"].pk))
    page = as_coordinator.get(reverse("reporting_rows_tasks", args=[team["agency"].slug, client.pk]))
    assert page.status_code == 200
    assert f"{today.replace(day=1):%-d %b %Y} – {today:%-d %b %Y}" in page.content.decode()


def _retainer_with_its_first_deliverable_done(team):
    """A monthly retainer of the first client whose first month's first deliverable is done, with 90
    minutes logged on it today: its tasks, that month and that month's tasks."""
    from projects.models import Task, TaskStatus
    from projects.services.time_entries import project_retainer_terms_set, time_entry_log

    owner, client = team["owner"], team["clients"][0]
    project = factories.project_create(
        actor=owner, client=client, template="builtin:monthly-retainer", name="Monthly retainer"
    )
    with scope(agency=team["agency"].pk):
        project_retainer_terms_set(
            actor=owner, project=project, included_hours=D(20), monthly_fee=D(3000), currency="USD"
        )
        tasks = list(Task.objects.filter(project=project).order_by("due_date", "pk"))
        month = tasks[0].due_date.replace(day=1)
        in_month = [t for t in tasks if t.due_date.replace(day=1) == month]
        Task.objects.filter(pk=in_month[0].pk).update(status=TaskStatus.DONE)
        time_entry_log(actor=owner, task=in_month[0], minutes=90, note="Logged by the team")
    return tasks, month, in_month


def test_a_retainers_planned_completed_and_hours_agree_with_the_rows_behind_them(team, as_coordinator):
    client = team["clients"][0]
    tasks, month, in_month = _retainer_with_its_first_deliverable_done(team)
    with scope(agency=team["agency"].pk):
        board = dashboards.retainer_health(team["agency"], client, month=month, next_report=None)
        # Time is logged today: this month's hours.
        today = agency_today(team["agency"])
        this_month = dashboards.retainer_health(team["agency"], client, month=today, next_report=None)
    assert len(tasks) > len(in_month)  # other months' tasks exist and are not counted
    (line,) = board.table("deliverables").rows
    (links,) = board.table("deliverables").links
    assert line[1:] == [len(in_month), 1]
    (hours,) = this_month.table("hours").rows
    (hour_links,) = this_month.table("hours").links
    base = reverse("reporting_rows_tasks", args=[team["agency"].slug, client.pk])
    planned = _cells(
        as_coordinator.get(base, {k: v for k, v in links[1].items() if k != "source"}).content.decode()
    )
    done = _cells(
        as_coordinator.get(base, {k: v for k, v in links[2].items() if k != "source"}).content.decode()
    )
    assert len(planned) == len(in_month) and [row[0] for row in done] == [in_month[0].title]
    time_url = reverse("reporting_rows_time", args=[team["agency"].slug, client.pk])
    logged = _cells(
        as_coordinator.get(
            time_url, {k: v for k, v in hour_links[1].items() if k != "source"}
        ).content.decode()
    )
    assert sum(int(row[4]) for row in logged) / 60 == hours[1] == D("1.5")


# --- the portal: the same rows, for the client's contacts, only theirs and only what the portal shows -------


def _as(user):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return http


def _portal_dashboard(team, name):
    return reverse(f"portal_dashboard_{name}", args=[team["agency"].slug])


def _head(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r'<th scope="col">(.*?)</th>', page)]


def test_a_contact_follows_a_campaign_number_to_their_own_facts_without_the_agencys_import_files(team):
    data = story.build(team)
    contact = _as(team["contacts"][0].user)
    page = contact.get(_portal_dashboard(team, "campaigns"), NOVEMBER).content.decode()
    href = _link_of(page, "Industry-specific", "4100.00")
    assert href.startswith(reverse("portal_rows_facts", args=[team["agency"].slug]) + "?")
    rows = contact.get(href).content.decode()
    cells = _cells(rows)
    assert _head(rows) == ["Date", "Campaign", "Level", "Breakdown", "Metric", "Value", "Currency"]
    assert [c[4] for c in cells] == ["spend", "spend"] and sum(D(c[5]) for c in cells) == D("4100")
    assert "linkedin.csv" not in rows and "Imported from" not in rows
    lines = list(csv.reader(io.StringIO(contact.get(href + "&format=csv").content.decode())))
    assert lines[0] == ["Date", "Campaign", "Level", "Breakdown", "Metric", "Value", "Currency"]
    assert sum(D(line[5]) for line in lines[1:]) == D("4100") and "linkedin.csv" not in repr(lines)
    # The staff page behind the same number keeps the agency's columns.
    staff = _as(team["coordinator"].user).get(*_dashboard(team, "campaigns", data["client"])).content.decode()
    assert (
        "linkedin.csv"
        in _cells(
            _as(team["coordinator"].user)
            .get(_link_of(staff, "Industry-specific", "4100.00"))
            .content.decode()
        )[0][7]
    )


def test_a_contacts_retainer_deliverables_link_to_the_deliverables_without_hours_or_date_moves(team):
    _, month, in_month = _retainer_with_its_first_deliverable_done(team)
    contact = _as(team["contacts"][0].user)
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    page = contact.get(
        _portal_dashboard(team, "retainer"), {"from": month.isoformat(), "to": last.isoformat()}
    )
    text = page.content.decode()
    planned = contact.get(_link_of(text, "Monthly retainer", str(len(in_month)))).content.decode()
    done = contact.get(_link_of(text, "Monthly retainer", "1")).content.decode()
    assert sorted(c[0] for c in _cells(planned)) == sorted(t.title for t in in_month)
    assert [c[0] for c in _cells(done)] == [in_month[0].title]
    assert _head(planned) == ["Deliverable", "Project", "Due", "Status", "Done on"]
    for shown in (text, planned, done):
        assert "Date moves" not in shown and "Logged by the team" not in shown and "3000" not in shown
        assert "/rows/time/" not in shown and "Hours" not in shown and "Minutes" not in shown


def test_the_portal_rows_are_only_the_contacts_client_and_only_the_sources_the_portal_shows(team, other_team):
    data = story.build(team)
    slug = team["agency"].slug
    contact = _as(team["contacts"][0].user)
    facts, tasks = reverse("portal_rows_facts", args=[slug]), reverse("portal_rows_tasks", args=[slug])
    theirs = factories.reporting_campaign_create(
        actor=team["owner"], client=team["clients"][1], name="Theirs"
    )
    elsewhere = factories.reporting_campaign_create(
        actor=other_team["owner"], client=other_team["clients"][0], name="Elsewhere"
    )
    their_project = factories.project_create(actor=team["owner"], client=team["clients"][1], name="Theirs")
    missing = contact.get(facts, {"campaign": 2_147_483_647})
    assert missing.status_code == 404
    for url, params in ((facts, {"campaign": theirs.pk}), (facts, {"campaign": elsewhere.pk}),
                        (tasks, {"project": their_project.pk})):  # fmt: skip
        refused = contact.get(url, params)
        assert (refused.status_code, refused.content) == (404, missing.content), params
    # Their own campaign opens.
    own = contact.get(facts, {"campaign": data["industry"].pk, "from": "2026-11-01", "to": "2026-11-30"})
    assert own.status_code == 200 and len(_cells(own.content.decode())) == 10  # 2 days x 5 metrics
    # States the portal never links to (moves come from the deadline history) are refused.
    for state in ("moved", "late"):
        assert contact.get(tasks, {"state": state}).status_code == 400
    # Time, approvals and the deadline history have no portal page, and the selector refuses them too.
    for source in ("time", "approvals", "deadline-changes"):
        assert contact.get(f"/portal/{slug}/dashboards/rows/{source}/").status_code == 404
    from reporting import rows_behind

    with scope(agency=team["agency"].pk):
        for source in ("time", "approvals", "deadline_changes"):
            with pytest.raises(LookupError):
                rows_behind.rows_behind(
                    team["agency"], data["client"], source, {}, today=dt.date(2026, 12, 5), portal=True
                )


def test_the_portal_rows_page_reads_at_a_fixed_query_count(team, django_assert_num_queries):
    data = story.build(team)
    contact = _as(team["contacts"][0].user)
    url = reverse("portal_rows_facts", args=[team["agency"].slug])
    params = {"from": "2026-10-01", "to": "2026-11-30", "campaign": data["industry"].pk}
    # session, user, the contact (with agency and client), the campaign, the count, the page
    with django_assert_num_queries(6):
        page = contact.get(url, params).content.decode()
    assert len(_cells(page)) == 20  # 2 months x 2 days x 5 metrics
