"""When a CronJob's schedule fires: robfig/cron's standard schedules (five fields, names,
ranges, steps, the ``@`` descriptors and ``@every``), as kube-controller-manager reads them.
Schedules were validated on write (``_validation.cron_errors``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

from kctl.sandbox._validation import _CRON_BOUNDS

__all__ = ["Schedule", "parse_schedule"]

_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
# robfig gives up after five years without a match (a schedule like "0 0 30 2 *").
_HORIZON_YEARS = 5


def _field(text: str, low: int, high: int, names: dict[str, int]) -> tuple[set[int], bool]:
    """The values of one field, and whether it is a bare ``*``/``?`` (the "star bit")."""
    values: set[int] = set()
    star = False
    for part in text.split(","):
        range_text, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        bounds = range_text.split("-")
        if bounds[0] in ("*", "?"):
            start, end = low, high
            star = star or step == 1
        else:
            named_start = names.get(bounds[0].lower())
            start = int(bounds[0]) if named_start is None else named_start
            if len(bounds) == 2:
                named = names.get(bounds[1].lower())
                end = int(bounds[1]) if named is None else named
            else:
                end = high if step_text else start
        values.update(range(start, end + 1, step))
    return values, star


class Schedule:
    def __init__(self, fields: list[str] | None, every: timedelta | None) -> None:
        self.every = every
        self.sets: list[set[int]] = []
        self.day_star = False
        if fields is not None:
            parsed = [
                _field(text, low, high, names)
                for text, (low, high, names) in zip(fields, _CRON_BOUNDS, strict=True)
            ]
            self.sets = [values for values, _ in parsed]
            self.day_star = parsed[2][1] or parsed[4][1]

    def _day_matches(self, t: datetime) -> bool:
        dom = t.day in self.sets[2]
        dow = (t.isoweekday() % 7) in self.sets[4]
        return (dom and dow) if self.day_star else (dom or dow)

    def next(self, after: datetime, tz: tzinfo) -> datetime | None:
        """The first time strictly after ``after`` the schedule fires (None: never)."""
        if self.every is not None:
            return after + self.every
        minutes, hours, _, months, _ = self.sets
        local = after.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
        t = local + timedelta(minutes=1)
        limit = t.year + _HORIZON_YEARS
        while t.year <= limit:
            if t.month not in months:
                year, month = (t.year + 1, 1) if t.month == 12 else (t.year, t.month + 1)
                t = datetime(year, month, 1)
            elif not self._day_matches(t):
                t = datetime(t.year, t.month, t.day) + timedelta(days=1)
            elif t.hour not in hours:
                t = datetime(t.year, t.month, t.day, t.hour) + timedelta(hours=1)
            elif t.minute not in minutes:
                t += timedelta(minutes=1)
            else:
                return t.replace(tzinfo=tz)
        return None


def parse_schedule(text: str) -> Schedule:
    text = text.strip()
    if text.startswith("@every "):
        seconds = sum(
            float(number) * _UNITS[unit]
            for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", text[7:])
        )
        # ConstantDelaySchedule: rounded to whole seconds, at least one.
        return Schedule(None, timedelta(seconds=max(1, round(seconds))))
    text = _DESCRIPTORS.get(text, text)
    return Schedule(text.split(), None)
