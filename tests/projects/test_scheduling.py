"""Business-day scheduling, tested with plain values only (no database)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import pytest

from projects.scheduling import (
    BusinessCalendar,
    CycleError,
    Dependency,
    PlanTask,
    Recurrence,
    Slot,
    TaskGraph,
    _latest_slots,  # the date-by-date walk the critical set is checked against
    back_schedule,
    calendar_for,
    cascade,
    critical_path,
    critical_tasks,
    describe_forecast,
    describe_launch_shift,
    find_cycle,
    launch_shift,
    occurrences,
    occurrences_due,
    plan_critical_tasks,
    plan_start,
    shortfall,
    task_graph,
    total_float,
    violated_dependencies,
    working_week,
    would_create_cycle,
)

WEEKDAYS = BusinessCalendar()  # Monday to Friday, no holidays

# May 2026: Fri 8, Mon 11, Tue 12, Wed 13, Thu 14, Fri 15, Mon 18 ... Fri 29.
D = date


def fs(key: str, lag: int = 0) -> Dependency:
    return Dependency(key, "FS", lag)


def ss(key: str, lag: int = 0) -> Dependency:
    return Dependency(key, "SS", lag)


def task(key: str, duration: int, *predecessors: Dependency) -> PlanTask:
    return PlanTask(key, duration, tuple(predecessors))


# ---------------------------------------------------------------- independent reference
# Deliberately naive, day-by-day versions of the rules, to check the fast module against.


def naive_is_business_day(cal: BusinessCalendar, d: date) -> bool:
    return d.weekday() in cal.working_weekdays and d not in cal.holidays and d not in cal.closures


def naive_add(cal: BusinessCalendar, d: date, n: int) -> date:
    if n == 0:
        while not naive_is_business_day(cal, d):
            d += timedelta(days=1)
        return d
    step = 1 if n > 0 else -1
    remaining = abs(n)
    while remaining:
        d += timedelta(days=step)
        if naive_is_business_day(cal, d):
            remaining -= 1
    return d


def naive_count(cal: BusinessCalendar, a: date, b: date) -> int:
    lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
    return sign * sum(naive_is_business_day(cal, lo + timedelta(days=i)) for i in range((hi - lo).days))


def naive_earliest_start(cal: BusinessCalendar, pred: PlanTask, pred_slot: Slot, dep: Dependency) -> date:
    if dep.kind == "SS":
        return naive_add(cal, pred_slot.start, dep.lag)
    if pred.duration == 0:
        return naive_add(cal, pred_slot.due, dep.lag)
    return naive_add(cal, pred_slot.due, dep.lag + 1)


def naive_span(cal: BusinessCalendar, slot: Slot) -> int:
    return naive_count(cal, slot.start, slot.due) + 1


def assert_valid_schedule(
    cal: BusinessCalendar, tasks: Iterable[PlanTask], slots: Mapping[str, Slot]
) -> None:
    by_key = {t.key: t for t in tasks}
    assert set(slots) == set(by_key)
    for key, t in by_key.items():
        slot = slots[key]
        assert naive_is_business_day(cal, slot.start), (key, slot)
        assert naive_is_business_day(cal, slot.due), (key, slot)
        if t.duration == 0:
            assert slot.start == slot.due
        else:
            assert naive_span(cal, slot) == t.duration, (key, slot)
        for dep in t.predecessors:
            pred = by_key[dep.predecessor]
            assert slot.start >= naive_earliest_start(cal, pred, slots[pred.key], dep), (
                pred.key,
                key,
            )


def random_calendar(rng: random.Random, around: date) -> BusinessCalendar:
    working = frozenset(w for w in range(7) if rng.random() < 0.7) or frozenset({rng.randrange(7)})
    days = [around + timedelta(days=rng.randint(-400, 60)) for _ in range(rng.randint(0, 40))]
    closure_start = around - timedelta(days=rng.randint(0, 120))
    closures = [closure_start + timedelta(days=i) for i in range(rng.randint(0, 12))]
    return BusinessCalendar(working, frozenset(days), frozenset(closures))


def random_plan(rng: random.Random) -> list[PlanTask]:
    count = rng.randint(1, 25)
    tasks = []
    for i in range(count):
        deps: list[Dependency] = []
        for j in range(i):
            if rng.random() < 0.25:
                deps.append(
                    Dependency(f"T{j}", "FS" if rng.random() < 0.7 else "SS", rng.choice([0, 0, 0, 1, 2, 5]))
                )
        tasks.append(PlanTask(f"T{i}", rng.choice([0, 1, 1, 2, 3, 5, 8]), tuple(deps)))
    rng.shuffle(tasks)  # input order need not be topological
    return tasks


# ---------------------------------------------------------------- calendar


def test_weekends_are_not_business_days():
    assert WEEKDAYS.is_business_day(D(2026, 5, 8))
    assert not WEEKDAYS.is_business_day(D(2026, 5, 9))
    assert not WEEKDAYS.is_business_day(D(2026, 5, 10))


def test_adding_one_business_day_to_a_friday_lands_on_monday():
    assert WEEKDAYS.add_business_days(D(2026, 5, 8), 1) == D(2026, 5, 11)
    assert WEEKDAYS.add_business_days(D(2026, 5, 8), 6) == D(2026, 5, 18)


def test_adding_zero_business_days_keeps_a_business_day_and_rolls_a_weekend_forward():
    assert WEEKDAYS.add_business_days(D(2026, 5, 12), 0) == D(2026, 5, 12)
    assert WEEKDAYS.add_business_days(D(2026, 5, 9), 0) == D(2026, 5, 11)


def test_positive_days_count_strictly_after_a_weekend_day():
    assert WEEKDAYS.add_business_days(D(2026, 5, 9), 1) == D(2026, 5, 11)
    assert WEEKDAYS.add_business_days(D(2026, 5, 10), 2) == D(2026, 5, 12)


def test_negative_days_count_strictly_before():
    assert WEEKDAYS.add_business_days(D(2026, 5, 11), -1) == D(2026, 5, 8)
    assert WEEKDAYS.add_business_days(D(2026, 5, 9), -1) == D(2026, 5, 8)
    assert WEEKDAYS.add_business_days(D(2026, 5, 18), -6) == D(2026, 5, 8)


def test_rolling_moves_only_non_business_days():
    assert WEEKDAYS.roll_forward(D(2026, 5, 9)) == D(2026, 5, 11)
    assert WEEKDAYS.roll_backward(D(2026, 5, 10)) == D(2026, 5, 8)
    assert WEEKDAYS.roll_forward(D(2026, 5, 12)) == D(2026, 5, 12)
    assert WEEKDAYS.roll_backward(D(2026, 5, 12)) == D(2026, 5, 12)


def test_business_days_between_is_signed_and_counts_from_the_first_day_inclusive():
    assert WEEKDAYS.business_days_between(D(2026, 5, 8), D(2026, 5, 11)) == 1
    assert WEEKDAYS.business_days_between(D(2026, 5, 11), D(2026, 5, 8)) == -1
    assert WEEKDAYS.business_days_between(D(2026, 5, 12), D(2026, 5, 12)) == 0
    # Non-business ends: the count of business days in [a, b).
    assert WEEKDAYS.business_days_between(D(2026, 5, 9), D(2026, 5, 16)) == 5


def test_business_days_between_and_add_round_trip_on_business_days():
    rng = random.Random(7)
    cal = calendar_for(country="GB", subdivision="ENG", years=range(2026, 2029))
    days = [d for d in (D(2026, 1, 1) + timedelta(days=i) for i in range(900)) if cal.is_business_day(d)]
    for _ in range(500):
        a, b = rng.choice(days), rng.choice(days)
        assert cal.add_business_days(a, cal.business_days_between(a, b)) == b


@pytest.mark.parametrize("seed", range(12))
def test_fast_calendar_agrees_with_day_by_day_counting(seed):
    rng = random.Random(seed)
    around = D(2026, 6, 1)
    cal = random_calendar(rng, around)
    for _ in range(150):
        d = around + timedelta(days=rng.randint(-500, 200))
        n = rng.randint(-40, 40)
        assert cal.add_business_days(d, n) == naive_add(cal, d, n), (d, n)
        other = d + timedelta(days=rng.randint(-60, 60))
        assert cal.business_days_between(d, other) == naive_count(cal, d, other)
        assert cal.is_business_day(d) == naive_is_business_day(cal, d)


def test_a_calendar_needs_a_working_weekday():
    with pytest.raises(ValueError, match="at least one working weekday"):
        BusinessCalendar(working_weekdays=frozenset())


def test_a_calendar_refuses_weekdays_outside_monday_to_sunday():
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6"):
        BusinessCalendar(working_weekdays=frozenset({0, 7}))


def test_calendars_with_the_same_days_are_equal_and_hashable():
    a = BusinessCalendar(frozenset({0, 1}), frozenset({D(2026, 5, 11)}))
    b = BusinessCalendar(frozenset({1, 0}), frozenset({D(2026, 5, 11)}))
    assert a == b
    assert len({a, b}) == 1


def test_us_thanksgiving_2026_is_not_a_business_day():
    cal = calendar_for(country="US", years=range(2026, 2027))
    assert not cal.is_business_day(D(2026, 11, 26))
    assert cal.add_business_days(D(2026, 11, 25), 1) == D(2026, 11, 27)


def test_england_2027_easter_closes_good_friday_and_easter_monday():
    cal = calendar_for(country="GB", subdivision="ENG", years=range(2027, 2028))
    assert not cal.is_business_day(D(2027, 3, 26))
    assert not cal.is_business_day(D(2027, 3, 29))
    assert cal.add_business_days(D(2027, 3, 25), 1) == D(2027, 3, 30)


def test_country_codes_are_case_insensitive():
    cal = calendar_for(country="gb", subdivision="ENG", years=range(2027, 2028))
    assert not cal.is_business_day(D(2027, 3, 29))


def test_an_unknown_country_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="Unknown country code 'XX'"):
        calendar_for(country="XX", years=range(2026, 2027))


def test_an_unknown_subdivision_is_refused_and_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown subdivision 'ZZ' for country GB.*ENG"):
        calendar_for(country="GB", subdivision="ZZ", years=range(2026, 2027))


def test_a_calendar_needs_at_least_one_year_of_holidays():
    with pytest.raises(ValueError, match="at least one year"):
        calendar_for(country="US", years=range(2026, 2026))


def test_agency_closures_are_skipped_like_holidays():
    closures = [D(2026, 12, 28), D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31)]
    cal = calendar_for(country="US", closures=closures, years=range(2026, 2028))
    # Thu 24 Dec, then Christmas, the weekend, the closure, New Year's Day, the weekend.
    assert cal.add_business_days(D(2026, 12, 24), 1) == D(2027, 1, 4)
    assert cal.business_days_between(D(2026, 12, 24), D(2027, 1, 4)) == 1


def test_a_four_day_week_makes_friday_a_day_off():
    cal = calendar_for(country="US", working_weekdays=(0, 1, 2, 3), years=range(2026, 2027))
    assert not cal.is_business_day(D(2026, 5, 15))
    assert cal.add_business_days(D(2026, 5, 14), 1) == D(2026, 5, 18)
    assert cal.business_days_between(D(2026, 5, 11), D(2026, 5, 18)) == 4


def test_a_holiday_on_a_weekend_changes_nothing():
    cal = BusinessCalendar(holidays=frozenset({D(2026, 5, 9)}))
    assert cal.add_business_days(D(2026, 5, 8), 1) == D(2026, 5, 11)
    assert cal.business_days_between(D(2026, 5, 4), D(2026, 5, 18)) == 10


# ---------------------------------------------------------------- plan model


def test_a_negative_lag_is_refused():
    with pytest.raises(ValueError, match="lag cannot be negative"):
        Dependency("A", "FS", -1)


def test_an_unknown_dependency_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown dependency kind"):
        Dependency("A", "FF")  # type: ignore[arg-type]


def test_a_negative_duration_is_refused():
    with pytest.raises(ValueError, match="negative duration"):
        PlanTask("A", -1)


def test_a_slot_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="cannot end"):
        Slot(D(2026, 5, 12), D(2026, 5, 11))


def test_two_tasks_with_the_same_key_are_refused():
    with pytest.raises(ValueError, match="share the key 'A'"):
        task_graph([task("A", 1), task("A", 2)])


def test_a_dependency_on_a_task_outside_the_plan_is_refused():
    with pytest.raises(ValueError, match="'B' depends on 'Z', which is not in the plan"):
        find_cycle([task("A", 1), task("B", 1, fs("Z"))])


# ---------------------------------------------------------------- cycles


def test_a_plan_without_loops_has_no_cycle():
    assert find_cycle([task("A", 1), task("B", 1, fs("A")), task("C", 1, fs("A"), ss("B"))]) is None


def test_find_cycle_lists_the_loop_in_dependency_order_with_the_first_key_repeated():
    tasks = [task("A", 1, fs("C")), task("B", 1, fs("A")), task("C", 1, ss("B")), task("D", 1, fs("A"))]
    assert find_cycle(tasks) == ["A", "B", "C", "A"]


def test_a_task_depending_on_itself_is_a_loop():
    assert find_cycle([task("A", 1, fs("A"))]) == ["A", "A"]


def test_the_cycle_error_names_the_loop_with_task_titles():
    error = CycleError(["brief", "copy", "brief"], names={"brief": "Brief", "copy": "Copy"})
    assert str(error) == "These tasks depend on each other in a loop: Brief → Copy → Brief"
    assert error.cycle == ["brief", "copy", "brief"]
    assert isinstance(error, ValueError)


def test_the_cycle_error_falls_back_to_keys_without_titles():
    assert str(CycleError(["A", "B", "A"])) == "These tasks depend on each other in a loop: A → B → A"


def test_back_schedule_refuses_a_loop_and_says_which_tasks_form_it():
    tasks = [task("Brief", 1, fs("Copy")), task("Copy", 1, fs("Brief")), task("Launch", 0, fs("Copy"))]
    with pytest.raises(CycleError) as caught:
        back_schedule(tasks, launch=D(2026, 5, 15), calendar=WEEKDAYS)
    assert caught.value.cycle == ["Brief", "Copy", "Brief"]
    assert "Brief → Copy → Brief" in str(caught.value)


def test_a_new_link_closing_a_loop_is_detected_before_it_is_saved():
    tasks = [task("A", 1), task("B", 1, fs("A")), task("C", 1, fs("B"))]
    assert would_create_cycle(tasks, "C", "A") == ["C", "A", "B", "C"]
    assert would_create_cycle(tasks, "A", "C") is None
    assert would_create_cycle(tasks, "B", "B") == ["B", "B"]


def test_checking_a_link_to_an_unknown_task_is_refused():
    with pytest.raises(ValueError, match="'Z' is not in the plan"):
        would_create_cycle([task("A", 1)], "A", "Z")


# ---------------------------------------------------------------- back scheduling


def test_back_schedule_puts_the_last_task_on_launch_and_chains_back_over_weekends():
    tasks = [task("Brief", 2), task("Design", 3, fs("Brief")), task("Launch", 1, fs("Design"))]
    slots = back_schedule(tasks, launch=D(2026, 5, 15), calendar=WEEKDAYS)
    assert slots == {
        "Launch": Slot(D(2026, 5, 15), D(2026, 5, 15)),
        "Design": Slot(D(2026, 5, 12), D(2026, 5, 14)),
        "Brief": Slot(D(2026, 5, 8), D(2026, 5, 11)),
    }


def test_a_launch_on_a_weekend_is_rolled_back_to_friday():
    slots = back_schedule([task("Launch", 1)], launch=D(2026, 5, 17), calendar=WEEKDAYS)
    assert slots["Launch"] == Slot(D(2026, 5, 15), D(2026, 5, 15))


def test_every_task_without_successors_is_due_on_launch():
    tasks = [task("A", 3), task("B", 1, fs("A")), task("C", 2, fs("A"))]
    slots = back_schedule(tasks, launch=D(2026, 5, 15), calendar=WEEKDAYS)
    assert slots["B"].due == slots["C"].due == D(2026, 5, 15)
    assert slots["A"].due == D(2026, 5, 13)  # C needs Thu and Fri


def test_back_schedule_skips_good_friday_and_easter_monday_in_england():
    cal = calendar_for(country="GB", subdivision="ENG", years=range(2027, 2028))
    tasks = [task("Review", 2), task("Launch", 1, fs("Review"))]
    slots = back_schedule(tasks, launch=D(2027, 3, 31), calendar=cal)
    assert slots["Launch"] == Slot(D(2027, 3, 31), D(2027, 3, 31))
    assert slots["Review"] == Slot(D(2027, 3, 25), D(2027, 3, 30))


def test_back_schedule_skips_us_thanksgiving():
    cal = calendar_for(country="US", years=range(2026, 2027))
    tasks = [task("Build", 3), task("Go live", 0, fs("Build"))]
    slots = back_schedule(tasks, launch=D(2026, 11, 30), calendar=cal)
    assert slots["Go live"] == Slot(D(2026, 11, 30), D(2026, 11, 30))
    assert slots["Build"] == Slot(D(2026, 11, 24), D(2026, 11, 27))


def test_back_schedule_skips_agency_closures():
    cal = BusinessCalendar(closures=frozenset({D(2026, 5, 13), D(2026, 5, 14)}))
    slots = back_schedule([task("A", 2), task("B", 1, fs("A"))], launch=D(2026, 5, 15), calendar=cal)
    assert slots["A"] == Slot(D(2026, 5, 11), D(2026, 5, 12))


def test_back_schedule_in_a_four_day_week_never_uses_friday():
    cal = BusinessCalendar(working_weekdays=frozenset({0, 1, 2, 3}))
    slots = back_schedule([task("A", 3), task("B", 2, fs("A"))], launch=D(2026, 5, 19), calendar=cal)
    assert slots["B"] == Slot(D(2026, 5, 18), D(2026, 5, 19))
    assert slots["A"] == Slot(D(2026, 5, 12), D(2026, 5, 14))


def test_a_finish_to_start_lag_leaves_that_many_business_days_between():
    slots = back_schedule([task("A", 1), task("B", 1, fs("A", 2))], launch=D(2026, 5, 13), calendar=WEEKDAYS)
    assert slots["A"] == Slot(D(2026, 5, 8), D(2026, 5, 8))  # Mon and Tue are the lag


def test_a_start_to_start_link_lets_tasks_overlap_after_the_lag():
    slots = back_schedule([task("A", 2), task("B", 3, ss("A", 1))], launch=D(2026, 5, 15), calendar=WEEKDAYS)
    assert slots["B"] == Slot(D(2026, 5, 13), D(2026, 5, 15))
    assert slots["A"] == Slot(D(2026, 5, 12), D(2026, 5, 13))


def test_no_task_is_due_after_launch_even_with_only_start_to_start_links():
    slots = back_schedule([task("A", 5), task("B", 1, ss("A"))], launch=D(2026, 5, 15), calendar=WEEKDAYS)
    assert slots["B"] == Slot(D(2026, 5, 15), D(2026, 5, 15))
    assert slots["A"] == Slot(D(2026, 5, 11), D(2026, 5, 15))


def test_a_milestone_lets_its_successor_start_on_the_milestone_day():
    tasks = [task("Sign-off", 0), task("Build", 2, fs("Sign-off"))]
    slots = back_schedule(tasks, launch=D(2026, 5, 15), calendar=WEEKDAYS)
    assert slots["Build"] == Slot(D(2026, 5, 14), D(2026, 5, 15))
    assert slots["Sign-off"] == Slot(D(2026, 5, 14), D(2026, 5, 14))


def test_a_lag_after_a_milestone_counts_from_the_milestone_day():
    tasks = [task("Sign-off", 0), task("Build", 2, fs("Sign-off", 1))]
    slots = back_schedule(tasks, launch=D(2026, 5, 15), calendar=WEEKDAYS)
    assert slots["Sign-off"].due == D(2026, 5, 13)


def test_a_milestone_after_a_task_falls_on_the_next_business_day():
    tasks = [task("Build", 2), task("Go live", 0, fs("Build"))]
    slots = back_schedule(tasks, launch=D(2026, 5, 11), calendar=WEEKDAYS)
    assert slots["Build"] == Slot(D(2026, 5, 7), D(2026, 5, 8))


def test_back_schedule_accepts_a_prebuilt_task_graph():
    tasks = [task("A", 2), task("B", 1, fs("A"))]
    graph = task_graph(tasks)
    assert isinstance(graph, TaskGraph)
    assert back_schedule(graph, launch=D(2026, 5, 15), calendar=WEEKDAYS) == back_schedule(
        tasks, launch=D(2026, 5, 15), calendar=WEEKDAYS
    )


@pytest.mark.parametrize("seed", range(60))
def test_random_plans_back_schedule_to_a_valid_as_late_as_possible_plan(seed):
    rng = random.Random(seed)
    launch = D(2026, 6, 1) + timedelta(days=rng.randint(0, 30))
    cal = random_calendar(rng, launch)
    tasks = random_plan(rng)
    slots = back_schedule(tasks, launch=launch, calendar=cal)

    assert_valid_schedule(cal, tasks, slots)
    assert violated_dependencies(tasks, slots, calendar=cal) == []
    launch_day = launch
    while not naive_is_business_day(cal, launch_day):
        launch_day -= timedelta(days=1)
    has_successor = {dep.predecessor for t in tasks for dep in t.predecessors}
    for t in tasks:
        slot = slots[t.key]
        assert slot.due <= launch_day
        if t.key not in has_successor:
            assert slot.due == launch_day
            continue
        if slot.due == launch_day:
            continue
        # As late as possible: one business day later would break some successor's link.
        later = Slot(naive_add(cal, slot.start, 1), naive_add(cal, slot.due, 1))
        assert any(
            slots[s.key].start < naive_earliest_start(cal, t, later, dep)
            for s in tasks
            for dep in s.predecessors
            if dep.predecessor == t.key
        ), t.key


# ---------------------------------------------------------------- start and shortfall


def test_plan_start_is_the_earliest_start():
    slots = {"A": Slot(D(2026, 5, 12), D(2026, 5, 13)), "B": Slot(D(2026, 5, 8), D(2026, 5, 15))}
    assert plan_start(slots) == D(2026, 5, 8)


def test_an_empty_plan_has_no_start():
    with pytest.raises(ValueError, match="empty plan"):
        plan_start({})


def test_shortfall_counts_the_business_days_already_missed():
    slots = {"A": Slot(D(2026, 5, 8), D(2026, 5, 15))}
    assert shortfall(slots, today=D(2026, 5, 12), calendar=WEEKDAYS) == 2  # Fri and Mon
    assert shortfall(slots, today=D(2026, 5, 10), calendar=WEEKDAYS) == 1  # a Sunday: only Fri


def test_a_plan_starting_today_or_later_has_no_shortfall():
    slots = {"A": Slot(D(2026, 5, 12), D(2026, 5, 15))}
    assert shortfall(slots, today=D(2026, 5, 12), calendar=WEEKDAYS) == 0
    assert shortfall(slots, today=D(2026, 5, 1), calendar=WEEKDAYS) == 0
    assert shortfall({}, today=D(2026, 5, 1), calendar=WEEKDAYS) == 0


# ---------------------------------------------------------------- cascade


CHAIN = [task("A", 2), task("B", 2, fs("A")), task("C", 1, fs("B"))]
CHAIN_SLOTS = {
    "A": Slot(D(2026, 5, 11), D(2026, 5, 12)),
    "B": Slot(D(2026, 5, 13), D(2026, 5, 14)),
    "C": Slot(D(2026, 5, 19), D(2026, 5, 19)),  # two business days of slack after B
}


def test_cascade_pushes_successors_later_by_the_minimum_and_slack_absorbs_the_rest():
    changed = cascade(CHAIN, CHAIN_SLOTS, moved="A", new_due=D(2026, 5, 15), calendar=WEEKDAYS)
    assert changed == {
        "A": Slot(D(2026, 5, 14), D(2026, 5, 15)),
        "B": Slot(D(2026, 5, 18), D(2026, 5, 19)),
        "C": Slot(D(2026, 5, 20), D(2026, 5, 20)),
    }


def test_cascade_leaves_a_successor_alone_when_its_slack_covers_the_move():
    changed = cascade(CHAIN, CHAIN_SLOTS, moved="B", new_due=D(2026, 5, 18), calendar=WEEKDAYS)
    assert changed == {"B": Slot(D(2026, 5, 15), D(2026, 5, 18))}


def test_cascade_never_moves_successors_earlier():
    changed = cascade(CHAIN, CHAIN_SLOTS, moved="A", new_due=D(2026, 5, 8), calendar=WEEKDAYS)
    assert changed == {"A": Slot(D(2026, 5, 7), D(2026, 5, 8))}


def test_cascade_returns_nothing_when_the_due_date_does_not_change():
    assert cascade(CHAIN, CHAIN_SLOTS, moved="B", new_due=D(2026, 5, 14), calendar=WEEKDAYS) == {}


def test_cascade_rolls_a_weekend_due_date_back_to_friday():
    changed = cascade(CHAIN, CHAIN_SLOTS, moved="B", new_due=D(2026, 5, 16), calendar=WEEKDAYS)
    assert changed == {"B": Slot(D(2026, 5, 14), D(2026, 5, 15))}


def test_cascade_keeps_durations_in_business_days_across_a_holiday():
    cal = calendar_for(country="US", years=range(2026, 2027))
    tasks = [task("A", 1), task("B", 3, fs("A"))]
    slots = {"A": Slot(D(2026, 11, 20), D(2026, 11, 20)), "B": Slot(D(2026, 11, 23), D(2026, 11, 25))}
    changed = cascade(tasks, slots, moved="A", new_due=D(2026, 11, 24), calendar=cal)
    assert changed["B"] == Slot(D(2026, 11, 25), D(2026, 11, 30))  # over Thanksgiving and the weekend


def test_cascade_does_not_touch_predecessors_or_unrelated_tasks():
    tasks = [task("P", 1), task("M", 1, fs("P")), task("S", 1, fs("M")), task("X", 1, fs("P"))]
    slots = {
        "P": Slot(D(2026, 5, 11), D(2026, 5, 11)),
        "M": Slot(D(2026, 5, 12), D(2026, 5, 12)),
        "S": Slot(D(2026, 5, 13), D(2026, 5, 13)),
        "X": Slot(D(2026, 5, 12), D(2026, 5, 12)),
    }
    changed = cascade(tasks, slots, moved="M", new_due=D(2026, 5, 14), calendar=WEEKDAYS)
    assert set(changed) == {"M", "S"}
    assert changed["S"] == Slot(D(2026, 5, 15), D(2026, 5, 15))


def test_cascade_on_a_diamond_pushes_the_join_by_the_later_branch():
    tasks = [task("A", 1), task("B", 1, fs("A")), task("C", 3, fs("A")), task("D", 1, fs("B"), fs("C"))]
    slots = back_schedule(tasks, launch=D(2026, 5, 15), calendar=WEEKDAYS)
    changed = cascade(tasks, slots, moved="A", new_due=D(2026, 5, 12), calendar=WEEKDAYS)
    assert changed["C"] == Slot(D(2026, 5, 13), D(2026, 5, 15))
    assert changed["D"] == Slot(D(2026, 5, 18), D(2026, 5, 18))
    assert "B" not in changed  # B had slack: it was due Thu, may now start Wed


def test_cascade_respects_start_to_start_lags_and_milestones():
    tasks = [task("A", 3), task("B", 2, ss("A", 1)), task("M", 0, fs("B")), task("C", 1, fs("M"))]
    slots = {
        "A": Slot(D(2026, 5, 11), D(2026, 5, 13)),
        "B": Slot(D(2026, 5, 12), D(2026, 5, 13)),
        "M": Slot(D(2026, 5, 14), D(2026, 5, 14)),
        "C": Slot(D(2026, 5, 14), D(2026, 5, 14)),
    }
    changed = cascade(tasks, slots, moved="A", new_due=D(2026, 5, 15), calendar=WEEKDAYS)
    assert changed == {
        "A": Slot(D(2026, 5, 13), D(2026, 5, 15)),
        "B": Slot(D(2026, 5, 14), D(2026, 5, 15)),
        "M": Slot(D(2026, 5, 18), D(2026, 5, 18)),
        "C": Slot(D(2026, 5, 18), D(2026, 5, 18)),
    }


def test_cascade_of_an_unknown_task_is_refused():
    with pytest.raises(ValueError, match="'Z' is not in the plan"):
        cascade(CHAIN, CHAIN_SLOTS, moved="Z", new_due=D(2026, 5, 15), calendar=WEEKDAYS)


@pytest.mark.parametrize("seed", range(60))
def test_random_cascades_move_only_what_is_violated_by_the_minimum(seed):
    rng = random.Random(1000 + seed)
    launch = D(2026, 6, 1) + timedelta(days=rng.randint(0, 30))
    cal = random_calendar(rng, launch)
    tasks = random_plan(rng)
    graph = task_graph(tasks)
    slots = back_schedule(graph, launch=launch, calendar=cal)
    moved = rng.choice(tasks)
    new_due = naive_add(cal, slots[moved.key].due, rng.randint(-3, 15))

    changed = cascade(graph, slots, moved=moved.key, new_due=new_due, calendar=cal)
    assert changed == cascade(tasks, slots, moved=moved.key, new_due=new_due, calendar=cal)

    # Reference: naive fixed point over the whole plan.
    expected = dict(slots)
    expected[moved.key] = Slot(
        naive_add(cal, new_due, 1 - moved.duration) if moved.duration else new_due, new_due
    )
    by_key = {t.key: t for t in tasks}
    for _ in range(len(tasks) + 1):
        for t in tasks:
            if t.key == moved.key:
                continue
            start = expected[t.key].start
            for dep in t.predecessors:
                start = max(
                    start, naive_earliest_start(cal, by_key[dep.predecessor], expected[dep.predecessor], dep)
                )
            if start != expected[t.key].start:
                due = start if t.duration == 0 else naive_add(cal, start, t.duration - 1)
                expected[t.key] = Slot(start, due)
    assert changed == {k: v for k, v in expected.items() if v != slots[k]}

    merged = {**slots, **changed}
    for key, slot in changed.items():
        if key != moved.key:
            assert slot.start > slots[key].start
    if new_due >= slots[moved.key].due:
        assert_valid_schedule(cal, tasks, merged)


# ---------------------------------------------------------------- critical path and float


DIAMOND = [
    task("Brief", 2),
    task("Design", 5, fs("Brief")),
    task("Copy", 2, fs("Brief")),
    task("Review", 1, fs("Design"), fs("Copy")),
]


def test_critical_path_of_a_diamond_follows_the_longer_branch():
    slots = back_schedule(DIAMOND, launch=D(2026, 5, 22), calendar=WEEKDAYS)
    assert critical_path(DIAMOND, slots, calendar=WEEKDAYS) == ["Brief", "Design", "Review"]


def test_in_a_back_scheduled_plan_every_task_has_zero_float():
    slots = back_schedule(DIAMOND, launch=D(2026, 5, 22), calendar=WEEKDAYS)
    assert set(total_float(DIAMOND, slots, calendar=WEEKDAYS).values()) == {0}


def test_total_float_is_zero_on_the_critical_path_and_the_slack_elsewhere():
    slots = back_schedule(DIAMOND, launch=D(2026, 5, 22), calendar=WEEKDAYS)
    slots["Copy"] = Slot(D(2026, 5, 15), D(2026, 5, 18))  # its earliest slot, not its latest
    assert total_float(DIAMOND, slots, calendar=WEEKDAYS) == {"Brief": 0, "Design": 0, "Copy": 3, "Review": 0}
    assert critical_path(DIAMOND, slots, calendar=WEEKDAYS) == ["Brief", "Design", "Review"]


def test_critical_path_starts_from_the_latest_task_with_most_predecessors_on_a_tie():
    tasks = [task("A", 1), task("B", 1), task("Z", 1, fs("A"), fs("B")), task("Y", 1)]
    slots = {
        "A": Slot(D(2026, 5, 14), D(2026, 5, 14)),
        "B": Slot(D(2026, 5, 14), D(2026, 5, 14)),
        "Z": Slot(D(2026, 5, 15), D(2026, 5, 15)),
        "Y": Slot(D(2026, 5, 15), D(2026, 5, 15)),
    }
    # Z wins the tie on predecessors; A and B bind equally, so A wins on key.
    assert critical_path(tasks, slots, calendar=WEEKDAYS) == ["A", "Z"]


def test_critical_path_stops_where_a_gap_leaves_slack():
    slots = dict(CHAIN_SLOTS)
    assert critical_path(CHAIN, slots, calendar=WEEKDAYS) == ["C"]
    assert total_float(CHAIN, slots, calendar=WEEKDAYS) == {"A": 2, "B": 2, "C": 0}


def test_critical_path_walks_through_start_to_start_links_and_milestones():
    tasks = [task("A", 3), task("B", 2, ss("A", 1)), task("M", 0, fs("B")), task("C", 1, fs("M"))]
    slots = back_schedule(tasks, launch=D(2026, 5, 15), calendar=WEEKDAYS)
    assert critical_path(tasks, slots, calendar=WEEKDAYS) == ["A", "B", "M", "C"]


def test_total_float_is_negative_when_a_dependency_is_already_broken():
    slots = {**CHAIN_SLOTS, "C": Slot(D(2026, 5, 14), D(2026, 5, 14))}
    assert total_float(CHAIN, slots, calendar=WEEKDAYS)["B"] == -1
    assert violated_dependencies(CHAIN, slots, calendar=WEEKDAYS) == [("B", "C")]


def forward_schedule(cal: BusinessCalendar, tasks: list[PlanTask], start: date) -> dict[str, Slot]:
    """As-soon-as-possible slots, naively, so that tasks off the critical path have float."""
    by_key = {t.key: t for t in tasks}
    slots: dict[str, Slot] = {}
    while len(slots) < len(tasks):
        for t in tasks:
            if t.key in slots or any(dep.predecessor not in slots for dep in t.predecessors):
                continue
            first = naive_add(cal, start, 0)
            for dep in t.predecessors:
                pred = by_key[dep.predecessor]
                first = max(first, naive_earliest_start(cal, pred, slots[pred.key], dep))
            slots[t.key] = Slot(first, first if t.duration == 0 else naive_add(cal, first, t.duration - 1))
    return slots


@pytest.mark.parametrize("seed", range(30))
def test_total_float_is_exactly_how_far_a_task_can_slip_before_the_last_due_date_moves(seed):
    rng = random.Random(2000 + seed)
    start = D(2026, 6, 1) + timedelta(days=rng.randint(0, 30))
    cal = random_calendar(rng, start)
    tasks = random_plan(rng)
    slots = forward_schedule(cal, tasks, start)
    finish = max(slot.due for slot in slots.values())
    floats = total_float(tasks, slots, calendar=cal)

    def finish_after_slip(key: str, days: int) -> date:
        new_due = naive_add(cal, slots[key].due, days)
        merged = {**slots, **cascade(tasks, slots, moved=key, new_due=new_due, calendar=cal)}
        return max(slot.due for slot in merged.values())

    for t in tasks:
        assert floats[t.key] >= 0
        if floats[t.key]:
            assert finish_after_slip(t.key, floats[t.key]) == finish
        assert finish_after_slip(t.key, floats[t.key] + 1) > finish
    for key in critical_path(tasks, slots, calendar=cal):
        assert floats[key] == 0


def test_an_empty_plan_has_no_critical_path():
    assert critical_path([], {}, calendar=WEEKDAYS) == []
    assert total_float([], {}, calendar=WEEKDAYS) == {}


# ---------------------------------------------------------------- launch text


def test_launch_shift_counts_business_days():
    cal = calendar_for(country="US", years=range(2026, 2027))
    assert launch_shift(D(2026, 11, 25), D(2026, 11, 27), calendar=cal) == 1
    assert launch_shift(D(2026, 11, 27), D(2026, 11, 25), calendar=cal) == -1


def test_a_later_launch_is_described_with_a_plus_and_plural_days():
    text = describe_launch_shift(D(2026, 5, 12), D(2026, 5, 14), calendar=WEEKDAYS)
    assert text == "Launch moves from Tue 12 May to Thu 14 May (+2 business days)"


def test_an_unchanged_launch_is_described_as_staying():
    assert (
        describe_launch_shift(D(2026, 5, 12), D(2026, 5, 12), calendar=WEEKDAYS)
        == "Launch stays on Tue 12 May"
    )


def test_an_earlier_launch_uses_a_real_minus_sign_and_a_singular_day():
    text = describe_launch_shift(D(2026, 5, 11), D(2026, 5, 8), calendar=WEEKDAYS)
    assert text == "Launch moves from Mon 11 May to Fri 8 May (\u22121 business day)"


def test_a_launch_moving_into_another_year_shows_both_years():
    cal = calendar_for(country="US", years=range(2026, 2028))
    text = describe_launch_shift(D(2026, 12, 31), D(2027, 1, 4), calendar=cal)
    assert text == "Launch moves from Thu 31 Dec 2026 to Mon 4 Jan 2027 (+1 business day)"


# ---------------------------------------------------------------- recurrence


def test_weekly_work_falls_on_the_chosen_weekday_from_the_start():
    rule = Recurrence("weekly", weekday=0)
    assert occurrences(rule, start=D(2026, 5, 13), periods_ahead=3) == [
        D(2026, 5, 18),
        D(2026, 5, 25),
        D(2026, 6, 1),
    ]


def test_weekly_work_includes_the_start_day_when_it_matches():
    rule = Recurrence("weekly", weekday=2)
    assert occurrences(rule, start=D(2026, 5, 13), periods_ahead=1) == [D(2026, 5, 13)]


def test_fortnightly_work_skips_every_other_week():
    rule = Recurrence("weekly", interval=2)
    assert occurrences(rule, start=D(2026, 5, 12), periods_ahead=3) == [
        D(2026, 5, 12),
        D(2026, 5, 26),
        D(2026, 6, 9),
    ]


def test_monthly_work_on_the_31st_is_clamped_to_each_month_end():
    rule = Recurrence("monthly", day_of_month=31)
    assert occurrences(rule, start=D(2026, 1, 1), periods_ahead=4) == [
        D(2026, 1, 31),
        D(2026, 2, 28),
        D(2026, 3, 31),
        D(2026, 4, 30),
    ]


def test_monthly_work_on_the_last_day_follows_leap_years():
    rule = Recurrence("monthly", day_of_month=-1)
    assert occurrences(rule, start=D(2028, 1, 15), periods_ahead=3) == [
        D(2028, 1, 31),
        D(2028, 2, 29),
        D(2028, 3, 31),
    ]


def test_monthly_work_starts_next_month_when_this_months_day_has_passed():
    rule = Recurrence("monthly", day_of_month=5, interval=3)
    assert occurrences(rule, start=D(2026, 11, 20), periods_ahead=3) == [
        D(2026, 12, 5),
        D(2027, 3, 5),
        D(2027, 6, 5),
    ]


def test_monthly_work_without_a_day_uses_the_start_day():
    rule = Recurrence("monthly")
    assert occurrences(rule, start=D(2026, 1, 30), periods_ahead=2) == [D(2026, 1, 30), D(2026, 2, 28)]


def test_up_to_a_year_of_work_is_generated_at_once():
    assert len(occurrences(Recurrence("weekly"), start=D(2026, 1, 5), periods_ahead=53)) == 53
    assert occurrences(Recurrence("monthly"), start=D(2026, 1, 1), periods_ahead=13)[-1] == D(2027, 1, 1)


def test_more_than_a_year_of_work_at_once_is_refused():
    with pytest.raises(ValueError, match="past one year ahead of 2026-01-05"):
        occurrences(Recurrence("weekly"), start=D(2026, 1, 5), periods_ahead=54)
    with pytest.raises(ValueError, match="at most a year at a time"):
        occurrences(Recurrence("monthly"), start=D(2026, 1, 1), periods_ahead=14)
    with pytest.raises(ValueError, match="past one year"):
        occurrences(Recurrence("monthly", interval=13), start=D(2026, 1, 1), periods_ahead=2)
    with pytest.raises(ValueError, match="past one year"):
        occurrences(Recurrence("weekly", interval=10**6), start=D(2026, 1, 1), periods_ahead=2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"frequency": "weekly", "interval": 0}, "interval must be at least 1"),
        ({"frequency": "weekly", "weekday": 7}, "Weekday must be 0"),
        ({"frequency": "weekly", "day_of_month": 3}, "takes a weekday"),
        ({"frequency": "monthly", "day_of_month": 0}, "Day of month must be 1 to 31"),
        ({"frequency": "monthly", "day_of_month": 32}, "Day of month must be 1 to 31"),
        ({"frequency": "monthly", "day_of_month": -2}, "Day of month must be 1 to 31"),
        ({"frequency": "monthly", "weekday": 1}, "takes a day of the month"),
        ({"frequency": "daily"}, "Unknown frequency"),
    ],
)
def test_a_malformed_recurrence_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Recurrence(**kwargs)


def test_asking_for_no_occurrences_is_refused():
    with pytest.raises(ValueError, match="at least one occurrence"):
        occurrences(Recurrence("weekly"), start=D(2026, 1, 5), periods_ahead=0)


def test_due_occurrences_roll_back_to_the_previous_business_day():
    cal = calendar_for(country="US", years=range(2026, 2027))
    rule = Recurrence("monthly", day_of_month=-1)
    # Sun 31 May -> Fri 29 May; Tue 30 Jun stays; Fri 31 Jul stays.
    assert occurrences_due(rule, start=D(2026, 5, 1), periods_ahead=3, calendar=cal) == [
        D(2026, 5, 29),
        D(2026, 6, 30),
        D(2026, 7, 31),
    ]
    weekly = Recurrence("weekly", weekday=3)
    assert occurrences_due(weekly, start=D(2026, 11, 19), periods_ahead=2, calendar=cal) == [
        D(2026, 11, 19),
        D(2026, 11, 25),  # Thanksgiving -> Wednesday
    ]


# ---------------------------------------------------------------- every zero-float task is critical


def test_every_zero_float_task_on_equally_long_chains_is_critical_not_one_chain_among_equals():
    # Two parallel three-day branches (wireframes beside copy) feed the review: both have no float.
    tasks = [
        task("Kickoff", 1),
        task("Wireframes", 3, fs("Kickoff")),
        task("Copy", 3, fs("Kickoff")),
        task("Review", 1, fs("Wireframes"), fs("Copy")),
    ]
    slots = back_schedule(tasks, launch=D(2026, 5, 22), calendar=WEEKDAYS)
    assert len(critical_path(tasks, slots, calendar=WEEKDAYS)) == 3  # one chain picked among equals
    assert critical_tasks(tasks, slots, calendar=WEEKDAYS) == {"Kickoff", "Wireframes", "Copy", "Review"}


def test_a_task_with_slack_is_not_critical():
    slots = back_schedule(DIAMOND, launch=D(2026, 5, 22), calendar=WEEKDAYS)
    slots["Copy"] = Slot(D(2026, 5, 15), D(2026, 5, 18))  # three days of float
    assert critical_tasks(DIAMOND, slots, calendar=WEEKDAYS) == {"Brief", "Design", "Review"}


@pytest.mark.parametrize("seed", range(40))
def test_critical_tasks_agree_with_the_float_counted_date_by_date(seed):
    # The critical set is counted in business-day indexes; here, by walking the latest slots as dates,
    # on random plans, calendars and slots (back-scheduled, then some tasks moved by hand).
    rng = random.Random(3000 + seed)
    around = D(2026, 6, 1)
    cal = random_calendar(rng, around)
    tasks = random_plan(rng)
    slots = back_schedule(tasks, launch=around + timedelta(days=rng.randint(0, 90)), calendar=cal)
    for key in list(slots):
        if rng.random() < 0.3:
            start = slots[key].start + timedelta(days=rng.randint(-10, 10))
            slots[key] = Slot(start, start + timedelta(days=rng.randint(0, 6)))
    graph = task_graph(tasks)
    finish = cal.roll_backward(max(slot.due for slot in slots.values()))
    latest = _latest_slots(graph, finish, cal)
    by_dates = {key for key in graph.order if cal.business_days_between(slots[key].due, latest[key].due) <= 0}
    assert critical_tasks(tasks, slots, calendar=cal) == by_dates


def test_a_retainer_flags_the_chain_of_its_current_month_each_to_its_own_deadline():
    onboarding = [task("onboarding", 2), task("plan", 2, fs("onboarding")), task("starts", 0, fs("plan"))]
    month = [task("m-plan", 1), task("m-content", 4, fs("m-plan")), task("m-report", 1)]
    march = [task("mar-plan", 1), task("mar-content", 4, fs("mar-plan"))]
    tasks = onboarding + month + march
    slots = {
        **back_schedule(onboarding, launch=D(2026, 5, 15), calendar=WEEKDAYS),
        **back_schedule(month, launch=D(2026, 5, 29), calendar=WEEKDAYS),
        **back_schedule(march, launch=D(2026, 6, 30), calendar=WEEKDAYS),
    }
    periods = {
        **{t.key: None for t in onboarding},
        **{t.key: D(2026, 5, 1) for t in month},
        **{t.key: D(2026, 6, 1) for t in march},
    }
    during_onboarding = plan_critical_tasks(
        tasks, slots, calendar=WEEKDAYS, periods=periods, today=D(2026, 5, 11)
    )
    assert during_onboarding == {"onboarding", "plan", "starts"}
    # Once onboarding is over, May's chain to its own deadline: the report on the 29th sets it, and the
    # content chain ends on the same day, so both are critical.
    in_may = plan_critical_tasks(tasks, slots, calendar=WEEKDAYS, periods=periods, today=D(2026, 5, 18))
    assert in_may == {"m-plan", "m-content", "m-report"}


# ---------------------------------------------------------------- the forecast beside the commitment


def test_a_forecast_past_the_commitment_is_said_in_those_words():
    text = describe_forecast(D(2027, 1, 15), D(2027, 1, 20), committed=D(2027, 1, 15), calendar=WEEKDAYS)
    assert text == "Forecast launch Wed 20 Jan, three business days after the committed Fri 15 Jan"


def test_a_forecast_that_moves_within_the_commitment_says_the_commitment_holds():
    text = describe_forecast(D(2027, 1, 11), D(2027, 1, 13), committed=D(2027, 1, 15), calendar=WEEKDAYS)
    assert (
        text
        == "Forecast launch moves from Mon 11 Jan to Wed 13 Jan (+2 business days); the committed launch Fri 15 Jan holds"
    )


def test_this_week_is_the_working_week_containing_today_or_the_coming_one_on_a_weekend():
    weekdays = range(5)
    assert working_week(D(2026, 12, 9), weekdays) == (D(2026, 12, 7), D(2026, 12, 11))
    assert working_week(D(2026, 12, 5), weekdays) == (D(2026, 12, 7), D(2026, 12, 11))  # a Saturday
    assert working_week(D(2026, 12, 6), weekdays) == (D(2026, 12, 7), D(2026, 12, 11))  # a Sunday
    # A six-day agency is still in this week on Saturday.
    assert working_week(D(2026, 12, 5), range(6)) == (D(2026, 11, 30), D(2026, 12, 5))
