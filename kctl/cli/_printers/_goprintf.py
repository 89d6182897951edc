"""Go's fmt.Sprint, Sprintln and Sprintf over the values a template sees.

Values are JSON-decoded Python objects plus the few Go types a template makes: ``GoInt``
(Go's ``int``, from literals and ``len``), ``Uint8`` (a byte from indexing a string). A
plain Python int is an int64, as kubectl's decoder makes whole JSON numbers.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from kctl.cli._printers._gofmt import go_sharp_v, go_sprint
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

    def pad(self, text: str, zeros: str = "text") -> str:
        """Padded to the width: zeros (flag 0) go after a number's sign, before any other
        text; ``zeros="never"`` for what Go pads with spaces only (Inf, a %.3d)."""
        if self.width is None or len(text) >= self.width:
            return text
        fill = self.width - len(text)
        if self.minus:
            return text + " " * fill
        if self.zero and zeros == "number":
            sign = text[0] if text[:1] in ("-", "+", " ") else ""
            return sign + "0" * fill + text[len(sign) :]
        if self.zero and zeros == "text":
            return "0" * fill + text
        return " " * fill + text


def _bad(verb: str, value: Any, spec: _Spec) -> str:
    if value is None:
        return f"%!{verb}(<nil>)"
    # The value is printed with %v under the same flags and width.
    return f"%!{verb}({go_type(value)}={_format(spec, 'v', value)})"


def _rune(n: int) -> str:
    """A code point as a string; what is no valid rune is U+FFFD, as Go converts it."""
    return chr(n) if 0 <= n <= 0x10FFFF and not 0xD800 <= n < 0xE000 else "\ufffd"


def _integer(spec: _Spec, verb: str, n: int) -> str:
    if verb == "c":
        return spec.pad(_rune(n))
    if verb == "q":
        quoted = go_quote(_rune(n))[1:-1].replace('\\"', '"').replace("'", "\\'")
        return spec.pad("'" + (_ascii(quoted) if spec.plus else quoted) + "'")
    if verb == "U":
        digits = max(4, spec.prec or 0)
        code = f"U+{n % (1 << 64):0{digits}X}"
        if spec.sharp and 0 <= n <= 0x10FFFF and _rune(n).isprintable():
            code += f" '{_rune(n)}'"
        return spec.pad(code, "never")
    if verb not in ("d", "b", "o", "O", "x", "X"):
        return _bad(verb, n, spec)
    body = format(abs(n), "o" if verb == "O" else verb)
    sign = "-" if n < 0 else "+" if spec.plus else " " if spec.space else ""
    if spec.prec is not None:
        body = body.rjust(spec.prec, "0") if spec.prec or n else ""
    elif spec.zero and spec.width is not None:
        # Zero padding counts the digits only: the sign and a 0x prefix come on top.
        body = body.rjust(spec.width - len(sign), "0")
    prefix = {"x": "0x", "X": "0X", "o": "0", "b": "0b"}.get(verb, "") if spec.sharp else ""
    if verb == "O":
        prefix = "0o"
    elif verb == "o" and body.startswith("0"):
        prefix = ""
    return spec.pad(sign + prefix + body, "never")


def _ascii(quoted: str) -> str:
    """%+q: what strconv.QuoteToASCII escapes beyond Quote, the non-ASCII characters."""
    out = []
    for ch in quoted:
        code = ord(ch)
        if code < 0x80:
            out.append(ch)
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def _signed(spec: _Spec, text: str) -> str:
    if spec.plus and not text.startswith("-"):
        return "+" + text
    if spec.space and not text.startswith("-"):
        return " " + text
    return text


def _floating(spec: _Spec, verb: str, f: float) -> str:
    if verb == "v":
        verb = "g"
    if math.isinf(f) or math.isnan(f):
        if verb not in "bgGxXfFeE" or not verb:
            return _bad(verb, f, spec)
        text = "NaN" if math.isnan(f) else ("+Inf" if f > 0 else "-Inf")
        if text == "+Inf" and not spec.plus:
            text = " Inf" if spec.space else "Inf"
        return spec.pad(text, "never")
    if verb == "b" or verb in ("x", "X"):
        text = _binary_float(f) if verb == "b" else _hex_float(f, verb == "X", spec)
        return spec.pad(_signed(spec, text), "number")
    if verb not in "eEfFgG" or not verb:
        return _bad(verb, f, spec)
    if spec.prec is None and verb in "gG" and not spec.sharp:
        text = go_sprint(f)
        text = text.upper() if verb == "G" else text
    else:
        # Flag # keeps a %g's trailing zeros, with 6 digits when no precision is given.
        prec = 6 if spec.prec is None else spec.prec
        text = format(f, f"{'#' if spec.sharp else ''}.{prec}{verb}")
        if verb in "eEgG" and "e" in text.lower():
            mant, _, exp = text.partition("e" if "e" in text else "E")
            sign, digits = exp[0], exp[1:].lstrip("0")
            text = f"{mant}{'e' if 'e' in text else 'E'}{sign}{digits.rjust(2, '0')}"
    return spec.pad(_signed(spec, text), "number")


def _binary_float(f: float) -> str:
    """strconv's 'b' format: decimal mantissa, binary exponent (4503599627370496p-52)."""
    if f == 0:
        return ("-" if math.copysign(1, f) < 0 else "") + "0p-1074"
    mantissa, exp = math.frexp(abs(f))
    bits, shift = int(mantissa * (1 << 53)), exp - 53
    if shift < -1074:
        bits, shift = bits >> (-1074 - shift), -1074
    return ("-" if f < 0 else "") + f"{bits}p{shift:+d}"


def _hex_float(f: float, upper: bool, spec: _Spec) -> str:
    """strconv's 'x' format: 0x1.8p+01, the mantissa shortest or rounded to the precision."""
    sign = "-" if math.copysign(1, f) < 0 else ""
    value = 0
    if f == 0:
        lead, digits = 0, ""
    else:
        mantissa, exp = math.frexp(abs(f))
        # 1.x times 2**(exp-1): 52 bits after the point, as 13 hex digits.
        full, value, lead = int(mantissa * (1 << 53)), exp - 1, 1
        if spec.prec is not None and spec.prec < 13:
            # Round half to even on the digits kept, the leading 1 included.
            shift = 52 - 4 * spec.prec
            kept, rest = divmod(full, 1 << shift)
            half = 1 << (shift - 1)
            if rest > half or (rest == half and kept % 2):
                kept += 1
            if kept >> (4 * spec.prec + 1):
                kept, value = kept >> 1, value + 1
            full = kept << shift
        bits = full - (1 << 52)
        digits = format(bits, "013x").rstrip("0")
    if spec.prec is not None:
        digits = digits.ljust(spec.prec, "0")[: spec.prec]
    point = "." if digits or spec.sharp else ""
    text = f"{sign}0x{lead}{point}{digits}p{'-' if value < 0 else '+'}{abs(value):02d}"
    return text.upper() if upper else text


def _string(spec: _Spec, verb: str, text: str) -> str:
    if verb in ("v", "s"):
        return spec.pad(text[: spec.prec] if spec.prec is not None else text)
    if verb == "q":
        if spec.prec is not None:
            text = text[: spec.prec]
        if spec.sharp and "`" not in text and text.isprintable():
            return spec.pad("`" + text + "`")
        return spec.pad(_ascii(go_quote(text)) if spec.plus else go_quote(text))
    if verb in ("x", "X"):
        data = text.encode()[: spec.prec] if spec.prec is not None else text.encode()
        body = data.hex() if verb == "x" else data.hex().upper()
        prefix = ("0x" if verb == "x" else "0X") if spec.sharp and data else ""
        if spec.space:
            body = " ".join(prefix + body[i : i + 2] for i in range(0, len(body), 2))
        else:
            body = prefix + body
        return spec.pad(body)
    return _bad(verb, text, spec)


def _element(spec: _Spec, verb: str, value: Any) -> str:
    """A map key or value, a list element: a nil one is <nil> for any verb and width."""
    return "<nil>" if value is None else _format(spec, verb, value)


def _format(spec: _Spec, verb: str, value: Any) -> str:
    if verb == "T":
        return spec.pad("<nil>") if value is None else _string(spec, "s", go_type(value))
    if value is None:
        return spec.pad("<nil>") if verb == "v" else _bad(verb, value, spec)
    if isinstance(value, bool):
        if verb in ("v", "t"):
            return spec.pad("true" if value else "false")
        return _bad(verb, value, spec)
    if isinstance(value, int):
        return _integer(spec, "d" if verb == "v" else verb, value)
    if isinstance(value, float):
        return _floating(spec, verb, value)
    if isinstance(value, complex):
        if verb not in "vbgGxXfFeE" or not verb:
            return _bad(verb, value, spec)
        # The flags and width apply to each part; the imaginary one always has a sign.
        imag = copy.copy(spec)
        imag.plus = True
        return f"({_floating(spec, verb, value.real)}{_floating(imag, verb, value.imag)}i)"
    if isinstance(value, str):
        return _string(spec, verb, value)
    # Maps and slices apply the verb to each element.
    if isinstance(value, dict):
        pairs = (
            f"{_element(spec, verb, k)}:{_element(spec, verb, value[k])}" for k in sorted(value)
        )
        return "map[" + " ".join(pairs) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_element(spec, verb, v) for v in value) + "]"
    return spec.pad(str(value))


def _number_at(fmt: str, i: int) -> tuple[int | None, int]:
    """fmt's parsenum: a width or precision; past a million it swallows the rest."""
    num: int | None = None
    while i < len(fmt) and "0" <= fmt[i] <= "9":
        if num is not None and num > 1_000_000:
            return None, len(fmt)
        num = (num or 0) * 10 + int(fmt[i])
        i += 1
    return num, i


def _int_arg(args: tuple[Any, ...], i: int) -> int | None:
    """A ``*`` width or precision: an integer argument of at most a million."""
    if i >= len(args) or isinstance(args[i], bool) or not isinstance(args[i], int):
        return None
    return int(args[i]) if abs(args[i]) <= 1_000_000 else None


def sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf: flags, width and precision (also ``*``), Go's %!verb(...) complaints."""
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
            width = _int_arg(args, used)
            used += used < len(args)
            if width is None:
                out.append("%!(BADWIDTH)")
            else:
                spec.width = abs(width)
                spec.minus |= width < 0
        else:
            spec.width, i = _number_at(fmt, i)
        if i < len(fmt) and fmt[i] == ".":
            i += 1
            if i < len(fmt) and fmt[i] == "*":
                i += 1
                prec = _int_arg(args, used)
                used += used < len(args)
                if prec is None or prec < 0:
                    out.append("%!(BADPREC)")
                else:
                    spec.prec = prec
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
        arg = args[used]
        if verb == "v" and spec.sharp and (arg is None or isinstance(arg, (dict, list))):
            # %#v is Go syntax: typed composite literals.
            out.append(spec.pad(go_sharp_v(arg)))
        elif verb == "v" and spec.sharp and isinstance(arg, str):
            spec.sharp = False
            out.append(_string(spec, "q", arg))
        else:
            # %+v names struct fields, which JSON values have none of: the + goes.
            spec.plus = spec.plus and verb != "v"
            spec.sharp = spec.sharp and verb != "v"
            out.append(_format(spec, verb, arg))
        used += 1
    if used < len(args):
        extra = ", ".join("<nil>" if a is None else f"{go_type(a)}={_v(a)}" for a in args[used:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)
