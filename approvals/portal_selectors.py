"""Every read of the client portal's approval pages, always starting from the contact's own client.

Nothing here returns an internal comment, an unsent version or a staff-only field: the portal pages
show exactly what these functions return. Each function runs a fixed number of queries, however many
requests, comments or log entries there are.
"""

from __future__ import annotations

import json
import math
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from agencyops.models import Agency, ClientContact
from agencyops.planned_sql import planned_cursor
from approvals.models import (
    ApprovalRequest,
    ApprovalStatus,
    AssetVersion,
    ChangeRequest,
    Comment,
    DecisionLogEntry,
    ReviewerDecision,
    Scope,
    Verdict,
    VersionKind,
    VersionPage,
)
from approvals.selectors import Viewer, portal_status, requests_visible_to, round_label
from approvals.services import format_moment

DECIDED_STATUSES = (ApprovalStatus.APPROVED, ApprovalStatus.APPROVED_WITH_CHANGES)
# A decision already taken reads in the past tense: "Approved by Anna Li on 8 May".
VERDICT_PAST = {
    Verdict.APPROVE: "Approved",
    Verdict.APPROVE_WITH_CHANGES: "Approved with changes",
    Verdict.REQUEST_CHANGES: "Changes requested",
}


# --------------------------------------------------------------------------- plain helpers (no ORM)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def countdown(due_at: datetime, now: datetime) -> str:
    """'due in 2 days' / 'due in 5 hours' / 'overdue by 5 hours': the nearest amount of the largest unit."""
    seconds = (due_at - now).total_seconds()
    span = abs(seconds)
    # Rounded, not floored: a request due in 47 h 59 min is "due in 2 days", as the coordinator said.
    minutes, hours = round(span / 60), round(span / 3600)
    if minutes < 60:
        amount = _plural(max(minutes, 1), "minute")
    elif hours < 24:
        amount = _plural(hours, "hour")
    else:
        amount = _plural(round(span / 86400), "day")
    return f"due in {amount}" if seconds >= 0 else f"overdue by {amount}"


# Where countdown's label may change, in seconds from the due moment: it names minutes up to 59.5 of them,
# hours up to 23.5, then days, each rounded, so within each span it changes half-way between two whole units.
_COUNTDOWN_SPANS = ((0.0, 59.5 * 60, 60), (59.5 * 60, 23.5 * 3600, 3600), (23.5 * 3600, math.inf, 86400))


def countdown_changes_at(due_at: datetime, now: datetime) -> datetime:
    """The first moment from ``now`` on at which ``countdown(due_at, ·)`` may read differently: until then
    the label ``countdown(due_at, now)`` holds. ``now`` itself when it may change at once (on a half-unit,
    where rounding tips either way)."""
    seconds = (due_at - now).total_seconds()
    span = abs(seconds)
    low, high, unit = next(s for s in _COUNTDOWN_SPANS if s[0] <= span < s[1])
    if seconds >= 0:
        # Counting down: the nearest half-unit at or below, or where this span of units ends (0: overdue).
        below = (math.floor(span / unit - 0.5) + 0.5) * unit
        return due_at - timedelta(seconds=max(below, low))
    # Overdue and counting up: the nearest half-unit at or above, or where the next unit takes over.
    above = (math.ceil(span / unit - 0.5) + 0.5) * unit
    return due_at + timedelta(seconds=min(above, high))


def local_date(moment: datetime, agency: Agency) -> date:
    """The calendar day of a moment in the agency's time zone."""
    return moment.astimezone(zoneinfo.ZoneInfo(agency.time_zone)).date()


def day_label(day: date) -> str:
    """'3 May' — the way the portal names a day."""
    return f"{day.day} {day:%B}"


def portal_status_label(status: str) -> str:
    """The client-facing name of a request's status (the one status map, in approvals.selectors)."""
    return portal_status(status).label


@dataclass(frozen=True)
class CopySegment:
    """A run of the copy; ``numbers`` are the comments that quote it (empty for plain text)."""

    html: SafeString
    numbers: tuple[int, ...]

    @property
    def title(self) -> str:
        label = "Comment" if len(self.numbers) == 1 else "Comments"
        return f"{label} {', '.join(str(n) for n in self.numbers)}"


def _copy_html(text: str) -> SafeString:
    # An HTML parser turns a literal CR into LF, which would shift every later offset. A character
    # reference survives parsing, so the element's textContent stays equal to version.text.
    return mark_safe(str(conditional_escape(text)).replace("\r", "&#13;"))


def copy_segments(text: str, quotes: list[tuple[int, int, int]]) -> list[CopySegment]:
    """Split copy into runs at every quoted passage's edges; quotes are (number, start, end) offsets."""
    edges = {0, len(text)}
    for _, start, end in quotes:
        edges.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    points = sorted(edges)
    segments = []
    for start, end in zip(points, points[1:], strict=False):
        if start == end:
            continue
        numbers = tuple(n for n, q_start, q_end in quotes if q_start <= start and end <= q_end)
        segments.append(CopySegment(html=_copy_html(text[start:end]), numbers=numbers))
    return segments


# --------------------------------------------------------------------------- requests


def portal_requests(contact: ClientContact) -> QuerySet[ApprovalRequest]:
    """The requests a contact may open: their own client's, once a version has been sent to them."""
    return requests_visible_to(Viewer.client(contact))


def portal_request_or_404(contact: ClientContact, request_id: int) -> ApprovalRequest:
    """One request of the contact's client; another client's (of any agency) is a 404 like a missing one."""
    approval = (
        portal_requests(contact).select_related("final_approver", "project").filter(pk=request_id).first()
    )
    if approval is None:
        raise Http404("No such approval request.")
    return approval


def portal_version_or_404(contact: ClientContact, version_id: int) -> AssetVersion:
    """A version of the contact's client's request that was sent to the client; anything else is a 404."""
    version = AssetVersion.objects.filter(
        pk=version_id, request__client_id=contact.client_id, sent_at__isnull=False
    ).first()
    if version is None:
        raise Http404("No such version.")
    return version


def portal_version_page_or_404(contact: ClientContact, version_id: int, page: int) -> VersionPage:
    """A rendered PDF page of a sent version of the contact's client's request."""
    found = VersionPage.objects.filter(
        version_id=version_id,
        number=page,
        version__request__client_id=contact.client_id,
        version__sent_at__isnull=False,
    ).first()
    if found is None:
        raise Http404("No such page.")
    return found


def portal_current_version(approval: ApprovalRequest) -> AssetVersion | None:
    """The latest version sent to the client: the one comments and decisions are about."""
    return approval.versions.filter(sent_at__isnull=False).order_by("-number").first()


def portal_comment_for_reply(approval: ApprovalRequest, comment_id: int) -> Comment | None:
    """A comment of this request the client can see, to reply to; None for internal or unknown ones."""
    return Comment.objects.filter(request=approval, pk=comment_id, is_internal=False).first()


def portal_change_request_or_404(contact: ClientContact, change_request_id: int) -> ChangeRequest:
    """A change request of the contact's client, with its decision if there is one."""
    found = (
        ChangeRequest.objects.filter(pk=change_request_id, client_id=contact.client_id)
        .select_related("approval_request__final_approver", "cites", "decision__decided_by_contact")
        .first()
    )
    if found is None:
        raise Http404("No such change request.")
    return found


# --------------------------------------------------------------------------- portal home


@dataclass(frozen=True)
class AwaitingItem:
    """A request waiting for the client's decision, as the home page lists it."""

    pk: int
    title: str
    scope_labels: list[str]
    final_approver_name: str
    round_label: str
    due_label: str
    countdown: str
    is_overdue: bool
    is_final_approver: bool


@dataclass(frozen=True)
class PortalDecision:
    """A verdict on the portal home: the client's binding decisions and the contact's own advice."""

    request_id: int
    title: str
    version_number: int
    verdict: str
    verdict_past: str
    day_label: str
    contact_name: str
    is_final: bool


@dataclass(frozen=True)
class OpenChangeRequest:
    """A change request of the client still waiting for a decision."""

    pk: int
    description: str
    is_mine_to_decide: bool


@dataclass(frozen=True)
class PortalHome:
    """What the portal home shows: what awaits the contact, what was decided, change requests to settle."""

    awaiting: list[AwaitingItem]
    decisions: list[PortalDecision]
    open_change_requests: list[OpenChangeRequest]


# The portal home's three reads, written once: the portal home is every client's first page, and the ORM
# compiled these on each view at several times what PostgreSQL spends running them. Each starts from the
# contact's own client, as portal_requests does: requests once sent, their decisions, their change requests.
PORTAL_AWAITING_SQL = """
SELECT r.id, r.title, r.scopes, r.due_at, r.final_approver_id, fa.full_name, p.revision_rounds_included,
       (SELECT max(v.number) FROM approvals_assetversion v
        WHERE v.agency_id = %(agency)s AND v.request_id = r.id AND v.sent_at IS NOT NULL)
FROM approvals_approvalrequest r
JOIN projects_project p ON p.id = r.project_id
JOIN agencyops_clientcontact fa ON fa.id = r.final_approver_id
WHERE r.agency_id = %(agency)s AND r.client_id = %(client)s AND r.sent_at IS NOT NULL
  AND r.status = %(awaiting)s
ORDER BY r.due_at, r.id
"""

PORTAL_DECISIONS_SQL = """
SELECT d.request_id, r.title, v.number, d.verdict, d.decided_at, c.full_name, d.is_final
FROM approvals_reviewerdecision d
JOIN approvals_approvalrequest r ON r.id = d.request_id
JOIN approvals_assetversion v ON v.id = d.version_id
JOIN agencyops_clientcontact c ON c.id = d.contact_id
WHERE d.agency_id = %(agency)s AND r.client_id = %(client)s AND (d.is_final OR d.contact_id = %(contact)s)
ORDER BY d.decided_at DESC, d.id DESC
LIMIT %(shown)s
"""

PORTAL_CHANGE_REQUESTS_SQL = """
SELECT cr.id, cr.description, ar.final_approver_id
FROM approvals_changerequest cr
LEFT JOIN approvals_approvalrequest ar ON ar.id = cr.approval_request_id
WHERE cr.agency_id = %(agency)s AND cr.client_id = %(client)s
  AND NOT EXISTS (SELECT 1 FROM approvals_changerequestdecision d WHERE d.change_request_id = cr.id)
ORDER BY cr.created_at DESC, cr.id DESC
"""

SCOPE_LABELS = dict(Scope.choices)


def portal_home_data(
    contact: ClientContact,
    *,
    now: datetime | None = None,
    decisions_shown: int = 20,
    changes_at: Callable[[datetime], None] | None = None,
) -> PortalHome:
    """The portal home in three queries: awaiting requests, recent decisions, open change requests.
    ``changes_at`` hears when each awaiting request's countdown next reads differently (the page changes
    then, with no write)."""
    now = now or timezone.now()
    agency = contact.agency
    viewer = Viewer.client(contact)
    params = {
        "agency": contact.agency_id,
        "client": contact.client_id,
        "contact": contact.pk,
        "awaiting": ApprovalStatus.AWAITING_CLIENT.value,
        "shown": decisions_shown,
    }
    with planned_cursor() as cursor:
        cursor.execute(PORTAL_AWAITING_SQL, params)
        awaiting_rows = cursor.fetchall()
        # The client's binding decisions, and this contact's own advice.
        cursor.execute(PORTAL_DECISIONS_SQL, params)
        decision_rows = cursor.fetchall()
        cursor.execute(PORTAL_CHANGE_REQUESTS_SQL, params)
        change_rows = cursor.fetchall()
    awaiting = [
        AwaitingItem(
            pk=pk,
            title=title,
            scope_labels=[SCOPE_LABELS.get(s, s) for s in json.loads(scopes)],
            final_approver_name=final_approver_name,
            round_label=round_label(current_number or 1, rounds_included, viewer),
            due_label=format_moment(due_at, agency),
            countdown=countdown(due_at, now),
            is_overdue=due_at < now,
            is_final_approver=final_approver_id == contact.pk,
        )
        for pk, title, scopes, due_at, final_approver_id, final_approver_name, rounds_included, current_number in (
            awaiting_rows
        )
    ]
    decisions = [
        PortalDecision(
            request_id=request_id,
            title=title,
            version_number=number,
            verdict=verdict,
            verdict_past=VERDICT_PAST[Verdict(verdict)],
            day_label=day_label(local_date(decided_at, agency)),
            contact_name=contact_name,
            is_final=is_final,
        )
        for request_id, title, number, verdict, decided_at, contact_name, is_final in decision_rows
    ]
    if changes_at is not None:
        for _pk, _title, _scopes, due_at, *_rest in awaiting_rows:
            changes_at(countdown_changes_at(due_at, now))
    open_change_requests = [
        OpenChangeRequest(pk=pk, description=description, is_mine_to_decide=final_approver_id == contact.pk)
        for pk, description, final_approver_id in change_rows
    ]
    return PortalHome(awaiting=awaiting, decisions=decisions, open_change_requests=open_change_requests)


# --------------------------------------------------------------------------- one request


@dataclass
class ThreadItem:
    """A visible comment with its number, who said it, when, and its visible replies."""

    comment: Comment
    number: int
    author_label: str
    when_label: str
    captured_label: str = ""
    replies: list[ThreadItem] = field(default_factory=list)


@dataclass(frozen=True)
class PinnedPage:
    """A page image with the pins on it, as the pins partial draws it."""

    number: int
    image_url: str
    width: int
    height: int
    pins: list[tuple[int, float, float]]

    @property
    def pins_label(self) -> str:
        count = len(self.pins)
        return f"{count} pinned comment{'' if count == 1 else 's'}" if count else ""


@dataclass
class PortalApprovalPage:
    """Everything the portal's approval page shows for one request and one of its sent versions."""

    request: ApprovalRequest
    versions: list[AssetVersion]
    version: AssetVersion
    current: AssetVersion
    thread: list[ThreadItem]
    comment_count: int
    pages: list[PinnedPage]
    copy: list[CopySegment]
    verdicts: list[ReviewerDecision]
    final_decision: ReviewerDecision | None
    my_advice: ReviewerDecision | None
    client_commented_on_round: bool
    change_requests: list[ChangeRequest]
    round_label: str
    due_label: str
    countdown: str
    is_overdue: bool
    status_label: str
    is_final_approver: bool

    @property
    def is_current(self) -> bool:
        return self.version.pk == self.current.pk

    @property
    def can_comment(self) -> bool:
        # Approved work is revised through a change request, so its thread is closed to new comments.
        return self.is_current and not self.request.is_closed

    @property
    def can_decide(self) -> bool:
        return self.request.status == ApprovalStatus.AWAITING_CLIENT and self.is_current

    @property
    def is_approved(self) -> bool:
        return self.request.status in DECIDED_STATUSES


def _author_label(comment: Comment, agency: Agency) -> str:
    if comment.is_captured:
        return comment.said_by or "Feedback"
    if comment.author_contact_id:
        return comment.author_contact.full_name
    name = comment.author.full_name if comment.author_id else "Someone"
    return f"{name} ({agency.name})"


def _thread(comments: list[Comment], agency: Agency) -> list[ThreadItem]:
    items: dict[int, ThreadItem] = {}
    roots: list[ThreadItem] = []
    for number, comment in enumerate(comments, start=1):
        item = ThreadItem(
            comment=comment,
            number=number,
            author_label=_author_label(comment, agency),
            when_label=format_moment(comment.created_at, agency),
        )
        if comment.is_captured:
            said = comment.source_at or comment.created_at
            item.captured_label = (
                f"captured by the agency from {comment.get_source_display().lower()} "
                f"on {day_label(local_date(said, agency))}"
            )
        items[comment.pk] = item
        if comment.parent_id is None:
            roots.append(item)
        elif comment.parent_id in items:
            items[comment.parent_id].replies.append(item)
        # A reply whose parent is not visible is left out with it.
    return roots


def portal_approval_page(
    contact: ClientContact,
    approval: ApprovalRequest,
    *,
    version_number: int | None = None,
    now: datetime | None = None,
) -> PortalApprovalPage:
    """One request as the client sees it: sent versions, the chosen version's pins, copy and thread."""
    now = now or timezone.now()
    agency = contact.agency
    # Page 1's size rides along: for a large image it is the bounded preview reviewers are shown.
    first_page = VersionPage.objects.filter(version=OuterRef("pk"), number=1)
    versions = list(
        approval.versions.filter(sent_at__isnull=False)
        .annotate(
            preview_width=Subquery(first_page.values("width")[:1]),
            preview_height=Subquery(first_page.values("height")[:1]),
        )
        .order_by("number")
    )
    if not versions:
        raise Http404("No such approval request.")
    current = versions[-1]
    by_number = {v.number: v for v in versions}
    if version_number is not None and version_number not in by_number:
        raise Http404("No such version.")
    version = by_number[version_number] if version_number is not None else current

    # Internal comments, and replies to them, never leave the agency.
    comments = list(
        Comment.objects.filter(version=version, is_internal=False)
        .filter(Q(parent__isnull=True) | Q(parent__is_internal=False))
        .select_related("author", "author_contact")
        .order_by("created_at", "pk")
    )
    thread = _thread(comments, agency)
    numbered = {item.comment.pk: item.number for root in thread for item in (root, *root.replies)}
    visible = [c for c in comments if c.pk in numbered]

    pages: list[PinnedPage] = []
    copy: list[CopySegment] = []
    if version.kind == VersionKind.TEXT:
        quotes = [
            (numbered[c.pk], c.quote_start, c.quote_end)
            for c in visible
            if c.quote_start is not None and c.quote_end is not None
        ]
        copy = copy_segments(version.text, quotes)
    else:
        kwargs = {"agency_slug": agency.slug, "version_id": version.pk}
        page_rows: list[tuple[int, str, int, int]]
        if version.kind == VersionKind.PDF:
            page_rows = [
                (
                    page.number,
                    reverse("portal_version_page", kwargs={**kwargs, "page": page.number}),
                    page.width,
                    page.height,
                )
                for page in VersionPage.objects.filter(version=version).order_by("number")
            ]
        else:
            # A large image is shown through its bounded preview once a worker has rendered it.
            if version.preview_width:
                url = reverse("portal_version_page", kwargs={**kwargs, "page": 1})
                page_rows = [(1, url, version.preview_width, version.preview_height)]
            else:
                file_url = reverse("portal_version_file", kwargs=kwargs)
                page_rows = [(1, file_url, version.width or 1, version.height or 1)]
        for number, url, width, height in page_rows:
            pins = [(numbered[c.pk], c.pin_x, c.pin_y) for c in visible if c.is_pinned and c.page == number]
            pages.append(PinnedPage(number=number, image_url=url, width=width, height=height, pins=pins))

    decisions = list(
        ReviewerDecision.objects.filter(request=approval, version__in=[v.pk for v in versions])
        .select_related("contact", "version")
        .order_by("decided_at", "pk")
    )
    for decision in decisions:
        decision.day_label = day_label(local_date(decision.decided_at, agency))
        decision.verdict_past = VERDICT_PAST[Verdict(decision.verdict)]
    verdicts = [d for d in decisions if d.version_id == version.pk]
    final_decision = next((d for d in reversed(decisions) if d.is_final), None)
    my_advice = next(
        (d for d in decisions if d.version_id == current.pk and d.contact_id == contact.pk), None
    )
    client_commented = Comment.objects.filter(
        version=current, author_contact__client_id=contact.client_id, is_internal=False
    ).exists()
    change_requests = list(
        ChangeRequest.objects.filter(approval_request=approval)
        .select_related("decision")
        .order_by("-created_at", "-pk")
    )
    return PortalApprovalPage(
        request=approval,
        versions=versions,
        version=version,
        current=current,
        thread=thread,
        comment_count=len(visible),
        pages=pages,
        copy=copy,
        verdicts=verdicts,
        final_decision=final_decision,
        my_advice=my_advice,
        client_commented_on_round=client_commented,
        change_requests=change_requests,
        round_label=round_label(
            version.number, approval.project.revision_rounds_included, Viewer.client(contact)
        ),
        due_label=format_moment(approval.due_at, agency),
        countdown=countdown(approval.due_at, now),
        is_overdue=approval.due_at < now,
        status_label=portal_status_label(approval.status),
        is_final_approver=approval.final_approver_id == contact.pk,
    )


# --------------------------------------------------------------------------- decision log


def portal_decision_log_page(
    contact: ClientContact, *, page: int | str | None = 1, per_page: int = 50
) -> Page:
    """The client's decision log, newest first, one page at a time (no internal fields are read)."""
    entries = (
        DecisionLogEntry.objects.filter(client_id=contact.client_id)
        .select_related("corrects")
        .only(
            "pk",
            "decided_on",
            "decision",
            "approver_name",
            "asset",
            "impact_timeline",
            "impact_budget",
            "impact_deliverables",
            "source_kind",
            "source_note",
            "approval_request_id",
            "corrects_id",
            "recorded_at",
            "corrects__decided_on",
            "corrects__decision",
        )
        .order_by("-decided_on", "-recorded_at", "-pk")
    )
    result = Paginator(entries, per_page).get_page(page)
    result.object_list = list(result.object_list)
    # Link back only to requests the client can open (every logged request was sent; this keeps it so).
    visible = set(
        portal_requests(contact)
        .filter(pk__in=[e.approval_request_id for e in result.object_list if e.approval_request_id])
        .values_list("pk", flat=True)
    )
    for entry in result.object_list:
        entry.portal_request_id = entry.approval_request_id if entry.approval_request_id in visible else None
    return result
