"""The OpenAPI schema and the Swagger UI: complete, valid, and served from our own origin only."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

EXTERNAL_ORIGIN = re.compile(r"""https?://(?!testserver[/"'])[^\s"'<>)]+""")


def _api_routes(patterns=None, prefix: str = "") -> list[str]:
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _api_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/v"):
            routes.append(route)
    return routes


def test_the_schema_passes_openapi_validation_with_no_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "AgencyOps API"


def test_every_api_route_is_in_the_schema_with_typed_responses(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())

    documented = set(schema["paths"])
    # drf-spectacular spells a "pk" path parameter "id" (SCHEMA_COERCE_PATH_PK).
    expected = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}") for route in _api_routes()
    }

    assert expected, "no API routes found"
    assert expected <= documented
    for path in expected:
        for method, operation in schema["paths"][path].items():
            if operation.get("x-always-refused"):
                # e.g. staff deciding for a client: documented, but only ever a 403 or 404.
                assert set(operation["responses"]) <= {"403", "404"}, (method, path)
                continue
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, f"{method.upper()} {path} documents no success response"
            for code in success:
                if code != "204":
                    content = operation["responses"][code]["content"]
                    # A file download is typed by its own media types, as binary; anything else is JSON.
                    download = all(media["schema"].get("format") == "binary" for media in content.values())
                    assert download or content["application/json"]["schema"], (method, path)


def test_the_token_endpoint_is_documented_as_needing_no_credentials(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    operation = yaml.safe_load(target.read_text())["paths"]["/api/v1/auth/token/"]["post"]

    assert operation.get("security", []) in ([], [{}])
    assert set(operation["requestBody"]["content"]["application/json"]["schema"].values()) == {
        "#/components/schemas/TokenInputRequest"
    }
    assert {"200", "400", "429"} <= set(operation["responses"])


@pytest.mark.django_db
def test_the_schema_is_served_as_openapi_3(as_member):
    response = as_member.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert "/api/v1/agencies/{agency_slug}/clients/" in body["paths"]


@pytest.mark.django_db
def test_the_swagger_page_loads_everything_from_our_own_origin_with_no_inline_script_or_style(as_member):
    page = as_member.get(reverse("api-docs"))
    html = page.content.decode()

    assert page.status_code == 200
    assert EXTERNAL_ORIGIN.findall(html) == []
    assert "<style" not in html
    assert " style=" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3
    assert all('src="' in attributes and not body.strip() for attributes, body in scripts)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "default-src 'self'" in page["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_swagger_script_is_a_separate_request_that_points_at_our_schema(as_member):
    client = as_member
    html = client.get(reverse("api-docs")).content.decode()
    script_url = re.findall(r'<script src="([^"]*\?script[^"]*)"', html)[0].replace("&amp;", "&")

    script = client.get(script_url)

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api-schema") in script.content.decode()
    assert EXTERNAL_ORIGIN.findall(script.content.decode()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api-schema", "api-docs"])
def test_with_debug_off_the_schema_and_docs_are_for_the_agency_team_only(
    name, settings, client, as_contact, as_member, team
):
    settings.API_DOCS_PUBLIC = False

    stranger = client.get(reverse(name))
    contact = as_contact.get(reverse(name))
    member = as_member.get(reverse(name))

    assert (stranger.status_code, contact.status_code) == (401, 403)
    assert "openapi" not in stranger.content.decode() and "swagger" not in stranger.content.decode().lower()
    assert member.status_code == 200


@pytest.mark.django_db
def test_a_setting_makes_the_schema_public(settings, client):
    settings.API_DOCS_PUBLIC = True

    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_schema_tells_the_truth_about_plain_lists_nullable_fields_and_empty_strings():
    """Each was a mismatch schemathesis found (tests/agencyops/test_api_schemathesis.py): regressions."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths, components = schema["paths"], schema["components"]["schemas"]

    def ok_schema(path: str) -> dict:
        return paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    for path in [
        "/api/v1/agencies/{agency_slug}/approvals/{request_id}/comments/",
        "/api/v1/agencies/{agency_slug}/approvals/{request_id}/versions/",
        "/api/v1/agencies/{agency_slug}/templates/",
        "/api/v1/portal/{agency_slug}/approvals/{request_id}/comments/",
    ]:
        assert ok_schema(path)["type"] == "array", path
    # A project's task list is paged (a plan can be long), and says so.
    assert ok_schema("/api/v1/agencies/{agency_slug}/projects/{id}/tasks/")["$ref"].endswith("/PaginatedTaskList")
    assert components["StaffVersion"]["properties"]["file_url"]["nullable"] is True
    assert components["PortalApproval"]["properties"]["seconds_left"]["nullable"] is True
    assert components["HomeDecision"]["properties"]["task_id"]["nullable"] is True
    assert "format" not in components["Client"]["properties"]["website"]
    discipline = components["Membership"]["properties"]["discipline"]
    assert any("BlankEnum" in str(option) for option in discipline.get("oneOf", [])), discipline
