"""The staff half of a working day, in a real browser: a coordinator mentions a designer in a task comment
with a mockup attached; the designer finds it in the notification centre and drags the card to "In review";
the coordinator ticks three tasks in the list and shifts them by two business days, seeing what moves
(forecast against the committed launch) before confirming."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django_scopes import scope
from PIL import Image
from playwright.sync_api import expect

from agencyops.demo import demo_seed
from agencyops.models import Notification
from projects.calendars import agency_calendar
from projects.models import DeadlineChange, Project, Task, TaskStatus, TaskStatusChange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR = "coordinator@brightside.test"
DESIGNER = "diego@brightside.test"


def mockup_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (90, 140, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_mention_with_a_mockup_then_in_review_on_the_board_then_a_bulk_shift_with_its_preview(
    page, live_server, log_in_as, fast_password_hashing, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path  # the mockup stays out of the real media folder
    demo = demo_seed()
    agency = demo.agency
    with scope(agency=agency.pk):
        project = Project.objects.filter(agency=agency).order_by("pk").first()
        open_tasks = list(
            Task.objects.filter(project=project, status=TaskStatus.NOT_STARTED).order_by("start_date", "pk")
        )
    task, later = open_tasks[0], open_tasks[-3:]
    project_url = live_server.url + reverse("project_detail", args=[agency.slug, project.pk])
    page.set_viewport_size({"width": 1440, "height": 900})

    # The coordinator asks the designer on the task, with the mockup attached.
    log_in_as(COORDINATOR)
    page.goto(live_server.url + reverse("task_detail", args=[agency.slug, task.pk]))
    conversation = page.get_by_role("region", name="Conversation")
    conversation.get_by_label("Comment").fill("@diego ready for review once the hero uses this mockup")
    conversation.get_by_label("Attach images or PDFs").set_input_files(
        [{"name": "hero-v2.png", "mimeType": "image/png", "buffer": mockup_png()}]
    )
    conversation.get_by_role("button", name="Comment").click()
    expect(page.get_by_text("Comment added; Diego Alvarez notified.")).to_be_visible()

    # The designer sees it in the notification centre and follows it to the task.
    log_in_as(DESIGNER)
    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    with scope(agency=agency.pk):
        notification = Notification.objects.get(kind="mention", recipient__email=DESIGNER)
    centre = page.locator("#notification-centre")
    centre.get_by_role("link", name=notification.subject).click()
    expect(page.get_by_role("heading", level=1, name=task.title)).to_be_visible()
    expect(page.get_by_role("img", name="hero-v2.png")).to_be_visible()

    # ... and drags its card to "In review", a column between "In progress" and "Done".
    page.goto(project_url + "?view=board")
    headings = page.locator(".proj-column-h").all_inner_texts()
    names = [re.sub(r"\s*\d+$", "", h).strip() for h in headings]
    assert names.index("In progress") < names.index("In review") < names.index("Done")
    card = page.locator(f"#task-card-{task.pk}")
    card.evaluate("card => card.scrollIntoView({block: 'center'})")
    in_review = page.locator("[data-board-column=in_review]")
    with page.expect_response(lambda response: f"/tasks/{task.pk}/status/" in response.url):
        card.drag_to(in_review, target_position={"x": 40, "y": 12})
    expect(in_review.locator(f"#task-card-{task.pk} select[name=status]")).to_have_value("in_review")
    page.reload()
    expect(page.locator("[data-board-column=in_review]").locator(f"#task-card-{task.pk}")).to_be_visible()
    with scope(agency=agency.pk):
        assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_REVIEW
        assert TaskStatusChange.objects.filter(task=task, new_status="in_review").exists()
        before = {t.pk: t.due_date for t in Task.objects.filter(project=project)}
        calendar = agency_calendar(agency)

    # The coordinator ticks three tasks in the list (one with the keyboard) and shifts them.
    log_in_as(COORDINATOR)
    page.goto(project_url + "?view=list")
    page.get_by_label(f"Choose {later[0].title}").check()
    page.get_by_label(f"Choose {later[1].title}").check()
    page.get_by_label(f"Choose {later[2].title}").focus()
    page.keyboard.press("Space")
    expect(page.get_by_text("(3 ticked)")).to_be_visible()
    page.get_by_label("Shift dates by").fill("2")
    page.get_by_label("because").fill("The client moved the shoot")
    page.get_by_role("button", name="Show what moves").click()

    preview = page.get_by_role("region", name="What moves")
    expect(preview).to_be_visible()
    expect(preview.get_by_text("Forecast launch after", exact=True)).to_be_visible()
    expect(preview.get_by_text("Committed launch", exact=True)).to_be_visible()
    expect(preview.get_by_text("(chosen)")).to_have_count(3)
    with scope(agency=agency.pk):
        assert {t.pk: t.due_date for t in Task.objects.filter(project=project)} == before, "nothing moved yet"
    preview.get_by_role("button", name="Confirm the shift").click()

    expect(page.get_by_text(re.compile(r"3 tasks moved 2 business days later"))).to_be_visible()
    with scope(agency=agency.pk):
        after = {t.pk: t.due_date for t in Task.objects.filter(project=project)}
        for chosen in later:
            assert after[chosen.pk] >= calendar.add_business_days(before[chosen.pk], 2)
            assert DeadlineChange.objects.filter(task=chosen, reason="The client moved the shoot").exists()
