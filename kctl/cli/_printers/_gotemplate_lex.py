"""Go's text/template lexer: the items of a template, one at a time, with Go's error texts.

A port of text/template/parse's state-function lexer: the parser pulls items, so an error
item comes exactly when Go's would (and names the same line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kctl.util.goformat import go_quote

__all__ = ["Item", "Lexer", "TemplateError", "rune_text"]

# -- items ------------------------------------------------------------------------------------

ERROR, BOOL, CHAR, CHARCONST, COMPLEX, ASSIGN, DECLARE, EOF = range(8)
FIELD, IDENT, LDELIM, LPAREN, NUMBER, PIPE, RAW, RDELIM = range(8, 16)
RPAREN, SPACE, STRING, TEXT, VARIABLE, COMMENT = range(16, 22)
KEYWORD = 100
KEYWORDS = {
    ".": 101,
    "block": 102,
    "break": 103,
    "continue": 104,
    "define": 105,
    "else": 106,
    "end": 107,
    "if": 108,
    "nil": 109,
    "range": 110,
    "template": 111,
    "with": 112,
}
DOT, BLOCK, BREAK, CONTINUE, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH = range(101, 113)
_SPACES = " \t\r\n"


class TemplateError(Exception):
    """A parse or execution error, worded as Go's text/template words it."""


@dataclass
class Item:
    typ: int
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ > KEYWORD:
            return f"<{self.val}>"
        if len(self.val.encode()) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)


def _is_alnum(ch: str) -> bool:
    # unicode.IsLetter or unicode.IsDigit (Nd only: isdecimal, not isdigit).
    return ch == "_" or ch.isalpha() or ch.isdecimal()


class Lexer:
    """Go's state-function lexer; ``next_item`` runs the states until one emits."""

    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.line = 1
        self.start_line = 1
        self.paren_depth = 0
        self.inside_action = False
        self.item: Item | None = None

    # -- primitives
    def next(self) -> str:
        if self.pos >= len(self.input):
            self.pos = len(self.input) + 1  # Past the end: backup() must not move back.
            return ""
        ch = self.input[self.pos]
        self.pos += 1
        if ch == "\n":
            self.line += 1
        return ch

    def backup(self) -> None:
        if self.pos > len(self.input):
            self.pos = len(self.input)
            return
        if self.pos > 0:
            self.pos -= 1
            if self.input[self.pos] == "\n":
                self.line -= 1

    def peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else ""

    def emit(self, typ: int) -> None:
        self.item = Item(typ, self.start, self.input[self.start : self.pos], self.start_line)
        self.start = self.pos
        self.start_line = self.line

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def errorf(self, message: str) -> None:
        self.item = Item(ERROR, self.start, message, self.start_line)
        self.input = ""
        self.start = self.pos = 0

    def accept(self, valid: str) -> bool:
        ch = self.next()
        if ch and ch in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str) -> None:
        while True:
            ch = self.next()
            if not ch or ch not in valid:
                break
        self.backup()

    def at_terminator(self) -> bool:
        ch = self.peek()
        return ch in ("", ".", ",", "|", ":", ")", "(") or ch in _SPACES or self.at("}}")

    def at(self, text: str, offset: int = 0) -> bool:
        return self.input.startswith(text, self.pos + offset)

    def at_right_delim(self) -> tuple[bool, bool]:
        if _right_trim(self.input, self.pos) and self.at("}}", 2):
            return True, True
        return self.at("}}"), False

    # -- states
    def next_item(self) -> Item:
        self.item = None
        state: Callable[[], object] | None = (
            self.lex_inside_action if self.inside_action else self.lex_text
        )
        while self.item is None and state is not None:
            state = state()  # type: ignore[assignment]
        if self.item is None:
            self.item = Item(EOF, self.pos, "EOF", self.start_line)
        return self.item

    def lex_text(self) -> object:
        x = self.input.find("{{", self.pos)
        if x < 0:
            self.pos = len(self.input)
            if self.pos > self.start:
                self.line += self.input.count("\n", self.start, self.pos)
                self.emit(TEXT)
            else:
                self.emit(EOF)
            return None
        if x > self.pos:
            self.pos = x
            trim = 0
            if _left_trim(self.input, x + 2):
                body = self.input[self.start : x]
                trim = len(body) - len(body.rstrip(_SPACES))
            self.pos -= trim
            self.line += self.input.count("\n", self.start, self.pos)
            text = Item(TEXT, self.start, self.input[self.start : self.pos], self.start_line)
            self.start = self.pos
            self.start_line = self.line
            self.pos += trim
            self.ignore()
            if text.val:
                self.item = text
                return None
        return self.lex_left_delim

    def lex_left_delim(self) -> object:
        self.pos += 2
        trim = _left_trim(self.input, self.pos)
        after = 2 if trim else 0
        if self.input.startswith("/*", self.pos + after):
            self.pos += after
            self.ignore()
            return self.lex_comment
        self.emit(LDELIM)
        self.inside_action = True
        self.pos += after
        self.ignore()
        self.paren_depth = 0
        return None

    def lex_comment(self) -> object:
        self.pos += 2
        x = self.input.find("*/", self.pos)
        if x < 0:
            self.errorf("unclosed comment")
            return None
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            self.errorf("comment ends before closing delimiter")
            return None
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line
        if trim:
            self.pos += 2
        self.pos += 2
        if trim:
            self.pos = _skip_spaces(self.input, self.pos)
        self.ignore()
        return self.lex_text

    def lex_right_delim(self) -> object:
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += 2
        self.emit(RDELIM)
        if trim:
            self.pos = _skip_spaces(self.input, self.pos)
            self.ignore()
        self.inside_action = False
        return None

    def lex_inside_action(self) -> object:
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            self.errorf("unclosed left paren")
            return None
        ch = self.next()
        if ch == "":
            self.errorf("unclosed action")
        elif ch in _SPACES:
            self.backup()
            return self.lex_space
        elif ch == "=":
            self.emit(ASSIGN)
        elif ch == ":":
            if self.next() != "=":
                self.errorf("expected :=")
            else:
                self.emit(DECLARE)
        elif ch == "|":
            self.emit(PIPE)
        elif ch == '"':
            return self.lex_quote
        elif ch == "`":
            return self.lex_raw_quote
        elif ch == "$":
            return self.lex_variable
        elif ch == "'":
            return self.lex_char
        elif ch == "." and self.peek() and not "0" <= self.peek() <= "9":
            return self.lex_field
        elif ch in "+-.0123456789":
            self.backup()
            return self.lex_number
        elif _is_alnum(ch):
            self.backup()
            return self.lex_identifier
        elif ch == "(":
            self.paren_depth += 1
            self.emit(LPAREN)
        elif ch == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                self.errorf("unexpected right paren")
            else:
                self.emit(RPAREN)
        elif ord(ch) < 0x80 and ch.isprintable():
            self.emit(CHAR)
        else:
            self.errorf(f"unrecognized character in action: {rune_text(ch)}")
        return None

    def lex_space(self) -> object:
        spaces = 0
        while self.peek() and self.peek() in _SPACES:
            self.next()
            spaces += 1
        if _right_trim(self.input, self.pos - 1) and self.input.startswith("}}", self.pos + 1):
            self.backup()
            if spaces == 1:
                return self.lex_right_delim
        self.emit(SPACE)
        return None

    def lex_identifier(self) -> object:
        while _is_alnum(self.peek()) and self.peek():
            self.next()
        word = self.input[self.start : self.pos]
        if not self.at_terminator():
            self.errorf(f"bad character {rune_text(self.peek())}")
        elif word in KEYWORDS and word != ".":
            self.emit(KEYWORDS[word])
        elif word in ("true", "false"):
            self.emit(BOOL)
        else:
            self.emit(IDENT)
        return None

    def lex_field(self) -> object:
        return self._field_or_variable(FIELD)

    def lex_variable(self) -> object:
        if self.at_terminator():
            self.emit(VARIABLE)
            return None
        return self._field_or_variable(VARIABLE)

    def _field_or_variable(self, typ: int) -> object:
        if self.at_terminator():
            self.emit(VARIABLE if typ == VARIABLE else DOT)
            return None
        while self.peek() and _is_alnum(self.peek()):
            self.next()
        if not self.at_terminator():
            self.errorf(f"bad character {rune_text(self.peek())}")
            return None
        self.emit(typ)
        return None

    def _quoted(self, quote: str, what: str, typ: int) -> object:
        while True:
            ch = self.next()
            if ch == "\\":
                ch = self.next()
                if ch and ch != "\n":
                    continue
            if ch in ("", "\n"):
                self.errorf(f"unterminated {what}")
                return None
            if ch == quote:
                break
        self.emit(typ)
        return None

    def lex_quote(self) -> object:
        return self._quoted('"', "quoted string", STRING)

    def lex_char(self) -> object:
        return self._quoted("'", "character constant", CHARCONST)

    def lex_raw_quote(self) -> object:
        x = self.input.find("`", self.pos)
        if x < 0:
            self.pos = len(self.input)
            self.errorf("unterminated raw quoted string")
            return None
        self.pos = x + 1
        self.line += self.input.count("\n", self.start, self.pos)
        self.emit(RAW)
        return None

    def lex_number(self) -> object:
        if not self._scan_number():
            self.errorf(f"bad number syntax: {go_quote(self.input[self.start : self.pos])}")
            return None
        if self.peek() in ("+", "-") and self.peek():
            if not self._scan_number() or self.input[self.pos - 1] != "i":
                self.errorf(f"bad number syntax: {go_quote(self.input[self.start : self.pos])}")
                return None
            self.emit(COMPLEX)
            return None
        self.emit(NUMBER)
        return None

    def _scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if self.peek() and _is_alnum(self.peek()):
            self.next()
            return False
        return True


def rune_text(ch: str) -> str:
    """fmt's %#U: U+0041 'A'."""
    if not ch:
        return "U+FFFFFFFFFFFFFFFF"
    code = f"U+{ord(ch):04X}"
    return f"{code} '{ch}'" if ch.isprintable() else code


def _left_trim(text: str, at: int) -> bool:
    return len(text) >= at + 2 and text[at] == "-" and text[at + 1] in _SPACES


def _right_trim(text: str, at: int) -> bool:
    return at >= 0 and len(text) >= at + 2 and text[at] in _SPACES and text[at + 1] == "-"


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACES:
        at += 1
    return at
