"""Celery jobs of the reporting layer: the weekly report beat run and the build of one issue."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scope


@shared_task(name="reporting.tasks.send_weekly_reports")
def send_weekly_reports() -> int:
    """Beat: every definition's issue for its latest due week is created once and queued while it waits."""
    from reporting.services.reports import report_issues_schedule

    return len(report_issues_schedule())


@shared_task(name="reporting.tasks.build_report_issue", acks_late=True)
def build_report_issue(issue_id: int, agency_id: int) -> str:
    """Hold, render and mail one issue; safe to run twice (its state guards every step)."""
    from reporting.services.reports import report_issue_build

    with scope(agency=agency_id):
        issue = report_issue_build(issue_id=issue_id)
        return issue.state if issue else "missing"


@shared_task(name="reporting.tasks.check_alerts")
def check_alerts(agency_id: int, client_id: int) -> int:
    """After an import: open (and notify once) or close the client's alert episodes."""
    from agencyops.models import Agency
    from reporting.services.alerts import alerts_check

    with scope(agency=agency_id):
        agency = Agency.objects.get(pk=agency_id)
        return len(alerts_check(agency=agency, client_id=client_id))


@shared_task(name="reporting.tasks.apply_insight_prose", acks_late=True)
def apply_insight_prose(job_id: int, agency_id: int) -> str:
    """A report-prose drafting job finished: check its numbers against the facts and take it (or not)."""
    from reporting.services.insights import insight_prose_apply

    with scope(agency=agency_id):
        draft = insight_prose_apply(job_id=job_id)
        return draft.prose if draft else "missing"


def insight_prose_on_commit(*, job_id: int, kind: str, agency_id: int) -> None:
    """Subscriber of brandkit's DRAFTING_JOB_FINISHED: only report prose is reporting's to read."""
    if kind == "report_prose":
        apply_insight_prose.delay_on_commit(job_id, agency_id)
