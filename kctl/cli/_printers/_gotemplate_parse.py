"""Go's text/template parse tree and parser, with Go's error texts.

The parser pulls the lexer's items one at a time, as Go's does, so that an error names the
line of the last item read (``template: output:1: unclosed action``). Positions are
character offsets; the executor turns them into Go's byte columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kctl.cli._printers import _gotemplate_lex as lex
from kctl.util.goformat import go_quote, go_unquote_body

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

TemplateError = lex.TemplateError


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
    def __init__(self, name: str, lexer: lex.Lexer, funcs: frozenset[str], trees: dict[str, Tree]):
        self.name = name
        self.lex = lexer
        self.funcs = funcs
        self.trees = trees
        self.tokens: list[lex.Item] = [lex.Item(lex.EOF, 0, "", 1)] * 3
        self.peek_count = 0
        self.vars = ["$"]
        self.action_line = 0
        self.range_depth = 0
        self.paren_depth = 0

    # -- token stream (Go's three-token lookahead)
    def next(self) -> lex.Item:
        if self.peek_count > 0:
            self.peek_count -= 1
        else:
            self.tokens[0] = self.lex.next_item()
        return self.tokens[self.peek_count]

    def backup(self) -> None:
        self.peek_count += 1

    def backup2(self, t1: lex.Item) -> None:
        self.tokens[1] = t1
        self.peek_count = 2

    def backup3(self, t2: lex.Item, t1: lex.Item) -> None:
        self.tokens[1] = t1
        self.tokens[2] = t2
        self.peek_count = 3

    def peek(self) -> lex.Item:
        if self.peek_count > 0:
            return self.tokens[self.peek_count - 1]
        self.peek_count = 1
        self.tokens[0] = self.lex.next_item()
        return self.tokens[0]

    def next_non_space(self) -> lex.Item:
        while True:
            token = self.next()
            if token.typ != lex.SPACE:
                return token

    def peek_non_space(self) -> lex.Item:
        token = self.next_non_space()
        self.backup()
        return token

    # -- errors
    def errorf(self, message: str) -> TemplateError:
        return TemplateError(f"template: {self.name}:{self.tokens[0].line}: {message}")

    def unexpected(self, token: lex.Item, context: str) -> TemplateError:
        if token.typ == lex.ERROR:
            extra = ""
            if self.action_line and self.action_line != token.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            return self.errorf(f"{token}{extra}")
        return self.errorf(f"unexpected {token} in {context}")

    def expect(self, typ: int, context: str) -> lex.Item:
        token = self.next_non_space()
        if token.typ != typ:
            raise self.unexpected(token, context)
        return token

    # -- grammar
    def parse(self) -> list[Node]:
        root: list[Node] = []
        while self.peek().typ != lex.EOF:
            if self.peek().typ == lex.LDELIM:
                delim = self.next()
                if self.next_non_space().typ == lex.DEFINE:
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
        if token.typ not in (lex.STRING, lex.RAW):
            raise self.unexpected(token, context)
        name = self.unquote(token)
        self.expect(lex.RDELIM, context)
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
        while self.peek_non_space().typ != lex.EOF:
            node = self.text_or_action()
            if isinstance(node, Control) and node.word in ("end", "else"):
                return nodes, node
            nodes.append(node)
        raise self.errorf("unexpected EOF")

    def text_or_action(self) -> Node:
        token = self.next_non_space()
        if token.typ == lex.TEXT:
            return Text(token.pos, token.val)
        if token.typ == lex.LDELIM:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        if token.typ == lex.COMMENT:
            return Comment(token.pos, token.val)
        raise self.unexpected(token, "input")

    def action(self) -> Node:
        token = self.next_non_space()
        if token.typ == lex.BLOCK:
            return self.block()
        if token.typ in (lex.BREAK, lex.CONTINUE):
            word = token.val
            after = self.next_non_space()
            if after.typ != lex.RDELIM:
                raise self.unexpected(after, "{{" + word + "}}")
            if self.range_depth == 0:
                raise self.errorf("{{" + word + "}} outside {{range}}")
            return Control(token.pos, word)
        if token.typ == lex.ELSE:
            peek = self.peek_non_space()
            if peek.typ in (lex.IF, lex.WITH):
                return Control(peek.pos, "else")
            return Control(self.expect(lex.RDELIM, "else").pos, "else")
        if token.typ == lex.END:
            return Control(self.expect(lex.RDELIM, "end").pos, "end")
        if token.typ in (lex.IF, lex.RANGE, lex.WITH):
            return self.control(token.val)
        if token.typ == lex.TEMPLATE:
            return self.template()
        self.backup()
        first = self.peek()
        return Action(first.pos, self.pipeline("command", lex.RDELIM))

    def pipeline(self, context: str, end: int) -> Pipe:
        token = self.peek_non_space()
        pipe = Pipe(token.pos, token.line)
        while True:  # Go's "decls:" label: a range may declare two variables.
            v = self.peek_non_space()
            if v.typ != lex.VARIABLE:
                break
            self.next()
            after_variable = self.peek()
            nxt = self.peek_non_space()
            if nxt.typ in (lex.ASSIGN, lex.DECLARE):
                pipe.is_assign = nxt.typ == lex.ASSIGN
                self.next_non_space()
                pipe.decl.append(Variable(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                break
            if nxt.typ == lex.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(Variable(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (lex.VARIABLE, lex.RDELIM, lex.RPAREN):
                        continue
                    raise self.errorf("range can only initialize variables")
                raise self.errorf(f"too many declarations in {context}")
            if after_variable.typ == lex.SPACE:
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
            pipe = self.pipeline(context, lex.RDELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            orelse: list[Node] | None = None
            if isinstance(nxt, Control) and nxt.word == "else":
                if context in ("if", "with") and self.peek().typ == lex.KEYWORDS[context]:
                    self.next()
                    orelse = [self.control(context)]
                else:
                    orelse, nxt = self.item_list()
                    if not (isinstance(nxt, Control) and nxt.word == "end"):
                        raise self.errorf(f"expected end; found {nxt}")
            return Branch(pipe.pos, context, pipe, body, orelse)
        finally:
            del self.vars[mark:]

    def template_name(self, token: lex.Item, context: str) -> str:
        if token.typ not in (lex.STRING, lex.RAW):
            raise self.unexpected(token, context)
        return self.unquote(token)

    def block(self) -> Node:
        context = "block clause"
        token = self.next_non_space()
        name = self.template_name(token, context)
        pipe = self.pipeline(context, lex.RDELIM)
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
        if self.next_non_space().typ != lex.RDELIM:
            self.backup()
            pipe = self.pipeline(context, lex.RDELIM)
        return Template(token.pos, name, pipe)

    def command(self) -> Command:
        cmd = Command(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.typ == lex.SPACE:
                continue
            if token.typ in (lex.RDELIM, lex.RPAREN):
                self.backup()
            elif token.typ != lex.PIPE:
                raise self.unexpected(token, "operand")
            break
        if not cmd.args:
            raise self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == lex.FIELD:
            chain = Chain(self.peek().pos, node)
            while self.peek().typ == lex.FIELD:
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
        if typ == lex.IDENT:
            if token.val not in self.funcs:
                raise self.errorf(f"function {go_quote(token.val)} not defined")
            return Identifier(token.pos, token.val)
        if typ == lex.DOT:
            return Dot(token.pos)
        if typ == lex.NIL:
            return Nil(token.pos)
        if typ == lex.VARIABLE:
            name = token.val.split(".")
            if name[0] not in self.vars:
                raise self.errorf(f"undefined variable {go_quote(name[0])}")
            return Variable(token.pos, name)
        if typ == lex.FIELD:
            return Field(token.pos, token.val[1:].split("."))
        if typ == lex.BOOL:
            return Bool(token.pos, token.val == "true")
        if typ in (lex.CHARCONST, lex.COMPLEX, lex.NUMBER):
            return self.number(token)
        if typ == lex.LPAREN:
            if self.paren_depth >= _MAX_PAREN_DEPTH:
                raise self.errorf("max expression depth exceeded")
            self.paren_depth += 1
            try:
                return self.pipeline("parenthesized pipeline", lex.RPAREN)
            finally:
                self.paren_depth -= 1
        if typ in (lex.STRING, lex.RAW):
            return String(token.pos, token.val, self.unquote(token))
        self.backup()
        return None

    def unquote(self, token: lex.Item) -> str:
        text = _unquote(token.val)
        if text is None:
            raise self.errorf("invalid syntax")
        return text

    def number(self, token: lex.Item) -> Number:
        number = _number(token)
        if isinstance(number, str):
            raise self.errorf(number)
        return number


_OPERAND_STARTS = frozenset(
    {
        lex.BOOL,
        lex.CHARCONST,
        lex.COMPLEX,
        lex.DOT,
        lex.FIELD,
        lex.IDENT,
        lex.LPAREN,
        lex.NUMBER,
        lex.NIL,
        lex.RAW,
    }
    | {lex.STRING, lex.VARIABLE}
)


def _is_empty(nodes: list[Node]) -> bool:
    for node in nodes:
        if isinstance(node, Text):
            if node.text.strip(" \t\n\r\v\f\x85\xa0"):
                return False
        elif not isinstance(node, Comment):
            return False
    return True


def _unquote(text: str) -> str | None:
    """strconv.Unquote of a "...", `...` or '...' literal (None: invalid syntax)."""
    if text[:1] == "`":
        return text[1:-1].replace("\r", "") if len(text) >= 2 and text.endswith("`") else None
    quote = text[:1]
    if len(text) < 2 or quote not in ('"', "'") or text[-1] != quote or "\n" in text:
        return None
    try:
        return go_unquote_body(text[1:-1], quote)
    except ValueError:
        return None


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


def _number(token: lex.Item) -> Number | str:
    """Go's parse.newNumber; a string is the error text."""
    text = token.val
    node = Number(token.pos, text)
    if token.typ == lex.CHARCONST:
        char = _unquote(text)
        if char is None or len(char) != 1:
            return f"malformed character constant: {text}"
        code = ord(char)
        node.is_int = node.is_uint = node.is_float = True
        node.int_value, node.float_value = code, float(code)
        return node
    if token.typ == lex.COMPLEX or text.endswith("i"):
        real_text, imag_text = _split_complex(text)
        real = _go_float(real_text) if real_text else 0.0
        imag = _go_float(imag_text) if imag_text else None
        if imag is None or real is None:
            if token.typ == lex.COMPLEX:
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
    parser = _Parser(name, lex.Lexer(text), funcs, trees)
    try:
        root = parser.parse()
    except RecursionError:
        # Go nests 10,000 parentheses deep; Python's stack gives out sooner.
        raise parser.errorf("max expression depth exceeded") from None
    parser.add(name, root)
    return trees
