"""JSON bytes as Go's encoding/json writes them for kubectl's unstructured objects.

Python's C encoder already sorts keys like Go (code point order equals UTF-8 byte order) and
escapes control characters the same way; what differs is the HTML-safe escaping Go adds and
the formatting of float64 values, both patched up here without a Python-level walk over the
(usually float-free) object.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["go_float", "go_float_g", "marshal", "marshal_indent"]

_GO_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))
_LS_PS = (("\u2028", "\\u2028"), ("\u2029", "\\u2029"))

# A float token as Python's repr writes it. In indented output every scalar sits at the end
# of its line (strings cannot hold a raw newline), so a number is recognised by its position:
# after the indentation of an array element or after '": ', and followed only by a comma.
_INDENTED_FLOAT = re.compile(
    r"(?<= )(-?[0-9]+\.[0-9]+(?:e[-+][0-9]+)?|-?[0-9]+e[-+][0-9]+)(?=,?$)", re.MULTILINE
)


def _shortest(f: float) -> tuple[str, int]:
    """Shortest round-trip digits and decimal point position: f == 0.DIGITS * 10**dp."""
    text = repr(abs(f))
    exp = 0
    if "e" in text:
        text, e = text.split("e")
        exp = int(e)
    whole, _, frac = text.partition(".")
    digits = (whole + frac).lstrip("0")
    if not digits:
        return "0", 1
    dp = len(whole) + exp - (len(whole + frac) - len((whole + frac).lstrip("0")))
    return digits.rstrip("0") or "0", dp


def _format_f(digits: str, dp: int) -> str:
    if dp <= 0:
        return "0." + "0" * -dp + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


def _format_e(digits: str, dp: int, min_exp_digits: int) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    exp = dp - 1
    sign = "-" if exp < 0 else "+"
    return f"{mantissa}e{sign}{abs(exp):0{min_exp_digits}d}"


def go_float(f: float) -> str:
    """A float64 as encoding/json writes it ('f' form, exponent outside [1e-6, 1e21))."""
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    digits, dp = _shortest(f)
    sign = "-" if f < 0 else ""
    if 1e-6 <= abs(f) < 1e21:
        return sign + _format_f(digits, dp)
    # Go writes 'e' with at least two exponent digits and then trims "e-07" to "e-7".
    text = _format_e(digits, dp, 2)
    if text[-4:-1] == "e-0":
        text = text[:-2] + text[-1]
    return sign + text


def go_float_g(f: float) -> str:
    """A float64 as fmt's %v / strconv 'g' with shortest precision writes it."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    digits, dp = _shortest(f)
    sign = "-" if f < 0 else ""
    exp = dp - 1
    # Shortest precision decides between %e and %f as if the precision were 6.
    if exp < -4 or exp >= 6:
        return sign + _format_e(digits, dp, 2)
    return sign + _format_f(digits, dp)


def _fix_float(match: re.Match[str]) -> str:
    return go_float(float(match.group(1)))


def _go_escape(text: str) -> str:
    for old, new in _GO_ESCAPES:
        if old in text:
            text = text.replace(old, new)
    if "\u2028" in text or "\u2029" in text:
        for old, new in _LS_PS:
            text = text.replace(old, new)
    return text


def marshal_indent(obj: Any, indent: int = 4, sort_keys: bool = True) -> str:
    """json.MarshalIndent(obj, "", indent spaces) without the trailing newline.

    ``sort_keys=False`` keeps the dicts' order, for Go structs printed in field order."""
    text = json.dumps(obj, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
    text = _go_escape(text)
    if "." in text or "e" in text:
        text = _INDENTED_FLOAT.sub(_fix_float, text)
    return text


class _Float:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _replace_floats(obj: Any, found: list[str]) -> Any:
    if isinstance(obj, float):
        found.append(go_float(obj))
        return _Float(found[-1])
    if isinstance(obj, dict):
        # Sorted, so that the floats are found in the order the encoder writes them.
        return {k: _replace_floats(obj[k], found) for k in sorted(obj)}
    if isinstance(obj, list):
        return [_replace_floats(v, found) for v in obj]
    return obj


def marshal(obj: Any) -> str:
    """json.Marshal(obj): compact, sorted, HTML-escaped."""
    found: list[str] = []
    prepared = _replace_floats(obj, found)
    if not found:
        return _go_escape(
            json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        )
    # Floats go through a marker string that no JSON text can contain unescaped.
    marker = "\x00F\x00"

    def default(o: Any) -> Any:
        if isinstance(o, _Float):
            return marker
        raise TypeError(f"unsupported type {type(o).__name__}")

    text = json.dumps(
        prepared, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=default
    )
    parts = text.split('"\\u0000F\\u0000"')
    out = [parts[0]]
    for number, rest in zip(found, parts[1:], strict=True):
        out.append(number)
        out.append(rest)
    return _go_escape("".join(out))
