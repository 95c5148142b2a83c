"""What every approval action relies on: who may manage approvals, the agency's local time."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from agencyops import dates
from agencyops.models import Membership
from agencyops.permissions import require
from approvals.permissions import can_manage_approvals


def _require_planner(actor: Membership) -> None:
    require(can_manage_approvals, actor, "Only owners and coordinators can manage approvals.")


def _local(moment: datetime, agency: Any) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(agency.time_zone))


def format_moment(moment: datetime, agency: Any) -> str:
    """'Thu 14 May, 3 pm' in the agency's time zone."""
    return dates.moment_label(_local(moment, agency))
