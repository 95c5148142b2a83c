"""Runs every governance check over one draft and returns the findings in text order.

The phrase-based checks share one compiled pattern (one regex pass per text field); the compiled
checks are cached per `BrandRules` object and day, so a brand layer is compiled once, not per draft.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import fields
from datetime import date

from brandkit.governance.ai_tells import AiTellsCheck
from brandkit.governance.avoid import AvoidCheck
from brandkit.governance.bleed import BleedCheck
from brandkit.governance.channel import ChannelCheck
from brandkit.governance.claims import ClaimsCheck
from brandkit.governance.cta import CtaCheck
from brandkit.governance.decisions import DecisionsCheck
from brandkit.governance.lexical import LexicalCheck, Match
from brandkit.governance.lexicon import PhraseIndex
from brandkit.governance.pillars import PillarsCheck
from brandkit.governance.reading import ReadingLevelCheck
from brandkit.governance.sentences import content_parts
from brandkit.governance.types import BrandRules, ContentInput, Finding
from brandkit.governance.vale_rules import ValeRulesCheck
from brandkit.governance.voice import VoiceCheck

LEXICAL_CHECKS: tuple[type[LexicalCheck], ...] = (
    AvoidCheck,
    ValeRulesCheck,
    AiTellsCheck,
    PillarsCheck,
    VoiceCheck,
    CtaCheck,
    ChannelCheck,
    DecisionsCheck,
    BleedCheck,
)
# A writer can act on a few hundred findings at most; a pasted text that raises more (up to 100,000
# characters of the same phrase) gets the first ones in text order, not a response of megabytes.
MAX_FINDINGS = 1000
_FIELD_ORDER = {"headline": 0, "subject": 1, "preheader": 2, "body": 3}


class CompiledRules:
    """Every check compiled for one brand layer on one day; reusable for any number of drafts."""

    def __init__(self, rules: BrandRules, *, today: date) -> None:
        self.lexical = [check(rules, today=today) for check in LEXICAL_CHECKS]
        self.others: list[ClaimsCheck | ReadingLevelCheck] = [
            ClaimsCheck(rules, today=today),
            ReadingLevelCheck(rules, today=today),
        ]
        self.index = PhraseIndex()
        for owner, check in enumerate(self.lexical):
            for phrase, payload, inflect in check.phrases():
                self.index.add(phrase, (owner, payload), inflect=inflect)

    def check(self, content: ContentInput) -> list[Finding]:
        per_check: list[dict[str, list[Match]]] = [{} for _ in self.lexical]
        for name, text in content_parts(content):
            for bucket in per_check:
                bucket[name] = []
            for start, end, tagged in self.index.find(text):
                owner, payload = tagged
                per_check[owner][name].append((start, end, payload))
        findings: list[Finding] = []
        for check, matches in zip(self.lexical, per_check, strict=True):
            findings.extend(check.findings(content, matches))
        for other in self.others:
            findings.extend(other.run(content))
        findings.sort(key=lambda f: (_FIELD_ORDER.get(f.field, 9), f.start, f.end, f.check))
        return findings[:MAX_FINDINGS]


# Compiled rules by the brand layer's content and day: the selectors build a fresh BrandRules per
# request, so the cache is keyed by value (hashing a large layer costs well under a millisecond,
# compiling it can cost a second).
CACHE_SIZE = 64
_cache: OrderedDict[tuple, CompiledRules] = OrderedDict()
_lock = threading.Lock()


def _fingerprint(rules: BrandRules) -> tuple:
    values = []
    for item in fields(rules):
        value = getattr(rules, item.name)
        if item.name == "ctas_by_goal":
            value = tuple(sorted((goal, tuple(ctas)) for goal, ctas in value.items()))
        values.append(value)
    return tuple(values)


def compile_rules(rules: BrandRules, *, today: date) -> CompiledRules:
    """The compiled checks for a brand layer and day, built once and reused for equal layers."""
    key = (_fingerprint(rules), today)
    with _lock:
        compiled = _cache.get(key)
        if compiled is not None:
            _cache.move_to_end(key)
            return compiled
    compiled = CompiledRules(rules, today=today)
    with _lock:
        _cache[key] = compiled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def check_content(content: ContentInput, rules: BrandRules, *, today: date) -> list[Finding]:
    """Check one draft against a brand layer; `today` decides which claims and offers have expired."""
    return compile_rules(rules, today=today).check(content)
