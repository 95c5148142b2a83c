"""Insight drafts: computed from the app's records, edited by a person, approved before anything is sent."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencyops.models import Client, Membership
from agencyops.permissions import can_lead_work, is_agency_member, require
from reporting import insight, insight_selectors
from reporting.models import InsightDraft, InsightState

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
    return InsightDraft.objects.create(
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
