"""Weekly reports: definitions, the beat run that creates each period's issue once, the build that holds for
missing data, renders the PDF and mails it at most once, and the retry of a failed issue."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agencyops.models import Client, ClientContact, Membership
from agencyops.notifications.services import notify
from agencyops.permissions import can_lead_work, require
from reporting import pdf, report_selectors, weekly
from reporting.models import IssueState, ReportDefinition, ReportIssue, ReportSection

log = logging.getLogger(__name__)
# An issue left "being assembled" this long was abandoned by a worker that died: it is built again.
STALE_RENDERING = dt.timedelta(minutes=30)
BRAND_COLOUR = "#1f4e79"


# How the page and the API refuse a recipient id that is not the agency's (and how many they take).
CONTACT_REFUSED = "No such client contact in this agency."
MEMBER_REFUSED = "No such person in this agency."
MAX_RECIPIENTS = 50


@transaction.atomic
def report_definition_create(
    *,
    actor: Membership,
    client: Client,
    sections: list[str],
    weekday: int = 0,
    send_at: dt.time = dt.time(10, 0),
    contacts: list[ClientContact] | None = None,
    internal_recipients: list[Membership] | None = None,
    coordinator: Membership | None = None,
    data_lag_days: int = 1,
    wait_for_data: bool = True,
    name: str = "Weekly report",
) -> ReportDefinition:
    """Schedule a client's weekly report, so nobody assembles screenshots on Monday morning. A recipient who
    is not the client's contact or on the agency's team refuses the whole definition, naming the field."""
    require(can_lead_work, actor, "Only owners and coordinators schedule reports.")
    errors: dict[str, str] = {}
    if client.agency_id != actor.agency_id:
        errors["client"] = "Choose one of your clients."
    unknown = [s for s in sections if s not in ReportSection.values]
    if not sections or unknown:
        errors["sections"] = "Choose the report's sections."
    if not 0 <= weekday <= 6:
        errors["weekday"] = "Choose a day of the week."
    if not 0 <= data_lag_days <= 7:
        errors["data_lag_days"] = "Wait at most 7 days for data."
    contacts, internal_recipients = contacts or [], internal_recipients or []
    if any(c.client_id != client.pk for c in contacts):
        errors["contacts"] = f"Choose contacts of {client.name}."
    elif inactive := [c.full_name for c in contacts if not c.is_active]:
        # A deactivated contact would silently get nothing: say so while the definition is being made.
        errors["contacts"] = f"{', '.join(inactive)} no longer has access; choose active contacts."
    if any(
        m.agency_id != actor.agency_id
        for m in [*internal_recipients, *([coordinator] if coordinator else [])]
    ):
        errors["internal_recipients"] = "Choose people of your agency."
    elif any(not m.is_active for m in internal_recipients):
        errors["internal_recipients"] = "Choose people who are still on the team."
    name = " ".join(name.split())[:120] or "Weekly report"
    if ReportDefinition.objects.filter(client=client, name__iexact=name).exists():
        errors["name"] = f"{client.name} already has a report called {name}."
    if errors:
        raise ValidationError(errors)
    definition = ReportDefinition.objects.create(
        agency=actor.agency,
        client=client,
        name=name,
        sections=list(dict.fromkeys(sections)),
        weekday=weekday,
        send_at=send_at,
        coordinator=coordinator or actor,
        data_lag_days=data_lag_days,
        wait_for_data=wait_for_data,
        created_by=actor,
    )
    definition.contacts.set(contacts)
    definition.internal_recipients.set(internal_recipients)
    return definition


def next_send(definition: ReportDefinition, *, now: dt.datetime | None = None) -> dt.datetime:
    """The definition's next send moment, in the agency's time zone."""
    tz = ZoneInfo(definition.agency.time_zone)
    local = (now or timezone.now()).astimezone(tz)
    due = weekly.latest_due(local, weekday=definition.weekday, send_at=definition.send_at)
    return due.due_at + dt.timedelta(days=7)


def _queue_build(issue: ReportIssue) -> None:
    from reporting.tasks import build_report_issue

    transaction.on_commit(lambda: _send_task(build_report_issue, issue.pk, issue.agency_id))


def _send_task(task, *args) -> None:
    """Queue a job; a broker that is down leaves the issue pending for the next beat run, never an error."""
    try:
        task.delay(*args)
    except Exception:  # noqa: BLE001 — the broker's failure must not fail the saved write
        log.warning("Could not queue %s%s; the next beat run picks it up.", task.name, args, exc_info=True)


def report_issues_schedule(*, now: dt.datetime | None = None) -> list[int]:
    """Beat: create each active definition's issue for its latest due week (once: unique per period) and
    queue the ones waiting (pending, held, or abandoned mid-build by a worker)."""
    now = now or timezone.now()
    with scopes_disabled():
        definitions = list(ReportDefinition.objects.filter(is_active=True).select_related("agency"))
    queued = []
    for definition in definitions:
        with scope(agency=definition.agency_id):
            local = now.astimezone(ZoneInfo(definition.agency.time_zone))
            due = weekly.latest_due(local, weekday=definition.weekday, send_at=definition.send_at)
            if definition.created_at > due.due_at:
                continue  # scheduled after this week's send time: its first report is next week
            try:
                with transaction.atomic():
                    issue, _ = ReportIssue.objects.get_or_create(
                        agency_id=definition.agency_id,
                        definition=definition,
                        period_start=due.period_start,
                        defaults={"client_id": definition.client_id, "period_end": due.period_end},
                    )
            except IntegrityError:  # another beat run created it a moment ago
                issue = ReportIssue.objects.get(definition=definition, period_start=due.period_start)
            stale = issue.state == IssueState.RENDERING and (
                issue.started_at is None or issue.started_at < now - STALE_RENDERING
            )
            if issue.state in (IssueState.PENDING, IssueState.HELD) or stale:
                with transaction.atomic():
                    _queue_build(issue)
                queued.append(issue.pk)
    return queued


def _hold_or_fail(issue: ReportIssue, missing: list[str], now: dt.datetime) -> None:
    definition = issue.definition
    local = now.astimezone(ZoneInfo(issue.agency.time_zone))
    due = weekly.latest_due(local, weekday=definition.weekday, send_at=definition.send_at)
    if due.period_start == issue.period_start and not weekly.hold_is_over(
        due, data_lag_days=definition.data_lag_days, now=local
    ):
        issue.state = IssueState.HELD
    else:
        issue.state = IssueState.FAILED
        issue.failure_reason = "Data still missing after the data-lag window: " + "; ".join(missing)
    issue.missing = missing
    fields = ["state", "missing", "failure_reason"]
    coordinator = definition.coordinator
    if issue.coordinator_told_at is None and coordinator is not None:
        notify(
            agency=issue.agency,
            to=coordinator.user.email,
            recipient=coordinator.user,
            subject=f"{issue.client.name}'s weekly report waits for data",
            body="The report is held until these imports arrive:\n- " + "\n- ".join(missing),
            kind="report_held",
            dedupe_key=f"report-held:{issue.pk}",
            url=reverse("reporting_report_list", args=[issue.agency.slug]),
        )
        issue.coordinator_told_at = now
        fields.append("coordinator_told_at")
    issue.save(update_fields=fields)


def _recipients(definition: ReportDefinition) -> list[str]:
    emails = [c.email for c in definition.contacts.all() if c.is_active and c.email]
    emails += [m.user.email for m in definition.internal_recipients.select_related("user") if m.is_active]
    return list(dict.fromkeys(emails))


def report_issue_build(*, issue_id: int, now: dt.datetime | None = None) -> ReportIssue | None:
    """Assemble, render and mail one issue; each step is guarded by the issue's state, so a second run (beat
    twice, a retried job) does nothing and a report is mailed at most once."""
    now = now or timezone.now()
    with transaction.atomic():
        issue = (
            ReportIssue.objects.select_for_update(of=("self",))
            .select_related("definition__coordinator__user", "agency", "client")
            .filter(pk=issue_id)
            .first()
        )
        if issue is None:
            return None
        stale = issue.state == IssueState.RENDERING and (
            issue.started_at is None or issue.started_at < now - STALE_RENDERING
        )
        if issue.state not in (IssueState.PENDING, IssueState.HELD) and not stale:
            return issue
        if issue.definition.wait_for_data:
            expected = report_selectors.expected_feeds(
                issue.agency, issue.client, issue.period_start, issue.period_end
            )
            missing = weekly.missing_data(expected=expected, period_end=issue.period_end)
            if missing:
                _hold_or_fail(issue, missing, now)
                return issue
        issue.state, issue.started_at, issue.missing = IssueState.RENDERING, now, []
        issue.attempts += 1
        issue.save(update_fields=["state", "started_at", "missing", "attempts"])
    try:
        rendered = report_pdf(issue, now=now)
    except Exception as exc:  # noqa: BLE001 — any failure is shown with its reason and a retry
        log.exception("Report issue %s failed to render", issue.pk)
        ReportIssue.objects.filter(pk=issue.pk, state=IssueState.RENDERING).update(
            state=IssueState.FAILED, failure_reason=f"Rendering failed: {type(exc).__name__}: {exc}"[:2000]
        )
        issue.refresh_from_db()
        return issue
    with transaction.atomic():
        issue = ReportIssue.objects.select_for_update().get(pk=issue.pk)
        if issue.state != IssueState.RENDERING:
            return issue
        name = f"{issue.client.slug}-{issue.period_start:%Y-%m-%d}.pdf"
        issue.pdf.save(name, ContentFile(rendered.content), save=False)
        issue.pdf_sha256 = hashlib.sha256(rendered.content).hexdigest()
        issue.page_count = rendered.pages
        issue.recipients = _recipients(issue.definition)
        issue.state = IssueState.SENDING
        issue.failure_reason = ""
        issue.save(update_fields=["pdf", "pdf_sha256", "page_count", "recipients", "state", "failure_reason"])
    # Marked "being mailed" before the mail goes: a worker that dies now leaves it unsent, never sent twice.
    try:
        _mail(issue, rendered.content)
    except Exception as exc:  # noqa: BLE001
        log.exception("Report issue %s failed to mail", issue.pk)
        ReportIssue.objects.filter(pk=issue.pk, state=IssueState.SENDING).update(
            state=IssueState.FAILED, failure_reason=f"Mailing failed: {type(exc).__name__}: {exc}"[:2000]
        )
        issue.refresh_from_db()
        return issue
    ReportIssue.objects.filter(pk=issue.pk, state=IssueState.SENDING).update(
        state=IssueState.SENT, sent_at=timezone.now()
    )
    issue.refresh_from_db()
    _file_in_library(issue, rendered.content)
    return issue


def _file_in_library(issue: ReportIssue, content: bytes) -> None:
    """The sent PDF joins the client's library as a report (filed once; a failure here never unsends it)."""
    from brandkit.library.services import library_file_report

    try:
        library_file_report(
            agency=issue.agency,
            client=issue.client,
            title=f"Weekly report {issue.period_start:%-d %b} – {issue.period_end:%-d %b %Y}",
            filename=issue.pdf.name.rsplit("/", 1)[-1],
            content=content,
            owner=issue.definition.coordinator,
        )
    except Exception:  # noqa: BLE001 — the report is sent; the library copy can be filed by hand
        log.exception("Report issue %s was sent but not filed in the library", issue.pk)


def report_html(issue: ReportIssue, *, now: dt.datetime) -> str:
    """The finished HTML of an issue: cover with both brands, contents, sections with charts and tables."""
    agency = issue.agency
    local_today = now.astimezone(ZoneInfo(agency.time_zone)).date()
    sections = report_selectors.report_sections(
        issue, as_of=local_today, next_report=next_send(issue.definition, now=now)
    )
    return render_to_string(
        "reporting/pdf/weekly.html",
        {
            "issue": issue,
            "definition": issue.definition,
            "agency": agency,
            "client": issue.client,
            "sections": sections,
            "agency_logo": report_selectors.data_uri(agency.logo),
            "client_logo": report_selectors.data_uri(issue.client.logo),
            "brand_colour": BRAND_COLOUR,
        },
    )


def report_pdf(issue: ReportIssue, *, now: dt.datetime) -> pdf.RenderedPdf:
    return pdf.render_pdf(report_html(issue, now=now))


def _mail(issue: ReportIssue, content: bytes) -> None:
    if not issue.recipients:
        return
    message = EmailMessage(
        subject=f"{issue.client.name}: {issue.definition.name}, {issue.period_start:%-d %b} – {issue.period_end:%-d %b %Y}",
        body=(
            f"Your {issue.definition.name.lower()} from {issue.agency.name} is attached. Every report is also on "
            f"your portal's Reports page: {settings.SITE_URL}{reverse('portal_report_list', args=[issue.agency.slug])}"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=issue.recipients,
    )
    message.attach(f"{issue.client.slug}-{issue.period_start:%Y-%m-%d}.pdf", content, "application/pdf")
    message.send()


@transaction.atomic
def report_issue_retry(*, actor: Membership, issue: ReportIssue) -> ReportIssue:
    """Try a failed issue again (after the data arrived, or the mail server is back)."""
    require(can_lead_work, actor, "Only owners and coordinators retry reports.")
    issue = ReportIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.state != IssueState.FAILED:
        raise ValidationError("Only a failed report is retried.")
    issue.state, issue.failure_reason, issue.coordinator_told_at = IssueState.PENDING, "", None
    issue.save(update_fields=["state", "failure_reason", "coordinator_told_at"])
    _queue_build(issue)
    return issue
