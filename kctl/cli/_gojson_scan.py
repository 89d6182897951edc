"""Where a JSON value ends, or the error Go's encoding/json scanner would report for it.

Python's json module gives neither Go's texts (``invalid character '}' looking for
beginning of value``), nor its byte offsets, nor its depth limit (10000; Python's decoder
stops near the recursion limit with a RecursionError instead). kubectl prints these texts
for ``-f`` manifests, so kctl checks a JSON value with this scanner before json decodes it.
It is iterative: any depth is scanned without recursion.
"""

from __future__ import annotations

__all__ = ["MAX_DEPTH", "GoJSONError", "UnexpectedEOF", "scan_value"]

MAX_DEPTH = 10000
_SPACE = b" \t\r\n"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"
_ESCAPES = b'"\\/bfnrtu'


class GoJSONError(ValueError):
    """A json.SyntaxError: ``msg`` and ``offset``, the bytes read including the bad one."""

    def __init__(self, msg: str, offset: int) -> None:
        super().__init__(msg)
        self.msg = msg
        self.offset = offset


class UnexpectedEOF(ValueError):
    """The input ended inside the value (a stream decoder's io.ErrUnexpectedEOF)."""


def _quote(c: int) -> str:
    """Go's quoteChar: the byte as a rune in single quotes."""
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    ch = chr(c)
    if ch.isprintable():
        return f"'{ch}'"
    if c < 0x20 or c == 0x7F:
        named = {0x07: "\\a", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
        return "'" + named.get(c, f"\\x{c:02x}") + "'"
    return f"'\\u{c:04x}'"


def _fail(data: bytes, msg: str, at: int) -> GoJSONError:
    return GoJSONError(f"invalid character {_quote(data[at])} {msg}", at + 1)


def _skip(data: bytes, j: int) -> int:
    size = len(data)
    while j < size and data[j] in _SPACE:
        j += 1
    return j


def scan_value(data: bytes, pos: int) -> int:
    """The end of the JSON value starting at ``data[pos]`` (no leading space); raises
    GoJSONError with Go's text and offset, or UnexpectedEOF."""
    size = len(data)
    # Open containers: b"{" or b"[".
    stack = bytearray()
    i = pos

    while True:
        # A value begins at i.
        i = _skip(data, i)
        if i >= size:
            raise UnexpectedEOF
        c = data[i]
        if c in b"{[":
            if len(stack) >= MAX_DEPTH:
                raise _fail(data, "exceeded max depth", i)
            stack.append(c)
            i = _skip(data, i + 1)
            if i >= size:
                raise UnexpectedEOF
            if c == 0x7B:  # {
                if data[i] == 0x7D:  # }
                    stack.pop()
                    i += 1
                elif data[i] == 0x22:
                    i = _key(data, i, size)
                    continue
                else:
                    raise _fail(data, "looking for beginning of object key string", i)
            elif data[i] == 0x5D:  # ]
                stack.pop()
                i += 1
            else:
                continue
        elif c == 0x22:
            i = _string(data, i, size)
        elif c == 0x2D or c in _DIGITS:
            i = _number(data, i, size)
        elif c in b"tfn":
            word = {0x74: b"true", 0x66: b"false", 0x6E: b"null"}[c]
            for k in range(1, len(word)):
                if i + k >= size:
                    raise UnexpectedEOF
                if data[i + k] != word[k]:
                    name = word.decode()
                    raise _fail(data, f"in literal {name} (expecting {_quote(word[k])})", i + k)
            i += len(word)
        else:
            raise _fail(data, "looking for beginning of value", i)
        # A value ended at i: close containers or go on to the next element.
        while True:
            if not stack:
                return i
            i = _skip(data, i)
            if i >= size:
                raise UnexpectedEOF
            c = data[i]
            if stack[-1] == 0x7B:
                if c == 0x2C:  # ,
                    i = _skip(data, i + 1)
                    if i >= size:
                        raise UnexpectedEOF
                    if data[i] != 0x22:
                        raise _fail(data, "looking for beginning of object key string", i)
                    i = _key(data, i, size)
                    break
                if c == 0x7D:
                    stack.pop()
                    i += 1
                    continue
                raise _fail(data, "after object key:value pair", i)
            if c == 0x2C:
                i += 1
                break
            if c == 0x5D:
                stack.pop()
                i += 1
                continue
            raise _fail(data, "after array element", i)


def _key(data: bytes, i: int, size: int) -> int:
    """An object key and its colon; returns where the value begins."""
    i = _skip(data, _string(data, i, size))
    if i >= size:
        raise UnexpectedEOF
    if data[i] != 0x3A:  # :
        raise _fail(data, "after object key", i)
    return i + 1


def _string(data: bytes, i: int, size: int) -> int:
    i += 1
    while i < size:
        c = data[i]
        if c == 0x22:
            return i + 1
        if c == 0x5C:  # backslash
            i += 1
            if i >= size:
                raise UnexpectedEOF
            if data[i] not in _ESCAPES:
                raise _fail(data, "in string escape code", i)
            if data[i] == 0x75:  # u
                for k in range(1, 5):
                    if i + k >= size:
                        raise UnexpectedEOF
                    if data[i + k] not in _HEX:
                        raise _fail(data, "in \\u hexadecimal character escape", i + k)
                i += 4
        elif c < 0x20:
            raise _fail(data, "in string literal", i)
        i += 1
    raise UnexpectedEOF


def _number(data: bytes, i: int, size: int) -> int:
    if data[i] == 0x2D:
        i += 1
        if i >= size:
            raise UnexpectedEOF
        if data[i] not in _DIGITS:
            raise _fail(data, "in numeric literal", i)
    if data[i] == 0x30:
        i += 1
    else:
        while i < size and data[i] in _DIGITS:
            i += 1
    if i < size and data[i] == 0x2E:
        i += 1
        if i >= size:
            raise UnexpectedEOF
        if data[i] not in _DIGITS:
            raise _fail(data, "after decimal point in numeric literal", i)
        while i < size and data[i] in _DIGITS:
            i += 1
    if i < size and data[i] in b"eE":
        i += 1
        if i < size and data[i] in b"+-":
            i += 1
        if i >= size:
            raise UnexpectedEOF
        if data[i] not in _DIGITS:
            raise _fail(data, "in exponent of numeric literal", i)
        while i < size and data[i] in _DIGITS:
            i += 1
    return i
