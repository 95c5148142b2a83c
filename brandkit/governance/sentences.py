"""Sentences and words of a draft with their character spans, for checks that report per sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator

from brandkit.governance.types import ContentInput

WORD = re.compile(r"[A-Za-z\u00C0-\u024F0-9]+(?:['\u2019][A-Za-z]+)*")
# A sentence ends at . ! ? (with closing quotes/brackets) followed by space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*(?=\s+)|\n")
_ABBREVIATIONS = frozenset(
    "dr mr mrs ms st no vs etc e.g i.e approx inc ltd co jr sr prof dept est fig mt ave".split()
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or line, stripped of surrounding space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group() != "\n":
            tail = text[max(start, end - 6) : end].rstrip("\"'\u201d\u2019)]").lower()
            last_word = re.split(r"\s", tail)[-1].rstrip(".")
            if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
                continue
        _append(spans, text, start, end)
        start = end
    _append(spans, text, start, len(text))
    return spans


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        left = start + (len(chunk) - len(chunk.lstrip()))
        spans.append((left, left + len(stripped)))


def words(text: str) -> list[str]:
    return WORD.findall(text)


def content_parts(content: ContentInput) -> Iterator[tuple[str, str]]:
    """(field, text) of every non-empty text field of a draft; spans in findings are per field."""
    for name in ("headline", "subject", "preheader", "body"):
        value = getattr(content, name)
        if value:
            yield name, value
