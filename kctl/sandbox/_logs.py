"""The pods/log subresource: the apiserver's checks, then what a kubelet would stream.

The apiserver rejects a missing or unknown container name (400, texts from
pkg/registry/core/pod/strategy.go); the kubelet answers 400 for a container that never started
or has no previous instance. Logs themselves are a few plausible, fixed lines per container
instance, time-stamped from its start, so ``--timestamps``, ``--tail``, ``--since`` and
``--limit-bytes`` have something to work on.

With ``follow=true`` the stream stays open while the container instance runs: after those
lines it goes on with a new synthetic line every ``interval`` seconds, and ends when the
container stops (its state changes, the pod goes away or is replaced), when the client leaves,
or when the byte limit is reached. No thread is started for it: the connection's own thread
waits on the client's socket between lines, so a client that leaves ends the stream at once.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from kctl.sandbox import _status as st

__all__ = ["Followers", "follow_log", "log_container", "pod_log"]


_WAITING_TEXTS = {
    "ErrImagePull": "image can't be pulled",
    "ImagePullBackOff": "trying and failing to pull image",
}


def _param(query: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _containers(pod: dict[str, Any]) -> list[str]:
    spec = pod.get("spec") or {}
    return [
        c.get("name", "")
        for key in ("containers", "initContainers", "ephemeralContainers")
        for c in spec.get(key) or ()
    ]


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    from kctl.sandbox._times import parse_rfc3339

    try:
        return parse_rfc3339(text)
    except ValueError:
        return None


def _lines(
    container: str, image: str, started: datetime, crashed: bool
) -> list[tuple[datetime, str]]:
    version = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else "latest"
    digest = int(hashlib.sha256(f"{container}{started}".encode()).hexdigest()[:6], 16)
    texts = [
        f'level=info msg="starting {container}" version={version}',
        'level=info msg="loaded configuration" source=/etc/config',
        'level=info msg="connected to upstream" latency_ms=' + str(3 + digest % 40),
        'level=info msg="listening" addr=:8080',
    ]
    if crashed:
        texts.append('level=error msg="upstream unavailable, exiting" err="connection refused"')
    else:
        texts.append('level=info msg="ready to serve requests"')
    return [
        (started + timedelta(milliseconds=137 * i + digest % 97), t) for i, t in enumerate(texts)
    ]


def _stamp(when: datetime) -> str:
    # RFC3339Nano as the CRI writes it: nanoseconds, and Go drops trailing zeros.
    nanos = when.microsecond * 1000 + (when.second * 7919 + when.microsecond) % 997 + 1
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{nanos:09d}".rstrip("0") + "Z"


def _instance(pod: dict[str, Any], container: str, previous: bool) -> dict[str, Any] | None:
    """The container instance's state (running/terminated) whose logs are asked for."""
    status = pod.get("status") or {}
    for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        for cs in status.get(key) or ():
            if cs.get("name") != container:
                continue
            state = (cs.get("lastState") if previous else cs.get("state")) or {}
            if previous:
                return state.get("terminated")
            if "running" in state or "terminated" in state:
                return state.get("running") or state.get("terminated")
            # A crash-looping container's current logs are its last instance's.
            return (cs.get("lastState") or {}).get("terminated")
    return None


def _waiting_reason(pod: dict[str, Any], container: str) -> str:
    status = pod.get("status") or {}
    for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        for cs in status.get(key) or ():
            if cs.get("name") == container:
                return str(((cs.get("state") or {}).get("waiting") or {}).get("reason", ""))
    return "ContainerCreating"


def pod_log(pod: dict[str, Any], query: Mapping[str, Sequence[str]]) -> bytes:
    """The log body for GET pods/log with ``query``; raises the apiserver's/kubelet's errors."""
    return _log(pod, query)[0]


def log_container(pod: dict[str, Any], query: Mapping[str, Sequence[str]]) -> str:
    """The container whose log is asked for, after the same checks as :func:`pod_log`."""
    return _log(pod, query)[1]


def _log(
    pod: dict[str, Any], query: Mapping[str, Sequence[str]]
) -> tuple[bytes, str, dict[str, Any] | None]:
    """(body, container, the running instance's state if the container runs)."""
    meta = pod.get("metadata") or {}
    name = meta.get("name", "")
    names = _containers(pod)
    container = _param(query, "container") or ""
    if not container:
        if len(names) != 1:
            raise st.bad_request(
                f"a container name must be specified for pod {name}, "
                f"choose one of: [{' '.join(names)}]"
            )
        container = names[0]
    elif container not in names:
        raise st.bad_request(f"container {container} is not valid for pod {name}")
    if not (pod.get("spec") or {}).get("nodeName"):
        # Not scheduled: the apiserver has no kubelet to ask and answers with nothing.
        return b"", container, None
    previous = _param(query, "previous") in ("true", "1")
    instance = _instance(pod, container, previous)
    if instance is None:
        if previous:
            raise st.bad_request(
                f'previous terminated container "{container}" in pod "{name}" not found'
            )
        reason = _WAITING_TEXTS.get(reason := _waiting_reason(pod, container), reason)
        raise st.bad_request(
            f'container "{container}" in pod "{name}" is waiting to start: '
            f"{reason or 'ContainerCreating'}"
        )
    started = _parse_time(instance.get("startedAt")) or _parse_time(meta.get("creationTimestamp"))
    assert started is not None
    image = next(
        (
            c.get("image", "")
            for key in ("containers", "initContainers")
            for c in (pod.get("spec") or {}).get(key) or ()
            if c.get("name") == container
        ),
        "",
    )
    crashed = "exitCode" in instance and instance.get("exitCode") != 0
    lines = _lines(container, image, started, crashed)
    since_time = _parse_time(_param(query, "sinceTime"))
    since_seconds = _param(query, "sinceSeconds")
    if since_seconds and since_seconds.isdigit():
        since_time = datetime.now(timezone.utc) - timedelta(seconds=int(since_seconds))
    if since_time is not None:
        lines = [(t, text) for t, text in lines if t >= since_time]
    tail = _param(query, "tailLines")
    if tail and tail.lstrip("-").isdigit() and int(tail) >= 0:
        lines = lines[len(lines) - int(tail) :] if int(tail) else []
    stamps = _param(query, "timestamps") in ("true", "1")
    body = "".join((_stamp(t) + " " if stamps else "") + text + "\n" for t, text in lines).encode()
    limit = _param(query, "limitBytes")
    if limit and limit.isdigit():
        body = body[: int(limit)]
    running = instance if "exitCode" not in instance else None
    return body, container, running


def _running_state(pod: dict[str, Any] | None, container: str) -> dict[str, Any] | None:
    if pod is None:
        return None
    for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        for cs in (pod.get("status") or {}).get(key) or ():
            if cs.get("name") == container:
                running = (cs.get("state") or {}).get("running")
                return running if isinstance(running, dict) else None
    return None


class Followers:
    """How many followed logs are streaming now (tests wait for a left client's to end)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    def _add(self, n: int) -> None:
        with self._lock:
            self._count += n


def follow_log(
    pod: dict[str, Any],
    query: Mapping[str, Sequence[str]],
    *,
    current: Callable[[], dict[str, Any] | None],
    client_gone: Callable[[float], bool],
    interval: float,
    followers: Followers,
) -> Iterator[bytes]:
    """GET pods/log?follow=true: the body ``pod_log`` gives, then new lines while the
    container instance runs. Errors are raised now, before the stream starts.

    ``current()`` is the pod as stored now (None once deleted); ``client_gone(t)`` waits up
    to ``t`` seconds and tells whether the client has left (or the server is stopping)."""
    body, container, running = _log(pod, query)
    uid = (pod.get("metadata") or {}).get("uid")
    limit_text = _param(query, "limitBytes")
    limit = int(limit_text) if limit_text and limit_text.isdigit() else None
    stamps = _param(query, "timestamps") in ("true", "1")

    def still_running() -> bool:
        now = current()
        if now is None or (now.get("metadata") or {}).get("uid") != uid:
            return False
        state = _running_state(now, container)
        return state is not None and state == running

    def lines() -> Iterator[bytes]:
        followers._add(1)
        try:
            sent = len(body)
            if body:
                yield body
            if running is None or (limit is not None and sent >= limit):
                return
            for seq in itertools.count(1):
                if client_gone(interval) or not still_running():
                    return
                when = datetime.now(timezone.utc)
                text = (
                    'level=info msg="handled request" method=GET path=/healthz status=200 '
                    f"seq={seq}\n"
                )
                line = ((_stamp(when) + " " if stamps else "") + text).encode()
                if limit is not None:
                    line = line[: limit - sent]
                sent += len(line)
                yield line
                if limit is not None and sent >= limit:
                    return
        finally:
            followers._add(-1)

    return lines()
