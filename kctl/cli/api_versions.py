"""``kctl api-versions``: every group/version the server serves, sorted, one per line."""

from __future__ import annotations

import sys

import click

from kctl.cli._errors import usage_errorf
from kctl.cli._globals import Factory, kubectl_command
from kctl.errors import KctlError

__all__ = ["command"]


@kubectl_command(
    "api-versions",
    short_help="Print the supported API versions on the server",
)
@click.argument("args", nargs=-1)
@click.pass_context
def command(ctx: click.Context, factory: Factory, args: tuple[str, ...]) -> None:
    """Print the supported API versions on the server, in the form of "group/version"."""
    if args:
        raise usage_errorf(ctx.command_path, f"unexpected arguments: [{' '.join(args)}]")
    discovery = factory.discovery()
    # kubectl always asks the server: a stale cache must not hide a new group.
    discovery.invalidate()
    try:
        groups = discovery.server_groups().groups
    except KctlError as err:
        # kubectl wraps with %v: the cause's type (and its special texts) is lost.
        raise KctlError(f"couldn't get available api versions from server: {err}") from err
    versions = [version.group_version for group in groups for version in group.versions]
    sys.stdout.write("".join(f"{v}\n" for v in sorted(versions)))
