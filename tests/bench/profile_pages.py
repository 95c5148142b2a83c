"""Profile one page of the bench agency (not collected by `make bench`; run it by path).

    BENCH_SIZE=small PROFILE_PAGE=home python -m pytest tests/bench/profile_pages.py -s -p no:randomly -o addopts=""

Prints the page's queries and the functions that take its time (cProfile over PROFILE_RUNS requests,
templates rendered as a server renders them), so fixed per-request costs can be found under load.
"""

from __future__ import annotations

import cProfile
import os
import pstats

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
    assert http.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        http.get(url)
    for query in captured.captured_queries:
        print(query["time"], query["sql"][:300])
    with rendering_as_in_production():
        for _ in range(5):
            http.get(url)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(runs):
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
