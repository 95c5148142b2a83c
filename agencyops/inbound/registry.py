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
