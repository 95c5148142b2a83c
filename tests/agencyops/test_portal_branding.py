"""The portal carries the agency's logo and colour, set in agency settings; never another agency's."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope
from PIL import Image

from agencyops.brand_colour import brand_colour_problem, contrast_with_white, normalise_hex_colour
from agencyops.models import DEFAULT_APPROVAL_TERMS, Agency
from agencyops.services import accounts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _settings_form(**overrides) -> dict:
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


def _brand(team, colour: str, *, logo: bool = False) -> Agency:
    fields: dict = {"brand_colour": colour}
    if logo:
        buffer = io.BytesIO()
        Image.new("RGB", (12, 6), (120, 20, 60)).save(buffer, "PNG")
        fields["logo"] = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    with scope(agency=team["agency"].pk):
        return accounts.agency_update(actor=team["owner"], agency=team["agency"], **fields)


def _portal(agency) -> str:
    return reverse("portal_home", kwargs={"agency_slug": agency.slug})


# ------------------------------------------------------------------ the colour rule, on plain values


def test_hex_colours_are_read_in_their_usual_spellings():
    assert normalise_hex_colour("#1F4E79") == "#1f4e79"
    assert normalise_hex_colour(" 1f4e79 ") == "#1f4e79"
    assert normalise_hex_colour("#15a") == "#1155aa"
    assert normalise_hex_colour("navy") is None
    assert normalise_hex_colour("#1f4e7") is None


def test_white_text_contrast_follows_wcag():
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    # The lightest grey that passes 4.5:1 against white, and the next step lighter that does not.
    assert brand_colour_problem("#767676") is None
    assert "4.4:1" in brand_colour_problem("#777777")


# ------------------------------------------------------------------ setting it


def test_an_owner_sets_the_brand_colour_in_agency_settings(team, as_owner):
    url = reverse("agency_settings", kwargs={"agency_slug": team["agency"].slug})

    response = as_owner.post(url, _settings_form(brand_colour="#8A1538"))

    assert response.status_code == 302
    assert Agency.objects.get(pk=team["agency"].pk).brand_colour == "#8a1538"
    assert 'value="#8a1538"' in as_owner.get(url).content.decode()


def test_a_colour_too_light_for_white_text_is_refused_with_a_message(team, as_owner):
    url = reverse("agency_settings", kwargs={"agency_slug": team["agency"].slug})

    response = as_owner.post(url, _settings_form(brand_colour="#ffd700"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "#ffd700 is too light for the white text on buttons: contrast 1.4:1" in page
    assert "Choose a darker shade." in page
    assert Agency.objects.get(pk=team["agency"].pk).brand_colour == ""


def test_something_that_is_not_a_colour_is_refused_with_a_message(team, as_owner):
    url = reverse("agency_settings", kwargs={"agency_slug": team["agency"].slug})

    page = as_owner.post(url, _settings_form(brand_colour="red;}body{x")).content.decode()

    assert "is not a colour. Write it as a hex code, e.g. #1f4e79." in page
    assert Agency.objects.get(pk=team["agency"].pk).brand_colour == ""


def test_emptying_the_colour_goes_back_to_the_standard_one(team, as_owner):
    _brand(team, "#8a1538")
    url = reverse("agency_settings", kwargs={"agency_slug": team["agency"].slug})

    as_owner.post(url, _settings_form(brand_colour=""))

    assert Agency.objects.get(pk=team["agency"].pk).brand_colour == ""


# ------------------------------------------------------------------ the portal shows it


def test_every_portal_page_links_the_agency_colour_and_the_stylesheet_sets_it(team, as_contact):
    agency = _brand(team, "#8a1538", logo=True)
    css_url = reverse("portal_branding_css", kwargs={"agency_slug": agency.slug})
    pages = [
        _portal(agency),
        reverse("portal_decision_log", kwargs={"agency_slug": agency.slug}),
        reverse("portal_brand_files", kwargs={"agency_slug": agency.slug}),
        reverse("portal_notification_settings", kwargs={"agency_slug": agency.slug}),
    ]
    for url in pages:
        page = as_contact.get(url).content.decode()
        assert f'<link rel="stylesheet" href="{css_url}?c=8a1538">' in page, url
        assert f'src="{reverse("portal_logo", kwargs={"agency_slug": agency.slug})}"' in page, url

    css = as_contact.get(css_url)
    assert css["Content-Type"].startswith("text/css")
    assert "--brand: #8a1538;" in css.content.decode()
    assert "--accent: #8a1538;" in css.content.decode()
    logo = as_contact.get(reverse("portal_logo", kwargs={"agency_slug": agency.slug}))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"


def test_without_a_colour_the_portal_links_no_brand_stylesheet(team, as_contact):
    page = as_contact.get(_portal(team["agency"])).content.decode()

    assert "branding.css" not in page
    assert "portal-logo" not in page


def test_another_agencys_branding_never_shows(team, other_team, as_contact, logged_in):
    _brand(team, "#8a1538", logo=True)
    with scope(agency=other_team["agency"].pk):
        accounts.agency_update(actor=other_team["owner"], agency=other_team["agency"], brand_colour="#0b5d1e")
    theirs = logged_in(other_team["contacts"][0].user)

    mine = as_contact.get(_portal(team["agency"])).content.decode()
    their_page = theirs.get(_portal(other_team["agency"])).content.decode()

    assert "8a1538" in mine and "0b5d1e" not in mine
    assert "0b5d1e" in their_page and "8a1538" not in their_page
    assert "portal-logo" not in their_page
    # Another agency's stylesheet and logo are as missing to a contact of this one as a wrong address.
    for name in ("portal_branding_css", "portal_logo"):
        assert (
            as_contact.get(reverse(name, kwargs={"agency_slug": other_team["agency"].slug})).status_code
            == 404
        )
    css = theirs.get(reverse("portal_branding_css", kwargs={"agency_slug": other_team["agency"].slug}))
    assert "#0b5d1e" in css.content.decode() and "8a1538" not in css.content.decode()
    assert (
        theirs.get(reverse("portal_logo", kwargs={"agency_slug": other_team["agency"].slug})).status_code
        == 404
    )


def test_mails_of_a_branded_agency_carry_its_colour(team, other_team):
    from agencyops.mail import mail_render

    agency = _brand(team, "#8a1538")
    notification = {"body": "Work to review", "url": "/portal/x/"}

    branded = mail_render(
        to="anna@example.com",
        subject="Hello",
        template="mail/notification",
        context={"notification": notification},
        agency=agency,
    )
    plain = mail_render(
        to="ben@example.com",
        subject="Hello",
        template="mail/notification",
        context={"notification": notification},
        agency=other_team["agency"],
    )

    assert "border-top:6px solid #8a1538" in branded.html and "background:#8a1538" in branded.html
    assert "8a1538" not in plain.html and "border-top:6px solid" not in plain.html


def test_the_brand_stylesheet_costs_only_the_portal_check(team, as_contact, django_assert_num_queries):
    agency = _brand(team, "#8a1538")
    url = reverse("portal_branding_css", kwargs={"agency_slug": agency.slug})

    # Session, user, contact (with its agency): the colour comes with the agency already loaded.
    with django_assert_num_queries(3):
        css = as_contact.get(url).content.decode()

    assert "--brand: #8a1538;" in css
