"""The developer's first minutes: `make run PORT=8010` links to 8010, and PDF builds do not flood the log."""

from __future__ import annotations

import logging

import pytest

from agencyops.management.commands.devserver import child_environment


def test_without_site_url_the_children_link_to_the_port_the_server_listens_on():
    env = child_environment({"PATH": "/usr/bin"}, addr="0.0.0.0", port=8010, site_url_configured=False)
    assert env["SITE_URL"] == "http://127.0.0.1:8010" and env["PATH"] == "/usr/bin"
    assert (
        child_environment({"SITE_URL": ""}, addr="localhost", port=9000, site_url_configured=False)["SITE_URL"]
        == "http://localhost:9000"
    )


def test_a_site_url_that_is_set_wins_over_the_port():
    env = child_environment(
        {"SITE_URL": "https://ops.example.test"}, addr="127.0.0.1", port=8010, site_url_configured=True
    )
    assert env["SITE_URL"] == "https://ops.example.test"


@pytest.mark.parametrize("name", ["weasyprint", "weasyprint.progress", "fontTools.subset"])
def test_weasyprint_step_by_step_lines_are_quiet_at_info_but_warnings_still_show(name):
    logger = logging.getLogger(name)
    assert not logger.isEnabledFor(logging.INFO)
    assert logger.isEnabledFor(logging.WARNING)
