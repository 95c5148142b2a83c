"""Insight drafts: computed from the app's records, edited by a person, approved before anything is sent."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencyops.models import Client, Membership
from agencyops.permissions import can_lead_work, is_agency_member, require
from reporting import insight, insight_selectors
from reporting.models import InsightDraft, InsightState, ProseSource

MAX_PERIOD_DAYS = 366
MAX_TEXT = 20_000


@transaction.atomic
def insight_draft_create(
    *,
    actor: Membership,
    client: Client,
    period_start: dt.date,
    period_end: dt.date,
    compare_start: dt.date | None = None,
    compare_end: dt.date | None = None,
) -> InsightDraft:
    """Draft "what changed, why, what next" for a client's period, so a person starts from the facts."""
    require(can_lead_work, actor, "Only owners and coordinators draft insights.")
    if client.agency_id != actor.agency_id:
        raise ValidationError({"client": "Choose one of your clients."})
    if period_end < period_start:
        raise ValidationError({"period_end": "The period ends before it starts."})
    if (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise ValidationError({"period_end": "Choose a period of a year or less."})
    if (compare_start is None) != (compare_end is None):
        raise ValidationError({"compare_end": "Give both ends of the comparison period, or neither."})
    if compare_start is None or compare_end is None:
        compare_start, compare_end = insight_selectors.previous_period(period_start, period_end)
    elif compare_end < compare_start or (compare_end - compare_start).days >= MAX_PERIOD_DAYS:
        raise ValidationError({"compare_end": "Choose a comparison period of a year or less, in order."})
    found = insight_selectors.client_insight(
        actor.agency, client, period=(period_start, period_end), compare=(compare_start, compare_end)
    )
    text = insight.write(found)
    draft = InsightDraft.objects.create(
        agency=actor.agency,
        client=client,
        period_start=period_start,
        period_end=period_end,
        compare_start=compare_start,
        compare_end=compare_end,
        facts=found.as_json(),
        drafted_text=text,
        text=text,
        created_by=actor,
    )
    _prose_job_start(actor=actor, draft=draft)
    return draft


def _prose_job_start(*, actor: Membership, draft: InsightDraft) -> None:
    """With an AI provider configured, a drafting job rewrites the prose from the stored facts alone; the
    writer's text stands meanwhile (and for good if the job fails or its numbers are not the facts')."""
    from brandkit.drafting import services as drafting
    from brandkit.drafting.models import JobKind
    from brandkit.drafting.selectors import provider_config_for

    if provider_config_for(actor.agency).is_offline:
        return
    try:
        job = drafting.drafting_job_create(
            actor=actor,
            kind=JobKind.REPORT_PROSE,
            client=draft.client,
            inputs={"facts": draft.facts, "writer_text": draft.drafted_text},
        )
    except ValidationError as error:  # over the token budget, facts too long: say so, keep the writer's text
        draft.prose = ProseSource.FAILED
        draft.prose_note = "AI drafting did not start: " + " ".join(error.messages)
        draft.save(update_fields=["prose", "prose_note"])
        return
    draft.drafting_job = job
    draft.prose = ProseSource.DRAFTING
    draft.prose_note = (
        f"{job.provider} is writing this text from the facts; the text below is the writer's meanwhile."
    )
    draft.save(update_fields=["drafting_job", "prose", "prose_note"])


@transaction.atomic
def insight_prose_apply(*, job_id: int) -> InsightDraft | None:
    """Take a finished drafting job's prose into its insight draft, only if every number in it is in the
    facts; otherwise (or when the job failed) keep the writer's text and say why. Safe to run twice."""
    from brandkit.drafting.models import DraftingJob, DraftingResult, JobState

    draft = InsightDraft.objects.select_for_update().filter(drafting_job_id=job_id).first()
    if draft is None or draft.prose != ProseSource.DRAFTING:
        return draft
    job = DraftingJob.objects.filter(pk=job_id).first()
    if job is None or job.state not in (JobState.SUCCEEDED, JobState.FAILED):
        return draft
    result = DraftingResult.objects.filter(job_id=job_id).first()
    outputs = result.outputs if result is not None else []
    prose = str(outputs[0].get("text", "")) if outputs else ""
    if job.state == JobState.FAILED or not prose.strip():
        draft.prose = ProseSource.FAILED
        draft.prose_note = f"AI drafting failed ({job.error or 'no text came back'}); the text is the writer's, from the facts."
    else:
        draft.ai_text = prose[:MAX_TEXT]
        invented = insight.numbers_not_in_facts(prose, draft.facts, draft.drafted_text)
        if invented:
            draft.prose = ProseSource.REJECTED
            listed = ", ".join(invented[:10])
            draft.prose_note = (
                f"The AI text was not used: it gives {listed}, which the facts do not contain. "
                "The text is the writer's, from the facts."
            )
        else:
            draft.prose = ProseSource.AI
            if draft.state == InsightState.DRAFT and draft.edited_at is None:
                draft.text = draft.ai_text
                draft.prose_note = (
                    f"Written by {job.provider} from the facts only; every number in it is in the facts. "
                    "Edit it, then approve."
                )
            else:
                draft.prose_note = (
                    f"{job.provider} wrote a version (every number checked) after the text was edited; "
                    "the edit stays, the AI version is below."
                )
    draft.save(update_fields=["prose", "prose_note", "ai_text", "text"])
    return draft


@transaction.atomic
def insight_draft_edit(*, actor: Membership, draft: InsightDraft, text: str) -> InsightDraft:
    """A person's wording of the draft; approved text is what was sent and stays as it is."""
    require(is_agency_member, actor, "Only the agency's team edits insights.")
    draft = InsightDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.state != InsightState.DRAFT:
        raise ValidationError({"text": "This insight is approved; draft a new one to change it."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": "The insight needs some text."})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"Keep it under {MAX_TEXT:,} characters."})
    draft.text = text
    draft.edited_by = actor
    draft.edited_at = timezone.now()
    draft.save(update_fields=["text", "edited_by", "edited_at"])
    return draft


@transaction.atomic
def insight_draft_approve(*, actor: Membership, draft: InsightDraft) -> InsightDraft:
    """A lead signs the text off; only approved text goes into a client's report."""
    require(can_lead_work, actor, "Only owners and coordinators approve insights.")
    draft = InsightDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.state == InsightState.APPROVED:
        return draft
    draft.state = InsightState.APPROVED
    draft.approved_by = actor
    draft.approved_at = timezone.now()
    draft.save(update_fields=["state", "approved_by", "approved_at"])
    return draft
