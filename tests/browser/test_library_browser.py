"""The asset and knowledge library in a real browser, with a real Celery worker reading the files.

A coordinator files Acme Dental's brand guidelines (a 20-page PDF), a Word brief and a PowerPoint research
deck, replaces the logo with a new version, finds a sentence from page 14 of the guidelines by searching a
phrase, and shares the logo pack; Anna downloads it from her portal's Brand files page. When Anna approves
work in the portal, it lands in Acme Dental's library by itself.
"""

from __future__ import annotations

import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django_scopes import scope
from playwright.sync_api import expect

from agencyops.celery import app
from agencyops.demo import demo_seed
from brandkit.library.models import ExtractionState, LibraryItem, PreviewState
from tests import factories
from tests.brandkit.library import fixtures

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

COORDINATOR = "coordinator@brightside.test"
ANNA = "anna@acmedental.test"
PHRASE = '"clear aligner case"'
PAGE_14 = "clear aligner case beside the smile"
APPROVAL_TITLE = "Autumn whitening email"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as running:
        yield running


def wait_for(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.25)
    raise AssertionError("the worker did not finish in time")


def search(page, words: str) -> None:
    box = page.get_by_label("Search titles, tags and the text inside files")
    box.fill(words)
    box.press("Enter")


def add_to_library(page, live_server, slug: str, *, title: str, kind: str, name: str, data: bytes) -> None:
    page.goto(f"{live_server.url}/{slug}/library/")
    page.get_by_role("link", name="Add to the library").first.click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Client").select_option(label="Acme Dental")
    page.get_by_label("File", exact=True).set_input_files({"name": name, "mimeType": "", "buffer": data})
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def test_a_coordinator_files_finds_and_shares_brand_files_and_approved_work_files_itself(
    page, live_server, log_in_as, fast_password_hashing, worker
):
    demo = demo_seed()
    agency = demo.agency
    acme = next(c for c in demo.clients if c.name == "Acme Dental")
    slug = agency.slug
    logo_v1, logo_v2 = fixtures.png((640, 320)), fixtures.png((800, 400))

    # (a) The coordinator files the guidelines, the brief, the research deck and the logo pack.
    log_in_as(COORDINATOR)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    expect(page.get_by_role("heading", level=1, name="Library")).to_be_visible()
    add_to_library(
        page, live_server, slug, title="Acme brand guidelines", kind="Brand guidelines", name="guidelines.pdf",
        data=fixtures.pdf(fixtures.guidelines_pages()),
    )  # fmt: skip
    add_to_library(
        page, live_server, slug, title="Spring campaign brief", kind="Brief", name="brief.docx",
        data=fixtures.docx(["Spring campaign brief for Acme Dental.", "Audience: busy parents near Riverside."]),
    )  # fmt: skip
    add_to_library(
        page, live_server, slug, title="Orthodontics research deck", kind="Research", name="research.pptx",
        data=fixtures.pptx([["Market research"], ["Invisalign interest doubled among adults since 2023"]]),
    )  # fmt: skip
    add_to_library(page, live_server, slug, title="Acme logo pack", kind="Logo", name="logo.png", data=logo_v1)

    # (b) ... and replaces the logo with a new version: it is the latest, the old one stays read-only.
    page.get_by_text("Replace with a new version").click()
    page.get_by_label("New file").set_input_files({"name": "logo-2026.png", "mimeType": "", "buffer": logo_v2})
    page.get_by_label("What changed").fill("The 2026 refresh.")
    page.get_by_role("button", name="Add version").click()
    expect(page.get_by_role("status").filter(has_text="Version 2 is now the latest.")).to_be_visible()
    versions = page.get_by_role("table")
    expect(versions.get_by_role("row").nth(1)).to_contain_text("v2 Latest")
    expect(versions.get_by_role("row").nth(1)).to_contain_text("logo-2026.png")
    expect(versions.get_by_role("row").nth(2)).to_contain_text("v1 read-only")

    # The worker reads every file's text and draws the previews.
    def all_indexed():
        with scope(agency=agency.pk):
            items = LibraryItem.objects.filter(client=acme).select_related("latest_version")
            return len(items) == 4 and all(
                i.latest_version.extraction_state in (ExtractionState.DONE, ExtractionState.NONE)
                and i.latest_version.preview_state in (PreviewState.DONE, PreviewState.NONE)
                for i in items
            )

    wait_for(all_indexed)
    page.reload()
    expect(page.get_by_role("img", name="Preview of Acme logo pack, version 2")).to_be_visible()

    # (c) A phrase from page 14 of the guidelines finds them, with the passage highlighted, as it is typed.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_label("Search titles, tags and the text inside files").press_sequentially(PHRASE, delay=20)
    results = page.locator("#library-results")
    expect(results.get_by_role("link", name="Acme brand guidelines")).to_be_visible()
    expect(results.locator("mark").first).to_have_text(re.compile("clear|aligner|case"))
    expect(results).to_contain_text(PAGE_14)
    expect(results.get_by_role("link", name="Spring campaign brief")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=%22clear"))
    # The brief and the deck are searchable by the words inside them too.
    search(page, "busy parents Riverside")
    expect(results.get_by_role("link", name="Spring campaign brief")).to_be_visible()
    search(page, "Invisalign adults")
    expect(results.get_by_role("link", name="Orthodontics research deck")).to_be_visible()

    # (d) The coordinator shares the logo pack with Acme Dental.
    search(page, "logo")
    results.get_by_role("link", name="Acme logo pack").click()
    page.get_by_role("button", name="Share with Acme Dental").click()
    expect(page.get_by_role("status").filter(has_text="Shared: Acme Dental sees")).to_be_visible()

    # (e) Anna downloads the latest logo from her portal's Brand files page; nothing else is there.
    log_in_as(ANNA)
    # The portal home links to them twice: in its menu, and beside her project with the count shared.
    expect(page.get_by_role("link", name="Brand files (1)")).to_be_visible()
    page.get_by_role("link", name="Brand files", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Brand files")).to_be_visible()
    expect(page.get_by_role("heading", level=2)).to_have_text(["Acme logo pack"])
    expect(page.get_by_text("version 2")).to_be_visible()
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download").click()
    download = downloading.value
    assert download.suggested_filename == "logo-2026.png"
    with open(download.path(), "rb") as handle:
        assert handle.read() == logo_v2

    # (f) Anna approves work in the portal; it is filed in Acme Dental's library as past work by itself.
    project = factories.project_create(actor=demo.coordinator, client=acme, name="Autumn campaign")
    factories.approval_create(
        actor=demo.coordinator, project=project, title=APPROVAL_TITLE,
        text="Autumn smiles at our Riverside practice: book your whitening session today.",
    )  # fmt: skip
    page.get_by_role("link", name="Your portal").click()
    awaiting = page.get_by_role("region", name="Awaiting your approval")
    awaiting.get_by_role("link", name=APPROVAL_TITLE).click()
    page.get_by_role("radio", name=re.compile(r"^Approve\b(?! with)")).check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_role("status").filter(has_text="Approved.")).to_be_visible()

    def filed():
        with scope(agency=agency.pk):
            return LibraryItem.objects.filter(title=APPROVAL_TITLE, kind="past_work", client=acme).first()

    wait_for(filed)
    log_in_as(COORDINATOR)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_label("Kind").select_option(label="Past work")
    results = page.locator("#library-results")
    expect(results.get_by_role("link", name=APPROVAL_TITLE)).to_be_visible()
    results.get_by_role("link", name=APPROVAL_TITLE).click()
    expect(page.get_by_role("link", name="the approval it came from")).to_be_visible()
