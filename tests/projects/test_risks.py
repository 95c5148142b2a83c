"""Deadline-risk rules, tested with plain values only (no database).

Every scenario runs on Wednesday 2 December 2026 with a Monday-to-Friday calendar unless it
says otherwise. Around it: Mon 30 Nov, Tue 1 Dec, Thu 3, Fri 4, Mon 7 ... Mon 14, Thu 17 Dec.
"""

from __future__ import annotations

import dataclasses
import random
import time
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from projects.risk_messages import (
    business_days,
    day_phrase,
    full_date,
    hours_text,
    is_plural,
    join_names,
    mid_sentence,
    times,
)
from projects.risks import (
    SECTION_OF_RULE,
    ApprovalSnap,
    ChangeRequestSnap,
    DeadlineChangeSnap,
    Escalation,
    InputSnap,
    MemberSnap,
    ProjectSnapshot,
    TaskSnap,
    capacity_weeks,
    evaluate,
    evaluate_many,
    forecast_slots,
    rule_capacity,
    rule_deadline_moved,
    rule_decision_needed,
    rule_launch_at_risk,
    rule_missing_input,
    rule_owner_unclear,
    rule_scope,
)
from projects.scheduling import BusinessCalendar, Dependency, Slot

D = date
TODAY = D(2026, 12, 2)  # a Wednesday
WEEKDAYS = BusinessCalendar()
SEED = (
    "The landing page copy was due Tuesday, design starts Thursday, and without copy today "
    "the launch date moves by two business days."
)


def fs(key: str, lag: int = 0) -> Dependency:
    return Dependency(key, "FS", lag)


def task(id: int, key: str, title: str, start: date, due: date, duration: int, **fields: Any) -> TaskSnap:
    fields.setdefault("assignee_id", 100)
    fields.setdefault("assignee_name", "Dana")
    return TaskSnap(id=id, key=key, title=title, start=start, due=due, duration=duration, **fields)


def project(*tasks: TaskSnap, **fields: Any) -> ProjectSnapshot:
    values: dict[str, Any] = {
        "project_id": 9,
        "project_name": "Website relaunch",
        "client_name": "Northwind",
        "launch_date": D(2026, 12, 10),
        "tasks": tasks,
    }
    values.update(fields)
    return ProjectSnapshot(**values)


def run(rule, snapshot: ProjectSnapshot, *, today: date = TODAY, calendar: BusinessCalendar = WEEKDAYS):
    return rule(snapshot, today=today, calendar=calendar, lookahead_days=5)


def messages(escalations: list[Escalation]) -> list[str]:
    return [e.message for e in escalations]


# ---------------------------------------------------------------- the seed plan
# Brief done; design (3 days) starts Thursday and needs the client's copy, expected Tuesday;
# the landing page build follows, then the launch milestone on Thu 10 Dec: no slack anywhere.


def seed_tasks(**design_fields: Any) -> tuple[TaskSnap, ...]:
    return (
        task(1, "brief", "Write brief", D(2026, 11, 30), D(2026, 12, 1), 2, status="done"),
        task(
            2,
            "design",
            "Design",
            D(2026, 12, 3),
            D(2026, 12, 7),
            3,
            predecessors=(fs("brief"),),
            **{"input_ids": (42,), **design_fields},
        ),
        task(
            3, "build", "Build landing page", D(2026, 12, 8), D(2026, 12, 9), 2, predecessors=(fs("design"),)
        ),
        task(4, "launch", "Launch", D(2026, 12, 10), D(2026, 12, 10), 0, predecessors=(fs("build"),)),
    )


def copy_input(**fields: Any) -> InputSnap:
    values: dict[str, Any] = {
        "id": 42,
        "description": "Landing page copy",
        "short_name": "copy",
        "expected_by": D(2026, 12, 1),
    }
    values.update(fields)
    return InputSnap(**values)


def seed_project(**fields: Any) -> ProjectSnapshot:
    fields.setdefault("inputs", (copy_input(),))
    return project(*seed_tasks(), **fields)


# ---------------------------------------------------------------- wording helpers


def test_dates_read_as_today_a_weekday_name_or_a_full_date():
    assert day_phrase(TODAY, today=TODAY) == "today"
    assert day_phrase(D(2026, 12, 3), today=TODAY) == "tomorrow"
    assert day_phrase(D(2026, 12, 1), today=TODAY) == "yesterday"
    assert day_phrase(D(2026, 12, 3), today=TODAY, relative=False) == "Thursday"
    assert day_phrase(D(2026, 12, 1), today=TODAY, relative=False) == "Tuesday"
    assert day_phrase(D(2026, 12, 8), today=TODAY) == "Tuesday"
    assert day_phrase(D(2026, 11, 26), today=TODAY) == "Thursday"
    assert day_phrase(D(2026, 12, 9), today=TODAY) == "Wed 9 Dec"
    assert day_phrase(D(2026, 11, 25), today=TODAY) == "Wed 25 Nov"
    assert day_phrase(D(2027, 1, 4), today=TODAY) == "Mon 4 Jan 2027"
    assert full_date(D(2026, 12, 14), today=TODAY) == "Mon 14 Dec"


def test_small_counts_are_spelled_out_up_to_ten():
    assert business_days(1) == "one business day"
    assert business_days(2) == "two business days"
    assert business_days(10) == "ten business days"
    assert business_days(11) == "11 business days"
    assert [times(n) for n in (1, 2, 3, 12)] == ["once", "twice", "three times", "12 times"]


def test_names_hours_and_titles_read_naturally_inside_a_sentence():
    assert join_names(["Casey"]) == "Casey"
    assert join_names(["Casey", "Dana"]) == "Casey and Dana"
    assert join_names(["Casey", "Dana", "Lee"]) == "Casey, Dana and Lee"
    assert hours_text(52.0) == "52"
    assert hours_text(44.5) == "44.5"
    assert mid_sentence("Landing page copy") == "landing page copy"
    assert mid_sentence("SEO audit") == "SEO audit"
    assert mid_sentence("QA") == "QA"


def test_plural_inputs_are_told_apart_from_singular_ones_ending_in_s():
    assert is_plural("Brand photos")
    assert is_plural("Product specs")
    assert not is_plural("Landing page copy")
    assert not is_plural("Analytics access")
    assert not is_plural("Campaign status")
    assert not is_plural("Competitor analysis")


# ---------------------------------------------------------------- 1. missing input


def test_late_copy_before_design_reads_exactly_like_the_seed_escalation():
    [escalation] = run(rule_missing_input, seed_project())

    assert escalation.message == (
        f"{SEED} Owed by the client. If it arrives today the launch moves by one business day; "
        "if it arrives Friday, by three."
    )
    assert escalation.message.startswith(SEED)
    assert escalation.rule == "missing_input"
    assert escalation.fingerprint == "missing_input:input:42"
    assert (escalation.severity, escalation.section) == ("high", "blocked")
    assert (escalation.project_id, escalation.input_id, escalation.task_id) == (9, 42, 2)
    assert escalation.facts["launch_shift_if_today"] == 1
    assert escalation.facts["launch_shift_if_tomorrow"] == 2
    assert escalation.facts["launch_shift_if_day_after"] == 3
    assert escalation.facts["needing_task_ids"] == [2]


def test_input_name_defaults_to_its_description_and_a_named_vendor_owes_it():
    snapshot = seed_project(
        inputs=(copy_input(short_name="", from_party="vendor", from_name="Inkwell Studio"),)
    )

    [escalation] = run(rule_missing_input, snapshot)

    assert escalation.message.startswith(
        "The landing page copy was due Tuesday, design starts Thursday, and without landing page copy today"
    )
    assert "Owed by Inkwell Studio." in escalation.message


def test_missing_input_says_until_when_the_launch_holds_when_the_plan_has_slack():
    # Launch on Mon 14 Dec: two business days of slack after the build.
    photos = InputSnap(id=43, description="Brand photos", from_party="vendor", expected_by=D(2026, 12, 1))
    tasks = seed_tasks(input_ids=(43,))
    snapshot = project(*tasks, inputs=(photos,), launch_date=D(2026, 12, 14))

    [escalation] = run(rule_missing_input, snapshot)

    assert escalation.message == (
        "The brand photos were due Tuesday, design starts Thursday, and the launch date holds if brand "
        "photos arrive by Thursday. Owed by the vendor."
    )
    assert escalation.severity == "medium"  # design itself slips, the launch does not
    assert escalation.facts["launch_holds_until"] == "2026-12-03"


def test_the_launch_holding_today_is_said_before_the_later_slip():
    # One business day of slack: arriving today costs nothing, tomorrow one day.
    snapshot = seed_project(launch_date=D(2026, 12, 11))

    [escalation] = run(rule_missing_input, snapshot)

    assert escalation.message == (
        "The landing page copy was due Tuesday, design starts Thursday, and without copy today the launch "
        "date moves by one business day. Owed by the client. If it arrives today the launch holds; "
        "if it arrives Friday, it moves by two business days."
    )


def test_missing_input_far_from_moving_the_launch_says_it_holds_for_now():
    snapshot = seed_project(launch_date=D(2027, 6, 30))

    [escalation] = run(rule_missing_input, snapshot)

    assert escalation.message == (
        "The landing page copy was due Tuesday, design starts Thursday, and the launch date holds for now. "
        "Owed by the client."
    )
    assert escalation.severity == "medium"
    assert escalation.facts["launch_holds_until"] is None


def test_an_agency_closure_is_skipped_when_counting_what_a_late_input_costs():
    # The agency is closed on Friday 4 Dec: the day after tomorrow is Monday.
    closed_friday = BusinessCalendar(closures=frozenset({D(2026, 12, 4)}))
    tasks = (
        task(1, "brief", "Write brief", D(2026, 11, 30), D(2026, 12, 1), 2, status="done"),
        task(
            2,
            "design",
            "Design",
            D(2026, 12, 3),
            D(2026, 12, 8),
            3,
            predecessors=(fs("brief"),),
            input_ids=(42,),
        ),
        task(3, "launch", "Launch", D(2026, 12, 9), D(2026, 12, 9), 0, predecessors=(fs("design"),)),
    )
    snapshot = project(*tasks, inputs=(copy_input(),), launch_date=D(2026, 12, 9))

    [escalation] = run(rule_missing_input, snapshot, calendar=closed_friday)

    assert escalation.message == (
        f"{SEED} Owed by the client. If it arrives today the launch moves by one business day; "
        "if it arrives Monday, by three."
    )


def test_design_that_should_already_have_started_says_so():
    tasks = (
        task(2, "design", "Design", D(2026, 11, 30), D(2026, 12, 2), 3, input_ids=(42,)),
        task(3, "launch", "Launch", D(2026, 12, 3), D(2026, 12, 3), 0, predecessors=(fs("design"),)),
    )
    snapshot = project(*tasks, inputs=(copy_input(expected_by=D(2026, 11, 26)),), launch_date=D(2026, 12, 3))

    [escalation] = run(rule_missing_input, snapshot)

    assert escalation.message.startswith(
        "The landing page copy was due Thursday, design was due to start Monday, and without copy today "
        "the launch date moves by"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"inputs": (copy_input(received_at=D(2026, 12, 2)),)},  # it arrived
        {"inputs": (copy_input(expected_by=D(2026, 12, 2)),)},  # not late yet: due today
        {"inputs": (copy_input(id=77),)},  # no task needs it
    ],
    ids=["received", "due-today", "not-needed"],
)
def test_no_missing_input_escalation_once_the_input_is_not_holding_anything(change):
    assert run(rule_missing_input, seed_project(**change)) == []


def test_no_missing_input_escalation_when_the_task_needing_it_starts_after_the_window():
    tasks = (task(2, "design", "Design", D(2026, 12, 10), D(2026, 12, 14), 3, input_ids=(42,)),)
    snapshot = project(*tasks, inputs=(copy_input(),), launch_date=D(2026, 12, 14))

    assert run(rule_missing_input, snapshot) == []


def test_no_missing_input_escalation_when_the_work_needing_it_is_done():
    tasks = (task(2, "design", "Design", D(2026, 12, 3), D(2026, 12, 7), 3, input_ids=(42,), status="done"),)
    assert run(rule_missing_input, project(*tasks, inputs=(copy_input(),))) == []


# ---------------------------------------------------------------- 2. deadline moved


def moved(id: int, task_id: int, old: date, new: date, who: str, day: int, cause: str = "manual"):
    return DeadlineChangeSnap(
        id=id,
        task_id=task_id,
        old_due=old,
        new_due=new,
        cause=cause,
        changed_by_name=who,
        changed_at=datetime(2026, 11, day, 10, 0),
    )


def build_task(**fields: object) -> TaskSnap:
    return task(3, "build", "Build landing page", D(2026, 12, 10), D(2026, 12, 14), 3, **fields)


def test_a_deadline_moved_three_times_names_the_dates_and_who_moved_it():
    changes = (
        moved(1, 3, D(2026, 11, 24), D(2026, 11, 30), "Casey", 20),
        moved(2, 3, D(2026, 11, 30), D(2026, 12, 4), "Dana", 25),
        moved(3, 3, D(2026, 12, 4), D(2026, 12, 10), "", 26, cause="cascade"),  # pushed by a predecessor
        moved(4, 3, D(2026, 12, 10), D(2026, 12, 14), "Casey", 27),
    )

    [escalation] = run(rule_deadline_moved, project(build_task(), deadline_changes=changes))

    assert escalation.message == (
        "“Build landing page” (Website relaunch) has been moved three times, "
        "from Tue 24 Nov to Mon 14 Dec, by Casey and Dana."
    )
    assert (escalation.severity, escalation.section) == ("high", "needs_decision")
    assert escalation.fingerprint == "deadline_moved:task:3"
    assert escalation.facts["change_ids"] == [1, 2, 4]


def test_a_deadline_moved_twice_and_back_says_it_is_due_on_the_same_day_again():
    changes = (
        moved(1, 3, D(2026, 12, 14), D(2026, 12, 16), "Casey", 20),
        moved(2, 3, D(2026, 12, 16), D(2026, 12, 14), "Casey", 21),
    )

    [escalation] = run(rule_deadline_moved, project(build_task(), deadline_changes=changes))

    assert escalation.message == (
        "“Build landing page” (Website relaunch) has been moved twice by Casey and is due Mon 14 Dec again."
    )
    assert escalation.severity == "medium"


def test_one_move_by_hand_and_cascades_do_not_escalate():
    changes = (
        moved(1, 3, D(2026, 11, 24), D(2026, 11, 30), "Casey", 20),
        moved(2, 3, D(2026, 11, 30), D(2026, 12, 14), "", 25, cause="cascade"),
        moved(3, 3, D(2026, 11, 30), D(2026, 12, 14), "Casey", 26, cause="change_request"),
    )
    assert run(rule_deadline_moved, project(build_task(), deadline_changes=changes)) == []


def test_a_finished_task_moved_twice_does_not_escalate():
    changes = (
        moved(1, 3, D(2026, 11, 24), D(2026, 11, 30), "Casey", 20),
        moved(2, 3, D(2026, 11, 30), D(2026, 12, 14), "Casey", 25),
    )
    assert run(rule_deadline_moved, project(build_task(status="done"), deadline_changes=changes)) == []


# ---------------------------------------------------------------- 3. capacity

THIS_WEEK, NEXT_WEEK = D(2026, 11, 30), D(2026, 12, 7)
DANA = MemberSnap(id=100, name="Dana", weekly_capacity_hours=40)
CASEY = MemberSnap(id=101, name="Casey", weekly_capacity_hours=40)


def test_an_overloaded_week_names_the_person_the_hours_and_the_projects():
    load = {(100, NEXT_WEEK): (52.0, ("Website relaunch", "Spring campaign", "Newsletter"))}

    [escalation] = run(rule_capacity, project(members=(DANA,), weekly_load=load))

    assert escalation.message == (
        "Dana has 52 hours of work in the week of Mon 7 Dec against a capacity of 40, "
        "across Website relaunch, Spring campaign and Newsletter."
    )
    assert escalation.fingerprint == "capacity:member:100:week:2026-12-07"
    assert (escalation.severity, escalation.member_id, escalation.project_id) == ("high", 100, None)
    assert escalation.facts["over_by"] == 12.0


def test_an_overload_this_week_from_one_project_says_so():
    load = {(101, THIS_WEEK): (44.5, ("Website relaunch",))}

    [escalation] = run(rule_capacity, project(members=(CASEY,), weekly_load=load))

    assert escalation.message == (
        "Casey has 44.5 hours of work this week against a capacity of 40, all on Website relaunch."
    )
    assert escalation.severity == "medium"


def test_full_weeks_later_weeks_and_people_who_left_do_not_escalate():
    left = MemberSnap(id=102, name="Lee", weekly_capacity_hours=40, is_active=False)
    load = {
        (100, THIS_WEEK): (40.0, ("Website relaunch",)),  # exactly full is fine
        (100, D(2026, 12, 14)): (60.0, ("Website relaunch",)),  # three weeks out
        (102, NEXT_WEEK): (60.0, ("Website relaunch",)),
    }
    assert run(rule_capacity, project(members=(DANA, left), weekly_load=load)) == []


def test_a_weekend_scan_checks_the_coming_week_as_this_week():
    load = {(100, NEXT_WEEK): (45.0, ("Website relaunch",)), (100, THIS_WEEK): (80.0, ("Website relaunch",))}

    [escalation] = run(rule_capacity, project(members=(DANA,), weekly_load=load), today=D(2026, 12, 5))

    assert escalation.message.startswith("Dana has 45 hours of work in the week of Mon 7 Dec")
    assert capacity_weeks(D(2026, 12, 5), WEEKDAYS) == [NEXT_WEEK, D(2026, 12, 14)]
    assert capacity_weeks(TODAY, WEEKDAYS) == [THIS_WEEK, NEXT_WEEK]


def test_an_agency_wide_overload_is_reported_once_across_projects():
    load = {(100, NEXT_WEEK): (52.0, ("Website relaunch", "Spring campaign"))}
    first = project(members=(DANA,), weekly_load=load)
    second = project(project_id=10, project_name="Spring campaign", members=(DANA,), weekly_load=load)

    found = evaluate_many([first, second], today=TODAY, calendar=WEEKDAYS)

    assert [e.fingerprint for e in found if e.rule == "capacity"] == ["capacity:member:100:week:2026-12-07"]


def test_a_scan_of_many_projects_finds_exactly_what_each_project_finds_alone():
    """Running the agency-wide rules once per scan must not lose or add anything."""
    # As a scan builds them: every project's snapshot carries the same team and the same agency-wide load.
    load = {(100, THIS_WEEK): (50.0, ("Website relaunch", "Spring campaign")), (100, NEXT_WEEK): (20.0, ())}
    projects = [
        dataclasses.replace(snapshot, members=(DANA,), weekly_load=load)
        for snapshot in (
            everything_at_risk(),
            project(project_id=10, project_name="Spring campaign"),
            seed_project(project_id=11),
        )
    ]

    found = evaluate_many(projects, today=TODAY, calendar=WEEKDAYS)

    expected: dict[str, object] = {}
    for snapshot in projects:
        for escalation in evaluate(snapshot, today=TODAY, calendar=WEEKDAYS):
            expected.setdefault(escalation.fingerprint, escalation)
    assert sorted(e.fingerprint for e in found) == sorted(expected)
    assert {e.fingerprint: e for e in found} == expected
    assert any(e.rule == "capacity" for e in found)


# ---------------------------------------------------------------- 4. owner unclear


def test_unowned_work_starting_soon_is_escalated_with_its_start():
    tasks = (
        task(
            5,
            "landing",
            "Build landing page",
            D(2026, 12, 4),
            D(2026, 12, 8),
            3,
            assignee_id=None,
            assignee_name="",
        ),
        task(
            6,
            "banner",
            "Resize banners",
            D(2026, 12, 3),
            D(2026, 12, 3),
            1,
            assignee_id=None,
            assignee_name="",
        ),
    )

    escalations = run(rule_owner_unclear, project(*tasks))

    assert messages(escalations) == [
        "Nobody owns “Resize banners” (Website relaunch), which starts tomorrow.",
        "Nobody owns “Build landing page” (Website relaunch), which starts Friday.",
    ]
    assert [e.severity for e in escalations] == ["high", "medium"]
    assert [e.fingerprint for e in escalations] == ["owner_unclear:task:6", "owner_unclear:task:5"]


def test_work_assigned_to_someone_who_left_names_them():
    emails = task(
        7,
        "emails",
        "Write launch emails",
        D(2026, 12, 7),
        D(2026, 12, 8),
        2,
        assignee_id=102,
        assignee_name="Lee",
        assignee_active=False,
    )

    [escalation] = run(rule_owner_unclear, project(emails))

    assert escalation.message == (
        "“Write launch emails” (Website relaunch) is assigned to Lee, who has left the agency; "
        "it starts Monday."
    )
    assert escalation.member_id == 102


def test_unowned_work_that_should_have_started_says_so():
    late = task(8, "qa", "QA pass", D(2026, 11, 30), D(2026, 12, 3), 4, assignee_id=None, assignee_name="")

    [escalation] = run(rule_owner_unclear, project(late))

    assert escalation.message == "Nobody owns “QA pass” (Website relaunch), which was due to start Monday."


def test_owned_later_finished_and_milestone_work_does_not_escalate():
    unowned = {"assignee_id": None, "assignee_name": ""}
    tasks = (
        task(5, "landing", "Build landing page", D(2026, 12, 4), D(2026, 12, 8), 3),  # owner set
        task(6, "later", "Write report", D(2026, 12, 10), D(2026, 12, 10), 1, **unowned),  # after the window
        task(7, "done", "Kick-off", D(2026, 11, 30), D(2026, 11, 30), 1, status="done", **unowned),
        task(8, "launch", "Launch", D(2026, 12, 4), D(2026, 12, 4), 0, **unowned),
    )
    assert run(rule_owner_unclear, project(*tasks)) == []


# ---------------------------------------------------------------- 5. scope


def test_work_added_beyond_the_brief_names_the_deliverables_it_is_not_among():
    extra = task(
        11, "microsite", "Build microsite", D(2026, 12, 7), D(2026, 12, 9), 3, added_beyond_brief=True
    )
    snapshot = project(extra, brief_deliverables=("Landing page", "Email sequence"))

    [escalation] = run(rule_scope, snapshot)

    assert escalation.message == (
        "“Build microsite” (Website relaunch) was added after the plan and is not among the brief's "
        "deliverables: “Landing page” and “Email sequence”. "
        "Confirm it is in scope or raise a change request."
    )
    assert (escalation.fingerprint, escalation.section) == ("scope:task:11", "needs_decision")


def test_added_work_that_is_a_brief_deliverable_or_finished_is_not_a_scope_escalation():
    tasks = (
        task(11, "email", "Email sequence", D(2026, 12, 7), D(2026, 12, 9), 3, added_beyond_brief=True),
        task(
            12,
            "extra",
            "Extra banner",
            D(2026, 11, 30),
            D(2026, 11, 30),
            1,
            added_beyond_brief=True,
            status="done",
        ),
    )
    assert run(rule_scope, project(*tasks, brief_deliverables=("Landing page", "email  sequence"))) == []


def test_a_revision_round_beyond_those_included_is_out_of_scope():
    approvals = (
        ApprovalSnap(id=21, title="Homepage design", due_at=D(2026, 12, 4), revision_round=3),
        ApprovalSnap(id=22, title="Email design", due_at=D(2026, 12, 4), revision_round=2),
        ApprovalSnap(id=23, title="Banner set", due_at=D(2026, 12, 1), revision_round=4, decided=True),
    )

    [escalation] = run(rule_scope, project(approvals=approvals, revision_rounds_included=2))

    assert escalation.message == (
        "“Homepage design” (Website relaunch) is in revision round 3 of 2 included; "
        "the extra round is outside the agreed scope."
    )
    assert (escalation.approval_id, escalation.fingerprint) == (21, "scope:approval:21")


def test_work_started_on_a_pending_change_request_is_escalated_until_it_is_decided():
    pending = ChangeRequestSnap(id=31, title="Add a microsite", work_started=True, awaiting="Casey")

    [escalation] = run(rule_scope, project(change_requests=(pending,)))

    assert escalation.message == (
        "Work has started on “Add a microsite” (Website relaunch), a change request still waiting on Casey."
    )
    assert escalation.severity == "high"
    approved = dataclasses.replace(pending, status="approved")
    assert run(rule_scope, project(change_requests=(approved,))) == []


# ---------------------------------------------------------------- 6. launch at risk


def late_copy_plan(*, copy_status: str = "in_progress") -> tuple[TaskSnap, ...]:
    return (
        task(1, "copy", "Landing page copy", D(2026, 11, 25), D(2026, 11, 27), 3, status=copy_status),
        task(2, "design", "Design", D(2026, 11, 30), D(2026, 12, 4), 5, predecessors=(fs("copy"),)),
        task(
            3, "build", "Build landing page", D(2026, 12, 7), D(2026, 12, 11), 5, predecessors=(fs("design"),)
        ),
        task(4, "launch", "Launch", D(2026, 12, 14), D(2026, 12, 14), 0, predecessors=(fs("build"),)),
    )


def test_an_overdue_task_on_the_critical_path_puts_the_launch_at_risk():
    snapshot = project(*late_copy_plan(), launch_date=D(2026, 12, 14))

    [escalation] = run(rule_launch_at_risk, snapshot)

    assert escalation.message == (
        "The Website relaunch launch is forecast for Thu 17 Dec, three business days after the committed "
        "Mon 14 Dec, because “Landing page copy” is still open past its due date."
    )
    assert (escalation.severity, escalation.section) == ("high", "blocked")
    assert (escalation.fingerprint, escalation.task_id) == ("launch_at_risk:project:9", 1)
    assert escalation.facts["slip_business_days"] == 3
    assert escalation.facts["critical_path_task_ids"] == [1, 2, 3, 4]


def test_work_that_never_started_is_named_when_it_pushes_the_launch():
    tasks = late_copy_plan(copy_status="done")
    snapshot = project(*tasks, project_name="Spring launch", launch_date=D(2026, 12, 14))

    [escalation] = run(rule_launch_at_risk, snapshot)

    assert escalation.message == (
        "The Spring launch is forecast for Wed 16 Dec, two business days after the committed Mon 14 Dec, "
        "because “Design” was due to start Monday and has not."
    )


def test_work_planned_past_the_launch_date_is_named_when_nothing_is_late():
    tasks = (task(2, "design", "Design", D(2026, 12, 7), D(2026, 12, 11), 5),)

    [escalation] = run(rule_launch_at_risk, project(*tasks, launch_date=D(2026, 12, 10)))

    assert escalation.message == (
        "The Website relaunch launch is forecast for Fri 11 Dec, one business day after the committed "
        "Thu 10 Dec, because “Design” is planned to finish after the launch date."
    )
    assert escalation.facts["cause"] == "planned_late"


def test_a_project_on_track_has_no_launch_risk():
    on_track = (
        task(1, "copy", "Landing page copy", D(2026, 11, 25), D(2026, 11, 27), 3, status="done"),
        task(
            2,
            "design",
            "Design",
            D(2026, 11, 30),
            D(2026, 12, 4),
            5,
            predecessors=(fs("copy"),),
            status="in_progress",
        ),
        task(
            3, "build", "Build landing page", D(2026, 12, 7), D(2026, 12, 11), 5, predecessors=(fs("design"),)
        ),
        task(4, "launch", "Launch", D(2026, 12, 14), D(2026, 12, 14), 0, predecessors=(fs("build"),)),
    )
    assert run(rule_launch_at_risk, project(*on_track, launch_date=D(2026, 12, 14))) == []


def test_the_forecast_keeps_finished_work_and_starts_late_work_today():
    slots = forecast_slots(project(*late_copy_plan()), today=TODAY, calendar=WEEKDAYS)

    assert slots == {
        "copy": Slot(D(2026, 11, 25), D(2026, 12, 2)),  # under way, overdue: ends today at best
        "design": Slot(D(2026, 12, 3), D(2026, 12, 9)),  # waits for the copy, keeps five days
        "build": Slot(D(2026, 12, 10), D(2026, 12, 16)),
        "launch": Slot(D(2026, 12, 17), D(2026, 12, 17)),
    }
    done = forecast_slots(project(*late_copy_plan(copy_status="done")), today=TODAY, calendar=WEEKDAYS)
    assert done["copy"] == Slot(D(2026, 11, 25), D(2026, 11, 27))


# ---------------------------------------------------------------- 7. decision needed


def test_a_pending_decision_names_who_decides_and_what_waits_on_it():
    tasks = (
        task(
            2,
            "offer",
            "Design ad creative",
            D(2026, 12, 3),
            D(2026, 12, 4),
            2,
            needs_decision=True,
            decision_question="Which offer leads the campaign?",
            decision_by="Casey",
        ),
        task(
            3, "build", "Build landing page", D(2026, 12, 7), D(2026, 12, 8), 2, predecessors=(fs("offer"),)
        ),
        task(4, "ads", "Traffic ads", D(2026, 12, 8), D(2026, 12, 8), 1, predecessors=(fs("offer"),)),
        task(5, "launch", "Launch", D(2026, 12, 9), D(2026, 12, 9), 0, predecessors=(fs("build"), fs("ads"))),
    )

    [escalation] = run(rule_decision_needed, project(*tasks))

    assert escalation.message == (
        "Casey needs to decide “Which offer leads the campaign?” for “Design ad creative” "
        "(Website relaunch), which is due Friday. “Build landing page” and two more tasks wait on it."
    )
    assert (escalation.severity, escalation.section) == ("high", "needs_decision")
    assert escalation.facts["tasks_waiting"] == 3


def test_an_overdue_decision_says_the_work_was_due():
    overdue = task(
        6,
        "offer",
        "Confirm offer",
        D(2026, 11, 25),
        D(2026, 11, 26),
        2,
        needs_decision=True,
        decision_by="Casey",
    )

    [escalation] = run(rule_decision_needed, project(overdue))

    assert escalation.message == (
        "Casey needs to make the decision on “Confirm offer” (Website relaunch), which was due Thursday."
    )


def test_a_decision_with_nobody_named_says_so():
    tasks = (
        task(2, "offer", "Design ad creative", D(2026, 12, 14), D(2026, 12, 15), 2, needs_decision=True),
        task(
            3, "build", "Build landing page", D(2026, 12, 16), D(2026, 12, 16), 1, predecessors=(fs("offer"),)
        ),
    )

    [escalation] = run(rule_decision_needed, project(*tasks))

    assert escalation.message == (
        "No one is named to make the decision on “Design ad creative” (Website relaunch), "
        "which is due Tue 15 Dec. “Build landing page” waits on it."
    )
    assert escalation.severity == "medium"  # the work starts after the window


def test_an_overdue_approval_names_the_approver_and_the_work_it_holds_up():
    gated = task(3, "build", "Build landing page", D(2026, 12, 3), D(2026, 12, 4), 2)
    approvals = (
        ApprovalSnap(
            id=21,
            title="Homepage design",
            due_at=D(2026, 12, 1),
            final_approver_name="Jordan Lee",
            gated_task_key="build",
        ),
        ApprovalSnap(id=22, title="Banner set", due_at=D(2026, 11, 24)),
        ApprovalSnap(id=23, title="Email design", due_at=D(2026, 11, 30), decided=True),
        ApprovalSnap(id=24, title="Social posts", due_at=TODAY),  # due today: not late yet
    )

    escalations = run(rule_decision_needed, project(gated, approvals=approvals))

    assert messages(escalations) == [
        "No final approver is named for “Banner set” (Website relaunch), due Tue 24 Nov.",
        "Jordan Lee has not decided on “Homepage design” (Website relaunch), due yesterday; "
        "“Build landing page” waits on it.",
    ]
    assert [e.severity for e in escalations] == ["medium", "high"]
    assert [(e.approval_id, e.task_id) for e in escalations] == [(22, None), (21, 3)]


def test_a_pending_change_request_waits_for_a_decision_and_is_said_once():
    requests = (
        ChangeRequestSnap(id=31, title="Add a microsite", awaiting="Casey"),
        ChangeRequestSnap(id=32, title="Extra banner sizes", work_started=True, awaiting="Casey"),
        ChangeRequestSnap(id=33, title="New hero video", status="rejected"),
    )

    escalations = run(rule_decision_needed, project(change_requests=requests))

    assert messages(escalations) == [
        "The change request “Add a microsite” (Website relaunch) is waiting for a decision from Casey."
    ]
    # The one with work under way is a scope escalation instead.
    assert [e.fingerprint for e in run(rule_scope, project(change_requests=requests))] == [
        "scope:change_request:32"
    ]


# ---------------------------------------------------------------- evaluate


def everything_at_risk(project_id: int = 9) -> ProjectSnapshot:
    """One project where every rule finds something."""
    tasks = (
        *seed_tasks(),
        task(5, "qa", "QA pass", D(2026, 12, 4), D(2026, 12, 4), 1, assignee_id=None, assignee_name=""),
        task(
            6,
            "offer",
            "Confirm offer",
            D(2026, 11, 17),
            D(2026, 11, 26),
            8,
            needs_decision=True,
            decision_by="Casey",
            added_beyond_brief=True,
        ),
    )
    return project(
        *tasks,
        project_id=project_id,
        inputs=(copy_input(),),
        deadline_changes=(
            moved(1, 3, D(2026, 12, 4), D(2026, 12, 8), "Casey", 20),
            moved(2, 3, D(2026, 12, 8), D(2026, 12, 9), "Dana", 21),
        ),
        members=(DANA,),
        weekly_load={(100, NEXT_WEEK): (52.0, ("Website relaunch", "Spring campaign"))},
        brief_deliverables=("Landing page",),
        approvals=(ApprovalSnap(id=21, title="Homepage design", due_at=D(2026, 12, 1), revision_round=3),),
        change_requests=(ChangeRequestSnap(id=31, title="Add a microsite", awaiting="Casey"),),
    )


def test_evaluate_runs_every_rule_and_files_each_escalation_in_its_section():
    found = evaluate(everything_at_risk(), today=TODAY, calendar=WEEKDAYS)

    assert {e.rule for e in found} == set(SECTION_OF_RULE)
    assert all(e.section == SECTION_OF_RULE[e.rule] for e in found)
    assert all(e.message.endswith(".") and e.fingerprint.startswith(f"{e.rule}:") for e in found)


def test_fingerprints_are_stable_across_scans_and_distinct_between_risks():
    first = evaluate(everything_at_risk(), today=TODAY, calendar=WEEKDAYS)
    second = evaluate(everything_at_risk(), today=TODAY, calendar=WEEKDAYS)

    assert first == second
    fingerprints = [e.fingerprint for e in first]
    assert len(fingerprints) == len(set(fingerprints))
    assert sorted(fingerprints) == [
        "capacity:member:100:week:2026-12-07",
        "deadline_moved:task:3",
        "decision_needed:approval:21",
        "decision_needed:change_request:31",
        "decision_needed:task:6",
        "launch_at_risk:project:9",
        "missing_input:input:42",
        "owner_unclear:task:5",
        "scope:approval:21",
        "scope:task:6",
    ]


def test_a_risk_keeps_its_fingerprint_while_its_wording_changes_day_to_day():
    wednesday = evaluate(seed_project(), today=D(2026, 12, 2), calendar=WEEKDAYS)
    thursday = evaluate(seed_project(), today=D(2026, 12, 3), calendar=WEEKDAYS)

    [before] = [e for e in wednesday if e.rule == "missing_input"]
    [after] = [e for e in thursday if e.rule == "missing_input"]
    assert before.fingerprint == after.fingerprint
    assert before.message != after.message


def test_a_project_with_nothing_at_risk_has_no_escalations():
    calm = project(
        task(1, "brief", "Write brief", D(2026, 11, 30), D(2026, 12, 1), 2, status="done"),
        task(2, "design", "Design", D(2026, 12, 3), D(2026, 12, 7), 3, predecessors=(fs("brief"),)),
        inputs=(copy_input(received_at=D(2026, 12, 1)),),
        members=(DANA,),
        weekly_load={(100, NEXT_WEEK): (30.0, ("Website relaunch",))},
    )
    assert evaluate(calm, today=TODAY, calendar=WEEKDAYS) == []


def _generated_project(project_id: int, rng: random.Random, tasks_per_project: int) -> ProjectSnapshot:
    """A chain-and-fan plan starting three weeks before today, with late inputs and loose ends."""
    base = project_id * 1000
    start = WEEKDAYS.add_business_days(TODAY, -15)
    tasks: list[TaskSnap] = []
    inputs: list[InputSnap] = []
    for i in range(tasks_per_project):
        duration = rng.choice((0, 1, 2, 3, 5))
        begin = WEEKDAYS.add_business_days(start, i)
        due = begin if duration == 0 else WEEKDAYS.add_business_days(begin, duration - 1)
        preds = tuple(fs(f"t{j}") for j in sorted({rng.randrange(i) for _ in range(2)})) if i else ()
        input_ids: tuple[int, ...] = ()
        if i % 10 == 5:
            inputs.append(
                InputSnap(id=base + i, description=f"Asset {i}", expected_by=TODAY - timedelta(days=2))
            )
            input_ids = (base + i,)
        tasks.append(
            TaskSnap(
                id=base + i,
                key=f"t{i}",
                title=f"Task {i}",
                start=begin,
                due=due,
                duration=duration,
                status="done"
                if begin < TODAY - timedelta(days=10)
                else rng.choice(("not_started", "in_progress")),
                assignee_id=None if i % 7 == 0 else 100,
                assignee_name="Dana",
                predecessors=preds,
                input_ids=input_ids,
                needs_decision=i % 13 == 0,
                decision_by="Casey",
                added_beyond_brief=i % 17 == 0,
            )
        )
    finish = max(t.due for t in tasks)
    changes = tuple(
        DeadlineChangeSnap(
            id=base + n,
            task_id=base + 40,
            old_due=finish,
            new_due=finish,
            changed_by_name="Casey",
            changed_at=datetime(2026, 11, 20 + n),
        )
        for n in range(2)
    )
    return ProjectSnapshot(
        project_id=project_id,
        project_name=f"Project {project_id}",
        client_name="Client",
        launch_date=finish,
        tasks=tuple(tasks),
        inputs=tuple(inputs),
        deadline_changes=changes,
        members=(DANA,),
        weekly_load={(100, NEXT_WEEK): (55.0, ("Project 1", "Project 2"))},
        approvals=(
            ApprovalSnap(id=base, title="Design", due_at=TODAY - timedelta(days=1), revision_round=3),
        ),
        change_requests=(ChangeRequestSnap(id=base, title="Extra", awaiting="Casey"),),
    )


def test_evaluate_scans_an_agency_of_25000_tasks(capsys):
    rng = random.Random(7)
    snapshots = [_generated_project(p, rng, 50) for p in range(1, 501)]

    began = time.perf_counter()
    found = evaluate_many(snapshots, today=TODAY, calendar=WEEKDAYS)
    elapsed = time.perf_counter() - began

    with capsys.disabled():
        print(f"\nrisk scan: 500 projects x 50 tasks, {len(found)} escalations in {elapsed:.2f}s")
    assert {e.rule for e in found} == set(SECTION_OF_RULE)
    assert len({e.fingerprint for e in found}) == len(found)


# ---------------------------------------------------------------- 6b. retainers are not launches


def retainer_plan(*, february_status: str = "not_started") -> tuple[TaskSnap, ...]:
    return (
        task(1, "onboarding", "Retainer onboarding", D(2026, 12, 7), D(2026, 12, 8), 2),
        task(
            2,
            "starts",
            "Retainer starts",
            D(2026, 12, 18),
            D(2026, 12, 18),
            0,
            predecessors=(fs("onboarding"),),
        ),
        task(
            3,
            "monthly-plan",
            "Monthly content plan (Feb 2027)",
            D(2027, 2, 1),
            D(2027, 2, 1),
            1,
            period=D(2027, 2, 1),
        ),
        task(
            4,
            "monthly-report",
            "Monthly report (Feb 2027)",
            D(2027, 2, 24),
            D(2027, 2, 26),
            3,
            predecessors=(fs("monthly-plan"),),
            period=D(2027, 2, 1),
            status=february_status,
        ),
    )


def test_a_retainers_later_months_are_not_a_launch_running_late():
    snapshot = project(*retainer_plan(), project_name="Cobalt retainer", launch_date=D(2026, 12, 18))
    # Before: "launch is forecast for Fri 26 Feb 2027, 47 business days after the planned Fri 18 Dec".
    assert run(rule_launch_at_risk, snapshot) == []


def test_a_retainer_month_running_late_is_measured_against_its_own_deadline():
    tasks = (
        task(
            3,
            "monthly-plan",
            "Monthly content plan (Dec 2026)",
            D(2026, 11, 30),
            D(2026, 12, 1),
            2,
            period=D(2026, 12, 1),
        ),
        task(
            4,
            "monthly-content",
            "Monthly content (Dec 2026)",
            D(2026, 12, 2),
            D(2026, 12, 4),
            3,
            predecessors=(fs("monthly-plan"),),
            period=D(2026, 12, 1),
        ),
    )
    snapshot = project(*tasks, project_name="Cobalt retainer", launch_date=D(2026, 10, 30))

    [escalation] = run(rule_launch_at_risk, snapshot)

    assert escalation.fingerprint == "launch_at_risk:project:9:period:2026-12-01"
    assert escalation.facts["deadline"] == "2026-12-04" and escalation.facts["period"] == "2026-12-01"
    assert "the Dec 2026 work is forecast for" in escalation.message
    assert "after its deadline" in escalation.message and "launch" not in escalation.message
