"""Deterministic fault injection, as a middleware in front of the API.

A fault spec is a comma-separated list of ``key=value`` settings naming one action:

- ``status=429|500|503`` answer with that error (``retry-after=S`` adds Retry-After);
- ``latency=200ms`` delay the answer (Go-style duration: ms, s, m);
- ``watch-cut-after=N`` end a watch connection after N events: they are all delivered, then
  the connection closes (FIN) without the chunked body's terminating chunk, as a dropped
  proxy or load-balancer connection looks to the client;
- ``list-reset`` reset the connection (TCP RST) in the middle of a list body;
- ``expire-rv`` compact history so the request's resourceVersion or continue token is gone
  (410 on a watch from a resourceVersion or on a continued list).

and which requests it hits:

- ``path=/api/v1/pods`` path prefix; ``method=GET``; ``every=N`` every Nth matching
  request; ``fraction=0.5`` a random share of them; ``times=N`` at most N times;
  ``seed=7`` seeds ``fraction`` (default 0), so runs repeat exactly.

Examples: ``status=429,every=3,retry-after=1,path=/api/v1/pods``,
``latency=200ms,fraction=0.5,seed=7``, ``watch-cut-after=5``, ``list-reset``, ``expire-rv``.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kctl.errors import StatusError
from kctl.sandbox import _status as st
from kctl.sandbox._api import Handler, Request, Response

if TYPE_CHECKING:
    from kctl.sandbox._store import Store

__all__ = ["ConnectionAbort", "Fault", "FaultError", "FaultInjector", "parse_fault"]

_ACTIONS = ("status", "latency", "watch-cut-after", "list-reset", "expire-rv")
_FLAGS = ("list-reset", "expire-rv")
_STATUSES = (429, 500, 503)
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m)$")


class FaultError(ValueError):
    """A fault spec that cannot be parsed."""


class ConnectionAbort(Exception):
    """Raised from a response stream: the HTTP layer resets the connection at once."""


class ConnectionDrop(Exception):
    """Raised from a response stream: the HTTP layer closes the connection after what was
    sent so far (no reset, so nothing already written is lost), leaving the body unfinished."""


def _duration(text: str) -> float:
    match = _DURATION.match(text)
    if match is None:
        raise FaultError(f"invalid duration {text!r} (use e.g. 200ms, 1.5s, 1m)")
    number = float(match.group(1))
    return number * {"ms": 0.001, "s": 1.0, "m": 60.0}[match.group(2)]


def _positive_int(key: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise FaultError(f"{key} must be a positive integer, got {text!r}") from None
    if value <= 0:
        raise FaultError(f"{key} must be a positive integer, got {text!r}")
    return value


@dataclass
class Fault:
    action: str
    status: int = 0
    retry_after: int | None = None
    latency: float = 0.0
    cut_after: int = 0
    path: str = ""
    method: str = ""
    every: int = 0
    fraction: float = 1.0
    times: int = 0
    seed: int = 0
    spec: str = ""
    _rng: random.Random = field(init=False, repr=False)
    _seen: int = field(default=0, init=False, repr=False)
    _fired: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def applies(self, req: Request) -> bool:
        """Whether this request is hit; counts it. The caller holds the injector's lock."""
        if self.path and not req.path.startswith(self.path):
            return False
        if self.method and req.method != self.method:
            return False
        if self.action == "list-reset" and not _is_list(req):
            return False
        if self.action == "watch-cut-after" and not _is_watch(req):
            return False
        if self.action == "expire-rv" and not _has_rv(req):
            return False
        if self.times and self._fired >= self.times:
            return False
        self._seen += 1
        if self.every and self._seen % self.every:
            return False
        # Draw for every counted request so the sequence does not depend on other faults.
        if self.fraction < 1.0 and self._rng.random() >= self.fraction:
            return False
        self._fired += 1
        return True


def parse_fault(spec: str) -> Fault:
    settings: dict[str, str] = {}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if key in settings:
            raise FaultError(f"{key} given twice in fault {spec!r}")
        if not sep and key not in _FLAGS:
            raise FaultError(f"expected key=value, got {item!r} in fault {spec!r}")
        settings[key] = value.strip()
    actions = [k for k in settings if k in _ACTIONS]
    if len(actions) != 1:
        raise FaultError(f"fault {spec!r} needs exactly one of: " + ", ".join(_ACTIONS))
    fault = Fault(action=actions[0], spec=spec)
    for key, value in settings.items():
        if key == "status":
            try:
                fault.status = int(value)
            except ValueError:
                fault.status = 0
            if fault.status not in _STATUSES:
                raise FaultError(f"status must be one of 429, 500, 503, got {value!r}")
        elif key == "retry-after":
            try:
                fault.retry_after = int(value)
            except ValueError:
                raise FaultError(f"retry-after must be whole seconds, got {value!r}") from None
            if fault.retry_after < 0:
                raise FaultError(f"retry-after must be whole seconds, got {value!r}")
        elif key == "latency":
            fault.latency = _duration(value)
        elif key == "watch-cut-after":
            fault.cut_after = _positive_int(key, value)
        elif key in _FLAGS:
            if value:
                raise FaultError(f"{key} takes no value")
        elif key == "path":
            if not value.startswith("/"):
                raise FaultError(f"path must start with /, got {value!r}")
            fault.path = value
        elif key == "method":
            fault.method = value.upper()
        elif key == "every":
            fault.every = _positive_int(key, value)
        elif key == "times":
            fault.times = _positive_int(key, value)
        elif key == "fraction":
            try:
                fault.fraction = float(value)
            except ValueError:
                fault.fraction = -1.0
            if not 0.0 < fault.fraction <= 1.0:
                raise FaultError(f"fraction must be in (0, 1], got {value!r}")
        elif key == "seed":
            try:
                fault.seed = int(value)
            except ValueError:
                raise FaultError(f"seed must be an integer, got {value!r}") from None
        else:
            raise FaultError(f"unknown fault setting {key!r} in fault {spec!r}")
    if fault.retry_after is not None and fault.action != "status":
        raise FaultError("retry-after only goes with status=")
    fault.__post_init__()
    return fault


def _verb(req: Request) -> str:
    from kctl.sandbox._auth import ANONYMOUS
    from kctl.sandbox._authz import request_attributes

    return request_attributes(req, ANONYMOUS).verb


def _is_watch(req: Request) -> bool:
    return req.method == "GET" and _verb(req) == "watch"


def _is_list(req: Request) -> bool:
    return req.method == "GET" and _verb(req) == "list"


def _has_rv(req: Request) -> bool:
    if req.method != "GET":
        return False
    if _is_watch(req):
        return req.param("resourceVersion") not in (None, "", "0")
    return bool(req.param("continue"))


def _status_error(fault: Fault) -> StatusError:
    details: dict[str, object] = {}
    if fault.retry_after:
        details["retryAfterSeconds"] = fault.retry_after
    if fault.status == 429:
        return StatusError(
            st.status_body(
                429,
                "TooManyRequests",
                "Too many requests, please try again later.",
                details,
            )
        )
    if fault.status == 503:
        return StatusError(
            st.status_body(
                503,
                "ServiceUnavailable",
                "the server is currently unable to handle the request",
                details,
            )
        )
    return st.internal_error("injected fault")


def _cut(stream: Iterator[bytes], after: int) -> Iterator[bytes]:
    sent = 0
    try:
        for chunk in stream:
            yield chunk
            sent += 1
            if sent >= after:
                raise ConnectionDrop
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()


def _half(body: bytes) -> Iterator[bytes]:
    yield body[: max(1, len(body) // 2)]
    raise ConnectionAbort


class FaultInjector:
    """The faults of one sandbox; add or clear them while it runs."""

    def __init__(
        self,
        faults: Iterable[Fault | str] = (),
        *,
        sleep: Callable[[float], None] = time.sleep,
        store: Store | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._sleep = sleep
        self._store = store
        for fault in faults:
            self.add(fault)

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def add(self, fault: Fault | str) -> Fault:
        parsed = parse_fault(fault) if isinstance(fault, str) else fault
        with self._lock:
            self._faults.append(parsed)
        return parsed

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @staticmethod
    def _expired(req: Request, store: Store) -> Response:
        """Compact the history, so the version is gone for retries too, and answer as
        kube-apiserver does for a compacted version."""
        from kctl.sandbox._api import _EXPIRED_CONTINUE
        from kctl.sandbox._store import encode

        store.compact()
        if req.param("continue"):
            return Response.error(st.expired(_EXPIRED_CONTINUE))
        rv = req.param("resourceVersion") or ""
        # The watch cache's "oldest - 1": nothing before the compaction can be delivered.
        status = st.expired(f"too old resource version: {rv} ({store.compacted_rv})").status
        line = b'{"type":"ERROR","object":' + encode(status) + b"}\n"
        return Response(200, stream=iter([line]))

    def __call__(self, req: Request, nxt: Handler) -> Response:
        with self._lock:
            hits = [f for f in self._faults if f.applies(req)]
        for fault in hits:
            if fault.action == "latency":
                self._sleep(fault.latency)
        for fault in hits:
            if fault.action == "status":
                resp = Response.error(_status_error(fault))
                if fault.retry_after is not None:
                    resp.headers.append(("Retry-After", str(fault.retry_after)))
                return resp
            if fault.action == "expire-rv" and self._store is not None:
                return self._expired(req, self._store)
        resp = nxt(req)
        for fault in hits:
            if fault.action == "watch-cut-after" and resp.stream is not None:
                resp.stream = _cut(resp.stream, fault.cut_after)
            elif (
                fault.action == "list-reset"
                and resp.stream is None
                and resp.status == 200
                and _looks_like_list(resp.body)
            ):
                resp.stream = _half(resp.body)
        return resp


def _looks_like_list(body: bytes) -> bool:
    head = body[:200]
    return b'"items":' in body[:4096] or (b'"kind":"Table"' in head and b'"rows":' in body)
