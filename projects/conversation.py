"""What people write on tasks, as plain values: Markdown made safe to show, and the @mentions in a comment.

No ORM here; the services feed it the team's handles and store what it finds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt

# CommonMark without raw HTML: what people type is text, never markup they smuggle in.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable("table")
_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_MENTION = re.compile(r"(?<![\w@.])@([a-z0-9][a-z0-9._-]{0,63})", re.IGNORECASE)


def render_markdown(text: str) -> str:
    """HTML for a description or comment: Markdown rendered, then cleaned to a short list of tags."""
    if not text.strip():
        return ""
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def member_handle(email: str) -> str:
    """How a team member is mentioned: ``@`` and the part of their address before the ``@``."""
    return email.split("@", 1)[0].lower()


def mentioned(text: str, handles: Mapping[str, int]) -> list[int]:
    """The ids of the members a text mentions, in order of first mention; unknown handles are ignored."""
    found: list[int] = []
    for match in _MENTION.finditer(text):
        handle = match.group(1).rstrip("._-").lower()
        member = handles.get(handle)
        if member is not None and member not in found:
            found.append(member)
    return found
