"""Check 5b: the brand's voice rules, matched lexically.

Don't-rules contribute the phrases they quote and their "sounds wrong" example sentence; a rule
about exclamation marks turns on the exclamation-density check; a brand that speaks as "you" gets
its first-person plural flagged; the jargon list and generic agency voice are flagged too.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable

from brandkit.governance.lexical import LexicalCheck, Match, field_text
from brandkit.governance.lexicon import normalise
from brandkit.governance.sentences import WORD, sentence_spans
from brandkit.governance.types import ContentInput, Finding

GENERIC_AGENCY_VOICE: tuple[str, ...] = (
    "we are passionate about",
    "we're passionate about",
    "passionate about delivering",
    "our team of experts",
    "our team of dedicated",
    "our dedicated team",
    "our expert team",
    "team of highly skilled",
    "we pride ourselves on",
    "we take pride in",
    "committed to excellence",
    "commitment to excellence",
    "we strive to",
    "our mission is to",
    "your trusted partner",
    "trusted partner",
    "we go above and beyond",
    "go the extra mile",
    "tailored solutions",
    "bespoke solutions",
    "customer-centric",
    "client-centric",
    "solutions-driven",
    "results-driven",
    "we look forward to",
)
_QUOTED = re.compile(
    r"\"([^\"]{2,60})\"|\u201c([^\u201d]{2,60})\u201d|\u2018([^\u2019]{2,60})\u2019|(?<!\w)'([^']{2,60})'(?!\w)"
)
# Direct speech: a customer or spokesperson quoted saying "we" is not the brand's voice.
_SPEECH = re.compile(r"\"[^\"\n]{1,400}\"|\u201c[^\u201d\n]{1,400}\u201d")
_NO_EXCLAMATIONS = re.compile(
    r"\b(?:no|never|don't|do not|avoid|without)\b[^.]{0,20}\bexclamation", re.IGNORECASE
)
# "Let's" is "let us": the brand joining the reader as "we" ("Let's look at why calendars fail").
_FIRST_PERSON_PLURAL = re.compile(
    r"\b(?:we|we're|we've|we'll|we'd|our|ours|us|ourselves|let['\u2019]s)\b|\b(?:we|let)\u2019(?:re|ve|ll|d|s)\b",
    re.IGNORECASE,
)
_US_COUNTRY = re.compile(r"\bUS\b|\bU\.S\.")


_FRAME_WORDS = 4  # opening words of a "sounds wrong" example that carry its sentence pattern
_FUNCTION_WORDS = frozenset(
    """a an the and or but if so to of in on at for with by from as is are was were be been am it its it's
    this that these those you your you're we our we're i my me they their he she his her do does did don't
    doesn't not no can will would should could have has had there here what when how why who which""".split()
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def _frame(example: str) -> re.Pattern[str] | None:
    """The sentence pattern of a bad example: its opening words at the start of a sentence ("Real hikers
    don't need a guide" also catches "Real hikers don't need all that gear"). Examples too short to have
    a frame beyond their own words are matched as phrases only."""
    words = re.findall(r"[\w']+", example.translate(_APOSTROPHES))
    if len(words) <= _FRAME_WORDS or sum(w.lower() not in _FUNCTION_WORDS for w in words[:_FRAME_WORDS]) < 2:
        return None  # "If you want to ..." opens too many sentences to be a pattern of its own
    body = r"[\s,]+".join(re.escape(w).replace("'", "['\u2019]") for w in words[:_FRAME_WORDS])
    return re.compile(rf"[\"'\u201c\u2018(]?{body}\b", re.IGNORECASE)


class VoiceCheck(LexicalCheck):
    """Phrases and patterns the brand's voice rules exclude."""

    check = "voice"

    def phrases(self) -> Iterable[tuple[str, Hashable, bool]]:
        self._entries: list[tuple[str, str]] = []  # (phrase, why)
        good = " ".join(normalise(rule.good_example) for rule in self.rules.voice)
        for rule in self.rules.voice:
            if rule.do:
                continue
            for groups in _QUOTED.findall(rule.rule):
                quoted = next(group for group in groups if group)
                self._entries.append((quoted, f"the brand voice says: {rule.rule}"))
            if rule.bad_example.strip():
                self._entries.append(
                    (
                        rule.bad_example.strip().rstrip(".!?"),
                        f"this is the brand's own example of what not to write ({rule.rule})",
                    )
                )
        for term in self.rules.jargon:
            self._entries.append((term, f"jargon {self.rules.client_name}'s readers don't use"))
        for phrase in GENERIC_AGENCY_VOICE:
            if phrase not in good:
                self._entries.append((phrase, "generic agency voice; say it the way the client would"))
        for number, (phrase, _why) in enumerate(self._entries):
            yield phrase, number, True

    def findings(self, content: ContentInput, matches: dict[str, list[Match]]) -> list[Finding]:
        found: list[Finding] = []
        for name, field_matches in matches.items():
            text = field_text(content, name)
            covered_to = -1  # matches come sorted by start, longest first: a nested one ends before this
            for start, end, number in sorted(field_matches, key=lambda m: (m[0], -m[1])):
                if end <= covered_to:
                    continue
                covered_to = max(covered_to, end)
                _phrase, why = self._entries[number]
                found.append(self._finding(start, end, f"\u201c{text[start:end]}\u201d: {why}.", name))
        for name in matches:
            text = field_text(content, name)
            found.extend(self._framed(text, name, found))
            if self.rules.speaks_as == "you":
                found.extend(self._first_person(text, name))
            exclamation_rules = [
                r.rule for r in self.rules.voice if not r.do and "exclamation" in r.rule.lower()
            ]
            if exclamation_rules:
                none_at_all = any(_NO_EXCLAMATIONS.search(rule) for rule in exclamation_rules)
                found.extend(self._exclamations(text, name, none_at_all=none_at_all))
        return found

    def _framed(self, text: str, name: str, already: list[Finding]) -> list[Finding]:
        """Sentences that open the way one of the brand's bad examples opens."""
        frames = [
            (frame, rule)
            for rule in self.rules.voice
            if not rule.do and (frame := _frame(rule.bad_example.strip()))
        ]
        if not frames:
            return []
        taken = [(f.start, f.end) for f in already if f.field == name]
        found = []
        for start, end in sentence_spans(text):
            for frame, rule in frames:
                if not frame.match(text, start, end):
                    continue
                stop = end
                while stop > start and text[stop - 1] in " \n.!?":
                    stop -= 1
                if any(s < stop and start < e for s, e in taken):
                    break
                found.append(
                    self._finding(
                        start,
                        stop,
                        f"\u201c{text[start:stop]}\u201d follows the brand's own example of what not to write "
                        f"({rule.rule}).",
                        name,
                    )
                )
                break
        return found

    def _first_person(self, text: str, name: str) -> list[Finding]:
        found = []
        speech = [m.span() for m in _SPEECH.finditer(text)]
        for start, end in sentence_spans(text):
            hits = [
                m
                for m in _FIRST_PERSON_PLURAL.finditer(text, start, end)
                if m.group() != "US" and not any(s <= m.start() < e for s, e in speech)
            ]
            if hits:
                found.append(
                    self._finding(
                        hits[0].start(),
                        hits[-1].end(),
                        f"{self.rules.client_name} speaks to the reader as \u201cyou\u201d, not as \u201cwe\u201d; "
                        "rewrite around what the reader gets.",
                        name,
                    )
                )
        return found

    def _exclamations(self, text: str, name: str, *, none_at_all: bool) -> list[Finding]:
        """Exclamation marks past the brand's allowance (none, or one per 150 words)."""
        marks = [m.start() for m in re.finditer(r"!", text)]
        words = max(1, len(WORD.findall(text)))
        allowed = 0 if none_at_all else max(1, words // 150)
        if len(marks) <= allowed and "!!" not in text:
            return []
        return [
            self._finding(
                position,
                position + 1,
                (
                    "The brand voice uses no exclamation marks."
                    if none_at_all
                    else f"{len(marks)} exclamation marks in {words} words; the brand voice keeps them rare."
                ),
                name,
                suggestion=".",
            )
            for position in marks[allowed:]
        ]

    def _finding(self, start: int, end: int, message: str, name: str, suggestion: str = "") -> Finding:
        return Finding(
            check=self.check,
            severity="warning",
            start=start,
            end=end,
            message=message,
            suggestion=suggestion,
            question=1,
            field=name,
        )
