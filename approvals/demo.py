"""The demo agency's work: projects in flight and an approval waiting on the client, added to the platform's
demo (agencyops/demo.py) as a step registered in approvals/apps.py. Approvals is the highest layer this
data touches, so the step lives here and the platform imports no product app."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agencyops.demo import demo_step_register
from agencyops.models import Client, Membership
from approvals import services as approvals
from projects import services as projects
from projects.calendars import agency_calendar, agency_today
from projects.models import Party, TaskStatus


def demo_seed_work(coordinator: Membership, demo_clients: list[Client]) -> None:
    """Projects in flight so every page has something to show: a launch with a blocked task, a decision
    to take and copy waiting on the client; an email sequence; a monthly retainer."""
    today = agency_today(coordinator.agency)
    calendar = agency_calendar(coordinator.agency, around=today)
    acme, birch, cobalt = demo_clients
    launch = projects.project_create_from_template(
        actor=coordinator,
        client=acme,
        name="Spring smile campaign",
        template_ref="builtin:website-launch",
        launch_date=calendar.add_business_days(today, 32),
        accept_start_in_past=True,
    )
    projects.brief_update(
        actor=coordinator,
        project=launch,
        objective="Book 40 new-patient consultations a month by June.",
        deliverables="Landing page\nThank-you page\nThree paid social ads",
        channels="Website, paid social",
        known_constraints="Claims about whitening need the dentist's sign-off.",
    )
    tasks = {t.key: t for t in launch.tasks.all()}
    projects.task_update_status(actor=coordinator, task=tasks["kickoff"], status=TaskStatus.DONE)
    projects.task_update_status(
        actor=coordinator,
        task=tasks["sitemap"],
        status=TaskStatus.WAITING,
        waiting_on=Party.CLIENT,
    )
    projects.task_update_status(
        actor=coordinator,
        task=tasks["wireframes"],
        status=TaskStatus.BLOCKED,
        blocked_reason="Waiting for the new treatment price list before the pricing section can be drawn.",
    )
    projects.task_flag_decision(
        actor=coordinator,
        task=tasks["design"],
        question="Photography or illustration for the hero?",
        decide_by="Sam (owner)",
    )
    request = approvals.approval_request_create(
        actor=coordinator,
        project=launch,
        title="Spring offer hero copy",
        deliverable="Homepage messaging",
        final_approver=acme.contacts.get(is_default_approver=True),
        scopes=["copy"],
        scope_notes="Headline, page copy, CTA and offer accuracy. Design polish comes after copy approval.",
        due_at=timezone.now() + timedelta(days=2),
        task=tasks["copy-approval"],
        text="Smile with confidence this spring.\n\nBook a free consultation before 30 April and get "
        "20% off whitening.\n\nBook my consultation",
    )
    approvals.approval_request_send(actor=coordinator, request=request)
    projects.project_create_from_template(
        actor=coordinator,
        client=birch,
        name="Holiday email sequence",
        template_ref="builtin:email-sequence",
        launch_date=calendar.add_business_days(today, 20),
        accept_start_in_past=True,
    )
    projects.project_create_from_template(
        actor=coordinator,
        client=cobalt,
        name="Cobalt monthly retainer",
        template_ref="builtin:monthly-retainer",
        launch_date=calendar.add_business_days(today, 10),
        accept_start_in_past=True,
    )


def register() -> None:
    demo_step_register("work", demo_seed_work, order=10)
