"""Helpers for the Job/CronJob/StatefulSet/DaemonSet controller tests: a sandbox clock the
test moves, and short reads through the sandbox's HTTP API."""

from __future__ import annotations

import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call

from kctl.sandbox import Sandbox

BATCH = "/apis/batch/v1/namespaces/default"
APPS = "/apis/apps/v1/namespaces/default"
CORE = "/api/v1/namespaces/default"


class Clock:
    """The sandbox's clock: frozen until the test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 12, 5, 10, 0, 30, tzinfo=timezone.utc)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


def get(sb: Sandbox, path: str) -> Any:
    reply = call(sb, "GET", path)
    return reply.json() if reply.status == 200 else None


def items(sb: Sandbox, path: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = get(sb, path)["items"]
    return found


def live_pods(sb: Sandbox, selector: str = "") -> list[dict[str, Any]]:
    query = f"?labelSelector={selector}" if selector else ""
    return sorted(
        (
            p
            for p in items(sb, CORE + "/pods" + query)
            if not p["metadata"].get("deletionTimestamp")
        ),
        key=lambda p: p["metadata"]["name"],
    )


def set_phase(sb: Sandbox, name: str, phase: str, exit_code: int | None = None) -> None:
    """What a kubelet reports when the pod's containers exit (0, or ``exit_code``, else 1)."""
    from kctl.sandbox._jobs import terminated_status
    from kctl.sandbox._objects import format_time

    pod = get(sb, f"{CORE}/pods/{name}")
    code = 0 if phase == "Succeeded" else (exit_code or 1)
    status = terminated_status(pod, code, format_time(sb.now()))
    pod["status"] = status
    reply = call(sb, "PUT", f"{CORE}/pods/{name}/status", pod)
    assert reply.status == 200, reply.body


def poke(sb: Sandbox, path: str) -> None:
    """Make the controllers sync ``path``'s object now (a label change is an event) and
    wait until they have: what is due on the sandbox clock has then happened."""
    import uuid

    patch = {"metadata": {"labels": {"poke": uuid.uuid4().hex}}}
    reply = call(sb, "PATCH", path, patch, content_type="application/merge-patch+json")
    assert reply.status == 200, reply.body
    assert sb.wait_idle()


def condition_types(obj: dict[str, Any]) -> list[str]:
    return [c["type"] for c in (obj.get("status") or {}).get("conditions") or []]
