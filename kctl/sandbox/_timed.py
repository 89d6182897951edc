"""The controllers that also act on the clock: Job (and its pods' simulated runs, and
TTL-after-finished), CronJob, StatefulSet and DaemonSet.

They react to store events like the others and, every ``TICK`` seconds, to a tick on the
same worker thread: what is due by the sandbox clock (``Sandbox(now=...)``) happens then, so a
test with a fake clock moves time forward and polls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kctl.errors import StatusError
from kctl.sandbox._ctlkit import Kit
from kctl.sandbox._registry import Registry
from kctl.sandbox._store import Event

__all__ = ["TICK", "TimedControllers"]

TICK = 0.2

_log = logging.getLogger("kctl.sandbox")


def _where(err: BaseException) -> str:
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    return f"{tb.tb_frame.f_code.co_filename.rpartition('/')[2]}:{tb.tb_lineno}"


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
        # Other controllers' steps that are due by the clock (the ReplicaSets' minReadySeconds).
        self.others: list[Callable[[], None]] = []
        self._tick_queued = threading.Event()
        self._logged: set[str] = set()

    def handle(self, event: Event) -> None:
        for controller in (self.jobs, self.cronjobs, self.statefulsets, self.daemonsets):
            self._guarded(controller.handle, event)

    def tick(self) -> None:
        self._tick_queued.clear()
        self._guarded(self.jobs.tick)
        self._guarded(self.cronjobs.tick)
        self._guarded(self.statefulsets.tick)
        self._guarded(self.daemonsets.tick)
        for step in self.others:
            self._guarded(step)

    def _guarded(self, step: Callable[..., None], *args: Event) -> None:
        """Run one controller's step; a bug it meets on some object must not stop the
        worker thread that every controller shares. Conflicts go on to the worker, which
        expects them."""
        try:
            step(*args)
        except StatusError:
            raise
        except Exception as err:
            where = _where(err)
            if where not in self._logged:
                self._logged.add(where)
                # Neither the exception's text nor the object: they can carry its content.
                _log.error("controller error: %s at %s", type(err).__name__, where)

    def run_ticker(
        self, submit: Callable[[Callable[[], None]], None], stopping: threading.Event
    ) -> None:
        """Submit a tick every TICK seconds, never more than one waiting at a time (a slow
        worker must not find a backlog of them)."""
        while not stopping.wait(TICK):
            if not self._tick_queued.is_set():
                self._tick_queued.set()
                submit(self.tick)
