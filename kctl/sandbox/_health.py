"""kube-apiserver's /healthz, /livez and /readyz endpoints (k8s.io/apiserver/pkg/server/healthz).

A plain GET answers ``ok``; ``?verbose`` lists every check as ``[+]name ok`` and ends with
``<endpoint> check passed``; ``?exclude=name`` marks a check ``excluded: ok``; ``/readyz/<check>``
runs one check. The checks are those the recorded kube-apiserver lists (:mod:`._recorded`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kctl.sandbox import _recorded

__all__ = ["health_response"]


def health_response(path: str, query: Mapping[str, Sequence[str]]) -> tuple[int, str] | None:
    """(status, text/plain body) for a health path, or None when it names no check."""
    endpoint, _, check = path.strip("/").partition("/")
    checks = _recorded.health_checks(endpoint)
    if checks is None:
        return None
    if check:
        return (200, "ok") if check in checks else None
    excluded = {name for value in query.get("exclude", ()) for name in value.split(",") if name}
    if "verbose" not in query:
        return 200, "ok"
    lines = [f"[+]{name} excluded: ok" if name in excluded else f"[+]{name} ok" for name in checks]
    unknown = sorted(excluded - set(checks))
    if unknown:
        # Excluding a check that does not exist is reported, as the apiserver does.
        quoted = ",".join(f'"{name}"' for name in unknown)
        lines.append(f"warn: some health checks cannot be excluded: no matches for {quoted}")
    lines.append(f"{endpoint} check passed")
    return 200, "\n".join(lines) + "\n"
