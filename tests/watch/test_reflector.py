"""Reflector: a gap-free, duplicate-free stream across drops and re-lists."""

from __future__ import annotations

from typing import Any

from kctl.errors import new_status_error
from kctl.rest import WatchEvent
from kctl.watch import Reflector, list_and_watch


def summary(events: list[WatchEvent]) -> list[tuple[str, str, str]]:
    out = []
    for e in events:
        meta = e.object["metadata"]
        if e.type == "BOOKMARK":
            assert meta["annotations"] == {"k8s.io/initial-events-end": "true"}
        out.append((e.type, meta.get("name", ""), meta["resourceVersion"]))
    return out


def take(reflector: Reflector, n: int) -> list[WatchEvent]:
    out: list[WatchEvent] = []
    for event in reflector:
        out.append(event)
        if len(out) == n:
            break
    return out


def a_list(rv: str, *items: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "PodList", "metadata": {"resourceVersion": rv}, "items": list(items)}


def test_list_then_watch_relists_on_410_and_emits_differences(kit: Any, sleeps: Any) -> None:
    a, b = kit.obj("a", "1"), kit.obj("b", "2")
    client = kit.Scripted(
        watches=[
            [
                WatchEvent("ADDED", kit.obj("c", "11")),
                WatchEvent("ADDED", kit.obj("c", "11")),  # a duplicate delivery
                kit.Drop,
            ],
            [WatchEvent("MODIFIED", kit.obj("c", "12")), kit.gone()],
            [WatchEvent("ADDED", kit.obj("e", "31"))],
        ],
        lists=[
            a_list("10", a, b),
            # Meanwhile: a changed, b deleted, c unchanged, d created; b re-created with a new uid.
            a_list(
                "30",
                kit.obj("a", "20"),
                kit.obj("c", "12"),
                kit.obj("d", "21"),
                kit.obj("b", "22", uid="uid-b2"),
            ),
        ],
    )
    reflector = Reflector(client, use_watch_list=False, sleep=sleeps, watch_timeout_seconds=300)
    events = take(reflector, 11)
    assert summary(events) == [
        ("ADDED", "a", "1"),
        ("ADDED", "b", "2"),
        ("BOOKMARK", "", "10"),
        ("ADDED", "c", "11"),
        ("MODIFIED", "c", "12"),
        ("MODIFIED", "a", "20"),
        ("ADDED", "d", "21"),
        ("ADDED", "b", "22"),
        ("DELETED", "b", "2"),
        ("BOOKMARK", "", "30"),
        ("ADDED", "e", "31"),
    ]
    # Watches resume from the last version; after a 410 a fresh consistent list is made.
    assert [c.resource_version for c in client.watch_calls] == ["10", "11", "30"]
    assert all(c.allow_watch_bookmarks and c.timeout_seconds == 300 for c in client.watch_calls)
    assert [c.resource_version for c in client.list_calls] == ["", ""]
    assert sleeps.delays == [0.8]
    assert sorted(o["metadata"]["name"] for o in reflector.store.values()) == [
        "a",
        "b",
        "c",
        "d",
        "e",
    ]
    reflector.stop()


def test_watch_list_streams_initial_events_then_changes(kit: Any, sleeps: Any) -> None:
    client = kit.Scripted(
        watches=[
            [
                WatchEvent("ADDED", kit.obj("a", "3")),
                WatchEvent("ADDED", kit.obj("b", "5")),
                kit.bookmark("9", initial_end=True),
                WatchEvent("DELETED", kit.obj("a", "10")),
                kit.bookmark("12"),
            ],
            [WatchEvent("MODIFIED", kit.obj("b", "13"))],
        ]
    )
    reflector = list_and_watch(client, sleep=sleeps)
    events = take(reflector, 5)
    assert summary(events) == [
        ("ADDED", "a", "3"),
        ("ADDED", "b", "5"),
        ("BOOKMARK", "", "9"),
        ("DELETED", "a", "10"),
        ("MODIFIED", "b", "13"),
    ]
    first, second = client.watch_calls
    assert first.send_initial_events is True
    assert first.resource_version_match == "NotOlderThan"
    assert first.allow_watch_bookmarks is True
    assert (second.send_initial_events, second.resource_version) == (None, "12")
    assert client.list_calls == []


def test_watch_list_refused_falls_back_to_list(kit: Any, sleeps: Any) -> None:
    refused = new_status_error(422, "Invalid", "sendInitialEvents is forbidden")
    client = kit.Scripted(
        watches=[refused, [WatchEvent("ADDED", kit.obj("b", "6"))]],
        lists=[a_list("5", kit.obj("a", "4"))],
    )
    events = take(list_and_watch(client, sleep=sleeps), 3)
    assert summary(events) == [("ADDED", "a", "4"), ("BOOKMARK", "", "5"), ("ADDED", "b", "6")]
    assert client.watch_calls[1].send_initial_events is None


def test_list_pages_and_expired_continue_token(kit: Any, sleeps: Any) -> None:
    expired = new_status_error(410, "Expired", "The provided continue parameter is too old")
    client = kit.Scripted(
        watches=[[]],
        lists=[
            {"metadata": {"resourceVersion": "5", "continue": "t"}, "items": [kit.obj("a", "1")]},
            expired,
            a_list("8", kit.obj("a", "1"), kit.obj("b", "7")),
        ],
    )
    reflector = Reflector(client, use_watch_list=False, page_size=1, sleep=sleeps)
    events = take(reflector, 3)
    assert summary(events) == [("ADDED", "a", "1"), ("ADDED", "b", "7"), ("BOOKMARK", "", "8")]
    assert [(c.limit, c.continue_) for c in client.list_calls] == [(1, ""), (1, "t"), (0, "")]
