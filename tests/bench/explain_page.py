"""Explain every statement one page runs (not collected by `make bench`; run it by path).

    BENCH_SIZE=small PROFILE_PAGE=home python -m pytest tests/bench/explain_page.py -s -p no:randomly -o addopts=""

PROFILE_PAGE=project EXPLAIN_AFTER_A_CHANGE=1 explains the project page's first view after a change (a task
of it rewritten as it was, which gives the page a new version and changes nothing it shows).

Loads PostgreSQL's auto_explain for the test's connection and prints each statement's plan with its
actual times, as the server ran it for the page (prepared statements included).
"""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test import Client as HttpClient

from tests.bench.profile_pages import _url

pytestmark = pytest.mark.django_db


def test_explain_page(bench):
    page = os.environ.get("PROFILE_PAGE", "home")
    http = HttpClient()
    http.force_login(bench.owner.user, backend="django.contrib.auth.backends.ModelBackend")
    url = _url(bench, page)
    for _ in range(7):  # past the point where prepared statements switch to their generic plans
        assert http.get(url).status_code == 200
    notices: list[str] = []
    connection.ensure_connection()
    raw = connection.connection
    raw.add_notice_handler(lambda diagnostic: notices.append(diagnostic.message_primary or ""))
    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        cursor.execute("SET auto_explain.log_min_duration = 0")
        cursor.execute("SET auto_explain.log_analyze = on")
        cursor.execute("SET auto_explain.log_buffers = on")
        cursor.execute("SET client_min_messages = log")
    if os.environ.get("EXPLAIN_AFTER_A_CHANGE"):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE projects_task SET title = title WHERE id = (SELECT min(id) FROM projects_task WHERE project_id = %s)",
                [bench.page_project.pk],
            )
    try:
        http.get(url)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET client_min_messages = notice")
    for notice in notices:
        print(notice)
        print("-" * 100)
