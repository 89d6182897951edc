"""``kctl completion bash|zsh|fish``, and the dynamic completions behind it.

The scripts are click's: they call kctl back (``_KCTL_COMPLETE=<shell>_complete``) for every
TAB, so subcommands and flags complete from the live click app. Resource types, names and
namespaces come from the discovery cache and the server, with a short request timeout and
every failure swallowed: a TAB must never print an error or hang.

``python -m kctl.cli.completion [DIR]`` regenerates the checked-in scripts (completions/).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from kctl.cli._examples import ExamplesCommand

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from kctl.cli._globals import Factory

__all__ = [
    "SCRIPT_FILES",
    "SHELLS",
    "command",
    "complete",
    "complete_namespaces",
    "complete_resource_names",
    "complete_resource_types",
    "script",
    "write_scripts",
]

SHELLS = ("bash", "zsh", "fish")
# shell -> file name under completions/, as each shell's completion directory expects.
SCRIPT_FILES = {"bash": "kctl.bash", "zsh": "_kctl", "fish": "kctl.fish"}
# A TAB waits at most this long for the server.
COMPLETION_TIMEOUT = "2s"


def script(shell: str) -> str:
    """The completion script for ``shell``, generated from the click app."""
    from click.shell_completion import get_completion_class

    from kctl.cli import _build_group

    cls = get_completion_class(shell)
    if cls is None:
        raise ValueError(shell)
    text = cls(_build_group(), {}, "kctl", "_KCTL_COMPLETE").source()
    return text if text.endswith("\n") else text + "\n"


def write_scripts(directory: str) -> list[str]:
    """(Re)write every script under ``directory`` (temp file + rename); returns the paths."""
    from kctl.util._atomic import write_atomic

    os.makedirs(directory, exist_ok=True)
    written: list[str] = []
    for shell in SHELLS:
        target = os.path.join(directory, SCRIPT_FILES[shell])
        write_atomic(target, script(shell), mode=0o644)
        written.append(target)
    return written


def complete() -> int:
    """Answer the shell's completion request in ``$_KCTL_COMPLETE`` (``bash_complete``, ...)."""
    from click.shell_completion import shell_complete

    from kctl.cli import _build_group

    instruction = os.environ.get("_KCTL_COMPLETE", "")
    return shell_complete(_build_group(), {}, "kctl", "_KCTL_COMPLETE", instruction)


# -- dynamic completion ----------------------------------------------------------------------


def _factory(ctx: click.Context) -> Factory:
    """The global flags given so far on the command line, with a short request timeout."""
    from kctl.cli._globals import Factory, GlobalFlags

    p = ctx.params
    timeout = p.get("g_request_timeout") or "0"
    return Factory(
        GlobalFlags(
            kubeconfig=p.get("g_kubeconfig") or "",
            context=p.get("g_context") or "",
            cluster=p.get("g_cluster") or "",
            user=p.get("g_user") or "",
            namespace=p.get("g_namespace") or "",
            server=p.get("g_server") or "",
            token=p.get("g_token") or "",
            insecure_skip_tls_verify=bool(p.get("g_insecure_skip_tls_verify")),
            cache_dir=p.get("g_cache_dir") or "",
            request_timeout=COMPLETION_TIMEOUT if timeout == "0" else timeout,
        )
    )


def _quietly(ctx: click.Context, produce: Any) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    from kctl.errors import KctlError

    try:
        return [CompletionItem(name) for name in produce(_factory(ctx))]
    except (KctlError, OSError, ValueError):
        return []


def _type_names(factory: Factory) -> list[str]:
    """``kubectl api-resources -o name`` for listable resources: ``plural[.group]``."""
    names: list[str] = []
    for resource_list in factory.discovery().server_preferred_resources():
        group = resource_list.group_version.rpartition("/")[0]
        for resource in resource_list.resources:
            if "list" in resource.verbs and "/" not in resource.name:
                names.append(f"{resource.name}.{group}" if group else resource.name)
    return sorted(set(names))


def complete_resource_types(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Resource types (``pods``, ``deployments.apps``) from the discovery cache."""
    return _quietly(ctx, lambda f: [n for n in _type_names(f) if n.startswith(incomplete)])


def _names(factory: Factory, type_arg: str, all_namespaces: bool) -> list[str]:
    mapping = factory.rest_mapper().mapping_for(type_arg)
    resource = factory.dynamic().resource(mapping.resource)
    if mapping.namespaced and not all_namespaces:
        resource = resource.namespace(factory.namespace()[0])
    items = resource.list().get("items") or []
    return [str((item.get("metadata") or {}).get("name", "")) for item in items]


def complete_resource_names(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Names of the objects of the type given as the argument before (``type_`` param)."""
    type_arg = ctx.params.get("type_")
    if not type_arg:
        return []
    all_ns = bool(ctx.params.get("all_namespaces"))
    return _quietly(
        ctx, lambda f: [n for n in _names(f, type_arg, all_ns) if n.startswith(incomplete)]
    )


def complete_namespaces(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Namespace names from the server (for ``-n``)."""
    return _quietly(
        ctx, lambda f: [n for n in _names(f, "namespaces", True) if n.startswith(incomplete)]
    )


# -- the verb --------------------------------------------------------------------------------


@click.command(
    "completion",
    cls=ExamplesCommand,
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="Output shell completion code for bash, zsh or fish",
)
@click.argument("shell", required=False, default="", metavar="SHELL")
def command(shell: str) -> None:
    """Output shell completion code for SHELL (bash, zsh or fish).

    \b
    Load it in the current shell:
      source <(kctl completion bash)
      source <(kctl completion zsh)
      kctl completion fish | source
    """
    from kctl.cli._errors import usage_errorf

    if not shell:
        raise usage_errorf("kctl completion", "Shell not specified.")
    if shell not in SHELLS:
        raise usage_errorf("kctl completion", f'Unsupported shell type "{shell}".')
    sys.stdout.write(script(shell))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    directory = args[0] if args else "completions"
    for path in write_scripts(directory):
        sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
