"""A member's private calendar feed: the settings page that hands out its link, and the .ics it serves."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_scopes import scope, scopes_disabled

from agencyops.tenancy import agency_view
from projects import services
from projects.ical import CalendarEvent, build_calendar
from projects.models import CalendarFeed
from projects.workload import feed_tasks

# The new token rides in the session from the POST to the page after the redirect, and is shown once.
NEW_TOKEN_SESSION_KEY = "calendar_feed_new_token"


def feed_url(token: str) -> str:
    """The absolute https URL a calendar app subscribes to."""
    return settings.SITE_URL + reverse("calendar_feed", kwargs={"token": token})


def _active_feed(membership) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.filter(membership=membership, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The member's private calendar link: create it (shown once), see since when it is active, revoke it."""
    membership = request.membership
    slug = request.agency.slug
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = services.calendar_feed_create(actor=membership)
            request.session[NEW_TOKEN_SESSION_KEY] = {"token": token, "membership": membership.pk}
            messages.success(
                request, "Your private calendar link is ready. Copy it now: it is shown only once."
            )
        elif action == "revoke":
            feed = _active_feed(membership)
            if feed is not None:
                try:
                    services.calendar_feed_revoke(actor=membership, feed=feed)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                    return redirect("calendar_settings", agency_slug=slug)
                messages.success(
                    request, "Your calendar link is revoked. Calendar apps using it stop updating."
                )
            else:
                messages.info(request, "You have no active calendar link to revoke.")
        else:
            messages.error(request, "Choose to create a new link or to revoke the current one.")
        return redirect("calendar_settings", agency_slug=slug)

    feed = _active_feed(membership)
    new_token = None
    pending = request.session.get(NEW_TOKEN_SESSION_KEY)
    if pending and pending.get("membership") == membership.pk:
        del request.session[NEW_TOKEN_SESSION_KEY]
        # Only the link of the feed that is live now; a token revoked since must not reappear.
        if feed is not None and services.calendar_feed_token_hash(pending["token"]) == feed.token_hash:
            new_token = pending["token"]
    url = feed_url(new_token) if new_token else ""
    return TemplateResponse(
        request,
        "projects/calendar_settings.html",
        {
            "feed": feed,
            "new_feed_url": url,
            "new_feed_webcal": url.replace("https://", "webcal://").replace("http://", "webcal://"),
        },
    )


def _person(membership) -> str:
    return membership.user.full_name or membership.user.email


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics of one member's open tasks; no login (calendar apps fetch it), the token is the key."""
    # The token is the only credential: look it up across agencies, then work inside its agency alone.
    with scopes_disabled():
        feed = (
            CalendarFeed.objects.select_related("agency", "membership__user")
            .filter(
                token_hash=services.calendar_feed_token_hash(token),
                revoked_at__isnull=True,
                membership__is_active=True,
            )
            .first()
        )
    if feed is None:
        raise Http404("No such calendar.")
    agency = feed.agency
    with scope(agency=feed.agency_id):
        tasks = feed_tasks(feed.membership)
    events = [
        CalendarEvent(
            uid=f"task-{task.pk}@agencyops",
            summary=f"{task.title} — {task.project.name} ({task.project.client.name})",
            day=task.due_date,
            url=settings.SITE_URL + reverse("task_detail", args=[agency.slug, task.pk]),
            description=(
                f"{task.get_status_display()} · {task.project.name} for {task.project.client.name}"
                f" · committed launch {task.project.launch_date:%a %-d %b %Y}"
            ),
        )
        for task in tasks
    ]
    body = build_calendar(events, name=f"{agency.name}: {_person(feed.membership)}", stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    # A secret URL: never store it in a shared cache, never leak it as a referrer.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# Not an agency page: the tenant comes from the secret token, not from an agency slug in the URL.
calendar_feed.tenant_policy = "feed-token"  # type: ignore[attr-defined]
