"""``-o kyaml``: sigs.k8s.io/yaml's KYAML encoder, as kubectl 1.37 prints objects with it.

KYAML is YAML written like JSON: flow mappings and sequences over several lines, every
string value double-quoted, keys bare unless they could read as something else. kubectl
encodes the object to JSON and renders the YAML node tree of that JSON, so numbers keep
their JSON spelling.

This is the one YAML writer kctl keeps by hand: PyYAML's emitter writes a flow collection on
one line with no comma after its last entry, and cannot be told to put each entry on its own
line ending in a comma (tests/cli/printers/test_kyaml.py,
``test_pyyaml_cannot_write_kyaml``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from kctl.cli._printers._gojson import go_float

__all__ = ["KYAMLError", "dump"]


class KYAMLError(ValueError):
    """What the YAML parser inside the encoder refuses, in its words."""


_FOLD = "\\\n"
_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\r": "\\r",
    "\v": "\\v",
    "\x00": "\\0",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
_SEXAGESIMAL = re.compile(r"^[+-]?[1-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_GO_INT = re.compile(r"^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|0[bB][01]+|[1-9][0-9]*)$")
_GO_FLOAT = re.compile(
    r"^[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
    r"|0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+"
    r"|inf|infinity|nan)$",
    re.IGNORECASE,
)
# Characters JSON leaves raw that YAML does not allow in a stream.
_NOT_ALLOWED = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
_NEL_RUN = re.compile(r"[ \t]*(\x85[ \t]*)+")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_DATE_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"([Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
    r"| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?)$"
)


def dump(obj: Any, sort_keys: bool = True) -> str:
    """One object as a KYAML document: ``---``, the value, a newline.

    Keys are sorted as json.Marshal sorts a map's; ``sort_keys=False`` keeps the dicts'
    order, for what Go marshals from a struct.
    """
    out: list[str] = ["---\n"]
    _render(obj, 0, out, sort_keys)
    out.append("\n")
    return "".join(out)


def _render(value: Any, indent: int, out: list[str], sort_keys: bool) -> None:
    if isinstance(value, dict):
        _mapping(value, indent, out, sort_keys)
    elif isinstance(value, list):
        _sequence(value, indent, out, sort_keys)
    elif value is None:
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(go_float(value))
    else:
        out.append(_string(str(value), indent + 1, lazy=False, compact=False))


def _mapping(value: dict[str, Any], indent: int, out: list[str], sort_keys: bool) -> None:
    if not value:
        out.append("{}")
        return
    out.append("{\n")
    pad = "  " * (indent + 1)
    for key in sorted(value) if sort_keys else value:
        out.append(pad + _string(key, indent + 1, lazy=True, compact=True) + ": ")
        _render(value[key], indent + 1, out, sort_keys)
        out.append(",\n")
    out.append("  " * indent + "}")


def _sequence(value: list[Any], indent: int, out: list[str], sort_keys: bool) -> None:
    if not value:
        out.append("[]")
        return
    if all(isinstance(item, (dict, list)) for item in value):
        # Mappings and sequences "cuddle": [{ ... }, { ... }].
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(", ")
            _render(item, indent, out, sort_keys)
        out.append("]")
        return
    out.append("[\n" + "  " * indent)
    for item in value:
        out.append("  ")
        _render(item, indent + 1, out, sort_keys)
        out.append(",\n" + "  " * indent)
    out.append("]")


def _nel(match: re.Match[str]) -> str:
    breaks = match.group(0).count("\x85")
    return " " if breaks == 1 else "\n" * (breaks - 1)


def _string(text: str, indent: int, *, lazy: bool, compact: bool) -> str:
    if _NOT_ALLOWED.search(text):
        raise KYAMLError("error decoding: yaml: control characters are not allowed")
    if "\x85" in text:
        # JSON leaves U+0085 raw, and the YAML parser reads it as a line break inside a
        # quoted string: folded like one, into a space.
        text = _NEL_RUN.sub(_nel, text)
    multi = "\n" in text
    if lazy and not multi and not _needs_quotes(text):
        return text
    buf = ['"']
    # A folded string opens with a line break: its first line is indented too.
    after_newline = multi and not compact
    if after_newline:
        buf.append(_FOLD)
    for ch in text:
        if after_newline:
            buf.append("  " * indent)
            buf.append("\\" if ch.isspace() and ch != "\n" else " ")
        piece = _escape(ch, compact)
        buf.append(piece)
        after_newline = piece.endswith("\n")
    if multi and not compact:
        if not after_newline:
            buf.append(_FOLD)
        buf.append("  " * indent)
    buf.append('"')
    return "".join(buf)


def _escape(ch: str, compact: bool) -> str:
    if ch == "\n":
        return "\\n" if compact else "\\n" + _FOLD
    if ch == "\t":
        return "\\t" if compact else "\t"
    if ch in ('"', "\\"):
        return "\\" + ch
    if ch.isprintable():
        return ch
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if 0xD800 <= code < 0xE000:
        code = 0xFFFD
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _needs_quotes(text: str) -> bool:
    if not text or _ambiguous(text):
        return True
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch == "_" or unicodedata.category(ch)[0] in "LN":
            continue
        if 0 < i < last and ch in "-./":
            continue
        return True
    return False


def _ambiguous(text: str) -> bool:
    """A string YAML could read as null, a bool, a number or a timestamp."""
    lower = text.lower()
    if len(text) <= 5 and lower in ("null", "~", "", "true", "y", "yes", "on", "false", "n", "no"):
        return True
    if len(text) <= 5 and lower in ("off", ".inf", "-.inf", "+.inf", ".nan"):
        return True
    if text in ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"):
        return True
    bare = text.replace("_", "")
    if _GO_INT.match(bare) and _fits_int64(bare):
        return True
    if _GO_FLOAT.match(bare) and _finite_or_named(bare):
        return True
    if _SEXAGESIMAL.match(text):
        return True
    return _timestamp(text)


def _fits_int64(text: str) -> bool:
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    base = 10
    if body[:2].lower() in ("0x", "0o", "0b"):
        base, body = {"x": 16, "o": 8, "b": 2}[body[1].lower()], body[2:]
    elif body.startswith("0") and len(body) > 1:
        base, body = 8, body[1:]
    value = sign * int(body or "0", base)
    return -(1 << 63) <= value < (1 << 63)


def _finite_or_named(text: str) -> bool:
    """strconv.ParseFloat succeeds: named values do, overflow does not."""
    body = text.lstrip("+-").lower()
    if body in ("inf", "infinity", "nan"):
        return True
    try:
        value = float.fromhex(text) if "x" in body else float(text)
    except (ValueError, OverflowError):
        return False
    return value not in (float("inf"), float("-inf"))


def _timestamp(text: str) -> bool:
    match = _DATE.match(text)
    if match:
        try:
            date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return False
        return True
    return bool(_DATE_TIME.match(text))
