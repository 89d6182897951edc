"""Go's duration and quoting text forms, shared by the client, the CLI and the sandbox."""

from __future__ import annotations

import pytest

from kctl.clientcmd import parse_timeout
from kctl.errors import ConfigError
from kctl.util.duration import human_duration, short_human_duration
from kctl.util.goformat import (
    go_duration,
    go_duration_nanos,
    go_quote,
    go_unquote_body,
    parse_go_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1m30s", 90.0), (".5s", 0.5), ("5.s", 5.0), ("1.5h", 5400.0), ("-2ms", -0.002), ("0", 0.0)],
)
def test_parse_go_duration(text: str, seconds: float) -> None:
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'time: invalid duration ""'),
        ("+", 'time: invalid duration "+"'),
        ("1", 'time: missing unit in duration "1"'),
        ("1.5.5s", 'time: missing unit in duration "1.5.5s"'),
        ("1x", 'time: unknown unit "x" in duration "1x"'),
        # Go reads ASCII digits only, and quotes non-ASCII as bytes (kubectl 1.37.1).
        ("\u0661s", 'time: invalid duration "\\xd9\\xa1s"'),
    ],
)
def test_parse_go_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_go_duration(text)
    assert str(err.value) == message


def test_request_timeout_takes_go_durations_with_ascii_digits_only() -> None:
    assert parse_timeout("1m30s") == 90.0
    with pytest.raises(ConfigError, match="Invalid timeout value"):
        parse_timeout("\u0661s")


def test_seconds_and_nanoseconds_agree() -> None:
    assert go_duration(90.5) == go_duration_nanos(90_500_000_000) == "1m30.5s"
    assert go_duration(0.0015) == "1.5ms"


def test_go_quote() -> None:
    assert go_quote('a "b"\n\x01\u00e9\U0001f600') == '"a \\"b\\"\\n\\x01\u00e9\U0001f600"'


def test_human_durations() -> None:
    assert human_duration(125) == "2m5s"
    assert short_human_duration(125) == "2m"
    assert human_duration(-5) == "<invalid>"


@pytest.mark.parametrize(
    ("body", "quote", "text"),
    [
        ("plain", '"', "plain"),
        (r"a\tb\n\\", '"', "a\tb\n\\"),
        (r"it\'s", "'", "it's"),
        (r"\x41\101\u00e9\U0001F600", '"', "AAé😀"),
    ],
)
def test_go_unquote_body(body: str, quote: str, text: str) -> None:
    assert go_unquote_body(body, quote) == text


@pytest.mark.parametrize(
    "body",
    [r"\q", r"\x4", r"\400", r"\ud800", r"\U00110000", 'a"b', "end\\"],
)
def test_go_unquote_body_refuses_what_strconv_refuses(body: str) -> None:
    # strconv.UnquoteChar: unknown escapes, short hex, octal over 255, surrogates and code
    # points past U+10FFFF, an unescaped quote, a lone backslash.
    with pytest.raises(ValueError, match="invalid syntax"):
        go_unquote_body(body, '"')
