"""The library's API, and the work a real Celery worker does after an upload and after an approval."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django_scopes import scope

from agencyops.celery import app
from brandkit.library.models import ExtractionState, LibraryItem
from tests import factories
from tests.brandkit.library import fixtures


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_an_item_is_filed_searched_replaced_and_downloaded_through_the_api(team):
    api = factories.token_client(team["coordinator"].user)
    slug = team["agency"].slug

    created = api.post(
        reverse("api_library_list", args=[slug]),
        {
            "title": "Acme tone of voice",
            "kind": "guidelines",
            "client": team["clients"][0].pk,
            "tags": ["voice", "Brand"],
            "file": fixtures.upload("voice.txt", b"We speak plainly and warmly to parents."),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["tags"] == ["voice", "brand"] and item["latest_version"]["number"] == 1
    assert item["latest_version"]["extraction_state"] == "pending"

    with scope(agency=team["agency"].pk):
        from brandkit.library import services

        services.library_version_index(library_version_id=item["latest_version"]["id"])
    found = api.get(reverse("api_library_list", args=[slug]), {"q": "warmly parents"}).json()
    assert found["count"] == 1 and "<mark>warmly</mark>" in found["results"][0]["snippet"]

    replaced = api.post(
        reverse("api_library_versions", args=[slug, item["id"]]),
        {"file": fixtures.upload("voice-v2.txt", b"Version two of the voice."), "notes": "Shorter"},
        format="multipart",
    )
    assert replaced.status_code == 201 and replaced.json()["number"] == 2
    versions = api.get(reverse("api_library_versions", args=[slug, item["id"]])).json()
    assert [v["number"] for v in versions] == [2, 1]
    download = api.get(versions[1]["download_url"])
    assert b"".join(download.streaming_content) == b"We speak plainly and warmly to parents."


@pytest.mark.django_db
def test_bad_library_input_gets_a_clear_400_not_a_500(team):
    api = factories.token_client(team["coordinator"].user)
    url = reverse("api_library_list", args=[team["agency"].slug])

    assert api.get(url, {"page": 2**40}).status_code == 400
    assert api.get(url, {"since": "2026-02-30"}).status_code == 400
    assert api.get(url, {"kind": "spaceship"}).status_code == 400
    neither = api.post(url, {"title": "Nothing attached"}, format="json")
    assert neither.status_code == 400 and "file" in neither.json()
    other_client = api.post(
        url, {"title": "x", "url": "https://example.com", "client": 999999}, format="json"
    )
    assert other_client.status_code == 400 and "client" in other_client.json()


@pytest.mark.django_db
def test_another_agencys_items_and_downloads_are_404_through_the_api(team, other_team, settings):
    with scope(agency=other_team["agency"].pk):
        from brandkit.library import services

        theirs = services.library_item_create(
            actor=other_team["coordinator"],
            title="Their logo",
            kind="logo",
            upload=fixtures.upload("l.png", fixtures.png((50, 50))),
        )
    api = factories.token_client(team["coordinator"].user)
    slug = team["agency"].slug
    assert api.get(reverse("api_library_item", args=[slug, theirs.pk])).status_code == 404
    assert (
        api.get(
            reverse("api_library_version_download", args=[slug, theirs.pk, theirs.latest_version_id])
        ).status_code
        == 404
    )
    assert api.get(reverse("api_library_list", args=[slug]), {"q": "logo"}).json()["count"] == 0


@pytest.mark.django_db
def test_the_portal_api_lists_only_what_is_shared_with_the_callers_client(team):
    from brandkit.library import services

    with scope(agency=team["agency"].pk):
        shared = services.library_item_create(
            actor=team["coordinator"],
            title="Acme fonts",
            kind="font",
            client=team["clients"][0],
            upload=fixtures.upload("font.otf", b"OTTO" + b"\x01" * 200),
        )
        services.library_item_share(actor=team["coordinator"], item=shared, visible=True)
        services.library_item_create(
            actor=team["coordinator"],
            title="Internal",
            kind="other",
            client=team["clients"][0],
            upload=fixtures.upload("i.txt", b"internal"),
        )
    api = factories.token_client(team["contacts"][0].user)

    listed = api.get(reverse("api_portal_brand_files", args=[team["agency"].slug])).json()

    assert [f["title"] for f in listed] == ["Acme fonts"]
    assert api.get(listed[0]["download_url"]).status_code == 200


@pytest.fixture
def worker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as running:
        yield running


def _wait_for(check, seconds: float = 30.0):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_uploaded_pdf_becomes_searchable_through_a_real_worker(team, worker, as_coordinator):
    response = as_coordinator.post(
        reverse("library_item_new", args=[team["agency"].slug]),
        {
            "title": "Acme guidelines",
            "kind": "guidelines",
            "client": team["clients"][0].pk,
            "file": fixtures.upload("g.pdf", fixtures.pdf(fixtures.guidelines_pages())),
        },
    )
    assert response.status_code == 302

    def indexed():
        with scope(agency=team["agency"].pk):
            return LibraryItem.objects.filter(
                title="Acme guidelines", latest_version__extraction_state=ExtractionState.DONE
            ).first()

    _wait_for(indexed)
    page = as_coordinator.get(
        reverse("library", args=[team["agency"].slug]), {"q": "aligner case"}
    ).content.decode()
    assert "Acme guidelines" in page and "<mark>aligner</mark>" in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_approval_lands_in_the_library_by_itself(team, worker):
    from approvals import services as approval_services

    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Spring promo"
    )
    request = factories.approval_create(
        actor=team["coordinator"], project=project, title="Spring landing page"
    )
    with scope(agency=team["agency"].pk):
        approval_services.approval_decide(contact=team["contacts"][0], request=request, verdict="approve")

    def filed():
        with scope(agency=team["agency"].pk):
            return LibraryItem.objects.filter(approval_request=request, kind="past_work").first()

    item = _wait_for(filed)
    assert item.title == "Spring landing page" and item.client == team["clients"][0]
