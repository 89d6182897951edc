"""The terminal-only indicators of kctl.cli._io: shown on a terminal stderr, and absent (with
rich never imported) when stderr is piped, so scripted runs stay byte-clean."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.dynamic import new_for_config
from kctl.rest import PatchType
from kctl.sandbox import Sandbox
from kctl.schema import GroupVersionResource

PODS = GroupVersionResource("", "v1", "pods")
DEADLINE = 30.0


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


def _tty_env(sb: Sandbox, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL", "NO_COLOR"))}
    env.update(HOME=str(home), KUBECACHEDIR=str(home / "cache"), TERM="xterm-256color")
    env["KUBECONFIG"] = sb.kubeconfig_path
    return env


class TTYStderr:
    """A kctl subprocess whose stderr is a pseudo-terminal and whose stdout is a pipe."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kctl", *args],
            stdout=subprocess.PIPE,
            stderr=slave,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        os.close(slave)
        self.seen = b""

    def read_until(self, text: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while text.encode() not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} never shown; terminal got {self.seen!r}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    assert text.encode() in self.seen, self.seen
                    return

    def finish(self) -> tuple[int, str]:
        out, _ = self.proc.communicate(timeout=DEADLINE)
        os.close(self.master)
        return self.proc.returncode, out.decode()


def test_delete_wait_shows_a_spinner_on_a_terminal(sb: Sandbox, tmp_path: Path) -> None:
    pods = new_for_config(sb.rest_config()).resource(PODS).namespace("default")
    pods.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "held", "finalizers": ["example.com/hold"]},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        }
    )
    p = TTYStderr(["delete", "pod", "held", "-n", "default"], _tty_env(sb, tmp_path))
    # The finalizer keeps the pod, so kctl is provably waiting while this shows.
    p.read_until("waiting for held to be deleted (1/1)")
    assert p.proc.poll() is None
    pods.patch("held", PatchType.MERGE, {"metadata": {"finalizers": None}})
    code, out = p.finish()
    assert (code, out) == (0, 'pod "held" deleted from default namespace\n')


def test_paged_list_shows_progress_when_stdout_is_not_the_terminal(
    sb: Sandbox, tmp_path: Path
) -> None:
    pods = new_for_config(sb.rest_config()).resource(PODS).namespace("default")
    for i in range(3):
        pods.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"p{i}"},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            }
        )
    p = TTYStderr(["get", "pods", "-n", "default", "-o", "name"], _tty_env(sb, tmp_path))
    p.read_until("listing pods")
    code, out = p.finish()
    assert (code, out) == (0, "pod/p0\npod/p1\npod/p2\n")


def test_piped_stderr_gets_no_indicator_and_rich_is_not_imported() -> None:
    code = (
        "import sys\n"
        "from kctl.cli._io import Progress, Status\n"
        "with Progress('pods') as p:\n"
        "    p.advance(3)\n"
        "with Status('waiting') as s:\n"
        "    s.update('still waiting')\n"
        "print('rich' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        env={**os.environ, "TERM": "xterm"},
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "False\n", "")
