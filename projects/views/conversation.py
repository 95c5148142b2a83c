"""The conversation on a task page: its description, comments with mentions and files, its checklist."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from agencyops.tenancy import agency_view
from projects import services
from projects.forms import ChecklistItemForm, TaskCommentForm, TaskDescriptionForm
from projects.models import ChecklistItem, TaskAttachment
from projects.views.tasks import _render_task, task_or_404

_STREAM_TYPES = {b"%PDF-": "application/pdf", b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg",
                 b"GIF8": "image/gif"}  # fmt: skip


def _to_task(request: HttpRequest, task_id: int, anchor: str = "") -> HttpResponse:
    response = redirect("task_detail", agency_slug=request.agency.slug, task_id=task_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@agency_view
@require_POST
def task_description(request: HttpRequest, task_id: int) -> HttpResponse:
    """Say what the work is, in Markdown."""
    task = task_or_404(task_id)
    form = TaskDescriptionForm(request.POST, task=task)
    if form.is_valid() and form.save(actor=request.membership) is not None:
        messages.success(request, "Description saved.")
        return _to_task(request, task.pk)
    return _render_task(request, task, description_form=form)


@agency_view
@require_POST
def task_comment_create(request: HttpRequest, task_id: int) -> HttpResponse:
    """Add a comment (and files) to a task; the people it @mentions are notified."""
    task = task_or_404(task_id)
    form = TaskCommentForm(request.POST, request.FILES, task=task)
    comment = form.save(actor=request.membership) if form.is_valid() else None
    if comment is None:
        return _render_task(request, task, comment_form=form)
    named = [
        m.user.full_name for m in comment.mentioned.select_related("user") if m.pk != request.membership.pk
    ]
    messages.success(request, f"Comment added; {', '.join(named)} notified." if named else "Comment added.")
    return _to_task(request, task.pk, f"comment-{comment.pk}")


@agency_view
@require_http_methods(["GET", "HEAD"])
def task_attachment_file(request: HttpRequest, task_id: int, task_attachment_id: int) -> FileResponse:
    """A file shared on a task, after the tenant check; images show inline, the rest download."""
    attachment = get_object_or_404(TaskAttachment, pk=task_attachment_id, task_id=task_or_404(task_id).pk)
    return attachment_response(attachment)


def attachment_response(attachment: TaskAttachment) -> FileResponse:
    """A task attachment's bytes with a type read from them; images show inline, the rest download."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing.") from None
    head = handle.read(8)
    handle.seek(0)
    content_type = next(
        (kind for magic, kind in _STREAM_TYPES.items() if head.startswith(magic)),
        "image/webp" if head[:4] == b"RIFF" else "application/octet-stream",
    )
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@agency_view
@require_POST
def checklist_add(request: HttpRequest, task_id: int) -> HttpResponse:
    """Add a step to the task's checklist."""
    task = task_or_404(task_id)
    form = ChecklistItemForm(request.POST, task=task)
    if form.is_valid() and form.save(actor=request.membership) is not None:
        return _to_task(request, task.pk, "checklist")
    return _render_task(request, task, checklist_form=form)


def _item_or_404(task_id: int, checklist_item_id: int) -> ChecklistItem:
    return get_object_or_404(ChecklistItem, pk=checklist_item_id, task_id=task_or_404(task_id).pk)


@agency_view
@require_POST
def checklist_toggle(request: HttpRequest, task_id: int, checklist_item_id: int) -> HttpResponse:
    """Tick a step off (or back on)."""
    item = _item_or_404(task_id, checklist_item_id)
    services.checklist_item_set_done(
        actor=request.membership, item=item, done=request.POST.get("done") == "1"
    )
    return _to_task(request, task_id, "checklist")


@agency_view
@require_POST
def checklist_remove(request: HttpRequest, task_id: int, checklist_item_id: int) -> HttpResponse:
    """Take a step off the checklist."""
    item = _item_or_404(task_id, checklist_item_id)
    services.checklist_item_remove(actor=request.membership, item=item)
    return _to_task(request, task_id, "checklist")
