"""Decisions and change requests linked to a campaign; a client's saved column mapping read at import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from approvals.services.decisions import decision_log_add
from reporting.models import CampaignDecisionLink, DailyFact
from reporting.services import campaigns as campaign_services
from reporting.services import imports
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_decision_of_the_campaigns_client_is_linked_once(team):
    acme, birch = team["clients"]
    owner = team["owner"]
    campaign = factories.reporting_campaign_create(actor=owner, client=acme, name="Spring")
    with scope(agency=team["agency"].pk):
        entry = decision_log_add(
            actor=owner,
            client=acme,
            decision="Switch to industry audiences",
            approver_name="Anna",
            asset="Spring",
            decided_on=dt.date(2026, 11, 2),
        )
        other = decision_log_add(
            actor=owner,
            client=birch,
            decision="Pause the bakery ads",
            approver_name="Ben",
            asset="Holiday",
            decided_on=dt.date(2026, 11, 2),
        )
        campaign_services.campaign_link_decision(actor=owner, campaign=campaign, decision=entry)
        campaign_services.campaign_link_decision(actor=owner, campaign=campaign, decision=entry)
        assert list(CampaignDecisionLink.objects.values_list("decision_id", flat=True)) == [entry.pk]
        with pytest.raises(ValidationError, match="campaign's client"):
            campaign_services.campaign_link_decision(actor=owner, campaign=campaign, decision=other)


def test_a_crm_export_is_read_through_the_clients_saved_mapping(team):
    client = team["clients"][0]
    campaign = factories.reporting_campaign_create(actor=team["owner"], client=client, name="Spring")
    crm = b"Created,Campaign,Leads,Qualified\n2026-11-03,Spring Smile,10,4\n2026-11-04,Spring Smile,6,3\n"
    with scope(agency=team["agency"].pk):
        with pytest.raises(ValidationError, match="metric names"):
            campaign_services.column_mapping_save(
                actor=team["owner"],
                client=client,
                name="CRM",
                mapping={"date": "Created", "metrics": {"Leads": "Bad Name"}},
            )
        campaign_services.column_mapping_save(
            actor=team["owner"],
            client=client,
            name="CRM",
            mapping={
                "date": "Created",
                "campaign": "Campaign",
                "metrics": {"Leads": "crm_leads", "Qualified": "qualified_leads"},
            },
        )
        record = imports.import_preview(
            actor=team["coordinator"], client=client, upload=SimpleUploadedFile("crm.csv", crm)
        )
        assert record.platform == "generic" and record.column_mapping is not None
        imports.import_confirm(
            actor=team["coordinator"], record=record, mapping={"Spring Smile": campaign.pk}
        )
        qualified = DailyFact.objects.filter(campaign=campaign, metric="qualified_leads").values_list(
            "value", flat=True
        )
        assert sorted(qualified) == [Decimal(3), Decimal(4)]
    # The same file for another client has no mapping there: not recognised.
    with scope(agency=team["agency"].pk), pytest.raises(ValidationError, match="not a file we recognise"):
        imports.import_preview(
            actor=team["coordinator"], client=team["clients"][1], upload=SimpleUploadedFile("crm.csv", crm)
        )
