"""pods/log for a container the process runtime runs: its real output.

``_logs`` has already answered the apiserver's and kubelet's errors (bad container, waiting,
no previous instance); here the kept lines go through the same options (``sinceTime``,
``sinceSeconds``, ``tailLines``, ``timestamps``, ``limitBytes``), and with ``follow=true`` the
stream goes on with new lines until the process exits or the client leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone

from kctl.sandbox._logs import _param, _parse_time, _stamp
from kctl.sandbox._runtime import Instance, ProcessRuntime

__all__ = ["process_log"]


def _render(lines: list[tuple[datetime, int, bytes]], stamps: bool) -> bytes:
    return b"".join((_stamp(t).encode() + b" " if stamps else b"") + text for t, _, text in lines)


def process_log(
    runtime: ProcessRuntime,
    inst: Instance,
    query: Mapping[str, Sequence[str]],
    *,
    follow: bool,
    client_gone: Callable[[float], bool],
) -> tuple[bytes, Iterator[bytes] | None]:
    """(the body so far, the rest of a followed stream or None)."""
    lines, seen = runtime.lines_so_far(inst)
    since_time = _parse_time(_param(query, "sinceTime"))
    since_seconds = _param(query, "sinceSeconds")
    if since_seconds and since_seconds.isdigit():
        since_time = datetime.now(timezone.utc) - timedelta(seconds=int(since_seconds))
    if since_time is not None:
        lines = [line for line in lines if line[0] >= since_time]
    tail = _param(query, "tailLines")
    if tail and tail.lstrip("-").isdigit() and int(tail) >= 0:
        lines = lines[len(lines) - int(tail) :] if int(tail) else []
    stamps = _param(query, "timestamps") in ("true", "1")
    body = _render(lines, stamps)
    limit_text = _param(query, "limitBytes")
    limit = int(limit_text) if limit_text and limit_text.isdigit() else None
    if limit is not None:
        body = body[:limit]
    if not follow:
        return body, None

    def rest() -> Iterator[bytes]:
        sent = len(body)
        if limit is not None and sent >= limit:
            return
        for line in runtime.follow(inst, seen, client_gone):
            chunk = _render([line], stamps)
            if limit is not None:
                chunk = chunk[: limit - sent]
            sent += len(chunk)
            yield chunk
            if limit is not None and sent >= limit:
                return

    return body, rest()
