"""Finding many phrases in a draft in one pass: word boundaries, case, simple inflections, line breaks.

Every lexical check (avoid list, clichés, jargon, CTAs, pillars, decisions, other clients' terms)
hands its phrases to a `PhraseIndex`; the index compiles them into one trie-shaped regular
expression (so the cost hardly grows with the number of phrases) and answers each match with the
payloads of every phrase that produced it. A space in a phrase matches any run of spaces, line
breaks or hyphens, so "free consultation" also finds "free\\nconsultation" and "free-consultation".
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

_SEPARATOR = r"[\s\-\u2010\u2011\u2013]+"
_APOSTROPHES = "'\u2019\u2018"
_SPLIT = re.compile(r"[\s\-\u2010\u2011\u2013]+")
_VOWELS = set("aeiou")


def normalise(text: str) -> str:
    """Lower-case a phrase, unify apostrophes and collapse spaces, line breaks and hyphens to one space."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(part for part in _SPLIT.split(text.strip().lower()) if part)


def inflections(word: str) -> set[str]:
    """The word with the plural and verb endings English forms by simple suffix rules."""
    forms = {word}
    if len(word) < 3 or not word.isalpha():
        return forms
    last, before = word[-1], word[-2]
    consonant_y = last == "y" and before not in _VOWELS
    # plural / third person
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    elif consonant_y:
        forms.add(word[:-1] + "ies")
    else:
        forms.add(word + "s")
    # past tense / participle
    if last == "e":
        forms.add(word + "d")
    elif consonant_y:
        forms.add(word[:-1] + "ied")
    else:
        forms.add(word + "ed")
    # gerund
    if word.endswith("ie"):
        forms.add(word[:-2] + "ying")
    elif last == "e" and before != "e":
        forms.add(word[:-1] + "ing")
    else:
        forms.add(word + "ing")
    # short consonant-vowel-consonant words double the last letter: stop -> stopped, stopping
    if (
        len(word) <= 5
        and last not in _VOWELS
        and last not in "wxy"
        and before in _VOWELS
        and word[-3] not in _VOWELS
    ):
        forms.update({word + last + "ed", word + last + "ing"})
    # a word given in an inflected form also finds its base: "solutions" finds "solution"
    if word.endswith("ies") and len(word) > 4:
        forms.add(word[:-3] + "y")
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        forms.add(word[:-1])
    return forms


def phrase_variants(phrase: str, *, inflect: bool = True) -> set[str]:
    """Normalised surface forms of a phrase: its last word (and first, for verb phrases) inflected."""
    words = normalise(phrase).split(" ")
    if not words or words == [""]:
        return set()
    if not inflect:
        return {" ".join(words)}
    lasts = inflections(words[-1])
    if len(words) == 1:
        return lasts
    firsts = inflections(words[0])
    middle = words[1:-1]
    return {" ".join([first, *middle, last]) for first in firsts for last in lasts}


def _is_case_sensitive(phrase: str) -> bool:
    """Acronyms and names written with inner capitals ("AI", "iPhone", "ROI") match only as written."""
    letters = [c for c in phrase if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return True
    return any(c.isupper() for word in phrase.split() for c in word[1:])


def _trie_pattern(node: dict) -> str:
    """The regex for a character trie: shared prefixes once, longest alternatives first."""
    terminal = "" in node
    branches = []
    for char in sorted((c for c in node if c != ""), key=lambda c: (-_depth(node[c]), c)):
        if char == " ":
            head = _SEPARATOR
        elif char == "'":
            head = f"[{_APOSTROPHES}]"
        else:
            head = re.escape(char)
        branches.append(head + _trie_pattern(node[char]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if terminal else body


def _depth(node: dict) -> int:
    return max((1 + _depth(child) for key, child in node.items() if key != ""), default=0)


@dataclass
class PhraseIndex:
    """Many phrases compiled into one regular expression; each match answers with every payload."""

    _payloads: dict[str, list[tuple[Hashable, str | None]]] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None
    _max_words: int = 1

    def add(self, phrase: str, payload: Hashable, *, inflect: bool = True) -> None:
        """Register a phrase; `payload` comes back with every match of it or of its inflections."""
        case_form = phrase.strip() if _is_case_sensitive(phrase) else None
        variants = phrase_variants(phrase, inflect=inflect and case_form is None)
        if case_form is not None:
            variants |= {normalise(phrase) + "s"}
        for variant in variants:
            if not variant:
                continue
            entries = self._payloads.setdefault(variant, [])
            if (payload, case_form) not in entries:
                entries.append((payload, case_form))
            self._max_words = max(self._max_words, variant.count(" ") + 1)
        self._pattern = None

    def extend(self, phrases: Iterable[tuple[str, Hashable]], *, inflect: bool = True) -> None:
        for phrase, payload in phrases:
            self.add(phrase, payload, inflect=inflect)

    def __bool__(self) -> bool:
        return bool(self._payloads)

    def _compiled(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._payloads:
            trie: dict = {}
            for variant in self._payloads:
                node = trie
                for char in variant:
                    node = node.setdefault(char, {})
                node[""] = True
            self._pattern = re.compile(r"(?<![\w&])" + _trie_pattern(trie) + r"(?![\w&])", re.IGNORECASE)
        return self._pattern

    def find(self, text: str) -> list[tuple[int, int, Hashable]]:
        """Every (start, end, payload) in the text, phrases nested inside a longer match included."""
        pattern = self._compiled()
        if pattern is None:
            return []
        found: list[tuple[int, int, Hashable]] = []
        payloads = self._payloads
        for match in pattern.finditer(text):
            surface = match.group()
            key = normalise(surface)
            start = match.start()
            words = key.split(" ")
            if len(words) == 1:
                self._emit(found, payloads.get(key, ()), surface, start, match.end())
                continue
            # the whole match, and shorter registered phrases inside it (word-aligned)
            offsets = _word_offsets(surface, start)
            for i in range(len(words)):
                for j in range(len(words), i, -1):
                    entries = payloads.get(" ".join(words[i:j]))
                    if entries:
                        self._emit(
                            found,
                            entries,
                            text[offsets[i][0] : offsets[j - 1][1]],
                            offsets[i][0],
                            offsets[j - 1][1],
                        )
        return found

    @staticmethod
    def _emit(found, entries, surface, start, end) -> None:
        for payload, case_form in entries:
            if case_form is not None and not _same_case(surface, case_form):
                continue
            found.append((start, end, payload))


def _same_case(surface: str, case_form: str) -> bool:
    surface_words = _SPLIT.split(surface.replace("\u2019", "'"))
    form_words = _SPLIT.split(case_form.replace("\u2019", "'"))
    if len(surface_words) != len(form_words):
        return False
    return all(s == f or s == f + "s" for s, f in zip(surface_words, form_words, strict=True))


_WORD_SPAN = re.compile(r"[^\s\-\u2010\u2011\u2013]+")


def _word_offsets(surface: str, start: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in _WORD_SPAN.finditer(surface)]


def match_case(replacement: str, original: str) -> str:
    """Write a replacement in the case of the words it replaces (Capitalised or UPPER)."""
    if not replacement or not original:
        return replacement
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[0].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement
