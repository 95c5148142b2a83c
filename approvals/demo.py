"""The demo agency's work: projects in flight and an approval waiting on the client, added to the platform's
demo (agencyops/demo.py) as a step registered in approvals/apps.py. Approvals is the highest layer this
data touches, so the step lives here and the platform imports no product app."""

from __future__ import annotations

from agencyops.demo import demo_step_register
from agencyops.models import Client, Membership, Role
from approvals import services as approvals
from projects import services as projects
from projects.calendars import agency_calendar, agency_today
from projects.models import Party, TaskStatus


def demo_seed_work(coordinator: Membership, demo_clients: list[Client]) -> None:
    """Projects in flight so every page has something to show, on whatever day the demo is loaded.

    Dates are placed around the agency's "this week" (the coming week on a weekend): the home view
    has work due this week, one overdue, one blocked and one waiting task, a decision, a late approval,
    and the first risk scan runs here so its escalations are there on the first page load."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from approvals.models import ApprovalRequest
    from projects.risk_scan import agency_scan

    agency = coordinator.agency
    today = agency_today(agency)
    calendar = agency_calendar(agency, around=today)
    zone = ZoneInfo(agency.time_zone)
    # The first working day that still counts as "this week": today, or Monday on a weekend.
    first_day = calendar.roll_forward(today)

    def at(day, hour: int) -> datetime:
        """A moment in working hours on a business day, in the agency's time zone."""
        return datetime.combine(day, time(hour), tzinfo=zone)

    acme, birch, cobalt = demo_clients
    # The website plan started seven working days before first_day: kickoff is done, the sitemap is
    # overdue, and copy and wireframes (both four days long) are due on first_day, this week.
    launch = projects.project_create_from_template(
        actor=coordinator,
        client=acme,
        name="Spring smile campaign",
        template_ref="builtin:website-launch",
        launch_date=calendar.add_business_days(first_day, 17),
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
    projects.task_update_status(actor=coordinator, task=tasks["sitemap"], status=TaskStatus.IN_PROGRESS)
    projects.task_update_status(
        actor=coordinator,
        task=tasks["copy"],
        status=TaskStatus.WAITING,
        waiting_on=Party.CLIENT,
    )
    projects.task_update_status(
        actor=coordinator,
        task=tasks["wireframes"],
        status=TaskStatus.BLOCKED,
        blocked_reason="Waiting for the new treatment price list before the pricing section can be drawn.",
    )
    owner = Membership.objects.filter(agency=agency, role=Role.OWNER).select_related("user").first()
    projects.task_flag_decision(
        actor=coordinator,
        task=tasks["design"],
        question="Photography or illustration for the hero?",
        decider=owner,
    )
    request = approvals.approval_request_create(
        actor=coordinator,
        project=launch,
        title="Spring offer hero copy",
        deliverable="Homepage messaging",
        final_approver=acme.contacts.get(is_default_approver=True),
        scopes=["copy"],
        scope_notes="Headline, page copy, CTA and offer accuracy. Design polish comes after copy approval.",
        due_at=at(calendar.add_business_days(first_day, 2), 17),
        task=tasks["copy-approval"],
        text="Smile with confidence this spring.\n\nBook a free consultation before 30 April and get "
        "20% off whitening.\n\nBook my consultation",
    )
    approvals.approval_request_send(actor=coordinator, request=request)
    # The story so far: the copy went to Anna three working days ago and was due back yesterday at 5 pm.
    # (The service refuses a due time in the past, rightly; the demo only replays what already happened.)
    sent_day = calendar.add_business_days(first_day, -3)
    ApprovalRequest.objects.filter(pk=request.pk).update(
        created_at=at(sent_day, 10),
        sent_at=at(sent_day, 11),
        due_at=at(calendar.add_business_days(first_day, -1), 17),
    )
    projects.project_create_from_template(
        actor=coordinator,
        client=birch,
        name="Holiday email sequence",
        template_ref="builtin:email-sequence",
        launch_date=calendar.add_business_days(first_day, 20),
        accept_start_in_past=True,
    )
    projects.project_create_from_template(
        actor=coordinator,
        client=cobalt,
        name="Cobalt monthly retainer",
        template_ref="builtin:monthly-retainer",
        launch_date=calendar.add_business_days(first_day, 10),
        accept_start_in_past=True,
    )
    # The first risk scan, now: escalations are there on the first page load, not a scan later.
    agency_scan(agency)


def register() -> None:
    demo_step_register("work", demo_seed_work, order=10)
