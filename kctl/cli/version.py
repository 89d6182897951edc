"""``kctl version``: the client's and the server's version, as ``kubectl version`` prints them.

The client version is kctl's own, in client-go's ``version.Info`` shape: ``gitVersion`` is
``v<kctl version>``, ``goVersion`` carries the Python version that runs it and ``compiler``
the Python implementation. kubectl's ``kustomizeVersion`` is absent (kctl has no
kustomize), and so is kubectl's client/server skew warning (kctl's version numbers are not
Kubernetes').
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kctl.cli._flags import Flag, boolean, string
from kctl.errors import KctlError

if TYPE_CHECKING:
    import click

    from kctl.cli._factory import Factory
    from kctl.rest import RESTClient

__all__ = ["FLAGS", "click_command", "client_version", "command", "run"]

# version.Info's fields in its struct order (json.MarshalIndent keeps it); the four
# emulation/compatibility fields are omitempty.
_FIELDS = (
    "major",
    "minor",
    "emulationMajor",
    "emulationMinor",
    "minCompatibilityMajor",
    "minCompatibilityMinor",
    "gitVersion",
    "gitCommit",
    "gitTreeState",
    "buildDate",
    "goVersion",
    "compiler",
    "platform",
)
_OMITEMPTY = frozenset(
    {"emulationMajor", "emulationMinor", "minCompatibilityMajor", "minCompatibilityMinor"}
)
# Go's GOARCH for Python's machine names.
_GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "i686": "386", "armv7l": "arm"}

FLAGS: tuple[Flag, ...] = (
    boolean(
        "--client",
        dest="client",
        help="If true, shows client version only (no server required).",
    ),
    string("-o", "--output", dest="output", help="One of 'yaml' or 'json'."),
)


def client_version() -> dict[str, str]:
    """kctl's version.Info."""
    import platform

    from kctl import __version__

    major, _, rest = __version__.partition(".")
    minor = rest.partition(".")[0]
    machine = platform.machine().lower()
    return {
        "major": major,
        "minor": minor,
        "gitVersion": f"v{__version__}",
        "gitCommit": "",
        "gitTreeState": "",
        "buildDate": "",
        "goVersion": f"python{platform.python_version()}",
        "compiler": sys.implementation.name,
        "platform": f"{sys.platform}/{_GOARCH.get(machine, machine)}",
    }


def _version_info(data: Any) -> dict[str, str]:
    """``/version``'s body as kubectl re-encodes it: known fields only, in struct order."""
    if not isinstance(data, Mapping):
        raise KctlError("unable to parse the server version: not a JSON object")
    info: dict[str, str] = {}
    for name in _FIELDS:
        value = data.get(name)
        text = value if isinstance(value, str) else ""
        if text or name not in _OMITEMPTY:
            info[name] = text
    return info


def _server_version(client: RESTClient) -> dict[str, str]:
    # Raw, as discovery's ServerVersion reads it: a failure is client-go's generic text
    # for the status code (a 401 asks for credentials), whatever Status the body holds.
    raw = client.get().abs_path("/version").do_raw()
    try:
        body = json.loads(raw)
    except ValueError as err:
        raise KctlError(f"unable to parse the server version: {err}") from None
    return _version_info(body)


def run(factory: Factory, path: str, params: Mapping[str, Any]) -> None:
    """Print the client and server version information for the current context."""
    args: tuple[str, ...] = params["args"]
    output: str = params["output"]
    client_only: bool = params["client"]
    if args:
        raise KctlError(f"extra arguments: [{' '.join(args)}]")
    if output not in ("", "yaml", "json"):
        raise KctlError("--output must be 'yaml' or 'json'")
    versions: dict[str, Any] = {"clientVersion": client_version()}
    failure: KctlError | None = None
    if not client_only:
        from kctl.rest import unversioned_rest_client_for

        # A broken kubeconfig fails before anything is printed, as kubectl's Complete.
        client = unversioned_rest_client_for(factory.rest_config())
        try:
            versions["serverVersion"] = _server_version(client)
        except KctlError as err:
            # kubectl prints what it knows, then the error.
            failure = err
    out = sys.stdout
    if output == "json":
        from kctl.cli._printers._gojson import marshal_indent

        out.write(marshal_indent(versions, indent=2, sort_keys=False) + "\n")
    elif output == "yaml":
        from kctl.cli._printers._goyaml import dump

        # kubectl's Println after a document that already ends in a newline.
        out.write(dump(versions) + "\n")
    else:
        out.write(f"Client Version: {versions['clientVersion']['gitVersion']}\n")
        if "serverVersion" in versions:
            out.write(f"Server Version: {versions['serverVersion']['gitVersion']}\n")
    if failure is not None:
        raise failure


def click_command() -> click.Command:
    """A new click command for the verb (help, errors, completion, man pages)."""
    from kctl.cli._globals import build_command

    return build_command(
        "version",
        FLAGS,
        run,
        help=(
            "Print the client and server version information for the current context.\n\n"
            "The client version is kctl's (its Python in goVersion); kubectl's "
            "kustomizeVersion is absent."
        ),
        short_help="Print the client and server version information",
    )


command = click_command()
