"""kctl watch / get against the sandbox's injected faults, and kubectl 1.37.1 as the reference.

What kubectl does (checked with the real binary against the same faults):
- ``get --chunk-size`` meeting an expired continue token (410): prints the pages it got (a
  table, or a complete List for -o json/yaml), then ``Error from server (Expired): ...``,
  exit 1. It does not re-list.
- ``get`` whose list body is reset mid-way: not retried; ``unexpected error when reading
  response body. Please retry. Original error: read tcp L->R: read: connection reset by
  peer`` (with ``error: `` in front except for tables, whose errors are aggregated), exit 1.
- ``get -w`` whose watch is cut: prints what it received and exits 0; it does not resume.
  The cut delivers every event sent before it, so both print the last one.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_proc import DEADLINE, LineProc

from kctl import dynamic
from kctl.sandbox import Sandbox
from kctl.schema import GroupVersionResource

KUBECTL = Path(sys.executable).parent / "kubectl"
NS = "faults"
MERGE = "application/merge-patch+json"
ADDRESSES = r"127\.0\.0\.1:\d+->127\.0\.0\.1:\d+"
AGE = r"\b\d+s$"


def pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NS},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }


def namespaced(sb: Sandbox) -> Sandbox:
    sb.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    return sb


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sandbox:
        namespaced(sandbox)
        for i in range(3):
            sandbox.create(pod(f"p{i}"))
        yield sandbox


@pytest.fixture
def procs() -> Iterator[list[LineProc]]:
    started: list[LineProc] = []
    yield started
    for p in started:
        p.kill()


def test_kctl_watch_prints_each_change_once_across_cuts(
    tmp_path: Path, procs: list[LineProc]
) -> None:
    path = f"/api/v1/namespaces/{NS}/configmaps"
    with Sandbox(seed="empty", watch_bookmark_interval=0.05) as sandbox:
        namespaced(sandbox)
        # The namespace's kube-root-ca.crt comes first, from the initial sync.
        assert sandbox.wait_idle()
        fault = sandbox.faults.add(f"watch-cut-after=3,times=6,path={path}")
        argv = [sys.executable, "-m", "kctl", "watch", "configmaps", "-n", NS, "-o", "json"]
        w = LineProc(argv, sandbox.kubeconfig_path, tmp_path)
        procs.append(w)
        client = dynamic.new_for_config(sandbox.rest_config().copy(qps=-1))
        cms = client.resource(GroupVersionResource("", "v1", "configmaps")).namespace(NS)
        # Wait for the watch to be open (its first cut proves it) before writing.
        deadline = time.monotonic() + DEADLINE
        while fault._fired == 0 and time.monotonic() < deadline and w.proc.poll() is None:
            threading.Event().wait(0.01)
        assert fault._fired >= 1
        expected = [("ADDED", "kube-root-ca.crt")]
        for i in range(12):
            cms.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}})
            expected.append(("ADDED", f"c{i}"))
            if i % 2:
                cms.patch(f"c{i - 1}", MERGE, {"data": {"k": str(i)}})
                expected.append(("MODIFIED", f"c{i - 1}"))
            if i % 4 == 3:
                cms.delete(f"c{i - 3}")
                expected.append(("DELETED", f"c{i - 3}"))
        lines = w.take(len(expected))
        events = [json.loads(line) for line in lines]
        assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == expected
        w.proc.send_signal(2)  # Ctrl-C
        code, err = w.finish()
        assert (code, err, w.rest()) == (0, "", [])
        assert fault._fired == 6


def _chunked_args(fmt: tuple[str, ...]) -> tuple[str, ...]:
    return ("get", "pods", "-n", NS, *fmt, "--chunk-size=1")


@pytest.mark.parametrize("fmt", [("-o", "json"), ("-o", "yaml"), ("-o", "name"), ()])
def test_get_chunked_meets_expired_continue_as_kubectl(
    sb: Sandbox, fmt: tuple[str, ...], parity: Callable[..., Any]
) -> None:
    fault = sb.faults.add("expire-rv")
    p = parity(sb, *_chunked_args(fmt), mask=[AGE])
    p.assert_same()
    assert p.ours.returncode == 1
    assert "p0" in p.ours.stdout and "p1" not in p.ours.stdout
    assert p.ours.stderr.startswith("Error from server (Expired): The provided continue")
    assert fault._fired == 2  # once per run: each stopped at its first continue


@pytest.mark.parametrize("fmt", [("-o", "json"), ()])
def test_get_list_reset_as_kubectl(
    sb: Sandbox, fmt: tuple[str, ...], parity: Callable[..., Any]
) -> None:
    fault = sb.faults.add(f"list-reset,path=/api/v1/namespaces/{NS}/pods")
    p = parity(sb, "get", "pods", "-n", NS, *fmt, mask=[ADDRESSES])
    p.assert_same()
    # No pod printed (-o json prints the empty List first, as kubectl).
    assert p.ours.returncode == 1 and "p0" not in p.ours.stdout
    assert "unexpected error when reading response body. Please retry." in p.ours.stderr
    assert fault._fired == 2  # one list per run: neither retried


def test_get_watch_ends_with_exit_0_when_the_watch_is_cut(tmp_path: Path) -> None:
    with Sandbox(seed="empty", faults=[f"watch-cut-after=2,path=/api/v1/namespaces/{NS}"]) as sb:
        namespaced(sb).create(pod("p0"))
        args = ["get", "pods", "-n", NS, "-w", "-o", "name"]
        ours = LineProc(
            [sys.executable, "-m", "kctl", *args], sb.kubeconfig_path, tmp_path / "kctl"
        )
        theirs = LineProc([str(KUBECTL), *args], sb.kubeconfig_path, tmp_path / "kubectl")
        try:
            for p in (ours, theirs):
                assert p.take(1) == ["pod/p0\n"]
            # Both list before they watch, so a write must wait until both watches are open.
            deadline = time.monotonic() + DEADLINE
            while len(_pod_watches(sb)) < 2 and time.monotonic() < deadline:
                threading.Event().wait(0.01)
            sb.create(pod("a"))
            for p in (ours, theirs):
                assert p.take(1) == ["pod/a\n"]
            sb.create(pod("b"))  # the second event: then the server drops the connection
            results = [(*p.finish(), p.rest()) for p in (ours, theirs)]
        finally:
            ours.kill()
            theirs.kill()
    for code, err, rest in results:
        assert (code, err) == (0, "")
        assert rest == ["pod/b\n"]


def _pod_watches(sb: Sandbox) -> list[Any]:
    return [s for s in sb.store._subs if s.resource == ("", "pods")]
