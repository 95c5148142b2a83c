"""Reads of AI drafting: the provider an agency's jobs use, its token budget and this month's usage, jobs
for lists and pages, usage and cost per month, a piece's drafting history and a project's expanded brief."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from agencyops.models import Agency, Client, Membership
from agencyops.planned_sql import planned_cursor
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
from brandkit.library.models import BrandFileRole, BrandLayerFile, LibraryItem, LibraryVersion
from brandkit.models import BrandLayerVersion, ConstraintMust, DecisionConstraint
from brandkit.selectors import (
    EXAMPLE_TEXT_CHARS,
    brand_layer_document,
    brand_layer_version_kept,
    clients_with_brand_access,
    layer_with_examples,
)
from projects.models import Project


def drafting_settings_for(agency: Agency) -> DraftingSettings:
    """The agency's drafting settings (defaults when never saved)."""
    return DraftingSettings.objects.filter(agency=agency).first() or DraftingSettings(agency=agency)


@dataclass(frozen=True)
class JobSources:
    """What starting a job of one client reads: its latest brand-layer version, the layer as a draft reads
    it (with the library files chosen as examples), the terms its decisions require or rule out, and the
    agency's drafting settings."""

    version: BrandLayerVersion | None
    layer: dict[str, Any]
    must_include: list[str]
    must_avoid: list[str]
    settings: DraftingSettings


_SETTINGS_FIELDS = (
    "id",
    "base_url",
    "model",
    "api_key_encrypted",
    "monthly_token_budget",
    "price_input_per_million",
    "price_output_per_million",
    "updated_at",
)


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _job_sources_sql() -> str:
    terms = f"""ARRAY(
        SELECT term FROM {_table(DecisionConstraint)}
        WHERE agency_id = %(agency)s AND client_id = %(client)s AND must = %(must_{{}})s ORDER BY term, id
    )"""
    settings_columns = ", ".join(f"s.{connection.ops.quote_name(name)}" for name in _SETTINGS_FIELDS)
    return f"""
        SELECT v.id, v.number, v.created_at,
            {terms.format("present")}, {terms.format("absent")},
            (
                SELECT jsonb_agg(
                    jsonb_build_object('title', i.title, 'text', left(lv.text, %(example_chars)s))
                    ORDER BY i.title, i.id
                )
                FROM {_table(LibraryItem)} i JOIN {_table(LibraryVersion)} lv ON lv.id = i.latest_version_id
                WHERE i.agency_id = %(agency)s AND i.client_id = %(client)s AND i.deleted_at IS NULL
                    AND lv.text <> '' AND EXISTS (
                        SELECT 1 FROM {_table(BrandLayerFile)} f
                        WHERE f.agency_id = %(agency)s AND f.client_id = %(client)s
                            AND f.library_item_id = i.id AND f.role = %(example)s
                    )
            ),
            {settings_columns}
        FROM (SELECT 1) AS one
        LEFT JOIN LATERAL (
            SELECT id, number, created_at FROM {_table(BrandLayerVersion)}
            WHERE agency_id = %(agency)s AND client_id = %(client)s ORDER BY number DESC LIMIT 1
        ) v ON TRUE
        LEFT JOIN {_table(DraftingSettings)} s ON s.agency_id = %(agency)s
    """


def job_sources_for(client: Client) -> JobSources:
    """Everything a new job of this client reads, in one query: its latest layer version, its decision
    terms, the library files chosen as its examples and its agency's drafting settings; the layer's
    document comes from the per-process store of versions, which never change.

    The query is written in SQL: it runs in the request of every job, and building and compiling it
    through the ORM cost more than the rest of starting the job together. It is prepared
    (``planned_cursor``): planning its subqueries cost PostgreSQL more than running them."""
    with planned_cursor() as cursor:
        cursor.execute(
            _job_sources_sql(),
            {
                "agency": client.agency_id,
                "client": client.pk,
                "must_present": ConstraintMust.PRESENT,
                "must_absent": ConstraintMust.ABSENT,
                "example": BrandFileRole.EXAMPLE,
                "example_chars": EXAMPLE_TEXT_CHARS,
            },
        )
        layer_id, number, created_at, must_include, must_avoid, examples, *own = cursor.fetchone()
    version = brand_layer_version_kept(client, layer_id=layer_id, number=number, created_at=created_at)
    settings_row = DraftingSettings(agency=client.agency)
    if own[0] is not None:
        settings_row = DraftingSettings.from_db(
            "default", ["agency_id", *_SETTINGS_FIELDS], [client.agency_id, *own]
        )
        settings_row.agency = client.agency
    return JobSources(
        version=version,
        layer=layer_with_examples(brand_layer_document(version), json.loads(examples or "[]")),
        must_include=must_include,
        must_avoid=must_avoid,
        settings=settings_row,
    )


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
