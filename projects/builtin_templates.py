"""The six templates every agency starts with, written as specs (see template_spec.py).

Durations are business days, hours are the effort the assignee spends, ``after`` lists
predecessors as "key" (finish-to-start), "key+2" (lag of two business days) or "key/SS".
"""

from __future__ import annotations

from typing import Any

from projects.template_spec import TemplateSpec, parse_spec


def _deps(after: str) -> list[dict[str, Any]]:
    deps = []
    for token in filter(None, (part.strip() for part in after.split(","))):
        key, _, lag = token.partition("+")
        kind = "FS"
        if key.endswith("/SS"):
            key, kind = key[:-3], "SS"
        deps.append({"key": key, "kind": kind, "lag": int(lag or 0)})
    return deps


def _t(
    key: str,
    title: str,
    phase: str,
    discipline: str,
    duration: int,
    hours: float,
    after: str = "",
    *,
    review: bool = False,
    inputs: tuple[tuple[str, str], ...] = (),
    recurring: bool = False,
) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "phase": phase,
        "discipline": discipline,
        "duration": duration,
        "hours": hours,
        "after": _deps(after),
        "review": review,
        "recurring": recurring,
        "inputs": [{"what": what, "party": party} for what, party in inputs],
    }


STANDARD_PHASES = [
    {"name": "Strategy", "discipline": "strategist"},
    {"name": "Creative", "discipline": "designer"},
    {"name": "Production", "discipline": "designer"},
    {"name": "QA", "discipline": "account_lead"},
    {"name": "Scheduling", "discipline": "media_buyer"},
    {"name": "Launch", "discipline": "account_lead"},
]

BUILTIN_TEMPLATES: dict[str, dict[str, Any]] = {
    "website-launch": {
        "name": "Website launch",
        "description": "Sitemap to go-live for a marketing site or landing pages, with copy and design reviews.",
        "phases": STANDARD_PHASES,
        "tasks": [
            _t("kickoff", "Kick-off and brief sign-off", "Strategy", "account_lead", 1, 3,
               inputs=(("Brand guidelines and logo files", "client"), ("Access to current site and analytics", "client"))),
            _t("sitemap", "Sitemap and page goals", "Strategy", "strategist", 3, 12, "kickoff"),
            _t("wireframes", "Wireframes", "Creative", "designer", 4, 20, "sitemap"),
            _t("wireframe-approval", "Client approves wireframes", "Creative", "account_lead", 0, 1, "wireframes",
               review=True),
            _t("copy", "Landing page copy", "Creative", "writer", 4, 16, "sitemap",
               inputs=(("Offer details and proof points", "client"),)),
            _t("copy-approval", "Client approves copy", "Creative", "account_lead", 0, 1, "copy", review=True),
            _t("design", "Visual design", "Creative", "designer", 5, 30, "wireframe-approval, copy-approval"),
            _t("design-approval", "Client approves design", "Creative", "account_lead", 0, 1, "design", review=True),
            _t("build", "Build landing page", "Production", "designer", 6, 36, "design-approval",
               inputs=(("Hosting and DNS access", "vendor"),)),
            _t("tracking", "Analytics and conversion tracking", "Production", "media_buyer", 2, 6, "build/SS+3"),
            _t("qa", "QA across browsers and devices", "QA", "account_lead", 2, 8, "build, tracking"),
            _t("fixes", "Fix QA issues", "QA", "designer", 2, 8, "qa"),
            _t("go-live-plan", "Go-live checklist and redirects", "Scheduling", "media_buyer", 1, 3, "fixes"),
            _t("launch", "Launch", "Launch", "account_lead", 0, 2, "go-live-plan"),
        ],
    },
    "paid-campaign": {
        "name": "Paid campaign",
        "description": "Offer, audiences, ad creative and tracking for a paid social or search campaign.",
        "phases": STANDARD_PHASES,
        "tasks": [
            _t("kickoff", "Kick-off and budget confirmation", "Strategy", "account_lead", 1, 2,
               inputs=(("Campaign budget and flight dates", "client"),)),
            _t("offer", "Confirm campaign offer", "Strategy", "strategist", 2, 6, "kickoff",
               inputs=(("Offer terms and landing URL", "client"),)),
            _t("audiences", "Audience and targeting plan", "Strategy", "media_buyer", 2, 8, "offer/SS"),
            _t("ad-copy", "Ad copy variants", "Creative", "writer", 3, 10, "offer"),
            _t("ad-creative", "Design ad creative", "Creative", "designer", 4, 20, "offer"),
            _t("creative-approval", "Client approves ads", "Creative", "account_lead", 0, 1, "ad-copy, ad-creative",
               review=True),
            _t("tracking", "Pixels and conversion tracking", "Production", "media_buyer", 2, 5, "audiences"),
            _t("build-campaign", "Build campaigns in ad platforms", "Production", "media_buyer", 2, 8,
               "creative-approval, tracking", inputs=(("Ad account access", "client"),)),
            _t("qa", "Check links, tracking and targeting", "QA", "account_lead", 1, 3, "build-campaign"),
            _t("schedule", "Schedule flight and budgets", "Scheduling", "media_buyer", 1, 2, "qa"),
            _t("launch", "Campaign live", "Launch", "media_buyer", 0, 1, "schedule"),
        ],
    },
    "email-sequence": {
        "name": "Email sequence",
        "description": "A nurture or launch sequence: strategy, copy, design, build, tests and scheduling.",
        "phases": STANDARD_PHASES,
        "tasks": [
            _t("kickoff", "Kick-off and list review", "Strategy", "account_lead", 1, 2,
               inputs=(("Email platform access and list segments", "client"),)),
            _t("sequence-plan", "Sequence map and subject-line themes", "Strategy", "strategist", 2, 8, "kickoff"),
            _t("copy", "Write emails", "Creative", "writer", 4, 16, "sequence-plan"),
            _t("copy-approval", "Client approves copy", "Creative", "account_lead", 0, 1, "copy", review=True),
            _t("design", "Email design", "Creative", "designer", 3, 12, "sequence-plan+1"),
            _t("build", "Build and personalise in platform", "Production", "designer", 2, 8, "copy-approval, design"),
            _t("tests", "Test sends and rendering checks", "QA", "account_lead", 1, 3, "build"),
            _t("final-approval", "Client approves test sends", "QA", "account_lead", 0, 1, "tests", review=True),
            _t("schedule", "Schedule sends", "Scheduling", "media_buyer", 1, 1, "final-approval"),
            _t("launch", "First email out", "Launch", "account_lead", 0, 1, "schedule"),
        ],
    },
    "social-content-sprint": {
        "name": "Social content sprint",
        "description": "Two weeks of social posts: themes, copy, design, approvals and scheduling.",
        "phases": STANDARD_PHASES,
        "tasks": [
            _t("kickoff", "Kick-off and content themes", "Strategy", "strategist", 1, 3,
               inputs=(("Upcoming promotions and dates", "client"),)),
            _t("calendar", "Content calendar", "Strategy", "strategist", 2, 6, "kickoff"),
            _t("captions", "Write captions", "Creative", "writer", 3, 10, "calendar"),
            _t("visuals", "Design post visuals", "Creative", "designer", 4, 18, "calendar",
               inputs=(("Product photography", "client"),)),
            _t("approval", "Client approves posts", "Creative", "account_lead", 0, 1, "captions, visuals",
               review=True),
            _t("revisions", "Revisions", "Production", "designer", 2, 6, "approval"),
            _t("qa", "Proofread and check sizes", "QA", "account_lead", 1, 2, "revisions"),
            _t("schedule", "Schedule posts", "Scheduling", "media_buyer", 1, 3, "qa"),
            _t("launch", "Sprint goes live", "Launch", "account_lead", 0, 1, "schedule"),
        ],
    },
    "brand-rollout": {
        "name": "Brand rollout",
        "description": "Rolling a new or refreshed identity out across templates, site and channels.",
        "phases": STANDARD_PHASES,
        "tasks": [
            _t("kickoff", "Kick-off and asset audit", "Strategy", "account_lead", 2, 6,
               inputs=(("Final brand identity files", "client"), ("List of touchpoints in use", "client"))),
            _t("guidelines", "Brand guidelines document", "Strategy", "strategist", 4, 16, "kickoff"),
            _t("guidelines-approval", "Client approves guidelines", "Strategy", "account_lead", 0, 1, "guidelines",
               review=True),
            _t("templates", "Design templates (decks, documents, social)", "Creative", "designer", 5, 30,
               "guidelines-approval"),
            _t("messaging", "Messaging and tone-of-voice guide", "Creative", "writer", 4, 14, "guidelines/SS+2"),
            _t("templates-approval", "Client approves templates", "Creative", "account_lead", 0, 1,
               "templates, messaging", review=True),
            _t("site-update", "Update website styling", "Production", "designer", 4, 20, "templates-approval",
               inputs=(("Website CMS access", "client"),)),
            _t("print-files", "Print files for signage and stationery", "Production", "designer", 3, 10,
               "templates-approval", inputs=(("Printer specifications", "vendor"),)),
            _t("qa", "Brand consistency check", "QA", "account_lead", 2, 6, "site-update, print-files"),
            _t("rollout-plan", "Rollout schedule and announcements", "Scheduling", "media_buyer", 2, 4, "qa"),
            _t("launch", "New brand live", "Launch", "account_lead", 0, 2, "rollout-plan"),
        ],
    },
    "monthly-retainer": {
        "name": "Monthly retainer",
        "description": "Recurring monthly deliverables: content, ads refresh and a performance report.",
        "phases": STANDARD_PHASES,
        "recurrence": {"frequency": "monthly", "day_of_month": -1, "periods_ahead": 3},
        "tasks": [
            _t("onboarding", "Retainer onboarding and goals", "Strategy", "account_lead", 2, 6,
               inputs=(("Account access for all channels", "client"),)),
            _t("plan", "Retainer plan and KPIs", "Strategy", "strategist", 2, 8, "onboarding"),
            _t("launch", "Retainer starts", "Launch", "account_lead", 0, 1, "plan"),
            _t("monthly-plan", "Monthly content plan", "Strategy", "strategist", 1, 4, recurring=True),
            _t("monthly-content", "Monthly blog and social content", "Creative", "writer", 5, 16,
               "monthly-plan", recurring=True),
            _t("monthly-creative", "Monthly ad creative refresh", "Creative", "designer", 4, 12, "monthly-plan",
               recurring=True),
            _t("monthly-approval", "Client approves monthly content", "QA", "account_lead", 0, 1,
               "monthly-content, monthly-creative", review=True, recurring=True),
            _t("monthly-schedule", "Schedule monthly content", "Scheduling", "media_buyer", 1, 3,
               "monthly-approval", recurring=True),
            _t("monthly-report", "Monthly performance report", "Launch", "account_lead", 1, 4,
               "monthly-schedule", recurring=True),
        ],
    },
}


def builtin_spec(slug: str) -> TemplateSpec:
    """The parsed spec of a built-in template; KeyError for an unknown slug."""
    return parse_spec(BUILTIN_TEMPLATES[slug])
