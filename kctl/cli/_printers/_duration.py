"""apimachinery's duration.HumanDuration / ShortHumanDuration (the AGE column)."""

from __future__ import annotations

import datetime as _dt

__all__ = ["human_duration", "short_human_duration", "translate_timestamp_since"]


def _trunc(x: float) -> int:
    # Go's int() conversion truncates toward zero.
    return int(x)


def short_human_duration(seconds: float) -> str:
    secs = _trunc(seconds)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 60:
        return f"{secs}s"
    minutes = _trunc(seconds / 60)
    if minutes < 60:
        return f"{minutes}m"
    hours = _trunc(seconds / 3600)
    if hours < 24:
        return f"{hours}h"
    if hours < 24 * 365:
        return f"{hours // 24}d"
    return f"{_trunc(seconds / 3600 / 24 / 365)}y"


def human_duration(seconds: float) -> str:
    secs = _trunc(seconds)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 120:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        s = secs % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = secs // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if dy == 0 else f"{years}y{dy}d"
    return f"{hours // 24 // 365}y"


def translate_timestamp_since(timestamp: str | None, now: _dt.datetime | None = None) -> str:
    """A metav1.Time (RFC 3339 text) as an age; a missing timestamp is ``<unknown>``."""
    if not timestamp:
        return "<unknown>"
    when = _dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    current = now or _dt.datetime.now(_dt.timezone.utc)
    return human_duration((current - when).total_seconds())
