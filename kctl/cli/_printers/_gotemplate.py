"""``-o go-template``: Go's text/template run as kubectl runs it, with its error texts.

kubectl gives the template the object as decoded from JSON (maps, lists, strings, bools,
int64 for whole numbers, float64 otherwise) and adds two functions, ``exists`` and
``base64decode``, to Go's builtins. A missing map key prints ``<no value>``, or with
``--allow-missing-template-keys=false`` fails.

Go tracks the static type of every value; what shows here is whether a value sits in an
``interface{}`` (a map value or list element: ``_Box``) or was unwrapped by a pipeline, as
error texts name that type (``can't evaluate field x in type interface {}``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from kctl.cli._printers import _gotemplate_parse as p
from kctl.cli._printers._goprintf import GoInt, Uint8, go_type, sprint, sprintf, sprintln
from kctl.util.goformat import go_quote

__all__ = ["GoTemplate", "TemplateError"]

TemplateError = p.TemplateError


@dataclass(frozen=True)
class _Box:
    """A value held in an ``interface{}``: what a map or a list of the object holds."""

    value: Any


class _Missing:
    """No value passed down the pipeline (Go's missingVal)."""


_MISSING = _Missing()
_ANY, _VALUE, _STRING = "interface {}", "reflect.Value", "string"
_MAX_DEPTH = 100000


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


@dataclass(frozen=True)
class _Func:
    params: tuple[str, ...]
    variadic: str | None
    call: Callable[..., Any]


def _unbox(value: Any) -> Any:
    """indirectInterface: the value inside an interface (None: a nil one)."""
    return value.value if isinstance(value, _Box) else value


def _type_name(value: Any) -> str:
    return _ANY if isinstance(value, _Box) else go_type(value)


def _truth(value: Any) -> bool:
    value = _unbox(value)
    if value is None:
        return False
    if isinstance(value, (dict, list, str)):
        return len(value) > 0
    return bool(value)


# -- builtins and kubectl's functions ---------------------------------------------------------


class _CallError(Exception):
    """A function's error; the executor words it ``error calling NAME: ...``."""


def _index_arg(index: Any, cap: int) -> int:
    if isinstance(index, _Box):
        # slice does not look inside an interface as index does.
        raise _CallError("cannot index slice/array with type interface {}")
    if index is None:
        raise _CallError("cannot index slice/array with nil")
    if isinstance(index, bool) or not isinstance(index, int):
        raise _CallError(f"cannot index slice/array with type {go_type(index)}")
    if index < 0 or index > cap:
        raise _CallError(f"index out of range: {index}")
    return int(index)


def _index(item: Any, *indexes: Any) -> Any:
    item = _unbox(item)
    if item is None:
        raise _CallError("index of untyped nil")
    for index in indexes:
        item, index = _unbox(item), _unbox(index)
        if item is None:
            raise _CallError("index of nil pointer")
        if isinstance(item, (list, str)):
            seq = item if isinstance(item, list) else item.encode()
            x = _index_arg(index, len(seq))
            if x == len(seq):
                what = "slice" if isinstance(item, list) else "string"
                raise _CallError(f"reflect: {what} index out of range")
            item = _Box(seq[x]) if isinstance(seq, list) else Uint8(seq[x])
        elif isinstance(item, dict):
            if index is None:
                raise _CallError("value is nil; should be of type string")
            if not isinstance(index, str):
                raise _CallError(f"value has type {go_type(index)}; should be string")
            item = _Box(item.get(index))
        else:
            raise _CallError(f"can't index item of type {go_type(item)}")
    return item


def _slice(item: Any, *indexes: Any) -> Any:
    item = _unbox(item)
    if item is None:
        raise _CallError("slice of untyped nil")
    if len(indexes) > 3:
        raise _CallError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise _CallError("cannot 3-index slice a string")
    elif not isinstance(item, list):
        raise _CallError(f"can't slice item of type {go_type(item)}")
    seq = item if isinstance(item, list) else item.encode()
    bounds = [0, len(seq), len(seq)]
    for i, index in enumerate(indexes):
        bounds[i] = _index_arg(index, len(seq))
    for low, high in ((bounds[0], bounds[1]), (bounds[1], bounds[2])):
        if low > high:
            raise _CallError(f"invalid slice index: {low} > {high}")
    part = seq[bounds[0] : bounds[1]]
    # Lengths and offsets of a Go string count bytes.
    return part.decode(errors="replace") if isinstance(part, bytes) else part


def _len(item: Any) -> GoInt:
    if isinstance(item, _Box) and item.value is None:
        raise _CallError("len of nil pointer")
    item = _unbox(item)
    if item is None:
        raise _CallError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, str):
        return GoInt(len(item.encode()))
    if isinstance(item, (dict, list)):
        return GoInt(len(item))
    raise _CallError(f"len of type {go_type(item)}")


def _kind(value: Any) -> str:
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Uint8):
        return "uint"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, complex):
        return "complex"
    if isinstance(value, str):
        return "string"
    return "other"


def _eq(arg1: Any, *rest: Any) -> bool:
    arg1 = _unbox(arg1)
    if not rest:
        raise _CallError("missing argument for comparison")
    k1 = _kind(arg1)
    for arg in rest:
        arg = _unbox(arg)
        k2 = _kind(arg)
        if k1 != k2 and {k1, k2} == {"int", "uint"}:
            truth = arg1 == arg
        elif k1 != k2:
            if arg1 is not None and arg is not None:
                raise _CallError(
                    f"incompatible types for comparison: {go_type(arg1)} and {go_type(arg)}"
                )
            truth = False
        elif k1 in ("other", "invalid"):
            truth = _eq_other(arg1, arg)
        else:
            truth = arg1 == arg
        if truth:
            return True
    return False


def _eq_other(arg1: Any, arg: Any) -> bool:
    if arg1 is None or arg is None:
        return arg1 is None and arg is None
    if type(arg1) is not type(arg):
        raise _CallError(
            f"non-comparable types {sprintf('%s', arg1)}: {go_type(arg1)}, "
            f"{go_type(arg)}: {sprint(arg)}"
        )
    raise _CallError(f"non-comparable type {sprintf('%s', arg)}: {go_type(arg)}")


def _lt(arg1: Any, arg2: Any) -> bool:
    arg1, arg2 = _unbox(arg1), _unbox(arg2)
    k1, k2 = _kind(arg1), _kind(arg2)
    if k1 in ("invalid", "other") or k2 in ("invalid", "other"):
        raise _CallError("invalid type for comparison")
    if k1 != k2:
        if {k1, k2} == {"int", "uint"}:
            return bool(arg1 < arg2)
        raise _CallError(f"incompatible types for comparison: {go_type(arg1)} and {go_type(arg2)}")
    if k1 in ("bool", "complex"):
        raise _CallError("invalid type for comparison")
    return bool(arg1 < arg2)


def _le(arg1: Any, arg2: Any) -> bool:
    return _lt(arg1, arg2) or _eq(arg1, arg2)


def _html(*args: Any) -> str:
    text = _eval_args(args)
    for old, new in (
        ("&", "&amp;"),
        ("'", "&#39;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ('"', "&#34;"),
        ("\x00", "\ufffd"),
    ):
        text = text.replace(old, new)
    return text


_JS = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "<": "\\u003C",
    ">": "\\u003E",
    "&": "\\u0026",
    "=": "\\u003D",
}


def _js(*args: Any) -> str:
    out = []
    for ch in _eval_args(args):
        if ch in _JS:
            out.append(_JS[ch])
        elif ch < " ":
            out.append(f"\\u00{ord(ch):02X}")
        elif ord(ch) >= 0x80 and not ch.isprintable():
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def _urlquery(*args: Any) -> str:
    return quote_plus(_eval_args(args), safe="-_.~")


def _eval_args(args: tuple[Any, ...]) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    # printableValue: a nil argument prints as "<no value>", a string to Sprint.
    return sprint(*("<no value>" if a is None else a for a in args))


def _exists(item: Any, *indices: Any) -> bool:
    if not indices:
        # Go's indirect finds nothing nil in an invalid value: exists(nil) is true.
        return True
    value = item
    for index in indices:
        if value is None:
            return False
        if isinstance(value, (list, str)):
            if isinstance(index, bool) or not isinstance(index, int):
                return False
            seq = value if isinstance(value, list) else value.encode()
            if not 0 <= index < len(seq):
                return False
            value = seq[index] if isinstance(seq, list) else Uint8(seq[index])
        elif isinstance(value, dict):
            if index is None:
                index = ""
            if not isinstance(index, str):
                return False
            value = value.get(index)
        else:
            return False
    return value is not None


def _base64decode(text: str) -> str:
    data = text.encode()
    offset = _base64_error(data)
    if offset is not None:
        raise _CallError(f"base64 decode failed: illegal base64 data at input byte {offset}")
    decoded = base64.b64decode(data.replace(b"\r", b"").replace(b"\n", b""))
    # Go's string holds any bytes; bytes that are not UTF-8 print as U+FFFD here.
    return decoded.decode(errors="replace")


_BASE64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _base64_error(data: bytes) -> int | None:
    """Where encoding/base64's StdEncoding stops on bad input (it skips line breaks)."""
    size = len(data)
    si = 0

    def skip_breaks(at: int) -> int:
        while at < size and data[at] in b"\r\n":
            at += 1
        return at

    while True:
        j = 0
        while j < 4:
            if si == size:
                return None if j == 0 else si - j
            c = data[si]
            si += 1
            if c in b"\r\n":
                continue
            if c in _BASE64:
                j += 1
                continue
            if c != ord("=") or j < 2:
                return si - 1
            if j == 2:
                si = skip_breaks(si)
                if si == size:
                    return size
                if data[si] != ord("="):
                    return si - 1
                si += 1
            si = skip_breaks(si)
            return si if si < size else None


def _not(arg: Any) -> bool:
    return not _truth(arg)


_FUNCS: dict[str, _Func] = {
    "and": _Func((_VALUE,), _VALUE, lambda *a: None),
    "or": _Func((_VALUE,), _VALUE, lambda *a: None),
    "call": _Func((_VALUE,), _VALUE, lambda *a: None),
    "not": _Func((_VALUE,), None, _not),
    "len": _Func((_VALUE,), None, _len),
    "index": _Func((_VALUE,), _VALUE, _index),
    "slice": _Func((_VALUE,), _VALUE, _slice),
    "print": _Func((), _ANY, sprint),
    "println": _Func((), _ANY, sprintln),
    "printf": _Func((_STRING,), _ANY, sprintf),
    "html": _Func((), _ANY, _html),
    "js": _Func((), _ANY, _js),
    "urlquery": _Func((), _ANY, _urlquery),
    "eq": _Func((_VALUE,), _VALUE, _eq),
    "ne": _Func((_VALUE, _VALUE), None, lambda a, b: not _eq(a, b)),
    "lt": _Func((_VALUE, _VALUE), None, _lt),
    "le": _Func((_VALUE, _VALUE), None, _le),
    "gt": _Func((_VALUE, _VALUE), None, lambda a, b: not _le(a, b)),
    "ge": _Func((_VALUE, _VALUE), None, lambda a, b: not _lt(a, b)),
    # kubectl's own (k8s.io/cli-runtime/pkg/printers).
    "exists": _Func((_ANY,), _ANY, _exists),
    "base64decode": _Func((_STRING,), None, _base64decode),
}
_BUILTIN_NAMES = frozenset(_FUNCS)


# -- the executor -----------------------------------------------------------------------------


class _State:
    def __init__(self, tmpl: GoTemplate, name: str, strict: bool, out: list[str]) -> None:
        self.tmpl = tmpl
        self.name = name
        self.strict = strict
        self.out = out
        self.node: p.Node | None = None
        self.vars: list[list[Any]] = []
        self.depth = 0

    # -- errors
    def errorf(self, message: str) -> p.TemplateError:
        if self.node is None:
            return p.TemplateError(f"template: {self.name}: {message}")
        location = self.tmpl.location(self.node)
        return p.TemplateError(
            f"template: {location}: executing {go_quote(self.name)} at <{self.node}>: {message}"
        )

    def at(self, node: p.Node) -> None:
        self.node = node

    # -- variables
    def set_var(self, name: str, value: Any) -> None:
        for var in reversed(self.vars):
            if var[0] == name:
                var[1] = value
                return
        raise self.errorf(f"undefined variable: {name}")

    def var_value(self, name: str) -> Any:
        for var in reversed(self.vars):
            if var[0] == name:
                return var[1]
        raise self.errorf(f"undefined variable: {name}")

    # -- walking
    def walk(self, dot: Any, node: p.Node) -> None:
        self.at(node)
        if isinstance(node, p.Action):
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.at(node)
                self.out.append("<no value>" if value is None else sprint(value))
        elif isinstance(node, p.Text):
            self.out.append(node.text)
        elif isinstance(node, p.Branch):
            if node.kind == "range":
                self.walk_range(dot, node)
            else:
                self.walk_if_or_with(dot, node)
        elif isinstance(node, p.Template):
            self.walk_template(dot, node)
        elif isinstance(node, p.Control):
            raise _Break() if node.word == "break" else _Continue()

    def walk_list(self, dot: Any, nodes: list[p.Node]) -> None:
        for node in nodes:
            self.walk(dot, node)

    def walk_if_or_with(self, dot: Any, node: p.Branch) -> None:
        mark = len(self.vars)
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if _truth(value):
                self.walk_list(value if node.kind == "with" else dot, node.body)
            elif node.orelse is not None:
                self.walk_list(dot, node.orelse)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: Any, node: p.Branch) -> None:
        self.at(node)
        outer = len(self.vars)
        try:
            value = _unbox(self.eval_pipeline(dot, node.pipe))
            mark = len(self.vars)
            decl = node.pipe.decl
            pairs: Iterable[tuple[Any, Any]]
            if isinstance(value, int) and not isinstance(value, bool):
                if len(decl) > 1:
                    raise self.errorf(
                        f"can't use {sprint(value)} to iterate over more than one variable"
                    )
                kind = type(value)
                pairs = ((None, kind(i)) for i in range(value))
            elif isinstance(value, list):
                pairs = ((GoInt(i), _Box(v)) for i, v in enumerate(value))
            elif isinstance(value, dict):
                pairs = ((k, _Box(value[k])) for k in sorted(value))
            elif value is None:
                pairs = ()
            else:
                raise self.errorf(f"range can't iterate over {sprint(value)}")
            ran = False
            for index, elem in pairs:
                ran = True
                if decl:
                    if node.pipe.is_assign:
                        self.set_var(decl[0].idents[0], index if len(decl) > 1 else elem)
                        if len(decl) > 1:
                            self.set_var(decl[1].idents[0], elem)
                    else:
                        self.vars[-1][1] = elem
                        if len(decl) > 1:
                            self.vars[-2][1] = index
                try:
                    self.walk_list(elem, node.body)
                except _Continue:
                    pass
                finally:
                    del self.vars[mark:]
            if not ran and node.orelse is not None:
                self.walk_list(dot, node.orelse)
        except _Break:
            pass
        finally:
            del self.vars[outer:]

    def walk_template(self, dot: Any, node: p.Template) -> None:
        self.at(node)
        tree = self.tmpl.trees.get(node.name)
        if tree is None or tree.root is None:
            raise self.errorf(f"template {go_quote(node.name)} not defined")
        if self.depth >= _MAX_DEPTH:
            raise self.errorf(f"exceeded maximum template depth ({_MAX_DEPTH})")
        dot = self.eval_pipeline(dot, node.pipe)
        inner = _State(self.tmpl, node.name, self.strict, self.out)
        inner.depth = self.depth + 1
        inner.vars = [["$", dot]]
        try:
            inner.walk_list(dot, tree.root)
        except RecursionError:
            # Go stops at 100,000 nested templates; Python's stack gives out sooner.
            self.at(node)
            raise self.errorf(f"exceeded maximum template depth ({_MAX_DEPTH})") from None

    # -- evaluation
    def eval_pipeline(self, dot: Any, pipe: p.Pipe | None) -> Any:
        if pipe is None:
            return None
        self.at(pipe)
        value: Any = _MISSING
        for cmd in pipe.cmds:
            value = _unbox(self.eval_command(dot, cmd, value))
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.idents[0], value)
            else:
                self.vars.append([var.idents[0], value])
        return value

    def not_a_function(self, args: list[p.Node], final: Any) -> None:
        if len(args) > 1 or final is not _MISSING:
            raise self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: p.Command, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, p.Field):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, p.Chain):
            return self.eval_chain(dot, first, cmd.args, final)
        if isinstance(first, p.Identifier):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, p.Pipe):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, p.Variable):
            return self.eval_variable(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, p.Bool):
            return first.value
        if isinstance(first, p.Dot):
            return dot
        if isinstance(first, p.Nil):
            raise self.errorf("nil is not a command")
        if isinstance(first, p.Number):
            return self.ideal_constant(first)
        if isinstance(first, p.String):
            return first.text
        raise self.errorf(f"can't evaluate command {go_quote(str(first))}")

    def ideal_constant(self, number: p.Number) -> Any:
        self.at(number)
        text = number.text
        if number.is_complex:
            return number.complex_value
        is_hex_int = text[:2].lower() == "0x" and "p" not in text.lower()
        if (
            number.is_float
            and not is_hex_int
            and not text.startswith("'")
            and any(c in text for c in ".eEpP")
        ):
            return number.float_value
        if number.is_int:
            return GoInt(number.int_value)
        if number.is_uint:
            raise self.errorf(f"{text} overflows int")
        return None

    def eval_field_node(self, dot: Any, node: p.Field, args: list[p.Node], final: Any) -> Any:
        self.at(node)
        return self.eval_field_chain(dot, dot, node, node.idents, args, final)

    def eval_chain(self, dot: Any, node: p.Chain, args: list[p.Node], final: Any) -> Any:
        self.at(node)
        if isinstance(node.node, p.Nil):
            raise self.errorf(f"indirection through explicit nil in {node}")
        receiver = self.eval_arg(dot, None, node.node)
        return self.eval_field_chain(dot, receiver, node, node.fields, args, final)

    def eval_variable(self, dot: Any, node: p.Variable, args: list[p.Node], final: Any) -> Any:
        self.at(node)
        value = self.var_value(node.idents[0])
        if len(node.idents) == 1:
            self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, node, node.idents[1:], args, final)

    def eval_field_chain(
        self,
        dot: Any,
        receiver: Any,
        node: p.Node,
        idents: list[str],
        args: list[p.Node],
        final: Any,
    ) -> Any:
        for ident in idents[:-1]:
            receiver = self.eval_field(ident, [], _MISSING, receiver)
        return self.eval_field(idents[-1], args, final, receiver)

    def eval_field(self, name: str, args: list[p.Node], final: Any, receiver: Any) -> Any:
        if receiver is None:
            if self.strict:
                raise self.errorf(f"nil data; no entry for key {go_quote(name)}")
            return None
        type_name = _type_name(receiver)
        if isinstance(receiver, _Box) and receiver.value is None:
            raise self.errorf(f"nil pointer evaluating {type_name}.{name}")
        value = _unbox(receiver)
        if isinstance(value, dict):
            if len(args) > 1 or final is not _MISSING:
                raise self.errorf(f"{name} is not a method but has arguments")
            if name in value:
                return _Box(value[name])
            if self.strict:
                raise self.errorf(f"map has no entry for key {go_quote(name)}")
            return None
        raise self.errorf(f"can't evaluate field {name} in type {type_name}")

    def eval_function(
        self, dot: Any, node: p.Identifier, cmd: p.Node, args: list[p.Node], final: Any
    ) -> Any:
        self.at(node)
        func = _FUNCS.get(node.name)
        if func is None:
            raise self.errorf(f"{go_quote(node.name)} is not a defined function")
        return self.eval_call(dot, func, cmd, node.name, args, final)

    def eval_call(
        self, dot: Any, func: _Func, node: p.Node, name: str, args: list[p.Node], final: Any
    ) -> Any:
        args = args[1:]
        count = len(args) + (0 if final is _MISSING else 1)
        fixed = len(func.params)
        if func.variadic is not None:
            if count < fixed:
                raise self.errorf(
                    f"wrong number of args for {name}: want at least {fixed} got {len(args)}"
                )
        elif count != fixed:
            raise self.errorf(f"wrong number of args for {name}: want {fixed} got {count}")
        if name in ("and", "or"):
            value: Any = None
            for arg in args:
                value = self.eval_arg(dot, _VALUE, arg)
                if _truth(value) == (name == "or"):
                    return value
            if final is not _MISSING:
                value = final
            return value
        argv = []
        for i, arg in enumerate(args):
            argv.append(self.eval_arg(dot, func.params[i] if i < fixed else func.variadic, arg))
        if final is not _MISSING:
            kind = func.params[count - 1] if count - 1 < fixed else func.variadic
            argv.append(self.validate_type(final, kind))
        if name == "call":
            callee = str(args[0]) if args else str(final)
            fn = _unbox(argv[0])
            self.at(node)
            if fn is None:
                raise self.errorf("error calling call: call of nil")
            raise self.errorf(f"error calling call: non-function {callee} of type {go_type(fn)}")
        try:
            return func.call(*argv)
        except _CallError as err:
            self.at(node)
            raise self.errorf(f"error calling {name}: {err}") from None

    def validate_type(self, value: Any, kind: str | None) -> Any:
        """Go's validateType for the parameter kinds the functions have."""
        if kind is None or kind == _VALUE:
            return value
        if kind == _ANY:
            return _unbox(value)
        if value is None:
            raise self.errorf(f"invalid value; expected {kind}")
        inner = _unbox(value)
        if isinstance(inner, str):
            return inner
        got = go_type(inner) if inner is not None else _ANY
        raise self.errorf(f"wrong type for value; expected {kind}; got {got}")

    def eval_arg(self, dot: Any, kind: str | None, node: p.Node) -> Any:
        self.at(node)
        if isinstance(node, p.Dot):
            return self.validate_type(dot, kind)
        if isinstance(node, p.Nil):
            if kind in (_ANY, _VALUE):
                return None
            raise self.errorf(f"cannot assign nil to {kind}")
        if isinstance(node, p.Field):
            return self.validate_type(self.eval_field_node(dot, node, [node], _MISSING), kind)
        if isinstance(node, p.Variable):
            return self.validate_type(self.eval_variable(dot, node, [], _MISSING), kind)
        if isinstance(node, p.Pipe):
            return self.validate_type(self.eval_pipeline(dot, node), kind)
        if isinstance(node, p.Identifier):
            value = self.eval_function(dot, node, node, [node], _MISSING)
            return self.validate_type(value, kind)
        if isinstance(node, p.Chain):
            return self.validate_type(self.eval_chain(dot, node, [], _MISSING), kind)
        if kind == _STRING:
            if isinstance(node, p.String):
                return node.text
            raise self.errorf(f"expected string; found {node}")
        if kind is None:
            raise self.errorf(f"can't handle {node} for arg of type <nil>")
        if isinstance(node, p.Bool):
            return node.value
        if isinstance(node, p.Number):
            return self.ideal_constant(node)
        if isinstance(node, p.String):
            return node.text
        raise self.errorf(f"can't handle assignment of {node} to empty interface argument")


class GoTemplate:
    """A parsed template named ``output``, as kubectl names it."""

    def __init__(self, text: str, name: str = "output") -> None:
        self.text = text
        self.name = name
        self.trees = p.parse(text, name, _BUILTIN_NAMES)

    def location(self, node: p.Node) -> str:
        before = self.text[: node.pos]
        line_start = before.rfind("\n") + 1
        column = len(before[line_start:].encode())
        return f"{self.name}:{1 + before.count(chr(10))}:{column}"

    def execute(self, data: Any, strict: bool = False) -> tuple[str, p.TemplateError | None]:
        """The text written, and the error that stopped it (the text up to there)."""
        out: list[str] = []
        state = _State(self, self.name, strict, out)
        state.vars = [["$", data]]
        tree = self.trees.get(self.name)
        try:
            if tree is None or tree.root is None:
                raise state.errorf(f"{go_quote(self.name)} is an incomplete or empty template")
            state.walk_list(data, tree.root)
        except p.TemplateError as err:
            return "".join(out), err
        except RecursionError:
            # Go nests far deeper; Python's stack gives out first (see walk_template).
            return "".join(out), state.errorf("max expression depth exceeded")
        return "".join(out), None
