"""The opt-in process runtime: the stand-in kubelet runs each container as a host process.

A container's ``command`` + ``args`` run in a private working directory (one per pod, under
the runtime's own temporary directory) with the container's literal ``env`` and nothing of
the sandbox's environment but ``PATH``, so no credential of the user leaks into a pod. Each
pod gets its own loopback address from 127.0.0.0/8 as its pod IP, so two pods can listen on
one port. Output is kept per container instance as time-stamped lines, capped at
:data:`LOG_CAP` bytes (oldest lines dropped, as the kubelet rotates), with the previous
instance's log kept for ``--previous``.

A container without a command runs no process: an image's entrypoint cannot be run on the
host. It shows as running, with the synthetic log lines.

Processes run in their own session, so deleting the pod or stopping the sandbox ends the
whole process group (SIGTERM, then SIGKILL after a grace period), and so does the exit of
the container's main process, as a container's processes end with its PID 1. One waiter
thread per process reaps it, so none is left a zombie. If the program that owns the runtime
dies without stopping it (a signal, SIGKILL included), a :class:`~kctl.sandbox._reaper.Reaper`
helper ends the process groups instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any

from kctl.sandbox._reaper import Reaper

__all__ = ["LOG_CAP", "Instance", "ProcessRuntime"]

# The kubelet's default containerLogMaxSize.
LOG_CAP = 10 * 1024 * 1024
# SIGTERM, then SIGKILL after this long (capped by the pod's terminationGracePeriodSeconds).
_KILL_GRACE = 2.0
# CrashLoopBackOff: the kubelet starts at 10 s and doubles to 5 min; the sandbox is quicker
# so that tests see restarts without long waits (docs/sandbox-differences.md).
_BACKOFF_START = 0.5
_BACKOFF_MAX = 10.0


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Instance:
    """One run of a container: its process, its log and how it ended."""

    started: datetime
    proc: subprocess.Popen[bytes] | None
    lines: deque[tuple[datetime, int, bytes]] = field(default_factory=deque)
    size: int = 0
    # Lines dropped by the cap: followers count lines from the instance's start.
    dropped: int = 0
    # A partial line per stream (1 stdout, 2 stderr) until its newline arrives.
    partial: dict[int, bytes] = field(default_factory=dict)
    exit_code: int | None = None
    finished: datetime | None = None
    reason: str = ""

    @property
    def running(self) -> bool:
        return self.exit_code is None


@dataclass
class _Container:
    name: str
    argv: list[str]
    env: dict[str, str]
    stdin: bool
    current: Instance | None = None
    previous: Instance | None = None
    restarts: int = 0
    # Set while waiting out a crash-loop back-off.
    backing_off: bool = False
    # An ephemeral container (kubectl debug): never restarted, whatever the pod's policy.
    ephemeral: bool = False


@dataclass
class _Pod:
    uid: str
    namespace: str
    name: str
    ip: str
    workdir: str
    restart_policy: str
    grace: float
    containers: dict[str, _Container] = field(default_factory=dict)
    deleted: bool = False


def _container(pod: dict[str, Any], rec: _Pod, c: dict[str, Any]) -> _Container:
    """A container of ``pod`` as the runtime runs it: its argv (none without a command)
    and its environment (literal values and the downward API's pod fields only)."""
    meta = pod["metadata"]
    spec = pod.get("spec") or {}
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": rec.workdir}
    env["HOSTNAME"] = meta["name"]
    fields = {
        "metadata.name": meta["name"],
        "metadata.namespace": meta["namespace"],
        "metadata.uid": meta["uid"],
        "spec.nodeName": spec.get("nodeName") or "",
        "status.podIP": rec.ip,
    }
    for var in c.get("env") or ():
        if not isinstance(var, dict) or not var.get("name"):
            continue
        if "value" in var:
            env[str(var["name"])] = str(var["value"])
            continue
        # The downward API's pod fields; other sources (Secrets, ConfigMaps) are not
        # resolved, so the variable is left out.
        path = ((var.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
        if path in fields:
            env[str(var["name"])] = fields[path]
    argv = [str(a) for a in (c.get("command") or ())] + [str(a) for a in (c.get("args") or ())]
    if not c.get("command"):
        argv = []
    return _Container(c.get("name", ""), argv, env, bool(c.get("stdin")))


class ProcessRuntime:
    """Runs pods' containers as host processes; thread-safe.

    ``on_change(namespace, name, uid)`` is called (from a runtime thread) whenever a
    container exits or restarts, so the kubelet can write the pod's status."""

    def __init__(self, on_change: Callable[[str, str, str], None] | None = None) -> None:
        from kctl.sandbox._tmp import private_tempdir

        self.root = private_tempdir("runtime")
        self.on_change = on_change
        self._pods: dict[str, _Pod] = {}
        self._lock = threading.Lock()
        # Notified on every new log line and every exit: followed logs wait on it.
        self.changed = threading.Condition(self._lock)
        self._next_ip = 0
        self._stopped = False
        # Started on the first process, so a runtime that runs none costs no helper.
        self.reaper = Reaper()

    # --- pods ---------------------------------------------------------------------------

    def start_pod(self, pod: dict[str, Any]) -> str:
        """Start the pod's containers (once per pod uid); returns its pod IP."""
        meta = pod["metadata"]
        uid = meta["uid"]
        spec = pod.get("spec") or {}
        with self._lock:
            if uid in self._pods:
                return self._pods[uid].ip
            if self._stopped:
                raise RuntimeError("the process runtime is stopped")
            self._next_ip += 1
            n = self._next_ip
            # 127.0.0.1 stays the sandbox's own; pods count up from 127.244.0.2.
            ip = f"127.{244 + n // 65000 % 10}.{n % 65000 // 250}.{n % 250 + 2}"
            workdir = os.path.join(self.root, f"{meta['namespace']}_{meta['name']}_{uid[:8]}")
            os.makedirs(workdir, mode=0o700, exist_ok=True)
            grace = spec.get("terminationGracePeriodSeconds")
            rec = _Pod(
                uid,
                meta["namespace"],
                meta["name"],
                ip,
                workdir,
                spec.get("restartPolicy") or "Always",
                min(float(grace), _KILL_GRACE) if isinstance(grace, int) else _KILL_GRACE,
            )
            for c in spec.get("containers") or ():
                rec.containers[c.get("name", "")] = _container(pod, rec, c)
            self._pods[uid] = rec
            for container in rec.containers.values():
                self._launch(rec, container)
            return ip

    def start_ephemeral(self, pod: dict[str, Any], names: frozenset[str]) -> None:
        """Start the pod's ephemeral containers named in ``names`` (each once), as the
        kubelet does for ``kubectl debug``: in the pod's directory, never restarted."""
        with self._lock:
            rec = self._pods.get(pod["metadata"]["uid"])
            if rec is None or rec.deleted or self._stopped:
                return
            for c in (pod.get("spec") or {}).get("ephemeralContainers") or ():
                name = c.get("name", "")
                if name not in names or name in rec.containers:
                    continue
                container = _container(pod, rec, c)
                container.ephemeral = True
                rec.containers[name] = container
                self._launch(rec, container)

    def ip(self, uid: str) -> str | None:
        with self._lock:
            pod = self._pods.get(uid)
            return pod.ip if pod is not None else None

    def has_pod(self, uid: str) -> bool:
        with self._lock:
            return uid in self._pods

    def runs_processes(self, uid: str) -> bool:
        """Whether the pod has a container with a command: its phase then follows the
        processes' exits, not the simulated run of a Job's pod."""
        with self._lock:
            pod = self._pods.get(uid)
            return pod is not None and any(c.argv for c in pod.containers.values())

    def workdir(self, uid: str) -> str | None:
        with self._lock:
            pod = self._pods.get(uid)
            return pod.workdir if pod is not None else None

    def env(self, uid: str, container: str) -> dict[str, str] | None:
        with self._lock:
            pod = self._pods.get(uid)
            c = pod.containers.get(container) if pod is not None else None
            return dict(c.env) if c is not None else None

    def instance(self, uid: str, container: str, previous: bool = False) -> Instance | None:
        with self._lock:
            pod = self._pods.get(uid)
            c = pod.containers.get(container) if pod is not None else None
            if c is None:
                return None
            return c.previous if previous else c.current

    def statuses(self, uid: str) -> dict[str, dict[str, Any]]:
        """Per container: state, lastState, restartCount and ready, as the kubelet reports."""
        from kctl.sandbox._objects import format_time

        out: dict[str, dict[str, Any]] = {}
        with self._lock:
            pod = self._pods.get(uid)
            if pod is None:
                return out
            for c in pod.containers.values():
                state: dict[str, Any] = {}
                cur = c.current
                if c.backing_off and cur is not None:
                    state = {
                        "waiting": {
                            "reason": "CrashLoopBackOff",
                            "message": f"back-off restarting failed container {c.name} in pod "
                            f"{pod.name}_{pod.namespace}({pod.uid})",
                        }
                    }
                    last: dict[str, Any] = {"terminated": _terminated(cur, format_time)}
                elif cur is not None and cur.running:
                    state = {"running": {"startedAt": format_time(cur.started)}}
                    prev = c.previous
                    last = {"terminated": _terminated(prev, format_time)} if prev else {}
                else:
                    assert cur is not None
                    state = {"terminated": _terminated(cur, format_time)}
                    prev = c.previous
                    last = {"terminated": _terminated(prev, format_time)} if prev else {}
                out[c.name] = {
                    "state": state,
                    "lastState": last,
                    "restartCount": c.restarts,
                    "ready": "running" in state,
                    "started": "running" in state,
                }
        return out

    def stop_pod(self, uid: str) -> None:
        """Kill the pod's processes (group-wide) and forget it; returns once they are reaped."""
        with self._lock:
            pod = self._pods.pop(uid, None)
            if pod is None:
                return
            pod.deleted = True
            self.changed.notify_all()
        procs = [
            c.current.proc
            for c in pod.containers.values()
            if c.current is not None and c.current.proc is not None
        ]
        _terminate(procs, pod.grace)
        shutil.rmtree(pod.workdir, ignore_errors=True)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            uids = list(self._pods)
        for uid in uids:
            self.stop_pod(uid)
        self.reaper.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- processes ----------------------------------------------------------------------

    def _launch(self, pod: _Pod, c: _Container) -> None:
        """Start a new instance of ``c`` (called with the lock held)."""
        if c.current is not None:
            c.previous = c.current
        if not c.argv:
            c.current = Instance(_now(), None)
            return
        try:
            proc = subprocess.Popen(
                c.argv,
                cwd=pod.workdir,
                env=c.env,
                stdin=subprocess.PIPE if c.stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as err:
            # runc's "executable file not found": the container fails to start (exit 128).
            inst = Instance(_now(), None, exit_code=128, finished=_now())
            inst.reason = "StartError"
            text = f"exec: {c.argv[0]!r}: {err.strerror}\n".replace("'", '"')
            inst.lines.append((inst.started, 2, text.encode()))
            c.current = inst
            self._after_exit(pod, c, inst)
            return
        self.reaper.add(proc.pid)
        inst = Instance(_now(), proc)
        c.current = inst
        readers = [
            threading.Thread(
                target=self._read, args=(inst, stream, n), daemon=True, name="kctl-runtime-log"
            )
            for n, stream in ((1, proc.stdout), (2, proc.stderr))
            if stream is not None
        ]
        for t in readers:
            t.start()
        threading.Thread(
            target=self._wait, args=(pod, c, inst, readers), daemon=True, name="kctl-runtime-wait"
        ).start()

    def _read(self, inst: Instance, stream: IO[bytes], n: int) -> None:
        with stream:
            while True:
                chunk = stream.read1(65536)  # type: ignore[attr-defined]
                if not chunk:
                    break
                with self._lock:
                    self._append(inst, n, chunk)
            with self._lock:
                rest = inst.partial.pop(n, b"")
                if rest:
                    self._add_line(inst, n, rest)

    def _append(self, inst: Instance, n: int, chunk: bytes) -> None:
        data = inst.partial.pop(n, b"") + chunk
        *lines, rest = data.split(b"\n")
        for line in lines:
            self._add_line(inst, n, line + b"\n")
        if rest:
            inst.partial[n] = rest

    def _add_line(self, inst: Instance, n: int, line: bytes) -> None:
        inst.lines.append((_now(), n, line))
        inst.size += len(line)
        while inst.size > LOG_CAP and len(inst.lines) > 1:
            inst.size -= len(inst.lines.popleft()[2])
            inst.dropped += 1
        self.changed.notify_all()

    def _wait(
        self, pod: _Pod, c: _Container, inst: Instance, readers: list[threading.Thread]
    ) -> None:
        assert inst.proc is not None
        code = inst.proc.wait()
        _signal_group(inst.proc, signal.SIGKILL)
        self.reaper.discard(inst.proc.pid)
        # The log is complete once both pipes hit EOF (a child may hold them a little longer).
        for t in readers:
            t.join(timeout=1.0)
        if inst.proc.stdin is not None:
            try:
                inst.proc.stdin.close()
            except OSError:
                pass
        with self._lock:
            # A signal's death is 128+N in container statuses, as runc reports it.
            inst.exit_code = code if code >= 0 else 128 - code
            inst.finished = _now()
            inst.reason = "Completed" if inst.exit_code == 0 else "Error"
            self.changed.notify_all()
            if pod.deleted:
                return
            self._after_exit(pod, c, inst)

    def _after_exit(self, pod: _Pod, c: _Container, inst: Instance) -> None:
        """Restart per restartPolicy after a back-off (lock held)."""
        code = inst.exit_code
        restart = not c.ephemeral and (
            pod.restart_policy == "Always" or (pod.restart_policy == "OnFailure" and code != 0)
        )
        if restart:
            c.backing_off = True
            delay = min(_BACKOFF_START * 2**c.restarts, _BACKOFF_MAX)
            timer = threading.Timer(delay, self._restart, args=(pod, c))
            timer.daemon = True
            timer.start()
        self._notify(pod)

    def _restart(self, pod: _Pod, c: _Container) -> None:
        with self._lock:
            if pod.deleted or self._stopped:
                return
            c.backing_off = False
            c.restarts += 1
            self._launch(pod, c)
        self._notify(pod)

    def _notify(self, pod: _Pod) -> None:
        if self.on_change is not None:
            callback = self.on_change
            threading.Thread(
                target=callback,
                args=(pod.namespace, pod.name, pod.uid),
                daemon=True,
                name="kctl-runtime-status",
            ).start()

    # --- attach -------------------------------------------------------------------------

    def attach_stdin(self, uid: str, container: str) -> IO[bytes] | None:
        inst = self.instance(uid, container)
        if inst is None or inst.proc is None:
            return None
        return inst.proc.stdin

    def lines_so_far(self, inst: Instance) -> tuple[list[tuple[datetime, int, bytes]], int]:
        """The kept lines and the count to follow on from."""
        with self._lock:
            return list(inst.lines), _total(inst)

    def follow(
        self, inst: Instance, start: int, gone: Callable[[float], bool]
    ) -> Iterator[tuple[datetime, int, bytes]]:
        """The instance's lines from index ``start`` on (counting lines ever added), as they
        come, until it exits or ``gone(t)`` says the reader left."""
        seen = start
        while True:
            with self._lock:
                new = list(inst.lines)[max(seen - inst.dropped, 0) :]
                seen = _total(inst)
                done = not inst.running and not inst.partial
            yield from new
            if done:
                return
            with self._lock:
                if _total(inst) == seen and inst.running:
                    self.changed.wait(0.2)
            if gone(0):
                return


def _total(inst: Instance) -> int:
    """Lines ever added (dropped ones too): followers count from it."""
    return inst.dropped + len(inst.lines)


def _terminated(inst: Instance, fmt: Callable[[datetime], str]) -> dict[str, Any]:
    return {
        "exitCode": inst.exit_code,
        "reason": inst.reason,
        "startedAt": fmt(inst.started),
        "finishedAt": fmt(inst.finished or inst.started),
    }


def _terminate(procs: list[subprocess.Popen[bytes]], grace: float) -> None:
    """SIGTERM each process group, SIGKILL what is left after ``grace``, and reap."""
    for proc in procs:
        if proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        # Children that outlived the leader still hold the group: end them too.
        _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        return
