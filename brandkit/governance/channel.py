"""Check 7: the piece fits its channel: length limits, email fields, spelling variant, headline case."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable

from brandkit.governance.lexical import LexicalCheck, Match, field_text
from brandkit.governance.lexicon import inflections, match_case, normalise
from brandkit.governance.sentences import content_parts
from brandkit.governance.spelling import AMBIGUOUS, PAIRS
from brandkit.governance.types import ContentInput, Finding

LIMITS = {
    "google_ads_headline": 30,
    "google_ads_description": 90,
    "meta_description": 160,
    "x": 280,
}
CHANNEL_LABELS = {
    "google_ads_headline": "A Google Ads headline",
    "google_ads_description": "A Google Ads description",
    "meta_description": "A meta description",
    "x": "An X post",
}
SMS_GSM_LIMIT = 160
SMS_UNICODE_LIMIT = 70
EMAIL_SUBJECT_LIMIT = 60
_GSM7 = frozenset(
    "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5\u0394_\u03a6\u0393\u039b\u03a9"
    "\u03a0\u03a8\u03a3\u0398\u039e\u00c6\u00e6\u00df\u00c9 !\"#\u00a4%&'()*+,-./0123456789:;<=>?\u00a1"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7\u00bfabcdefghijklmnopqrstuvwxyz"
    "\u00e4\u00f6\u00f1\u00fc\u00e0^{}\\[~]|\u20ac"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|\u20ac")  # each takes two of the 160
_SMALL_WORDS = frozenset(
    "a an the and but or nor for so yet as at by in of off on per to up via vs with from into onto over".split()
)
_HEADLINE_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")
_HEADLINE_CHANNELS = frozenset({"google_ads_headline"})
# "tents, packs and shells": two or more comma-separated items of one to three words, then and/or.
_ITEM = r"[A-Za-z][\w'\u2019-]*(?: [a-z][\w'\u2019-]*){0,2}"
_LIST_WITHOUT_SERIAL_COMMA = re.compile(
    rf"\b{_ITEM}, {_ITEM}(?:, {_ITEM})*(?P<gap> (?P<conj>and|or) ){_ITEM}"
)
_INTRODUCTORY = frozenset(
    "in on at for after before when if since because but so then yes no hi hello dear however today now "
    "here still also instead meanwhile finally first next last once while though although".split()
)
_LIST_WITH_SERIAL_COMMA = re.compile(rf"\b{_ITEM}, {_ITEM}(?:, {_ITEM})*(?P<gap>, (?P<conj>and|or) ){_ITEM}")


def _pair_forms(us: str, uk: str) -> list[tuple[str, str]]:
    """(US form, UK form) for the word and its -s / -ed / -ing forms, made by the same rule."""
    pairs = [(us, uk)]
    us_forms, uk_forms = inflections(us), inflections(uk)
    for suffix in ("s", "es", "ed", "d", "ing"):
        us_hit = [f for f in us_forms if f.endswith(suffix) and f != us]
        uk_hit = [f for f in uk_forms if f.endswith(suffix) and f != uk]
        if len(us_hit) == 1 and len(uk_hit) == 1:
            pairs.append((us_hit[0], uk_hit[0]))
    return pairs


class ChannelCheck(LexicalCheck):
    """Channel limits and the brand's spelling variant and headline case."""

    check = "channel"

    def phrases(self) -> Iterable[tuple[str, Hashable, bool]]:
        self._swaps: list[tuple[str, str]] = []
        if self.rules.spelling not in ("US", "UK"):
            return
        accepted = {
            normalise(token)
            for rule in self.rules.vale_rules
            if rule.kind == "vocab_accept"
            for token in rule.tokens
        }
        seen: set[str] = set()
        for us, uk in PAIRS:
            if us in AMBIGUOUS or uk in AMBIGUOUS:
                continue
            for us_form, uk_form in _pair_forms(us, uk):
                wrong, right = (uk_form, us_form) if self.rules.spelling == "US" else (us_form, uk_form)
                if wrong == right or wrong in accepted or wrong in seen:
                    continue
                seen.add(wrong)
                self._swaps.append((wrong, right))
                yield wrong, len(self._swaps) - 1, False

    def findings(self, content: ContentInput, matches: dict[str, list[Match]]) -> list[Finding]:
        found = self._limits(content)
        variant = {"US": "American", "UK": "British"}.get(self.rules.spelling, "")
        for name, field_matches in matches.items():
            text = field_text(content, name)
            for start, end, number in sorted(set(field_matches)):
                wrong, right = self._swaps[number]
                surface = text[start:end]
                found.append(
                    Finding(
                        check="spelling",
                        severity="suggestion",
                        start=start,
                        end=end,
                        message=f"{self.rules.client_name} uses {variant} spelling: \u201c{match_case(right, surface)}\u201d.",
                        suggestion=match_case(right, surface),
                        question=7,
                        field=name,
                    )
                )
        found.extend(self._headline_case(content))
        if self.rules.oxford_comma is not None:
            for name, text in content_parts(content):
                found.extend(self._oxford_commas(text, name))
        return found

    def _oxford_commas(self, text: str, name: str) -> list[Finding]:
        """Lists of three or more short items with or without the comma before "and" / "or"."""
        found = []
        if self.rules.oxford_comma:
            pattern, message = (
                _LIST_WITHOUT_SERIAL_COMMA,
                "Add a comma before \u201c{}\u201d (this brand uses the Oxford comma).",
            )
        else:
            pattern, message = (
                _LIST_WITH_SERIAL_COMMA,
                "No comma before \u201c{}\u201d (this brand does not use the Oxford comma).",
            )
        for match in pattern.finditer(text):
            sentence_start = max(text.rfind(mark, 0, match.start()) for mark in ".!?\n") + 1
            opening = (text[sentence_start : match.start()] + match.group()).split()
            if opening and opening[0].lower().strip("\"'\u201c") in _INTRODUCTORY:
                continue  # "In March, Tom and I": an opening phrase, not a list
            start, end = match.span("gap")
            suggestion = (
                f", {match.group('conj')} " if self.rules.oxford_comma else f" {match.group('conj')} "
            )
            found.append(
                Finding(
                    check="oxford_comma",
                    severity="suggestion",
                    start=start,
                    end=end,
                    message=message.format(match.group("conj")),
                    suggestion=suggestion,
                    question=7,
                    field=name,
                )
            )
        return found

    def _limits(self, content: ContentInput) -> list[Finding]:
        found: list[Finding] = []
        channel = content.channel
        body = content.body
        if channel in LIMITS and len(body) > LIMITS[channel]:
            limit = LIMITS[channel]
            found.append(
                self._over(
                    limit,
                    len(body),
                    f"{CHANNEL_LABELS[channel]} is limited to {limit} characters; this one has {len(body)}.",
                    "body",
                )
            )
        if channel == "sms":
            odd = sorted({c for c in body if c not in _GSM7})
            if odd:
                length, limit = len(body), SMS_UNICODE_LIMIT
                shown = " ".join(odd[:5])
                message = (
                    f"These characters make the SMS a Unicode message limited to 70 characters: {shown}. "
                    f"It has {length}."
                )
            else:
                length = len(body) + sum(1 for c in body if c in _GSM7_EXTENDED)
                limit = SMS_GSM_LIMIT
                message = f"An SMS is limited to 160 characters; this one has {length}."
            if length > limit:
                found.append(self._over(min(limit, len(body) - 1), len(body), message, "body"))
        if channel == "email":
            if not content.subject.strip():
                found.append(self._finding(0, 0, "An email needs a subject line.", "subject", "error"))
            elif len(content.subject) > EMAIL_SUBJECT_LIMIT:
                found.append(
                    self._over(
                        EMAIL_SUBJECT_LIMIT,
                        len(content.subject),
                        f"Keep the subject to {EMAIL_SUBJECT_LIMIT} characters; it has {len(content.subject)}.",
                        "subject",
                    )
                )
            if not content.preheader.strip():
                found.append(
                    self._finding(
                        0,
                        0,
                        "An email needs preheader text (the line shown after the subject).",
                        "preheader",
                        "warning",
                    )
                )
        return found

    def _over(self, limit: int, length: int, message: str, name: str) -> Finding:
        return self._finding(limit, length, message, name, "error")

    def _proper_words(self) -> frozenset[str]:
        """Words the brand itself capitalises mid-phrase (product and place names), kept in sentence case."""
        rules = self.rules
        texts = [rules.client_name, *(o.name for o in rules.offers), *(c.text for c in rules.claims)]
        texts += [cta for ctas in rules.ctas_by_goal.values() for cta in ctas]
        texts += [p.name for p in rules.pillars] + [phrase for p in rules.pillars for phrase in p.phrases]
        texts += [t.replacement for t in rules.avoid]
        proper = set()
        for text in texts:
            for position, word in enumerate(_HEADLINE_WORD.findall(text)):
                if word[0].isupper() and (position > 0 or text == rules.client_name):
                    proper.add(word)
        return frozenset(proper)

    def _headline_case(self, content: ContentInput) -> list[Finding]:
        style = self.rules.headline_case
        if style not in ("title", "sentence"):
            return []
        proper = self._proper_words()
        targets = []
        if content.headline:
            targets.append(("headline", content.headline))
        if content.channel in _HEADLINE_CHANNELS and content.body:
            targets.append(("body", content.body))
        found = []
        for name, text in targets:
            words = list(_HEADLINE_WORD.finditer(text))
            if len(words) < 3:
                continue
            rest = [
                w
                for w in words[1:]
                if (not w.group().isupper() or len(w.group()) == 1) and w.group() not in proper
            ]
            capitalised = [w for w in rest if w.group()[0].isupper()]
            major = [w for w in rest if w.group().lower() not in _SMALL_WORDS]
            if style == "sentence" and len(capitalised) >= 2 and len(capitalised) * 2 > len(major):
                fixed = text[: words[1].start()] + "".join(
                    ch for ch in _sentence_case(text[words[1].start() :])
                )
                found.append(
                    self._finding(
                        0, len(text), "Headlines for this brand use sentence case.", name, "suggestion", fixed
                    )
                )
            elif style == "title":
                lower = [w for w in major if w.group()[0].islower()]
                if lower:
                    fixed = _title_case(text)
                    found.append(
                        self._finding(
                            0,
                            len(text),
                            "Headlines for this brand use title case.",
                            name,
                            "suggestion",
                            fixed,
                        )
                    )
        return found

    def _finding(
        self, start: int, end: int, message: str, name: str, severity: str, suggestion: str = ""
    ) -> Finding:
        check = "headline_case" if "case" in message else "channel"
        return Finding(
            check=check,
            severity=severity,
            start=start,
            end=end,
            message=message,
            suggestion=suggestion,
            question=7,
            field=name,
        )


def _sentence_case(text: str) -> str:
    return _HEADLINE_WORD.sub(
        lambda m: m.group() if m.group().isupper() and len(m.group()) > 1 else m.group().lower(), text
    )


def _title_case(text: str) -> str:
    first = True

    def fix(match: re.Match[str]) -> str:
        nonlocal first
        word = match.group()
        result = word if (not first and word.lower() in _SMALL_WORDS) else word[0].upper() + word[1:]
        first = False
        return result

    return _HEADLINE_WORD.sub(fix, text)
