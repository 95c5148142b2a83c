"""Brand governance checks: plain text in, findings out, no ORM (see issue 12, "The checks").

Use `check_content(content, rules, today=...)`; the value types live in `brandkit.governance.types`.
"""

from brandkit.governance.pipeline import check_content
from brandkit.governance.types import (
    CHANNELS,
    CHECK_QUESTIONS,
    CHECKLIST_QUESTIONS,
    GOALS,
    ApprovedClaim,
    AvoidTerm,
    BrandRules,
    ContentInput,
    DecisionConstraint,
    Finding,
    Offer,
    OtherClientTerms,
    Pillar,
    ValeRule,
    VoiceRule,
)

__all__ = [
    "CHANNELS",
    "CHECKLIST_QUESTIONS",
    "CHECK_QUESTIONS",
    "GOALS",
    "ApprovedClaim",
    "AvoidTerm",
    "BrandRules",
    "ContentInput",
    "DecisionConstraint",
    "Finding",
    "Offer",
    "OtherClientTerms",
    "Pillar",
    "ValeRule",
    "VoiceRule",
    "check_content",
]
