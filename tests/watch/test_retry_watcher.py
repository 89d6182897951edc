"""RetryWatcher: resume from the last resourceVersion across drops, stop on 410."""

from __future__ import annotations

from typing import Any

import pytest

from kctl.errors import ConnectError, WatchError, new_status_error
from kctl.rest import WatchEvent
from kctl.watch import RetryWatcher


def take(watcher: RetryWatcher, n: int) -> list[WatchEvent]:
    out: list[WatchEvent] = []
    for event in watcher:
        out.append(event)
        if len(out) == n:
            break
    return out


def test_resumes_after_drops_without_loss_or_duplicates(kit: Any, sleeps: Any) -> None:
    a1, b2, a3, c5 = kit.obj("a", "1"), kit.obj("b", "2"), kit.obj("a", "3"), kit.obj("c", "5")
    client = kit.Scripted(
        [
            [WatchEvent("ADDED", a1), WatchEvent("ADDED", b2), kit.Drop],
            ConnectError("connection refused"),
            [WatchEvent("MODIFIED", a3), kit.bookmark("4")],  # the server's timeout: a clean end
            [WatchEvent("DELETED", c5)],
        ]
    )
    watcher = RetryWatcher(client, "100", sleep=sleeps)
    events = take(watcher, 4)
    assert [(e.type, e.object["metadata"]["resourceVersion"]) for e in events] == [
        ("ADDED", "1"),
        ("ADDED", "2"),
        ("MODIFIED", "3"),
        ("DELETED", "5"),
    ]
    # Each new watch starts where the last one left off, bookmarks included.
    assert [c.resource_version for c in client.watch_calls] == ["100", "2", "2", "4"]
    assert all(c.allow_watch_bookmarks and c.watch for c in client.watch_calls)
    # Backoff starts at 1 s, doubles while nothing arrives, resets on progress.
    assert sleeps.delays == [1.0, 2.0, 1.0]
    assert watcher.resource_version == "5"
    watcher.stop()


def test_gone_event_stops_with_watch_error(kit: Any, sleeps: Any) -> None:
    client = kit.Scripted([[WatchEvent("ADDED", kit.obj("a", "7")), kit.gone()]])
    watcher = RetryWatcher(client, "5", sleep=sleeps)
    assert next(watcher).type == "ADDED"
    with pytest.raises(WatchError, match="too old resource version") as err:
        next(watcher)
    assert err.value.status is not None and err.value.status["code"] == 410


def test_gone_on_open_stops_with_watch_error(kit: Any, sleeps: Any) -> None:
    client = kit.Scripted([new_status_error(410, "Expired", "too old resource version: 5 (9)")])
    with pytest.raises(WatchError, match="too old resource version"):
        next(RetryWatcher(client, "5", sleep=sleeps))


def test_other_errors_retry_honouring_retry_after(kit: Any, sleeps: Any) -> None:
    status = {"kind": "Status", "code": 500, "message": "boom", "details": {"retryAfterSeconds": 7}}
    client = kit.Scripted([[WatchEvent("ERROR", status)], [WatchEvent("ADDED", kit.obj("a", "8"))]])
    watcher = RetryWatcher(client, "5", sleep=sleeps)
    assert next(watcher).object["metadata"]["resourceVersion"] == "8"
    assert sleeps.delays == [7.0]


@pytest.mark.parametrize("rv", ["", "0"])
def test_initial_version_must_be_concrete(kit: Any, rv: str) -> None:
    with pytest.raises(ValueError, match="is not supported due to issues with underlying WATCH"):
        RetryWatcher(kit.Scripted([]), rv)


def test_stop_ends_iteration(kit: Any) -> None:
    client = kit.Scripted(
        [[WatchEvent("ADDED", kit.obj("a", "2")), WatchEvent("ADDED", kit.obj("b", "3"))]]
    )
    watcher = RetryWatcher(client, "1")
    with watcher:
        assert next(watcher).object["metadata"]["name"] == "a"
        watcher.stop()
        assert list(watcher) == []
