"""Template pages: the built-ins and the agency's own, saving a project as a template, editing one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from projects import services
from projects.builtin_templates import BUILTIN_TEMPLATES, builtin_spec
from projects.models import ProjectTemplate
from tests import factories

pytestmark = pytest.mark.django_db


def url(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


@pytest.fixture
def saved(team):
    """An agency template saved from a website-launch project."""
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        template = services.template_save_from_project(
            actor=team["coordinator"],
            project=project,
            name="Dental site plan",
            description="Our usual site build",
        )
        # Saving from a project keeps no required inputs; give it the built-in's, which the editor must keep.
        return services.template_update(
            actor=team["coordinator"],
            template=template,
            name=template.name,
            description=template.description,
            spec=builtin_spec("website-launch").to_json(),
        )


def _row_data(template: ProjectTemplate, **changes) -> dict:
    """The edit form as the browser would send it, from the stored spec, with some cells changed."""
    from projects.forms import predecessors_to_text

    tasks = template.spec["tasks"]
    data = {
        "template-name": template.name,
        "template-description": template.description,
        "tasks-TOTAL_FORMS": str(len(tasks)),
        "tasks-INITIAL_FORMS": str(len(tasks)),
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "1000",
    }
    for i, t in enumerate(tasks):
        data.update(
            {
                f"tasks-{i}-key": t["key"],
                f"tasks-{i}-title": t["title"],
                f"tasks-{i}-phase": t["phase"],
                f"tasks-{i}-discipline": t.get("discipline", ""),
                f"tasks-{i}-duration": str(t.get("duration", 1)),
                f"tasks-{i}-hours": str(t.get("hours", 0)),
                f"tasks-{i}-after": predecessors_to_text(t.get("after", [])),
            }
        )
        if t.get("review"):
            data[f"tasks-{i}-review"] = "on"
    data.update(changes)
    return data


def test_the_list_shows_the_six_built_ins_and_the_agencys_own(team, saved, as_coordinator):
    page = as_coordinator.get(url("template_list", team["agency"])).content.decode()
    for data in BUILTIN_TEMPLATES.values():
        assert data["name"] in page and data["description"] in page
    assert "6 phases · 14 tasks" in page and "View tasks" in page and "Visual design" in page
    assert "Dental site plan" in page and "Our usual site build" in page
    assert url("template_edit", team["agency"], saved.pk) in page


def test_a_member_sees_the_templates_but_not_the_edit_links(team, saved, as_member):
    page = as_member.get(url("template_list", team["agency"])).content.decode()
    assert "Dental site plan" in page and url("template_edit", team["agency"], saved.pk) not in page
    assert as_member.get(url("template_edit", team["agency"], saved.pk)).status_code == 403


def test_without_own_templates_the_list_says_how_to_make_one(team, as_coordinator):
    page = as_coordinator.get(url("template_list", team["agency"])).content.decode()
    assert "Save as template" in page


def test_a_project_is_saved_as_a_template_and_a_duplicate_name_is_refused(team, as_coordinator):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Spring site"
    )
    response = as_coordinator.post(
        url("template_from_project", team["agency"], project.pk),
        {"name": "Site build", "description": "Fourteen steps"},
        follow=True,
    )
    assert "“Site build” saved as a template" in response.content.decode()
    with scope(agency=team["agency"].pk):
        template = ProjectTemplate.objects.get()
        assert template.name == "Site build" and len(template.spec["tasks"]) == 14
    refused = as_coordinator.post(
        url("template_from_project", team["agency"], project.pk), {"name": "site build"}
    )
    assert "The agency already has a template called “site build”." in refused.content.decode()
    with scope(agency=team["agency"].pk):
        assert ProjectTemplate.objects.count() == 1


def test_editing_a_template_saves_titles_durations_and_new_tasks(team, saved, as_coordinator):
    index = [t["key"] for t in saved.spec["tasks"]].index("copy")
    n = len(saved.spec["tasks"])
    data = _row_data(
        saved,
        **{
            f"tasks-{index}-title": "Write the landing page",
            f"tasks-{index}-duration": "6",
            "tasks-TOTAL_FORMS": str(n + 1),
            f"tasks-{n}-key": "legal",
            f"tasks-{n}-title": "Legal review",
            f"tasks-{n}-phase": "QA",
            f"tasks-{n}-duration": "2",
            f"tasks-{n}-hours": "3",
            f"tasks-{n}-after": "copy+1, build/SS",
        },
    )
    response = as_coordinator.post(url("template_edit", team["agency"], saved.pk), data, follow=True)
    assert "“Dental site plan” saved." in response.content.decode()
    with scope(agency=team["agency"].pk):
        saved.refresh_from_db()
    tasks = {t["key"]: t for t in saved.spec["tasks"]}
    assert tasks["copy"]["title"] == "Write the landing page" and tasks["copy"]["duration"] == 6
    assert tasks["legal"]["after"] == [
        {"key": "copy", "kind": "FS", "lag": 1},
        {"key": "build", "kind": "SS", "lag": 0},
    ]
    # What the table does not show is kept: the inputs each task needs.
    assert tasks["copy"]["inputs"] == [
        {"what": "Offer details and proof points", "party": "client", "lead_days": 2}
    ]


def test_a_loop_in_the_edited_template_is_refused_and_nothing_is_stored(team, saved, as_coordinator):
    index = [t["key"] for t in saved.spec["tasks"]].index("kickoff")
    before = saved.spec
    response = as_coordinator.post(
        url("template_edit", team["agency"], saved.pk), _row_data(saved, **{f"tasks-{index}-after": "launch"})
    )
    page = response.content.decode()
    assert "loop" in page and "Kick-off and brief sign-off" in page
    with scope(agency=team["agency"].pk):
        saved.refresh_from_db()
    assert saved.spec == before


def test_a_malformed_predecessor_is_refused_on_its_cell(team, saved, as_coordinator):
    before = saved.spec
    response = as_coordinator.post(
        url("template_edit", team["agency"], saved.pk), _row_data(saved, **{"tasks-1-after": "kickoff+two"})
    )
    assert "“kickoff+two” is not a predecessor" in response.content.decode()
    with scope(agency=team["agency"].pk):
        saved.refresh_from_db()
    assert saved.spec == before


def test_another_agencys_template_is_a_404(team, other_team, saved, logged_in):
    outsider = logged_in(other_team["coordinator"].user)
    target = reverse("template_edit", args=[other_team["agency"].slug, saved.pk])
    assert outsider.get(target).status_code == 404
    assert outsider.post(target, _row_data(saved, **{"template-name": "Stolen"})).status_code == 404
    with scope(agency=team["agency"].pk):
        saved.refresh_from_db()
    assert saved.name == "Dental site plan"
