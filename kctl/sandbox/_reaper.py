"""Container processes die with the process that owns the sandbox, however it ends.

Why a reaper process rather than the alternatives:

- ``atexit`` and signal handlers never run on SIGKILL, nor when a signal's default action
  ends the program.
- Linux's ``prctl(PR_SET_PDEATHSIG)`` fires when the *thread* that forked exits (containers
  are restarted from short-lived timer threads, exec sessions from request threads), needs a
  ``preexec_fn`` (unsafe with threads), and reaches only the direct child, not the rest of
  its process group.

So the runtime starts one small helper, in its own session (a terminal's Ctrl-C or a kill of
the owner's process group does not reach it), whose stdin is a pipe only the owner holds.
The kernel closes that pipe when the owner dies, by any means, SIGKILL included; the helper
then ends every process group it was told about (SIGTERM, then SIGKILL after a grace, as
the kubelet does) and exits. The owner tells it ``+PGID`` when it starts a container or an
exec session and ``-PGID`` once that process is reaped, so a pid the system reuses later is
never signalled.

This works wherever a pipe and process groups do (any POSIX system). The helper ignores
SIGTERM, SIGINT and SIGHUP; one killed by SIGKILL is replaced, with the same groups, the
next time a process starts or is reaped. Not covered: the moment between a process's start
and its registration, and the owner's death while its helper is dead. A ``fork()`` of the
owner without ``exec`` keeps the pipe open until that child exits.

This file is also the helper's program: it is run by path with ``python -I`` and imports
only the standard library, so it starts fast and does not depend on ``sys.path``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO

__all__ = ["Reaper"]

# SIGTERM, then SIGKILL after this long: the runtime's own grace for a deleted pod.
_GRACE = 2.0


class Reaper:
    """The owner's side: starts the helper on first use; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        # Kept here too, so that a helper killed from outside is replaced with the same list.
        self._groups: set[int] = set()
        self._closed = False

    def add(self, pgid: int) -> None:
        """Have the helper end process group ``pgid`` if this process dies first."""
        with self._lock:
            self._groups.add(pgid)
            self._send(f"+{pgid}\n")

    def discard(self, pgid: int) -> None:
        """Forget ``pgid``: its leader is reaped, the pid may be reused."""
        with self._lock:
            self._groups.discard(pgid)
            self._send(f"-{pgid}\n")

    def close(self) -> None:
        """End the helper (it ends what is still registered) and reap it."""
        with self._lock:
            self._closed = True
            proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass  # the helper is gone already: nothing is left to tell it
        proc.wait()

    def _send(self, line: str) -> None:
        """Tell the helper ``line`` (lock held); a dead helper is reaped and replaced."""
        if self._closed:
            return
        if self._proc is not None and self._write(self._proc, line):
            return
        if self._proc is not None:
            self._proc.wait()
        self._proc = subprocess.Popen(
            [sys.executable, "-I", os.path.abspath(__file__)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._write(self._proc, "".join(f"+{pgid}\n" for pgid in sorted(self._groups)))

    @staticmethod
    def _write(proc: subprocess.Popen[bytes], text: str) -> bool:
        if proc.stdin is None or proc.poll() is not None:
            return False
        try:
            proc.stdin.write(text.encode())
            proc.stdin.flush()
        except OSError:
            return False
        return True


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal(pgids: set[int], sig: int) -> None:
    for pgid in pgids:
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            continue


def _serve(stdin: IO[bytes]) -> None:
    groups: set[int] = set()
    for raw in stdin:
        line = raw.strip()
        if line[:1] in (b"+", b"-") and line[1:].isdigit() and int(line[1:]) > 1:
            (groups.add if line[:1] == b"+" else groups.discard)(int(line[1:]))
    _signal(groups, signal.SIGTERM)
    deadline = time.monotonic() + _GRACE
    while groups and time.monotonic() < deadline:
        groups = {g for g in groups if _alive(g)}
        time.sleep(0.05)
    _signal(groups, signal.SIGKILL)


if __name__ == "__main__":
    # Only the closed pipe ends the helper (or SIGKILL): a SIGTERM or SIGHUP sent to every
    # kctl process (`pkill -f kctl`) reaches the owner too, and its death is what counts.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    _serve(sys.stdin.buffer)
