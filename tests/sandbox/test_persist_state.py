"""--state: SQLite persistence across restarts and across kill -9."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, pod

from kctl.sandbox import Sandbox, SandboxError

PODS = "/api/v1/namespaces/default/pods"


def test_objects_and_resource_version_survive_a_restart(tmp_path: Path) -> None:
    state = str(tmp_path / "state.db")
    with Sandbox(seed="demo", state=state) as sb:
        demo_pods = len(call(sb, "GET", "/api/v1/namespaces/dev/pods").json()["items"])
        assert demo_pods > 0
        created = call(sb, "POST", PODS, pod("keep")).json()
        assert call(sb, "POST", PODS, pod("gone")).status == 201
        assert call(sb, "DELETE", PODS + "/gone?gracePeriodSeconds=0").status == 200
        last_rv = int(call(sb, "GET", PODS).json()["metadata"]["resourceVersion"])
    with Sandbox(seed="demo", state=state) as sb:
        names = [p["metadata"]["name"] for p in call(sb, "GET", PODS).json()["items"]]
        assert names == ["keep"]
        got = call(sb, "GET", PODS + "/keep").json()
        assert got["metadata"]["uid"] == created["metadata"]["uid"]
        assert got["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
        # The seed is not loaded twice, and the counter continues.
        assert len(call(sb, "GET", "/api/v1/namespaces/dev/pods").json()["items"]) == demo_pods
        again = call(sb, "POST", PODS, pod("new")).json()
        assert int(again["metadata"]["resourceVersion"]) > last_rv


def test_state_file_is_locked(tmp_path: Path) -> None:
    state = str(tmp_path / "state.db")
    with Sandbox(state=state):
        with pytest.raises(SandboxError) as info:
            Sandbox(state=state)
        assert str(info.value) == f"state file {state} is in use by another sandbox"


def test_not_a_database(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    state.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SandboxError) as info:
        Sandbox(state=str(state)).start()
    assert str(info.value).startswith(f"cannot use state file {state}: ")


def _serve(state: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    out = open(log, "wb")  # noqa: SIM115 - the child owns it
    proc = subprocess.Popen(
        [sys.executable, "-m", "kctl", "sandbox", "serve", "--no-tls", "--no-auth",
         "--seed", "empty", "--state", str(state)],
        stdout=out,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    out.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith("ready "):
                return proc, line.split()[1]
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {log.read_text()}")
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("serve was not ready in time")


def _post(url: str, name: str) -> str | None:
    """Create a ConfigMap; its resourceVersion when acknowledged, None when the server died."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"n": name}}  # fmt: skip
    try:
        conn.request(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            body=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        resp = conn.getresponse()
        data = resp.read()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()
    assert resp.status == 201, data
    return str(json.loads(data)["metadata"]["resourceVersion"])


def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    proc, url = _serve(state, tmp_path / "log1")
    acked: dict[str, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(prefix: str) -> None:
        i = 0
        while not stop.is_set():
            name = f"{prefix}-{i}"
            rv = _post(url, name)
            if rv is None:
                return
            with lock:
                acked[name] = rv
            i += 1

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with lock:
            if len(acked) >= 60:
                break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)  # while the writers are still going
    proc.wait()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) >= 60

    proc, url = _serve(state, tmp_path / "log2")
    try:
        sb_url = urlsplit(url)
        conn = http.client.HTTPConnection(sb_url.hostname, sb_url.port, timeout=30)
        conn.request("GET", "/api/v1/namespaces/default/configmaps")
        listed = json.loads(conn.getresponse().read())
        conn.close()
        stored = {
            cm["metadata"]["name"]: cm["metadata"]["resourceVersion"] for cm in listed["items"]
        }
        for name, rv in acked.items():
            assert stored.get(name) == rv, name
        # No resourceVersion is handed out twice after the restart.
        newest = max(int(rv) for rv in stored.values())
        fresh = _post(url, "after-restart")
        assert fresh is not None and int(fresh) > newest
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _request(url: str, method: str, path: str, body: object = None) -> dict[str, object]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(
            method,
            path,
            body=None if body is None else json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        data: dict[str, object] = json.loads(conn.getresponse().read())
        return data
    finally:
        conn.close()


def test_restored_services_keep_their_addresses(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    services = "/api/v1/namespaces/default/services"

    def service(name: str) -> dict[str, object]:
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                "spec": {"type": "NodePort", "ports": [{"port": 80}]}}  # fmt: skip

    proc, url = _serve(state, tmp_path / "log1")
    try:
        first = _request(url, "POST", services, service("one"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # A new process starts its allocator afresh; the restored Service must still be avoided.
    proc, url = _serve(state, tmp_path / "log2")
    try:
        second = _request(url, "POST", services, service("two"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    spec1, spec2 = first["spec"], second["spec"]
    assert isinstance(spec1, dict) and isinstance(spec2, dict)
    assert spec1["clusterIP"] != spec2["clusterIP"]
    assert spec1["ports"][0]["nodePort"] != spec2["ports"][0]["nodePort"]
