"""Mail leaves the app here: rendered from templates (plain text + HTML, the agency's name and logo inline),
queued on commit and sent by a Celery task that retries a failing mail server with backoff.

A saved change never waits on the mail server and never fails because of it: the web process only queues
(after commit, a broker failure logged, not raised), the worker sends.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from email.mime.image import MIMEImage
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from agencyops.tenant_tasks import retrying_task

log = logging.getLogger(__name__)

LOGO_CID = "agency-logo"
LOGO_SUBTYPES = {"PNG": "png", "JPEG": "jpeg", "GIF": "gif", "WEBP": "webp"}


@dataclass(frozen=True)
class Mail:
    """A rendered mail, small enough to travel to the worker as plain values."""

    to: str
    subject: str
    text: str
    html: str = ""
    agency_id: int | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def as_task_args(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "agency_id": self.agency_id,
            "headers": self.headers,
        }


def mail_render(
    *, to: str, subject: str, template: str, context: dict[str, Any], agency: Any = None, headers=None
) -> Mail:
    """Render ``template``.txt and ``template``.html (the shell in templates/mail/base.html) for one recipient."""
    context = {
        **context,
        "agency": agency,
        "site_url": settings.SITE_URL,
        "logo_cid": LOGO_CID if agency is not None and agency.logo else "",
        "subject": subject,
    }
    return Mail(
        to=to,
        subject=subject,
        text=render_to_string(f"{template}.txt", context).strip() + "\n",
        html=render_to_string(f"{template}.html", context),
        agency_id=agency.pk if agency is not None else None,
        headers=dict(headers or {}),
    )


def _dispatch(task: Any, kwargs: dict[str, Any]) -> None:
    if settings.MAIL_SEND_IN_PROCESS:
        # Development without a worker, and the test suite: the same task, run here, its retries included.
        task.apply(kwargs=kwargs)
        return
    try:
        task.apply_async(kwargs=kwargs)
    except Exception:  # noqa: BLE001 - the broker is down: the mail is lost, the visitor's action is not
        log.exception("could not queue %s", task.name)


def queue_on_commit(task: Any, **kwargs: Any) -> None:
    """Queue a mail task once the current transaction commits; a broker failure is logged, never raised."""
    transaction.on_commit(lambda: _dispatch(task, kwargs), robust=True)


def mail_queue(mail: Mail, *, after_commit: bool = True) -> None:
    """Send ``mail`` from a worker once the current transaction commits (at once for a mail that follows
    no write, such as a password reset link)."""
    if after_commit:
        queue_on_commit(mail_send, **mail.as_task_args())
    else:
        _dispatch(mail_send, mail.as_task_args())


def _logo(agency_id: int | None) -> MIMEImage | None:
    if agency_id is None:
        return None
    from PIL import Image

    from agencyops.models import Agency

    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None or not agency.logo:
        return None
    try:
        with agency.logo.open("rb") as handle:
            data = handle.read(settings.LOGO_MAX_BYTES + 1)
        with Image.open(io.BytesIO(data)) as image:
            subtype = LOGO_SUBTYPES.get(image.format or "")
    except (OSError, ValueError, SyntaxError):
        log.warning("agency %s: logo unreadable, mail goes without it", agency_id)
        return None
    if subtype is None or len(data) > settings.LOGO_MAX_BYTES:
        return None
    image = MIMEImage(data, _subtype=subtype)
    image.add_header("Content-ID", f"<{LOGO_CID}>")
    image.add_header("Content-Disposition", "inline", filename=f"logo.{subtype}")
    return image


def mail_message(
    *, to: str, subject: str, text: str, html: str = "", agency_id: int | None = None, headers=None
) -> EmailMultiAlternatives:
    """The message as it goes out: text, then HTML with the agency's logo as an inline (CID) image."""
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], headers=headers or {}
    )
    if html:
        message.attach_alternative(html, "text/html")
        logo = _logo(agency_id)
        if logo is not None:
            message.mixed_subtype = "related"
            message.attach(logo)
    return message


@retrying_task("agencyops.mail.mail_send")
def mail_send(
    *, to: str, subject: str, text: str, html: str = "", agency_id: int | None = None, headers=None
) -> str:
    """Send one rendered mail; a mail server that is down or refuses for now is retried with backoff."""
    mail_message(to=to, subject=subject, text=text, html=html, agency_id=agency_id, headers=headers).send()
    return to
