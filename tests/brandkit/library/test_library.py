"""The library as coordinators, members and clients use it: file, replace, find, share, delete, restore."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from brandkit.library import services
from brandkit.library.models import ExtractionState, LibraryItem, LibraryVersion
from tests import factories
from tests.brandkit.library import fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _file(
    team,
    *,
    title="Acme brand guidelines",
    name="guidelines.pdf",
    data=None,
    kind="guidelines",
    client=None,
    **kw,
):
    with scope(agency=team["agency"].pk):
        return services.library_item_create(
            actor=team["coordinator"],
            title=title,
            kind=kind,
            client=client or team["clients"][0],
            upload=fixtures.upload(
                name, data if data is not None else fixtures.pdf(fixtures.guidelines_pages())
            ),
            **kw,
        )


def _index(item: LibraryItem) -> LibraryVersion:
    """What the worker does after an upload: read the latest version's text for search."""
    with scope(agency=item.agency_id):
        return services.library_version_index(library_version_id=item.latest_version_id)


def test_a_sentence_from_page_14_of_a_pdf_is_found_by_searching_a_phrase_with_a_highlighted_snippet(
    team, as_coordinator
):
    item = _file(team)
    version = _index(item)
    assert version.extraction_state == ExtractionState.DONE and version.pages == 20

    page = as_coordinator.get(
        reverse("library", args=[team["agency"].slug]), {"q": '"clear aligner case"'}
    ).content.decode()

    assert "Acme brand guidelines" in page
    assert "<mark>clear</mark> <mark>aligner</mark> <mark>case</mark>" in page


def test_titles_outrank_body_text_and_words_that_do_not_match_find_nothing(team, as_coordinator):
    body_only = _file(
        team,
        title="Spring campaign report",
        data=fixtures.docx(["Our logo pack appears in the appendix."]),
        name="r.docx",
    )
    titled = _file(team, title="Logo pack", data=fixtures.png(), name="logo.png", kind="logo")
    _index(body_only)

    with scope(agency=team["agency"].pk):
        from brandkit.library.selectors import LibraryFilters, library_search

        hits = library_search(viewer=team["coordinator"], filters=LibraryFilters(q="logo pack")).hits
        nothing = library_search(viewer=team["coordinator"], filters=LibraryFilters(q="invisalign")).hits

    assert [h.item.pk for h in hits] == [titled.pk, body_only.pk]
    assert nothing == []


def test_word_decks_and_workbooks_become_searchable_by_their_words(team):
    brief = _file(
        team,
        title="Q3 brief",
        name="brief.docx",
        data=fixtures.docx(["Target the night-shift nurses segment"]),
        kind="brief",
    )
    deck = _file(
        team,
        title="Research deck",
        name="deck.pptx",
        data=fixtures.pptx([["Findings"], ["Patients mention Invisalign twice as often"]]),
        kind="research",
    )
    sheet = _file(
        team,
        title="Keywords",
        name="kw.xlsx",
        data=fixtures.xlsx([["keyword", "volume"], ["emergency dentist", 4400]]),
        kind="research",
    )
    for item in (brief, deck, sheet):
        assert _index(item).extraction_state == ExtractionState.DONE

    with scope(agency=team["agency"].pk):
        from brandkit.library.selectors import LibraryFilters, library_search

        def found(q):
            return {
                h.item.pk
                for h in library_search(viewer=team["coordinator"], filters=LibraryFilters(q=q)).hits
            }

        assert found("nurses") == {brief.pk}
        assert found("invisalign") == {deck.pk}
        assert found("emergency dentist") == {sheet.pk}


def test_a_broken_file_stays_usable_and_says_why_it_is_not_searchable(team, as_coordinator):
    item = _file(
        team, title="Old proposal", name="proposal.docx", data=fixtures.zip_bomb(20), kind="contract"
    )

    version = _index(item)

    assert version.extraction_state == ExtractionState.FAILED
    assert "zip bomb" in version.extraction_note
    page = as_coordinator.get(reverse("library_item", args=[team["agency"].slug, item.pk])).content.decode()
    assert "Not searchable: the archive is compressed" in page
    download = as_coordinator.get(
        reverse("library_version_download", args=[team["agency"].slug, item.pk, version.pk])
    )
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_replacing_a_file_keeps_the_old_version_and_makes_the_new_one_latest(team, as_coordinator):
    item = _file(team, title="Acme logo pack", name="logo-v1.png", data=fixtures.png((10, 10)), kind="logo")
    with scope(agency=team["agency"].pk):
        second = services.library_version_add(
            actor=team["members"][0],
            item=item,
            upload=fixtures.upload("logo-v2.png", fixtures.png((12, 10))),
            notes="New wordmark",
        )
        item.refresh_from_db()
        versions = list(item.versions.order_by("-number").values_list("number", "original_name"))

    assert item.latest_version == second and second.number == 2
    assert versions == [(2, "logo-v2.png"), (1, "logo-v1.png")]
    page = as_coordinator.get(reverse("library_item", args=[team["agency"].slug, item.pk])).content.decode()
    assert page.index("logo-v2.png") < page.index("logo-v1.png")
    assert "Latest" in page and "read-only" in page


def test_the_same_file_twice_is_offered_as_already_in_the_library(team, as_coordinator):
    data = fixtures.png((33, 21))
    _file(team, title="Acme logo pack", name="logo.png", data=data, kind="logo")

    response = as_coordinator.post(
        reverse("library_item_new", args=[team["agency"].slug]),
        {
            "title": "Logo again",
            "kind": "logo",
            "client": team["clients"][0].pk,
            "file": fixtures.upload("copy.png", data),
        },
    )

    assert response.status_code == 400
    assert "already in the library as “Acme logo pack”" in response.content.decode()
    again = as_coordinator.post(
        reverse("library_item_new", args=[team["agency"].slug]),
        {
            "title": "Logo again",
            "kind": "logo",
            "client": team["clients"][0].pk,
            "allow_duplicate": "on",
            "file": fixtures.upload("copy.png", data),
        },
    )
    assert again.status_code == 302
    with scope(agency=team["agency"].pk):
        assert LibraryItem.objects.filter(title="Logo again").count() == 1


def test_links_are_items_too(team, as_coordinator):
    response = as_coordinator.post(
        reverse("library_item_new", args=[team["agency"].slug]),
        {
            "title": "Homepage design",
            "kind": "past_work",
            "client": team["clients"][0].pk,
            "url": "https://www.figma.com/file/abc/homepage",
        },
    )
    assert response.status_code == 302
    with scope(agency=team["agency"].pk):
        item = LibraryItem.objects.get(title="Homepage design")
    opened = as_coordinator.get(
        reverse("library_version_download", args=[team["agency"].slug, item.pk, item.latest_version_id])
    )
    assert opened.status_code == 302 and opened["Location"] == "https://www.figma.com/file/abc/homepage"


def test_svg_and_html_are_always_downloads_never_shown_inline(team, as_coordinator):
    item = _file(team, title="Logo SVG", name="logo.svg", data=fixtures.SVG_WITH_SCRIPT, kind="logo")

    response = as_coordinator.get(
        reverse("library_version_download", args=[team["agency"].slug, item.pk, item.latest_version_id])
    )

    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_file_over_the_size_limit_is_refused_with_the_figures(team, settings):
    settings.LIBRARY_FILE_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="the limit is"):
        _file(team, data=b"x" * 5000, name="big.txt")


def test_sharing_puts_the_latest_shared_version_on_the_clients_brand_files_page_and_nothing_else(
    team, as_contact
):
    shared = _file(team, title="Acme logo pack", name="logo.png", data=fixtures.png((40, 30)), kind="logo")
    _file(
        team, title="Internal pitch notes", name="notes.txt", data=b"margin 40% internal only", kind="other"
    )
    _file(
        team,
        title="Other client logo",
        name="o.png",
        data=fixtures.png((41, 30)),
        kind="logo",
        client=team["clients"][1],
    )
    with scope(agency=team["agency"].pk):
        services.library_item_share(actor=team["coordinator"], item=shared, visible=True)
        v2 = services.library_version_add(
            actor=team["coordinator"],
            item=shared,
            upload=fixtures.upload("logo2.png", fixtures.png((42, 30))),
        )
        services.library_version_share(actor=team["coordinator"], version=v2, visible=False)

    page = as_contact.get(reverse("portal_brand_files", args=[team["agency"].slug])).content.decode()

    assert "Acme logo pack" in page and "version 1" in page
    assert "Internal pitch notes" not in page and "Other client logo" not in page
    download = as_contact.get(reverse("portal_brand_file_download", args=[team["agency"].slug, shared.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == fixtures.png((40, 30))


def test_a_client_cannot_download_an_unshared_or_another_clients_file(team, as_contact):
    internal = _file(team, title="Internal", name="i.png", data=fixtures.png((43, 30)), kind="logo")
    others = _file(
        team, title="Other", name="o.png", data=fixtures.png((44, 30)), kind="logo", client=team["clients"][1]
    )
    with scope(agency=team["agency"].pk):
        services.library_item_share(actor=team["coordinator"], item=others, visible=True)

    for item in (internal, others):
        assert (
            as_contact.get(
                reverse("portal_brand_file_download", args=[team["agency"].slug, item.pk])
            ).status_code
            == 404
        )


def test_members_file_and_replace_but_only_leads_share_delete_and_restore(team):
    item = _file(team, title="Acme logo", name="l.png", data=fixtures.png((45, 30)), kind="logo")
    member = team["members"][0]
    with scope(agency=team["agency"].pk):
        for action in (
            lambda: services.library_item_share(actor=member, item=item, visible=True),
            lambda: services.library_item_delete(actor=member, item=item),
        ):
            with pytest.raises(PermissionDenied):
                action()


def test_a_deleted_item_is_hidden_restorable_and_purged_with_its_files_after_thirty_days(
    team, as_coordinator, django_capture_on_commit_callbacks
):
    item = _file(team, title="Retired logo", name="old.png", data=fixtures.png((46, 30)), kind="logo")
    stored = item.latest_version.file.name
    storage = item.latest_version.file.storage
    with scope(agency=team["agency"].pk):
        services.library_item_delete(actor=team["coordinator"], item=item)
    listing = as_coordinator.get(reverse("library", args=[team["agency"].slug])).content.decode()
    assert "Retired logo" not in listing
    assert (
        "Retired logo"
        in as_coordinator.get(reverse("library_bin", args=[team["agency"].slug])).content.decode()
    )

    with scope(agency=team["agency"].pk):
        services.library_item_restore(actor=team["coordinator"], item=item)
        assert services.library_purge_deleted(now=timezone.now() + timedelta(days=40)) == 0
        services.library_item_delete(actor=team["coordinator"], item=item)
        assert services.library_purge_deleted(now=timezone.now() + timedelta(days=29)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        with scope(agency=team["agency"].pk):
            assert services.library_purge_deleted(now=timezone.now() + timedelta(days=31)) == 1
    with scope(agency=team["agency"].pk):
        assert not LibraryItem.objects.filter(pk=item.pk).exists()
    assert not storage.exists(stored)


def test_an_approved_request_is_filed_as_the_clients_past_work_once(team):
    project = factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Spring promo"
    )
    request = factories.approval_create(actor=team["coordinator"], project=project)
    from approvals import services as approval_services

    with scope(agency=team["agency"].pk):
        approval_services.approval_decide(contact=team["contacts"][0], request=request, verdict="approve")
        first = services.library_file_approved_request(request_id=request.pk)
        again = services.library_file_approved_request(request_id=request.pk)
        assert first == again
        assert LibraryItem.objects.filter(approval_request=request).count() == 1
        assert first.kind == "past_work" and first.client == team["clients"][0] and first.project == project
        assert "Smile with confidence" in first.latest_version.text


def test_the_search_page_runs_a_fixed_number_of_queries_however_many_items_match(team, as_coordinator):
    for n in range(30):
        _file(
            team,
            title=f"Campaign report {n}",
            name=f"r{n}.txt",
            data=f"Quarterly results for dental campaign {n}".encode(),
            kind="report",
        )
    with scope(agency=team["agency"].pk):
        for item in LibraryItem.objects.all():
            _index(item)
    url = reverse("library", args=[team["agency"].slug])
    as_coordinator.get(url, {"q": "dental campaign"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ten:
        as_coordinator.get(url, {"q": "dental campaign"})
    for n in range(30, 60):
        _file(
            team,
            title=f"Campaign report {n}",
            name=f"r{n}.txt",
            data=f"Quarterly results for dental campaign {n}".encode(),
            kind="report",
        )
    with CaptureQueriesContext(connection) as more:
        page = as_coordinator.get(url, {"q": "dental campaign"}).content.decode()
    assert len(more) == len(ten)
    assert page.count('class="library-hit"') == 25
