"""What approvals feed to the project layer's risk scan: each live project's approval requests and change
requests as rule snapshots (late approvals, revision rounds past the contract, pending changes). Registered
in approvals/apps.py through projects.risk_inputs, so projects never imports approvals. Two reads, which the
scan makes in the same round trip as its own; each reads the columns the rules need, not model instances."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from typing import Any

from django.db.models import Max, QuerySet

from approvals.models import ApprovalRequest, ApprovalStatus, ChangeRequest
from projects import risks
from projects.models import STARTED_STATUSES, Project, TaskStatus
from projects.risk_inputs import RiskInputRead, RiskInputs, risk_inputs_register


def approvals_risk_reads(projects: QuerySet, tz: zoneinfo.ZoneInfo) -> list[RiskInputRead]:
    """The reads that give the approvals and change requests of these projects as the risk rules see them."""

    def collect_approvals(rows: Sequence[tuple[Any, ...]], inputs: RiskInputs) -> None:
        for request_id, project_id, title, due_at, status, approver, task_key, last_version in rows:
            inputs.approvals[project_id].append(
                risks.ApprovalSnap(
                    id=request_id,
                    title=title,
                    due_at=due_at.astimezone(tz).date(),
                    decided=status != ApprovalStatus.AWAITING_CLIENT,
                    final_approver_name=approver,
                    gated_task_key=task_key,
                    revision_round=max((last_version or 1) - 1, 0),
                )
            )

    def collect_change_requests(rows: Sequence[tuple[Any, ...]], inputs: RiskInputs) -> None:
        for change_id, project_id, description, verdict, task_status in rows:
            inputs.change_requests[project_id].append(
                risks.ChangeRequestSnap(
                    id=change_id,
                    title=description,
                    status=verdict if verdict is not None else "pending",
                    work_started=task_status in (*STARTED_STATUSES, TaskStatus.DONE),
                    awaiting="the owner",
                )
            )

    approvals = (
        ApprovalRequest.objects.filter(project__in=projects)
        .exclude(status=ApprovalStatus.CANCELLED)
        .values_list(
            "id", "project_id", "title", "due_at", "status", "final_approver__full_name", "task__key"
        )
        .annotate(last_version=Max("versions__number"))
    )
    change_requests = ChangeRequest.objects.filter(project__in=projects).values_list(
        "id", "project_id", "description", "decision__verdict", "affected_task__status"
    )
    return [
        RiskInputRead(approvals, collect_approvals),
        RiskInputRead(change_requests, collect_change_requests),
    ]


def approvals_risk_inputs(project_ids: Sequence[int], tz: zoneinfo.ZoneInfo) -> RiskInputs:
    """The approvals and change requests of these projects, as the risk rules see them (two queries)."""
    inputs = RiskInputs()
    for read in approvals_risk_reads(Project.objects.filter(pk__in=list(project_ids)), tz):
        read.collect(list(read.rows), inputs)
    return inputs


def register() -> None:
    risk_inputs_register("approvals", approvals_risk_reads)
