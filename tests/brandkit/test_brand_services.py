"""Saving, importing and comparing a client's brand layer through the services."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_scopes import scope

from brandkit import selectors, services
from brandkit.layer import layer_compare
from brandkit.models import BrandLayerVersion
from tests import factories
from tests.brandkit.brand_data import acme_layer, layer_save

pytestmark = pytest.mark.django_db


def test_every_save_is_a_new_version_naming_who_and_which_sections_changed(team):
    coordinator, client = team["coordinator"], team["clients"][0]
    first = layer_save(actor=coordinator, client=client, content=acme_layer())
    changed = acme_layer()
    changed["tagline"] = "Gentle dentistry, bright smiles"
    second = layer_save(actor=coordinator, client=client, content=changed, note="New tagline")
    assert (first.number, second.number) == (1, 2)
    assert second.changed == ["tagline"]
    assert second.created_by == coordinator and second.note == "New tagline"
    with scope(agency=team["agency"].pk):
        assert selectors.brand_version(client, 1).content["tagline"] == "Calm care, bright smiles"
        assert [v.number for v in selectors.brand_versions(client)] == [2, 1]


def test_a_save_that_changes_nothing_adds_no_version(team):
    coordinator, client = team["coordinator"], team["clients"][0]
    first = layer_save(actor=coordinator, client=client, content=acme_layer())
    again = layer_save(actor=coordinator, client=client, content=acme_layer())
    assert again.pk == first.pk


def test_saved_versions_cannot_be_rewritten(team):
    version = layer_save(actor=team["coordinator"], client=team["clients"][0], content=acme_layer())
    with scope(agency=team["agency"].pk), pytest.raises(Exception, match="no_update"), transaction.atomic():
        BrandLayerVersion.objects.filter(pk=version.pk).update(note="rewritten")


def test_two_versions_compare_section_by_section(team):
    coordinator, client = team["coordinator"], team["clients"][0]
    first = layer_save(actor=coordinator, client=client, content=acme_layer())
    changed = acme_layer()
    changed["avoid"].append({"phrase": "world-class", "reason": "Vague", "replacement": "", "kind": "phrase"})
    changed["seo"]["spelling"] = "US"
    second = layer_save(actor=coordinator, client=client, content=changed)
    changes = layer_compare(first.content, second.content)
    assert [c.section for c in changes] == ["seo", "avoid"]
    assert changes[0].before["spelling"] == "UK" and changes[0].after["spelling"] == "US"


def test_a_member_who_is_not_a_strategist_cannot_edit_the_brand_layer(team):
    writer = next(m for m in team["members"] if m.discipline == "writer")
    strategist = next(m for m in team["members"] if m.discipline == "strategist")
    with pytest.raises(ValidationError, match="strategists"):
        layer_save(actor=writer, client=team["clients"][0], content=acme_layer())
    assert layer_save(actor=strategist, client=team["clients"][0], content=acme_layer()).number == 1


def test_a_malformed_layer_names_each_failing_field_and_saves_nothing(team):
    bad = acme_layer()
    bad["claims"][0]["expires_on"] = "next spring"
    bad["seo"]["spelling"] = "Canadian"
    bad["avoid"].append({"reason": "no phrase"})
    with pytest.raises(ValidationError) as refused:
        layer_save(actor=team["coordinator"], client=team["clients"][0], content=bad)
    assert set(refused.value.message_dict) == {"claims[0].expires_on", "seo.spelling", "avoid[2].phrase"}
    with scope(agency=team["agency"].pk):
        assert not BrandLayerVersion.objects.exists()


def test_json_export_imports_back_into_another_client_unchanged(team):
    coordinator, (acme, birch) = team["coordinator"], team["clients"]
    version = layer_save(actor=coordinator, client=acme, content=acme_layer())
    exported = json.dumps({"format": "agencyops-brand-layer/1", **version.content}, indent=2)
    with scope(agency=team["agency"].pk):
        imported = services.brand_layer_import_json(actor=coordinator, client=birch, raw=exported.encode())
    assert imported.content == version.content and imported.note == "Imported brand.json"


def test_broken_json_is_refused_with_its_line_and_nothing_is_imported(team):
    raw = b'{\n  "tagline": "Calm care",\n  "avoid": [,]\n}'
    with scope(agency=team["agency"].pk):
        with pytest.raises(ValidationError) as refused:
            services.brand_layer_import_json(
                actor=team["coordinator"], client=team["clients"][0], raw=raw, filename="acme.json"
            )
        assert refused.value.message_dict["file"] == ["acme.json line 3, column 13: Expecting value."]
        assert not BrandLayerVersion.objects.exists()


def test_json_with_a_wrong_field_is_refused_naming_the_file_and_field(team):
    document = acme_layer()
    document["offers"][0]["ends_on"] = "31/04/2026"
    with scope(agency=team["agency"].pk):
        with pytest.raises(ValidationError) as refused:
            services.brand_layer_import_json(
                actor=team["coordinator"],
                client=team["clients"][0],
                raw=json.dumps(document),
                filename="acme.json",
            )
        assert refused.value.message_dict == {
            "offers[0].ends_on": ["acme.json: “31/04/2026” is not a date; use YYYY-MM-DD."]
        }
        assert not BrandLayerVersion.objects.exists()


def test_members_may_be_restricted_to_the_clients_of_their_projects(team):
    owner, (acme, birch) = team["owner"], team["clients"]
    member = team["members"][0]
    project = factories.project_create(actor=owner, client=acme)
    with scope(agency=team["agency"].pk):
        project.tasks.filter(pk=project.tasks.first().pk).update(assignee=member)
        assert set(selectors.clients_with_brand_access(member)) == {acme, birch}
        services.brand_settings_update(
            actor=owner, members_see_only_their_clients=True, share_with_client_contacts=False
        )
        assert list(selectors.clients_with_brand_access(member)) == [acme]
        assert set(selectors.clients_with_brand_access(team["coordinator"])) == {acme, birch}


def test_a_decision_constraint_points_at_its_log_entry_and_reaches_the_rules(team):
    owner, client = team["owner"], team["clients"][0]
    from approvals import services as approval_services

    with scope(agency=team["agency"].pk):
        entry = approval_services.decision_log_add(
            actor=owner,
            client=client,
            decided_on=date(2026, 3, 12),
            decision="No longer offer a free consultation.",
            approver_name="Dana at Acme",
            asset="All copy",
            source_kind="meeting",
        )
        services.decision_constraint_add(actor=owner, entry=entry, term="free consultation", must="absent")
        with pytest.raises(ValidationError):
            services.decision_constraint_add(
                actor=owner, entry=entry, term="Free  consultation", must="absent"
            )
        rules, _ = selectors.brand_rules_for_client(client)
    assert [(c.term, c.must, str(c.decided_on)) for c in rules.decision_constraints] == [
        ("free consultation", "absent", "2026-03-12")
    ]


def test_rules_carry_the_other_clients_distinctive_terms_but_not_the_clients_own(team):
    coordinator, (acme, birch) = team["coordinator"], team["clients"]
    from tests.brandkit.brand_data import birch_layer

    layer_save(actor=coordinator, client=acme, content=acme_layer())
    layer_save(actor=coordinator, client=birch, content=birch_layer())
    with scope(agency=team["agency"].pk):
        rules, latest = selectors.brand_rules_for_client(acme)
    assert latest.number == 1 and rules.version == 1
    assert [o.client_name for o in rules.other_clients] == ["Birch Bakery"]
    assert "Baked before the city wakes" in rules.other_clients[0].terms
    assert "Voted best bakery in Leeds 2025" in rules.other_clients[0].terms
    assert all("Acme" not in t for o in rules.other_clients for t in o.terms)


def test_unique_version_numbers_hold_in_the_database(team):
    version = layer_save(actor=team["coordinator"], client=team["clients"][0], content=acme_layer())
    with scope(agency=team["agency"].pk), pytest.raises(IntegrityError), transaction.atomic():
        BrandLayerVersion.objects.create(agency=version.agency, client=version.client, number=1, content={})
