"""The labelled drafts: load the brands and drafts, strip the markup, score the checker against the labels.

Markup in a draft: `{{kind|text}}` marks a violation of `kind` over `text` (kinds joined by commas
when one span breaks two rules; marks may nest); `{{kind|}}` marks a missing field; `whole:` lists
violations of the piece as a whole (they span the whole body).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

import yaml

from brandkit.governance import (
    ApprovedClaim,
    AvoidTerm,
    BrandRules,
    ContentInput,
    DecisionConstraint,
    Finding,
    Offer,
    OtherClientTerms,
    Pillar,
    VoiceRule,
)

HERE = Path(__file__).parent / "labelled"
TODAY = date(2026, 12, 5)
KINDS = (
    "avoid",
    "ai_tell",
    "claim",
    "reading_level",
    "pillar",
    "voice",
    "cta",
    "channel",
    "decision",
    "bleed",
)
# Finding check ids that answer the same label kind.
FAMILY = {"vale": "avoid", "spelling": "channel", "headline_case": "channel"}


@dataclass(frozen=True)
class Label:
    kind: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class Draft:
    id: str
    brand: str
    content: ContentInput
    labels: tuple[Label, ...]
    holdout: bool = False
    # "tuned" (the checker was developed against these), "holdout" (written after it, never tuned
    # against), "holdout2" (written before the checks were last changed, in `labelled/holdout2/`) or
    # "holdout3" / "holdout4" / "holdout5" (each written blind, from the brand layers and the spec only, by a
    # writer who saw neither the checker nor the other sets' drafts, in `labelled/holdout3/`, `labelled/holdout4/`
    # and `labelled/holdout5/`).
    group: str = "tuned"


def strip_marks(marked: str, field: str) -> tuple[str, list[Label]]:
    """Plain text and the labels of `{{kind|text}}` marks (nested marks allowed)."""
    out: list[str] = []
    labels: list[Label] = []
    stack: list[tuple[list[str], int]] = []
    position = 0
    i = 0
    while i < len(marked):
        if marked.startswith("{{", i):
            bar = marked.index("|", i)
            stack.append((marked[i + 2 : bar].split(","), position))
            i = bar + 1
        elif marked.startswith("}}", i) and stack:
            kinds, start = stack.pop()
            labels.extend(Label(kind.strip(), field, start, position) for kind in kinds)
            i += 2
        else:
            out.append(marked[i])
            position += 1
            i += 1
    assert not stack, f"unclosed mark in {marked[:60]!r}"
    return "".join(out), labels


def _brand(data: dict, others: list[OtherClientTerms]) -> BrandRules:
    return BrandRules(
        client_name=data["client_name"],
        voice=tuple(VoiceRule(**rule) for rule in data.get("voice", ())),
        pillars=tuple(
            Pillar(p["name"], p.get("promise", ""), tuple(p.get("phrases", ())))
            for p in data.get("pillars", ())
        ),
        pillar_channels=tuple(data.get("pillar_channels", ())),
        pillar_density_words=data.get("pillar_density_words", 60),
        claims=tuple(
            ApprovedClaim(c["text"], c.get("proof", ""), c.get("expires_on"), tuple(c.get("channels", ())))
            for c in data.get("claims", ())
        ),
        reading_grade_target=data.get("reading_grade_target"),
        spelling=data.get("spelling", ""),
        headline_case=data.get("headline_case", ""),
        speaks_as=data.get("speaks_as", "we"),
        jargon=tuple(data.get("jargon", ())),
        avoid=tuple(AvoidTerm(**term) for term in data.get("avoid", ())),
        offers=tuple(Offer(**offer) for offer in data.get("offers", ())),
        ctas_by_goal=MappingProxyType(
            {goal: tuple(ctas) for goal, ctas in data.get("ctas_by_goal", {}).items()}
        ),
        ai_tells_extra=tuple(data.get("ai_tells_extra", ())),
        decision_constraints=tuple(DecisionConstraint(**c) for c in data.get("decision_constraints", ())),
        other_clients=tuple(others),
    )


def load_brands() -> Mapping[str, BrandRules]:
    data = yaml.safe_load((HERE / "brands.yaml").read_text())
    terms = data.pop("distinctive_terms")
    brands = {}
    for key, brand in data.items():
        others = [
            OtherClientTerms(data[other]["client_name"], tuple(terms[other]))
            for other in data
            if other != key
        ]
        brands[key] = _brand(brand, others)
    return brands


def load_drafts() -> list[Draft]:
    drafts = []
    paths = [(path, "") for path in sorted(HERE.glob("*.yaml"))]
    paths += [(path, "holdout2") for path in sorted((HERE / "holdout2").glob("*.yaml"))]
    paths += [(path, "holdout3") for path in sorted((HERE / "holdout3").glob("*.yaml"))]
    paths += [(path, "holdout4") for path in sorted((HERE / "holdout4").glob("*.yaml"))]
    paths += [(path, "holdout5") for path in sorted((HERE / "holdout5").glob("*.yaml"))]
    for path, group in paths:
        if path.name == "brands.yaml":
            continue
        data = yaml.safe_load(path.read_text())
        holdout = bool(data.get("holdout"))
        group = group or ("holdout" if holdout else "tuned")
        for item in data["drafts"]:
            fields = {}
            labels: list[Label] = []
            for name in ("body", "subject", "preheader", "headline"):
                text, found = strip_marks(str(item.get(name, "")).strip(), name)
                fields[name] = text
                labels.extend(found)
            for kind in item.get("whole", ()):
                labels.append(Label(kind, "body", 0, len(fields["body"])))
            assert all(label.kind in KINDS for label in labels), item["id"]
            content = ContentInput(channel=item["channel"], goal=item.get("goal", ""), **fields)
            drafts.append(Draft(item["id"], data["brand"], content, tuple(labels), holdout, group))
    return drafts


def family(finding: Finding) -> str:
    return FAMILY.get(finding.check, finding.check)


def overlaps(finding: Finding, label: Label) -> bool:
    if family(finding) != label.kind or finding.field != label.field:
        return False
    if label.start == label.end or finding.start == finding.end:
        return finding.start == label.start and finding.end == label.end
    return finding.start < label.end and label.start < finding.end


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    found_labels: int = 0
    labels: int = 0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.found_labels / self.labels if self.labels else 1.0


def score(results: list[tuple[Draft, list[Finding]]]) -> tuple[Score, dict[str, Score], list[str]]:
    """Overall and per-kind scores, and a line per miss or false alarm (for the failure message)."""
    total = Score()
    by_kind = {kind: Score() for kind in KINDS}
    notes = []
    for draft, findings in results:
        for finding in findings:
            kind = by_kind.setdefault(family(finding), Score())
            if any(overlaps(finding, label) for label in draft.labels):
                total.true_positives += 1
                kind.true_positives += 1
            else:
                total.false_positives += 1
                kind.false_positives += 1
                text = getattr(draft.content, finding.field)[finding.start : finding.end]
                notes.append(f"false alarm  {draft.id}: {finding.check} {text[:50]!r}")
        for label in draft.labels:
            total.labels += 1
            by_kind[label.kind].labels += 1
            if any(overlaps(finding, label) for finding in findings):
                total.found_labels += 1
                by_kind[label.kind].found_labels += 1
            else:
                text = getattr(draft.content, label.field)[label.start : label.end]
                notes.append(f"missed       {draft.id}: {label.kind} {text[:50]!r}")
    return total, by_kind, notes
