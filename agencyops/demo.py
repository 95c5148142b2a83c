"""The demo agency "Brightside Creative", built through the real services.

``make run`` loads it on first start so a new install has people, clients and portal logins to try.
Later layers extend ``demo_seed`` with their own data (projects, approvals, drafts, reports) by adding
a ``_seed_<area>`` step; each step only calls services, so the demo is a state the product can reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.test.utils import override_settings
from django_scopes import scope, scopes_disabled

from agencyops.models import Agency, Client, ClientContact, Discipline, Membership, Role
from agencyops.services import accounts, clients

DEMO_AGENCY_NAME = "Brightside Creative"
DEMO_AGENCY_SLUG = "brightside"
DEMO_PASSWORD = "demo-password-2026"
DEMO_OWNER = ("Olivia Bright", "owner@brightside.test")

# (full name, email, role, discipline, weekly capacity in hours)
DEMO_TEAM: list[tuple[str, str, str, str, int]] = [
    ("Casey Morgan", "coordinator@brightside.test", Role.COORDINATOR, "", 40),
    ("Priya Shah", "priya@brightside.test", Role.MEMBER, Discipline.STRATEGIST, 32),
    ("Diego Alvarez", "diego@brightside.test", Role.MEMBER, Discipline.DESIGNER, 40),
    ("Hannah Okafor", "hannah@brightside.test", Role.MEMBER, Discipline.WRITER, 30),
    ("Tom Becker", "tom@brightside.test", Role.MEMBER, Discipline.MEDIA_BUYER, 24),
    ("Lena Novak", "lena@brightside.test", Role.MEMBER, Discipline.ACCOUNT_LEAD, 40),
]

# (name, website, notes, contacts as (full name, email, job title)); a client's first contact is
# its default final approver (client_contact_create decides that).
DEMO_CLIENTS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    (
        "Acme Dental",
        "https://acmedental.example",
        "Three-practice dental group. Monthly retainer: social, newsletter, local search ads.",
        [
            ("Anna Reyes", "anna@acmedental.test", "Marketing manager"),
            ("Mark Ellis", "mark@acmedental.test", "Practice owner"),
        ],
    ),
    (
        "Birch Bakery",
        "https://birchbakery.example",
        "Neighbourhood bakery with two shops. Seasonal campaigns and in-store print.",
        [("Ben Carter", "ben@birchbakery.test", "Owner")],
    ),
    (
        "Cobalt Fitness",
        "https://cobaltfitness.example",
        "Gym chain opening its fourth site. Launch campaign and paid social.",
        [("Chloe Park", "chloe@cobaltfitness.test", "Head of brand")],
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    """One way into the demo: who this person is and the email they log in with."""

    who: str
    email: str


@dataclass
class DemoSummary:
    """What the demo holds, whether this call created it, and the logins to print."""

    agency: Agency
    created: bool
    owner: Membership
    coordinator: Membership
    members: list[Membership]
    clients: list[Client]
    contacts: list[ClientContact]
    password: str = DEMO_PASSWORD

    @property
    def logins(self) -> list[DemoLogin]:
        staff = [
            DemoLogin("Owner", self.owner.user.email),
            DemoLogin("Coordinator", self.coordinator.user.email),
        ]
        staff += [
            DemoLogin(m.get_discipline_display() or m.get_role_display(), m.user.email) for m in self.members
        ]
        portal = [
            DemoLogin(f"Client contact, {c.client.name}", c.user.email)
            for c in self.contacts
            if c.user is not None
        ]
        return staff + portal


def demo_seed() -> DemoSummary:
    """Create the demo agency once; on later calls return what is already there."""
    with scopes_disabled():
        agency = Agency.objects.filter(slug=DEMO_AGENCY_SLUG).first()
    if agency is not None:
        return _summary_of(agency, created=False)
    # The demo addresses are .test domains: no invitation mail should leave, whatever the mail setting.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        with transaction.atomic():
            owner = _seed_agency()
            with scope(agency=owner.agency_id):
                team = _seed_team(owner)
                demo_clients = _seed_clients(team[0])
                _seed_work(team[0], demo_clients)
    return _summary_of(owner.agency, created=True)


def _seed_agency() -> Membership:
    name, email = DEMO_OWNER
    return accounts.agency_create(
        name=DEMO_AGENCY_NAME,
        slug=DEMO_AGENCY_SLUG,
        owner_email=email,
        owner_name=name,
        owner_password=DEMO_PASSWORD,
        time_zone="Europe/London",
        country="GB",
    )


def _seed_team(owner: Membership) -> list[Membership]:
    """Everyone joins the way real people do: the owner invites them and they accept."""
    joined = []
    for full_name, email, role, discipline, capacity in DEMO_TEAM:
        issued = accounts.invitation_create(
            actor=owner,
            email=email,
            role=role,
            discipline=discipline,
            weekly_capacity_hours=Decimal(capacity),
        )
        user = accounts.invitation_accept(token=issued.token, full_name=full_name, password=DEMO_PASSWORD)
        joined.append(Membership.objects.get(agency=owner.agency, user=user))
    return joined


def _seed_clients(coordinator: Membership) -> list[Client]:
    """Three clients, each with contacts who have accepted their portal invitation."""
    created = []
    for name, website, notes, contacts in DEMO_CLIENTS:
        client = clients.client_create(actor=coordinator, name=name, website=website, notes=notes)
        for full_name, email, job_title in contacts:
            contact = clients.client_contact_create(
                actor=coordinator, client=client, full_name=full_name, email=email, job_title=job_title
            )
            issued = accounts.invitation_create_for_contact(actor=coordinator, contact=contact)
            accounts.invitation_accept(token=issued.token, full_name=full_name, password=DEMO_PASSWORD)
        created.append(client)
    return created


def _seed_work(coordinator: Membership, demo_clients: list[Client]) -> None:
    """Projects in flight so every page has something to show, on whatever day the demo is loaded.

    Dates are placed around the agency's "this week" (the coming week on a weekend): the home view
    has work due this week, one overdue, one blocked and one waiting task, a decision, a late approval,
    and the first risk scan runs here so its escalations are there on the first page load."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from approvals import services as approvals
    from approvals.models import ApprovalRequest
    from projects import services as projects
    from projects.calendars import agency_calendar, agency_today
    from projects.models import Party, TaskStatus
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


def _summary_of(agency: Agency, *, created: bool) -> DemoSummary:
    with scope(agency=agency.pk):
        memberships = list(Membership.objects.filter(agency=agency, is_active=True).select_related("user"))
        by_email = {m.user.email: m for m in memberships}
        team_order = [email for _, email, *_ in DEMO_TEAM]
        members = sorted(
            (m for m in memberships if m.role == Role.MEMBER),
            key=lambda m: team_order.index(m.user.email) if m.user.email in team_order else len(team_order),
        )
        demo_clients = list(Client.objects.filter(agency=agency).order_by("name"))
        contacts = list(
            ClientContact.objects.filter(agency=agency, user__isnull=False)
            .select_related("client", "user")
            .order_by("client__name", "-is_default_approver", "full_name")
        )
    return DemoSummary(
        agency=agency,
        created=created,
        owner=by_email[DEMO_OWNER[1]],
        coordinator=by_email[DEMO_TEAM[0][1]],
        members=members,
        clients=demo_clients,
        contacts=contacts,
    )
