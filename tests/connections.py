"""Connections of their own to the test database, beside Django's: for the tests that need two transactions
at once (one committing after another has)."""

from __future__ import annotations

import psycopg
from django.db import connection


def separate_connection() -> psycopg.Connection:
    """A new psycopg connection to the database the tests use, outside the test's transaction; close it
    (``with``) when done."""
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"]
    )
