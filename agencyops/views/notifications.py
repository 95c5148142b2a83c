"""The notification centre (the bell's page), read marks, a person's notification settings, and the
public one-click unsubscribe of digest mails."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencyops.forms.notifications import NotificationPreferencesForm
from agencyops.models import Notification
from agencyops.notifications import services
from agencyops.notifications.kinds import CLIENT_CONTACT, KINDS
from agencyops.notifications.selectors import (
    notification_preferences_for,
    notification_preferences_of,
    notifications_page,
)
from agencyops.notifications.unsubscribe import unsubscribe_read
from agencyops.tenancy import agency_view, portal_view

TOKEN_MAX_LENGTH = 600
# What a client contact can be told about: the rest concerns the agency's team only.
PORTAL_KINDS = ("approval_requested", "approval_due", "report_sent")


def _list_url(request: HttpRequest) -> str:
    url = reverse("my_notifications", kwargs={"agency_slug": request.agency.slug})
    page = request.POST.get("page", "")
    return f"{url}?page={page}" if page.isdigit() else url


@agency_view
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """The caller's notifications in this agency: unread first, grouped by day, 30 a page."""
    page, groups = notifications_page(request.membership, request.GET.get("page"))
    template = "agencyops/notifications.html"
    if request.htmx:
        template += "#centre"
    return TemplateResponse(request, template, {"page": page, "groups": groups})


@agency_view
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the caller's notifications read (someone else's is a 404, like a missing one)."""
    try:
        notification = services.notification_mark_read(
            membership=request.membership, notification_id=notification_id
        )
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    if request.htmx:
        # The row comes back read, and the bell (out of band) with the new count.
        request.membership.unread_notifications = Notification.objects.filter(
            agency=request.agency, recipient_id=request.user.pk, read_at__isnull=True
        ).count()
        return TemplateResponse(
            request, "agencyops/notifications.html#read-row", {"n": notification, "oob_bell": True}
        )
    return redirect(_list_url(request))


@agency_view
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """Mark all of the caller's notifications in this agency read."""
    count = services.notifications_mark_all_read(membership=request.membership)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect(_list_url(request))


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """How the caller wants to hear about each kind of event in this agency."""
    rows = notification_preferences_for(request.membership)
    form = NotificationPreferencesForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_set(
            agency=request.agency, user=request.user, choices=form.changed_choices()
        )
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification_settings", agency_slug=request.agency.slug)
    return TemplateResponse(request, "agencyops/notification_settings.html", {"form": form})


@portal_view
@require_http_methods(["GET", "HEAD", "POST"])
def portal_notification_settings(request: HttpRequest) -> HttpResponse:
    """A client contact's own choice of how to hear about their approvals and reports."""
    rows = [
        row
        for row in notification_preferences_of(
            agency=request.agency, user_id=request.user.pk, role=CLIENT_CONTACT
        )
        if row.kind.key in PORTAL_KINDS
    ]
    form = NotificationPreferencesForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_set(
            agency=request.agency, user=request.user, choices=form.changed_choices()
        )
        messages.success(request, "Your notification settings are saved.")
        return redirect("portal_notification_settings", agency_slug=request.agency.slug)
    contact = request.contact
    return TemplateResponse(
        request,
        "portal/notification_settings.html",
        {"form": form, "contact": contact, "client": contact.client, "agency": request.agency},
    )


def _public(view):
    view.tenant_policy = "public"
    return view


@_public
@csrf_exempt  # RFC 8058: a mail provider posts "List-Unsubscribe=One-Click" with no session; the signature is the key.
@require_http_methods(["GET", "HEAD", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From a digest mail: GET asks to confirm (link checkers must not unsubscribe anyone), POST applies."""
    wanted = unsubscribe_read(token) if len(token) <= TOKEN_MAX_LENGTH else None
    if wanted is None:
        return TemplateResponse(request, "agencyops/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        labels = services.notification_unsubscribe(
            user_id=wanted.user_id, agency_id=wanted.agency_id, kinds=wanted.kinds
        )
        return TemplateResponse(request, "agencyops/unsubscribe.html", {"done": True, "labels": labels})
    labels = [KINDS[k].label for k in wanted.kinds if k in KINDS]
    return TemplateResponse(request, "agencyops/unsubscribe.html", {"labels": labels})
