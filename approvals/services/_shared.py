"""What every approval action relies on: who may manage approvals, the agency's local time."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from agencyops.models import Membership
from agencyops.permissions import can_manage_approvals, require


def _require_planner(actor: Membership) -> None:
    require(can_manage_approvals, actor, "Only owners and coordinators can manage approvals.")


def _local(moment: datetime, agency: Any) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(agency.time_zone))


def format_moment(moment: datetime, agency: Any) -> str:
    """'Thu 14 May, 3 pm' in the agency's time zone."""
    local = _local(moment, agency)
    hour = local.strftime("%-I")
    minutes = "" if local.minute == 0 else local.strftime(":%M")
    return f"{local:%a %-d %b}, {hour}{minutes} {local.strftime('%p').lower()}"
