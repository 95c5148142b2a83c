"""The brandkit pages: the brand layer form, versions and compare, the piece page's checklist with
highlighted spans, accept / dismiss / override, the content list, and the portal's brand page."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope

from brandkit import services
from brandkit.governance.types import CHECKLIST_QUESTIONS
from brandkit.models import BrandLayerVersion, ContentTransition
from tests import factories
from tests.brandkit.brand_data import acme_layer, birch_layer, layer_save
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(team):
    coordinator, (acme, birch) = team["coordinator"], team["clients"]
    layer_save(actor=coordinator, client=acme, content=acme_layer())
    layer_save(actor=coordinator, client=birch, content=birch_layer())
    project = factories.project_create(actor=team["owner"], client=acme)
    return {**team, "acme": acme, "birch": birch, "project": project, "slug": team["agency"].slug}


def piece_create(world, body, **kwargs):
    with scope(agency=world["agency"].pk):
        return services.content_piece_create(
            actor=world["coordinator"], client=world["acme"], title=kwargs.pop("title", "Spring landing"),
            channel="landing_page", goal="lead_generation", body=body, project=world["project"], **kwargs,
        )  # fmt: skip


def test_the_edit_form_shows_the_layer_as_rows_and_saving_a_change_makes_a_version(world, as_coordinator):
    url = f"/{world['slug']}/clients/{world['acme'].pk}/brand/edit/"
    page = as_coordinator.get(url)
    form = page.context["form"]
    assert (
        "free consultation | Discounting undermines the premium positioning. | complimentary first visit | offer"
        in (form.initial["avoid"])
    )
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["pillar_channels"] = form.initial["pillar_channels"]
    data["avoid"] += "\nworld-class | Vague | leading | phrase"
    data["note"] = "Added world-class"
    response = as_coordinator.post(url, data)
    assert response.status_code == 302
    with scope(agency=world["agency"].pk):
        latest = BrandLayerVersion.objects.filter(client=world["acme"]).order_by("-number").first()
    assert latest.number == 2 and latest.changed == ["avoid"] and latest.note == "Added world-class"
    assert latest.content["avoid"][-1] == {
        "phrase": "world-class", "reason": "Vague", "replacement": "leading", "kind": "phrase"
    }  # fmt: skip


def test_a_bad_row_is_shown_at_its_field_and_line_and_nothing_is_saved(world, as_coordinator):
    url = f"/{world['slug']}/clients/{world['acme'].pk}/brand/edit/"
    form = as_coordinator.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["claims"] += "\nFastest in town | none | soon | landing_page"
    response = as_coordinator.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["claims"] == [
        "Line 2 (expires on): “soon” is not a date; use YYYY-MM-DD."
    ]
    with scope(agency=world["agency"].pk):
        assert BrandLayerVersion.objects.filter(client=world["acme"]).count() == 1


def test_versions_list_and_compare_show_what_changed(world, as_member):
    layer_save(
        actor=world["coordinator"], client=world["acme"], content=acme_layer() | {"tagline": "Gentle care"}
    )
    base = f"/{world['slug']}/clients/{world['acme'].pk}/brand/"
    versions = as_member.get(base + "versions/")
    assert [v.number for v in versions.context["versions"]] == [2, 1]
    compare = as_member.get(base + "compare/?a=1&b=2")
    assert [c.label for c in compare.context["changes"]] == ["Tagline"]
    assert (
        "Gentle care" in compare.content.decode() and "Calm care, bright smiles" in compare.content.decode()
    )


def test_the_piece_page_asks_the_eight_questions_word_for_word_with_spans_highlighted(world, as_coordinator):
    piece = piece_create(
        world, "Calm care at your pace. Book a free consultation. Baked before the city wakes."
    )
    html = as_coordinator.get(f"/{world['slug']}/content/{piece.pk}/").content.decode()
    for question in CHECKLIST_QUESTIONS:
        assert question.replace("'", "&#x27;") in html
    assert re.search(r'<mark class="bk-mark bk-\w+" data-keys="[^"]+">free consultation</mark>', html)
    assert re.search(
        r'<mark class="bk-mark bk-\w+" data-keys="[^"]+">Baked before the city wakes</mark>', html
    )
    assert "Birch Bakery" in html  # staff see whose tagline it is


def test_accept_dismiss_and_override_from_the_piece_page(world, as_coordinator):
    piece = piece_create(world, "Book a free consultation. Rated 4.9 stars by patients.")
    url = f"/{world['slug']}/content/{piece.pk}/"
    findings = as_coordinator.get(url).context["latest"].findings
    avoid = next(f for f in findings if f["check"] == "avoid")
    as_coordinator.post(url + "findings/", {"key": avoid["key"], "action": "accept"})
    page = as_coordinator.get(url)
    assert page.context["latest"].number == 2
    assert "Book a complimentary first visit." in page.context["latest"].body
    claim = next(f for f in page.context["latest"].findings if f["check"] == "claim")
    as_coordinator.post(url + "findings/", {"key": claim["key"], "action": "dismiss", "reason": ""})
    assert as_coordinator.get(url).context["dismissals"] == []
    as_coordinator.post(url + "move/", {"to_state": "ready_for_client"})
    assert as_coordinator.get(url).context["piece"].state == "draft"
    as_coordinator.post(
        url + "move/", {"to_state": "ready_for_client", "override_reason": "Client confirmed 4.9."}
    )
    page = as_coordinator.get(url)
    assert page.context["piece"].state == "ready_for_client"
    with scope(agency=world["agency"].pk):
        assert ContentTransition.objects.get(piece=piece).override_reason == "Client confirmed 4.9."
    assert "override:</strong> Client confirmed 4.9." in page.content.decode()


def test_the_content_list_filters_and_answers_in_a_fixed_number_of_queries(
    world, as_coordinator, django_assert_num_queries
):
    for n in range(10):
        piece_create(world, f"Calm care, visit {n}.", title=f"Piece {n}")
    url = f"/{world['slug']}/content/"
    as_coordinator.get(url)
    with django_assert_num_queries(STAFF_PAGE_READS + 4):
        response = as_coordinator.get(url + "?state=draft")
    assert len(response.context["pieces"]) == 10
    assert as_coordinator.get(url + "?channel=sms").context["pieces"] == []


def test_a_restricted_member_gets_404_for_a_client_they_are_not_on(world, logged_in):
    stranger = factories.membership_create(agency=world["agency"], discipline="writer")
    with scope(agency=world["agency"].pk):
        services.brand_settings_update(
            actor=world["owner"], members_see_only_their_clients=True, share_with_client_contacts=False
        )
    client = logged_in(stranger.user)
    assert client.get(f"/{world['slug']}/clients/{world['acme'].pk}/brand/").status_code == 404


def test_another_agencys_piece_and_brand_layer_are_not_found(world, other_team, as_owner):
    other = other_team["owner"]
    with scope(agency=other.agency_id):
        foreign = services.content_piece_create(
            actor=other, client=other_team["clients"][0], title="Theirs", channel="sms", body="Hello there."
        )
    assert as_owner.get(f"/{world['slug']}/content/{foreign.pk}/").status_code == 404
    assert as_owner.get(f"/{world['slug']}/clients/{other_team['clients'][0].pk}/brand/").status_code == 404


def test_the_portal_shows_the_clients_own_layer_only_when_shared_and_never_another_clients_name(
    world, as_contact
):
    url = f"/portal/{world['slug']}/brand/"
    assert "keeps your brand layer internal" in as_contact.get(url).content.decode()
    with scope(agency=world["agency"].pk):
        services.brand_settings_update(
            actor=world["owner"], members_see_only_their_clients=False, share_with_client_contacts=True
        )
    html = as_contact.get(url).content.decode()
    assert "Calm care, bright smiles" in html
    assert "Birch Bakery" not in html and "Baked before the city wakes" not in html


def test_the_import_page_refuses_broken_json_with_its_line_and_lists_unsupported_vale_rules(
    world, as_coordinator
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.brandkit.test_vale_import import HEDGING, SPELLING, style_zip

    url = f"/{world['slug']}/clients/{world['acme'].pk}/brand/import/"
    broken = SimpleUploadedFile("acme.json", b'{\n"tagline": "x",,\n}')
    response = as_coordinator.post(url, {"kind": "json", "file": broken})
    assert response.context["form"].errors["file"] == [
        "acme.json line 2, column 16: Expecting property name enclosed in double quotes."
    ]
    style = SimpleUploadedFile(
        "house.zip", style_zip({"House/Hedging.yml": HEDGING, "House/Spelling.yml": SPELLING})
    )
    response = as_coordinator.post(url, {"kind": "vale", "file": style})
    assert response.context["unsupported"] == ["House/Spelling.yml: House.Spelling (spelling)"]
    with scope(agency=world["agency"].pk):
        assert BrandLayerVersion.objects.filter(client=world["acme"]).count() == 2


def test_the_client_page_links_to_its_brand_layer(world, as_member):
    html = as_member.get(f"/{world['slug']}/clients/{world['acme'].pk}/").content.decode()
    assert f'href="/{world["slug"]}/clients/{world["acme"].pk}/brand/"' in html


def test_the_diff_page_shows_what_an_edit_removed_and_added(world, as_member):
    piece = piece_create(world, "Calm care at your pace.\nBook your first visit.")
    with scope(agency=world["agency"].pk):
        services.content_piece_edit(
            actor=world["coordinator"], piece=piece, body="Calm care at your pace.\nMeet the team first."
        )
    response = as_member.get(f"/{world['slug']}/content/{piece.pk}/diff/")
    assert (response.context["a"].number, response.context["b"].number) == (1, 2)
    body_lines = dict(response.context["rows"])["body"]
    assert body_lines == [
        (" ", "Calm care at your pace."),
        ("-", "Book your first visit."),
        ("+", "Meet the team first."),
    ]
    assert as_member.get(f"/{world['slug']}/content/{piece.pk}/diff/?a=1&b=9").status_code == 404


def test_an_htmx_filter_gets_only_the_table(world, as_member):
    piece_create(world, "Calm care at your pace.")
    html = as_member.get(
        f"/{world['slug']}/content/?channel=landing_page", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert html.lstrip().startswith('<div id="piece-table">')
    assert "Spring landing" in html and "<html" not in html


def test_a_constraint_attached_on_the_brand_page_is_cited_with_its_date_in_later_drafts(
    world, as_coordinator
):
    from datetime import date

    from approvals import services as approval_services

    with scope(agency=world["agency"].pk):
        entry = approval_services.decision_log_add(
            actor=world["owner"],
            client=world["acme"],
            decided_on=date(2026, 3, 12),
            decision="Stop promising same-day appointments.",
            approver_name="Anna at Acme",
            asset="All copy",
            source_kind="meeting",
        )
    url = f"/{world['slug']}/clients/{world['acme'].pk}/brand/"
    as_coordinator.post(
        url + "constraints/", {"entry": entry.pk, "term": "same-day appointments", "must": "absent"}
    )
    assert "“same-day appointments” must not appear" in as_coordinator.get(url).content.decode()
    piece = piece_create(world, "Calm care with same-day appointments.")
    html = as_coordinator.get(f"/{world['slug']}/content/{piece.pk}/").content.decode()
    question_8 = html[html.index('data-question="8"') :]
    assert "same-day appointments</mark>" in question_8 and "2026" in question_8


def test_a_piece_is_checked_again_when_the_brand_layer_changes(world, as_coordinator):
    piece = piece_create(world, "Calm care. Sign up for our newsletter.")
    url = f"/{world['slug']}/content/{piece.pk}/"
    assert not as_coordinator.get(url).context["stale_brand"]
    layer = acme_layer()
    layer["avoid"].append(
        {"phrase": "newsletter", "reason": "They call it the Acme letter.", "replacement": "Acme letter"}
    )
    layer_save(actor=world["coordinator"], client=world["acme"], content=layer)
    page = as_coordinator.get(url)
    assert page.context["stale_brand"] and "The brand layer has changed" in page.content.decode()
    as_coordinator.post(url + "recheck/")
    page = as_coordinator.get(url)
    latest = page.context["latest"]
    assert (
        latest.number == 2
        and latest.brand_version.number == 2
        and latest.body == "Calm care. Sign up for our newsletter."
    )
    assert [f["excerpt"] for f in latest.findings if f["check"] == "avoid"] == ["newsletter"]
    assert not page.context["stale_brand"]
