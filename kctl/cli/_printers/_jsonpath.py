"""kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath): parser and evaluator.

The grammar and its quirks follow client-go: ``{...}`` actions within literal text, ``range``
/ ``end`` blocks, filters ``[?(@.a=="x")]``, unions, slices, ``..`` recursive descent and
``*`` wildcards. Results of one action print separated by single spaces; maps and slices
print as compact JSON, scalars as Go's fmt would. Maps are walked in sorted key order where
Go's would be random.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kctl.cli._printers._gofmt import go_sprint
from kctl.cli._printers._gojson import marshal, marshal_indent
from kctl.errors import PrinterError
from kctl.util.goformat import go_unquote_body

__all__ = ["JSONPath", "JSONPathError", "relaxed_jsonpath_expression"]


class JSONPathError(PrinterError):
    """A template failed to parse or to execute."""


@dataclass(slots=True)
class _List:
    nodes: list[_Node] = field(default_factory=list)


@dataclass(slots=True)
class _Text:
    text: str


@dataclass(slots=True)
class _Field:
    name: str


@dataclass(slots=True)
class _Param:
    value: int = 0
    known: bool = False
    derived: bool = False


@dataclass(slots=True)
class _Array:
    params: tuple[_Param, _Param, _Param]


@dataclass(slots=True)
class _Filter:
    left: _List
    right: _List
    op: str


@dataclass(slots=True)
class _Literal:
    value: int | float | bool


@dataclass(slots=True)
class _Wildcard:
    pass


@dataclass(slots=True)
class _Recursive:
    pass


@dataclass(slots=True)
class _Union:
    lists: list[_List]


@dataclass(slots=True)
class _Identifier:
    name: str


_Node = (
    _List
    | _Text
    | _Field
    | _Array
    | _Filter
    | _Literal
    | _Wildcard
    | _Recursive
    | _Union
    | _Identifier
)

_EOF = ""
_DICT_KEY = re.compile(r"'([^']*)'\Z")
_SLICE = re.compile(r"(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?\Z")
_FILTER = re.compile(r"([^!<>=]+)([!<>=]+)(.+?)\Z", re.S)
_NUMBER_INT = re.compile(r"[+-]?[0-9]+\Z")
_NUMBER_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)\Z")
_RELAXED = re.compile(r"\{\.?([^{}]+)\}\Z|\.?([^{}]+)\Z")


def relaxed_jsonpath_expression(expr: str) -> str:
    """kubectl's RelaxedJSONPathExpression: ``a.b``, ``.a.b``, ``{a.b}`` -> ``{.a.b}``."""
    if not expr:
        return expr
    m = _RELAXED.match(expr)
    if m is None:
        raise JSONPathError(
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
            "'{name1.name2}' or '{.name1.name2}'"
        )
    return "{." + (m.group(1) or m.group(2)) + "}"


def _is_terminator(ch: str) -> bool:
    return ch in (_EOF, " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}")


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdigit()


def _unquote_extend(s: str) -> str:
    """client-go's UnquoteExtend: Go string-literal escapes in '...' or "..." quotes."""
    if len(s) < 2 or s[0] != s[-1] or s[0] not in "\"'":
        raise ValueError("invalid syntax")
    return go_unquote_body(s[1:-1], s[0])


class _Parser:
    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.width = 0
        self.root = _List()

    def parse(self) -> _List:
        self._parse_text(self.root)
        return self.root

    def _consume(self) -> str:
        value = self.input[self.start : self.pos]
        self.start = self.pos
        return value

    def _next(self) -> str:
        if self.pos >= len(self.input):
            self.width = 0
            return _EOF
        ch = self.input[self.pos]
        self.width = 1
        self.pos += 1
        return ch

    def _peek(self) -> str:
        ch = self._next()
        self._backup()
        return ch

    def _backup(self) -> None:
        self.pos -= self.width

    def _parse_text(self, cur: _List) -> None:
        # Iterative over actions: each action hands back to the text that follows it.
        while True:
            idx = self.input.find("{", self.pos)
            if idx < 0:
                self.pos = len(self.input)
                if self.pos > self.start:
                    cur.nodes.append(_Text(self._consume()))
                return
            self.pos = idx
            if self.pos > self.start:
                cur.nodes.append(_Text(self._consume()))
            self.pos += 1
            self._consume()
            action = _List()
            cur.nodes.append(action)
            self._parse_inside_action(action)
            cur = self.root

    def _parse_inside_action(self, cur: _List) -> None:
        while True:
            rest = self.input[self.pos :]
            if rest.startswith("}"):
                self.pos += 1
                self._consume()
                return
            if rest.startswith("[?("):
                self._parse_filter(cur)
                continue
            if rest.startswith(".."):
                self._parse_recursive(cur)
                continue
            ch = self._next()
            if ch == _EOF or ch in "\r\n":
                raise JSONPathError("unclosed action")
            if ch == " " or ch in "@$":
                self._consume()
            elif ch == "[":
                self._parse_array(cur)
            elif ch in "\"'":
                self._parse_quote(cur, ch)
            elif ch == ".":
                self._parse_field(cur)
            elif ch in "+-" or ch.isdigit():
                self._backup()
                self._parse_number(cur)
            elif _is_alnum(ch):
                self._backup()
                self._parse_identifier(cur)
            else:
                raise JSONPathError(f"unrecognized character in action: U+{ord(ch):04X} {ch!r}")

    def _parse_identifier(self, cur: _List) -> None:
        while not _is_terminator(self._next()):
            pass
        self._backup()
        value = self._consume()
        if value in ("true", "false"):
            cur.nodes.append(_Literal(value == "true"))
        else:
            cur.nodes.append(_Identifier(value))

    def _parse_recursive(self, cur: _List) -> None:
        if cur.nodes and isinstance(cur.nodes[-1], _Recursive):
            raise JSONPathError("invalid multiple recursive descent")
        self.pos += 2
        self._consume()
        cur.nodes.append(_Recursive())
        if _is_alnum(self._peek()):
            self._parse_field(cur)

    def _parse_number(self, cur: _List) -> None:
        if self._peek() in "+-":
            self._next()
        while True:
            ch = self._next()
            if (ch != "." and not ch.isdigit()) or ch == _EOF:
                self._backup()
                break
        value = self._consume()
        if _NUMBER_INT.match(value):
            cur.nodes.append(_Literal(int(value)))
        elif _NUMBER_FLOAT.match(value):
            cur.nodes.append(_Literal(float(value)))
        else:
            raise JSONPathError(f"cannot parse number {value}")

    def _parse_array(self, cur: _List) -> None:
        while True:
            ch = self._next()
            if ch in (_EOF, "\n"):
                raise JSONPathError("unterminated array")
            if ch == "]":
                break
        text = self._consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            lists = [_parse_action(f"[{part.strip(' ')}]") for part in parts]
            cur.nodes.append(_Union(lists))
            return
        key = _DICT_KEY.match(text)
        if key is not None:
            cur.nodes.extend(_parse_action(f".{key.group(1)}").nodes)
            return
        sl = _SLICE.match(text)
        if sl is None:
            raise JSONPathError(f"invalid array index {text}")
        groups = [sl.group(1) or "", sl.group(2) or "", sl.group(3) or ""]
        params = (_Param(), _Param(), _Param())
        for i, raw in enumerate(groups):
            if raw:
                if i > 0:
                    raw = raw[1:]
                if i > 0 and raw == "":
                    params[i].known = False
                else:
                    try:
                        params[i].value = int(raw)
                    except ValueError:
                        raise JSONPathError(f"array index {raw} is not a number") from None
                    params[i].known = True
            elif i == 1:
                params[1].known = True
                params[1].value = params[0].value + 1
                params[1].derived = True
        cur.nodes.append(_Array(params))

    def _parse_filter(self, cur: _List) -> None:
        self.pos += 3
        self._consume()
        begin = end = False
        pair = ""
        while True:
            ch = self._next()
            if ch in (_EOF, "\n"):
                raise JSONPathError("unterminated filter")
            if ch in "\"'":
                if not begin:
                    begin = True
                    pair = ch
                    continue
                if self.input[self.pos - 2] != "\\" and ch == pair:
                    end = True
            elif ch == ")" and begin == end:
                break
        if self._next() != "]":
            raise JSONPathError("unclosed array expect ]")
        text = self._consume()[:-2]
        m = _FILTER.match(text)
        if m is None:
            cur.nodes.append(_Filter(_parse_action(text), _List(), "exists"))
        else:
            left = _parse_action(m.group(1))
            right = _parse_action(m.group(3))
            cur.nodes.append(_Filter(left, right, m.group(2)))

    def _parse_quote(self, cur: _List, end: str) -> None:
        while True:
            ch = self._next()
            if ch in (_EOF, "\n"):
                raise JSONPathError("unterminated quoted string")
            if ch == end and self.input[self.pos - 2] != "\\":
                break
        value = self._consume()
        try:
            text = _unquote_extend(value)
        except ValueError as err:
            raise JSONPathError(f"unquote string {value} error {err}") from None
        cur.nodes.append(_Text(text))

    def _parse_field(self, cur: _List) -> None:
        self._consume()
        while True:
            ch = self._next()
            if ch == "\\":
                self._next()
            elif _is_terminator(ch):
                self._backup()
                break
        value = self._consume()
        if value == "*":
            cur.nodes.append(_Wildcard())
        else:
            cur.nodes.append(_Field(value.replace("\\", "")))


def _parse_action(text: str) -> _List:
    root = _Parser("{" + text + "}").parse()
    first = root.nodes[0]
    assert isinstance(first, _List)
    return first


def _kind(value: Any) -> str:
    """text/template's basicKind for the values a JSON document holds."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    raise JSONPathError("invalid type for comparison")


def _compare(op: str, left: Any, right: Any) -> bool:
    kl, kr = _kind(left), _kind(right)
    if kl != kr:
        raise JSONPathError("incompatible types for comparison")
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if kl == "bool":
        raise JSONPathError("invalid type for comparison")
    if op == "<":
        return bool(left < right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    if op == ">=":
        return bool(left >= right)
    raise JSONPathError(f"unrecognized filter operator {op}")


def _go_type(value: Any) -> str:
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    return "string"


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        # Go indexes a string by byte.
        return list(value.encode())
    return []


class JSONPath:
    """A parsed template. ``find_results`` gives the values per top-level node;
    ``execute`` writes them as kubectl prints them."""

    def __init__(self, template: str, allow_missing_keys: bool = False) -> None:
        self.template = template
        self.allow_missing_keys = allow_missing_keys
        self.output_json = False
        self._nodes = _Parser(template).parse().nodes
        # range/end bookkeeping, as client-go keeps it on the JSONPath.
        self._begin_range = 0
        self._in_range = 0
        self._end_range = 0
        self._last_end = -1

    def find_results(self, data: Any) -> list[list[Any]]:
        self._begin_range = self._in_range = self._end_range = 0
        self._last_end = -1
        return self._find(data, 0)

    def _find(self, data: Any, start: int) -> list[list[Any]]:
        nodes = self._nodes
        full: list[list[Any]] = []
        i = start
        while i < len(nodes):
            results = self._walk([data], nodes[i])
            if self._end_range > 0 and self._end_range <= self._in_range:
                self._end_range -= 1
                self._last_end = i
                break
            if self._begin_range > 0:
                self._begin_range -= 1
                self._in_range += 1
                if results:
                    for value in results:
                        full.extend(self._find(value, i + 1))
                else:
                    self._find(None, i + 1)
                self._in_range -= 1
                if self._last_end > i:
                    i = self._last_end
                i += 1
                continue
            full.append(results)
            i += 1
        return full

    def execute(self, data: Any, write: Callable[[str], object]) -> None:
        for results in self.find_results(data):
            write(self._print_results(results))

    def _print_results(self, results: list[Any]) -> str:
        if self.output_json:
            results = [list(results)]
        parts: list[str] = []
        for value in results:
            if self.output_json:
                text = marshal_indent(value) + "\n"
            elif isinstance(value, (dict, list)):
                text = marshal(value)
            elif value is None:
                text = "null"
            else:
                text = go_sprint(value)
            parts.append(text)
        return " ".join(parts)

    # -- evaluation --------------------------------------------------------------------------

    def _walk(self, values: list[Any], node: _Node) -> list[Any]:
        if isinstance(node, _List):
            return self._eval_list(values, node)
        if isinstance(node, _Text):
            return [node.text]
        if isinstance(node, _Field):
            return self._eval_field(values, node)
        if isinstance(node, _Array):
            return self._eval_array(values, node)
        if isinstance(node, _Filter):
            return self._eval_filter(values, node)
        if isinstance(node, _Literal):
            return [node.value for _ in values]
        if isinstance(node, _Wildcard):
            out: list[Any] = []
            for value in values:
                if value is not None:
                    out.extend(_children(value))
            return out
        if isinstance(node, _Recursive):
            return self._eval_recursive(values)
        if isinstance(node, _Union):
            union: list[Any] = []
            for lst in node.lists:
                union.extend(self._eval_list(values, lst))
            return union
        return self._eval_identifier(values, node)

    def _eval_list(self, values: list[Any], node: _List) -> list[Any]:
        for child in node.nodes:
            values = self._walk(values, child)
        return values

    def _eval_identifier(self, values: list[Any], node: _Identifier) -> list[Any]:
        if node.name == "range":
            self._begin_range += 1
            return values
        if node.name == "end":
            if self._in_range > 0:
                self._end_range += 1
                return []
            raise JSONPathError("not in range, nothing to end")
        raise JSONPathError(f"unrecognized identifier {node.name}")

    def _eval_field(self, values: list[Any], node: _Field) -> list[Any]:
        if not values:
            return []
        out = [v[node.name] for v in values if isinstance(v, dict) and node.name in v]
        if not out and not self.allow_missing_keys:
            raise JSONPathError(f"{node.name} is not found")
        return out

    def _eval_array(self, values: list[Any], node: _Array) -> list[Any]:
        out: list[Any] = []
        for value in values:
            if value is None:
                continue
            if not isinstance(value, list):
                raise JSONPathError(f"{_go_type(value)} is not array or slice")
            p0, p1, p2 = node.params
            length = len(value)
            lo = p0.value if p0.known else 0
            if lo < 0:
                lo += length
            hi = p1.value if p1.known else length
            if hi < 0 or (hi == 0 and p1.derived):
                hi += length
            if hi == lo:
                return out
            if lo >= length or lo < 0:
                raise JSONPathError(f"array index out of bounds: index {lo}, length {length}")
            if hi > length or hi < 0:
                raise JSONPathError(f"array index out of bounds: index {hi - 1}, length {length}")
            if lo > hi:
                raise JSONPathError(f"starting index {lo} is greater than ending index {hi}")
            step = 1
            if p2.known:
                if p2.value <= 0:
                    raise JSONPathError("step must be > 0")
                step = p2.value
            out.extend(value[lo:hi:step])
        return out

    def _eval_recursive(self, values: list[Any]) -> list[Any]:
        out: list[Any] = []
        for value in values:
            if value is None:
                continue
            children = _children(value)
            if children:
                out.append(value)
                out.extend(self._eval_recursive(children))
        return out

    def _eval_filter(self, values: list[Any], node: _Filter) -> list[Any]:
        out: list[Any] = []
        for value in values:
            if not isinstance(value, list):
                raise JSONPathError(
                    f"{go_sprint(value)} is not array or slice and cannot be filtered"
                )
            for item in value:
                if node.op == "exists":
                    try:
                        lefts = self._eval_list([item], node.left)
                    except JSONPathError:
                        continue
                    if lefts:
                        out.append(item)
                    continue
                lefts = self._eval_list([item], node.left)
                if not lefts:
                    continue
                if len(lefts) > 1:
                    raise JSONPathError("can only compare one element at a time")
                rights = self._eval_list([item], node.right)
                if not rights:
                    continue
                if len(rights) > 1:
                    raise JSONPathError("can only compare one element at a time")
                if _compare(node.op, lefts[0], rights[0]):
                    out.append(item)
        return out
