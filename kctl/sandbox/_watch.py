"""One watch request: initial events, history replay, live events, bookmarks, timeout."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from kctl.errors import StatusError
from kctl.sandbox import _status as st
from kctl.sandbox._catalog import ResourceType
from kctl.sandbox._registry import storage_key
from kctl.sandbox._selectors import FieldSelector, LabelSelector
from kctl.sandbox._store import Entry, Event, Subscription, encode

if TYPE_CHECKING:
    from kctl.sandbox._api import ApiServer, _Output

__all__ = ["WatchStream"]

# kube-apiserver picks a random timeout in [minRequestTimeout, 2*minRequestTimeout].
_DEFAULT_TIMEOUT = 1800.0


class WatchStream:
    def __init__(
        self,
        api: ApiServer,
        rt: ResourceType,
        namespace: str,
        labels: LabelSelector,
        fields: FieldSelector,
        getter: Callable[[Mapping[str, Any]], Callable[[str], str]],
        out: _Output,
        *,
        rv: str,
        rv_match: str,
        send_initial: bool,
        bookmarks: bool,
        timeout: int | None,
    ) -> None:
        self.api = api
        self.rt = rt
        self.namespace = namespace
        self.labels = labels
        self.fields = fields
        self.getter = getter
        self.out = out
        self.rv = rv
        self.rv_match = rv_match
        self.send_initial = send_initial
        self.bookmarks = bookmarks
        self.timeout = float(timeout) if timeout is not None and timeout > 0 else _DEFAULT_TIMEOUT
        self._headers_sent = False
        self._last_rv = 0

    # --- setup ---------------------------------------------------------------------------

    def open(self) -> Iterator[bytes]:
        """Validate and register the watch now (errors become a plain Status response), and
        return the event stream."""
        if self.send_initial and self.rv_match != "NotOlderThan":
            raise st.invalid(
                "meta.k8s.io",
                "ListOptions.meta.k8s.io",
                "",
                [
                    {
                        "reason": "FieldValueForbidden",
                        "message": "Forbidden: sendInitialEvents is forbidden for watch unless "
                        "resourceVersionMatch is set to NotOlderThan",
                        "field": "sendInitialEvents",
                    }
                ],
            )
        store = self.api.store
        key = storage_key(self.rt)
        initial: list[Entry] = []
        error: StatusError | None = None
        with store.lock:
            current = store.resource_version
            if self.rv in ("", "0") or self.send_initial:
                since = current
                if self.send_initial and self.rv not in ("", "0"):
                    since = self._parse_rv()
                    since = min(since, current)
                _, keys, entries = store.snapshot(key, None, self.namespace)
                initial = [entries[k] for k in keys if self._matches(entries[k].obj)]
                sub, backlog = store.subscribe(key, current)
                del since
            else:
                since = self._parse_rv()
                horizon = store.watch_horizon(key)
                if since < horizon:
                    # kube-apiserver's watch cache: HTTP 200, then this one ERROR event.
                    error = st.expired(f"too old resource version: {since} ({horizon})")
                    sub, backlog = store.subscribe(key, current)
                else:
                    sub, backlog = store.subscribe(key, since)
            self._last_rv = current
        return self._run(sub, initial, backlog, error)

    def _parse_rv(self) -> int:
        try:
            return int(self.rv)
        except ValueError:
            raise st.bad_request(f"invalid resource version: {self.rv}") from None

    def _matches(self, obj: dict[str, Any]) -> bool:
        if self.namespace and obj["metadata"].get("namespace") != self.namespace:
            return False
        return self.labels.matches(obj["metadata"].get("labels")) and self.fields.matches(
            self.getter(obj)
        )

    # --- the stream ----------------------------------------------------------------------

    def _run(
        self,
        sub: Subscription,
        initial: list[Entry],
        backlog: list[Event],
        error: StatusError | None,
    ) -> Iterator[bytes]:
        try:
            if error is not None:
                yield self._line("ERROR", error.status)
                return
            for entry in initial:
                yield self._event("ADDED", entry.obj, entry.raw)
            if self.send_initial:
                yield self._bookmark(initial_end=True)
            for event in backlog:
                line = self._translate(event)
                if line is not None:
                    yield line
            deadline = time.monotonic() + self.timeout
            next_bookmark = time.monotonic() + self.api.bookmark_interval
            while not self.api.stopping:
                now = time.monotonic()
                if now >= deadline:
                    return
                wait = deadline - now
                if self.bookmarks:
                    wait = min(wait, max(0.0, next_bookmark - now))
                item = sub.get(wait)
                if item is None:
                    return
                if item is False:
                    if self.bookmarks and time.monotonic() >= next_bookmark:
                        yield self._bookmark()
                        next_bookmark = time.monotonic() + self.api.bookmark_interval
                    continue
                assert isinstance(item, Event)
                line = self._translate(item)
                if line is not None:
                    yield line
        finally:
            sub.cancel()

    def _translate(self, event: Event) -> bytes | None:
        self._last_rv = event.rv
        new = event.entry.obj
        if event.type == "DELETED":
            assert event.prev is not None
            if self._matches(event.prev.obj):
                return self._event("DELETED", new, event.entry.raw)
            return None
        now_matches = self._matches(new)
        was = event.prev is not None and self._matches(event.prev.obj)
        if now_matches and was:
            return self._event("MODIFIED", new, event.entry.raw)
        if now_matches:
            return self._event("ADDED", new, event.entry.raw)
        if was:
            # An object that leaves the selection is gone from the watcher's point of view.
            return self._event("DELETED", new, event.entry.raw)
        return None

    def _event(self, kind: str, obj: dict[str, Any], raw: bytes) -> bytes:
        if self.out.table:
            table = self.api._table(
                self.rt,
                [obj],
                self.out,
                {"resourceVersion": obj["metadata"].get("resourceVersion", "")},
                entries=[Entry(obj, raw)],
                headers=not self._headers_sent,
            )
            self._headers_sent = True
            return self._line(kind, table)
        data = self.api._served(self.rt, obj, raw)
        return b'{"type":"' + kind.encode() + b'","object":' + data + b"}\n"

    def _bookmark(self, *, initial_end: bool = False) -> bytes:
        meta: dict[str, Any] = {"resourceVersion": str(max(self._last_rv, 0))}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        if self.out.table:
            obj: dict[str, Any] = {
                "kind": "Table",
                "apiVersion": f"meta.k8s.io/{self.out.table}",
                "metadata": {"resourceVersion": meta["resourceVersion"]},
                "rows": [],
            }
            if initial_end:
                obj["rows"] = []
            return self._line("BOOKMARK", obj)
        obj = {"kind": self.rt.kind, "apiVersion": self.rt.api_version, "metadata": meta}
        return self._line("BOOKMARK", obj)

    @staticmethod
    def _line(kind: str, obj: dict[str, Any]) -> bytes:
        return b'{"type":' + json.dumps(kind).encode() + b',"object":' + encode(obj) + b"}\n"
