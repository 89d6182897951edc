"""The object store: one global resourceVersion, encoded objects, history and subscribers.

Every committed write goes through :meth:`Store._commit`, which is the single place a
persistence backend, the watch history and internal subscribers (controllers) hear about it.
Objects are kept both as dicts and as their encoded JSON bytes so that list pages are built by
joining bytes instead of re-encoding thousands of dicts.
"""

from __future__ import annotations

import bisect
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "Backend",
    "Entry",
    "Event",
    "MemoryBackend",
    "Store",
    "Subscription",
    "encode",
    "encode_value",
]


def encode(obj: dict[str, Any]) -> bytes:
    """Compact JSON with ``kind``/``apiVersion`` first, as kube-apiserver writes objects."""
    if "kind" in obj or "apiVersion" in obj:
        head: dict[str, Any] = {k: obj[k] for k in ("kind", "apiVersion") if k in obj}
        obj = {**head, **{k: v for k, v in obj.items() if k not in head}}
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    # Go's encoder escapes HTML-significant characters; byte-compatible bodies need the same.
    if "<" in text or ">" in text or "&" in text:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.encode()


def encode_value(value: Any) -> bytes:
    """Any JSON value with the same escaping as :func:`encode`."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if "<" in text or ">" in text or "&" in text:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.encode()


@dataclass(frozen=True)
class Entry:
    obj: dict[str, Any]
    raw: bytes

    @property
    def rv(self) -> int:
        return int(self.obj["metadata"]["resourceVersion"])


@dataclass(frozen=True)
class Event:
    """A committed change. ``prev`` is the entry before it (None for ADDED)."""

    rv: int
    type: str  # ADDED, MODIFIED, DELETED
    resource: tuple[str, str]  # (group, plural)
    key: str
    entry: Entry
    prev: Entry | None


class Backend(Protocol):
    """Where committed writes go; the in-memory store is the source of truth while running."""

    def commit(self, event: Event) -> None: ...

    def close(self) -> None: ...


class MemoryBackend:
    def commit(self, event: Event) -> None:
        return None

    def close(self) -> None:
        return None


def object_key(namespace: str, name: str) -> str:
    # etcd's key order (/registry/<resource>/<ns>/<name>) is what lists are sorted by.
    return f"{namespace}/{name}" if namespace else name


@dataclass
class _Table:
    entries: dict[str, Entry] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)


class Subscription:
    """A queue of events for one watcher; ``None`` means the store is closing."""

    def __init__(self, store: Store, resource: tuple[str, str] | None) -> None:
        self._store = store
        self.resource = resource
        self._cond = threading.Condition()
        self._items: deque[Event | None] = deque()
        self.closed = False

    def push(self, item: Event | None) -> None:
        with self._cond:
            self._items.append(item)
            self._cond.notify()

    def get(self, timeout: float) -> Event | bool | None:
        """The next event, None on close, or False when ``timeout`` elapsed first."""
        with self._cond:
            if not self._items:
                self._cond.wait(timeout)
            if not self._items:
                return False
            return self._items.popleft()

    def cancel(self) -> None:
        self._store._unsubscribe(self)


# kube-apiserver's watch cache keeps, per resource, at least 100 events (lowerBoundCapacity)
# and grows to keep 75 s of them (eventFreshDuration), up to 100*1024 (upperBoundCapacity).
WATCH_WINDOW_SECONDS = 75.0
WATCH_WINDOW_EVENTS = 100
_WATCH_WINDOW_CAP = 100 * 1024


class Store:
    """``history`` is how many events (all resources) lists at an exact resourceVersion and
    continue tokens can reach back, as etcd's uncompacted revisions. Watches resume from a
    narrower window, per resource, as from kube-apiserver's watch cache: the last
    ``watch_window_events`` events of the resource and any younger than
    ``watch_window_seconds``; an event leaves it only when a newer one of its resource
    arrives. ``clock`` (monotonic seconds) dates the events."""

    def __init__(
        self,
        *,
        history: int = 20000,
        backend: Backend | None = None,
        watch_window_seconds: float = WATCH_WINDOW_SECONDS,
        watch_window_events: int = WATCH_WINDOW_EVENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.RLock()
        self._tables: dict[tuple[str, str], _Table] = {}
        self._rv = 0
        self._history: deque[Event] = deque(maxlen=history)
        # Lists and watches older than this cannot be served ("too old resource version").
        self._compacted = 0
        self._window_seconds = watch_window_seconds
        self._window_events = max(1, watch_window_events)
        self._clock = clock
        # Per resource: (resourceVersion, time) of the events a watch may resume after, and
        # whether older ones have left (then only those can be resumed from).
        self._windows: dict[tuple[str, str], deque[tuple[int, float]]] = {}
        self._window_trimmed: set[tuple[str, str]] = set()
        # The watch cache's first list: no watch resumes from before it.
        self._watch_start = 0
        self._subs: list[Subscription] = []
        self._listeners: list[Callable[[Event], None]] = []
        self._owners: dict[str, set[tuple[tuple[str, str], str]]] = {}
        self.backend: Backend = backend or MemoryBackend()
        self.closed = False

    # --- reads ---------------------------------------------------------------------------

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    @property
    def resource_version(self) -> int:
        return self._rv

    @property
    def compacted_rv(self) -> int:
        with self._lock:
            if self._history and len(self._history) == self._history.maxlen:
                return self._history[0].rv - 1
            return self._compacted

    def watch_horizon(self, resource: tuple[str, str]) -> int:
        """The oldest resourceVersion a watch of ``resource`` can resume from: older ones get
        ``too old resource version: RV (horizon)``. It is the watch cache's ``oldest - 1``:
        just before its oldest retained event once any has left, else its first list's."""
        with self._lock:
            horizon = max(self.compacted_rv, self._watch_start)
            window = self._windows.get(resource)
            if resource in self._window_trimmed and window:
                horizon = max(horizon, window[0][0] - 1)
            return horizon

    def start_watch_cache(self) -> None:
        """What exists now was loaded before the server started: like kube-apiserver's watch
        cache, which begins with a list, watches cannot resume from before this point."""
        with self._lock:
            self._watch_start = self._rv

    def get(self, resource: tuple[str, str], namespace: str, name: str) -> Entry | None:
        table = self._tables.get(resource)
        if table is None:
            return None
        return table.entries.get(object_key(namespace, name))

    def snapshot(
        self, resource: tuple[str, str], rv: int | None = None, namespace: str = ""
    ) -> tuple[int, list[str], dict[str, Entry]]:
        """(rv, sorted keys, entries) of ``resource`` as they were at ``rv`` (default: now).

        Past states are rebuilt by undoing the history newer than ``rv``; the caller checks
        that ``rv`` is not older than :attr:`compacted_rv`.
        """
        with self._lock:
            table = self._tables.get(resource) or _Table()
            current = self._rv
            keys, entries = table.keys, table.entries
            if rv is not None and rv < current:
                undo = [e for e in reversed(self._history) if e.rv > rv and e.resource == resource]
                if undo:
                    entries = dict(entries)
                    for ev in undo:
                        if ev.prev is None:
                            entries.pop(ev.key, None)
                        else:
                            entries[ev.key] = ev.prev
                    keys = sorted(entries)
                current = rv
            else:
                keys = list(keys)
            if namespace:
                prefix = namespace + "/"
                lo = bisect.bisect_left(keys, prefix)
                hi = bisect.bisect_left(keys, namespace + "0")  # "0" sorts right after "/"
                keys = keys[lo:hi]
            return current, keys, entries

    def items(self, resource: tuple[str, str], namespace: str = "") -> list[Entry]:
        _, keys, entries = self.snapshot(resource, namespace=namespace)
        return [entries[k] for k in keys]

    def resources(self) -> list[tuple[str, str]]:
        with self._lock:
            return [r for r, t in self._tables.items() if t.entries]

    def dependents(self, uid: str) -> list[tuple[tuple[str, str], Entry]]:
        with self._lock:
            out = []
            for resource, key in sorted(self._owners.get(uid, ())):
                entry = self._tables[resource].entries.get(key)
                if entry is not None:
                    out.append((resource, entry))
            return out

    # --- writes --------------------------------------------------------------------------

    def next_rv(self) -> int:
        with self._lock:
            return self._rv + 1

    def put(self, resource: tuple[str, str], obj: dict[str, Any]) -> Entry:
        """Commit ``obj`` (created or replaced) with a fresh resourceVersion."""
        with self._lock:
            meta = obj["metadata"]
            key = object_key(meta.get("namespace", ""), meta["name"])
            table = self._tables.setdefault(resource, _Table())
            prev = table.entries.get(key)
            self._rv += 1
            meta["resourceVersion"] = str(self._rv)
            entry = Entry(obj, encode(obj))
            if prev is None:
                bisect.insort(table.keys, key)
            else:
                self._unindex(resource, key, prev)
            table.entries[key] = entry
            self._index(resource, key, entry)
            return self._commit(
                Event(self._rv, "MODIFIED" if prev else "ADDED", resource, key, entry, prev)
            )

    def remove(self, resource: tuple[str, str], namespace: str, name: str) -> Entry | None:
        """Delete the object; the DELETED event carries it with a new resourceVersion."""
        with self._lock:
            key = object_key(namespace, name)
            table = self._tables.get(resource)
            prev = table.entries.get(key) if table else None
            if table is None or prev is None:
                return None
            self._rv += 1
            del table.entries[key]
            table.keys.pop(bisect.bisect_left(table.keys, key))
            self._unindex(resource, key, prev)
            gone = json.loads(prev.raw)
            gone["metadata"]["resourceVersion"] = str(self._rv)
            entry = Entry(gone, encode(gone))
            self._commit(Event(self._rv, "DELETED", resource, key, entry, prev))
            return entry

    def _index(self, resource: tuple[str, str], key: str, entry: Entry) -> None:
        for ref in entry.obj["metadata"].get("ownerReferences") or ():
            uid = ref.get("uid")
            if uid:
                self._owners.setdefault(uid, set()).add((resource, key))

    def _unindex(self, resource: tuple[str, str], key: str, entry: Entry) -> None:
        for ref in entry.obj["metadata"].get("ownerReferences") or ():
            refs = self._owners.get(ref.get("uid", ""))
            if refs is not None:
                refs.discard((resource, key))
                if not refs:
                    del self._owners[ref["uid"]]

    def _commit(self, event: Event) -> Entry:
        self.backend.commit(event)
        self._history.append(event)
        self._remember(event)
        for sub in self._subs:
            if sub.resource is None or sub.resource == event.resource:
                sub.push(event)
        for listener in self._listeners:
            listener(event)
        return event.entry

    def _remember(self, event: Event) -> None:
        now = self._clock()
        window = self._windows.setdefault(event.resource, deque())
        window.append((event.rv, now))
        # As the watch cache: the buffer grows while its oldest event is fresh, and an event
        # is dropped only to make room for a newer one.
        while len(window) > self._window_events and (
            len(window) > _WATCH_WINDOW_CAP or now - window[0][1] > self._window_seconds
        ):
            window.popleft()
            self._window_trimmed.add(event.resource)

    # --- watching ------------------------------------------------------------------------

    def subscribe(
        self, resource: tuple[str, str] | None, since: int | None = None
    ) -> tuple[Subscription, list[Event]]:
        """Register a watcher; returns it and the retained events newer than ``since``.

        Raises LookupError when ``since`` is older than the retained history.
        """
        with self._lock:
            if since is not None and since < self.compacted_rv:
                raise LookupError(self.compacted_rv)
            sub = Subscription(self, resource)
            backlog: list[Event] = []
            if since is not None:
                backlog = [
                    e
                    for e in self._history
                    if e.rv > since and (resource is None or e.resource == resource)
                ]
            self._subs.append(sub)
            return sub, backlog

    def _unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def add_listener(self, listener: Callable[[Event], None]) -> None:
        """Call ``listener`` synchronously, under the store lock, after every commit.

        Listeners must be quick and must not write; controllers hand work to their own thread.
        """
        with self._lock:
            self._listeners.append(listener)

    def compact(self) -> None:
        """Forget the history: older continue tokens and watch versions expire."""
        with self._lock:
            self._history.clear()
            self._compacted = self._rv

    def close(self) -> None:
        with self._lock:
            self.closed = True
            subs, self._subs = self._subs, []
        for sub in subs:
            sub.push(None)
        self.backend.close()

    def iter_all(self) -> Iterator[tuple[tuple[str, str], Entry]]:
        with self._lock:
            pairs = [(r, e) for r, t in self._tables.items() for e in t.entries.values()]
        yield from pairs

    def restore(self, objects: Iterable[tuple[tuple[str, str], dict[str, Any]]], rv: int) -> None:
        """Reinstate persisted objects as they were (their resourceVersions kept, nothing sent
        to the backend or watchers) and continue the counter after ``rv``. Older versions
        are gone, as after an etcd compaction."""
        with self._lock:
            for resource, obj in objects:
                meta = obj["metadata"]
                key = object_key(meta.get("namespace", ""), meta["name"])
                table = self._tables.setdefault(resource, _Table())
                if key not in table.entries:
                    bisect.insort(table.keys, key)
                entry = Entry(obj, encode(obj))
                table.entries[key] = entry
                self._index(resource, key, entry)
            self._rv = max(self._rv, rv)
            self._compacted = self._rv

    def load(self, resource: tuple[str, str], objs: Iterable[dict[str, Any]]) -> None:
        for obj in objs:
            self.put(resource, obj)
