"""Two fully furnished agencies for the security tests: one object of every kind the walker can fill in."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from django_scopes import scope

from agencyops.inbound.models import InboundAttachment, InboundMessage
from agencyops.inbound.services import inbound_email_receive
from agencyops.models import ClientContact, Membership
from agencyops.notifications.services import notify
from agencyops.services import accounts, clients
from approvals import services as approval_services
from approvals.models import VersionKind
from brandkit import services as brand_services
from brandkit.drafting import services as drafting_services
from projects import services as project_services
from projects.calendars import agency_today
from projects.models import Escalation, Project, TaskDependency
from tests import factories

# The tenant_world keys that belong to one client: the portal of another client of the same agency
# must answer 404 for each of them (tests/security/test_isolation_walker.py, case b3).
CLIENT_KEYS = (
    "library_item",
    "library_version",
    "client",
    "contact",
    "project",
    "approval_request",
    "version",
    "version_page",
    "comment",
    "decision_entry",
    "change_request",
    "content_piece",
    "report_issue",
    "reporting_campaign",
)


def client_approvals(*, owner: Membership, project: Project, contact: ClientContact) -> dict:
    """One client's approval work in every state a portal or staff URL can point at.

    A PDF sent as round 1 (so page 1 of a real version exists), pinned and internal comments on it, the
    final approver's "request changes" (which writes the decision-log entry), then an image as round 2,
    sent and awaiting the client, and a change request on the deliverable. ``marker`` is in the title,
    the deliverable, the client's comment and the change request, ``internal_marker`` in the agency's
    internal comment only, so a page that leaks either can be spotted.
    """
    marker, internal_marker = f"mark-{secrets.token_hex(4)}", f"internal-{secrets.token_hex(4)}"
    request = factories.approval_create(
        actor=owner,
        project=project,
        contact=contact,
        title=f"Homepage proof {marker}",
        deliverable=f"Homepage {marker}",
        kind=VersionKind.PDF,
        upload=factories.pdf_upload(pages=2),
    )
    with scope(agency=owner.agency_id):
        version = request.versions.get(number=1)
        comment = approval_services.comment_add(
            author=contact.user,
            request=request,
            version=version,
            contact=contact,
            body=f"Move the logo up {marker}",
            page=1,
            pin_x=0.25,
            pin_y=0.4,
        )
        approval_services.comment_add(
            author=owner.user,
            request=request,
            version=version,
            membership=owner,
            is_internal=True,
            body=f"Check the logo licence first {internal_marker}",
        )
        decision = approval_services.approval_decide(
            contact=contact, request=request, verdict="request_changes"
        )
        approval_services.version_add(
            actor=owner, request=request, kind=VersionKind.IMAGE, upload=factories.png_upload(), notes="Logo"
        )
        request = approval_services.approval_request_send(actor=owner, request=request)
        content_piece = brand_services.content_piece_create(
            actor=owner,
            client=project.client,
            project=project,
            title=f"Landing page {marker}",
            channel="landing_page",
            body=f"Calm care for your {marker} visit.",
        )
        change_request = approval_services.change_request_create(
            requester=owner,
            project=project,
            approval_request=request,
            description=f"Add a bilingual version {marker}",
            reason="other",
        )
        return {
            "approval_request": request,
            # Round 1, the PDF: its page 1 is what <page> is filled with.
            "version": version,
            "version_page": version.pages.get(number=1),
            "comment": comment,
            "decision_entry": decision.log_entry,
            "change_request": change_request,
            "content_piece": content_piece,
            "marker": marker,
            "internal_marker": internal_marker,
        }


def client_library(*, owner: Membership, client) -> dict:
    """A library item of the client, shared with them, with one version (as the Brand files page lists)."""
    from brandkit.library import services as library_services
    from tests.brandkit.library import fixtures as library_fixtures

    with scope(agency=owner.agency_id):
        item = library_services.library_item_create(
            actor=owner,
            title=f"{client.name} logo pack",
            kind="logo",
            client=client,
            upload=library_fixtures.upload("logo.png", library_fixtures.png((30 + client.pk % 50, 20))),
        )
        library_services.library_item_share(actor=owner, item=item, visible=True)
        # The worker's preview, drawn here so the preview routes have their own object to open.
        library_services.library_version_preview(library_version_id=item.latest_version_id)
        item.refresh_from_db()
    return {"library_item": item, "library_version": item.latest_version}


def reporting_world(*, owner: Membership, client, task) -> dict:
    """A reporting campaign fed by a confirmed LinkedIn import, and time logged on a task."""
    from projects.services import time_entries
    from tests.reporting import exports

    campaign = factories.reporting_campaign_create(actor=owner, client=client, name="Practice managers")
    report_import = factories.report_import(
        actor=owner,
        client=client,
        data=exports.linkedin_csv(),
        mapping={"Practice Managers - Lead Gen": campaign.pk},
    )
    with scope(agency=owner.agency_id):
        entry = time_entries.time_entry_log(actor=owner, task=task, minutes=45, note="Kickoff prep")
        from reporting.services import insights

        insight_draft = insights.insight_draft_create(
            actor=owner, client=client, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30)
        )
    return {
        "reporting_campaign": campaign,
        "report_import": report_import,
        "time_entry": entry,
        "insight_draft": insight_draft,
    }


def sent_report_issue(*, owner: Membership, client):
    """A client's weekly report, scheduled, assembled and sent through the real services."""
    from django.utils import timezone

    from reporting.models import ReportIssue
    from reporting.services import reports

    with scope(agency=owner.agency_id):
        definition = reports.report_definition_create(
            actor=owner, client=client, sections=["campaigns", "retainer"], wait_for_data=False
        )
    later = timezone.now() + timedelta(days=8)
    reports.report_issues_schedule(now=later)
    with scope(agency=owner.agency_id):
        issue = ReportIssue.objects.get(definition=definition)
        return reports.report_issue_build(issue_id=issue.pk, now=later)


def tenant_world(team: dict) -> dict:
    """The objects of one agency that route kwargs point at, keyed as the walker's OBJECT_FOR_KWARG values.

    Nested objects belong together (the contact is the client's, the task the project's, the version and
    comment the approval request's), so a nested URL built from one world is a real page. The objects
    belong to the agency's first client, whose contact is the ``as_contact`` fixture. New kinds of object
    are added here and in the walker's maps.
    """
    owner, agency = team["owner"], team["agency"]
    project = factories.project_create(actor=owner, client=team["clients"][0], name="Spring launch")
    with scope(agency=agency.pk):
        invitation = accounts.invitation_create(
            actor=owner, email=f"invitee@{agency.slug}.test", role="member"
        ).invitation
        dependency = (
            TaskDependency.objects.filter(successor__project=project).select_related("successor").first()
        )
        assert dependency is not None, "the built-in template should link its tasks"
        required_input = project_services.required_input_create(
            actor=owner,
            project=project,
            description="Final logo files",
            from_party="client",
            expected_by=agency_today(agency) + timedelta(days=14),
        )
        template = project_services.template_save_from_project(
            actor=owner, project=project, name=f"{agency.name} launch"
        )
        closure = project_services.closure_add(
            actor=owner, day=agency_today(agency) + timedelta(days=30), name="Team day"
        )
        # As the risk scan stores one: a distinct risk of the project, open.
        escalation = Escalation.objects.create(
            agency=agency,
            project=project,
            rule="owner_unclear",
            fingerprint=f"owner_unclear:{project.pk}",
            severity="medium",
            section="needs_decision",
            message="Nobody owns the kickoff.",
        )
        # The owner's own notification (the bell's page marks it read).
        notification = notify(
            agency=agency,
            to=owner.user.email,
            recipient=owner.user,
            subject="Needs attention: Spring launch",
            body="Nobody owns the kickoff.",
            kind="escalation",
            dedupe_key=f"escalation:{escalation.pk}:{owner.pk}",
            target=escalation,
        )
        # What people said and ticked off on the task: tasks/<task_id>/attachments|checklist/<id>/.
        task_attachment = project_services.task_comment_add(
            actor=owner, task=dependency.successor, body="Proof attached", files=[factories.png_upload()]
        ).attachments.get()
        checklist_item = project_services.checklist_item_add(
            actor=owner, task=dependency.successor, text="Check the proof"
        )
    approvals = client_approvals(owner=owner, project=project, contact=team["contacts"][0])
    inbound_message, inbound_attachment = inbox_message(owner=owner, client=team["clients"][0])
    reporting = reporting_world(owner=owner, client=team["clients"][0], task=dependency.successor)
    # Logos, so /<agency>/logo/ and /<agency>/clients/<id>/logo/ have a file to serve.
    with scope(agency=agency.pk):
        agency = accounts.agency_update(actor=owner, agency=agency, logo=factories.png_upload("logo.png"))
        clients.client_update(actor=owner, client=team["clients"][0], logo=factories.png_upload("client.png"))
    with scope(agency=agency.pk):
        drafting_job = drafting_services.drafting_job_create(
            actor=owner, kind="first_draft", project=project, inputs={"channel": "x"}
        )
    reporting["report_issue"] = sent_report_issue(owner=owner, client=team["clients"][0])
    return {
        "agency": agency,
        "client": team["clients"][0],
        "contact": team["contacts"][0],
        "membership": team["members"][0],
        "invitation": invitation,
        "project": project,
        # The dependency's successor, so tasks/<task_id>/dependencies/<dependency_id>/ is a real pair.
        "task": dependency.successor,
        "dependency": dependency,
        "required_input": required_input,
        "template": template,
        "closure": closure,
        "escalation": escalation,
        "notification": notification,
        "drafting_job": drafting_job,
        "task_attachment": task_attachment,
        "checklist_item": checklist_item,
        **approvals,
        **client_library(owner=owner, client=team["clients"][0]),
        "inbound_message": inbound_message,
        "inbound_attachment": inbound_attachment,
        **reporting,
    }


def inbox_message(*, owner: Membership, client) -> tuple[InboundMessage, InboundAttachment]:
    """A stranger's mail with an attachment to the client's inbound address: held in the agency's inbox."""
    address = factories.inbound_address_create(actor=owner, client=client)
    mail = EmailMessage()
    mail["From"] = "Stranger <stranger@elsewhere.test>"
    mail["To"] = address.email
    mail["Subject"] = f"Question for {owner.agency.name}"
    mail["Message-ID"] = f"<walker-{secrets.token_hex(6)}@elsewhere.test>"
    mail.set_content("Can you call me back?")
    mail.add_attachment(b"%PDF-1.4 brief", maintype="application", subtype="pdf", filename="brief.pdf")
    message = inbound_email_receive(raw=mail.as_bytes(), recipients=[address.email])
    assert message.state == "held"
    with scope(agency=owner.agency_id):
        return message, message.attachments.get()


def other_client_world(team: dict, world: dict) -> dict:
    """The same agency's world with every client-owned object swapped for its second client's (client Y).

    Objects that are not a client's (members, templates, closures...) stay the first world's, so a URL
    built from it differs from the first client's only where the portal must tell clients apart.
    """
    owner = team["owner"]
    client, contact = team["clients"][1], team["contacts"][1]
    project = factories.project_create(actor=owner, client=client, name="Autumn campaign")
    approvals = client_approvals(owner=owner, project=project, contact=contact)
    library = client_library(owner=owner, client=client)
    approvals["report_issue"] = sent_report_issue(owner=owner, client=client)
    # Client Y's own campaign: the rows behind a portal number name a campaign in their query string.
    approvals["reporting_campaign"] = factories.reporting_campaign_create(
        actor=owner, client=client, name="Y's campaign"
    )
    other = {**world, "client": client, "contact": contact, "project": project, **approvals, **library}
    assert all(other[key] != world[key] for key in CLIENT_KEYS)
    return other


@pytest.fixture
def worlds(team, other_team, settings, tmp_path) -> dict:
    """Agency A (the caller's; client X, whose contact is ``as_contact``), client Y of agency A (never
    visible to client X's contacts), and agency B (never visible from A)."""
    settings.MEDIA_ROOT = tmp_path  # the uploaded proofs and rendered pages stay out of the real media folder
    a = tenant_world(team)
    return {"A": a, "A/Y": other_client_world(team, a), "B": tenant_world(other_team)}
