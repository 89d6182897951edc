"""``kctl logs`` against kubectl 1.37.1 on the same sandbox: texts, errors, exit codes, and
followed logs read for a while, then ended by the server or by a signal."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.cli.logs import parse_rfc3339
from kctl.sandbox import Sandbox

from .conftest import KUBECTL, Parity, cli_env, normalise

sys.path.insert(0, str(Path(__file__).parent))
from helpers_proc import LineProc
from helpers_relay import Relay

STARTED = "2026-01-02T03:04:05Z"


def _pod(
    name: str,
    containers: tuple[str, ...] = ("c",),
    *,
    init: tuple[str, ...] = (),
    annotations: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    waiting: bool = False,
) -> dict[str, Any]:
    state: dict[str, Any] = (
        {"waiting": {"reason": "ContainerCreating"}}
        if waiting
        else {"running": {"startedAt": STARTED}}
    )
    done = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": STARTED}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "default",
            "annotations": annotations or {},
            "labels": labels or {},
        },
        "spec": {
            "nodeName": "n1",
            "containers": [{"name": c, "image": f"{c}:1.0"} for c in containers],
            "initContainers": [{"name": c, "image": f"{c}:1.0"} for c in init],
        },
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {"name": c, "ready": not waiting, "state": state} for c in containers
            ],
            "initContainerStatuses": [{"name": c, "ready": True, "state": done} for c in init],
        },
    }


@pytest.fixture
def pods(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.api.log_follow_interval = 0.05
    sandbox.create(_pod("one"))
    sandbox.create(_pod("two", ("a", "b"), init=("setup",), labels={"app": "two"}))
    sandbox.create(_pod("three", labels={"app": "two"}))
    default = "kubectl.kubernetes.io/default-container"
    sandbox.create(_pod("pick", ("a", "b"), annotations={default: "b"}))
    sandbox.create(_pod("misnamed", ("a", "b"), annotations={default: "zz"}))
    sandbox.create(_pod("waiting", waiting=True))
    sandbox.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "bare", "namespace": "default"},
            "spec": {"ports": [{"port": 80}]},
        }
    )
    yield sandbox


def _dev_pods(sb: Sandbox) -> tuple[str, str]:
    from kctl.kubernetes import new_for_config

    items = new_for_config(sb.rest_config()).core_v1().pods("dev").list()["items"]
    running = next(
        p["metadata"]["name"]
        for p in items
        if p["metadata"]["name"].startswith("api-")
        and p["status"]["phase"] == "Running"
        and all(cs.get("restartCount", 0) == 0 for cs in p["status"]["containerStatuses"])
    )
    crashing = next(
        p["metadata"]["name"]
        for p in items
        if any("waiting" in cs["state"] for cs in p["status"]["containerStatuses"])
    )
    return running, crashing


CASES = [
    (),
    ("a", "b", "c"),
    ("deploy/api",),
    ("deploy/api", "--tail=2", "--timestamps"),
    ("sts/db", "--prefix", "--all-containers", "--tail=1"),
    ("job/nightly-export-29100000",),
    ("svc/api", "--tail=1"),
    ("deploy/web", "-p"),
    ("ds/kube-proxy",),
    ("nope",),
    ("deploy/nope",),
    ("cm/nope",),
    ("cm/kube-root-ca.crt",),
    ("foo/x",),
    ("-l", "app=api", "x"),
    ("-l", "app=nope"),
    ("-l", "a b"),
    ("-l", "app=api", "-f"),
    ("{running}", "--since=1h", "--since-time=2020-01-01T00:00:00Z"),
    ("{running}", "--since-time=bad"),
    ("{running}", "--since-time=2026-13-01T00:00:00Z"),
    ("{running}", "--since-time=2026-01-01T00:00:00"),
    ("{running}", "--since-time=2026-01-01T00:00:00Zjunk"),
    ("{running}", "--since-time=2026-01-01T00:00:00+02:00", "--timestamps"),
    ("{running}", "--limit-bytes=-1"),
    ("{running}", "--limit-bytes=5"),
    ("{running}", "--tail=-2"),
    ("{running}", "--tail=x"),
    ("{running}", "--since=-1s"),
    ("{running}", "--since=10x"),
    ("{running}", "--since=1h"),
    ("{running}", "--max-log-requests=x"),
    ("{running}", "--pod-running-timeout=0"),
    ("{running}", "-c", "x"),
    ("{running}", "x", "-c", "y"),
    ("{running}", "api", "--tail=1"),
    ("{running}", "--all-containers", "-c", "api"),
    ("{running}", "--prefix"),
    ("{running}", "-p"),
    ("pod/{running}", "--tail=1"),
    ("{crashing}", "-p", "--tail=1"),
    ("{crashing}", "--bogus"),
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a) or "no-args")
def test_logs_like_kubectl(
    demo_sandbox: Sandbox, parity: Callable[..., Parity], args: tuple[str, ...]
) -> None:
    running, crashing = _dev_pods(demo_sandbox)
    filled = [a.format(running=running, crashing=crashing) for a in args]
    # A followed log of a running container does not end: the -f cases here fail first.
    parity(demo_sandbox, "logs", "-n", "dev", *filled).assert_same()


def test_a_selector_shows_the_last_ten_lines_of_each_pod(
    demo_sandbox: Sandbox, parity: Callable[..., Parity]
) -> None:
    # kubectl reads the pods in Go's map order: compare the lines, not their order.
    p = parity(demo_sandbox, "logs", "-n", "dev", "-l", "app=api", "--prefix", "--tail=2")
    assert p.ours.returncode == p.theirs.returncode == 0
    assert sorted(p.ours.stdout.splitlines()) == sorted(p.theirs.stdout.splitlines())
    assert len(p.ours.stdout.splitlines()) == 2 * 22
    p = parity(demo_sandbox, "logs", "-n", "dev", "deploy/web", "--all-pods")
    assert sorted(p.ours.stdout.splitlines()) == sorted(p.theirs.stdout.splitlines())
    assert p.ours.stdout.startswith("[pod/web-")


@pytest.mark.parametrize(
    "args",
    [
        ("two",),
        ("two", "-c", "b", "--tail=1"),
        ("two", "setup", "--tail=1"),
        ("pick", "--tail=1"),
        ("misnamed", "--tail=1"),
        ("waiting",),
        ("waiting", "--ignore-errors"),
        ("svc/bare",),
        ("-l", "app=two", "--tail=1", "--prefix"),
    ],
    ids=" ".join,
)
def test_containers_and_errors_like_kubectl(
    pods: Sandbox, parity: Callable[..., Parity], args: tuple[str, ...]
) -> None:
    p = parity(pods, "logs", *args)
    if args[0] == "-l":
        # Two pods in Go's map order.
        p.ours.stdout = "".join(sorted(p.ours.stdout.splitlines(True)))
        p.theirs.stdout = "".join(sorted(p.theirs.stdout.splitlines(True)))
    p.assert_same()


def test_all_containers_init_first(pods: Sandbox, parity: Callable[..., Parity]) -> None:
    p = parity(pods, "logs", "two", "--all-containers", "--prefix", "--tail=1")
    assert sorted(p.ours.stdout.splitlines()) == sorted(p.theirs.stdout.splitlines())
    assert [line.split("]")[0] for line in p.ours.stdout.splitlines()] == [
        "[pod/two/setup",
        "[pod/two/a",
        "[pod/two/b",
    ]


def test_a_workload_without_pods_waits_for_one(
    pods: Sandbox, parity: Callable[..., Parity]
) -> None:
    pods.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "empty", "namespace": "default"},
            "spec": {"selector": {"app": "none"}, "ports": [{"port": 80}]},
        }
    )
    parity(pods, "logs", "svc/empty", "--pod-running-timeout=1s").assert_same()


def test_a_followed_log_retries_a_container_that_is_not_running(
    pods: Sandbox, parity: Callable[..., Parity]
) -> None:
    p = parity(pods, "logs", "waiting", "-f", "--pod-running-timeout=1500ms")
    waiting = 'container "c" in pod "waiting" is waiting to start: ContainerCreating'
    for result in (p.ours, p.theirs):
        # One try at once, then one a second: how many fit depends on the clock.
        lines = result.stderr.splitlines()
        assert lines[-1] == "error: context deadline exceeded"
        assert set(lines[:-1]) == {waiting} and len(lines) >= 2
        assert result.returncode == 1 and result.stdout == ""


def test_since_time_parsing() -> None:
    assert parse_rfc3339("2026-01-02T03:04:05.5+01:30").isoformat() == (
        "2026-01-02T01:34:05.500000+00:00"
    )
    assert parse_rfc3339("2026-01-02T3:04:05Z").hour == 3
    with pytest.raises(ValueError, match=r'cannot parse "26-02-30T00:00:00Z" as "2006"'):
        parse_rfc3339("26-02-30T00:00:00Z")
    with pytest.raises(ValueError, match=r'parsing time "2026-02-30T00:00:00Z": day out of range'):
        parse_rfc3339("2026-02-30T00:00:00Z")
    with pytest.raises(ValueError, match=r'cannot parse "x" as "Z07:00"'):
        parse_rfc3339("2026-02-03T00:00:00x")


# -- followed logs -------------------------------------------------------------------------


class Follower(LineProc):
    """A ``logs -f`` process of either tool, read line by line (with deadlines)."""

    def __init__(self, tool: list[str], sb: Sandbox, home: Path, *args: str) -> None:
        super().__init__([*tool, "logs", *args], sb.kubeconfig_path, home)
        self.read_lines: list[str] = []

    def read(self, count: int) -> list[str]:
        self.read_lines += self.take(count - len(self.read_lines))
        return self.read_lines

    def end(self, sig: int | None = None) -> tuple[int, str, str]:
        """Exit code, all of stdout, stderr."""
        if sig is not None:
            self.proc.send_signal(sig)
        code, err = self.finish()
        return code, "".join(self.read_lines + self.rest()), err


@pytest.fixture
def followers(tmp_path: Path, pods: Sandbox) -> Iterator[Callable[..., tuple[Follower, Follower]]]:
    started: list[Follower] = []

    def start(*args: str) -> tuple[Follower, Follower]:
        ours = Follower([sys.executable, "-m", "kctl"], pods, tmp_path / "ours", *args)
        theirs = Follower([str(KUBECTL)], pods, tmp_path / "theirs", *args)
        started.extend((ours, theirs))
        return ours, theirs

    yield start
    for follower in started:
        if follower.proc.poll() is None:
            follower.kill()


def _wait_for(cond: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_follow_reads_new_lines_until_interrupted(
    pods: Sandbox, followers: Callable[..., tuple[Follower, Follower]], sig: int
) -> None:
    results = []
    for follower in followers("one", "-f", "--tail=1", "--timestamps"):
        lines = follower.read(4)
        assert lines[0].endswith(' level=info msg="ready to serve requests"\n')
        assert [line.rsplit(" ", 1)[1] for line in lines[1:]] == [
            "seq=1\n",
            "seq=2\n",
            "seq=3\n",
        ]
        results.append(follower.end(sig))
    (our_code, _, our_err), (their_code, _, their_err) = results
    # kubectl's interrupt handler exits 1 without a word.
    assert (our_code, our_err) == (their_code, their_err) == (1, "")
    # Both connections closed, the sandbox's streams end.
    assert _wait_for(lambda: pods.api.log_followers.count == 0)


def test_follow_ends_when_the_container_stops(
    pods: Sandbox, followers: Callable[..., tuple[Follower, Follower]]
) -> None:
    ours, theirs = followers("two", "-c", "b", "-f", "--tail=0")
    ours.read(2)
    theirs.read(2)
    status = pods.registry.store.get(("", "pods"), "default", "two")
    assert status is not None
    pod = json.loads(json.dumps(status.obj))
    for cs in pod["status"]["containerStatuses"]:
        cs["state"] = {"terminated": {"exitCode": 0, "startedAt": STARTED}}
    from kctl.kubernetes import new_for_config

    new_for_config(pods.rest_config()).core_v1().pods("default").update_status(pod)
    our_code, our_out, our_err = ours.end()
    their_code, their_out, their_err = theirs.end()
    assert (our_code, our_err) == (their_code, their_err) == (0, "")
    assert normalise(our_err) == normalise(their_err)
    for out in (our_out, their_out):
        assert out and all(" seq=" in line for line in out.splitlines())


def test_follow_several_containers_at_once(
    pods: Sandbox, followers: Callable[..., tuple[Follower, Follower]]
) -> None:
    for follower in followers("two", "-f", "--all-containers", "--prefix", "--tail=1"):
        # setup has ended: its log is whole and its stream over; a and b go on.
        lines = follower.read(12)
        seen = {line.split("]")[0] + "]" for line in lines}
        assert seen == {"[pod/two/setup]", "[pod/two/a]", "[pod/two/b]"}
        assert sum("[pod/two/setup]" in line for line in lines) == 1
        code, _, err = follower.end(signal.SIGTERM)
        assert (code, err) == (1, "")
    ours, theirs = followers("two", "-f", "--all-containers", "--max-log-requests=2")
    assert ours.end()[1:] == theirs.end()[1:]
    assert ours.proc.returncode == theirs.proc.returncode == 1


def _tab(sb: Sandbox, home: Path, words: str) -> list[str]:
    env = cli_env(sb, home)
    env.update(
        _KCTL_COMPLETE="bash_complete", COMP_WORDS=words, COMP_CWORD=str(len(words.split(" ")) - 1)
    )
    done = subprocess.run(
        [sys.executable, "-m", "kctl"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return [line.partition(",")[2] for line in done.stdout.splitlines() if line]


def test_tab_completes_pods_then_their_containers(pods: Sandbox, tmp_path: Path) -> None:
    assert _tab(pods, tmp_path, "kctl logs t") == ["three", "two"]
    assert _tab(pods, tmp_path, "kctl logs two ") == ["a", "b", "setup"]
    assert _tab(pods, tmp_path, "kctl logs two -c ") == ["a", "b", "setup"]
    assert _tab(pods, tmp_path, "kctl logs two --container s") == ["setup"]
    assert _tab(pods, tmp_path, "kctl logs nope -c ") == []
    assert "--max-log-requests" in _tab(pods, tmp_path, "kctl logs --max")


@pytest.mark.parametrize("reset", [True, False], ids=["reset", "closed"])
def test_a_followed_log_whose_connection_drops_fails_like_kubectl(
    pods: Sandbox, tmp_path: Path, reset: bool
) -> None:
    relay = Relay(("127.0.0.1", int(pods.url.rsplit(":", 1)[1])))
    try:
        tools = {"ours": [sys.executable, "-m", "kctl"], "theirs": [str(KUBECTL)]}
        running = {
            name: Follower(tool, pods, tmp_path / name, "-s", relay.url, "one", "-f", "--tail=1")
            for name, tool in tools.items()
        }
        for follower in running.values():
            follower.read(3)
        assert relay.cut(reset=reset) >= 2
        ours, theirs = (running[name].end() for name in ("ours", "theirs"))
    finally:
        relay.close()
        for follower in running.values():
            follower.kill()
    # Go's read error, printed by the retry loop and then as the error; no traceback.
    cause = (
        "read tcp 127.0.0.1:<port>->127.0.0.1:<port>: read: connection reset by peer"
        if reset
        else "unexpected EOF"
    )
    for code, _, err in (theirs, ours):
        assert code == 1
        assert re.sub(r":\d+", ":<port>", err) == f"{cause}\nerror: {cause}\n"
