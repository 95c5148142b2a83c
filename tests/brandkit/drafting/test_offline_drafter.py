"""The offline drafter on plain values: deterministic, every kind, and no error findings of its own for
several brands (the checks run with each brand's own rules)."""

from __future__ import annotations

from datetime import date

import pytest

from brandkit.drafting.offline import SHORT_LIMITS, offline_answer
from brandkit.drafting.prompts import BRIEF_SECTIONS
from brandkit.governance import ContentInput, check_content
from brandkit.layer import layer_rules, layer_validate
from tests.brandkit.drafting.brands import BRANDS

TODAY = date(2026, 12, 5)
BRIEF = {
    "project": "Spring launch",
    "campaign_name": "Spring welcome",
    "objective": "Bring new people in before the summer.",
    "deliverables": "Landing page\nThree emails",
    "channels": "Landing page, Email, LinkedIn",
    "campaign_goal": "Lead generation",
}
SOURCE = {
    "title": "Spring landing page",
    "channel": "landing_page",
    "headline": "",
    "subject": "",
    "preheader": "",
    "body": "A new season starts here. Come and see what changes. Every visit is planned with care.",
}
JOBS = [
    ("first_draft", {"channel": "landing_page", "goal": "lead_generation", "title": "Spring welcome"}),
    (
        "first_draft",
        {
            "channel": "email",
            "goal": "email_nurture",
            "title": "Welcome series",
            "count": 3,
            "spacing_days": 2,
        },
    ),
    ("first_draft", {"channel": "google_ads_headline", "goal": "sales", "title": "Spring ad"}),
    ("first_draft", {"channel": "sms", "goal": "sales", "title": "Spring SMS"}),
    ("repurpose", {"channel": "linkedin", "goal": "awareness", "count": 3, "source": SOURCE}),
    (
        "variants",
        {"channel": "google_ads_headline", "goal": "sales", "count": 6, "limit": 30, "source": SOURCE},
    ),
    ("variants", {"channel": "email", "goal": "lead_generation", "count": 4, "variant_of": "subject_line"}),
]


def _run(kind, client_name, inputs):
    layer = layer_validate(BRANDS[client_name]())
    rules = layer_rules(layer, client_name=client_name)
    full = {"client_name": client_name, "brief": BRIEF, **inputs}
    return layer, rules, offline_answer(kind=kind, inputs=full, layer=layer, today=TODAY, rules=rules)


@pytest.mark.parametrize("client_name", sorted(BRANDS))
@pytest.mark.parametrize(("kind", "inputs"), JOBS, ids=[f"{k}-{i['channel']}" for k, i in JOBS])
def test_offline_drafts_have_no_error_findings_for_any_brand(client_name, kind, inputs):
    _, rules, answer = _run(kind, client_name, inputs)
    drafts = answer["drafts"]
    assert len(drafts) == inputs.get("count", 1)
    for draft in drafts:
        assert draft["body"].strip()
        findings = check_content(
            ContentInput(
                channel=inputs["channel"],
                goal=inputs["goal"],
                body=draft["body"],
                headline=draft["headline"],
                subject=draft["subject"],
                preheader=draft["preheader"],
            ),
            rules,
            today=TODAY,
        )
        errors = [(f.check, f.message) for f in findings if f.severity == "error"]
        assert errors == [], draft
        if inputs["channel"] in SHORT_LIMITS:
            assert len(draft["body"]) <= SHORT_LIMITS[inputs["channel"]]


def test_offline_drafts_carry_the_brands_pillars_claims_and_ctas():
    _, _, answer = _run("first_draft", "Cobalt Fitness", JOBS[0][1])
    body = answer["drafts"][0]["body"]
    assert "Coached progress" in body
    assert "Members train 3 times a week on average." in body
    assert "Book a free trial session." in body


def test_the_offline_drafter_is_deterministic():
    assert _run(*JOBS[1][:1], "Acme Dental", JOBS[1][1]) == _run(*JOBS[1][:1], "Acme Dental", JOBS[1][1])


def test_an_email_sequence_is_several_linked_emails_with_their_spacing_and_subjects():
    _, _, answer = _run("first_draft", "Acme Dental", JOBS[1][1])
    titles = [d["title"] for d in answer["drafts"]]
    assert titles == [
        "Welcome series — email 1 of 3 (day 0)",
        "Welcome series — email 2 of 3 (day 2)",
        "Welcome series — email 3 of 3 (day 4)",
    ]
    assert all(d["subject"] and len(d["subject"]) <= 60 for d in answer["drafts"])


def test_brief_expansion_gives_every_section_from_the_brief_and_the_brand():
    _, _, answer = _run("brief_expansion", "Acme Dental", {"channel": "", "goal": "lead_generation"})
    sections = answer["sections"]
    assert list(sections) == [key for key, _ in BRIEF_SECTIONS]
    assert "Landing page: open with calm care" in sections["outlines"]
    assert "Rated 4.8 stars by 1,200 patients" in sections["proof"]
    assert "Can you confirm the due date?" in sections["open_questions"]


def test_a_pre_edit_applies_the_findings_suggestions():
    layer = layer_validate(BRANDS["Acme Dental"]())
    source = {**SOURCE, "body": "Your visit is painless. Book your first visit."}
    findings = [
        {"field": "body", "excerpt": "painless", "suggestion": "gentle", "message": "Cannot be promised."}
    ]
    answer = offline_answer(
        kind="pre_edit",
        inputs={
            "client_name": "Acme Dental",
            "channel": "landing_page",
            "source": source,
            "findings": findings,
        },
        layer=layer,
        today=TODAY,
        rules=layer_rules(layer, client_name="Acme Dental"),
    )
    assert answer["drafts"][0]["body"] == "Your visit is gentle. Book your first visit."
