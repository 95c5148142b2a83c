"""The brand layer as one JSON document: its shape, validation, field-by-field compare and the rules it
gives the governance checks. Plain values in and out, no ORM, so import, export and the API share it.

Every version of a client's brand layer stores one such document (``brandkit.models.BrandLayerVersion``).
Validation is all-or-nothing: ``layer_validate`` returns the cleaned document or raises ``LayerInvalid``
with one message per failing field, named by its path (``claims[2].expires_on``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from brandkit.governance.types import (
    CHANNEL_VALUES,
    GOALS,
    ApprovedClaim,
    AvoidTerm,
    BrandRules,
    DecisionConstraint,
    Offer,
    OtherClientTerms,
    Pillar,
    ValeRule,
    VoiceRule,
)

# Caps on what a client controls: a brand layer is a page of rules, not a corpus.
MAX_ROWS = 1000
MAX_TEXT = 5000
MAX_LIST_ITEMS = 200
MAX_VALE_FILES = 300
MAX_VALE_FILE_CHARS = 100_000

# The sections of a layer, in the order pages and compares show them, with a label for people.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("voice", "Voice do / don't rules"),
    ("speaks_as", "Speaks as"),
    ("jargon", "Jargon to avoid"),
    ("pillars", "Messaging pillars"),
    ("pillar_channels", "Channels that must carry a pillar"),
    ("pillar_density_words", "At most one pillar phrase per N words"),
    ("icps", "Ideal customer profiles"),
    ("positioning", "Positioning"),
    ("competitors", "Competitors"),
    ("tagline", "Tagline"),
    ("product_names", "Product names"),
    ("claims", "Approved claims"),
    ("seo", "SEO and content preferences"),
    ("examples", "Example assets"),
    ("avoid", "Avoid list"),
    ("offers", "Offers"),
    ("ctas", "CTAs by campaign goal"),
    ("ai_tells", "AI-tell additions"),
    ("vale", "Imported Vale styles"),
)
SECTION_LABELS: Mapping[str, str] = MappingProxyType(dict(SECTIONS))


class LayerInvalid(ValueError):
    """A brand layer document that does not fit the shape; ``errors`` maps a field path to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors.items()))
        self.errors = errors


def empty_layer() -> dict[str, Any]:
    """The document of a client with no brand layer yet."""
    return {
        "voice": [],
        "speaks_as": "we",
        "jargon": [],
        "pillars": [],
        "pillar_channels": [],
        "pillar_density_words": 60,
        "icps": [],
        "positioning": "",
        "competitors": [],
        "tagline": "",
        "product_names": [],
        "claims": [],
        "seo": {
            "keywords": [],
            "reading_grade_target": None,
            "spelling": "",
            "oxford_comma": None,
            "headline_case": "",
        },
        "examples": [],
        "avoid": [],
        "offers": [],
        "ctas": {},
        "ai_tells": [],
        "vale": [],
    }


# --- Validation ------------------------------------------------------------------------------


class _Checker:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, message)

    def text(self, value: Any, path: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(path, "Expected text.")
            return ""
        value = value.strip()
        if required and not value:
            self.fail(path, "This cannot be empty.")
        if len(value) > limit:
            self.fail(path, f"At most {limit} characters.")
        return value

    def texts(self, value: Any, path: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "Expected a list of texts.")
            return []
        if len(value) > MAX_LIST_ITEMS:
            self.fail(path, f"At most {MAX_LIST_ITEMS} entries.")
            return []
        cleaned = [self.text(item, f"{path}[{i}]", limit=500) for i, item in enumerate(value)]
        return list(dict.fromkeys(item for item in cleaned if item))

    def choice(self, value: Any, path: str, allowed: tuple[Any, ...], default: Any) -> Any:
        if value is None or value == "":
            return default
        if value not in allowed:
            shown = ", ".join(repr(a) for a in allowed if a not in ("", None))
            self.fail(path, f"Choose one of {shown}.")
            return default
        return value

    def day(self, value: Any, path: str) -> str | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            self.fail(path, "Expected a date as YYYY-MM-DD.")
            return None
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            self.fail(path, f"“{value}” is not a date; use YYYY-MM-DD.")
            return None

    def rows(
        self, value: Any, path: str, row: Callable[[dict[str, Any], str], dict[str, Any] | None]
    ) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "Expected a list.")
            return []
        if len(value) > MAX_ROWS:
            self.fail(path, f"At most {MAX_ROWS} rows.")
            return []
        out = []
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            if not isinstance(item, dict):
                self.fail(where, "Expected an object.")
                continue
            cleaned = row(item, where)
            if cleaned is not None:
                out.append(cleaned)
        return out

    def channels(self, value: Any, path: str) -> list[str]:
        found = self.texts(value, path)
        for i, channel in enumerate(found):
            if channel not in CHANNEL_VALUES:
                self.fail(
                    f"{path}[{i}]", f"“{channel}” is not a channel; use {', '.join(sorted(CHANNEL_VALUES))}."
                )
        return [c for c in found if c in CHANNEL_VALUES]


def layer_validate(data: Any) -> dict[str, Any]:
    """The cleaned document, or LayerInvalid naming every field that failed. Unknown keys are refused."""
    c = _Checker()
    if not isinstance(data, dict):
        raise LayerInvalid({"$": "Expected a JSON object with the brand layer's sections."})
    unknown = sorted(set(data) - set(SECTION_LABELS) - {"format"})
    for key in unknown:
        c.fail(key, f"Unknown section “{key}”; the sections are {', '.join(SECTION_LABELS)}.")
    base = empty_layer()
    out: dict[str, Any] = {}
    out["voice"] = c.rows(
        data.get("voice"),
        "voice",
        lambda r, p: {
            "do": _bool(c, r.get("do", True), f"{p}.do"),
            "rule": c.text(r.get("rule"), f"{p}.rule", required=True, limit=500),
            "good_example": c.text(r.get("good_example"), f"{p}.good_example", limit=1000),
            "bad_example": c.text(r.get("bad_example"), f"{p}.bad_example", limit=1000),
        },
    )
    out["speaks_as"] = c.choice(data.get("speaks_as"), "speaks_as", ("we", "you"), "we")
    out["jargon"] = c.texts(data.get("jargon"), "jargon")
    out["pillars"] = c.rows(
        data.get("pillars"),
        "pillars",
        lambda r, p: {
            "name": c.text(r.get("name"), f"{p}.name", required=True, limit=200),
            "promise": c.text(r.get("promise"), f"{p}.promise", limit=500),
            "phrases": c.texts(r.get("phrases"), f"{p}.phrases"),
        },
    )
    out["pillar_channels"] = c.channels(data.get("pillar_channels"), "pillar_channels")
    density = data.get("pillar_density_words", base["pillar_density_words"])
    if not isinstance(density, int) or isinstance(density, bool) or not 10 <= density <= 1000:
        c.fail("pillar_density_words", "A whole number of words between 10 and 1000.")
        density = base["pillar_density_words"]
    out["pillar_density_words"] = density
    out["icps"] = c.rows(
        data.get("icps"),
        "icps",
        lambda r, p: {
            "role": c.text(r.get("role"), f"{p}.role", required=True, limit=200),
            "pains": c.text(r.get("pains"), f"{p}.pains"),
            "goals": c.text(r.get("goals"), f"{p}.goals"),
            "objections": c.text(r.get("objections"), f"{p}.objections"),
            "words": c.texts(r.get("words"), f"{p}.words"),
        },
    )
    out["positioning"] = c.text(data.get("positioning"), "positioning")
    out["competitors"] = c.texts(data.get("competitors"), "competitors")
    out["tagline"] = c.text(data.get("tagline"), "tagline", limit=300)
    out["product_names"] = c.texts(data.get("product_names"), "product_names")
    out["claims"] = c.rows(
        data.get("claims"),
        "claims",
        lambda r, p: {
            "text": c.text(r.get("text"), f"{p}.text", required=True, limit=500),
            "proof": c.text(r.get("proof"), f"{p}.proof", limit=1000),
            "expires_on": c.day(r.get("expires_on"), f"{p}.expires_on"),
            "channels": c.channels(r.get("channels"), f"{p}.channels"),
        },
    )
    seo = data.get("seo") or {}
    if not isinstance(seo, dict):
        c.fail("seo", "Expected an object.")
        seo = {}
    grade = seo.get("reading_grade_target")
    if grade is not None and (
        isinstance(grade, bool) or not isinstance(grade, int | float) or not 1 <= grade <= 20
    ):
        c.fail("seo.reading_grade_target", "A reading grade between 1 and 20, or empty.")
        grade = None
    oxford = seo.get("oxford_comma")
    if oxford is not None and not isinstance(oxford, bool):
        c.fail("seo.oxford_comma", "Expected true, false or empty.")
        oxford = None
    out["seo"] = {
        "keywords": c.texts(seo.get("keywords"), "seo.keywords"),
        "reading_grade_target": grade,
        "spelling": c.choice(seo.get("spelling"), "seo.spelling", ("", "US", "UK"), ""),
        "oxford_comma": oxford,
        "headline_case": c.choice(
            seo.get("headline_case"), "seo.headline_case", ("", "title", "sentence"), ""
        ),
    }
    out["examples"] = c.rows(
        data.get("examples"),
        "examples",
        lambda r, p: {
            "title": c.text(r.get("title"), f"{p}.title", limit=200),
            "text": c.text(r.get("text"), f"{p}.text", required=True, limit=20_000),
        },
    )
    out["avoid"] = c.rows(
        data.get("avoid"),
        "avoid",
        lambda r, p: {
            "phrase": c.text(r.get("phrase"), f"{p}.phrase", required=True, limit=300),
            "reason": c.text(r.get("reason"), f"{p}.reason", limit=500),
            "replacement": c.text(r.get("replacement"), f"{p}.replacement", limit=300),
            "kind": c.choice(r.get("kind"), f"{p}.kind", ("phrase", "angle", "offer"), "phrase"),
        },
    )
    out["offers"] = c.rows(
        data.get("offers"),
        "offers",
        lambda r, p: {
            "name": c.text(r.get("name"), f"{p}.name", required=True, limit=300),
            "terms": c.text(r.get("terms"), f"{p}.terms"),
            "starts_on": c.day(r.get("starts_on"), f"{p}.starts_on"),
            "ends_on": c.day(r.get("ends_on"), f"{p}.ends_on"),
        },
    )
    ctas = data.get("ctas") or {}
    if not isinstance(ctas, dict):
        c.fail("ctas", "Expected an object of campaign goal to a list of calls to action.")
        ctas = {}
    out["ctas"] = {}
    for goal, phrases in ctas.items():
        if goal not in GOALS:
            c.fail(f"ctas.{goal}", f"“{goal}” is not a campaign goal; use {', '.join(GOALS)}.")
            continue
        cleaned = c.texts(phrases, f"ctas.{goal}")
        if cleaned:
            out["ctas"][goal] = cleaned
    out["ai_tells"] = c.texts(data.get("ai_tells"), "ai_tells")
    out["vale"] = c.rows(data.get("vale"), "vale", lambda r, p: _vale_style(c, r, p))
    if c.errors:
        raise LayerInvalid(c.errors)
    return out


def _bool(c: _Checker, value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        c.fail(path, "Expected true or false.")
        return True
    return value


def _vale_style(c: _Checker, row: dict[str, Any], path: str) -> dict[str, Any] | None:
    name = c.text(row.get("name"), f"{path}.name", required=True, limit=100)
    files = row.get("files")
    if not isinstance(files, dict) or len(files) > MAX_VALE_FILES:
        c.fail(f"{path}.files", f"Expected an object of file name to its text (at most {MAX_VALE_FILES}).")
        return None
    cleaned = {}
    for filename, text in files.items():
        if not isinstance(text, str) or len(text) > MAX_VALE_FILE_CHARS:
            c.fail(
                f"{path}.files.{filename}",
                f"Expected the file's text (at most {MAX_VALE_FILE_CHARS} characters).",
            )
            continue
        cleaned[str(filename)] = text
    return {"name": name, "files": cleaned}


# --- Compare ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One section that differs between two versions, with both values."""

    section: str
    label: str
    before: Any
    after: Any


def layer_compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """The sections that differ between two documents, in page order."""
    return [
        FieldChange(section, label, before.get(section), after.get(section))
        for section, label in SECTIONS
        if before.get(section) != after.get(section)
    ]


def changed_sections(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Names of the sections a save changed, for the version's "what changed"."""
    return [change.section for change in layer_compare(before, after)]


# --- Rules for the checks --------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def layer_rules(
    layer: Mapping[str, Any],
    *,
    client_name: str,
    version: int = 0,
    vale_rules: tuple[ValeRule, ...] = (),
    decision_constraints: tuple[DecisionConstraint, ...] = (),
    other_clients: tuple[OtherClientTerms, ...] = (),
) -> BrandRules:
    """The governance checks' view of one brand layer document."""
    seo = layer.get("seo") or {}
    offers = tuple(
        Offer(name=o["name"], terms=o["terms"], starts_on=_day(o["starts_on"]), ends_on=_day(o["ends_on"]))
        for o in layer.get("offers", [])
    )
    return BrandRules(
        client_name=client_name,
        voice=tuple(
            VoiceRule(
                do=v["do"], rule=v["rule"], good_example=v["good_example"], bad_example=v["bad_example"]
            )
            for v in layer.get("voice", [])
        ),
        pillars=tuple(
            Pillar(name=p["name"], promise=p["promise"], phrases=tuple(p["phrases"]))
            for p in layer.get("pillars", [])
        ),
        pillar_channels=tuple(layer.get("pillar_channels", [])),
        pillar_density_words=layer.get("pillar_density_words", 60),
        claims=tuple(
            ApprovedClaim(
                text=c["text"],
                proof=c["proof"],
                expires_on=_day(c["expires_on"]),
                channels=tuple(c["channels"]),
            )
            for c in layer.get("claims", [])
        ),
        reading_grade_target=seo.get("reading_grade_target"),
        spelling=seo.get("spelling", ""),
        oxford_comma=seo.get("oxford_comma"),
        headline_case=seo.get("headline_case", ""),
        speaks_as=layer.get("speaks_as", "we"),
        jargon=tuple(layer.get("jargon", [])),
        avoid=tuple(
            AvoidTerm(phrase=a["phrase"], reason=a["reason"], replacement=a["replacement"], kind=a["kind"])
            for a in layer.get("avoid", [])
        ),
        offers=offers,
        ctas_by_goal=MappingProxyType({goal: tuple(p) for goal, p in (layer.get("ctas") or {}).items()}),
        ai_tells_extra=tuple(layer.get("ai_tells", [])),
        vale_rules=vale_rules,
        decision_constraints=decision_constraints,
        other_clients=other_clients,
        version=version,
    )


def distinctive_terms(layer: Mapping[str, Any], *, client_name: str) -> tuple[str, ...]:
    """What would give another client away if it appeared in this client's copy: its name, product
    names, tagline, pillar phrases, approved claims and the offers on its avoid list."""
    terms = [client_name, layer.get("tagline", ""), *layer.get("product_names", [])]
    for pillar in layer.get("pillars", []):
        terms.extend(pillar["phrases"])
    terms.extend(claim["text"] for claim in layer.get("claims", []))
    terms.extend(a["phrase"] for a in layer.get("avoid", []) if a["kind"] == "offer")
    terms.extend(o["name"] for o in layer.get("offers", []))
    return tuple(dict.fromkeys(t.strip() for t in terms if t and t.strip()))
