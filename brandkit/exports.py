"""Files a brand layer leaves as: the JSON document and a Vale style zip of its rules."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.text import slugify

from agencyops.models import Client
from brandkit.layer import empty_layer, layer_rules
from brandkit.models import BrandLayerVersion

JSON_FORMAT = "agencyops-brand-layer/1"


def brand_export_json(client: Client, version: BrandLayerVersion | None) -> HttpResponse:
    """The layer as a downloadable JSON document that imports back unchanged."""
    document = {"format": JSON_FORMAT, **(version.content if version else empty_layer())}
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    number = version.number if version else 0
    response["Content-Disposition"] = f'attachment; filename="{slugify(client.name)}-brand-v{number}.json"'
    return response


def brand_export_vale_zip(client: Client, version: BrandLayerVersion | None) -> HttpResponse:
    """The layer's rules as a Vale style: the avoid list, jargon and AI-tell additions as rules of the
    brand's own, plus the styles imported into it, file for file."""
    from brandkit.selectors import vale_rules_of
    from brandkit.vale import export_style

    layer = version.content if version else empty_layer()
    rules = layer_rules(layer, client_name=client.name, vale_rules=vale_rules_of(layer))
    response = HttpResponse(export_style(rules), content_type="application/zip")
    number = version.number if version else 0
    response["Content-Disposition"] = f'attachment; filename="{slugify(client.name)}-vale-v{number}.zip"'
    return response
