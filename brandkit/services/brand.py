"""Writes to a client's brand layer: every save a new version, JSON and Vale imports (all or nothing),
the agency's sharing settings and the checkable constraints on decision-log entries."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencyops.models import Client, Membership
from agencyops.permissions import require
from approvals.models import DecisionLogEntry
from brandkit.layer import LayerInvalid, changed_sections, empty_layer, layer_validate
from brandkit.library.models import BrandFileRole, BrandLayerFile, LibraryItem
from brandkit.models import BrandLayerVersion, BrandSettings, ConstraintMust, DecisionConstraint
from brandkit.permissions import can_edit_brand, can_manage_brand_settings

MAX_IMPORT_BYTES = 2_000_000
EDIT_REFUSED = "Owners, coordinators and strategists edit brand layers."


@transaction.atomic
def brand_layer_save(*, actor: Membership, client: Client, content: Any, note: str = "") -> BrandLayerVersion:
    """Save the client's brand layer as a new version (who, when, which sections changed); older ones stay.

    A save that changes nothing answers the latest version instead of adding an empty one.
    """
    require(can_edit_brand, actor, EDIT_REFUSED)
    try:
        cleaned = layer_validate(content)
    except LayerInvalid as invalid:
        raise ValidationError(invalid.errors) from None
    # Lock the client so two saves at once number their versions one after the other.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    latest = BrandLayerVersion.objects.filter(client=client).order_by("-number").first()
    before = latest.content if latest is not None else empty_layer()
    changed = changed_sections(before, cleaned)
    if latest is not None and not changed:
        return latest
    return BrandLayerVersion.objects.create(
        agency=client.agency,
        client=client,
        number=(latest.number if latest else 0) + 1,
        content=cleaned,
        changed=changed,
        note=note.strip()[:300],
        created_by=actor,
        created_at=timezone.now(),
    )


def _json_document(raw: bytes | str, filename: str) -> Any:
    if len(raw) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": f"{filename} is larger than {MAX_IMPORT_BYTES // 1_000_000} MB."})
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text)
    except UnicodeDecodeError:
        raise ValidationError({"file": f"{filename} is not UTF-8 text."}) from None
    except json.JSONDecodeError as error:
        raise ValidationError(
            {"file": f"{filename} line {error.lineno}, column {error.colno}: {error.msg}."}
        ) from None


@transaction.atomic
def brand_layer_import_json(
    *, actor: Membership, client: Client, raw: bytes | str, filename: str = "brand.json"
) -> BrandLayerVersion:
    """Replace the layer with an exported JSON document: all of it or nothing, errors name file and field."""
    document = _json_document(raw, filename)
    if isinstance(document, dict):
        document = {k: v for k, v in document.items() if k not in ("format", "client", "version")}
    try:
        return brand_layer_save(actor=actor, client=client, content=document, note=f"Imported {filename}")
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(
                {
                    field: [f"{filename}: {m}" for m in messages]
                    for field, messages in error.message_dict.items()
                }
            ) from None
        raise


def _style_texts(raw: bytes) -> dict[str, str]:
    """The rule and vocabulary files of a zip as text, kept so an export gives them back as they came."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {
            info.filename: archive.read(info).decode("utf-8", errors="replace")
            for info in archive.infolist()
            if not info.is_dir()
            and "__MACOSX" not in info.filename
            and not PurePosixPath(info.filename).name.startswith(".")
            and (
                PurePosixPath(info.filename).suffix.lower() in (".yml", ".yaml")
                or PurePosixPath(info.filename).name in ("accept.txt", "reject.txt")
            )
        }


@transaction.atomic
def brand_layer_import_vale(
    *, actor: Membership, client: Client, raw: bytes, filename: str = "style.zip"
) -> tuple[BrandLayerVersion, list[str]]:
    """Add (or replace, by name) a Vale style from a zip; answers the new version and the rules of kinds
    the checker does not run, listed, never silently dropped. A broken file refuses the whole zip."""
    from brandkit.vale import ValeStyleError, read_style_zip

    require(can_edit_brand, actor, EDIT_REFUSED)
    if len(raw) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": f"{filename} is larger than {MAX_IMPORT_BYTES // 1_000_000} MB."})
    try:
        style = read_style_zip(raw)
    except ValeStyleError as error:
        raise ValidationError({"file": f"{filename}: {error}"}) from None
    latest = BrandLayerVersion.objects.filter(client=client).order_by("-number").first()
    layer = dict(latest.content) if latest is not None else empty_layer()
    styles = [s for s in layer.get("vale", []) if s["name"] != style.name]
    styles.append({"name": style.name, "files": _style_texts(raw)})
    layer["vale"] = styles
    version = brand_layer_save(
        actor=actor, client=client, content=layer, note=f"Imported Vale style {style.name}"
    )
    unsupported = [f"{rule.file}: {rule.name} ({rule.kind})" for rule in style.unsupported]
    return version, unsupported


@transaction.atomic
def brand_settings_update(
    *, actor: Membership, members_see_only_their_clients: bool, share_with_client_contacts: bool
) -> BrandSettings:
    """Decide who reads brand layers: members (every client or only theirs) and client contacts (their own)."""
    require(can_manage_brand_settings, actor, "Owners and coordinators decide who sees brand layers.")
    settings, _ = BrandSettings.objects.get_or_create(agency=actor.agency)
    settings.members_see_only_their_clients = members_see_only_their_clients
    settings.share_with_client_contacts = share_with_client_contacts
    settings.save()
    return settings


@transaction.atomic
def decision_constraint_add(
    *, actor: Membership, entry: DecisionLogEntry, term: str, must: str = ConstraintMust.ABSENT
) -> DecisionConstraint:
    """Make a logged decision checkable: a term that must not (or must) appear in the client's copy again."""
    require(can_edit_brand, actor, EDIT_REFUSED)
    term = " ".join(term.split())
    errors = {}
    if not term:
        errors["term"] = "Name the words the decision is about."
    elif len(term) > 200:
        errors["term"] = "At most 200 characters."
    if must not in ConstraintMust.values:
        errors["must"] = "Choose “absent” or “present”."
    if errors:
        raise ValidationError(errors)
    if DecisionConstraint.objects.filter(entry=entry, term__iexact=term, must=must).exists():
        raise ValidationError({"term": "This decision already has that constraint."})
    return DecisionConstraint.objects.create(
        agency=actor.agency, client_id=entry.client_id, entry=entry, term=term, must=must, created_by=actor
    )


MAX_BRAND_EXAMPLE_FILES = 20
MAX_PROOF_FILES_PER_CLAIM = 10


@transaction.atomic
def brand_files_set(
    *,
    actor: Membership,
    client: Client,
    examples: Sequence[int],
    proofs: Mapping[str, Sequence[int]],
) -> None:
    """Choose the client's library files that are example assets of its brand layer, and the files that
    prove each approved claim (named by its text in the latest layer). Replaces the previous choice.

    Every id is looked up among this client's own live library items: another client's or agency's file,
    a deleted one or a missing one is refused by name, and nothing is saved."""
    require(can_edit_brand, actor, EDIT_REFUSED)
    errors: dict[str, str] = {}
    if len(examples) > MAX_BRAND_EXAMPLE_FILES:
        errors["examples"] = f"Choose at most {MAX_BRAND_EXAMPLE_FILES} example files."
    latest = BrandLayerVersion.objects.filter(client=client).order_by("-number").first()
    claims = {c["text"] for c in (latest.content if latest else empty_layer()).get("claims") or []}
    for claim, ids in proofs.items():
        if claim not in claims:
            errors.setdefault("proofs", f"“{claim[:80]}” is not an approved claim of {client.name}'s brand layer.")
        elif len(ids) > MAX_PROOF_FILES_PER_CLAIM:
            errors.setdefault("proofs", f"Choose at most {MAX_PROOF_FILES_PER_CLAIM} files per claim.")
    wanted = {int(i) for i in examples} | {int(i) for ids in proofs.values() for i in ids}
    found = set(
        LibraryItem.objects.filter(
            agency=actor.agency, client=client, deleted_at__isnull=True, pk__in=wanted
        ).values_list("pk", flat=True)
    )
    if missing := sorted(wanted - found):
        field = "examples" if set(missing) & {int(i) for i in examples} else "proofs"
        errors.setdefault(
            field, f"No such library file of {client.name}: {', '.join(str(i) for i in missing[:10])}."
        )
    if errors:
        raise ValidationError(errors)
    BrandLayerFile.objects.filter(agency=actor.agency, client=client).delete()
    rows = [
        BrandLayerFile(
            agency=actor.agency, client=client, library_item_id=i, role=BrandFileRole.EXAMPLE, chosen_by=actor
        )
        for i in dict.fromkeys(int(i) for i in examples)
    ]
    rows += [
        BrandLayerFile(
            agency=actor.agency, client=client, library_item_id=i, role=BrandFileRole.PROOF, claim=claim,
            chosen_by=actor,
        )
        for claim, ids in proofs.items()
        for i in dict.fromkeys(int(i) for i in ids)
    ]  # fmt: skip
    BrandLayerFile.objects.bulk_create(rows)
