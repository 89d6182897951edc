"""RESTClient and its fluent Request builder (client-go rest.RESTClient / rest.Request).

Building (``Request.build``) is pure; sending goes through a Transport, with client-go's
throttling, retry and error-decoding rules.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from kctl.errors import (
    ConnectError,
    RequestError,
    ResponseBodyError,
    ResponseDecodeError,
    StatusError,
    TimeoutError,
    TransportError,
)
from kctl.rest._config import Config
from kctl.rest._goformat import default_user_agent, go_duration
from kctl.rest._http import Headers, HTTPRequest, HTTPResponse, Transport
from kctl.rest._limiter import Clock, SystemClock, TokenBucketRateLimiter
from kctl.rest._log import KlogWriter, truncate_body
from kctl.rest._url import default_versioned_api_path, join_path, server_url
from kctl.rest._watch import Watcher

__all__ = [
    "PatchType",
    "RESTClient",
    "Request",
    "Result",
    "rest_client_for",
    "set_kubernetes_defaults",
    "unversioned_rest_client_for",
]

MAX_RETRIES = 10
_BODY_READ_FAILED = "unexpected error when reading response body. Please retry. Original error: "
# A wait on the client-side limiter longer than this is logged at -v 3.
LONG_THROTTLE_LATENCY = 0.05


class PatchType:
    JSON = "application/json-patch+json"
    MERGE = "application/merge-patch+json"
    STRATEGIC_MERGE = "application/strategic-merge-patch+json"
    APPLY = "application/apply-patch+yaml"


class HasToParams(Protocol):
    def to_params(self) -> list[tuple[str, str]]: ...


# -- warnings ---------------------------------------------------------------------------

_printed_warnings: set[str] = set()
_printed_lock = threading.Lock()


def parse_warning_headers(values: list[str]) -> list[tuple[int, str]]:
    """net.ParseWarningHeaders: ``<code> <agent> "<text>" ["<date>"]``, comma-separated."""
    out: list[tuple[int, str]] = []
    for header in values:
        rest = header.strip()
        while rest:
            code_text, _, rest = rest.partition(" ")
            agent, _, rest = rest.lstrip().partition(" ")
            rest = rest.lstrip()
            if not code_text.isdigit() or not agent or not rest.startswith('"'):
                break
            text, rest = _quoted(rest)
            if text is None:
                break
            rest = rest.lstrip()
            if rest.startswith('"'):  # an optional warn-date
                _, rest = _quoted(rest)
                rest = (rest or "").lstrip()
            out.append((int(code_text), text))
            if not rest.startswith(","):
                break
            rest = rest[1:].lstrip()
    return out


def _quoted(text: str) -> tuple[str | None, str]:
    chars: list[str] = []
    i = 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(chars), text[i + 1 :]
        chars.append(ch)
        i += 1
    return None, ""


def _handle_warnings(config: Config, headers: Headers) -> list[str]:
    texts = [
        text for code, text in parse_warning_headers(headers.get_all("Warning")) if code == 299
    ]
    for text in texts:
        if config.warning_handler is not None:
            config.warning_handler(text)
            continue
        with _printed_lock:  # kubectl deduplicates warnings for the life of the process
            if text in _printed_warnings:
                continue
            _printed_warnings.add(text)
        sys.stderr.write(f"Warning: {text}\n")
        sys.stderr.flush()
    return texts


# -- results ------------------------------------------------------------------------------


# The media types client-go's scheme has a decoder for; anything else fails on decode.
_DECODABLE = frozenset(
    {
        "application/json",
        "application/yaml",
        "application/vnd.kubernetes.protobuf",
        "application/cbor",
    }
)


class Result:
    """A 2xx answer; ``json()`` decodes the body once."""

    _UNSET: Any = object()

    def __init__(self, status_code: int, headers: Headers, raw: bytes, warnings: list[str]) -> None:
        self.status_code = status_code
        self.headers = headers
        self.raw = raw
        self.warnings = warnings
        self._json: Any = Result._UNSET

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type") or ""

    @property
    def was_created(self) -> bool:
        return self.status_code == 201

    def json(self) -> Any:
        if self._json is Result._UNSET:
            self._check_decodable()
            if not self.raw:
                raise RequestError(
                    f"0-length response with status code: {self.status_code} "
                    f"and content type: {self.content_type}"
                )
            try:
                self._json = json.loads(self.raw)
            except ValueError as err:
                from kctl.rest._gojson import syntax_error

                text = syntax_error(self.raw) or f"unable to decode the response body: {err}"
                raise ResponseDecodeError(text) from None
        return self._json

    def _check_decodable(self) -> None:
        """client-go keeps a body whose content type has no serializer and fails on decode."""
        header = self.headers.get("Content-Type") or ""
        media = header.split(";", 1)[0].strip().lower()
        if header and media not in _DECODABLE:
            raise ResponseDecodeError(f"serializer for {header} doesn't exist")

    def __repr__(self) -> str:
        return f"Result(status_code={self.status_code}, bytes={len(self.raw)})"


# -- client ---------------------------------------------------------------------------------


def _default_limiter(config: Config, clock: Clock) -> Any:
    if config.rate_limiter is not None:
        return config.rate_limiter
    if config.qps < 0:
        return None
    return config.shared(
        "rate_limiter",
        lambda: TokenBucketRateLimiter(config.effective_qps(), config.effective_burst(), clock),
    )


def _default_transport(config: Config) -> Transport:
    def factory() -> Transport:
        from kctl.rest._transport import HTTPTransport

        return HTTPTransport(config)

    transport: Transport = config.shared("transport", factory)
    return transport


class RESTClient:
    """Talks to one API path of one server; every client of a Config shares its limiter
    and connection pool."""

    def __init__(
        self,
        config: Config,
        *,
        base_path: str,
        transport: Transport | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.config = config
        self._server = server_url(config)
        self.base_path = base_path
        self._clock: Clock = clock or SystemClock()
        self._transport = transport
        self.rate_limiter = _default_limiter(config, self._clock)
        self.max_retries = MAX_RETRIES
        self._log = KlogWriter(config.verbosity)

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            self._transport = _default_transport(self.config)
        return self._transport

    def verb(self, method: str) -> Request:
        return Request(self, method)

    def get(self) -> Request:
        return self.verb("GET")

    def post(self) -> Request:
        return self.verb("POST")

    def put(self) -> Request:
        return self.verb("PUT")

    def delete(self) -> Request:
        return self.verb("DELETE")

    def patch(self, patch_type: str) -> Request:
        return self.verb("PATCH").set_header("Content-Type", patch_type)


def set_kubernetes_defaults(config: Config) -> Config:
    """rest.SetKubernetesDefaults: a user agent when none is set."""
    if config.user_agent:
        return config
    return config.copy(user_agent=default_user_agent())


def rest_client_for(config: Config, *, transport: Transport | None = None) -> RESTClient:
    if config.group_version is None:
        raise ValueError("GroupVersion is required when initializing a RESTClient")
    api_path = config.api_path or ("/api" if config.group_version.group == "" else "/apis")
    path = default_versioned_api_path(api_path, config.group_version)
    return RESTClient(config, base_path=path, transport=transport)


def unversioned_rest_client_for(
    config: Config, *, transport: Transport | None = None
) -> RESTClient:
    return RESTClient(
        config, base_path=default_versioned_api_path(config.api_path, None), transport=transport
    )


# -- requests -------------------------------------------------------------------------------

_PATH_SAFE = "/!$&'()*+,;=:@~"


def _invalid_segment(name: str, prefix_only: bool = False) -> list[str]:
    if not prefix_only and name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


def _go_list(msgs: list[str]) -> str:
    return "[" + " ".join(msgs) + "]"


def _param_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Request:
    """A request under construction. Setters return self; the first error sticks and is
    raised by ``build()`` (client-go keeps it in r.err)."""

    def __init__(self, client: RESTClient, verb: str) -> None:
        self._c = client
        self._verb = verb.upper()
        self._err: str | None = None
        base = client._server.path or "/"
        self._path_prefix = _join_keep(base, client.base_path)
        self._namespace = ""
        self._namespace_set = False
        self._resource = ""
        self._resource_name = ""
        self._subresource = ""
        self._subpath = ""
        self._params: dict[str, list[str]] = {}
        self._headers = Headers()
        config = client.config
        if config.accept_content_types:
            self._headers.set("Accept", config.accept_content_types)
        elif config.content_type:
            self._headers.set("Accept", config.content_type + ", */*")
        self._body: bytes | None = None
        self._stream_body: Any = None
        self._timeout: float = config.timeout or 0.0

    @property
    def verb_name(self) -> str:
        return self._verb

    def _fail(self, text: str) -> Request:
        if self._err is None:
            self._err = text
        return self

    def namespace(self, ns: str) -> Request:
        if self._err is not None:
            return self
        if self._namespace_set:
            return self._fail(
                f'namespace already set to "{self._namespace}", cannot change to "{ns}"'
            )
        if msgs := _invalid_segment(ns):
            return self._fail(f'invalid namespace "{ns}": {_go_list(msgs)}')
        self._namespace_set = True
        self._namespace = ns
        return self

    def namespace_if_scoped(self, ns: str, scoped: bool) -> Request:
        return self.namespace(ns) if scoped else self

    def resource(self, resource: str) -> Request:
        if self._err is not None:
            return self
        if self._resource:
            return self._fail(
                f'resource already set to "{self._resource}", cannot change to "{resource}"'
            )
        if msgs := _invalid_segment(resource):
            return self._fail(f'invalid resource "{resource}": {_go_list(msgs)}')
        self._resource = resource
        return self

    def name(self, name: str) -> Request:
        if self._err is not None:
            return self
        if not name:
            return self._fail("resource name may not be empty")
        if self._resource_name:
            return self._fail(
                f'resource name already set to "{self._resource_name}", cannot change to "{name}"'
            )
        if msgs := _invalid_segment(name):
            return self._fail(f'invalid resource name "{name}": {_go_list(msgs)}')
        self._resource_name = name
        return self

    def subresource(self, *parts: str) -> Request:
        if self._err is not None:
            return self
        sub = join_path(*parts)
        if self._subresource:
            return self._fail(
                f'subresource already set to "{self._subresource}", cannot change to "{sub}"'
            )
        for part in parts:
            if msgs := _invalid_segment(part):
                return self._fail(f'invalid subresource "{part}": {_go_list(msgs)}')
        self._subresource = sub
        return self

    def suffix(self, *parts: str) -> Request:
        if self._err is None:
            self._subpath = join_path(self._subpath, join_path(*parts))
        return self

    def abs_path(self, *parts: str) -> Request:
        if self._err is not None:
            return self
        base = self._c._server.path or "/"
        self._path_prefix = join_path(base, join_path(*parts))
        if len(parts) == 1 and (len(base) > 1 or len(parts[0]) > 1) and parts[0].endswith("/"):
            self._path_prefix += "/"  # client-go keeps a lone segment's trailing slash
        return self

    def param(self, key: str, value: str | int | bool) -> Request:
        if self._err is None:
            self._params.setdefault(key, []).append(_param_value(value))
        return self

    def params(self, opts: Mapping[str, Any] | HasToParams | None) -> Request:
        if self._err is not None or opts is None:
            return self
        if isinstance(opts, Mapping):
            for key, value in opts.items():
                if value is None:
                    continue
                values = value if isinstance(value, (list, tuple)) else [value]
                for item in values:
                    self.param(str(key), item)
        else:
            for key, value in opts.to_params():
                self.param(key, value)
        return self

    def set_header(self, key: str, *values: str) -> Request:
        self._headers.set(key, *values)
        return self

    def body(self, obj: Mapping[str, Any] | bytes | str | Any) -> Request:
        if self._err is not None:
            return self
        if isinstance(obj, Mapping):
            self._body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
            self._stream_body = None
        elif isinstance(obj, (bytes, bytearray, memoryview)):
            self._body, self._stream_body = bytes(obj), None
        elif isinstance(obj, str):
            self._body, self._stream_body = obj.encode(), None
        elif hasattr(obj, "read"):
            self._stream_body, self._body = obj, None
        else:
            return self._fail(f"unknown type used for body: {obj!r}")
        return self

    def timeout(self, seconds: float) -> Request:
        if self._err is None:
            self._timeout = float(seconds)
        return self

    # -- building -----------------------------------------------------------------------

    def _preflight(self) -> None:
        if not self._namespace_set or self._namespace:
            return
        if self._verb == "POST":
            raise RequestError("an empty namespace may not be set during creation")
        if self._verb in ("GET", "PUT", "DELETE") and self._resource_name:
            raise RequestError("an empty namespace may not be set when a resource name is provided")

    def url(self) -> str:
        path = self._path_prefix
        if self._namespace_set and self._namespace:
            path = join_path(path, "namespaces", self._namespace)
        if self._resource:
            path = join_path(path, self._resource.lower())
        if self._resource_name or self._subpath or self._subresource:
            path = join_path(path, self._resource_name, self._subresource, self._subpath)
        query = {k: list(v) for k, v in self._params.items()}
        if self._timeout:
            query["timeout"] = [go_duration(self._timeout)]
        encoded = urlencode(sorted(query.items()), doseq=True)
        url = self._c._server.origin() + quote(path or "/", safe=_PATH_SAFE)
        return url + ("?" + encoded if encoded else "")

    def build(self) -> HTTPRequest:
        if self._err is not None:
            raise RequestError(self._err)
        self._preflight()
        headers = self._headers.copy()
        if "User-Agent" not in headers:
            headers.set("User-Agent", self._c.config.user_agent or default_user_agent())
        has_body = self._body is not None or self._stream_body is not None
        if has_body and "Content-Type" not in headers and self._c.config.content_type:
            headers.set("Content-Type", self._c.config.content_type)
        return HTTPRequest(
            method=self._verb,
            url=self.url(),
            headers=headers,
            body=self._body,
            timeout=self._timeout or None,
            stream_body=self._stream_body,
        )

    # -- sending ------------------------------------------------------------------------

    def _throttle(self, url: str, reason: str = "") -> None:
        limiter = self._c.rate_limiter
        if limiter is None:
            return
        waited = limiter.accept()
        if waited and waited > LONG_THROTTLE_LATENCY:
            self._c._log.info(
                3,
                "request.go:697",
                "Waited before sending request",
                "delay",
                go_duration(round(waited, 9)),
                "reason",
                reason or "client-side throttling, not priority and fairness",
                "verb",
                self._verb,
                "URL",
                url,
            )

    def _log_body(self, label: str, body: bytes | None) -> None:
        log = self._c._log
        if not log.enabled(8):
            return
        text = (body or b"").decode("utf-8", "replace")
        log.info(8, "request.go:1212", label, "body", truncate_body(log.verbosity, text))

    def _send(
        self,
        *,
        stream: bool,
        throttle: bool,
        retryable: Callable[[HTTPRequest, TransportError], bool],
    ) -> tuple[HTTPRequest, HTTPResponse | None, TransportError | None]:
        """client-go's request loop: returns the final response, or the final transport error
        together with its request (watch turns some errors into an empty watch)."""
        request = self.build()
        if request.stream_body is None:
            self._log_body("Request Body", request.body)
        clock = self._c._clock
        if throttle:
            self._throttle(request.url)
        deadline = clock.monotonic() + self._timeout if self._timeout else None
        attempts = 0
        current: TransportError | None = None
        previous: TransportError | None = None
        wait: float | None = None
        reason = ""
        while True:
            if wait is not None:
                if deadline is not None and clock.monotonic() + wait >= deadline:
                    clock.sleep(max(0.0, deadline - clock.monotonic()))
                    err: TransportError = TimeoutError(
                        f'{request.method[:1]}{request.method[1:].lower()} "{request.url}": '
                        "context deadline exceeded"
                    )
                    raise _wrap_previous(err, current)
                clock.sleep(wait)
                if throttle:
                    self._throttle(request.url, reason)
            remaining = None if deadline is None else max(0.001, deadline - clock.monotonic())
            attempt = replace(request, timeout=remaining)
            response: HTTPResponse | None = None
            error: TransportError | None = None
            try:
                response = _send_following_redirects(self._c.transport, attempt, stream)
            except TransportError as exc:
                error = exc
            retry_after: int | None = None
            if request.stream_body is None:
                attempts += 1
                if attempts <= self._c.max_retries:
                    if error is not None:
                        if retryable(request, error):
                            retry_after = 1
                    elif response is not None and (
                        response.status == 429 or response.status >= 500
                    ):
                        retry_after = _retry_after(response.headers)
            if current is not None:
                previous = current
            current = error
            if retry_after is None:
                if error is not None:
                    return request, None, _wrap_previous(error, previous)
                return request, response, None
            reason = _retry_reason(attempts, retry_after, response, error)
            if response is not None:
                response.close()
            wait = float(retry_after)

    def _error_for(self, request: HTTPRequest, response: HTTPResponse, body: bytes) -> StatusError:
        content_type = response.headers.get("Content-Type") or ""
        if not content_type or _is_json(content_type):
            from kctl.rest._errors import decode_status

            status = decode_status(body) if body else None
            if status is not None and status.get("status") == "Failure":
                return StatusError(status)
        return self._unstructured_error(request, response, body)

    def _unstructured_error(
        self, request: HTTPRequest, response: HTTPResponse, body: bytes
    ) -> StatusError:
        from kctl.rest._errors import (
            MAX_UNSTRUCTURED_TEXT,
            generic_server_response,
            is_text_response,
        )

        content_type = response.headers.get("Content-Type") or ""
        message = "unknown"
        if is_text_response(content_type):
            message = body[:MAX_UNSTRUCTURED_TEXT].decode("utf-8", "replace").strip()
        group = self._c.config.group_version.group if self._c.config.group_version else ""
        return generic_server_response(
            response.status,
            request.method,
            group if self._resource else "",
            self._resource,
            self._resource_name,
            message,
            _retry_after(response.headers) or 0,
        )

    def _finish(self, request: HTTPRequest, response: HTTPResponse) -> Result:
        try:
            body = response.read()
        except ResponseBodyError as err:
            # transformResponse's wording; DoRaw hands the read error over unwrapped.
            self._c._log.error(
                "request.go:1198", "Unexpected error when reading response body", "err", str(err)
            )
            raise ResponseBodyError(_BODY_READ_FAILED + str(err), host=err.host) from err
        finally:
            response.close()
        self._log_body("Response Body", body)
        warnings = _handle_warnings(self._c.config, response.headers)
        if response.status < 200 or response.status > 206:
            raise self._error_for(request, response, body)
        return Result(response.status, response.headers, body, warnings)

    def do(self) -> Result:
        request, response, error = self._send(stream=False, throttle=True, retryable=_retry_get)
        if error is not None:
            raise error
        assert response is not None
        result = self._finish(request, response)
        if b'"Status"' in result.raw and _is_json(result.content_type or "application/json"):
            obj = result.json()
            # Result.Get/Into: a Status that is not Success is an error even on a 2xx.
            is_status = isinstance(obj, dict) and obj.get("kind") == "Status"
            if is_status and obj.get("status") != "Success":
                raise StatusError(obj)
        return result

    def do_raw(self) -> bytes:
        request, response, error = self._send(stream=False, throttle=True, retryable=_retry_get)
        if error is not None:
            raise error
        assert response is not None
        try:
            body = response.read()
        finally:
            response.close()
        self._log_body("Response Body", body)
        if response.status < 200 or response.status > 206:
            _handle_warnings(self._c.config, response.headers)
            raise self._unstructured_error(request, response, body)
        _handle_warnings(self._c.config, response.headers)
        return body

    def stream(self) -> HTTPResponse:
        request, response, error = self._send(stream=True, throttle=True, retryable=_never)
        if error is not None:
            raise error
        assert response is not None
        if 200 <= response.status < 300:
            _handle_warnings(self._c.config, response.headers)
            return response
        self._finish(request, response)
        raise RequestError(f"{response.status} while accessing {request.url}")

    def watch(self) -> Watcher:
        request, response, error = self._send(stream=True, throttle=False, retryable=_retry_watch)
        if error is not None:
            if _retry_watch(request, error):
                return Watcher(None, request.method)  # client-go's NewEmptyWatch
            raise error
        assert response is not None
        if response.status == 200:
            _handle_warnings(self._c.config, response.headers)
            return Watcher(response, request.method)
        self._finish(request, response)
        raise RequestError(f"for request {request.url}, got status: {response.status}")

    def __repr__(self) -> str:
        return f"Request({self._verb} {self.url()})"


def _join_keep(base: str, path: str) -> str:
    # path.Join, but an unchanged prefix keeps its trailing slash (client-go's URL()).
    return join_path(base, path) or "/"


def _is_json(content_type: str) -> bool:
    from kctl.rest._errors import is_json_media

    return is_json_media(content_type)


_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 10


def _send_following_redirects(
    transport: Transport, request: HTTPRequest, stream: bool
) -> HTTPResponse:
    """Go's http.Client, which client-go uses unchanged: a 301/302/303 is followed as a GET
    (HEAD stays HEAD) without the body, a 307/308 with the same method and body; a redirect
    without a Location, or a 307/308 of a one-shot body, is the answer itself. The eleventh
    hop fails as ``stopped after 10 redirects``."""
    from urllib.parse import urljoin

    hops = 0
    current = request
    while True:
        response = transport.send(current, stream=stream)
        location = response.headers.get("Location") if response.status in _REDIRECTS else None
        if not location:
            return response
        if response.status in (307, 308):
            if current.stream_body is not None:
                return response
            method, body = current.method, current.body
        else:
            method = current.method if current.method in ("GET", "HEAD") else "GET"
            body = None
        response.close()
        url = urljoin(current.url, location)
        hops += 1
        if hops > _MAX_REDIRECTS:
            op = request.method[:1] + request.method[1:].lower()
            # Go reports the Location as the server sent it, not the resolved URL.
            raise TransportError(f'{op} "{location}": stopped after {_MAX_REDIRECTS} redirects')
        current = replace(current, method=method, url=url, body=body)


def _retry_after(headers: Headers) -> int | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def _inner(err: TransportError) -> str:
    # url.Error text is `Get "url": inner`; the previous attempt is shown without that prefix.
    text = str(err)
    head, sep, tail = text.partition('": ')
    return tail if sep and head[:1].isupper() and ' "' in head else text


def _wrap_previous(err: TransportError, previous: TransportError | None) -> TransportError:
    if previous is None or str(previous) == str(err):
        return err
    text = f"{err} - error from a previous attempt: {_inner(previous)}"
    wrapped: TransportError
    if isinstance(err, ConnectError):
        wrapped = ConnectError(text, host=err.host, refused=err.refused)
    else:
        wrapped = type(err)(text, host=err.host)
    wrapped.__cause__ = err
    return wrapped


def _is_probable_eof(err: TransportError) -> bool:
    text = str(err)
    return (
        text.endswith(": EOF")
        or text.endswith(": unexpected EOF")
        or "connection reset by peer" in text
        or "http: can't write HTTP request on broken connection" in text
        or "use of closed network connection" in text.lower()
    )


def _retry_get(request: HTTPRequest, err: TransportError) -> bool:
    # Writes are not idempotent: only GETs are retried after a broken connection.
    return request.method == "GET" and _is_probable_eof(err)


def _retry_watch(request: HTTPRequest, err: TransportError) -> bool:
    return _is_probable_eof(err) or isinstance(err, TimeoutError)


def _never(request: HTTPRequest, err: TransportError) -> bool:
    return False


def _retry_reason(
    attempts: int, seconds: int, response: HTTPResponse | None, error: TransportError | None
) -> str:
    message = f"retries: {attempts}, retry-after: {seconds}s"
    if response is not None and response.status == 429:
        uid = response.headers.get("X-Kubernetes-PF-FlowSchema-UID") or ""
        return f'{message} - retry-reason: due to server-side throttling, FlowSchema UID: "{uid}"'
    if error is not None:
        return f"{message} - retry-reason: due to retryable error, error: {error}"
    return f"{message} - retry-reason: {response.status if response else 0}"
