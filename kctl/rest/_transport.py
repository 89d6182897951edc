"""The default Transport: kctl's HTTP/1.1 client with keep-alive pooling, proxies, gzip, TLS,
auth and kubectl's -v request logging. Imported only when the first request is sent; ``ssl``
only when a TLS connection is made."""

from __future__ import annotations

import base64
import socket
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from kctl.errors import (
    AuthConfigError,
    ConfigError,
    ConnectError,
    ResponseBodyError,
    TimeoutError,
    TransportError,
)
from kctl.rest._auth import (
    ExecAuthenticator,
    ExecCredentials,
    FileTokenSource,
    get_exec_authenticator,
)
from kctl.rest._config import Config
from kctl.rest._goformat import default_user_agent
from kctl.rest._http import Headers, HTTPRequest, HTTPResponse
from kctl.rest._http11 import (
    HTTPConnection,
    HTTPError,
    IncompleteRead,
    RemoteDisconnected,
)
from kctl.rest._http11 import (
    HTTPResponse as _WireResponse,
)
from kctl.rest._log import KlogWriter, mask_authorization
from kctl.rest._proxy import (
    EnvironmentProxies,
    ProxyDialError,
    ProxyURL,
    dial_via_proxy,
    join_host_port,
    parse_proxy_url,
    wrap_tls,
)

if TYPE_CHECKING:
    import ssl

__all__ = ["HTTPTransport", "is_config_transport_tls", "validate_transport_config"]

# Go's dialer gives up connecting after 30 s even when the request has no timeout.
_DIAL_TIMEOUT = 30.0
_IDLE_PER_HOST = 16


def is_config_transport_tls(config: Config) -> bool:
    """rest.IsConfigTransportTLS: https, or any TLS material that implies it."""
    from kctl.rest._url import server_url

    return server_url(config).scheme == "https"


def validate_transport_config(config: Config) -> None:
    if config.auth_provider is not None and config.exec_provider is not None:
        raise AuthConfigError("execProvider and authProvider cannot be used in combination")
    if config.auth_provider is not None:
        raise AuthConfigError(
            f'the auth-provider "{config.auth_provider.name}" is not supported by kctl; '
            "configure an exec credential plugin (client.authentication.k8s.io) instead"
        )
    if (config.username or config.password) and (config.bearer_token or config.bearer_token_file):
        raise ConfigError("username/password or bearer token may be set, but not both")
    if config.tls.insecure and config.tls.has_ca():
        from kctl.rest._tls import check_tls_config

        check_tls_config(config.tls)


def _go_method(method: str) -> str:
    # net/url.Error prints the method with only its first letter upper-cased.
    return method[:1].upper() + method[1:].lower()


def _canonical_key(key: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in key.split("-"))


class _Connection:
    """One TCP (optionally TLS) connection to a server, directly or through a proxy, dialed
    when the first request is written."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float | None,
        tls: ssl.SSLContext | None,
        server_name: str,
        proxy: ProxyURL | None,
        proxy_tls: ssl.SSLContext | None,
    ) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.sock: Any = None
        self._http: HTTPConnection | None = None
        self._tls = tls
        self._server_name = server_name or host
        self._proxy = proxy
        # Go's transport reaches an https proxy with the cluster's own tls.Config (CA, client
        # certificate and tls-server-name included); an http cluster has none, so system roots.
        self._proxy_tls = proxy_tls
        self._proxy_server_name = server_name if tls is not None else ""
        self.reused = False

    def connect(self) -> None:
        dial = min(self.timeout, _DIAL_TIMEOUT) if self.timeout else _DIAL_TIMEOUT
        if self._proxy is None:
            sock = socket.create_connection((self.host, self.port), dial)
        else:
            sock = dial_via_proxy(
                self._proxy,
                self.host,
                self.port,
                timeout=dial,
                tunnel=self._tls is not None,
                proxy_tls=self._proxy_tls,
                proxy_server_name=self._proxy_server_name,
            )
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._tls is not None:
            sock = wrap_tls(sock, self._tls, self._server_name)
        sock.settimeout(self.timeout)
        self.sock = sock
        self._http = HTTPConnection(sock)

    def request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | None
    ) -> None:
        if self._http is None:
            self.connect()
        assert self._http is not None
        self._http.send_request(method, target, headers, body)

    def send(self, data: bytes) -> None:
        assert self._http is not None
        self._http.send(data)

    def getresponse(self, method: str) -> _WireResponse:
        assert self._http is not None
        return self._http.get_response(method)

    def close(self) -> None:
        http, self._http = self._http, None
        sock, self.sock = self.sock, None
        if http is not None:
            http.close()
        elif sock is not None:
            sock.close()


class _BufferedResponse:
    """A response whose body has been read completely (the connection went back to the pool).

    ``error``: the body broke off; reading raises it, as reading a Go response body would.
    """

    def __init__(
        self,
        status: int,
        reason: str,
        headers: Headers,
        body: bytes,
        error: ResponseBodyError | None = None,
    ) -> None:
        import io

        self.status = status
        self.reason = reason
        self.headers = headers
        self._body = body
        self._io = io.BytesIO(body)
        self._error = error

    def read(self) -> bytes:
        if self._error is not None:
            raise self._error
        return self._io.read()

    def iter_chunks(self, size: int = 65536) -> Iterator[bytes]:
        if self._error is not None:
            raise self._error
        while chunk := self._io.read(size):
            yield chunk

    def readline(self) -> bytes:
        if self._error is not None:
            raise self._error
        return self._io.readline()

    def close(self) -> None:
        self._io.close()

    def __enter__(self) -> _BufferedResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _StreamResponse:
    """A response read as it arrives; it owns its connection and closes it when done."""

    def __init__(self, conn: _Connection, resp: _WireResponse, headers: Headers) -> None:
        self.status = resp.status
        self.reason = resp.reason
        self.headers = headers
        self._conn = conn
        self._resp = resp
        gzip = (headers.get("Content-Encoding") or "").lower() == "gzip"
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
        self._buffer = b""
        self._closed = False

    def _raw_chunk(self, size: int) -> bytes:
        if self._closed:
            return b""
        try:
            data = self._resp.read1(size) if size > 0 else self._resp.read()
        except (OSError, ValueError):
            if self._closed:
                return b""
            raise
        if self._inflate is not None:
            data = self._inflate.decompress(data) if data else self._inflate.flush()
        return data

    def read(self) -> bytes:
        parts = [self._buffer]
        self._buffer = b""
        while chunk := self._raw_chunk(65536):
            parts.append(chunk)
        return b"".join(parts)

    def iter_chunks(self, size: int = 65536) -> Iterator[bytes]:
        if self._buffer:
            data, self._buffer = self._buffer, b""
            yield data
        while chunk := self._raw_chunk(size):
            yield chunk

    def readline(self) -> bytes:
        while b"\n" not in self._buffer:
            chunk = self._raw_chunk(65536)
            if not chunk:
                line, self._buffer = self._buffer, b""
                return line
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line + b"\n"

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        # Shut the socket first so a reader blocked in another thread wakes up.
        sock = self._conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._conn.close()
        self._resp.close()

    def __enter__(self) -> _StreamResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _describe_ssl_error(err: ssl.SSLError, host: str) -> str:
    import ssl

    if isinstance(err, ssl.SSLCertVerificationError):
        message = err.verify_message or str(err)
        if "hostname mismatch" in message or "IP address mismatch" in message:
            return f"tls: failed to verify certificate: x509: certificate is not valid for {host}"
        if (
            "unable to get local issuer" in message
            or "self-signed" in message
            or "self signed" in message
        ):
            return (
                "tls: failed to verify certificate: x509: certificate signed by unknown authority"
            )
        return f"tls: failed to verify certificate: x509: {message}"
    reason = (err.reason or str(err)).lower().replace("_", " ")
    return f"remote error: tls: {reason}"


class HTTPTransport:
    """The real Transport for one Config: authentication, logging, proxies and a pool."""

    def __init__(self, config: Config) -> None:
        validate_transport_config(config)
        from kctl.rest._url import server_url

        self.config = config
        self._tls_scheme = server_url(config).scheme == "https"
        self._log = KlogWriter(config.verbosity)
        self._lock = threading.Lock()
        self._idle: dict[tuple[Any, ...], list[_Connection]] = {}
        self._contexts: dict[tuple[bytes, bytes], ssl.SSLContext] = {}
        self._proxy = parse_proxy_url(config.proxy) if config.proxy else None
        self._env_proxies: EnvironmentProxies | None = None
        self._plain_proxy_tls: ssl.SSLContext | None = None
        self._token_source: FileTokenSource | None = None
        self._exec: ExecAuthenticator | None = None
        if self._tls_scheme:
            if config.bearer_token_file:
                self._token_source = FileTokenSource(
                    config.bearer_token_file, fallback=config.bearer_token
                )
                if not config.bearer_token:
                    self._token_source.token()
            if config.exec_provider is not None:
                self._exec = get_exec_authenticator(config.exec_provider)

    # -- authentication -------------------------------------------------------------------

    def _authenticate(self, headers: Headers) -> ExecCredentials | None:
        """Credentials go only to https servers (client-go's IsConfigTransportTLS rule)."""
        config = self.config
        creds: ExecCredentials | None = None
        if not self._tls_scheme or "Authorization" in headers:
            return None
        if self._exec is not None:
            creds = self._exec.credentials()
            if creds.token:
                headers.set("Authorization", "Bearer " + creds.token)
                return creds
        if self._token_source is not None:
            headers.set("Authorization", "Bearer " + self._token_source.token())
        elif config.bearer_token:
            headers.set("Authorization", "Bearer " + config.bearer_token)
        elif config.username or config.password:
            raw = f"{config.username}:{config.password}".encode()
            headers.set("Authorization", "Basic " + base64.b64encode(raw).decode("ascii"))
        return creds

    def _impersonate(self, headers: Headers) -> None:
        imp = self.config.impersonate
        if not imp.is_set() or "Impersonate-User" in headers:
            return
        if imp.user_name:
            headers.set("Impersonate-User", imp.user_name)
        if imp.uid:
            headers.set("Impersonate-Uid", imp.uid)
        for group in imp.groups:
            headers.add("Impersonate-Group", group)
        for key, values in imp.extra.items():
            for value in values:
                headers.add("Impersonate-Extra-" + quote(key, safe=""), value)

    def _ssl_context(self, creds: ExecCredentials | None) -> ssl.SSLContext:
        key = (creds.cert_pem, creds.key_pem) if creds and creds.cert_pem else (b"", b"")
        with self._lock:
            ctx = self._contexts.get(key)
            if ctx is None:
                if key != (b"", b"") and self._contexts:
                    # A rotated plugin certificate: old connections must not be reused.
                    self._close_idle_locked()
                    self._contexts.clear()
                from kctl.rest._tls import build_ssl_context

                ctx = build_ssl_context(self.config.tls, *key)
                self._contexts[key] = ctx
            return ctx

    # -- sending --------------------------------------------------------------------------

    def send(self, request: HTTPRequest, *, stream: bool = False) -> HTTPResponse:
        headers = (
            request.headers.copy()
            if isinstance(request.headers, Headers)
            else Headers(dict(request.headers))
        )
        if "User-Agent" not in headers:
            headers.set("User-Agent", self.config.user_agent or default_user_agent())
        self._impersonate(headers)
        creds = self._authenticate(headers)
        self._log_request(request, headers)
        started = time.monotonic()
        response = self._round_trip(request, headers, creds, stream)
        millis = int((time.monotonic() - started) * 1000)
        self._log_response(request, response, millis)
        if response.status == 401 and creds is not None and self._exec is not None:
            self._exec.invalidate(creds)
        return response

    def _round_trip(
        self, request: HTTPRequest, headers: Headers, creds: ExecCredentials | None, stream: bool
    ) -> HTTPResponse:
        parts = urlsplit(request.url)
        scheme = parts.scheme.lower()
        host = parts.hostname or "localhost"
        port = parts.port or (443 if scheme == "https" else 80)
        tls = self._ssl_context(creds) if scheme == "https" else None
        prefix = f'{_go_method(request.method)} "{request.url}": '
        proxy = self._select_proxy(scheme, host, port, prefix)
        # Through an http(s) proxy an http request goes in absolute form, with the proxy's
        # credentials added after everything else (Go's mutateHeaderFunc), unlogged.
        forward = proxy is not None and tls is None and not proxy.is_socks
        target = (
            request.url
            if forward
            else (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        )
        if not self.config.disable_compression:
            headers.set("Accept-Encoding", "gzip")
        if forward and proxy is not None and (auth := proxy.authorization()):
            headers.set("Proxy-Authorization", auth)
        key = (scheme, host, port, id(tls), proxy)
        host_header = headers.get("Host") or _host_header(parts.netloc)
        wire_headers = [("Host", host_header)] + [
            (k, v) for k, v in headers.multi_items() if k.lower() != "host"
        ]
        body: Any = request.stream_body if request.stream_body is not None else request.body
        hostport = join_host_port(host, port)
        dial_target = proxy.address if proxy is not None and not proxy.is_socks else hostport
        for attempt in range(2):
            conn = self._checkout(key, host, port, tls, proxy, request.timeout)
            try:
                framing: list[tuple[str, str]] = []
                if body is None and request.method in ("POST", "PUT", "PATCH"):
                    framing.append(("Content-Length", "0"))
                elif isinstance(body, bytes):
                    framing.append(("Content-Length", str(len(body))))
                elif body is not None:
                    framing.append(("Transfer-Encoding", "chunked"))
                conn.request(
                    request.method,
                    target,
                    wire_headers + framing,
                    body if isinstance(body, bytes) else None,
                )
                if body is not None and not isinstance(body, bytes):
                    _send_chunked(conn, body)
                resp = conn.getresponse(request.method)
            except (RemoteDisconnected, BrokenPipeError, ConnectionResetError) as err:
                conn.close()
                # A pooled keep-alive connection the server already closed: try a fresh one.
                if conn.reused and attempt == 0 and isinstance(body, (bytes, type(None))):
                    continue
                raise _map_error(err, prefix, dial_target, host) from None
            except OSError as err:
                conn.close()
                raise _map_error(err, prefix, dial_target, host) from None
            break
        resp_headers = resp.headers
        if stream:
            return _StreamResponse(conn, resp, resp_headers)
        addresses = _socket_addresses(conn, dial_target)
        try:
            data = resp.read()
        except OSError as err:
            conn.close()
            # The answer arrived; only its body failed. client-go makes its retry decision
            # before reading a body, so this reaches the caller when it reads.
            broken = ResponseBodyError(_body_error_text(err, addresses), host=dial_target)
            return _BufferedResponse(resp.status, resp.reason, resp_headers, b"", broken)
        if (resp_headers.get("Content-Encoding") or "").lower() == "gzip" and data:
            try:
                data = zlib.decompress(data, 16 + zlib.MAX_WBITS)
            except zlib.error as err:
                conn.close()
                raise TransportError(prefix + f"gzip: {err}", host=hostport) from None
            resp_headers.delete("Content-Encoding")
            resp_headers.delete("Content-Length")
        if not resp.reusable:
            conn.close()
        else:
            self._checkin(key, conn)
        return _BufferedResponse(resp.status, resp.reason, resp_headers, data)

    def _checkout(
        self,
        key: tuple[Any, ...],
        host: str,
        port: int,
        tls: ssl.SSLContext | None,
        proxy: ProxyURL | None,
        timeout: float | None,
    ) -> _Connection:
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                conn = idle.pop()
                conn.reused = True
                conn.timeout = timeout
                if conn.sock is not None:
                    conn.sock.settimeout(timeout)
                return conn
        return _Connection(
            host,
            port,
            timeout=timeout,
            tls=tls,
            server_name=self.config.tls.server_name,
            proxy=proxy,
            proxy_tls=self._proxy_tls(tls)
            if proxy is not None and proxy.scheme == "https"
            else None,
        )

    # -- proxies --------------------------------------------------------------------------

    def _select_proxy(self, scheme: str, host: str, port: int, prefix: str) -> ProxyURL | None:
        """The explicit proxy URL for every request, else the environment's choice."""
        if self._proxy is not None:
            return self._proxy
        with self._lock:
            if self._env_proxies is None:
                self._env_proxies = EnvironmentProxies()
            env = self._env_proxies
        try:
            return env.proxy_for(scheme, host, port)
        except TransportError as err:
            raise TransportError(prefix + str(err), host=join_host_port(host, port)) from None

    def _proxy_tls(self, tls: ssl.SSLContext | None) -> ssl.SSLContext:
        if tls is not None:
            return tls
        with self._lock:
            if self._plain_proxy_tls is None:
                import ssl

                self._plain_proxy_tls = ssl.create_default_context()
            return self._plain_proxy_tls

    def _checkin(self, key: tuple[Any, ...], conn: _Connection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < _IDLE_PER_HOST:
                idle.append(conn)
                return
        conn.close()

    def _close_idle_locked(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()

    def close(self) -> None:
        with self._lock:
            self._close_idle_locked()

    # -- logging (client-go's debuggingRoundTripper) ----------------------------------------

    def _log_request(self, request: HTTPRequest, headers: Headers) -> None:
        log = self._log
        if log.verbosity >= 9:
            flags = "".join(
                " -H " + _quote_header(f"{_canonical_key(k)}: {mask_authorization(k, v)}")
                for k, v in headers.multi_items()
            )
            curl = f"curl -v -X{request.method} {flags} '{request.url}'\n"
            log.info(9, "round_trippers.go:527", "Request", "curlCommand", curl)
        elif log.verbosity >= 7:
            log.info(
                7,
                "round_trippers.go:527",
                "Request",
                "verb",
                request.method,
                "url",
                request.url,
                "headers",
                _headers_block(headers),
            )

    def _log_response(self, request: HTTPRequest, response: HTTPResponse, millis: int) -> None:
        log = self._log
        v = log.verbosity
        if v < 6:
            return
        status = f"{response.status} {response.reason}".rstrip()
        kvs: list[object] = []
        if v == 6 or v >= 9:
            kvs += ["verb", request.method, "url", request.url]
        kvs += ["status", status]
        if v >= 8:
            kvs += ["headers", _headers_block(response.headers)]
        kvs += ["milliseconds", millis]
        log.info(6, "round_trippers.go:632", "Response", *kvs)


def _quote_header(text: str) -> str:
    from kctl.rest._goformat import go_quote

    return go_quote(text)


def _headers_block(headers: Headers) -> str:
    lines = sorted((_canonical_key(k), mask_authorization(k, v)) for k, v in headers.multi_items())
    return "".join(f"{k}: {v}\n" for k, v in lines)


def _send_chunked(conn: _Connection, body: Any) -> None:
    read = getattr(body, "read", None)
    chunks: Any = iter(lambda: read(65536), b"") if read is not None else body
    for chunk in chunks:
        data = chunk.encode() if isinstance(chunk, str) else bytes(chunk)
        if data:
            conn.send(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    conn.send(b"0\r\n\r\n")


def _host_header(netloc: str) -> str:
    """The URL's host[:port] as written (Go's Request.Host), punycoded like Go's."""
    host = netloc.rpartition("@")[2]
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _go_address(addr: Any) -> str:
    if not isinstance(addr, tuple) or len(addr) < 2:
        return ""
    host = str(addr[0])
    return f"[{host}]:{addr[1]}" if ":" in host else f"{host}:{addr[1]}"


def _socket_addresses(conn: _Connection, dialed: str) -> str:
    """``local->remote`` as Go's net.OpError prints them ("" once the socket is gone)."""
    sock = conn.sock
    if sock is None:
        return ""
    try:
        local = _go_address(sock.getsockname())
    except OSError:
        return ""
    try:
        remote = _go_address(sock.getpeername())
    except OSError:
        # A reset that already arrived unbinds the peer; it is the address we dialed.
        remote = dialed
    return f"{local}->{remote}"


def _body_error_text(err: BaseException, addresses: str) -> str:
    """A failed body read in Go's words: net.OpError texts, or io.ErrUnexpectedEOF."""
    if isinstance(err, socket.timeout):
        return (
            "context deadline exceeded (Client.Timeout or context cancellation while reading body)"
        )
    if isinstance(err, (IncompleteRead, RemoteDisconnected)):
        return "unexpected EOF"
    if isinstance(err, ConnectionResetError):
        cause = "connection reset by peer"
    elif isinstance(err, OSError) and err.strerror:
        cause = err.strerror.lower()
    else:
        return str(err) or "unexpected EOF"
    return f"read tcp {addresses}: read: {cause}" if addresses else f"read: {cause}"


def _map_error(err: BaseException, prefix: str, dial: str, host: str) -> TransportError:
    """Python socket errors in the words Go's net/http would use."""
    if isinstance(err, TransportError):
        return err
    if isinstance(err, ProxyDialError):
        return _proxy_error(err, prefix, dial)
    if isinstance(err, ConnectionRefusedError):
        return ConnectError(
            prefix + f"dial tcp {dial}: connect: connection refused", host=dial, refused=True
        )
    if isinstance(err, socket.gaierror):
        return ConnectError(prefix + f"dial tcp: lookup {host}: no such host", host=dial)
    if isinstance(err, socket.timeout):
        return TimeoutError(
            prefix + "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
            host=dial,
        )
    ssl = sys.modules.get("ssl")  # no TLS error can exist unless ssl was loaded
    if ssl is not None and isinstance(err, ssl.SSLError):
        return ConnectError(prefix + _describe_ssl_error(err, host), host=dial)
    if isinstance(err, ConnectionResetError):
        return TransportError(prefix + f"read tcp {dial}: connection reset by peer", host=dial)
    if isinstance(err, BrokenPipeError):
        return TransportError(
            prefix + "http: can't write HTTP request on broken connection", host=dial
        )
    if isinstance(err, (RemoteDisconnected, IncompleteRead)):
        return TransportError(prefix + "EOF", host=dial)
    if isinstance(err, HTTPError):
        return TransportError(prefix + str(err), host=dial)
    if isinstance(err, OSError):
        if err.errno is not None and err.strerror:
            return ConnectError(prefix + f"dial tcp {dial}: {err.strerror.lower()}", host=dial)
        return TransportError(prefix + str(err), host=dial)
    return TransportError(prefix + str(err), host=dial)


def _proxy_error(err: ProxyDialError, prefix: str, dial: str) -> TransportError:
    if err.cause is not None:
        inner = _map_error(err.cause, "", err.address, err.host)
        if isinstance(inner, TimeoutError):
            return TimeoutError(prefix + str(inner), host=err.address)
        # Go wraps a failure to reach the proxy itself (dial, TLS) as a "proxyconnect" error.
        refused = isinstance(inner, ConnectError) and inner.refused
        return ConnectError(
            prefix + "proxyconnect tcp: " + str(inner), host=err.address, refused=refused
        )
    if err.timeout:
        return TimeoutError(prefix + err.text, host=dial)
    return ConnectError(prefix + err.text, host=dial, refused=err.text.endswith(" refused"))
