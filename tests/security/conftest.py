"""Two fully furnished agencies for the security tests: one object of every kind the walker can fill in."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django_scopes import scope

from agencyops.models import ClientContact, Membership
from agencyops.services import accounts
from approvals import services as approval_services
from approvals.models import VersionKind
from projects import services as project_services
from projects.calendars import agency_today
from projects.models import Escalation, Project, TaskDependency
from tests import factories

# The tenant_world keys that belong to one client: the portal of another client of the same agency
# must answer 404 for each of them (tests/security/test_isolation_walker.py, case b3).
CLIENT_KEYS = (
    "client",
    "contact",
    "project",
    "approval_request",
    "version",
    "version_page",
    "comment",
    "decision_entry",
    "change_request",
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
            "marker": marker,
            "internal_marker": internal_marker,
        }


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
        # What people said and ticked off on the task: tasks/<task_id>/attachments|checklist/<id>/.
        task_attachment = project_services.task_comment_add(
            actor=owner, task=dependency.successor, body="Proof attached", files=[factories.png_upload()]
        ).attachments.get()
        checklist_item = project_services.checklist_item_add(
            actor=owner, task=dependency.successor, text="Check the proof"
        )
    approvals = client_approvals(owner=owner, project=project, contact=team["contacts"][0])
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
        "task_attachment": task_attachment,
        "checklist_item": checklist_item,
        **approvals,
    }


def other_client_world(team: dict, world: dict) -> dict:
    """The same agency's world with every client-owned object swapped for its second client's (client Y).

    Objects that are not a client's (members, templates, closures...) stay the first world's, so a URL
    built from it differs from the first client's only where the portal must tell clients apart.
    """
    owner = team["owner"]
    client, contact = team["clients"][1], team["contacts"][1]
    project = factories.project_create(actor=owner, client=client, name="Autumn campaign")
    approvals = client_approvals(owner=owner, project=project, contact=contact)
    other = {**world, "client": client, "contact": contact, "project": project, **approvals}
    assert all(other[key] != world[key] for key in CLIENT_KEYS)
    return other


@pytest.fixture
def worlds(team, other_team, settings, tmp_path) -> dict:
    """Agency A (the caller's; client X, whose contact is ``as_contact``), client Y of agency A (never
    visible to client X's contacts), and agency B (never visible from A)."""
    settings.MEDIA_ROOT = tmp_path  # the uploaded proofs and rendered pages stay out of the real media folder
    a = tenant_world(team)
    return {"A": a, "A/Y": other_client_world(team, a), "B": tenant_world(other_team)}
