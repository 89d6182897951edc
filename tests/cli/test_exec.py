"""``kctl exec`` against kubectl 1.37.1: argument and pod errors on the sandbox, and a refused
upgrade on a real kube-apiserver (no kubelet), with kubectl's texts and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.kubernetes import new_for_config
from kctl.sandbox import Sandbox

from .conftest import KUBECTL, Parity, cli_env


def _pod(name: str, containers: tuple[str, ...], phase: str = "Running", **meta: Any) -> Any:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", **meta},
        "spec": {
            "nodeName": "n1",
            "containers": [{"name": c, "image": f"{c}:1"} for c in containers],
        },
        "status": {"phase": phase},
    }


@pytest.fixture(scope="module")
def pods() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sb:
        sb.create(_pod("web", ("a", "b")))
        sb.create(_pod("one", ("a",)))
        sb.create(_pod("done", ("a",), phase="Succeeded"))
        sb.create(
            _pod("pick", ("a", "b"), annotations={"kubectl.kubernetes.io/default-container": "zz"})
        )
        yield sb


@pytest.mark.parametrize(
    "args",
    [
        ("-c", "zz", "web", "--", "ls"),
        ("nope", "--", "ls"),
        ("done", "--", "ls"),
        ("web", "ls"),
        ("web",),
        ("--", "ls"),
        (),
        ("web", "x", "--", "ls"),
        ("svc/nope", "--", "ls"),
        ("pick", "--", "ls"),
        ("--pod-running-timeout=0s", "web", "--", "ls"),
        ("-q", "web", "--", "ls"),
        ("-q", "-i", "-t", "web", "--", "ls"),
        ("-t", "web", "--", "ls"),
    ],
)
def test_errors_as_kubectl(
    pods: Sandbox, parity: Callable[..., Parity], args: tuple[str, ...]
) -> None:
    parity(pods, "exec", *args).assert_same()


def test_tty_without_a_terminal_warns_and_goes_on(
    pods: Sandbox, parity: Callable[..., Parity]
) -> None:
    # stdin is a pipe here: kubectl warns, drops the TTY, and then fails at the upgrade (the
    # sandbox has no runtime), after the same warnings in the same order.
    p = parity(pods, "exec", "-it", "web", "--", "ls", input="")
    assert (
        "Unable to use a TTY - input is not a terminal or the right kind of file" in p.theirs.stderr
    )
    p.assert_same()


def test_refused_upgrade_on_a_real_server(envtest: Any, tmp_path: Any) -> None:
    """The real API server refuses the upgrade (its pod's node is unknown): kubectl's text is
    its SPDY fallback's, ``unable to upgrade connection: <message>``."""
    cs = new_for_config(envtest.rest_config())
    ns = f"exec-{os.getpid()}"
    cs.core_v1().namespaces().create({"metadata": {"name": ns}})
    pod = _pod("web", ("a",))
    pod["metadata"]["namespace"] = ns
    del pod["status"]
    cs.core_v1().pods(ns).create(pod)
    env = cli_env(None, tmp_path)
    env["KUBECONFIG"] = envtest.kubeconfig_path
    results = [
        subprocess.run(
            [*exe, "exec", "-n", ns, "web", "--", "ls"],
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        for exe in ([str(KUBECTL)], [sys.executable, "-m", "kctl"])
    ]
    theirs, ours = results
    assert theirs.stderr.startswith("error: unable to upgrade connection: ")
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )


# -- end to end: kctl and kubectl side by side on the sandbox's process runtime ---------------

sys.path.insert(0, str(Path(__file__).parent.parent / "sandbox"))
from helpers_runtime import pod as runtime_pod  # noqa: E402
from helpers_runtime import start  # noqa: E402


@pytest.fixture(scope="module")
def running() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", runtime="process") as sb:
        shell = runtime_pod("shell", "sleep 3600", env={"GREETING": "hi there"})
        shell["metadata"]["labels"] = {"app": "shell"}
        start(sb, shell)
        sb.create(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "shell", "namespace": "default"},
                "spec": {"selector": {"app": "shell"}, "ports": [{"port": 80}]},
            }
        )
        yield sb


@pytest.mark.parametrize(
    "command",
    [
        ("sh", "-c", 'echo "$GREETING"; echo oops >&2'),
        ("sh", "-c", "echo out; echo err >&2; exit 3"),
        ("true",),
        ("sh", "-c", "printf 'no newline'"),
        ("no-such-command",),
    ],
)
def test_exec_as_kubectl(
    running: Sandbox, parity: Callable[..., Parity], command: tuple[str, ...]
) -> None:
    parity(running, "exec", "shell", "--", *command).assert_same()


@pytest.mark.parametrize("target", ["pod/shell", "svc/shell", "service/shell"])
def test_exec_through_a_type_name(
    running: Sandbox, parity: Callable[..., Parity], target: str
) -> None:
    p = parity(running, "exec", target, "--", "sh", "-c", 'echo "$GREETING"')
    assert p.theirs.stdout == "hi there\n"
    p.assert_same()


def test_exec_stdin_as_kubectl(running: Sandbox, parity: Callable[..., Parity]) -> None:
    payload = "".join(f"line {i}\n" for i in range(5000))
    p = parity(running, "exec", "-i", "shell", "--", "sh", "-c", "cat; echo done", input=payload)
    assert p.theirs.stdout == payload + "done\n"
    p.assert_same()


def test_exit_code_3_with_kubectls_text(running: Sandbox, parity: Callable[..., Parity]) -> None:
    p = parity(running, "exec", "shell", "--", "sh", "-c", "exit 3")
    assert (p.ours.returncode, p.ours.stderr) == (3, "command terminated with exit code 3\n")
    p.assert_same()


# -- a real terminal: raw mode, restored afterwards, and resizes ---------------------------


class PtyRun:
    """``argv`` with a pseudo-terminal for stdin, stdout and stderr, of ``rows`` x ``cols``."""

    def __init__(self, argv: list[str], env: dict[str, str], rows: int, cols: int) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.before = termios.tcgetattr(self.slave)
        self.proc = subprocess.Popen(
            argv, stdin=self.slave, stdout=self.slave, stderr=self.slave, env=env
        )
        self.output = b""

    def resize(self, rows: int, cols: int) -> None:
        import fcntl
        import signal
        import struct
        import termios

        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        # Not the process's controlling terminal: the kernel would not signal it.
        self.proc.send_signal(signal.SIGWINCH)

    def read_until(self, wanted: bytes, poke: bytes = b"") -> bytes:
        """Output until ``wanted`` shows up; ``poke`` is typed again at each quiet moment."""
        import select
        import time

        deadline = time.monotonic() + 30
        while wanted not in self.output:
            assert time.monotonic() < deadline, f"no {wanted!r} in {self.output!r}"
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                self.output += os.read(self.master, 4096)
            elif poke:
                os.write(self.master, poke)
            elif self.proc.poll() is not None:
                break
        return self.output

    def finish(self) -> int:
        code = self.proc.wait(timeout=30)
        self.read_until(b"\0never")
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        os.close(self.master)
        os.close(self.slave)


def test_tty_raw_mode_size_and_restore(running: Sandbox, tmp_path: Path) -> None:
    """Both clients tell the container their terminal's size, and leave the terminal as they
    found it. (The first ``stty`` may run before the size arrives, on a kubelet too: the
    loop asks again until it shows.)"""
    import termios

    env = cli_env(running, tmp_path)
    script = "while read x; do stty size; done"
    results = []
    for exe in ([str(KUBECTL)], [sys.executable, "-m", "kctl"]):
        run = PtyRun([*exe, "exec", "-it", "shell", "--", "sh", "-c", script], env, 33, 111)
        try:
            run.read_until(b"33 111", poke=b"\r")
            os.write(run.master, b"\x04")
            code = run.finish()
            results.append((code, termios.tcgetattr(run.slave) == run.before))
        finally:
            run.close()
    theirs, ours = results
    assert theirs == (0, True)
    assert ours == theirs


def test_tty_resize_is_forwarded(running: Sandbox, tmp_path: Path) -> None:
    env = cli_env(running, tmp_path)
    script = "while read x; do stty size; done"
    run = PtyRun(
        [sys.executable, "-m", "kctl", "exec", "-it", "shell", "--", "sh", "-c", script],
        env,
        24,
        80,
    )
    try:
        run.read_until(b"24 80", poke=b"\r")
        run.resize(50, 132)
        run.read_until(b"50 132", poke=b"\r")
        os.write(run.master, b"\x04")  # ^D ends the loop, and with it the session
        assert run.finish() == 0
    finally:
        run.close()


def test_connection_dropped_mid_stream(tmp_path: Path) -> None:
    """The server goes away while the command runs: both exit 1 with client-go's words for
    a WebSocket that ended without a close frame (kubectl's klog lines aside), no traceback."""
    from .conftest import normalise

    sb = Sandbox(seed="empty", runtime="process").start()
    try:
        start(sb, runtime_pod("shell", "sleep 3600"))
        env = cli_env(sb, tmp_path)
        script = ("exec", "shell", "--", "sh", "-c", "echo up; sleep 60")
        procs = [
            subprocess.Popen(
                [*exe, *script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for exe in ([str(KUBECTL)], [sys.executable, "-m", "kctl"])
        ]
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "up\n"
    finally:
        sb.stop()
    (theirs_out, theirs_err), (ours_out, ours_err) = (p.communicate(timeout=60) for p in procs)
    assert normalise(theirs_err) == (
        "error: error reading from error stream: next reader: "
        "websocket: close 1006 (abnormal closure): unexpected EOF\n"
    )
    assert (procs[1].returncode, ours_out, ours_err) == (
        procs[0].returncode,
        theirs_out,
        normalise(theirs_err),
    )
