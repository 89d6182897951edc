"""The text of Go's encoding/json SyntaxError for a body that is not JSON.

client-go decodes with a fork of encoding/json, which checks the whole input byte by byte
before decoding and reports the first bad byte in the scanner's words (``invalid character
'h' in literal true (expecting 'r')``, ``unexpected end of JSON input``). kubectl prints that
text as it is, so a broken answer reads the same from kctl.
"""

from __future__ import annotations

__all__ = ["syntax_error"]

_SPACE = b" \t\r\n"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"
_ESCAPES = b'bfnrt\\/"'
EOF_TEXT = "unexpected end of JSON input"


class _Syntax(Exception):
    pass


def _quote_char(c: int) -> str:
    """encoding/json's quoteChar: a byte as a Go-quoted rune between single quotes."""
    if c == ord("'"):
        return "'\\''"
    if c == ord('"'):
        return "'\"'"
    from kctl.rest._goformat import go_quote

    return "'" + go_quote(chr(c))[1:-1] + "'"


class _Scanner:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.i = 0

    def _peek(self) -> int:
        if self.i >= len(self.data):
            raise _Syntax(EOF_TEXT)
        return self.data[self.i]

    def _fail(self, context: str) -> _Syntax:
        return _Syntax(f"invalid character {_quote_char(self.data[self.i])} {context}")

    def _space(self) -> None:
        while self.i < len(self.data) and self.data[self.i] in _SPACE:
            self.i += 1

    def value(self) -> None:
        self._space()
        c = self._peek()
        if c == ord("{"):
            self._object()
        elif c == ord("["):
            self._array()
        elif c == ord('"'):
            self._string()
        elif c == ord("-") or c in _DIGITS:
            self._number()
        elif c in b"tfn":
            self._literal({ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}[c])
        else:
            raise self._fail("looking for beginning of value")

    def _object(self) -> None:
        self.i += 1
        self._space()
        if self._peek() == ord("}"):
            self.i += 1
            return
        while True:
            self._space()
            if self._peek() != ord('"'):
                raise self._fail("looking for beginning of object key string")
            self._string()
            self._space()
            if self._peek() != ord(":"):
                raise self._fail("after object key")
            self.i += 1
            self.value()
            self._space()
            c = self._peek()
            self.i += 1
            if c == ord("}"):
                return
            if c != ord(","):
                self.i -= 1
                raise self._fail("after object key:value pair")

    def _array(self) -> None:
        self.i += 1
        self._space()
        if self._peek() == ord("]"):
            self.i += 1
            return
        while True:
            self.value()
            self._space()
            c = self._peek()
            self.i += 1
            if c == ord("]"):
                return
            if c != ord(","):
                self.i -= 1
                raise self._fail("after array element")

    def _string(self) -> None:
        self.i += 1
        while True:
            c = self._peek()
            if c == ord('"'):
                self.i += 1
                return
            if c < 0x20:
                raise self._fail("in string literal")
            self.i += 1
            if c != ord("\\"):
                continue
            c = self._peek()
            if c == ord("u"):
                self.i += 1
                for _ in range(4):
                    if self._peek() not in _HEX:
                        raise self._fail("in \\u hexadecimal character escape")
                    self.i += 1
            elif c in _ESCAPES:
                self.i += 1
            else:
                raise self._fail("in string escape code")

    def _digits(self) -> None:
        while self.i < len(self.data) and self.data[self.i] in _DIGITS:
            self.i += 1

    def _number(self) -> None:
        if self.data[self.i] == ord("-"):
            self.i += 1
            if self._peek() not in _DIGITS:
                raise self._fail("in numeric literal")
        if self.data[self.i] == ord("0"):
            self.i += 1
        else:
            self._digits()
        if self.i < len(self.data) and self.data[self.i] == ord("."):
            self.i += 1
            if self._peek() not in _DIGITS:
                raise self._fail("after decimal point in numeric literal")
            self._digits()
        if self.i < len(self.data) and self.data[self.i] in b"eE":
            self.i += 1
            if self._peek() in b"+-":
                self.i += 1
            if self._peek() not in _DIGITS:
                raise self._fail("in exponent of numeric literal")
            self._digits()

    def _literal(self, word: bytes) -> None:
        self.i += 1
        for expected in word[1:]:
            if self._peek() != expected:
                raise self._fail(f"in literal {word.decode()} (expecting {_quote_char(expected)})")
            self.i += 1


def syntax_error(data: bytes) -> str | None:
    """Go's error text for ``data``, or None when ``data`` is well-formed JSON."""
    scanner = _Scanner(data)
    try:
        scanner.value()
        scanner._space()
        if scanner.i < len(data):
            raise scanner._fail("after top-level value")
    except _Syntax as err:
        return str(err)
    return None
