"""Who may do what with brand layers and content pieces, as named predicates over a membership."""

from __future__ import annotations

import rules

from agencyops.models import Discipline
from agencyops.permissions import can_lead_work, is_agency_member


@rules.predicate
def is_strategist(membership) -> bool:
    return membership is not None and membership.discipline == Discipline.STRATEGIST


# "A coordinator or strategist fills it in once": owners, coordinators and strategists edit a layer.
can_edit_brand = can_lead_work | is_strategist
# Anyone on the team writes copy and dismisses findings with a reason.
can_write_content = is_agency_member
# Only owners and coordinators let open errors through to the client, and send for approval.
can_override_checks = can_lead_work
can_send_content = can_lead_work
can_manage_brand_settings = can_lead_work
