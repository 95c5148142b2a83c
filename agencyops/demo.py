"""The demo agency "Brightside Creative", built through the real services.

``make run`` loads it on first start so a new install has people, clients and portal logins to try.
The platform seeds the agency, its people and clients; the product apps add their own data (projects,
approvals, drafts, reports) by registering a step with ``demo_step_register`` in ``AppConfig.ready()``
(approvals/demo.py seeds the projects and approvals), so the platform imports no product app. Each step
only calls services, so the demo is a state the product can reach.
"""

from __future__ import annotations

from collections.abc import Callable
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
DEMO_BRAND_COLOUR = "#a63d17"

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


# key → (order, step(coordinator, clients)): what the product apps add to the demo.
DemoStep = Callable[[Membership, list[Client]], None]
_steps: dict[str, tuple[int, DemoStep]] = {}


def demo_step_register(key: str, step: DemoStep, *, order: int = 100) -> None:
    """Add (or replace, by key) a step that seeds an app's demo data after the people and clients."""
    _steps[key] = (order, step)


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
                for _, step in sorted(_steps.values(), key=lambda pair: pair[0]):
                    step(team[0], demo_clients)
    return _summary_of(owner.agency, created=True)


def _seed_agency() -> Membership:
    name, email = DEMO_OWNER
    owner = accounts.agency_create(
        name=DEMO_AGENCY_NAME,
        slug=DEMO_AGENCY_SLUG,
        owner_email=email,
        owner_name=name,
        owner_password=DEMO_PASSWORD,
        time_zone="Europe/London",
        country="GB",
    )
    # The portal wears the agency's colour (agency settings → Brand colour).
    with scope(agency=owner.agency_id):
        accounts.agency_update(actor=owner, agency=owner.agency, brand_colour=DEMO_BRAND_COLOUR)
    return owner


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
