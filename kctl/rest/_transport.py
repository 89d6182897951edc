"""The default Transport: client-go's RoundTripper layers (user agent, impersonation,
authentication, -v request logging) over one shared ``requests.Session`` per TLS setting.

requests/urllib3 do the HTTP: framing, pooled keep-alive connections, TLS, proxies, gzip. This
module chooses the proxy with Go's rules and never takes a half-read body for a whole one;
``_adapter`` turns library errors into kctl's error tree. It is imported with the first request
(``RESTClient.transport``), and requests with it.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from kctl.errors import (
    AuthConfigError,
    ConfigError,
    KctlError,
    ResponseBodyError,
    TransportError,
)
from kctl.rest._adapter import (
    body_error,
    library_errors,
    shutdown_socket,
    socket_addresses,
    transport_error,
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
        self._addresses = socket_addresses(self._raw, dialed)
        self._dialed = dialed
        self._buffer = b""
        self._closed = False

    def _raw_chunk(self, size: int) -> bytes:
        if self._closed:
            return b""
        try:
            data: bytes = self._raw.read1(size, decode_content=self._decode)
        except library_errors() as err:
            if self._closed:
                return b""  # stop() from another thread closed the socket under the read
            raise body_error(err, self._addresses, self._dialed) from err
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
        shutdown_socket(self._raw)
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

    def _outgoing_headers(self, request: HTTPRequest) -> tuple[Headers, ExecCredentials | None]:
        """The RoundTripper layers' headers: user agent, impersonation, credentials."""
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
        return headers, creds

    def dial(self, request: HTTPRequest) -> tuple[Any, Headers]:
        """A connected socket to the request's server, for a protocol upgrade (WebSocket),
        and the headers the upgrade request must carry.

        The socket goes through the same proxy choice, TLS context (CA, client certificate,
        tls-server-name, insecure) and exec-plugin certificate as every request: urllib3's
        connection classes of this config's adapter make it, outside the pool. Like Go's
        WebSocket dialer, an http proxy is always asked to CONNECT, even for http servers.
        """
        headers, creds = self._outgoing_headers(request)
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
            adapter: Any = session.get_adapter(request.url)
            prepared = self._prepare(request, headers, parts.netloc)
            proxies = {"all": proxy.for_urllib3()} if proxy is not None else None
            pool = adapter.get_connection_with_tls_context(prepared, True, proxies=proxies)
            # A connection of its own: an upgraded socket never goes back to a pool.
            conn = pool._new_conn()
            timeout = request.timeout
            conn.timeout = min(timeout, _DIAL_TIMEOUT) if timeout else _DIAL_TIMEOUT
            if proxy is not None and not proxy.is_socks:
                if scheme == "https":
                    pool._prepare_proxy(conn)  # urllib3's CONNECT, then TLS inside the tunnel
                else:
                    conn.set_tunnel(host, port, headers=adapter.proxy_headers(proxy.for_urllib3()))
                    conn.connect()
            else:
                conn.connect()
        except KctlError:
            raise
        except library_errors() as err:
            raise transport_error(err, prefix, dial, host, proxy, hostport) from err
        sock = conn.sock
        sock.settimeout(None)
        return sock, headers

    def send(self, request: HTTPRequest, *, stream: bool = False) -> HTTPResponse:
        headers, creds = self._outgoing_headers(request)
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
        except library_errors() as err:
            raise transport_error(err, prefix, dial, host, proxy, hostport) from err
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
        addresses = socket_addresses(raw, dial)
        reason = response.reason or ""
        try:
            data: bytes = raw.read(decode_content=decode)
        except library_errors() as err:
            response.close()
            # The answer arrived; only its body failed. client-go makes its retry decision
            # before reading a body, so this reaches the caller when it reads.
            broken = body_error(err, addresses, dial)
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
