"""``kctl watch`` end to end: a real subprocess against a sandbox, output read line by line.

Connection drops are made by a loopback proxy between kctl and the sandbox that can freeze
(stop relaying the server's bytes) and cut (close every open connection); 410 Gone comes
from compacting the sandbox's history while kctl is frozen out.
"""

from __future__ import annotations

import json
import queue
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_proc import DEADLINE, LineProc

from kctl.dynamic import new_for_config
from kctl.sandbox import Sandbox, write_kubeconfig
from kctl.schema import GroupVersionResource

KUBECTL = Path(sys.executable).parent / "kubectl"
CONFIGMAPS = GroupVersionResource("", "v1", "configmaps")


class CuttingProxy:
    """TCP relay to ``upstream`` that tests can freeze and cut."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._conns: list[tuple[socket.socket, socket.socket, threading.Event]] = []
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._upstream)
            thawed = threading.Event()
            thawed.set()
            with self._lock:
                self._conns.append((client, upstream, thawed))
                self.accepted += 1
            threading.Thread(target=self._pump, args=(client, upstream, None), daemon=True).start()
            threading.Thread(
                target=self._pump, args=(upstream, client, thawed), daemon=True
            ).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, thawed: threading.Event | None) -> None:
        try:
            while data := src.recv(65536):
                if thawed is not None:
                    thawed.wait()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def freeze(self) -> None:
        """Open connections stop delivering the server's bytes (new ones are not affected)."""
        with self._lock:
            for _, _, thawed in self._conns:
                thawed.clear()

    def cut(self) -> None:
        """Close every open connection, as a network drop or a restarting proxy would."""
        with self._lock:
            conns, self._conns = self._conns, []
        for client, upstream, thawed in conns:
            for sock in (client, upstream):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            thawed.set()

    def close(self) -> None:
        self._listener.close()
        self.cut()


class Watch(LineProc):
    """A running ``kctl watch`` (or ``cmd``) whose stdout lines arrive on a queue."""

    def __init__(self, kubeconfig: str, home: Path, *args: str, cmd: list[str] | None = None):
        argv = cmd or [sys.executable, "-m", "kctl", "watch"]
        super().__init__([*argv, *args], kubeconfig, home)

    def events(self, n: int) -> list[tuple[str, str]]:
        return [(e["type"], e["object"]["metadata"]["name"]) for e in map(json.loads, self.take(n))]

    def interrupt(self) -> tuple[int, list[str]]:
        """Ctrl-C; returns the exit code and any lines not taken yet."""
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=DEADLINE)
        return code, self.rest()


def configmap(name: str, **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default"},
        "data": data,
    }


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", watch_bookmark_interval=0.05) as sandbox:
        cms = new_for_config(sandbox.rest_config()).resource(CONFIGMAPS).namespace("default")
        for name in ("a", "b", "c"):
            cms.create(configmap(name, k="1"))
        yield sandbox


@pytest.fixture
def proxy(sb: Sandbox) -> Iterator[CuttingProxy]:
    host, _, port = sb.url.removeprefix("http://").rpartition(":")
    relay = CuttingProxy((host, int(port)))
    yield relay
    relay.close()


@pytest.fixture
def via_proxy(sb: Sandbox, proxy: CuttingProxy, tmp_path: Path) -> str:
    path = tmp_path / "kubeconfig"
    write_kubeconfig(path, f"http://127.0.0.1:{proxy.port}", sb.token)
    return str(path)


@pytest.fixture
def watches(tmp_path: Path) -> Iterator[list[Watch]]:
    started: list[Watch] = []
    yield started
    for w in started:
        w.kill()


def start(watches: list[Watch], kubeconfig: str, home: Path, *args: str) -> Watch:
    w = Watch(kubeconfig, home, *args)
    watches.append(w)
    return w


def cms(sb: Sandbox) -> Any:
    return new_for_config(sb.rest_config()).resource(CONFIGMAPS).namespace("default")


MERGE = "application/merge-patch+json"
# As in a real cluster, the root-CA publisher's ConfigMap is in every namespace.
ROOT_CA = "kube-root-ca.crt"
INITIAL = [("ADDED", "a"), ("ADDED", "b"), ("ADDED", "c"), ("ADDED", ROOT_CA)]


def test_json_lines_and_ctrl_c(sb: Sandbox, tmp_path: Path, watches: list[Watch]) -> None:
    w = start(watches, sb.kubeconfig_path, tmp_path, "configmaps", "-o", "json")
    first = w.take(1)[0]
    assert first.startswith('{"type":"ADDED","object":{"apiVersion":"v1","data":{"k":"1"},')
    assert "\n" not in first.rstrip("\n")
    assert [json.loads(first)["object"]["metadata"]["name"]] == ["a"]
    assert w.events(3) == INITIAL[1:]
    cms(sb).patch("b", MERGE, {"data": {"k": "2"}})
    assert w.events(1) == [("MODIFIED", "b")]
    cms(sb).delete("c")
    assert w.events(1) == [("DELETED", "c")]
    code, rest = w.interrupt()
    assert code == 0
    # Bookmarks arrive every 50 ms and are never printed.
    assert rest == []


def test_resume_after_connection_drops(
    sb: Sandbox, proxy: CuttingProxy, via_proxy: str, tmp_path: Path, watches: list[Watch]
) -> None:
    w = start(watches, via_proxy, tmp_path, "configmaps", "-o", "json")
    assert w.events(4) == INITIAL
    proxy.cut()
    cms(sb).create(configmap("d"))
    assert w.events(1) == [("ADDED", "d")]
    proxy.cut()
    proxy.cut()
    cms(sb).patch("a", MERGE, {"data": {"k": "2"}})
    assert w.events(1) == [("MODIFIED", "a")]
    code, rest = w.interrupt()
    assert (code, rest) == (0, [])
    # It did reconnect rather than ride one connection.
    assert proxy.accepted >= 2


def test_410_relists_and_prints_only_real_changes(
    sb: Sandbox, proxy: CuttingProxy, via_proxy: str, tmp_path: Path, watches: list[Watch]
) -> None:
    w = start(watches, via_proxy, tmp_path, "configmaps", "-o", "json")
    assert w.events(4) == INITIAL
    proxy.freeze()
    client = cms(sb)
    client.patch("a", MERGE, {"data": {"k": "2"}})
    client.delete("b")
    client.create(configmap("d"))
    sb.store.compact()
    proxy.cut()
    changes = w.events(3)
    assert sorted(changes) == [("ADDED", "d"), ("DELETED", "b"), ("MODIFIED", "a")]
    client.create(configmap("e"))
    assert w.events(1) == [("ADDED", "e")]
    code, rest = w.interrupt()
    assert (code, rest) == (0, [])


def test_timeout_ends_with_exit_0(sb: Sandbox, tmp_path: Path, watches: list[Watch]) -> None:
    w = start(watches, sb.kubeconfig_path, tmp_path, "configmaps", "--timeout", "1s", "-o", "name")
    assert w.proc.wait(timeout=DEADLINE) == 0
    assert w.take(4) == [
        "configmap/a\n",
        "configmap/b\n",
        "configmap/c\n",
        f"configmap/{ROOT_CA}\n",
    ]
    assert w.lines.get(timeout=DEADLINE) is None


def test_since_now_and_name(sb: Sandbox, tmp_path: Path, watches: list[Watch]) -> None:
    w = start(watches, sb.kubeconfig_path, tmp_path, "cm", "b", "--since-now", "-o", "json")
    client = cms(sb)
    # kctl syncs silently, so keep changing until it shows something: the first line must
    # be a change to "b" (not an initial ADDED, not "a").
    deadline = time.monotonic() + DEADLINE
    first: str | None = None
    i = 0
    while first is None and time.monotonic() < deadline:
        i += 1
        client.patch("a", MERGE, {"data": {"k": str(i)}})
        client.patch("b", MERGE, {"data": {"k": str(i)}})
        try:
            first = w.lines.get(timeout=0.2)
        except queue.Empty:
            continue
    assert first is not None
    event = json.loads(first)
    assert (event["type"], event["object"]["metadata"]["name"]) == ("MODIFIED", "b")
    w.proc.send_signal(signal.SIGINT)
    assert w.proc.wait(timeout=DEADLINE) == 0
    names = [json.loads(line)["object"]["metadata"]["name"] for line in iter(w.lines.get, None)]
    assert set(names) <= {"b"}


def test_resource_version_resumes_from_there(
    sb: Sandbox, tmp_path: Path, watches: list[Watch]
) -> None:
    client = cms(sb)
    rv = client.list()["metadata"]["resourceVersion"]
    client.patch("c", MERGE, {"data": {"k": "2"}})
    w = start(
        watches, sb.kubeconfig_path, tmp_path, "configmaps", "--resource-version", rv, "-o", "json"
    )
    assert w.events(1) == [("MODIFIED", "c")]
    assert w.interrupt() == (0, [])


def _mask_age(lines: list[str]) -> list[str]:
    return [re.sub(r"\S+\n$", "<age>\n", line) for line in lines]


@pytest.mark.skipif(not KUBECTL.exists(), reason="reference kubectl missing")
@pytest.mark.parametrize(
    "args",
    [
        ("configmaps",),
        ("configmaps", "-o", "wide"),
        ("configmaps", "-A"),
        ("configmaps", "-o", "json"),
    ],
)
def test_output_as_kubectl_get_watch_events(
    sb: Sandbox, tmp_path: Path, watches: list[Watch], args: tuple[str, ...]
) -> None:
    """The listing and one change look exactly as ``kubectl get -w --output-watch-events``."""
    out = "-o" in args
    table = not out or "wide" in args
    header = 1 if table else 0
    ours = start(watches, sb.kubeconfig_path, tmp_path / "kctl", *args)
    theirs = Watch(
        sb.kubeconfig_path,
        tmp_path / "kubectl",
        "get",
        *args,
        "-w",
        "--output-watch-events",
        cmd=[str(KUBECTL)],
    )
    watches.append(theirs)
    # Ours in "default" and the root CA's in the other three seeded namespaces with -A.
    listed = header + (7 if "-A" in args else 4)
    got_ours = ours.take(listed)
    got_theirs = theirs.take(listed)
    cms(sb).patch("b", MERGE, {"data": {"x": "y"}})
    got_ours += ours.take(1)
    got_theirs += theirs.take(1)
    if table:
        got_ours, got_theirs = _mask_age(got_ours), _mask_age(got_theirs)
    assert got_ours == got_theirs
    assert got_ours[-1].startswith("MODIFIED") or '"MODIFIED"' in got_ours[-1]
