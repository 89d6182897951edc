"""kubectl's DeleteFlags parsing shared by delete and apply: --cascade and Go durations."""

from __future__ import annotations

import sys
from typing import Any

import click

from kctl.errors import KctlError
from kctl.util.goformat import go_quote, parse_go_duration

__all__ = ["GoDuration", "cascading_strategy", "parse_go_duration"]


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
                f'invalid argument {go_quote(str(value))} for "{flag}" flag: {err}', ctx
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
