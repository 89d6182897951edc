"""JSON bytes as Go's encoding/json writes them for kubectl's unstructured objects.

Python's C encoder already sorts keys like Go (code point order equals UTF-8 byte order) and
escapes control characters the same way; what differs is the HTML-safe escaping Go adds and
the formatting of float64 values, both patched up here without a Python-level walk over the
(usually float-free) object.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from itertools import chain
from json.encoder import c_encode_basestring, c_make_encoder  # type: ignore[attr-defined]
from typing import Any

__all__ = ["go_float", "go_float_g", "marshal", "marshal_indent", "marshal_indent_at"]

_GO_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))
_LS_PS = (("\u2028", "\\u2028"), ("\u2029", "\\u2029"))

# A float token as Python's repr writes it. In indented output every scalar sits at the end
# of its line (strings cannot hold a raw newline), so a number is recognised by its position:
# after the indentation of an array element or after '": ', and followed only by a comma.
_INDENTED_FLOAT_PATTERN = r"(?<= )(-?[0-9]+\.[0-9]+(?:e[-+][0-9]+)?|-?[0-9]+e[-+][0-9]+)(?=,?$)"


@functools.cache
def _indented_float() -> re.Pattern[str]:
    # Compiled on first use: only the slow path needs it, and start-up should not pay.
    return re.compile(_INDENTED_FLOAT_PATTERN, re.MULTILINE)


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


# -- json.dumps(indent=4, sort_keys=True) at C speed --------------------------------------------
#
# Python's C encoder has no indentation (before 3.13), but given the item separator
# ",\n" + indentation it writes a container without nested containers exactly as the indenting
# encoder would, except for the newline after the opening and before the closing bracket, which
# slicing fixes. A container with nested values is encoded once with a placeholder string in
# place of each nested value (so the C encoder still sorts keys and writes every scalar), then
# the placeholders are replaced by the nested values' own text. Python code thus runs once per
# container, not once per value. Floats are nested values too: they need Go's formatting.

_SCALARS = frozenset((str, int, bool, type(None)))
_PLACEHOLDER = "\x00"
_PLACEHOLDER_JSON = '"\\u0000"'
_NEWLINES: list[str] = []
_FLAT: list[Callable[[Any, int], Sequence[str]]] = []


def _grow(depth: int) -> None:
    """Newline+indentation strings and flat encoders for depths up to ``depth``."""
    make = c_make_encoder
    assert make is not None
    while len(_NEWLINES) <= depth + 1:
        _NEWLINES.append("\n" + "    " * len(_NEWLINES))
    while len(_FLAT) <= depth:
        separator = "," + _NEWLINES[len(_FLAT) + 1]
        _FLAT.append(
            make(None, None, c_encode_basestring, None, ": ", separator, True, False, True)
        )


_INF = float("inf")


def _json_float(value: float) -> str:
    if value != value or value in (_INF, -_INF):
        # Not JSON; json.dumps's spelling, as the straightforward encoder would write it.
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    return go_float(value)


def _value(value: Any, depth: int) -> str:
    kind = type(value)
    if kind is dict:
        return _dict(value, depth) if value else "{}"
    if kind is list:
        return _list(value, depth) if value else "[]"
    if kind is str:
        text: str = c_encode_basestring(value)
        return text
    if kind is float:
        return _json_float(value)
    if isinstance(value, dict):
        return _dict(value, depth) if value else "{}"
    if isinstance(value, (list, tuple)):
        return _list(value, depth) if value else "[]"
    if isinstance(value, float):
        return _json_float(float(value))
    return _FLAT[depth](value, 0)[0]


def _dict(obj: dict[str, Any], depth: int) -> str:
    if len(_FLAT) <= depth + 1:
        _grow(depth + 1)
    newline, inner = _NEWLINES[depth], _NEWLINES[depth + 1]
    if set(map(type, obj.values())) <= _SCALARS:
        text = _FLAT[depth](obj, 0)[0]
        return "{" + inner + text[1:-1] + newline + "}"
    nested = [k for k, v in obj.items() if type(v) not in _SCALARS]
    stand_in = dict(obj)
    for key in nested:
        stand_in[key] = _PLACEHOLDER
    parts = _FLAT[depth](stand_in, 0)[0].split(_PLACEHOLDER_JSON)
    if len(parts) != len(nested) + 1:
        # A real "\x00" string collides with the placeholder: one key at a time instead.
        return _dict_by_key(obj, depth)
    nested.sort()
    pieces = ["{", inner, parts[0][1:]]
    for key, part in zip(nested, parts[1:], strict=True):
        pieces.append(_value(obj[key], depth + 1))
        pieces.append(part)
    pieces[-1] = pieces[-1][:-1]
    pieces.append(newline)
    pieces.append("}")
    return "".join(pieces)


def _dict_by_key(obj: dict[str, Any], depth: int) -> str:
    inner = _NEWLINES[depth + 1]
    items = [c_encode_basestring(k) + ": " + _value(obj[k], depth + 1) for k in sorted(obj)]
    return "{" + inner + ("," + inner).join(items) + _NEWLINES[depth] + "}"


_DICT_ONLY = {dict}


def _flat_values(dicts: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> bool:
    return set(map(type, chain.from_iterable(map(dict.values, dicts)))) <= _SCALARS


def _list(items: list[Any] | tuple[Any, ...], depth: int) -> str:
    if len(_FLAT) <= depth + 2:
        _grow(depth + 2)
    newline, inner = _NEWLINES[depth], _NEWLINES[depth + 1]
    kinds = set(map(type, items))
    if kinds <= _SCALARS:
        text = _FLAT[depth](items, 0)[0]
        return "[" + inner + text[1:-1] + newline + "]"
    if kinds == _DICT_ONLY and all(items) and _flat_values(items):
        # One C call for the whole list, encoded a level deeper; only the boundaries between
        # elements ("},<indent>{", which no flat element contains) need their own lines.
        innermost = _NEWLINES[depth + 2]
        text = _FLAT[depth + 1](items, 0)[0]
        text = text.replace("}," + innermost + "{", inner + "}," + inner + "{" + innermost)
        return "[" + inner + "{" + innermost + text[2:-2] + inner + "}" + newline + "]"
    return "[" + inner + ("," + inner).join([_value(v, depth + 1) for v in items]) + newline + "]"


def _indented_c(obj: Any, depth: int) -> str:
    if len(_FLAT) <= depth + 2:
        _grow(depth + 2)
    return _value(obj, depth)


def _c_encoder_usable() -> bool:
    if c_make_encoder is None or c_encode_basestring is None:
        return False
    _grow(2)
    sample = {"b": [1, {"x": 1.5, "y": {}}], "a": "\x00<"}
    return _indented_c(sample, 0) == json.dumps(sample, indent=4, sort_keys=True)


_indented: Callable[[Any, int], str] | None = _indented_c if _c_encoder_usable() else None


def _marshal_indent_slow(obj: Any, indent: int, sort_keys: bool) -> str:
    text = json.dumps(obj, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
    if "." in text or "e" in text:
        text = _indented_float().sub(_fix_float, text)
    return text


def marshal_indent(obj: Any, indent: int = 4, sort_keys: bool = True) -> str:
    """json.MarshalIndent(obj, "", indent spaces) without the trailing newline.

    ``sort_keys=False`` keeps the dicts' order, for Go structs printed in field order."""
    if indent == 4 and sort_keys and _indented is not None:
        return _go_escape(_indented(obj, 0))
    return _go_escape(_marshal_indent_slow(obj, indent, sort_keys))


def marshal_indent_at(obj: Any, depth: int) -> str:
    """marshal_indent(obj) as it reads nested ``depth`` levels deep in an indented document:
    continuation lines carry ``depth`` extra indents, the first line none."""
    if _indented is not None:
        return _go_escape(_indented(obj, depth))
    return marshal_indent(obj).replace("\n", "\n" + "    " * depth)


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
