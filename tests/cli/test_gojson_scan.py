"""Go's encoding/json scanner texts and offsets (kctl.cli._gojson_scan); kubectl's own
output for whole files is compared in test_odd_inputs."""

from __future__ import annotations

import json

import pytest

from kctl.cli._errors import message_for
from kctl.cli._gojson_scan import MAX_DEPTH, GoJSONError, UnexpectedEOF, scan_value


@pytest.mark.parametrize(
    "text",
    [
        b'{"a": [1, -2.5e+3, true, false, null, "x\\u00e9\\n"], "b": {}}',
        b"[]",
        b'{"a":0}',
        b"[" * MAX_DEPTH + b"]" * MAX_DEPTH,
    ],
)
def test_valid_values_end_where_json_says(text: bytes) -> None:
    assert scan_value(text + b"  rest", 0) == len(text)
    if len(text) < 1000:
        json.loads(text)


@pytest.mark.parametrize(
    ("text", "offset", "msg"),
    [
        (b'{"a":1}}', 8, "invalid character '}' after top-level value"),
        (b'{"a":tru}', 9, "invalid character '}' in literal true (expecting 'e')"),
        (b'{"a" 1}', 6, "invalid character '1' after object key"),
        (b'{"a":1 2}', 8, "invalid character '2' after object key:value pair"),
        (b"[1 2]", 4, "invalid character '2' after array element"),
        (b'{"a":-x}', 7, "invalid character 'x' in numeric literal"),
        (b'{"a":1.}', 8, "invalid character '}' after decimal point in numeric literal"),
        (b'{"a":1e}', 8, "invalid character '}' in exponent of numeric literal"),
        (b'{"a":"\\q"}', 8, "invalid character 'q' in string escape code"),
        (b'{"a":"\\u12g4"}', 11, "invalid character 'g' in \\u hexadecimal character escape"),
        (b'{"a":"\x01"}', 7, "invalid character '\\x01' in string literal"),
        (b"{1:2}", 2, "invalid character '1' looking for beginning of object key string"),
        (b"{'a':1}", 2, "invalid character '\\'' looking for beginning of object key string"),
        (b'{"a":}', 6, "invalid character '}' looking for beginning of value"),
        (b"[" * (MAX_DEPTH + 1), MAX_DEPTH + 1, "invalid character '[' exceeded max depth"),
    ],
)
def test_errors_in_gos_words(text: bytes, offset: int, msg: str) -> None:
    if msg.endswith("after top-level value"):
        # A stream decoder stops after the value; the next one starts at the stray byte.
        end = scan_value(text, 0)
        with pytest.raises(GoJSONError) as next_value:
            scan_value(text, end)
        assert (next_value.value.offset, next_value.value.msg) == (
            offset,
            "invalid character '}' looking for beginning of value",
        )
        return
    with pytest.raises(GoJSONError) as err:
        scan_value(text, 0)
    assert (err.value.offset, err.value.msg) == (offset, msg)


@pytest.mark.parametrize("text", [b'{"a"', b'{"a":"x', b"[1,", b'{"a":tr', b"{", b'{"a":-'])
def test_truncated_input_is_unexpected_eof(text: bytes) -> None:
    with pytest.raises(UnexpectedEOF):
        scan_value(text, 0)


def test_recursion_error_never_shows_pythons_words() -> None:
    text = message_for(RecursionError("maximum recursion depth exceeded while decoding"))
    assert text == "error: the input is nested too deeply for kctl"
