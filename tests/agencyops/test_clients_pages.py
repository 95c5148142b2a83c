"""Adding, editing, pausing, archiving and reactivating clients through the pages."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from PIL import Image

from agencyops.models import Client, ClientStatus
from agencyops.services import clients as client_services
from tests import factories

pytestmark = pytest.mark.django_db


def _url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def _client_count(agency) -> int:
    with scope(agency=agency.pk):
        return Client.objects.count()


def _reload(client: Client) -> Client:
    with scopes_disabled():
        return Client.objects.get(pk=client.pk)


def _png(name: str = "logo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 78, 121)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_an_owner_adds_a_client_and_its_short_name_comes_from_the_name(team, as_owner):
    agency = team["agency"]

    response = as_owner.post(
        _url("client_create", agency),
        {"name": "Cedar Clinic", "slug": "", "website": "cedar.example", "notes": "Quarterly retainer."},
        follow=True,
    )

    with scope(agency=agency.pk):
        client = Client.objects.get(name="Cedar Clinic")
    assert client.slug == "cedar-clinic"
    assert client.website == "https://cedar.example"
    assert client.notes == "Quarterly retainer."
    assert client.status == ClientStatus.ACTIVE
    assert response.redirect_chain[-1][0] == _url("client_detail", agency, client_id=client.pk)
    assert "Cedar Clinic added." in response.content.decode()


def test_a_coordinator_adds_a_client_with_a_chosen_short_name(team, as_coordinator):
    as_coordinator.post(_url("client_create", team["agency"]), {"name": "Cedar Clinic", "slug": "cedar"})

    with scope(agency=team["agency"].pk):
        assert Client.objects.filter(name="Cedar Clinic", slug="cedar").exists()


def test_the_add_form_labels_every_field_and_explains_the_short_name(team, as_owner):
    page = as_owner.get(_url("client_create", team["agency"])).content.decode()

    for field in ("name", "slug", "website", "notes", "logo"):
        assert f'for="id_{field}"' in page
    assert "Leave empty to make one from the name." in page
    assert 'enctype="multipart/form-data"' in page


def test_a_short_name_already_used_in_the_agency_is_refused_on_the_page(team, as_owner):
    agency = team["agency"]
    before = _client_count(agency)

    response = as_owner.post(
        _url("client_create", agency), {"name": "Acme Dental Two", "slug": "acme-dental"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_slug_error"' in page
    assert "Another client of this agency already uses “acme-dental”." in page
    assert _client_count(agency) == before


def test_a_short_name_used_by_another_agency_is_fine(team, other_team, as_owner):
    as_owner.post(_url("client_create", team["agency"]), {"name": "Zephyr Gym", "slug": "zephyr"})
    with scope(agency=other_team["agency"].pk):
        assert not Client.objects.filter(slug="zephyr").exists()

    factories.client_create(actor=other_team["owner"], name="Zephyr Gym", slug="zephyr")

    with scopes_disabled():
        assert Client.objects.filter(slug="zephyr").count() == 2


def test_a_client_without_a_name_is_refused_with_a_field_message(team, as_owner):
    before = _client_count(team["agency"])

    response = as_owner.post(_url("client_create", team["agency"]), {"name": "", "slug": ""})

    assert 'id="id_name_error"' in response.content.decode()
    assert _client_count(team["agency"]) == before


def test_a_logo_upload_is_stored_with_the_client(team, as_owner, media_root):
    as_owner.post(_url("client_create", team["agency"]), {"name": "Cedar Clinic", "logo": _png()})

    with scope(agency=team["agency"].pk):
        client = Client.objects.get(name="Cedar Clinic")
    assert client.logo.name.startswith("logos/clients/")
    assert (media_root / client.logo.name).exists()


def test_an_oversized_logo_is_refused_and_nothing_is_stored(team, as_owner, media_root, settings):
    oversized = SimpleUploadedFile(
        "big.png", _png().read() + b"\0" * settings.LOGO_MAX_BYTES, content_type="image/png"
    )
    before = _client_count(team["agency"])

    response = as_owner.post(
        _url("client_create", team["agency"]), {"name": "Cedar Clinic", "logo": oversized}
    )

    page = response.content.decode()
    assert 'id="id_logo_error"' in page
    assert "the limit is 2 MB" in page
    assert _client_count(team["agency"]) == before
    assert list(media_root.rglob("*")) == []


def test_a_text_file_named_png_is_refused_as_a_logo_and_nothing_is_stored(team, as_owner, media_root):
    fake = SimpleUploadedFile("logo.png", b"just some words, not a picture", content_type="image/png")
    acme = team["clients"][0]

    response = as_owner.post(
        _url("client_edit", team["agency"], client_id=acme.pk),
        {"name": "Acme Dental", "slug": acme.slug, "logo": fake},
    )

    assert "The logo must be a PNG, JPEG, GIF or WebP image." in response.content.decode()
    assert _reload(acme).logo.name == ""
    assert list(media_root.rglob("*")) == []


def test_an_owner_edits_a_clients_details(team, as_owner):
    acme = team["clients"][0]

    response = as_owner.post(
        _url("client_edit", team["agency"], client_id=acme.pk),
        {
            "name": "Acme Dental Group",
            "slug": "acme",
            "website": "https://acme.example",
            "notes": "Two sites.",
        },
        follow=True,
    )

    acme = _reload(acme)
    assert (acme.name, acme.slug, acme.website, acme.notes) == (
        "Acme Dental Group",
        "acme",
        "https://acme.example",
        "Two sites.",
    )
    assert "Acme Dental Group saved." in response.content.decode()


def test_the_edit_form_starts_from_the_clients_current_details(team, as_owner):
    acme = team["clients"][0]

    page = as_owner.get(_url("client_edit", team["agency"], client_id=acme.pk)).content.decode()

    assert 'value="Acme Dental"' in page and 'value="acme-dental"' in page


def test_editing_to_a_short_name_another_client_uses_is_refused_and_changes_nothing(team, as_owner):
    acme = team["clients"][0]

    response = as_owner.post(
        _url("client_edit", team["agency"], client_id=acme.pk),
        {"name": "Acme Renamed", "slug": "birch-bakery"},
    )

    assert "Another client of this agency already uses “birch-bakery”." in response.content.decode()
    acme = _reload(acme)
    assert (acme.name, acme.slug) == ("Acme Dental", "acme-dental")


def test_pausing_a_client_from_its_page_keeps_it_in_the_records(team, as_coordinator):
    acme = team["clients"][0]

    response = as_coordinator.post(
        _url("client_status", team["agency"], client_id=acme.pk), {"status": "paused"}, follow=True
    )

    assert _reload(acme).status == ClientStatus.PAUSED
    assert "Acme Dental is paused." in response.content.decode()
    assert (
        "Acme Dental"
        in as_coordinator.get(_url("client_list", team["agency"]) + "?status=paused").content.decode()
    )


def test_archiving_a_client_drops_it_from_the_default_list(team, as_owner):
    acme = team["clients"][0]

    response = as_owner.post(
        _url("client_status", team["agency"], client_id=acme.pk), {"status": "archived"}, follow=True
    )

    acme = _reload(acme)
    assert acme.status == ClientStatus.ARCHIVED and acme.archived_at is not None
    assert "Its contacts can no longer open the portal." in response.content.decode()
    assert "Acme Dental" not in as_owner.get(_url("client_list", team["agency"])).content.decode()


def test_the_archive_button_asks_for_confirmation_with_and_without_javascript(team, as_owner):
    acme = team["clients"][0]

    page = as_owner.get(_url("client_detail", team["agency"], client_id=acme.pk)).content.decode()

    archive_form = page.split('value="archived"')[0].rsplit("<form", 1)[1]
    assert 'data-confirm="Archive Acme Dental?' in archive_form
    assert '<noscript><input type="hidden" name="needs_confirmation" value="1"></noscript>' in page


def test_archiving_without_javascript_shows_a_confirm_page_and_changes_nothing_yet(team, as_owner):
    acme = team["clients"][0]
    url = _url("client_status", team["agency"], client_id=acme.pk)

    response = as_owner.post(url, {"status": "archived", "needs_confirmation": "1"})

    page = response.content.decode()
    assert "<h1>Archive Acme Dental?</h1>" in page
    assert f'<form method="post" action="{url}"' in page
    assert "needs_confirmation" not in page
    assert _reload(acme).status == ClientStatus.ACTIVE


def test_opening_the_status_address_shows_the_archive_confirm_page(team, as_owner):
    acme = team["clients"][0]

    page = as_owner.get(_url("client_status", team["agency"], client_id=acme.pk) + "?status=archived").content
    assert "Archived clients leave the client list" in page.decode()
    assert _reload(acme).status == ClientStatus.ACTIVE


def test_reactivating_an_archived_client_brings_it_back(team, as_owner):
    acme = team["clients"][0]
    with scope(agency=team["agency"].pk):
        client_services.client_set_status(actor=team["owner"], client=acme, status=ClientStatus.ARCHIVED)

    response = as_owner.post(
        _url("client_status", team["agency"], client_id=acme.pk), {"status": "active"}, follow=True
    )

    acme = _reload(acme)
    assert acme.status == ClientStatus.ACTIVE and acme.archived_at is None
    assert "Acme Dental is active again." in response.content.decode()


def test_an_unknown_status_is_refused_and_changes_nothing(team, as_owner):
    acme = team["clients"][0]

    response = as_owner.post(
        _url("client_status", team["agency"], client_id=acme.pk), {"status": "deleted"}, follow=True
    )

    assert "“deleted” is not a client status." in response.content.decode()
    assert _reload(acme).status == ClientStatus.ACTIVE


def test_the_client_page_shows_its_facts_contacts_and_the_sections_to_come(team, as_owner):
    acme = team["clients"][0]
    contact = team["contacts"][0]

    page = as_owner.get(_url("client_detail", team["agency"], client_id=acme.pk)).content.decode()

    assert "<h1>Acme Dental" in page and "acme-dental" in page
    assert contact.full_name in page and contact.email in page
    assert "Default approver" in page
    assert "No projects for Acme Dental yet." in page
    assert "Nothing is waiting on Acme Dental." in page
    for name in ("client_edit", "contact_create"):
        assert _url(name, team["agency"], client_id=acme.pk) in page


def test_a_member_reads_the_client_page_without_the_buttons_to_change_it(team, as_member):
    acme = team["clients"][0]

    page = as_member.get(_url("client_detail", team["agency"], client_id=acme.pk)).content.decode()

    assert "Acme Dental" in page
    assert _url("client_edit", team["agency"], client_id=acme.pk) not in page
    assert _url("client_status", team["agency"], client_id=acme.pk) not in page


def test_a_member_may_not_add_edit_or_change_the_status_of_clients(team, as_member):
    agency, acme = team["agency"], team["clients"][0]
    before = _client_count(agency)

    created = as_member.post(_url("client_create", agency), {"name": "Sneaky Client"})
    edited = as_member.post(_url("client_edit", agency, client_id=acme.pk), {"name": "Renamed", "slug": "x"})
    archived = as_member.post(_url("client_status", agency, client_id=acme.pk), {"status": "archived"})
    opened = as_member.get(_url("client_create", agency))

    assert [r.status_code for r in (created, edited, archived, opened)] == [403, 403, 403, 403]
    assert _client_count(agency) == before
    acme = _reload(acme)
    assert (acme.name, acme.status) == ("Acme Dental", ClientStatus.ACTIVE)


@pytest.mark.parametrize(
    ("name", "method", "extra"),
    [
        ("client_detail", "get", {}),
        ("client_edit", "get", {}),
        ("client_edit", "post", {}),
        ("client_status", "get", {}),
        ("client_status", "post", {}),
        ("contact_create", "get", {}),
        ("contact_create", "post", {}),
        ("contact_edit", "get", {"contact": True}),
        ("contact_edit", "post", {"contact": True}),
        ("contact_invite", "post", {"contact": True}),
    ],
)
def test_another_agencys_client_answers_404_like_a_missing_one(
    name, method, extra, team, other_team, as_owner
):
    theirs = other_team["clients"][0]
    kwargs = {"client_id": theirs.pk}
    if extra:
        kwargs["contact_id"] = other_team["contacts"][0].pk
    data = {
        "name": "Taken over",
        "slug": "taken",
        "status": "archived",
        "full_name": "Mallory",
        "email": "mallory@example.test",
    }

    theirs_response = getattr(as_owner, method)(_url(name, team["agency"], **kwargs), data)
    missing_kwargs = {key: 999_999 for key in kwargs}
    missing_response = getattr(as_owner, method)(_url(name, team["agency"], **missing_kwargs), data)

    assert theirs_response.status_code == missing_response.status_code == 404
    assert theirs_response.content == missing_response.content
    theirs = _reload(theirs)
    assert (theirs.name, theirs.status) == ("Acme Dental", ClientStatus.ACTIVE)


def test_the_client_page_lists_its_projects_open_approvals_and_links_the_decision_log(team, as_coordinator):
    from django.urls import reverse

    from tests import factories

    client = team["clients"][0]
    project = factories.project_create(actor=team["coordinator"], client=client, name="Smile campaign")
    factories.approval_create(actor=team["coordinator"], project=project, title="Hero copy")
    other = factories.project_create(actor=team["coordinator"], client=team["clients"][1], name="Bread week")
    page = as_coordinator.get(
        reverse("client_detail", kwargs={"agency_slug": team["agency"].slug, "client_id": client.pk})
    ).content.decode()
    assert "Smile campaign" in page and "Hero copy" in page and other.name not in page
    assert (
        reverse("decision_log", kwargs={"agency_slug": team["agency"].slug, "client_id": client.pk}) in page
    )
