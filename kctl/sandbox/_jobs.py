"""The Job controller, after kube-controller-manager 1.37's (pkg/controller/job), the
TTL-after-finished controller, and the stand-in kubelet's simulated run of a Job's pods.

Pods carry the ``batch.kubernetes.io/job-tracking`` finalizer; a finished pod is first
recorded in ``status.uncountedTerminatedPods``, then loses its finalizer, then moves to the
``succeeded``/``failed`` counters, so no pod is counted twice or lost. A Job ends with the
interim ``SuccessCriteriaMet`` (or ``FailureTarget``) condition followed by ``Complete`` (or
``Failed``), as 1.37 writes them.

What drives a Job is a pod's phase, whoever sets it. With no process runtime, the sandbox's
kubelet plays each pod of a Job as a short run: ``pod_run_seconds`` (sandbox clock) after the
pod started it exits 0 and is ``Succeeded``. A client that sets a pod's phase through the
``status`` subresource first (``Failed``, say) decides the outcome instead. With the process
runtime, a pod with a command runs for real and its exit code decides; only pods without one
(nothing runs) still get the simulated run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from kctl.errors import StatusError
from kctl.sandbox._ctlkit import (
    PODS,
    Kit,
    controller_ref,
    parse_time,
    pod_finished,
    pod_ready,
)
from kctl.sandbox._objects import format_time
from kctl.sandbox._store import Event

__all__ = ["TRACKING_FINALIZER", "Jobs", "compress_indexes", "terminated_status"]

JOBS = ("batch", "jobs")
TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
INDEX_KEY = "batch.kubernetes.io/job-completion-index"
_API = "batch/v1"

Obj = dict[str, Any]


def compress_indexes(indexes: set[int]) -> str:
    """Indexes as the Job API writes them: ``0-2,4``."""
    out: list[str] = []
    ordered = sorted(indexes)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(out)


def parse_indexes(text: str | None) -> set[int]:
    out: set[int] = set()
    for part in (text or "").split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            out.update(range(int(low), int(high or low) + 1))
        except ValueError:
            continue
    return out


def terminated_status(pod: Obj, exit_code: int, now: str) -> Obj:
    """The status a kubelet reports once every container of ``pod`` has exited."""
    status = copy.deepcopy(pod.get("status") or {})
    succeeded = exit_code == 0
    reason = "PodCompleted" if succeeded else "PodFailed"
    conditions = []
    for cond in status.get("conditions") or []:
        cond = dict(cond)
        if cond.get("type") in ("Ready", "ContainersReady", "PodReadyToStartContainers"):
            cond["status"] = "False"
            cond["lastTransitionTime"] = now
            if cond["type"] != "PodReadyToStartContainers":
                cond["reason"] = reason
        conditions.append(cond)
    status["conditions"] = conditions
    statuses = []
    for cs in status.get("containerStatuses") or []:
        cs = dict(cs)
        started = ((cs.get("state") or {}).get("running") or {}).get("startedAt", now)
        cs["state"] = {
            "terminated": {
                "exitCode": exit_code,
                "reason": "Completed" if succeeded else "Error",
                "startedAt": started,
                "finishedAt": now,
                "containerID": cs.get("containerID", ""),
            }
        }
        cs["ready"] = False
        cs["started"] = False
        statuses.append(cs)
    if statuses:
        status["containerStatuses"] = statuses
    status["phase"] = "Succeeded" if succeeded else "Failed"
    return status


def _finished_at(pod: Obj) -> datetime:
    """getFinishedTime: the last container's finish, else when Ready turned False, else
    the deletion (less its grace period), else the creation."""
    status = pod.get("status") or {}
    finishes = [
        parse_time(((cs.get("state") or {}).get("terminated") or {}).get("finishedAt"))
        for cs in status.get("containerStatuses") or []
    ]
    if finishes and all(f is not None for f in finishes):
        return max(f for f in finishes if f is not None)
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Ready" and cond.get("status") == "False":
            when = parse_time(cond.get("lastTransitionTime"))
            if when is not None:
                return when
    meta = pod["metadata"]
    deleted = parse_time(meta.get("deletionTimestamp"))
    if deleted is not None:
        return deleted - timedelta(seconds=int(meta.get("deletionGracePeriodSeconds") or 0))
    return parse_time(meta.get("creationTimestamp")) or datetime.min.replace(tzinfo=timezone.utc)


def match_pod_failure_policy(policy: Obj, pod: Obj) -> tuple[str | None, bool, str | None]:
    """matchPodFailurePolicy: (the FailJob message, whether the failure counts, the action)
    of the first rule a failed pod matches."""
    status = pod.get("status") or {}
    meta = pod["metadata"]
    for index, rule in enumerate(policy.get("rules") or []):
        action = str(rule.get("action", ""))
        if rule.get("onExitCodes") is not None:
            container = _matching_container(status, rule["onExitCodes"])
            if container is None:
                continue
            code = container["state"]["terminated"]["exitCode"]
            message = (
                f"Container {container['name']} for pod {meta['namespace']}/{meta['name']} "
                f"failed with exit code {code} matching {action} rule at index {index}"
            )
        elif rule.get("onPodConditions") is not None:
            patterns = {(c.get("type"), c.get("status")) for c in rule["onPodConditions"]}
            condition = next(
                (
                    c
                    for c in status.get("conditions") or []
                    if (c.get("type"), c.get("status")) in patterns
                ),
                None,
            )
            if condition is None:
                continue
            message = (
                f"Pod {meta['namespace']}/{meta['name']} has condition {condition['type']} "
                f"matching {action} rule at index {index}"
            )
        else:
            continue
        if action == "Ignore":
            return None, False, action
        return (message if action == "FailJob" else None), True, action
    return None, True, None


def _matching_container(status: Obj, requirement: Obj) -> Obj | None:
    values = requirement.get("values") or []
    for key in ("containerStatuses", "initContainerStatuses"):
        for cs in status.get(key) or []:
            terminated = (cs.get("state") or {}).get("terminated")
            if terminated is None or not terminated.get("exitCode"):
                continue
            if requirement.get("containerName") not in (None, cs.get("name")):
                continue
            inside = terminated["exitCode"] in values
            if inside == (requirement.get("operator") == "In"):
                return dict(cs)
    return None


def _fail_job_message(policy: Obj, pods: list[Obj]) -> str | None:
    """getFailJobMessage: the first failed pod a FailJob rule matches ends the Job."""
    for pod in pods:
        if (pod.get("status") or {}).get("phase") == "Failed":
            message = match_pod_failure_policy(policy, pod)[0]
            if message is not None:
                return message
    return None


def _condition(job: Obj, ctype: str) -> Obj | None:
    for cond in (job.get("status") or {}).get("conditions") or []:
        if cond.get("type") == ctype and cond.get("status") == "True":
            return dict(cond)
    return None


def finished(job: Obj) -> Obj | None:
    """The Job's Complete or Failed condition, when it has ended."""
    return _condition(job, "Complete") or _condition(job, "Failed")


def _new_condition(ctype: str, reason: str, message: str, now: str) -> Obj:
    return {
        "type": ctype,
        "status": "True",
        "lastProbeTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def _index(pod: Obj) -> int | None:
    try:
        return int((pod["metadata"].get("annotations") or {}).get(INDEX_KEY, ""))
    except ValueError:
        return None


class Jobs:
    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        # The simulated run of a Job's pod (sandbox clock); None leaves pods running until
        # something else (a process runtime, a client) sets their phase.
        self.pod_run_seconds: float | None = 1.0
        # With a process runtime: whether it runs a pod's processes (by uid). Those pods end
        # when their processes do, so no simulated run ends them first.
        self.runs_processes: Callable[[str], bool] | None = None
        # DefaultJobPodFailureBackOff: a failed pod's replacement waits this long, doubled
        # for each further failure since the last success, up to MaxJobPodFailureBackOff.
        self.pod_failure_backoff = 10.0
        self.max_pod_failure_backoff = 600.0
        # The backoff store: per Job uid, failures since the last success and the last one's
        # time, built from the pods as they are counted.
        self._backoff: dict[str, tuple[int, datetime | None]] = {}

    def handle(self, event: Event) -> None:
        obj = event.entry.obj
        meta = obj["metadata"]
        ns = meta.get("namespace", "")
        if event.resource == JOBS and event.type != "DELETED":
            self.sync(ns, meta["name"])
        elif event.resource == PODS:
            owner = controller_ref(obj, "Job")
            if owner is not None:
                self.sync(ns, owner["name"])
            if event.type != "DELETED" and TRACKING_FINALIZER in (meta.get("finalizers") or []):
                job = self.kit.get(JOBS, ns, owner["name"]) if owner is not None else None
                if job is None or owner is None or job["metadata"]["uid"] != owner.get("uid"):
                    # An orphan (its Job deleted, or the pod released): nothing will count
                    # it, so nothing may hold it.
                    self._release(obj)

    def tick(self) -> None:
        now = self.kit.now()
        if self.pod_run_seconds is not None:
            self._simulate_runs(now)
        for entry in self.kit.store.items(JOBS):
            job = entry.obj
            meta = job["metadata"]
            done = finished(job)
            spec = job.get("spec") or {}
            if done is None:
                backing_off = self._backoff.get(meta["uid"], (0, None))[0] > 0
                if backing_off or spec.get("activeDeadlineSeconds") is not None:
                    self.sync(meta["namespace"], meta["name"])
                continue
            ttl = spec.get("ttlSecondsAfterFinished")
            at = parse_time(done.get("lastTransitionTime"))
            if ttl is None or at is None or meta.get("deletionTimestamp"):
                continue
            if at + timedelta(seconds=int(ttl)) <= now:
                # The TTL-after-finished controller deletes in the foreground.
                self.kit.delete(JOBS, meta["namespace"], meta["name"], "Foreground")

    def _simulate_runs(self, now: Any) -> None:
        assert self.pod_run_seconds is not None
        run = timedelta(seconds=self.pod_run_seconds)
        for entry in self.kit.store.items(PODS):
            pod = entry.obj
            status = pod.get("status") or {}
            if status.get("phase") != "Running" or pod["metadata"].get("deletionTimestamp"):
                continue
            if controller_ref(pod, "Job") is None:
                continue
            if self.runs_processes is not None and self.runs_processes(pod["metadata"]["uid"]):
                continue
            started = parse_time(status.get("startTime"))
            if started is None or started + run > now:
                continue
            stamp = format_time(now)

            def exit_zero(obj: Obj, stamp: str = stamp) -> Obj:
                if (obj.get("status") or {}).get("phase") == "Running":
                    obj["status"] = terminated_status(obj, 0, stamp)
                return obj

            meta = pod["metadata"]
            try:
                self.kit.mutate(
                    PODS, meta["namespace"], meta["name"], exit_zero, "status", "kubelet"
                )
            except StatusError as err:
                if err.code not in (404, 409):
                    raise

    # --- the job controller --------------------------------------------------------------

    def sync(self, ns: str, name: str) -> None:
        job = self.kit.get(JOBS, ns, name)
        if job is None:
            return
        pods = self.kit.owned(PODS, ns, job["metadata"]["uid"])
        if job["metadata"].get("deletionTimestamp") or finished(job) is not None:
            # Nothing more to count: the pods are free to go.
            self._backoff.pop(job["metadata"]["uid"], None)
            for pod in pods:
                self._release(pod)
            return
        spec = job.get("spec") or {}
        status: Obj = copy.deepcopy(job.get("status") or {})
        now = self.kit.now()
        stamp = format_time(now)
        uncounted = status.get("uncountedTerminatedPods") or {}
        counted_ok = set(uncounted.get("succeeded") or [])
        counted_bad = set(uncounted.get("failed") or [])
        new_ok: list[Obj] = []
        new_bad: list[Obj] = []
        for pod in pods:
            if TRACKING_FINALIZER not in (pod["metadata"].get("finalizers") or []):
                continue
            uid = pod["metadata"]["uid"]
            phase = (pod.get("status") or {}).get("phase")
            if uid in counted_ok or uid in counted_bad:
                continue
            if phase == "Succeeded":
                new_ok.append(pod)
            elif phase == "Failed" or pod["metadata"].get("deletionTimestamp"):
                # A pod deleted before it finished counts as failed (it will not finish).
                new_bad.append(pod)
        active = [
            p for p in pods if not pod_finished(p) and not p["metadata"].get("deletionTimestamp")
        ]
        terminating = sum(
            1 for p in pods if p["metadata"].get("deletionTimestamp") and not pod_finished(p)
        )
        indexed = spec.get("completionMode") == "Indexed"
        completions = spec.get("completions")
        succeeded = int(status.get("succeeded") or 0) + len(counted_ok) + len(new_ok)
        self._record_backoff(job["metadata"]["uid"], new_ok, new_bad)
        policy = spec.get("podFailurePolicy")
        # Pods an Ignore rule matches are released without being counted.
        ignored = [p for p in new_bad if policy and not match_pod_failure_policy(policy, p)[1]]
        new_bad = [p for p in new_bad if p not in ignored]
        failed = int(status.get("failed") or 0) + len(counted_bad) + len(new_bad)
        done_indexes: set[int] = set()
        if indexed:
            done_indexes = parse_indexes(status.get("completedIndexes"))
            for pod in pods:
                index = _index(pod)
                if (
                    (pod.get("status") or {}).get("phase") == "Succeeded"
                    and index is not None
                    and 0 <= index < int(completions or 0)
                ):
                    done_indexes.add(index)
            succeeded = len(done_indexes)
        if status.get("startTime") is None and not spec.get("suspend"):
            status["startTime"] = stamp
        conditions: list[Obj] = list(status.get("conditions") or [])
        ending: Obj | None = None
        if _condition(job, "SuccessCriteriaMet") is not None:
            ending = _condition(job, "SuccessCriteriaMet")
        elif _condition(job, "FailureTarget") is not None:
            ending = _condition(job, "FailureTarget")
        elif policy and (message := _fail_job_message(policy, pods)) is not None:
            ending = _new_condition("FailureTarget", "PodFailurePolicy", message, stamp)
        elif failed > int(spec.get("backoffLimit", 6)):
            ending = _new_condition(
                "FailureTarget",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
                stamp,
            )
        elif self._past_deadline(spec, status, now):
            ending = _new_condition(
                "FailureTarget",
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
                stamp,
            )
        if ending is not None and ending["type"] == "FailureTarget":
            # deleteActivePods keeps the finalizers: once the Job has failed, every pod
            # that had not finished counts as failed too.
            for pod in active:
                self._delete_pod(job, pod)
                terminating += 1
                if TRACKING_FINALIZER in (pod["metadata"].get("finalizers") or []):
                    new_bad.append(pod)
            active = []
        elif ending is None:
            active = self._manage(job, active, succeeded, done_indexes, conditions, stamp)
            if completions is None:
                complete = succeeded > 0 and not active
            else:
                complete = succeeded >= int(completions) and not active
            if complete:
                ending = _new_condition(
                    "SuccessCriteriaMet",
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                    stamp,
                )
        # 1. Record the newly finished pods as uncounted (and the interim condition).
        if ending is not None and not any(c.get("type") == ending["type"] for c in conditions):
            conditions.append(ending)
        uncounted = {
            "succeeded": sorted(counted_ok | {p["metadata"]["uid"] for p in new_ok}),
            "failed": sorted(counted_bad | {p["metadata"]["uid"] for p in new_bad}),
        }
        ready = sum(1 for p in active if pod_ready(p))
        status["conditions"] = conditions
        status["active"] = len(active)
        status["terminating"] = terminating
        status["ready"] = ready
        status["uncountedTerminatedPods"] = {k: v for k, v in uncounted.items() if v}
        if indexed:
            status["completedIndexes"] = compress_indexes(done_indexes)
        self._write(ns, name, status)
        # 2. Release the counted pods (and every pod of a Job that has ended).
        released = uncounted["succeeded"] + uncounted["failed"]
        released += [p["metadata"]["uid"] for p in ignored]
        for pod in pods:
            if pod["metadata"]["uid"] in released or ending is not None:
                self._release(pod)
        # 3. Move them to the counters; an ended Job gets its final condition.
        status["succeeded"] = int(status.get("succeeded") or 0) + (
            0 if indexed else len(uncounted["succeeded"])
        )
        if indexed:
            status["succeeded"] = succeeded
        status["failed"] = int(status.get("failed") or 0) + len(uncounted["failed"])
        status["uncountedTerminatedPods"] = {}
        if ending is not None:
            final = "Complete" if ending["type"] == "SuccessCriteriaMet" else "Failed"
            conditions.append(_new_condition(final, ending["reason"], ending["message"], stamp))
            status["conditions"] = conditions
            if final == "Complete":
                status["completionTime"] = stamp
        self._write(ns, name, status)
        if ending is not None:
            if ending["type"] == "SuccessCriteriaMet":
                self.kit.event(job, _API, "Job", "Completed", "Job completed")
            else:
                self.kit.event(job, _API, "Job", ending["reason"], ending["message"], "Warning")

    @staticmethod
    def _past_deadline(spec: Obj, status: Obj, now: Any) -> bool:
        deadline = spec.get("activeDeadlineSeconds")
        started = parse_time(status.get("startTime"))
        if deadline is None or started is None or spec.get("suspend"):
            return False
        return bool(started + timedelta(seconds=int(deadline)) <= now)

    def _manage(
        self,
        job: Obj,
        active: list[Obj],
        succeeded: int,
        done_indexes: set[int],
        conditions: list[Obj],
        stamp: str,
    ) -> list[Obj]:
        """manageJob: create or delete pods toward the wanted number of active ones."""
        spec = job.get("spec") or {}
        if spec.get("suspend"):
            for pod in active:
                self._delete_uncounted(job, pod)
            if _set_suspended(conditions, "True", "JobSuspended", "Job suspended", stamp):
                self.kit.event(job, _API, "Job", "Suspended", "Job suspended")
            return []
        if _set_suspended(conditions, "False", "JobResumed", "Job resumed", stamp):
            self.kit.event(job, _API, "Job", "Resumed", "Job resumed")
        parallelism = int(spec.get("parallelism", 1))
        completions = spec.get("completions")
        if completions is None:
            want = len(active) if succeeded > 0 else parallelism
        else:
            want = max(0, min(parallelism, int(completions) - succeeded))
        if len(active) > want:
            # Not ready ones first, then the newest (activePodsForRemoval).
            ranked = sorted(
                active,
                key=lambda p: (pod_ready(p), p["metadata"].get("creationTimestamp", "")),
            )
            extra = ranked[: len(active) - want]
            for pod in extra:
                self._delete_uncounted(job, pod)
            return [p for p in active if p not in extra]
        if want > len(active) and self._backing_off(job["metadata"]["uid"]):
            # The tick comes back for it once the backoff is over.
            return active
        template = copy.deepcopy(spec.get("template") or {})
        made = list(active)
        if spec.get("completionMode") == "Indexed":
            busy = {_index(p) for p in active}
            free = [
                i for i in range(int(completions or 0)) if i not in done_indexes and i not in busy
            ]
            for index in free[: want - len(active)]:
                made.append(self._create_pod(job, template, index))
        else:
            for _ in range(want - len(active)):
                made.append(self._create_pod(job, template, None))
        return made

    def _record_backoff(self, uid: str, succeeded: list[Obj], failed: list[Obj]) -> None:
        """newBackoffRecord: count the failures that finished after the last success."""
        count, last = self._backoff.get(uid, (0, None))
        if not succeeded and not failed:
            return
        failed_at = sorted(_finished_at(p) for p in failed)
        if succeeded:
            success = max(_finished_at(p) for p in succeeded)
            later = [t for t in failed_at if t > success]
            count, last = len(later), (later[-1] if later else None)
        else:
            count, last = count + len(failed_at), failed_at[-1]
        self._backoff[uid] = (count, last)

    def _backing_off(self, uid: str) -> bool:
        count, last = self._backoff.get(uid, (0, None))
        if count == 0 or last is None:
            return False
        delay = min(self.pod_failure_backoff * 2 ** (count - 1), self.max_pod_failure_backoff)
        return bool(self.kit.now() < last + timedelta(seconds=delay))

    def _create_pod(self, job: Obj, template: Obj, index: int | None) -> Obj:
        meta = job["metadata"]
        extra: Obj = {
            "generateName": f"{meta['name']}-",
            "finalizers": [TRACKING_FINALIZER],
        }
        if index is not None:
            template = copy.deepcopy(template)
            tmeta = template.setdefault("metadata", {})
            tmeta.setdefault("annotations", {})[INDEX_KEY] = str(index)
            tmeta.setdefault("labels", {})[INDEX_KEY] = str(index)
            tspec = template.setdefault("spec", {})
            tspec["hostname"] = f"{meta['name']}-{index}"
            for key in ("initContainers", "containers"):
                for container in tspec.get(key) or []:
                    env = container.setdefault("env", [])
                    if not any(e.get("name") == "JOB_COMPLETION_INDEX" for e in env):
                        env.append(
                            {
                                "name": "JOB_COMPLETION_INDEX",
                                "valueFrom": {
                                    "fieldRef": {"fieldPath": f"metadata.labels['{INDEX_KEY}']"}
                                },
                            }
                        )
            prefix = f"{meta['name']}-{index}-"
            if len(prefix) > 58:
                prefix = prefix[: 58 - len(f"-{index}-")] + f"-{index}-"
            extra["generateName"] = prefix
        pod = self.kit.pod_from_template(job, _API, "Job", template, **extra)
        made = self.kit.create(PODS, meta["namespace"], pod)
        self.kit.event(
            job, _API, "Job", "SuccessfulCreate", f"Created pod: {made['metadata']['name']}"
        )
        return made

    def _delete_uncounted(self, job: Obj, pod: Obj) -> None:
        """deleteJobPods: a pod the controller removes itself (suspension, parallelism
        lowered) loses its finalizer first, so it is never counted as a failure."""
        self._release(pod)
        self._delete_pod(job, pod)

    def _delete_pod(self, job: Obj, pod: Obj) -> None:
        meta = pod["metadata"]
        if self.kit.delete(PODS, meta["namespace"], meta["name"]):
            self.kit.event(job, _API, "Job", "SuccessfulDelete", f"Deleted pod: {meta['name']}")

    def _release(self, pod: Obj) -> None:
        if TRACKING_FINALIZER in (pod["metadata"].get("finalizers") or []):
            meta = pod["metadata"]
            self.kit.remove_finalizer(PODS, meta["namespace"], meta["name"], TRACKING_FINALIZER)

    def _write(self, ns: str, name: str, status: Obj) -> None:
        def change(obj: Obj) -> Obj:
            obj["status"] = _ordered(status)
            return obj

        current = self.kit.get(JOBS, ns, name)
        if current is not None and current.get("status") == _ordered(status):
            return
        self.kit.mutate(JOBS, ns, name, change, "status")


def _set_suspended(conditions: list[Obj], value: str, reason: str, message: str, now: str) -> bool:
    """ensureJobConditionStatus for Suspended; True when it changed."""
    for cond in conditions:
        if cond.get("type") == "Suspended":
            if cond.get("status") == value:
                return False
            cond.update(
                status=value,
                reason=reason,
                message=message,
                lastProbeTime=now,
                lastTransitionTime=now,
            )
            return True
    if value == "False":
        # A Job that was never suspended has no Suspended condition at all.
        return False
    conditions.append(_new_condition("Suspended", reason, message, now))
    return True


_STATUS_ORDER = (
    "conditions",
    "startTime",
    "completionTime",
    "active",
    "succeeded",
    "failed",
    "terminating",
    "completedIndexes",
    "failedIndexes",
    "uncountedTerminatedPods",
    "ready",
)
# int32 fields with omitempty; the pointers (terminating, ready) show their 0.
_OMIT_ZERO = ("active", "succeeded", "failed")


def _ordered(status: Obj) -> Obj:
    out: Obj = {}
    for key in _STATUS_ORDER:
        if key not in status:
            continue
        value = status[key]
        if key in _OMIT_ZERO and not value:
            continue
        if key in ("conditions", "completedIndexes") and not value:
            continue
        out[key] = value
    return out
