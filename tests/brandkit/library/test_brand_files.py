"""Library files chosen by a client's brand layer: example assets that sound right and proof for approved
claims. Only the client's own live files can be chosen (page, service and API); drafts read the text of
the chosen example files."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from brandkit.drafting import services as drafting
from brandkit.library import services as library
from tests import factories
from tests.brandkit.brand_data import acme_layer, layer_save
from tests.brandkit.library import fixtures
from tests.reads import STAFF_PAGE_READS

CLAIM = "Rated 4.8 stars by 1,200 patients"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _file(team, title: str, *, client_index: int = 0, text: bytes = b"", team_key: str = "coordinator"):
    with scope(agency=team["agency"].pk):
        item = library.library_item_create(
            actor=team[team_key], title=title, kind="past_work", client=team["clients"][client_index],
            upload=fixtures.upload(f"{title}.txt", text or title.encode()),
        )  # fmt: skip
        library.library_version_index(library_version_id=item.latest_version_id)
        return item


@pytest.fixture
def acme(team):
    layer_save(actor=team["coordinator"], client=team["clients"][0], content=acme_layer())
    return {
        "client": team["clients"][0],
        "landing": _file(
            team, "Spring landing page", text=b"Book the appointment that suits you, in two taps."
        ),
        "reviews": _file(team, "Google reviews export"),
        "other_clients": _file(team, "Birch menu", client_index=1),
    }


def _page(team, client):
    return reverse("brand_files", args=[team["agency"].slug, client.pk])


@pytest.mark.django_db
def test_a_coordinator_chooses_example_files_and_claim_proof_from_the_clients_own_library(
    team, acme, as_coordinator
):
    page = as_coordinator.get(_page(team, acme["client"])).content.decode()
    assert "Spring landing page" in page and "Google reviews export" in page
    assert "Birch menu" not in page  # another client's file is never offered
    assert f"Proof for the claim “{CLAIM}”" in page and 'for="example-' in page

    saved = as_coordinator.post(
        _page(team, acme["client"]),
        {"examples": [acme["landing"].pk], "proof-0": [acme["reviews"].pk]},
    )

    assert saved.status_code == 302
    layer_page = as_coordinator.get(saved["Location"]).content.decode()
    landing_url = reverse("library_item", args=[team["agency"].slug, acme["landing"].pk])
    assert f'<a href="{landing_url}">Spring landing page</a>' in layer_page
    assert f"“{CLAIM}”: <a href" in layer_page and "Google reviews export</a>" in layer_page


@pytest.mark.django_db
def test_another_clients_or_a_deleted_file_is_refused_and_nothing_is_saved(team, acme, as_coordinator):
    refused = as_coordinator.post(
        _page(team, acme["client"]), {"examples": [acme["landing"].pk, acme["other_clients"].pk]}
    )
    assert refused.status_code == 400
    assert (
        f"No such library file of {acme['client'].name}: {acme['other_clients'].pk}."
        in refused.content.decode()
    )
    with scope(agency=team["agency"].pk):
        library.library_item_delete(actor=team["coordinator"], item=acme["reviews"])
    deleted = as_coordinator.post(_page(team, acme["client"]), {"proof-0": [acme["reviews"].pk]})
    assert deleted.status_code == 400
    hand_made = as_coordinator.post(_page(team, acme["client"]), {"examples": ["1 OR 1=1"]})
    assert hand_made.status_code == 400
    api = factories.token_client(team["coordinator"].user)
    url = reverse("api_brand_files", args=[team["agency"].slug, acme["client"].pk])
    assert api.get(url).json() == {"examples": [], "proofs": []}


@pytest.mark.django_db
def test_the_api_reads_and_sets_the_files_through_the_clients_own_library(team, other_team, acme):
    api = factories.token_client(team["coordinator"].user)
    url = reverse("api_brand_files", args=[team["agency"].slug, acme["client"].pk])

    saved = api.put(
        url,
        {"examples": [acme["landing"].pk], "proofs": [{"claim": CLAIM, "items": [acme["reviews"].pk]}]},
        format="json",
    )

    assert saved.status_code == 200, saved.content
    body = api.get(url).json()
    assert [e["title"] for e in body["examples"]] == ["Spring landing page"]
    assert body["proofs"] == [
        {"claim": CLAIM, "items": [{"id": acme["reviews"].pk, "title": "Google reviews export",
                                    "kind": "past_work", "latest_version": 1}]}
    ]  # fmt: skip
    other_client = api.put(url, {"examples": [acme["other_clients"].pk]}, format="json")
    assert other_client.status_code == 400 and "examples" in other_client.json()
    theirs = _file(other_team, "Their file", team_key="coordinator")
    other_agency = api.put(url, {"examples": [theirs.pk]}, format="json")
    assert other_agency.status_code == 400 and "examples" in other_agency.json()
    not_a_claim = api.put(
        url, {"proofs": [{"claim": "Best in the world", "items": [acme["reviews"].pk]}]}, format="json"
    )
    assert not_a_claim.status_code == 400 and "proofs" in not_a_claim.json()
    their_client = reverse("api_brand_files", args=[team["agency"].slug, other_team["clients"][0].pk])
    assert api.get(their_client).status_code == 404
    assert [e["title"] for e in api.get(url).json()["examples"]] == [
        "Spring landing page"
    ]  # refusals kept it


@pytest.mark.django_db
def test_a_member_without_brand_rights_cannot_choose_files(team, acme, logged_in):
    designer = next(m for m in team["members"] if m.discipline == "designer")
    assert logged_in(designer.user).get(_page(team, acme["client"])).status_code == 404
    api = factories.token_client(designer.user)
    url = reverse("api_brand_files", args=[team["agency"].slug, acme["client"].pk])
    assert api.put(url, {"examples": [acme["landing"].pk]}, format="json").status_code == 403


@pytest.mark.django_db
def test_a_draft_follows_the_text_of_the_chosen_example_files(team, acme):
    with scope(agency=team["agency"].pk):
        from brandkit import services

        services.brand_files_set(
            actor=team["coordinator"], client=acme["client"], examples=[acme["landing"].pk], proofs={}
        )
        job = drafting.drafting_job_create(
            actor=team["coordinator"], kind="first_draft", client=acme["client"],
            inputs={"channel": "email", "title": "Spring check-ups"},
        )  # fmt: skip
    prompt = "\n".join(message["content"] for message in job.messages)
    assert "Spring landing page: Book the appointment that suits you, in two taps." in prompt
    assert "Birch menu" not in prompt


@pytest.mark.django_db
def test_the_picker_page_and_endpoint_answer_in_a_fixed_number_of_queries(
    team, acme, as_coordinator, django_assert_num_queries
):
    for n in range(15):
        _file(team, f"Photo {n}")
    with scope(agency=team["agency"].pk):
        from brandkit import services

        services.brand_files_set(
            actor=team["coordinator"], client=acme["client"],
            examples=[acme["landing"].pk, acme["reviews"].pk], proofs={CLAIM: [acme["reviews"].pk]},
        )  # fmt: skip
    page = _page(team, acme["client"])
    as_coordinator.get(page)
    with django_assert_num_queries(STAFF_PAGE_READS + 5):
        response = as_coordinator.get(page)
    assert response.content.decode().count('name="examples"') == 17
    api = factories.token_client(team["coordinator"].user)
    url = reverse("api_brand_files", args=[team["agency"].slug, acme["client"].pk])
    with django_assert_num_queries(5):
        body = api.get(url).json()
    assert len(body["examples"]) == 2
