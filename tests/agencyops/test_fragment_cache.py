"""The fragment cache's key follows the markup: a change to a body's template, or to a template it
includes, is a new key after a deploy."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.test import RequestFactory
from django.test.utils import override_settings
from django.utils import timezone

from agencyops import fragment_cache

ROWS_TEMPLATE = {"rows.html": "{{ rows|join:',' }}"}


@contextmanager
def _only_templates(sources: dict[str, str]) -> Iterator[HttpRequest]:
    """A request, with ``sources`` (name: source) the only templates there are."""
    templates = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", sources)]},
        }
    ]
    with override_settings(TEMPLATES=templates):
        fragment_cache._templates_stamp.cache_clear()
        try:
            yield RequestFactory().get("/")
        finally:
            fragment_cache._templates_stamp.cache_clear()


def _stamp_with(templates: dict[str, str]) -> str:
    with _only_templates(templates):
        return fragment_cache._templates_stamp("body.html")


def test_a_change_to_an_included_template_changes_the_key():
    body = "<main>{% include 'card.html' %}{% for x in xs %}{% include 'row.html' %}{% endfor %}</main>"
    first = _stamp_with(
        {"body.html": body, "card.html": "{% include 'badge.html' %}", "badge.html": "A", "row.html": "r"}
    )
    assert first == _stamp_with(
        {"body.html": body, "card.html": "{% include 'badge.html' %}", "badge.html": "A", "row.html": "r"}
    )
    # Included two levels down, and inside a loop.
    assert first != _stamp_with(
        {"body.html": body, "card.html": "{% include 'badge.html' %}", "badge.html": "B", "row.html": "r"}
    )
    assert first != _stamp_with(
        {"body.html": body, "card.html": "{% include 'badge.html' %}", "badge.html": "A", "row.html": "R"}
    )


def test_a_template_that_includes_itself_does_not_loop():
    assert _stamp_with({"body.html": "{% if deep %}{% include 'body.html' %}{% endif %}"})


def _render_for_data(data, calls: list, *, variant=()):
    def context():
        calls.append(data)
        return {"rows": data["rows"]}

    with _only_templates(ROWS_TEMPLATE) as request:
        return fragment_cache.render_for_data(
            request, template_name="rows.html", data=data, variant=variant, context=context
        )


def test_a_body_keyed_on_its_data_is_rendered_again_only_when_the_data_changes():
    # A token of this run, so a body kept by an earlier run is not found.
    run = uuid.uuid4().hex
    calls: list = []
    assert _render_for_data({"run": run, "rows": ["a", "b"]}, calls) == "a,b"
    assert _render_for_data({"run": run, "rows": ["a", "b"]}, calls) == "a,b"
    assert len(calls) == 1
    assert _render_for_data({"run": run, "rows": ["a", "c"]}, calls) == "a,c"
    assert len(calls) == 2
    # What else the body depends on (the viewer, say) is part of the key too.
    assert _render_for_data({"run": run, "rows": ["a", "c"]}, calls, variant=("another viewer",)) == "a,c"
    assert len(calls) == 3


def test_data_that_cannot_be_digested_is_rendered_every_time():
    calls: list = []
    data = {"rows": ["x"], "load": lambda: None}
    assert _render_for_data(data, calls) == "x"
    assert _render_for_data(data, calls) == "x"
    assert len(calls) == 2


def test_a_body_rendered_against_other_collected_static_files_has_another_key():
    # A body names scripts and styles through the static storage (hashed names with a manifest): one
    # rendered by a server with collected files must not be served by one without, nor after a deploy.
    templates = {"body.html": "<main></main>"}
    manifest = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    fragment_cache._static_stamp.cache_clear()
    try:
        plain = _stamp_with(templates)
        with override_settings(STORAGES={**settings.STORAGES, "staticfiles": manifest}):
            fragment_cache._static_stamp.cache_clear()
            hashed = _stamp_with(templates)
    finally:
        fragment_cache._static_stamp.cache_clear()
    assert plain != hashed
    assert plain == _stamp_with(templates)


def _render_all(items: list[str], rendered: list, *, run: str) -> str:
    """render_all_for_data over one row per item, recording which rows were rendered."""

    def context_of(value):
        def context():
            rendered.append(value)
            return {"v": value}

        return context

    with _only_templates({"row.html": "<li>{{ v }}</li>"}) as request:
        return fragment_cache.render_all_for_data(
            request,
            template_name="row.html",
            items=[((run, value), context_of(value)) for value in items],
            variant=("list",),
        )


def test_a_list_kept_whole_and_by_row_renders_only_the_row_that_changed():
    from django.core.cache import cache

    run = uuid.uuid4().hex
    rendered: list = []
    assert _render_all(["a", "b", "c"], rendered, run=run) == "<li>a</li><li>b</li><li>c</li>"
    assert rendered == ["a", "b", "c"]

    # The same rows: the whole list in one read, nothing rendered.
    reads = []
    original_get_many, original_get = cache.get_many, cache.get
    cache.get_many = lambda keys: reads.append(("many", len(keys))) or original_get_many(keys)  # type: ignore[method-assign]
    cache.get = lambda key, *a: reads.append(("one", 1)) or original_get(key, *a)  # type: ignore[method-assign]
    try:
        assert _render_all(["a", "b", "c"], rendered, run=run) == "<li>a</li><li>b</li><li>c</li>"
    finally:
        cache.get_many, cache.get = original_get_many, original_get  # type: ignore[method-assign]
    assert rendered == ["a", "b", "c"] and reads == [("one", 1)]

    # One row changed: that row alone is rendered, the others come from their own keys.
    assert _render_all(["a", "B", "c"], rendered, run=run) == "<li>a</li><li>B</li><li>c</li>"
    assert rendered == ["a", "b", "c", "B"]
    # Nothing at all: nothing to read or render.
    assert _render_all([], rendered, run=run) == ""


def _render_versioned(version: str, rows: list[str], calls: list, *, run: str) -> str:
    """A body kept under ``version`` whose ``load`` reads ``rows`` (as a page's selectors would)."""

    def load():
        calls.append("load")
        read = list(rows)

        def context():
            calls.append("render")
            return {"rows": read}

        return read, context, None

    with _only_templates(ROWS_TEMPLATE) as request:
        return fragment_cache.render_for_version(
            request, template_name="rows.html", version=f"{run}.{version}", variant=(run,), load=load
        )


def _a_new_version_showing_the_same_rows_is_not_rendered_again() -> None:
    run = uuid.uuid4().hex
    calls: list = []
    assert _render_versioned("1", ["a", "b"], calls, run=run) == "a,b"
    assert calls == ["load", "render"]
    # Same version: kept, nothing read.
    assert _render_versioned("1", ["a", "b"], calls, run=run) == "a,b"
    assert calls == ["load", "render"]
    # A new version, the same rows: read, not rendered; then kept under the new version as well.
    assert _render_versioned("2", ["a", "b"], calls, run=run) == "a,b"
    assert calls == ["load", "render", "load"]
    assert _render_versioned("2", ["a", "b"], calls, run=run) == "a,b"
    assert calls == ["load", "render", "load"]
    # A new version with other rows is rendered.
    assert _render_versioned("3", ["a", "c"], calls, run=run) == "a,c"
    assert calls == ["load", "render", "load", "load", "render"]
    # Back to rows shown before: that body again.
    assert _render_versioned("4", ["a", "b"], calls, run=run) == "a,b"
    assert calls == ["load", "render", "load", "load", "render", "load"]


def test_a_new_version_showing_the_same_rows_is_not_rendered_again_on_redis():
    _a_new_version_showing_the_same_rows_is_not_rendered_again()


def test_a_new_version_showing_the_same_rows_is_not_rendered_again_on_another_cache():
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kept-again"}
        }
    ):
        _a_new_version_showing_the_same_rows_is_not_rendered_again()


def test_a_body_that_changes_by_itself_is_kept_until_its_moment_and_loaded_again_after():
    def render(version: str, fresh_until, loads: list) -> str:
        def load():
            loads.append(version)
            return ["a"], lambda: {"rows": ["a"]}, fresh_until

        with _only_templates(ROWS_TEMPLATE) as request:
            return fragment_cache.render_for_version(
                request, template_name="rows.html", version=version, variant=(run,), load=load
            )

    run = uuid.uuid4().hex
    loads: list = []
    later = timezone.now() + timedelta(hours=1)
    assert render("1", later, loads) == "a"
    assert render("1", later, loads) == "a"
    assert loads == ["1"]
    # Its moment has passed: kept under the version for nobody, so every view loads it again.
    gone = timezone.now() - timedelta(seconds=1)
    assert render("2", gone, loads) == "a"
    assert render("2", gone, loads) == "a"
    assert loads == ["1", "2", "2"]


def test_a_body_rendered_from_rows_read_after_a_write_is_never_kept_under_the_digest_it_was_looked_up_by():
    """``data`` stands for the rows (a digest PostgreSQL computed), and the render reads them apart: when a
    write lands in between (``unchanged()`` says so), the body shows the newer rows and must not be found by
    the older rows' digest; it is kept under its version all the same."""
    run = uuid.uuid4().hex

    def render(version: str, digest: str, rows: list[str], *, unchanged: bool, calls: list) -> str:
        def load():
            calls.append("load")
            return digest, lambda: calls.append("render") or {"rows": rows}, None

        with _only_templates(ROWS_TEMPLATE) as request:
            return fragment_cache.render_for_version(
                request,
                template_name="rows.html",
                version=f"{run}.{version}",
                variant=(run,),
                load=load,
                unchanged=lambda: unchanged,
            )

    calls: list = []
    # The digest read says "a,b"; a write renamed b to c before the rows were read.
    assert render("1", "digest of a,b", ["a", "c"], unchanged=False, calls=calls) == "a,c"
    # Kept under its version: the same version is a plain hit.
    assert render("1", "digest of a,b", ["a", "c"], unchanged=False, calls=calls) == "a,c"
    assert calls == ["load", "render"]
    # A later version whose rows are a,b again is rendered from them, not handed the a,c body.
    assert render("2", "digest of a,b", ["a", "b"], unchanged=True, calls=calls) == "a,b"
    assert calls == ["load", "render", "load", "render"]
    # Rendered with nothing in between, it is kept under its digest: a new version with the same rows is
    # not rendered again.
    assert render("3", "digest of a,b", ["a", "b"], unchanged=True, calls=calls) == "a,b"
    assert calls == ["load", "render", "load", "render", "load"]
