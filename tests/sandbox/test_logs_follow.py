"""pods/log?follow=true: the stream stays open while the container runs, goes on with new
lines, and ends when the container stops, the pod goes, the byte limit is reached or the
client leaves (without a thread or a traceback left behind)."""

from __future__ import annotations

import http.client
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, watch_lines

from kctl.sandbox import Sandbox

PODS = "/api/v1/namespaces/default/pods"
STARTED = "2026-01-02T03:04:05Z"


def running_pod(name: str = "p") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "app:1.2"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {"name": "c", "ready": True, "state": {"running": {"startedAt": STARTED}}}
            ],
        },
    }


@pytest.fixture
def sb(sandbox: Sandbox) -> Iterator[Sandbox]:
    # Fast lines, so that reading a few takes little time; tests never wait on the pace.
    sandbox.api.log_follow_interval = 0.02
    sandbox.create(running_pod())
    yield sandbox


def wait_for(cond: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def stop_container(sb: Sandbox, name: str = "p") -> None:
    terminated = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": STARTED}}
    reply = call(
        sb,
        "PATCH",
        f"{PODS}/{name}/status",
        {"status": {"containerStatuses": [{"name": "c", "ready": False, "state": terminated}]}},
        content_type="application/merge-patch+json",
    )
    assert reply.status == 200, reply.body


def test_a_followed_log_goes_on_then_ends_when_the_container_stops(sb: Sandbox) -> None:
    conn, resp = watch_lines(sb, f"{PODS}/p/log?follow=true&tailLines=1")
    try:
        assert resp.status == 200
        assert resp.getheader("Transfer-Encoding") == "chunked"
        assert resp.readline() == b'level=info msg="ready to serve requests"\n'
        for seq in (1, 2, 3):
            line = resp.readline().decode()
            assert line.startswith('level=info msg="handled request"')
            assert line.endswith(f" seq={seq}\n")
        stop_container(sb)
        # The rest of the body arrives, then its end: no more lines once it stopped.
        rest = resp.read()
        assert all(b"handled request" in line for line in rest.splitlines())
        assert wait_for(lambda: sb.api.log_followers.count == 0)
    finally:
        conn.close()


def test_a_followed_log_ends_when_the_pod_is_deleted(sb: Sandbox) -> None:
    conn, resp = watch_lines(sb, f"{PODS}/p/log?follow=true&tailLines=0")
    try:
        assert resp.readline().endswith(b" seq=1\n")
        assert call(sb, "DELETE", f"{PODS}/p?gracePeriodSeconds=0").status == 200
        resp.read()  # returns: the server ended the body
        assert wait_for(lambda: sb.api.log_followers.count == 0)
    finally:
        conn.close()


def test_timestamps_and_the_byte_limit_apply_to_the_new_lines(sb: Sandbox) -> None:
    conn, resp = watch_lines(sb, f"{PODS}/p/log?follow=true&tailLines=0&timestamps=true")
    try:
        stamp, _, text = resp.readline().decode().partition(" ")
        assert stamp.endswith("Z") and stamp[:4].isdigit() and text.startswith("level=info")
    finally:
        conn.close()
    conn, resp = watch_lines(sb, f"{PODS}/p/log?follow=true&limitBytes=300")
    try:
        # The five start-up lines and then new ones, cut at 300 bytes, and the stream ends.
        body = resp.read()
        assert len(body) == 300 and body.count(b"handled request") >= 1
    finally:
        conn.close()


def test_a_stopped_container_is_not_followed(sb: Sandbox) -> None:
    stop_container(sb)
    reply = call(sb, "GET", f"{PODS}/p/log?follow=true")
    assert reply.status == 200 and reply.body.count(b"\n") == 5


def test_errors_come_before_the_stream(sb: Sandbox) -> None:
    reply = call(sb, "GET", f"{PODS}/p/log?follow=true&container=x")
    assert reply.status == 400
    assert reply.json()["message"] == "container x is not valid for pod p"


def test_a_client_that_leaves_ends_the_stream_without_a_trace(
    sb: Sandbox, capfd: pytest.CaptureFixture[str]
) -> None:
    # No new line would come for a minute: only noticing the client's close ends the stream.
    sb.api.log_follow_interval = 60
    before = threading.active_count()
    for _ in range(3):
        conn, resp = watch_lines(sb, f"{PODS}/p/log?follow=true")
        assert resp.readline()
        assert wait_for(lambda: sb.api.log_followers.count == 1)
        # Leave mid-stream, without reading the rest.
        assert conn.sock is not None
        conn.sock.close()
        conn.close()
        assert wait_for(lambda: sb.api.log_followers.count == 0)
    # The connections' threads end too.
    assert wait_for(lambda: threading.active_count() <= before)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err


def test_stopping_the_sandbox_ends_a_followed_log() -> None:
    sandbox = Sandbox().start()
    sandbox.api.log_follow_interval = 0.02
    try:
        sandbox.create(running_pod())
        conn, resp = watch_lines(sandbox, f"{PODS}/p/log?follow=true")
        assert resp.readline()
    finally:
        sandbox.stop()
    deadline = time.monotonic() + 10
    try:
        # The lines already sent may still be read, then the stream ends (abruptly).
        while time.monotonic() < deadline and resp.readline():
            continue
    except (http.client.HTTPException, OSError):
        pass
    finally:
        conn.close()
    assert time.monotonic() < deadline, "the stream went on after the sandbox stopped"
    assert wait_for(lambda: sandbox.api.log_followers.count == 0)


def test_a_client_leaving_a_tls_stream_ends_it(capfd: pytest.CaptureFixture[str]) -> None:
    from kctl.kubernetes import new_for_config

    with Sandbox(tls=True) as sandbox:
        sandbox.api.log_follow_interval = 60
        sandbox.create(running_pod())
        pods = new_for_config(sandbox.rest_config()).core_v1().pods("default")
        for _ in range(2):
            response = pods.get_logs("p", follow=True, tail_lines=1).stream()
            assert response.readline() == b'level=info msg="ready to serve requests"\n'
            assert wait_for(lambda: sandbox.api.log_followers.count == 1)
            response.close()
            assert wait_for(lambda: sandbox.api.log_followers.count == 0)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
