"""A program that owns a ``Sandbox(runtime="process")`` and dies without stopping it (SIGTERM,
SIGINT, SIGKILL) takes its containers, their children and its exec sessions with it."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_runtime import gone, start_time, wait_for

from kctl.sandbox._reaper import Reaper

pytestmark = pytest.mark.timeout(120)

# Starts a sandbox, a pod whose container starts a child, and an exec session; prints the
# three pids, then waits to be killed, never stopping the sandbox.
_OWNER = textwrap.dedent(
    """
    import sys, threading, time
    from urllib.parse import urlencode

    import websocket

    from kctl.sandbox import Sandbox

    SLEEP = [sys.executable, "-c", "import time; time.sleep(3600)"]
    PARENT = (
        "import subprocess, sys, time;"
        f"p = subprocess.Popen({SLEEP!r}); print(p.pid, flush=True); time.sleep(3600)"
    )
    EXEC = "import os, time; print(os.getpid(), flush=True); time.sleep(3600)"

    def until(cond):
        deadline = time.monotonic() + 60
        while not (value := cond()):
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.02)
        return value

    sb = Sandbox(seed="empty", runtime="process").start()
    sb.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"},
               "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    sb.create({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "p", "namespace": "default"},
               "spec": {"containers": [{"name": "c", "image": "python",
                                        "command": [sys.executable, "-c", PARENT]}]}},
              keep_status=False)

    def instance():
        entry = sb.store.get(("", "pods"), "default", "p")
        uid = entry.obj["metadata"]["uid"] if entry is not None else ""
        inst = sb.runtime.instance(uid, "c")
        return inst if inst is not None and inst.lines else None

    inst = until(instance)
    query = urlencode([("command", sys.executable), ("command", "-c"), ("command", EXEC),
                       ("stdout", "true")])
    ws = websocket.create_connection(
        sb.url.replace("http", "ws", 1) + "/api/v1/namespaces/default/pods/p/exec?" + query,
        subprotocols=["v5.channel.k8s.io"], header=[f"Authorization: Bearer {sb.token}"])
    out = b""
    while not out.endswith(b"\\n"):
        data = ws.recv_data()[1]
        if data[:1] == b"\\x01":
            out += data[1:]
    print(inst.proc.pid, int(inst.lines[0][2]), int(out), flush=True)
    threading.Event().wait()
    """
)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_containers_and_execs_die_with_their_owner(sig: signal.Signals) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", _OWNER], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert owner.stdout is not None
        line = owner.stdout.readline()
        pids = [int(p) for p in line.split()]
        assert len(pids) == 3, line
        started = {pid: start_time(pid) for pid in pids}
        assert all(started.values()), started
        owner.send_signal(sig)
        assert owner.wait(timeout=60) != 0
        assert wait_for(lambda: all(gone(pid, started[pid]) for pid in pids)), [
            pid for pid in pids if not gone(pid, started[pid])
        ]
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()


def test_a_closed_reaper_ends_what_it_was_given_and_is_reaped() -> None:
    reaper = Reaper()
    kept = subprocess.Popen(["sleep", "3600"], start_new_session=True)
    done = subprocess.Popen(["sleep", "3600"], start_new_session=True)
    try:
        reaper.add(kept.pid)
        reaper.add(done.pid)
        reaper.discard(done.pid)
        helper = reaper._proc
        assert helper is not None
        reaper.close()
        assert helper.returncode is not None  # reaped, no zombie left
        assert kept.wait(timeout=30) == -signal.SIGTERM
        assert done.poll() is None  # discarded: never signalled
        reaper.add(done.pid)  # after close: no new helper
        assert reaper._proc is None
    finally:
        for proc in (kept, done):
            proc.kill()
            proc.wait()


def test_a_reaper_that_is_never_used_starts_no_helper() -> None:
    reaper = Reaper()
    reaper.close()
    assert reaper._proc is None


def _ignores(pid: int, sig: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


def test_the_helper_outlives_sigterm_and_a_killed_one_is_replaced() -> None:
    reaper = Reaper()
    kept = subprocess.Popen(["sleep", "3600"], start_new_session=True)
    other = subprocess.Popen(["sleep", "3600"], start_new_session=True)
    try:
        reaper.add(kept.pid)
        first = reaper._proc
        assert first is not None
        # `pkill -f kctl` reaches the helper too; only the owner's death may end it.
        assert wait_for(lambda: _ignores(first.pid, signal.SIGTERM))
        first.kill()
        first.wait()
        reaper.add(other.pid)
        second = reaper._proc
        assert second is not None and second.pid != first.pid
        reaper.close()
        # The new helper got the groups the killed one knew of.
        assert kept.wait(timeout=30) == -signal.SIGTERM
        assert other.wait(timeout=30) == -signal.SIGTERM
    finally:
        for proc in (kept, other):
            proc.kill()
            proc.wait()
