"""The conversation on a task: its description, comments with @mentions and attachments, its checklist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from agencyops import files
from agencyops.models import Membership
from agencyops.notifications.services import notify
from projects import conversation
from projects.models import ChecklistItem, Task, TaskAttachment, TaskComment
from projects.services._shared import _require_team

MAX_DESCRIPTION_CHARS = 20_000
MAX_COMMENT_CHARS = 10_000
MAX_FILES_PER_COMMENT = 5
MAX_CHECKLIST_ITEMS = 100


@transaction.atomic
def task_describe(*, actor: Membership, task: Task, description: str) -> Task:
    """Say what the work is, in Markdown, so nobody has to ask in the corridor."""
    _require_team(actor)
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise ValidationError(
            {"description": f"Keep the description under {MAX_DESCRIPTION_CHARS:,} characters."}
        )
    task.description = description
    task.save(update_fields=["description", "updated_at"])
    return task


def team_handles(agency_id: int) -> dict[str, Membership]:
    """Every active team member of an agency by the handle people @mention them with."""
    members = Membership.objects.filter(agency_id=agency_id, is_active=True).select_related("user")
    return {conversation.member_handle(m.user.email): m for m in members.order_by("pk")}


@transaction.atomic
def task_comment_add(*, actor: Membership, task: Task, body: str, files: Sequence[Any] = ()) -> TaskComment:
    """Say something on a task, with files; the team members it @mentions are notified once each."""
    _require_team(actor)
    body = (body or "").strip()
    files = [upload for upload in files if upload is not None]
    if not body and not files:
        raise ValidationError({"body": "Write a comment or attach a file."})
    if len(body) > MAX_COMMENT_CHARS:
        raise ValidationError({"body": f"Keep a comment under {MAX_COMMENT_CHARS:,} characters."})
    if len(files) > MAX_FILES_PER_COMMENT:
        raise ValidationError({"files": f"Attach at most {MAX_FILES_PER_COMMENT} files to one comment."})
    checked = [(upload, _check_attachment(upload)) for upload in files]
    comment = TaskComment.objects.create(agency=actor.agency, task=task, author=actor, body=body)
    for upload, kind in checked:
        TaskAttachment.objects.create(
            agency=actor.agency,
            task=task,
            comment=comment,
            file=upload,
            original_name=(getattr(upload, "name", "") or "file")[-200:],
            kind=kind,
            size=upload.size,
            uploaded_by=actor,
        )
    handles = team_handles(actor.agency_id)
    ids = conversation.mentioned(body, {handle: member.pk for handle, member in handles.items()})
    people = {member.pk: member for member in handles.values()}
    mentioned = [people[pk] for pk in ids]
    if mentioned:
        comment.mentioned.set(mentioned)
    for member in mentioned:
        if member.pk != actor.pk:
            _notify_mention(actor=actor, task=task, comment=comment, member=member)
    return comment


def _check_attachment(upload: Any) -> str:
    """An attachment is judged by its bytes with the platform's file checks: a real image (within the pixel
    limit) or a PDF, within the upload size limit."""
    try:
        files.check_size(upload, limit=settings.APPROVAL_FILE_MAX_BYTES)
        if files.sniff(files.read_head(upload)) == files.PDF:
            return "pdf"
        files.inspect_image(upload)
    except ValidationError as error:
        if error.code == "invalid_type":
            raise ValidationError({"files": f"Upload an image ({files.IMAGE_KINDS_LABEL}) or a PDF."}) from None
        raise ValidationError({"files": error.messages}) from None
    return "image"


def _notify_mention(*, actor: Membership, task: Task, comment: TaskComment, member: Membership) -> None:
    url = reverse("task_detail", kwargs={"agency_slug": actor.agency.slug, "task_id": task.pk})
    notify(
        agency=actor.agency,
        to=member.user.email,
        recipient=member.user,
        kind="mention",
        subject=f"{actor.user.full_name} mentioned you on “{task.title}”"[:200],
        body=comment.body,
        dedupe_key=f"mention:{comment.pk}:{member.pk}",
        target=task,
        url=f"{url}#comment-{comment.pk}",
    )


@transaction.atomic
def checklist_item_add(*, actor: Membership, task: Task, text: str) -> ChecklistItem:
    """Add a step to a task's checklist, at the end."""
    _require_team(actor)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the step."})
    if len(text) > 200:
        raise ValidationError({"text": "Keep a step under 200 characters."})
    task = Task.objects.select_for_update().get(pk=task.pk)
    existing = ChecklistItem.objects.filter(task=task)
    if existing.count() >= MAX_CHECKLIST_ITEMS:
        raise ValidationError({"text": f"A checklist holds at most {MAX_CHECKLIST_ITEMS} steps."})
    last = existing.aggregate(last=Max("order"))["last"]
    item = ChecklistItem.objects.create(
        agency=actor.agency, task=task, text=text, order=0 if last is None else last + 1
    )
    _touch(task.pk)
    return item


@transaction.atomic
def checklist_item_set_done(*, actor: Membership, item: ChecklistItem, done: bool) -> ChecklistItem:
    """Tick a step off, or back on."""
    _require_team(actor)
    item.done = bool(done)
    item.save(update_fields=["done"])
    _touch(item.task_id)
    return item


@transaction.atomic
def checklist_item_remove(*, actor: Membership, item: ChecklistItem) -> None:
    """Take a step off a task's checklist."""
    _require_team(actor)
    task_id = item.task_id
    item.delete()
    _touch(task_id)


def _touch(task_id: int) -> None:
    # The board card shows checklist progress: a new row version of the task refreshes the cached page.
    Task.objects.filter(pk=task_id).update(updated_at=timezone.now())
