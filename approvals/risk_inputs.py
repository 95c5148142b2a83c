"""What approvals feed to the project layer's risk scan: each live project's approval requests and change
requests as rule snapshots (late approvals, revision rounds past the contract, pending changes). Registered
in approvals/apps.py through projects.risk_inputs, so projects never imports approvals. Two queries."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence

from django.db.models import Max

from approvals.models import ApprovalRequest, ApprovalStatus, ChangeRequest
from projects import risks
from projects.models import STARTED_STATUSES, TaskStatus
from projects.risk_inputs import RiskInputs, risk_inputs_register


def approvals_risk_inputs(project_ids: Sequence[int], tz: zoneinfo.ZoneInfo) -> RiskInputs:
    """The approvals and change requests of these projects, as the risk rules see them."""
    inputs = RiskInputs()
    for request in (
        ApprovalRequest.objects.filter(project_id__in=list(project_ids))
        .exclude(status=ApprovalStatus.CANCELLED)
        .select_related("final_approver", "task")
        .annotate(last_version=Max("versions__number"))
    ):
        inputs.approvals[request.project_id].append(
            risks.ApprovalSnap(
                id=request.pk,
                title=request.title,
                due_at=request.due_at.astimezone(tz).date(),
                decided=request.status != ApprovalStatus.AWAITING_CLIENT,
                final_approver_name=request.final_approver.full_name,
                gated_task_key=request.task.key if request.task else None,
                revision_round=max((request.last_version or 1) - 1, 0),
            )
        )
    for change in ChangeRequest.objects.filter(project_id__in=list(project_ids)).select_related(
        "decision", "affected_task"
    ):
        decision = getattr(change, "decision", None)
        inputs.change_requests[change.project_id].append(
            risks.ChangeRequestSnap(
                id=change.pk,
                title=change.description,
                status=decision.verdict if decision else "pending",
                work_started=bool(
                    change.affected_task
                    and change.affected_task.status in (*STARTED_STATUSES, TaskStatus.DONE)
                ),
                awaiting="the owner",
            )
        )
    return inputs


def register() -> None:
    risk_inputs_register("approvals", approvals_risk_inputs)
