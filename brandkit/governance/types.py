"""Plain values the governance checks read and write: no ORM, so the checks run on any text.

The brand layer (models) is turned into one `BrandRules` by the brandkit selectors; a draft becomes
one `ContentInput`; the checks answer with `Finding`s. Everything here is frozen so a compiled
`BrandRules` can be cached and shared between requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

# Channels a content piece is written for (value, label); the models reuse this list.
CHANNELS: tuple[tuple[str, str], ...] = (
    ("google_ads_headline", "Google Ads headline"),
    ("google_ads_description", "Google Ads description"),
    ("meta_description", "Meta description"),
    ("landing_page", "Landing page"),
    ("email", "Email"),
    ("linkedin", "LinkedIn post"),
    ("instagram", "Instagram post"),
    ("x", "X post"),
    ("sms", "SMS"),
    ("blog", "Blog article"),
    ("press_release", "Press release"),
)
CHANNEL_VALUES: frozenset[str] = frozenset(value for value, _ in CHANNELS)

# Campaign goals: the same strings as projects.models.CampaignGoal (kept as strings so this
# module stays importable without Django).
GOALS: tuple[str, ...] = (
    "awareness",
    "lead_generation",
    "email_nurture",
    "seo_content",
    "sales",
    "retention",
)

SEVERITIES: tuple[str, ...] = ("error", "warning", "suggestion")

# The seed's eight pre-review questions, word for word; Finding.question points into this.
CHECKLIST_QUESTIONS: tuple[str, ...] = (
    "Does this sound like the client, not the agency?",
    "Are the messaging pillars present without being forced?",
    "Are claims, stats, and proof points approved for use?",
    "Is the reading level right for the audience?",
    "Are there any off-brand phrases, clichés, or generic AI-style transitions?",
    "Does the CTA match the campaign goal?",
    "Does the asset fit the channel it was created for?",
    "Would this create confusion with any previous client decision?",
)

# Check ids (Finding.check) and the checklist question each one answers.
CHECK_QUESTIONS: Mapping[str, int] = MappingProxyType(
    {
        "avoid": 5,
        "vale": 5,
        "ai_tell": 5,
        "claim": 3,
        "reading_level": 4,
        "pillar": 2,
        "voice": 1,
        "cta": 6,
        "channel": 7,
        "spelling": 7,
        "headline_case": 7,
        "oxford_comma": 7,
        "decision": 8,
        "bleed": 8,
    }
)


@dataclass(frozen=True)
class AvoidTerm:
    """A phrase, angle or offer the client does not want to see, with why and what to say instead."""

    phrase: str
    reason: str = ""
    replacement: str = ""
    kind: str = "phrase"  # phrase | angle | offer


@dataclass(frozen=True)
class ApprovedClaim:
    """A claim the client has approved with its proof; empty channels means every channel."""

    text: str
    proof: str = ""
    expires_on: date | None = None
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pillar:
    """A messaging pillar: name, one-line promise and the key phrases that carry it."""

    name: str
    promise: str = ""
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class VoiceRule:
    """A do / don't rule of the brand voice with one sentence that sounds right and one that does not."""

    do: bool
    rule: str
    good_example: str = ""
    bad_example: str = ""


@dataclass(frozen=True)
class Offer:
    """A current or past offer; once `ends_on` is past it counts as an offer to avoid."""

    name: str
    terms: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class DecisionConstraint:
    """A checkable constraint a coordinator attached to a decision-log entry."""

    term: str
    must: str  # "absent" | "present"
    decided_on: date
    summary: str = ""
    entry_id: int | None = None


@dataclass(frozen=True)
class OtherClientTerms:
    """Distinctive terms of another client of the same agency (names, products, taglines, claims)."""

    client_name: str
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValeRule:
    """One rule of a Vale style, in the four kinds the checker runs.

    kind: "existence" (tokens must not appear), "substitution" (swap: token -> replacement),
    "occurrence" (token may appear at most `max` / at least `min` times), "metric"
    (a formula over text statistics compared with `condition`), "vocab_reject" (reject.txt),
    "vocab_accept" (accept.txt: words never flagged by the brand's avoid or spelling checks).
    """

    name: str
    kind: str
    message: str = ""
    level: str = "warning"  # error | warning | suggestion (Vale's levels)
    tokens: tuple[str, ...] = ()
    swap: tuple[tuple[str, str], ...] = ()
    ignorecase: bool = True
    nonword: bool = False
    max: int | None = None
    min: int | None = None
    formula: str = ""
    condition: str = ""
    scope: str = "text"  # occurrence rules: "text" | "sentence" | "paragraph"
    raw: str = ""  # the YAML source, kept so an export gives back what was imported


@dataclass(frozen=True)
class BrandRules:
    """Everything the checks need from one client's brand layer, at one version."""

    client_name: str
    voice: tuple[VoiceRule, ...] = ()
    pillars: tuple[Pillar, ...] = ()
    pillar_channels: tuple[str, ...] = ()
    pillar_density_words: int = 60
    claims: tuple[ApprovedClaim, ...] = ()
    reading_grade_target: float | None = None
    spelling: str = ""  # "US" | "UK" | "" (no preference)
    oxford_comma: bool | None = None
    headline_case: str = ""  # "" | "title" | "sentence"
    speaks_as: str = "we"  # "you": the brand addresses the reader and avoids "we / our"
    jargon: tuple[str, ...] = ()
    avoid: tuple[AvoidTerm, ...] = ()
    offers: tuple[Offer, ...] = ()
    ctas_by_goal: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    ai_tells_extra: tuple[str, ...] = ()
    vale_rules: tuple[ValeRule, ...] = ()
    decision_constraints: tuple[DecisionConstraint, ...] = ()
    other_clients: tuple[OtherClientTerms, ...] = ()
    version: int = 0

    def __hash__(self) -> int:  # Mapping fields are not hashable; identity is enough for caching
        return id(self)


@dataclass(frozen=True)
class Finding:
    """One problem found in a draft: which check, how bad, where (character span), and what to do."""

    check: str
    severity: str  # error | warning | suggestion
    start: int
    end: int
    message: str
    suggestion: str = ""
    question: int = 0  # 1..8 of the pre-review checklist (CHECKLIST_QUESTIONS)
    field: str = "body"  # body | subject | preheader | headline


@dataclass(frozen=True)
class ContentInput:
    """A draft to check: its channel, campaign goal and text fields."""

    channel: str
    body: str
    goal: str = ""
    subject: str = ""
    preheader: str = ""
    headline: str = ""
