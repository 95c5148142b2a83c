"""Hostile uploads: decompression bombs are refused by their size in pixels, and a PDF's pages render within
a pixel budget whatever their shape (issue 11). The hostile files are made here, byte by byte."""

from __future__ import annotations

import struct
import time
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Agency, Client
from approvals.files import PAGE_MAX_SIDE_PX, page_scale
from approvals.models import ApprovalRequest, AssetVersion, VersionPage
from approvals.tasks import render_version_pages
from tests import factories
from tests.agencyops.test_agency_settings import form_data
from tests.factories import token_client

pytestmark = pytest.mark.django_db


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A real, valid black-and-white PNG of width × height: ~100 KB that decodes to about a gigabyte."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then one bit per pixel
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def pdf_with_pages(sizes: list[tuple[float, float]]) -> bytes:
    """A minimal valid PDF whose pages have the given sizes in points, each with a little drawing."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for width, height in sizes:
        content = f"0 0 1 rg 0 0 {width / 2} {height / 2} re f".encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Contents {len(objects)} 0 R >>".encode()
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return bomb_png()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def approval_body(project, contact, upload) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    return {
        "project": project.pk,
        "title": "Poster",
        "final_approver": contact.pk,
        "scopes": ["design"],
        "due_at": (timezone.now() + timedelta(days=2)).replace(microsecond=0).isoformat(),
        "file": upload,
    }


BOMB_MESSAGE = "The image is 900 megapixels (30,000 × 30,000); the limit is 50 megapixels."


def test_a_decompression_bomb_as_a_new_approval_is_refused_with_its_size(team, project, bomb, media_root):
    api = token_client(team["coordinator"].user)
    upload = SimpleUploadedFile("poster.png", bomb, content_type="image/png")

    started = time.monotonic()
    response = api.post(
        reverse("api_approval_list", kwargs={"agency_slug": team["agency"].slug}),
        approval_body(project, team["contacts"][0], upload),
        format="multipart",
    )

    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert response.json() == {"file": [BOMB_MESSAGE]}
    with scope(agency=team["agency"].pk):
        assert not ApprovalRequest.objects.exists()
    assert list(media_root.rglob("*.*")) == []


def test_a_decompression_bomb_as_a_new_version_is_refused_with_its_size(team, project, bomb, media_root):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    api = token_client(team["coordinator"].user)

    response = api.post(
        reverse("api_approval_versions", kwargs={"agency_slug": team["agency"].slug, "request_id": request.pk}),
        {"file": SimpleUploadedFile("v2.png", bomb, content_type="image/png")},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {"file": [BOMB_MESSAGE]}
    with scope(agency=team["agency"].pk):
        assert AssetVersion.objects.filter(request=request).count() == 1


def test_a_decompression_bomb_as_the_agency_logo_is_a_form_error(team, as_owner, bomb, media_root):
    response = as_owner.post(
        reverse("agency_settings", kwargs={"agency_slug": team["agency"].slug}),
        {**form_data(), "logo": SimpleUploadedFile("logo.png", bomb, content_type="image/png")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["logo"] == [BOMB_MESSAGE]
    assert Agency.objects.get(pk=team["agency"].pk).logo.name == ""


def test_a_decompression_bomb_as_a_client_logo_is_a_form_error(team, as_owner, bomb, media_root):
    response = as_owner.post(
        reverse("client_create", kwargs={"agency_slug": team["agency"].slug}),
        {"name": "Cedar Clinic", "logo": SimpleUploadedFile("logo.png", bomb, content_type="image/png")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["logo"] == [BOMB_MESSAGE]
    with scope(agency=team["agency"].pk):
        assert not Client.objects.filter(name="Cedar Clinic").exists()


def test_the_pixel_limit_is_a_setting(team, project, media_root, settings):
    settings.UPLOAD_MAX_PIXELS = 100_000
    api = token_client(team["coordinator"].user)

    too_big = api.post(
        reverse("api_approval_list", kwargs={"agency_slug": team["agency"].slug}),
        approval_body(project, team["contacts"][0], factories.png_upload(size=(400, 300))),
        format="multipart",
    )
    fits = api.post(
        reverse("api_approval_list", kwargs={"agency_slug": team["agency"].slug}),
        approval_body(project, team["contacts"][0], factories.png_upload(size=(300, 300))),
        format="multipart",
    )

    assert too_big.status_code == 400
    assert too_big.json()["file"][0] == "The image is 0.1 megapixels (400 × 300); the limit is 0.1 megapixels."
    assert fits.status_code == 201, fits.content


def test_a_tall_pdf_is_stored_at_once_and_its_pages_render_within_the_pixel_budget(
    team, project, media_root, settings
):
    settings.PDF_PAGE_MAX_PIXELS = 4_000_000
    hostile = pdf_with_pages([(100, 10_000)] * 8)
    api = token_client(team["coordinator"].user)

    started = time.monotonic()
    response = api.post(
        reverse("api_approval_list", kwargs={"agency_slug": team["agency"].slug}),
        approval_body(project, team["contacts"][0], SimpleUploadedFile("tall.pdf", hostile)),
        format="multipart",
    )
    elapsed = time.monotonic() - started
    with scope(agency=team["agency"].pk):
        request = ApprovalRequest.objects.get()
        version = request.versions.get()
    preparing = reverse("approval_detail", kwargs={"agency_slug": team["agency"].slug, "request_id": request.pk})
    page_before = factories_client(team).get(preparing).content.decode()
    rendered = render_version_pages(version.pk, team["agency"].pk)

    assert response.status_code == 201, response.content
    assert elapsed < 3
    assert "Preparing pages" in page_before
    assert rendered == 8
    with scope(agency=team["agency"].pk):
        pages = list(VersionPage.objects.values_list("width", "height"))
    assert len(pages) == 8
    assert all(width * height <= 4_000_000 and max(width, height) <= PAGE_MAX_SIDE_PX for width, height in pages)
    # A second run (a redelivered task) stores nothing twice.
    assert render_version_pages(version.pk, team["agency"].pk) == 0


def factories_client(team):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(team["coordinator"].user, backend="django.contrib.auth.backends.ModelBackend")
    return http


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_an_uploaded_pdfs_pages_after_the_commit(media_root, settings):
    from celery.contrib.testing.worker import start_worker

    from agencyops.celery import app

    team = factories.team_create(agency_name="Worker Agency")
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    api = token_client(team["coordinator"].user)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        response = api.post(
            reverse("api_approval_list", kwargs={"agency_slug": team["agency"].slug}),
            approval_body(project, team["contacts"][0], factories.pdf_upload(pages=3)),
            format="multipart",
        )
        deadline = time.monotonic() + 30
        with scope(agency=team["agency"].pk):
            while time.monotonic() < deadline and VersionPage.objects.count() < 3:
                time.sleep(0.2)
            pages = VersionPage.objects.count()

    assert response.status_code == 201
    assert pages == 3


def test_page_scale_keeps_normal_pages_1200_wide_and_caps_absurd_ones():
    a4 = page_scale(595, 842, max_pixels=4_000_000)
    tall = page_scale(100, 10_000, max_pixels=4_000_000)
    huge = page_scale(14_400, 14_400, max_pixels=4_000_000)

    assert round(595 * a4) == 1200
    assert 100 * tall * 10_000 * tall <= 4_000_000 and 10_000 * tall <= PAGE_MAX_SIDE_PX
    assert round(14_400 * huge) == 1200


def test_a_large_image_gets_a_bounded_preview_for_reviewers_and_the_original_stays_a_download(
    team, project, media_root, as_contact
):
    from approvals import services
    from approvals.files import PREVIEW_MAX_SIDE_PX

    api = token_client(team["coordinator"].user)
    created = api.post(
        reverse("api_approval_list", kwargs={"agency_slug": team["agency"].slug}),
        approval_body(project, team["contacts"][0], factories.png_upload("big.png", size=(4800, 1200))),
        format="multipart",
    )
    with scope(agency=team["agency"].pk):
        request = ApprovalRequest.objects.get(pk=created.json()["id"])
        version = request.versions.get()
    rendered = render_version_pages(version.pk, team["agency"].pk)
    with scope(agency=team["agency"].pk):
        services.approval_request_send(actor=team["coordinator"], request=request)
        preview = VersionPage.objects.get(version=version)
    portal_page = as_contact.get(
        reverse("portal_approval", kwargs={"agency_slug": team["agency"].slug, "request_id": request.pk})
    ).content.decode()
    staff_page = factories_client(team).get(
        reverse("approval_detail", kwargs={"agency_slug": team["agency"].slug, "request_id": request.pk})
    ).content.decode()

    assert created.status_code == 201 and rendered == 1
    assert (preview.width, preview.height) == (PREVIEW_MAX_SIDE_PX, 600)
    preview_path = f"versions/{version.pk}/pages/1/"
    assert preview_path in portal_page and preview_path in staff_page
    assert f"versions/{version.pk}/file/" in staff_page  # the original, to open or download


def test_a_pdf_whose_rendering_was_never_queued_is_picked_up_by_the_sweep(team, project, media_root, settings):
    import redis
    import time_machine
    from django.utils import timezone

    from agencyops.celery import app
    from approvals import services
    from approvals.tasks import render_pending_pages

    with scope(agency=team["agency"].pk):
        # Stored, but the commit that would queue its rendering never runs in this test: as with a broker outage.
        services.approval_request_create(
            actor=team["coordinator"],
            project=project,
            title="Brochure",
            final_approver=team["contacts"][0],
            scopes=["design"],
            due_at=timezone.now() + timedelta(days=2),
            kind="file",
            upload=factories.pdf_upload(),
        )
    queue = redis.Redis.from_url(settings.REDIS_URL)
    before = queue.llen(app.conf.task_default_queue)

    assert render_pending_pages() == 0  # too fresh: its own queued task may still be on its way
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        picked = render_pending_pages()

    assert picked == 1
    assert queue.llen(app.conf.task_default_queue) == before + 1
