"""Go's fmt.Sprint, Sprintln and Sprintf over the values a template sees.

Values are JSON-decoded Python objects plus the few Go types a template makes: ``GoInt``
(Go's ``int``, from literals and ``len``), ``Uint8`` (a byte from indexing a string). A
plain Python int is an int64, as kubectl's decoder makes whole JSON numbers.
"""

from __future__ import annotations

import math
from typing import Any

from kctl.cli._printers._gofmt import go_sprint
from kctl.util.goformat import go_quote

__all__ = ["GoInt", "Uint8", "go_type", "sprint", "sprintf", "sprintln"]


class GoInt(int):
    """Go's ``int``."""


class Uint8(int):
    """Go's ``uint8`` (a byte of a string)."""


def go_type(value: Any) -> str:
    """The Go type name of a value, as ``%T`` and error messages print it."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, GoInt):
        return "int"
    if isinstance(value, Uint8):
        return "uint8"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    return type(value).__name__


def _v(value: Any) -> str:
    if isinstance(value, complex):
        return f"({_g(value.real)}{_g(value.imag, plus=True)}i)"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_v(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_v(v) for v in value) + "]"
    return go_sprint(value)


def _g(f: float, plus: bool = False) -> str:
    text = go_sprint(f)
    return "+" + text if plus and not text.startswith(("-", "+")) else text


def sprint(*args: Any) -> str:
    """fmt.Sprint: a space between operands when neither is a string."""
    out: list[str] = []
    prev_string = False
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(_v(arg))
        prev_string = is_string
    return "".join(out)


def sprintln(*args: Any) -> str:
    return " ".join(_v(a) for a in args) + "\n"


# -- Sprintf ----------------------------------------------------------------------------------


class _Spec:
    def __init__(self) -> None:
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.width: int | None = None
        self.prec: int | None = None

    def pad(self, text: str, numeric: bool = False) -> str:
        if self.width is None or len(text) >= self.width:
            return text
        fill = self.width - len(text)
        if self.minus:
            return text + " " * fill
        if self.zero and numeric:
            sign = text[0] if text[:1] in ("-", "+", " ") else ""
            return sign + "0" * fill + text[len(sign) :]
        return " " * fill + text


def _bad(verb: str, value: Any, spec: _Spec | None = None) -> str:
    if value is None:
        return f"%!{verb}(<nil>)"
    # The value is printed with %v under the same flags and width.
    return f"%!{verb}({go_type(value)}={_format(spec or _Spec(), 'v', value)})"


def _integer(spec: _Spec, verb: str, n: int) -> str:
    if verb in ("d", "b", "o", "x", "X"):
        body = format(abs(n), verb)
    elif verb == "O":
        body = "0o" + format(abs(n), "o")
    elif verb == "c":
        return spec.pad(chr(n) if 0 <= n <= 0x10FFFF else "\ufffd")
    elif verb == "q":
        return spec.pad("'" + go_quote(chr(n))[1:-1].replace("'", "\\'") + "'")
    elif verb == "U":
        return spec.pad(f"U+{n:04X}")
    else:
        return _bad(verb, n, spec)
    if spec.prec is not None:
        body = body.rjust(spec.prec, "0") if spec.prec or n else ""
    if spec.sharp:
        body = {"x": "0x", "X": "0X", "o": "0", "b": ""}.get(verb, "") + body
    sign = "-" if n < 0 else "+" if spec.plus else " " if spec.space else ""
    return spec.pad(sign + body, numeric=spec.prec is None)


def _floating(spec: _Spec, verb: str, f: float) -> str:
    if verb == "v":
        verb = "g"
    if verb not in "eEfFgG" or not verb:
        return _bad(verb, f, spec)
    if math.isinf(f) or math.isnan(f):
        text = "NaN" if math.isnan(f) else ("+Inf" if f > 0 else "-Inf")
        if text != "NaN" and f > 0 and not spec.plus:
            text = "Inf" if not spec.space else " Inf"
        spec.zero = False
        return spec.pad(text)
    if spec.prec is None and verb in "gG":
        text = go_sprint(f)
        text = text.upper() if verb == "G" else text
    else:
        prec = 6 if spec.prec is None else spec.prec
        text = format(f, f"{'#' if spec.sharp else ''}.{prec}{verb}")
        if verb in "eEgG" and "e" in text.lower():
            mant, _, exp = text.partition("e" if "e" in text else "E")
            sign, digits = exp[0], exp[1:].lstrip("0")
            text = f"{mant}{'e' if 'e' in text else 'E'}{sign}{digits.rjust(2, '0')}"
    if spec.plus and not text.startswith("-"):
        text = "+" + text
    elif spec.space and not text.startswith("-"):
        text = " " + text
    return spec.pad(text, numeric=True)


def _string(spec: _Spec, verb: str, text: str) -> str:
    if verb in ("v", "s"):
        return spec.pad(text[: spec.prec] if spec.prec is not None else text)
    if verb == "q":
        if spec.prec is not None:
            text = text[: spec.prec]
        if spec.sharp and "`" not in text and text.isprintable():
            return spec.pad("`" + text + "`")
        return spec.pad(go_quote(text))
    if verb in ("x", "X"):
        data = text.encode()[: spec.prec] if spec.prec is not None else text.encode()
        body = data.hex() if verb == "x" else data.hex().upper()
        if spec.space:
            sep = " " + ("0x" if verb == "x" else "0X") if spec.sharp else " "
            pre = ("0x" if verb == "x" else "0X") if spec.sharp else ""
            body = pre + sep.join(body[i : i + 2] for i in range(0, len(body), 2))
        elif spec.sharp:
            body = ("0x" if verb == "x" else "0X") + body
        return spec.pad(body)
    return _bad(verb, text, spec)


def _element(spec: _Spec, verb: str, value: Any) -> str:
    """A map key or value, a list element: fmt prints a nil one as <nil> for any verb."""
    return spec.pad("<nil>") if value is None else _format(spec, verb, value)


def _format(spec: _Spec, verb: str, value: Any) -> str:
    if verb == "T":
        return spec.pad(go_type(value))
    if value is None:
        return spec.pad("<nil>") if verb == "v" else _bad(verb, value)
    if isinstance(value, bool):
        if verb in ("v", "t"):
            return spec.pad("true" if value else "false")
        return _bad(verb, value, spec)
    if isinstance(value, int):
        if verb == "v":
            verb = "d"
        return _integer(spec, verb, value)
    if isinstance(value, float):
        return _floating(spec, verb, value)
    if isinstance(value, complex):
        if verb not in "vefgEFG" or not verb:
            return _bad(verb, value, spec)
        inner = _Spec()
        inner.prec, inner.sharp = spec.prec, spec.sharp
        real = _floating(inner, verb, value.real)
        inner.plus = True
        return spec.pad(f"({real}{_floating(inner, verb, value.imag)}i)")
    if isinstance(value, str):
        return _string(spec, verb, value)
    if isinstance(value, dict):
        if verb in ("v", "s", "d", "x", "X", "q", "f", "g", "e", "t", "o", "b"):
            body = " ".join(
                f"{_element(spec, verb, k)}:{_element(spec, verb, value[k])}" for k in sorted(value)
            )
            return "map[" + body + "]"
        return _bad(verb, value, spec)
    if isinstance(value, list):
        if verb in ("v", "s", "d", "x", "X", "q", "f", "g", "e", "t", "o", "b"):
            return "[" + " ".join(_element(spec, verb, v) for v in value) + "]"
        return _bad(verb, value, spec)
    return spec.pad(str(value))


def _number_at(fmt: str, i: int) -> tuple[int | None, int]:
    start = i
    while i < len(fmt) and fmt[i].isdigit() and fmt[i].isascii():
        i += 1
    return (int(fmt[start:i]) if i > start else None), i


def sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf for the verbs a template uses: flags, width, precision (also ``*``)."""
    out: list[str] = []
    used = 0
    i = 0
    while i < len(fmt):
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        i = j + 1
        spec = _Spec()
        while i < len(fmt) and fmt[i] in "+-# 0":
            flag = fmt[i]
            spec.plus |= flag == "+"
            spec.minus |= flag == "-"
            spec.sharp |= flag == "#"
            spec.space |= flag == " "
            spec.zero |= flag == "0"
            i += 1
        if i < len(fmt) and fmt[i] == "*":
            i += 1
            if (
                used < len(args)
                and isinstance(args[used], int)
                and not isinstance(args[used], bool)
            ):
                spec.width = args[used]
                if spec.width < 0:
                    spec.minus, spec.width = True, -spec.width
            else:
                out.append("%!(BADWIDTH)")
            used += 1
        else:
            spec.width, i = _number_at(fmt, i)
        if i < len(fmt) and fmt[i] == ".":
            i += 1
            if i < len(fmt) and fmt[i] == "*":
                i += 1
                if used < len(args) and isinstance(args[used], int):
                    spec.prec = args[used] if args[used] >= 0 else None
                else:
                    out.append("%!(BADPREC)")
                used += 1
            else:
                prec, i = _number_at(fmt, i)
                spec.prec = prec or 0
        if spec.minus:
            spec.zero = False
        if i >= len(fmt):
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if used >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        out.append(_format(spec, verb, args[used]))
        used += 1
    if used < len(args):
        extra = ", ".join("<nil>" if a is None else f"{go_type(a)}={_v(a)}" for a in args[used:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)
