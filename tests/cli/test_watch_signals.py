"""How ``kctl watch`` and ``kctl get -w`` end: signals, ``--timeout``, and ``-o json`` lines
read live through a real pipe, as ``| jq`` reads them.

Each test runs real subprocesses (``python -m kctl``, and the real kubectl 1.37.1 where it
has the last word) against its own sandbox, and waits on every line with a deadline.
Observed with kubectl 1.37.1: once ``get -w`` is watching, SIGINT and SIGTERM both make it
exit 1 without a word (its interrupt handler cancels the watch, then ``os.Exit(1)``).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
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
from kctl.metav1 import ListOptions
from kctl.sandbox import Sandbox
from kctl.schema import GroupVersionResource

KUBECTL = Path(sys.executable).parent / "kubectl"
PODS = GroupVersionResource("", "v1", "pods")
NAMESPACES = GroupVersionResource("", "v1", "namespaces")
KCTL = [sys.executable, "-m", "kctl"]
# Go's encoding/json escapes these where Python's json.dumps does not.
_GO_ESCAPES = {"\\u003c": "<", "\\u003e": ">", "\\u0026": "&"}


def pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "dev"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }


def pods(sb: Sandbox) -> Any:
    return new_for_config(sb.rest_config()).resource(PODS).namespace("dev")


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    # Bookmarks every 50 ms: a watch that printed them would show them at once.
    with Sandbox(seed="empty", watch_bookmark_interval=0.05) as sandbox:
        client = new_for_config(sandbox.rest_config())
        client.resource(NAMESPACES).create(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}}
        )
        for name in ("p1", "p2", "p3"):
            client.resource(PODS).namespace("dev").create(pod(name))
        assert sandbox.wait_idle()
        yield sandbox


@pytest.fixture
def procs() -> Iterator[list[LineProc]]:
    started: list[LineProc] = []
    yield started
    for p in started:
        p.kill()


def start(procs: list[LineProc], sb: Sandbox, home: Path, argv: list[str]) -> LineProc:
    p = LineProc(argv, sb.kubeconfig_path, home)
    procs.append(p)
    return p


def take_until(p: LineProc, needle: str) -> list[str]:
    """Lines up to and including the first one containing ``needle``."""
    got: list[str] = []
    while not got or needle not in got[-1]:
        got += p.take(1)
    return got


def assert_compact_event(line: str) -> dict[str, Any]:
    assert line.endswith("\n") and "\n" not in line[:-1]
    event = json.loads(line)
    assert list(event) == ["type", "object"]
    again = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    text = line[:-1]
    for escaped, plain in _GO_ESCAPES.items():
        text = text.replace(escaped, plain)
    assert text == again, "not compact JSON"
    return dict(event)


# -- -o json through a pipe, live -------------------------------------------------------------


def test_json_lines_arrive_while_it_runs(
    sb: Sandbox, tmp_path: Path, procs: list[LineProc]
) -> None:
    w = start(procs, sb, tmp_path, [*KCTL, "watch", "pods", "-n", "dev", "-o", "json"])
    initial = [assert_compact_event(line) for line in w.take(3)]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in initial] == [
        ("ADDED", "p1"),
        ("ADDED", "p2"),
        ("ADDED", "p3"),
    ]
    pods(sb).create(pod("p4"))
    later = [assert_compact_event(line) for line in take_until(w, '"name":"p4"')]
    assert (later[-1]["type"], later[-1]["object"]["metadata"]["name"]) == ("ADDED", "p4")
    # Flushed per line: the consumer has the line and the watch is still going.
    assert w.proc.poll() is None
    w.proc.send_signal(signal.SIGINT)
    code, stderr = w.finish()
    assert (code, stderr) == (0, "")
    for line in w.rest():
        assert_compact_event(line)


def _type_filter() -> list[str]:
    """``jq -c .type``, or the same in Python where jq is not installed."""
    jq = shutil.which("jq")
    if jq is not None:
        return [jq, "-c", ".type"]
    code = "import json,sys\nfor l in sys.stdin: print(json.dumps(json.loads(l)['type']))"
    return [sys.executable, "-c", code]


def test_shell_pipeline_into_jq_ends_by_timeout(sb: Sandbox, tmp_path: Path) -> None:
    """``kctl watch -o json --timeout 2s | jq -c .type`` in a real shell: three ADDED, no
    BOOKMARK (the sandbox sent ~40 of them), and kctl itself exits 0."""
    status = tmp_path / "status"
    script = '{ "$0" -m kctl watch pods -n dev -o json --timeout 2s; echo $? > "$1"; } | '
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    env.update(HOME=str(tmp_path), KUBECACHEDIR=str(tmp_path / "cache"))
    env["KUBECONFIG"] = sb.kubeconfig_path
    done = subprocess.run(
        ["sh", "-c", script + shlex.join(_type_filter()), sys.executable, str(status)],
        capture_output=True,
        text=True,
        env=env,
        timeout=DEADLINE,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == '"ADDED"\n' * 3
    assert status.read_text() == "0\n"


def test_sandbox_does_send_bookmarks(sb: Sandbox) -> None:
    """What makes the bookmark assertions above mean something."""
    opts = ListOptions(allow_watch_bookmarks=True, resource_version="0")
    deadline = time.monotonic() + DEADLINE
    with pods(sb).watch(opts) as events:
        for event in events:
            if event.type == "BOOKMARK":
                break
            assert time.monotonic() < deadline
    assert event.type == "BOOKMARK"


@pytest.mark.parametrize("output", ["json", "yaml", "name"])
def test_timeout_ends_it_with_0_and_no_bookmark(
    sb: Sandbox, tmp_path: Path, procs: list[LineProc], output: str
) -> None:
    w = start(
        procs, sb, tmp_path, [*KCTL, "watch", "pods", "-n", "dev", "-o", output, "--timeout", "1s"]
    )
    code, stderr = w.finish()
    assert (code, stderr) == (0, "")
    text = "".join(w.rest())
    assert "BOOKMARK" not in text
    if output == "name":
        assert text == "pod/p1\npod/p2\npod/p3\n"
    elif output == "json":
        names = [json.loads(line)["object"]["metadata"]["name"] for line in text.splitlines()]
        assert names == ["p1", "p2", "p3"]
    else:
        assert text.count("type: ADDED\n") == 3


# -- signals -------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("output", ["table", "json", "yaml"])
def test_signal_ends_watch_with_0_silently(
    sb: Sandbox, tmp_path: Path, procs: list[LineProc], sig: signal.Signals, output: str
) -> None:
    w = start(procs, sb, tmp_path, [*KCTL, "watch", "pods", "-n", "dev", "-o", output])
    first = take_until(w, "p3")
    w.proc.send_signal(sig)
    code, stderr = w.finish()
    assert (code, stderr) == (0, "")
    text = "".join(first + w.rest())
    assert "Traceback" not in text
    if output == "table":
        lines = text.splitlines()
        assert lines[0].split() == ["EVENT", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        assert [line.split()[:2] for line in lines[1:]] == [
            ["ADDED", "p1"],
            ["ADDED", "p2"],
            ["ADDED", "p3"],
        ]
    elif output == "json":
        assert [json.loads(line)["object"]["metadata"]["name"] for line in text.splitlines()] == [
            "p1",
            "p2",
            "p3",
        ]


def _get_watch_signalled(
    procs: list[LineProc], sb: Sandbox, home: Path, argv: list[str], sig: signal.Signals, name: str
) -> tuple[int, str]:
    """Start ``get pods -n dev -w``, make sure it is watching (a pod created now shows up),
    then signal it; its exit code and stderr."""
    p = start(procs, sb, home, [*argv, "get", "pods", "-n", "dev", "-w"])
    take_until(p, "p3")
    pods(sb).create(pod(name))
    take_until(p, name)
    p.proc.send_signal(sig)
    return p.finish()


@pytest.mark.skipif(not KUBECTL.exists(), reason="reference kubectl missing")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_get_watch_signal_as_kubectl(
    sb: Sandbox, tmp_path: Path, procs: list[LineProc], sig: signal.Signals
) -> None:
    theirs = _get_watch_signalled(procs, sb, tmp_path / "k", [str(KUBECTL)], sig, "theirs")
    assert theirs == (1, "")
    ours = _get_watch_signalled(procs, sb, tmp_path / "o", KCTL, sig, "ours")
    assert ours == theirs


# -- a stop in the middle of printing ----------------------------------------------------------


class _SignalMidPrint:
    """An output that receives ``sig`` in the middle of printing each event."""

    def __init__(self, sig: signal.Signals) -> None:
        self.sig = sig
        self.written: list[str] = []

    def event(self, event_type: str, obj: dict[str, Any]) -> None:
        self.written.append(f"{event_type} ")
        signal.raise_signal(self.sig)
        self.written.append(obj["metadata"]["name"] + "\n")

    def synced(self) -> None:
        pass


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_waits_for_the_event_being_printed(sig: signal.Signals) -> None:
    from kctl.cli import watch
    from kctl.rest import WatchEvent

    if threading.current_thread() is not threading.main_thread():
        pytest.fail("signal handlers can only be set from the main thread")
    events = [WatchEvent("ADDED", {"metadata": {"name": n}}) for n in ("a", "b")]
    out = _SignalMidPrint(sig)
    ending = watch._Ending()
    before = signal.getsignal(sig)
    try:
        ending.arm(0, watch._Current())
        with pytest.raises(watch._Stop):
            watch.run(iter(events), out, ending=ending)
    finally:
        ending.disarm()
    assert "".join(out.written) == "ADDED a\n"
    assert signal.getsignal(sig) is before
