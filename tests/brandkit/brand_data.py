"""Brand layers of invented clients, as a coordinator would fill them in, for the brandkit tests."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from agencyops.models import Client, Membership
from brandkit import services


def acme_layer() -> dict[str, Any]:
    """Acme Dental: speaks to "you", no discounts, one approved number."""
    return {
        "voice": [
            {
                "do": True,
                "rule": "Speak to the patient as “you”.",
                "good_example": "You choose the time that suits you.",
                "bad_example": "We are passionate about smiles.",
            }
        ],
        "speaks_as": "you",
        "pillars": [
            {
                "name": "Calm care",
                "promise": "Dentistry without the dread.",
                "phrases": ["calm care", "no rush"],
            }
        ],
        "pillar_channels": ["landing_page"],
        "pillar_density_words": 60,
        "icps": [{"role": "Nervous adult patient", "pains": "Fear of pain", "words": ["anxious", "gentle"]}],
        "positioning": "The calm dental practice for people who put off the dentist.",
        "competitors": ["SmileCo"],
        "tagline": "Calm care, bright smiles",
        "product_names": ["Acme Whitening Plus"],
        "claims": [
            {
                "text": "Rated 4.8 stars by 1,200 patients",
                "proof": "Google reviews, March 2026",
                "expires_on": "2027-12-31",
                "channels": [],
            }
        ],
        "seo": {
            "keywords": ["gentle dentist"],
            "reading_grade_target": 8,
            "spelling": "UK",
            "oxford_comma": False,
            "headline_case": "sentence",
        },
        "examples": [{"title": "Homepage intro", "text": "Your visit, at your pace."}],
        "avoid": [
            {
                "phrase": "free consultation",
                "reason": "Discounting undermines the premium positioning.",
                "replacement": "complimentary first visit",
                "kind": "offer",
            },
            {
                "phrase": "painless",
                "reason": "Cannot be promised.",
                "replacement": "gentle",
                "kind": "phrase",
            },
        ],
        "offers": [
            {
                "name": "Spring whitening offer",
                "terms": "20% off whitening",
                "starts_on": "2026-03-01",
                "ends_on": "2026-04-30",
            }
        ],
        "ctas": {
            "awareness": ["Meet the team"],
            "sales": ["Book now"],
            "lead_generation": ["Book your first visit"],
        },
        "ai_tells": ["smile journey"],
    }


def birch_layer() -> dict[str, Any]:
    """Birch Bakery: another client of the same agency, with its own tagline."""
    return {
        "tagline": "Baked before the city wakes",
        "product_names": ["Sunrise Sourdough"],
        "pillars": [{"name": "Early craft", "promise": "", "phrases": ["stone-milled flour"]}],
        "claims": [{"text": "Voted best bakery in Leeds 2025", "proof": "Leeds Food Awards", "channels": []}],
    }


def layer_save(*, actor: Membership, client: Client, content: dict[str, Any], note: str = ""):
    with scope(agency=actor.agency_id):
        return services.brand_layer_save(actor=actor, client=client, content=content, note=note)
