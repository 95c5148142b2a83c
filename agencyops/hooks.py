"""Events a lower layer announces and a higher layer reacts to, so imports keep pointing down.

Approvals announces that a request was approved; the library (in brandkit, a layer above) files the
approved work. Approvals never imports brandkit: brandkit subscribes in its ``AppConfig.ready()``.

Handlers run inside the announcing transaction and must only queue their work on commit
(``task.delay_on_commit``), so a failing side effect never fails the write that announced it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

# An approval request reached "approved" or "approved with changes": handler(request_id=...).
APPROVAL_REQUEST_APPROVED = "approval_request.approved"

# A drafting job finished, succeeded or failed: handler(job_id=..., kind=..., agency_id=...). The layer
# that asked for the job (reporting's insight prose) reads its result; brandkit never imports it.
DRAFTING_JOB_FINISHED = "drafting_job.finished"

_subscribers: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def subscribe(event: str, handler: Callable[..., Any]) -> None:
    """Call ``handler(**facts)`` whenever ``event`` is announced (once per handler, however often ready() runs)."""
    if handler not in _subscribers[event]:
        _subscribers[event].append(handler)


def unsubscribe(event: str, handler: Callable[..., Any]) -> None:
    if handler in _subscribers[event]:
        _subscribers[event].remove(handler)


def subscribers(event: str) -> list[Callable[..., Any]]:
    return list(_subscribers[event])


def announce(event: str, **facts: Any) -> None:
    """Tell every subscriber of ``event``; facts are ids and plain values, never model instances."""
    for handler in list(_subscribers[event]):
        handler(**facts)
