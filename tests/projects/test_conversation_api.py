"""The task conversation over the API: comments with @mentions, attachments, files fetched with the token."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope

from agencyops.models import Notification
from projects import services
from projects.conversation import member_handle
from projects.models import Task, TaskComment
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db


def url(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def design(team) -> Task:
    project = factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        return Task.objects.get(project=project, key="design")


def test_a_comment_posted_over_the_api_notifies_the_member_it_mentions(team, design):
    designer = team["members"][1]
    api = token_client(team["coordinator"].user)
    response = api.post(
        url("api_task_comments", team["agency"], design.pk),
        {"body": f"@{member_handle(designer.user.email)} over to you"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["mentioned"] == [designer.pk]
    assert body["author_name"] == "Casey Coordinator" and body["attachments"] == []
    with scope(agency=team["agency"].pk):
        assert Notification.objects.get(kind="mention").recipient == designer.user


def test_files_attached_over_the_api_are_listed_and_downloadable_with_the_same_token(team, design):
    api = token_client(team["members"][0].user)
    response = api.post(
        url("api_task_comments", team["agency"], design.pk),
        {"body": "Proofs", "files": [factories.png_upload("hero.png"), factories.pdf_upload("print.pdf", 1)]},
        format="multipart",
    )
    assert response.status_code == 201
    assert [(a["name"], a["kind"]) for a in response.json()["attachments"]] == [
        ("hero.png", "image"),
        ("print.pdf", "pdf"),
    ]
    single = api.post(
        url("api_task_attachments", team["agency"], design.pk),
        {"file": factories.png_upload("detail.png")},
        format="multipart",
    )
    assert single.status_code == 201 and single.json()["name"] == "detail.png"
    listed = api.get(url("api_task_attachments", team["agency"], design.pk)).json()["results"]
    assert [a["name"] for a in listed] == ["hero.png", "print.pdf", "detail.png"]
    download = api.get(listed[1]["file_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_file_that_is_not_an_image_or_pdf_is_a_400_with_the_reason(team, design):
    api = token_client(team["members"][0].user)
    fake = SimpleUploadedFile("notes.png", b"just some text", content_type="image/png")
    response = api.post(
        url("api_task_attachments", team["agency"], design.pk), {"file": fake}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"files": ["Upload an image (PNG, JPEG, GIF or WebP) or a PDF."]}
    too_many = api.post(
        url("api_task_comments", team["agency"], design.pk),
        {"body": "x", "files": [factories.png_upload(f"{n}.png", (8, 8)) for n in range(6)]},
        format="multipart",
    )
    assert too_many.status_code == 400 and "files" in too_many.json()
    with scope(agency=team["agency"].pk):
        assert not TaskComment.objects.exists()


def test_another_agencys_task_and_attachment_are_404s(team, other_team, design):
    with scope(agency=team["agency"].pk):
        comment = services.task_comment_add(
            actor=team["coordinator"], task=design, body="x", files=[factories.png_upload()]
        )
        attachment = comment.attachments.get()
    stranger = token_client(other_team["owner"].user)
    agency_b = other_team["agency"]
    assert stranger.get(url("api_task_comments", agency_b, design.pk)).status_code == 404
    assert (
        stranger.get(url("api_task_attachment_file", agency_b, design.pk, attachment.pk)).status_code == 404
    )


@pytest.mark.parametrize("total", [2, 20])
def test_the_comment_list_costs_the_same_queries_for_2_or_20_comments(
    team, design, total, django_assert_num_queries
):
    with scope(agency=team["agency"].pk):
        for n in range(total):
            services.task_comment_add(
                actor=team["members"][n % 3],
                task=design,
                body=f"@{member_handle(team['coordinator'].user.email)} note {n}",
                files=[factories.png_upload(size=(8, 8))],
            )
    api = token_client(team["owner"].user)
    # Token and user, membership, the task, the count, the page, its attachments and its mentions.
    with django_assert_num_queries(7):
        response = api.get(url("api_task_comments", team["agency"], design.pk))
    assert len(response.json()["results"]) == total


def test_the_conversation_endpoints_are_typed_in_the_schema(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    base = "/api/v1/agencies/{agency_slug}/tasks/{id}"
    comments = paths[f"{base}/comments/"]
    assert comments["get"]["operationId"] == "task_comments_list"
    assert "multipart/form-data" in comments["post"]["requestBody"]["content"]
    assert paths[f"{base}/attachments/"]["post"]["operationId"] == "task_attachments_create"
    assert (
        "application/pdf"
        in paths[f"{base}/attachments/{{task_attachment_id}}/file/"]["get"]["responses"]["200"]["content"]
    )
