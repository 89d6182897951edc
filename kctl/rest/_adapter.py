"""The requests side of the transport: one Session per TLS configuration, with an HTTPAdapter
that does only what requests does not do the way client-go needs.

- TLS: the adapter mounts one ``ssl.SSLContext`` built from the TLSClientConfig (CA and client
  certificate as files or data, ``tls-server-name``, insecure). requests would load certifi's
  bundle (or ``REQUESTS_CA_BUNDLE``) into it; client-go trusts the configured CA alone, or the
  system store when none is configured, so ``cert_verify`` adds nothing.
- Proxies: chosen by the transport (Go's rules) and passed per request; ``trust_env`` is off,
  so netrc, CA bundle variables and requests' own proxy logic never apply. An https proxy is
  verified with the cluster's TLS settings, as Go's transport hands its one tls.Config to both
  hops; an http cluster has none, so the system roots.
- Retries: urllib3 re-sends only idempotent methods, once, after the connection broke before an
  answer arrived (Go's transport retries those on a reused connection); a POST is never sent
  twice, a timeout is never retried.
- Redirects and cookies are left to the caller: client-go follows redirects with Go's rules and
  has no cookie jar.
- Errors: ``transport_error`` and ``body_error`` are the one place where requests', urllib3's,
  http.client's, ssl's and PySocks' exceptions become kctl's, in the words Go's net/http uses.
"""

from __future__ import annotations

import socket
import sys
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar
from urllib3.exceptions import ProtocolError
from urllib3.util.retry import Retry

from kctl.errors import (
    ConfigError,
    ConnectError,
    ResponseBodyError,
    TimeoutError,
    TransportError,
)
from kctl.rest._config import TLSClientConfig
from kctl.rest._proxies import ProxyURL

if TYPE_CHECKING:
    import ssl

__all__ = [
    "body_error",
    "forget_session",
    "library_errors",
    "session_for",
    "shutdown_socket",
    "socket_addresses",
    "transport_error",
]

# Go's http.Transport keeps idle connections per host without a pool-wide cap that matters here;
# kctl runs a handful of requests at a time.
_POOL_MAXSIZE = 16
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


# Whether the connection the current thread's request went out on had served one before.
_attempt = threading.local()


class _GoRetry(Retry):
    """One re-send of an idempotent request whose reused keep-alive connection broke before
    any answer (Go's shouldRetryRequest). A fresh connection's failure is the caller's error:
    client-go's request layer decides about that one."""

    def _is_read_error(self, err: Exception) -> bool:
        # A ReadTimeoutError is a "read error" to urllib3; retrying it would double a timeout.
        return isinstance(err, ProtocolError) and bool(getattr(_attempt, "reused", False))


class _ReuseTracking:
    """Mixed into urllib3's pool classes: notes whether the connection handed out is a pooled
    one that is still open (urllib3 drops the ones it sees closed), i.e. a reused one."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        _attempt.reused = getattr(conn, "sock", None) is not None
        return conn


_tracking_classes: dict[type, type] = {}


def _track_reuse(manager: Any) -> Any:
    classes = manager.pool_classes_by_scheme
    if not getattr(manager, "_kctl_tracking", False):
        tracked = {}
        for scheme, cls in classes.items():
            if cls not in _tracking_classes:
                _tracking_classes[cls] = type(cls.__name__, (_ReuseTracking, cls), {})
            tracked[scheme] = _tracking_classes[cls]
        manager.pool_classes_by_scheme = tracked
        manager._kctl_tracking = True
    return manager


def _go_retry() -> Retry:
    return _GoRetry(
        total=1,
        connect=0,
        read=1,
        redirect=0,
        status=0,
        other=0,
        allowed_methods=_IDEMPOTENT,
        raise_on_redirect=False,
        raise_on_status=False,
        respect_retry_after_header=False,
    )


class _NoCookies(RequestsCookieJar):
    """client-go has no cookie jar: nothing a server sets is ever sent back."""

    def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> None:
        return None

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


class KctlAdapter(HTTPAdapter):
    """Pooling and keep-alive from urllib3; TLS and proxies the way client-go sets them."""

    def __init__(
        self,
        tls: TLSClientConfig,
        cert_pem: bytes = b"",
        key_pem: bytes = b"",
        *,
        cluster_tls: bool,
    ) -> None:
        self._tls = tls
        # Mounted for https targets: an https proxy is verified with the cluster's settings.
        self._cluster_tls = cluster_tls
        self._cert_pem = cert_pem
        self._key_pem = key_pem
        self._lock = threading.Lock()
        self._context: ssl.SSLContext | None = None
        self._proxy_context: ssl.SSLContext | None = None
        super().__init__(pool_maxsize=_POOL_MAXSIZE, max_retries=_go_retry())
        if tls.insecure:
            # kubectl says nothing about insecure-skip-tls-verify on each request; urllib3 would
            # print an InsecureRequestWarning to stderr.
            import urllib3

            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        _track_reuse(self.poolmanager)

    # -- TLS ---------------------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._context is None:
                from kctl.rest._tls import build_ssl_context

                self._context = build_ssl_context(self._tls, self._cert_pem, self._key_pem)
            return self._context

    def _proxy_ssl_context(self) -> ssl.SSLContext:
        """A second context with the cluster's settings: urllib3 verifies the proxy's name
        itself when tls-server-name is set, and turns off the context's own check for that."""
        import ssl

        with self._lock:
            if self._proxy_context is None:
                if self._cluster_tls:
                    from kctl.rest._tls import build_ssl_context

                    ctx = build_ssl_context(self._tls, self._cert_pem, self._key_pem)
                else:
                    ctx = ssl.create_default_context()
                self._proxy_context = ctx
            return self._proxy_context

    def _cert_reqs(self) -> str:
        return "CERT_NONE" if self._tls.insecure else "CERT_REQUIRED"

    def build_connection_pool_key_attributes(  # type: ignore[override]
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        parts = urlsplit(request.url or "")
        scheme = parts.scheme.lower()
        host_params = {"scheme": scheme, "host": parts.hostname, "port": parts.port}
        pool_kwargs: dict[str, Any] = {}
        if scheme == "https":
            pool_kwargs = {"ssl_context": self.ssl_context(), "cert_reqs": self._cert_reqs()}
            if self._tls.server_name:
                pool_kwargs["server_hostname"] = self._tls.server_name
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        """Nothing: the mounted context already holds exactly the roots client-go would trust,
        and requests would add certifi's bundle (or REQUESTS_CA_BUNDLE's) to it."""
        return None

    # -- proxies -----------------------------------------------------------------------------

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        with self._lock:
            known = proxy in self.proxy_manager
        if not known:
            scheme = proxy.partition("://")[0].lower()
            if scheme.startswith("socks"):
                try:
                    import socks  # type: ignore[import-untyped]  # noqa: F401
                except ImportError:
                    raise ConfigError(
                        "socks5 proxy-url needs PySocks: pip install 'kctl[socks]'"
                    ) from None
            elif scheme == "https":
                proxy_kwargs["proxy_ssl_context"] = self._proxy_ssl_context()
                if self._cluster_tls and self._tls.insecure:
                    proxy_kwargs["proxy_assert_hostname"] = False
                elif self._cluster_tls and self._tls.server_name:
                    proxy_kwargs["proxy_assert_hostname"] = self._tls.server_name
        return _track_reuse(super().proxy_manager_for(proxy, **proxy_kwargs))

    def proxy_headers(self, proxy: str) -> dict[str, str]:
        # Go sends Proxy-Authorization whenever the URL has userinfo, even an empty one.
        from kctl.rest._proxies import parse_proxy_url

        auth = parse_proxy_url(proxy).authorization()
        return {"Proxy-Authorization": auth} if auth else {}


class _Session(requests.Session):
    def get_redirect_target(self, resp: requests.Response) -> str | None:
        # client-go follows redirects itself (Go's http.Client rules); requests must not even
        # look at them, as it would read the body of every 3xx to prepare the next request.
        return None


def _new_session(tls: TLSClientConfig, cert_pem: bytes, key_pem: bytes) -> requests.Session:
    session = _Session()
    session.trust_env = False
    session.headers.clear()  # no python-requests User-Agent, Accept or Accept-Encoding
    session.cookies = _NoCookies()
    session.max_redirects = 0
    session.mount("https://", KctlAdapter(tls, cert_pem, key_pem, cluster_tls=True))
    session.mount("http://", KctlAdapter(tls, cert_pem, key_pem, cluster_tls=False))
    return session


_sessions: dict[tuple[Any, ...], requests.Session] = {}
_sessions_lock = threading.Lock()


def _tls_key(tls: TLSClientConfig) -> tuple[Any, ...]:
    return (
        tls.insecure,
        tls.server_name,
        tls.cert_file,
        tls.key_file,
        tls.ca_file,
        tls.cert_data,
        tls.key_data,
        tls.ca_data,
        tuple(tls.next_protos),
    )


def session_for(
    tls: TLSClientConfig, cert_pem: bytes = b"", key_pem: bytes = b""
) -> requests.Session:
    """The process-wide Session for these TLS settings, as client-go's tlsTransportCache shares
    one http.Transport (and its pool) between configs that differ only above TLS."""
    key = (*_tls_key(tls), cert_pem, key_pem)
    with _sessions_lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = _new_session(tls, cert_pem, key_pem)
        return session


def forget_session(tls: TLSClientConfig, cert_pem: bytes, key_pem: bytes) -> None:
    """Drop (and close) a session whose exec-plugin certificate has been rotated away."""
    key = (*_tls_key(tls), cert_pem, key_pem)
    with _sessions_lock:
        session = _sessions.pop(key, None)
    if session is not None:
        session.close()


# -- sockets, for Go's error texts and for stopping a stream from another thread ----------


def _go_address(addr: Any) -> str:
    if not isinstance(addr, tuple) or len(addr) < 2:
        return ""
    host = str(addr[0])
    return f"[{host}]:{addr[1]}" if ":" in host else f"{host}:{addr[1]}"


def _socket_of(raw: Any) -> Any:
    conn = getattr(raw, "connection", None)
    return getattr(conn, "sock", None)


def socket_addresses(raw: Any, dialed: str) -> str:
    """``local->remote`` as Go's net.OpError prints them, taken before the body is read (a
    broken read closes the socket)."""
    sock = _socket_of(raw)
    if sock is None:
        return ""
    try:
        local = _go_address(sock.getsockname())
    except (OSError, AttributeError):
        return ""
    try:
        remote = _go_address(sock.getpeername())
    except (OSError, AttributeError):
        remote = dialed
    return f"{local}->{remote}"


def shutdown_socket(raw: Any) -> None:
    sock = _socket_of(raw)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass


# -- errors: requests/urllib3 exceptions in the words Go's net/http would use ----------------


def library_errors() -> tuple[type[BaseException], ...]:
    """What requests, urllib3, http.client and sockets raise. Anything else (a signal handler's
    exception raised inside a blocking read, say) is not a transport failure and passes."""
    import http.client

    from urllib3.exceptions import HTTPError

    return (OSError, ValueError, http.client.HTTPException, HTTPError)


def _chain(err: BaseException) -> list[BaseException]:
    """``err`` and every exception it wraps: requests wraps urllib3's, which wraps socket and
    ssl errors in ``reason``, in ``args`` or as the context they were raised in."""
    seen: list[BaseException] = []
    pending = [err]
    while pending:
        current = pending.pop(0)
        if any(current is s for s in seen):
            continue
        seen.append(current)
        linked = [
            getattr(current, "reason", None),
            getattr(current, "original_error", None),
            getattr(current, "socket_err", None),
            *current.args,
            current.__cause__,
            current.__context__,
        ]
        pending.extend(e for e in linked if isinstance(e, BaseException))
    return seen


def _find(chain: list[BaseException], kind: Any) -> Any:
    if kind is None:
        return None
    return next((e for e in chain if isinstance(e, kind)), None)


def _describe_ssl_error(err: BaseException, host: str) -> str:
    import ssl

    message = getattr(err, "verify_message", None) or str(err)
    if (
        "hostname mismatch" in message
        or "IP address mismatch" in message
        or "doesn't match" in message
    ):
        return f"tls: failed to verify certificate: x509: certificate is not valid for {host}"
    if isinstance(err, ssl.SSLCertVerificationError):
        if (
            "unable to get local issuer" in message
            or "self-signed" in message
            or "self signed" in message
        ):
            return (
                "tls: failed to verify certificate: x509: certificate signed by unknown authority"
            )
        return f"tls: failed to verify certificate: x509: {message}"
    reason = (getattr(err, "reason", None) or str(err)).lower().replace("_", " ")
    alert = reason.partition(" alert ")[2]
    return f"remote error: tls: {_TLS_ALERTS.get(alert, reason)}"


# The server's TLS alerts as OpenSSL names them, and as Go's crypto/tls prints them.
_TLS_ALERTS = {
    "bad certificate": "bad certificate",
    "certificate expired": "expired certificate",
    "certificate revoked": "revoked certificate",
    "certificate unknown": "unknown certificate",
    "unknown ca": "unknown certificate authority",
    "certificate required": "certificate required",
    "handshake failure": "handshake failure",
    "protocol version": "protocol version not supported",
    "access denied": "access denied",
    "internal error": "internal error",
}


def _malformed_status(line: str) -> str:
    """http.client's BadStatusLine in Go's words."""
    text = line.strip()
    version, _, rest = text.partition(" ")
    code = rest.partition(" ")[0]
    if not version.startswith("HTTP/") or not rest:
        return f"malformed HTTP response {_go_q(text)}"
    if not version[5:].replace(".", "", 1).isdigit() or version.count(".") != 1:
        return f"malformed HTTP version {_go_q(version)}"
    return f"malformed HTTP status code {_go_q(code)}"


def _go_q(text: str) -> str:
    from kctl.rest._goformat import go_quote

    return go_quote(text)


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


def _socks_error_text(err: BaseException) -> tuple[str, bool]:
    """PySocks' failure in the words of golang.org/x/net/internal/socks, and is-timeout."""
    socks = sys.modules["socks"]
    while isinstance(inner := getattr(err, "socket_err", None), socks.ProxyError):
        err = inner
    message = str(err.args[0]) if err.args else str(err)
    if isinstance(err, socks.SOCKS5Error):
        try:
            code = int(message.partition(":")[0], 16)
        except ValueError:
            return "unknown error " + message, False
        return "unknown error " + _SOCKS_REPLIES.get(code, f"unknown code: {code}"), False
    if isinstance(err, socks.SOCKS5AuthError):
        if "authentication failed" in message:
            return "username/password authentication failed", False
        return "no acceptable authentication methods", False
    cause = getattr(err, "socket_err", None)
    if isinstance(cause, socket.timeout):
        return "i/o timeout", True
    if isinstance(cause, ConnectionResetError):
        return "connection reset by peer", False
    if isinstance(cause, OSError) or "closed unexpectedly" in message:
        return "unexpected EOF", False
    return message[:1].lower() + message[1:], False


def transport_error(
    err: BaseException,
    prefix: str,
    dial: str,
    host: str,
    proxy: ProxyURL | None,
    target: str,
) -> TransportError:
    """The one mapping from a failed send to kctl's error tree; the caller chains ``err``."""
    chain = _chain(err)
    socks = sys.modules.get("socks")
    socks_error = _find(chain, getattr(socks, "ProxyError", None))
    if proxy is not None and proxy.is_socks and socks_error is not None:
        if isinstance(socks_error, socks.ProxyConnectionError):  # type: ignore[union-attr]
            # Reaching the proxy itself failed: Go's "proxyconnect" wrapping.
            inner = _direct_error(_chain(socks_error.socket_err or socks_error), "", proxy)
            return _proxyconnect(inner, prefix, proxy)
        text, timed_out = _socks_error_text(socks_error)
        message = f"{prefix}socks connect tcp {proxy.address}->{target}: {text}"
        if timed_out:
            return TimeoutError(message, host=proxy.address)
        return ConnectError(message, host=proxy.address)
    from urllib3.exceptions import ProxyError

    if proxy is not None and not proxy.is_socks and _find(chain, ProxyError) is not None:
        tunnel = next((e for e in chain if str(e).startswith("Tunnel connection failed: ")), None)
        if tunnel is not None:
            # Go reports only the status text after the code ("Proxy Authentication Required").
            status = str(tunnel).removeprefix("Tunnel connection failed: ")
            text = status.partition(" ")[2].strip() or "unknown status code"
            return ConnectError(prefix + text, host=dial)
        return _proxyconnect(_direct_error(chain, "", proxy), prefix, proxy)
    mapped = _direct_error(chain, prefix, None, dial=dial, host=host)
    return mapped


def _proxyconnect(inner: TransportError, prefix: str, proxy: ProxyURL) -> TransportError:
    if isinstance(inner, TimeoutError):
        return TimeoutError(prefix + str(inner), host=proxy.address)
    refused = isinstance(inner, ConnectError) and inner.refused
    return ConnectError(
        prefix + "proxyconnect tcp: " + str(inner), host=proxy.address, refused=refused
    )


def _direct_error(
    chain: list[BaseException],
    prefix: str,
    proxy: ProxyURL | None,
    *,
    dial: str = "",
    host: str = "",
) -> TransportError:
    import http.client

    from urllib3.exceptions import (
        ConnectTimeoutError,
        LocationParseError,
        NewConnectionError,
        ReadTimeoutError,
    )

    if proxy is not None:
        dial, host = proxy.address, proxy.host
    ssl = sys.modules.get("ssl")
    # urllib3's NewConnectionError is a ConnectTimeoutError too, whatever the failure was.
    timed_out = any(
        isinstance(e, (ConnectTimeoutError, ReadTimeoutError, socket.timeout))
        and not isinstance(e, NewConnectionError)
        for e in chain
    )
    if timed_out:
        return TimeoutError(
            prefix + "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
            host=dial,
        )
    if _find(chain, ConnectionRefusedError) is not None:
        return ConnectError(
            prefix + f"dial tcp {dial}: connect: connection refused", host=dial, refused=True
        )
    if _find(chain, socket.gaierror) is not None:
        return ConnectError(prefix + f"dial tcp: lookup {host}: no such host", host=dial)
    if ssl is not None:
        from urllib3.util.ssl_match_hostname import CertificateError

        tls_error = _find(chain, ssl.SSLCertVerificationError) or _find(chain, CertificateError)
        if tls_error is None and _find(chain, ssl.SSLEOFError) is not None:
            # The peer hung up inside TLS without an alert: to Go that is a plain io.EOF.
            return TransportError(prefix + "EOF", host=dial)
        tls_error = tls_error or _find(chain, ssl.SSLError)
        if tls_error is not None:
            return ConnectError(prefix + _describe_ssl_error(tls_error, host), host=dial)
    # http.client's RemoteDisconnected is a ConnectionResetError too, but it is a clean EOF.
    if _find(chain, (http.client.RemoteDisconnected, http.client.IncompleteRead)) is not None:
        return TransportError(prefix + "EOF", host=dial)
    bad_status = _find(chain, http.client.BadStatusLine)
    if bad_status is not None:
        return TransportError(prefix + _malformed_status(str(bad_status.args[0])), host=dial)
    if _find(chain, ConnectionResetError) is not None:
        return TransportError(prefix + f"read tcp {dial}: connection reset by peer", host=dial)
    if _find(chain, BrokenPipeError) is not None:
        return TransportError(
            prefix + "http: can't write HTTP request on broken connection", host=dial
        )
    if _find(chain, LocationParseError) is not None:
        return TransportError(prefix + str(chain[0]), host=dial)
    os_error = _find(chain, OSError)
    if os_error is not None and os_error.errno is not None and os_error.strerror:
        return ConnectError(prefix + f"dial tcp {dial}: {os_error.strerror.lower()}", host=dial)
    return TransportError(prefix + str(chain[-1] if chain else "EOF"), host=dial)


def body_error(err: BaseException, addresses: str, dial: str) -> ResponseBodyError:
    """A body that broke off, in Go's words: net.OpError texts or io.ErrUnexpectedEOF."""
    import http.client

    from urllib3.exceptions import DecodeError, ReadTimeoutError

    chain = _chain(err)
    if _find(chain, (ReadTimeoutError, socket.timeout)) is not None:
        text = (
            "context deadline exceeded (Client.Timeout or context cancellation while reading body)"
        )
    elif _find(chain, DecodeError) is not None:
        text = "gzip: invalid header"
    elif (
        _find(chain, (http.client.IncompleteRead, http.client.RemoteDisconnected)) is not None
        or "ended prematurely" in str(err)
        or "InvalidChunkLength" in str(err)
    ):
        text = "unexpected EOF"
    elif _find(chain, ConnectionResetError) is not None:
        cause = "connection reset by peer"
        text = f"read tcp {addresses}: read: {cause}" if addresses else f"read: {cause}"
    else:
        os_error = _find(chain, OSError)
        if os_error is not None and os_error.strerror:
            cause = os_error.strerror.lower()
            text = f"read tcp {addresses}: read: {cause}" if addresses else f"read: {cause}"
        else:
            text = "unexpected EOF"
    return ResponseBodyError(text, host=dial)
