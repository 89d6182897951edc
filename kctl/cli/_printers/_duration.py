"""The AGE column: a metav1.Time as apimachinery's HumanDuration prints it."""

from __future__ import annotations

import datetime as _dt

from kctl.util.duration import human_duration, short_human_duration

__all__ = ["human_duration", "short_human_duration", "translate_timestamp_since"]


def translate_timestamp_since(timestamp: str | None, now: _dt.datetime | None = None) -> str:
    """A metav1.Time (RFC 3339 text) as an age; a missing timestamp is ``<unknown>``."""
    if not timestamp:
        return "<unknown>"
    when = _dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    current = now or _dt.datetime.now(_dt.timezone.utc)
    return human_duration((current - when).total_seconds())
