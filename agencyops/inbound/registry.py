"""Where product apps plug into the inbox: resolvers that file an arriving message on something of theirs.

The platform receives and parses mail and chat but does not know what a request or a task is. An app
registers a resolver in its ``AppConfig.ready``; the receiver calls each one, in order, on a message from a
known sender, and the first that returns a ``Filing`` wins. A resolver that files nothing returns None and
the message waits in the inbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agencyops.inbound.models import InboundMessage


@dataclass(frozen=True)
class Filing:
    """What a message became: a label (``"approvals.comment"``), its id, its page and words for a person."""

    kind: str
    object_id: int
    url: str
    label: str


Resolver = Callable[["InboundMessage"], Filing | None]

_resolvers: dict[str, tuple[int, Resolver]] = {}


def register_resolver(key: str, resolver: Resolver, *, order: int = 100) -> None:
    """Register (or replace, by key) a resolver; lower orders are asked first."""
    _resolvers[key] = (order, resolver)


def unregister_resolver(key: str) -> None:
    _resolvers.pop(key, None)


def registered_resolvers() -> list[Resolver]:
    return [resolver for _, resolver in sorted(_resolvers.values(), key=lambda item: item[0])]


# --- Replies to our own mail -------------------------------------------------------------------
# A mail the platform sends about something of an app's (a notification whose target is an approval
# request) carries a recorded Message-ID and a Reply-To its inbound address, so that the answer comes
# back and is filed on that thing. The app says which of its models can be answered this way.


@dataclass(frozen=True)
class ReplyTarget:
    """How replies about rows of one model come back: the inbound target name and the row's client."""

    inbound_target: str
    client_id_of: Callable[[int], int | None]


_reply_targets: dict[str, ReplyTarget] = {}


def register_reply_target(
    model_label: str, *, inbound_target: str, client_id_of: Callable[[int], int | None]
) -> None:
    """``model_label`` as Django spells it (``approvals.approvalrequest``)."""
    _reply_targets[model_label] = ReplyTarget(inbound_target=inbound_target, client_id_of=client_id_of)


def reply_target_for(model_label: str) -> ReplyTarget | None:
    return _reply_targets.get(model_label)
