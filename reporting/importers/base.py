"""What every importer returns: normalized daily rows, the period, the campaigns seen and the problems.

No ORM here: the import services store these values as DailyFact rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple


class Platform:
    GOOGLE_ADS = "google_ads"
    META_ADS = "meta_ads"
    LINKEDIN = "linkedin"
    GA4 = "ga4"
    GENERIC = "generic"

    LABELS = {
        GOOGLE_ADS: "Google Ads",
        META_ADS: "Meta Ads Manager",
        LINKEDIN: "LinkedIn Campaign Manager",
        GA4: "Google Analytics 4",
        GENERIC: "Generic CSV (saved column mapping)",
    }


# Metrics whose value is money: these rows carry a currency and are never summed across currencies.
MONEY_METRICS = frozenset({"spend", "revenue", "conversion_value", "daily_budget"})


class UnrecognisedFile(ValueError):
    """The bytes are not an export we can read (wrong layout, not text, too large, a bad archive)."""


class FactRow(NamedTuple):
    """One metric of one day, for one platform campaign (or the whole site) and an optional breakdown.

    A named tuple rather than a dataclass: an import makes hundreds of thousands of them.
    """

    date: dt.date
    campaign_name: str  # the name on the platform; "" for site-wide figures (GA4 without a campaign)
    metric: str
    value: Decimal
    currency: str = ""  # only for money metrics
    breakdown: str = ""  # "", "ad_set", "ad", "asset", "channel", "landing_page"
    breakdown_value: str = ""


class CampaignState(NamedTuple):
    """What the platform said about a campaign on a day: status and daily budget (for change detection)."""

    date: dt.date
    campaign_name: str
    status: str = ""
    daily_budget: Decimal | None = None
    currency: str = ""


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1-based line number in the file (as a spreadsheet shows it), None for the file
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}" if self.row is not None else self.message


@dataclass
class ParsedExport:
    platform: str
    layout: str  # e.g. "campaign_day", "ad", "traffic_acquisition"
    rows: list[FactRow] = field(default_factory=list)
    states: list[CampaignState] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    account: str = ""
    notes: list[str] = field(default_factory=list)  # what the preview should say that is not an error
    mapping_index: int | None = None  # which saved column mapping read a generic file

    @property
    def campaign_names(self) -> list[str]:
        return sorted({r.campaign_name for r in self.rows if r.campaign_name})

    def totals(self) -> dict[tuple[str, str], Decimal]:
        """Sum per (metric, currency): money in two currencies stays two lines."""
        sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for r in self.rows:
            sums[(r.metric, r.currency)] += r.value
        return dict(sorted(sums.items()))

    def totals_by_campaign(self) -> dict[str, dict[tuple[str, str], Decimal]]:
        sums: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for r in self.rows:
            sums[r.campaign_name][(r.metric, r.currency)] += r.value
        return {name: dict(v) for name, v in sorted(sums.items())}

    def finish(self) -> ParsedExport:
        """Fill the period from the rows when the file's header did not say it."""
        if self.rows:
            first = min(r.date for r in self.rows)
            last = max(r.date for r in self.rows)
            self.period_start = min(self.period_start or first, first)
            self.period_end = max(self.period_end or last, last)
        return self
