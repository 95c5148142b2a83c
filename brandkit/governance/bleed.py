"""Check 9: another client's names, products, taglines, claims or offers turning up in this piece.

Findings name the other client, so they are for agency staff only: a client portal must not show them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from brandkit.governance.lexical import LexicalCheck, Match, field_text
from brandkit.governance.lexicon import normalise
from brandkit.governance.types import ContentInput, Finding

STAFF_ONLY_CHECKS = frozenset({"bleed"})


class BleedCheck(LexicalCheck):
    """Distinctive terms of the agency's other clients found in this client's piece."""

    check = "bleed"

    def phrases(self) -> Iterable[tuple[str, Hashable, bool]]:
        own = {normalise(self.rules.client_name)}
        own |= {normalise(t.phrase) for t in self.rules.avoid}
        own |= {normalise(c.text) for c in self.rules.claims}
        own |= {normalise(p) for pillar in self.rules.pillars for p in pillar.phrases}
        self._owners: list[str] = []
        for other in self.rules.other_clients:
            for term in (other.client_name, *other.terms):
                key = normalise(term)
                if len(key) < 4 or key in own:
                    continue
                self._owners.append(other.client_name)
                yield term, len(self._owners) - 1, False

    def findings(self, content: ContentInput, matches: dict[str, list[Match]]) -> list[Finding]:
        found: list[Finding] = []
        for name, field_matches in matches.items():
            text = field_text(content, name)
            covered_to = -1  # matches come sorted by start, longest first: a nested one ends before this
            for start, end, number in sorted(set(field_matches), key=lambda m: (m[0], -m[1])):
                if end <= covered_to:
                    continue
                covered_to = max(covered_to, end)
                found.append(
                    Finding(
                        check=self.check,
                        severity="error",
                        start=start,
                        end=end,
                        message=(
                            f"Possible cross-client bleed: \u201c{text[start:end]}\u201d belongs to "
                            f"{self._owners[number]}."
                        ),
                        question=8,
                        field=name,
                    )
                )
        return found
