"""Fuzzing the duration parsers and printers: a value or Go's error text, nothing else.

``parse_go_duration`` is documented to raise ValueError (callers wrap it: pflag's
``invalid argument`` for --timeout, clientcmd's ParseTimeout for --request-timeout).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import click
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kctl.cli._delete_flags import GoDuration
from kctl.clientcmd import parse_timeout
from kctl.errors import ConfigError
from kctl.util.duration import human_duration, short_human_duration
from kctl.util.goformat import go_duration_nanos, go_quote, parse_go_duration

sys.path.insert(0, str(Path(__file__).parent.parent))
from fuzz_strategies import token_strings

_MAX_NANOS = 2**63 - 1
_TOKENS = (
    "0",
    "1",
    "9",
    "12",
    ".",
    "-",
    "+",
    "h",
    "m",
    "s",
    "ms",
    "us",
    "µs",
    "μs",
    "ns",
    "e",
    " ",
)
durations = token_strings(_TOKENS)


@given(durations)
@example("99999999999999999999h")
@example("2562048h")
@example("-2562048h")
@example("1" * 400 + "h")
def test_parse_go_duration_gives_a_duration_or_gos_error(text: str) -> None:
    try:
        seconds = parse_go_duration(text)
    except ValueError as err:
        assert str(err).startswith("time: ")
        assert "\n" not in str(err)
        return
    assert math.isfinite(seconds)
    # time.Duration is an int64 of nanoseconds: anything beyond is Go's "invalid duration".
    assert abs(seconds) * 1e9 <= 2**63


@pytest.mark.parametrize(
    "text", ["2562048h", "99999999999999999999h", "-2562048h", "1" * 30 + "ns"]
)
def test_a_duration_past_int64_nanoseconds_is_invalid(text: str) -> None:
    # kubectl delete --timeout=2562048h: time: invalid duration "2562048h"
    with pytest.raises(ValueError, match=r'^time: invalid duration "'):
        parse_go_duration(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # kubectl's own words (kubectl delete pod x --timeout=...).
        ("1\uff53", 'time: unknown unit "\\xef\\xbd\\x93" in duration "1\\xef\\xbd\\x93"'),
        ("\uff19s", 'time: invalid duration "\\xef\\xbc\\x99s"'),
        ("\n", 'time: invalid duration "\\x0a"'),
    ],
)
def test_control_and_non_ascii_characters_quote_as_go_time_does(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_go_duration(text)
    assert str(info.value) == message


def test_the_largest_duration_still_parses() -> None:
    assert parse_go_duration("2562047h") == 2562047 * 3600.0


@given(st.integers(min_value=-_MAX_NANOS, max_value=_MAX_NANOS))
def test_go_duration_text_parses_back(nanos: int) -> None:
    seconds = parse_go_duration(go_duration_nanos(nanos))
    assert math.isclose(seconds, nanos / 1e9, rel_tol=1e-9, abs_tol=1e-9)


@given(durations)
def test_request_timeout_is_a_duration_or_a_config_error(text: str) -> None:
    try:
        value = parse_timeout(text)
    except ConfigError as err:
        assert "\n" not in str(err)
        return
    assert math.isfinite(value)


@given(durations)
def test_timeout_flag_is_a_duration_or_a_usage_error(text: str) -> None:
    try:
        value = GoDuration().convert(text, None, None)
    except click.UsageError as err:
        assert err.message.startswith(
            f'invalid argument {go_quote(text)} for "--timeout" flag: time: '
        )
        assert "\n" not in err.message
        return
    assert math.isfinite(value)


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_ages_always_print(seconds: float) -> None:
    for text in (human_duration(seconds), short_human_duration(seconds)):
        assert text and "\n" not in text
