"""kctl in shell pipelines: ``| head`` (a reader that goes away), ``| jq``, slow readers.

Real subprocesses write into real pipes. Where a reader closes early, the pipe is shrunk to
one page first, so the writer cannot have finished into the pipe's buffer before the close:
the outcome does not depend on timing. kubectl, a Go program, dies of SIGPIPE (a shell sees
141); kctl exits 141 without a word, as kctl/cli/_errors.py documents.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_proc import DEADLINE

from kctl.dynamic import new_for_config
from kctl.sandbox import Sandbox
from kctl.schema import GroupVersionResource

KUBECTL = Path(sys.executable).parent / "kubectl"
KCTL = [sys.executable, "-m", "kctl"]
PODS = GroupVersionResource("", "v1", "pods")
NAMESPACES = GroupVersionResource("", "v1", "namespaces")
PAGE = 4096


def cli_env(sb: Sandbox, home: Path) -> dict[str, str]:
    """The environment of tests/cli/conftest.py's runners (its own HOME and cache)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    for proxy in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(proxy, None)
    env.update(HOME=str(home), KUBECACHEDIR=str(home / "cache"), NO_COLOR="1")
    env["KUBECONFIG"] = sb.kubeconfig_path
    return env


def shell_status(returncode: int) -> int:
    """The exit status a shell shows: 128+N for a death by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def small_pipe() -> tuple[int, int]:
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PAGE)
    return r, w


class PipedProc:
    """``argv`` writing into a one-page pipe that the test reads and may close."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        r, w = small_pipe()
        self.proc = subprocess.Popen(argv, stdout=w, stderr=subprocess.PIPE, env=env)
        os.close(w)
        self.fd: int | None = r

    def read(self, size: int) -> bytes:
        assert self.fd is not None
        return os.read(self.fd, size)

    def read_line(self) -> bytes:
        got = b""
        while not got.endswith(b"\n"):
            chunk = self.read(1)
            assert chunk, f"ended after {got!r}"
            got += chunk
        return got

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def finish(self) -> tuple[int, bytes]:
        assert self.proc.stderr is not None
        stderr = self.proc.stderr.read()
        return self.proc.wait(timeout=DEADLINE), stderr

    def kill(self) -> None:
        self.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=DEADLINE)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


@pytest.fixture
def piped(tmp_path: Path) -> Iterator[Callable[..., PipedProc]]:
    started: list[PipedProc] = []

    def start(sb: Sandbox, argv: list[str], home: str) -> PipedProc:
        p = PipedProc(argv, cli_env(sb, tmp_path / home))
        started.append(p)
        return p

    yield start
    for p in started:
        p.kill()


def pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "dev"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", watch_bookmark_interval=0.05) as sandbox:
        client = new_for_config(sandbox.rest_config())
        client.resource(NAMESPACES).create(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}}
        )
        for name in ("p1", "p2", "p3"):
            client.resource(PODS).namespace("dev").create(pod(name))
        assert sandbox.wait_idle()
        yield sandbox


# -- a reader that goes away (| head) --------------------------------------------------------


@pytest.mark.skipif(not KUBECTL.exists(), reason="reference kubectl missing")
@pytest.mark.parametrize(
    "output", [["-o", "json"], ["-o", "yaml"], []], ids=["json", "yaml", "table"]
)
def test_get_into_a_closed_pipe_as_kubectl(
    demo_sandbox: Sandbox, piped: Callable[..., PipedProc], output: list[str]
) -> None:
    """``get pods -A ... | head -c 100``: ends at once, silently, with kubectl's 141."""
    results = {}
    for tool, argv in (("kctl", KCTL), ("kubectl", [str(KUBECTL)])):
        p = piped(demo_sandbox, [*argv, "get", "pods", "-A", *output], tool)
        assert len(p.read(100)) > 0
        p.close()
        code, stderr = p.finish()
        assert stderr == b"", f"{tool}: {stderr!r}"
        results[tool] = code
    # kubectl dies of SIGPIPE; kctl says the same to a shell by exiting 141.
    assert results["kubectl"] == -13
    assert results["kctl"] == 141 == shell_status(results["kubectl"])


@pytest.mark.skipif(not KUBECTL.exists(), reason="reference kubectl missing")
@pytest.mark.parametrize("output", [["-o", "json"], []], ids=["json", "table"])
def test_watch_into_a_closed_pipe_as_kubectl(
    sb: Sandbox, piped: Callable[..., PipedProc], output: list[str]
) -> None:
    """A watch learns of a closed stdout at its next event, then ends as ``get -w`` does."""
    pods = new_for_config(sb.rest_config()).resource(PODS).namespace("dev")
    results = {}
    for tool, argv in (
        ("kctl", [*KCTL, "watch"]),
        ("kubectl", [str(KUBECTL), "get", "-w", "--output-watch-events"]),
    ):
        p = piped(sb, [*argv, "pods", "-n", "dev", *output], tool)
        assert p.read_line()
        p.close()
        pods.create(pod(f"after-{tool}"))
        code, stderr = p.finish()
        assert stderr == b"", f"{tool}: {stderr!r}"
        results[tool] = code
    assert results["kubectl"] == -13
    assert results["kctl"] == 141 == shell_status(results["kubectl"])


# -- jq --------------------------------------------------------------------------------------


def _names_filter() -> str:
    """``jq -r '.items[].metadata.name'``, or the same in Python without jq."""
    jq = shutil.which("jq")
    if jq is not None:
        return shlex.join([jq, "-r", ".items[].metadata.name"])
    code = "import json,sys\nfor i in json.load(sys.stdin)['items']: print(i['metadata']['name'])"
    return shlex.join([sys.executable, "-c", code])


@pytest.mark.skipif(not KUBECTL.exists(), reason="reference kubectl missing")
def test_get_json_into_jq_as_kubectl(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    outputs = {}
    for tool, argv in (("kctl", KCTL), ("kubectl", [str(KUBECTL)])):
        script = f"{shlex.join(argv)} get pods -n dev -o json | {_names_filter()}"
        done = subprocess.run(
            ["sh", "-c", script],
            capture_output=True,
            text=True,
            env=cli_env(demo_sandbox, tmp_path / tool),
            timeout=DEADLINE,
            check=False,
        )
        assert (done.returncode, done.stderr) == (0, ""), tool
        outputs[tool] = done.stdout
    assert outputs["kctl"] == outputs["kubectl"]
    assert len(outputs["kctl"].splitlines()) > 10


# -- slow readers ----------------------------------------------------------------------------


def test_slow_reader_gets_every_byte_of_a_large_list(
    piped: Callable[..., PipedProc], run_kctl: Callable[..., Any]
) -> None:
    # Its own demo cluster, settled, so that nothing changes between the two reads.
    with Sandbox(seed="demo") as demo:
        assert demo.wait_idle()
        at_once = run_kctl(demo, "get", "pods", "-A", "-o", "json")
        assert at_once.returncode == 0
        p = piped(demo, [*KCTL, "get", "pods", "-A", "-o", "json"], "slow")
        chunks = []
        while chunk := p.read(509):
            chunks.append(chunk)
        assert p.finish() == (0, b"")
    slowly = b"".join(chunks).decode()
    # Far more than a pipe holds: the writer waited on the reader many times.
    assert len(slowly) > 16 * 65536
    assert slowly == at_once.stdout
    assert len(json.loads(slowly)["items"]) > 100


def test_slow_reader_of_a_watch_stopped_by_timeout_gets_whole_lines(
    demo_sandbox: Sandbox, piped: Callable[..., PipedProc]
) -> None:
    """Wherever --timeout finds kctl (reading the server, or waiting on the reader in the
    middle of a line), what was printed is whole lines, each event once, and it exits 0."""
    argv = [*KCTL, "watch", "pods", "-A", "-o", "json", "--timeout", "1s"]
    p = piped(demo_sandbox, argv, "slow")
    chunks = []
    while chunk := p.read(509):
        chunks.append(chunk)
    assert p.finish() == (0, b"")
    text = b"".join(chunks).decode()
    assert text.endswith("\n")
    added = []
    for line in text.splitlines():
        event = json.loads(line)
        # The demo cluster's controllers keep changing pods: MODIFIED lines may follow.
        assert event["type"] in ("ADDED", "MODIFIED", "DELETED")
        meta = event["object"]["metadata"]
        if event["type"] == "ADDED":
            added.append((meta["namespace"], meta["name"]))
    assert added and len(added) == len(set(added))
