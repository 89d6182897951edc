"""The Job controller and the TTL-after-finished controller, and the simulated run of a
Job's pods: status shapes after kube-controller-manager 1.37's job controller, outcomes
checked through real kubectl where it reads them (wait, get)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_batch import BATCH, CORE, Clock, condition_types, get, live_pods, poke, set_phase
from helpers_http import call, node, wait_for

from kctl.sandbox import Sandbox
from kctl.sandbox._jobs import compress_indexes, parse_indexes, terminated_status

JOB = """apiVersion: batch/v1
kind: Job
metadata: {{name: pi}}
spec:
  completions: {completions}
  parallelism: {parallelism}
  backoffLimit: {backoff}
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: c, image: "busybox:1.36"}}]
"""


def job_body(name: str = "pi", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            **spec,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "c", "image": "busybox:1.36"}],
                }
            },
        },
    }


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def frozen(clock: Clock) -> Iterator[Sandbox]:
    """A sandbox whose clock only moves when the test says: pods run until then."""
    with Sandbox(seed="empty", now=clock) as sb:
        sb.create(node("node-1"))
        yield sb


@pytest.fixture
def cluster(sandbox: Sandbox) -> Sandbox:
    sandbox.create(node("node-1"))
    return sandbox


def _job(sb: Sandbox, name: str = "pi") -> Any:
    return get(sb, f"{BATCH}/jobs/{name}")


def _running(sb: Sandbox, count: int) -> list[dict[str, Any]]:
    def check() -> list[dict[str, Any]] | None:
        pods = [p for p in live_pods(sb) if p["status"].get("phase") == "Running"]
        return pods if len(pods) == count else None

    pods = wait_for(check)
    assert pods, live_pods(sb)
    return list(pods)


def test_indexes_text() -> None:
    assert compress_indexes({0, 1, 2, 4, 6, 7}) == "0-2,4,6-7"
    assert compress_indexes(set()) == ""
    assert parse_indexes("0-2,4,6-7") == {0, 1, 2, 4, 6, 7}


def test_job_runs_to_completion(cluster: Sandbox, run_kubectl: Any) -> None:
    manifest = JOB.format(completions=3, parallelism=2, backoff=6)
    assert run_kubectl(cluster, "apply", "-f", "-", input=manifest).returncode == 0
    done = run_kubectl(cluster, "wait", "--for=condition=complete", "job/pi", "--timeout=30s")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "job.batch/pi condition met\n"
    job = _job(cluster)
    status = job["status"]
    assert list(status) == [
        "conditions",
        "startTime",
        "completionTime",
        "succeeded",
        "terminating",
        "uncountedTerminatedPods",
        "ready",
    ]
    assert (status["succeeded"], status["terminating"], status["ready"]) == (3, 0, 0)
    assert status["uncountedTerminatedPods"] == {}
    # 1.37 writes the interim SuccessCriteriaMet, then Complete, with the same reason.
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in status["conditions"]] == [
        (
            "SuccessCriteriaMet",
            "True",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
        ),
        ("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
    ]
    uid = job["metadata"]["uid"]
    pods = [p for p in get(cluster, CORE + "/pods")["items"]]
    assert len(pods) == 3
    for pod in pods:
        meta = pod["metadata"]
        assert meta["name"].startswith("pi-")
        assert meta["labels"] == {
            "batch.kubernetes.io/controller-uid": uid,
            "batch.kubernetes.io/job-name": "pi",
            "controller-uid": uid,
            "job-name": "pi",
        }
        assert "finalizers" not in meta
        (owner,) = meta["ownerReferences"]
        assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == (
            "Job",
            "pi",
            uid,
            True,
        )
        assert pod["status"]["phase"] == "Succeeded"
        (container,) = pod["status"]["containerStatuses"]
        assert container["state"]["terminated"]["exitCode"] == 0
        assert container["state"]["terminated"]["reason"] == "Completed"
    table = run_kubectl(cluster, "get", "jobs", "--no-headers")
    assert table.stdout.split()[:3] == ["pi", "Complete", "3/3"]
    pod_table = run_kubectl(cluster, "get", "pods", "--no-headers")
    assert [line.split()[2] for line in pod_table.stdout.splitlines()] == ["Completed"] * 3


def test_parallelism_and_the_tracking_finalizer(frozen: Sandbox, clock: Clock) -> None:
    call(frozen, "POST", BATCH + "/jobs", job_body(completions=3, parallelism=2))
    pods = _running(frozen, 2)
    for pod in pods:
        assert pod["metadata"]["finalizers"] == ["batch.kubernetes.io/job-tracking"]
    status = wait_for(lambda: (_job(frozen)["status"].get("ready") == 2) and _job(frozen)["status"])
    assert status["active"] == 2
    assert "conditions" not in status
    assert status["startTime"] == "2026-12-05T10:00:30Z"
    # One pod ends: it is counted once, released, and the last completion starts.
    set_phase(frozen, pods[0]["metadata"]["name"], "Succeeded")
    status = wait_for(
        lambda: _job(frozen)["status"].get("succeeded") == 1 and _job(frozen)["status"]
    )
    assert status["uncountedTerminatedPods"] == {}
    _running(frozen, 2)
    done = get(frozen, f"{CORE}/pods/{pods[0]['metadata']['name']}")
    assert "finalizers" not in done["metadata"]
    # The simulated run: once a second has passed on the sandbox clock, pods exit 0.
    clock.advance(2)
    job = wait_for(lambda: "Complete" in condition_types(_job(frozen)) and _job(frozen))
    assert job["status"]["succeeded"] == 3
    assert job["status"]["completionTime"] == "2026-12-05T10:00:32Z"
    assert len(get(frozen, CORE + "/pods")["items"]) == 3


def test_backoff_limit_fails_the_job(frozen: Sandbox, clock: Clock, run_kubectl: Any) -> None:
    call(frozen, "POST", BATCH + "/jobs", job_body(backoffLimit=2))
    (first,) = _running(frozen, 1)
    set_phase(frozen, first["metadata"]["name"], "Failed")
    # The failure is counted; the replacement waits out the pod failure backoff (10 s).
    wait_for(lambda: _job(frozen)["status"].get("failed") == 1)
    clock.advance(9)
    poke(frozen, BATCH + "/jobs/pi")
    assert [p["metadata"]["name"] for p in live_pods(frozen)] == [first["metadata"]["name"]]
    clock.advance(1)
    (second,) = _running(frozen, 1)
    assert second["metadata"]["name"] != first["metadata"]["name"]
    # The second failure doubles the wait.
    set_phase(frozen, second["metadata"]["name"], "Failed")
    wait_for(lambda: _job(frozen)["status"].get("failed") == 2)
    clock.advance(19)
    poke(frozen, BATCH + "/jobs/pi")
    assert len(live_pods(frozen)) == 2
    clock.advance(1)
    (third,) = _running(frozen, 1)
    assert "conditions" not in _job(frozen)["status"]
    set_phase(frozen, third["metadata"]["name"], "Failed")
    failed = run_kubectl(frozen, "wait", "--for=condition=failed", "job/pi", "--timeout=30s")
    assert failed.returncode == 0, failed.stderr
    status = _job(frozen)["status"]
    assert [(c["type"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
        ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
    ]
    assert status["failed"] == 3
    assert "completionTime" not in status and "active" not in status
    assert live_pods(frozen) and all(p["status"]["phase"] == "Failed" for p in live_pods(frozen))
    table = run_kubectl(frozen, "get", "jobs", "--no-headers")
    assert table.stdout.split()[:3] == ["pi", "Failed", "0/1"]
    events = get(frozen, CORE + "/events")["items"]
    assert any(e["reason"] == "BackoffLimitExceeded" and e["type"] == "Warning" for e in events), (
        events
    )


def test_indexed_job(frozen: Sandbox, clock: Clock) -> None:
    call(
        frozen,
        "POST",
        BATCH + "/jobs",
        job_body(completions=3, parallelism=3, completionMode="Indexed"),
    )
    pods = _running(frozen, 3)
    by_index = {
        p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]: p for p in pods
    }
    assert sorted(by_index) == ["0", "1", "2"]
    for index, pod in by_index.items():
        assert pod["metadata"]["generateName"] == f"pi-{index}-"
        assert pod["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == index
        assert pod["spec"]["hostname"] == f"pi-{index}"
        assert pod["spec"]["containers"][0]["env"] == [
            {
                "name": "JOB_COMPLETION_INDEX",
                "valueFrom": {
                    "fieldRef": {
                        "apiVersion": "v1",
                        "fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']",
                    }
                },
            }
        ]
    set_phase(frozen, by_index["1"]["metadata"]["name"], "Succeeded")
    status = wait_for(
        lambda: _job(frozen)["status"].get("completedIndexes") == "1" and _job(frozen)["status"]
    )
    assert status["succeeded"] == 1 and status["active"] == 2
    clock.advance(2)
    job = wait_for(lambda: "Complete" in condition_types(_job(frozen)) and _job(frozen))
    assert job["status"]["completedIndexes"] == "0-2"
    assert job["status"]["succeeded"] == 3


def test_ttl_after_finished_deletes_job_and_pods(frozen: Sandbox, clock: Clock) -> None:
    call(frozen, "POST", BATCH + "/jobs", job_body(ttlSecondsAfterFinished=30))
    _running(frozen, 1)
    clock.advance(2)
    assert wait_for(lambda: "Complete" in condition_types(_job(frozen)))
    clock.advance(20)
    poke(frozen, BATCH + "/jobs/pi")
    assert _job(frozen) is not None
    clock.advance(11)
    assert wait_for(lambda: _job(frozen) is None and not get(frozen, CORE + "/pods")["items"])


def test_active_deadline(frozen: Sandbox, clock: Clock) -> None:
    call(frozen, "POST", BATCH + "/jobs", job_body(activeDeadlineSeconds=10))
    frozen.controllers.timed.jobs.pod_run_seconds = None
    _running(frozen, 1)
    clock.advance(11)
    job = wait_for(lambda: "Failed" in condition_types(_job(frozen)) and _job(frozen))
    assert job["status"]["conditions"][-1]["reason"] == "DeadlineExceeded"
    # The pod it stopped counts as failed; it is on its way out.
    assert (job["status"]["failed"], job["status"]["terminating"]) == (1, 1)
    assert job["status"]["conditions"][-1]["message"] == (
        "Job was active longer than specified deadline"
    )
    assert wait_for(lambda: not live_pods(frozen))


def test_deleting_a_job_releases_its_pods(frozen: Sandbox, run_kubectl: Any) -> None:
    call(frozen, "POST", BATCH + "/jobs", job_body(completions=2, parallelism=2))
    _running(frozen, 2)
    deleted = run_kubectl(frozen, "delete", "job", "pi", "--timeout=30s")
    assert deleted.returncode == 0, deleted.stderr
    # The pods carried the tracking finalizer; nothing would count them now, so it goes.
    assert wait_for(lambda: not get(frozen, CORE + "/pods")["items"])


def test_deleting_a_running_pod_counts_a_failure(frozen: Sandbox, clock: Clock) -> None:
    call(frozen, "POST", BATCH + "/jobs", job_body())
    (pod,) = _running(frozen, 1)
    call(frozen, "DELETE", f"{CORE}/pods/{pod['metadata']['name']}")
    status = wait_for(lambda: _job(frozen)["status"].get("failed") == 1 and _job(frozen)["status"])
    assert status["failed"] == 1
    clock.advance(10)
    (replacement,) = _running(frozen, 1)
    assert replacement["metadata"]["name"] != pod["metadata"]["name"]


def test_suspend_and_resume(frozen: Sandbox, run_kubectl: Any) -> None:
    call(frozen, "POST", BATCH + "/jobs", job_body(completions=2, parallelism=2))
    _running(frozen, 2)
    patch = '{"spec":{"suspend":true}}'
    assert run_kubectl(frozen, "patch", "job/pi", "-p", patch).returncode == 0
    suspended = run_kubectl(frozen, "wait", "--for=condition=suspended", "job/pi", "--timeout=30s")
    assert suspended.returncode == 0, suspended.stderr
    assert wait_for(lambda: not live_pods(frozen))
    (cond,) = _job(frozen)["status"]["conditions"]
    assert (cond["type"], cond["status"], cond["reason"], cond["message"]) == (
        "Suspended",
        "True",
        "JobSuspended",
        "Job suspended",
    )
    # The pods a suspension removes lose their finalizer first: they are not failures.
    assert "failed" not in _job(frozen)["status"]
    deleted = [
        e["message"]
        for e in get(frozen, CORE + "/events")["items"]
        if e["reason"] == "SuccessfulDelete"
    ]
    assert len(deleted) == 2 and all(m.startswith("Deleted pod: pi-") for m in deleted)
    table = run_kubectl(frozen, "get", "job", "pi", "--no-headers")
    assert table.stdout.split()[:3] == ["pi", "Suspended", "0/2"]
    patch = '{"spec":{"suspend":false}}'
    assert run_kubectl(frozen, "patch", "job/pi", "-p", patch).returncode == 0
    _running(frozen, 2)
    (cond,) = _job(frozen)["status"]["conditions"]
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "False",
        "JobResumed",
        "Job resumed",
    )


def test_kubectl_describe_job(cluster: Sandbox, run_kubectl: Any) -> None:
    manifest = JOB.format(completions=2, parallelism=1, backoff=6)
    assert run_kubectl(cluster, "apply", "-f", "-", input=manifest).returncode == 0
    done = run_kubectl(cluster, "wait", "--for=condition=complete", "job/pi", "--timeout=30s")
    assert done.returncode == 0, done.stderr
    described = run_kubectl(cluster, "describe", "job", "pi")
    assert described.returncode == 0, described.stderr
    lines = [" ".join(line.split()) for line in described.stdout.splitlines()]
    assert "Pods Statuses: 0 Active (0 Ready) / 2 Succeeded / 0 Failed" in lines
    assert "Completions: 2" in lines and "Parallelism: 1" in lines
    events = [line for line in lines if line.startswith("Normal ")]
    assert [e.split()[1] for e in events] == ["SuccessfulCreate", "SuccessfulCreate", "Completed"]
    assert events[-1].endswith("job-controller Job completed")


def test_through_kctl_clientset(frozen: Sandbox, clock: Clock) -> None:
    """The everyday path of an operator's test: create, watch until done, read pods."""
    from kctl import kubernetes

    cs = kubernetes.new_for_config(frozen.rest_config())
    jobs = cs.batch_v1().jobs("default")
    made = jobs.create(job_body(completions=2, parallelism=1, backoffLimit=0))  # type: ignore[arg-type]
    watcher = jobs.watch(
        field_selector="metadata.name=pi", resource_version=made["metadata"]["resourceVersion"]
    )
    pods = cs.core_v1().pods("default")
    try:
        (first,) = _running(frozen, 1)
        # A kubelet's report through the library: the pod exited 0.
        pod = pods.get(first["metadata"]["name"])
        pod["status"] = terminated_status(dict(pod), 0, "2026-12-05T10:00:31Z")  # type: ignore[typeddict-item]
        pods.update_status(pod)
        _running(frozen, 1)
        clock.advance(2)
        for event in watcher:
            if "Complete" in condition_types(event.object):
                break
    finally:
        watcher.stop()
    job = jobs.get("pi")
    assert job["status"]["succeeded"] == 2
    listed = pods.list(label_selector="batch.kubernetes.io/job-name=pi")
    assert sorted(p["status"]["phase"] for p in listed["items"]) == ["Succeeded", "Succeeded"]


def test_pod_failure_policy(frozen: Sandbox, clock: Clock, run_kubectl: Any) -> None:
    body = job_body(backoffLimit=6)
    body["spec"]["podFailurePolicy"] = {
        "rules": [
            {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}},
            {"action": "Ignore", "onExitCodes": {"operator": "In", "values": [1]}},
        ]
    }
    assert call(frozen, "POST", BATCH + "/jobs", body).status == 201
    assert _job(frozen)["spec"]["podReplacementPolicy"] == "Failed"
    (first,) = _running(frozen, 1)
    # Exit code 1 is ignored: not counted, and replaced (after the back-off).
    set_phase(frozen, first["metadata"]["name"], "Failed", exit_code=1)
    assert wait_for(
        lambda: (
            "finalizers" not in get(frozen, f"{CORE}/pods/{first['metadata']['name']}")["metadata"]
        )
    )
    clock.advance(10)
    (second,) = _running(frozen, 1)
    assert "failed" not in _job(frozen)["status"]
    # Exit code 42 fails the Job at once, whatever the backoffLimit.
    set_phase(frozen, second["metadata"]["name"], "Failed", exit_code=42)
    failed = run_kubectl(frozen, "wait", "--for=condition=failed", "job/pi", "--timeout=30s")
    assert failed.returncode == 0, failed.stderr
    status = _job(frozen)["status"]
    message = (
        f"Container c for pod default/{second['metadata']['name']} failed with exit code 42 "
        "matching FailJob rule at index 0"
    )
    assert [(c["type"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("FailureTarget", "PodFailurePolicy", message),
        ("Failed", "PodFailurePolicy", message),
    ]
    assert status["failed"] == 1
