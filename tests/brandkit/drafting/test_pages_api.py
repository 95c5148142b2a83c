"""The drafting pages and API: start a job, follow it (htmx polling), see the result and findings, the
stored prompt for coordinators only, retry and cancel, usage and cost per month, the expanded brief, the
provider settings (the key never shown back), and query counts that stay flat as jobs grow."""

from __future__ import annotations

import pytest
from django_scopes import scope

from brandkit.drafting.models import DraftingJob, DraftingSettings, JobState
from tests import factories
from tests.brandkit.drafting.conftest import API_KEY, run, start
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def _url(world, path=""):
    return f"/{world['agency'].slug}/drafting/{path}"


def _api(world, path=""):
    return f"/api/v1/agencies/{world['agency'].slug}/drafting-jobs/{path}"


def _jobs(world):
    with scope(agency=world["agency"].pk):
        return list(DraftingJob.objects.order_by("pk"))


def test_a_coordinator_drafts_a_landing_page_from_the_brief_and_follows_it_to_the_result(
    studio, as_coordinator
):
    url = _url(studio, f"new/?kind=first_draft&project={studio['project'].pk}")
    page = as_coordinator.get(url)
    assert "offline drafter" in page.content.decode() and "Spring launch" in page.content.decode()
    response = as_coordinator.post(url, {"channel": "landing_page", "goal": "lead_generation"})
    (job,) = _jobs(studio)
    assert response.status_code == 302 and response["Location"] == _url(studio, f"{job.pk}/")
    waiting = as_coordinator.get(_url(studio, f"{job.pk}/"), headers={"HX-Request": "true"}).content.decode()
    assert waiting.lstrip().startswith('<section id="job-status"') and 'hx-trigger="every 2s"' in waiting
    assert "you can leave this page" in waiting and "<html" not in waiting
    run(studio, job)
    done = as_coordinator.get(_url(studio, f"{job.pk}/")).content.decode()
    assert 'data-state="succeeded"' in done and "every 2s" not in done
    assert "Spring welcome" in done and "version 1, draft" in done
    assert "Stored prompt and response" in done and "Calm care" in done


def test_a_member_sees_the_result_but_not_the_stored_prompt(studio, as_member):
    job = run(
        studio, start(studio, "first_draft", client=studio["client"], inputs={"channel": "x", "title": "Hi"})
    )
    page = as_member.get(_url(studio, f"{job.pk}/")).content.decode()
    assert 'data-state="succeeded"' in page and "Stored prompt" not in page
    body = factories.token_client(studio["members"][0].user).get(_api(studio, f"{job.pk}/")).json()
    assert body["messages"] is None and body["response"] is None and body["state"] == "succeeded"


def test_a_failed_job_shows_why_and_one_click_retries_it(with_provider, as_coordinator):
    world, server = with_provider, with_provider["provider"]
    server.fail_next(500, times=3)
    job = run(
        world, start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    )
    page = as_coordinator.get(_url(world, f"{job.pk}/")).content.decode()
    assert "internal error (HTTP 500)" in page and "Retry</button>" in page
    as_coordinator.post(_url(world, f"{job.pk}/retry/"))
    assert run(world, job).state == JobState.SUCCEEDED


def test_cancelling_from_the_page_stops_a_queued_job(studio, as_coordinator):
    job = start(studio, "first_draft", client=studio["client"], inputs={"channel": "x", "title": "Hi"})
    as_coordinator.post(_url(studio, f"{job.pk}/cancel/"))
    assert run(studio, job).state == JobState.CANCELLED


def test_the_job_list_shows_usage_and_cost_per_month_in_a_fixed_number_of_queries(
    with_provider, as_coordinator, django_assert_num_queries
):
    world = with_provider
    for n in range(3):
        run(
            world,
            start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": f"A{n}"}),
        )
    as_coordinator.get(_url(world))
    with django_assert_num_queries(STAFF_PAGE_READS + 5):
        few = as_coordinator.get(_url(world))
    for n in range(12):
        start(
            world,
            "first_draft",
            client=world["by_name"]["Cobalt Fitness"],
            inputs={"channel": "x", "title": f"B{n}"},
        )
    with django_assert_num_queries(STAFF_PAGE_READS + 5):
        many = as_coordinator.get(_url(world))
    assert len(few.context["jobs"]) == 3 and len(many.context["jobs"]) == 15
    (month,) = many.context["usage"]
    assert month["jobs"] == 15 and month["tokens"] == sum(j.total_tokens for j in _jobs(world)) > 0
    assert month["cost"] > 0 and "fake-model-1" in many.content.decode()


def test_the_job_list_endpoint_answers_in_a_fixed_number_of_queries(studio, django_assert_num_queries):
    api = factories.token_client(studio["coordinator"].user)
    for n in range(2):
        start(studio, "first_draft", client=studio["client"], inputs={"channel": "x", "title": f"A{n}"})
    with django_assert_num_queries(5):
        few = api.get(_api(studio))
    for n in range(10):
        start(
            studio,
            "first_draft",
            client=studio["by_name"]["Birch Bakery"],
            inputs={"channel": "x", "title": f"B{n}"},
        )
    with django_assert_num_queries(5):
        many = api.get(_api(studio))
    assert len(few.json()["results"]) == 2 and len(many.json()["results"]) == 12


def test_the_api_starts_retrieves_cancels_and_retries_a_job(studio):
    api = factories.token_client(studio["coordinator"].user)
    source = run(
        studio, start(studio, "first_draft", project=studio["project"], inputs={"channel": "landing_page"})
    )
    with scope(agency=studio["agency"].pk):
        piece_id = source.outputs.get().piece_id
    created = api.post(
        _api(studio),
        {"kind": "repurpose", "piece": piece_id, "inputs": {"channel": "linkedin", "count": 3}},
        format="json",
    )
    assert created.status_code == 201 and created.json()["state"] == "queued"
    assert created.json()["provider"] == "offline drafter" and created.json()["source_piece"] == piece_id
    job_id = created.json()["id"]
    with scope(agency=studio["agency"].pk):
        run(studio, DraftingJob.objects.get(pk=job_id))
    body = api.get(_api(studio, f"{job_id}/")).json()
    assert body["state"] == "succeeded" and len(body["outputs"]) == 3
    assert all(isinstance(o["findings"], list) and o["piece"] for o in body["outputs"])
    assert api.post(_api(studio, f"{job_id}/cancel/")).status_code == 400
    cancelled = api.post(
        _api(studio), {"kind": "variants", "piece": piece_id, "inputs": {"count": 2}}, format="json"
    )
    assert api.post(_api(studio, f"{cancelled.json()['id']}/cancel/")).json()["state"] == "cancelled"
    assert api.post(_api(studio, f"{cancelled.json()['id']}/retry/")).json()["state"] == "queued"


def test_the_api_refuses_hostile_input_and_another_agencys_objects(studio, other_team):
    api = factories.token_client(studio["coordinator"].user)
    assert api.post(_api(studio), {"kind": "poem"}, format="json").status_code == 400
    too_many = api.post(_api(studio), {"kind": "first_draft", "client": studio["client"].pk,
                                       "inputs": {"channel": "x", "count": 99, "instructions": "x" * 3000}}, format="json")  # fmt: skip
    assert too_many.status_code == 400 and set(too_many.json()) == {"inputs"}
    foreign = other_team["clients"][0]
    refused = api.post(
        _api(studio),
        {"kind": "first_draft", "client": foreign.pk, "inputs": {"channel": "x", "title": "t"}},
        format="json",
    )
    assert refused.status_code == 400 and "client" in refused.json()
    theirs = start(other_team, "first_draft", client=foreign, inputs={"channel": "x", "title": "t"})
    assert api.get(_api(studio, f"{theirs.pk}/")).status_code == 404
    assert api.post(_api(studio, f"{theirs.pk}/cancel/")).status_code == 404


def test_the_api_refuses_a_job_over_the_budget_with_the_figure(with_provider):
    world = with_provider
    with scope(agency=world["agency"].pk):
        DraftingSettings.objects.filter(agency=world["agency"]).update(monthly_token_budget=100)
    api = factories.token_client(world["coordinator"].user)
    refused = api.post(
        _api(world),
        {"kind": "first_draft", "client": world["client"].pk, "inputs": {"channel": "x", "title": "t"}},
        format="json",
    )
    assert refused.status_code == 400
    assert "0 of the agency's 100 tokens" in refused.json()["budget"][0]
    assert world["provider"].requests == [] and _jobs(world) == []


def test_the_expanded_brief_page_lets_a_person_decide_each_section(studio, as_coordinator):
    run(studio, start(studio, "brief_expansion", project=studio["project"]))
    url = f"/{studio['agency'].slug}/projects/{studio['project'].pk}/expanded-brief/"
    assert 'data-status="proposed"' in as_coordinator.get(url).content.decode()
    as_coordinator.post(url, {"key": "proof", "action": "accept"})
    as_coordinator.post(url, {"key": "themes", "action": "drop"})
    page = as_coordinator.get(url).content.decode()
    assert 'data-section="proof" data-status="accepted"' in page
    assert 'data-section="themes" data-status="dropped"' in page and "Version 3" in page


def test_the_piece_page_loads_its_drafting_section(studio, as_coordinator):
    job = run(
        studio, start(studio, "first_draft", client=studio["client"], inputs={"channel": "x", "title": "Hi"})
    )
    with scope(agency=studio["agency"].pk):
        piece_id = job.outputs.get().piece_id
    page = as_coordinator.get(f"/{studio['agency'].slug}/content/{piece_id}/").content.decode()
    assert f'hx-get="/{studio["agency"].slug}/content/{piece_id}/drafting/"' in page
    section = as_coordinator.get(
        f"/{studio['agency'].slug}/content/{piece_id}/drafting/", headers={"HX-Request": "true"}
    )
    text = section.content.decode()
    assert "<html" not in text and f"First draft #{job.pk}" in text and "kind=repurpose" in text


def test_the_provider_key_is_saved_encrypted_and_never_shown_back(studio, as_coordinator, as_member):
    url = _url(studio, "settings/")
    assert as_member.get(url).status_code == 403
    response = as_coordinator.post(url, {"base_url": "https://llm.example.test/v1", "model": "llama3.1", "api_key": API_KEY,
                                         "price_input_per_million": "0.5", "price_output_per_million": "1.5"})  # fmt: skip
    assert response.status_code == 302
    page = as_coordinator.get(url).content.decode()
    assert API_KEY not in page and "An API key is saved" in page and "llama3.1" in page
    with scope(agency=studio["agency"].pk):
        assert API_KEY not in DraftingSettings.objects.get().api_key_encrypted
    job = start(studio, "first_draft", client=studio["client"], inputs={"channel": "x", "title": "t"})
    assert job.provider == "llama3.1"


@pytest.mark.parametrize("kind", ["brief_expansion", "first_draft", "repurpose", "variants", "pre_edit"])
def test_every_kind_of_job_starts_from_its_page(studio, as_member, kind):
    source = run(
        studio, start(studio, "first_draft", project=studio["project"], inputs={"channel": "landing_page"})
    )
    with scope(agency=studio["agency"].pk):
        piece_id = source.outputs.get().piece_id
    where = (
        f"project={studio['project'].pk}"
        if kind in ("brief_expansion", "first_draft")
        else f"piece={piece_id}"
    )
    url = _url(studio, f"new/?kind={kind}&{where}")
    assert "offline drafter" in as_member.get(url).content.decode()
    data = {"channel": "google_ads_headline", "count": 2} if kind in ("repurpose", "variants") else {}
    if kind == "first_draft":
        data = {"channel": "landing_page"}
    response = as_member.post(url, data)
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["form"].non_field_errors(),
    )
    job = _jobs(studio)[-1]
    assert job.kind == kind and run(studio, job).state == JobState.SUCCEEDED, job.error


def test_another_agencys_piece_is_a_404_on_the_new_job_page(studio, other_team, as_member):
    theirs = start(
        other_team, "first_draft", client=other_team["clients"][0], inputs={"channel": "x", "title": "t"}
    )
    run(other_team, theirs)
    with scope(agency=other_team["agency"].pk):
        piece_id = theirs.outputs.get().piece_id
    assert as_member.get(_url(studio, f"new/?kind=repurpose&piece={piece_id}")).status_code == 404
    assert as_member.get(_url(studio, f"new/?kind=repurpose&piece={piece_id + 1000}")).status_code == 404


def test_the_pieces_drafting_section_answers_in_a_fixed_number_of_queries(
    studio, as_coordinator, django_assert_num_queries
):
    source = run(
        studio, start(studio, "first_draft", client=studio["client"], inputs={"channel": "x", "title": "Hi"})
    )
    with scope(agency=studio["agency"].pk):
        piece = source.outputs.get().piece
    url = f"/{studio['agency'].slug}/content/{piece.pk}/drafting/"
    as_coordinator.get(url, headers={"HX-Request": "true"})
    # A section without the shell: the first reads and the section's own.
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        few = as_coordinator.get(url, headers={"HX-Request": "true"})
    for _ in range(8):
        start(studio, "variants", piece=piece, inputs={"count": 2})
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        many = as_coordinator.get(url, headers={"HX-Request": "true"})
    assert len(few.context["jobs"]) == 1 and len(many.context["jobs"]) == 9
