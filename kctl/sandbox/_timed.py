"""The controllers that also act on the clock: Job (and its pods' simulated runs, and
TTL-after-finished), CronJob, StatefulSet and DaemonSet.

They react to store events like the others and, every ``TICK`` seconds, to a tick on the
same worker thread: what is due by the sandbox clock (``Sandbox(now=...)``) happens then, so a
test with a fake clock moves time forward and polls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kctl.sandbox._ctlkit import Kit
from kctl.sandbox._registry import Registry
from kctl.sandbox._store import Event

__all__ = ["TICK", "TimedControllers"]

TICK = 0.2


class TimedControllers:
    def __init__(self, registry: Registry) -> None:
        from kctl.sandbox._cronjobs import CronJobs
        from kctl.sandbox._daemonsets import DaemonSets
        from kctl.sandbox._jobs import Jobs
        from kctl.sandbox._statefulsets import StatefulSets

        self.jobs = Jobs(Kit(registry, "job-controller"))
        self.cronjobs = CronJobs(Kit(registry, "cronjob-controller"))
        self.statefulsets = StatefulSets(Kit(registry, "statefulset-controller"))
        self.daemonsets = DaemonSets(Kit(registry, "daemonset-controller"))
        self._tick_queued = threading.Event()

    def handle(self, event: Event) -> None:
        self.jobs.handle(event)
        self.cronjobs.handle(event)
        self.statefulsets.handle(event)
        self.daemonsets.handle(event)

    def tick(self) -> None:
        self._tick_queued.clear()
        self.jobs.tick()
        self.cronjobs.tick()

    def run_ticker(
        self, submit: Callable[[Callable[[], None]], None], stopping: threading.Event
    ) -> None:
        """Submit a tick every TICK seconds, never more than one waiting at a time (a slow
        worker must not find a backlog of them)."""
        while not stopping.wait(TICK):
            if not self._tick_queued.is_set():
                self._tick_queued.set()
                submit(self.tick)
