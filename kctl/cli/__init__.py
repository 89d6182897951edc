"""The kctl command line: a thin click app whose verbs load only when they run.

Each verb lives in its own module (``kctl.cli.get``, ``kctl.cli.sandbox``, ...) exposing a
click command named ``command``. Nothing here imports a verb, the library, rich or yaml, and
click parses every command line, so flags, help and errors have one source of truth.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["main"]

# verb -> (module, one-line help). The help text is here so that ``kctl --help`` lists the
# verbs without importing them.
# Keep one verb per line, so that concurrent additions merge cleanly.
COMMANDS: dict[str, tuple[str, str]] = {
    "api-resources": ("kctl.cli.api_resources", "Print the supported API resources on the server"),
    "api-versions": ("kctl.cli.api_versions", "Print the supported API versions on the server"),
    "apply": ("kctl.cli.apply", "Apply a configuration to a resource by file name or stdin"),
    "attach": ("kctl.cli.attach", "Attach to a running container"),
    "completion": ("kctl.cli.completion", "Output shell completion code for bash, zsh or fish"),
    "delete": (
        "kctl.cli.delete",
        "Delete resources by file names, stdin, resources and names, or by resources and label selector",
    ),
    "exec": ("kctl.cli.exec", "Execute a command in a container"),
    "get": ("kctl.cli.get", "Display one or many resources"),
    "logs": ("kctl.cli.logs", "Print the logs for a container in a pod"),
    "port-forward": ("kctl.cli.port_forward", "Forward one or more local ports to a pod"),
    "sandbox": ("kctl.cli.sandbox", "Run an embedded Kubernetes API server"),
    "version": ("kctl.cli.version", "Print the client and server version information"),
    "watch": ("kctl.cli.watch", "Watch resources, resuming across drops"),
}


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
    if "_KCTL_COMPLETE" in __import__("os").environ:
        # A shell's TAB (the scripts of ``kctl completion``) calls back here.
        from kctl.cli.completion import complete

        sys.exit(complete())
    from kctl.cli._errors import exit_process, run
    from kctl.cli._flags import hoist_global_flags

    if not args:
        # kubectl with no verb shows its help and succeeds.
        args = ["--help"]
    code = run(_build_group(), hoist_global_flags(args), prog_name="kctl")
    if argv is None:
        # The process ends here: the collector's final pass over every object the run and
        # its imports made costs ~20 ms of a 170 ms `get pod X -o yaml` and frees nothing
        # the OS would not. Frozen objects are skipped; atexit handlers and flushing still run.
        # (Not when called with argv, as tests do in-process: their later garbage must go.)
        import gc

        gc.freeze()
    exit_process(code)
