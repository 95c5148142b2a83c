"""The API's JSON renderer writes a page's already-encoded results in as they are: the bytes must be the
ones DRF's own renderer writes for the same page, whatever the rows hold."""

from __future__ import annotations

import json

import pytest
from rest_framework.renderers import JSONRenderer

from agencyops.api.renderers import EncodedJSON, SplicingJSONRenderer, encoded_json

ROWS = [
    {"id": 1, "title": "Héro copy — «final» 🚀", "hours": "2.5", "phase": None, "tags": [1, "two", None]},
    {"id": 2, "title": 'Quote " and \\ backslash', "nested": {"deep": [{"x": True}]}, "empty": []},
]


@pytest.mark.parametrize("rows", [ROWS, [], [{"only": "one"}]])
def test_a_page_with_encoded_results_renders_as_drf_renders_the_rows(rows):
    page = {"count": 41, "next": "http://testserver/x/?limit=2&offset=4", "previous": None}
    spliced = SplicingJSONRenderer().render({**page, "results": encoded_json(rows)}, "application/json")
    assert spliced == JSONRenderer().render({**page, "results": rows}, "application/json")
    assert json.loads(spliced)["results"] == rows


def test_asked_for_an_indent_the_whole_page_is_indented():
    page = {"count": 2, "next": None, "previous": None}
    media = "application/json; indent=4"
    context = {}
    spliced = SplicingJSONRenderer().render({**page, "results": encoded_json(ROWS)}, media, context)
    assert spliced == JSONRenderer().render({**page, "results": ROWS}, media, context)
    assert b'\n    "results": [' in spliced


def test_results_not_last_are_decoded_rather_than_spliced_in_the_wrong_place():
    data = {"results": encoded_json(ROWS), "count": 2}
    assert SplicingJSONRenderer().render(data) == JSONRenderer().render({"results": ROWS, "count": 2})


def test_anything_else_renders_as_drf_renders_it():
    for value in (ROWS, {"detail": "Not found."}, None, "text"):
        assert SplicingJSONRenderer().render(value) == JSONRenderer().render(value)
    assert isinstance(encoded_json(ROWS), EncodedJSON)
