"""The API's JSON renderer: DRF's own, which can also write in a part of a response already encoded."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import JSONRenderer


class EncodedJSON(bytes):
    """A value already encoded as DRF's JSON renderer encodes it (``encoded_json``): written into a
    response as it is, so a list kept in the cache is neither decoded nor encoded again."""


def encoded_json(value: Any) -> EncodedJSON:
    """``value`` as the API's renderer writes it (compact, UTF-8, no indent)."""
    return EncodedJSON(SplicingJSONRenderer().render(value))


class SplicingJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, for a page whose ``results`` are ``EncodedJSON``: the envelope (count, links)
    is encoded as usual and the results are written in as they are, the same bytes DRF would write.
    Asked for indented JSON, the results are decoded and the whole page encoded with the indent."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        results = data.get("results") if isinstance(data, Mapping) else None
        if not isinstance(results, EncodedJSON):
            return super().render(data, accepted_media_type, renderer_context)
        if self.get_indent(accepted_media_type or "", dict(renderer_context or {})):
            return super().render(
                {**data, "results": json.loads(results)}, accepted_media_type, renderer_context
            )
        # The envelope with the results last, as the pager builds it; null stands in for them.
        head = super().render({**data, "results": None}, accepted_media_type, renderer_context)
        if list(data)[-1] != "results" or not head.endswith(b"null}"):
            return super().render(
                {**data, "results": json.loads(results)}, accepted_media_type, renderer_context
            )
        return head[: -len(b"null}")] + results + b"}"
