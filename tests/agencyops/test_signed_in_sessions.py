"""Who a request is signed in as is read afresh on every request: logging out, a password change, a
deactivated account, an expired session or a changed role takes effect on the very next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from agencyops.models import Membership, Role
from tests import factories

pytestmark = pytest.mark.django_db


def _home(team) -> str:
    return reverse("home", kwargs={"agency_slug": team["agency"].slug})


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _copy_of(http: HttpClient) -> HttpClient:
    """Another browser holding the same session cookie (a second tab, or a stolen cookie)."""
    other = HttpClient()
    other.cookies[settings.SESSION_COOKIE_NAME] = http.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def test_a_session_signs_in_the_person_it_was_opened_for(team):
    http = HttpClient()
    assert (
        http.post(
            reverse("login"), {"username": team["owner"].user.email, "password": factories.PASSWORD}
        ).status_code
        == 302
    )

    page = http.get(_home(team))

    assert page.status_code == 200
    assert page.wsgi_request.user == team["owner"].user
    assert page.wsgi_request.user.full_name == team["owner"].user.full_name
    assert team["owner"].user.full_name in page.content.decode()


def test_after_logging_out_the_same_session_cookie_opens_nothing(as_owner, team):
    replayed = _copy_of(as_owner)
    assert replayed.get(_home(team)).status_code == 200

    as_owner.post(reverse("logout"))

    assert _sent_to_login(replayed.get(_home(team)))


def test_a_password_change_ends_the_other_sessions_at_their_next_request(as_owner, team):
    assert as_owner.get(_home(team)).status_code == 200
    session_key = as_owner.cookies[settings.SESSION_COOKIE_NAME].value
    user = team["owner"].user
    user.set_password("a-completely-new-passphrase")
    user.save()

    assert _sent_to_login(as_owner.get(_home(team)))
    # The session is gone from the database, not only ignored.
    assert not Session.objects.filter(session_key=session_key).exists()


def test_a_session_whose_password_stamp_does_not_match_is_ended(as_owner, team):
    session = as_owner.session
    session[HASH_SESSION_KEY] = "0" * 64
    session.save()

    assert _sent_to_login(as_owner.get(_home(team)))


def test_a_deactivated_account_is_signed_out_at_its_next_request(as_owner, team):
    assert as_owner.get(_home(team)).status_code == 200
    user = team["owner"].user
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert _sent_to_login(as_owner.get(_home(team)))


def test_a_session_for_a_deleted_account_signs_nobody_in(as_member, team):
    user = team["members"][0].user
    session = as_member.session
    session[SESSION_KEY] = str(user.pk + 10_000)
    session.save()

    assert _sent_to_login(as_member.get(_home(team)))


def test_an_expired_session_signs_nobody_in(as_owner, team):
    key = as_owner.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))

    assert _sent_to_login(as_owner.get(_home(team)))


def test_a_changed_role_applies_at_the_next_request(as_owner, team):
    settings_url = reverse("agency_settings", kwargs={"agency_slug": team["agency"].slug})
    assert as_owner.get(settings_url).status_code == 200
    with scope(agency=team["agency"].pk):
        Membership.objects.filter(pk=team["owner"].pk).update(role=Role.COORDINATOR)

    assert as_owner.get(settings_url).status_code == 403


def test_a_session_signed_with_a_retired_secret_key_is_kept_and_moved_to_the_new_key(as_owner, team):
    old_key = as_owner.cookies[settings.SESSION_COOKIE_NAME].value
    # Sessions are signed with SECRET_KEY: rotate it, keeping the old one as a fallback.
    with override_settings(
        SECRET_KEY="a-new-secret-key-" + "x" * 50, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]
    ):
        page = as_owner.get(_home(team))
        assert page.status_code == 200
        assert page.wsgi_request.user == team["owner"].user
        # The session moved to a new key (a fixation-proof rotation), with the new stamp.
        new_key = as_owner.cookies[settings.SESSION_COOKIE_NAME].value
        assert new_key != old_key
        assert as_owner.get(_home(team)).status_code == 200
    with override_settings(SECRET_KEY="a-third-secret-key-" + "x" * 50, SECRET_KEY_FALLBACKS=[]):
        assert _sent_to_login(as_owner.get(_home(team)))
