"""Weekly report pages: definitions and issues for staff (with failures, reasons and retry), Reports in the portal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from agencyops.models import ClientContact
from agencyops.permissions import can_lead_work
from agencyops.tenancy import agency_view, portal_view
from reporting import report_selectors
from reporting.forms import WEEKDAYS, ReportDefinitionForm
from reporting.models import IssueState, ReportIssue
from reporting.services import reports as report_services


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    """Scheduled reports per client and every issue with its state; failures show their reason and a retry.
    A recipient who is not the client's contact or on the team is a form error; nothing is scheduled."""
    form = ReportDefinitionForm(request.POST if request.method == "POST" else None, agency=request.agency)
    if request.method == "POST":
        if not can_lead_work(request.membership):
            raise Http404("No such page.")
        if form.is_valid():
            data = form.cleaned_data
            contacts = list(data["contacts"])
            if data["send_to_contacts"]:
                contacts += ClientContact.objects.filter(client=data["client"], is_active=True).exclude(
                    pk__in=[c.pk for c in contacts]
                )
            try:
                report_services.report_definition_create(
                    actor=request.membership,
                    client=data["client"],
                    sections=data["sections"],
                    weekday=data["weekday"],
                    send_at=data["send_at"],
                    data_lag_days=data["data_lag_days"],
                    contacts=contacts,
                    internal_recipients=list(data["internal_recipients"]),
                )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, messages in errors.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                return redirect("reporting_report_list", request.agency.slug)
    return TemplateResponse(
        request,
        "reporting/report_list.html",
        {
            "definitions": report_selectors.definitions_for_list(request.agency),
            "issues": report_selectors.issues_for_list(request.agency)[:100],
            "form": form,
            "weekdays": list(enumerate(WEEKDAYS)),
            "can_edit": can_lead_work(request.membership),
            "failed": IssueState.FAILED,
        },
        status=400 if form.errors else 200,
    )


def _issue_or_404(request: HttpRequest, issue_id: int, **filters) -> ReportIssue:
    issue = ReportIssue.objects.filter(agency=request.agency, pk=issue_id, **filters).first()
    if issue is None:
        raise Http404("No such report.")
    return issue


@agency_view(permission=can_lead_work)
@require_POST
def report_issue_retry(request: HttpRequest, issue_id: int) -> HttpResponse:
    """Try a failed report again."""
    issue = _issue_or_404(request, issue_id)
    try:
        report_services.report_issue_retry(actor=request.membership, issue=issue)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    return redirect("reporting_report_list", request.agency.slug)


def _pdf_response(issue: ReportIssue) -> HttpResponse:
    if not issue.pdf:
        raise Http404("This report has no PDF yet.")
    return FileResponse(
        issue.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=f"{issue.client.slug}-{issue.period_start:%Y-%m-%d}.pdf",
    )


@agency_view
@require_http_methods(["GET", "HEAD"])
def report_issue_pdf(request: HttpRequest, issue_id: int) -> HttpResponse:
    return _pdf_response(_issue_or_404(request, issue_id))


@portal_view
@require_http_methods(["GET", "HEAD"])
def portal_report_list(request: HttpRequest) -> HttpResponse:
    """Reports: every issue sent to the client, each with its PDF."""
    contact = request.contact
    return TemplateResponse(
        request,
        "reporting/portal_reports.html",
        {
            "issues": report_selectors.issues_for_list(request.agency, client=contact.client, sent_only=True),
            "client": contact.client,
            "agency": request.agency,
        },
    )


@portal_view
@require_http_methods(["GET", "HEAD"])
def portal_report_pdf(request: HttpRequest, issue_id: int) -> HttpResponse:
    return _pdf_response(
        _issue_or_404(request, issue_id, client=request.contact.client, state=IssueState.SENT)
    )
