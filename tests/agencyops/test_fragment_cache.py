"""The fragment cache's key follows the markup: a change to a body's template, or to a template it
includes, is a new key after a deploy."""

from __future__ import annotations

from django.test.utils import override_settings

from agencyops import fragment_cache


def _stamp_with(templates: dict[str, str]) -> str:
    settings = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", templates)]},
        }
    ]
    with override_settings(TEMPLATES=settings):
        fragment_cache._templates_stamp.cache_clear()
        try:
            return fragment_cache._templates_stamp("body.html")
        finally:
            fragment_cache._templates_stamp.cache_clear()


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
