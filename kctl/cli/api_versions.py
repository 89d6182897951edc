"""``kctl api-versions``: every group/version the server serves, sorted, one per line."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kctl.cli._errors import usage_errorf
from kctl.cli._flags import Flag
from kctl.errors import KctlError

if TYPE_CHECKING:
    import click

    from kctl.cli._factory import Factory

__all__ = ["FLAGS", "click_command", "command", "run"]

FLAGS: tuple[Flag, ...] = ()


def run(factory: Factory, path: str, params: Mapping[str, Any]) -> None:
    """Print the supported API versions on the server, in the form of "group/version"."""
    args: tuple[str, ...] = params["args"]
    if args:
        raise usage_errorf(path, f"unexpected arguments: [{' '.join(args)}]")
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


def click_command() -> click.Command:
    """A new click command for the verb (``command`` below is the one kctl runs)."""
    from kctl.cli._globals import build_command

    return build_command(
        "api-versions",
        FLAGS,
        run,
        help='Print the supported API versions on the server, in the form of "group/version".',
        short_help="Print the supported API versions on the server",
    )


command = click_command()
