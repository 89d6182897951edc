"""``-o go-template``: Go's text/template run as kubectl runs it, with its error texts.

kubectl gives the template the object as decoded from JSON (maps, lists, strings, bools,
int64 for whole numbers, float64 otherwise) and adds two functions, ``exists`` and
``base64decode``, to Go's builtins. A missing map key prints ``<no value>``, or with
``--allow-missing-template-keys=false`` fails.

Go tracks the static type of every value; what shows here is whether a value sits in an
``interface{}`` (a map value or list element: ``Box``) or was unwrapped by a pipeline, as
error texts name that type (``can't evaluate field x in type interface {}``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kctl.cli._printers import _gotemplate_funcs as gofuncs
from kctl.cli._printers import _gotemplate_parse as p
from kctl.cli._printers._goprintf import GoInt, go_type, sprint
from kctl.util.goformat import go_quote

__all__ = ["GoTemplate", "TemplateError"]

TemplateError = p.TemplateError


class _Missing:
    """No value passed down the pipeline (Go's missingVal)."""


_MISSING = _Missing()
_MAX_DEPTH = 100000


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_BUILTIN_NAMES = frozenset(gofuncs.FUNCS)


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
            if gofuncs.truth(value):
                self.walk_list(value if node.kind == "with" else dot, node.body)
            elif node.orelse is not None:
                self.walk_list(dot, node.orelse)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: Any, node: p.Branch) -> None:
        self.at(node)
        outer = len(self.vars)
        try:
            value = gofuncs.unbox(self.eval_pipeline(dot, node.pipe))
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
                pairs = ((GoInt(i), gofuncs.Box(v)) for i, v in enumerate(value))
            elif isinstance(value, dict):
                pairs = ((k, gofuncs.Box(value[k])) for k in sorted(value))
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
            value = gofuncs.unbox(self.eval_command(dot, cmd, value))
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
        type_name = gofuncs.type_name(receiver)
        if isinstance(receiver, gofuncs.Box) and receiver.value is None:
            raise self.errorf(f"nil pointer evaluating {type_name}.{name}")
        value = gofuncs.unbox(receiver)
        if isinstance(value, dict):
            if len(args) > 1 or final is not _MISSING:
                raise self.errorf(f"{name} is not a method but has arguments")
            if name in value:
                return gofuncs.Box(value[name])
            if self.strict:
                raise self.errorf(f"map has no entry for key {go_quote(name)}")
            return None
        raise self.errorf(f"can't evaluate field {name} in type {type_name}")

    def eval_function(
        self, dot: Any, node: p.Identifier, cmd: p.Node, args: list[p.Node], final: Any
    ) -> Any:
        self.at(node)
        func = gofuncs.FUNCS.get(node.name)
        if func is None:
            raise self.errorf(f"{go_quote(node.name)} is not a defined function")
        return self.eval_call(dot, func, cmd, node.name, args, final)

    def eval_call(
        self, dot: Any, func: gofuncs.Func, node: p.Node, name: str, args: list[p.Node], final: Any
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
                value = self.eval_arg(dot, gofuncs.VALUE, arg)
                if gofuncs.truth(value) == (name == "or"):
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
            fn = gofuncs.unbox(argv[0])
            self.at(node)
            if fn is None:
                raise self.errorf("error calling call: call of nil")
            raise self.errorf(f"error calling call: non-function {callee} of type {go_type(fn)}")
        try:
            return func.call(*argv)
        except gofuncs.CallError as err:
            self.at(node)
            raise self.errorf(f"error calling {name}: {err}") from None

    def validate_type(self, value: Any, kind: str | None) -> Any:
        """Go's validateType for the parameter kinds the functions have."""
        if kind is None or kind == gofuncs.VALUE:
            return value
        if kind == gofuncs.ANY:
            return gofuncs.unbox(value)
        if value is None:
            raise self.errorf(f"invalid value; expected {kind}")
        inner = gofuncs.unbox(value)
        if isinstance(inner, str):
            return inner
        got = go_type(inner) if inner is not None else gofuncs.ANY
        raise self.errorf(f"wrong type for value; expected {kind}; got {got}")

    def eval_arg(self, dot: Any, kind: str | None, node: p.Node) -> Any:
        self.at(node)
        if isinstance(node, p.Dot):
            return self.validate_type(dot, kind)
        if isinstance(node, p.Nil):
            if kind in (gofuncs.ANY, gofuncs.VALUE):
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
        if kind == gofuncs.STRING:
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
