"""kubectl's DeleteFlags parsing shared by delete and apply: --cascade and Go durations."""

from __future__ import annotations

import re
import sys
from typing import Any

import click

from kctl.errors import KctlError

__all__ = ["GoDuration", "cascading_strategy", "parse_go_duration"]

_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")


def parse_go_duration(text: str) -> float:
    """time.ParseDuration, in seconds; raises ValueError with Go's text."""
    quoted = f'"{text}"'
    rest = text
    sign = 1.0
    if rest[:1] in ("-", "+"):
        sign = -1.0 if rest[0] == "-" else 1.0
        rest = rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        raise ValueError(f"time: invalid duration {quoted}")
    total = 0.0
    while rest:
        match = _PART.match(rest)
        number, unit = (match.group(1), match.group(2)) if match else ("", "")
        if not number or number == ".":
            raise ValueError(f"time: invalid duration {quoted}")
        if not unit:
            raise ValueError(f"time: missing unit in duration {quoted}")
        if unit not in _UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration {quoted}')
        total += float(number) * _UNITS[unit]
        rest = rest[match.end() :] if match else ""
    return sign * total


class GoDuration(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.3 on
    """A pflag Duration flag (``30s``, ``1m30s``), in seconds, with pflag's error text."""

    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return parse_go_duration(str(value))
        except ValueError as err:
            flag = f"--{param.name}" if param is not None and param.name else "--timeout"
            raise click.UsageError(
                f'invalid argument "{value}" for "{flag}" flag: {err}', ctx
            ) from None


def cascading_strategy(value: str) -> str:
    """parseCascadingFlag: the DeleteOptions propagationPolicy for a --cascade value."""
    from kctl.cli._globals import parse_go_bool

    as_bool = parse_go_bool(value)
    if as_bool is None:
        policies = {"orphan": "Orphan", "foreground": "Foreground", "background": "Background"}
        if value in policies:
            return policies[value]
        raise KctlError(
            f'invalid cascade value ({value}). Must be "background", "foreground", or "orphan"'
        )
    replacement = "background" if as_bool else "orphan"
    sys.stderr.write(
        f"warning: --cascade={value} is deprecated (boolean value) and can be replaced with "
        f"--cascade={replacement}.\n"
    )
    return "Background" if as_bool else "Orphan"
