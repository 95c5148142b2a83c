"""Facts that higher layers feed to the risk scan, so the project layer never imports them.

Approvals register a provider (approvals/risk_inputs.py) that says which rows it needs (its approval
requests and change requests) and how they become rule snapshots; the scan (projects/risk_scan.py) reads
every provider's rows in the same round trip as its own, so its query count stays fixed whatever the number
of projects.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from projects import risks


@dataclass
class RiskInputs:
    """Per project id: the approvals and change requests the rules look at."""

    approvals: dict[int, list[risks.ApprovalSnap]] = field(default_factory=lambda: defaultdict(list))
    change_requests: dict[int, list[risks.ChangeRequestSnap]] = field(
        default_factory=lambda: defaultdict(list)
    )


@dataclass(frozen=True)
class RiskInputRead:
    """One read a provider asks of the scan: a values_list queryset, and how its rows become snapshots.

    The scan fetches the rows itself, in PostgreSQL's binary format and without the ORM's converters:
    moments are aware (in UTC), JSON arrives decoded, decimals as Decimal."""

    rows: QuerySet
    collect: Callable[[Sequence[tuple[Any, ...]], RiskInputs], None]


# (the scanned projects as a queryset, the agency's time zone) → the reads the provider needs about them.
Provider = Callable[[QuerySet, zoneinfo.ZoneInfo], list[RiskInputRead]]

_providers: dict[str, Provider] = {}


def risk_inputs_register(key: str, provider: Provider) -> None:
    """Add (or replace, by key) a provider; higher layers call this from ``AppConfig.ready()``."""
    _providers[key] = provider


def risk_inputs_providers() -> tuple[tuple[str, Provider], ...]:
    """The registered providers by key, as a value that changes whenever a provider is added or replaced."""
    return tuple(sorted(_providers.items(), key=lambda item: item[0]))


def risk_inputs_reads(projects: QuerySet, tz: zoneinfo.ZoneInfo) -> list[RiskInputRead]:
    """Every registered provider's reads about these projects, provider by provider (in key order)."""
    reads: list[RiskInputRead] = []
    for key in sorted(_providers):
        reads.extend(_providers[key](projects, tz))
    return reads


def risk_inputs_collect(projects: QuerySet, tz: zoneinfo.ZoneInfo) -> RiskInputs:
    """What every registered provider knows about these projects, merged (one query per read)."""
    merged = RiskInputs()
    for read in risk_inputs_reads(projects, tz):
        read.collect(list(read.rows), merged)
    return merged
