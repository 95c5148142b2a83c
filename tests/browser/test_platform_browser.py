"""The platform in a real browser: a coordinator adds a client, a client contact lands in the portal."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scope

from agencyops.demo import DEMO_PASSWORD, demo_seed
from agencyops.models import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_a_coordinator_adds_a_client_and_a_client_contact_lands_in_their_portal(
    page, live_server, fast_password_hashing
):
    demo = demo_seed()
    home_path = reverse("home", kwargs={"agency_slug": demo.agency.slug})

    log_in(page, live_server, "coordinator@brightside.test")
    page.wait_for_url(live_server.url + home_path)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.wait_for_url(re.compile(r"/brightside/clients/"))
    page.get_by_role("link", name="Add a client").click()
    page.locator("form input[name=name]").fill("Dunmore Dairy")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state()

    with scope(agency=demo.agency.pk):
        assert Client.objects.filter(name="Dunmore Dairy").exists()
    page.goto(live_server.url + reverse("client_list", kwargs={"agency_slug": demo.agency.slug}))
    client_table = page.locator("#client-table")
    assert client_table.get_by_role("link", name="Dunmore Dairy").is_visible()
    assert client_table.get_by_role("link", name="Acme Dental").is_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(re.escape(reverse("login"))))
    assert page.get_by_role("button", name="Log in").is_visible()

    log_in(page, live_server, "anna@acmedental.test")
    page.wait_for_url(re.compile(r"/portal/"))

    assert page.url.startswith(live_server.url + "/portal/")
    heading = page.get_by_role("heading", level=1)
    assert "Acme Dental" in heading.inner_text()
    # The portal is not the staff shell: no agency navigation, no other clients.
    assert page.get_by_role("navigation", name="Main").count() == 0
    assert "Birch Bakery" not in page.content()
