"""Raw MIME in, the feedback a person actually wrote out: plain values only, no ORM.

Both delivery paths (the development SMTP listener and the mail provider's webhook) hand the bytes they
received to ``parse_message``. It reads them with Python's ``email`` package and the default policy,
prefers the text part (an HTML-only mail is turned into text), and trims what is not the sender's own
words: quoted history ("On … wrote:", ``>`` lines, Outlook's "From: … Sent: …" block) and signatures
(the ``-- `` delimiter and common sign-offs). Attachments are kept with their name, type and size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage, MIMEPart
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser


class MalformedMessage(ValueError):
    """The bytes are not a mail message we can read."""


@dataclass(frozen=True)
class ParsedAttachment:
    name: str
    content_type: str
    size: int
    content: bytes


@dataclass(frozen=True)
class Forwarded:
    """The mail a person forwarded: who wrote it, when, its subject and what they wrote (trimmed)."""

    sender_email: str
    sender_name: str
    subject: str
    sent_at: datetime | None
    text: str


@dataclass(frozen=True)
class ParsedMessage:
    sender_email: str
    sender_name: str
    subject: str
    sent_at: datetime | None
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    to: tuple[str, ...]
    full_text: str
    text: str
    attachments: tuple[ParsedAttachment, ...] = ()
    defects: tuple[str, ...] = field(default_factory=tuple)
    forwarded: Forwarded | None = None

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Our own Message-IDs this mail may answer: In-Reply-To first, then References newest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids += [ref for ref in reversed(self.references) if ref not in ids]
        return tuple(ids)


MESSAGE_ID = re.compile(r"<[^<>\s]+>")
BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "hr",
}  # fmt: skip
SKIPPED_TAGS = {"style", "script", "head", "title"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        elif tag == "blockquote":
            self.quote_depth += 1
            self.parts.append("\n")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self.parts.append("\n")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = re.sub(r"\s+", " ", data)
        if self.quote_depth and text.strip():
            # Quoted history in HTML sits in <blockquote>; mark it the way plain text does so it is trimmed.
            text = "\n".join("> " + line for line in text.split("\n"))
        self.parts.append(text)


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail body: block elements become line breaks, styles and scripts go."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# A line that opens the quoted history of a reply.
QUOTE_HEADERS = (
    re.compile(r"^On .{0,300}wrote:\s*$", re.IGNORECASE),
    re.compile(r"^-{2,}\s*(Original Message|Forwarded message)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^_{10,}\s*$"),
)
OUTLOOK_FROM = re.compile(r"^\*?From:\*?\s+\S", re.IGNORECASE)
OUTLOOK_FOLLOWERS = re.compile(r"^\*?(Sent|Date|To|Subject|Cc):\*?\s", re.IGNORECASE)
SIGN_OFFS = re.compile(
    r"^(thanks|thank you|many thanks|thanks so much|cheers|best|best regards|best wishes|kind regards|"
    r"regards|warm regards|all the best|sincerely|yours sincerely|sent from my \w+.*)[,.!]?\s*$",
    re.IGNORECASE,
)
# How many lines a sign-off may be followed by (a name, a title, a phone number) and still be a signature.
SIGNATURE_MAX_LINES = 6


def _opens_outlook_block(lines: list[str], index: int) -> bool:
    if not OUTLOOK_FROM.match(lines[index].strip()):
        return False
    following = [line.strip() for line in lines[index + 1 : index + 5] if line.strip()]
    return any(OUTLOOK_FOLLOWERS.match(line) for line in following[:3])


def trim_reply(text: str) -> str:
    """The sender's own words: quoted history and the signature cut off, trailing blank lines removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if any(pattern.match(stripped) for pattern in QUOTE_HEADERS) or _opens_outlook_block(lines, index):
            break
        if line.rstrip("\n") == "-- " or stripped == "--":
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    # A sign-off close to the end starts the signature.
    content_lines = [i for i, line in enumerate(kept) if line.strip()]
    for position in content_lines[-SIGNATURE_MAX_LINES - 1 :]:
        if SIGN_OFFS.match(kept[position].strip()) and position != content_lines[0]:
            kept = kept[:position]
            break
    return "\n".join(kept).strip()


# Lines that open a forwarded mail; the weaker ones only when the subject says it is a forward.
FORWARD_MARKERS = (
    re.compile(r"^-{2,}\s*Forwarded message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^Begin forwarded message:\s*$", re.IGNORECASE),
)
WEAK_FORWARD_MARKER = re.compile(r"^-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE)
FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|wg|tr)\s*:\s*", re.IGNORECASE)
FORWARD_HEADER = re.compile(r"^\*?(From|Sent|Date|To|Cc|Subject)\*?:\s*(.*)$", re.IGNORECASE)


def forwarded_from(text: str, subject: str = "") -> Forwarded | None:
    """The forwarded mail inside a forward's text (Gmail, Apple Mail and Outlook layouts), or None."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = next(
        (
            i + 1
            for i, line in enumerate(lines)
            if any(p.match(line.strip().lstrip("> ")) for p in FORWARD_MARKERS)
        ),
        None,
    )
    if start is None and FORWARD_SUBJECT.match(subject):
        start = next(
            (
                i + 1 if WEAK_FORWARD_MARKER.match(line.strip()) else i
                for i, line in enumerate(lines)
                if WEAK_FORWARD_MARKER.match(line.strip()) or _opens_outlook_block(lines, i)
            ),
            None,
        )
    if start is None:
        return None
    headers: dict[str, str] = {}
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines):
        match = FORWARD_HEADER.match(lines[index].strip().lstrip("> "))
        if not match:
            break
        headers.setdefault(match[1].lower(), match[2].strip())
        index += 1
    sender_name, sender_email = parseaddr(headers.get("from", "").replace("[mailto:", "<").replace("]", ">"))
    if "@" not in sender_email:
        return None
    body = "\n".join(line[2:] if line.startswith("> ") else line for line in lines[index:])
    return Forwarded(
        sender_email=sender_email.strip().lower()[:254],
        sender_name=sender_name.strip()[:150],
        subject=headers.get("subject", "")[:300],
        sent_at=_sent_at(headers.get("date", "") or headers.get("sent", "")),
        text=trim_reply(body),
    )


def _decoded_text(part: MIMEPart) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        content = part.get_payload(decode=True)
    if isinstance(content, str):
        return content
    return content.decode("utf-8", errors="replace") if isinstance(content, bytes) else ""


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL characters; a mail may.
    return text.replace("\x00", "")


def _header(message: EmailMessage, name: str) -> str:
    """A header's decoded value, read from the raw value so a header the default policy cannot parse (a
    group address, a broken encoded word) still reads as what it says."""
    raw = next((str(value) for key, value in message.raw_items() if key.lower() == name.lower()), "")
    try:
        value = str(make_header(decode_header(raw)))
    except (LookupError, UnicodeError, ValueError, HeaderParseError):
        value = raw
    return _clean(" ".join(value.split()))


def _ids(value: str) -> tuple[str, ...]:
    return tuple(MESSAGE_ID.findall(value))


def _sent_at(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def _attachments(message: EmailMessage) -> tuple[tuple[ParsedAttachment, ...], bool]:
    """The attachments that could be read, and whether any part could not."""
    found: list[ParsedAttachment] = []
    try:
        for part in message.iter_attachments() if message.is_multipart() else ():
            _collect(part, found)
    except Exception:  # a damaged part: keep what was read, the message says it is damaged
        return tuple(found), True
    return tuple(found), False


def _collect(part: MIMEPart, found: list[ParsedAttachment]) -> None:
    if part.is_multipart() and part.get_content_disposition() != "attachment":
        for sub in part.iter_parts():
            if sub.get_content_disposition() in ("attachment", "inline") and sub.get_filename():
                _collect(sub, found)
        return
    decoded = part.get_payload(decode=True)
    payload = decoded if isinstance(decoded, bytes) else part.as_bytes()
    name = part.get_filename() or f"attachment-{len(found) + 1}"
    found.append(
        ParsedAttachment(
            name=_clean(str(name)).replace("/", "_").replace("\\", "_")[:200],
            content_type=_clean(part.get_content_type())[:100],
            size=len(payload),
            content=payload,
        )
    )


def parse_message(raw: bytes) -> ParsedMessage:
    """Read a raw MIME message. MalformedMessage when there is nothing a person could have sent."""
    if not raw or not raw.strip():
        raise MalformedMessage("The message is empty.")
    try:
        return _parse(raw)
    except MalformedMessage:
        raise
    except Exception as error:  # the email package documents no exception list; any failure is bad input
        raise MalformedMessage(f"The message could not be read ({type(error).__name__}).") from error


def _body_text(message: EmailMessage) -> tuple[str, bool]:
    """The text a person wrote (the plain part, else the HTML part as text), and whether it was damaged."""
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        if body is None:
            return "", False
        if body.get_content_type() == "text/html":
            return _clean(html_to_text(_decoded_text(body))), False
        return _clean(_decoded_text(body)).strip(), False
    except Exception:  # a damaged structure: the raw message is kept for a person to read
        return "", True


def _parse(raw: bytes) -> ParsedMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    sender_name, sender_email = parseaddr(_header(message, "From"))
    if "@" not in sender_email:
        raise MalformedMessage("The message has no sender address.")
    full_text, body_damaged = _body_text(message)
    attachments, attachments_damaged = _attachments(message)
    defects = [type(defect).__name__ for defect in message.defects]
    if body_damaged or attachments_damaged:
        defects.append("UnreadablePart")
    recipients = [
        address
        for _, address in getaddresses([_header(message, "To"), _header(message, "Cc")])
        if "@" in address
    ]
    message_ids = _ids(_header(message, "Message-ID"))
    reply_ids = _ids(_header(message, "In-Reply-To"))
    return ParsedMessage(
        sender_email=sender_email.strip().lower()[:254],
        sender_name=sender_name.strip()[:150],
        subject=_header(message, "Subject")[:300],
        sent_at=_sent_at(_header(message, "Date")),
        message_id=message_ids[0][:300] if message_ids else "",
        in_reply_to=reply_ids[0][:300] if reply_ids else "",
        references=_ids(_header(message, "References"))[-50:],
        to=tuple(recipients),
        full_text=full_text,
        text=trim_reply(full_text),
        attachments=attachments,
        defects=tuple(defects),
        forwarded=forwarded_from(full_text, _header(message, "Subject")),
    )
