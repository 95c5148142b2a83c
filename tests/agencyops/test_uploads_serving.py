"""Logos are served through the app after the tenant check, so production needs no /media/ location."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Agency, Client
from tests import factories
from tests.agencyops.test_agency_settings import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_agency_logo_is_shown_from_the_app_to_its_team_only(team, other_team, as_owner, logged_in, media_root):
    agency = team["agency"]
    logo = factories.png_upload("brand.png", size=(40, 20))
    as_owner.post(reverse("agency_settings", kwargs={"agency_slug": agency.slug}), {**form_data(), "logo": logo})
    stored = Agency.objects.get(pk=agency.pk).logo
    logo_url = reverse("agency_logo", kwargs={"agency_slug": agency.slug})

    page = as_owner.get(reverse("agency_settings", kwargs={"agency_slug": agency.slug})).content.decode()
    mine = logged_in(team["members"][0].user).get(logo_url)
    theirs = logged_in(other_team["owner"].user).get(logo_url)

    assert f'src="{logo_url}"' in page and "/media/" not in page
    assert mine.status_code == 200 and mine["Content-Type"] == "image/png"
    assert b"".join(mine.streaming_content) == stored.open("rb").read()
    assert mine["X-Content-Type-Options"] == "nosniff" and mine["Cache-Control"].startswith("private")
    assert theirs.status_code == 404


def test_a_client_logo_is_served_to_the_agency_and_another_agency_gets_404(team, other_team, as_owner, logged_in, media_root):
    agency = team["agency"]
    as_owner.post(
        reverse("client_create", kwargs={"agency_slug": agency.slug}),
        {"name": "Cedar Clinic", "logo": factories.png_upload("cedar.png", size=(30, 30))},
    )
    with scope(agency=agency.pk):
        client = Client.objects.get(name="Cedar Clinic")
    logo_url = reverse("client_logo", kwargs={"agency_slug": agency.slug, "client_id": client.pk})
    foreign_url = reverse("client_logo", kwargs={"agency_slug": other_team["agency"].slug, "client_id": client.pk})

    page = as_owner.get(reverse("client_detail", kwargs={"agency_slug": agency.slug, "client_id": client.pk}))
    shown = as_owner.get(logo_url)
    no_logo = as_owner.get(
        reverse("client_logo", kwargs={"agency_slug": agency.slug, "client_id": team["clients"][0].pk})
    )

    assert f'src="{logo_url}"' in page.content.decode()
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert no_logo.status_code == 404
    assert logged_in(other_team["owner"].user).get(foreign_url).status_code == 404
    assert logged_in(other_team["owner"].user).get(logo_url).status_code == 404
