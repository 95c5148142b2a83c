"""Check 1: the brand's avoid list and substitutions, with offers that have ended counted as avoided."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from brandkit.governance.lexical import LexicalCheck, Match, field_text
from brandkit.governance.lexicon import match_case, normalise
from brandkit.governance.types import ContentInput, Finding

_SEVERITY = {"phrase": "error", "offer": "error", "angle": "warning"}


class AvoidCheck(LexicalCheck):
    """Phrases, angles and offers the client asked us not to use, and offers that have ended."""

    check = "avoid"

    def _entries(self) -> list[tuple[str, str, str, str]]:
        """(phrase, kind, reason, replacement) of every term to avoid today."""
        entries = [(t.phrase, t.kind, t.reason, t.replacement) for t in self.rules.avoid if t.phrase.strip()]
        for offer in self.rules.offers:
            if offer.ends_on is not None and offer.ends_on < self.today and offer.name.strip():
                entries.append(
                    (offer.name, "expired_offer", f"this offer ended on {offer.ends_on:%-d %B %Y}", "")
                )
        return entries

    def phrases(self) -> Iterable[tuple[str, Hashable, bool]]:
        self._cached = self._entries()
        self._accepted = frozenset(
            normalise(token)
            for rule in self.rules.vale_rules
            if rule.kind == "vocab_accept"
            for token in rule.tokens
        )
        for number, (phrase, *_rest) in enumerate(self._cached):
            yield phrase, number, True

    def findings(self, content: ContentInput, matches: dict[str, list[Match]]) -> list[Finding]:
        found: list[Finding] = []
        seen: set[tuple[str, int, int]] = set()
        for name, field_matches in matches.items():
            text = field_text(content, name)
            for start, end, number in field_matches:
                if (name, start, end) in seen:
                    continue
                surface = text[start:end]
                if normalise(surface) in self._accepted:
                    continue
                seen.add((name, start, end))
                phrase, kind, reason, replacement = self._cached[number]
                if kind == "expired_offer":
                    message = f"\u201c{surface}\u201d is an offer that has ended: {reason}."
                    severity = "error"
                else:
                    what = {"angle": "an angle", "offer": "an offer"}.get(kind, "a phrase")
                    message = f"\u201c{surface}\u201d is {what} {self.rules.client_name} asked us to avoid"
                    message += f": {reason.rstrip('.')}." if reason else "."
                    severity = _SEVERITY.get(kind, "error")
                found.append(
                    Finding(
                        check=self.check,
                        severity=severity,
                        start=start,
                        end=end,
                        message=message,
                        suggestion=match_case(replacement, surface),
                        question=5,
                        field=name,
                    )
                )
        return found
