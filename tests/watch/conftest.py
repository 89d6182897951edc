"""A scripted Lister/Watchable: each watch() call plays the next script."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kctl.errors import TransportError
from kctl.metav1 import ListOptions
from kctl.rest import WatchEvent


def obj(name: str, rv: str, uid: str = "") -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": "dev",
            "uid": uid or f"uid-{name}",
            "resourceVersion": rv,
        }
    }


def bookmark(rv: str, initial_end: bool = False) -> WatchEvent:
    meta: dict[str, Any] = {"resourceVersion": rv}
    if initial_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    return WatchEvent("BOOKMARK", {"metadata": meta})


def gone(message: str = "too old resource version: 1 (9)") -> WatchEvent:
    return WatchEvent(
        "ERROR",
        {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "reason": "Expired",
            "code": 410,
            "message": message,
        },
    )


class Drop(Exception):
    """In a script: the connection breaks here (the stream raises TransportError)."""


class Stream:
    def __init__(self, events: list[Any]) -> None:
        self._events = events
        self.stopped = False

    def __iter__(self) -> Iterator[WatchEvent]:
        for event in self._events:
            if self.stopped:
                return
            if event is Drop:
                raise TransportError("connection reset by peer")
            yield event

    def stop(self) -> None:
        self.stopped = True


class Scripted:
    """``watches``: per watch() call, a list of events, or an exception to raise on open.
    ``lists``: per list() call, a list object or an exception."""

    def __init__(self, watches: list[Any], lists: list[Any] | None = None) -> None:
        self.watches = list(watches)
        self.lists = list(lists or [])
        self.watch_calls: list[ListOptions] = []
        self.list_calls: list[ListOptions] = []

    def watch(self, opts: ListOptions | None = None) -> Stream:
        assert opts is not None
        self.watch_calls.append(opts)
        if not self.watches:
            raise AssertionError("no more scripted watches")
        script = self.watches.pop(0)
        if isinstance(script, BaseException):
            raise script
        return Stream(script)

    def list(self, opts: ListOptions | None = None) -> Any:
        assert opts is not None
        self.list_calls.append(opts)
        answer = self.lists.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


class Sleeps:
    """An injected sleep: records the delays, never waits."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


class Kit:
    """The helpers above, handed to tests as the ``kit`` fixture (conftest is not importable
    under --import-mode=importlib)."""

    obj = staticmethod(obj)
    bookmark = staticmethod(bookmark)
    gone = staticmethod(gone)
    Drop = Drop
    Scripted = Scripted


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
