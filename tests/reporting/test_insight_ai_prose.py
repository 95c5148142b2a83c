"""With an AI provider configured, an insight's prose is written by a drafting job from the facts alone and
used only when every number in it is in the facts; the local fake OpenAI-compatible server answers."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_scopes import scope

from brandkit.drafting import services as drafting
from brandkit.drafting.models import DraftingJob, JobKind
from brandkit.drafting.tasks import run_drafting_job
from reporting import insight
from reporting.models import InsightDraft, InsightState
from reporting.services import insights
from reporting.tasks import apply_insight_prose
from tests.brandkit.drafting.fake_provider import FakeProvider
from tests.reporting import story

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(team, settings):
    settings.AI_MAX_ATTEMPTS = 1
    with FakeProvider() as server:
        with scope(agency=team["agency"].pk):
            drafting.drafting_settings_update(
                actor=team["owner"], base_url=server.url, model="fake-model-1", api_key="sk-test-insight"
            )
        yield server


def _draft(team, data) -> InsightDraft:
    with scope(agency=team["agency"].pk):
        return insights.insight_draft_create(
            actor=team["coordinator"], client=data["client"],
            period_start=story.NOVEMBER[0], period_end=story.NOVEMBER[1],
        )  # fmt: skip


def _run(team, draft, django_capture_on_commit_callbacks) -> InsightDraft:
    """The worker runs the drafting job; its finish announces, and reporting's task takes the prose."""
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run_drafting_job.apply(args=[draft.drafting_job_id])
    # The job's finish queued reporting's task on commit; a worker runs it: here, in this process.
    assert [c for c in queued if "reporting.tasks.apply_insight_prose" in repr(c)]
    apply_insight_prose.apply(args=[draft.drafting_job_id, team["agency"].pk])
    with scope(agency=team["agency"].pk):
        return InsightDraft.objects.get(pk=draft.pk)


def test_the_prose_is_written_by_a_drafting_job_from_the_facts_only_and_used_when_its_numbers_check(
    team, provider, django_capture_on_commit_callbacks, as_coordinator
):
    data = story.build(team)
    draft = _draft(team, data)
    assert draft.prose == "drafting" and draft.text == draft.drafted_text
    with scope(agency=team["agency"].pk):
        job = DraftingJob.objects.get(pk=draft.drafting_job_id)
    assert job.kind == JobKind.REPORT_PROSE and job.provider == "fake-model-1"
    written = draft.drafted_text.replace("What changed", "What changed in November", 1).replace(
        "- Industry-specific lead cost dropped 18%",
        "- Leads got cheaper: Industry-specific lead cost dropped 18%",
    )
    provider.content = json.dumps({"text": written})
    draft = _run(team, draft, django_capture_on_commit_callbacks)

    # The facts are the prompt: the stored facts as JSON and the sentences made from them, no brand layer.
    (request,) = provider.requests
    system, user = request["messages"]
    assert json.dumps(draft.facts, ensure_ascii=False, sort_keys=True) in user["content"]
    assert "do not add any number" in system["content"] and "brand" not in system["content"].lower()
    assert draft.prose == "ai" and draft.text == written and draft.ai_text == written
    assert "every number in it is in the facts" in draft.prose_note
    # The job is on the drafting pages like any other, its prose shown as it came.
    job_page = as_coordinator.get(reverse("drafting_job_detail", args=[team["agency"].slug, job.pk]))
    assert job_page.status_code == 200 and "What changed in November" in job_page.content.decode()
    # A person still edits and approves it.
    with scope(agency=team["agency"].pk):
        assert draft.state == InsightState.DRAFT
        insights.insight_draft_edit(
            actor=team["coordinator"], draft=draft, text=written + "\nChecked by Casey."
        )
        approved = insights.insight_draft_approve(actor=team["owner"], draft=draft)
    assert approved.state == InsightState.APPROVED and approved.text.endswith("Checked by Casey.")


def test_prose_that_invents_a_number_is_rejected_and_the_writers_text_kept_with_the_reason(
    team, provider, django_capture_on_commit_callbacks, as_coordinator
):
    data = story.build(team)
    draft = _draft(team, data)
    provider.content = json.dumps(
        {"text": draft.drafted_text + "\n- Expect 27% more leads and 1,350 USD saved next month."}
    )
    draft = _run(team, draft, django_capture_on_commit_callbacks)
    assert draft.prose == "rejected"
    assert draft.text == draft.drafted_text and "27%" in draft.ai_text
    assert "it gives 27, 1,350, which the facts do not contain" in draft.prose_note
    page = as_coordinator.get(reverse("reporting_insight_detail", args=[team["agency"].slug, draft.pk]))
    body = page.content.decode()
    assert "AI text rejected." in body and "it gives 27, 1,350" in body
    assert "Expect 27% more leads" in body  # the AI version stays visible beside the writer's text


def test_a_failed_provider_keeps_the_writers_text_and_says_why(
    team, provider, django_capture_on_commit_callbacks
):
    data = story.build(team)
    draft = _draft(team, data)
    provider.fail_next(401)
    draft = _run(team, draft, django_capture_on_commit_callbacks)
    assert draft.prose == "failed" and draft.text == draft.drafted_text
    assert "refused the API key (HTTP 401)" in draft.prose_note


def test_a_persons_edit_made_while_the_job_ran_is_kept(team, provider, django_capture_on_commit_callbacks):
    data = story.build(team)
    draft = _draft(team, data)
    with scope(agency=team["agency"].pk):
        insights.insight_draft_edit(actor=team["coordinator"], draft=draft, text="Casey's own words.")
    provider.content = json.dumps({"text": draft.drafted_text})
    draft = _run(team, draft, django_capture_on_commit_callbacks)
    assert draft.prose == "ai" and draft.text == "Casey's own words." and draft.ai_text == draft.drafted_text


def test_without_a_provider_the_deterministic_writer_drafts_and_no_job_starts(team):
    data = story.build(team)
    draft = _draft(team, data)
    assert draft.prose == "writer" and draft.drafting_job_id is None and draft.text == draft.drafted_text
    with scope(agency=team["agency"].pk):
        assert not DraftingJob.objects.filter(kind=JobKind.REPORT_PROSE).exists()


def test_numbers_are_compared_as_written_without_grouping_padding_or_sign():
    facts = {"percent": "-18.0", "on": "2026-11-03", "cost": "41.0000", "spend": "4100.00"}
    ok = "Lead cost dropped 18% to 41 USD on 3 November 2026; spend was 4,100.00 USD."
    assert insight.numbers_not_in_facts(ok, facts, "") == []
    assert insight.numbers_not_in_facts("Spend rose 12% to 4,200 USD.", facts, "") == ["12", "4,200"]
    assert insight.numbers_not_in_facts("Leads rose 12%.", facts, "Leads rose 12%.") == []


def test_report_prose_is_not_a_kind_people_start_from_the_drafting_pages(team, as_coordinator):
    page = as_coordinator.get(reverse("drafting_job_new", args=[team["agency"].slug]) + "?kind=report_prose")
    assert page.status_code == 200
    assert "Report prose" not in page.content.decode()
