"""Insight drafts from the app's own records: the story's movements, causes with dates, decoys left out."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from reporting.models import InsightState
from reporting.services import insights
from tests.reporting import story

pytestmark = pytest.mark.django_db


def draft_for(team, data):
    with scope(agency=team["agency"].pk):
        return insights.insight_draft_create(
            actor=team["coordinator"],
            client=data["client"],
            period_start=story.NOVEMBER[0],
            period_end=story.NOVEMBER[1],
        )


def test_the_draft_cites_the_audience_change_the_paused_campaign_and_the_launch_slip_with_their_dates(team):
    data = story.build(team)
    draft = draft_for(team, data)
    assert (draft.compare_start, draft.compare_end) == story.OCTOBER
    text = draft.text
    assert (
        "Industry-specific lead cost dropped 18% after broad job titles → industry-specific audiences "
        "on 3 November (campaign change)." in text
    )
    assert (
        "General clicks dropped 50%, impressions dropped 50%, leads dropped 50% and spend dropped 50% "
        "after the decision to pause the general campaign until the new offer is ready on 4 November (decision log)."
        in text
    )
    assert (
        "after the launch slipped 2 business days (Campaign live: 10 November → 12 November) on 12 November"
        in text
    )
    # Decoys: a rename explains nothing; new creative on 25 November is after the middle of the month.
    assert "renamed" not in text
    assert "carousel" not in text
    kinds = {(c["event"]["source"], c["movement"]["metric"]) for c in draft.facts["causes"]}
    assert ("campaign change", "cost_per_result") in kinds
    assert ("decision log", "spend") in kinds
    assert ("deadline history", "spend") in kinds
    # General's lead cost (60 USD) vs Industry's (41 USD): shift budget towards Industry.
    assert (
        "Shift 20% of next month's budget from General into Industry-specific (lead cost 60.00 vs 41.00 USD)."
        in text
    )


def test_a_person_edits_the_draft_and_a_lead_approves_it_after_which_it_stays(team):
    data = story.build(team)
    draft = draft_for(team, data)
    with scope(agency=team["agency"].pk):
        member = team["members"][0]
        draft = insights.insight_draft_edit(
            actor=member, draft=draft, text=draft.text + "\n- Call Anna on Monday."
        )
        assert draft.text.endswith("Call Anna on Monday.") and draft.drafted_text != draft.text
        with pytest.raises(ValidationError, match="approve insights"):
            insights.insight_draft_approve(actor=member, draft=draft)
        draft = insights.insight_draft_approve(actor=team["coordinator"], draft=draft)
        assert draft.state == InsightState.APPROVED and draft.approved_by == team["coordinator"]
        with pytest.raises(ValidationError, match="approved"):
            insights.insight_draft_edit(actor=team["coordinator"], draft=draft, text="Something else")


def test_another_agencys_client_cannot_be_drafted_for(team, other_team):
    with scope(agency=team["agency"].pk), pytest.raises(ValidationError):
        insights.insight_draft_create(
            actor=team["coordinator"],
            client=other_team["clients"][0],
            period_start=story.NOVEMBER[0],
            period_end=story.NOVEMBER[1],
        )
