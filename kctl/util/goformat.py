"""Go's text forms that leak into Kubernetes messages: time.Duration's String and
ParseDuration, strconv.Quote, and the escapes of strconv.UnquoteChar.

Stdlib-only so the client (rest), the CLI printers and the sandbox share one copy.
"""

from __future__ import annotations

__all__ = ["go_duration", "go_duration_nanos", "go_quote", "go_unquote_body", "parse_go_duration"]


def go_duration(seconds: float) -> str:
    """time.Duration.String() of a duration in seconds: ``32s``, ``1m30s``, ``500ms``, ``0s``."""
    return go_duration_nanos(round(seconds * 1e9))


def go_duration_nanos(nanos: int) -> str:
    """time.Duration.String() of a duration in nanoseconds: ``1h2m3.5s``, ``1.5ms``, ``0s``."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    ns = abs(nanos)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _fraction(ns, size) + unit
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = _fraction(rest, 1_000_000_000) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    if minutes:
        return f"{sign}{minutes}m{text}"
    return sign + text


def _fraction(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}." + f"{frac:0{digits}d}".rstrip("0")


_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def go_quote(text: str) -> str:
    """strconv.Quote: double quotes, backslash escapes, printable Unicode kept as is."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x10000:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x80 else f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


_UNIT_NANOS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
# time.Duration is an int64 of nanoseconds; ParseDuration refuses what does not fit.
_MAX_NANOS = 1 << 63


_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
}
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}
_HEX = frozenset("0123456789abcdefABCDEF")


def go_unquote_body(body: str, quote: str) -> str:
    """The text between ``quote`` marks, its escapes resolved as strconv.UnquoteChar does
    (ValueError: Go's ErrSyntax, e.g. an unescaped quote or a bad escape)."""
    if "\\" not in body and quote not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == quote:
            raise ValueError("invalid syntax")
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1 : i + 2]
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
            i += 2
        elif esc == quote:
            out.append(quote)
            i += 2
        elif esc in _HEX_LENGTHS:
            size = _HEX_LENGTHS[esc]
            digits = body[i + 2 : i + 2 + size]
            if len(digits) != size or not _HEX.issuperset(digits):
                raise ValueError("invalid syntax")
            code = int(digits, 16)
            if esc != "x" and (code > 0x10FFFF or 0xD800 <= code < 0xE000):
                raise ValueError("invalid syntax")  # not a valid rune
            out.append(chr(code))
            i += 2 + size
        elif esc and esc in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits) or int(digits, 8) > 255:
                raise ValueError("invalid syntax")
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise ValueError("invalid syntax")
    return "".join(out)


def _time_quote(text: str) -> str:
    """The time package's own quote: control and non-ASCII characters as their UTF-8 bytes."""
    out = ['"']
    for ch in text:
        if ch < " " or ord(ch) >= 0x80:
            # surrogateescape: a byte that was not UTF-8 in argv is that byte again.
            raw = ch.encode("utf-8", "surrogateescape" if "\udc80" <= ch <= "\udcff" else "replace")
            out.extend(f"\\x{b:02x}" for b in raw)
        elif ch in ('"', "\\"):
            out.append("\\" + ch)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def parse_go_duration(text: str) -> float:
    """time.ParseDuration, in seconds; raises ValueError with Go's text."""
    # Imported and compiled here (re caches the pattern): only a duration flag needs it.
    import re

    part = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")
    quoted = _time_quote(text)
    rest = text
    sign = 1.0
    if rest[:1] in ("-", "+"):
        sign = -1.0 if rest[0] == "-" else 1.0
        rest = rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        raise ValueError(f"time: invalid duration {quoted}")
    total = 0
    while rest:
        match = part.match(rest)
        number, unit = (match.group(1), match.group(2)) if match else ("", "")
        if not number or number == ".":
            raise ValueError(f"time: invalid duration {quoted}")
        if not unit:
            raise ValueError(f"time: missing unit in duration {quoted}")
        if unit not in _UNIT_NANOS:
            raise ValueError(f"time: unknown unit {_time_quote(unit)} in duration {quoted}")
        whole, _, frac = number.partition(".")
        scale = _UNIT_NANOS[unit]
        total += int(whole or "0") * scale
        # Go keeps the fraction's first digits only (as many as fit an int64).
        frac = frac[:18]
        if frac:
            total += int(float(int(frac)) * (scale / 10 ** len(frac)))
        if total > _MAX_NANOS:
            raise ValueError(f"time: invalid duration {quoted}")
        rest = rest[match.end() :] if match else ""
    if sign > 0 and total == _MAX_NANOS:
        raise ValueError(f"time: invalid duration {quoted}")
    return sign * total / 1e9
