"""The pages the platform composes from what the product apps register: the owner's home view, the portal
home and the client page.

The platform never imports a product app. Each app registers, in its ``AppConfig.ready()``:

* **sections** — a card of a page: a key, an order, a permission predicate over the viewer, a selector
  that loads what it shows and the template partial that shows it;
* **contributions** — items that an app adds to a list another app's section owns (approvals add their
  client decisions to the home view's "Needs decision"), each with a sort key so the merged list keeps one
  order whatever app they come from.

A page renders whatever is registered, in order; a layer added later (drafts, alerts, reports) registers
its own sections without touching the platform.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

from agencyops.data_version import agency_data_version
from agencyops.fragment_cache import Loaded, render_for_version

# The pages that are composed from sections.
HOME = "home"
PORTAL_HOME = "portal_home"
CLIENT = "client"


def everyone(viewer: Any) -> bool:
    """The default permission: whoever may open the page sees the section."""
    return True


@dataclass
class SectionContext:
    """What a section's selector gets: who is looking, in which agency, at what (the client on the client
    page), and a memo so sections of one app share one load (the home view's three task sections are
    placed by one query)."""

    request: HttpRequest
    agency: Any
    viewer: Any
    subject: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict)
    # The first moment at which something loaded changes by itself, with no write (see ``changes_at``).
    fresh_until: datetime | None = None

    def memo(self, key: str, load: Callable[[], Any]) -> Any:
        """``load()`` once per page, under ``key``."""
        if key not in self._memo:
            self._memo[key] = load()
        return self._memo[key]

    def changes_at(self, moment: datetime) -> None:
        """Say that what a section loaded changes by itself at ``moment`` (an approval awaiting the client
        turns late): a page kept under its data's version is kept no longer than the earliest such moment."""
        if self.fresh_until is None or moment < self.fresh_until:
            self.fresh_until = moment


@dataclass(frozen=True)
class Section:
    """One card of a composed page."""

    page: str
    key: str
    order: int
    template: str
    selector: Callable[[SectionContext], Any]
    permission: Callable[[Any], bool] = everyone


@dataclass(frozen=True)
class ShownSection:
    """A section as a page renders it: its partial and what its selector loaded."""

    key: str
    template: str
    data: Any


@dataclass(frozen=True)
class Contribution:
    """Items an app adds to a list that another app's section owns; ``load`` returns ``(sort key, item)``
    pairs and takes the keyword arguments the owning selector passes.

    ``reads`` (optional) returns the statements ``load`` needs (``agencyops.planned_sql.Statement``), from
    the same keyword arguments: the owning selector sends them with its own, in one round trip for the
    page, and ``load`` gets their rows as ``rows`` (one list per statement, in order). Called without
    ``rows`` (``contributions_collect``), or without ``reads``, ``load`` reads for itself."""

    target: str
    key: str
    order: int
    load: Callable[..., list[tuple[Any, Any]]]
    reads: Callable[..., Sequence[Any]] | None = None


@dataclass(frozen=True)
class ContributionReads:
    """A list's contributions with the statements they read (see ``contributions_reads``)."""

    kwargs: dict[str, Any]
    contributions: tuple[tuple[Contribution, int], ...]  # each with how many statements it read
    statements: tuple[Any, ...]

    def collect(self, rows: Sequence[list[Any]]) -> list[tuple[Any, Any]]:
        """Every contribution's ``(sort key, item)`` pairs, in order, from the rows of ``statements``."""
        if len(rows) != len(self.statements):
            raise ValueError(f"{len(self.statements)} statements were read, {len(rows)} results given")
        pairs: list[tuple[Any, Any]] = []
        start = 0
        for contribution, count in self.contributions:
            if contribution.reads is None:
                pairs.extend(contribution.load(**self.kwargs))
            else:
                pairs.extend(contribution.load(rows=list(rows[start : start + count]), **self.kwargs))
                start += count
        return pairs


_sections: dict[str, dict[str, Section]] = {}
_contributions: dict[str, dict[str, Contribution]] = {}


def section_register(section: Section) -> None:
    """Add (or replace, by page and key) a section; apps call this from ``AppConfig.ready()``."""
    _sections.setdefault(section.page, {})[section.key] = section


def section_unregister(page: str, key: str) -> Section | None:
    """Take a section off a page (a layer switched off); returns what was registered."""
    return _sections.get(page, {}).pop(key, None)


def sections_of(page: str) -> list[Section]:
    """The sections registered for a page, in order."""
    return sorted(_sections.get(page, {}).values(), key=lambda s: (s.order, s.key))


def sections_render(page: str, context: SectionContext) -> list[ShownSection]:
    """Every section of the page the viewer may see, with what its selector loaded, in order."""
    return [
        ShownSection(key=section.key, template=section.template, data=section.selector(context))
        for section in sections_of(page)
        if section.permission(context.viewer)
    ]


def sections_render_kept(
    request: HttpRequest,
    page: str,
    *,
    template_name: str,
    agency: Any,
    viewer: Any,
    variant: Sequence[Any],
    context: Callable[[list[ShownSection]], dict[str, Any]],
    extra: dict[str, Any] | None = None,
) -> SafeString:
    """The page's sections rendered into ``template_name`` (whose context ``context(shown)`` makes), kept
    whole under the agency's data version (``agencyops.data_version``), the day, who is looking (in
    ``variant``, with whatever else the markup shows) and the sections registered: a repeat view loads
    nothing; after a change they are loaded again, and rendered only if what they show changed; a moment
    at which something loaded changes by itself (``SectionContext.changes_at``) ends the kept body."""
    # Read before the sections load: a change committed in between only makes the kept body newer than
    # its version, never older.
    version = agency_data_version(agency.pk)

    def load() -> Loaded:
        section_context = SectionContext(request=request, agency=agency, viewer=viewer, extra=extra or {})
        shown = sections_render(page, section_context)
        data = [(s.key, s.template, s.data) for s in shown]
        return data, lambda: context(shown), section_context.fresh_until

    registered = sections_of(page)
    return render_for_version(
        request,
        template_name=template_name,
        version=version,
        # A layer switched on or off shows or hides its section.
        variant=(*variant, agency.today(), tuple(section.key for section in registered)),
        load=load,
        includes=[section.template for section in registered],
    )


def contribution_register(contribution: Contribution) -> None:
    """Add (or replace, by target and key) a contribution to a list another app owns."""
    _contributions.setdefault(contribution.target, {})[contribution.key] = contribution


def contribution_unregister(target: str, key: str) -> Contribution | None:
    return _contributions.get(target, {}).pop(key, None)


def _contributions_of(target: str) -> list[Contribution]:
    return sorted(_contributions.get(target, {}).values(), key=lambda c: (c.order, c.key))


def contributions_collect(target: str, **kwargs: Any) -> list[tuple[Any, Any]]:
    """Every registered contribution's ``(sort key, item)`` pairs, in registration order (one ``load`` each,
    each reading for itself)."""
    pairs: list[tuple[Any, Any]] = []
    for contribution in _contributions_of(target):
        pairs.extend(contribution.load(**kwargs))
    return pairs


def contributions_reads(target: str, **kwargs: Any) -> ContributionReads:
    """The statements the contributions to ``target`` read, to be sent with the owner's own; then
    ``ContributionReads.collect(rows)`` gives their pairs as ``contributions_collect`` would."""
    contributions, statements = [], []
    for contribution in _contributions_of(target):
        read = list(contribution.reads(**kwargs)) if contribution.reads is not None else []
        contributions.append((contribution, len(read)))
        statements.extend(read)
    return ContributionReads(kwargs=kwargs, contributions=tuple(contributions), statements=tuple(statements))


@contextmanager
def sections_without(page: str, key: str) -> Iterator[None]:
    """For tests and previews: the page as it renders when one section is not registered."""
    removed = section_unregister(page, key)
    try:
        yield
    finally:
        if removed is not None:
            section_register(removed)
