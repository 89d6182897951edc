"""Go encoding/json's syntax error texts, which kubectl prints for a 2xx body that isn't JSON."""

from __future__ import annotations

import pytest

from kctl.rest._gojson import syntax_error


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"this is not json", "invalid character 'h' in literal true (expecting 'r')"),
        (b'{"kind":"PodList","it', "unexpected end of JSON input"),
        (b"", "unexpected end of JSON input"),
        (b"nul", "unexpected end of JSON input"),
        (b'{"a" 1}', "invalid character '1' after object key"),
        (b'{"a":1 x', "invalid character 'x' after object key:value pair"),
        (b"[1 2]", "invalid character '2' after array element"),
        (b"{x", "invalid character 'x' looking for beginning of object key string"),
        (b'"a\x01"', "invalid character '\\x01' in string literal"),
        (b'"\\q"', "invalid character 'q' in string escape code"),
        (b'"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"),
        (b"-x", "invalid character 'x' in numeric literal"),
        (b"1.x", "invalid character 'x' after decimal point in numeric literal"),
        (b"1ex", "invalid character 'x' in exponent of numeric literal"),
        (b"01", "invalid character '1' after top-level value"),
        (b"<html>", "invalid character '<' looking for beginning of value"),
        (b"'", "invalid character '\\'' looking for beginning of value"),
        (b"fals0", "invalid character '0' in literal false (expecting 'e')"),
    ],
)
def test_syntax_error_text(data: bytes, text: str) -> None:
    assert syntax_error(data) == text


@pytest.mark.parametrize("data", [b"{}", b' {"a": [1, -2.5e+3, "\\u00e9", true, null]} \n', b"5"])
def test_valid_json_has_no_error(data: bytes) -> None:
    assert syntax_error(data) is None
