"""Reads of the brandkit layer: who sees which brand layer, a client's versions, the rules the checks
run with, and content pieces for lists and pages. Each query count stays flat as data grows."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.db import connection, models
from django.db.models import Prefetch, Q, QuerySet

from agencyops.models import Agency, Client, ClientContact, Membership, Role
from agencyops.planned_sql import planned_cursor, unseen_by_planner
from approvals.models import DecisionLogEntry
from brandkit.governance.types import BrandRules, OtherClientTerms, ValeRule
from brandkit.governance.types import DecisionConstraint as ConstraintRule
from brandkit.layer import distinctive_terms, empty_layer, layer_rules
from brandkit.library.models import BrandFileRole, BrandLayerFile, LibraryItem
from brandkit.models import (
    APPROVED_STATUSES,
    BrandLayerVersion,
    BrandSettings,
    ContentPiece,
    ContentState,
    ContentTransition,
    ContentVersion,
    DecisionConstraint,
    FindingDismissal,
)


def brand_settings_for(agency: Agency) -> BrandSettings:
    """The agency's brand sharing settings (defaults when never saved)."""
    return BrandSettings.objects.filter(agency=agency).first() or BrandSettings(agency=agency)


def clients_with_brand_access(
    membership: Membership, *, settings: BrandSettings | None = None
) -> QuerySet[Client]:
    """The clients whose brand layers and content this person sees: all of the agency's, or for a member
    when the agency restricts it, the clients of projects they coordinate, own the brief of or have tasks on."""
    clients = Client.objects.filter(agency=membership.agency_id)
    settings = settings or brand_settings_for(membership.agency)
    if membership.role == Role.MEMBER and settings.members_see_only_their_clients:
        on_projects = Client.objects.filter(
            Q(projects__coordinator=membership)
            | Q(projects__tasks__assignee=membership)
            | Q(projects__brief__internal_owner=membership)
        ).values("pk")
        clients = clients.filter(pk__in=on_projects)
    return clients


def client_for_brand(membership: Membership, client_id: int) -> Client | None:
    """One client whose brand layer this person may see, or None (a 404 for the caller)."""
    return clients_with_brand_access(membership).filter(pk=client_id).first()


def portal_brand_visible(contact: ClientContact) -> bool:
    """A client contact reads their own brand layer only when the agency shares it."""
    return brand_settings_for(contact.agency).share_with_client_contacts


def brand_layer_latest(client: Client) -> BrandLayerVersion | None:
    return (
        BrandLayerVersion.objects.filter(client=client)
        .select_related("created_by__user")
        .order_by("-number")
        .first()
    )


def brand_layer_document(version: BrandLayerVersion | None) -> dict[str, Any]:
    """The layer's document, or an empty one for a client without a layer yet."""
    return dict(version.content) if version is not None else empty_layer()


def brand_versions(client: Client) -> QuerySet[BrandLayerVersion]:
    """Every version of a client's layer, newest first, with who saved it."""
    return (
        BrandLayerVersion.objects.filter(client=client)
        .select_related("created_by__user")
        .defer("content")
        .order_by("-number")
    )


def brand_version(client: Client, number: int) -> BrandLayerVersion | None:
    return (
        BrandLayerVersion.objects.filter(client=client, number=number)
        .select_related("created_by__user")
        .first()
    )


# Parsed Vale styles by the hash of their files: parsing YAML on every check would dominate it. Keyed by
# the hash alone so the cache holds rules, not the styles' text.
_PARSED_STYLES: OrderedDict[str, tuple[ValeRule, ...]] = OrderedDict()
_PARSED_STYLES_MAX = 64
_PARSED_STYLES_LOCK = threading.Lock()


def vale_rules_of(layer: Mapping[str, Any]) -> tuple[ValeRule, ...]:
    """The runnable rules of the layer's imported Vale styles (parsed once per style content)."""
    from brandkit.vale import read_style_files

    rules: list[ValeRule] = []
    for style in layer.get("vale") or []:
        fingerprint = hashlib.sha1(json.dumps(style["files"], sort_keys=True).encode()).hexdigest()
        with _PARSED_STYLES_LOCK:
            parsed = _PARSED_STYLES.get(fingerprint)
            if parsed is not None:
                _PARSED_STYLES.move_to_end(fingerprint)
        if parsed is None:
            files = {path: text.encode() for path, text in style["files"].items()}
            parsed = read_style_files(files, default_name=style["name"]).rules
            with _PARSED_STYLES_LOCK:
                _PARSED_STYLES[fingerprint] = parsed
                while len(_PARSED_STYLES) > _PARSED_STYLES_MAX:
                    _PARSED_STYLES.popitem(last=False)
        rules.extend(parsed)
    return tuple(rules)


# Brand-layer versions never change once saved (a trigger refuses updates), so what the checks derive
# from one is kept per process: its document, and per client name its distinctive terms. Keyed by the
# database, the row and its creation time, so a row id reused by another database or after a sequence
# reset never hits a stale entry.
_LAYERS: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_LAYERS_MAX = 512
_LAYERS_LOCK = threading.Lock()
_TERMS: OrderedDict[tuple, tuple[str, ...]] = OrderedDict()


def _layer_key(version_id: int, created_at: Any) -> tuple:
    from django.db import connection

    return (connection.settings_dict["NAME"], version_id, created_at)


def _layer_documents(keys: dict[int, tuple]) -> dict[int, dict[str, Any]]:
    """The documents of these versions (by id): from the per-process store, the missing ones in one query."""
    found: dict[int, dict[str, Any]] = {}
    with _LAYERS_LOCK:
        for version_id, key in keys.items():
            if key in _LAYERS:
                _LAYERS.move_to_end(key)
                found[version_id] = _LAYERS[key]
    missing = [version_id for version_id in keys if version_id not in found]
    if missing:
        rows = BrandLayerVersion.objects.filter(pk__in=missing).values_list("pk", "content")
        loaded = dict(rows)
        with _LAYERS_LOCK:
            for version_id, content in loaded.items():
                _LAYERS[keys[version_id]] = content
            while len(_LAYERS) > _LAYERS_MAX:
                _LAYERS.popitem(last=False)
        found.update(loaded)
    return found


def _terms_of(key: tuple, layer: Mapping[str, Any], name: str) -> tuple[str, ...]:
    with _LAYERS_LOCK:
        terms = _TERMS.get((key, name))
    if terms is None:
        terms = distinctive_terms(layer, client_name=name)
        with _LAYERS_LOCK:
            _TERMS[(key, name)] = terms
            while len(_TERMS) > _LAYERS_MAX:
                _TERMS.popitem(last=False)
    return terms


def _version(
    client: Client, layer_id: int, number: int, created_at: Any, content: dict[str, Any]
) -> BrandLayerVersion:
    return BrandLayerVersion.from_db(
        "default",
        ["id", "agency_id", "client_id", "number", "content", "created_at"],
        [layer_id, client.agency_id, client.pk, number, content, created_at],
    )


def brand_layer_version_kept(
    client: Client, *, layer_id: int | None, number: int | None, created_at: Any
) -> BrandLayerVersion | None:
    """The version a read of the client's latest layer named, with its document from the per-process
    store (read from the database once per version and process); None for a client without a layer."""
    if not layer_id:
        return None
    key = _layer_key(layer_id, created_at)
    content = dict(_layer_documents({layer_id: key})[layer_id])
    return _version(client, layer_id, number or 0, created_at, content)


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# The agency as the rules statement reads it: unseen while PostgreSQL plans, so that a small agency's
# checks keep one plan (see agencyops.planned_sql.unseen_by_planner).
_AGENCY = unseen_by_planner("agency")


@cache
def _rules_sql() -> str:
    # The agency's clients (by name, as the rules list them) with their latest layer version, and this
    # client's row with its constraints (CASE: the other rows skip that subquery).
    return f"""
        SELECT c.id, c.name, v.id, v.number, v.created_at,
            CASE WHEN c.id = %(client)s THEN (
                SELECT jsonb_agg(
                    jsonb_build_object(
                        'term', d.term, 'must', d.must, 'decided_on', e.decided_on,
                        'summary', left(e.decision, 200), 'entry_id', d.entry_id
                    ) ORDER BY d.term, d.id
                )
                FROM {_table(DecisionConstraint)} d JOIN {_table(DecisionLogEntry)} e ON e.id = d.entry_id
                WHERE d.agency_id = {_AGENCY} AND d.client_id = c.id
            ) END
        FROM {_table(Client)} c
        LEFT JOIN LATERAL (
            SELECT id, number, created_at FROM {_table(BrandLayerVersion)}
            WHERE agency_id = {_AGENCY} AND client_id = c.id ORDER BY number DESC LIMIT 1
        ) v ON TRUE
        WHERE c.agency_id = {_AGENCY}
        ORDER BY c.name, c.id
    """


def brand_rules_for_client(client: Client) -> tuple[BrandRules, BrandLayerVersion | None]:
    """What the checks need for one client: its latest layer, the constraints on its decisions and
    the distinctive terms of the agency's other clients. One query whatever the agency's size (the
    agency's clients with their latest version, and this client's row with its constraints), and a
    second for the documents of versions this process has not read yet.

    The query is written in SQL: it runs for every check and every drafting job, and building and
    compiling it through the ORM cost ten times what PostgreSQL spends answering it. It is prepared
    (``planned_cursor``), so PostgreSQL plans it once per connection."""
    with planned_cursor() as cursor:
        cursor.execute(_rules_sql(), {"client": client.pk, "agency": client.agency_id})
        rows = cursor.fetchall()
    keys = {row[2]: _layer_key(row[2], row[4]) for row in rows if row[2]}
    documents = _layer_documents(keys)
    version: BrandLayerVersion | None = None
    layer = empty_layer()
    own_constraints: tuple[ConstraintRule, ...] = ()
    others = []
    for pk, name, layer_id, number, created_at, constraint_rows in rows:
        if pk == client.pk:
            own_constraints = tuple(
                ConstraintRule(
                    term=c["term"],
                    must=c["must"],
                    decided_on=date.fromisoformat(c["decided_on"]),
                    summary=c["summary"],
                    entry_id=c["entry_id"],
                )
                for c in json.loads(constraint_rows or "[]")
            )
            if layer_id:
                layer = dict(documents[layer_id])
                version = _version(client, layer_id, number, created_at, layer)
            continue
        terms = _terms_of(keys[layer_id], documents[layer_id], name) if layer_id else (name,)
        others.append(OtherClientTerms(client_name=name, terms=terms))
    rules = layer_rules(
        layer,
        client_name=client.name,
        version=version.number if version else 0,
        vale_rules=vale_rules_of(layer),
        decision_constraints=own_constraints,
        other_clients=tuple(others),
    )
    return rules, version


def decision_entries_for(client: Client, *, limit: int = 50) -> list[DecisionLogEntry]:
    """The client's latest decision-log entries, for attaching a checkable constraint."""
    return list(DecisionLogEntry.objects.filter(client=client).order_by("-decided_on", "-pk")[:limit])


def constraints_of(client: Client) -> QuerySet[DecisionConstraint]:
    return (
        DecisionConstraint.objects.filter(client=client)
        .select_related("entry")
        .order_by("-entry__decided_on", "term")
    )


# --- Content pieces ------------------------------------------------------------------------------


def content_pieces(
    membership: Membership,
    *,
    client_id: int | None = None,
    state: str = "",
    channel: str = "",
) -> QuerySet[ContentPiece]:
    """Pieces of the clients this person sees, filtered by client, state (as people see it) and channel."""
    pieces = (
        ContentPiece.objects.filter(client__in=clients_with_brand_access(membership))
        .select_related("client", "project", "approval_request", "created_by__user")
        .order_by("-updated_at", "-pk")
    )
    if client_id is not None:
        pieces = pieces.filter(client_id=client_id)
    if channel:
        pieces = pieces.filter(channel=channel)
    if state == ContentState.APPROVED:
        pieces = pieces.filter(
            Q(state=ContentState.APPROVED)
            | Q(state=ContentState.SENT_FOR_APPROVAL, approval_request__status__in=APPROVED_STATUSES)
        )
    elif state == ContentState.SENT_FOR_APPROVAL:
        pieces = pieces.filter(state=state).exclude(approval_request__status__in=APPROVED_STATUSES)
    elif state:
        pieces = pieces.filter(state=state)
    return pieces


def content_piece_for(membership: Membership, piece_id: int) -> ContentPiece | None:
    """One piece with its versions (newest first), dismissals and transitions, or None."""
    return (
        content_pieces(membership)
        .filter(pk=piece_id)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ContentVersion.objects.select_related("created_by__user", "brand_version").order_by(
                    "-number"
                ),
            ),
            Prefetch("dismissals", queryset=FindingDismissal.objects.select_related("created_by__user")),
            Prefetch("transitions", queryset=ContentTransition.objects.select_related("created_by__user")),
        )
        .first()
    )


def latest_version(piece: ContentPiece) -> ContentVersion:
    """The newest version (from the prefetch when there is one)."""
    versions = list(piece.versions.all())
    return max(versions, key=lambda v: v.number)


def dismissed_keys(piece: ContentPiece) -> set[str]:
    return {d.key for d in piece.dismissals.all()}


def brand_compare(client: Client, a: int | None, b: int | None) -> dict[str, Any] | None:
    """Versions a and b side by side, section by section; by default the latest against the one before.
    None when a named version does not exist."""
    from brandkit.layer import layer_compare

    if b is None:
        latest = brand_layer_latest(client)
        b = latest.number if latest else 0
    if a is None:
        a = max(b - 1, 0)
    found = {v.number: v for v in BrandLayerVersion.objects.filter(client=client, number__in=[a, b])}
    if (a and a not in found) or (b and b not in found):
        return None
    before = brand_layer_document(found.get(a))
    after = brand_layer_document(found.get(b))
    return {"a": a, "b": b, "changes": layer_compare(before, after)}


# --------------------------------------------------------------------------- library files of the layer

# How many of a client's library files the picker offers (newest first), and how much of an example
# file's text a draft reads.
MAX_BRAND_FILE_CHOICES = 200
EXAMPLE_TEXT_CHARS = 4000


def _live_items(client: Client) -> QuerySet[LibraryItem]:
    return (
        LibraryItem.objects.filter(agency_id=client.agency_id, client=client, deleted_at__isnull=True)
        .exclude(latest_version=None)
        .select_related("latest_version")
        .defer("search_vector", "latest_version__text")
    )


def brand_file_choices(client: Client) -> list[LibraryItem]:
    """The client's own library files a brand layer may point at (live items, their latest version)."""
    return list(_live_items(client).order_by("-updated_at", "-pk")[:MAX_BRAND_FILE_CHOICES])


@dataclass
class BrandFiles:
    """The library files a client's brand layer points at: examples, and the proof of each claim."""

    examples: list[LibraryItem] = field(default_factory=list)
    proofs: dict[str, list[LibraryItem]] = field(default_factory=dict)

    @property
    def example_ids(self) -> set[int]:
        return {item.pk for item in self.examples}

    def proof_ids(self, claim: str) -> set[int]:
        return {item.pk for item in self.proofs.get(claim, [])}


def brand_files_of(client: Client) -> BrandFiles:
    """What the brand layer of this client points at in its library, in one query (deleted items drop out)."""
    chosen = BrandFiles()
    links = (
        BrandLayerFile.objects.filter(agency_id=client.agency_id, client=client)
        .filter(library_item__deleted_at__isnull=True)
        .exclude(library_item__latest_version=None)
        .select_related("library_item__latest_version")
        .defer("library_item__search_vector", "library_item__latest_version__text")
        .order_by("role", "claim", "library_item__title", "pk")
    )
    for link in links:
        if link.role == BrandFileRole.EXAMPLE:
            chosen.examples.append(link.library_item)
        else:
            chosen.proofs.setdefault(link.claim, []).append(link.library_item)
    return chosen


def layer_with_examples(layer: dict[str, Any], extra: list[dict[str, Any]]) -> dict[str, Any]:
    """The layer as a draft reads it: its own examples, then the library files chosen as examples, so
    "chosen example assets" include them. The layer's own positions stay put."""
    if not extra:
        return layer
    return {**layer, "examples": [*(layer.get("examples") or []), *extra]}
