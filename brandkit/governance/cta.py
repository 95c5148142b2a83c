"""Check 6: the call to action fits the campaign goal, and channels that need one have one."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable

from brandkit.governance.lexical import LexicalCheck, Match, field_text
from brandkit.governance.lexicon import normalise
from brandkit.governance.sentences import sentence_spans
from brandkit.governance.types import ContentInput, Finding

CHANNELS_NEEDING_CTA = frozenset({"landing_page", "email", "google_ads_description", "sms"})
_GOAL_LABELS = {
    "awareness": "awareness",
    "lead_generation": "lead generation",
    "email_nurture": "email nurture",
    "seo_content": "SEO / content",
    "sales": "sales",
    "retention": "retention",
}
_SMALL = frozenset("a an the your our my to for of and or now today".split())
_TOKEN = re.compile(r"[a-z0-9]+")


def _key_words(phrase: str) -> tuple[str, ...]:
    return tuple(w[:5] for w in _TOKEN.findall(normalise(phrase)) if w not in _SMALL)


_SERIES_BEFORE = re.compile(r"\w,\s*$")
_SERIES_AFTER = re.compile(r"\s*,\s*(?:and|or|then)?\s*\w")


def _in_a_series(text: str, start: int, end: int) -> bool:
    """A step in the middle of a list of steps ("Connect your ledger, invite your team, and run your next
    close") describes how the product is used; it is not the piece's call to action."""
    return bool(
        _SERIES_BEFORE.search(text, max(0, start - 40), start) and _SERIES_AFTER.match(text, end, end + 20)
    )


class CtaCheck(LexicalCheck):
    """CTAs from another goal's list, and a missing CTA where the channel needs one."""

    check = "cta"

    def phrases(self) -> Iterable[tuple[str, Hashable, bool]]:
        self._entries: list[tuple[str, str]] = []
        for goal, ctas in self.rules.ctas_by_goal.items():
            for cta in ctas:
                if cta.strip():
                    self._entries.append((cta, goal))
        self._own_by_goal = {
            goal: {normalise(c) for c in ctas} for goal, ctas in self.rules.ctas_by_goal.items()
        }
        for number, (cta, _goal) in enumerate(self._entries):
            yield cta, number, True

    def findings(self, content: ContentInput, matches: dict[str, list[Match]]) -> list[Finding]:
        goal = content.goal
        if not goal or goal not in self.rules.ctas_by_goal:
            return []
        own = self._own_by_goal.get(goal, set())
        found: list[Finding] = []
        for name, field_matches in matches.items():
            text = field_text(content, name)
            flagged: set[tuple[int, int]] = set()
            for start, end, number in field_matches:
                cta, cta_goal = self._entries[number]
                if cta_goal == goal or normalise(cta) in own or (start, end) in flagged:
                    continue
                if _in_a_series(text, start, end):
                    continue
                flagged.add((start, end))
                suggestion = self.rules.ctas_by_goal[goal][0] if self.rules.ctas_by_goal[goal] else ""
                found.append(
                    Finding(
                        check=self.check,
                        severity="warning",
                        start=start,
                        end=end,
                        message=(
                            f"\u201c{text[start:end]}\u201d is a call to action for "
                            f"{_GOAL_LABELS.get(cta_goal, cta_goal)}; this piece is for "
                            f"{_GOAL_LABELS.get(goal, goal)}."
                        ),
                        suggestion=suggestion,
                        question=6,
                        field=name,
                    )
                )
        if content.channel in CHANNELS_NEEDING_CTA and content.body and not self._has_cta(content, goal):
            ctas = self.rules.ctas_by_goal[goal]
            found.append(
                Finding(
                    check=self.check,
                    severity="warning",
                    start=0,
                    end=len(content.body),
                    message=(
                        f"No call to action for {_GOAL_LABELS.get(goal, goal)}; "
                        + (f"try \u201c{ctas[0]}\u201d." if ctas else "add one.")
                    ),
                    suggestion="",
                    question=6,
                )
            )
        return found

    def _has_cta(self, content: ContentInput, goal: str) -> bool:
        """A CTA of the goal is present when its key words appear together in one sentence."""
        wanted = [words for words in map(_key_words, self.rules.ctas_by_goal[goal]) if words]
        if not wanted:
            return True
        for text in (content.body, content.headline):
            for start, end in sentence_spans(text):
                stems = {w[:5] for w in _TOKEN.findall(text[start:end].lower())}
                if any(all(w in stems for w in words) for words in wanted):
                    return True
        return False
