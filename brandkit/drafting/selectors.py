"""Reads of AI drafting: the provider an agency's jobs use, its token budget and this month's usage, jobs
for lists and pages, usage and cost per month, a piece's drafting history and a project's expanded brief."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from agencyops.models import Agency, Membership
from brandkit.drafting.api_keys import api_key_decrypt
from brandkit.drafting.models import (
    OFFLINE_LABEL,
    OPEN_STATES,
    DraftingJob,
    DraftingOutput,
    DraftingSettings,
    ExpandedBrief,
    JobState,
)
from brandkit.drafting.provider import ProviderConfig
from projects.models import Project


def drafting_settings_for(agency: Agency) -> DraftingSettings:
    """The agency's drafting settings (defaults when never saved)."""
    return DraftingSettings.objects.filter(agency=agency).first() or DraftingSettings(agency=agency)


def provider_config_for(agency: Agency, *, own: DraftingSettings | None = None) -> ProviderConfig:
    """Where the agency's jobs go: its own provider, else the instance default, else the offline drafter."""
    own = own or drafting_settings_for(agency)
    if own.base_url and own.model:
        base_url, model, key = own.base_url, own.model, api_key_decrypt(own.api_key_encrypted)
    else:
        base_url, model, key = settings.AI_BASE_URL, settings.AI_MODEL, settings.AI_API_KEY
    return ProviderConfig(
        base_url=base_url if model else "",
        model=model if base_url else "",
        api_key=key,
        timeout=settings.AI_TIMEOUT_SECONDS,
        max_output_tokens=settings.AI_MAX_OUTPUT_TOKENS,
    )


def token_budget_for(agency: Agency, *, own: DraftingSettings | None = None) -> int:
    """Tokens the agency may use per calendar month (0: no limit)."""
    own = own or drafting_settings_for(agency)
    return (
        own.monthly_token_budget if own.monthly_token_budget is not None else settings.AI_MONTHLY_TOKEN_BUDGET
    )


def prices_for(agency: Agency, *, own: DraftingSettings | None = None) -> tuple[Decimal, Decimal]:
    """Price per million input and output tokens: the agency's, or the instance default."""
    own = own or drafting_settings_for(agency)
    if own.pk and (own.price_input_per_million or own.price_output_per_million):
        return own.price_input_per_million, own.price_output_per_million
    return Decimal(str(settings.AI_PRICE_INPUT_PER_MILLION)), Decimal(
        str(settings.AI_PRICE_OUTPUT_PER_MILLION)
    )


def month_start(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def tokens_used_this_month(agency: Agency) -> int:
    """Tokens counted against this month's budget: what finished jobs' responses reported, plus the
    estimate of jobs still queued or running."""
    totals = (
        DraftingJob.objects.filter(agency=agency, created_at__gte=month_start())
        .exclude(provider=OFFLINE_LABEL)
        .aggregate(
            used=Sum(F("prompt_tokens") + F("completion_tokens")),
            pending=Sum("estimated_tokens", filter=Q(state__in=OPEN_STATES)),
        )
    )
    return int(totals["used"] or 0) + int(totals["pending"] or 0)


def drafting_jobs(membership: Membership, *, state: str = "", kind: str = "") -> QuerySet[DraftingJob]:
    """The agency's jobs, newest first, with their client and who asked, for lists."""
    from brandkit.selectors import clients_with_brand_access

    jobs = (
        DraftingJob.objects.filter(client__in=clients_with_brand_access(membership))
        .select_related("client", "requested_by__user", "source_piece", "project")
        .defer("messages", "response", "inputs")
        .order_by("-created_at", "-pk")
    )
    if state:
        jobs = jobs.filter(state=state)
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs


def drafting_job_for(membership: Membership, job_id: int) -> DraftingJob | None:
    """One job with its result and output pieces, or None (a 404 for the caller)."""
    from brandkit.selectors import clients_with_brand_access

    return (
        DraftingJob.objects.filter(client__in=clients_with_brand_access(membership), pk=job_id)
        .select_related("client", "requested_by__user", "source_piece", "project", "brand_version", "result")
        .prefetch_related("outputs__piece")
        .first()
    )


def drafting_usage_by_month(agency: Agency, *, months: int = 12) -> list[dict]:
    """Jobs, tokens and cost per calendar month, newest first (one query)."""
    rows = (
        DraftingJob.objects.filter(agency=agency)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            jobs=Count("pk"),
            failed=Count("pk", filter=Q(state=JobState.FAILED)),
            prompt_tokens=Sum("prompt_tokens"),
            completion_tokens=Sum("completion_tokens"),
            cost=Sum("cost"),
        )
        .order_by("-month")[:months]
    )
    return [{**row, "tokens": (row["prompt_tokens"] or 0) + (row["completion_tokens"] or 0)} for row in rows]


def jobs_of_piece(piece_id: int) -> QuerySet[DraftingJob]:
    """Jobs started from a piece or that wrote it, newest first."""
    written = DraftingOutput.objects.filter(piece_id=piece_id).values("job_id")
    return (
        DraftingJob.objects.filter(Q(source_piece_id=piece_id) | Q(pk__in=written))
        .select_related("requested_by__user")
        .defer("messages", "response", "inputs")
        .order_by("-created_at", "-pk")
    )


def expanded_brief_latest(project: Project) -> ExpandedBrief | None:
    return (
        ExpandedBrief.objects.filter(project=project)
        .select_related("created_by__user")
        .order_by("-number")
        .first()
    )
