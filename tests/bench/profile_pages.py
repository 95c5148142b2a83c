"""Profile one page of the bench agency (not collected by `make bench`; run it by path).

    BENCH_SIZE=small PROFILE_PAGE=home python -m pytest tests/bench/profile_pages.py -s -p no:randomly -o addopts=""

PROFILE_AFTER_A_CHANGE=1 touches a task of the project before each request (untimed): the project page's or
a task list's first view after a change.

Prints the page's queries and the functions that take its time (cProfile over PROFILE_RUNS requests,
templates rendered as a server renders them), so fixed per-request costs can be found under load.
"""

from __future__ import annotations

import cProfile
import os
import pstats

import pytest
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from projects.models import Task
from tests.bench.conftest import rendering_as_in_production

pytestmark = pytest.mark.django_db


def _url(bench, page: str) -> str:
    slug = bench.agency.slug
    if page == "tasks_api":
        return f"/api/v1/agencies/{slug}/projects/{bench.big_project.pk}/tasks/"
    if page == "projects_api":
        return f"/api/v1/agencies/{slug}/projects/"
    if page == "project":
        return reverse("project_detail", kwargs={"agency_slug": slug, "project_id": bench.page_project.pk})
    return reverse(page, kwargs={"agency_slug": slug})


def test_profile_page(bench):
    page = os.environ.get("PROFILE_PAGE", "home")
    runs = int(os.environ.get("PROFILE_RUNS", "40"))
    http = HttpClient()
    http.force_login(bench.owner.user, backend="django.contrib.auth.backends.ModelBackend")
    url = _url(bench, page)
    project = bench.big_project if page == "tasks_api" else bench.page_project
    with scopes_disabled():
        touched = Task.objects.filter(project=project).values_list("pk", flat=True).first()

    def touch() -> None:
        if os.environ.get("PROFILE_AFTER_A_CHANGE"):
            # In a savepoint of its own: a new transaction id on the row each time (the test's transaction
            # would give every touch the same one, and the page its same version).
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("UPDATE projects_task SET title = title WHERE id = %s", [touched])

    assert http.get(url).status_code == 200
    touch()
    with CaptureQueriesContext(connection) as captured:
        http.get(url)
    for query in captured.captured_queries:
        print(query["time"], query["sql"][:300])
    with rendering_as_in_production():
        for _ in range(5):
            http.get(url)
        profile = cProfile.Profile()
        for _ in range(runs):
            touch()
            profile.enable()
            http.get(url)
            profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(
        int(os.environ.get("PROFILE_LINES", "45"))
    )
    stats.sort_stats("cumulative").print_stats(60)


def test_time_parts(bench):
    """Median request time of the page, then with its sections' data loaded once and reused, then with the
    template rendering short-circuited too: what data and markup each cost."""
    import statistics
    import time

    from django.template.response import SimpleTemplateResponse

    from agencyops import sections as registry

    page = os.environ.get("PROFILE_PAGE", "home")
    http = HttpClient()
    http.force_login(bench.owner.user, backend="django.contrib.auth.backends.ModelBackend")
    url = _url(bench, page)

    def median() -> str:
        # CPU time of this process (the server's Python side) holds up under load better than wall time.
        samples, cpu = [], []
        for _ in range(30):
            started, started_cpu = time.perf_counter(), time.thread_time()
            http.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        return f"{statistics.median(samples):.2f} wall, {min(cpu):.2f} cpu (min)"

    with rendering_as_in_production():
        http.get(url)
        print(f"\nwhole page {median()} ms")
        original = registry.sections_render
        kept = {}

        def reuse(page_name, context):
            if page_name not in kept:
                kept[page_name] = original(page_name, context)
            return kept[page_name]

        registry.sections_render = reuse
        try:
            print(f"sections' data reused {median()} ms")
            registry.sections_render = lambda page_name, context: []
            print(f"no sections at all {median()} ms")
            rendered = SimpleTemplateResponse.rendered_content
            SimpleTemplateResponse.rendered_content = property(lambda self: "")
            try:
                print(f"no template either {median()} ms")
            finally:
                SimpleTemplateResponse.rendered_content = rendered
        finally:
            registry.sections_render = original
