"""The project page's body is cached under a version PostgreSQL computes from every row it shows.

Each kind of change the page shows (through a service, or straight in the database) must be on the next
view, identical to a page rendered without the cache; the cached body never carries someone else's CSRF
token or someone else's permissions.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Agency
from agencyops.services import accounts, clients
from projects import escalations, services
from projects.calendars import agency_calendar, agency_today
from projects.models import Escalation, EscalationState, Phase, Project, RequiredInput, Task
from projects.page_versions import project_page_version
from projects.selectors import project_page_digest, project_page_reads
from tests import factories
from tests.projects.test_escalation_api import escalation_create
from tests.reads import STAFF_PAGE_READS


@pytest.fixture
def project(team) -> Project:
    return factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Autumn launch", launch_in_days=120
    )


def _url(project: Project) -> str:
    return reverse("project_detail", args=[project.agency.slug, project.pk])


def _page(http: HttpClient, project: Project, **params: str) -> str:
    response = http.get(_url(project), params)
    assert response.status_code == 200
    return factories.without_csrf(response.content.decode())


def _uncached(http: HttpClient, project: Project, **params: str) -> str:
    with override_settings(CACHES=factories.NO_CACHE):
        return _page(http, project, **params)


def _version(project: Project) -> str:
    stamp = project_page_version(agency_id=project.agency_id, project_id=project.pk)
    assert stamp is not None
    return stamp.version


def _task(project: Project, key: str) -> Task:
    with scope(agency=project.agency_id):
        return Task.objects.get(project=project, key=key)


# Each change takes (team, project) and returns a text the page shows afterwards, or None when what
# changes is not on the page as text (the critical path, the calendar) but the page must still be the
# fresh one.


def _status(team, project):
    with scope(agency=project.agency_id):
        services.task_update_status(
            actor=team["coordinator"],
            task=_task(project, "copy"),
            status="blocked",
            blocked_reason="No brand fonts",
        )
    return '<span class="badge badge-bad">Blocked</span>'


def _title_in_the_database(team, project):
    # No service involved: the version follows the rows, not the code paths.
    with scope(agency=project.agency_id):
        Task.objects.filter(pk=_task(project, "copy").pk).update(title="Homepage copy, second pass")
    return "Homepage copy, second pass"


def _reschedule(team, project):
    task = _task(project, "copy")
    with scope(agency=project.agency_id):
        new_due = agency_calendar(project.agency).add_business_days(task.due_date, 2)
        services.task_reschedule(actor=team["coordinator"], task=task, new_due=new_due, reason="Client late")
    return "Moved 1 time"


def _dependency(team, project):
    with scope(agency=project.agency_id):
        services.dependency_add(
            actor=team["coordinator"],
            predecessor=_task(project, "tracking"),
            successor=_task(project, "go-live-plan"),
            kind="SS",
            lag_days=1,
        )
    return None


def _phase_owner(team, project):
    with scope(agency=project.agency_id):
        Phase.objects.filter(project=project).update(owner=None)
    return "Owner unclear"


def _brief(team, project):
    with scope(agency=project.agency_id):
        services.brief_update(actor=team["coordinator"], project=project, objective="Double spring sign-ups")
    return "Double spring sign-ups"


def _input(team, project):
    with scope(agency=project.agency_id):
        services.required_input_create(
            actor=team["coordinator"],
            project=project,
            description="Brand fonts",
            from_party="client",
            expected_by=agency_today(project.agency) + timedelta(days=7),
            tasks=[_task(project, "copy")],
        )
    return "Brand fonts"


def _input_received(team, project):
    _input(team, project)
    with scope(agency=project.agency_id):
        item = RequiredInput.objects.get(project=project, description="Brand fonts")
        services.required_input_receive(actor=team["coordinator"], item=item)
    return "Received "


def _risk(team, project):
    escalation_create(project.agency, project, message="Brand fonts are late and block the copy")
    return "Brand fonts are late and block the copy"


def _risk_acknowledged(team, project):
    row = escalation_create(project.agency, project, message="Brand fonts are late")
    with scope(agency=project.agency_id):
        escalations.escalation_acknowledge(actor=team["coordinator"], escalation=row)
        assert Escalation.objects.get(pk=row.pk).state == EscalationState.ACKNOWLEDGED
    return "Acknowledged"


def _person_renamed(team, project):
    assignee = _task(project, "copy").assignee
    assert assignee is not None
    assignee.user.full_name = "Robin Renamed"
    assignee.user.save(update_fields=["full_name"])
    return "Robin Renamed"


def _person_left(team, project):
    assignee = _task(project, "copy").assignee
    with scope(agency=project.agency_id):
        accounts.membership_remove(actor=team["owner"], membership=assignee)
    return None


def _closure(team, project):
    with scope(agency=project.agency_id):
        services.closure_add(
            actor=team["owner"], day=agency_today(project.agency) + timedelta(days=30), name="Team day"
        )
    return None


def _client_renamed(team, project):
    with scope(agency=project.agency_id):
        clients.client_update(actor=team["coordinator"], client=project.client, name="Fabrikam Renamed")
    return "Fabrikam Renamed"


def _checklist_step_done(team, project):
    # A card's own count: the card is kept under its task's values, so only this one is rendered afresh.
    from projects.services.conversation import checklist_item_add, checklist_item_set_done

    with scope(agency=project.agency_id):
        task = _task(project, "copy")
        checklist_item_add(actor=team["coordinator"], task=task, text="Brand fonts in")
        step = checklist_item_add(actor=team["coordinator"], task=task, text="Headlines signed off")
        checklist_item_set_done(actor=team["coordinator"], item=step, done=True)
    return "☑ 1/2"


def _waiting_on_a_vendor(team, project):
    with scope(agency=project.agency_id):
        services.task_update_status(
            actor=team["coordinator"],
            task=_task(project, "copy"),
            status="waiting",
            waiting_on="vendor",
            waiting_on_name="Print shop",
        )
    return "Waiting on Print shop"


def _working_week(team, project):
    Agency.objects.filter(pk=project.agency_id).update(working_weekdays=[0, 1, 2, 3])
    return None


CHANGES = [
    _status,
    _title_in_the_database,
    _reschedule,
    _dependency,
    _phase_owner,
    _brief,
    _input,
    _input_received,
    _risk,
    _risk_acknowledged,
    _person_renamed,
    _person_left,
    _closure,
    _client_renamed,
    _checklist_step_done,
    _waiting_on_a_vendor,
    _working_week,
]


@pytest.mark.parametrize("view", ["board", "list"])
@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_every_kind_of_change_is_on_the_next_view_of_the_project_page(
    change, view, team, project, as_coordinator
):
    before = _page(as_coordinator, project, view=view)
    version = _version(project)
    assert _page(as_coordinator, project, view=view) == before

    shown = change(team, project)

    assert _version(project) != version
    after = _page(as_coordinator, project, view=view)
    assert after == _uncached(as_coordinator, project, view=view)
    if shown is not None and not (view == "list" and shown in LIST_DOES_NOT_SHOW):
        assert shown in after and shown not in before


# What a board card shows that the list by phase does not.
LIST_DOES_NOT_SHOW = {"☑ 1/2", "Waiting on Print shop", '<span class="badge badge-bad">Blocked</span>'}


def _rendered(response, name: str) -> int:
    return [template.name for template in response.templates].count(name)


def _fresh_titles(project) -> None:
    # Titles no earlier run has seen, so no part of this plan's page is in the cache yet.
    with scope(agency=project.agency_id):
        Task.objects.filter(project=project).update(title=Concat(F("title"), Value(f" {uuid.uuid4()}")))


def test_the_first_view_after_a_change_to_one_task_renders_that_tasks_card_alone(
    team, project, as_coordinator
):
    _fresh_titles(project)
    first = as_coordinator.get(_url(project))
    assert _rendered(first, "projects/_task_card.html") == 14
    assert _rendered(first, "projects/_project_top.html") == 1
    with scope(agency=project.agency_id):
        services.task_update_status(
            actor=team["coordinator"], task=_task(project, "qa"), status="in_progress"
        )

    after = as_coordinator.get(_url(project))

    # The body is rendered afresh (its version changed): the tasks around thirteen cards kept from the
    # first view, and the top (header, brief, inputs...) as it was, since nothing it shows changed.
    assert _rendered(after, "projects/_task_card.html") == 1
    assert _rendered(after, "projects/_project_tasks.html") == 1
    assert _rendered(after, "projects/_project_top.html") == 0
    page = factories.without_csrf(after.content.decode())
    assert page == _uncached(as_coordinator, project)
    assert page != factories.without_csrf(first.content.decode())


def test_a_new_version_with_nothing_shown_changed_uses_the_body_kept_for_the_same_rows(
    team, project, as_coordinator, monkeypatch, django_assert_num_queries
):
    from django.core.cache import cache

    _fresh_titles(project)
    first = as_coordinator.get(_url(project))
    version = _version(project)
    # A write that changes the row's version but nothing the page shows.
    with scope(agency=project.agency_id), transaction.atomic():
        Task.objects.filter(pk=_task(project, "qa").pk).update(title=F("title"))
    assert _version(project) != version
    reads: list[str] = []
    for name in ("get", "get_many"):
        original = getattr(cache, name)
        monkeypatch.setattr(
            cache,
            name,
            lambda *a, _original=original, _name=name, **k: reads.append(_name) or _original(*a, **k),
        )

    # The first reads, the version and the digest PostgreSQL computes of the page's rows (and its
    # sections'): the rows themselves are not read.
    with django_assert_num_queries(STAFF_PAGE_READS + 2) as captured:
        after = as_coordinator.get(_url(project))
    assert "md5(" in captured.captured_queries[-1]["sql"]

    # Nothing is rendered, not even the body around the parts: the rows it is made from are the first
    # view's, so the first view's body is used again.
    for part in ("_project_page", "_project_top", "_project_inputs", "_project_tasks", "_task_card"):
        assert _rendered(after, f"projects/{part}.html") == 0, part
    # The body under the new version (a miss); the parts are never looked up.
    assert reads == ["get"]
    assert factories.without_csrf(after.content.decode()) == factories.without_csrf(first.content.decode())
    # Kept under the new version too: the next view is a plain hit.
    reads.clear()
    again = as_coordinator.get(_url(project))
    assert reads == ["get"]
    assert factories.without_csrf(again.content.decode()) == factories.without_csrf(first.content.decode())


def _tasks_part(page: str) -> str:
    return page[page.index('id="tasks-h"') :]


@pytest.mark.parametrize("view", ["board", "list"])
def test_two_tasks_swapped_in_the_plan_and_nothing_else_changed_are_shown_swapped(
    team, project, as_coordinator, view
):
    """The digest is of the rows in the order the page shows them: two tasks that trade places, every value
    the page shows left as it was, are a new page, not the body kept for the same rows in the old order."""
    with scope(agency=project.agency_id):
        tasks = list(Task.objects.filter(project=project).order_by("start_date", "order", "pk"))
        by_place: dict = {}
        for task in tasks:
            by_place.setdefault((task.phase_id, task.status), []).append(task)
        first, second = next(group for group in by_place.values() if len(group) >= 2)[:2]
        # Side by side on one start date, in one order (a change the page shows: rendered and kept).
        Task.objects.filter(pk__in=[first.pk, second.pk]).update(start_date=first.start_date)
        Task.objects.filter(pk=first.pk).update(order=1)
        Task.objects.filter(pk=second.pk).update(order=2)
    before = _page(as_coordinator, project, view=view)
    shown = _tasks_part(before)
    assert shown.index(f">{first.title}<") < shown.index(f">{second.title}<")
    version = _version(project)

    with scope(agency=project.agency_id):
        Task.objects.filter(pk=first.pk).update(order=3)

    assert _version(project) != version
    after = _page(as_coordinator, project, view=view)
    shown = _tasks_part(after)
    assert shown.index(f">{second.title}<") < shown.index(f">{first.title}<")
    assert after == _uncached(as_coordinator, project, view=view)


def test_the_rows_a_page_is_rendered_from_come_with_the_version_they_were_read_at(
    team, other_team, project
):
    """The render reads the rows after the digest was read; the version read with them tells whether a write
    landed in between (then the body is not kept under that digest)."""
    agency = Agency.objects.get(pk=project.agency_id)
    today = agency_today(agency)
    reads = project_page_reads(agency, project.pk, today)
    assert reads.version == project_page_version(agency_id=agency.pk, project_id=project.pk)
    digest = project_page_digest(agency, project.pk, today)

    with scope(agency=project.agency_id):
        Task.objects.filter(pk=_task(project, "copy").pk).update(title="Homepage copy, second pass")

    moved = project_page_reads(agency, project.pk, today)
    assert moved.version != reads.version
    assert moved.version == project_page_version(agency_id=agency.pk, project_id=project.pk)
    assert "Homepage copy, second pass" in {row[2] for row in moved.rows[1]}
    assert project_page_digest(agency, project.pk, today) != digest
    # Through another agency, the project is not there: no header, no tasks, no version.
    elsewhere = project_page_reads(other_team["agency"], project.pk, today)
    assert elsewhere.version is None and elsewhere.rows[0] == [] and elsewhere.rows[1] == []


def test_the_same_rows_in_another_view_or_for_another_viewer_are_kept_apart(
    team, project, as_coordinator, as_member
):
    """The body kept for a set of rows is used again only for the same view and the same permissions."""
    _fresh_titles(project)
    board = as_coordinator.get(_url(project))
    with scope(agency=project.agency_id), transaction.atomic():
        Task.objects.filter(pk=_task(project, "qa").pk).update(title=F("title"))

    listed = as_coordinator.get(_url(project), {"view": "list"})
    member = as_member.get(_url(project))

    assert _rendered(listed, "projects/_project_page.html") == 1
    assert _rendered(member, "projects/_project_page.html") == 1
    assert factories.without_csrf(listed.content.decode()) == _uncached(as_coordinator, project, view="list")
    assert factories.without_csrf(member.content.decode()) == _uncached(as_member, project)
    assert factories.without_csrf(member.content.decode()) != factories.without_csrf(board.content.decode())


def test_a_new_working_week_alone_changes_the_days_late_and_the_page_shows_it(team, project, as_coordinator):
    """No row of the page changes, only the agency's calendar: the body kept for the same rows is not
    used again (what the page computes from the calendar is part of what it shows)."""
    with scope(agency=project.agency_id):
        forecast = max(Task.objects.filter(project=project).values_list("due_date", flat=True))
        Project.objects.filter(pk=project.pk).update(launch_date=forecast - timedelta(days=15))
    before = _page(as_coordinator, project)
    days_late = re.search(r"\((\d+) business days late\)", before)
    assert days_late is not None

    Agency.objects.filter(pk=project.agency_id).update(working_weekdays=[0, 1, 2])

    after = _page(as_coordinator, project)
    assert after == _uncached(as_coordinator, project)
    fewer = re.search(r"\((\d+) business days? late\)", after)
    assert fewer is not None and int(fewer.group(1)) < int(days_late.group(1))


def test_a_teammate_renamed_shows_in_the_lists_reassign_picker(team, project, as_coordinator):
    """Someone on no task of the project: only the list's bulk "Reassign" picker shows them."""
    newcomer = factories.membership_create(agency=team["agency"], full_name="Quinn Newcomer")
    before = _page(as_coordinator, project, view="list")
    assert "Quinn Newcomer" in before

    newcomer.user.full_name = "Quinn Renamed"
    newcomer.user.save(update_fields=["full_name"])

    after = _page(as_coordinator, project, view="list")
    assert "Quinn Renamed" in after and "Quinn Newcomer" not in after
    assert after == _uncached(as_coordinator, project, view="list")


def test_a_renamed_task_renders_its_card_the_tasks_and_the_input_picker_again_not_the_top(
    team, project, as_coordinator
):
    _fresh_titles(project)
    as_coordinator.get(_url(project))
    # In a savepoint of its own, as a request's write would be: the row gets a new version.
    with scope(agency=project.agency_id), transaction.atomic():
        Task.objects.filter(pk=_task(project, "qa").pk).update(title=f"Device QA {uuid.uuid4()}")

    after = as_coordinator.get(_url(project))

    assert _rendered(after, "projects/_task_card.html") == 1
    assert _rendered(after, "projects/_project_tasks.html") == 1
    # The "Track a required input" form lists every task by title; its other fields, which no task
    # changes, come from the cache.
    assert _rendered(after, "projects/_input_form.html") == 1
    assert _rendered(after, "components/form_field_list.html") == 0
    assert _rendered(after, "projects/_project_inputs.html") == 1
    assert _rendered(after, "projects/_project_top.html") == 0
    assert factories.without_csrf(after.content.decode()) == _uncached(as_coordinator, project)


def _input_form_fields(html: str) -> str:
    """The fields of the page's "Track a required input" form, whitespace between tags dropped."""
    form = re.search(r'<form method="post" action="[^"]*/inputs/new/"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None, "the page has no required-input form"
    fields = re.sub(r"<input type=\"hidden\" name=\"csrfmiddlewaretoken\"[^>]*>", "", form.group(1))
    fields = fields.split('<div class="actions">')[0]
    return re.sub(r">\s+<", "><", fields).strip()


def test_the_pages_input_form_is_the_forms_own_markup_with_the_renamed_task_in_its_picker(
    team, project, as_coordinator
):
    from django.template.loader import render_to_string

    from projects.forms import RequiredInputForm

    _fresh_titles(project)
    as_coordinator.get(_url(project))
    renamed = f"Device QA {uuid.uuid4()}"
    with scope(agency=project.agency_id), transaction.atomic():
        Task.objects.filter(pk=_task(project, "qa").pk).update(title=renamed)

    page = _page(as_coordinator, project)

    with scope(agency=project.agency_id):
        tasks = list(Task.objects.filter(project=project).order_by("start_date", "order", "id"))
        whole = render_to_string(
            "components/form_fields.html", {"form": RequiredInputForm(project=project, tasks=tasks)}
        )
    assert _input_form_fields(page) == re.sub(r">\s+<", "><", whole).strip()
    assert f">{renamed}</option>" in _input_form_fields(page)
    assert _input_form_fields(page).count("<option") == len(tasks) + 3  # the tasks, and From's parties


def test_in_the_list_by_phase_a_changed_task_renders_its_row_alone(team, project, as_coordinator):
    _fresh_titles(project)
    first = as_coordinator.get(_url(project), {"view": "list"})
    assert _rendered(first, "projects/_task_row.html") == 14
    with scope(agency=project.agency_id):
        services.task_update_status(
            actor=team["coordinator"], task=_task(project, "qa"), status="in_progress"
        )

    after = as_coordinator.get(_url(project), {"view": "list"})

    assert _rendered(after, "projects/_task_row.html") == 1
    assert factories.without_csrf(after.content.decode()) == _uncached(as_coordinator, project, view="list")


def test_the_first_view_after_a_change_to_the_brief_renders_the_top_alone(team, project, as_coordinator):
    _fresh_titles(project)
    as_coordinator.get(_url(project))
    with scope(agency=project.agency_id):
        services.brief_update(actor=team["coordinator"], project=project, objective="Book more check-ups")

    after = as_coordinator.get(_url(project))

    assert _rendered(after, "projects/_project_top.html") == 1
    assert _rendered(after, "projects/_project_inputs.html") == 0
    assert _rendered(after, "projects/_project_tasks.html") == 0
    assert _rendered(after, "projects/_task_card.html") == 0
    page = factories.without_csrf(after.content.decode())
    assert "Book more check-ups" in page and page == _uncached(as_coordinator, project)


def test_a_page_cached_for_a_coordinator_shows_a_member_no_planning_forms(
    team, project, as_coordinator, as_member
):
    planner = _page(as_coordinator, project)
    worker = _page(as_member, project)
    assert "Save as template" in planner and "Track a required input" in planner
    assert "Save as template" not in worker and "Track a required input" not in worker
    # And the other way round, starting from a member's view.
    other = factories.project_create(actor=team["coordinator"], client=team["clients"][1], name="Winter")
    assert "Save as template" not in _page(as_member, other)
    assert "Save as template" in _page(as_coordinator, other)


def test_each_viewer_gets_their_own_csrf_token_in_a_cached_page_and_can_use_it(team, project):
    first, second = team["coordinator"].user, team["owner"].user
    copy = _task(project, "copy")
    pages = {}
    for user in (first, second):
        http = HttpClient(enforce_csrf_checks=True)
        http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        html = http.get(_url(project)).content.decode()
        assert "csrf-" not in html
        # The token in the copy task's status form, inside the cached body.
        card = html[html.index(f'id="task-card-{copy.pk}"') :]
        pages[user.pk] = (http, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card)[1])
    assert pages[first.pk][1] != pages[second.pk][1]
    # The second view came from the cache; its form works with the second person's session.
    http, token = pages[second.pk]
    response = http.post(
        reverse("task_status", args=[project.agency.slug, copy.pk]),
        {"status": "in_progress", "csrfmiddlewaretoken": token},
    )
    assert response.status_code in (200, 302)
    assert _task(project, "copy").status == "in_progress"


def test_another_agencys_project_is_a_404_whether_or_not_its_page_is_cached(team, other_team, project):
    outsider = HttpClient()
    outsider.force_login(other_team["owner"].user, backend="django.contrib.auth.backends.ModelBackend")
    insider = HttpClient()
    insider.force_login(team["owner"].user, backend="django.contrib.auth.backends.ModelBackend")
    assert insider.get(_url(project)).status_code == 200
    wrong = reverse("project_detail", args=[other_team["agency"].slug, project.pk])
    response = outsider.get(wrong)
    assert response.status_code == 404 and "Autumn launch" not in response.content.decode()


@override_settings(DEBUG=True)
def test_with_debug_on_every_view_renders_afresh(team, project, as_coordinator, django_assert_num_queries):
    _page(as_coordinator, project)
    # The first reads, the version, the digest of the page's rows, the rows with the approvals section's
    # (one round trip).
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        _page(as_coordinator, project)


def test_without_the_cache_server_the_page_is_rendered_all_the_same(team, project, as_coordinator, caplog):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    expected = _uncached(as_coordinator, project)
    with override_settings(CACHES=unreachable):
        assert _page(as_coordinator, project) == expected
    assert "Fragment cache unavailable" in caplog.text
