"""Vale styles in and out of a brand layer: supported kinds run, others are listed, broken ones refused whole."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from brandkit import selectors, services
from brandkit.models import BrandLayerVersion
from tests import factories
from tests.brandkit.brand_data import acme_layer, layer_save

pytestmark = pytest.mark.django_db

HEDGING = """extends: existence
message: "Avoid hedging: '%s'."
level: warning
ignorecase: true
tokens:
  - kind of
  - sort of
"""
SWAP = """extends: substitution
message: "Use '%s' instead of '%s'."
level: error
swap:
  utilize: use
"""
SPELLING = """extends: spelling
message: "Did you really mean '%s'?"
"""
BROKEN = """extends: existence
message: "Broken"
tokens:
  - [unclosed
"""


def style_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return buffer.getvalue()


def test_an_imported_style_runs_in_the_checks_and_lists_the_kinds_it_does_not_run(team):
    coordinator, client = team["coordinator"], team["clients"][0]
    layer_save(actor=coordinator, client=client, content=acme_layer())
    raw = style_zip({"House/Hedging.yml": HEDGING, "House/Swap.yml": SWAP, "House/Spelling.yml": SPELLING})
    with scope(agency=team["agency"].pk):
        version, unsupported = services.brand_layer_import_vale(actor=coordinator, client=client, raw=raw)
        assert version.number == 2 and version.changed == ["vale"]
        assert unsupported == ["House/Spelling.yml: House.Spelling (spelling)"]
        records, _ = services.content_check(
            client=client, channel="blog", goal="", texts={"body": "We utilize a kind of magic.", "subject": "",
                                                             "preheader": "", "headline": ""},
        )  # fmt: skip
    vale = [(r["excerpt"], r["suggestion"]) for r in records if r["check"] == "vale"]
    assert ("utilize", "use") in vale and any(excerpt == "kind of" for excerpt, _ in vale)


def test_a_broken_rule_refuses_the_whole_zip_naming_file_and_line(team):
    coordinator, client = team["coordinator"], team["clients"][0]
    layer_save(actor=coordinator, client=client, content=acme_layer())
    raw = style_zip({"House/Hedging.yml": HEDGING, "House/Broken.yml": BROKEN})
    with scope(agency=team["agency"].pk):
        with pytest.raises(ValidationError) as refused:
            services.brand_layer_import_vale(actor=coordinator, client=client, raw=raw, filename="house.zip")
        message = refused.value.message_dict["file"][0]
        assert message.startswith("house.zip: House/Broken.yml, line ")
        assert BrandLayerVersion.objects.filter(client=client).count() == 1
        assert selectors.brand_layer_latest(client).content["vale"] == []


def test_not_a_zip_is_refused(team):
    with scope(agency=team["agency"].pk), pytest.raises(ValidationError, match="not a zip"):
        services.brand_layer_import_vale(actor=team["coordinator"], client=team["clients"][0], raw=b"hello")


def test_the_vale_export_carries_the_avoid_list_and_gives_imported_rules_back_as_they_came(team):
    coordinator, client = team["coordinator"], team["clients"][0]
    layer_save(actor=coordinator, client=client, content=acme_layer())
    with scope(agency=team["agency"].pk):
        services.brand_layer_import_vale(
            actor=coordinator, client=client, raw=style_zip({"House/Hedging.yml": HEDGING})
        )
    api = factories.token_client(coordinator.user)
    url = f"/api/v1/agencies/{team['agency'].slug}/clients/{client.pk}/brand/vale/"
    as_json = api.get(url).json()
    assert as_json["filename"] == "acme-dental-vale-v2.zip"
    assert as_json["files"]["House/Hedging.yml"] == HEDGING
    response = api.get(url, HTTP_ACCEPT="application/zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = set(archive.namelist())
        assert archive.read("House/Hedging.yml").decode() == HEDGING
        assert "complimentary first visit" in archive.read("AcmeDental/AvoidReplace.yml").decode()
    assert "House/Hedging.yml" in names


def test_the_vale_import_endpoint_answers_unsupported_rules(team):
    coordinator, client = team["coordinator"], team["clients"][0]
    api = factories.token_client(coordinator.user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "house.zip", style_zip({"House/Hedging.yml": HEDGING, "House/Spelling.yml": SPELLING})
    )
    response = api.post(
        f"/api/v1/agencies/{team['agency'].slug}/clients/{client.pk}/brand/vale/",
        {"file": upload},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["unsupported"] == ["House/Spelling.yml: House.Spelling (spelling)"]
