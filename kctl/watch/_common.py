"""What the watch tools need from a client, and small helpers they share."""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

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


def object_key(obj: Any) -> str:
    """The uid, else namespace/name: a re-created object is a new object (as the Reflector)."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(meta, dict):
        return ""
    uid = meta.get("uid")
    if isinstance(uid, str) and uid:
        return uid
    return f"{meta.get('namespace') or ''}/{meta.get('name') or ''}"


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


_Loop = TypeVar("_Loop", bound="WatchLoop")


class WatchLoop(abc.ABC):
    """An iterator of WatchEvents produced by ``_run``, that ``stop()`` ends from any thread.

    ``sleep`` waits between attempts (default: an interruptible wait that ``stop()`` cuts
    short); delays come from a Backoff between ``min_backoff`` and ``max_backoff``.
    """

    def __init__(self, sleep: Sleep | None, min_backoff: float, max_backoff: float) -> None:
        self._stopped = threading.Event()
        self._sleep: Sleep = sleep if sleep is not None else self._stopped.wait
        self._backoff = Backoff(min_backoff, max_backoff)
        # The watch being read, so that stop() can close it under a blocked reader.
        self._current: EventStream | None = None
        self._events = self._run()

    @abc.abstractmethod
    def _run(self) -> Iterator[WatchEvent]: ...

    def __iter__(self) -> Iterator[WatchEvent]:
        return self

    def __next__(self) -> WatchEvent:
        return next(self._events)

    def __enter__(self: _Loop) -> _Loop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopped.set()
        current = self._current
        if current is not None:
            current.stop()
