"""Reads behind "what changed, why, what next": a client's campaign figures for two periods and its events."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from agencyops.models import Agency, Client
from approvals.models import ApprovalRequest, ApprovalStatus
from projects.calendars import agency_calendar, agency_today
from projects.models import DeadlineChange
from reporting import insight, selectors
from reporting.changes import guess_kind
from reporting.models import Campaign, CampaignChange, CampaignDecisionLink, KpiComparison


def client_campaigns(agency: Agency, client: Client, start: dt.date, end: dt.date) -> list[Campaign]:
    """The client's campaigns running at some point between ``start`` and ``end``."""
    return list(
        Campaign.objects.filter(agency=agency, client=client, starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .order_by("name")
    )


def campaign_periods(
    agency: Agency,
    campaigns: list[Campaign],
    period: tuple[dt.date, dt.date],
    compare: tuple[dt.date, dt.date],
) -> list[insight.CampaignPeriods]:
    """Each campaign's figures for the period and the one it is compared with (two queries)."""
    now = selectors.campaign_totals(agency, campaigns, *period)
    before = selectors.campaign_totals(agency, campaigns, *compare)
    return [
        insight.CampaignPeriods(
            c.pk,
            c.name,
            c.goal,
            insight.figures_from_totals(now[c.pk]),
            insight.figures_from_totals(before[c.pk]),
        )
        for c in campaigns
    ]


def _is_launch(key: str, title: str) -> bool:
    """A plan's launch task (key "launch" in every built-in template), or one named as a launch."""
    lowered = title.lower()
    return key == "launch" or any(w in lowered for w in ("launch", "go live", "go-live", "goes live"))


def campaign_events(
    agency: Agency, campaigns: list[Campaign], first: dt.date, last: dt.date
) -> list[insight.Event]:
    """What the app recorded about these campaigns between two days (five queries, whatever the count)."""
    by_id = {c.pk: c for c in campaigns}
    events: list[insight.Event] = []
    for change in CampaignChange.objects.filter(
        agency=agency, campaign_id__in=list(by_id), changed_on__range=(first, last)
    ).order_by("changed_on", "pk"):
        events.append(
            insight.Event(
                change.campaign_id, change.changed_on, change.kind, change.summary, "campaign change"
            )
        )
    links = CampaignDecisionLink.objects.filter(agency=agency, campaign_id__in=list(by_id)).select_related(
        "decision", "change_request"
    )
    for link in links:
        if link.decision is not None and first <= link.decision.decided_on <= last:
            text = link.decision.decision
            events.append(
                insight.Event(
                    link.campaign_id, link.decision.decided_on, guess_kind(text), text, "decision log"
                )
            )
        if link.change_request is not None:
            made_on = day_in_agency(agency, link.change_request.created_at)
            if first <= made_on <= last:
                text = link.change_request.description
                events.append(
                    insight.Event(link.campaign_id, made_on, guess_kind(text), text, "change request")
                )
    by_project: dict[int, list[Campaign]] = {}
    for c in campaigns:
        if c.project_id:
            by_project.setdefault(c.project_id, []).append(c)
    if by_project:
        tz_first = timezone.make_aware(dt.datetime.combine(first, dt.time.min), _tz(agency))
        tz_last = timezone.make_aware(
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min), _tz(agency)
        )
        # A slip counts on the day the work now lands: that is when its first-week figures start.
        moves = DeadlineChange.objects.filter(
            agency=agency, task__project_id__in=list(by_project), new_due__range=(first, last)
        ).select_related("task")
        calendar = None
        for move in moves:
            if move.new_due <= move.old_due:
                continue
            if calendar is None:
                calendar = agency_calendar(agency, around=move.old_due)
            days = calendar.business_days_between(move.old_due, move.new_due)
            slip = _is_launch(move.task.key, move.task.title)
            plural = "s" if days != 1 else ""
            summary = (
                f"the launch slipped {days} business day{plural} ({move.task.title}: "
                f"{insight.day_text(move.old_due)} → {insight.day_text(move.new_due)})"
                if slip
                else f"{move.task.title} moved {days} business day{plural}"
            )
            for c in by_project[move.task.project_id]:
                events.append(
                    insight.Event(
                        c.pk,
                        move.new_due,
                        "launch_slip" if slip else "deadline_move",
                        summary,
                        "deadline history",
                    )
                )
        approvals = ApprovalRequest.objects.filter(
            agency=agency,
            project_id__in=list(by_project),
            status__in=(ApprovalStatus.APPROVED, ApprovalStatus.APPROVED_WITH_CHANGES),
            decided_at__gte=tz_first,
            decided_at__lt=tz_last,
        )
        for approval in approvals:
            for c in by_project[approval.project_id]:
                events.append(
                    insight.Event(
                        c.pk,
                        day_in_agency(agency, approval.decided_at),
                        guess_kind(approval.deliverable)
                        if guess_kind(approval.deliverable) != "other"
                        else "creative",
                        f"the client approved {approval.title}",
                        "approval",
                    )
                )
    return events


def _tz(agency: Agency) -> ZoneInfo:
    return ZoneInfo(agency.time_zone)


def day_in_agency(agency: Agency, moment: dt.datetime) -> dt.date:
    """The agency's calendar day of a moment."""
    return moment.astimezone(_tz(agency)).date()


def target_lines(agency: Agency, campaigns: list[Campaign], as_of: dt.date) -> list[insight.TargetLine]:
    """The campaigns' monthly targets and their states as of a day (four queries)."""
    lines = []
    for row in selectors.kpi_table(agency, as_of=as_of, campaign_ids=[c.pk for c in campaigns]):
        for line in row.lines:
            if line.target is None:
                continue
            lines.append(
                insight.TargetLine(
                    row.campaign.pk,
                    row.campaign.name,
                    line.kpi.label,
                    line.state,
                    line.value.value,
                    line.target.value,
                    KpiComparison(line.target.comparison).label,
                    line.target.currency or line.value.currency,
                )
            )
    return lines


def client_insight(
    agency: Agency, client: Client, *, period: tuple[dt.date, dt.date], compare: tuple[dt.date, dt.date]
) -> insight.Insight:
    """The facts of a client's period compared with another: movements, their likely causes, next moves."""
    campaigns = client_campaigns(agency, client, min(period[0], compare[0]), max(period[1], compare[1]))
    first, last = insight.window(*period)
    as_of = min(period[1], agency_today(agency))
    return insight.analyse(
        campaigns=campaign_periods(agency, campaigns, period, compare),
        events=campaign_events(agency, campaigns, first, last),
        targets=target_lines(agency, campaigns, as_of),
        period=period,
        compare=compare,
    )


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before; a whole month compares with the whole month before."""
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        last = start - dt.timedelta(days=1)
        return last.replace(day=1), last
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


def same_period_last_year(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    def back(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 1, day=28)

    return back(start), back(end)
