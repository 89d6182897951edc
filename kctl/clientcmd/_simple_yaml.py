"""A strict reader for the YAML that kubeconfig files are nearly always written in.

Importing PyYAML costs a small kubectl-like command more than everything else it does with a
kubeconfig, yet kubeconfigs are written by kubectl, cloud CLIs and installers in one plain
block style. This module reads that style (and JSON) and refuses everything else by raising
``NotSimple``; the caller then parses the document with PyYAML, which also owns every error
message. Whatever this module accepts, it must turn into exactly what PyYAML's safe loader
produces (tests/clientcmd/test_simple_yaml.py checks that property).

Accepted: block mappings and sequences (including go-yaml's sequences at the indentation of
their key), single-line plain, single- and double-quoted scalars, empty ``{}``/``[]``, full-line
comments. Plain scalars are typed as YAML 1.1 (PyYAML) does, but only for the unambiguous
cases: bool words, null, decimal integers and strings that cannot resolve to anything else;
anything that might be a float, another integer form, a timestamp, a merge key or a value key
is refused. Refused: flow collections with content, anchors, aliases, tags, block scalars,
multi-line scalars, complex or duplicate keys, tabs, CR line breaks, comments after a value,
directives and document markers, byte-order marks, non-UTF-8 and YAML's other line breaks.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NotSimple", "parse"]


class NotSimple(Exception):
    """The document is outside the subset; parse it with PyYAML."""


def _safe_text(text: str) -> bool:
    """No character PyYAML's reader rejects, nor one this reader does not handle (tab, CR,
    NEL, LS, PS, BOM). No regex: compiling a Unicode class costs more than a whole parse."""
    if text.isascii():
        return text.replace("\n", "").isprintable()
    for ch in set(text):
        code = ord(ch)
        if code < 0x80:
            if not (0x20 <= code <= 0x7E or ch == "\n"):
                return False
        elif not (
            (0xA0 <= code <= 0xD7FF and code not in (0x2028, 0x2029))
            or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
            or code >= 0x10000
        ):
            return False
    return True


_BOOLS = {
    "yes": True,
    "Yes": True,
    "YES": True,
    "no": False,
    "No": False,
    "NO": False,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    "on": True,
    "On": True,
    "ON": True,
    "off": False,
    "Off": False,
    "OFF": False,
}
_NULLS = {"~", "null", "Null", "NULL"}
# A superset of what YAML 1.1's float, int and timestamp patterns can match once a scalar
# starts with a sign, digit or dot: such a scalar is left to PyYAML.
_NUMBER_CHARS = frozenset("-+.0123456789_:abcdefABCDEFxXinfINFnaNtTZ ")
# Characters that cannot start a plain scalar (or start something this reader refuses).
_INDICATORS = frozenset("[]{}#&*!|>%@`,?:'\"<=")

_ESCAPES = {
    "0": "\x00",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}
_HEX = frozenset("0123456789abcdefABCDEF")


def parse(data: bytes) -> Any:
    """The document PyYAML's safe loader would build, or NotSimple."""
    if data[:3] == b"\xef\xbb\xbf" or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise NotSimple
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotSimple from None
    if not _safe_text(text):
        raise NotSimple
    if text.lstrip(" \n")[:1] == "{":
        return _parse_json(text)
    return _Block(text).document()


# YAML's simple keys end within 1024 characters of where they start; longer keys (escapes
# included, up to six characters per decoded one) are left to PyYAML.
_MAX_KEY = 150


def _reject_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs) or any(len(k) > _MAX_KEY for k, _ in pairs):
        raise NotSimple
    return out


def _reject(_text: str) -> Any:
    raise NotSimple


def _parse_json(text: str) -> Any:
    import json
    import re

    # YAML 1.1 reads "1e5" as a string and libyaml refuses lone surrogates, so floats and
    # surrogate escapes go to PyYAML; so does anything json rejects, for PyYAML's message.
    if re.search(r"\\u[dD][89a-fA-F]", text):
        raise NotSimple
    try:
        return json.loads(
            text, parse_float=_reject, parse_constant=_reject, object_pairs_hook=_reject_pairs
        )
    except ValueError:
        raise NotSimple from None


def _plain(text: str) -> Any:
    """A single-line plain scalar, typed as PyYAML's resolver would."""
    first = text[0]
    if first in _INDICATORS or (first == "-" and (len(text) == 1 or text[1] == " ")):
        raise NotSimple
    if " #" in text or ": " in text or text[-1] == ":":
        raise NotSimple
    if first in "yYnNtTfFoO":
        value = _BOOLS.get(text)
        if value is not None:
            return value
        if text in _NULLS:
            return None
    elif first == "~":
        if text == "~":
            return None
    elif first in "-+.0123456789":
        digits = text[1:] if first in "-+" else text
        if digits.isascii() and digits.isdigit() and (digits[0] != "0" or digits == "0"):
            return int(text)
        if _NUMBER_CHARS.issuperset(text):
            raise NotSimple
    return text


def _double_quoted(line: str, start: int) -> tuple[str, int]:
    """The scalar opening at ``line[start]`` and the index after its closing quote."""
    out: list[str] = []
    i = start + 1
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == '"':
            return "".join(out), i + 1
        if ch != "\\":
            j = i
            while j < n and line[j] not in '"\\':
                j += 1
            out.append(line[i:j])
            i = j
            continue
        if i + 1 >= n:
            break
        esc = line[i + 1]
        if esc in _ESCAPES:
            out.append(_ESCAPES[esc])
            i += 2
            continue
        width = _HEX_LENGTHS.get(esc)
        digits = line[i + 2 : i + 2 + width] if width else ""
        if not width or len(digits) != width or not _HEX.issuperset(digits):
            raise NotSimple
        code = int(digits, 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise NotSimple
        out.append(chr(code))
        i += 2 + width
    raise NotSimple


def _single_quoted(line: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    i = start + 1
    while True:
        j = line.find("'", i)
        if j < 0:
            raise NotSimple
        out.append(line[i:j])
        if line[j + 1 : j + 2] == "'":
            out.append("'")
            i = j + 2
            continue
        return "".join(out), j + 1


def _scalar(text: str) -> Any:
    """A whole value written on one line: a quoted or plain scalar, ``{}`` or ``[]``."""
    first = text[0]
    if first == '"' or first == "'":
        value, end = (_double_quoted if first == '"' else _single_quoted)(text, 0)
        if end != len(text):
            raise NotSimple
        return value
    if text == "{}":
        return {}
    if text == "[]":
        return []
    return _plain(text)


def _split_key(content: str) -> tuple[Any, str] | None:
    """``(key, rest)`` when the line is a ``key: ...`` entry, else None."""
    first = content[0]
    if first == '"' or first == "'":
        key, end = (_double_quoted if first == '"' else _single_quoted)(content, 0)
        rest = content[end:].lstrip(" ")
        if rest[:1] != ":":
            if rest:
                raise NotSimple
            return None
        if (len(rest) > 1 and rest[1] != " ") or end > _MAX_KEY:
            raise NotSimple
        return key, rest[1:].lstrip(" ")
    pos = content.find(": ")
    if pos < 0:
        if content[-1] != ":":
            return None
        pos = len(content) - 1
    raw = content[:pos].rstrip(" ")
    if not raw or pos > _MAX_KEY:
        raise NotSimple
    key = _plain(raw)
    return key, content[pos + 1 :].lstrip(" ")


class _Block:
    """Recursive descent over (indent, content) lines."""

    def __init__(self, text: str) -> None:
        lines: list[tuple[int, str]] = []
        for raw in text.split("\n"):
            content = raw.strip(" ")
            if not content or content[0] == "#":
                continue
            indent = len(raw) - len(raw.lstrip(" "))
            if indent == 0 and (content.startswith(("---", "...")) or content[0] == "%"):
                raise NotSimple
            lines.append((indent, content))
        self.lines = lines

    def document(self) -> Any:
        if not self.lines:
            return None
        value, i = self._node(0, 0)
        if i != len(self.lines):
            raise NotSimple
        return value

    def _indent(self, i: int) -> int:
        return self.lines[i][0] if i < len(self.lines) else -1

    def _node(self, i: int, min_indent: int) -> tuple[Any, int]:
        indent, content = self.lines[i]
        if content == "-" or content.startswith("- "):
            return self._sequence(i, indent)
        if _split_key(content) is not None:
            return self._mapping(i, indent, content)
        value = _scalar(content)
        if self._indent(i + 1) >= min_indent:
            raise NotSimple
        return value, i + 1

    def _value_after_key(self, i: int, indent: int, rest: str) -> tuple[Any, int]:
        """The value of the key on line ``i`` (``rest`` is what follows its colon)."""
        if rest:
            if rest[0] == "#":
                raise NotSimple
            if self._indent(i + 1) > indent:
                raise NotSimple
            return _scalar(rest), i + 1
        nxt = self._indent(i + 1)
        if nxt > indent:
            return self._node(i + 1, indent + 1)
        if nxt == indent:
            content = self.lines[i + 1][1]
            if content == "-" or content.startswith("- "):
                return self._sequence(i + 1, indent)
        return None, i + 1

    def _mapping(self, i: int, indent: int, content: str) -> tuple[dict[Any, Any], int]:
        """A block mapping whose first entry is ``content`` at column ``indent``."""
        out: dict[Any, Any] = {}
        while True:
            entry = _split_key(content)
            if entry is None:
                raise NotSimple
            key, rest = entry
            if key in out or isinstance(key, bool) or key is None:
                # Duplicate keys, and bool/null keys (True == 1 collides in a dict).
                raise NotSimple
            out[key], i = self._value_after_key(i, indent, rest)
            nxt = self._indent(i)
            if nxt < indent:
                return out, i
            if nxt > indent:
                raise NotSimple
            content = self.lines[i][1]
            if content == "-" or content.startswith("- "):
                raise NotSimple

    def _sequence(self, i: int, indent: int) -> tuple[list[Any], int]:
        out: list[Any] = []
        while i < len(self.lines):
            line_indent, content = self.lines[i]
            if line_indent != indent or not (content == "-" or content.startswith("- ")):
                break
            rest = content[1:].lstrip(" ")
            if not rest:
                nxt = self._indent(i + 1)
                if nxt > indent:
                    value, i = self._node(i + 1, indent + 1)
                else:
                    value, i = None, i + 1
            elif rest == "-" or rest.startswith("- ") or rest[0] == "#":
                raise NotSimple
            elif _split_key(rest) is not None:
                # "- key: value": a mapping at the column of its first key.
                column = indent + len(content) - len(rest)
                self.lines[i] = (column, rest)
                value, i = self._mapping(i, column, rest)
            else:
                if self._indent(i + 1) > indent:
                    raise NotSimple
                value, i = _scalar(rest), i + 1
            out.append(value)
        if self._indent(i) > indent:
            raise NotSimple
        return out, i
