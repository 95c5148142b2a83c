"""Tasks people talk on, in a real browser: a coordinator mentions a designer in a comment with a mockup
attached; the designer is notified, opens the task from the link and drags its card on the board."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope
from PIL import Image
from playwright.sync_api import expect

from agencyops.demo import demo_seed
from agencyops.models import Notification
from projects.models import Project, Task, TaskAttachment, TaskStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESIGNER = "diego@brightside.test"
COMMENT = "@diego the hero needs a warmer photo, see the **mockup** attached"


def mockup_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (220, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_coordinator_mentions_a_designer_with_a_mockup_and_the_designer_drags_the_card_on(
    page, live_server, log_in_as, fast_password_hashing, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path  # the mockup stays out of the real media folder
    demo = demo_seed()
    agency = demo.agency
    with scope(agency=agency.pk):
        project = Project.objects.filter(agency=agency).order_by("pk").first()
        task = Task.objects.filter(project=project, status=TaskStatus.NOT_STARTED).order_by(
            "start_date", "pk"
        )[0]
    task_url = live_server.url + reverse("task_detail", args=[agency.slug, task.pk])

    log_in_as("coordinator@brightside.test")
    page.goto(task_url)
    # The page leads with status, owner and the conversation; the status form opens on demand.
    expect(page.get_by_role("heading", name="Conversation")).to_be_visible()
    expect(page.get_by_role("button", name="Update status")).to_be_hidden()
    conversation = page.get_by_role("region", name="Conversation")
    conversation.get_by_label("Comment").fill(COMMENT)
    conversation.get_by_label("Attach images or PDFs").set_input_files(
        [{"name": "hero-mockup.png", "mimeType": "image/png", "buffer": mockup_png()}]
    )
    conversation.get_by_role("button", name="Comment").click()
    expect(page.get_by_text("Comment added; Diego Alvarez notified.")).to_be_visible()
    expect(conversation.locator("strong", has_text="mockup")).to_be_visible()
    image = conversation.get_by_role("img", name="hero-mockup.png")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 320, "the attached image is served and shown inline"

    with scope(agency=agency.pk):
        notification = Notification.objects.get(kind="mention")
        assert notification.recipient.email == DESIGNER
        assert TaskAttachment.objects.filter(task=task, original_name="hero-mockup.png").exists()
    assert any(DESIGNER in message.to for message in mail.outbox)

    log_in_as(DESIGNER)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_server.url + notification.url)
    expect(page.get_by_role("heading", level=1, name=task.title)).to_be_visible()
    expect(page.get_by_text("the hero needs a warmer photo")).to_be_visible()

    page.goto(live_server.url + reverse("project_detail", args=[agency.slug, project.pk]) + "?view=board")
    card = page.locator(f"#task-card-{task.pk}")
    # The board uses the screen's width, and a card shows its status in full ("Not started").
    assert page.locator("[data-board]").evaluate("board => board.getBoundingClientRect().width") > 1300
    select = card.locator("select[name=status]")
    assert select.evaluate("s => s.scrollWidth <= s.clientWidth"), "the status is not clipped"
    expect(page.locator("[data-board-column=not_started]").locator(f"#task-card-{task.pk}")).to_be_visible()
    # Dropped near the column's top: its middle is a board's height down, and scrolling there mid-drag
    # would start the drag on whatever card then sits under the pointer.
    card.evaluate("card => card.scrollIntoView({block: 'center'})")
    with page.expect_response(lambda response: f"/tasks/{task.pk}/status/" in response.url):
        card.drag_to(page.locator("[data-board-column=in_progress]"), target_position={"x": 40, "y": 12})
    in_progress = page.locator("[data-board-column=in_progress]")
    expect(in_progress.locator(f"#task-card-{task.pk}")).to_be_visible()
    expect(in_progress.locator(f"#task-card-{task.pk} select[name=status]")).to_have_value("in_progress")
    with scope(agency=agency.pk):
        task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    # The board stays right after a reload: the move was saved, not only drawn.
    page.reload()
    expect(page.locator("[data-board-column=in_progress]").locator(f"#task-card-{task.pk}")).to_be_visible()


def test_the_client_sees_only_the_text_box_that_fits_the_verdict_they_choose(
    page, live_server, log_in_as, fast_password_hashing
):
    from agencyops.models import ClientContact
    from tests import factories

    demo = demo_seed()
    agency = demo.agency
    with scope(agency=agency.pk):
        anna = ClientContact.objects.get(email="anna@acmedental.test")
        project = Project.objects.filter(client=anna.client).order_by("pk").first()
    approval = factories.approval_create(
        actor=demo.coordinator, project=project, contact=anna, title="Hero banner copy"
    )
    log_in_as("anna@acmedental.test")
    page.goto(live_server.url + reverse("portal_approval", args=[agency.slug, approval.pk]))
    decision = page.get_by_role("region", name="Decision")
    changes = decision.get_by_label("The changes you approve with")
    comment = decision.locator("[data-verdict-field=request_changes] textarea")
    expect(changes).to_be_hidden()
    expect(comment).to_be_hidden()

    decision.get_by_role("radio", name=re.compile(r"^Approve with changes")).check()
    expect(changes).to_be_visible()
    expect(comment).to_be_hidden()

    decision.get_by_role("radio", name=re.compile(r"^Request changes")).check()
    expect(comment).to_be_visible()
    expect(changes).to_be_hidden()

    decision.get_by_role("radio", name=re.compile(r"^Approve\b(?! with)")).check()
    expect(comment).to_be_hidden()
    expect(changes).to_be_hidden()
