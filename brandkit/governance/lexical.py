"""The shape every phrase-based check shares, so the pipeline can run them all in one pass over the words."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import date
from typing import Any

from brandkit.governance.lexicon import PhraseIndex
from brandkit.governance.sentences import content_parts
from brandkit.governance.types import BrandRules, ContentInput, Finding

Match = tuple[int, int, Any]  # (start, end, the payload a check registered with its phrase)


class LexicalCheck:
    """A check that registers phrases, then turns the matches in each text field into findings."""

    check = ""

    def __init__(self, rules: BrandRules, *, today: date) -> None:
        self.rules = rules
        self.today = today
        self._index: PhraseIndex | None = None

    def phrases(self) -> Iterable[tuple[str, Hashable, bool]]:
        """(phrase, payload, inflect) of every phrase this check looks for."""
        return ()

    def findings(self, content: ContentInput, matches: dict[str, list[Match]]) -> list[Finding]:
        """Findings for one draft from the matches of this check's phrases, by text field."""
        raise NotImplementedError

    def run(self, content: ContentInput) -> list[Finding]:
        """Run this check alone (its own phrase index)."""
        if self._index is None:
            self._index = PhraseIndex()
            for phrase, payload, inflect in self.phrases():
                self._index.add(phrase, payload, inflect=inflect)
        matches = {name: self._index.find(text) for name, text in content_parts(content)}
        return self.findings(content, matches)


def field_text(content: ContentInput, name: str) -> str:
    return getattr(content, name)
