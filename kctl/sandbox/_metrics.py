"""kube-apiserver's /metrics: a few of its real metrics, counted for real, in the Prometheus
text exposition format (version 0.0.4).

``count`` is the outermost middleware (every answer is counted, refusals and injected faults
included); ``serve`` sits behind authentication and authorization, as /metrics is a
non-resource URL like any other. A watch is counted when it is answered, not when it ends.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from kctl.sandbox._api import Handler, Request, Response
from kctl.sandbox._store import Store

__all__ = ["Metrics"]

_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_REQUEST_LABELS = (
    "code",
    "component",
    "dry_run",
    "group",
    "resource",
    "scope",
    "subresource",
    "verb",
    "version",
)
_MUTATING = ("POST", "PUT", "PATCH", "DELETE")
_APPLY = "application/apply-patch"


class Metrics:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._requests: Counter[tuple[str, ...]] = Counter()
        self._inflight = {"mutating": 0, "readOnly": 0}
        # Like the Go client's, from the kernel's start time in clock ticks (1/100 s).
        self.start_time = round(time.time(), 2)

    def count(self, req: Request, nxt: Handler) -> Response:
        labels = _request_labels(req)
        # Long-running requests (watches) are not in the inflight gauges, as in the apiserver.
        kind = "" if labels[-2] == "WATCH" else _request_kind(req)
        if kind:
            with self._lock:
                self._inflight[kind] += 1
        try:
            resp = nxt(req)
        finally:
            if kind:
                with self._lock:
                    self._inflight[kind] -= 1
        key = (str(resp.status), *labels)
        with self._lock:
            self._requests[key] += 1
        return resp

    def serve(self, req: Request, nxt: Handler) -> Response:
        if req.path.rstrip("/") != "/metrics" or req.method not in ("GET", "HEAD"):
            return nxt(req)
        return Response(200, self.exposition().encode(), _CONTENT_TYPE)

    def exposition(self) -> str:
        with self._lock:
            requests = sorted(self._requests.items())
            inflight = sorted(self._inflight.items())
        lines = [
            "# HELP apiserver_current_inflight_requests [STABLE] Maximal number of currently "
            "used inflight request limit of this apiserver per request kind in last second.",
            "# TYPE apiserver_current_inflight_requests gauge",
        ]
        lines += [
            f'apiserver_current_inflight_requests{{request_kind="{kind}"}} {n}'
            for kind, n in inflight
        ]
        lines += [
            "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out "
            "for each verb, dry run value, group, version, resource, scope, component, and "
            "HTTP response code.",
            "# TYPE apiserver_request_total counter",
        ]
        for values, n in requests:
            pairs = ",".join(
                f'{name}="{_escape(value)}"'
                for name, value in zip(_REQUEST_LABELS, values, strict=True)
            )
            lines.append(f"apiserver_request_total{{{pairs}}} {n}")
        lines += [
            "# HELP apiserver_storage_objects [STABLE] Number of stored objects at the time of "
            "last check split by kind. In case of a fetching error, the value will be -1.",
            "# TYPE apiserver_storage_objects gauge",
        ]
        counts = sorted(
            (f"{plural}.{group}" if group else plural, len(self._store.items((group, plural))))
            for group, plural in self._store.resources()
        )
        lines += [f'apiserver_storage_objects{{resource="{r}"}} {n}' for r, n in counts]
        lines += [
            "# HELP process_start_time_seconds Start time of the process since unix epoch in "
            "seconds.",
            "# TYPE process_start_time_seconds gauge",
            f"process_start_time_seconds {_float(self.start_time)}",
        ]
        return "\n".join(lines) + "\n"


def _request_labels(req: Request) -> tuple[str, ...]:
    """(component, dry_run, group, resource, scope, subresource, verb, version)."""
    from kctl.sandbox._auth import UserInfo
    from kctl.sandbox._authz import request_attributes

    attrs = request_attributes(req, UserInfo(""))
    dry_run = "All" if req.param("dryRun") == "All" else ""
    if not attrs.resource_request:
        return ("apiserver", dry_run, "", "", "", "", req.method.upper(), "")
    verb = attrs.verb.upper()
    if verb == "PATCH" and req.headers.get("content-type", "").startswith(_APPLY):
        verb = "APPLY"
    elif verb == "GET" and attrs.subresource in ("exec", "attach", "portforward", "proxy"):
        verb = "CONNECT"
    if attrs.name and verb not in ("LIST", "WATCH"):
        scope = "resource"
    elif attrs.namespace:
        scope = "namespace"
    else:
        scope = "cluster"
    return (
        "apiserver",
        dry_run,
        attrs.api_group,
        attrs.resource,
        scope,
        attrs.subresource,
        verb,
        attrs.api_version,
    )


def _request_kind(req: Request) -> str:
    return "mutating" if req.method in _MUTATING else "readOnly"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _float(value: float) -> str:
    """Go's strconv.FormatFloat(v, 'g', -1, 64), as the Prometheus client prints, for the
    epoch seconds this module prints (shortest digits, exponent form: 1.76416e+09)."""
    whole, _, fraction = repr(value).partition(".")
    digits = (whole + fraction).rstrip("0")
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{mantissa}e+{len(whole) - 1:02d}"
