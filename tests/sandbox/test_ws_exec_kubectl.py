"""Unmodified kubectl 1.37.1 against Sandbox(runtime="process"): exec, attach, logs and cp
over the sandbox's WebSocket streams, and the errors kubectl shows on the way."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from conftest import kubectl_env
from helpers_runtime import get_pod, pod, start, wait_for

from kctl.sandbox import Sandbox

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", runtime="process") as sandbox:
        start(sandbox, pod("shell", "sleep 3600", env={"GREETING": "hi there"}))
        yield sandbox


def test_exec_stdout_and_stderr_apart(sb: Sandbox, run_kubectl) -> None:
    out = run_kubectl(sb, "exec", "shell", "--", "sh", "-c", 'echo "$GREETING"; echo oops >&2')
    assert (out.returncode, out.stdout, out.stderr) == (0, "hi there\n", "oops\n")


def test_exec_runs_in_the_pods_private_directory(sb: Sandbox, run_kubectl) -> None:
    uid = get_pod(sb, "shell")["metadata"]["uid"]  # type: ignore[index]
    out = run_kubectl(sb, "exec", "shell", "--", "pwd")
    assert out.returncode == 0
    assert out.stdout.strip() == sb.runtime.workdir(uid)  # type: ignore[union-attr]


def test_exec_exit_code_3(sb: Sandbox, run_kubectl) -> None:
    out = run_kubectl(sb, "exec", "shell", "--", "sh", "-c", "exit 3")
    assert (out.returncode, out.stdout, out.stderr) == (
        3,
        "",
        "command terminated with exit code 3\n",
    )


def test_exec_stdin(sb: Sandbox, run_kubectl) -> None:
    payload = "".join(f"line {i}\n" for i in range(2000))
    out = run_kubectl(sb, "exec", "-i", "shell", "--", "sh", "-c", "cat; echo done", input=payload)
    assert (out.returncode, out.stdout) == (0, payload + "done\n")


def test_exec_missing_executable(sb: Sandbox, run_kubectl) -> None:
    out = run_kubectl(sb, "exec", "shell", "--", "no-such-command")
    assert out.returncode == 1
    assert out.stderr == (
        "error: Internal error occurred: error executing command in container: failed to exec "
        'in container: exec: "no-such-command": executable file not found in $PATH\n'
    )


def test_exec_missing_container_and_pod(sb: Sandbox, run_kubectl) -> None:
    out = run_kubectl(sb, "exec", "shell", "-c", "nope", "--", "true")
    assert (out.returncode, out.stderr) == (
        1,
        "error: container nope is not valid for pod shell out of: c\n",
    )
    out = run_kubectl(sb, "exec", "ghost", "--", "true")
    assert (out.returncode, out.stderr) == (
        1,
        'Error from server (NotFound): pods "ghost" not found\n',
    )


def test_exec_into_a_completed_pod(sb: Sandbox, run_kubectl) -> None:
    start(sb, pod("done", "exit 0"))
    assert wait_for(lambda: get_pod(sb, "done")["status"]["phase"] == "Succeeded")  # type: ignore[index]
    out = run_kubectl(sb, "exec", "done", "--", "true")
    assert (out.returncode, out.stderr) == (
        1,
        "error: cannot exec into a container in a completed pod; current phase is Succeeded\n",
    )


def test_logs_and_follow_while_the_process_prints(sb: Sandbox, run_kubectl) -> None:
    script = "echo start; i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo tick $i; sleep 0.2; done"
    start(sb, pod("printer", script))
    # -f returns once the process exits, with every line in order.
    out = run_kubectl(sb, "logs", "-f", "printer")
    assert (out.returncode, out.stdout) == (
        0,
        "start\n" + "".join(f"tick {i}\n" for i in range(1, 6)),
    )
    out = run_kubectl(sb, "logs", "printer", "--tail=2")
    assert (out.returncode, out.stdout) == (0, "tick 4\ntick 5\n")


def test_logs_follow_streams_before_the_process_ends(sb: Sandbox, kubectl, tmp_path) -> None:
    start(sb, pod("slow", "echo first; sleep 3600"))
    proc = subprocess.Popen(
        [str(kubectl), "logs", "-f", "slow"],
        stdout=subprocess.PIPE,
        text=True,
        env=kubectl_env(sb, tmp_path),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "first\n"
    finally:
        proc.kill()
        proc.wait()


def test_cp_both_ways(sb: Sandbox, run_kubectl, tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes(b"copied \x00 bytes\n" * 1000)
    out = run_kubectl(sb, "cp", str(src), "shell:in.txt")
    assert (out.returncode, out.stderr) == (0, "")
    out = run_kubectl(sb, "exec", "shell", "--", "wc", "-c", "in.txt")
    assert out.stdout.split()[0] == str(src.stat().st_size)
    back = tmp_path / "back.txt"
    out = run_kubectl(sb, "cp", "shell:in.txt", str(back))
    assert (out.returncode, out.stderr) == (0, "")
    assert back.read_bytes() == src.read_bytes()


def test_attach_sees_new_output_and_sends_stdin(sb: Sandbox, run_kubectl) -> None:
    start(sb, pod("echoer", "while read line; do echo got $line; done", stdin=True))
    out = run_kubectl(sb, "attach", "-i", "echoer", input="one\ntwo\n", timeout=30)
    # stdin closes at EOF of the input; the loop ends, and so does the attach.
    assert out.returncode == 0, out.stderr
    assert out.stdout.endswith("got one\ngot two\n")


def test_exec_into_a_container_that_is_not_running(sb: Sandbox, run_kubectl) -> None:
    two = pod("two", "exit 0")
    two["spec"]["containers"].append(
        {"name": "side", "image": "busybox", "command": ["sleep", "3600"]}
    )
    start(sb, two)
    assert wait_for(
        lambda: "terminated" in get_pod(sb, "two")["status"]["containerStatuses"][0]["state"]  # type: ignore[index]
    )
    out = run_kubectl(sb, "exec", "two", "-c", "c", "--", "true")
    assert (out.returncode, out.stderr) == (
        1,
        'error: Internal error occurred: unable to upgrade connection: container not found ("c")\n',
    )
    out = run_kubectl(sb, "exec", "two", "-c", "side", "--", "echo", "alive")
    assert (out.returncode, out.stdout) == (0, "alive\n")


def test_debug_attaches_to_the_ephemeral_containers_process(sb: Sandbox, run_kubectl) -> None:
    """kubectl debug -i adds an ephemeral container, waits for it to run and attaches: its
    command runs in the pod (same directory), reads kubectl's stdin and is not restarted."""
    start(sb, pod("target", "echo from the pod > mark; sleep 3600"))
    out = run_kubectl(
        sb,
        "debug",
        "target",
        "-i",
        "--image=busybox",
        "--container=dbg",
        "--",
        "sh",
        "-c",
        "while read line; do echo got $line; done; cat mark",
        input="one\ntwo\n",
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.endswith("got one\ngot two\nfrom the pod\n")

    def ended() -> dict | None:
        statuses = (get_pod(sb, "target") or {}).get("status", {})
        for cs in statuses.get("ephemeralContainerStatuses") or []:
            if cs["name"] == "dbg" and "terminated" in cs["state"]:
                return cs
        return None

    status = wait_for(ended)
    assert status, "the ephemeral container's exit never reached its status"
    assert (status["state"]["terminated"]["exitCode"], status["restartCount"]) == (0, 0)
    assert status["ready"] is False
    logs = run_kubectl(sb, "logs", "target", "-c", "dbg")
    assert logs.stdout.endswith("got two\nfrom the pod\n"), logs.stderr
