"""Flag tables: each flag of kubectl's global set and of the table-declared verbs, declared once.

A verb declares its flags as ``Flag`` specs::

    FLAGS = (
        string("-o", "--output", dest="output", help="Output format."),
        boolean("--no-headers", dest="no_headers", help="Don't print headers."),
        integer("--chunk-size", dest="chunk_size", default=500, help="..."),
    )

kctl.cli._globals builds the click options from these specs (click parses every command
line); the global flags' names and arities also let ``hoist_global_flags`` move
``kctl -n dev get pods`` into click's order before click sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "BOOL",
    "GLOBAL_FLAGS",
    "GLOBAL_FLAG_ARITY",
    "INT",
    "OPTIONAL_BOOL",
    "STRING",
    "STRINGS",
    "Flag",
    "boolean",
    "hoist_global_flags",
    "integer",
    "optional_boolean",
    "parse_go_bool",
    "string",
    "strings",
]

# Flag kinds.
STRING = "string"
STRINGS = "strings"  # repeatable; a tuple of every value given, in order
BOOL = "bool"
OPTIONAL_BOOL = "optional-bool"  # None unless given (api-resources --namespaced)
INT = "int"  # pflag's int, with GoInt's error text on the click side

_BOOL_KINDS = (BOOL, OPTIONAL_BOOL)


@dataclass(frozen=True)
class Flag:
    """One flag: its names, where its value goes, and how it reads and shows."""

    decls: tuple[str, ...]
    dest: str
    kind: str
    default: Any
    help: str
    metavar: str | None = None
    # The name of a kctl.cli.completion function completing the flag's value on TAB.
    complete: str = ""


def string(
    *decls: str,
    dest: str,
    help: str,
    default: str | None = "",
    metavar: str | None = None,
    complete: str = "",
) -> Flag:
    return Flag(decls, dest, STRING, default, help, metavar, complete)


def strings(*decls: str, dest: str, help: str, metavar: str | None = None) -> Flag:
    return Flag(decls, dest, STRINGS, (), help, metavar)


def boolean(*decls: str, dest: str, help: str, default: bool = False) -> Flag:
    return Flag(decls, dest, BOOL, default, help)


def optional_boolean(*decls: str, dest: str, help: str) -> Flag:
    return Flag(decls, dest, OPTIONAL_BOOL, None, help)


def integer(
    *decls: str, dest: str, help: str, default: int = 0, metavar: str | None = None
) -> Flag:
    return Flag(decls, dest, INT, default, help, metavar)


_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_go_bool(text: str) -> bool | None:
    """strconv.ParseBool; None when the text is not a Go boolean."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


# kubectl's global flags (cli-runtime's ConfigFlags and klog's -v), in the order kubectl
# lists them. The dests are the click parameter names, hence the g_ prefix.
GLOBAL_FLAGS: tuple[Flag, ...] = (
    string("--as", dest="g_as", metavar="TEXT", help="Username to impersonate for the operation."),
    strings(
        "--as-group",
        dest="g_as_group",
        metavar="TEXT",
        help="Group to impersonate for the operation; repeatable.",
    ),
    string(
        "--as-uid", dest="g_as_uid", metavar="TEXT", help="UID to impersonate for the operation."
    ),
    string("--cache-dir", dest="g_cache_dir", metavar="TEXT", help="Default cache directory."),
    string(
        "--certificate-authority",
        dest="g_certificate_authority",
        metavar="TEXT",
        help="Path to a cert file for the certificate authority.",
    ),
    string(
        "--client-certificate",
        dest="g_client_certificate",
        metavar="TEXT",
        help="Path to a client certificate file for TLS.",
    ),
    string(
        "--client-key",
        dest="g_client_key",
        metavar="TEXT",
        help="Path to a client key file for TLS.",
    ),
    string(
        "--cluster",
        dest="g_cluster",
        metavar="TEXT",
        help="The name of the kubeconfig cluster to use.",
    ),
    string(
        "--context",
        dest="g_context",
        metavar="TEXT",
        help="The name of the kubeconfig context to use.",
    ),
    boolean(
        "--disable-compression",
        dest="g_disable_compression",
        help="Opt out of response compression for all requests to the server.",
    ),
    boolean(
        "--insecure-skip-tls-verify",
        dest="g_insecure_skip_tls_verify",
        help="Do not check the server's certificate (insecure).",
    ),
    string(
        "--kubeconfig",
        dest="g_kubeconfig",
        metavar="TEXT",
        help="Path to the kubeconfig file to use for requests.",
    ),
    string(
        "-n",
        "--namespace",
        dest="g_namespace",
        metavar="TEXT",
        help="The namespace scope for this CLI request.",
        complete="complete_namespaces",
    ),
    string(
        "--password", dest="g_password", metavar="TEXT", help="Password for basic authentication."
    ),
    string(
        "--request-timeout",
        dest="g_request_timeout",
        default="0",
        metavar="TEXT",
        help="How long to wait for a single server request (e.g. 1s, 2m, 3h); 0 waits forever.",
    ),
    string(
        "-s",
        "--server",
        dest="g_server",
        metavar="TEXT",
        help="The address and port of the Kubernetes API server.",
    ),
    string(
        "--tls-server-name",
        dest="g_tls_server_name",
        metavar="TEXT",
        help="Server name to use for server certificate validation.",
    ),
    string(
        "--token",
        dest="g_token",
        metavar="TEXT",
        help="Bearer token for authentication to the API server.",
    ),
    string("--user", dest="g_user", metavar="TEXT", help="The name of the kubeconfig user to use."),
    string(
        "--username", dest="g_username", metavar="TEXT", help="Username for basic authentication."
    ),
    integer(
        "-v",
        "--v",
        dest="g_v",
        metavar="LEVEL",
        help="Log level for request logging (6: URLs, 8: bodies).",
    ),
)

# name -> takes a value, for every name of a global flag.
GLOBAL_FLAG_ARITY: dict[str, bool] = {
    decl: spec.kind not in _BOOL_KINDS for spec in GLOBAL_FLAGS for decl in spec.decls
}
_GLOBAL_SHORTS = tuple(decl for decl in GLOBAL_FLAG_ARITY if decl[1] != "-")


def hoist_global_flags(args: Sequence[str]) -> list[str]:
    """Move global flags written before the verb to just after it (``kctl -n dev get``).

    Only a leading run of known global flags moves; anything else is left for click to
    judge, so ``kctl --bogus get`` still fails as an unknown flag.
    """
    moved: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        name, eq, _ = token.partition("=")
        short_attached = len(token) > 2 and token[:2] in _GLOBAL_SHORTS and token[1] != "-"
        if name in GLOBAL_FLAG_ARITY:
            moved.append(token)
            if GLOBAL_FLAG_ARITY[name] and not eq:
                if i + 1 >= len(args):
                    return list(args)
                moved.append(args[i + 1])
                i += 1
            i += 1
        elif short_attached:
            moved.append(token)
            i += 1
        else:
            break
    if not moved or i >= len(args):
        return list(args)
    return [args[i], *moved, *args[i + 1 :]]
