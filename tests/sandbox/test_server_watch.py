"""Watch over HTTP: resume from a resourceVersion, expiry, selectors, bookmarks, tables."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, next_event, pod, watch_lines

from kctl.sandbox import Sandbox

PODS = "/api/v1/namespaces/default/pods"


def test_watch_from_resource_version_streams_changes(sandbox: Sandbox) -> None:
    rv = call(sandbox, "GET", PODS).json()["metadata"]["resourceVersion"]
    call(sandbox, "POST", PODS, pod("a"))
    conn, resp = watch_lines(sandbox, f"{PODS}?watch=1&resourceVersion={rv}")
    try:
        assert resp.status == 200
        assert resp.getheader("Transfer-Encoding") == "chunked"
        added = next_event(resp)
        assert added is not None and added["type"] == "ADDED"
        assert added["object"]["kind"] == "Pod" and added["object"]["metadata"]["name"] == "a"
        call(
            sandbox,
            "PATCH",
            f"{PODS}/a",
            {"metadata": {"labels": {"x": "y"}}},
            content_type="application/merge-patch+json",
        )
        modified = next_event(resp)
        assert modified is not None and modified["type"] == "MODIFIED"
        call(sandbox, "DELETE", f"{PODS}/a")
        deleted = next_event(resp)
        assert deleted is not None and deleted["type"] == "DELETED"
    finally:
        conn.close()


def test_watch_too_old_resource_version_gets_410_event(sandbox: Sandbox) -> None:
    call(sandbox, "POST", PODS, pod("a"))
    sandbox.store.compact()
    conn, resp = watch_lines(sandbox, f"{PODS}?watch=1&resourceVersion=1")
    try:
        event = next_event(resp)
        assert event is not None and event["type"] == "ERROR"
        status = event["object"]
        assert status["code"] == 410 and status["reason"] == "Expired"
        assert status["message"].startswith("too old resource version: 1 (")
        assert next_event(resp) is None
    finally:
        conn.close()


def test_watch_selector_transition_yields_deleted(sandbox: Sandbox) -> None:
    call(sandbox, "POST", PODS, pod("a", labels={"app": "web"}))
    rv = call(sandbox, "GET", PODS).json()["metadata"]["resourceVersion"]
    conn, resp = watch_lines(
        sandbox, f"{PODS}?watch=1&labelSelector=app%3Dweb&resourceVersion={rv}"
    )
    try:
        call(
            sandbox,
            "PATCH",
            f"{PODS}/a",
            {"metadata": {"labels": {"app": "db"}}},
            content_type="application/merge-patch+json",
        )
        event = next_event(resp)
        assert event is not None and event["type"] == "DELETED"
        assert event["object"]["metadata"]["labels"] == {"app": "db"}
    finally:
        conn.close()


def test_send_initial_events_ends_with_bookmark(sandbox: Sandbox) -> None:
    call(sandbox, "POST", PODS, pod("a"))
    call(sandbox, "POST", PODS, pod("b"))
    path = (
        f"{PODS}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
        "&allowWatchBookmarks=true"
    )
    conn, resp = watch_lines(sandbox, path)
    try:
        first, second, bookmark = next_event(resp), next_event(resp), next_event(resp)
        assert first and second and bookmark
        assert [first["type"], second["type"]] == ["ADDED", "ADDED"]
        assert bookmark["type"] == "BOOKMARK"
        meta = bookmark["object"]["metadata"]
        assert meta["annotations"] == {"k8s.io/initial-events-end": "true"}
        assert int(meta["resourceVersion"]) >= int(second["object"]["metadata"]["resourceVersion"])
    finally:
        conn.close()
    bad = call(sandbox, "GET", f"{PODS}?watch=1&sendInitialEvents=true")
    assert bad.status == 422


def test_periodic_bookmarks_and_timeout() -> None:
    with Sandbox(watch_bookmark_interval=0.05) as sb:
        rv = call(sb, "GET", PODS).json()["metadata"]["resourceVersion"]
        conn, resp = watch_lines(
            sb, f"{PODS}?watch=1&allowWatchBookmarks=true&resourceVersion={rv}&timeoutSeconds=1"
        )
        try:
            event = next_event(resp)
            assert event is not None and event["type"] == "BOOKMARK"
            assert event["object"]["kind"] == "Pod"
            while event is not None:  # the server ends the stream at timeoutSeconds
                event = next_event(resp)
        finally:
            conn.close()


def test_table_watch_events(sandbox: Sandbox) -> None:
    rv = call(sandbox, "GET", PODS).json()["metadata"]["resourceVersion"]
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io"
    conn, resp = watch_lines(
        sandbox, f"{PODS}?watch=1&resourceVersion={rv}&includeObject=Object", {"Accept": accept}
    )
    try:
        call(sandbox, "POST", PODS, pod("a"))
        call(sandbox, "POST", PODS, pod("b"))
        first, second = next_event(resp), next_event(resp)
        assert first and second
        assert first["object"]["kind"] == "Table"
        assert first["object"]["columnDefinitions"]
        assert first["object"]["rows"][0]["cells"][0] == "a"
        assert "columnDefinitions" not in second["object"]
    finally:
        conn.close()


def test_stop_is_prompt_with_open_watch() -> None:
    sb = Sandbox().start()
    conn, resp = watch_lines(sb, f"{PODS}?watch=1")
    sb.stop()
    assert next_event(resp) is None
    conn.close()
