"""Choosing and dialing a proxy the way Go's net/http does it for client-go.

Selection: an explicit proxy URL (kubeconfig ``proxy-url``, ``Config.proxy``) is used for every
request, loopback included; otherwise ``HTTPS_PROXY``/``HTTP_PROXY`` (upper case first), never
for ``localhost`` or loopback IPs, and not for hosts matched by ``NO_PROXY`` (names, ``.suffix``,
``*.suffix``, IPs, CIDRs, optional ``:port``, ``*``).

Dialing: http(s) proxies take absolute-form requests for http targets and a ``CONNECT`` tunnel
for https targets; an https proxy is reached over TLS with the cluster's TLS settings (client-go
hands its one ``tls.Config`` to Go's transport, which uses it for the proxy hop too); socks5
goes through PySocks (the ``socks`` extra), names resolved by the proxy.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlsplit

from kctl.errors import ConfigError, TransportError
from kctl.rest._http11 import HTTPConnection, RemoteDisconnected

if TYPE_CHECKING:
    import ssl

__all__ = [
    "EnvironmentProxies",
    "ProxyDialError",
    "ProxyURL",
    "dial_via_proxy",
    "join_host_port",
    "parse_proxy_url",
    "wrap_tls",
]

_DEFAULT_PORTS = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}
# What Go's Request.Write adds to the CONNECT request when nothing else sets a User-Agent.
_CONNECT_USER_AGENT = "Go-http-client/1.1"

# golang.org/x/net/internal/socks: the texts of SOCKS5 reply codes.
_SOCKS_REPLIES = {
    0x01: "general SOCKS server failure",
    0x02: "connection not allowed by ruleset",
    0x03: "network unreachable",
    0x04: "host unreachable",
    0x05: "connection refused",
    0x06: "TTL expired",
    0x07: "command not supported",
    0x08: "address type not supported",
}


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


# -- dialing ------------------------------------------------------------------------------------


class ProxyDialError(OSError):
    """A failure on the way through a proxy, carrying the text Go's transport would report.

    ``cause`` is set when reaching the proxy itself failed (dial or TLS): Go wraps those as
    "proxyconnect tcp: <cause>", and the transport renders the cause in its usual words.
    """

    def __init__(
        self,
        text: str = "",
        *,
        cause: BaseException | None = None,
        address: str = "",
        host: str = "",
        timeout: bool = False,
    ) -> None:
        super().__init__(text)
        self.text = text
        self.cause = cause
        self.address = address
        self.host = host
        self.timeout = timeout


def dial_via_proxy(
    proxy: ProxyURL,
    host: str,
    port: int,
    *,
    timeout: float,
    tunnel: bool,
    proxy_tls: ssl.SSLContext | None,
    proxy_server_name: str = "",
) -> socket.socket:
    """A socket that reaches host:port through ``proxy`` (or, for an http proxy and an http
    target, the connection to the proxy itself, which then takes absolute-form requests)."""
    if proxy.is_socks:
        return _socks_dial(proxy, host, port, timeout)
    try:
        sock = socket.create_connection((proxy.host, proxy.port), timeout)
    except OSError as err:
        raise ProxyDialError(cause=err, address=proxy.address, host=proxy.host) from None
    if proxy.scheme == "https":
        import ssl

        ctx = proxy_tls if proxy_tls is not None else ssl.create_default_context()
        try:
            sock = ctx.wrap_socket(sock, server_hostname=proxy_server_name or proxy.host)
        except OSError as err:
            sock.close()
            raise ProxyDialError(
                cause=err, address=proxy.address, host=proxy_server_name or proxy.host
            ) from None
    if tunnel:
        try:
            _connect_tunnel(sock, proxy, join_host_port(host, port))
        except BaseException:
            sock.close()
            raise
    return sock


def _connect_tunnel(sock: socket.socket, proxy: ProxyURL, target: str) -> None:
    headers = [("Host", target), ("User-Agent", _CONNECT_USER_AGENT)]
    if auth := proxy.authorization():
        headers.append(("Proxy-Authorization", auth))
    # The tunnel's bytes start right after the proxy's answer, and the client speaks first,
    # so nothing read past the answer's head can be lost.
    conn = HTTPConnection(sock)
    try:
        conn.send_request("CONNECT", target, headers)
        resp = conn.get_response("CONNECT")
    except TimeoutError:
        raise ProxyDialError("i/o timeout", timeout=True) from None
    except OSError as err:
        # Go returns the read error itself, unwrapped: most often the proxy hung up.
        text = "EOF" if isinstance(err, RemoteDisconnected) else str(err)
        if isinstance(err, ConnectionResetError):
            text = f"read tcp {proxy.address}: connection reset by peer"
        raise ProxyDialError(text) from None
    if resp.status != 200:
        # Go reports only the status text after the code ("Proxy Authentication Required").
        raise ProxyDialError(resp.reason.strip() or "unknown status code")


def _socks_error_text(err: BaseException) -> tuple[str, bool]:
    """PySocks' exception in the words of golang.org/x/net/internal/socks, and is-timeout."""
    import socks  # type: ignore[import-untyped]

    # PySocks' errors are OSErrors, so its own negotiation failures come back wrapped.
    while isinstance(inner := getattr(err, "socket_err", None), socks.ProxyError):
        err = inner
    message = str(err.args[0]) if err.args else str(err)
    if isinstance(err, socks.SOCKS5Error):
        code_text = message.partition(":")[0]
        try:
            code = int(code_text, 16)
        except ValueError:
            return "unknown error " + message, False
        return "unknown error " + _SOCKS_REPLIES.get(code, f"unknown code: {code}"), False
    if isinstance(err, socks.SOCKS5AuthError):
        if "authentication failed" in message:
            return "username/password authentication failed", False
        return "no acceptable authentication methods", False
    cause = getattr(err, "socket_err", None)
    if isinstance(cause, TimeoutError):
        return "i/o timeout", True
    if isinstance(cause, ConnectionResetError):
        return "connection reset by peer", False
    if isinstance(cause, OSError) or "closed unexpectedly" in message:
        return "unexpected EOF", False
    return message[:1].lower() + message[1:], False


def _socks_dial(proxy: ProxyURL, host: str, port: int, timeout: float) -> socket.socket:
    try:
        import socks
    except ImportError:
        raise ConfigError("socks5 proxy-url needs PySocks: pip install 'kctl[socks]'") from None
    # Go offers username/password whenever the URL has userinfo, with no-auth as well.
    username = proxy.username if proxy.has_user else None
    password = proxy.password if proxy.has_user else None
    try:
        sock: socket.socket = socks.create_connection(
            (host, port),
            timeout=timeout,
            proxy_type=socks.SOCKS5,
            proxy_addr=proxy.host,
            proxy_port=proxy.port,
            proxy_rdns=True,  # Go's socks dialer sends names for the proxy to resolve
            proxy_username=username,
            proxy_password=password,
        )
    except socks.ProxyConnectionError as err:
        cause = err.socket_err if isinstance(err.socket_err, OSError) else err
        raise ProxyDialError(cause=cause, address=proxy.address, host=proxy.host) from None
    except socks.ProxyError as err:
        text, timed_out = _socks_error_text(err)
        target = join_host_port(host, port)
        raise ProxyDialError(
            f"socks connect tcp {proxy.address}->{target}: {text}", timeout=timed_out
        ) from None
    except OSError as err:
        # Resolving the proxy's own name failed before PySocks got to dial it.
        raise ProxyDialError(cause=err, address=proxy.address, host=proxy.host) from None
    return sock


def wrap_tls(sock: socket.socket, ctx: ssl.SSLContext, server_hostname: str) -> socket.socket:
    """TLS to the target over ``sock``, which may itself be TLS to an https proxy."""
    import ssl

    if isinstance(sock, ssl.SSLSocket):
        return cast(socket.socket, _TLSInTLS(sock, ctx, server_hostname))
    return ctx.wrap_socket(sock, server_hostname=server_hostname)


class _TLSInTLS:
    """A TLS session carried inside another (https proxy, https target).

    ``ssl`` wraps only real sockets, so the inner session runs on memory BIOs and moves its
    records over the outer SSLSocket; the socket calls the HTTP/1.1 client and the pool make
    are provided, the rest go to the outer socket.
    """

    def __init__(self, outer: ssl.SSLSocket, ctx: ssl.SSLContext, server_hostname: str) -> None:
        import ssl

        self._ssl = ssl
        self._outer = outer
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._tls = ctx.wrap_bio(self._incoming, self._outgoing, server_hostname=server_hostname)
        self._run(self._tls.do_handshake)

    def _run(self, step: Any, *args: Any) -> Any:
        while True:
            try:
                result = step(*args)
            except self._ssl.SSLWantReadError:
                self._flush()
                data = self._outer.recv(65536)
                if data:
                    self._incoming.write(data)
                else:
                    self._incoming.write_eof()
                continue
            self._flush()
            return result

    def _flush(self) -> None:
        if data := self._outgoing.read():
            self._outer.sendall(data)

    def recv_into(self, buffer: Any, nbytes: int = 0) -> int:
        size = nbytes or len(buffer)
        if size == 0:
            return 0
        try:
            return int(self._run(self._tls.read, size, buffer))
        except (self._ssl.SSLZeroReturnError, self._ssl.SSLEOFError):
            return 0

    def recv(self, size: int) -> bytes:
        buffer = bytearray(size)
        return bytes(buffer[: self.recv_into(buffer)])

    def send(self, data: Any) -> int:
        return int(self._run(self._tls.write, data))

    def sendall(self, data: Any) -> None:
        view = memoryview(data).cast("B")
        while view:
            view = view[self.send(view) :]

    def close(self) -> None:
        self._outer.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._outer, name)
