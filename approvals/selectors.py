"""Reads behind the approval pages and API: the list, a request's page, compare, the decision log,
change requests and notifications.

A read that both sides show (the requests, one request's versions and comments, a request's status) is one
selector taking a ``Viewer``: someone on the agency's team, or a client contact, whose view drops what a
client must never see (unsent versions, internal comments, the internal approver, the agency's own steps).

Each list runs a fixed number of queries whatever the number of rows: latest versions and round
numbers are subqueries, related rows come through select_related / prefetch_related, and threads,
pins and highlights are assembled in Python from one query each.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from agencyops.models import Agency, Client, ClientContact, Membership, Notification
from approvals.models import (
    CLOSED_STATUSES,
    ApprovalRequest,
    ApprovalStatus,
    AssetVersion,
    ChangeRequest,
    Comment,
    DecisionLogEntry,
    ReviewerDecision,
    VersionKind,
    VersionPage,
)
from approvals.permissions import can_send_approval
from approvals.services import SendCheck, format_moment
from projects.models import DeadlineChange, Project, Task

# --------------------------------------------------------------------------- who is reading


@dataclass(frozen=True)
class Viewer:
    """Who a read is for: the agency's team (``membership``, if known) or one client contact."""

    membership: Membership | None = None
    contact: ClientContact | None = None

    @classmethod
    def staff(cls, membership: Membership | None = None) -> Viewer:
        return cls(membership=membership)

    @classmethod
    def client(cls, contact: ClientContact) -> Viewer:
        return cls(contact=contact)

    @property
    def is_client(self) -> bool:
        return self.contact is not None


class PortalStatus(models.TextChoices):
    """A request's status as a client sees it: the agency's own steps (drafts, internal sign-off) are
    simply "the next version is in preparation". The labels are the portal's wording."""

    AWAITING_DECISION = "awaiting_decision", "Awaiting a decision"
    IN_REVISION = "in_revision", "Next version in preparation"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CHANGES = "approved_with_changes", "Approved with changes"
    CANCELLED = "cancelled", "Cancelled"


# The one map from a request's status to what its client is shown (portal pages and portal API alike).
PORTAL_STATUS_OF = {
    ApprovalStatus.DRAFT: PortalStatus.IN_REVISION,
    ApprovalStatus.AWAITING_INTERNAL: PortalStatus.IN_REVISION,
    ApprovalStatus.AWAITING_CLIENT: PortalStatus.AWAITING_DECISION,
    ApprovalStatus.CHANGES_REQUESTED: PortalStatus.CHANGES_REQUESTED,
    ApprovalStatus.APPROVED: PortalStatus.APPROVED,
    ApprovalStatus.APPROVED_WITH_CHANGES: PortalStatus.APPROVED_WITH_CHANGES,
    ApprovalStatus.CANCELLED: PortalStatus.CANCELLED,
}


def portal_status(status: str) -> PortalStatus:
    """The status a client is shown for a request's status."""
    return PORTAL_STATUS_OF[ApprovalStatus(status)]


def statuses_shown_as(shown: str) -> list[ApprovalStatus]:
    """Every request status a client sees as ``shown`` (a PortalStatus value)."""
    return [status for status, portal in PORTAL_STATUS_OF.items() if portal == shown]


# --------------------------------------------------------------------------- shared labels


def round_label(number: int | None, included: int, viewer: Viewer | None = None) -> str:
    """'v3 · revision round 2 of 2 included': the version and which revision round it is against the
    project's budget. A client reads the version spelt out: 'Version 3 · revision round 2 of 2 included'."""
    if not number:
        return "No version yet"
    version = f"Version {number}" if viewer is not None and viewer.is_client else f"v{number}"
    if number == 1:
        return f"{version} · first round"
    return f"{version} · revision round {number - 1} of {included} included"


def is_beyond_budget(number: int | None, included: int) -> bool:
    """Whether this version is a revision round the project did not include."""
    return bool(number) and number - 1 > included


def _decorate_due(request: ApprovalRequest, agency: Agency, now: datetime) -> None:
    request.due_label = format_moment(request.due_at, agency)  # type: ignore[attr-defined]
    request.is_overdue = request.status not in CLOSED_STATUSES and request.due_at < now  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- the list

STATUS_FILTERS = [("", "Any status"), ("open", "Open (not decided)"), *ApprovalStatus.choices]


def requests_visible_to(viewer: Viewer) -> QuerySet[ApprovalRequest]:
    """The one rule of which requests a viewer may open: the team every request of the agency in scope,
    a client contact their own client's, once a version has been sent to them."""
    if viewer.is_client:
        return ApprovalRequest.objects.filter(client_id=viewer.contact.client_id, sent_at__isnull=False)  # type: ignore[union-attr]
    return ApprovalRequest.objects.all()


def approval_requests_for(
    viewer: Viewer, *, status: str = "", client_id: int | None = None, project_id: int | None = None
) -> QuerySet[ApprovalRequest]:
    """The requests a viewer lists, each with ``latest_number``: the latest version they can see.

    For the team: by due time; ``status`` is an ApprovalStatus value or "open" (not closed). For a client:
    what awaits a decision first (soonest due), then the rest, newest first; ``status`` is a PortalStatus
    value; the internal approver is not even loaded.
    """
    versions = AssetVersion.objects.filter(request=OuterRef("pk"))
    if viewer.is_client:
        versions = versions.filter(sent_at__isnull=False)
    latest = Subquery(versions.order_by("-number").values("number")[:1])
    requests = requests_visible_to(viewer)
    if viewer.is_client:
        requests = (
            requests.select_related("agency", "project", "final_approver")
            .annotate(
                latest_number=latest,
                awaiting=Case(
                    When(status=ApprovalStatus.AWAITING_CLIENT, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
            )
            .order_by("awaiting", "due_at", "-sent_at", "pk")
        )
        if status:
            requests = requests.filter(status__in=statuses_shown_as(status))
    else:
        requests = (
            requests.select_related("project", "client", "final_approver", "internal_approver__user")
            .annotate(latest_number=latest)
            .order_by("due_at", "pk")
        )
        if status == "open":
            requests = requests.exclude(status__in=CLOSED_STATUSES)
        elif status in ApprovalStatus.values:
            requests = requests.filter(status=status)
    if client_id:
        requests = requests.filter(client_id=client_id)
    if project_id:
        requests = requests.filter(project_id=project_id)
    return requests


def versions_visible_to(viewer: Viewer, approval: ApprovalRequest) -> QuerySet[AssetVersion]:
    """The versions of a request a viewer may see (and comment on): every one for the team, only those
    sent for a client."""
    versions = approval.versions.all()
    return versions.filter(sent_at__isnull=False) if viewer.is_client else versions


def versions_for(viewer: Viewer, approval: ApprovalRequest) -> list[AssetVersion]:
    """A request's versions oldest first with their rendered pages: all of them for the team (with who
    uploaded them), only those sent for a client."""
    versions = (
        versions_visible_to(viewer, approval)
        .prefetch_related(Prefetch("pages", queryset=VersionPage.objects.order_by("number")))
        .order_by("number")
    )
    if viewer.is_client:
        return list(versions)
    return list(versions.select_related("uploaded_by__user"))


def comments_for(viewer: Viewer, approval: ApprovalRequest) -> QuerySet[Comment]:
    """A request's comments oldest first, authors joined in: every one for the team; for a client never an
    internal one, never one on a version they were not sent."""
    comments = approval.comments.select_related(
        "version", "author", "author_contact", "author_membership__user"
    ).order_by("created_at", "pk")
    if viewer.is_client:
        return comments.filter(is_internal=False, version__sent_at__isnull=False)
    return comments.select_related("resolved_by__user")


def approval_detail_for(viewer: Viewer, approval: ApprovalRequest) -> ApprovalRequest:
    """One request with what its viewer sees, in a fixed number of queries: versions (and pages), comments
    and every verdict; for the team also its change requests, the send check and ``can_send``."""
    approval.version_list = versions_for(viewer, approval)  # type: ignore[attr-defined]
    approval.comment_list = list(comments_for(viewer, approval))  # type: ignore[attr-defined]
    approval.decision_list = list(  # type: ignore[attr-defined]
        approval.decisions.select_related("contact", "version").order_by("decided_at", "pk")
    )
    if viewer.is_client:
        return approval
    change_requests = list(
        ChangeRequest.objects.filter(approval_request=approval)
        .select_related("decision")
        .order_by("-created_at", "-pk")
    )
    for row in change_requests:
        row.status = change_request_status(row)  # type: ignore[attr-defined]
    approval.change_request_list = change_requests  # type: ignore[attr-defined]
    latest = approval.version_list[-1] if approval.version_list else None  # type: ignore[attr-defined]
    approval.latest_number = latest.number if latest else None  # type: ignore[attr-defined]
    approval.send_check = (  # type: ignore[attr-defined]
        SendCheck(
            version=latest,
            revision_round=latest.revision_round,
            included=approval.project.revision_rounds_included,
        )
        if latest
        else None
    )
    # The same predicate as the page's Send button (approvals/permissions.py): the two cannot disagree.
    approval.can_send = can_send_approval(viewer.membership, approval, latest)  # type: ignore[attr-defined]
    return approval


def approvals_for_list(
    agency: Agency, *, status: str = "", client_id: int | None = None, project_id: int | None = None
) -> list[ApprovalRequest]:
    """The agency's approval requests, open ones first by due time, each with its latest version and round.

    ``status`` is an ApprovalStatus value, "open" (anything not closed) or empty for all.
    """
    requests = approval_requests_for(
        Viewer.staff(), status=status, client_id=client_id, project_id=project_id
    ).filter(agency=agency)
    now = timezone.now()
    rows = list(requests)
    for row in rows:
        _decorate_due(row, agency, now)
        included = row.project.revision_rounds_included
        row.round_label = round_label(row.latest_number, included)  # type: ignore[attr-defined]
        row.beyond_budget = is_beyond_budget(row.latest_number, included)  # type: ignore[attr-defined]
    return rows


def agency_has_approvals(agency: Agency) -> bool:
    """Whether the agency has prepared any approval request (picks the list's empty state)."""
    return ApprovalRequest.objects.filter(agency=agency).exists()


def clients_for_filter(agency: Agency) -> QuerySet[Client]:
    """Every client, archived ones too: their approvals remain."""
    return Client.objects.filter(agency=agency).order_by("name", "pk")


def projects_for_filter(agency: Agency) -> QuerySet[Project]:
    """Every project with its client's name, for filters and pickers."""
    return (
        Project.objects.filter(agency=agency).select_related("client").order_by("client__name", "name", "pk")
    )


# --------------------------------------------------------------------------- creating a request


def approvers_for_project(project: Project | None) -> QuerySet[ClientContact]:
    """The active contacts of the project's client, the default approver first (none without a project)."""
    if project is None:
        return ClientContact.objects.none()
    return ClientContact.objects.filter(client_id=project.client_id, is_active=True).order_by(
        "-is_default_approver", "full_name", "pk"
    )


def tasks_for_gating(project: Project | None) -> list[Task]:
    """The project's tasks an approval can gate: review milestones first, then the rest in plan order."""
    if project is None:
        return []
    tasks = Task.objects.filter(project=project).only(
        "pk", "title", "due_date", "is_review_milestone", "project_id", "start_date", "order"
    )
    return sorted(tasks, key=lambda t: (not t.is_review_milestone, t.start_date, t.order, t.pk))


def team_for_signoff(agency: Agency) -> QuerySet[Membership]:
    """People who can sign work off internally: the active team."""
    return (
        Membership.objects.filter(agency=agency, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


# --------------------------------------------------------------------------- a request's page


def approval_for_page() -> QuerySet[ApprovalRequest]:
    """Requests with everything their header shows (look one up with get_object_or_404)."""
    return ApprovalRequest.objects.select_related(
        "agency", "project", "client", "final_approver", "internal_approver__user", "task", "created_by__user"
    )


@dataclass
class ThreadItem:
    """A comment in its thread: depth 0 for a top-level comment, 1+ for replies."""

    comment: Comment
    depth: int
    number: int | None = None  # top-level comments are numbered per version; pins carry the number


@dataclass
class PageView:
    """One page a reviewer looks at: the image of an image version, or one rendered PDF page."""

    number: int
    width: int
    height: int
    pins: list[tuple[int, float, float]]
    page: VersionPage | None = None  # for an image version, its preview (None: the file is the page)

    @property
    def alt(self) -> str:
        return f"Page {self.number}"

    @property
    def pins_label(self) -> str:
        count = len(self.pins)
        return f"{count} pinned comment{'s' if count != 1 else ''}" if count else ""


@dataclass
class CopySegment:
    """A run of copy text; ``numbers`` are the comments whose passage covers it (empty: not commented)."""

    text: str
    numbers: list[int] = field(default_factory=list)


@dataclass
class VersionView:
    """A version as its tab shows it: pages with pins, or copy with highlights, and its comments."""

    version: AssetVersion
    threads: list[list[ThreadItem]]
    pages: list[PageView]
    segments: list[CopySegment]
    decisions: list[ReviewerDecision]
    round_label: str
    beyond_budget: bool

    @property
    def comment_count(self) -> int:
        return sum(len(thread) for thread in self.threads)

    @property
    def open_count(self) -> int:
        return sum(1 for thread in self.threads for item in thread if item.comment.resolved_at is None)


@dataclass
class ApprovalPage:
    """A request with its versions, comments and decisions, and the version being looked at."""

    request: ApprovalRequest
    versions: list[VersionView]
    current: VersionView | None
    latest: VersionView | None
    change_requests: list[ChangeRequest]

    @property
    def is_latest(self) -> bool:
        return self.current is not None and self.current is self.latest

    @property
    def read_only(self) -> bool:
        """Earlier versions are shown as they were: no replies or resolving there."""
        return not self.is_latest


def _threads(comments: list[Comment]) -> tuple[list[list[ThreadItem]], dict[int, int]]:
    """Threads in order, each a top-level comment followed by its replies (depth-first), and the numbers."""
    children: dict[int | None, list[Comment]] = defaultdict(list)
    known = {c.pk for c in comments}
    for comment in comments:
        # A reply whose parent is not on this version (or not visible) starts its own thread.
        parent = comment.parent_id if comment.parent_id in known else None
        children[parent].append(comment)
    numbers: dict[int, int] = {}
    threads: list[list[ThreadItem]] = []

    def walk(comment: Comment, depth: int, thread: list[ThreadItem]) -> None:
        thread.append(ThreadItem(comment=comment, depth=depth, number=numbers.get(comment.pk)))
        for reply in children.get(comment.pk, []):
            walk(reply, depth + 1, thread)

    for index, top in enumerate(children[None], start=1):
        numbers[top.pk] = index
        thread: list[ThreadItem] = []
        walk(top, 0, thread)
        threads.append(thread)
    return threads, numbers


def copy_segments(text: str, passages: list[tuple[int, int, int]]) -> list[CopySegment]:
    """Split copy at every passage boundary so overlapping passages each keep their numbers.

    ``passages`` are (number, start, end) offsets into ``text``; out-of-range ones are ignored.
    """
    valid = [(n, s, e) for n, s, e in passages if 0 <= s < e <= len(text)]
    cuts = sorted({0, len(text), *(s for _, s, _ in valid), *(e for _, _, e in valid)})
    segments = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        numbers = sorted(n for n, s, e in valid if s <= start and end <= e)
        segments.append(CopySegment(text=text[start:end], numbers=numbers))
    return segments


def _version_view(
    version: AssetVersion, comments: list[Comment], decisions: list[ReviewerDecision], included: int
) -> VersionView:
    threads, numbers = _threads(comments)
    pinned = [c for c in comments if c.is_pinned and c.pk in numbers]
    pages: list[PageView] = []
    if version.kind == VersionKind.IMAGE:
        preview = next(iter(version.pages.all()), None)  # a large image's bounded preview, when rendered
        pages.append(
            PageView(
                number=1,
                width=preview.width if preview else version.width or 1000,
                height=preview.height if preview else version.height or 1000,
                pins=[(numbers[c.pk], c.pin_x, c.pin_y) for c in pinned],
                page=preview,
            )
        )
    elif version.kind == VersionKind.PDF:
        for page in version.pages.all():
            pages.append(
                PageView(
                    number=page.number,
                    width=page.width,
                    height=page.height,
                    pins=[(numbers[c.pk], c.pin_x, c.pin_y) for c in pinned if c.page == page.number],
                    page=page,
                )
            )
    segments: list[CopySegment] = []
    if version.kind == VersionKind.TEXT:
        passages = [
            (numbers[c.pk], c.quote_start, c.quote_end)
            for c in comments
            if c.pk in numbers and c.quote_start is not None and c.quote_end is not None
        ]
        segments = copy_segments(version.text, passages)
    return VersionView(
        version=version,
        threads=threads,
        pages=pages,
        segments=segments,
        decisions=decisions,
        round_label=round_label(version.number, included),
        beyond_budget=is_beyond_budget(version.number, included),
    )


def approval_page(request: ApprovalRequest, *, version_number: int | None = None) -> ApprovalPage:
    """Everything a request's page shows (staff: internal comments included), in a fixed number of queries."""
    versions = list(
        request.versions.select_related("uploaded_by__user").prefetch_related(
            Prefetch("pages", queryset=VersionPage.objects.order_by("number"))
        )
    )
    comments = list(
        request.comments.select_related(
            "author", "author_contact__client", "author_membership__user", "resolved_by__user"
        ).order_by("created_at", "pk")
    )
    decisions = list(request.decisions.select_related("contact").order_by("decided_at", "pk"))
    by_version: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments:
        by_version[comment.version_id].append(comment)
    decided: dict[int, list[ReviewerDecision]] = defaultdict(list)
    for decision in decisions:
        decided[decision.version_id].append(decision)
    included = request.project.revision_rounds_included
    views = [_version_view(v, by_version[v.pk], decided[v.pk], included) for v in versions]
    latest = views[-1] if views else None
    current = next((v for v in views if v.version.number == version_number), latest)
    now = timezone.now()
    _decorate_due(request, request.agency, now)
    change_requests = list(
        ChangeRequest.objects.filter(approval_request=request)
        .select_related("decision")
        .order_by("-created_at")
    )
    return ApprovalPage(
        request=request, versions=views, current=current, latest=latest, change_requests=change_requests
    )


# --------------------------------------------------------------------------- comparing versions


@dataclass
class DiffLine:
    """One line of a copy diff: "same", "added" or "removed"."""

    op: str
    text: str


def copy_diff(before: str, after: str) -> list[DiffLine]:
    """A line diff of two copy versions (difflib), for <ins>/<del> rendering."""
    old, new = before.splitlines(), after.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", line) for line in old[i1:i2])
            continue
        lines.extend(DiffLine("removed", line) for line in old[i1:i2])
        lines.extend(DiffLine("added", line) for line in new[j1:j2])
    return lines


# --------------------------------------------------------------------------- the decision log


def _log_entries(agency_id: int, client_id: int | None) -> QuerySet[DecisionLogEntry]:
    entries = (
        DecisionLogEntry.objects.filter(agency_id=agency_id)
        .select_related(
            "client", "project", "approval_request", "version", "comment__version", "recorded_by__user"
        )
        .annotate(
            number=Window(
                RowNumber(), partition_by=[F("client_id")], order_by=[F("recorded_at").asc(), F("pk").asc()]
            )
        )
        .order_by("-decided_on", "-recorded_at", "-pk")
    )
    return entries.filter(client_id=client_id) if client_id else entries


def decision_log_entries(agency: Agency, *, client: Client | None = None) -> QuerySet[DecisionLogEntry]:
    """Log entries newest first, each with ``number``: its place in its client's log (#1 came first).

    The log is append-only, so the numbers never change.
    """
    return _log_entries(agency.pk, client.pk if client else None)


def decision_log_for_client(client: Client) -> list[DecisionLogEntry]:
    """A client's whole log, newest first, with ``corrects_number`` and ``corrected_by_numbers`` (1 query)."""
    entries = list(_log_entries(client.agency_id, client.pk))
    number_of = {e.pk: e.number for e in entries}
    corrected_by: dict[int, list[int]] = defaultdict(list)
    for entry in entries:
        if entry.corrects_id:
            corrected_by[entry.corrects_id].append(entry.number)
    for entry in entries:
        entry.corrects_number = number_of.get(entry.corrects_id)  # type: ignore[attr-defined]
        entry.corrected_by_numbers = sorted(corrected_by.get(entry.pk, []))  # type: ignore[attr-defined]
    return entries


# --------------------------------------------------------------------------- change requests

CHANGE_STATUS_FILTERS = [
    ("", "Any status"),
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]


def _change_request_rows() -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.select_related(
        "project",
        "client",
        "approval_request",
        "requested_by_contact",
        "requested_by_membership__user",
        "decision__decided_by_membership__user",
        "decision__decided_by_contact",
        "affected_task",
    )


def change_request_status(change_request: ChangeRequest) -> str:
    """pending, approved or rejected, from its (one) decision row."""
    decision = getattr(change_request, "decision", None)
    return decision.verdict if decision is not None else "pending"


def change_requests_for_list(agency: Agency, *, status: str = "") -> list[ChangeRequest]:
    """The agency's change requests newest first, each with ``status`` (pending / approved / rejected)."""
    rows = _change_request_rows().filter(agency=agency).order_by("-created_at", "-pk")
    if status == "pending":
        rows = rows.filter(decision__isnull=True)
    elif status in ("approved", "rejected"):
        rows = rows.filter(decision__verdict=status)
    result = list(rows)
    for row in result:
        row.status = change_request_status(row)  # type: ignore[attr-defined]
    return result


def change_request_for_page() -> QuerySet[ChangeRequest]:
    """Change requests with what their page shows (look one up with get_object_or_404)."""
    return _change_request_rows()


def change_request_deadline_moves(change_request: ChangeRequest) -> list[DeadlineChange]:
    """The due-date moves an approved change request caused (its own task and the ones that moved with it)."""
    return list(
        DeadlineChange.objects.filter(source_reference=f"change-request:{change_request.pk}")
        .select_related("task")
        .order_by("new_due", "pk")
    )


# --------------------------------------------------------------------------- notifications

NOTIFICATION_LIMIT = 200
REQUEST_TARGET = ApprovalRequest._meta.label_lower


def notifications_for_list(agency: Agency) -> list[Notification]:
    """The newest notifications the app sent for this agency, each with the approval request it is about."""
    notifications = list(
        Notification.objects.filter(agency=agency).order_by("-created_at", "-pk")[:NOTIFICATION_LIMIT]
    )
    request_ids = {n.target_id for n in notifications if n.target_type == REQUEST_TARGET}
    requests = ApprovalRequest.objects.in_bulk(request_ids) if request_ids else {}
    for n in notifications:
        n.approval_request = requests.get(n.target_id) if n.target_type == REQUEST_TARGET else None
    return notifications
