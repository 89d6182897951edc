"""client-go's token-bucket rate limiter (flowcontrol.NewTokenBucketRateLimiter)."""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["Clock", "RateLimiter", "SystemClock", "TokenBucketRateLimiter"]


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class RateLimiter(Protocol):
    def accept(self) -> float:
        """Block until a request may go; returns the seconds waited."""
        ...

    def try_accept(self) -> bool: ...


class TokenBucketRateLimiter:
    """``qps`` tokens a second, at most ``burst`` saved up; the bucket starts full.

    Callers reserve a token and sleep outside the lock, so concurrent callers queue fairly.
    """

    def __init__(self, qps: float, burst: int, clock: Clock | None = None) -> None:
        if qps <= 0:
            raise ValueError("qps must be positive")
        self.qps = float(qps)
        self.burst = max(int(burst), 1)
        self._clock: Clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._tokens = float(self.burst)
        self._last = self._clock.monotonic()

    def _advance(self, now: float) -> None:
        elapsed = max(0.0, now - self._last)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.qps)
        self._last = now

    def try_accept(self) -> bool:
        with self._lock:
            self._advance(self._clock.monotonic())
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False

    def accept(self) -> float:
        with self._lock:
            self._advance(self._clock.monotonic())
            self._tokens -= 1
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.qps
        if wait > 0:
            self._clock.sleep(wait)
        return wait
