"""Previews of library files: a worker draws a thumbnail of an image or a PDF's first page, refuses a
decompression bomb with its size (the file stays usable), and the picture is served only after the tenant
check, to the team and, for shared items, to the item's own client."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django_scopes import scope
from PIL import Image

from brandkit.library import services
from brandkit.library.models import LibraryItem, PreviewState
from brandkit.library.tasks import index_library_version, render_library_preview
from tests.approvals.test_hostile_uploads import bomb_png
from tests.brandkit.library import fixtures


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _file(team, *, title: str, name: str, data: bytes, client_index: int = 0, share: bool = False):
    with scope(agency=team["agency"].pk):
        item = services.library_item_create(
            actor=team["coordinator"], title=title, kind="logo", client=team["clients"][client_index],
            upload=fixtures.upload(name, data),
        )  # fmt: skip
        if share:
            services.library_item_share(actor=team["coordinator"], item=item, visible=True)
        return item


def _drawn(team, item):
    """Run the worker's task for the item's latest version, then read the version back."""
    state = render_library_preview(item.latest_version_id)
    with scope(agency=team["agency"].pk):
        item.latest_version.refresh_from_db()
    return state, item.latest_version


def _png_size(response) -> tuple[int, int]:
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as picture:
        return picture.size


@pytest.mark.django_db
def test_an_uploaded_image_gets_a_small_preview_shown_in_the_list_and_on_its_page(team, as_coordinator):
    item = _file(team, title="Acme logo", name="logo.png", data=fixtures.png((1600, 800)))
    assert item.latest_version.preview_state == PreviewState.PENDING

    state, version = _drawn(team, item)

    assert state == PreviewState.DONE and (version.preview_width, version.preview_height) == (480, 240)
    slug = team["agency"].slug
    url = reverse("library_version_preview", args=[slug, item.pk, version.pk])
    assert _png_size(as_coordinator.get(url)) == (480, 240)
    assert url in as_coordinator.get(reverse("library", args=[slug])).content.decode()
    detail = as_coordinator.get(reverse("library_item", args=[slug, item.pk])).content.decode()
    assert url in detail and 'alt="Preview of Acme logo, version 1"' in detail


@pytest.mark.django_db
def test_a_pdf_gets_its_first_page_as_preview(team, as_coordinator):
    item = _file(team, title="Acme guidelines", name="g.pdf", data=fixtures.pdf(["First page", "Second"]))

    state, version = _drawn(team, item)

    assert state == PreviewState.DONE
    url = reverse("library_version_preview", args=[team["agency"].slug, item.pk, version.pk])
    width, height = _png_size(as_coordinator.get(url))
    assert height == 480 and width < height  # an A4 page, portrait, at thumbnail size
    detail = as_coordinator.get(reverse("library_item", args=[team["agency"].slug, item.pk]))
    assert "(first page)" in detail.content.decode()


@pytest.mark.django_db
def test_a_decompression_bomb_gets_no_preview_with_the_reason_and_stays_downloadable(team, as_coordinator):
    bomb = bomb_png()
    item = _file(team, title="Huge poster", name="poster.png", data=bomb)

    state, version = _drawn(team, item)

    assert state == PreviewState.FAILED and not version.preview
    assert version.preview_note == "The image is 900 megapixels (30,000 × 30,000); the limit is 50 megapixels."
    slug = team["agency"].slug
    assert as_coordinator.get(reverse("library_version_preview", args=[slug, item.pk, version.pk])).status_code == 404
    detail = as_coordinator.get(reverse("library_item", args=[slug, item.pk])).content.decode()
    assert "No preview: The image is 900 megapixels" in detail
    download = as_coordinator.get(reverse("library_version_download", args=[slug, item.pk, version.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == bomb


@pytest.mark.django_db
def test_a_second_run_draws_nothing_twice(team):
    item = _file(team, title="Acme logo", name="logo.png", data=fixtures.png((100, 100)))
    _, first = _drawn(team, item)
    _, second = _drawn(team, item)
    assert first.preview.name == second.preview.name and second.preview_state == PreviewState.DONE


@pytest.mark.django_db
def test_svgs_and_other_files_are_never_drawn(team):
    svg = _file(team, title="Vector logo", name="logo.svg", data=fixtures.SVG_WITH_SCRIPT)
    text = _file(team, title="Notes", name="notes.txt", data=b"plain words")
    assert svg.latest_version.preview_state == text.latest_version.preview_state == PreviewState.NONE


@pytest.mark.django_db
def test_the_client_sees_previews_of_shared_files_only_on_their_brand_files_page(
    team, as_contact, logged_in
):
    shared = _file(team, title="Acme logo pack", name="logo.png", data=fixtures.png((300, 300)), share=True)
    hidden = _file(team, title="Acme draft", name="draft.png", data=fixtures.png((200, 300)))
    _drawn(team, shared)
    _drawn(team, hidden)
    slug = team["agency"].slug
    shared_url = reverse("portal_brand_file_preview", args=[slug, shared.pk])

    page = as_contact.get(reverse("portal_brand_files", args=[slug])).content.decode()

    assert shared_url in page and "Acme draft" not in page
    assert _png_size(as_contact.get(shared_url)) == (300, 300)
    assert as_contact.get(reverse("portal_brand_file_preview", args=[slug, hidden.pk])).status_code == 404
    other_client = logged_in(team["contacts"][1].user)
    assert other_client.get(shared_url).status_code == 404


@pytest.mark.django_db
def test_another_agencys_preview_is_404(team, other_team, as_coordinator):
    theirs = _file(other_team, title="Their logo", name="logo.png", data=fixtures.png((120, 80)), share=True)
    _drawn(other_team, theirs)
    mine = reverse("library_version_preview", args=[team["agency"].slug, theirs.pk, theirs.latest_version_id])
    assert as_coordinator.get(mine).status_code == 404
    portal = reverse("portal_brand_file_preview", args=[team["agency"].slug, theirs.pk])
    assert as_coordinator.get(portal).status_code == 404


class PurgedWhileRead(FileSystemStorage):
    """The media storage with the bin's purge landing the moment a worker has opened a stored file."""

    purge: Callable[[], None] | None = None

    def _open(self, name, mode="rb"):
        handle = super()._open(name, mode)
        purge, type(self).purge = type(self).purge, None
        if purge is not None:
            purge()
        return handle


@pytest.mark.django_db
def test_a_version_purged_while_the_worker_reads_it_is_gone_quietly_with_no_stray_files(team, settings):
    """The bin's purge can remove an item while a worker is still reading its file: both of the worker's
    tasks then say "gone" (instead of failing on the missing row), and no preview picture is left behind."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.{PurgedWhileRead.__qualname__}"},
    }

    def purge_on_read(item) -> None:
        def purge() -> None:
            with scope(agency=team["agency"].pk):
                LibraryItem.objects.filter(pk=item.pk).delete()

        PurgedWhileRead.purge = purge

    guidelines = _file(team, title="Acme guidelines", name="guidelines.pdf", data=fixtures.pdf(["Page one"]))
    purge_on_read(guidelines)
    assert index_library_version(guidelines.latest_version_id) == "gone"

    logo = _file(team, title="Acme logo", name="logo.png", data=fixtures.png((120, 100)))
    purge_on_read(logo)
    assert render_library_preview(logo.latest_version_id) == "gone"
    assert PurgedWhileRead.purge is None  # each purge landed during its task's read
    assert list(settings.MEDIA_ROOT.rglob("preview-*")) == []
