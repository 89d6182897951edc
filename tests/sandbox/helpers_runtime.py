"""Shared by the process-runtime tests: a ready node, pods that run commands, polling."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kctl.sandbox import Sandbox

NODE = {
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {"name": "n1"},
    "status": {
        "conditions": [{"type": "Ready", "status": "True"}],
        "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
    },
}


def wait_for(cond: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll ``cond`` until it is truthy (returns its value) or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def start_time(pid: int) -> str | None:
    """The process's start time (stat field 22), None once it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def gone(pid: int, started: str | None) -> bool:
    """``pid`` no longer runs the process that started at ``started``: a zombie waiting for
    init to reap it, or a pid reused since, is not ours."""
    return start_time(pid) != started


def pod(
    name: str,
    script: str,
    *,
    restart: str = "Never",
    env: dict[str, str] | None = None,
    stdin: bool = False,
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "c", "image": "busybox", "command": ["sh", "-c", script]}
    container["env"] = [{"name": k, "value": v} for k, v in (env or {}).items()]
    container["env"].append(
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}
    )
    if stdin:
        container["stdin"] = True
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"restartPolicy": restart, "containers": [container]},
    }


def get_pod(sb: Sandbox, name: str) -> dict[str, Any] | None:
    entry = sb.store.get(("", "pods"), "default", name)
    return entry.obj if entry is not None else None


def start(sb: Sandbox, obj: dict[str, Any]) -> dict[str, Any]:
    """Create the pod through the API (so the stand-in kubelet runs it); wait for Running."""
    if sb.store.get(("", "nodes"), "", "n1") is None:
        sb.create(NODE)
    sb.create(obj, keep_status=False)
    name = obj["metadata"]["name"]
    running = wait_for(
        lambda: (
            (p := get_pod(sb, name)) is not None
            and (p.get("status") or {}).get("phase") in ("Running", "Succeeded", "Failed")
            and p
        )
    )
    assert running, f"pod {name} never ran"
    return running  # type: ignore[no-any-return]
