"""YAML bytes as kubectl writes them: sigs.k8s.io/yaml, i.e. JSON re-read and written by go-yaml v2.

go-yaml v2's emitter and PyYAML's (libyaml's, with the C extension) are both ports of libyaml,
so PyYAML writes the text: scalar styles and their analysis, escapes, folding at 80 columns,
indentation and sequences at their key's column. What is go-yaml's own is said to PyYAML here:

- which style a string asks for (go-yaml's encoder: literal when it holds a line break,
  double-quoted when go-yaml's resolver would read it back as something else, else plain);
- the order of keys (go-yaml's keyList.Less, which compares digit runs as numbers);
- numbers as Go formats them after the JSON round trip, and NEL read back as go-yaml reads
  it from kubectl's JSON (``_reread``).

go-yaml quirks that libyaml (and so PyYAML) does otherwise are put back by hand, each named
in tests/cli/printers/test_fast_encoders.py (GO_YAML_QUIRKS) and checked against kubectl:

- go-yaml's double-quoted writer tests for a byte-order mark at the start of the string rather
  than at each character, so a string that starts with U+FEFF has every character escaped;
  libyaml escapes the mark alone (``_bom_quoted``);
- a single-quoted string that ends in a line break (U+2028, U+2029: "\n" asks for a literal)
  gets its closing quote right after the break in go-yaml, where libyaml indents it first
  (``_Representer.trailing_break``);
- libyaml ends a stream whose last scalar is a block scalar kept with its trailing empty lines
  (``|+``) with a ``...`` document end marker, and writes one after such a scalar ending in
  U+2028/U+2029 anywhere; go-yaml does not (``_serialize``).

Byte-identity needs PyYAML's C emitter (libyaml, in PyYAML's wheels). PyYAML's pure-Python
emitter, used without it, is not a libyaml port: it writes the same data, but differs from
kubectl on characters outside the BMP (it does not escape them), on folding inside
double-quoted strings and on an empty key (written as a complex key).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from kctl.cli._printers._gojson import go_float, go_float_g
from kctl.errors import PrinterError
from kctl.util.goyaml import RESOLVED_WORDS, needs_quotes

__all__ = ["dump", "dump_sequence_items", "needs_quotes"]

_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


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
    # Go's unicode.IsDigit is category Nd (str.isdecimal, not isdigit: "²" is no digit),
    # and a digit's value is its code point less '0', whatever its script.
    digits = False
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            digits = ca.isdecimal()
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            # After a digit, letters sort first ("0b2" < "0_1"); otherwise last.
            return al if digits else bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdecimal():
            an = _wrap64(an * 10 + ord(a[ai]) - 48)
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdecimal():
            bn = _wrap64(bn * 10 + ord(b[bi]) - 48)
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


_SIMPLE_KEY = re.compile(r"[A-Za-z]*\Z")
_sort_key = functools.cmp_to_key(_key_cmp)
_CACHE_LIMIT = 1 << 16
_orders: dict[tuple[str, ...], list[str]] = {}


def _sorted_keys(mapping: dict[str, Any]) -> list[str]:
    shape = tuple(mapping)
    order = _orders.get(shape)
    if order is None:
        order = list(shape)
        # Letters-only keys compare by code point under go-yaml's rules too.
        if all(_SIMPLE_KEY.match(k) for k in order):
            order.sort()
        else:
            order.sort(key=_sort_key)
        if len(_orders) >= _CACHE_LIMIT:
            _orders.clear()
        _orders[shape] = order
    return order


def _number_text(value: int | float) -> str:
    """A JSON number as go-yaml writes it after reading kubectl's JSON back."""
    if isinstance(value, int):
        if -_INT64_MAX - 1 <= value <= _INT64_MAX:
            return str(value)
        # Unstructured JSON holds an integer beyond int64 as a float64.
        value = float(value)
    text = go_float(value)
    if "." not in text and "e" not in text:
        # go-yaml reads the JSON text back as an integer ("-0" as 0).
        as_int = int(text)
        if -_INT64_MAX - 1 <= as_int <= _UINT64_MAX:
            return str(as_int)
    return go_float_g(float(text))


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


def _bom_quoted(value: str) -> str:
    """go-yaml's double-quoted text for a string starting with U+FEFF: every character
    escaped (so no space, and so no folding point, is left in it)."""
    out = []
    for ch in value:
        cp = ord(ch)
        known = _ESCAPES.get(cp)
        if known is not None:
            out.append(known)
        elif cp <= 0xFF:
            out.append(f"\\x{cp:02X}")
        elif cp <= 0xFFFF:
            out.append(f"\\u{cp:04X}")
        else:
            out.append(f"\\U{cp:08X}")
    return '"' + "".join(out) + '"'


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _stand_in(nonce: str, index: int, width: int) -> str:
    """A plain scalar that takes the exact room of a _bom_quoted text (at least 8 columns):
    a per-dump random prefix, then the index, so no stand-in is a prefix of another."""
    token = nonce + _LETTERS[index // 26 % 26] + _LETTERS[index % 26]
    return token + "x" * (width - len(token))


_CACHED_LENGTH = 256
# Names, labels, images and keys repeat from object to object: their style is looked up.
_styles: dict[str, str | None] = {}


def _style(value: str) -> str | None:
    """The style go-yaml's encoder asks for (the emitter may still fall back to quotes)."""
    if value[:1] == "\ufeff":
        return "bom"
    if "\n" in value:
        return "|"
    if value[-1:] in ("\u2028", "\u2029"):
        return "break"
    if needs_quotes(value):
        return '"'
    return None


def _reread(value: str) -> str:
    """The string as go-yaml reads it back from kubectl's JSON. encoding/json leaves NEL
    (U+0085) unescaped, and in a double-quoted YAML scalar that is a line break, which reads
    back folded (as a space, with the white space around it dropped): PyYAML's loader folds
    it the same way."""
    import json

    import yaml

    quoted = json.dumps(value, ensure_ascii=False)
    quoted = quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    text: str = yaml.load(quoted, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return text


# What encoding/json leaves unescaped and go-yaml's reader then refuses: sigs.k8s.io/yaml
# reads kubectl's JSON back, so a string holding one of these fails kubectl's -o yaml.
_UNREADABLE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


class _Representer:
    """Builds PyYAML nodes the way go-yaml's encoder builds events."""

    def __init__(self, nodes: Any) -> None:
        self.scalar = nodes.ScalarNode
        self.sequence = nodes.SequenceNode
        self.mapping = nodes.MappingNode
        self.boms: dict[str, str] = {}
        self.nonce = ""
        self.trailing = 0

    def string(self, value: str) -> Any:
        if _UNREADABLE.search(value):
            raise PrinterError("yaml: control characters are not allowed")
        if "\x85" in value:
            value = _reread(value)
        style = _styles.get(value, "")
        if style == "":
            style = _style(value)
            if len(value) <= _CACHED_LENGTH:
                if len(_styles) >= _CACHE_LIMIT:
                    _styles.clear()
                _styles[value] = style
        if style == "bom":
            return self.scalar(_STR_TAG, self.bom(value), style=None)
        if style == "break":
            return self.scalar(_STR_TAG, self.trailing_break(value), style=None)
        return self.scalar(_STR_TAG, value, style=style)

    def trailing_break(self, value: str) -> str:
        """The string with a word after its final break: libyaml then indents the word, not
        the closing quote, and _serialize removes the indent and the word. The word leaves
        the scalar's analysis (line breaks, no trailing break or space) and so its style,
        and every fold before it, as they were."""
        self.trailing += 1
        return value + self.token()

    def token(self) -> str:
        if not self.nonce:
            import secrets

            self.nonce = "".join(secrets.choice(_LETTERS) for _ in range(8))
        return self.nonce

    def bom(self, value: str) -> str:
        text = _bom_quoted(value)
        token = _stand_in(self.token()[:6], len(self.boms), len(text))
        self.boms[token] = text
        return token

    def node(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return self.string(value)
        if kind is dict:
            return self.mapping(
                _MAP_TAG,
                [(self.string(k), self.node(value[k])) for k in _sorted_keys(value)],
                flow_style=False,
            )
        if kind is list or kind is tuple:
            return self.sequence(_SEQ_TAG, [self.node(v) for v in value], flow_style=False)
        if value is None:
            text = "null"
        elif value is True:
            text = "true"
        elif value is False:
            text = "false"
        elif kind is int or kind is float:
            text = _number_text(value)
        elif isinstance(value, str):
            return self.string(str(value))
        elif isinstance(value, dict):
            return self.node(dict(value))
        elif isinstance(value, (int, float)):
            return self.node(int(value) if isinstance(value, int) else float(value))
        else:
            raise TypeError(f"cannot write {type(value).__name__} as YAML")
        return self.scalar(_STR_TAG, text, style=None)


class _StandInClash(Exception):
    """The document itself holds a stand-in's text (a 1 in 26**6 chance): dump again."""


_DUMPER: Any = None


def _dumper() -> Any:
    global _DUMPER
    if _DUMPER is not None:
        return _DUMPER
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    resolved = {yaml.ScalarNode: _STR_TAG, yaml.SequenceNode: _SEQ_TAG, yaml.MappingNode: _MAP_TAG}

    class Dumper(base):  # type: ignore[misc, valid-type]
        """The representer decides every scalar's style, as go-yaml's encoder does; so no
        scalar needs a tag, and the emitter only ever downgrades a style it cannot use."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return resolved[kind]

    _DUMPER = Dumper
    return Dumper


def _serialize(root: Any, representer: _Representer) -> str:
    import io

    out = io.StringIO()
    dumper = _dumper()(out, allow_unicode=True, default_flow_style=False, width=80, indent=2)
    try:
        dumper.open()
        dumper.serialize(root)
        dumper.close()
    finally:
        dumper.dispose()
    text = out.getvalue()
    if text.endswith("\n...\n"):
        # A line "..." at column 0 can only be the marker: content there would be quoted.
        text = text[:-4]
    if "\u2028..." in text or "\u2029..." in text:
        import re

        # The same marker after a kept block scalar that ends in U+2028 or U+2029, in the
        # middle of the document: every line of a block scalar's content is indented, so
        # "..." straight after such a break is the marker.
        text = re.sub("(?<=[\u2028\u2029])\\.\\.\\.\n", "", text)
    if representer.trailing:
        import re

        text, count = re.subn(" *" + representer.nonce + "(?=['\"])", "", text)
        if count != representer.trailing:
            raise _StandInClash
    for token, quoted in representer.boms.items():
        if text.count(token) != 1:
            raise _StandInClash
        text = text.replace(token, quoted)
    return text


def dump(value: Any) -> str:
    """yaml.Marshal of a JSON-shaped value, as sigs.k8s.io/yaml produces it."""
    fast = _fast(value, in_sequence=False)
    return fast if fast is not None else _dump(value)


def dump_sequence_items(items: Iterable[Any]) -> str:
    """Entries of a top-level block sequence (``- ...`` each), as a streamed List's items.

    Each entry is written as it would be inside the whole document: a top-level sequence
    starts at column 0 whatever comes before it."""
    out = []
    for item in items:
        fast = _fast(item, in_sequence=True)
        out.append(fast if fast is not None else _dump_sequence_items([item]))
    return "".join(out)


def _dump(value: Any) -> str:
    """dump() through PyYAML alone."""
    import yaml.nodes

    while True:
        representer = _Representer(yaml.nodes)
        try:
            return _serialize(representer.node(value), representer)
        except _StandInClash:
            continue


def _dump_sequence_items(items: Iterable[Any]) -> str:
    """dump_sequence_items() through PyYAML alone."""
    import yaml.nodes

    items = list(items)
    if not items:
        return ""
    while True:
        representer = _Representer(yaml.nodes)
        root = representer.sequence(
            _SEQ_TAG, [representer.node(item) for item in items], flow_style=False
        )
        try:
            return _serialize(root, representer)
        except _StandInClash:
            continue


# -- the fast path -------------------------------------------------------------------------------
#
# Running PyYAML's representer and serializer costs a few microseconds per node, ten times what
# a listing of thousands of objects can afford. Block style for JSON-shaped data is lines of
# "<indent><key>: <scalar>", "- " leads and sequences at their key's column; the only thing
# PyYAML decides is each scalar's text, which is looked up: PyYAML writes each new key or
# string once (a string of name-like characters is its own text, or double-quoted where
# go-yaml's resolver requires). A string whose text depends on where it starts (one that may
# fold at column 80, a block scalar) is written by PyYAML in a small document that puts it in
# the same place (``_positioned``); an object with a complex key is written by PyYAML whole.
# For 10k pods this takes about as long as the hand-written emitter it replaced (0.45 s of CPU
# here), where PyYAML alone takes 8 s. tests/cli/printers/test_fast_encoders.py holds both
# paths to the same bytes.

_WORD = re.compile(r"[A-Za-z0-9_/](?:[-A-Za-z0-9_./:@+=]*[-A-Za-z0-9_./@+=])?\Z")
# The common case of _WORD, never cached: a letter first, so only go-yaml's words resolve.
_LETTER_WORD = re.compile(r"[A-Za-z](?:[-A-Za-z0-9_./:@+=]*[-A-Za-z0-9_./@+=])?\Z")
_MAX_FAST_INDENT = 200
_PADS = [" " * n for n in range(_MAX_FAST_INDENT + 2)]
_keys: dict[str, str] = {}
_values: dict[str, str] = {}


class _Complex(Exception):
    """An object the fast path leaves to PyYAML."""


def _remember(cache: dict[str, str], value: str, text: str) -> None:
    if len(value) <= _CACHED_LENGTH:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[value] = text


def _key_text(key: str) -> str:
    text = _keys.get(key)
    if text is None:
        # libyaml writes a key longer than 128 bytes as a complex key.
        if len(key) <= 128 and _WORD.match(key):
            text = '"' + key + '"' if needs_quotes(key) else key
        else:
            line = _dump({key: 0})
            # A complex key ("? ...") or one on several lines.
            if not line.endswith(": 0\n") or "\n" in line[:-1] or line.startswith("? "):
                raise _Complex
            text = line[: -len(": 0\n")]
        _remember(_keys, key, text)
    return text


def _value_text(value: str) -> str:
    """The string as a scalar, when PyYAML writes it on one line; "" for a block scalar or a
    string that folds even where it starts soonest."""
    if _WORD.match(value):
        text = '"' + value + '"' if needs_quotes(value) else value
    elif "\n" in value or "\u2028" in value or "\u2029" in value or "\x85" in value:
        text = ""
    else:
        text = _dump_sequence_items([value])[2:-1]
        if "\n" in text:
            text = ""
    _remember(_values, value, text)
    return text


def _positioned(value: str, indent: int, key: str | None) -> str:
    """A string whose text depends on where it starts, as PyYAML writes it after ``key:`` in
    a mapping at column ``indent`` (or after "-" in a sequence there, for no key): from a
    document that puts it in that place, nested under "a" keys. Returns what follows the
    colon (or the dash), line end included."""
    doc: Any = {key: value} if key is not None else {"a": [value]}
    for _ in range(indent // 2):
        doc = {"a": doc}
    text = _dump(doc)
    lines = indent // 2 + (0 if key is not None else 1)
    start = 0
    for _ in range(lines):
        start = text.index("\n", start) + 1
    # The line of the key (or dash): skip to just past its indicator.
    if key is not None:
        return text[start + indent + len(_key_text(key)) + 1 :]
    return text[start + indent + 1 :]


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


def _fast_mapping(mapping: dict[str, Any], indent: int, lead: str, out: list[str]) -> None:
    if indent >= _MAX_FAST_INDENT:
        raise _Complex
    pad = _PADS[indent]
    prefix = lead
    key_get = _keys.get
    value_get = _values.get
    letter_word = _LETTER_WORD.match
    for key in _sorted_keys(mapping):
        key_text = key_get(key)
        if key_text is None:
            key_text = _key_text(key)
        value = mapping[key]
        kind = type(value)
        if kind is str:
            text = value_get(value)
            if text is None:
                if letter_word(value) and value not in RESOLVED_WORDS:
                    text = value
                else:
                    text = _value_text(value)
            # A space past column 80 is a folding point: such a line is PyYAML's to write.
            if not text or (" " in text and indent + len(key_text) + len(text) >= 79):
                out.append(prefix + key_text + ":" + _positioned(value, indent, key))
            else:
                out.append(f"{prefix}{key_text}: {text}\n")
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
                if _LETTER_WORD.match(value) and value not in RESOLVED_WORDS:
                    text = value
                else:
                    text = _value_text(value)
            if not text or (" " in text and indent + len(text) >= 79):
                if prefix != pad:
                    # The first item after another "- ": rare enough to leave to PyYAML.
                    raise _Complex
                out.append(prefix[:-1] + _positioned(value, indent, None))
            else:
                out.append(prefix + text + "\n")
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
        else:
            return None
    except _Complex:
        return None
    return "".join(out)
