"""The pure modules behind brand layers and findings, with plain values: no database."""

from __future__ import annotations

from datetime import date

import pytest

from brandkit.findings import (
    apply_suggestion,
    checklist,
    finding_key,
    finding_record,
    highlighted,
    open_errors,
)
from brandkit.governance.types import CHECKLIST_QUESTIONS, Finding
from brandkit.layer import LayerInvalid, distinctive_terms, layer_compare, layer_rules, layer_validate
from tests.brandkit.brand_data import acme_layer


def test_a_valid_layer_is_cleaned_and_gives_the_checks_their_rules():
    layer = layer_validate(acme_layer())
    rules = layer_rules(layer, client_name="Acme Dental", version=3)
    assert rules.version == 3 and rules.speaks_as == "you" and rules.spelling == "UK"
    assert rules.claims[0].expires_on == date(2027, 12, 31)
    assert rules.avoid[0].kind == "offer" and rules.avoid[0].replacement == "complimentary first visit"
    assert rules.ctas_by_goal["sales"] == ("Book now",)
    assert rules.offers[0].ends_on == date(2026, 4, 30)


def test_unknown_sections_and_wrong_types_are_named_by_path():
    with pytest.raises(LayerInvalid) as invalid:
        layer_validate({"voice": [{"do": "yes", "rule": ""}], "colour": "blue", "pillar_density_words": 5})
    assert invalid.value.errors == {
        "colour": "Unknown section “colour”; the sections are voice, speaks_as, jargon, pillars, pillar_channels, "
        "pillar_density_words, icps, positioning, competitors, tagline, product_names, claims, seo, examples, "
        "avoid, offers, ctas, ai_tells, vale.",
        "voice[0].do": "Expected true or false.",
        "voice[0].rule": "This cannot be empty.",
        "pillar_density_words": "A whole number of words between 10 and 1000.",
    }


def test_compare_lists_only_the_sections_that_differ_in_page_order():
    before = layer_validate(acme_layer())
    after = layer_validate(acme_layer() | {"tagline": "New", "jargon": ["synergy"]})
    assert [(c.section, c.before, c.after) for c in layer_compare(before, after)] == [
        ("jargon", [], ["synergy"]),
        ("tagline", "Calm care, bright smiles", "New"),
    ]


def test_distinctive_terms_hold_name_tagline_products_pillar_phrases_claims_and_offers():
    terms = distinctive_terms(layer_validate(acme_layer()), client_name="Acme Dental")
    assert terms[:3] == ("Acme Dental", "Calm care, bright smiles", "Acme Whitening Plus")
    assert {
        "calm care",
        "Rated 4.8 stars by 1,200 patients",
        "free consultation",
        "Spring whitening offer",
    } <= set(terms)
    assert "painless" not in terms  # an avoided phrase that is not an offer gives nobody away


def record(
    check="avoid", severity="error", start=5, end=9, text="Book free now", suggestion="", field="body"
):
    return finding_record(
        Finding(check, severity, start, end, f"{check} says no", suggestion, 0, field), {field: text}
    )


def test_a_finding_key_survives_an_edit_elsewhere_in_the_text():
    first = record(text="Book free now", start=5, end=9)
    moved = record(text="Please book free now", start=12, end=16)
    assert (
        first["key"]
        == moved["key"]
        == finding_key(check="avoid", field="body", excerpt="free", message="avoid says no")
    )
    assert first["question"] == 5


def test_accepting_replaces_exactly_the_span_and_refuses_a_moved_one():
    found = record(suggestion="complimentary")
    assert apply_suggestion("Book free now", found) == "Book complimentary now"
    with pytest.raises(ValueError, match="changed"):
        apply_suggestion("Book it free now", found)


def test_the_checklist_puts_findings_under_their_question_and_hides_bleed_from_non_staff():
    findings = [record(), record(check="bleed", start=0, end=4), record(check="claim", severity="warning")]
    staff = checklist(findings, dismissed=set(), staff=True)
    assert [item.question for item in staff] == list(CHECKLIST_QUESTIONS)
    assert [len(item.findings) for item in staff] == [0, 0, 1, 0, 1, 0, 0, 1]
    client = checklist(findings, dismissed={findings[0]["key"]}, staff=False)
    assert [len(item.findings) for item in client] == [0, 0, 1, 0, 0, 0, 0, 0]
    assert open_errors(findings, {findings[0]["key"]}) == [findings[1]]


def test_highlighting_cuts_overlapping_spans_and_keeps_the_worst_severity():
    a = record(start=0, end=9, severity="warning")
    b = record(check="claim", start=5, end=13, severity="error")
    spans = highlighted("Book free now", [a, b])
    assert [(s.text, len(s.keys), s.severity) for s in spans] == [
        ("Book ", 1, "warning"),
        ("free", 2, "error"),
        (" now", 1, "error"),
    ]
