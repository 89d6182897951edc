"""The CronJob controller, after kube-controller-manager 1.37's (cronjob_controllerv2.go).

Each sync (on a CronJob's or one of its Jobs' events, and on every tick of the sandbox clock)
tidies ``status.active``, records ``lastSuccessfulTime``, trims the history to
``successfulJobsHistoryLimit``/``failedJobsHistoryLimit`` and starts the Job of the most
recent unmet schedule time, named ``<cronjob>-<minutes since the epoch>``, within
``startingDeadlineSeconds`` and as ``concurrencyPolicy`` allows.
"""

from __future__ import annotations

import copy
import zoneinfo
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from kctl.errors import StatusError
from kctl.sandbox._cron import Schedule, parse_schedule
from kctl.sandbox._ctlkit import Kit, controller_ref, owner_ref, parse_time
from kctl.sandbox._jobs import JOBS, finished
from kctl.sandbox._objects import format_time
from kctl.sandbox._store import Event

__all__ = ["CronJobs"]

CRONJOBS = ("batch", "cronjobs")
SCHEDULED_AT = "batch.kubernetes.io/cronjob-scheduled-timestamp"
_API = "batch/v1"

Obj = dict[str, Any]


def _rfc3339(when: datetime) -> str:
    text = when.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class CronJobs:
    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self._unexpected: set[str] = set()
        self._forbidden: set[tuple[str, str]] = set()

    def handle(self, event: Event) -> None:
        obj = event.entry.obj
        meta = obj["metadata"]
        if event.resource == CRONJOBS and event.type != "DELETED":
            self.sync(meta["namespace"], meta["name"])
        elif event.resource == JOBS:
            owner = controller_ref(obj, "CronJob")
            if owner is not None:
                self.sync(meta["namespace"], owner["name"])

    def tick(self) -> None:
        for entry in self.kit.store.items(CRONJOBS):
            meta = entry.obj["metadata"]
            self.sync(meta["namespace"], meta["name"])

    def sync(self, ns: str, name: str) -> None:
        cj = self.kit.get(CRONJOBS, ns, name)
        if cj is None or cj["metadata"].get("deletionTimestamp"):
            return
        jobs = self.kit.owned(JOBS, ns, cj["metadata"]["uid"])
        status: Obj = copy.deepcopy(cj.get("status") or {})
        active: list[Obj] = list(status.get("active") or [])
        uids = {job["metadata"]["uid"] for job in jobs}
        for job in jobs:
            jmeta = job["metadata"]
            listed = any(ref.get("uid") == jmeta["uid"] for ref in active)
            done = finished(job)
            if done is None:
                if not listed and jmeta["uid"] not in self._unexpected:
                    # kubectl create job --from=cronjob/... makes such a Job: it is owned,
                    # counted in the history, but never active.
                    self._unexpected.add(jmeta["uid"])
                    self.kit.event(
                        cj,
                        _API,
                        "CronJob",
                        "UnexpectedJob",
                        f"Saw a job that the controller did not create or forgot: {jmeta['name']}",
                        "Warning",
                    )
                continue
            if listed:
                active = [ref for ref in active if ref.get("uid") != jmeta["uid"]]
                self.kit.event(
                    cj,
                    _API,
                    "CronJob",
                    "SawCompletedJob",
                    f"Saw completed job: {jmeta['name']}, condition: {done['type']}",
                )
            completed = (job.get("status") or {}).get("completionTime")
            if done["type"] == "Complete" and completed:
                last = parse_time(status.get("lastSuccessfulTime"))
                when = parse_time(completed)
                if last is None or (when is not None and when > last):
                    status["lastSuccessfulTime"] = completed
        for ref in list(active):
            if ref.get("uid") not in uids:
                active.remove(ref)
                self.kit.event(
                    cj, _API, "CronJob", "MissingJob", f"Active job went missing: {ref.get('name')}"
                )
        self._cleanup(cj, jobs)
        spec = cj.get("spec") or {}
        if not spec.get("suspend"):
            active = self._schedule(cj, status, active)
        status["active"] = active
        self._write(ns, name, status)

    def _schedule(self, cj: Obj, status: Obj, active: list[Obj]) -> list[Obj]:
        spec = cj.get("spec") or {}
        meta = cj["metadata"]
        try:
            tz: tzinfo = (
                zoneinfo.ZoneInfo(spec["timeZone"]) if spec.get("timeZone") else timezone.utc
            )
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return active
        schedule = parse_schedule(str(spec.get("schedule", "")))
        now = self.kit.now()
        due = _most_recent(cj, status, schedule, tz, now)
        if due is None:
            return active
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None and due + timedelta(seconds=int(deadline)) < now:
            return active
        job_name = f"{meta['name']}-{int(due.timestamp()) // 60}"
        if any(ref.get("name") == job_name for ref in active) or status.get(
            "lastScheduleTime"
        ) == format_time(due):
            return active
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and active:
            # Said once per skipped time (the controller here syncs on every tick).
            skipped = (cj["metadata"]["uid"], format_time(due))
            if skipped in self._forbidden:
                return active
            self._forbidden.add(skipped)
            self.kit.event(
                cj,
                _API,
                "CronJob",
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy "
                "is Forbid",
            )
            return active
        if policy == "Replace":
            for ref in active:
                self._delete_job(cj, str(ref.get("name")))
            active = []
        template = copy.deepcopy(spec.get("jobTemplate") or {})
        tmeta = template.get("metadata") or {}
        annotations = dict(tmeta.get("annotations") or {})
        annotations[SCHEDULED_AT] = _rfc3339(due.astimezone(tz))
        job_meta: Obj = {"name": job_name, "namespace": meta["namespace"]}
        if tmeta.get("labels"):
            job_meta["labels"] = dict(tmeta["labels"])
        job_meta["annotations"] = annotations
        job_meta["ownerReferences"] = [owner_ref(cj, _API, "CronJob")]
        job = {
            "apiVersion": _API,
            "kind": "Job",
            "metadata": job_meta,
            "spec": template.get("spec") or {},
        }
        try:
            made = self.kit.create(JOBS, meta["namespace"], job)
        except StatusError as err:
            if err.code != 409:
                raise
            existing = self.kit.get(JOBS, meta["namespace"], job_name)
            if existing is None or controller_ref(existing, "CronJob") is None:
                return active
            made = existing
        else:
            self.kit.event(cj, _API, "CronJob", "SuccessfulCreate", f"Created job {job_name}")
        jmeta = made["metadata"]
        if not any(ref.get("uid") == jmeta["uid"] for ref in active):
            active.append(
                {
                    "kind": "Job",
                    "namespace": jmeta["namespace"],
                    "name": jmeta["name"],
                    "uid": jmeta["uid"],
                    "apiVersion": _API,
                    "resourceVersion": jmeta["resourceVersion"],
                }
            )
        status["lastScheduleTime"] = format_time(due)
        return active

    def _cleanup(self, cj: Obj, jobs: list[Obj]) -> None:
        spec = cj.get("spec") or {}
        for kind, key in (
            ("Complete", "successfulJobsHistoryLimit"),
            ("Failed", "failedJobsHistoryLimit"),
        ):
            limit = spec.get(key)
            if limit is None:
                continue
            done = [j for j in jobs if (finished(j) or {}).get("type") == kind]
            # byJobStartTime: oldest first, those never started last, names break ties.
            done.sort(
                key=lambda j: (
                    (j.get("status") or {}).get("startTime") is None,
                    (j.get("status") or {}).get("startTime") or "",
                    j["metadata"]["name"],
                )
            )
            for job in done[: max(0, len(done) - int(limit))]:
                self._delete_job(cj, job["metadata"]["name"])

    def _delete_job(self, cj: Obj, name: str) -> None:
        if self.kit.delete(JOBS, cj["metadata"]["namespace"], name, "Background"):
            self.kit.event(cj, _API, "CronJob", "SuccessfulDelete", f"Deleted job {name}")

    def _write(self, ns: str, name: str, status: Obj) -> None:
        ordered: Obj = {}
        for key in ("active", "lastScheduleTime", "lastSuccessfulTime"):
            if status.get(key):
                ordered[key] = status[key]
        current = self.kit.get(CRONJOBS, ns, name)
        if current is None or (current.get("status") or {}) == ordered:
            return

        def change(obj: Obj) -> Obj:
            obj["status"] = ordered
            return obj

        self.kit.mutate(CRONJOBS, ns, name, change, "status")


def _most_recent(
    cj: Obj, status: Obj, schedule: Schedule, tz: tzinfo, now: datetime
) -> datetime | None:
    """mostRecentScheduleTime: the latest firing in (earliest, now], where earliest is the
    last schedule time (or creation) moved up to ``startingDeadlineSeconds`` ago."""
    earliest = parse_time(status.get("lastScheduleTime")) or parse_time(
        cj["metadata"].get("creationTimestamp")
    )
    if earliest is None:
        return None
    deadline = (cj.get("spec") or {}).get("startingDeadlineSeconds")
    if deadline is not None:
        earliest = max(earliest, now - timedelta(seconds=int(deadline)))
    t1 = schedule.next(earliest, tz)
    if t1 is None or t1 > now:
        return None
    t2 = schedule.next(t1, tz)
    if t2 is None or t2 > now:
        return t1
    # Many missed: jump close to now by the interval between two firings, then walk.
    gap = max(1, int((t2 - t1).total_seconds()))
    missed = int((now - t1).total_seconds()) // gap + 1
    t: datetime | None = schedule.next(t1 + timedelta(seconds=(missed - 2) * gap), tz)
    latest = t1
    while t is not None and t <= now:
        latest = t
        t = schedule.next(t, tz)
    return latest
