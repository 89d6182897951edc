"""Choosing a proxy the way Go's net/http does it for client-go.

Selection: an explicit proxy URL (kubeconfig ``proxy-url``, ``Config.proxy``) is used for every
request, loopback included; otherwise ``HTTPS_PROXY``/``HTTP_PROXY`` (upper case first), never
for ``localhost`` or loopback IPs, and not for hosts matched by ``NO_PROXY`` (names, ``.suffix``,
``*.suffix``, IPs, CIDRs, optional ``:port``, ``*``).

requests would apply its own environment rules (it reads the same variables, but proxies
loopback and knows no CIDRs), so the transport turns them off and passes this choice per request.
"""

from __future__ import annotations

import base64
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from kctl.errors import ConfigError, TransportError

__all__ = [
    "EnvironmentProxies",
    "ProxyURL",
    "join_host_port",
    "parse_proxy_url",
]

_DEFAULT_PORTS = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}


def join_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class ProxyURL:
    scheme: str
    host: str
    port: int
    # Decoded userinfo; ``has_user`` mirrors Go's ``URL.User != nil`` ("http://@p" sends auth).
    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    has_user: bool = False

    @property
    def is_socks(self) -> bool:
        return self.scheme in ("socks5", "socks5h")

    @property
    def address(self) -> str:
        return join_host_port(self.host, self.port)

    def authorization(self) -> str:
        """The Proxy-Authorization value, empty when the URL has no userinfo."""
        if not self.has_user:
            return ""
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def for_urllib3(self) -> str:
        """The URL handed to requests: socks5 becomes socks5h, since Go's socks dialer always
        lets the proxy resolve names."""
        scheme = "socks5h" if self.is_socks else self.scheme
        user = ""
        if self.has_user:
            user = quote(self.username, safe="") + ":" + quote(self.password, safe="") + "@"
        return f"{scheme}://{user}{self.address}"

    def redacted(self) -> str:
        """The URL for messages: like Go's URL.Redacted, the password never shows."""
        user = ""
        if self.has_user:
            user = self.username + (":xxxxx" if self.password else "") + "@"
        return f"{self.scheme}://{user}{self.address}"


def _from_parts(url: str) -> ProxyURL:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"invalid proxy URL port in {_redact(url)!r}") from None
    return ProxyURL(
        scheme,
        parts.hostname or "",
        port or _DEFAULT_PORTS.get(scheme, 80),
        unquote(parts.username or ""),
        unquote(parts.password or ""),
        parts.username is not None,
    )


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":xxxxx@", 1)
    return parts._replace(netloc=netloc).geturl()


def parse_proxy_url(url: str) -> ProxyURL:
    """An explicit proxy URL (``Config.proxy``); a bare host:port means http."""
    if "://" not in url:
        url = "http://" + url
    proxy = _from_parts(url)
    if proxy.scheme not in _DEFAULT_PORTS:
        raise ConfigError(f'proxy URL scheme "{proxy.scheme}" not supported')
    return proxy


def _parse_env_proxy(value: str) -> ProxyURL | None:
    """x/net/http/httpproxy's parseProxy: anything but an http/https/socks5(h) URL is retried
    with "http://" in front; a value that still does not parse is ignored."""
    if not value:
        return None
    scheme = value.partition("://")[0].lower() if "://" in value else ""
    if scheme not in _DEFAULT_PORTS:
        value = "http://" + value
    try:
        return _from_parts(value)
    except ConfigError:
        return None


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if "%" in text:  # Go's ParseIP takes no zone
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # Go compares v4-in-v6 addresses as IPv4
    return ip


def _parse_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if "/" not in text:
        return None
    address, _, bits = text.partition("/")
    candidates = [address]
    if address.count(".") == 3 and ":" not in address:
        # apimachinery's NewProxierWithNoProxyCIDR parses "sloppily": 010.0.0.0 is 10.0.0.0.
        octets = address.split(".")
        if all(o.isdigit() for o in octets):
            candidates.append(".".join(str(int(o)) for o in octets))
    for candidate in candidates:
        try:
            return ipaddress.ip_network(f"{candidate}/{bits}", strict=False)
        except ValueError:
            continue
    return None


def _split_host_port(text: str) -> tuple[str, str] | None:
    """net.SplitHostPort, or None where Go would return an error."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or text[end + 1 : end + 2] != ":":
            return None
        return text[1:end], text[end + 2 :]
    host, sep, port = text.rpartition(":")
    if not sep or ":" in host:
        return None
    return host, port


def _idna(host: str) -> str:
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


@dataclass(frozen=True)
class _NoProxy:
    everything: bool = False
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    # (ip, port) and (".suffix", port, also matches the bare name); "" port = any port
    ips: tuple[tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, str], ...] = ()
    domains: tuple[tuple[str, str, bool], ...] = ()

    @classmethod
    def parse(cls, value: str) -> _NoProxy:
        networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        ips: list[tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, str]] = []
        domains: list[tuple[str, str, bool]] = []
        for raw in value.split(","):
            entry = raw.strip().lower()
            if not entry:
                continue
            if entry == "*":
                return cls(everything=True)
            if (network := _parse_cidr(entry)) is not None:
                networks.append(network)
                continue
            split = _split_host_port(entry)
            host, port = split if split is not None else (entry, "")
            if not host:
                continue
            if (ip := _parse_ip(host)) is not None:
                ips.append((ip, port))
                continue
            if host.startswith("*."):
                host = host[1:]
            exact = not host.startswith(".")
            if exact:
                host = "." + host
            domains.append((_idna(host), port, exact))
        return cls(False, tuple(networks), tuple(ips), tuple(domains))

    def bypass(self, host: str, port: str) -> bool:
        """True when a request to host:port must not use the environment's proxy."""
        if host == "localhost":
            return True
        ip = _parse_ip(host)
        if ip is not None and ip.is_loopback:
            return True
        if self.everything:
            return True
        host = host.strip().lower()
        if ip is not None:
            if any(ip in net for net in self.networks):
                return True
            if any(ip == other and p in ("", port) for other, p in self.ips):
                return True
        for suffix, p, exact in self.domains:
            named = host.endswith(suffix) or (exact and host == suffix[1:])
            if named and p in ("", port):
                return True
        return False


class EnvironmentProxies:
    """http.ProxyFromEnvironment (wrapped in apimachinery's CIDR-aware NO_PROXY check).

    Go reads the environment once per process; kctl reads it once per transport.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name) or env.get(name.lower()) or ""

        self.http = _parse_env_proxy(get("HTTP_PROXY"))
        self.https = _parse_env_proxy(get("HTTPS_PROXY"))
        self.no_proxy = _NoProxy.parse(get("NO_PROXY"))
        self._cgi = bool(env.get("REQUEST_METHOD"))

    def proxy_for(self, scheme: str, host: str, port: int) -> ProxyURL | None:
        proxy = self.https if scheme == "https" else self.http if scheme == "http" else None
        if proxy is None:
            return None
        if scheme == "http" and self._cgi:
            raise TransportError(
                "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy"
            )
        if self.no_proxy.bypass(_idna(host), str(port)):
            return None
        return proxy
