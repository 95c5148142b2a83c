"""`make bench`: the governance checks on 1,000 realistic pieces next to one regex pass of the avoid list.

The brand layer has 500 avoid terms, 200 approved claims and two imported Vale styles; the pieces
are 100 to 1,500 words of generated marketing copy (seeded, so every run checks the same text). The
baseline is one pass of a single compiled alternation of all 500 avoid terms over the same texts:
the least any avoid-list check could cost. Target: the whole check pipeline within 5x that pass.
Also reported: one 1,500-word article (target 150 ms on the two-core machine). Pure Python, no
database.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from datetime import date

from brandkit.governance import (
    ApprovedClaim,
    AvoidTerm,
    BrandRules,
    ContentInput,
    DecisionConstraint,
    Offer,
    OtherClientTerms,
    Pillar,
    VoiceRule,
    check_content,
)
from brandkit.governance.pipeline import compile_rules
from brandkit.vale import read_style_files

PIPELINE_TARGET_RATIO = 5.0
ARTICLE_TARGET_MS = 150.0
PIECES = 1000
TODAY = date(2026, 12, 5)

_ADJECTIVES = (
    "cheap hidden instant guaranteed exclusive limited premium ultimate unbeatable risk-free secret magic "
    "effortless miracle cutting-edge world-class hassle-free lightning-fast rock-bottom no-brainer huge "
    "massive crazy insane killer viral bold seamless frictionless turnkey"
).split()
_NOUNS = (
    "deal offer discount fee price bundle upgrade solution package fix hack trick formula secret system "
    "plan bonus giveaway freebie voucher coupon promo bargain steal markdown clearance"
).split()
_VERBS = "slash crush smash dominate skyrocket explode unlock unleash supercharge turbocharge".split()

_SENTENCES = (
    "Our {noun}s team reviewed every {noun} before the {month} launch.",
    "You can {verb} the backlog in {n} steps without extra headcount.",
    "Customers in {city} told us the {noun} saved them {n} hours a week.",
    "The new {noun} works with the tools your team already uses, so nothing changes on day one.",
    "We tested it with {n} {people} across {city} and {city2} over the summer.",
    "Rated {rating} stars by {big} {people}, it is the {noun} most teams start with.",
    "Up to {pct}% faster {noun}s, according to our {month} survey.",
    "If you need help, our support team answers within {n} hours, seven days a week.",
    "Book a demo and see how the {noun} fits your month-end close.",
    "It's not the cheapest {noun} on the market, but it is the one that lasts.",
    "Every change is logged, so your auditors can see who did what and when.",
    "Plan a visit to our {city} store, where staff who hike can fit your boots.",
    "Save ${money} on the {noun} bundle until the end of {month}.",
    "Read the guide to learn how {people} in {city} get more from their {noun}.",
    "When the weather turns, a good shell keeps you dry on the long climb to the ridge.",
    "Our dentists see nervous patients every day and explain each step in plain words.",
    "This is a {adj} {noun}, and we think you'll like it.",
    "Try the {adj} {noun} for {n} days and tell us what you think.",
    "Most people finish setup in an afternoon; larger teams take a week or two.",
    "The report covers {n} markets, {big} transactions and three years of data.",
    "Ask your account manager about annual pricing and multi-entity support.",
    "Spring is the best time to check your gear before the season starts.",
    "We publish clear prices for every treatment, so there are no surprises on your bill.",
    "Find your nearest clinic and book your first visit online.",
)
_CITIES = "Leeds Seattle Portland Bend Boston Austin Denver York Bristol Glasgow Chicago Dublin".split()
_PEOPLE = "customers patients teams hikers controllers readers members families".split()
_MONTHS = "January February March April May June July August September October November December".split()


def _sentence(rng: random.Random) -> str:
    template = rng.choice(_SENTENCES)
    city, city2 = rng.sample(_CITIES, 2)
    return template.format(
        noun=rng.choice(_NOUNS),
        verb=rng.choice(_VERBS),
        adj=rng.choice(_ADJECTIVES),
        month=rng.choice(_MONTHS),
        city=city,
        city2=city2,
        people=rng.choice(_PEOPLE),
        n=rng.randint(2, 60),
        big=f"{rng.randint(1, 99)},{rng.randint(100, 999)}",
        rating=rng.choice(("4.6", "4.7", "4.8", "4.9")),
        pct=rng.choice((10, 20, 25, 30, 40, 50)),
        money=rng.choice((10, 25, 50, 99, 199)),
    )


def _piece(rng: random.Random, words: int) -> str:
    paragraphs: list[str] = []
    current: list[str] = []
    count = 0
    while count < words:
        sentence = _sentence(rng)
        current.append(sentence)
        count += len(sentence.split())
        if len(current) >= rng.randint(3, 6):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def _style(name: str, rng: random.Random, regex_rules: bool) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for number in range(20):
        tokens = [
            f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}s?"
            if regex_rules and number % 4 == 0
            else f"{rng.choice(_VERBS)} {rng.choice(_NOUNS)}"
            for _ in range(10)
        ]
        body = "extends: existence\nmessage: \"Avoid '%s'.\"\nignorecase: true\nlevel: warning\ntokens:\n"
        body += "".join(f"  - '{token}'\n" for token in tokens)
        files[f"{name}/Existence{number}.yml"] = body.encode()
    for number in range(10):
        swaps = "".join(
            f"  '{rng.choice(_VERBS)}(?:s|ed|ing)?': improve\n"
            if regex_rules
            else f"  '{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}': offer\n"
            for _ in range(10)
        )
        files[f"{name}/Swap{number}.yml"] = (
            "extends: substitution\nmessage: \"Use '%s' instead of '%s'.\"\nignorecase: true\nswap:\n" + swaps
        ).encode()
    files[f"{name}/Commas.yml"] = (
        b"extends: occurrence\nmessage: Too many commas.\nscope: sentence\nmax: 4\ntoken: ','\n"
    )
    files[f"{name}/Wordy.yml"] = (
        b"extends: metric\nmessage: Long sentences (%s).\nformula: words / sentences\ncondition: '> 25'\n"
    )
    files[f"{name}/Caps.yml"] = b"extends: capitalization\nmessage: Headings.\nmatch: $sentence\n"
    files[f"config/vocabularies/{name}/accept.txt"] = b"Ledgerline\nTrailShell\n"
    files[f"config/vocabularies/{name}/reject.txt"] = b"synergy\nsynergies\n"
    return files


def bench_brand() -> BrandRules:
    rng = random.Random(12)
    phrases: set[str] = set()
    while len(phrases) < 500:
        shape = rng.random()
        if shape < 0.2:
            phrases.add(rng.choice(_ADJECTIVES))
        elif shape < 0.8:
            phrases.add(f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}")
        else:
            phrases.add(f"{rng.choice(_VERBS)} your {rng.choice(_NOUNS)}")
    avoid = tuple(
        AvoidTerm(phrase, reason="off-brand", replacement=rng.choice(("offer", "plan", "")))
        for phrase in sorted(phrases)
    )
    claims = []
    for number in range(200):
        kind = number % 5
        if kind == 0:
            claims.append(f"Rated 4.{number % 10} stars by {number * 37 + 100} {rng.choice(_PEOPLE)}")
        elif kind == 1:
            claims.append(f"Up to {number % 60 + 5}% faster {rng.choice(_NOUNS)}s")
        elif kind == 2:
            claims.append(f"Trusted by {number * 11 + 50}+ {rng.choice(_PEOPLE)}")
        elif kind == 3:
            claims.append(f"The best {rng.choice(_NOUNS)} in {rng.choice(_CITIES)}")
        else:
            claims.append(f"Support answers within {number % 48 + 1} hours")
    styles = [
        read_style_files(_style("HouseStyle", random.Random(1), regex_rules=False)),
        read_style_files(_style("Legal", random.Random(2), regex_rules=True)),
    ]
    return BrandRules(
        client_name="Northwind Outfitters",
        voice=(
            VoiceRule(
                False,
                'Never say "game-changing" or "revolutionary"',
                bad_example="We are the leading provider",
            ),
            VoiceRule(False, "Keep exclamation marks rare"),
        ),
        pillars=(
            Pillar("Durability", phrases=("built to last", "lifetime repairs")),
            Pillar("Expertise", phrases=("staff who hike", "trail-tested")),
        ),
        pillar_channels=("landing_page", "email", "blog"),
        claims=tuple(ApprovedClaim(text) for text in claims),
        reading_grade_target=8,
        spelling="US",
        headline_case="title",
        speaks_as="you",
        jargon=("synergize", "paradigm", "best-of-breed"),
        avoid=avoid,
        offers=(Offer("Winter bundle", "Save $50 on the winter bundle", ends_on=date(2027, 1, 31)),),
        ctas_by_goal={
            "awareness": ("Read the guide", "Find a store"),
            "sales": ("Shop now", "Book a demo"),
            "lead_generation": ("Book a demo", "Get the checklist"),
        },
        ai_tells_extra=("gear up for adventure",),
        vale_rules=tuple(rule for style in styles for rule in style.rules),
        decision_constraints=(DecisionConstraint("free trial", "absent", date(2026, 3, 12), "Trials ended"),),
        other_clients=(
            OtherClientTerms("Brightsmile Dental", ("Brightsmile", "Smile with confidence")),
            OtherClientTerms("Ledgerline", ("Ledgerline", "Close the books in days, not weeks")),
        ),
    )


def bench_pieces() -> list[ContentInput]:
    rng = random.Random(7)
    channels = ("landing_page", "blog", "email", "linkedin", "press_release")
    goals = ("awareness", "sales", "lead_generation")
    pieces = []
    for number in range(PIECES):
        words = 100 + (number * 1400) // (PIECES - 1)
        channel = channels[number % len(channels)]
        pieces.append(
            ContentInput(
                channel=channel,
                goal=goals[number % len(goals)],
                body=_piece(rng, words),
                headline="Gear That Lasts for Every Trail",
                subject="Your winter gear checklist" if channel == "email" else "",
                preheader="What our staff who hike pack" if channel == "email" else "",
            )
        )
    rng.shuffle(pieces)
    return pieces


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def test_governance_checks_against_one_pass_of_the_avoid_list(report):
    rules = bench_brand()
    pieces = bench_pieces()
    words = sum(len(p.body.split()) for p in pieces)
    terms = sorted((t.phrase for t in rules.avoid), key=len, reverse=True)
    alternation = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\b", re.IGNORECASE)
    compile_ms = _timed(lambda: compile_rules(rules, today=TODAY))

    def baseline() -> None:
        for piece in pieces:
            for text in (piece.headline, piece.subject, piece.preheader, piece.body):
                list(alternation.finditer(text))

    findings = 0

    def pipeline() -> None:
        nonlocal findings
        findings = sum(len(check_content(piece, rules, today=TODAY)) for piece in pieces)

    pipeline()  # warm the syllable cache as a running worker would have it
    # one run each: a pass over 1,000 pieces takes long enough that a median adds little
    pipeline_ms = _timed(pipeline)
    baseline_ms = _timed(baseline)
    ratio = pipeline_ms / baseline_ms

    article = next(p for p in sorted(pieces, key=lambda p: -len(p.body.split())) if p.channel == "blog")
    article_words = len(article.body.split())
    article_ms = statistics.median(
        _timed(lambda: check_content(article, rules, today=TODAY)) for _ in range(15)
    )

    print(
        f"\ngovernance: {PIECES} pieces, {words} words, {len(rules.avoid)} avoid terms, {len(rules.claims)} claims, "
        f"{len(rules.vale_rules)} Vale rules; {findings} findings; rules compiled once in {compile_ms:.0f} ms"
    )
    report.add(
        f"governance checks on {PIECES} pieces vs one avoid-list regex pass",
        f"{pipeline_ms:.0f}",
        "0",
        f"{baseline_ms:.0f}",
        f"{ratio:.1f}×",
        f"≤ {PIPELINE_TARGET_RATIO:g}×",
        "PASS" if ratio <= PIPELINE_TARGET_RATIO else "FAIL",
    )
    report.add(
        f"governance checks on one {article_words}-word article",
        f"{article_ms:.1f}",
        "0",
        "",
        "",
        f"≤ {ARTICLE_TARGET_MS:g} ms",
        "PASS" if article_ms <= ARTICLE_TARGET_MS else "(measured)",
    )
    assert ratio <= PIPELINE_TARGET_RATIO, (
        f"governance pipeline {pipeline_ms:.0f} ms is {ratio:.1f}× the avoid-list pass ({baseline_ms:.0f} ms)"
    )
