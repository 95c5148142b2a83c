"""The brandkit API: brand layers, content pieces, findings, transitions and checking text unsaved."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope

from brandkit import services
from brandkit.models import BrandLayerVersion, ContentPiece
from tests import factories
from tests.brandkit.brand_data import acme_layer, birch_layer, layer_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(team):
    coordinator, (acme, birch) = team["coordinator"], team["clients"]
    layer_save(actor=coordinator, client=acme, content=acme_layer())
    layer_save(actor=coordinator, client=birch, content=birch_layer())
    project = factories.project_create(actor=team["owner"], client=acme)
    return {
        **team,
        "acme": acme,
        "birch": birch,
        "project": project,
        "api": factories.token_client(coordinator.user),
    }


def base(world):
    return f"/api/v1/agencies/{world['agency'].slug}/"


def test_reading_a_brand_layer_gives_the_latest_version_and_an_older_one_on_request(world):
    url = base(world) + f"clients/{world['acme'].pk}/brand/"
    changed = acme_layer() | {"tagline": "Gentle dentistry"}
    response = world["api"].put(url, {"content": changed, "note": "New tagline"}, format="json")
    assert response.status_code == 200 and response.json()["version"]["number"] == 2
    assert response.json()["version"]["changed"] == ["tagline"]
    assert world["api"].get(url).json()["content"]["tagline"] == "Gentle dentistry"
    assert world["api"].get(url + "?version=1").json()["content"]["tagline"] == "Calm care, bright smiles"
    versions = world["api"].get(url + "versions/").json()["results"]
    assert [(v["number"], v["note"]) for v in versions] == [(2, "New tagline"), (1, "")]
    compare = world["api"].get(url + "compare/?a=1&b=2").json()
    assert [c["section"] for c in compare["changes"]] == ["tagline"]
    assert compare["changes"][0]["after"] == "Gentle dentistry"


def test_an_invalid_update_names_the_field_and_adds_no_version(world):
    url = base(world) + f"clients/{world['acme'].pk}/brand/"
    bad = acme_layer()
    bad["ctas"]["world_domination"] = ["Obey"]
    response = world["api"].put(url, {"content": bad}, format="json")
    assert response.status_code == 400
    assert response.json() == {"ctas.world_domination": [
        "“world_domination” is not a campaign goal; use awareness, lead_generation, email_nurture, "
        "seo_content, sales, retention."
    ]}  # fmt: skip
    with scope(agency=world["agency"].pk):
        assert BrandLayerVersion.objects.filter(client=world["acme"]).count() == 1


def test_a_writer_reads_the_layer_but_cannot_change_it(world, team):
    writer = next(m for m in team["members"] if m.discipline == "writer")
    api = factories.token_client(writer.user)
    url = base(world) + f"clients/{world['acme'].pk}/brand/"
    assert api.get(url).json()["content"]["tagline"] == "Calm care, bright smiles"
    response = api.put(url, {"content": acme_layer()}, format="json")
    assert response.status_code == 403


def test_export_json_imports_back_into_another_client(world):
    exported = world["api"].get(base(world) + f"clients/{world['acme'].pk}/brand/export/")
    assert exported["Content-Disposition"].startswith('attachment; filename="acme-dental-brand-v1.json"')
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("acme.json", exported.content, content_type="application/json")
    response = world["api"].post(
        base(world) + f"clients/{world['birch'].pk}/brand/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["content"]["tagline"] == "Calm care, bright smiles"


def test_a_broken_json_import_answers_the_file_and_line_and_imports_nothing(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "brand.json", b'{"tagline": "x",\n"avoid": [}', content_type="application/json"
    )
    response = world["api"].post(
        base(world) + f"clients/{world['birch'].pk}/brand/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["file"][0].startswith("brand.json line 2, column 11:")
    with scope(agency=world["agency"].pk):
        assert BrandLayerVersion.objects.filter(client=world["birch"]).count() == 1


def test_content_is_created_checked_and_listed_by_client_state_and_channel(world):
    response = world["api"].post(
        base(world) + "content/",
        {
            "client": world["acme"].pk,
            "project": world["project"].pk,
            "title": "Spring landing",
            "channel": "landing_page",
            "goal": "lead_generation",
            "body": "Book a free consultation today. Calm care for nervous patients.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    piece = response.json()
    avoid = [f for f in piece["findings"] if f["check"] == "avoid"]
    assert avoid[0]["excerpt"] == "free consultation" and avoid[0]["can_accept"]
    listed = world["api"].get(base(world) + "content/?state=draft&channel=landing_page").json()["results"]
    assert [p["id"] for p in listed] == [piece["id"]]
    assert world["api"].get(base(world) + "content/?channel=sms").json()["results"] == []
    assert world["api"].get(base(world) + f"content/?client={world['birch'].pk}").json()["results"] == []
    assert world["api"].get(base(world) + "content/?state=shipped").status_code == 400


def test_accepting_through_the_api_saves_a_new_version(world):
    with scope(agency=world["agency"].pk):
        piece = services.content_piece_create(
            actor=world["coordinator"], client=world["acme"], title="Ad", channel="landing_page",
            body="Book a free consultation today.", project=world["project"],
        )  # fmt: skip
    url = base(world) + f"content/{piece.pk}/"
    key = next(f["key"] for f in world["api"].get(url + "check/").json() if f["check"] == "avoid")
    response = world["api"].post(url + "check/", {"key": key, "action": "accept"}, format="json")
    assert response.status_code == 200
    versions = world["api"].get(url + "versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["body"] == "Book a complimentary first visit today."
    refused = world["api"].post(
        url + "check/", {"key": key, "action": "dismiss", "reason": ""}, format="json"
    )
    assert refused.status_code == 400


def test_transitions_refuse_open_errors_without_an_override_and_send_for_approval(world):
    with scope(agency=world["agency"].pk):
        piece = services.content_piece_create(
            actor=world["coordinator"], client=world["acme"], title="Ad", channel="landing_page",
            body="Rated 4.9 stars by patients. Book your first visit.", project=world["project"],
        )  # fmt: skip
    url = base(world) + f"content/{piece.pk}/transitions/"
    refused = world["api"].post(url, {"to_state": "ready_for_client"}, format="json")
    assert refused.status_code == 400 and "open error" in refused.json()["state"][0]
    moved = world["api"].post(
        url, {"to_state": "ready_for_client", "override_reason": "Figure confirmed by phone."}, format="json"
    )
    assert moved.json()["state"] == "ready_for_client"
    sent = world["api"].post(url, {"to_state": "sent_for_approval"}, format="json")
    assert sent.status_code == 200 and sent.json()["state"] == "sent_for_approval"
    assert sent.json()["approval_request"] is not None


def test_checking_text_without_saving_finds_the_same_problems_and_saves_nothing(world):
    response = world["api"].post(
        base(world) + "check/",
        {
            "client": world["acme"].pk,
            "channel": "sms",
            "body": "Free consultation! Baked before the city wakes.",
        },
        format="json",
    )
    assert response.status_code == 200
    checks = {f["check"] for f in response.json()["findings"]}
    assert {"avoid", "bleed"} <= checks
    assert response.json()["brand_version"] == 1
    with scope(agency=world["agency"].pk):
        assert not ContentPiece.objects.exists()


def test_checking_more_than_100000_characters_is_refused_with_413(world):
    body = "Calm care. " * 10_000
    response = world["api"].post(
        base(world) + "check/", {"client": world["acme"].pk, "channel": "blog", "body": body}, format="json"
    )
    assert response.status_code == 413
    assert "110,000 characters" in response.json()["detail"]


def test_another_agencys_client_and_piece_are_not_found(world, other_team):
    other = other_team["owner"]
    with scope(agency=other.agency_id):
        foreign = services.content_piece_create(
            actor=other, client=other_team["clients"][0], title="Theirs", channel="sms", body="Hello there."
        )
    assert world["api"].get(base(world) + f"clients/{other_team['clients'][0].pk}/brand/").status_code == 404
    assert world["api"].get(base(world) + f"content/{foreign.pk}/").status_code == 404
    response = world["api"].post(
        base(world) + "check/",
        {"client": other_team["clients"][0].pk, "channel": "sms", "body": "Hi"},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"client": ["Choose one of your clients."]}


def test_a_restricted_member_cannot_see_clients_they_are_not_on(world, team):
    member = factories.membership_create(agency=world["agency"], discipline="writer")
    with scope(agency=world["agency"].pk):
        services.brand_settings_update(
            actor=team["owner"], members_see_only_their_clients=True, share_with_client_contacts=False
        )
    api = factories.token_client(member.user)
    assert api.get(base(world) + f"clients/{world['acme'].pk}/brand/").status_code == 404


def test_the_content_list_answers_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    with scope(agency=world["agency"].pk):
        for n in range(12):
            services.content_piece_create(
                actor=world["coordinator"], client=world["acme" if n % 2 else "birch"], title=f"Piece {n}",
                channel="sms", body=f"Hello number {n}.", project=world["project"] if n % 2 else None,
            )  # fmt: skip
    # auth token, membership, brand settings, count, page
    with django_assert_num_queries(5):
        response = world["api"].get(base(world) + "content/")
    assert len(response.json()["results"]) == 12


def test_the_schema_describes_the_brand_and_content_endpoints(world):
    schema = world["api"].get("/api/schema/?format=json")
    paths = (
        json.loads(schema.content)["paths"] if schema["Content-Type"].startswith("application/json") else None
    )
    if paths is None:
        import yaml

        paths = yaml.safe_load(schema.content)["paths"]
    assert "/api/v1/agencies/{agency_slug}/check/" in paths
    assert "413" in paths["/api/v1/agencies/{agency_slug}/check/"]["post"]["responses"]
    assert "put" in paths["/api/v1/agencies/{agency_slug}/clients/{client_id}/brand/"]


def test_hostile_input_gets_a_clear_400_never_a_500(world):
    url = base(world) + f"clients/{world['acme'].pk}/brand/"
    too_many = acme_layer() | {"avoid": [{"phrase": f"term {n}"} for n in range(1001)]}
    response = world["api"].put(url, {"content": too_many}, format="json")
    assert response.status_code == 400 and response.json() == {"avoid": ["At most 1000 rows."]}
    assert world["api"].put(url, {"content": ["not", "a", "layer"]}, format="json").status_code == 400
    nested = acme_layer() | {"seo": {"spelling": {"$gt": ""}}}
    assert world["api"].put(url, {"content": nested}, format="json").json() == {
        "seo.spelling": ["Choose one of 'US', 'UK'."]
    }
    check = world["api"].post(
        base(world) + "check/",
        {"client": world["acme"].pk, "channel": "sms", "body": ["a", "list"]},
        format="json",
    )
    assert check.status_code == 400
    wrong_channel = world["api"].post(
        base(world) + "content/",
        {"client": world["acme"].pk, "title": "x", "channel": "fax", "body": "Hi"},
        format="json",
    )
    assert wrong_channel.status_code == 400 and "channel" in wrong_channel.json()
    with scope(agency=world["agency"].pk):
        piece = services.content_piece_create(
            actor=world["coordinator"], client=world["acme"], title="SMS", channel="sms", body="Hello."
        )
    unknown = world["api"].post(
        base(world) + f"content/{piece.pk}/check/", {"key": "nope", "action": "accept"}, format="json"
    )
    assert unknown.status_code == 400 and unknown.json() == {
        "finding": ["That finding is not on the latest version; check again."]
    }
