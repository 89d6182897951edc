"""``kctl attach`` beside kubectl 1.37.1 on the sandbox's process runtime: argument and pod
errors, a printing container's output, stdin to a ``cat`` container, a container that is not
running, the exit code, and the detach keys in a raw terminal."""

from __future__ import annotations

import functools
import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.cli.attach import _DetachableReader, detach_key_bytes
from kctl.errors import KctlError
from kctl.sandbox import Sandbox

from .conftest import KUBECTL, Parity, Result, RunCLI, cli_env, normalise
from .test_exec import PtyRun

sys.path.insert(0, str(Path(__file__).parent.parent / "sandbox"))
from helpers_runtime import get_pod, start, wait_for
from helpers_runtime import pod as runtime_pod

RECORDED = (
    "All commands and output from this session will be recorded in container logs, including "
    "credentials and sensitive information passed through the command prompt.\n"
    "If you don't see a command prompt, try pressing enter.\n"
)
TOOLS = ("kubectl", "kctl")
# Prints until a file named stop shows up in its working directory, then ends with code 4.
TICKER = (
    "i=0; while [ ! -e stop ]; do echo tick $i; i=$((i+1)); sleep 0.05; done; echo bye >&2; exit 4"
)


def _cat_pod(name: str, *, tty: bool = False) -> dict[str, Any]:
    # With a TTY the session must end well for kubectl's resume hint: no exit code there.
    obj = runtime_pod(name, "cat" if tty else "cat; echo bye >&2; exit 3", stdin=True)
    if tty:
        obj["spec"]["containers"][0]["tty"] = True
    return obj


@pytest.fixture(scope="module")
def running() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", runtime="process") as sb:
        for tool in TOOLS:
            for kind in ("i", "it", "q"):
                start(sb, _cat_pod(f"cat-{kind}-{tool}"))
            start(sb, _cat_pod(f"tty-{tool}", tty=True))
            start(sb, runtime_pod(f"ticker-{tool}", TICKER))
        start(sb, _cat_pod("tty-bad-keys", tty=True))
        start(sb, runtime_pod("done", "exit 0"))
        two = runtime_pod("two", "sleep 3600")
        two["spec"]["containers"].append(
            {"name": "b", "image": "busybox", "command": ["sh", "-c", "exit 0"]}
        )
        start(sb, two)

        def b_ended() -> bool:
            statuses = ((get_pod(sb, "two") or {}).get("status") or {}).get(
                "containerStatuses"
            ) or []
            return any(
                s.get("name") == "b" and "terminated" in s.get("state", {}) for s in statuses
            )

        assert wait_for(b_ended), "container b never ended"
        assert wait_for(
            lambda: ((get_pod(sb, "done") or {}).get("status") or {}).get("phase") == "Succeeded"
        ), "pod done never succeeded"
        yield sb


@pytest.mark.parametrize(
    "args",
    [
        ("nope",),
        ("pods", "nope"),
        ("svc/nope",),
        ("two", "-c", "zz"),
        ("-q", "two", "-c", "zz"),
        ("done",),
        ("-t", "done"),
        (),
        ("a", "b", "c"),
        ("--pod-running-timeout=0s", "two"),
        ("--pod-running-timeout=0s",),
        ("two", "-c", "b"),  # a container that is not running
        ("-i", "two", "-c", "b"),
    ],
    ids=lambda a: " ".join(a) or "no-args",
)
def test_errors_as_kubectl(
    running: Sandbox, parity: Callable[..., Parity], args: tuple[str, ...]
) -> None:
    p = parity(running, "attach", *args, input="")
    assert p.theirs.returncode == 1
    p.assert_same()


def _each(
    run_kctl: RunCLI, run_ref_kubectl: RunCLI, sb: Sandbox, *args: str, input: str | None = None
) -> tuple[Result, Result]:
    """kubectl, then kctl, each on its own pod (``{}`` in args is the tool's name): attaching
    with stdin uses the pod up."""
    results = []
    for tool, run in zip(TOOLS, (run_ref_kubectl, run_kctl), strict=True):
        results.append(run(sb, *(a.format(tool) for a in args), input=input))
    return results[0], results[1]


def _same(theirs: Result, ours: Result) -> None:
    assert (ours.returncode, normalise(ours.stdout), normalise(ours.stderr)) == (
        theirs.returncode,
        normalise(theirs.stdout),
        normalise(theirs.stderr),
    )


def test_stdin_to_cat_as_kubectl(
    running: Sandbox, run_kctl: RunCLI, run_ref_kubectl: RunCLI
) -> None:
    payload = "".join(f"line {i}\n" for i in range(200))
    theirs, ours = _each(
        run_kctl, run_ref_kubectl, running, "attach", "-i", "cat-i-{}", input=payload
    )
    assert theirs.returncode == 3
    assert theirs.stdout == payload
    assert theirs.stderr == RECORDED + "bye\ncommand terminated with exit code 3\n"
    _same(theirs, ours)


def test_tty_without_a_container_tty_as_kubectl(
    running: Sandbox, run_kctl: RunCLI, run_ref_kubectl: RunCLI
) -> None:
    theirs, ours = _each(
        run_kctl, run_ref_kubectl, running, "attach", "-it", "cat-it-{}", input="hi\n"
    )
    assert theirs.stderr.startswith(
        "error: Unable to use a TTY - container c did not allocate one\n" + RECORDED
    )
    _same(theirs, ours)


def test_quiet_prints_only_the_session(
    running: Sandbox, run_kctl: RunCLI, run_ref_kubectl: RunCLI
) -> None:
    theirs, ours = _each(
        run_kctl, run_ref_kubectl, running, "attach", "-q", "-i", "cat-q-{}", input="x\n"
    )
    assert (theirs.stdout, theirs.stderr) == ("x\n", "bye\ncommand terminated with exit code 3\n")
    _same(theirs, ours)


def test_output_of_a_printing_container(running: Sandbox, tmp_path: Path) -> None:
    """Both follow the container's output from when they attach, and end with its exit code
    once it stops (a file created through exec tells it to)."""
    from kctl.kubernetes import new_for_config

    env = cli_env(running, tmp_path)
    pods = new_for_config(running.rest_config()).core_v1().pods("default")
    outcomes = []
    for tool, exe in zip(TOOLS, ([str(KUBECTL)], [sys.executable, "-m", "kctl"]), strict=True):
        proc = subprocess.Popen(
            [*exe, "attach", f"ticker-{tool}"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None and proc.stderr is not None
            first = proc.stdout.readline()
            assert first.startswith("tick "), first
            pods.exec(f"ticker-{tool}", ["touch", "stop"], stdout=io.BytesIO())
            rest, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        lines = (first + rest).splitlines()
        assert all(line.startswith("tick ") for line in lines)
        numbers = [int(line.split()[1]) for line in lines]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        outcomes.append((proc.returncode, normalise(err)))
    theirs, ours = outcomes
    assert theirs == (4, RECORDED + "bye\ncommand terminated with exit code 4\n")
    assert ours == theirs


def _raw(fd: int) -> bool:
    import termios

    return not termios.tcgetattr(fd)[3] & termios.ICANON


def test_detach_keys_in_a_raw_terminal(running: Sandbox, tmp_path: Path) -> None:
    """A container with a TTY gets one: raw mode, keys reach it as typed, ^P^Q detaches (its
    stdin ends), the terminal comes back as it was, and the resume hint is printed."""
    import termios

    env = cli_env(running, tmp_path)
    outcomes = []
    for tool, exe in zip(TOOLS, ([str(KUBECTL)], [sys.executable, "-m", "kctl"]), strict=True):
        run = PtyRun([*exe, "attach", "-i", f"tty-{tool}"], env, 24, 80)
        try:
            run.read_until(b"try pressing enter.")
            # Keys typed before raw mode would meet the line discipline (^Q is XON there).
            assert wait_for(functools.partial(_raw, run.slave))
            os.write(run.master, b"hello\n")
            run.read_until(b"hello")
            os.write(run.master, b"\x10\x11")
            code = run.finish()
            restored = termios.tcgetattr(run.slave) == run.before
            tail = run.output.split(b"try pressing enter.", 1)[1].decode()
            outcomes.append((code, restored, normalise(tail.replace(f"tty-{tool}", "POD"))))
        finally:
            run.close()
    theirs, ours = outcomes
    assert theirs[:2] == (0, True)
    assert (
        "Session ended, resume using 'kctl attach POD -c c -n default -i -t' command" in theirs[2]
    )
    assert ours == theirs


def test_bad_detach_keys_in_a_raw_terminal(running: Sandbox, tmp_path: Path) -> None:
    """Only a raw terminal reads the detach keys, so only there does a bad one fail."""
    import termios

    env = cli_env(running, tmp_path)
    outcomes = []
    for exe in ([str(KUBECTL)], [sys.executable, "-m", "kctl"]):
        argv = [*exe, "attach", "-i", "--detach-keys=ctrl-p,ctrl-1", "tty-bad-keys"]
        run = PtyRun(argv, env, 24, 80)
        try:
            code = run.finish()
            outcomes.append((code, termios.tcgetattr(run.slave) == run.before, run.output))
        finally:
            run.close()
    theirs, ours = outcomes
    assert theirs == (
        1,
        True,
        RECORDED.replace("\n", "\r\n").encode()
        + b"error: could not bind detach keys: Unknown character: 'ctrl-1'\r\n",
    )
    assert ours == theirs


# -- the detach key sequence (moby/term's ToBytes and escapeProxy) ---------------------------


def test_detach_key_names() -> None:
    assert detach_key_bytes("ctrl-p,ctrl-q") == b"\x10\x11"
    assert detach_key_bytes("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,DEL,a") == (
        b"\x00\x1b\x1c\x1d\x1e\x1f\x7fa"
    )
    with pytest.raises(
        KctlError, match=r"^could not bind detach keys: Unknown character: 'ctrl-1'$"
    ):
        detach_key_bytes("ctrl-p,ctrl-1")
    with pytest.raises(KctlError, match="Unknown character: 'é'"):
        detach_key_bytes("é")


def _reads(chunks: list[bytes], keys: str) -> list[bytes]:
    source = iter(chunks)
    reader = _DetachableReader(lambda _size: next(source, b""), detach_key_bytes(keys))
    out = []
    while data := reader.read1():
        out.append(data)
    return out


@pytest.mark.parametrize(
    ("chunks", "keys", "expected"),
    [
        ([b"hello world"], "ctrl-p,ctrl-q", [b"hello world"]),
        ([b"data before\x10\x11data after"], "ctrl-p,ctrl-q", [b"data before"]),
        (
            [b"normal text\x10only ctrl-p no q"],
            "ctrl-p,ctrl-q",
            [b"normal text\x10only ctrl-p no q"],
        ),
        ([b"short\x01rest"], "ctrl-a", [b"short"]),
        # A sequence split over two reads is held back, then detaches.
        ([b"ab\x10", b"\x11cd"], "ctrl-p,ctrl-q", [b"ab"]),
        # Held back, then released when the next key breaks it.
        ([b"ab\x10", b"xy"], "ctrl-p,ctrl-q", [b"ab", b"\x10xy"]),
        # A key that breaks a sequence does not start a new one (escapeProxy's rule).
        ([b"\x10\x10\x11z"], "ctrl-p,ctrl-q", [b"\x10\x10\x11z"]),
        ([b"\x10", b"\x11"], "ctrl-p,ctrl-q", []),
    ],
)
def test_detachable_reader(chunks: list[bytes], keys: str, expected: list[bytes]) -> None:
    assert _reads(chunks, keys) == expected
