"""The functions a kubectl go-template can call, and how values look to them.

Go's builtins (and, or, not, len, index, slice, print, printf, println, html, js, urlquery,
eq, ne, lt, le, gt, ge, call) and kubectl's two (exists, base64decode), with their error
texts. A value the object holds sits in an ``interface{}`` (``Box``), as Go's error texts
tell (``cannot index slice/array with type interface {}``); None is Go's invalid value.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from kctl.cli._printers._goprintf import GoInt, Uint8, go_type, sprint, sprintf, sprintln

__all__ = [
    "ANY",
    "FUNCS",
    "STRING",
    "VALUE",
    "Box",
    "CallError",
    "Func",
    "truth",
    "type_name",
    "unbox",
]


@dataclass(frozen=True)
class Box:
    """A value held in an ``interface{}``: what a map or a list of the object holds."""

    value: Any


ANY, VALUE, STRING = "interface {}", "reflect.Value", "string"


@dataclass(frozen=True)
class Func:
    params: tuple[str, ...]
    variadic: str | None
    call: Callable[..., Any]


def unbox(value: Any) -> Any:
    """indirectInterface: the value inside an interface (None: a nil one)."""
    return value.value if isinstance(value, Box) else value


def type_name(value: Any) -> str:
    return ANY if isinstance(value, Box) else go_type(value)


def truth(value: Any) -> bool:
    value = unbox(value)
    if value is None:
        return False
    if isinstance(value, (dict, list, str)):
        return len(value) > 0
    return bool(value)


# -- builtins and kubectl's functions ---------------------------------------------------------


class CallError(Exception):
    """A function's error; the executor words it ``error calling NAME: ...``."""


def _index_arg(index: Any, cap: int) -> int:
    if isinstance(index, Box):
        # slice does not look inside an interface as index does.
        raise CallError("cannot index slice/array with type interface {}")
    if index is None:
        raise CallError("cannot index slice/array with nil")
    if isinstance(index, bool) or not isinstance(index, int):
        raise CallError(f"cannot index slice/array with type {go_type(index)}")
    if index < 0 or index > cap:
        raise CallError(f"index out of range: {index}")
    return int(index)


def _index(item: Any, *indexes: Any) -> Any:
    item = unbox(item)
    if item is None:
        raise CallError("index of untyped nil")
    for index in indexes:
        item, index = unbox(item), unbox(index)
        if item is None:
            raise CallError("index of nil pointer")
        if isinstance(item, (list, str)):
            seq = item if isinstance(item, list) else item.encode()
            x = _index_arg(index, len(seq))
            if x == len(seq):
                what = "slice" if isinstance(item, list) else "string"
                raise CallError(f"reflect: {what} index out of range")
            item = Box(seq[x]) if isinstance(seq, list) else Uint8(seq[x])
        elif isinstance(item, dict):
            if index is None:
                raise CallError("value is nil; should be of type string")
            if not isinstance(index, str):
                raise CallError(f"value has type {go_type(index)}; should be string")
            item = Box(item.get(index))
        else:
            raise CallError(f"can't index item of type {go_type(item)}")
    return item


def _slice(item: Any, *indexes: Any) -> Any:
    item = unbox(item)
    if item is None:
        raise CallError("slice of untyped nil")
    if len(indexes) > 3:
        raise CallError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise CallError("cannot 3-index slice a string")
    elif not isinstance(item, list):
        raise CallError(f"can't slice item of type {go_type(item)}")
    seq = item if isinstance(item, list) else item.encode()
    bounds = [0, len(seq), len(seq)]
    for i, index in enumerate(indexes):
        bounds[i] = _index_arg(index, len(seq))
    for low, high in ((bounds[0], bounds[1]), (bounds[1], bounds[2])):
        if low > high:
            raise CallError(f"invalid slice index: {low} > {high}")
    part = seq[bounds[0] : bounds[1]]
    # Lengths and offsets of a Go string count bytes.
    return part.decode(errors="replace") if isinstance(part, bytes) else part


def _len(item: Any) -> GoInt:
    if isinstance(item, Box) and item.value is None:
        raise CallError("len of nil pointer")
    item = unbox(item)
    if item is None:
        raise CallError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, str):
        return GoInt(len(item.encode()))
    if isinstance(item, (dict, list)):
        return GoInt(len(item))
    raise CallError(f"len of type {go_type(item)}")


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
    arg1 = unbox(arg1)
    if not rest:
        raise CallError("missing argument for comparison")
    k1 = _kind(arg1)
    for arg in rest:
        arg = unbox(arg)
        k2 = _kind(arg)
        if k1 != k2 and {k1, k2} == {"int", "uint"}:
            truth = arg1 == arg
        elif k1 != k2:
            if arg1 is not None and arg is not None:
                raise CallError(
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
        raise CallError(
            f"non-comparable types {sprintf('%s', arg1)}: {go_type(arg1)}, "
            f"{go_type(arg)}: {sprint(arg)}"
        )
    raise CallError(f"non-comparable type {sprintf('%s', arg)}: {go_type(arg)}")


def _lt(arg1: Any, arg2: Any) -> bool:
    arg1, arg2 = unbox(arg1), unbox(arg2)
    k1, k2 = _kind(arg1), _kind(arg2)
    if k1 in ("invalid", "other") or k2 in ("invalid", "other"):
        raise CallError("invalid type for comparison")
    if k1 != k2:
        if {k1, k2} == {"int", "uint"}:
            return bool(arg1 < arg2)
        raise CallError(f"incompatible types for comparison: {go_type(arg1)} and {go_type(arg2)}")
    if k1 in ("bool", "complex"):
        raise CallError("invalid type for comparison")
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
        raise CallError(f"base64 decode failed: illegal base64 data at input byte {offset}")
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
    return not truth(arg)


FUNCS: dict[str, Func] = {
    "and": Func((VALUE,), VALUE, lambda *a: None),
    "or": Func((VALUE,), VALUE, lambda *a: None),
    "call": Func((VALUE,), VALUE, lambda *a: None),
    "not": Func((VALUE,), None, _not),
    "len": Func((VALUE,), None, _len),
    "index": Func((VALUE,), VALUE, _index),
    "slice": Func((VALUE,), VALUE, _slice),
    "print": Func((), ANY, sprint),
    "println": Func((), ANY, sprintln),
    "printf": Func((STRING,), ANY, sprintf),
    "html": Func((), ANY, _html),
    "js": Func((), ANY, _js),
    "urlquery": Func((), ANY, _urlquery),
    "eq": Func((VALUE,), VALUE, _eq),
    "ne": Func((VALUE, VALUE), None, lambda a, b: not _eq(a, b)),
    "lt": Func((VALUE, VALUE), None, _lt),
    "le": Func((VALUE, VALUE), None, _le),
    "gt": Func((VALUE, VALUE), None, lambda a, b: not _le(a, b)),
    "ge": Func((VALUE, VALUE), None, lambda a, b: not _lt(a, b)),
    # kubectl's own (k8s.io/cli-runtime/pkg/printers).
    "exists": Func((ANY,), ANY, _exists),
    "base64decode": Func((STRING,), None, _base64decode),
}
