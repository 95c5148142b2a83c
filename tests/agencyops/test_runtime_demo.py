"""The demo agency `make run` loads: who is in it, what they can log in to, and that loading is once only."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from agencyops.demo import DEMO_PASSWORD, demo_seed
from agencyops.models import Agency, Client, ClientContact, Invitation, Membership, Role, User


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo creates a dozen accounts; Argon2's deliberate slowness adds nothing to these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def row_counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (Agency, User, Membership, Client, ClientContact, Invitation)
        }


@pytest.mark.django_db
def test_the_demo_agency_has_an_owner_a_coordinator_and_one_member_per_discipline():
    summary = demo_seed()

    agency = Agency.objects.get(slug="brightside")
    assert summary.created and summary.agency == agency
    assert agency.name == "Brightside Creative"
    with scope(agency=agency.pk):
        team = {
            m.user.email: (m.role, m.discipline, m.weekly_capacity_hours)
            for m in Membership.objects.filter(agency=agency).select_related("user")
        }
    assert team["owner@brightside.test"][0] == Role.OWNER
    assert team["coordinator@brightside.test"][0] == Role.COORDINATOR
    disciplines = sorted(discipline for role, discipline, _ in team.values() if role == Role.MEMBER)
    assert disciplines == ["account_lead", "designer", "media_buyer", "strategist", "writer"]
    assert all(capacity > Decimal("0") for _, _, capacity in team.values())
    assert [m.user.email for m in summary.members][:2] == ["priya@brightside.test", "diego@brightside.test"]


@pytest.mark.django_db
def test_each_demo_client_has_contacts_with_portal_logins_and_one_default_approver():
    summary = demo_seed()

    with scope(agency=summary.agency.pk):
        clients = list(Client.objects.order_by("name"))
        approvers = {
            client.name: [contact.email for contact in client.contacts.filter(is_default_approver=True)]
            for client in clients
        }
        contacts_without_login = ClientContact.objects.filter(user__isnull=True).count()
    assert [c.name for c in clients] == ["Acme Dental", "Birch Bakery", "Cobalt Fitness"]
    assert approvers == {
        "Acme Dental": ["anna@acmedental.test"],
        "Birch Bakery": ["ben@birchbakery.test"],
        "Cobalt Fitness": ["chloe@cobaltfitness.test"],
    }
    assert contacts_without_login == 0


@pytest.mark.django_db
def test_every_demo_login_works_with_the_one_demo_password():
    summary = demo_seed()

    emails = [login.email for login in summary.logins]
    assert {"owner@brightside.test", "coordinator@brightside.test", "anna@acmedental.test"} <= set(emails)
    for email in emails:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email
    assert not User.objects.get(email="owner@brightside.test").check_password("wrong-password-2026")


@pytest.mark.django_db
def test_seeding_again_changes_nothing_and_reports_the_existing_demo():
    first = demo_seed()
    before = row_counts()

    second = demo_seed()

    assert not second.created
    assert row_counts() == before
    assert second.agency == first.agency
    assert [login.email for login in second.logins] == [login.email for login in first.logins]


@pytest.mark.django_db(transaction=True)
def test_seeding_sends_no_invitation_mail_even_though_people_join_by_invitation():
    demo_seed()

    with scopes_disabled():
        assert Invitation.objects.filter(accepted_at__isnull=False).count() == 6 + 4
    assert mail.outbox == []


@pytest.mark.django_db
def test_seed_demo_command_prints_the_logins_once_created_and_says_so_when_already_there():
    created, again = StringIO(), StringIO()

    call_command("seed_demo", stdout=created)
    call_command("seed_demo", stdout=again)

    assert "Created the demo agency." in created.getvalue()
    assert "demo-password-2026" in created.getvalue()
    assert "anna@acmedental.test" in created.getvalue()
    assert "already there; nothing changed" in again.getvalue()
    assert row_counts()["Agency"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        "2026-12-05 10:00",  # a Saturday: "this week" is the coming one
        "2026-12-09 08:30",  # a Wednesday
        "2026-12-11 16:00",  # a Friday afternoon
    ],
)
def test_the_demo_tells_the_story_on_any_day(moment):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    import time_machine

    from approvals.models import ApprovalRequest
    from projects.calendars import agency_calendar, agency_today
    from projects.models import Escalation, Project, Task, TaskStatus
    from projects.scheduling import working_week

    london = ZoneInfo("Europe/London")
    with time_machine.travel(datetime.fromisoformat(moment).replace(tzinfo=london), tick=False):
        summary = demo_seed()
        agency = summary.agency
        today = agency_today(agency)
        with scope(agency=agency.pk):
            calendar = agency_calendar(agency)
            _monday, week_end = working_week(today, agency.working_weekdays)
            open_tasks = list(Task.objects.exclude(status=TaskStatus.DONE))
            approvals = list(ApprovalRequest.objects.all())
            late = [a for a in approvals if a.status == "awaiting_client" and a.due_at < datetime.now(london)]
            escalations = list(Escalation.objects.filter(state="open").select_related("project"))
            retainer = Project.objects.get(name="Cobalt monthly retainer")
    assert any(today <= t.due_date <= week_end for t in open_tasks), "work due this week"
    assert any(t.due_date < today for t in open_tasks), "one overdue task"
    assert {TaskStatus.BLOCKED, TaskStatus.WAITING} <= {t.status for t in open_tasks}
    assert any(t.needs_decision for t in open_tasks)
    assert late, "one approval is late"
    for approval in approvals:
        local = approval.due_at.astimezone(london)
        assert calendar.is_business_day(local.date()) and time(9) <= local.time() <= time(17, 30)
    # The first scan ran while seeding: a realistic high risk, and no false alarm on the retainer.
    assert any(e.severity == "high" and e.rule == "launch_at_risk" for e in escalations)
    assert not [e for e in escalations if e.project_id == retainer.pk and e.rule == "launch_at_risk"]
