"""The staff shell's top bar is remembered per process under what it shows: every change to what it shows
is on the next page, and a remembered bar never carries one browser's CSRF token to another."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Membership, Role
from agencyops.notifications.services import notify
from tests import factories

pytestmark = pytest.mark.django_db


def _topbar(http: HttpClient, url: str) -> str:
    page = http.get(url)
    assert page.status_code == 200
    return re.search(r'<header class="topbar">.*?</header>', page.content.decode(), re.S).group(0)


def test_the_top_bar_shows_each_change_on_the_next_page(team, as_owner):
    agency, owner = team["agency"], team["owner"]
    home = reverse("home", kwargs={"agency_slug": agency.slug})
    projects = reverse("project_list", kwargs={"agency_slug": agency.slug})
    assert not settings.DEBUG, "remembering is off in DEBUG: this test must see it on"
    first = _topbar(as_owner, home)
    # The same bar again, but for its CSRF token (masked afresh on every page).
    without_token = lambda bar: re.sub(r'value="\w{64}"', "", bar)  # noqa: E731
    assert without_token(first) == without_token(_topbar(as_owner, home))
    assert f'<a href="{home}" aria-current="page">Home</a>' in first
    assert "Agency settings" in first and ">Team</a></li>" in first
    assert 'class="bell-count"' not in first

    # The page one is on.
    assert f'<a href="{projects}" aria-current="page">Projects</a>' in _topbar(as_owner, projects)
    # An unread notification.
    with scope(agency=agency.pk):
        notify(
            agency=agency,
            to=owner.user.email,
            recipient=owner.user,
            subject="Hero banner approved",
            body="Anna approved it.",
            kind="approval_decided",
            dedupe_key="topbar-test-1",
        )
    assert 'class="bell-count">1<' in _topbar(as_owner, home)
    # The agency's name.
    with scope(agency=agency.pk):
        type(agency).objects.filter(pk=agency.pk).update(name="Northwind Studio")
    assert "Northwind Studio" in _topbar(as_owner, home)
    # Another agency joined.
    other = factories.agency_create(name="Zephyr Works", slug="zephyr")
    with scope(agency=other.agency_id):
        Membership.objects.create(agency=other.agency, user=owner.user, role=Role.MEMBER)
    assert 'href="/zephyr/">Zephyr Works <small>Member</small>' in _topbar(as_owner, home)
    # The person's role and name.
    with scope(agency=agency.pk):
        Membership.objects.filter(pk=owner.pk).update(role=Role.COORDINATOR)
    type(owner.user).objects.filter(pk=owner.user.pk).update(full_name="Olivia B.")
    demoted = _topbar(as_owner, home)
    assert "Agency settings" not in demoted and ">Team</a></li>" not in demoted.split("</nav>")[0]
    assert "Olivia B." in demoted


def _logout_token(topbar: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', topbar).group(1)


def test_a_remembered_top_bar_carries_each_browsers_own_csrf_token(team):
    home = reverse("home", kwargs={"agency_slug": team["agency"].slug})
    browsers = [HttpClient(enforce_csrf_checks=True) for _ in range(2)]
    tokens = []
    for browser in browsers:
        browser.force_login(team["owner"].user, backend="django.contrib.auth.backends.ModelBackend")
        tokens.append(_logout_token(_topbar(browser, home)))
    # The same bar (same person, same page), two tokens: each browser's own, and each logs it out.
    assert tokens[0] != tokens[1]
    for browser, token in zip(browsers, tokens, strict=True):
        response = browser.post(reverse("logout"), {"csrfmiddlewaretoken": token})
        assert response.status_code == 302 and response["Location"] == reverse("login")
    # Another browser's token is refused.
    stranger = HttpClient(enforce_csrf_checks=True)
    stranger.force_login(team["coordinator"].user, backend="django.contrib.auth.backends.ModelBackend")
    _topbar(stranger, home)
    assert stranger.post(reverse("logout"), {"csrfmiddlewaretoken": tokens[0]}).status_code == 403


@pytest.mark.parametrize("page", ["project_detail", "home", "portal_home"])
def test_one_response_carries_one_csrf_token_everywhere_and_it_works(team, page):
    """The shell's htmx header, the top bar and every form of a kept body carry the same masked token
    (masked once per response), and it is accepted."""
    agency = team["agency"]
    if page == "portal_home":
        user, url = team["contacts"][0].user, reverse("portal_home", kwargs={"agency_slug": agency.slug})
    elif page == "home":
        user, url = team["owner"].user, reverse("home", kwargs={"agency_slug": agency.slug})
    else:
        project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
        user = team["owner"].user
        url = reverse("project_detail", kwargs={"agency_slug": agency.slug, "project_id": project.pk})
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    browser.get(url)  # kept
    html = browser.get(url).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    tokens += re.findall(r'"X-CSRFToken": "([^"]+)"', html)
    assert len(tokens) >= 2 and len(set(tokens)) == 1, tokens
    response = browser.post(reverse("logout"), {"csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_the_portal_header_is_remembered_under_what_it_shows_with_each_browsers_own_token(team):
    """A contact's header comes from a per-process memory keyed by what it shows: a renamed client or
    agency shows on the next view, and two contacts of one client each get their own name and token."""
    agency, client = team["agency"], team["clients"][0]
    home = reverse("portal_home", kwargs={"agency_slug": agency.slug})
    first = team["contacts"][0]
    second = factories.contact_create(actor=team["owner"], client=client, full_name="Mark Lee")

    def header(user) -> tuple[str, HttpClient]:
        browser = HttpClient(enforce_csrf_checks=True)
        browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        html = browser.get(home).content.decode()
        return html[html.index('<header class="topbar portal-header">') : html.index("</header>")], browser

    shown, browser = header(first.user)
    assert f">{client.name}</a>" in shown and f"with {agency.name}" in shown
    assert "Notification settings" in shown and (first.user.full_name or first.user.email) in shown
    with scope(agency=agency.pk):
        type(client).objects.filter(pk=client.pk).update(name="Acme Dental Group")
        type(agency).objects.filter(pk=agency.pk).update(name="Northwind Studio")
    again, _ = header(first.user)
    assert ">Acme Dental Group</a>" in again and "with Northwind Studio" in again
    theirs, other_browser = header(second.user)
    assert ">Acme Dental Group</a>" in theirs and (second.user.full_name or second.user.email) in theirs
    mine, their_token = _logout_token(again), _logout_token(theirs)
    assert mine != their_token
    response = other_browser.post(reverse("logout"), {"csrfmiddlewaretoken": their_token})
    assert response.status_code == 302 and response["Location"] == reverse("login")
