"""Check 8: the piece does not go against a decision recorded in the client's decision log."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from brandkit.governance.lexical import LexicalCheck, Match, field_text
from brandkit.governance.types import ContentInput, DecisionConstraint, Finding


def _cite(constraint: DecisionConstraint) -> str:
    summary = f" ({constraint.summary.rstrip('.')})" if constraint.summary else ""
    return f"the decision of {constraint.decided_on:%-d %B %Y}{summary}"


class DecisionsCheck(LexicalCheck):
    """Terms a decision says must not appear again, or must appear."""

    check = "decision"

    def phrases(self) -> Iterable[tuple[str, Hashable, bool]]:
        self._constraints = [c for c in self.rules.decision_constraints if c.term.strip()]
        for number, constraint in enumerate(self._constraints):
            yield constraint.term, number, True

    def findings(self, content: ContentInput, matches: dict[str, list[Match]]) -> list[Finding]:
        found: list[Finding] = []
        present: set[int] = set()
        for name, field_matches in matches.items():
            text = field_text(content, name)
            for start, end, number in sorted(set(field_matches)):
                present.add(number)
                constraint = self._constraints[number]
                if constraint.must != "absent":
                    continue
                found.append(
                    Finding(
                        check=self.check,
                        severity="error",
                        start=start,
                        end=end,
                        message=f"\u201c{text[start:end]}\u201d goes against {_cite(constraint)}: it must not be used.",
                        question=8,
                        field=name,
                    )
                )
        if content.body:
            for number, constraint in enumerate(self._constraints):
                if constraint.must == "present" and number not in present:
                    found.append(
                        Finding(
                            check=self.check,
                            severity="error",
                            start=0,
                            end=len(content.body),
                            message=f"Per {_cite(constraint)}, the piece must include \u201c{constraint.term}\u201d.",
                            question=8,
                        )
                    )
        return found
