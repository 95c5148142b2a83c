"""Tasks people can talk on: a description, comments with @mentions and files, a checklist on the card."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from agencyops.models import Notification
from projects import services
from projects.conversation import member_handle, mentioned, render_markdown
from projects.models import ChecklistItem, Party, Task, TaskAttachment, TaskComment, TaskStatus
from tests import factories

pytestmark = pytest.mark.django_db


def url(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # attachments stay out of the real media folder


@pytest.fixture
def project(team):
    return factories.project_create(actor=team["coordinator"], client=team["clients"][0], name="Dental site")


@pytest.fixture
def design(project) -> Task:
    with scope(agency=project.agency_id):
        return Task.objects.get(project=project, key="design")


def handle(member) -> str:
    return member_handle(member.user.email)


# --------------------------------------------------------------------------- plain values


def test_markdown_is_rendered_and_anything_that_could_run_is_not():
    html = render_markdown(
        "**Bold** and [a link](https://example.test)\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1))"
    )
    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.test"' in html and "noopener" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_mentions_find_known_handles_once_and_ignore_email_addresses_and_strangers():
    handles = {"dana": 1, "sam.lee": 2}
    text = "@dana can you check? cc @sam.lee. Mail dana@example.test, not @nobody. Thanks @Dana!"
    assert mentioned(text, handles) == [1, 2]
    assert mentioned("no mentions here", handles) == []


# --------------------------------------------------------------------------- comments and mentions


def test_a_mention_notifies_the_designer_once_and_mails_them_a_link_to_the_comment(
    team, design, as_coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    agency, designer = team["agency"], team["members"][1]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(
            url("task_comment_create", agency, design.pk),
            {
                "body": f"@{handle(designer)} the hero needs a warmer photo, see attached",
                "files": [factories.png_upload()],
            },
        )
    assert response.status_code == 302
    with scope(agency=agency.pk):
        comment = TaskComment.objects.get(task=design)
        notification = Notification.objects.get(kind="mention")
    assert notification.recipient == designer.user
    assert notification.url.endswith(f"#comment-{comment.pk}")
    assert "Casey Coordinator mentioned you" in notification.subject
    assert [m.to for m in mailoutbox] == [[designer.user.email]]
    assert f"#comment-{comment.pk}" in mailoutbox[0].body
    page = as_coordinator.get(url("task_detail", agency, design.pk)).content.decode()
    assert "the hero needs a warmer photo" in page
    assert f"{designer.user.full_name} notified" in page


def test_mentioning_yourself_or_someone_from_another_agency_notifies_nobody(team, other_team, design):
    coordinator, stranger = team["coordinator"], other_team["members"][0]
    with scope(agency=team["agency"].pk):
        services.task_comment_add(
            actor=coordinator, task=design, body=f"Note to @{handle(coordinator)} and @{handle(stranger)}"
        )
        assert not Notification.objects.filter(kind="mention").exists()


def test_an_empty_comment_is_refused_with_a_message(team, design, as_coordinator):
    response = as_coordinator.post(url("task_comment_create", team["agency"], design.pk), {"body": "  "})
    assert response.status_code == 200
    assert "Write a comment or attach a file." in response.content.decode()
    with scope(agency=team["agency"].pk):
        assert not TaskComment.objects.exists()


# --------------------------------------------------------------------------- attachments


def test_an_attached_image_is_shown_inline_and_served_to_the_team(team, design, as_member):
    agency = team["agency"]
    with scope(agency=agency.pk):
        comment = services.task_comment_add(
            actor=team["coordinator"], task=design, body="Mockup", files=[factories.png_upload("hero.png")]
        )
        attachment = comment.attachments.get()
    file_url = url("task_attachment_file", agency, design.pk, attachment.pk)
    page = as_member.get(url("task_detail", agency, design.pk)).content.decode()
    assert f'<img src="{file_url}"' in page
    response = as_member.get(file_url)
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_file_that_is_not_really_an_image_is_refused_and_nothing_is_stored(team, design, as_coordinator):
    fake = SimpleUploadedFile("invoice.png", b"MZ\x90\x00 not an image at all", content_type="image/png")
    response = as_coordinator.post(
        url("task_comment_create", team["agency"], design.pk), {"body": "see file", "files": [fake]}
    )
    assert response.status_code == 200
    assert "Upload an image (PNG, JPEG, GIF or WebP) or a PDF." in response.content.decode()
    with scope(agency=team["agency"].pk):
        assert not TaskComment.objects.exists() and not TaskAttachment.objects.exists()


def test_a_pdf_attachment_downloads_and_is_listed_by_name(team, design, as_member):
    agency = team["agency"]
    with scope(agency=agency.pk):
        comment = services.task_comment_add(
            actor=team["coordinator"],
            task=design,
            body="",
            files=[factories.pdf_upload("brief.pdf", pages=1)],
        )
        attachment = comment.attachments.get()
    page = as_member.get(url("task_detail", agency, design.pk)).content.decode()
    assert "brief.pdf" in page and "<img" not in page.split('id="conversation"')[1].split("</section>")[0]
    response = as_member.get(url("task_attachment_file", agency, design.pk, attachment.pk))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_another_agencys_attachment_is_a_404(team, other_team, design, logged_in):
    with scope(agency=team["agency"].pk):
        comment = services.task_comment_add(
            actor=team["coordinator"], task=design, body="x", files=[factories.png_upload()]
        )
        attachment = comment.attachments.get()
    stranger = logged_in(other_team["owner"].user)
    response = stranger.get(url("task_attachment_file", other_team["agency"], design.pk, attachment.pk))
    assert response.status_code == 404


# --------------------------------------------------------------------------- description and checklist


def test_the_description_is_shown_as_markdown_with_raw_html_escaped(team, design, as_member):
    agency = team["agency"]
    as_member.post(
        url("task_description", agency, design.pk),
        {"description": "Deliver **three** options\n\n<img src=x onerror=alert(1)>"},
    )
    page = as_member.get(url("task_detail", agency, design.pk)).content.decode()
    assert "Deliver <strong>three</strong> options" in page
    assert "<img src=x" not in page and "onerror=alert(1)&gt;" in page


def test_checklist_progress_shows_on_the_task_page_and_on_the_board_card(team, project, design, as_member):
    agency = team["agency"]
    board = url("project_detail", agency, project.pk)
    as_member.get(board, {"view": "board"})  # the page is cached: the checklist must refresh it
    for text in ("Hero", "Footer"):
        as_member.post(url("checklist_add", agency, design.pk), {"text": text})
    with scope(agency=agency.pk):
        hero = ChecklistItem.objects.get(task=design, text="Hero")
    as_member.post(url("checklist_toggle", agency, design.pk, hero.pk), {"done": "1"})
    assert "1 of 2 done" in as_member.get(url("task_detail", agency, design.pk)).content.decode()
    card = as_member.get(board, {"view": "board"}).content.decode().split(f'id="task-card-{design.pk}"')[1]
    assert "☑ 1/2" in card.split("</article>")[0]


def test_the_task_page_runs_the_same_queries_for_1_or_12_comments_with_files(
    team, design, as_member, django_assert_num_queries
):
    agency = team["agency"]
    counts = []
    for total in (1, 12):
        with scope(agency=agency.pk):
            while TaskComment.objects.filter(task=design).count() < total:
                services.task_comment_add(
                    actor=team["coordinator"], task=design, body="Look", files=[factories.png_upload()]
                )
                services.checklist_item_add(actor=team["coordinator"], task=design, text="Step")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            page = as_member.get(url("task_detail", agency, design.pk)).content.decode()
        assert page.count('class="task-comment"') == total
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[1]):
        as_member.get(url("task_detail", agency, design.pk))


# --------------------------------------------------------------------------- status forms


def test_blocking_a_task_keeps_whom_it_waits_on(team, design, as_member):
    agency = team["agency"]
    response = as_member.post(
        url("task_status", agency, design.pk),
        {
            "status": "blocked",
            "blocked_reason": "No photos",
            "waiting_on": "vendor",
            "waiting_on_name": "PhotoCo",
        },
    )
    assert response.status_code == 302
    with scope(agency=agency.pk):
        design.refresh_from_db()
    assert (design.status, design.waiting_on, design.waiting_on_name) == (
        TaskStatus.BLOCKED,
        Party.VENDOR,
        "PhotoCo",
    )
    assert design.waiting_since is not None
    page = as_member.get(url("task_detail", agency, design.pk)).content.decode()
    assert "Waiting on vendor (PhotoCo)" in page


def test_blocking_without_whom_it_waits_on_still_clears_an_earlier_wait(team, design):
    member = team["members"][0]
    with scope(agency=team["agency"].pk):
        services.task_update_status(actor=member, task=design, status="waiting", waiting_on="client")
        task = services.task_update_status(
            actor=member, task=design, status="blocked", blocked_reason="Stuck"
        )
    assert (task.waiting_on, task.waiting_since) == ("", None)


def test_the_status_decision_and_dependency_forms_open_on_demand(team, design, as_coordinator):
    page = as_coordinator.get(url("task_detail", team["agency"], design.pk)).content.decode()
    for summary in ("Change the status", "Flag for a decision", "Add a dependency", "Edit the description"):
        assert f"<summary>{summary}</summary>" in page
    assert page.index('id="conversation"') < page.index('id="decision-h"')
    with scopes_disabled():
        assert not Notification.objects.exists()
