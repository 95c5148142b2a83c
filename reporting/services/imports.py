"""Uploading an export: preview (period, campaigns, totals, problems), then confirm into daily facts.

Confirming replaces the facts of the file's period for the file's platform campaigns at the same
level, so importing the same or an overlapping file again never counts a day twice. It runs in one
transaction: all rows or none.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict, defaultdict
from decimal import Decimal
from typing import Any

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from agencyops.models import Client, Membership
from agencyops.permissions import can_lead_work, require
from reporting import importers
from reporting.changes import KnownState, detect_state_changes
from reporting.importers import Limits, ParsedExport, UnrecognisedFile
from reporting.models import (
    Campaign,
    CampaignChange,
    ChangeSource,
    ColumnMapping,
    DailyFact,
    FactLevel,
    Import,
    ImportState,
    Platform,
    PlatformCampaign,
)

MAX_PROBLEMS_KEPT = 1000
LEVEL_OF_LAYOUT = {
    "campaign_day": FactLevel.CAMPAIGN,
    "campaign": FactLevel.CAMPAIGN,
    "mapped": FactLevel.CAMPAIGN,
    "ad": FactLevel.AD,
    "ad_set": FactLevel.AD,
    "traffic_acquisition": FactLevel.CHANNEL,
    "landing_page": FactLevel.LANDING_PAGE,
}
FACT_COLUMNS = (
    "agency_id",
    "client_id",
    "campaign_id",
    "platform_campaign_id",
    "source_import_id",
    "date",
    "platform",
    "level",
    "metric",
    "value",
    "currency",
    "breakdown",
    "breakdown_value",
)


def _require_reporter(actor: Membership) -> None:
    require(can_lead_work, actor, "Only owners and coordinators import reports.")


# The preview and the confirmation read the same bytes the same way: the last few parses are kept in
# this process so a confirmation right after its preview does not parse the file again. Parsing is a
# pure function of its inputs, so a miss (another worker, a restart) only costs the time.
_RECENT_PARSES: OrderedDict[tuple, ParsedExport] = OrderedDict()
RECENT_PARSES_KEPT = 4


def _parse_export(data: bytes, *, limit: int, mappings: list[dict], default_currency: str) -> ParsedExport:
    key = (hashlib.sha256(data).hexdigest(), limit, json.dumps(mappings, sort_keys=True), default_currency)
    if key in _RECENT_PARSES:
        _RECENT_PARSES.move_to_end(key)
        return _RECENT_PARSES[key]
    parsed = importers.parse_export(
        data, limits=Limits(max_bytes=limit), mappings=mappings, default_currency=default_currency
    )
    _RECENT_PARSES[key] = parsed
    while len(_RECENT_PARSES) > RECENT_PARSES_KEPT:
        _RECENT_PARSES.popitem(last=False)
    return parsed


def _parse(
    data: bytes, *, client: Client, default_currency: str
) -> tuple[ParsedExport, ColumnMapping | None]:
    mappings = list(ColumnMapping.objects.filter(client=client))
    parsed = _parse_export(
        data,
        limit=settings.REPORTING_IMPORT_MAX_BYTES,
        mappings=[m.mapping for m in mappings],
        default_currency=default_currency,
    )
    used = mappings[parsed.mapping_index] if parsed.mapping_index is not None else None
    return parsed, used


def _money_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _summary(parsed: ParsedExport, known: dict[str, PlatformCampaign]) -> dict[str, Any]:
    campaigns = []
    for name, totals in parsed.totals_by_campaign().items():
        mapped = known.get(name)
        campaigns.append(
            {
                "name": name,
                "known": mapped is not None,
                "campaign_id": mapped.campaign_id if mapped else None,
                "campaign_name": mapped.campaign.name if mapped and mapped.campaign else "",
                "totals": [
                    {"metric": m, "currency": c, "value": _money_text(v)} for (m, c), v in totals.items()
                ],
            }
        )
    return {
        "account": parsed.account,
        "campaigns": campaigns,
        "totals": [
            {"metric": m, "currency": c, "value": _money_text(v)} for (m, c), v in parsed.totals().items()
        ],
    }


def _other_clients_names(*, client: Client, platform: str, names: list[str]) -> dict[str, str]:
    """Platform names this file shares with another client's remembered campaigns: name → that client."""
    if not names:
        return {}
    own = set(
        PlatformCampaign.objects.filter(
            agency_id=client.agency_id, client=client, platform=platform, name__in=names
        ).values_list("name", flat=True)
    )
    others = (
        PlatformCampaign.objects.filter(agency_id=client.agency_id, platform=platform, name__in=names)
        .exclude(client=client)
        .select_related("client")
    )
    return {pc.name: pc.client.name for pc in others if pc.name not in own}


@transaction.atomic
def import_preview(*, actor: Membership, client: Client, upload: Any, default_currency: str = "") -> Import:
    """Read an upload without importing it: what it covers and what is wrong, for a person to confirm."""
    _require_reporter(actor)
    limit = settings.REPORTING_IMPORT_MAX_BYTES
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    if upload.size > limit:
        raise ValidationError(
            {
                "file": f"The file is {upload.size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB."
            }
        )
    default_currency = (default_currency or settings.REPORTING_DEFAULT_CURRENCY).strip().upper()
    if len(default_currency) != 3 or not default_currency.isalpha():
        raise ValidationError({"default_currency": "A currency is a three-letter code such as USD."})
    upload.seek(0)
    data = upload.read(limit + 1)
    try:
        parsed, mapping = _parse(data, client=client, default_currency=default_currency)
    except UnrecognisedFile as exc:
        raise ValidationError({"file": str(exc)}) from exc
    known = {
        pc.name: pc
        for pc in PlatformCampaign.objects.filter(
            client=client, platform=parsed.platform, name__in=parsed.campaign_names
        ).select_related("campaign")
    }
    blocking = []
    if not parsed.rows:
        blocking.append("No row of the file could be read; see the problems below.")
    foreign = _other_clients_names(client=client, platform=parsed.platform, names=parsed.campaign_names)
    if foreign:
        owners = ", ".join(sorted(set(foreign.values())))
        blocking.append(
            f"These campaigns belong to {owners}, not {client.name}: {', '.join(sorted(foreign))}. "
            "Upload the file for the right client."
        )
    problems = [str(p) for p in parsed.problems[:MAX_PROBLEMS_KEPT]]
    if len(parsed.problems) > MAX_PROBLEMS_KEPT:
        problems.append(f"… and {len(parsed.problems) - MAX_PROBLEMS_KEPT} more problems.")
    sha256 = hashlib.sha256(data).hexdigest()
    notes = list(parsed.notes)
    earlier = (
        Import.objects.filter(client=client, sha256=sha256, state=ImportState.CONFIRMED)
        .order_by("-confirmed_at")
        .first()
    )
    if earlier is not None and earlier.confirmed_at:
        notes.append(
            f"This file was imported on {earlier.confirmed_at:%d %b %Y}; importing it again replaces "
            "the same days and changes nothing."
        )
    record = Import(
        agency=actor.agency,
        client=client,
        original_name=(getattr(upload, "name", "") or "export.csv")[-255:],
        size=len(data),
        sha256=sha256,
        platform=parsed.platform,
        layout=parsed.layout,
        level=LEVEL_OF_LAYOUT[parsed.layout],
        default_currency=default_currency,
        column_mapping=mapping,
        period_start=parsed.period_start,
        period_end=parsed.period_end,
        summary=_summary(parsed, known),
        problems=problems,
        notes=notes,
        blocking=blocking,
        row_count=len(parsed.rows),
        uploaded_by=actor,
    )
    record.file.save(
        f"{client.pk}-{sha256[:16]}.{'xlsx' if data[:2] == b'PK' else 'csv'}", ContentFile(data), save=False
    )
    record.save()
    return record


def import_new_campaign_names(record: Import) -> list[str]:
    """Platform names in this import nobody has mapped yet: offered for mapping once."""
    return [c["name"] for c in record.summary.get("campaigns", []) if not c["known"]]


@transaction.atomic
def import_confirm(
    *, actor: Membership, record: Import, mapping: dict[str, int | None] | None = None
) -> Import:
    """Store the preview's rows as daily facts, replacing those days of those campaigns; map new names."""
    _require_reporter(actor)
    record = Import.objects.select_for_update().select_related("client").get(pk=record.pk)
    if record.state != ImportState.PREVIEW:
        raise ValidationError("This import is not waiting for confirmation.")
    if record.blocking:
        raise ValidationError(record.blocking)
    mapping = mapping or {}
    new_names = import_new_campaign_names(record)
    missing = [n for n in new_names if n not in mapping]
    if missing:
        raise ValidationError(
            {"mapping": f"Choose a campaign (or none) for each new name: {', '.join(missing)}."}
        )
    campaign_ids = {v for v in mapping.values() if v is not None}
    campaigns = {c.pk: c for c in Campaign.objects.filter(client=record.client, pk__in=campaign_ids)}
    if campaign_ids - set(campaigns):
        raise ValidationError({"mapping": f"Choose campaigns of {record.client.name}."})

    with record.file.open("rb") as stored:
        data = stored.read()
    mappings_used = [record.column_mapping.mapping] if record.column_mapping else []
    try:
        parsed = _parse_export(
            data,
            limit=max(settings.REPORTING_IMPORT_MAX_BYTES, len(data)),
            mappings=mappings_used,
            default_currency=record.default_currency,
        )
    except UnrecognisedFile as exc:  # e.g. its column mapping was changed since the preview
        raise ValidationError(str(exc)) from exc

    now = timezone.now()
    platform_campaigns: dict[str, PlatformCampaign] = {
        pc.name: pc
        for pc in PlatformCampaign.objects.select_for_update().filter(
            client=record.client, platform=record.platform, name__in=parsed.campaign_names
        )
    }
    for name in parsed.campaign_names:
        if name not in platform_campaigns:
            chosen = mapping.get(name)
            platform_campaigns[name] = PlatformCampaign.objects.create(
                agency=record.agency,
                client=record.client,
                platform=record.platform,
                name=name,
                campaign=campaigns.get(chosen) if chosen is not None else None,
                mapped_by=actor,
                mapped_at=now,
            )

    _replace_facts(record, parsed, platform_campaigns)
    _record_state_changes(record, parsed, platform_campaigns)

    record.state = ImportState.CONFIRMED
    record.confirmed_by = actor
    record.confirmed_at = now
    record.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    from reporting.services.alerts import alerts_check_soon  # part 2: alerts are checked after each import

    alerts_check_soon(agency_id=record.agency_id, client_id=record.client_id)
    return record


def _replace_facts(
    record: Import, parsed: ParsedExport, platform_campaigns: dict[str, PlatformCampaign]
) -> None:
    if parsed.period_start is None or parsed.period_end is None:
        return
    stale = DailyFact.objects.filter(
        client=record.client,
        platform=record.platform,
        level=record.level,
        date__range=(parsed.period_start, parsed.period_end),
    )
    names = parsed.campaign_names
    pc_ids = [platform_campaigns[n].pk for n in names]
    site_wide = any(not r.campaign_name for r in parsed.rows)
    condition = Q(platform_campaign_id__in=pc_ids)
    if site_wide:
        condition |= Q(platform_campaign__isnull=True)
    stale.filter(condition).delete()  # one DELETE: nothing refers to a fact

    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in parsed.rows:
        sums[(row.campaign_name, row.date, row.metric, row.currency, row.breakdown, row.breakdown_value)] += (
            row.value
        )
    agency_id, client_id, import_id = record.agency_id, record.client_id, record.pk
    try:
        _copy_facts(sums, platform_campaigns, record, agency_id, client_id, import_id)
    except psycopg.Error as exc:
        # The transaction rolls back: none of the file's rows, names or changes are kept.
        raise ValidationError(f"The rows could not be stored: {exc.diag.message_primary}") from exc


def _copy_facts(
    sums: dict[tuple, Decimal],
    platform_campaigns: dict[str, PlatformCampaign],
    record: Import,
    agency_id: int,
    client_id: int,
    import_id: int,
) -> None:
    """COPY the rows in: the fastest way PostgreSQL takes many rows."""
    with connection.cursor() as cursor:
        copy_sql = f"COPY {DailyFact._meta.db_table} ({', '.join(FACT_COLUMNS)}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for (name, day, metric, currency, breakdown, breakdown_value), value in sums.items():
                pc = platform_campaigns.get(name)
                copy.write_row(
                    (
                        agency_id,
                        client_id,
                        pc.campaign_id if pc else None,
                        pc.pk if pc else None,
                        import_id,
                        day,
                        record.platform,
                        record.level,
                        metric,
                        value,
                        currency,
                        breakdown,
                        breakdown_value[:300],
                    )
                )


def _record_state_changes(
    record: Import, parsed: ParsedExport, platform_campaigns: dict[str, PlatformCampaign]
) -> None:
    by_name: dict[str, list] = defaultdict(list)
    for state in parsed.states:
        by_name[state.campaign_name].append(state)
    label = Platform(record.platform).label
    for name, states in by_name.items():
        pc = platform_campaigns.get(name)
        if pc is None:
            continue
        known = KnownState(pc.last_status, pc.last_daily_budget, pc.last_state_on)
        changes, latest = detect_state_changes(states, known=known, platform_label=label)
        if pc.campaign_id is not None:
            CampaignChange.objects.bulk_create(
                CampaignChange(
                    agency_id=record.agency_id,
                    campaign_id=pc.campaign_id,
                    changed_on=change.changed_on,
                    kind=change.kind,
                    summary=f"{name} — {change.summary}"[:300],
                    platform=record.platform,
                    source=ChangeSource.IMPORT,
                    source_import=record,
                )
                for change in changes
            )
        if latest != known:
            pc.last_status, pc.last_daily_budget, pc.last_state_on = (
                latest.status,
                latest.daily_budget,
                latest.on,
            )
            pc.save(update_fields=["last_status", "last_daily_budget", "last_state_on"])


@transaction.atomic
def import_discard(*, actor: Membership, record: Import) -> Import:
    """Drop a preview nobody wants to import (the file stays for the record)."""
    _require_reporter(actor)
    if record.state != ImportState.PREVIEW:
        raise ValidationError("Only a preview can be discarded.")
    record.state = ImportState.DISCARDED
    record.save(update_fields=["state"])
    return record
