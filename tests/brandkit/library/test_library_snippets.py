"""Search snippets read a window of text around the first search word instead of the whole file, and fall
back to the whole text whenever that window holds no match, so every hit still shows a highlighted passage."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from brandkit.library import services
from brandkit.library.selectors import LibraryFilters, library_search, snippet_anchor_words
from tests.brandkit.library import fixtures

FILLER = "Spacing and colour rules for every placement of the mark on print and screen. " * 400  # ~31,000 chars


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _indexed(team, title: str, text: str):
    with scope(agency=team["agency"].pk):
        item = services.library_item_create(
            actor=team["coordinator"], title=title, kind="research", upload=fixtures.upload(f"{title}.txt", text.encode())
        )
        services.library_version_index(library_version_id=item.latest_version_id)
    return item


def _snippet(team, words: str) -> str:
    with scope(agency=team["agency"].pk):
        page = library_search(viewer=team["coordinator"], filters=LibraryFilters(q=words))
    assert page.total == 1
    return str(page.hits[0].snippet)


def test_anchor_words_are_stem_prefixes_in_the_case_forms_of_text_and_none_for_phrases_or_or():
    assert snippet_anchor_words("Aligners") == ["aligne", "Aligne", "ALIGNE"]
    assert snippet_anchor_words("the logo") == ["the", "The", "THE", "logo", "Logo", "LOGO"]
    assert snippet_anchor_words('"clear aligner case"') == []
    assert snippet_anchor_words("logo OR mark") == []
    assert snippet_anchor_words("logo -draft") == []


@pytest.mark.django_db
def test_a_rare_word_deep_in_a_long_file_is_highlighted(team):
    _indexed(team, "Research deck", FILLER + " Invisalign interest doubled among adults. " + FILLER)
    snippet = _snippet(team, "invisalign")
    assert "<mark>Invisalign</mark> interest doubled among adults" in snippet


@pytest.mark.django_db
def test_words_far_apart_fall_back_to_the_whole_text_and_stay_highlighted(team):
    _indexed(team, "Long brief", "Our orthodontics offer. " + FILLER + FILLER + " The retainer fee is monthly.")
    snippet = _snippet(team, "orthodontics retainer")
    assert "<mark>orthodontics</mark>" in snippet or "<mark>retainer</mark>" in snippet


@pytest.mark.django_db
def test_a_stemmed_form_the_window_cannot_find_still_gets_its_passage(team, as_coordinator):
    _indexed(team, "Campaign notes", FILLER + " We ran three campaigns last spring. " + FILLER)
    page = as_coordinator.get(reverse("library", args=[team["agency"].slug]), {"q": "campaigning"})
    assert "<mark>campaigns</mark> last spring" in page.content.decode()
