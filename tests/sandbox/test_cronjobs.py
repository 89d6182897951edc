"""The CronJob controller on the sandbox clock: Jobs on schedule, concurrency policies,
history limits, status times, and ``kubectl create job --from=cronjob/...``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_batch import BATCH, CORE, Clock, condition_types, get, items, poke
from helpers_http import call, node, wait_for

from kctl.sandbox import Sandbox
from kctl.sandbox._cron import parse_schedule

UTC = timezone.utc


def cronjob(schedule: str = "*/5 * * * *", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "tick"},
        "spec": {
            "schedule": schedule,
            **spec,
            "jobTemplate": {
                "metadata": {"labels": {"team": "a"}},
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [{"name": "c", "image": "busybox:1.36"}],
                        }
                    }
                },
            },
        },
    }


@pytest.fixture
def clock() -> Clock:
    # 10:00:30 UTC: the next */5 firing is 10:05.
    return Clock()


@pytest.fixture
def frozen(clock: Clock) -> Iterator[Sandbox]:
    with Sandbox(seed="empty", now=clock) as sb:
        sb.create(node("node-1"))
        yield sb


def _jobs(sb: Sandbox) -> list[dict[str, Any]]:
    return sorted(items(sb, BATCH + "/jobs"), key=lambda j: j["metadata"]["name"])


def _cronjob(sb: Sandbox) -> Any:
    return get(sb, BATCH + "/cronjobs/tick")


@pytest.mark.parametrize(
    ("schedule", "after", "expected"),
    [
        ("* * * * *", datetime(2026, 12, 5, 11, 50, 30, tzinfo=UTC), "2026-12-05T11:51:00+00:00"),
        ("*/5 * * * *", datetime(2026, 12, 5, 11, 55, tzinfo=UTC), "2026-12-05T12:00:00+00:00"),
        ("@hourly", datetime(2026, 12, 5, 11, 50, tzinfo=UTC), "2026-12-05T12:00:00+00:00"),
        # Saturday: mon-fri waits for Monday.
        ("0 9 * * mon-fri", datetime(2026, 12, 5, 11, 50, tzinfo=UTC), "2026-12-07T09:00:00+00:00"),
        # Day of month and day of week both restricted: either one fires (robfig's OR).
        ("0 12 1 * 1", datetime(2026, 12, 5, 11, 50, tzinfo=UTC), "2026-12-07T12:00:00+00:00"),
        ("30 6-16/4 * * *", datetime(2026, 12, 5, 11, 50, tzinfo=UTC), "2026-12-05T14:30:00+00:00"),
        ("0 0 1 jan *", datetime(2026, 12, 5, 11, 50, tzinfo=UTC), "2027-01-01T00:00:00+00:00"),
        ("@every 90s", datetime(2026, 12, 5, 11, 50, tzinfo=UTC), "2026-12-05T11:51:30+00:00"),
    ],
)
def test_schedule_next(schedule: str, after: datetime, expected: str) -> None:
    fired = parse_schedule(schedule).next(after, UTC)
    assert fired is not None and fired.isoformat() == expected


def test_schedule_time_zone_and_never() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    fired = parse_schedule("0 9 * * *").next(datetime(2026, 12, 5, 11, 50, tzinfo=UTC), berlin)
    assert fired is not None and fired.astimezone(UTC).isoformat() == "2026-12-06T08:00:00+00:00"
    assert parse_schedule("0 0 30 2 *").next(datetime(2026, 12, 5, tzinfo=UTC), UTC) is None


def test_job_on_schedule(frozen: Sandbox, clock: Clock, run_kubectl: Any) -> None:
    call(frozen, "POST", BATCH + "/cronjobs", cronjob())
    frozen.controllers.timed.jobs.pod_run_seconds = None
    clock.advance(60)
    poke(frozen, BATCH + "/cronjobs/tick")
    assert _jobs(frozen) == []
    clock.advance(4 * 60)  # 10:05:30
    (job,) = wait_for(lambda: _jobs(frozen))
    due = datetime(2026, 12, 5, 10, 5, tzinfo=UTC)
    meta = job["metadata"]
    assert meta["name"] == f"tick-{int(due.timestamp()) // 60}"
    assert meta["annotations"] == {
        "batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-12-05T10:05:00Z"
    }
    assert meta["labels"]["team"] == "a"
    (owner,) = meta["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("CronJob", "tick", True)
    status = wait_for(
        lambda: (_cronjob(frozen).get("status") or {}).get("active") and _cronjob(frozen)["status"]
    )
    assert status["lastScheduleTime"] == "2026-12-05T10:05:00Z"
    (ref,) = status["active"]
    # The reference is taken from the create response: the version the Job was born with.
    assert int(ref.pop("resourceVersion")) <= int(meta["resourceVersion"])
    assert ref == {
        "kind": "Job",
        "namespace": "default",
        "name": meta["name"],
        "uid": meta["uid"],
        "apiVersion": "batch/v1",
    }
    table = run_kubectl(frozen, "get", "cronjob", "tick", "--no-headers")
    # NAME, the schedule's five fields, TIMEZONE, SUSPEND, ACTIVE, LAST SCHEDULE, AGE
    assert table.stdout.split()[:9] == ["tick", "*/5", "*", "*", "*", "*", "<none>", "False", "1"]
    # The Job finishes: it leaves the active list and dates lastSuccessfulTime.
    frozen.controllers.timed.jobs.pod_run_seconds = 1.0
    # Its pod runs first; then the clock moves past the simulated run.
    assert wait_for(lambda: get(frozen, f"{BATCH}/jobs/{meta['name']}")["status"].get("ready"))
    clock.advance(2)
    status = wait_for(
        lambda: (
            "lastSuccessfulTime" in (_cronjob(frozen).get("status") or {})
            and _cronjob(frozen)["status"]
        )
    )
    assert status == {
        "lastScheduleTime": "2026-12-05T10:05:00Z",
        "lastSuccessfulTime": "2026-12-05T10:05:32Z",
    }
    events = [
        e for e in items(frozen, CORE + "/events") if e["involvedObject"]["kind"] == "CronJob"
    ]
    reasons = [(e["reason"], e["message"]) for e in events]
    assert ("SuccessfulCreate", f"Created job {meta['name']}") in reasons
    assert ("SawCompletedJob", f"Saw completed job: {meta['name']}, condition: Complete") in reasons


def test_time_zone(frozen: Sandbox, clock: Clock) -> None:
    # 11:05 in Berlin is 10:05 UTC in December.
    call(frozen, "POST", BATCH + "/cronjobs", cronjob("5 11 * * *", timeZone="Europe/Berlin"))
    frozen.controllers.timed.jobs.pod_run_seconds = None
    clock.advance(5 * 60)
    (job,) = wait_for(lambda: _jobs(frozen))
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == (
        "2026-12-05T11:05:00+01:00"
    )
    status = wait_for(lambda: (_cronjob(frozen).get("status") or {}).get("lastScheduleTime"))
    assert status == "2026-12-05T10:05:00Z"


def test_missed_times_start_only_the_latest(frozen: Sandbox, clock: Clock) -> None:
    call(frozen, "POST", BATCH + "/cronjobs", cronjob("* * * * *"))
    frozen.controllers.timed.jobs.pod_run_seconds = None
    clock.advance(3600)  # 11:00:30: sixty firings missed
    (job,) = wait_for(lambda: _jobs(frozen))
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == (
        "2026-12-05T11:00:00Z"
    )


def test_forbid_skips_while_a_job_runs(frozen: Sandbox, clock: Clock) -> None:
    call(frozen, "POST", BATCH + "/cronjobs", cronjob(concurrencyPolicy="Forbid"))
    frozen.controllers.timed.jobs.pod_run_seconds = None
    clock.advance(5 * 60)
    assert len(wait_for(lambda: _jobs(frozen))) == 1
    clock.advance(5 * 60)
    skipped = wait_for(
        lambda: [e for e in items(frozen, CORE + "/events") if e["reason"] == "JobAlreadyActive"]
    )
    assert skipped[0]["message"] == (
        "Not starting job because prior execution is running and concurrency policy is Forbid"
    )
    assert len(_jobs(frozen)) == 1
    assert _cronjob(frozen)["status"]["lastScheduleTime"] == "2026-12-05T10:05:00Z"


def test_replace_deletes_the_running_job(frozen: Sandbox, clock: Clock) -> None:
    call(frozen, "POST", BATCH + "/cronjobs", cronjob(concurrencyPolicy="Replace"))
    frozen.controllers.timed.jobs.pod_run_seconds = None
    clock.advance(5 * 60)
    (first,) = wait_for(lambda: _jobs(frozen))
    clock.advance(5 * 60)

    def replaced() -> list[dict[str, Any]] | None:
        jobs = [j for j in _jobs(frozen) if not j["metadata"].get("deletionTimestamp")]
        return (
            jobs if [j["metadata"]["name"] for j in jobs] != [first["metadata"]["name"]] else None
        )

    (second,) = wait_for(replaced)
    (ref,) = _cronjob(frozen)["status"]["active"]
    assert ref["uid"] == second["metadata"]["uid"]


def test_history_limits(frozen: Sandbox, clock: Clock) -> None:
    call(
        frozen,
        "POST",
        BATCH + "/cronjobs",
        cronjob(successfulJobsHistoryLimit=1, failedJobsHistoryLimit=0),
    )
    names: list[str] = []
    for _ in range(3):
        clock.advance(5 * 60)

        def started() -> list[dict[str, Any]]:
            # A new Job whose pod runs: only then may the clock move on for it to finish.
            return [
                j
                for j in _jobs(frozen)
                if j["metadata"]["name"] not in names and (j.get("status") or {}).get("ready") == 1
            ]

        (job,) = wait_for(started)
        clock.advance(2)
        path = f"{BATCH}/jobs/{job['metadata']['name']}"

        def complete(path: str = path) -> bool:
            return "Complete" in condition_types(get(frozen, path))

        assert wait_for(complete)
        names.append(job["metadata"]["name"])
    # Only the newest finished Job is kept.
    assert wait_for(lambda: [j["metadata"]["name"] for j in _jobs(frozen)] == names[-1:])


def test_suspended_cronjob_starts_nothing(frozen: Sandbox, clock: Clock) -> None:
    call(frozen, "POST", BATCH + "/cronjobs", cronjob(suspend=True))
    clock.advance(10 * 60)
    poke(frozen, BATCH + "/cronjobs/tick")
    assert _jobs(frozen) == []
    assert "lastScheduleTime" not in (_cronjob(frozen).get("status") or {})


def test_kubectl_create_job_from_cronjob(sandbox: Sandbox, run_kubectl: Any) -> None:
    sandbox.create(node("node-1"))
    call(sandbox, "POST", BATCH + "/cronjobs", cronjob("0 0 1 1 *"))
    made = run_kubectl(sandbox, "create", "job", "manual", "--from=cronjob/tick")
    assert made.returncode == 0, made.stderr
    assert made.stdout == "job.batch/manual created\n"
    done = run_kubectl(sandbox, "wait", "--for=condition=complete", "job/manual", "--timeout=30s")
    assert done.returncode == 0, done.stderr
    job = get(sandbox, BATCH + "/jobs/manual")
    assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    assert job["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    # Not the controller's own Job: never active, but its success is recorded.
    status = wait_for(
        lambda: (
            (_cronjob(sandbox).get("status") or {}).get("lastSuccessfulTime")
            and _cronjob(sandbox)["status"]
        )
    )
    assert "active" not in status
    assert status["lastSuccessfulTime"] == job["status"]["completionTime"]


@pytest.mark.parametrize("hour", [0, 1, 2, 3, 12, 23])
def test_demo_seed_cronjob_has_nothing_to_catch_up(hour: int) -> None:
    from kctl.sandbox._cronjobs import _most_recent
    from kctl.sandbox._seed import demo_objects

    now = datetime(2026, 12, 5, hour, 30, tzinfo=UTC)
    (cj,) = [o for o in demo_objects(now) if o["kind"] == "CronJob"]
    status = cj["status"]
    assert status["lastScheduleTime"].endswith("T02:00:00Z")
    assert status["lastScheduleTime"] <= status["lastSuccessfulTime"] <= "2026-12-05T23:59:59Z"
    # Started by the CronJob controller at any hour, the demo's nightly job is not due.
    assert _most_recent(cj, status, parse_schedule(cj["spec"]["schedule"]), UTC, now) is None
