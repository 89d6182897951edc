"""The click side of kubectl's flags: global options, KubectlCommand, and verbs built from specs.

A verb may declare its flags as kctl.cli._flags specs and a plain
``run(factory, path, params)`` (get, api-resources, api-versions do); ``build_command`` makes
its click command from them::

    FLAGS = (string("-o", "--output", dest="output", help="Output format."),)

    def run(factory: Factory, path: str, params: Mapping[str, Any]) -> None: ...

    command = build_command("get", FLAGS, run, help="Display one or many resources.")

Other verbs use ``kubectl_command``, which is ``click.command(name, cls=KubectlCommand)`` with
the global flags added (``--kubeconfig``, ``--context``, ``-n``, ``-s``, ``--token``, ``-v``,
...) and folded into a ``factory`` argument, so the verb's function never sees them::

    @kubectl_command("apply", short_help="...")
    @click.option("-f", "--filename", multiple=True)
    def command(factory: Factory, filename: tuple[str, ...]) -> None: ...

Either way the command class parses flags the way kubectl's pflag does: ``--bool-flag=false``,
``-n=dev``, ``-v=6``, and Go's texts for bad values. Global flags written before the verb
(``kctl -n dev get pods``) are moved behind it by ``hoist_global_flags`` in ``kctl.cli.main``.
The Factory and GlobalFlags live in the click-free kctl.cli._factory; they are re-exported here.
Errors are raised as kctl.errors exceptions; kctl.cli._errors prints them as kubectl does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

from kctl.cli._examples import ExamplesCommand
from kctl.cli._factory import (
    DISCOVERY_BURST,
    DISCOVERY_QPS,
    Factory,
    GlobalFlags,
    pop_global_flags,
)
from kctl.cli._flags import (
    BOOL,
    GLOBAL_FLAG_ARITY,
    GLOBAL_FLAGS,
    INT,
    OPTIONAL_BOOL,
    STRINGS,
    Flag,
    hoist_global_flags,
    parse_go_bool,
)

__all__ = [
    "DISCOVERY_BURST",
    "DISCOVERY_QPS",
    "GLOBAL_FLAG_ARITY",
    "Factory",
    "GlobalFlags",
    "GoInt",
    "KubectlCommand",
    "build_command",
    "click_option",
    "global_flags",
    "hoist_global_flags",
    "kubectl_command",
    "parse_go_bool",
]


def _flag_desc(param: click.Parameter | None) -> str:
    """pflag's name for a flag in errors: ``-v, --v`` with a shorthand, else ``--name``."""
    if param is None:
        return ""
    opts = list(getattr(param, "opts", [])) + list(getattr(param, "secondary_opts", []))
    short = next((o for o in opts if len(o) == 2 and not o.startswith("--")), "")
    long = next((o for o in opts if o.startswith("--")), "")
    return f"{short}, {long}" if short and long else long or short


class GoInt(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.3 on
    """An integer flag with pflag's error text."""

    name = "int"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value)
        try:
            if text.strip() != text or "_" in text:
                raise ValueError(text)
            return int(text, 10)
        except ValueError:
            raise click.UsageError(
                f'invalid argument "{text}" for "{_flag_desc(param)}" flag: '
                f'strconv.ParseInt: parsing "{text}": invalid syntax',
                ctx,
            ) from None


def _completer(name: str) -> Callable[[click.Context, click.Parameter, str], Any]:
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
        # Imported on TAB only: the completion module talks to the server.
        from kctl.cli import completion

        return getattr(completion, name)(ctx, param, incomplete)

    return complete


def click_option(spec: Flag) -> click.Option:
    """The click option for a flag spec (the same dest, default, help and completion)."""
    attrs: dict[str, Any] = {"help": spec.help}
    if spec.metavar is not None:
        attrs["metavar"] = spec.metavar
    if spec.complete:
        attrs["shell_complete"] = _completer(spec.complete)
    # click's own defaults where they give the same value (False, an empty tuple).
    if spec.kind == BOOL:
        attrs.update(is_flag=True, default=spec.default)
    elif spec.kind == OPTIONAL_BOOL:
        attrs.update(is_flag=True, default=None)
    elif spec.kind == STRINGS:
        attrs.update(multiple=True)
    elif spec.kind == INT:
        attrs.update(type=GoInt(), default=spec.default)
    else:
        attrs.update(default=spec.default)
    return click.Option([*spec.decls, spec.dest], **attrs)


def global_flags(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the global flags to a command function and pass them on as ``factory``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, factory=Factory(pop_global_flags(kwargs)), **kwargs)

    params: list[click.Parameter] = list(getattr(wrapper, "__click_params__", []))
    # click reverses the decorators' list: appended last-first, the globals come first.
    params.extend(click_option(spec) for spec in reversed(GLOBAL_FLAGS))
    wrapper.__click_params__ = params  # type: ignore[attr-defined]
    return wrapper


class KubectlCommand(ExamplesCommand):
    """A click command that reads its flags as pflag does.

    - ``--flag=true|false`` (any Go boolean) for boolean flags;
    - ``-x=value`` for a short flag taking a value (``-n=dev``, ``-v=6``, ``-o=json``);
    - kubectl's texts for unknown flags and missing values (kctl.cli._errors prints them).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        bool_opts: dict[str, click.Option] = {}
        value_shorts: set[str] = set()
        for param in self.params:
            if not isinstance(param, click.Option):
                continue
            for opt in param.opts:
                if param.is_flag and not param.count:
                    bool_opts[opt] = param
                elif len(opt) == 2 and not opt.startswith("--"):
                    value_shorts.add(opt)
        forced: dict[str, bool] = {}
        rewritten: list[str] = []
        for i, token in enumerate(args):
            if token == "--":
                rewritten.extend(args[i:])
                break
            name, eq, value = token.partition("=")
            if eq and name.startswith("-") and name in bool_opts:
                param = bool_opts[name]
                parsed = parse_go_bool(value)
                if parsed is None:
                    raise click.UsageError(
                        f'invalid argument "{value}" for "{_flag_desc(param)}" flag: '
                        f'strconv.ParseBool: parsing "{value}": invalid syntax',
                        ctx,
                    )
                if parsed:
                    rewritten.append(name)
                else:
                    forced[str(param.name)] = False
                continue
            if eq and name in value_shorts:
                rewritten.extend([name, value])
                continue
            rewritten.append(token)
        try:
            rest = super().parse_args(ctx, rewritten)
        except click.UsageError as err:
            # click's parser leaves ctx unset; the error text needs the command's path.
            if err.ctx is None:
                err.ctx = ctx
            raise
        ctx.params.update(forced)
        return rest


def kubectl_command(name: str, **attrs: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """``click.command(name, cls=KubectlCommand)`` with the global flags; see the module doc."""

    def decorator(func: Callable[..., Any]) -> click.Command:
        attrs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        command: click.Command = click.command(name, cls=KubectlCommand, **attrs)(
            global_flags(func)
        )
        return command

    return decorator


def build_command(
    name: str,
    flags: Sequence[Flag],
    run: Callable[[Factory, str, Mapping[str, Any]], None],
    *,
    help: str,
    short_help: str,
) -> click.Command:
    """The click command of a verb declared as flag specs and a ``run`` function: global
    options, then ``ARGS...``, then the verb's own options, as ``kubectl_command`` lays them out."""

    def callback(**params: Any) -> None:
        ctx = click.get_current_context()
        run(Factory(pop_global_flags(params)), ctx.command_path, params)

    params: list[click.Parameter] = [click_option(spec) for spec in GLOBAL_FLAGS]
    params.append(click.Argument(["args"], nargs=-1))
    params.extend(click_option(spec) for spec in flags)
    return KubectlCommand(
        name,
        params=params,
        callback=callback,
        help=help,
        short_help=short_help,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
