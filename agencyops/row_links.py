"""Links for the rows of a list, from one ``reverse()`` per kind of link instead of one per row.

A list of fifty items with two links each would otherwise resolve the URL map a hundred times on every
view; the URL is the same on both sides of the row's id, so it is worked out once and the id put between.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# A value no row's id takes, that the URL patterns accept wherever they take an id.
_ANY_ID = 2_147_483_647


@functools.lru_cache(maxsize=1024)
def _around_id(
    url_name: str, id_kwarg: str, kwargs: tuple[tuple[str, Any], ...], *where: Any
) -> tuple[str, str]:
    url = reverse(url_name, kwargs={**dict(kwargs), id_kwarg: _ANY_ID})
    # The id comes after every other part (an agency's slug may hold digits), so split at its last place.
    before, found, after = url.rpartition(str(_ANY_ID))
    assert found, f"{url_name} does not show its {id_kwarg}"
    return before, after


def link_by_id(url_name: str, id_kwarg: str, **kwargs: Any) -> Callable[[int], str]:
    """A function from a row's id to the URL ``url_name`` gives with that id (and ``kwargs``).

    The URL's two sides are remembered per process under everything reverse() reads (the URL map in use
    and the script prefix), so a page pays for each kind of link once per process, not once per view."""
    before, after = _around_id(
        url_name,
        id_kwarg,
        tuple(sorted(kwargs.items())),
        settings.ROOT_URLCONF,
        get_urlconf(),
        get_script_prefix(),
    )
    return lambda pk: f"{before}{pk}{after}"
