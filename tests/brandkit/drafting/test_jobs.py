"""Drafting jobs through the real services and the real task body: every kind offline and against a local
OpenAI-compatible server, retries, outages, the budget, cancel and retry, and a result written once."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_scopes import scope

from brandkit import services as brand_services
from brandkit.drafting import services as drafting
from brandkit.drafting.models import (
    OFFLINE_LABEL,
    DraftingOutput,
    DraftingResult,
    DraftingSettings,
    ExpandedBrief,
    JobState,
)
from brandkit.drafting.provider import Completion, ProviderConfig, ProviderError, chat
from brandkit.models import ContentPiece, ContentState, ContentVersion
from tests.brandkit.drafting.conftest import API_KEY, run, start

pytestmark = pytest.mark.django_db


def _piece(world, body="Calm care for your next visit. Book your first visit.", **kwargs):
    with scope(agency=world["agency"].pk):
        return brand_services.content_piece_create(
            actor=world["coordinator"],
            client=world["client"],
            title=kwargs.pop("title", "Spring landing page"),
            channel=kwargs.pop("channel", "landing_page"),
            goal="lead_generation",
            body=body,
            project=world["project"],
            **kwargs,
        )


def _outputs(world, job):
    with scope(agency=world["agency"].pk):
        return list(DraftingOutput.objects.filter(job=job).select_related("piece").order_by("position"))


def _latest(world, piece):
    with scope(agency=world["agency"].pk):
        return ContentVersion.objects.filter(piece=piece).order_by("-number").first()


# --- Offline ---------------------------------------------------------------------------------------


def test_with_no_provider_a_first_draft_is_written_by_the_offline_drafter_as_a_checked_draft(studio):
    job = start(
        studio,
        "first_draft",
        project=studio["project"],
        inputs={"channel": "landing_page", "goal": "lead_generation"},
    )
    assert job.state == JobState.QUEUED and job.provider == OFFLINE_LABEL and job.estimated_tokens == 0
    job = run(studio, job)
    assert job.state == JobState.SUCCEEDED and job.attempts == 1 and job.finished_at is not None
    (output,) = _outputs(studio, job)
    assert output.piece.state == ContentState.DRAFT and output.piece.title == "Spring welcome"
    version = _latest(studio, output.piece)
    assert version.brand_version_id == job.brand_version_id
    assert [f for f in version.findings if f["severity"] == "error"] == []
    assert "Calm care" in version.body and "Book your first visit." in version.body


def test_an_offline_email_sequence_lands_as_linked_emails_with_their_spacing(studio):
    job = start(
        studio,
        "first_draft",
        client=studio["client"],
        inputs={
            "channel": "email",
            "goal": "email_nurture",
            "title": "Welcome",
            "count": 3,
            "spacing_days": 4,
        },
    )
    job = run(studio, job)
    titles = [o.piece.title for o in _outputs(studio, job)]
    assert titles == [
        "Welcome — email 1 of 3 (day 0)",
        "Welcome — email 2 of 3 (day 4)",
        "Welcome — email 3 of 3 (day 8)",
    ]
    for output in _outputs(studio, job):
        version = _latest(studio, output.piece)
        assert version.subject and [f for f in version.findings if f["severity"] == "error"] == []


def test_offline_drafts_pass_the_checks_with_no_errors_for_every_client_and_kind(studio):
    for name, client in studio["by_name"].items():
        project = studio["project"] if name == "Acme Dental" else None
        source = None
        jobs = [
            start(
                studio,
                "first_draft",
                client=client,
                project=project,
                inputs={"channel": "landing_page", "goal": "lead_generation", "title": f"{name} page"},
            )
        ]
        jobs = [run(studio, jobs[0])]
        with scope(agency=studio["agency"].pk):
            source = DraftingOutput.objects.get(job=jobs[0]).piece
        jobs.append(
            run(studio, start(studio, "repurpose", piece=source, inputs={"channel": "linkedin", "count": 3}))
        )
        jobs.append(
            run(
                studio,
                start(
                    studio, "variants", piece=source, inputs={"channel": "google_ads_headline", "count": 6}
                ),
            )
        )
        for job in jobs:
            assert job.state == JobState.SUCCEEDED, job.error
            for output in _outputs(studio, job):
                errors = [
                    f["message"] for f in _latest(studio, output.piece).findings if f["severity"] == "error"
                ]
                assert errors == [], (name, job.kind, output.piece.title)


def test_repurposing_writes_new_pieces_linked_to_their_source(studio):
    source = _piece(studio)
    job = run(studio, start(studio, "repurpose", piece=source, inputs={"channel": "linkedin", "count": 3}))
    outputs = _outputs(studio, job)
    assert len(outputs) == 3 and {o.source_id for o in outputs} == {source.pk}
    assert {o.piece.channel for o in outputs} == {"linkedin"} and job.project_id == studio["project"].pk
    with scope(agency=studio["agency"].pk):
        assert source.derived.count() == 3


def test_variants_respect_the_channels_limit(studio):
    source = _piece(studio)
    job = run(
        studio, start(studio, "variants", piece=source, inputs={"channel": "google_ads_headline", "count": 6})
    )
    bodies = [_latest(studio, o.piece).body for o in _outputs(studio, job)]
    assert len(bodies) == 6 and all(len(b) <= 30 for b in bodies)
    assert [o.piece.title for o in _outputs(studio, job)][0] == "Spring landing page — variant 1"


def test_a_pre_edit_proposes_a_revision_fixing_the_findings_and_a_person_accepts_it(studio):
    piece = _piece(studio, body="Your visit is painless. Book your first visit.")
    assert any(f["check"] == "avoid" for f in _latest(studio, piece).findings)
    job = run(studio, start(studio, "pre_edit", piece=piece))
    with scope(agency=studio["agency"].pk):
        result = DraftingResult.objects.get(job=job)
    proposal = result.outputs[0]
    assert (
        proposal["body"] == "Your visit is gentle. Book your first visit." and proposal["base_version"] == 1
    )
    assert not any(f["check"] == "avoid" for f in proposal["findings"])
    # Nothing changed on the piece until a person accepts.
    assert _latest(studio, piece).number == 1
    with scope(agency=studio["agency"].pk):
        version = drafting.drafting_pre_edit_accept(actor=studio["coordinator"], job=job)
        piece.refresh_from_db()
    assert version.number == 2 and version.body == proposal["body"] and piece.state == ContentState.DRAFT
    with scope(agency=studio["agency"].pk), pytest.raises(ValidationError, match="changed since"):
        drafting.drafting_pre_edit_accept(actor=studio["coordinator"], job=job)


def test_a_brief_expansion_is_a_versioned_record_beside_the_brief_decided_section_by_section(studio):
    job = run(studio, start(studio, "brief_expansion", project=studio["project"]))
    with scope(agency=studio["agency"].pk):
        first = ExpandedBrief.objects.get(project=studio["project"])
        assert first.number == 1 and first.job_id == job.pk
        assert [s["key"] for s in first.sections] == [
            "outlines",
            "angles",
            "themes",
            "key_messages",
            "proof",
            "open_questions",
        ]
        assert {s["status"] for s in first.sections} == {"proposed"}
        edited = drafting.expanded_brief_decide(
            actor=studio["coordinator"],
            project=studio["project"],
            key="angles",
            action="edit",
            text="Calm first.",
        )
        dropped = drafting.expanded_brief_decide(
            actor=studio["coordinator"], project=studio["project"], key="themes", action="drop"
        )
        studio["project"].brief.refresh_from_db()
        assert studio["project"].brief.objective == "Bring nervous patients back before summer."
    assert edited.number == 2 and dropped.number == 3
    by_key = {s["key"]: s for s in dropped.sections}
    assert by_key["angles"] == {**by_key["angles"], "text": "Calm first.", "status": "edited"}
    assert by_key["themes"]["status"] == "dropped" and by_key["outlines"]["status"] == "proposed"


def test_a_job_for_a_piece_of_another_client_is_refused(studio):
    piece = _piece(studio)
    with pytest.raises(ValidationError, match="same client"):
        start(
            studio,
            "repurpose",
            piece=piece,
            client=studio["by_name"]["Birch Bakery"],
            inputs={"channel": "x"},
        )


def test_hostile_inputs_get_clear_errors(studio):
    with pytest.raises(ValidationError) as error:
        start(
            studio,
            "first_draft",
            client=studio["client"],
            inputs={"channel": "fax", "count": 500, "instructions": "x" * 5000, "examples": ["a"]},
        )
    assert set(error.value.message_dict) >= {"channel", "count", "instructions", "examples"}


def test_a_job_carries_the_clients_decided_terms_and_no_other_clients(studio):
    from approvals import services as approval_services

    decided = {"Acme Dental": [("free consultation", "absent"), ("Smile Plan", "present")]}
    decided["Birch Bakery"] = [("sourdough club", "absent")]
    with scope(agency=studio["agency"].pk):
        for name, terms in decided.items():
            entry = approval_services.decision_log_add(
                actor=studio["owner"],
                client=studio["by_name"][name],
                decided_on=date(2026, 3, 12),
                decision="What the client decided in the March call.",
                approver_name="The client",
                asset="All copy",
                source_kind="meeting",
            )
            for term, must in terms:
                brand_services.decision_constraint_add(
                    actor=studio["owner"], entry=entry, term=term, must=must
                )
    job = start(studio, "first_draft", client=studio["client"], inputs={"channel": "email", "title": "Hi"})
    assert (job.inputs["must_include"], job.inputs["must_avoid"]) == (["Smile Plan"], ["free consultation"])
    prompt = "\n".join(message["content"] for message in job.messages)
    assert "Must include:\n- Smile Plan" in prompt and "Must not use:\n- free consultation" in prompt
    assert "sourdough club" not in prompt


# --- With a provider -----------------------------------------------------------------------------------


def test_with_a_provider_the_exact_messages_sent_and_the_usage_are_stored_with_the_job(with_provider):
    world, server = with_provider, with_provider["provider"]
    job = start(world, "first_draft", project=world["project"], inputs={"channel": "landing_page"})
    assert job.provider == "fake-model-1" and job.estimated_tokens > 1500
    job = run(world, job)
    assert job.state == JobState.SUCCEEDED
    (request,) = server.requests
    assert request["model"] == "fake-model-1" and request["messages"] == job.messages
    assert job.prompt_tokens == sum(len(m["content"]) for m in job.messages) // 4 + 1
    assert job.completion_tokens == 120
    assert float(job.cost) == pytest.approx((job.prompt_tokens * 2 + 120 * 8) / 1_000_000)
    assert '"drafts"' in job.response
    (output,) = _outputs(world, job)
    assert _latest(world, output.piece).body.startswith("Model draft 1.")


def test_every_job_kind_runs_against_the_provider(with_provider):
    world = with_provider
    source = _piece(world)
    kinds = [
        ("brief_expansion", {"project": world["project"]}, {}),
        ("first_draft", {"client": world["client"]}, {"channel": "email", "title": "Hello", "count": 2}),
        ("repurpose", {"piece": source}, {"channel": "linkedin", "count": 3}),
        ("variants", {"piece": source}, {"channel": "email", "variant_of": "subject_line", "count": 4}),
        ("pre_edit", {"piece": source}, {}),
    ]
    for kind, objects, inputs in kinds:
        job = run(world, start(world, kind, inputs=inputs, **objects))
        assert job.state == JobState.SUCCEEDED and job.prompt_tokens > 0, (kind, job.error)
    assert len(world["provider"].requests) == 5
    with scope(agency=world["agency"].pk):
        assert (
            ExpandedBrief.objects.get(project=world["project"]).sections[0]["text"]
            == "Model working outlines."
        )


def test_the_api_key_is_encrypted_at_rest_sent_to_the_provider_and_never_logged(with_provider, caplog):
    world = with_provider
    caplog.set_level(logging.DEBUG)
    with scope(agency=world["agency"].pk):
        stored = DraftingSettings.objects.get(agency=world["agency"])
    assert stored.api_key_encrypted and API_KEY not in stored.api_key_encrypted
    job = run(
        world, start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    )
    assert world["provider"].headers[0]["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in caplog.text and API_KEY not in str(job.messages) + job.response
    assert API_KEY not in repr(ProviderConfig(base_url="http://x", model="m", api_key=API_KEY))


def test_a_429_with_retry_after_is_waited_out_and_retried(with_provider):
    world, server = with_provider, with_provider["provider"]
    server.fail_next(429, headers={"Retry-After": "7"})
    job = run(
        world, start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    )
    assert job.state == JobState.SUCCEEDED and job.attempts == 2 and len(server.requests) == 2
    retry = next(e for e in job.events if e["event"] == "retry")
    assert retry["wait"] == 7 and "HTTP 429" in retry["reason"]


def test_a_500_is_retried_with_backoff(with_provider):
    world, server = with_provider, with_provider["provider"]
    server.fail_next(500)
    job = run(
        world, start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    )
    assert job.state == JobState.SUCCEEDED and job.attempts == 2
    assert [e["wait"] for e in job.events if e["event"] == "retry"] == [2]


def test_an_outage_fails_the_job_with_the_reason_and_one_retry_runs_it_again(with_provider):
    world, server = with_provider, with_provider["provider"]
    server.fail_next(503, times=3)
    job = run(
        world, start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    )
    assert job.state == JobState.FAILED and job.attempts == 3
    assert "internal error (HTTP 503)" in job.error and "after 3 attempt(s)" in job.error
    assert _outputs(world, job) == []
    with scope(agency=world["agency"].pk):
        job = drafting.drafting_job_retry(actor=world["coordinator"], job=job)
    assert job.state == JobState.QUEUED and job.error == ""
    job = run(world, job)
    assert job.state == JobState.SUCCEEDED and len(_outputs(world, job)) == 1


def test_a_refused_key_fails_at_once_in_words(with_provider):
    world, server = with_provider, with_provider["provider"]
    server.fail_next(401)
    job = run(
        world, start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    )
    assert (
        job.state == JobState.FAILED and job.attempts == 1 and "refused the API key (HTTP 401)" in job.error
    )


def _answer(server, body: str) -> None:
    server.script.append((200, {}, body))


def _completion_body(content, usage=None) -> str:
    return json.dumps(
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}], "usage": usage}
    )


def test_what_a_provider_answers_is_read_as_a_chat_completion_or_refused_in_words(with_provider):
    world, server = with_provider, with_provider["provider"]
    config = ProviderConfig(base_url=server.url, model="fake-model-1", api_key=API_KEY)
    hello = [{"role": "user", "content": "hi"}]
    _answer(server, _completion_body("Plain text.", {"prompt_tokens": 12, "completion_tokens": 3}))
    assert chat(config, hello) == Completion(text="Plain text.", prompt_tokens=12, completion_tokens=3)
    # Content given as parts (some servers do) is joined; usage figures that are not counts read as 0.
    _answer(server, _completion_body([{"type": "text", "text": "Two "}, {"type": "text", "text": "parts."}],
                                     {"prompt_tokens": -5, "completion_tokens": "lots"}))  # fmt: skip
    assert chat(config, hello) == Completion(text="Two parts.", prompt_tokens=0, completion_tokens=0)
    _answer(server, _completion_body("No usage at all."))
    assert chat(config, hello) == Completion(text="No usage at all.", prompt_tokens=0, completion_tokens=0)
    # Counts no column holds, infinite or not a number (JSON as Python writes it), read as 0 too.
    _answer(
        server, _completion_body("Odd usage.", {"prompt_tokens": 10**30, "completion_tokens": float("inf")})
    )
    assert chat(config, hello) == Completion(text="Odd usage.", prompt_tokens=0, completion_tokens=0)
    _answer(server, _completion_body("Odd usage.", {"prompt_tokens": float("nan"), "completion_tokens": 7.0}))
    assert chat(config, hello) == Completion(text="Odd usage.", prompt_tokens=0, completion_tokens=7)
    for body in ("<html>busy</html>", "[1, 2]", _completion_body(7), '{"choices": [{"message": "hi"}]}'):
        _answer(server, body)
        with pytest.raises(ProviderError) as refused:
            chat(config, hello)
        assert "answered something that is not a chat completion" in refused.value.reason, body
        assert not refused.value.retryable, body
    for body in (_completion_body(""), _completion_body(None), '{"choices": []}'):
        _answer(server, body)
        with pytest.raises(ProviderError) as empty:
            chat(config, hello)
        assert "answered with no text" in empty.value.reason and empty.value.retryable, body
    # Every call went out as a chat completion request with the model, the messages and the output cap.
    assert all(
        request == {"model": "fake-model-1", "messages": hello, "max_tokens": config.max_output_tokens}
        for request in server.requests
    )
    # A job given an answer that is not a completion fails at once, in words, and keeps its inputs.
    _answer(server, "<html>busy</html>")
    job = run(
        world, start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    )
    assert job.state == JobState.FAILED and job.attempts == 1
    assert "not a chat completion" in job.error and job.inputs["title"] == "Hi"


def test_an_unreachable_provider_is_a_clear_failure():
    config = ProviderConfig(base_url="http://127.0.0.1:9/v1", model="m", timeout=2)
    with pytest.raises(Exception) as error:
        chat(config, [{"role": "user", "content": "hi"}])
    assert "Could not connect to the model provider at 127.0.0.1:9" in str(error.value)


def test_a_job_that_would_pass_the_monthly_budget_is_refused_before_any_call(with_provider):
    world, server = with_provider, with_provider["provider"]
    first = run(
        world, start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    )
    used = first.prompt_tokens + first.completion_tokens
    with scope(agency=world["agency"].pk):
        DraftingSettings.objects.filter(agency=world["agency"]).update(monthly_token_budget=used + 100)
    with pytest.raises(ValidationError) as error:
        start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Again"})
    message = error.value.message_dict["budget"][0]
    assert f"{used:,} of the agency's {used + 100:,} tokens" in message and "This job needs about" in message
    assert len(server.requests) == 1


def test_the_offline_drafter_does_not_count_against_the_budget(studio, settings):
    settings.AI_MONTHLY_TOKEN_BUDGET = 1
    job = run(
        studio, start(studio, "first_draft", client=studio["client"], inputs={"channel": "x", "title": "Hi"})
    )
    assert job.state == JobState.SUCCEEDED


# --- Cancel, retry, idempotency ---------------------------------------------------------------------


def test_a_cancelled_job_does_not_run_and_can_be_retried(studio):
    job = start(studio, "first_draft", client=studio["client"], inputs={"channel": "x", "title": "Hi"})
    with scope(agency=studio["agency"].pk):
        drafting.drafting_job_cancel(actor=studio["coordinator"], job=job)
    job = run(studio, job)
    assert job.state == JobState.CANCELLED and job.attempts == 0 and _outputs(studio, job) == []
    with scope(agency=studio["agency"].pk):
        drafting.drafting_job_retry(actor=studio["coordinator"], job=job)
    assert run(studio, job).state == JobState.SUCCEEDED


def test_running_a_finished_job_again_does_nothing(studio):
    job = run(
        studio, start(studio, "first_draft", client=studio["client"], inputs={"channel": "x", "title": "Hi"})
    )
    again = run(studio, job)
    assert again.state == JobState.SUCCEEDED and again.attempts == 1
    with scope(agency=studio["agency"].pk):
        assert DraftingResult.objects.filter(job=job).count() == 1
        assert ContentPiece.objects.filter(client=studio["client"]).count() == 1


class WorkerKilled(Exception):
    pass


def test_a_worker_killed_after_the_call_before_the_commit_leaves_the_job_retryable_and_one_result(
    with_provider,
):
    world, server = with_provider, with_provider["provider"]
    job = start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    with scope(agency=world["agency"].pk):
        claimed = drafting._claim(job.pk)
        text, prompt_tokens, completion_tokens = drafting._produce(
            claimed, drafting.provider_config_for(claimed.agency)
        )
        # The result is written, then the worker dies before the transaction commits.
        with pytest.raises(WorkerKilled), transaction.atomic():
            drafting._finish(
                job.pk, attempt=1, text=text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
            )
            raise WorkerKilled
        job.refresh_from_db()
        assert job.state == JobState.RUNNING and not DraftingResult.objects.filter(job=job).exists()
        assert not ContentPiece.objects.filter(client=world["client"]).exists()
    # The broker delivers the message again (acks late): the job runs once more and lands once.
    job = run(world, job)
    assert job.state == JobState.SUCCEEDED and job.attempts == 2 and len(server.requests) == 2
    job = run(world, job)
    with scope(agency=world["agency"].pk):
        assert DraftingResult.objects.filter(job=job).count() == 1
        assert ContentPiece.objects.filter(client=world["client"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_claim_commits_on_its_own_and_the_result_is_still_written_durably(with_provider):
    """The claim alone commits without waiting for the disk; the setting must not outlive it, or the
    result's commit (and anything else on the connection) would lose its durability too."""
    world = with_provider
    job = start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    with scope(agency=world["agency"].pk):
        assert not connection.in_atomic_block
        claimed = drafting._claim(job.pk)
        assert claimed.state == JobState.RUNNING and claimed.attempts == 1
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
        job.refresh_from_db()
    assert job.state == JobState.RUNNING and job.attempts == 1 and job.started_at is not None
    assert run(world, job).state == JobState.SUCCEEDED


def test_a_late_result_of_an_earlier_attempt_is_not_written_twice(with_provider):
    world = with_provider
    job = start(world, "first_draft", client=world["client"], inputs={"channel": "x", "title": "Hi"})
    with scope(agency=world["agency"].pk):
        drafting._claim(job.pk)
    job = run(world, job)  # the redelivered message finishes attempt 2
    with scope(agency=world["agency"].pk):
        outcome = drafting._finish(
            job.pk, attempt=1, text="late answer", prompt_tokens=1, completion_tokens=1
        )
        assert outcome.state == JobState.SUCCEEDED
        assert ContentPiece.objects.filter(client=world["client"]).count() == 1


def test_a_job_whose_requester_left_the_team_fails_in_words_instead_of_hanging(studio):
    job = start(studio, "first_draft", client=studio["client"], inputs={"channel": "x", "title": "Hi"})
    with scope(agency=studio["agency"].pk):
        type(studio["coordinator"]).objects.filter(pk=studio["coordinator"].pk).update(is_active=False)
    job = run(studio, job)
    assert job.state == JobState.FAILED and "no longer on the team" in job.error
    assert _outputs(studio, job) == []


def test_a_job_is_created_and_run_in_a_fixed_number_of_queries_whatever_its_outputs(
    with_provider, settings, django_assert_num_queries
):
    """Creating a job (no budget set): one read of the client with its latest brand-layer version, its
    decision terms, the library files chosen as its examples and the agency's drafting settings (the
    layer's document is kept per process by version), and the insert. Running it as the worker does (the
    agency id comes with the message): the claim, one UPDATE that returns the job joined to its agency,
    settings, client and requester; after the call, in one transaction, the job's final state (one
    UPDATE that only the run still holding the job passes), the brand rules (one read), the pieces, their
    versions, the outputs and the result (an insert each, whatever the number of outputs). An email
    sequence of four costs what one page does."""
    settings.AI_MONTHLY_TOKEN_BUDGET = 0
    world, agency_id = with_provider, with_provider["agency"].pk
    warm = start(
        world, "first_draft", client=world["client"], inputs={"channel": "landing_page", "title": "W"}
    )
    with scope(agency=agency_id):
        # This process reads the brand layers' documents once; after that they are kept by version.
        drafting.drafting_job_execute(job_id=warm.pk, agency_id=agency_id)
    for inputs, outputs in (
        ({"channel": "landing_page", "goal": "lead_generation", "title": "Page"}, 1),
        ({"channel": "email", "goal": "email_nurture", "title": "Welcome", "count": 4}, 4),
    ):
        with django_assert_num_queries(2):
            job = start(world, "first_draft", client=world["client"], inputs=inputs)
        with django_assert_num_queries(9), scope(agency=agency_id):
            outcome = drafting.drafting_job_execute(job_id=job.pk, agency_id=agency_id)
        assert outcome.state == JobState.SUCCEEDED
        pieces = _outputs(world, job)
        assert len(pieces) == outputs and [p.position for p in pieces] == list(range(outputs))
        assert all(_latest(world, p.piece).number == 1 for p in pieces)
