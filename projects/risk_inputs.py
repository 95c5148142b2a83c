"""Facts that higher layers feed to the risk scan, so the project layer never imports them.

Approvals register a provider (approvals/risk_inputs.py) that loads each project's approval requests and
change requests as rule snapshots; the scan (projects/risk_scan.py) asks every registered provider once
per scan, so its query count stays one per kind of row whatever the number of projects.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from projects import risks


@dataclass
class RiskInputs:
    """Per project id: the approvals and change requests the rules look at."""

    approvals: dict[int, list[risks.ApprovalSnap]] = field(default_factory=lambda: defaultdict(list))
    change_requests: dict[int, list[risks.ChangeRequestSnap]] = field(
        default_factory=lambda: defaultdict(list)
    )


# (project ids, the agency's time zone) → what the provider knows about those projects.
Provider = Callable[[Sequence[int], zoneinfo.ZoneInfo], RiskInputs]

_providers: dict[str, Provider] = {}


def risk_inputs_register(key: str, provider: Provider) -> None:
    """Add (or replace, by key) a provider; higher layers call this from ``AppConfig.ready()``."""
    _providers[key] = provider


def risk_inputs_collect(project_ids: Sequence[int], tz: zoneinfo.ZoneInfo) -> RiskInputs:
    """What every registered provider knows about these projects, merged (one call per provider)."""
    merged = RiskInputs()
    for key in sorted(_providers):
        found = _providers[key](project_ids, tz)
        for project_id, snaps in found.approvals.items():
            merged.approvals[project_id].extend(snaps)
        for project_id, snaps in found.change_requests.items():
            merged.change_requests[project_id].extend(snaps)
    return merged
