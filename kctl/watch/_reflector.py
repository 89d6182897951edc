"""A reflector-like list-then-watch stream: gap-free and duplicate-free, across re-lists.

The Reflector keeps the objects it has reported (by uid) and their resourceVersions. It syncs
with WatchList when the server supports it (``sendInitialEvents=true`` +
``resourceVersionMatch=NotOlderThan`` + ``allowWatchBookmarks=true``; the initial events end
with a BOOKMARK annotated ``k8s.io/initial-events-end: "true"``) and with a paged list
otherwise, then watches from there. Whenever it must re-sync (410 Gone), it compares what the
server now holds with what it reported and emits only the differences: ADDED for new
objects, MODIFIED for changed resourceVersions, DELETED for objects that went away.

After each sync the stream carries one BOOKMARK annotated ``k8s.io/initial-events-end:
"true"``: the point where the consumer's view matches the server's. Server bookmarks are
consumed silently.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kctl.errors import StatusError, TransportError, WatchError, is_resource_expired
from kctl.metav1 import ListOptions
from kctl.watch._common import (
    ADDED,
    BOOKMARK,
    DELETED,
    ERROR,
    INITIAL_EVENTS_END,
    MODIFIED,
    EventStream,
    Lister,
    Sleep,
    WatchLoop,
    object_key,
    resource_version,
    retry_after,
    status_code,
)

if TYPE_CHECKING:
    from kctl.rest import WatchEvent

__all__ = ["Reflector"]


def _is_initial_events_end(obj: Any) -> bool:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    return isinstance(annotations, dict) and annotations.get(INITIAL_EVENTS_END) == "true"


class _Resync(Exception):
    """The watch's resourceVersion is gone: list again."""


class _Retry(Exception):
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay


class Reflector(WatchLoop):
    """Iterate it for WatchEvents; ``stop()`` (from any thread) ends the iteration.

    ``use_watch_list``: None tries WatchList and falls back to list+watch for good when the
    server refuses it; True or False forces one way. ``sleep`` waits between retries (tests
    inject it); delays go from 800 ms up to 30 s, as client-go's reflector.
    """

    def __init__(
        self,
        client: Lister,
        opts: ListOptions | None = None,
        *,
        use_watch_list: bool | None = None,
        page_size: int = 500,
        watch_timeout_seconds: int | None = None,
        sleep: Sleep | None = None,
        min_backoff: float = 0.8,
        max_backoff: float = 30.0,
    ) -> None:
        self._client = client
        base = opts or ListOptions()
        # Only the selection carries over; versions, paging and watch flags are ours.
        self._selection = ListOptions(
            label_selector=base.label_selector, field_selector=base.field_selector
        )
        self._use_watch_list = use_watch_list
        self._page_size = page_size
        # client-go picks a random 5-10 minutes so that watches do not all expire at once.
        self._watch_timeout = (
            watch_timeout_seconds if watch_timeout_seconds is not None else random.randint(300, 599)
        )
        self._store: dict[str, Any] = {}
        self._rv = ""
        self._synced = False
        self._received = 0
        super().__init__(sleep, min_backoff, max_backoff)

    # -- public state --------------------------------------------------------------------

    @property
    def resource_version(self) -> str:
        return self._rv

    @property
    def store(self) -> dict[str, Any]:
        """The objects as last reported, by uid (do not mutate)."""
        return self._store

    # -- diffing -----------------------------------------------------------------------------

    def _synced_item(self, obj: Any, seen: set[str]) -> WatchEvent | None:
        from kctl.rest import WatchEvent

        key = object_key(obj)
        seen.add(key)
        old = self._store.get(key)
        self._store[key] = obj
        if old is None:
            return WatchEvent(ADDED, obj)
        if resource_version(old) == resource_version(obj):
            return None
        return WatchEvent(MODIFIED, obj)

    def _end_sync(self, seen: set[str], rv: str) -> Iterator[WatchEvent]:
        from kctl.rest import WatchEvent

        for key in [k for k in self._store if k not in seen]:
            yield WatchEvent(DELETED, self._store.pop(key))
        self._rv = rv
        self._synced = True
        yield WatchEvent(
            BOOKMARK,
            {"metadata": {"resourceVersion": rv, "annotations": {INITIAL_EVENTS_END: "true"}}},
        )

    def _watched(self, event: WatchEvent) -> WatchEvent | None:
        from kctl.rest import WatchEvent

        obj = event.object
        key = object_key(obj)
        old = self._store.get(key)
        if event.type == DELETED:
            self._rv = resource_version(obj) or self._rv
            if old is None:
                return None
            del self._store[key]
            return event
        self._rv = resource_version(obj) or self._rv
        if old is not None and resource_version(old) == resource_version(obj):
            return None
        self._store[key] = obj
        return WatchEvent(ADDED if old is None else MODIFIED, obj)

    # -- the loop ------------------------------------------------------------------------

    def _run(self) -> Iterator[WatchEvent]:
        delay: float | None = None
        while not self._stopped.is_set():
            if delay is not None:
                self._sleep(self._backoff.next(delay))
                if self._stopped.is_set():
                    return
            delay = None
            try:
                if self._synced:
                    yield from self._watch()
                elif self._use_watch_list is not False:
                    yield from self._watch_list()
                else:
                    yield from self._list()
            except _Resync:
                self._synced = False
                # The known version is gone: a consistent read from scratch.
                self._rv = ""
            except _Retry as retry:
                delay = retry.delay

    def _open(self, options: ListOptions) -> EventStream:
        try:
            return self._client.watch(options)
        except StatusError as err:
            if err.code == 410:
                raise _Resync from err
            raise
        except TransportError as err:
            raise _Retry from err

    def _watch_list(self) -> Iterator[WatchEvent]:
        options = replace(
            self._selection,
            watch=True,
            resource_version=self._rv,
            resource_version_match="NotOlderThan",
            send_initial_events=True,
            allow_watch_bookmarks=True,
            timeout_seconds=self._watch_timeout,
        )
        try:
            stream = self._open(options)
        except StatusError as err:
            if self._use_watch_list is None and 400 <= err.code < 500 and err.code != 429:
                # The server does not do WatchList: list+watch from now on.
                self._use_watch_list = False
                yield from self._list()
                return
            raise _Retry(float(err.retry_after_seconds)) from err
        seen: set[str] = set()
        syncing = True
        for event in self._consume(stream):
            if syncing:
                if event.type == BOOKMARK:
                    if _is_initial_events_end(event.object):
                        syncing = False
                        yield from self._end_sync(seen, resource_version(event.object))
                    continue
                added = self._synced_item(event.object, seen)
                if added is not None:
                    yield added
            else:
                out = self._watched(event)
                if out is not None:
                    yield out
        if syncing:
            # Ended before the initial events did: sync again after a pause.
            raise _Retry(0.0)
        self._backoff.reset()

    def _list(self) -> Iterator[WatchEvent]:
        from kctl.dynamic._pager import ListPager

        seen: set[str] = set()
        pager: ListPager[Any] = ListPager(
            self._client.list, page_size=self._page_size, full_list_if_expired=False
        )
        list_rv = ""
        try:
            try:
                for page in pager.pages(self._selection):
                    list_rv = resource_version(page) or list_rv
                    for item in page.get("items") or []:
                        event = self._synced_item(item, seen)
                        if event is not None:
                            yield event
            except StatusError as err:
                if not (is_resource_expired(err) and seen):
                    raise
                # The continue token expired mid-way: one full list, as client-go's pager.
                full = self._client.list(replace(self._selection, limit=0))
                list_rv = resource_version(full)
                for item in full.get("items") or []:
                    event = self._synced_item(item, seen)
                    if event is not None:
                        yield event
        except StatusError as err:
            raise _Retry(float(err.retry_after_seconds)) from err
        except TransportError as err:
            raise _Retry from err
        self._backoff.reset()
        yield from self._end_sync(seen, list_rv)

    def _watch(self) -> Iterator[WatchEvent]:
        options = replace(
            self._selection,
            watch=True,
            resource_version=self._rv,
            allow_watch_bookmarks=True,
            timeout_seconds=self._watch_timeout,
        )
        try:
            stream = self._open(options)
        except StatusError as err:
            raise _Retry(float(err.retry_after_seconds)) from err
        before = self._received
        for event in self._consume(stream):
            out = self._watched(event)
            if out is not None:
                yield out
        if self._received == before:
            # client-go's "very short watch": a watch that closes at once is a failure.
            raise _Retry(0.0)
        self._backoff.reset()

    def _consume(self, stream: EventStream) -> Iterator[WatchEvent]:
        """The stream's object events; bookmarks advance the version, errors end it."""
        self._current = stream
        try:
            for event in stream:
                # client-go counts every event, bookmarks too, against a "very short watch".
                self._received += 1
                if event.type == ERROR:
                    status: Any = event.object
                    if status_code(status) == 410:
                        raise _Resync
                    raise _Retry(retry_after(status))
                if event.type not in (ADDED, MODIFIED, DELETED, BOOKMARK):
                    raise WatchError(f"Failed to recognize Event type {event.type!r}")
                if event.type == BOOKMARK and not _is_initial_events_end(event.object):
                    self._rv = resource_version(event.object) or self._rv
                    continue
                yield event
        except TransportError as err:
            raise _Retry from err
        finally:
            self._current = None
            stream.stop()
