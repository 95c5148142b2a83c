"""Writes of AI drafting: start a job (budget checked before any call), run it (called by the Celery
task), cancel and retry it, accept a pre-edit, decide expanded-brief sections, and the agency's provider
settings.

A run is three steps so a worker killed at any point leaves the job retryable and never duplicated:
``_claim`` (mark it running and count the attempt in one UPDATE, committed), the call (no transaction
open), ``_finish`` (one transaction: the final state in one UPDATE that only a job still running at this
attempt passes, which also takes the row lock, then its pieces and its one ``DraftingResult``). State
changes are UPDATEs with their condition in the WHERE clause, so no step reads the row to change it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Func, JSONField, Value
from django.utils import timezone
from django_scopes import get_scope, scope, scopes_disabled

from agencyops import hooks
from agencyops.models import Agency, Client, Membership
from agencyops.permissions import require
from agencyops.planned_sql import planned_cursor, planned_insert
from brandkit.drafting import prompts
from brandkit.drafting.api_keys import api_key_encrypt
from brandkit.drafting.models import (
    OPEN_STATES,
    DraftingJob,
    DraftingOutput,
    DraftingResult,
    DraftingSettings,
    ExpandedBrief,
    JobKind,
    JobState,
    SectionStatus,
)
from brandkit.drafting.offline import SHORT_LIMITS, offline_answer
from brandkit.drafting.provider import ProviderConfig, ProviderError, chat
from brandkit.drafting.selectors import (
    drafting_settings_for,
    job_sources_for,
    month_start,
    prices_for,
    provider_config_for,
    token_budget_for,
    tokens_used_this_month,
)
from brandkit.findings import TEXT_FIELDS
from brandkit.governance.types import CHANNEL_VALUES, CHANNELS
from brandkit.layer import layer_rules
from brandkit.models import ContentPiece, ContentVersion, FindingDismissal
from brandkit.permissions import can_manage_brand_settings, can_write_content
from brandkit.selectors import (
    brand_layer_document,
    vale_rules_of,
)
from brandkit.services.content import (
    NewPiece,
    content_check,
    content_piece_edit,
    content_pieces_create,
)
from projects.calendars import agency_today
from projects.models import Brief, CampaignGoal, Project

log = logging.getLogger(__name__)

MAX_INSTRUCTIONS = 2000
MAX_FACTS_CHARS = 60_000
MAX_COUNT = 12
MAX_TITLE = 200
CHANNEL_LABELS = dict(CHANNELS)
BACKOFF_CAP = 60


# --- Starting a job ------------------------------------------------------------------------------


def _int(value: Any, *, field: str, low: int, high: int, default: int, errors: dict[str, str]) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = f"A whole number from {low} to {high}."
        return default
    if not low <= number <= high:
        errors[field] = f"A whole number from {low} to {high}."
    return number


def _piece_texts(piece: ContentPiece) -> tuple[dict[str, Any], ContentVersion | None]:
    latest = ContentVersion.objects.filter(piece=piece).order_by("-number").first()
    texts = {f: getattr(latest, f) if latest else "" for f in TEXT_FIELDS}
    return {"title": piece.title, "channel": piece.channel, **texts}, latest


def _brief_fields(project: Project) -> dict[str, Any]:
    brief = Brief.objects.filter(project=project).first()
    if brief is None:
        return {"project": project.name}
    return {
        "project": project.name,
        "campaign_name": brief.campaign_name,
        "objective": brief.objective,
        "deliverables": brief.deliverables,
        "channels": brief.channels,
        "campaign_goal": brief.get_campaign_goal_display() if brief.campaign_goal else "",
        "due_date": brief.due_date.isoformat() if brief.due_date else "",
        "review_milestones": brief.review_milestones,
        "known_constraints": brief.known_constraints,
    }


def _job_inputs(
    *,
    kind: str,
    client: Client,
    raw: dict[str, Any],
    project: Project | None,
    piece: ContentPiece | None,
) -> dict[str, Any]:
    """What the job reads, validated and capped, with the source texts copied as they are now (the
    client's decision terms are added from its sources, read once these are valid)."""
    errors: dict[str, str] = {}
    channel = str(raw.get("channel") or (piece.channel if piece else "") or "")
    if kind in (JobKind.FIRST_DRAFT, JobKind.REPURPOSE, JobKind.VARIANTS) and channel not in CHANNEL_VALUES:
        errors["channel"] = f"Choose a channel: {', '.join(sorted(CHANNEL_VALUES))}."
    goal = str(raw.get("goal") or (piece.goal if piece else "") or "")
    if not goal and project is not None:
        brief = Brief.objects.filter(project=project).first()
        goal = brief.campaign_goal if brief else ""
    if goal and goal not in CampaignGoal.values:
        errors["goal"] = f"Choose a campaign goal: {', '.join(CampaignGoal.values)}."
    instructions = str(raw.get("instructions") or "").strip()
    if len(instructions) > MAX_INSTRUCTIONS:
        errors["instructions"] = f"At most {MAX_INSTRUCTIONS:,} characters."
    title = str(raw.get("title") or "").strip()
    if len(title) > MAX_TITLE:
        errors["title"] = f"At most {MAX_TITLE} characters."
    default_count = {JobKind.VARIANTS: 6, JobKind.REPURPOSE: 3}.get(kind, 1)
    count = _int(raw.get("count"), field="count", low=1, high=MAX_COUNT, default=default_count, errors=errors)
    if kind == JobKind.FIRST_DRAFT and count > 1 and channel != "email":
        errors["count"] = "Only an email sequence has several pieces; choose the email channel."
    spacing = _int(raw.get("spacing_days"), field="spacing_days", low=1, high=60, default=3, errors=errors)
    examples = raw.get("examples") or []
    if (
        not isinstance(examples, list)
        or len(examples) > prompts.MAX_EXAMPLES
        or not all(isinstance(e, int) and not isinstance(e, bool) for e in examples)
    ):
        errors["examples"] = f"Up to {prompts.MAX_EXAMPLES} example positions (numbers from 0)."
        examples = []
    variant_of = str(raw.get("variant_of") or "headline")
    if kind == JobKind.VARIANTS and variant_of not in prompts.VARIANT_OF:
        errors["variant_of"] = f"Choose one of {', '.join(prompts.VARIANT_OF)}."
    if kind == JobKind.FIRST_DRAFT and not title and project is None:
        errors["title"] = "Name the piece, or start from a project's brief."
    if errors:
        raise ValidationError(errors)
    inputs: dict[str, Any] = {
        "client_name": client.name,
        "channel": channel,
        "channel_label": CHANNEL_LABELS.get(channel, ""),
        "goal": goal,
        "title": title,
        "count": 1 if kind in (JobKind.BRIEF_EXPANSION, JobKind.PRE_EDIT) else count,
        "instructions": instructions,
        "examples": examples,
    }
    if kind == JobKind.FIRST_DRAFT and count > 1:
        inputs["spacing_days"] = spacing
    if kind == JobKind.VARIANTS:
        inputs["variant_of"] = variant_of
        inputs["limit"] = SHORT_LIMITS.get(channel, 0)
    if project is not None:
        inputs["brief"] = _brief_fields(project)
        if not inputs["title"] and kind == JobKind.FIRST_DRAFT:
            inputs["title"] = (inputs["brief"].get("campaign_name") or project.name)[:MAX_TITLE]
    if piece is not None:
        inputs["source"], latest = _piece_texts(piece)
        inputs["source_version"] = latest.number if latest else 0
    if kind == JobKind.PRE_EDIT and piece is not None:
        dismissed_open = [r for r in (latest.findings if latest else []) if r["severity"] != "suggestion"]
        dismissed = set(FindingDismissal.objects.filter(piece=piece).values_list("key", flat=True))
        inputs["findings"] = [
            {k: r.get(k, "") for k in ("check", "field", "excerpt", "message", "suggestion")}
            for r in dismissed_open
            if r["key"] not in dismissed
        ][:50]
    return inputs


def _report_prose_inputs(*, client: Client, raw: dict[str, Any]) -> dict[str, Any]:
    """The facts of a report section (a JSON object) and the deterministic writer's sentences, capped."""
    facts, writer_text = raw.get("facts"), raw.get("writer_text", "")
    if not isinstance(facts, dict) or not isinstance(writer_text, str):
        raise ValidationError({"facts": "Report prose is written from a JSON object of facts."})
    if len(json.dumps(facts)) + len(writer_text) > MAX_FACTS_CHARS:
        raise ValidationError({"facts": f"At most {MAX_FACTS_CHARS:,} characters of facts."})
    return {"client_name": client.name, "facts": facts, "writer_text": writer_text, "count": 1}


def _budget_check(agency: Agency, estimate: int, *, own: DraftingSettings | None = None) -> None:
    budget = token_budget_for(agency, own=own)
    if not budget:
        return
    used = tokens_used_this_month(agency)
    if used + estimate > budget:
        month = f"{month_start():%B %Y}"
        raise ValidationError(
            {
                "budget": f"This job needs about {estimate:,} tokens, but {used:,} of the agency's {budget:,} "
                f"tokens for {month} are used ({max(budget - used, 0):,} left). Raise the monthly budget in "
                "the drafting settings or wait for next month."
            },
            code="over_budget",
        )


def _queue(job_id: int, agency_id: int) -> None:
    from brandkit.drafting.tasks import run_drafting_job

    run_drafting_job.delay(job_id, agency_id)


def drafting_job_create(
    *,
    actor: Membership,
    kind: str,
    inputs: dict[str, Any] | None = None,
    client: Client | None = None,
    project: Project | None = None,
    piece: ContentPiece | None = None,
) -> DraftingJob:
    """Start a drafting job for one client: the prompt is assembled now from the inputs and that client's
    latest brand layer, the token budget checked before any call, and the worker queued once this commits.

    Reads, then one INSERT: it commits on its own (or with the caller's transaction, and the worker is
    queued only when that commits), so no transaction of its own is opened around it."""
    require(can_write_content, actor, "Only the agency's team starts drafting jobs.")
    if kind not in JobKind.values:
        raise ValidationError({"kind": f"Choose a kind: {', '.join(JobKind.values)}."})
    raw = dict(inputs or {})
    if kind == JobKind.BRIEF_EXPANSION and project is None:
        raise ValidationError({"project": "A brief expansion starts from a project's brief."})
    if kind in (JobKind.REPURPOSE, JobKind.PRE_EDIT) and piece is None:
        raise ValidationError({"piece": "Choose the content piece to start from."})
    if kind == JobKind.BRIEF_EXPANSION and not Brief.objects.filter(project=project).exists():
        raise ValidationError({"project": "This project has no brief yet; fill it in first."})
    owner = piece.client if piece is not None else project.client if project is not None else client
    if owner is None:
        raise ValidationError({"client": "Choose the client to draft for."})
    for other in (client, project.client if project else None, piece.client if piece else None):
        if other is not None and other.pk != owner.pk:
            raise ValidationError({"client": "The client, project and piece must all be the same client's."})
    if piece is not None and project is None and piece.project_id:
        project = Project.objects.filter(pk=piece.project_id).first()
    if kind == JobKind.PRE_EDIT:
        from brandkit.services.content import _editable

        _editable(piece)
    if kind == JobKind.REPORT_PROSE:
        # A report's prose is written from the facts the asking layer computed, and from nothing else.
        job_inputs = _report_prose_inputs(client=owner, raw=raw)
        version = None
        messages = prompts.report_prose_messages(job_inputs)
        own = drafting_settings_for(actor.agency)
    else:
        job_inputs = _job_inputs(kind=kind, client=owner, raw=raw, project=project, piece=piece)
        sources = job_sources_for(owner)
        job_inputs.update(must_include=sources.must_include, must_avoid=sources.must_avoid)
        version, own = sources.version, sources.settings
        # The layer includes the library files chosen as example assets a draft may follow.
        messages = prompts.assemble_messages(
            kind=kind, inputs=job_inputs, layer=sources.layer, today=agency_today(actor.agency)
        )
    config = provider_config_for(actor.agency, own=own)
    estimate = 0
    if not config.is_offline:
        estimate = prompts.estimate_tokens(messages, max_output_tokens=config.max_output_tokens)
        _budget_check(actor.agency, estimate, own=own)
    job = DraftingJob(
        agency=actor.agency,
        client=owner,
        brand_version=version,
        kind=kind,
        inputs=job_inputs,
        source_piece=piece,
        project=project,
        requested_by=actor,
        provider=config.label,
        base_url=config.base_url,
        messages=messages,
        estimated_tokens=estimate,
    )
    planned_insert([job])
    # robust: a broker that is down never fails the saved job; it stays queued and "retry" queues it again.
    transaction.on_commit(partial(_queue, job.pk, job.agency_id), robust=True)
    return job


@transaction.atomic
def drafting_job_cancel(*, actor: Membership, job: DraftingJob) -> DraftingJob:
    """Stop a job that has not finished; a result that arrives later is thrown away."""
    require(can_write_content, actor, "Only the agency's team cancels drafting jobs.")
    job = DraftingJob.objects.select_for_update().get(pk=job.pk)
    if job.state not in OPEN_STATES:
        raise ValidationError({"state": f"This job has already {job.get_state_display().lower()}."})
    job.state = JobState.CANCELLED
    job.finished_at = timezone.now()
    job.events = [*job.events, {"at": job.finished_at.isoformat(), "event": "cancelled", "by": actor.pk}]
    job.save(update_fields=["state", "finished_at", "events"])
    return job


@transaction.atomic
def drafting_job_retry(*, actor: Membership, job: DraftingJob) -> DraftingJob:
    """Run a failed or cancelled job again with the same inputs and prompt (one click after an outage).
    A job still queued is queued again, in case the broker lost it."""
    require(can_write_content, actor, "Only the agency's team retries drafting jobs.")
    job = DraftingJob.objects.select_for_update().get(pk=job.pk)
    if job.state in (JobState.SUCCEEDED, JobState.RUNNING):
        raise ValidationError({"state": f"This job is {job.get_state_display().lower()}; nothing to retry."})
    config = provider_config_for(job.agency)
    if not config.is_offline and job.state != JobState.QUEUED:
        _budget_check(job.agency, job.estimated_tokens)
    job.state = JobState.QUEUED
    job.attempts = 0
    job.error = ""
    job.finished_at = None
    job.events = [*job.events, {"at": timezone.now().isoformat(), "event": "retried", "by": actor.pk}]
    job.save(update_fields=["state", "attempts", "error", "finished_at", "events"])
    transaction.on_commit(partial(_queue, job.pk, job.agency_id), robust=True)
    return job


# --- Running a job (the Celery task calls drafting_job_execute) ---------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one run of the task did: the job's state now, and a wait when it should run again."""

    state: str
    retry_in: float | None = None


def _loaded(job: DraftingJob) -> DraftingJob:
    """The job's agency shared by its client and requester, so no step reads the agency row again."""
    job.client.agency = job.agency
    if job.requested_by is not None:
        job.requested_by.agency = job.agency
    return job


def _settings_read_with(agency: Agency) -> DraftingSettings:
    """The agency's drafting settings as ``_claim`` read them with the job (defaults when never saved)."""
    try:
        return agency.drafting_settings
    except DraftingSettings.DoesNotExist:
        return DraftingSettings(agency=agency)


# What a run reads with its claim, joined to the claimed row: (alias in the SQL, model, join).
_CLAIM_RELATIONS: tuple[tuple[str, type[models.Model], str], ...] = (
    ("agency", Agency, "JOIN {table} agency ON agency.id = job.agency_id"),
    ("settings", DraftingSettings, "LEFT JOIN {table} settings ON settings.agency_id = job.agency_id"),
    ("client", Client, "JOIN {table} client ON client.id = job.client_id"),
    ("requested_by", Membership, "LEFT JOIN {table} requested_by ON requested_by.id = job.requested_by_id"),
    ("source_piece", ContentPiece, "LEFT JOIN {table} source_piece ON source_piece.id = job.source_piece_id"),
    ("project", Project, "LEFT JOIN {table} project ON project.id = job.project_id"),
)


@cache
def _claim_sql(*, own_transaction: bool) -> str:
    quote = connection.ops.quote_name
    tables = [("job", DraftingJob), *((alias, model) for alias, model, _join in _CLAIM_RELATIONS)]
    columns = ", ".join(
        f"{alias}.{quote(field.column)}" for alias, model in tables for field in model._meta.concrete_fields
    )
    joins = "\n".join(join.format(table=quote(model._meta.db_table)) for _a, model, join in _CLAIM_RELATIONS)
    return f"""
        WITH job AS (
            UPDATE {quote(DraftingJob._meta.db_table)}
            SET state = %(running)s, attempts = attempts + 1, started_at = COALESCE(started_at, STATEMENT_TIMESTAMP())
            WHERE id = %(job)s AND agency_id = %(agency)s AND state IN (%(queued)s, %(running)s)
            RETURNING *
        )
        SELECT {"set_config('synchronous_commit', 'off', true)" if own_transaction else "''"}, {columns}
        FROM job {joins}
    """


def _instances(row: Sequence[Any], models_: Sequence[type[models.Model]]) -> list[models.Model | None]:
    """Model instances from one row holding each model's concrete columns in turn (None for a left join
    that found nothing), converted as the ORM converts them (JSON and the like)."""
    found: list[models.Model | None] = []
    start = 0
    for model in models_:
        fields = model._meta.concrete_fields
        values = list(row[start : start + len(fields)])
        start += len(fields)
        if values[0] is None:
            found.append(None)
            continue
        for n, field in enumerate(fields):
            for convert in field.get_db_converters(connection):
                values[n] = convert(values[n], field, connection)
        found.append(model.from_db(connection.alias, [f.attname for f in fields], values))
    return found


def _claim(job_id: int) -> DraftingJob | None:
    """Mark the job running and count the attempt, and read it with what every run needs (its agency and
    that agency's drafting settings, client, requester, source piece and project), in one statement,
    committed at once. The brand-layer document is read only by the offline drafter, when it runs. None
    when the job is gone or already finished.

    The statement is SQL (an UPDATE … RETURNING joined to the job's relations): through the ORM it was an
    UPDATE and a second read whose building cost more CPU than the model call it prepares.

    Run on its own (not inside a caller's transaction), it commits without waiting for the disk
    (synchronous_commit off for this one transaction): a database crash in the next fraction of a second
    could only lose the claim itself, leaving the job queued one attempt lower for the redelivered message
    (acks late), and the result written later is a durable commit that makes the claim durable with it.
    That wait was one of the three disk flushes per job, each several milliseconds on a busy server.

    It is prepared (``planned_cursor``): planning the seven-table join cost PostgreSQL three times what
    running it does (1.6 ms a claim unprepared, 0.4 ms prepared)."""
    with planned_cursor() as cursor:
        cursor.execute(
            _claim_sql(own_transaction=not connection.in_atomic_block),
            {
                "job": job_id,
                "agency": get_scope()["agency"],
                "queued": JobState.QUEUED,
                "running": JobState.RUNNING,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    job, agency, own, client, requester, piece, project = _instances(
        row[1:], [DraftingJob, *(model for _a, model, _j in _CLAIM_RELATIONS)]
    )
    # The agency's settings as the ORM's select_related leaves them: read, or known to be missing.
    Agency.drafting_settings.related.set_cached_value(agency, own)
    job.agency, job.client, job.requested_by = agency, client, requester
    job.source_piece, job.project = piece, project
    return _loaded(job)


def _with_event(record: dict[str, Any]) -> Func:
    """The job's events with ``record`` appended, in the UPDATE itself: no read of the row first, and two
    writers appending at once both keep theirs (the row lock orders them)."""
    return Func(
        F("events"),
        Value([record], output_field=JSONField()),
        template="%(expressions)s",
        arg_joiner=" || ",
        output_field=JSONField(),
    )


def _event(job_id: int, record: dict[str, Any], **fields: Any) -> None:
    DraftingJob.objects.filter(pk=job_id).update(
        events=_with_event({"at": timezone.now().isoformat(), **record}), **fields
    )


@cache
def _close_sql(fields: tuple[str, ...], *, at_attempt: bool) -> str:
    quote = connection.ops.quote_name
    sets = "".join(f", {quote(DraftingJob._meta.get_field(name).column)} = %({name})s" for name in fields)
    return f"""
        UPDATE {quote(DraftingJob._meta.db_table)}
        SET state = %(state)s, finished_at = %(now)s, events = events || %(events)s{sets}
        WHERE id = %(job)s AND state = %(running)s {"AND attempts = %(attempt)s" if at_attempt else ""}
    """


def _close(job_id: int, *, attempt: int | None, state: str, record: dict[str, Any], **fields: Any) -> bool:
    """Finish the job in one UPDATE, only while this run still holds it: running, and (when ``attempt`` is
    given) still at this run's attempt. False when a cancel, a later attempt or a finish came first.

    Written in SQL and prepared: every job ends here, and compiling the ORM's UPDATE cost more than
    PostgreSQL spends on it."""
    now = timezone.now()
    values = {
        name: DraftingJob._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in fields.items()
    }
    events = DraftingJob._meta.get_field("events")
    with planned_cursor() as cursor:
        cursor.execute(
            _close_sql(tuple(sorted(values)), at_attempt=attempt is not None),
            {
                **values,
                "state": state,
                "now": now,
                "events": events.get_db_prep_save(
                    [{"at": now.isoformat(), "event": state, **record}], connection
                ),
                "job": job_id,
                "running": JobState.RUNNING,
                "attempt": attempt,
            },
        )
        return cursor.rowcount > 0


def _state_of(job_id: int) -> Outcome:
    state = DraftingJob.objects.filter(pk=job_id).values_list("state", flat=True).first()
    return Outcome(state or "missing")


def _fail(job: DraftingJob, reason: str, *, attempt: int | None = None, **fields: Any) -> Outcome:
    """Mark the job failed with the reason in words (when this run still holds it) and announce it."""
    with transaction.atomic():
        if not _close(
            job.pk, attempt=attempt, state=JobState.FAILED, record={"reason": reason}, error=reason, **fields
        ):
            return _state_of(job.pk)
        hooks.announce(hooks.DRAFTING_JOB_FINISHED, job_id=job.pk, kind=job.kind, agency_id=job.agency_id)
    return Outcome(JobState.FAILED)


def _own_rules(job: DraftingJob, layer: dict[str, Any]) -> Any:
    """The job's client's rules from its own layer only, for the offline drafter's self-check."""
    from brandkit.governance.types import DecisionConstraint as Rule

    constraints = tuple(
        Rule(term=t, must="present", decided_on=job.created_at.date())
        for t in job.inputs.get("must_include", [])
    ) + tuple(
        Rule(term=t, must="absent", decided_on=job.created_at.date())
        for t in job.inputs.get("must_avoid", [])
    )
    return layer_rules(
        layer, client_name=job.client.name, vale_rules=vale_rules_of(layer), decision_constraints=constraints
    )


def _produce(job: DraftingJob, config: ProviderConfig) -> tuple[str, int, int]:
    """The answer's text and token counts: from the provider, or the offline drafter."""
    if config.is_offline and job.kind == JobKind.REPORT_PROSE:
        # The provider was switched off after the job started: the facts' own sentences stand.
        return json.dumps({"text": job.inputs.get("writer_text", "")}), 0, 0
    if config.is_offline:
        layer = brand_layer_document(job.brand_version)
        answer = offline_answer(
            kind=job.kind,
            inputs=job.inputs,
            layer=layer,
            today=agency_today(job.agency),
            rules=_own_rules(job, layer),
        )
        return json.dumps(answer, ensure_ascii=False), 0, 0
    completion = chat(config, job.messages)
    return completion.text, completion.prompt_tokens, completion.completion_tokens


def _cost(prompt_tokens: int, completion_tokens: int, prices: tuple[Decimal, Decimal]) -> Decimal:
    price_in, price_out = prices
    return (Decimal(prompt_tokens) * price_in + Decimal(completion_tokens) * price_out) / Decimal(1_000_000)


def _land(job: DraftingJob, answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Put each output where people work on it; every text is checked and lands in "draft" state."""
    actor = job.requested_by
    if actor is None or not actor.is_active:
        raise ValidationError("the person who asked for it is no longer on the team; start it again.")
    if job.kind == JobKind.REPORT_PROSE:
        # The asking layer reads it from the result (the DRAFTING_JOB_FINISHED announcement).
        if not answer.get("text"):
            raise ValidationError("The answer had no text.")
        return [{"text": answer["text"]}]
    if job.kind == JobKind.BRIEF_EXPANSION:
        sections = answer.get("sections") or {}
        if not sections:
            raise ValidationError("The answer had no brief sections.")
        latest = ExpandedBrief.objects.filter(project=job.project).order_by("-number").first()
        expanded = ExpandedBrief.objects.create(
            agency=job.agency,
            project=job.project,
            number=(latest.number if latest else 0) + 1,
            job=job,
            sections=[
                {"key": key, "title": title, "text": sections[key], "status": SectionStatus.PROPOSED}
                for key, title in prompts.BRIEF_SECTIONS
                if sections.get(key)
            ],
            note=f"Proposed by drafting job #{job.pk} ({job.provider})",
            created_by=actor,
        )
        return [{"expanded_brief": expanded.number, "sections": list(sections)}]
    drafts = [d for d in answer.get("drafts") or [] if d.get("body")]
    if not drafts:
        raise ValidationError("The answer had no draft text.")
    if job.kind == JobKind.PRE_EDIT:
        piece = job.source_piece
        texts = {f: drafts[0].get(f, "") for f in TEXT_FIELDS}
        records, _ = content_check(client=job.client, channel=piece.channel, goal=piece.goal, texts=texts)
        return [
            {
                "piece": piece.pk,
                "base_version": job.inputs.get("source_version", 0),
                **texts,
                "findings": records,
            }
        ]
    channel = job.inputs["channel"]
    titles = []
    for position, draft in enumerate(drafts):
        title = draft.get("title") or job.inputs.get("title") or f"{JobKind(job.kind).label} {position + 1}"
        if job.kind == JobKind.VARIANTS:
            title = f"{job.inputs.get('title') or (job.source_piece.title if job.source_piece else 'Variant')} — variant {position + 1}"
        titles.append(title[:MAX_TITLE])
    created = content_pieces_create(
        actor=actor,
        client=job.client,
        channel=channel,
        goal=job.inputs.get("goal", ""),
        project=job.project,
        pieces=[
            NewPiece(
                title=title,
                body=draft["body"],
                subject=draft.get("subject", ""),
                preheader=draft.get("preheader", ""),
                headline=draft.get("headline", ""),
            )
            for title, draft in zip(titles, drafts, strict=True)
        ],
    )
    planned_insert(
        [
            DraftingOutput(
                agency=job.agency, job=job, piece=piece, source=job.source_piece, position=position
            )
            for position, (piece, _version) in enumerate(created)
        ]
    )
    return [
        {"piece": piece.pk, "title": piece.title, "version": version.number, "findings": version.findings}
        for piece, version in created
    ]


class _NotHeld(Exception):
    """This run no longer holds the job (cancelled, finished, or claimed again by a later attempt)."""


def _finish(
    job_id: int,
    *,
    attempt: int,
    text: str,
    prompt_tokens: int,
    completion_tokens: int,
    prices: tuple[Decimal, Decimal] | None = None,
    job: DraftingJob | None = None,
) -> Outcome:
    """Write the answer of attempt ``attempt``: in one transaction, the job's final state first (one UPDATE
    that only the run still holding the job gets past; its row lock orders this against a cancel or another
    attempt), then the pieces and the one result. An answer that cannot be saved rolls all of it back and
    fails the job with the reason instead. ``job`` is the run's own copy (from ``_claim``); only its inputs
    and relations are read, which do not change."""
    if job is None:
        job = (
            DraftingJob.objects.select_related("client", "agency", "requested_by", "source_piece", "project")
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return Outcome("missing")
        _loaded(job)
    answered = {
        "response": text,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "cost": _cost(prompt_tokens, completion_tokens, prices or prices_for(job.agency)),
    }
    answer = prompts.parse_answer(job.kind, text, count=int(job.inputs.get("count") or 1))
    try:
        with transaction.atomic():
            if not _close(job_id, attempt=attempt, state=JobState.SUCCEEDED, record={}, error="", **answered):
                raise _NotHeld
            outputs = _land(job, answer)
            # One per job (a unique constraint), should two runs ever get past the state check together.
            planned_insert([DraftingResult(agency=job.agency, job=job, outputs=outputs)])
            hooks.announce(hooks.DRAFTING_JOB_FINISHED, job_id=job.pk, kind=job.kind, agency_id=job.agency_id)
    except _NotHeld:
        return _state_of(job_id)
    except ValidationError as error:
        return _fail(
            job, "The answer could not be saved: " + " ".join(error.messages), attempt=attempt, **answered
        )
    return Outcome(JobState.SUCCEEDED)


def drafting_job_execute(*, job_id: int, agency_id: int | None = None) -> Outcome:
    """Run one attempt of a job (the Celery task's body). Safe to run twice: a finished job does nothing,
    a job left running by a killed worker runs again and its result is written once. ``agency_id`` comes
    with the queued message; without it (a message queued before it was added) it is read first."""
    if agency_id is None:
        with scopes_disabled():
            agency_id = DraftingJob.objects.filter(pk=job_id).values_list("agency_id", flat=True).first()
    if agency_id is None:
        return Outcome("missing")
    with scope(agency=agency_id):
        job = _claim(job_id)
        if job is None:
            return _state_of(job_id)
        own = _settings_read_with(job.agency)
        config = provider_config_for(job.agency, own=own)
        if job.provider != config.label:
            _event(
                job_id,
                {"event": "provider", "provider": config.label},
                provider=config.label,
                base_url=config.base_url,
            )
        try:
            text, prompt_tokens, completion_tokens = _produce(job, config)
        except ProviderError as error:
            if error.retryable and job.attempts < settings.AI_MAX_ATTEMPTS:
                wait = (
                    error.retry_after if error.retry_after is not None else min(2**job.attempts, BACKOFF_CAP)
                )
                _event(
                    job_id, {"event": "retry", "attempt": job.attempts, "reason": error.reason, "wait": wait}
                )
                return Outcome(JobState.RUNNING, retry_in=wait)
            tries = f" after {job.attempts} attempt(s)" if error.retryable else ""
            return _fail(
                job,
                f"{error.reason} The job stopped{tries}; its inputs are kept, so retry when the provider is back.",
            )
        try:
            return _finish(
                job_id,
                attempt=job.attempts,
                text=text,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                prices=prices_for(job.agency, own=own),
                job=job,
            )
        except Exception:
            # A fault of ours, not the provider's: say so on the job (it would otherwise stay "running").
            log.exception("Drafting job %s could not save its answer", job_id)
            _fail(job, "The answer arrived but could not be saved (an error on our side); retry the job.")
            raise


# --- After a job ---------------------------------------------------------------------------------------


@transaction.atomic
def drafting_pre_edit_accept(*, actor: Membership, job: DraftingJob) -> ContentVersion:
    """Take a pre-edit's revised draft as the piece's next version (checked again, still a draft)."""
    require(can_write_content, actor, "Only the agency's team accepts a pre-edit.")
    result = DraftingResult.objects.filter(job=job).first()
    if job.kind != JobKind.PRE_EDIT or result is None or not result.outputs:
        raise ValidationError("Only a finished pre-edit can be accepted.")
    output = result.outputs[0]
    piece = job.source_piece
    if piece is None:
        raise ValidationError("The piece this pre-edit was for is gone.")
    latest = ContentVersion.objects.filter(piece=piece).order_by("-number").first()
    if latest is not None and latest.number != output["base_version"]:
        raise ValidationError(
            f"The piece changed since this pre-edit (now version {latest.number}); start a new pre-edit."
        )
    return content_piece_edit(
        actor=actor,
        piece=piece,
        body=output["body"],
        subject=output.get("subject", ""),
        preheader=output.get("preheader", ""),
        headline=output.get("headline", ""),
        note=f"Pre-edit of drafting job #{job.pk} accepted",
    )


@transaction.atomic
def expanded_brief_decide(
    *, actor: Membership, project: Project, key: str, action: str, text: str = ""
) -> ExpandedBrief:
    """A person accepts, edits or drops one section of the expanded brief; the decision is a new version."""
    require(can_write_content, actor, "Only the agency's team decides on an expanded brief.")
    latest = ExpandedBrief.objects.select_for_update().filter(project=project).order_by("-number").first()
    if latest is None:
        raise ValidationError("This project has no expanded brief yet.")
    statuses = {"accept": SectionStatus.ACCEPTED, "edit": SectionStatus.EDITED, "drop": SectionStatus.DROPPED}
    if action not in statuses:
        raise ValidationError({"action": "Accept, edit or drop the section."})
    sections = [dict(s) for s in latest.sections]
    section = next((s for s in sections if s["key"] == key), None)
    if section is None:
        raise ValidationError({"key": "No such section in the expanded brief."})
    if action == "edit":
        text = text.strip()
        if not text or len(text) > 20_000:
            raise ValidationError({"text": "Write the section (at most 20,000 characters)."})
        section["text"] = text
    section["status"] = statuses[action]
    return ExpandedBrief.objects.create(
        agency=latest.agency,
        project=project,
        number=latest.number + 1,
        job=latest.job,
        sections=sections,
        note=f"{section['title']}: {statuses[action].label.lower()}",
        created_by=actor,
    )


@transaction.atomic
def drafting_settings_update(
    *,
    actor: Membership,
    base_url: str,
    model: str,
    api_key: str = "",
    clear_api_key: bool = False,
    monthly_token_budget: int | None = None,
    price_input_per_million: Decimal = Decimal(0),
    price_output_per_million: Decimal = Decimal(0),
) -> DraftingSettings:
    """Point the agency at its own model provider. An empty key keeps the stored one (it is never shown
    back); the key is stored encrypted."""
    require(can_manage_brand_settings, actor, "Only owners and coordinators change the drafting settings.")
    errors = {}
    base_url, model = base_url.strip(), model.strip()
    if bool(base_url) != bool(model):
        errors["model"] = "Set both the base URL and the model, or neither (the instance default)."
    if base_url and not base_url.startswith(("http://", "https://")):
        errors["base_url"] = "An http:// or https:// address, e.g. https://api.openai.com/v1."
    if len(api_key) > 500:
        errors["api_key"] = "At most 500 characters."
    if monthly_token_budget is not None and not 0 <= monthly_token_budget <= 2_000_000_000:
        errors["monthly_token_budget"] = "From 0 to 2,000,000,000 tokens."
    for name, price in (
        ("price_input_per_million", price_input_per_million),
        ("price_output_per_million", price_output_per_million),
    ):
        if not Decimal(0) <= price < Decimal(1_000_000):
            errors[name] = "A price from 0 per million tokens."
    if errors:
        raise ValidationError(errors)
    current = DraftingSettings.objects.select_for_update().filter(agency=actor.agency).first()
    current = current or DraftingSettings(agency=actor.agency)
    current.base_url, current.model = base_url[:300], model[:120]
    if clear_api_key:
        current.api_key_encrypted = ""
    elif api_key.strip():
        current.api_key_encrypted = api_key_encrypt(api_key.strip())
    current.monthly_token_budget = monthly_token_budget
    current.price_input_per_million = price_input_per_million
    current.price_output_per_million = price_output_per_million
    current.updated_at = timezone.now()
    current.save()
    return current
