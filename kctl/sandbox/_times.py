"""Timestamps as apimachinery reads and writes them.

metav1.Time decodes any RFC 3339 text (``time.Parse(time.RFC3339, s)``: an offset or ``Z``,
optional fractional seconds) and encodes ``t.UTC().Format(time.RFC3339)``: UTC, ``Z`` and
whole seconds. MicroTime decodes with the layout ``2006-01-02T15:04:05.000000Z07:00`` and
encodes UTC with exactly six fractional digits. A time that went through the apiserver is
therefore always in its normal form, whatever the client sent (the official Python client
sends ``2026-12-05T07:53:41+00:00``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

__all__ = ["format_micro_time", "format_time", "normalize", "parse_rfc3339"]

_LAYOUT = "2006-01-02T15:04:05Z07:00"
_MICRO_LAYOUT = "2006-01-02T15:04:05.000000Z07:00"
# Go's parser also takes a comma before the fraction, and keeps at most nine digits of it.
_SHAPE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|([+-])(\d{2}):(\d{2}))"
)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def parse_rfc3339(text: str, *, micro: bool = False) -> datetime:
    """The instant ``text`` names, as an aware UTC datetime (sub-microsecond digits are
    dropped). ``micro`` asks for MicroTime's exactly-six-digit fraction. Raises ValueError
    worded like Go's time.ParseError."""
    layout = _MICRO_LAYOUT if micro else _LAYOUT
    quoted = json.dumps(text)
    match = _SHAPE.fullmatch(text)
    if match is None:
        # time.Parse names the first layout element that failed; a value that is not
        # RFC 3339 at all fails on the year.
        raise ValueError(f'parsing time {quoted} as "{layout}": cannot parse {quoted} as "2006"')
    if micro and len(match.group(7) or "") != 6:
        # The layout's ".000000" wants exactly six digits; what follows the seconds, or the
        # seventh digit on, is what fails.
        if len(match.group(7) or "") < 6:
            rest, element = text[match.end(6) :], ".000000"
        else:
            rest, element = text[match.start(7) + 6 :], "Z07:00"
        raise ValueError(
            f'parsing time {quoted} as "{layout}": cannot parse {json.dumps(rest)} as "{element}"'
        )
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    for value, low, high, what in (
        (month, 1, 12, "month"),
        (hour, 0, 23, "hour"),
        (minute, 0, 59, "minute"),
        (second, 0, 59, "second"),
    ):
        if not low <= value <= high:
            raise ValueError(f"parsing time {quoted}: {what} out of range")
    limit = 28 if month == 2 and not _leap(year) else _DAYS[month - 1]
    if not 1 <= day <= limit or year < 1:
        raise ValueError(f"parsing time {quoted}: day out of range")
    micros = int(((match.group(7) or "") + "000000")[:6])
    offset = timedelta(0)
    if match.group(8) != "Z":
        hours, minutes = int(match.group(10)), int(match.group(11))
        if hours > 23 or minutes > 59:
            raise ValueError(f"parsing time {quoted}: time zone offset out of range")
        offset = timedelta(hours=hours, minutes=minutes)
        if match.group(9) == "-":
            offset = -offset
    local = datetime(year, month, day, hour, minute, second, micros, timezone(offset))
    return local.astimezone(timezone.utc)


def format_time(when: datetime) -> str:
    """metav1.Time's JSON: UTC, whole seconds, ``Z``."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_micro_time(when: datetime) -> str:
    """metav1.MicroTime's JSON: UTC, six fractional digits, ``Z``."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalize(text: str, *, micro: bool = False) -> str:
    """``text`` decoded and re-encoded, as a round trip through the apiserver leaves it."""
    when = parse_rfc3339(text, micro=micro)
    return format_micro_time(when) if micro else format_time(when)
