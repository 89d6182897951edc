"""client-go's DefaultServerUrlFor / DefaultVersionedAPIPath."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import SplitResult, urlsplit

from kctl.errors import ConfigError, TransportError

if TYPE_CHECKING:
    from kctl.rest._config import Config
    from kctl.schema import GroupVersion

__all__ = ["ServerURL", "default_versioned_api_path", "join_path", "server_url"]


class ServerURL(NamedTuple):
    scheme: str
    netloc: str  # host[:port], IPv6 in brackets
    path: str  # the prefix every request path starts with; "" or "/..." without trailing "/"

    def origin(self) -> str:
        return f"{self.scheme}://{self.netloc}"


def join_path(*parts: str) -> str:
    """Go's path.Join: empty parts are skipped and the result is cleaned."""
    joined = "/".join(p for p in parts if p)
    return posixpath.normpath(joined).replace("//", "/") if joined else ""


def server_url(config: Config) -> ServerURL:
    """Empty host means localhost; without a scheme, https only if TLS material or insecure
    is set; a path in a full URL becomes a prefix of every request path."""
    tls = config.tls
    default_tls = bool(tls.ca_file or tls.ca_data or tls.cert_file or tls.cert_data or tls.insecure)
    host = config.host or "localhost"
    parts = _split(host) if "://" in host else None
    if parts is None or not parts.scheme or not parts.netloc:
        scheme = "https" if default_tls else "http"
        parts = _split(f"{scheme}://{host}")
        if parts is not None and (port := _invalid_port(parts.netloc)) is not None:
            # url.Parse's *url.Error, which kubectl prints as a connection failure.
            from kctl.rest._goformat import go_quote

            raise TransportError(f"invalid port {go_quote(port)} after host")
        if parts is None or parts.path not in ("", "/"):
            raise ConfigError(f'host must be a URL or a host:port pair: "{host}"')
    if not parts.hostname:
        raise ConfigError(f'host must be a URL or a host:port pair: "{host}"')
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        port = parts.netloc.rpartition(":")[2]
        if not port.isdigit():
            raise ConfigError(f'host must be a URL or a host:port pair: "{host}"') from None
        # Go's URL parser takes any digits; the dialer is what refuses them.
        raise TransportError(f"dial tcp: address {port}: invalid port") from None
    bad = next((c for c in parts.netloc if c in _BAD_HOST_CHARS or ord(c) < 0x20), "")
    if bad:
        # url.Parse's *url.Error, which kubectl prints as a connection failure.
        raise TransportError(f"invalid character {_go_quote_char(bad)} in host name")
    if parts.scheme.lower() not in ("http", "https"):
        raise TransportError(f'unsupported protocol scheme "{parts.scheme}"')
    path = parts.path.rstrip("/")
    return ServerURL(parts.scheme.lower(), parts.netloc.rpartition("@")[2], path)


# What Go's url.Parse refuses in a host (it escapes these; hosts may not be escaped).
_BAD_HOST_CHARS = frozenset(" {}|\\^`\x7f")


def _invalid_port(netloc: str) -> str | None:
    """The ``:port`` part Go's parseHost refuses, or None. Go splits an unbracketed host at
    its first colon, so ``::::`` has the port ``::::``."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return None
        colon_port = host[end + 1 :]
    else:
        colon_port = host[host.find(":") :] if ":" in host else ""
    if not colon_port or re.fullmatch(r":[0-9]*", colon_port):
        return None
    return colon_port


def _go_quote_char(c: str) -> str:
    return f'"{c}"' if c.isprintable() else f'"\\x{ord(c):02x}"'


def _split(url: str) -> SplitResult | None:
    """urlsplit, or None where it refuses (an unclosed IPv6 bracket), as url.Parse fails."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def default_versioned_api_path(api_path: str, group_version: GroupVersion | None) -> str:
    versioned = join_path("/", api_path)
    if group_version is not None and group_version.version:
        if group_version.group:
            versioned = join_path(versioned, group_version.group, group_version.version)
        else:
            versioned = join_path(versioned, group_version.version)
    return versioned
