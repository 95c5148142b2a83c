"""Brand layers for the drafting tests: Acme and Birch from the brandkit tests, and Cobalt Fitness, each
carrying a distinctive marker phrase so a prompt that leaks one client's data into another's shows."""

from __future__ import annotations

from typing import Any

from tests.brandkit.brand_data import acme_layer, birch_layer

MARKERS = {
    "Acme Dental": "zephyr-calm-7731",
    "Birch Bakery": "quokka-crumb-2290",
    "Cobalt Fitness": "marlin-stride-4415",
}


def cobalt_layer() -> dict[str, Any]:
    """Cobalt Fitness: US spelling, Oxford comma, "we" voice, a channel-limited claim."""
    return {
        "speaks_as": "we",
        "voice": [
            {
                "do": False,
                "rule": "No shouting.",
                "good_example": "Train at your pace.",
                "bad_example": "CRUSH IT!!!",
            }
        ],
        "pillars": [
            {
                "name": "Coached progress",
                "promise": "Every session is planned around you.",
                "phrases": ["coached progress"],
            },
            {"name": "Open doors", "promise": "Open early and late, every day.", "phrases": ["open early"]},
        ],
        "pillar_channels": ["landing_page", "email"],
        "positioning": "The neighborhood gym where a coach knows your name.",
        "tagline": "Stronger together at Cobalt",
        "product_names": ["Cobalt Coach Plan"],
        "claims": [
            {
                "text": "Members train 3 times a week on average",
                "proof": "Check-in data 2026",
                "channels": [],
            },
            {"text": "Rated 4.9 stars on Google", "proof": "Google, 2026", "channels": ["landing_page"]},
        ],
        "seo": {
            "spelling": "US",
            "oxford_comma": True,
            "reading_grade_target": 7,
            "headline_case": "title",
            "keywords": ["gym near me"],
        },
        "examples": [{"title": "Welcome email", "text": "Welcome in. Your coach will call you this week."}],
        "avoid": [
            {
                "phrase": "no pain no gain",
                "reason": "Not our style.",
                "replacement": "steady progress",
                "kind": "phrase",
            }
        ],
        "ctas": {
            "lead_generation": ["Book a free trial session"],
            "awareness": ["Come say hello"],
            "sales": ["Join today"],
            "email_nurture": ["Plan your next session"],
        },
    }


def with_marker(layer: dict[str, Any], client_name: str) -> dict[str, Any]:
    """The layer with the client's marker in a pillar phrase, a claim and an example."""
    marker = MARKERS[client_name]
    layer = dict(layer)
    layer["pillars"] = [
        *layer.get("pillars", []),
        {"name": f"Marker {marker}", "promise": "", "phrases": [marker]},
    ]
    layer["claims"] = [
        *layer.get("claims", []),
        {"text": f"Trusted by the {marker} club", "proof": "test", "channels": []},
    ]
    layer["examples"] = [{"title": "Marker", "text": f"Say {marker} here."}, *layer.get("examples", [])]
    return layer


BRANDS = {"Acme Dental": acme_layer, "Birch Bakery": birch_layer, "Cobalt Fitness": cobalt_layer}
