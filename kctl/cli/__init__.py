"""The kctl command line: a thin click app whose verbs load only when they run.

Each verb lives in its own module (``kctl.cli.get``, ``kctl.cli.sandbox``, ...) exposing a
click command named ``command``. Nothing here imports a verb, the library, rich or yaml.

The hot verbs (``FAST_VERBS``) also declare their flags as kctl.cli._flags specs and a plain
``run``: an everyday invocation of them is parsed without click (whose import alone costs
about as much as the rest of a small command); help, completion and anything unusual the
fast parser declines goes through the click app, so its texts stay click's.
"""

from __future__ import annotations

import sys

# Not typing.TYPE_CHECKING: importing typing is a tenth of ``kctl --version``'s time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["main"]

# verb -> (module, one-line help). The help text is here so that ``kctl --help`` lists the
# verbs without importing them.
# Keep one verb per line, so that concurrent additions merge cleanly.
COMMANDS: dict[str, tuple[str, str]] = {
    "api-resources": ("kctl.cli.api_resources", "Print the supported API resources on the server"),
    "api-versions": ("kctl.cli.api_versions", "Print the supported API versions on the server"),
    "apply": ("kctl.cli.apply", "Apply a configuration to a resource by file name or stdin"),
    "completion": ("kctl.cli.completion", "Output shell completion code for bash, zsh or fish"),
    "delete": (
        "kctl.cli.delete",
        "Delete resources by file names, stdin, resources and names, or by resources and label selector",
    ),
    "get": ("kctl.cli.get", "Display one or many resources"),
    "sandbox": ("kctl.cli.sandbox", "Run an embedded Kubernetes API server"),
    "version": ("kctl.cli.version", "Print the client and server version information"),
    "watch": ("kctl.cli.watch", "Watch resources, resuming across drops"),
}


# Verbs whose modules provide FLAGS and run(factory, path, params) besides ``command``.
FAST_VERBS = frozenset({"api-resources", "api-versions", "get"})


def _build_group() -> Any:
    import click

    from kctl import __version__

    class LazyGroup(click.Group):
        def list_commands(self, ctx: click.Context) -> list[str]:
            return sorted(COMMANDS)

        def resolve_command(
            self, ctx: click.Context, args: list[str]
        ) -> tuple[str | None, click.Command | None, list[str]]:
            from kctl.cli._errors import UsageError

            name = args[0]
            if name not in COMMANDS:
                if name.startswith("-"):
                    from kctl.cli._globals import GLOBAL_FLAG_ARITY

                    flag = name.partition("=")[0]
                    if flag not in GLOBAL_FLAG_ARITY:
                        raise click.NoSuchOption(flag, ctx=ctx)
                raise UsageError(f'unknown command "{name}" for "{ctx.command_path}"', hint=False)
            return super().resolve_command(ctx, args)

        def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
            entry = COMMANDS.get(cmd_name)
            if entry is None:
                return None
            import importlib

            module = importlib.import_module(entry[0])
            command: click.Command = module.command
            return command

        def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
            rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    @click.group(
        cls=LazyGroup,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    @click.version_option(
        __version__, "--version", prog_name="kctl", message="%(prog)s version %(version)s"
    )
    def cli() -> None:
        """kctl controls the Kubernetes cluster manager, as kubectl does."""

    return cli


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        # The commonest trivial call should not pay for importing click.
        from kctl import __version__

        sys.stdout.write(f"kctl version {__version__}\n")
        return
    if "_KCTL_COMPLETE" in __import__("os").environ:
        # A shell's TAB (the scripts of ``kctl completion``) calls back here.
        from kctl.cli.completion import complete

        sys.exit(complete())
    from kctl.cli._flags import hoist_global_flags

    if not args:
        # kubectl with no verb shows its help and succeeds.
        args = ["--help"]
    args = hoist_global_flags(args)
    from kctl.cli._errors import exit_process

    if args[0] in FAST_VERBS:
        code = _run_fast(args[0], args[1:])
        if code is not None:
            exit_process(code)
    from kctl.cli._errors import run

    exit_process(run(_build_group(), args, prog_name="kctl"))


def _run_fast(verb: str, args: list[str]) -> int | None:
    """Run a fast verb without click; None when its arguments need click's parser."""
    import importlib

    from kctl.cli._flags import GLOBAL_FLAGS, parse

    module = importlib.import_module(COMMANDS[verb][0])
    params = parse((*GLOBAL_FLAGS, *module.FLAGS), args)
    if params is None:
        return None
    from kctl.cli._errors import guard
    from kctl.cli._factory import Factory, pop_global_flags

    factory = Factory(pop_global_flags(params))
    path = f"kctl {verb}"

    def body() -> int:
        module.run(factory, path, params)
        return 0

    return guard(body)
