"""YAML bytes as kubectl writes them: sigs.k8s.io/yaml, i.e. JSON re-read and written by go-yaml v2.

go-yaml v2's emitter is a port of libyaml, so scalar styles, quoting, line folding at 80
columns and indentation follow libyaml's rules; what gets quoted is decided by go-yaml's
resolver (a plain scalar that would read back as a bool, number, null or timestamp is
double-quoted). This is a small emitter for JSON-shaped data implementing those rules, with
no dependency on PyYAML.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from kctl.cli._printers._gojson import go_float, go_float_g

__all__ = ["dump", "dump_sequence_item", "needs_quotes"]

_BEST_INDENT = 2
_BEST_WIDTH = 80
_MAX_SIMPLE_KEY = 128

_PLAIN, _SINGLE, _DOUBLE, _LITERAL = range(4)

_RESOLVE_MAP = frozenset(
    [
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "true",
        "True",
        "TRUE",
        "on",
        "On",
        "ON",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "false",
        "False",
        "FALSE",
        "off",
        "Off",
        "OFF",
        "~",
        "null",
        "Null",
        "NULL",
        ".nan",
        ".NaN",
        ".NAN",
        ".inf",
        ".Inf",
        ".INF",
        "+.inf",
        "+.Inf",
        "+.INF",
        "-.inf",
        "-.Inf",
        "-.INF",
    ]
)
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?\Z")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})([.,][0-9]+)?")
_ZONE = re.compile(r"Z|[-+][0-9]{2}:[0-9]{2}")
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1


def _go_parse_uint(s: str) -> int | None:
    """strconv.ParseUint(s, 0, 64) with the underscores already removed."""
    if not s:
        return None
    base = 10
    if s[0] == "0":
        prefix = s[1:2].lower()
        if len(s) >= 3 and prefix in ("b", "o", "x"):
            base = {"b": 2, "o": 8, "x": 16}[prefix]
            s = s[2:]
        else:
            base = 8
            s = s[1:]
            if not s:
                return 0
    digits = "0123456789abcdef"[:base]
    if not s or any(c not in digits for c in s.lower()):
        return None
    value = int(s, base)
    return value if value <= _UINT64_MAX else None


def _go_parse_int(s: str) -> int | None:
    neg = s[:1] == "-"
    body = s[1:] if s[:1] in ("+", "-") else s
    value = _go_parse_uint(body)
    if value is None:
        return None
    if neg:
        return -value if value <= _INT64_MAX + 1 else None
    return value if value <= _INT64_MAX else None


def _days_in(month: int, year: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _valid_date(m: re.Match[str]) -> bool:
    year, month, day = (int(g) for g in m.groups())
    return 1 <= month <= 12 and 1 <= day <= _days_in(month, year)


def _is_timestamp(s: str) -> bool:
    """go-yaml v2's parseTimestamp: the four layouts it accepts, with time.Parse's range checks."""
    if len(s) < 5 or not s[:4].isdigit() or not s[:4].isascii() or s[4] != "-":
        return False
    date = _DATE.match(s)
    if date is None or not _valid_date(date):
        return False
    rest = s[date.end() :]
    if not rest:
        return True
    sep, rest = rest[0], rest[1:]
    if sep not in "Tt ":
        return False
    clock = _TIME.match(rest)
    if clock is None:
        return False
    hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3))
    if hour > 23 or minute > 59 or second > 59:
        return False
    rest = rest[clock.end() :]
    if sep == " ":
        return not rest
    return _ZONE.fullmatch(rest) is not None


def needs_quotes(s: str) -> bool:
    """Whether go-yaml v2 refuses a plain scalar for this string because it resolves to
    something other than a string (or is a YAML 1.1 base-60 float)."""
    if s == "" or s in _RESOLVE_MAP:
        return True
    c = s[0]
    if c == ".":
        return _DOT_FLOAT.match(s) is not None
    if c in "+-" or "0" <= c <= "9":
        if "0" <= c <= "9" and _is_timestamp(s):
            return True
        plain = s.replace("_", "")
        if _go_parse_int(plain) is not None or _go_parse_uint(plain) is not None:
            return True
        if _YAML_FLOAT.match(plain):
            return True
        if plain.startswith("0b") or plain.startswith("-0b"):
            digits = plain[plain.index("b") + 1 :]
            if digits and all(ch in "01" for ch in digits):
                return True
        return ":" in s and _BASE60.match(s) is not None
    return False


def _printable(cp: int) -> bool:
    return (
        cp == 0x0A
        or 0x20 <= cp <= 0x7E
        or 0xA0 <= cp <= 0xD7FF
        or (0xE000 <= cp <= 0xFFFD and cp != 0xFEFF)
    )


_BREAKS = "\r\n\x85\u2028\u2029"
_FLOW_BLOCK_FIRST = frozenset("#,[]{}&*!|>'\"%@`")


class _Analysis:
    __slots__ = ("block", "block_plain", "multiline", "single")

    def __init__(self, value: str) -> None:
        if not value:
            self.multiline = False
            self.block_plain = True
            self.single = True
            self.block = False
            return
        block_ind = False
        if value[:3] in ("---", "..."):
            block_ind = True
        leading_space = leading_break = trailing_space = trailing_break = False
        break_space = space_break = special = line_breaks = False
        prev_space = prev_break = False
        preceded_ws = True
        n = len(value)
        for i, ch in enumerate(value):
            followed_ws = i + 1 >= n or value[i + 1] in " \t"
            if i == 0:
                if ch in _FLOW_BLOCK_FIRST:
                    block_ind = True
                elif ch in "?:":
                    if followed_ws:
                        block_ind = True
                elif ch == "-" and followed_ws:
                    block_ind = True
            elif (ch == ":" and followed_ws) or (ch == "#" and preceded_ws):
                block_ind = True
            if not _printable(ord(ch)):
                special = True
            if ch == " ":
                if i == 0:
                    leading_space = True
                if i == n - 1:
                    trailing_space = True
                if prev_break:
                    break_space = True
                prev_space, prev_break = True, False
            elif ch in _BREAKS:
                line_breaks = True
                if i == 0:
                    leading_break = True
                if i == n - 1:
                    trailing_break = True
                if prev_space:
                    space_break = True
                prev_space, prev_break = False, True
            else:
                prev_space = prev_break = False
            preceded_ws = ch in " \t\x00" or ch in _BREAKS
        self.multiline = line_breaks
        block_plain = single = block = True
        if leading_space or leading_break or trailing_space or trailing_break:
            block_plain = False
        if trailing_space:
            block = False
        if break_space:
            block_plain = single = False
        if space_break or special:
            block_plain = single = block = False
        if line_breaks or block_ind:
            block_plain = False
        self.block_plain = block_plain
        self.single = single
        self.block = block


_ESCAPES = {
    0x00: "\\0",
    0x07: "\\a",
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0B: "\\v",
    0x0C: "\\f",
    0x0D: "\\r",
    0x1B: "\\e",
    0x22: '\\"',
    0x5C: "\\\\",
    0x85: "\\N",
    0xA0: "\\_",
    0x2028: "\\L",
    0x2029: "\\P",
}


def _escape(ch: str) -> str:
    cp = ord(ch)
    known = _ESCAPES.get(cp)
    if known is not None:
        return known
    if cp <= 0xFF:
        return f"\\x{cp:02X}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04X}"
    return f"\\U{cp:08X}"


def _letter(ch: str) -> bool:
    return ch.isalpha()


def _key_cmp(a: str, b: str) -> int:
    """go-yaml v2's keyList.Less for two string keys, as a three-way comparison."""
    if a == b:
        return 0
    return -1 if _key_less(a, b) else 1


def _wrap64(n: int) -> int:
    # go-yaml accumulates digit runs in an int64 that silently overflows.
    n &= (1 << 64) - 1
    return n - (1 << 64) if n >> 63 else n


def _key_less(a: str, b: str) -> bool:
    digits = False
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            digits = ca.isdigit()
            continue
        al, bl = _letter(ca), _letter(cb)
        if al and bl:
            return ca < cb
        if al or bl:
            # After a digit, letters sort first ("0b2" < "0_1"); otherwise last.
            return al if digits else bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdigit():
            an = _wrap64(an * 10 + int(a[ai]))
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdigit():
            bn = _wrap64(bn * 10 + int(b[bi]))
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


_SIMPLE_KEY = re.compile(r"[A-Za-z]*\Z")
_sort_key = functools.cmp_to_key(_key_cmp)


def _sorted_keys(mapping: dict[str, Any]) -> list[str]:
    keys = list(mapping)
    # Letters-only keys compare by code point under go-yaml's rules too.
    if all(_SIMPLE_KEY.match(k) for k in keys):
        keys.sort()
    else:
        keys.sort(key=_sort_key)
    return keys


def _number_text(value: int | float) -> str:
    """A JSON number as go-yaml writes it after reading kubectl's JSON back."""
    if isinstance(value, int):
        if -_INT64_MAX - 1 <= value <= _UINT64_MAX:
            return str(value)
        return go_float_g(float(value))
    text = go_float(value)
    if "." not in text and "e" not in text:
        as_int = int(text)
        if -_INT64_MAX - 1 <= as_int <= _UINT64_MAX:
            return text
    return go_float_g(float(text))


class _Emitter:
    """The subset of libyaml's emitter state that block-style output needs."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.column = 0
        self.whitespace = True
        self.indention = True
        self.indent = -1
        self.indents: list[int] = []

    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def put_break(self) -> None:
        self.out.append("\n")
        self.column = 0

    def increase_indent(self, flow: bool, indentless: bool) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = _BEST_INDENT if flow else 0
        elif not indentless:
            self.indent += _BEST_INDENT

    def pop_indent(self) -> None:
        self.indent = self.indents.pop()

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if (
            not self.indention
            or self.column > indent
            or (self.column == indent and not self.whitespace)
        ):
            self.put_break()
        if self.column < indent:
            self.put(" " * (indent - self.column))
        self.whitespace = True
        self.indention = True

    def write_indicator(
        self, indicator: str, need_whitespace: bool, is_whitespace: bool, is_indention: bool
    ) -> None:
        if need_whitespace and not self.whitespace:
            self.put(" ")
        self.put(indicator)
        self.whitespace = is_whitespace
        self.indention = self.indention and is_indention

    # -- nodes -------------------------------------------------------------------------------

    def node(self, value: Any, mapping_context: bool, simple_key: bool = False) -> None:
        if isinstance(value, dict):
            if not value:
                self.flow_empty("{", "}")
            else:
                self.block_mapping(value)
        elif isinstance(value, list):
            if not value:
                self.flow_empty("[", "]")
            else:
                self.block_sequence(value, mapping_context)
        elif isinstance(value, str):
            self.string(value, simple_key)
        else:
            if value is None:
                text = "null"
            elif value is True:
                text = "true"
            elif value is False:
                text = "false"
            elif isinstance(value, (int, float)):
                text = _number_text(value)
            else:
                raise TypeError(f"cannot write {type(value).__name__} as YAML")
            self.increase_indent(True, False)
            self.plain(text, allow_breaks=False)
            self.pop_indent()

    def flow_empty(self, start: str, end: str) -> None:
        self.write_indicator(start, True, True, False)
        self.write_indicator(end, False, False, False)

    def block_mapping(self, mapping: dict[str, Any]) -> None:
        self.increase_indent(False, False)
        for key in _sorted_keys(mapping):
            self.write_indent()
            analysis = _Analysis(key)
            if not analysis.multiline and len(key.encode()) <= _MAX_SIMPLE_KEY:
                self.string(key, True, analysis)
                self.write_indicator(":", False, False, False)
            else:
                self.write_indicator("?", True, False, True)
                self.string(key, False, analysis)
                self.write_indent()
                self.write_indicator(":", True, False, True)
            self.node(mapping[key], mapping_context=True)
        self.pop_indent()

    def block_sequence(self, items: list[Any], mapping_context: bool) -> None:
        self.increase_indent(False, mapping_context and not self.indention)
        for item in items:
            self.write_indent()
            self.write_indicator("-", True, False, True)
            self.node(item, mapping_context=False)
        self.pop_indent()

    def string(self, value: str, simple_key: bool, analysis: _Analysis | None = None) -> None:
        if analysis is None:
            analysis = _Analysis(value)
        if "\n" in value:
            style = _LITERAL
        elif needs_quotes(value):
            style = _DOUBLE
        else:
            style = _PLAIN
        if simple_key and analysis.multiline:
            style = _DOUBLE
        if style == _PLAIN and not analysis.block_plain:
            style = _SINGLE
        if style == _SINGLE and not analysis.single:
            style = _DOUBLE
        if style == _LITERAL and (not analysis.block or simple_key):
            style = _DOUBLE
        self.increase_indent(True, False)
        allow_breaks = not simple_key
        if style == _PLAIN:
            self.plain(value, allow_breaks)
        elif style == _SINGLE:
            self.single_quoted(value, allow_breaks)
        elif style == _DOUBLE:
            self.double_quoted(value, allow_breaks)
        else:
            self.literal(value)
        self.pop_indent()

    # -- scalar writers ----------------------------------------------------------------------

    def plain(self, value: str, allow_breaks: bool) -> None:
        if value and not self.whitespace:
            self.put(" ")
        if not allow_breaks or " " not in value:
            self.put(value)
        else:
            spaces = False
            n = len(value)
            for i, ch in enumerate(value):
                if ch == " ":
                    nxt = value[i + 1] if i + 1 < n else ""
                    if not spaces and self.column > _BEST_WIDTH and nxt != " ":
                        self.write_indent()
                    else:
                        self.put(ch)
                    spaces = True
                else:
                    self.put(ch)
                    self.indention = False
                    spaces = False
        self.whitespace = False
        self.indention = False

    def single_quoted(self, value: str, allow_breaks: bool) -> None:
        self.write_indicator("'", True, False, False)
        spaces = breaks = False
        n = len(value)
        for i, ch in enumerate(value):
            if ch == " ":
                nxt = value[i + 1] if i + 1 < n else ""
                if (
                    allow_breaks
                    and not spaces
                    and self.column > _BEST_WIDTH
                    and 0 < i < n - 1
                    and nxt != " "
                ):
                    self.write_indent()
                else:
                    self.put(ch)
                spaces = True
            elif ch in _BREAKS:
                if not breaks and ch == "\n":
                    self.put_break()
                if ch == "\n":
                    self.put_break()
                else:
                    self.out.append(ch)
                    self.column = 0
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                if ch == "'":
                    self.put("'")
                self.put(ch)
                self.indention = False
                spaces = breaks = False
        self.write_indicator("'", False, False, False)

    def double_quoted(self, value: str, allow_breaks: bool) -> None:
        self.write_indicator('"', True, False, False)
        spaces = False
        n = len(value)
        # go-yaml's BOM test looks at the start of the value, not at the current character,
        # so a leading BOM gets every character escaped.
        escape_all = value.startswith("\ufeff")
        for i, ch in enumerate(value):
            cp = ord(ch)
            if escape_all or not _printable(cp) or ch in _BREAKS or ch in '"\\':
                self.put(_escape(ch))
                spaces = False
            elif ch == " ":
                if allow_breaks and not spaces and self.column > _BEST_WIDTH and 0 < i < n - 1:
                    self.write_indent()
                    if i + 1 < n and value[i + 1] == " ":
                        self.put("\\")
                else:
                    self.put(ch)
                spaces = True
            else:
                self.put(ch)
                spaces = False
        self.write_indicator('"', False, False, False)

    def literal(self, value: str) -> None:
        self.write_indicator("|", True, False, False)
        if value[0] == " " or value[0] in _BREAKS:
            self.write_indicator(str(_BEST_INDENT), False, False, False)
        last = value[-1]
        if last not in _BREAKS:
            self.write_indicator("-", False, False, False)
        elif len(value) == 1 or value[-2] in _BREAKS:
            self.write_indicator("+", False, False, False)
        self.put_break()
        self.indention = True
        self.whitespace = True
        breaks = True
        for ch in value:
            if ch in _BREAKS:
                if ch == "\n":
                    self.put_break()
                else:
                    self.out.append(ch)
                    self.column = 0
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                    breaks = False
                self.put(ch)
                self.indention = False

    def document(self, value: Any) -> str:
        self.node(value, mapping_context=False)
        # Document end: libyaml's write_indent at indent 0 ends the last line.
        self.indent = -1
        self.write_indent()
        return "".join(self.out)


# -- the fast path -------------------------------------------------------------------------------
#
# Block style for JSON-shaped data boils down to lines of "<indent><key>: <scalar>", "- " leads
# and indentless sequences under mapping keys. Only folding at column 80 (plain and quoted
# scalars with spaces) and literal block scalars depend on where a scalar starts; everything
# else about a string's rendering depends on the string alone and is cached. Those rare scalars
# go through the emitter above, given the state it would have at that point; mappings with
# keys the emitter writes as complex keys ("? ...") make the whole document go through it.

# Bounded, so that a long listing cannot grow them (or keep its strings alive) without end.
_CACHE_LIMIT = 1 << 16
_CACHED_LENGTH = 256
# Strings that are plain scalars as they are, unless the resolver reads them as non-strings:
# printable ASCII, no indicator first, no ":" last, no tab, no quote (so quoting needs no
# escapes). Spaces are checked for ": " and " #" separately.
_SAFE = re.compile(r"[A-Za-z0-9_/](?:[ !#-~]*[!#-9;-~])?\Z")
_MAX_FAST_INDENT = 200
# The common case of _SAFE: a letter first, so only _RESOLVE_MAP's words resolve to non-strings.
_PLAIN_WORD = re.compile(r"[A-Za-z_/](?:[!#-~]*[!#-9;-~])?\Z")
_PADS = [" " * n for n in range(_MAX_FAST_INDENT + 2)]
_keys: dict[str, str | None] = {}
_values: dict[str, str] = {}
_orders: dict[tuple[str, ...], list[str]] = {}


class _Complex(Exception):
    """A document the fast path leaves to the emitter."""


def _safe(s: str) -> bool:
    return _SAFE.match(s) is not None and (" " not in s or (": " not in s and " #" not in s))


def _key_text(key: str) -> str:
    text = _keys.get(key)
    if text is None:
        if key in _keys:
            raise _Complex
        if len(key) > _MAX_SIMPLE_KEY:
            text = None
        elif _safe(key):
            text = '"' + key + '"' if needs_quotes(key) else key
        else:
            analysis = _Analysis(key)
            if analysis.multiline or len(key.encode()) > _MAX_SIMPLE_KEY:
                text = None
            else:
                emitter = _Emitter()
                emitter.string(key, True, analysis)
                text = "".join(emitter.out)
        if len(key) <= _CACHED_LENGTH:
            if len(_keys) >= _CACHE_LIMIT:
                _keys.clear()
            _keys[key] = text
        if text is None:
            raise _Complex
    return text


def _value_text(value: str) -> str:
    """The string as a scalar written where it does not fold; "" if its text depends on the
    position anyway (line breaks, block scalars)."""
    text = _values.get(value)
    if text is None:
        if _safe(value):
            text = '"' + value + '"' if needs_quotes(value) else value
        elif (" " in value and len(value) > _BEST_WIDTH) or any(b in value for b in _BREAKS):
            text = ""
        else:
            emitter = _Emitter()
            emitter.column = 1
            emitter.whitespace = False
            emitter.node(value, mapping_context=False)
            text = "".join(emitter.out)[1:]
            if any(ch in _BREAKS for ch in text):
                text = ""
        if len(value) <= _CACHED_LENGTH:
            if len(_values) >= _CACHE_LIMIT:
                _values.clear()
            _values[value] = text
    return text


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is int or kind is float:
        return _number_text(value)
    raise _Complex


def _positioned(value: Any, indent: int, column: int, after_dash: bool) -> str:
    """A scalar written by the emitter at this point, with the line end it would write next."""
    emitter = _Emitter()
    emitter.indent = indent
    emitter.column = column
    emitter.whitespace = False
    emitter.indention = after_dash
    emitter.node(value, mapping_context=False)
    # Only a literal ending in a line break leaves the emitter at the start of a line.
    return "".join(emitter.out) + ("" if emitter.indention else "\n")


def _fast_mapping(mapping: dict[str, Any], indent: int, lead: str, out: list[str]) -> None:
    shape = tuple(mapping)
    order = _orders.get(shape)
    if order is None:
        order = _sorted_keys(mapping)
        if len(_orders) >= _CACHE_LIMIT:
            _orders.clear()
        _orders[shape] = order
    if indent >= _MAX_FAST_INDENT:
        raise _Complex
    pad = _PADS[indent]
    prefix = lead
    key_get = _keys.get
    value_get = _values.get
    plain = _PLAIN_WORD.match
    for key in order:
        key_text = key_get(key)
        if key_text is None:
            key_text = _key_text(key)
        value = mapping[key]
        kind = type(value)
        if kind is str:
            text = value_get(value)
            if text is None:
                # Most unique strings (names, uids, values) are plain as they are: no caching.
                text = value if plain(value) and value not in _RESOLVE_MAP else _value_text(value)
            if text and (" " not in value or indent + len(key_text) + len(text) < 79):
                out.append(f"{prefix}{key_text}: {text}\n")
            else:
                out.append(prefix + key_text + ":")
                out.append(_positioned(value, indent, indent + len(key_text) + 1, False))
        elif kind is dict:
            if value:
                out.append(f"{prefix}{key_text}:\n")
                _fast_mapping(value, indent + 2, _PADS[indent + 2], out)
            else:
                out.append(f"{prefix}{key_text}: {{}}\n")
        elif kind is list:
            if value:
                out.append(f"{prefix}{key_text}:\n")
                _fast_sequence(value, indent, pad, out)
            else:
                out.append(f"{prefix}{key_text}: []\n")
        else:
            out.append(f"{prefix}{key_text}: {_scalar_text(value)}\n")
        prefix = pad


def _fast_sequence(items: list[Any], indent: int, lead: str, out: list[str]) -> None:
    if indent >= _MAX_FAST_INDENT:
        raise _Complex
    pad = _PADS[indent] + "- "
    prefix = lead + "- "
    for value in items:
        kind = type(value)
        if kind is dict:
            if value:
                _fast_mapping(value, indent + 2, prefix, out)
            else:
                out.append(prefix + "{}\n")
        elif kind is list:
            if value:
                _fast_sequence(value, indent + 2, prefix, out)
            else:
                out.append(prefix + "[]\n")
        elif kind is str:
            text = _values.get(value)
            if text is None:
                text = (
                    value
                    if _PLAIN_WORD.match(value) and value not in _RESOLVE_MAP
                    else _value_text(value)
                )
            if text and (" " not in value or indent + len(text) < 79):
                out.append(prefix + text + "\n")
            else:
                out.append(prefix[:-1])
                out.append(_positioned(value, indent, indent + 1, True))
        else:
            out.append(prefix + _scalar_text(value) + "\n")
        prefix = pad


def _fast(value: Any, in_sequence: bool) -> str | None:
    out: list[str] = []
    try:
        if in_sequence:
            _fast_sequence([value], 0, "", out)
        elif type(value) is dict and value:
            _fast_mapping(value, 0, "", out)
        elif type(value) is list and value:
            _fast_sequence(value, 0, "", out)
        else:
            return None
    except _Complex:
        return None
    return "".join(out)


def dump(value: Any) -> str:
    """yaml.Marshal of a JSON-shaped value, as sigs.k8s.io/yaml produces it."""
    fast = _fast(value, in_sequence=False)
    return fast if fast is not None else _Emitter().document(value)


def dump_sequence_item(value: Any) -> str:
    """One entry of a top-level block sequence (``- ...``), as a streamed List's item.

    Emitted in place rather than re-indented so that folding at column 80 lands where it
    would in the whole document."""
    fast = _fast(value, in_sequence=True)
    return fast if fast is not None else _emit_sequence_item(value)


def _emit_sequence_item(value: Any) -> str:
    emitter = _Emitter()
    emitter.indent = 0
    emitter.write_indicator("-", True, False, True)
    emitter.node(value, mapping_context=False)
    emitter.indent = -1
    emitter.write_indent()
    return "".join(emitter.out)
