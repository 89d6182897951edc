"""A CLI subprocess whose stdout lines arrive on a queue, for tests that read a long-running
command (``kctl watch``, ``get -w``) while it runs, with a deadline on every wait."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from pathlib import Path

DEADLINE = 30.0


class LineProc:
    """``argv`` run against ``kubeconfig`` with its own HOME and cache and no KUBE*/KCTL*
    or proxy variables from the outside; ``take`` its stdout lines as they come."""

    def __init__(self, argv: list[str], kubeconfig: str, home: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
        for proxy in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
            env.pop(proxy, None)
        env.update(HOME=str(home), KUBECACHEDIR=str(home / "cache"), KUBECONFIG=kubeconfig)
        env["NO_COLOR"] = "1"
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def take(self, n: int) -> list[str]:
        """The next ``n`` lines, waiting for them up to a deadline."""
        deadline = time.monotonic() + DEADLINE
        out: list[str] = []
        while len(out) < n:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"got only {out!r}; stderr: {self.stderr()}") from None
            if line is None:
                self.proc.wait(timeout=DEADLINE)
                raise AssertionError(f"ended after {out!r}; stderr: {self.stderr()}")
            out.append(line)
        return out

    def rest(self) -> list[str]:
        """The lines not taken yet, once the process has ended."""
        out: list[str] = []
        while (line := self.lines.get(timeout=DEADLINE)) is not None:
            out.append(line)
        return out

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "<running>"
        assert self.proc.stderr is not None
        return self.proc.stderr.read()

    def finish(self) -> tuple[int, str]:
        """Wait for the end: the exit code and stderr."""
        code = self.proc.wait(timeout=DEADLINE)
        return code, self.stderr()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=DEADLINE)
