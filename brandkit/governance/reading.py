"""Check 4: reading level against the brand's target grade, naming the sentences that push it up.

The grade is Flesch-Kincaid (the formula textstat uses), with syllables counted from the
hyphenation dictionaries pyphen ships, so nothing is downloaded at run time.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import pyphen

from brandkit.governance.sentences import WORD, sentence_spans
from brandkit.governance.types import BrandRules, ContentInput, Finding

_HYPHENATOR = pyphen.Pyphen(lang="en_US")
# Short copy has too few sentences for a grade to mean anything.
MIN_WORDS = 40
_LONG_FORM = frozenset({"landing_page", "email", "blog", "press_release", "linkedin"})


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables in one word: hyphenation points plus one, at least one per vowel group's worth."""
    lowered = word.lower()
    if lowered.isdigit():
        return max(1, len(lowered) // 2)
    by_hyphenation = _HYPHENATOR.inserted(lowered).count("-") + 1
    groups = 0
    previous_vowel = False
    for char in lowered:
        vowel = char in "aeiouy"
        if vowel and not previous_vowel:
            groups += 1
        previous_vowel = vowel
    if lowered.endswith("e") and not lowered.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(1, by_hyphenation, groups)


def grade(words: int, sentences: int, syllable_count: int) -> float:
    """Flesch-Kincaid grade level."""
    if not words or not sentences:
        return 0.0
    return 0.39 * (words / sentences) + 11.8 * (syllable_count / words) - 15.59


# A press release's dateline ("NEW YORK —", "LEEDS, 1 December 2026 —") places the story; it is not prose.
_DATELINE = re.compile(r"\s*[A-Z][A-Z .'-]{1,40}(?:,[^\n\u2014\u2013]{1,40})?\s+[\u2014\u2013-]+\s+")
# A link or an address is read at a glance, not sounded out.
_LINK = re.compile(r"\b[\w-]++(?:\.[\w-]++)+(?:/\S*+)?")


def sentence_grade(text: str) -> tuple[int, int]:
    """(words, syllables) of a piece of text; a name inside a sentence ("Sage Intacct", "Ventana Value Index")
    counts as a word of one syllable, since readers recognise names rather than sound them out."""
    dateline = _DATELINE.match(text)
    if dateline:
        text = text[dateline.end() :]
    text = _LINK.sub("link", text)
    count = total = 0
    for match in WORD.finditer(text):
        token = match.group()
        named = count > 0 and token[0].isupper()
        count += 1
        total += 1 if named else syllables(token)
    return count, total


class ReadingLevelCheck:
    """Flags copy whose grade is above the brand's target and names the sentences that raise it."""

    check = "reading_level"
    tolerance = 2.0  # grades a whole piece may sit above target before its hardest sentence is named
    far_above = 10.0  # a sentence this many grades above target is named even in an easy piece
    worst = 5  # sentences named at most
    min_sentence_words = 12
    min_piece_words = 100

    def __init__(self, rules: BrandRules, *, today: date) -> None:
        self.target = rules.reading_grade_target

    def run(self, content: ContentInput) -> list[Finding]:
        if self.target is None or content.channel not in _LONG_FORM or not content.body:
            return []
        text = content.body
        spans = sentence_spans(text)
        stats = []
        total_words = total_syllables = 0
        for start, end in spans:
            words, syll = sentence_grade(text[start:end])
            if not words:
                continue
            stats.append((start, end, words, syll))
            total_words += words
            total_syllables += syll
        if total_words < MIN_WORDS:
            return []
        overall = grade(total_words, len(stats), total_syllables)
        scored = sorted(
            ((grade(w, 1, s), start, end) for start, end, w, s in stats if w >= self.min_sentence_words),
            reverse=True,
        )
        heavy = [item for item in scored if item[0] > self.target + self.far_above][: self.worst]
        if not heavy and overall > self.target + self.tolerance and total_words >= self.min_piece_words:
            heavy = scored[:1]
        found = []
        for sentence_level, start, end in sorted(heavy, key=lambda item: item[1]):
            found.append(
                Finding(
                    check=self.check,
                    severity="warning",
                    start=start,
                    end=end,
                    message=(
                        f"This sentence reads at about grade {sentence_level:.0f}; the piece is at grade "
                        f"{overall:.1f} against a target of {self.target:g}. Split it or use shorter words."
                    ),
                    question=4,
                )
            )
        return found
