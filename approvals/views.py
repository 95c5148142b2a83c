"""The agency's approval pages: the list, a new request, a request's page and its actions, comparing
versions, the stored files, the decision log and its exports, change requests and notifications.

Every page runs under ``@agency_view``: objects are looked up through the tenant-scoped managers, so
another agency's request, version, comment, entry or change request is a 404 like a missing one.
Anyone in the agency may look and comment; owners and coordinators make every other change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencyops import files
from agencyops.inbound.selectors import inbound_address_live
from agencyops.models import Client
from agencyops.tenancy import agency_view
from approvals import exports, services
from approvals.forms import (
    ApprovalCreateForm,
    ApprovalFilterForm,
    ChangeRequestDecideForm,
    ChangeRequestFilterForm,
    CommentForm,
    DecisionEntryForm,
    FeedbackCaptureForm,
    RevisionForm,
    SendForm,
    VersionForm,
)
from approvals.inbound import REQUEST_TARGET, inbox_origins_mark
from approvals.models import (
    ApprovalRequest,
    ApprovalStatus,
    AssetVersion,
    Comment,
    VersionKind,
    VersionPage,
)
from approvals.permissions import (
    can_add_version,
    can_decide_change_request,
    can_manage_approvals,
    can_request_revision,
    can_send_approval,
    can_sign_off_approval,
)
from approvals.selectors import (
    agency_has_approvals,
    approval_for_page,
    approval_page,
    approvals_for_list,
    change_request_deadline_moves,
    change_request_for_page,
    change_request_status,
    change_requests_for_list,
    copy_diff,
    decision_log_for_client,
    notifications_for_list,
)
from projects.models import Project

APPROVED_STATUSES = (ApprovalStatus.APPROVED, ApprovalStatus.APPROVED_WITH_CHANGES)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _posted(request: HttpRequest) -> Any:
    # An empty POST still binds the form, so a submit with nothing filled in shows its errors.
    return request.POST if request.method == "POST" else None


def _request_or_404(request_id: int) -> ApprovalRequest:
    # Inside the tenant scope another agency's request is simply not there: a 404 like a missing one.
    return get_object_or_404(approval_for_page(), pk=request_id)


def _detail_url(approval: ApprovalRequest, *, version: int | None = None, anchor: str = "") -> str:
    url = reverse("approval_detail", kwargs={"agency_slug": approval.agency.slug, "request_id": approval.pk})
    if version is not None:
        url += f"?v={version}"
    return url + (f"#{anchor}" if anchor else "")


def _template(request: HttpRequest, name: str, partial: str, wants_partial: bool) -> str:
    return f"{name}#{partial}" if request.htmx and wants_partial else name


# --------------------------------------------------------------------------- the list


@agency_view
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def approval_list(request: HttpRequest) -> HttpResponse:
    """Every approval request: who decides, by when, which round; filtered by status, client and project."""
    filter_form = ApprovalFilterForm(request.GET or None, agency=request.agency)
    filters = filter_form.filters()
    approvals = approvals_for_list(request.agency, **filters)
    filtered = any(filters.values())
    return TemplateResponse(
        request,
        _template(request, "approvals/approval_list.html", "approval-table", True),
        {
            "filter_form": filter_form,
            "approvals": approvals,
            "filtered": filtered,
            "has_any": bool(approvals) or (filtered and agency_has_approvals(request.agency)),
            "can_manage": can_manage_approvals(request.membership),
        },
    )


# --------------------------------------------------------------------------- a new request


def _project_or_none(value: Any) -> Project | None:
    pk = _int(value)
    return Project.objects.select_related("client").filter(pk=pk).first() if pk else None


@agency_view(permission=can_manage_approvals)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def approval_create(request: HttpRequest) -> HttpResponse:
    """Prepare a request: project, approver, scopes, due time, terms, gated task and the first version.

    Choosing another project reloads the approver and task pickers (htmx asks this view with ?project=).
    """
    if request.method == "POST":
        project = _project_or_none(request.POST.get("project"))
        form = ApprovalCreateForm(request.POST, request.FILES, agency=request.agency, project=project)
        if form.is_valid():
            approval = form.save(actor=request.membership)
            if approval is not None:
                messages.success(
                    request,
                    f"“{approval.title}” is ready with its first version. Check it, then send it to "
                    f"{approval.final_approver.full_name}.",
                )
                return redirect(_detail_url(approval))
    else:
        project = _project_or_none(request.GET.get("project"))
        form = ApprovalCreateForm(agency=request.agency, project=project)
    form.fields["project"].widget.attrs.update(
        {
            "hx-get": reverse("approval_create", kwargs={"agency_slug": request.agency.slug}),
            "hx-target": "#project-fields",
            "hx-swap": "outerHTML",
            "hx-trigger": "change",
        }
    )
    wants_partial = request.method != "POST" and "project" in request.GET
    return TemplateResponse(
        request,
        _template(request, "approvals/approval_create.html", "project-fields", wants_partial),
        {"form": form, "project": project},
    )


# --------------------------------------------------------------------------- a request's page


@agency_view
@require_http_methods(["GET", "HEAD"])
def approval_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """A request: the four things it states, its versions (pins, highlights), comments, decisions, actions."""
    approval = _request_or_404(request_id)
    page = approval_page(approval, version_number=_int(request.GET.get("v")))
    membership = request.membership
    can_manage = can_manage_approvals(membership, approval)
    latest = page.latest.version if page.latest else None
    can_send = can_send_approval(membership, approval, latest)
    send_check = None
    if can_send:
        send_check = services.approval_send_check(approval)
    if can_manage:
        inbox_origins_mark(page.versions)
    return TemplateResponse(
        request,
        "approvals/approval_detail.html",
        {
            "approval": approval,
            "page": page,
            "can_manage": can_manage,
            "can_send": can_send,
            "send_check": send_check,
            "can_add_version": can_add_version(membership, approval, latest),
            "can_signoff": can_sign_off_approval(membership, approval),
            "can_request_revision": can_request_revision(membership, approval),
            "comment_form": CommentForm(request=approval),
            "capture_form": FeedbackCaptureForm(request=approval) if can_manage else None,
            "version_form": VersionForm() if can_add_version else None,
            "revision_form": RevisionForm() if can_request_revision(membership, approval) else None,
            "inbound_address": inbound_address_live(approval.client, target=REQUEST_TARGET, target_id=approval.pk)
            if can_manage
            else None,
            "site_url": settings.SITE_URL,
        },
    )


@agency_view(permission=can_manage_approvals)
@require_http_methods(["GET", "HEAD", "POST"])
def approval_send(request: HttpRequest, request_id: int) -> HttpResponse:
    """Confirm, then send the current version; a round beyond the project's budget must be accepted first."""
    approval = _request_or_404(request_id)
    try:
        check = services.approval_send_check(approval)
    except ValidationError:
        check = None
    form = SendForm(_posted(request))
    if request.method == "POST" and check is not None and form.is_valid():
        sent = form.save(actor=request.membership, request=approval)
        if sent is not None:
            if sent.status == ApprovalStatus.AWAITING_INTERNAL:
                messages.success(
                    request,
                    f"Sent to {approval.internal_approver.user.full_name} for internal sign-off first; "
                    f"it goes to {approval.final_approver.full_name} once signed off.",
                )
            else:
                messages.success(
                    request,
                    f"Sent to {approval.final_approver.full_name}: a decision is due "
                    f"{services.format_moment(approval.due_at, approval.agency)}.",
                )
            return redirect(_detail_url(approval))
    return TemplateResponse(
        request,
        "approvals/approval_send.html",
        {
            "approval": approval,
            "check": check,
            "form": form,
            "due_label": services.format_moment(approval.due_at, approval.agency),
            "already_sent": check is not None and check.version.sent_at is not None,
            "needs_signoff": bool(approval.internal_approver_id and approval.internal_signed_off_at is None),
        },
    )


@agency_view
@require_POST
def approval_signoff(request: HttpRequest, request_id: int) -> HttpResponse:
    """The internal approver (or an owner) signs the work off; it then goes to the client."""
    approval = _request_or_404(request_id)
    try:
        services.approval_internal_signoff(actor=request.membership, request=approval)
    except ValidationError as error:
        if getattr(error, "code", None) == "forbidden":
            raise PermissionDenied(" ".join(error.messages)) from None
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Signed off and sent to {approval.final_approver.full_name}.")
    return redirect(_detail_url(approval))


@agency_view(permission=can_manage_approvals)
@require_http_methods(["GET", "HEAD", "POST"])
def version_create(request: HttpRequest, request_id: int) -> HttpResponse:
    """Upload the next version (a new round); earlier versions stay, read-only."""
    approval = _request_or_404(request_id)
    form = VersionForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        version = form.save(actor=request.membership, request=approval)
        if version is not None:
            messages.success(
                request,
                f"Version {version.number} added. Check it, then send it to "
                f"{approval.final_approver.full_name}.",
            )
            return redirect(_detail_url(approval, version=version.number))
    return TemplateResponse(request, "approvals/version_form.html", {"approval": approval, "form": form})


@agency_view
@require_http_methods(["GET", "HEAD"])
def version_compare(request: HttpRequest, request_id: int) -> HttpResponse:
    """Two versions side by side: pages with their pins, or a line diff of the copy."""
    approval = _request_or_404(request_id)
    page = approval_page(approval)
    by_number = {v.version.number: v for v in page.versions}
    if len(by_number) < 2:
        messages.info(request, "There is only one version so far: nothing to compare yet.")
        return redirect(_detail_url(approval))
    numbers = sorted(by_number)
    b = _int(request.GET.get("b"))
    b = b if b in by_number else numbers[-1]
    a = _int(request.GET.get("a"))
    if a not in by_number or a == b:
        a = max((n for n in numbers if n < b), default=numbers[0] if numbers[0] != b else numbers[1])
    left, right = by_number[a], by_number[b]
    diff = None
    if left.version.kind == VersionKind.TEXT and right.version.kind == VersionKind.TEXT:
        diff = copy_diff(left.version.text, right.version.text)
    return TemplateResponse(
        request,
        "approvals/version_compare.html",
        {
            "approval": approval,
            "left": left,
            "right": right,
            "compare_pair": [left, right],
            "diff": diff,
            "numbers": numbers,
        },
    )


# --------------------------------------------------------------------------- comments and feedback


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def comment_create(request: HttpRequest, request_id: int) -> HttpResponse:
    """A comment or reply from anyone on the team; internal ones never reach the client."""
    approval = _request_or_404(request_id)
    if request.method == "POST":
        form = CommentForm(request.POST, request=approval)
        if form.is_valid():
            comment = form.save(membership=request.membership)
            if comment is not None:
                messages.success(
                    request, "Internal comment added." if comment.is_internal else "Comment added."
                )
                return redirect(
                    _detail_url(approval, version=comment.version.number, anchor=f"comment-{comment.pk}")
                )
    else:
        form = CommentForm(request=approval, initial={"parent": _int(request.GET.get("parent"))})
    parent = form.fields["parent"].queryset.filter(pk=_int(form["parent"].value())).first()
    return TemplateResponse(
        request, "approvals/comment_form.html", {"approval": approval, "form": form, "parent": parent}
    )


@agency_view
@require_POST
def comment_resolve(request: HttpRequest, request_id: int, comment_id: int) -> HttpResponse:
    """Mark a comment dealt with, or reopen it."""
    approval = _request_or_404(request_id)
    comment = get_object_or_404(Comment.objects.select_related("version"), pk=comment_id, request=approval)
    resolved = request.POST.get("resolved", "1") != "0"
    services.comment_resolve(actor=request.membership, comment=comment, resolved=resolved)
    messages.success(request, "Comment resolved." if resolved else "Comment reopened.")
    return redirect(_detail_url(approval, version=comment.version.number, anchor=f"comment-{comment.pk}"))


@agency_view(permission=can_manage_approvals)
@require_http_methods(["GET", "HEAD", "POST"])
def feedback_capture(request: HttpRequest, request_id: int) -> HttpResponse:
    """Log feedback that arrived by email, call, meeting or chat into the request's thread."""
    approval = _request_or_404(request_id)
    form = FeedbackCaptureForm(_posted(request), request=approval)
    if request.method == "POST" and form.is_valid():
        comment = form.save(actor=request.membership)
        if comment is not None:
            messages.success(request, f"Feedback from {comment.said_by} captured in the thread.")
            return redirect(
                _detail_url(approval, version=comment.version.number, anchor=f"comment-{comment.pk}")
            )
    return TemplateResponse(request, "approvals/feedback_form.html", {"approval": approval, "form": form})


@agency_view(permission=can_manage_approvals)
@require_http_methods(["GET", "HEAD", "POST"])
def approval_revision(request: HttpRequest, request_id: int) -> HttpResponse:
    """The client asked to revise approved work: record it as a change request citing the approval."""
    approval = _request_or_404(request_id)
    form = RevisionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        change = form.save(actor=request.membership, request=approval)
        if change is not None:
            messages.success(
                request,
                "Change request recorded. Work restarts once it is approved, with its impact on the plan.",
            )
            return redirect(
                "change_request_detail", agency_slug=request.agency.slug, change_request_id=change.pk
            )
    return TemplateResponse(request, "approvals/revision_form.html", {"approval": approval, "form": form})


# --------------------------------------------------------------------------- stored files


@agency_view
@require_http_methods(["GET", "HEAD"])
def version_file(request: HttpRequest, version_id: int) -> FileResponse:
    """The uploaded file of an image or PDF version, after the tenant check."""
    version = get_object_or_404(AssetVersion, pk=version_id)
    if not version.file:
        raise Http404("This version is copy, not a file.")
    return files.stream(version.file, filename=version.original_name or f"version-{version.number}")


@agency_view
@require_http_methods(["GET", "HEAD"])
def version_page(request: HttpRequest, version_id: int, page: int) -> FileResponse:
    """One rendered page of a PDF version, as a PNG, after the tenant check."""
    rendered = get_object_or_404(VersionPage, version_id=version_id, number=page)
    return files.stream(rendered.image, filename=f"version-{version_id}-page-{page}.png")


# --------------------------------------------------------------------------- the decision log


def _client_or_404(client_id: int) -> Client:
    return get_object_or_404(Client, pk=client_id)


@agency_view
@require_http_methods(["GET", "HEAD"])
def decision_log(request: HttpRequest, client_id: int) -> HttpResponse:
    """A client's decisions, newest first: what, who, when, on what, with what impact, and from where."""
    client = _client_or_404(client_id)
    entries = decision_log_for_client(client)
    for entry in entries:
        entry.source_url = exports.source_link(entry, request.agency.slug)  # type: ignore[attr-defined]
    create_url = reverse("decision_create", kwargs={"agency_slug": request.agency.slug})
    return TemplateResponse(
        request,
        "approvals/decision_log.html",
        {
            "client": client,
            "entries": entries,
            "can_manage": can_manage_approvals(request.membership),
            "create_url": f"{create_url}?client={client.pk}",
        },
    )


@agency_view
@require_http_methods(["GET", "HEAD"])
def decision_log_csv(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's log as CSV: a header row, then one row per entry."""
    client = _client_or_404(client_id)
    body = exports.decision_log_csv(decision_log_for_client(client), agency_slug=request.agency.slug)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(client.slug or client.name)}-decision-log.csv"'
    )
    return response


@agency_view
@require_http_methods(["GET", "HEAD"])
def decision_log_pdf(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's log as a PDF table with the agency, the client and the export date."""
    client = _client_or_404(client_id)
    pdf = exports.decision_log_pdf(
        decision_log_for_client(client),
        agency=request.agency,
        client=client,
        exported_at=timezone.now(),
        exported_by=request.user.full_name or request.user.email,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(client.slug or client.name)}-decision-log.pdf"'
    )
    return response


@agency_view(permission=can_manage_approvals)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def decision_create(request: HttpRequest) -> HttpResponse:
    """Record a decision taken outside a request, or correct an entry (corrections are new entries)."""
    source = request.POST if request.method == "POST" else request.GET
    client_id = _int(source.get("client"))
    client = Client.objects.filter(pk=client_id).first() if client_id else None
    form = DecisionEntryForm(_posted(request), agency=request.agency, client=client)
    if request.method == "POST" and form.is_valid():
        entry = form.save(actor=request.membership)
        if entry is not None:
            messages.success(request, f"Decision recorded in {entry.client.name}'s log.")
            return redirect("decision_log", agency_slug=request.agency.slug, client_id=entry.client_id)
    if client is not None and request.method != "POST":
        corrects = _int(request.GET.get("corrects"))
        if corrects:
            form.initial["corrects"] = corrects
    form.fields["client"].widget.attrs.update(
        {
            "hx-get": reverse("decision_create", kwargs={"agency_slug": request.agency.slug}),
            "hx-target": "#client-fields",
            "hx-swap": "outerHTML",
            "hx-trigger": "change",
        }
    )
    wants_partial = request.method != "POST" and "client" in request.GET
    return TemplateResponse(
        request,
        _template(request, "approvals/decision_form.html", "client-fields", wants_partial),
        {"form": form, "client": client},
    )


# --------------------------------------------------------------------------- change requests


@agency_view
@require_http_methods(["GET", "HEAD"])
def change_request_list(request: HttpRequest) -> HttpResponse:
    """Change requests: what, citing which decision, their impact on launch and budget, and their status."""
    filter_form = ChangeRequestFilterForm(request.GET or None)
    status = filter_form.status_filter()
    return TemplateResponse(
        request,
        "approvals/change_request_list.html",
        {
            "filter_form": filter_form,
            "status": status,
            "change_requests": change_requests_for_list(request.agency, status=status),
        },
    )


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def change_request_detail(request: HttpRequest, change_request_id: int) -> HttpResponse:
    """One change request; owners and coordinators approve (the plan shifts) or reject it."""
    change = get_object_or_404(change_request_for_page(), pk=change_request_id)
    can_decide = can_decide_change_request(request.membership)
    form = ChangeRequestDecideForm(_posted(request))
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied("Only owners and coordinators decide change requests.")
        if form.is_valid():
            decision = form.save(actor=request.membership, change_request=change)
            if decision is not None:
                if decision.verdict == "approved":
                    messages.success(
                        request, "Change request approved: the plan has moved and the log records it."
                    )
                else:
                    messages.success(request, "Change request rejected: nothing moves.")
                return redirect(
                    "change_request_detail", agency_slug=request.agency.slug, change_request_id=change.pk
                )
    status = change_request_status(change)
    return TemplateResponse(
        request,
        "approvals/change_request_detail.html",
        {
            "change": change,
            "status": status,
            "form": form,
            "can_decide": can_decide and status == "pending",
            "moves": change_request_deadline_moves(change) if status == "approved" else [],
        },
    )


# --------------------------------------------------------------------------- notifications


@agency_view
@require_http_methods(["GET", "HEAD"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """The mails the app sent for this agency, newest first."""
    return TemplateResponse(
        request, "approvals/notification_list.html", {"notifications": notifications_for_list(request.agency)}
    )
