"""Finding many phrases in a draft in one pass: word boundaries, case, simple inflections, line breaks.

Every lexical check (avoid list, clichés, jargon, CTAs, pillars, decisions, other clients' terms)
hands its phrases to a `PhraseIndex`; the index keeps every surface form of every phrase in one
dictionary keyed by its words, and a draft is read once, word by word: a word that starts no phrase
costs one set lookup, so the cost hardly grows with the number of phrases (and building the index
is cheap enough to do per request). Each match answers with the payloads of every phrase that
produced it, shorter phrases inside longer ones included. A space in a phrase matches any run of
spaces, line breaks or hyphens, so "free consultation" also finds "free\\nconsultation" and
"free-consultation".
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

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


_TOKEN = re.compile(r"[a-z0-9\u00df-\u024f]+(?:'[a-z]+)*", re.IGNORECASE)
# Longest separator between two words of one phrase, once spaces are collapsed.
_MAX_GAP = 4


def _gap(text: str) -> str | None:
    """The canonical form of what separates two words: spaces, line breaks and hyphens are one space.

    Punctuation stays ("days, not weeks"), so a phrase only matches across the same punctuation.
    """
    if text == " ":
        return " "
    gap = _SPLIT.sub(" ", text)
    return gap if len(gap) <= _MAX_GAP else None


def _parts(variant: str) -> tuple[str, str, str] | None:
    """(lead, key, trail) of a normalised phrase: the word key and any symbol before or after it ("#1")."""
    tokens = list(_TOKEN.finditer(variant))
    if not tokens:
        return None
    key = tokens[0].group()
    for previous, token in zip(tokens, tokens[1:], strict=False):
        gap = _gap(variant[previous.end() : token.start()])
        if gap is None:
            return None
        key += gap + token.group()
    return variant[: tokens[0].start()], key, variant[tokens[-1].end() :]


@dataclass
class PhraseIndex:
    """Many phrases in one dictionary keyed by their words; each match answers with every payload."""

    _payloads: dict[str, list[tuple[Hashable, str | None, str, str]]] = field(default_factory=dict)
    _prefixes: set[str] = field(default_factory=set)
    _starts: set[str] = field(default_factory=set)

    def add(self, phrase: str, payload: Hashable, *, inflect: bool = True) -> None:
        """Register a phrase; `payload` comes back with every match of it or of its inflections."""
        case_form = phrase.strip() if _is_case_sensitive(phrase) else None
        variants = phrase_variants(phrase, inflect=inflect and case_form is None)
        if case_form is not None:
            variants |= {normalise(phrase) + "s"}
        variants |= {variant + "'s" for variant in variants if variant and variant[-1].isalpha()}
        for variant in variants:
            parts = _parts(variant)
            if parts is None:
                continue
            lead, key, trail = parts
            entries = self._payloads.setdefault(key, [])
            entry = (payload, case_form, lead, trail)
            if entry not in entries:
                entries.append(entry)
            tokens = _TOKEN.findall(key)
            self._starts.add(tokens[0])
            prefix = tokens[0]
            for token in tokens[1:]:
                self._prefixes.add(prefix)
                prefix = key[: key.index(token, len(prefix)) + len(token)]

    def extend(self, phrases: Iterable[tuple[str, Hashable]], *, inflect: bool = True) -> None:
        for phrase, payload in phrases:
            self.add(phrase, payload, inflect=inflect)

    def __bool__(self) -> bool:
        return bool(self._payloads)

    def find(self, text: str) -> list[tuple[int, int, Any]]:
        """Every (start, end, payload) in the text, phrases nested inside a longer match included."""
        if not self._payloads:
            return []
        lowered = text.lower().replace("\u2019", "'")
        if len(lowered) != len(text):  # a few characters change length when lower-cased
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text).replace("\u2019", "'")
        spans = [m.span() for m in _TOKEN.finditer(lowered)]
        words = [lowered[s:e] for s, e in spans]
        starts, prefixes, payloads = self._starts, self._prefixes, self._payloads
        found: list[tuple[int, int, Any]] = []
        count = len(words)
        for i, word in enumerate(words):
            if word not in starts:
                continue
            key = word
            j = i
            while True:
                entries = payloads.get(key)
                if entries:
                    self._emit(found, entries, text, lowered, spans[i][0], spans[j][1])
                if key not in prefixes or j + 1 >= count:
                    break
                gap = _gap(lowered[spans[j][1] : spans[j + 1][0]])
                if gap is None:
                    break
                j += 1
                key = key + gap + words[j]
        return found

    @staticmethod
    def _emit(found, entries, text: str, lowered: str, start: int, end: int) -> None:
        for payload, case_form, lead, trail in entries:
            if lead and lowered[max(0, start - len(lead)) : start] != lead:
                continue
            if trail and lowered[end : end + len(trail)] != trail:
                continue
            begin, finish = start - len(lead), end + len(trail)
            if case_form is not None and not _same_case(text[begin:finish], case_form):
                continue
            found.append((begin, finish, payload))


def _same_case(surface: str, case_form: str) -> bool:
    surface_words = _SPLIT.split(surface.replace("\u2019", "'"))
    form_words = _SPLIT.split(case_form.replace("\u2019", "'"))
    if len(surface_words) != len(form_words):
        return False
    return all(s in (f, f + "s", f + "'s") for s, f in zip(surface_words, form_words, strict=True))


def match_case(replacement: str, original: str) -> str:
    """Write a replacement in the case of the words it replaces (Capitalised or UPPER)."""
    if not replacement or not original:
        return replacement
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[0].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement
