"""Kinds of event a person can be told about, the ways to tell them, and who gets what by default.

Pure: no ORM. ``channel_for`` is the whole routing rule; ``notify`` feeds it the stored choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Channel(StrEnum):
    IN_APP = "in_app"
    MAIL = "mail"
    DIGEST = "digest"
    OFF = "off"


CHANNEL_LABELS = {
    Channel.IN_APP: "In the app only",
    Channel.MAIL: "Mail now",
    Channel.DIGEST: "Daily digest",
    Channel.OFF: "Off",
}

# Who a person is to the agency: the membership roles, plus a client's contact (portal people).
CLIENT_CONTACT = "client"
ROLES = ("owner", "coordinator", "member", CLIENT_CONTACT)


@dataclass(frozen=True)
class Kind:
    """A kind of event a person can choose a channel for; ``events`` are the notify() kinds it covers."""

    key: str
    label: str
    defaults: dict[str, Channel]
    events: tuple[str, ...] = field(default=())

    def default_for(self, role: str | None) -> Channel:
        # Someone with no seat and no contact record (an outside address) is mailed: there is no app to show it in.
        if role is None:
            return Channel.MAIL
        return self.defaults.get(role, Channel.IN_APP)


M, A, D, N = Channel.MAIL, Channel.IN_APP, Channel.DIGEST, Channel.OFF


def _by_role(owner: Channel, coordinator: Channel, member: Channel, client: Channel) -> dict[str, Channel]:
    return {"owner": owner, "coordinator": coordinator, "member": member, CLIENT_CONTACT: client}


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("approval_requested", "An approval or sign-off waits for you", _by_role(M, M, M, M),
             ("approval_sent", "internal_signoff")),
        Kind("approval_decided", "A client decided on an approval", _by_role(M, M, A, N), ("decision",)),
        Kind("approval_due", "An approval is due soon or overdue", _by_role(M, M, A, M),
             ("reminder_before", "reminder_overdue")),
        Kind("escalation_raised", "A risk was escalated", _by_role(M, M, A, N), ("escalation",)),
        Kind("risk_digest", "The daily list of open risks", _by_role(M, M, N, N), ("escalation_digest",)),
        Kind("mention", "Someone mentioned you", _by_role(M, M, M, M)),
        Kind("task_can_start", "Your task can start (the work before it is done)", _by_role(A, M, M, N)),
        Kind("change_requested", "A change request was raised", _by_role(M, M, A, M)),
        Kind("report_sent", "A report was sent", _by_role(D, D, N, M)),
        Kind("import_failed", "A metrics import failed", _by_role(M, M, A, N)),
        Kind("report_held", "A weekly report waits for data", _by_role(M, M, A, N)),
        Kind("reporting_alert", "A campaign figure crossed its alert threshold", _by_role(M, M, M, N)),
    )
}  # fmt: skip

_KIND_OF_EVENT = {event: kind.key for kind in KINDS.values() for event in (kind.key, *kind.events)}


def kind_for_event(event: str) -> Kind | None:
    """The preference kind an event belongs to, or None for an event nobody can choose about."""
    key = _KIND_OF_EVENT.get(event)
    return KINDS[key] if key else None


def channel_for(*, event: str, role: str | None, chosen: str | None) -> Channel:
    """How to tell a person about an event: their own choice for its kind, else their role's default."""
    if chosen:
        return Channel(chosen)
    kind = kind_for_event(event)
    if kind is None:
        return Channel.MAIL if role is None else Channel.IN_APP
    return kind.default_for(role)
