"""Check 5: the messaging pillars are present where the channel needs one, and not forced."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from brandkit.governance.lexical import LexicalCheck, Match
from brandkit.governance.sentences import WORD
from brandkit.governance.types import ContentInput, Finding

# Below this many words a piece cannot be "forced": two phrases in a 40-word ad are normal.
_MIN_FORCED_MATCHES = 3


class PillarsCheck(LexicalCheck):
    """At least one pillar phrase on the channels that need one; no more than one per N words."""

    check = "pillar"

    def phrases(self) -> Iterable[tuple[str, Hashable, bool]]:
        for number, pillar in enumerate(self.rules.pillars):
            for phrase in pillar.phrases:
                if phrase.strip():
                    yield phrase, number, True

    def findings(self, content: ContentInput, matches: dict[str, list[Match]]) -> list[Finding]:
        if not self.rules.pillars:
            return []
        body_matches = sorted({(s, e, n) for s, e, n in matches.get("body", [])})
        all_matches = [m for field_matches in matches.values() for m in field_matches]
        found: list[Finding] = []
        if content.channel in self.rules.pillar_channels and not all_matches and content.body:
            names = ", ".join(p.name for p in self.rules.pillars)
            found.append(
                Finding(
                    check=self.check,
                    severity="warning",
                    start=0,
                    end=len(content.body),
                    message=f"No messaging pillar is present; this channel should carry at least one ({names}).",
                    suggestion="",
                    question=2,
                )
            )
        word_count = len(WORD.findall(content.body))
        allowed = max(1, word_count // max(1, self.rules.pillar_density_words))
        distinct = sorted({(s, e) for s, e, _n in body_matches})
        if len(distinct) >= _MIN_FORCED_MATCHES and len(distinct) > allowed:
            start, end = distinct[allowed][0], distinct[-1][1]
            found.append(
                Finding(
                    check=self.check,
                    severity="warning",
                    start=start,
                    end=end,
                    message=(
                        f"Pillar phrases appear {len(distinct)} times in {word_count} words (more than one per "
                        f"{self.rules.pillar_density_words}); it reads as forced. Keep the strongest and cut the rest."
                    ),
                    question=2,
                )
            )
        return found
