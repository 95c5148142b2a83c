"""Rendered page bodies kept in the cache under a version PostgreSQL computes from what they show.

A page that is costly to render (the project page's board of fifty cards) renders its body once per
version of its data; the caller passes a ``version`` that changes whenever anything the body shows
changes (see ``projects.page_versions``), so nothing has to remember to invalidate it. Around the
version the key holds what else the body depends on: the viewer's permissions and options the caller
names, the day (overdue flags), and the templates' own source, so a deploy never serves old markup.

A page whose data is cheap to load but costly to render (the home view's sections, the workload table)
can key its body on that data itself: ``data_version`` digests what the selectors returned, so the
markup stays in templates and a repeat view with the same data costs a digest instead of a render.

A small fragment that every page renders (the staff shell's top bar) is remembered in the process itself,
under the values it is rendered from (``render_remembered``): for it a cache round trip would cost about
what rendering does.

Bodies are rendered with a placeholder for the CSRF token, which is swapped for the viewer's own token
on the way out: a body cached for one person never hands their token to another. In DEBUG nothing is
cached, so template edits show on the next reload.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import django
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import IncludeNode
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# A day: a body's version changes with its data, the key with the day, so old bodies just expire.
TIMEOUT_SECONDS = 24 * 60 * 60


@functools.cache
def _csrf_placeholder() -> str:
    # Derived from the secret key: the same in every process, and not something a person can type in.
    return "csrf-" + salted_hmac("agencyops.fragment_cache", "csrf placeholder").hexdigest()[:32]


def _sources(name: str, seen: set[str]) -> list[str]:
    """The source of a template and of every template it includes by a literal name, recursively."""
    template = get_template(name).template
    sources = [template.source]
    for node in template.nodelist.get_nodes_by_type(IncludeNode):
        included = node.template.var
        if isinstance(included, str) and included not in seen:
            seen.add(included)
            sources += _sources(included, seen)
    return sources


def _data_version(*parts: Any) -> str | None:
    """A digest of the values a body is rendered from, or None when they cannot be serialized (a section
    that hands its template a callable, say): then the caller renders without the cache."""
    try:
        data = pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return hashlib.sha256(data).hexdigest()


@functools.cache
def _static_stamp() -> str:
    """The static files storage and, with a manifest, the manifest's hash: bodies name scripts and styles
    through it, so a body rendered against other collected files (or none) is never served."""
    storage = staticfiles_storage.__class__
    return f"{storage.__module__}.{storage.__qualname__}:{getattr(staticfiles_storage, 'manifest_hash', '')}"


@functools.cache
def _templates_stamp(name: str) -> str:
    # Django's version too: its form widgets' markup is part of what a body renders.
    sources = "\0".join([django.get_version(), _static_stamp(), *_sources(name, {name})])
    return hashlib.sha256(sources.encode()).hexdigest()[:16]


def page_token(request: HttpRequest) -> str:
    """The CSRF token of one response, for its kept fragments and its own template alike: masked once, as
    every {% csrf_token %} of one render shares one (masking takes a few dozen random choices)."""
    token = getattr(request, "_fragment_csrf_token", None)
    if token is None:
        token = request._fragment_csrf_token = get_token(request)  # type: ignore[attr-defined]
    return token


def render_cached(
    request: HttpRequest,
    *,
    template_name: str,
    version: str,
    variant: Sequence[Any],
    context: Callable[[], dict[str, Any]],
    includes: Sequence[str] = (),
) -> SafeString:
    """The body ``template_name`` renders from ``context()``, from the cache when ``version`` and
    ``variant`` (everything else the markup depends on, such as the viewer's permissions) match.

    The key also covers the source of the template and of what it includes by name, so a deploy that
    changes the markup never serves old bodies; ``includes`` names templates whose markup the body
    holds without including them by name (parts rendered by ``render_each_for_data``), for the same
    reason. ``context`` is only called on a miss.
    """
    # Every body is rendered with the placeholder and handed out with the viewer's token, cached or not,
    # so fragments rendered inside it (``render_each_for_data``) may carry the placeholder too.
    if settings.DEBUG:
        body = _render(request, template_name, context())
    else:
        stamps = [_templates_stamp(name) for name in (template_name, *includes)]
        body = _cached_body(request, template_name, _key(template_name, *stamps, version, *variant), context)
    return _with_token(request, body)


def _key(*parts: Any) -> str:
    raw_key = "\0".join(str(part) for part in parts)
    return "fragment:" + hashlib.sha256(raw_key.encode()).hexdigest()


def _with_token(request: HttpRequest, body: str) -> SafeString:
    return mark_safe(body.replace(_csrf_placeholder(), page_token(request)))  # noqa: S308 - our own markup


def _cached_body(
    request: HttpRequest, template_name: str, key: str, context: Callable[[], dict[str, Any]]
) -> str:
    """The body kept under ``key``, rendered (with the CSRF placeholder) and kept when there is none."""
    try:
        body = cache.get(key)
    except RedisError:
        # The cache is a shortcut, not a store: without it the page is rendered, just slower.
        logger.warning("Fragment cache unavailable; rendering %s afresh", template_name, exc_info=True)
        return _render(request, template_name, context())
    if body is None:
        with _keeping(request, template_name) as fresh:
            body = _render(request, template_name, context())
            fresh[key] = body
    return body


def _kept_again(source: str, target: str) -> str | None:
    """The value kept under ``source``, now kept under ``target`` as well; None when there is none.

    On Redis the server copies it (with its expiry) in the same round trip that reads it, so a body of
    tens of kilobytes crosses the wire once, not back again: through the client and serializer of Django's
    own Redis backend, so a key and a value are what ``cache.get`` would read (a test runs both ways)."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        value = backend.get(source)
        if value is not None:
            backend.set(target, value, TIMEOUT_SECONDS)
        return value
    client = backend._cache.get_client(write=True)
    with client.pipeline(transaction=False) as pipeline:
        pipeline.get(backend.make_and_validate_key(source))
        pipeline.copy(
            backend.make_and_validate_key(source), backend.make_and_validate_key(target), replace=True
        )
        raw, _copied = pipeline.execute()
    return None if raw is None else backend._cache._serializer.loads(raw)


@contextmanager
def _keeping(request: HttpRequest, template_name: str) -> Iterator[dict[str, str]]:
    """Where the fragments rendered while a body renders are gathered, to be kept in one round trip when
    the outermost body is done (a first view after a change renders several: a card, the parts around
    it, the body)."""
    outer = getattr(request, "_fragments_to_keep", None)
    if outer is not None:
        yield outer
        return
    fresh: dict[str, str] = {}
    request._fragments_to_keep = fresh  # type: ignore[attr-defined]
    try:
        yield fresh
    finally:
        del request._fragments_to_keep  # type: ignore[attr-defined]
    _keep(fresh, template_name)


def _keep(fresh: dict[str, str], template_name: str) -> None:
    try:
        cache.set_many(fresh, TIMEOUT_SECONDS)
    except RedisError:
        logger.warning("Fragment cache unavailable; %s not kept", template_name, exc_info=True)


def _render(request: HttpRequest, template_name: str, context: dict[str, Any]) -> str:
    """Markup rendered with the CSRF placeholder for a token, never a viewer's own token."""
    return render_to_string(template_name, {**context, "csrf_token": _csrf_placeholder()}, request=request)


def render_fragment(request: HttpRequest, template_name: str, context: dict[str, Any]) -> SafeString:
    """Markup for a part of a body of ``render_cached``, rendered every time the part is (not kept on its
    own): with the CSRF placeholder, which that body swaps for the viewer's token on the way out."""
    return mark_safe(_render(request, template_name, context))  # noqa: S308 - our own markup


def render_for_data(
    request: HttpRequest,
    *,
    template_name: str,
    data: Any,
    variant: Sequence[Any],
    context: Callable[[], dict[str, Any]],
    includes: Sequence[str] = (),
) -> SafeString:
    """The body ``template_name`` renders from ``context()``, kept under a digest of ``data`` (everything
    the body shows, as the selectors returned it) and ``variant``: for bodies that are cheap to load and
    costly to render. ``includes`` names templates the body includes by a name chosen at run time
    ("file.html#partial"), so their source is part of the key too. Data that cannot be serialized is
    rendered every time."""
    version = _data_version(data)
    if version is None:
        return render_to_string(template_name, context(), request=request)
    # A partial's source is its file's.
    stamps = sorted({_templates_stamp(name.partition("#")[0]) for name in includes})
    return render_cached(
        request, template_name=template_name, version=version, variant=(*variant, *stamps), context=context
    )


# What ``render_for_version``'s ``load`` returns: what the body shows (as the selectors returned it), a
# function making the template's context from it, and the first moment the body changes with no write.
Loaded = tuple[Any, Callable[[], dict[str, Any]], datetime | None]


def render_for_version(
    request: HttpRequest,
    *,
    template_name: str,
    version: str,
    variant: Sequence[Any],
    load: Callable[[], Loaded],
    includes: Sequence[str] = (),
    unchanged: Callable[[], bool] | None = None,
) -> SafeString:
    """The body ``template_name`` renders, kept under ``version`` and ``variant``: for a body whose data is
    costly to load (the whole agency's), under a version PostgreSQL keeps (``agencyops.data_version``), read
    before the data. A repeat view costs one cache read and no load at all.

    On a new version ``load()`` runs and the body is found as ``render_for_data`` finds it, under a digest
    of what it shows (a write that changed nothing it shows costs the load, not a render); then it is kept
    under the version too, until the moment ``load()`` says it changes by itself (None: only with the data
    or the day, which ``variant`` holds; then Redis copies the body under the version in the round trip
    that finds it). ``includes`` names the templates it may include by a name chosen at run time, or that
    it holds without including them by name. In DEBUG nothing is kept.

    ``data`` may stand for the rows instead of holding them (a digest PostgreSQL computed of them), and
    ``context()`` read the rows apart: then ``unchanged()``, asked once the body is rendered (or found
    under the digest), says whether ``context()`` read the rows ``data`` stood for; when it did not (a write
    landed in between), the body is kept under the version alone, never under another body's digest."""
    if settings.DEBUG:
        data, context, _ = load()
        return render_for_data(
            request,
            template_name=template_name,
            data=data,
            variant=variant,
            context=context,
            includes=includes,
        )
    stamps = sorted({_templates_stamp(name.partition("#")[0]) for name in (template_name, *includes)})
    key = _key(template_name, "data version", version, *variant, *stamps)
    now = timezone.now()
    try:
        kept = cache.get(key)
    except RedisError:
        logger.warning("Fragment cache unavailable; loading %s afresh", template_name, exc_info=True)
        kept = None
    if kept is not None:
        # A body that changes only with its data is kept as it is (copied there by Redis, below); one
        # that changes by itself at a moment, with that moment.
        fresh_until, body = (None, kept) if isinstance(kept, str) else kept
        if fresh_until is None or now < fresh_until:
            return _with_token(request, body)
    data, context, fresh_until = load()
    digest = _data_version(data)
    shown = None if digest is None else _key(template_name, digest, *variant, *stamps)
    if shown is not None and fresh_until is None:
        try:
            body = _kept_again(shown, key)
        except RedisError:
            logger.warning("Fragment cache unavailable; rendering %s afresh", template_name, exc_info=True)
            return _with_token(request, _render(request, template_name, context()))
        if body is not None:
            return _with_token(request, body)
    with _keeping(request, template_name) as fresh:
        if shown is not None and fresh_until is not None:
            body = _cached_body(request, template_name, shown, context)
        else:
            body = _render(request, template_name, context())
            if shown is not None:
                # Not kept under its digest either: it was just looked for.
                fresh[shown] = body
        if shown is not None and unchanged is not None and not unchanged():
            fresh.pop(shown, None)
        if fresh_until is None:
            fresh[key] = body
        elif now < fresh_until:
            fresh[key] = (fresh_until, body)
    return _with_token(request, body)


# How many distinct fragments each process remembers (a top bar is ~3 KB: a few MB at most).
REMEMBERED = 512


@functools.lru_cache(maxsize=REMEMBERED)
def _remembered(template_name: str, pickled: bytes) -> str:
    _, data = pickle.loads(pickled)  # noqa: S301 - our own bytes
    return render_to_string(template_name, {**data, "csrf_token": _csrf_placeholder()})


def render_remembered(request: HttpRequest, *, template_name: str, data: dict[str, Any]) -> SafeString:
    """``template_name`` rendered from ``data`` alone (no request context, so everything it shows is in
    ``data``), remembered in this process under ``data`` itself: a repeat costs a pickle and a lookup.

    ``data`` holds plain values (strings, numbers, tuples, dicts, named tuples); the CSRF token is swapped
    in per request, as for cached bodies. In DEBUG nothing is remembered."""
    if settings.DEBUG:
        return render_to_string(template_name, {**data, "csrf_token": get_token(request)})
    # Under the script prefix too: the links it holds start with it.
    body = _remembered(
        template_name, pickle.dumps((get_script_prefix(), data), protocol=pickle.HIGHEST_PROTOCOL)
    )
    return mark_safe(body.replace(_csrf_placeholder(), page_token(request)))  # noqa: S308 - our own markup


def render_each_for_data(
    request: HttpRequest,
    *,
    template_name: str,
    items: Sequence[tuple[Any, dict[str, Any] | Callable[[], dict[str, Any]]]],
    variant: Sequence[Any],
    includes: Sequence[str] = (),
) -> list[SafeString]:
    """``template_name`` rendered once per item, each kept under a digest of its own data: for the many
    small parts of a body (the cards of a board), so a change to one item renders that item alone.

    Each item is ``(data, context)``: ``data`` is everything its markup shows (as the selector returned
    it), ``context`` what the template reads, made from it (or a function making it, called only when the
    item is rendered). ``variant`` holds what else the markup
    depends on (the agency's address, say); ``includes`` names templates the markup renders without
    including them by name (a form widget's), so a deploy that changes them renders afresh. Only for use
    inside a body of ``render_cached``: the markup carries the CSRF placeholder, which that body swaps for
    the viewer's token on the way out."""
    return render_parts_for_data(
        request,
        parts=[(template_name, data, context) for data, context in items],
        variant=variant,
        includes=includes,
    )


def render_parts_for_data(
    request: HttpRequest,
    *,
    parts: Sequence[tuple[str, Any, dict[str, Any] | Callable[[], dict[str, Any]]]],
    variant: Sequence[Any],
    includes: Sequence[str] = (),
) -> list[SafeString]:
    """``render_each_for_data`` for parts of different templates (the project page's top, inputs and
    tasks): each part is ``(template_name, data, context)`` and all of them are looked up in one cache
    round trip. Same keys, same use."""
    if not parts:
        return []
    prefixes: dict[str, str] = {}
    keys = []
    for template_name, data, _context in parts:
        prefix = prefixes.get(template_name)
        if prefix is None:
            stamps = [_templates_stamp(name) for name in (template_name, *includes)]
            prefix = prefixes[template_name] = "\0".join(
                str(part) for part in (template_name, *stamps, *variant)
            )
        version = _data_version(data)
        keys.append(
            None
            if version is None or settings.DEBUG
            else "fragment:" + hashlib.sha256(f"{prefix}\0{version}".encode()).hexdigest()
        )
    try:
        found = cache.get_many([key for key in keys if key is not None])
    except RedisError:
        logger.warning("Fragment cache unavailable; rendering %s afresh", parts[0][0], exc_info=True)
        found = None
    rendered: list[SafeString] = []
    fresh: dict[str, str] = {}
    for key, (template_name, _data, context) in zip(keys, parts, strict=True):
        markup = found.get(key) if found is not None and key is not None else None
        if markup is None:
            markup = _render(request, template_name, context() if callable(context) else context)
            if key is not None:
                fresh[key] = markup
        rendered.append(mark_safe(markup))  # noqa: S308 - our own markup
    if fresh and found is not None:
        pending = getattr(request, "_fragments_to_keep", None)
        if pending is not None:
            # Inside a body being rendered: kept with it, in one round trip.
            pending.update(fresh)
        else:
            _keep(fresh, parts[0][0])
    return rendered


def render_all_for_data(
    request: HttpRequest,
    *,
    template_name: str,
    items: Sequence[tuple[Any, dict[str, Any] | Callable[[], dict[str, Any]]]],
    variant: Sequence[Any],
    includes: Sequence[str] = (),
) -> SafeString:
    """The parts of ``render_each_for_data`` joined, the whole kept under a digest of every item's data as
    well: a list shown again with the same rows costs one digest and one cache read, not one per row,
    while a list where one row changed still renders that row alone. Same arguments and same use."""
    if not items:
        return mark_safe("")

    def each() -> str:
        return "".join(
            render_each_for_data(
                request, template_name=template_name, items=items, variant=variant, includes=includes
            )
        )

    version = None if settings.DEBUG else _data_version([data for data, _context in items])
    if version is None:
        return mark_safe(each())  # noqa: S308 - our own markup
    stamps = [_templates_stamp(name) for name in (template_name, *includes)]
    raw_key = "\0".join(str(part) for part in (template_name, "all", *stamps, *variant, version))
    key = "fragment:" + hashlib.sha256(raw_key.encode()).hexdigest()
    try:
        whole = cache.get(key)
    except RedisError:
        logger.warning("Fragment cache unavailable; rendering %s afresh", template_name, exc_info=True)
        whole = None
    if whole is None:
        with _keeping(request, template_name) as fresh:
            whole = fresh[key] = each()
    return mark_safe(whole)  # noqa: S308 - our own markup
