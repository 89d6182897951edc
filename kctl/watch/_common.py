"""What the watch tools need from a client, and small helpers they share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from kctl.metav1 import ListOptions
    from kctl.rest import WatchEvent

__all__ = ["ADDED", "BOOKMARK", "DELETED", "ERROR", "MODIFIED", "Lister", "Sleep", "Watchable"]

ADDED = "ADDED"
MODIFIED = "MODIFIED"
DELETED = "DELETED"
BOOKMARK = "BOOKMARK"
ERROR = "ERROR"

# The annotation on the BOOKMARK that closes a WatchList's initial events.
INITIAL_EVENTS_END = "k8s.io/initial-events-end"

# Waits up to ``seconds``; injectable so tests never sleep for real.
Sleep = Callable[[float], object]


class EventStream(Protocol):
    """What a watch returns: kctl.rest.Watcher, or anything iterating WatchEvents with stop()."""

    def __iter__(self) -> Iterator[WatchEvent]: ...

    def stop(self) -> None: ...


class Watchable(Protocol):
    """Anything with client-go's Watch verb: dynamic and typed resource clients qualify."""

    def watch(self, opts: ListOptions | None = None) -> EventStream: ...


class Lister(Watchable, Protocol):
    """List and Watch (client-go's ListerWatcher); the list returns a decoded list object."""

    def list(self, opts: ListOptions | None = None) -> Any: ...


def resource_version(obj: Any) -> str:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    rv = meta.get("resourceVersion") if isinstance(meta, dict) else None
    return rv if isinstance(rv, str) else ""


def status_code(status: Any) -> int:
    code = status.get("code") if isinstance(status, dict) else None
    return code if isinstance(code, int) else 0


def retry_after(status: Any) -> float:
    details = status.get("details") if isinstance(status, dict) else None
    seconds = details.get("retryAfterSeconds") if isinstance(details, dict) else None
    return float(seconds) if isinstance(seconds, int) else 0.0


def status_message(status: Any) -> str:
    message = status.get("message") if isinstance(status, dict) else None
    return message if isinstance(message, str) and message else "watch failed"


class Backoff:
    """Exponential delays: ``initial`` doubling up to ``cap``; ``reset`` after progress."""

    def __init__(self, initial: float, cap: float) -> None:
        self.initial = initial
        self.cap = cap
        self._next = initial

    def next(self, at_least: float = 0.0) -> float:
        delay = self._next
        self._next = min(self._next * 2, self.cap)
        return max(delay, at_least)

    def reset(self) -> None:
        self._next = self.initial
