"""Test data built through the real services, so tests start from states the product can reach."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

from django_scopes import scope, scopes_disabled

from agencyops.models import Agency, Client, ClientContact, Discipline, Membership, Role, User
from agencyops.services import accounts, clients

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


def user_create(*, email: str | None = None, full_name: str = "", password: str = PASSWORD) -> User:
    n = next(_seq)
    with scopes_disabled():
        return User.objects.create_user(
            email=email or f"person{n}@example.test", full_name=full_name or f"Person {n}", password=password
        )


def agency_create(*, name: str = "", slug: str = "", owner_email: str | None = None) -> Membership:
    """A new agency with its owner; returns the owner's membership."""
    n = next(_seq)
    with scopes_disabled():
        return accounts.agency_create(
            name=name or f"Agency {n}",
            slug=slug or f"agency-{n}",
            owner_email=owner_email or f"owner{n}@example.test",
            owner_name=f"Owner {n}",
            owner_password=PASSWORD,
        )


def membership_create(
    *,
    agency: Agency,
    role: str = Role.MEMBER,
    discipline: str = "",
    capacity: Decimal | int = 40,
    email: str | None = None,
    full_name: str = "",
) -> Membership:
    user = user_create(email=email, full_name=full_name)
    with scope(agency=agency.pk):
        return Membership.objects.create(
            agency=agency, user=user, role=role, discipline=discipline, weekly_capacity_hours=capacity
        )


def client_create(*, actor: Membership, name: str = "", **fields) -> Client:
    n = next(_seq)
    with scope(agency=actor.agency_id):
        return clients.client_create(actor=actor, name=name or f"Client {n}", **fields)


def contact_create(
    *, actor: Membership, client: Client, email: str | None = None, with_login: bool = True, **fields
) -> ClientContact:
    """A client contact; with_login gives them a portal account (as if they accepted the invitation)."""
    n = next(_seq)
    email = email or f"contact{n}@client.test"
    with scope(agency=actor.agency_id):
        contact = clients.client_contact_create(
            actor=actor,
            client=client,
            full_name=fields.pop("full_name", f"Contact {n}"),
            email=email,
            **fields,
        )
        if with_login:
            contact.user = user_create(email=email, full_name=contact.full_name)
            contact.save(update_fields=["user"])
    return contact


def team_create(*, agency_name: str = "") -> dict:
    """An agency with an owner, a coordinator, one member per discipline, two clients and a contact each."""
    owner = agency_create(name=agency_name)
    agency = owner.agency
    coordinator = membership_create(agency=agency, role=Role.COORDINATOR, full_name="Casey Coordinator")
    members = [membership_create(agency=agency, discipline=d) for d in Discipline.values]
    client_a = client_create(actor=owner, name="Acme Dental")
    client_b = client_create(actor=owner, name="Birch Bakery")
    contact_a = contact_create(actor=owner, client=client_a)
    contact_b = contact_create(actor=owner, client=client_b)
    return {
        "agency": agency,
        "owner": owner,
        "coordinator": coordinator,
        "members": members,
        "clients": [client_a, client_b],
        "contacts": [contact_a, contact_b],
    }


def project_create(
    *,
    actor: Membership,
    client: Client,
    template: str = "builtin:website-launch",
    launch_in_days: int = 90,
    name: str = "",
    **kwargs,
):
    """A project back-scheduled from a launch date ``launch_in_days`` calendar days from today (rolled to a weekday)."""
    from datetime import timedelta

    from projects import services as project_services
    from projects.calendars import agency_today

    launch = agency_today(actor.agency) + timedelta(days=launch_in_days)
    while launch.weekday() >= 5:
        launch += timedelta(days=1)
    with scope(agency=actor.agency_id):
        return project_services.project_create_from_template(
            actor=actor,
            client=client,
            name=name or f"Project {next(_seq)}",
            template_ref=template,
            launch_date=launch,
            **kwargs,
        )


def png_upload(name: str = "mockup.png", size: tuple[int, int] = (400, 300)):
    """A real PNG image as an uploaded file."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 80, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_upload(name: str = "proof.pdf", pages: int = 2):
    """A real PDF with some pages, as an uploaded file."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    images = [Image.new("RGB", (595, 842), (255, 255, 255)) for _ in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:])
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def approval_create(
    *,
    actor: Membership,
    project,
    contact: ClientContact | None = None,
    send: bool = True,
    text: str = "Headline: Smile with confidence.\nBook your consultation today.",
    due_in_hours: int = 48,
    **kwargs,
):
    """An approval request for copy (sent unless send=False), due in two days, gating the copy approval task."""
    from datetime import timedelta

    from django.utils import timezone

    from approvals import services as approval_services

    with scope(agency=actor.agency_id):
        contact = (
            contact or ClientContact.objects.filter(client=project.client, is_default_approver=True).first()
        )
        task = project.tasks.filter(key="copy-approval").first()
        request = approval_services.approval_request_create(
            actor=actor,
            project=project,
            title=kwargs.pop("title", "Landing page copy"),
            deliverable=kwargs.pop("deliverable", "Homepage messaging"),
            final_approver=contact,
            scopes=kwargs.pop("scopes", ["copy"]),
            scope_notes="Headline, page copy, CTA and offer accuracy. Design polish comes after copy approval.",
            due_at=timezone.now() + timedelta(hours=due_in_hours),
            task=task,
            text=text,
            **kwargs,
        )
        pdf_pages_rendered(request)
        if send:
            request = approval_services.approval_request_send(actor=actor, request=request)
        return request


def escalation_create(
    *,
    project,
    message: str = "The brand photos were due Monday.",
    section: str = "blocked",
    severity: str = "high",
    rule: str = "missing_input",
    fingerprint: str = "missing_input:input:1",
    **fields,
):
    """An open risk on a project, as the scan stores one (by default: a missing input, in "Blocked")."""
    from projects.models import Escalation

    with scope(agency=project.agency_id):
        return Escalation.objects.create(
            agency_id=project.agency_id,
            project=project,
            rule=rule,
            fingerprint=fingerprint,
            severity=severity,
            section=section,
            message=message,
            **fields,
        )


def token_client(user):
    """An API client authenticated the way integrations are: ``Authorization: Token …``."""
    from rest_framework.test import APIClient

    from agencyops.services.api_tokens import api_token_issue

    api = APIClient()
    _, token = api_token_issue(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')


def without_csrf(html: str) -> str:
    """A page with its CSRF tokens blanked (form fields and htmx's header): they are masked afresh on
    every response."""
    return CSRF_TOKEN.sub(r'\1"', html)


# For rendering pages afresh in a test: every cache read misses and nothing is kept.
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def inbound_address_create(*, actor: Membership, client: Client, request=None):
    """A client's private inbound address, or (with ``request``) that approval request's own."""
    from agencyops.inbound.services import inbound_address_issue

    with scope(agency=actor.agency_id):
        return inbound_address_issue(
            actor=actor,
            client=client,
            target="approvals.request" if request is not None else "",
            target_id=request.pk if request is not None else 0,
        )
def reporting_campaign_create(*, actor: Membership, client: Client, name: str = "", goal: str = "lead_generation", **kwargs):
    """A reporting campaign for a client (starting on 1 Jan 2026 unless told)."""
    from datetime import date

    from reporting.services import campaigns

    with scope(agency=actor.agency_id):
        return campaigns.campaign_create(
            actor=actor,
            client=client,
            name=name or f"Campaign {next(_seq)}",
            goal=goal,
            starts_on=kwargs.pop("starts_on", date(2026, 1, 1)),
            **kwargs,
        )


def report_import(*, actor: Membership, client: Client, data: bytes, name: str = "export.csv", mapping=None, **kwargs):
    """Upload an export and confirm it, mapping new platform names as ``mapping`` says (default: none)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reporting.services import imports

    with scope(agency=actor.agency_id):
        record = imports.import_preview(actor=actor, client=client, upload=SimpleUploadedFile(name, data), **kwargs)
        new = imports.import_new_campaign_names(record)
        chosen = {n: (mapping or {}).get(n) for n in new}
        return imports.import_confirm(actor=actor, record=record, mapping=chosen)


def pdf_pages_rendered(request) -> None:
    """Render the pages of a request's PDF versions, as the worker does once the upload is stored."""
    from approvals.models import VersionKind
    from approvals.tasks import render_version_pages

    with scope(agency=request.agency_id):
        versions = list(request.versions.filter(kind=VersionKind.PDF).values_list("pk", flat=True))
    for version_id in versions:
        render_version_pages(version_id, request.agency_id)
