"""YAML read as Kubernetes' Go code reads it: sigs.k8s.io/yaml over go-yaml v2, through PyYAML.

PyYAML (its C loader when built with libyaml) does the parsing; this module supplies what
differs between PyYAML's YAML 1.1 resolver and go-yaml v2's: which plain scalars are bools,
ints, floats and nulls (``y``, ``0o17``, ``1e3`` and ``.5`` are; ``2020-01-01`` and ``1:20``
are strings), and the JSON round trip sigs.k8s.io/yaml puts every document through (keys
become strings, integral floats come back as ints). Errors carry go-yaml's one-line texts.

``import yaml`` happens inside the functions that parse, so importing this module is cheap.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "RESOLVED_WORDS",
    "YAMLSyntaxError",
    "error_text",
    "load",
    "loader",
    "needs_quotes",
    "resolve_plain",
    "to_json",
]

# go-yaml v2's resolveMap: the words a plain scalar may be, by value.
_WORDS: dict[str, tuple[str, Any]] = {
    **{w: ("bool", True) for w in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE")},
    **{w: ("bool", True) for w in ("on", "On", "ON")},
    **{w: ("bool", False) for w in ("n", "N", "no", "No", "NO", "false", "False", "FALSE")},
    **{w: ("bool", False) for w in ("off", "Off", "OFF")},
    **{w: ("null", None) for w in ("", "~", "null", "Null", "NULL")},
    **{w: ("float", float("nan")) for w in (".nan", ".NaN", ".NAN")},
    **{w: ("float", float("inf")) for w in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{w: ("float", float("-inf")) for w in ("-.inf", "-.Inf", "-.INF")},
}
# Plain scalars that go-yaml's resolver reads as something other than a string by their
# spelling alone.
RESOLVED_WORDS = frozenset(_WORDS)
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?\Z")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})([.,][0-9]+)?")
_ZONE = re.compile(r"Z|[-+][0-9]{2}:[0-9]{2}")
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1
_STR = ("str", None)


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


def _is_timestamp(s: str) -> bool:
    """go-yaml v2's parseTimestamp: the four layouts it accepts, with time.Parse's range checks."""
    if len(s) < 5 or not s[:4].isdigit() or not s[:4].isascii() or s[4] != "-":
        return False
    date = _DATE.match(s)
    if date is None:
        return False
    year, month, day = (int(g) for g in date.groups())
    if not (1 <= month <= 12 and 1 <= day <= _days_in(month, year)):
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


def _finite(text: str) -> float | None:
    # strconv.ParseFloat fails with ErrRange where Python's float() overflows to inf.
    value = float(text)
    return None if value in (float("inf"), float("-inf")) else value


def resolve_plain(s: str) -> tuple[str, Any]:
    """go-yaml v2's resolve() for a plain scalar: (tag, value), the tag one of ``str``,
    ``bool``, ``null``, ``int``, ``float``, ``timestamp`` (value: the text) or ``merge``."""
    if not s:
        return "null", None
    c = s[0]
    if c in "yYnNtTfFoO~":
        return _WORDS.get(s, _STR)
    if c == ".":
        word = _WORDS.get(s)
        if word is not None:
            return word
        if _DOT_FLOAT.match(s):
            value = _finite(s)
            if value is not None:
                return "float", value
        return _STR
    if c in "+-" or "0" <= c <= "9":
        word = _WORDS.get(s)
        if word is not None:
            return word
        if "0" <= c <= "9" and _is_timestamp(s):
            return "timestamp", s
        plain = s.replace("_", "")
        value = _go_parse_int(plain)
        if value is None:
            value = _go_parse_uint(plain)
        if value is not None:
            return "int", value
        if _YAML_FLOAT.match(plain):
            number = _finite(plain)
            if number is not None:
                return "float", number
        for prefix, sign in (("0b", 1), ("-0b", -1)):
            digits = plain[len(prefix) :]
            if plain.startswith(prefix) and digits and set(digits) <= {"0", "1"}:
                value = int(digits, 2) * sign
                if -_INT64_MAX - 1 <= value <= _INT64_MAX:
                    return "int", value
        return _STR
    if s == "<<":
        return "merge", s
    return _STR


def needs_quotes(s: str) -> bool:
    """Whether go-yaml v2's encoder refuses a plain scalar for this string: it would read
    back as something other than a string, or it is a YAML 1.1 base-60 float."""
    if resolve_plain(s)[0] not in ("str", "merge"):
        return True
    return ":" in s and _BASE60.match(s) is not None


# -- loading --------------------------------------------------------------------------------------


class YAMLSyntaxError(ValueError):
    """A document go-yaml would refuse; the text is go-yaml's (``yaml: line N: ...``)."""


_TAG = "tag:yaml.org,2002:"
_LOADER: Any = None


def loader() -> Any:
    """PyYAML's safe loader (the C one when built) with go-yaml v2's resolver."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    scalar_node = yaml.ScalarNode

    class Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is scalar_node and implicit[0]:
                tag = resolve_plain(value)[0]
                # A timestamp reaches interface{} (and so JSON) as the text it was written as.
                return _TAG + ("str" if tag == "timestamp" else tag)
            resolved: str = super().resolve(kind, value, implicit)
            return resolved

    def typed(kind: str) -> Any:
        def construct(loader: Any, node: Any) -> Any:
            text = loader.construct_scalar(node)
            tag, value = resolve_plain(text)
            if tag != kind:
                # go-yaml's text for an explicit tag the value does not fit.
                raise yaml.constructor.ConstructorError(
                    None, None, f"cannot decode !!str `{text}` as a !!{kind}", None
                )
            return value

        return construct

    def binary(loader: Any, node: Any) -> bytes:
        import base64
        import binascii

        # Go's base64.StdEncoding: strict but for line breaks, which it skips.
        text = loader.construct_scalar(node).replace("\r", "").replace("\n", "")
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise yaml.constructor.ConstructorError(
                None, None, "!!binary value contains invalid base64 data", None
            ) from None

    def untagged(loader: Any, node: Any) -> Any:
        # go-yaml decodes a node with a tag it does not know (!!foo, !local) as if it had
        # none: a scalar's text is a string, collections are what they are.
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    for kind in ("bool", "int", "float", "null"):
        Loader.add_constructor(_TAG + kind, typed(kind))
    Loader.add_constructor(_TAG + "timestamp", lambda loader, node: loader.construct_scalar(node))
    Loader.add_constructor(_TAG + "binary", binary)
    Loader.add_constructor(None, untagged)
    _LOADER = Loader
    return Loader


# go-yaml's reader texts for what Python's UTF-8 decoder and PyYAML's reader reject.
_READER_PROBLEMS = {
    "invalid start byte": "invalid leading UTF-8 octet",
    "invalid continuation byte": "invalid trailing UTF-8 octet",
    "unexpected end of data": "incomplete UTF-8 octet sequence",
    "special characters are not allowed": "control characters are not allowed",
}


def error_text(err: Any, source: bytes | str = "") -> str:
    """go-yaml's text for a PyYAML error.

    libyaml's marks are 0-based; yaml.v2 prints a parser error's line as the mark's line
    (so the line before the 1-based one, and none on the first line) and a scanner error's
    as the 1-based line; PyYAML keeps the kind of error, so both rules can be followed."""
    import yaml

    if isinstance(err, yaml.reader.ReaderError):
        reason = err.reason or ""
        return "yaml: " + _READER_PROBLEMS.get(reason, reason.splitlines()[0] or "invalid input")
    if isinstance(err, yaml.constructor.ConstructorError) and err.problem_mark is None:
        return f"yaml: {err.problem}"
    if isinstance(err, yaml.constructor.ConstructorError) and (err.problem or "").startswith(
        ("expected a mapping or list of mappings for merging", "expected a mapping for merging")
    ):
        return "yaml: map merge requires map or sequence of maps as the value"
    if isinstance(err, yaml.MarkedYAMLError):
        problem = err.problem or err.context or str(err).splitlines()[0]
        line = 0
        problem_mark, context_mark = err.problem_mark, err.context_mark
        if problem_mark is not None and problem_mark.line != 0:
            line = problem_mark.line
            if isinstance(err, yaml.scanner.ScannerError):
                line += 1
        elif context_mark is not None and context_mark.line != 0:
            line = context_mark.line
        where = f"line {line}: " if line else ""
        if problem.startswith("found undefined alias"):
            # go-yaml names the anchor and never a line for it; libyaml's message has only
            # the mark, which points at the alias ("*name") in the source.
            return f"yaml: unknown anchor '{_alias_at(source, problem_mark)}' referenced"
        return f"yaml: {where}{problem}"
    text = str(err)
    return f"yaml: {text.splitlines()[0] if text else 'error'}"


def _alias_at(source: bytes | str, mark: Any) -> str:
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    found = re.match(r"\*([^\s,\[\]{}]+)", text[mark.index :] if mark is not None else "")
    return found.group(1) if found else ""


def _number(value: float) -> int | float:
    # encoding/json writes an integral float64 without a fraction, which unstructured JSON
    # then reads back as an int64.
    if value.is_integer() and abs(value) < _INT64_MAX:
        return int(value)
    return value


def _go_sharp_v(value: Any, nested: bool = False) -> str:
    """fmt's %+#v of a value go-yaml decoded into interface{}."""
    import json

    if value is None:
        return "interface {}(nil)" if nested else "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return str(_number(value)) if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_go_sharp_v(v, True) for v in value) + "}"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: str(kv[0]))
        inner = ", ".join(f"{_go_sharp_v(k, True)}:{_go_sharp_v(v, True)}" for k, v in items)
        return "map[interface {}]interface {}{" + inner + "}"
    return str(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return str(_number(key))
    return str(key)


def to_json(value: Any) -> Any:
    """A loaded YAML value as sigs.k8s.io/yaml's YAML -> JSON -> unstructured round trip
    leaves it. Raises YAMLSyntaxError for what encoding/json cannot write (NaN, infinities)."""
    kind = type(value)
    if kind is dict:
        if None in value:
            # sigs.k8s.io/yaml's convertToJSONableObject knows no null key.
            raise YAMLSyntaxError(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: "
                + _go_sharp_v(value[None])
            )
        return {_key(k): to_json(v) for k, v in value.items()}
    if kind is list:
        return [to_json(v) for v in value]
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            text = "NaN" if value != value else ("+Inf" if value > 0 else "-Inf")
            raise YAMLSyntaxError(f"json: unsupported value: {text}")
        return _number(value)
    if kind is bytes:
        # !!binary decodes to a Go string; encoding/json replaces invalid UTF-8.
        return value.decode("utf-8", "replace")
    return value


def _reject(_text: str) -> Any:
    raise ValueError("not JSON")


def _load_json(data: bytes | str) -> Any:
    """A JSON document through the json module, or ValueError where go-yaml might read it
    otherwise: lone surrogate escapes (which libyaml refuses), NaN and Infinity (which JSON
    refuses), or input json rejects (whose error text must be go-yaml's)."""
    import json

    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if re.search(r"\\u[dD][89a-fA-F]", text):
        raise ValueError("surrogate escape")
    return to_json(json.loads(text, parse_constant=_reject))


def load(data: bytes | str) -> Any:
    """One YAML (or JSON) document as sigs.k8s.io/yaml hands it to a JSON decoder.

    Raises YAMLSyntaxError with go-yaml's text."""
    head = data[:64].lstrip()
    if head[:1] in (b"{", "{"):
        # A JSON kubeconfig (or exec credential) needs no YAML parser: go-yaml reads JSON as
        # the json module does, duplicate keys included (the last one wins).
        try:
            return _load_json(data)
        except (ValueError, RecursionError):
            # Deeper than Python's decoder goes: go-yaml's own depth limit decides.
            pass
    import yaml

    try:
        value = yaml.load(data, Loader=loader())
    except yaml.YAMLError as err:
        raise YAMLSyntaxError(error_text(err, data)) from None
    return to_json(value)
