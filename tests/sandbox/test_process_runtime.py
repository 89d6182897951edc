"""Sandbox(runtime="process"): containers as host processes, their exit codes and restarts
in the pod's status, their real logs, and no process (nor zombie) left after deletion or
stop."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

sys.path.insert(0, str(Path(__file__).parent))
from helpers_batch import Clock, poke
from helpers_runtime import NODE, get_pod, pod, start, wait_for

from kctl.sandbox import Sandbox, SandboxError, _runtime

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def sb() -> Any:
    with Sandbox(seed="empty", runtime="process") as sandbox:
        yield sandbox


def _status(sb: Sandbox, name: str) -> dict[str, Any]:
    return (get_pod(sb, name) or {}).get("status") or {}


def _container(sb: Sandbox, name: str) -> dict[str, Any]:
    return (_status(sb, name).get("containerStatuses") or [{}])[0]


def _log(sb: Sandbox, name: str, query: str = "") -> requests.Response:
    return requests.get(
        f"{sb.url}/api/v1/namespaces/default/pods/{name}/log{query}",
        headers={"Authorization": f"Bearer {sb.token}"},
        timeout=30,
    )


def _gone(pid: int) -> bool:
    # A zombie still has its /proc entry: gone means reaped, not just dead.
    return not os.path.exists(f"/proc/{pid}")


def _pid(sb: Sandbox, name: str) -> int:
    uid = get_pod(sb, name)["metadata"]["uid"]  # type: ignore[index]
    workdir = sb.runtime.workdir(uid)  # type: ignore[union-attr]
    path = Path(str(workdir)) / "pid"
    assert wait_for(lambda: path.exists() and path.read_text().strip())
    return int(path.read_text())


def test_unknown_runtime_is_refused() -> None:
    with pytest.raises(SandboxError, match='unknown runtime "docker"'):
        Sandbox(runtime="docker")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "example.com"])
def test_runtime_listens_on_loopback_only(host: str) -> None:
    with pytest.raises(SandboxError) as err:
        Sandbox(runtime="process", host=host)
    assert str(err.value) == f"the process runtime serves on a loopback address only, not {host}"


def test_runtime_on_another_loopback_address() -> None:
    with Sandbox(seed="empty", runtime="process", host="127.0.0.2") as sandbox:
        assert sandbox.url.startswith("http://127.0.0.2:")


def test_exit_code_fails_the_pod_with_restart_policy_never(sb: Sandbox) -> None:
    start(sb, pod("bad", "echo to stderr >&2; exit 3"))
    assert wait_for(lambda: _status(sb, "bad").get("phase") == "Failed")
    cs = _container(sb, "bad")
    assert cs["state"]["terminated"]["exitCode"] == 3
    assert cs["state"]["terminated"]["reason"] == "Error"
    assert (cs["ready"], cs["restartCount"]) == (False, 0)
    ready = [c for c in _status(sb, "bad")["conditions"] if c["type"] == "Ready"]
    assert ready[0]["status"] == "False"
    assert _log(sb, "bad").text == "to stderr\n"


def test_on_failure_restarts_until_success(sb: Sandbox) -> None:
    script = "echo run; if [ -f ran ]; then exit 0; fi; touch ran; exit 1"
    start(sb, pod("flaky", script, restart="OnFailure"))
    assert wait_for(lambda: _status(sb, "flaky").get("phase") == "Succeeded")
    cs = _container(sb, "flaky")
    assert cs["restartCount"] == 1
    assert cs["lastState"]["terminated"]["exitCode"] == 1
    assert cs["state"]["terminated"]["exitCode"] == 0
    # The current instance's log, and the one before it with previous=true.
    assert _log(sb, "flaky").text == "run\n"
    assert _log(sb, "flaky", "?previous=true").text == "run\n"


def test_always_restarts_even_after_success(sb: Sandbox) -> None:
    start(sb, pod("loop", "exit 0", restart="Always"))
    assert wait_for(lambda: _container(sb, "loop").get("restartCount", 0) >= 2)
    assert _status(sb, "loop")["phase"] == "Running"


def test_env_is_the_containers_only(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCTL_TEST_HOST_SECRET", "must-not-leak")
    start(sb, pod("env", "env; sleep 3600", env={"COLOR": "blue"}))
    assert wait_for(lambda: "COLOR=" in _log(sb, "env").text)
    text = _log(sb, "env").text
    assert "COLOR=blue\n" in text
    assert "HOSTNAME=env\n" in text
    ip = _status(sb, "env")["podIP"]
    assert f"POD_IP={ip}\n" in text
    assert "must-not-leak" not in text


def test_log_is_capped_oldest_lines_first(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_runtime, "LOG_CAP", 100)
    start(sb, pod("chatty", "i=0; while [ $i -lt 50 ]; do i=$((i+1)); echo line $i; done"))
    assert wait_for(lambda: _status(sb, "chatty").get("phase") == "Succeeded")
    text = _log(sb, "chatty").text
    assert len(text) <= 100
    assert text.endswith("line 50\n")
    assert "line 1\n" not in text


def test_log_options_apply_to_real_output(sb: Sandbox) -> None:
    start(sb, pod("lines", "printf 'a\\nb\\nc\\n'"))
    assert wait_for(lambda: _status(sb, "lines").get("phase") == "Succeeded")
    assert _log(sb, "lines", "?tailLines=1").text == "c\n"
    assert _log(sb, "lines", "?limitBytes=3").text == "a\nb"
    stamped = _log(sb, "lines", "?timestamps=true").text.splitlines()
    assert [line.split(" ", 1)[1] for line in stamped] == ["a", "b", "c"]
    assert all(line[:4].isdigit() and line.split(" ")[0].endswith("Z") for line in stamped)


def test_delete_kills_the_process_group_and_reaps_it(sb: Sandbox) -> None:
    # A child of the container's shell too: the whole group goes.
    start(sb, pod("victim", "sleep 3600 & echo $$ > pid; wait"))
    pid = _pid(sb, "victim")
    uid = get_pod(sb, "victim")["metadata"]["uid"]  # type: ignore[index]
    workdir = sb.runtime.workdir(uid)  # type: ignore[union-attr]
    reply = requests.delete(
        f"{sb.url}/api/v1/namespaces/default/pods/victim",
        headers={"Authorization": f"Bearer {sb.token}"},
        timeout=30,
    )
    assert reply.status_code == 200
    assert wait_for(lambda: get_pod(sb, "victim") is None)
    assert wait_for(lambda: _gone(pid))
    assert not os.path.exists(str(workdir))
    assert wait_for(lambda: os.system(f"pgrep -g {pid} >/dev/null") != 0), os.popen(
        f"ps -o pid,ppid,stat,cmd -g {pid}"
    ).read()


def test_stop_kills_every_process_and_removes_the_directories() -> None:
    sandbox = Sandbox(seed="empty", runtime="process").start()
    try:
        start(sandbox, pod("a", "echo $$ > pid; exec sleep 3600"))
        start(sandbox, pod("b", "echo $$ > pid; exec sleep 3600"))
        pids = [_pid(sandbox, "a"), _pid(sandbox, "b")]
        root = sandbox.runtime.root  # type: ignore[union-attr]
    finally:
        sandbox.stop()
    assert all(_gone(pid) for pid in pids)
    assert not os.path.exists(root)


def test_pods_run_again_after_a_restart_from_state(tmp_path: Path) -> None:
    state = str(tmp_path / "state.db")
    with Sandbox(seed="empty", runtime="process", state=state) as first:
        start(first, pod("keeper", "echo booted; exec sleep 3600"))
        assert wait_for(lambda: _log(first, "keeper").text == "booted\n")
        old_pid = _pid_of_sleep(first, "keeper")
    assert wait_for(lambda: _gone(old_pid))
    with Sandbox(seed="empty", runtime="process", state=state) as second:
        # The stand-in kubelet starts it again, with a new IP of this runtime's.
        assert wait_for(lambda: _log(second, "keeper").text == "booted\n")
        uid = get_pod(second, "keeper")["metadata"]["uid"]  # type: ignore[index]
        assert _status(second, "keeper")["podIP"] == second.runtime.ip(uid)  # type: ignore[union-attr]
        assert _status(second, "keeper")["phase"] == "Running"


def _pid_of_sleep(sb: Sandbox, name: str) -> int:
    uid = get_pod(sb, name)["metadata"]["uid"]  # type: ignore[index]
    inst = sb.runtime.instance(uid, "c")  # type: ignore[union-attr]
    assert inst is not None and inst.proc is not None
    return inst.proc.pid


def test_without_the_runtime_exec_dials_no_kubelet(sandbox: Sandbox) -> None:
    sandbox.create(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "n1"},
            "status": {
                "conditions": [{"type": "Ready", "status": "True"}],
                "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
            },
        }
    )
    start(sandbox, pod("p", "sleep 3600"))
    reply = requests.post(
        f"{sandbox.url}/api/v1/namespaces/default/pods/p/exec?command=true&stdout=true",
        headers={"Authorization": f"Bearer {sandbox.token}"},
        timeout=30,
    )
    assert reply.status_code == 500
    assert reply.json()["message"] == (
        "error dialing backend: dial tcp 172.18.0.2:10250: connect: connection refused"
    )
    assert sandbox.runtime is None


def _job(name: str) -> dict[str, Any]:
    # The container waits for a file the test writes into its working directory, then exits
    # with the code the file holds: the test, not a timer, decides when and how it ends.
    script = "while [ ! -s go ]; do sleep 0.05; done; echo finished; exit $(cat go)"
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "backoffLimit": 0,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {"name": "c", "image": "busybox", "command": ["sh", "-c", script]}
                    ],
                }
            },
        },
    }


def _job_conditions(sb: Sandbox, name: str) -> list[tuple[str, str]]:
    entry = sb.store.get(("batch", "jobs"), "default", name)
    assert entry is not None
    return [
        (c["type"], c.get("reason", ""))
        for c in (entry.obj.get("status") or {}).get("conditions") or []
    ]


def test_a_jobs_pods_run_for_real_and_their_exit_decides() -> None:
    """With the runtime, a Job's pod is not ended by the simulated run: it runs as long as
    its process does (the sandbox clock moves a minute past the simulated run), and the
    process's exit code makes the Job complete or fail."""
    clock = Clock()
    with Sandbox(seed="empty", runtime="process", now=clock) as sb:
        sb.create(NODE)
        for name in ("ok", "bad"):
            sb.create(_job(name))
        pods: dict[str, dict[str, Any]] = {}
        for name in ("ok", "bad"):
            pods[name] = wait_for(
                lambda name=name: next(
                    (
                        e.obj
                        for e in sb.store.items(("", "pods"), "default")
                        if e.obj["metadata"]["labels"].get("job-name") == name
                        and (e.obj.get("status") or {}).get("phase") == "Running"
                        and sb.runtime is not None
                        and sb.runtime.workdir(e.obj["metadata"]["uid"])
                    ),
                    None,
                )
            )
            assert pods[name], f"the pod of {name} never ran"
        clock.advance(60)
        poke(sb, "/apis/batch/v1/namespaces/default/jobs/ok")
        for name in ("ok", "bad"):
            assert _job_conditions(sb, name) == []
            assert _status(sb, pods[name]["metadata"]["name"])["phase"] == "Running"
        for name, code in (("ok", "0"), ("bad", "3")):
            workdir = sb.runtime.workdir(pods[name]["metadata"]["uid"])  # type: ignore[union-attr]
            (Path(str(workdir)) / "go").write_text(code + "\n")
        assert wait_for(lambda: ("Complete", "CompletionsReached") in _job_conditions(sb, "ok"))
        assert wait_for(lambda: ("Failed", "BackoffLimitExceeded") in _job_conditions(sb, "bad"))
        assert _log(sb, pods["ok"]["metadata"]["name"]).text == "finished\n"
        bad = _container(sb, pods["bad"]["metadata"]["name"])
        assert bad["state"]["terminated"]["exitCode"] == 3
