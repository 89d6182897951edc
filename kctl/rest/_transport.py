"""The default Transport: client-go's RoundTripper layers (user agent, impersonation,
authentication, -v request logging) over one shared ``requests.Session`` per TLS setting.

requests/urllib3 do the HTTP: framing, pooled keep-alive connections, TLS, proxies, gzip. This
module chooses the proxy with Go's rules, turns library errors into kctl's error tree in Go's
words (one place: ``_transport_error`` and ``_body_error``), and never takes a half-read body
for a whole one. It is imported with the first request; requests with the first send.
"""

from __future__ import annotations

import base64
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from kctl.errors import (
    AuthConfigError,
    ConfigError,
    ConnectError,
    KctlError,
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
from kctl.rest._log import KlogWriter, mask_authorization
from kctl.rest._proxies import EnvironmentProxies, ProxyURL, join_host_port, parse_proxy_url

if TYPE_CHECKING:
    import requests

__all__ = ["HTTPTransport", "is_config_transport_tls", "validate_transport_config"]

# Go's dialer gives up connecting after 30 s even when the request has no timeout.
_DIAL_TIMEOUT = 30.0
_READ_SIZE = 65536


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


# -- responses ------------------------------------------------------------------------------


def _response_headers(raw: Any) -> Headers:
    # urllib3's HTTPHeaderDict yields one pair per header line, so repeated headers survive.
    return Headers(list(raw.headers.items()))


def _go_address(addr: Any) -> str:
    if not isinstance(addr, tuple) or len(addr) < 2:
        return ""
    host = str(addr[0])
    return f"[{host}]:{addr[1]}" if ":" in host else f"{host}:{addr[1]}"


def _socket_of(raw: Any) -> Any:
    conn = getattr(raw, "connection", None)
    return getattr(conn, "sock", None)


def _socket_addresses(raw: Any, dialed: str) -> str:
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
        self._io = io.BytesIO(body)
        self._error = error

    def read(self) -> bytes:
        if self._error is not None:
            raise self._error
        return self._io.read()

    def iter_chunks(self, size: int = _READ_SIZE) -> Iterator[bytes]:
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
    """A response read as it arrives (watch, logs -f): each read returns what the server has
    sent so far, decoded, with no buffering of the whole body."""

    def __init__(self, response: requests.Response, headers: Headers, decode: bool, dialed: str):
        self.status = response.status_code
        self.reason = response.reason or ""
        self.headers = headers
        self._response = response
        self._raw = response.raw
        self._decode = decode
        self._addresses = _socket_addresses(self._raw, dialed)
        self._dialed = dialed
        self._buffer = b""
        self._closed = False

    def _raw_chunk(self, size: int) -> bytes:
        if self._closed:
            return b""
        try:
            data: bytes = self._raw.read1(size, decode_content=self._decode)
        except _library_errors() as err:
            if self._closed:
                return b""  # stop() from another thread closed the socket under the read
            raise _body_error(err, self._addresses, self._dialed) from err
        return data

    def read(self) -> bytes:
        parts = [self._buffer]
        self._buffer = b""
        while chunk := self._raw_chunk(_READ_SIZE):
            parts.append(chunk)
        return b"".join(parts)

    def iter_chunks(self, size: int = _READ_SIZE) -> Iterator[bytes]:
        if self._buffer:
            data, self._buffer = self._buffer, b""
            yield data
        while chunk := self._raw_chunk(size):
            yield chunk

    def readline(self) -> bytes:
        while b"\n" not in self._buffer:
            chunk = self._raw_chunk(_READ_SIZE)
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
        # Shut the socket first so a reader blocked in another thread wakes up; the connection
        # is then closed, never pooled half-read.
        sock = _socket_of(self._raw)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except (OSError, AttributeError):
                pass
        self._raw.close()
        self._response.close()

    def __enter__(self) -> _StreamResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class HTTPTransport:
    """The real Transport for one Config: client-go's RoundTripper layers over a Session."""

    def __init__(self, config: Config) -> None:
        validate_transport_config(config)
        from kctl.rest._url import server_url

        self.config = config
        self._tls_scheme = server_url(config).scheme == "https"
        self._log = KlogWriter(config.verbosity)
        self._lock = threading.Lock()
        self._proxy = parse_proxy_url(config.proxy) if config.proxy else None
        self._env_proxies: EnvironmentProxies | None = None
        self._token_source: FileTokenSource | None = None
        self._exec: ExecAuthenticator | None = None
        self._exec_cert: tuple[bytes, bytes] = (b"", b"")
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

    def _session(self, creds: ExecCredentials | None) -> requests.Session:
        """The shared Session for this config's TLS settings (and an exec plugin's client
        certificate, which beats the config's own)."""
        from kctl.rest._adapter import forget_session, session_for

        cert = (creds.cert_pem, creds.key_pem) if creds and creds.cert_pem else (b"", b"")
        if cert != (b"", b""):
            with self._lock:
                previous, self._exec_cert = self._exec_cert, cert
            if previous not in ((b"", b""), cert):
                # A rotated plugin certificate: connections made with the old one must go.
                forget_session(self.config.tls, *previous)
        return session_for(self.config.tls, *cert)

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
        prefix = f'{_go_method(request.method)} "{request.url}": '
        proxy = self._select_proxy(scheme, host, port, prefix)
        hostport = join_host_port(host, port)
        dial = proxy.address if proxy is not None and not proxy.is_socks else hostport
        try:
            session = self._session(creds if scheme == "https" else None)
            prepared = self._prepare(request, headers, parts.netloc)
            timeout = request.timeout
            connect = min(timeout, _DIAL_TIMEOUT) if timeout else _DIAL_TIMEOUT
            response = session.send(
                prepared,
                stream=True,
                timeout=(connect, timeout),
                proxies={"all": proxy.for_urllib3()} if proxy is not None else {},
                allow_redirects=False,
            )
        except KctlError:
            raise
        except _library_errors() as err:
            raise _transport_error(err, prefix, dial, host, proxy, hostport) from err
        return self._wrap(response, dial, stream)

    def _prepare(self, request: HTTPRequest, headers: Headers, netloc: str) -> Any:
        import requests
        from urllib3 import HTTPHeaderDict
        from urllib3.util import SKIP_HEADER

        # Host first, as Go writes it; the URL's host as written, not as urllib3 would.
        wire = HTTPHeaderDict()
        wire.add("Host", headers.get("Host") or _host_header(netloc))
        for key, value in headers.multi_items():
            if key.lower() != "host":
                wire.add(key, value)
        body: Any = request.stream_body if request.stream_body is not None else request.body
        if isinstance(body, bytes):
            wire["Content-Length"] = str(len(body))
        elif body is None and request.method in ("POST", "PUT", "PATCH"):
            wire["Content-Length"] = "0"
        if self.config.disable_compression:
            # No Accept-Encoding at all, as Go's DisableCompression (http.client would add one).
            wire["Accept-Encoding"] = SKIP_HEADER
        else:
            wire["Accept-Encoding"] = "gzip"
        prepared = requests.PreparedRequest()
        prepared.method = request.method
        prepared.url = request.url
        # One header line per value: Impersonate-Group and friends repeat, never comma-join.
        prepared.headers = wire  # type: ignore[assignment]
        prepared.body = body
        prepared.hooks = {"response": []}
        return prepared

    def _wrap(self, response: requests.Response, dial: str, stream: bool) -> HTTPResponse:
        raw = response.raw
        headers = _response_headers(raw)
        # Go decodes gzip transparently only when it asked for it, and only gzip.
        encoding = (headers.get("Content-Encoding") or "").lower()
        decode = encoding == "gzip" and not self.config.disable_compression
        if stream:
            return _StreamResponse(response, headers, decode, dial)
        addresses = _socket_addresses(raw, dial)
        reason = response.reason or ""
        try:
            data: bytes = raw.read(decode_content=decode)
        except _library_errors() as err:
            response.close()
            # The answer arrived; only its body failed. client-go makes its retry decision
            # before reading a body, so this reaches the caller when it reads.
            broken = _body_error(err, addresses, dial)
            broken.__cause__ = err
            return _BufferedResponse(response.status_code, reason, headers, b"", broken)
        finally:
            raw.release_conn()
        if decode:
            headers.delete("Content-Encoding")
            headers.delete("Content-Length")
        return _BufferedResponse(response.status_code, reason, headers, data)

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

    def close(self) -> None:
        """Nothing of its own to release: the Session and its pool are shared per TLS setting."""
        return None

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


def _host_header(netloc: str) -> str:
    """The URL's host[:port] as written (Go's Request.Host), punycoded like Go's."""
    host = netloc.rpartition("@")[2]
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


# -- errors: requests/urllib3 exceptions in the words Go's net/http would use ----------------


def _library_errors() -> tuple[type[BaseException], ...]:
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
    return f"remote error: tls: {reason}"


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


def _transport_error(
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


def _body_error(err: BaseException, addresses: str, dial: str) -> ResponseBodyError:
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
