"""Agency settings: owners change the name, calendar, approval terms and logo."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from agencyops.models import DEFAULT_APPROVAL_TERMS, Agency
from agencyops.services import accounts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def settings_url(agency) -> str:
    return reverse("agency_settings", kwargs={"agency_slug": agency.slug})


def form_data(**overrides) -> dict:
    data = {
        "name": "Northwind Creative",
        "time_zone": "Europe/London",
        "country": "GB",
        "subdivision": "",
        "working_weekdays": ["0", "1", "2", "3", "4"],
        "approval_terms": DEFAULT_APPROVAL_TERMS,
    }
    data.update(overrides)
    return data


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (31, 78, 121)).save(buffer, "PNG")
    return buffer.getvalue()


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def snapshot(agency: Agency) -> tuple:
    agency.refresh_from_db()
    return (
        agency.name,
        agency.time_zone,
        agency.country,
        agency.subdivision,
        agency.working_weekdays,
        agency.approval_terms,
        agency.logo.name,
    )


def test_the_owner_changes_the_name_calendar_and_terms(team, as_owner):
    agency = team["agency"]

    response = as_owner.post(
        settings_url(agency),
        form_data(
            name="Northwind Studio",
            time_zone="America/New_York",
            country="US",
            subdivision="ny",
            working_weekdays=["0", "1", "2", "3"],
            approval_terms="Approval locks the scope.",
        ),
        follow=True,
    )

    assert "Agency settings saved." in response.content.decode()
    agency.refresh_from_db()
    assert (agency.name, agency.time_zone, agency.country, agency.subdivision) == (
        "Northwind Studio",
        "America/New_York",
        "US",
        "NY",
    )
    assert agency.working_weekdays == [0, 1, 2, 3]
    assert agency.approval_terms == "Approval locks the scope."


def test_the_settings_page_shows_the_current_values_with_a_checkbox_per_weekday(team, as_owner):
    html = as_owner.get(settings_url(team["agency"])).content.decode()

    assert 'value="Northwind Creative"' in html
    assert '<option value="Europe/London" selected>' in html
    for day, name in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]):
        checkbox = f'name="working_weekdays" value="{day}" id="id_working_weekdays_{day}" checked>'
        assert f'<input type="checkbox" {checkbox}' in html
        assert name in html
    assert '<input type="checkbox" name="working_weekdays" value="6" id="id_working_weekdays_6">' in html
    assert 'enctype="multipart/form-data"' in html


def test_at_least_one_working_day_is_needed(team, as_owner):
    before = snapshot(team["agency"])

    response = as_owner.post(settings_url(team["agency"]), form_data(working_weekdays=[]))

    assert response.context["form"].errors["working_weekdays"] == ["Pick at least one working day."]
    assert snapshot(team["agency"]) == before
    with pytest.raises(ValidationError) as exc:
        accounts.agency_update(actor=team["owner"], agency=team["agency"], working_weekdays=[])
    assert exc.value.message_dict["working_weekdays"] == ["Pick at least one working day."]


def test_an_unknown_region_or_country_is_refused_with_the_known_regions(team, as_owner):
    before = snapshot(team["agency"])

    response = as_owner.post(settings_url(team["agency"]), form_data(subdivision="XX"))

    assert response.context["form"].errors["subdivision"] == [
        "“XX” is not a region of GB. Known regions: ENG, NIR, SCT, WLS."
    ]
    with pytest.raises(ValidationError) as exc:
        accounts.agency_update(
            actor=team["owner"], agency=team["agency"], country="ZZ", time_zone="Nowhere/Town"
        )
    assert set(exc.value.message_dict) == {"country", "time_zone"}
    assert snapshot(team["agency"]) == before


def test_a_logo_image_is_stored(team, as_owner, media_root):
    logo = SimpleUploadedFile("brand.png", png_bytes(), content_type="image/png")

    as_owner.post(settings_url(team["agency"]), {**form_data(), "logo": logo})

    team["agency"].refresh_from_db()
    assert team["agency"].logo.name.startswith("logos/agencies/brand")
    assert len(stored_files(media_root)) == 1
    assert 'class="settings-logo"' in as_owner.get(settings_url(team["agency"])).content.decode()

    # Saving again without a file keeps the logo; ticking "Clear" removes it.
    as_owner.post(settings_url(team["agency"]), form_data(name="Renamed"))
    team["agency"].refresh_from_db()
    assert (team["agency"].name, team["agency"].logo.name.startswith("logos/agencies/brand")) == (
        "Renamed",
        True,
    )
    as_owner.post(settings_url(team["agency"]), {**form_data(), "logo-clear": "on"})
    team["agency"].refresh_from_db()
    assert team["agency"].logo.name == ""


def test_an_oversized_logo_is_refused_and_nothing_is_stored(team, as_owner, media_root, settings):
    settings.LOGO_MAX_BYTES = 2 * 1024 * 1024
    oversized = png_bytes() + b"\0" * (2 * 1024 * 1024)
    before = snapshot(team["agency"])

    response = as_owner.post(
        settings_url(team["agency"]),
        {
            **form_data(name="Renamed"),
            "logo": SimpleUploadedFile("big.png", oversized, content_type="image/png"),
        },
    )

    assert response.context["form"].errors["logo"] == ["The logo is 2.0 MB; the limit is 2 MB."]
    assert snapshot(team["agency"]) == before
    assert stored_files(media_root) == []


def test_a_file_that_is_not_an_image_renamed_png_is_refused_and_nothing_is_stored(team, as_owner, media_root):
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.7 not really a picture\n" * 20, content_type="image/png")
    before = snapshot(team["agency"])

    response = as_owner.post(settings_url(team["agency"]), {**form_data(name="Renamed"), "logo": fake})

    assert response.context["form"].errors["logo"] == ["The logo must be a PNG, JPEG, GIF or WebP image."]
    assert snapshot(team["agency"]) == before
    assert stored_files(media_root) == []


def test_only_owners_find_the_settings_link_in_the_agency_menu(team, as_owner, as_coordinator):
    home_url = reverse("home", kwargs={"agency_slug": team["agency"].slug})
    link = f'href="{settings_url(team["agency"])}">Agency settings</a>'

    assert link in as_owner.get(home_url).content.decode()
    assert link not in as_coordinator.get(home_url).content.decode()
