"""The watch window: watches resume from kube-apiserver's watch-cache window, per resource;
older resourceVersions get one ERROR event, 410 Expired, instead of a replay."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, next_event, watch_lines

from kctl import dynamic
from kctl.metav1 import ListOptions
from kctl.sandbox import Sandbox
from kctl.sandbox._store import WATCH_WINDOW_EVENTS, WATCH_WINDOW_SECONDS, Store
from kctl.schema import GroupVersionResource
from kctl.watch import Reflector

CMS = "/api/v1/namespaces/default/configmaps"
SECRETS = "/api/v1/namespaces/default/secrets"
CM = ("", "configmaps")
SECRET = ("", "secrets")
NOT_ROOT_CA = "metadata.name!=kube-root-ca.crt"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _put(store: Store, resource: tuple[str, str], name: str) -> int:
    obj = {"metadata": {"name": name, "namespace": "default"}}
    return int(store.put(resource, obj).obj["metadata"]["resourceVersion"])


def test_defaults_are_the_watch_caches() -> None:
    assert (WATCH_WINDOW_SECONDS, WATCH_WINDOW_EVENTS) == (75.0, 100)


def test_window_keeps_fresh_events_and_a_minimum_per_resource() -> None:
    clock = Clock()
    store = Store(watch_window_seconds=10, watch_window_events=2, clock=clock)
    rvs = [_put(store, CM, f"a{i}") for i in range(4)]  # all fresh: all kept
    assert store.watch_horizon(CM) == 0
    clock.t += 11
    # Events leave only to make room for a newer one of their resource, down to the minimum.
    assert store.watch_horizon(CM) == 0
    _put(store, CM, "b")
    assert store.watch_horizon(CM) == rvs[3] - 1  # kept: a3 and b, the minimum of two
    # Another resource's window is its own.
    _put(store, SECRET, "s")
    assert store.watch_horizon(SECRET) == 0
    clock.t += 11
    _put(store, SECRET, "s2")
    assert store.watch_horizon(SECRET) == 0  # two events: still the minimum
    assert store.watch_horizon(CM) == rvs[3] - 1


def test_nothing_before_start_can_be_resumed_and_compaction_still_counts() -> None:
    store = Store()
    for i in range(3):
        _put(store, CM, f"seed{i}")
    store.start_watch_cache()
    assert store.watch_horizon(CM) == 3
    _put(store, CM, "later")
    store.compact()
    assert store.watch_horizon(CM) == 4


@pytest.fixture
def small() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", watch_window=0, watch_window_events=3) as sb:
        assert sb.wait_idle()
        yield sb


def _cm(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}


def _rv(reply: Any) -> int:
    return int(reply.json()["metadata"]["resourceVersion"])


def test_watch_from_before_the_window_is_one_410_event(small: Sandbox) -> None:
    rvs = [_rv(call(small, "POST", CMS, _cm(f"c{i}"))) for i in range(6)]
    conn, resp = watch_lines(small, f"{CMS}?watch=1&resourceVersion={rvs[0]}")
    try:
        assert resp.status == 200
        event = next_event(resp)
        assert event == {
            "type": "ERROR",
            "object": {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": f"too old resource version: {rvs[0]} ({rvs[3] - 1})",
                "reason": "Expired",
                "code": 410,
            },
        }
        assert next_event(resp) is None  # and nothing replayed
    finally:
        conn.close()
    # From the horizon itself, the window is replayed: the last three events.
    conn, resp = watch_lines(small, f"{CMS}?watch=1&resourceVersion={rvs[3] - 1}")
    try:
        names = [next_event(resp)["object"]["metadata"]["name"] for _ in range(3)]  # type: ignore[index]
        assert names == ["c3", "c4", "c5"]
    finally:
        conn.close()
    # A resource with no events since is not affected by another's traffic.
    conn, resp = watch_lines(small, f"{SECRETS}?watch=1&resourceVersion={rvs[0]}")
    try:
        call(
            small,
            "POST",
            SECRETS,
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}},
        )
        event = next_event(resp)
        assert event is not None and event["type"] == "ADDED"
        assert event["object"]["metadata"]["name"] == "s"
    finally:
        conn.close()


def test_seeded_objects_are_not_replayed(demo_sandbox: Sandbox) -> None:
    pods = "/api/v1/pods"
    conn, resp = watch_lines(demo_sandbox, f"{pods}?watch=1&resourceVersion=1")
    try:
        event = next_event(resp)
        assert event is not None and event["type"] == "ERROR", event
        message = event["object"]["message"]
        prefix = "too old resource version: 1 ("
        assert message.startswith(prefix) and int(message[len(prefix) : -1]) > 100
        assert next_event(resp) is None
    finally:
        conn.close()


class _AgingClient:
    """A resource client whose first watch request finds the listed version out of the
    window: writes happen between the list and the watch, as they would under load."""

    def __init__(self, resource: Any, writes: int) -> None:
        self._resource = resource
        self._writes = writes
        self.lists: list[ListOptions] = []
        self.watches = 0

    def list(self, opts: ListOptions | None = None) -> Any:
        assert opts is not None
        self.lists.append(opts)
        return self._resource.list(opts)

    def watch(self, opts: ListOptions | None = None) -> Any:
        self.watches += 1
        if self.watches == 1:
            for i in range(self._writes):
                self._resource.create(_cm(f"late-{i}"))
        return self._resource.watch(opts)


def test_reflector_relists_when_its_version_left_the_window(small: Sandbox) -> None:
    dyn = dynamic.new_for_config(small.rest_config().copy(qps=-1))
    client = dyn.resource(GroupVersionResource("", "v1", "configmaps")).namespace("default")
    for i in range(2):
        client.create(_cm(f"early-{i}"))
    aging = _AgingClient(client, writes=4)
    reflector = Reflector(
        aging, ListOptions(field_selector=NOT_ROOT_CA), use_watch_list=False, sleep=lambda s: None
    )
    watchdog = threading.Timer(30, reflector.stop)
    watchdog.daemon = True
    watchdog.start()
    seen: list[tuple[str, str]] = []
    try:
        for event in reflector:
            if event.type != "BOOKMARK":
                seen.append((event.type, event.object["metadata"]["name"]))
            if len(seen) == 6:
                break
    finally:
        watchdog.cancel()
        reflector.stop()
    # The 410 made it list again: the late ones arrive from that list, each once.
    assert len(aging.lists) == 2 and aging.lists[-1].resource_version == ""
    assert sorted(seen) == sorted(
        [("ADDED", f"early-{i}") for i in range(2)] + [("ADDED", f"late-{i}") for i in range(4)]
    )
    assert len(reflector.store) == 6


def test_serve_takes_the_window_settings(tmp_path: Path) -> None:
    log = tmp_path / "log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kctl", "sandbox", "serve", "--no-tls", "--no-auth",
             "--seed", "empty", "--watch-window", "0", "--watch-window-events", "1"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        url = ""
        deadline = time.monotonic() + 60
        while not url and time.monotonic() < deadline:
            ready = [line for line in log.read_text().splitlines() if line.startswith("ready ")]
            url = ready[0].split()[1] if ready else ""
            assert proc.poll() is None, log.read_text()
            time.sleep(0.02)
        assert url, "serve was not ready in time"
        parts = urlsplit(url)

        def request(method: str, path: str, body: Any = None) -> Any:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            try:
                data = json.dumps(body).encode() if body is not None else None
                conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                return json.loads(resp.readline())
            finally:
                conn.close()

        rvs = [
            int(request("POST", CMS, _cm(f"c{i}"))["metadata"]["resourceVersion"]) for i in range(3)
        ]
        event = request("GET", f"{CMS}?watch=1&resourceVersion={rvs[0]}")
        assert event["object"]["message"] == f"too old resource version: {rvs[0]} ({rvs[2] - 1})"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
