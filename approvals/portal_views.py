"""The client portal's approval pages: one request as the client sees it, comments, decisions, files, the log.

Every view resolves what it shows through the contact's own client (approvals.portal_selectors), inside
the tenant scope @portal_view activates: another client's request, of this agency or any other, is a 404
exactly like a missing one. Action URLs answer a GET by sending the browser back to the request's page,
after the same lookup, so they leak nothing either.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from agencyops import files
from agencyops.tenancy import portal_view
from approvals import exports
from approvals.models import ApprovalRequest, ChangeRequestVerdict, Verdict, VersionKind
from approvals.portal_forms import (
    PortalAdviceForm,
    PortalChangeRequestDecisionForm,
    PortalCommentForm,
    PortalDecisionForm,
    PortalRevisionForm,
)
from approvals.portal_selectors import (
    day_label,
    local_date,
    portal_approval_page,
    portal_change_request_or_404,
    portal_current_version,
    portal_decision_log_page,
    portal_request_or_404,
    portal_version_or_404,
    portal_version_page_or_404,
)
from approvals.selectors import decision_log_for_client

# Read-only pages look their object up before checking the method, so a POST for another client's
# object is the same 404 as a GET: no answer depends on whether the object exists elsewhere.
READ_METHODS = ["GET", "HEAD"]
DECISION_MESSAGES = {
    Verdict.APPROVE: "Approved. {agency} has been told and the work moves on.",
    Verdict.APPROVE_WITH_CHANGES: "Approved with your changes. {agency} has been told and makes them next.",
    Verdict.REQUEST_CHANGES: "Changes requested. {agency} has been told and will send you a new version.",
}


def _approval_url(request: HttpRequest, approval: ApprovalRequest, *, anchor: str = "") -> str:
    url = reverse("portal_approval", kwargs={"agency_slug": request.agency.slug, "request_id": approval.pk})
    return url + (f"#{anchor}" if anchor else "")


def _version_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("version", "")
    return int(raw) if raw.isdigit() else None


def _render_approval(
    request: HttpRequest,
    approval: ApprovalRequest,
    *,
    version_number: int | None = None,
    partial: str = "",
    **forms: Any,
) -> TemplateResponse:
    """The approval page (or one of its partials) with fresh forms unless bound ones are passed in."""
    contact = request.contact
    page = portal_approval_page(contact, approval, version_number=version_number)
    context: dict[str, Any] = {
        "contact": contact,
        "client": contact.client,
        "agency": request.agency,
        "page": page,
        "approval": approval,
        "comment_added": forms.pop("comment_added", False),
    }
    if page.can_comment:
        context["comment_form"] = forms.get("comment_form") or PortalCommentForm(version=page.current)
    if page.can_decide:
        if page.is_final_approver:
            context["decision_form"] = forms.get("decision_form") or PortalDecisionForm()
        elif page.my_advice is None:
            context["advice_form"] = forms.get("advice_form") or PortalAdviceForm()
    if page.is_approved and page.is_current:
        context["revision_form"] = forms.get("revision_form") or PortalRevisionForm()
    template = "portal/approval.html" + (f"#{partial}" if partial else "")
    return TemplateResponse(request, template, context)


@portal_view
def portal_approval(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request as the client sees it: the four questions, sent versions, pins, thread and decision."""
    approval = portal_request_or_404(request.contact, request_id)
    if request.method not in READ_METHODS:
        return HttpResponseNotAllowed(READ_METHODS)
    return _render_approval(request, approval, version_number=_version_number(request))


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def portal_comment_create(request: HttpRequest, request_id: int) -> HttpResponse:
    """Comment on the current version (pinned, on a passage, or general); htmx gets the review panel."""
    approval = portal_request_or_404(request.contact, request_id)
    if request.method != "POST":
        return redirect(_approval_url(request, approval, anchor="comments"))
    if approval.is_closed:
        # Approved work is revised through a change request, not reopened by a comment.
        messages.error(
            request, "This work is closed to comments. To change approved work, ask for a revision."
        )
        if request.htmx:  # a stale page: reload it whole rather than swap a page into the panel
            return HttpResponseClientRedirect(_approval_url(request, approval))
        return redirect(_approval_url(request, approval))
    version = portal_current_version(approval)
    if version is None:  # only requests with a sent version reach the portal
        raise Http404("No such approval request.")
    form = PortalCommentForm(request.POST, version=version)
    comment = form.save(contact=request.contact, approval=approval) if form.is_valid() else None
    partial = "review" if request.htmx else ""
    if comment is None:
        return _render_approval(request, approval, partial=partial, comment_form=form)
    if request.htmx:
        return _render_approval(request, approval, partial=partial, comment_added=True)
    messages.success(request, "Your comment is added. The agency sees it straight away.")
    return redirect(_approval_url(request, approval, anchor=f"comment-{comment.pk}"))


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def portal_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """The final approver approves, approves with changes, or requests changes on the current round."""
    approval = portal_request_or_404(request.contact, request_id)
    if request.method != "POST":
        return redirect(_approval_url(request, approval, anchor="decision"))
    form = PortalDecisionForm(request.POST)
    decision = form.save(contact=request.contact, approval=approval) if form.is_valid() else None
    if decision is None:
        if form.refusal is not None:
            messages.error(request, form.refusal_message)
            return redirect(_approval_url(request, approval, anchor="decision"))
        return _render_approval(request, approval, decision_form=form)
    messages.success(request, DECISION_MESSAGES[Verdict(decision.verdict)].format(agency=request.agency.name))
    return redirect(_approval_url(request, approval, anchor="decision"))


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def portal_advise(request: HttpRequest, request_id: int) -> HttpResponse:
    """A contact who is not the final approver records an advisory verdict on the current round."""
    approval = portal_request_or_404(request.contact, request_id)
    if request.method != "POST":
        return redirect(_approval_url(request, approval, anchor="decision"))
    form = PortalAdviceForm(request.POST)
    advice = form.save(contact=request.contact, approval=approval) if form.is_valid() else None
    if advice is None:
        if form.refusal is not None:
            messages.error(request, form.refusal_message)
            return redirect(_approval_url(request, approval, anchor="decision"))
        return _render_approval(request, approval, advice_form=form)
    messages.success(
        request,
        f"Your advice is recorded. {approval.final_approver.full_name}, the final approver, "
        "makes the decision.",
    )
    return redirect(_approval_url(request, approval, anchor="decision"))


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def portal_request_revision(request: HttpRequest, request_id: int) -> HttpResponse:
    """Ask to revise approved work: it becomes a change request citing the approval."""
    approval = portal_request_or_404(request.contact, request_id)
    if request.method != "POST":
        return redirect(_approval_url(request, approval, anchor="revision"))
    form = PortalRevisionForm(request.POST)
    change_request = form.save(contact=request.contact, approval=approval) if form.is_valid() else None
    if change_request is None:
        if form.refusal is not None:
            messages.error(request, form.refusal_message)
            return redirect(_approval_url(request, approval))
        return _render_approval(request, approval, revision_form=form)
    messages.success(request, "Your change request is recorded. Check its timeline and budget impact below.")
    return redirect(
        "portal_change_request", agency_slug=request.agency.slug, change_request_id=change_request.pk
    )


@portal_view
def portal_version_file(request: HttpRequest, version_id: int) -> HttpResponse:
    """Stream a sent version's image (inline) or PDF (as a download) to a contact of its client."""
    version = portal_version_or_404(request.contact, version_id)
    if request.method not in READ_METHODS:
        return HttpResponseNotAllowed(READ_METHODS)
    if version.kind == VersionKind.TEXT or not version.file:
        raise Http404("This version has no file.")
    name = version.original_name or f"version-{version.number}"
    # Images the browser may display; anything else (a PDF) is served as a download.
    inline = version.kind == VersionKind.IMAGE
    return files.stream(version.file, filename=name, as_attachment=not inline, max_age=300)


@portal_view
def portal_version_page(request: HttpRequest, version_id: int, page: int) -> HttpResponse:
    """Stream one rendered PDF page (PNG) of a sent version to a contact of its client."""
    found = portal_version_page_or_404(request.contact, version_id, page)
    if request.method not in READ_METHODS:
        return HttpResponseNotAllowed(READ_METHODS)
    return files.stream(found.image, filename=f"page-{found.number}.png", max_age=300)


@portal_view
@require_http_methods(["GET", "HEAD"])
def portal_decision_log(request: HttpRequest) -> HttpResponse:
    """The client's decision log: what was decided, by whom, when, and its impact. Read-only, newest first."""
    contact = request.contact
    entries = portal_decision_log_page(contact, page=request.GET.get("page"))
    for entry in entries.object_list:
        entry.day_label = day_label(entry.decided_on)
        entry.corrects_label = day_label(entry.corrects.decided_on) if entry.corrects_id else ""
    return TemplateResponse(
        request,
        "portal/decision_log.html",
        {"contact": contact, "client": contact.client, "agency": request.agency, "entries": entries},
    )


@portal_view
@require_http_methods(["GET", "HEAD"])
def portal_decision_log_pdf(request: HttpRequest) -> HttpResponse:
    """The client's own decision log as a PDF, the same document the agency exports for them."""
    contact = request.contact
    pdf = exports.decision_log_pdf(
        decision_log_for_client(contact.client),
        agency=request.agency,
        client=contact.client,
        exported_at=timezone.now(),
        exported_by=contact.full_name,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(contact.client.slug or contact.client.name)
    response["Content-Disposition"] = f'attachment; filename="{name}-decision-log.pdf"'
    return response


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def portal_change_request(request: HttpRequest, change_request_id: int) -> HttpResponse:
    """A change request: the decision it revisits, its timeline and budget impact, and its verdict."""
    contact = request.contact
    change_request = portal_change_request_or_404(contact, change_request_id)
    approval = change_request.approval_request
    decision = getattr(change_request, "decision", None)
    can_decide = decision is None and approval is not None and approval.final_approver_id == contact.pk
    form = PortalChangeRequestDecisionForm(request.POST or None)
    here = reverse(
        "portal_change_request",
        kwargs={"agency_slug": request.agency.slug, "change_request_id": change_request.pk},
    )
    if request.method == "POST":
        if not can_decide:
            messages.error(
                request,
                "This change request has already been decided."
                if decision is not None
                else "Only the final approver can decide this change request.",
            )
            return redirect(here)
        if form.is_valid() and form.save(contact=contact, change_request=change_request) is not None:
            verdict = form.cleaned_data["verdict"]
            messages.success(
                request,
                f"Change request approved. {request.agency.name} can start the work; "
                "the timeline moves as shown."
                if verdict == ChangeRequestVerdict.APPROVED
                else "Change request rejected. The approved work stays as it is.",
            )
            return redirect(here)
    return TemplateResponse(
        request,
        "portal/change_request.html",
        {
            "contact": contact,
            "client": contact.client,
            "agency": request.agency,
            "change_request": change_request,
            "approval": approval,
            "decision": decision,
            "decision_day": day_label(local_date(decision.decided_at, request.agency)) if decision else "",
            "created_day": day_label(local_date(change_request.created_at, request.agency)),
            "can_decide": can_decide,
            "form": form if can_decide else None,
        },
    )
