"""Go's text/template syntax: the lexer and the parse tree, with Go's error texts.

The lexer is pulled one item at a time by the parser, as in Go, so that an error names the
line of the last item read (``template: output:1: unclosed action``). Positions are
character offsets; errors turn them into Go's byte columns.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field

from kctl.util.goformat import go_quote

__all__ = [
    "Action",
    "Bool",
    "Branch",
    "Chain",
    "Command",
    "Comment",
    "Control",
    "Dot",
    "Field",
    "Identifier",
    "Nil",
    "Node",
    "Number",
    "Pipe",
    "String",
    "Template",
    "TemplateError",
    "Text",
    "Tree",
    "Variable",
    "parse",
]

# -- items ------------------------------------------------------------------------------------

_ERROR, _BOOL, _CHAR, _CHARCONST, _COMPLEX, _ASSIGN, _DECLARE, _EOF = range(8)
_FIELD, _IDENT, _LDELIM, _LPAREN, _NUMBER, _PIPE, _RAW, _RDELIM = range(8, 16)
_RPAREN, _SPACE, _STRING, _TEXT, _VARIABLE, _COMMENT = range(16, 22)
_KEYWORD = 100
_KEYWORDS = {
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
_DOT, _BLOCK, _BREAK, _CONTINUE, _DEFINE, _ELSE, _END, _IF, _NIL, _RANGE, _TEMPLATE, _WITH = range(
    101, 113
)
_SPACES = " \t\r\n"


class TemplateError(Exception):
    """A parse or execution error, worded as Go's text/template words it."""


@dataclass
class _Item:
    typ: int
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        if self.typ == _EOF:
            return "EOF"
        if self.typ == _ERROR:
            return self.val
        if self.typ > _KEYWORD:
            return f"<{self.val}>"
        if len(self.val.encode()) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)


def _is_alnum(ch: str) -> bool:
    # unicode.IsLetter or unicode.IsDigit (Nd only: isdecimal, not isdigit).
    return ch == "_" or ch.isalpha() or ch.isdecimal()


class _Lexer:
    """Go's state-function lexer; ``next_item`` runs the states until one emits."""

    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.line = 1
        self.start_line = 1
        self.paren_depth = 0
        self.inside_action = False
        self.item: _Item | None = None

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
        self.item = _Item(typ, self.start, self.input[self.start : self.pos], self.start_line)
        self.start = self.pos
        self.start_line = self.line

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def errorf(self, message: str) -> None:
        self.item = _Item(_ERROR, self.start, message, self.start_line)
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
    def next_item(self) -> _Item:
        self.item = None
        state: Callable[[], object] | None = (
            self.lex_inside_action if self.inside_action else self.lex_text
        )
        while self.item is None and state is not None:
            state = state()  # type: ignore[assignment]
        if self.item is None:
            self.item = _Item(_EOF, self.pos, "EOF", self.start_line)
        return self.item

    def lex_text(self) -> object:
        x = self.input.find("{{", self.pos)
        if x < 0:
            self.pos = len(self.input)
            if self.pos > self.start:
                self.line += self.input.count("\n", self.start, self.pos)
                self.emit(_TEXT)
            else:
                self.emit(_EOF)
            return None
        if x > self.pos:
            self.pos = x
            trim = 0
            if _left_trim(self.input, x + 2):
                body = self.input[self.start : x]
                trim = len(body) - len(body.rstrip(_SPACES))
            self.pos -= trim
            self.line += self.input.count("\n", self.start, self.pos)
            text = _Item(_TEXT, self.start, self.input[self.start : self.pos], self.start_line)
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
        self.emit(_LDELIM)
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
        self.emit(_RDELIM)
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
            self.emit(_ASSIGN)
        elif ch == ":":
            if self.next() != "=":
                self.errorf("expected :=")
            else:
                self.emit(_DECLARE)
        elif ch == "|":
            self.emit(_PIPE)
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
            self.emit(_LPAREN)
        elif ch == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                self.errorf("unexpected right paren")
            else:
                self.emit(_RPAREN)
        elif ord(ch) < 0x80 and ch.isprintable():
            self.emit(_CHAR)
        else:
            self.errorf(f"unrecognized character in action: {_rune(ch)}")
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
        self.emit(_SPACE)
        return None

    def lex_identifier(self) -> object:
        while _is_alnum(self.peek()) and self.peek():
            self.next()
        word = self.input[self.start : self.pos]
        if not self.at_terminator():
            self.errorf(f"bad character {_rune(self.peek())}")
        elif word in _KEYWORDS and word != ".":
            self.emit(_KEYWORDS[word])
        elif word in ("true", "false"):
            self.emit(_BOOL)
        else:
            self.emit(_IDENT)
        return None

    def lex_field(self) -> object:
        return self._field_or_variable(_FIELD)

    def lex_variable(self) -> object:
        if self.at_terminator():
            self.emit(_VARIABLE)
            return None
        return self._field_or_variable(_VARIABLE)

    def _field_or_variable(self, typ: int) -> object:
        if self.at_terminator():
            self.emit(_VARIABLE if typ == _VARIABLE else _DOT)
            return None
        while self.peek() and _is_alnum(self.peek()):
            self.next()
        if not self.at_terminator():
            self.errorf(f"bad character {_rune(self.peek())}")
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
        return self._quoted('"', "quoted string", _STRING)

    def lex_char(self) -> object:
        return self._quoted("'", "character constant", _CHARCONST)

    def lex_raw_quote(self) -> object:
        x = self.input.find("`", self.pos)
        if x < 0:
            self.pos = len(self.input)
            self.errorf("unterminated raw quoted string")
            return None
        self.pos = x + 1
        self.line += self.input.count("\n", self.start, self.pos)
        self.emit(_RAW)
        return None

    def lex_number(self) -> object:
        if not self._scan_number():
            self.errorf(f"bad number syntax: {go_quote(self.input[self.start : self.pos])}")
            return None
        if self.peek() in ("+", "-") and self.peek():
            if not self._scan_number() or self.input[self.pos - 1] != "i":
                self.errorf(f"bad number syntax: {go_quote(self.input[self.start : self.pos])}")
                return None
            self.emit(_COMPLEX)
            return None
        self.emit(_NUMBER)
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


def _rune(ch: str) -> str:
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


# -- nodes ------------------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    pos: int

    def __str__(self) -> str:
        raise NotImplementedError


@dataclass(eq=False)
class Text(Node):
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class Comment(Node):
    text: str

    def __str__(self) -> str:
        return "{{" + self.text + "}}"


@dataclass(eq=False)
class Dot(Node):
    def __str__(self) -> str:
        return "."


@dataclass(eq=False)
class Nil(Node):
    def __str__(self) -> str:
        return "nil"


@dataclass(eq=False)
class Bool(Node):
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(eq=False)
class String(Node):
    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@dataclass(eq=False)
class Number(Node):
    text: str
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    is_complex: bool = False
    int_value: int = 0
    float_value: float = 0.0
    complex_value: complex = 0j

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class Identifier(Node):
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class Field(Node):
    idents: list[str]

    def __str__(self) -> str:
        return "".join("." + i for i in self.idents)


@dataclass(eq=False)
class Variable(Node):
    idents: list[str]

    def __str__(self) -> str:
        return ".".join(self.idents)


@dataclass(eq=False)
class Command(Node):
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, Pipe) else str(a) for a in self.args)


@dataclass(eq=False)
class Pipe(Node):
    line: int
    decl: list[Variable] = field(default_factory=list)
    is_assign: bool = False
    cmds: list[Command] = field(default_factory=list)

    def __str__(self) -> str:
        head = ""
        if self.decl:
            head = ", ".join(map(str, self.decl)) + (" = " if self.is_assign else " := ")
        return head + " | ".join(map(str, self.cmds))


@dataclass(eq=False)
class Chain(Node):
    node: Node
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, Pipe) else str(self.node)
        return head + "".join("." + f for f in self.fields)


@dataclass(eq=False)
class Action(Node):
    pipe: Pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(eq=False)
class Control(Node):
    """{{end}}, {{else}}, {{break}}, {{continue}}."""

    word: str

    def __str__(self) -> str:
        return "{{" + self.word + "}}"


@dataclass(eq=False)
class Branch(Node):
    """if, range and with."""

    kind: str
    pipe: Pipe
    body: list[Node]
    orelse: list[Node] | None

    def __str__(self) -> str:
        text = "{{" + self.kind + " " + str(self.pipe) + "}}" + "".join(map(str, self.body))
        if self.orelse is not None:
            text += "{{else}}" + "".join(map(str, self.orelse))
        return text + "{{end}}"


@dataclass(eq=False)
class Template(Node):
    name: str
    pipe: Pipe | None

    def __str__(self) -> str:
        if self.pipe is None:
            return "{{template " + go_quote(self.name) + "}}"
        return "{{template " + go_quote(self.name) + " " + str(self.pipe) + "}}"


@dataclass
class Tree:
    name: str
    root: list[Node] | None


# -- parser -----------------------------------------------------------------------------------

_MAX_PAREN_DEPTH = 10000


class _Parser:
    def __init__(self, name: str, lexer: _Lexer, funcs: frozenset[str], trees: dict[str, Tree]):
        self.name = name
        self.lex = lexer
        self.funcs = funcs
        self.trees = trees
        self.tokens: list[_Item] = [_Item(_EOF, 0, "", 1)] * 3
        self.peek_count = 0
        self.vars = ["$"]
        self.action_line = 0
        self.range_depth = 0
        self.paren_depth = 0

    # -- token stream (Go's three-token lookahead)
    def next(self) -> _Item:
        if self.peek_count > 0:
            self.peek_count -= 1
        else:
            self.tokens[0] = self.lex.next_item()
        return self.tokens[self.peek_count]

    def backup(self) -> None:
        self.peek_count += 1

    def backup2(self, t1: _Item) -> None:
        self.tokens[1] = t1
        self.peek_count = 2

    def backup3(self, t2: _Item, t1: _Item) -> None:
        self.tokens[1] = t1
        self.tokens[2] = t2
        self.peek_count = 3

    def peek(self) -> _Item:
        if self.peek_count > 0:
            return self.tokens[self.peek_count - 1]
        self.peek_count = 1
        self.tokens[0] = self.lex.next_item()
        return self.tokens[0]

    def next_non_space(self) -> _Item:
        while True:
            token = self.next()
            if token.typ != _SPACE:
                return token

    def peek_non_space(self) -> _Item:
        token = self.next_non_space()
        self.backup()
        return token

    # -- errors
    def errorf(self, message: str) -> TemplateError:
        return TemplateError(f"template: {self.name}:{self.tokens[0].line}: {message}")

    def unexpected(self, token: _Item, context: str) -> TemplateError:
        if token.typ == _ERROR:
            extra = ""
            if self.action_line and self.action_line != token.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            return self.errorf(f"{token}{extra}")
        return self.errorf(f"unexpected {token} in {context}")

    def expect(self, typ: int, context: str) -> _Item:
        token = self.next_non_space()
        if token.typ != typ:
            raise self.unexpected(token, context)
        return token

    # -- grammar
    def parse(self) -> list[Node]:
        root: list[Node] = []
        while self.peek().typ != _EOF:
            if self.peek().typ == _LDELIM:
                delim = self.next()
                if self.next_non_space().typ == _DEFINE:
                    self.definition()
                    continue
                self.backup2(delim)
            node = self.text_or_action()
            if isinstance(node, Control) and node.word in ("end", "else"):
                raise self.errorf(f"unexpected {node}")
            root.append(node)
        return root

    def _child(self) -> _Parser:
        child = _Parser(self.name, self.lex, self.funcs, self.trees)
        child.tokens = self.tokens
        child.peek_count = self.peek_count
        return child

    def _resume(self, child: _Parser) -> None:
        self.peek_count = child.peek_count

    def definition(self) -> None:
        context = "define clause"
        token = self.next_non_space()
        if token.typ not in (_STRING, _RAW):
            raise self.unexpected(token, context)
        name = self.unquote(token)
        self.expect(_RDELIM, context)
        child = self._child()
        body, end = child.item_list()
        self._resume(child)
        if not (isinstance(end, Control) and end.word == "end"):
            raise self.errorf(f"unexpected {end} in {context}")
        self.add(name, body)

    def add(self, name: str, root: list[Node]) -> None:
        tree = self.trees.get(name)
        if tree is None or tree.root is None or _is_empty(tree.root):
            self.trees[name] = Tree(name, root)
            return
        if not _is_empty(root):
            raise self.errorf(f"template: multiple definition of template {go_quote(name)}")

    def item_list(self) -> tuple[list[Node], Node]:
        nodes: list[Node] = []
        while self.peek_non_space().typ != _EOF:
            node = self.text_or_action()
            if isinstance(node, Control) and node.word in ("end", "else"):
                return nodes, node
            nodes.append(node)
        raise self.errorf("unexpected EOF")

    def text_or_action(self) -> Node:
        token = self.next_non_space()
        if token.typ == _TEXT:
            return Text(token.pos, token.val)
        if token.typ == _LDELIM:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        if token.typ == _COMMENT:
            return Comment(token.pos, token.val)
        raise self.unexpected(token, "input")

    def action(self) -> Node:
        token = self.next_non_space()
        if token.typ == _BLOCK:
            return self.block()
        if token.typ in (_BREAK, _CONTINUE):
            word = token.val
            after = self.next_non_space()
            if after.typ != _RDELIM:
                raise self.unexpected(after, "{{" + word + "}}")
            if self.range_depth == 0:
                raise self.errorf("{{" + word + "}} outside {{range}}")
            return Control(token.pos, word)
        if token.typ == _ELSE:
            peek = self.peek_non_space()
            if peek.typ in (_IF, _WITH):
                return Control(peek.pos, "else")
            return Control(self.expect(_RDELIM, "else").pos, "else")
        if token.typ == _END:
            return Control(self.expect(_RDELIM, "end").pos, "end")
        if token.typ in (_IF, _RANGE, _WITH):
            return self.control(token.val)
        if token.typ == _TEMPLATE:
            return self.template()
        self.backup()
        first = self.peek()
        return Action(first.pos, self.pipeline("command", _RDELIM))

    def pipeline(self, context: str, end: int) -> Pipe:
        token = self.peek_non_space()
        pipe = Pipe(token.pos, token.line)
        while True:  # Go's "decls:" label: a range may declare two variables.
            v = self.peek_non_space()
            if v.typ != _VARIABLE:
                break
            self.next()
            after_variable = self.peek()
            nxt = self.peek_non_space()
            if nxt.typ in (_ASSIGN, _DECLARE):
                pipe.is_assign = nxt.typ == _ASSIGN
                self.next_non_space()
                pipe.decl.append(Variable(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                break
            if nxt.typ == _CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(Variable(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (_VARIABLE, _RDELIM, _RPAREN):
                        continue
                    raise self.errorf("range can only initialize variables")
                raise self.errorf(f"too many declarations in {context}")
            if after_variable.typ == _SPACE:
                self.backup3(v, after_variable)
            else:
                self.backup2(v)
            break
        while True:
            token = self.next_non_space()
            if token.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.typ in _OPERAND_STARTS:
                self.backup()
                pipe.cmds.append(self.command())
                continue
            raise self.unexpected(token, context)

    def check_pipeline(self, pipe: Pipe, context: str) -> None:
        if not pipe.cmds:
            raise self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (Bool, Dot, Nil, Number, String)):
                raise self.errorf(f"non executable command in pipeline stage {i + 2}")

    def control(self, context: str) -> Branch:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, _RDELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            orelse: list[Node] | None = None
            if isinstance(nxt, Control) and nxt.word == "else":
                if context in ("if", "with") and self.peek().typ == _KEYWORDS[context]:
                    self.next()
                    orelse = [self.control(context)]
                else:
                    orelse, nxt = self.item_list()
                    if not (isinstance(nxt, Control) and nxt.word == "end"):
                        raise self.errorf(f"expected end; found {nxt}")
            return Branch(pipe.pos, context, pipe, body, orelse)
        finally:
            del self.vars[mark:]

    def template_name(self, token: _Item, context: str) -> str:
        if token.typ not in (_STRING, _RAW):
            raise self.unexpected(token, context)
        return self.unquote(token)

    def block(self) -> Node:
        context = "block clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = self.pipeline(context, _RDELIM)
        child = self._child()
        body, end = child.item_list()
        self._resume(child)
        if not (isinstance(end, Control) and end.word == "end"):
            raise self.errorf(f"unexpected {end} in {context}")
        self.add(name, body)
        return Template(token.pos, name, pipe)

    def template(self) -> Node:
        context = "template clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = None
        if self.next_non_space().typ != _RDELIM:
            self.backup()
            pipe = self.pipeline(context, _RDELIM)
        return Template(token.pos, name, pipe)

    def command(self) -> Command:
        cmd = Command(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.typ == _SPACE:
                continue
            if token.typ in (_RDELIM, _RPAREN):
                self.backup()
            elif token.typ != _PIPE:
                raise self.unexpected(token, "operand")
            break
        if not cmd.args:
            raise self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == _FIELD:
            chain = Chain(self.peek().pos, node)
            while self.peek().typ == _FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, Field):
                return Field(chain.pos, [*node.idents, *chain.fields])
            if isinstance(node, Variable):
                return Variable(chain.pos, [*node.idents, *chain.fields])
            if isinstance(node, (Bool, String, Number, Nil, Dot)):
                raise self.errorf(f"unexpected . after term {go_quote(str(node))}")
            return chain
        return node

    def term(self) -> Node | None:
        token = self.next_non_space()
        typ = token.typ
        if typ == _IDENT:
            if token.val not in self.funcs:
                raise self.errorf(f"function {go_quote(token.val)} not defined")
            return Identifier(token.pos, token.val)
        if typ == _DOT:
            return Dot(token.pos)
        if typ == _NIL:
            return Nil(token.pos)
        if typ == _VARIABLE:
            name = token.val.split(".")
            if name[0] not in self.vars:
                raise self.errorf(f"undefined variable {go_quote(name[0])}")
            return Variable(token.pos, name)
        if typ == _FIELD:
            return Field(token.pos, token.val[1:].split("."))
        if typ == _BOOL:
            return Bool(token.pos, token.val == "true")
        if typ in (_CHARCONST, _COMPLEX, _NUMBER):
            return self.number(token)
        if typ == _LPAREN:
            if self.paren_depth >= _MAX_PAREN_DEPTH:
                raise self.errorf("max expression depth exceeded")
            self.paren_depth += 1
            try:
                return self.pipeline("parenthesized pipeline", _RPAREN)
            finally:
                self.paren_depth -= 1
        if typ in (_STRING, _RAW):
            return String(token.pos, token.val, self.unquote(token))
        self.backup()
        return None

    def unquote(self, token: _Item) -> str:
        text = _unquote(token.val)
        if text is None:
            raise self.errorf("invalid syntax")
        return text

    def number(self, token: _Item) -> Number:
        number = _number(token)
        if isinstance(number, str):
            raise self.errorf(number)
        return number


_OPERAND_STARTS = frozenset(
    {_BOOL, _CHARCONST, _COMPLEX, _DOT, _FIELD, _IDENT, _LPAREN, _NUMBER, _NIL, _RAW}
    | {_STRING, _VARIABLE}
)


def _is_empty(nodes: list[Node]) -> bool:
    for node in nodes:
        if isinstance(node, Text):
            if node.text.strip(" \t\n\r\v\f\x85\xa0"):
                return False
        elif not isinstance(node, Comment):
            return False
    return True


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


def _unquote(text: str) -> str | None:
    """strconv.Unquote of a "...", `...` or '...' literal (None: invalid syntax)."""
    if text[:1] == "`":
        return text[1:-1].replace("\r", "") if len(text) >= 2 and text.endswith("`") else None
    quote = text[:1]
    if len(text) < 2 or quote not in ('"', "'") or text[-1] != quote:
        return None
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch in (quote, "\n"):
            return None
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
            if len(digits) != size or not all(c in string.hexdigits for c in digits):
                return None
            code = int(digits, 16)
            if esc != "x" and (code > 0x10FFFF or 0xD800 <= code < 0xE000):
                return None
            out.append(chr(code))
            i += 2 + size
        elif esc and esc in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits) or int(digits, 8) > 255:
                return None
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            return None
    return "".join(out)


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64) without the range check (None: syntax error)."""
    body = text.lstrip("+-")
    if text[:1] in "+-" and len(text) - len(body) > 1:
        return None
    base, digits = 10, body
    lower = body[:2].lower()
    if lower in ("0x", "0o", "0b"):
        base, digits = {"0x": 16, "0o": 8, "0b": 2}[lower], body[2:]
        digits = digits[1:] if digits.startswith("_") else digits
    elif body.startswith("0") and len(body) > 1:
        base, digits = 8, body[1:].lstrip("_") if body[1:2] == "_" else body[1:]
    if not digits or digits.startswith("_") or digits.endswith("_") or "__" in digits:
        return None
    try:
        value = int(digits.replace("_", ""), base)
    except ValueError:
        return None
    return -value if text.startswith("-") else value


def _go_float(text: str) -> float | None:
    if "_" in text or text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        return None
    try:
        if "x" in text.lower():
            return float.fromhex(text) if "p" in text.lower() else None
        value = float(text)
    except (ValueError, OverflowError):
        return None
    return None if value in (float("inf"), float("-inf")) else value


def _number(token: _Item) -> Number | str:
    """Go's parse.newNumber; a string is the error text."""
    text = token.val
    node = Number(token.pos, text)
    if token.typ == _CHARCONST:
        char = _unquote(text)
        if char is None or len(char) != 1:
            return f"malformed character constant: {text}"
        code = ord(char)
        node.is_int = node.is_uint = node.is_float = True
        node.int_value, node.float_value = code, float(code)
        return node
    if token.typ == _COMPLEX or text.endswith("i"):
        real_text, imag_text = _split_complex(text)
        real = _go_float(real_text) if real_text else 0.0
        imag = _go_float(imag_text) if imag_text else None
        if imag is None or real is None:
            if token.typ == _COMPLEX:
                return "expected integer"
        else:
            node.is_complex = True
            node.complex_value = complex(real, imag)
            if imag == 0:
                node.is_float = True
                node.float_value = real
                if float(int(real)) == real:
                    node.is_int = True
                    node.int_value = int(real)
            return node
    value = _go_int(text)
    if value is not None and -(1 << 63) <= value < (1 << 64):
        node.is_uint = value >= 0
        node.is_int = value < (1 << 63)
        node.int_value = value
        node.is_float = True
        node.float_value = float(value)
        return node
    f = _go_float(text)
    if f is not None:
        if not any(c in text for c in ".eEpP"):
            return f"integer overflow: {go_quote(text)}"
        node.is_float = True
        node.float_value = f
        if f == int(f) and -(1 << 63) <= int(f) < (1 << 63):
            node.is_int = True
            node.int_value = int(f)
        if f == int(f) and 0 <= int(f) < (1 << 64):
            node.is_uint = True
    if not (node.is_int or node.is_uint or node.is_float):
        return f"illegal number syntax: {go_quote(text)}"
    return node


def _split_complex(text: str) -> tuple[str, str]:
    """'1+2i' into ('1', '+2'); '2i' into ('', '2')."""
    body = text[:-1] if text.endswith("i") else text
    for i in range(len(body) - 1, 0, -1):
        if body[i] in "+-" and body[i - 1] not in "eEpP":
            return body[:i], body[i:]
    return "", body


def parse(text: str, name: str, funcs: frozenset[str]) -> dict[str, Tree]:
    """The templates that ``text`` defines, the top-level one under ``name``."""
    trees: dict[str, Tree] = {}
    parser = _Parser(name, _Lexer(text), funcs, trees)
    try:
        root = parser.parse()
    except RecursionError:
        # Go nests 10,000 parentheses deep; Python's stack gives out sooner.
        raise parser.errorf("max expression depth exceeded") from None
    parser.add(name, root)
    return trees
