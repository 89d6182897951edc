"""RESTClient against loopback servers: results, errors, retries, warnings, limiter, watch."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from kctl.errors import (
    ConnectError,
    RequestError,
    StatusError,
    TransportError,
    is_already_exists,
    is_conflict,
    is_not_found,
)
from kctl.rest import (
    Config,
    Headers,
    HTTPRequest,
    RESTClient,
    TokenBucketRateLimiter,
    rest_client_for,
)
from kctl.schema import GroupVersion

Reply: Any = None


@pytest.fixture(autouse=True)
def _reply_type(reply: Any) -> None:
    global Reply
    Reply = reply


def client(url: str, clock: Any = None, **kw: Any) -> RESTClient:
    config = Config(host=url, group_version=GroupVersion("", "v1"), **kw)
    c = rest_client_for(config)
    if clock is not None:
        c = RESTClient(config, base_path=c.base_path, clock=clock)
    return c


def test_do_json_gzip_keepalive_and_user_agent(serve: Callable[..., Any]) -> None:
    srv = serve(lambda seen: Reply(body={"kind": "Pod", "n": seen.path}, gzip=True))
    c = client(srv.url)
    first = c.get().namespace("d").resource("pods").name("p").do()
    second = c.get().namespace("d").resource("pods").name("q").do()
    assert first.json() == {"kind": "Pod", "n": "/api/v1/namespaces/d/pods/p"}
    assert first.json() is first.json()
    assert second.status_code == 200
    assert srv.seen[0].headers["accept-encoding"] == "gzip"
    assert srv.seen[0].headers["user-agent"].startswith("kctl/0.1.0 (")
    # One pooled keep-alive connection served both requests.
    assert srv.seen[0].client_port == srv.seen[1].client_port


def test_disable_compression(serve: Callable[..., Any]) -> None:
    srv = serve(lambda seen: Reply(body={}))
    client(srv.url, disable_compression=True).get().resource("pods").do()
    assert "accept-encoding" not in srv.seen[0].headers


def test_post_body_and_do_raw(serve: Callable[..., Any]) -> None:
    srv = serve(
        lambda seen: Reply(status=201, body=seen.body, headers={"Content-Type": "text/plain"})
    )
    result = client(srv.url).post().namespace("d").resource("pods").body({"a": 1}).do()
    assert result.was_created and result.raw == b'{"a":1}'
    assert srv.seen[0].headers["content-type"] == "application/json"
    assert client(srv.url).post().resource("x").body(b"raw").do_raw() == b"raw"


def test_status_error_decoded(serve: Callable[..., Any]) -> None:
    status = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": 'pods "p" not found',
        "reason": "NotFound",
        "details": {"name": "p", "kind": "pods", "causes": [{"reason": "X", "message": "m"}]},
        "code": 404,
    }
    srv = serve(lambda seen: Reply(status=404, body=status))
    with pytest.raises(StatusError) as info:
        client(srv.url).get().namespace("d").resource("pods").name("p").do()
    err = info.value
    assert (err.code, err.reason, str(err)) == (404, "NotFound", 'pods "p" not found')
    assert err.causes == [{"reason": "X", "message": "m"}]
    assert is_not_found(err)


@pytest.mark.parametrize(
    ("code", "verb", "body", "ctype", "reason", "message"),
    [
        (
            404,
            "GET",
            "nope",
            "text/plain",
            "NotFound",
            "the server could not find the requested resource (get pods p)",
        ),
        (
            500,
            "GET",
            "boom\n",
            "text/plain",
            "InternalError",
            'an error on the server ("boom") has prevented the request from succeeding (get pods p)',
        ),
        (
            500,
            "GET",
            "{}",
            "application/json",
            "InternalError",
            'an error on the server ("unknown") has prevented the request from succeeding (get pods p)',
        ),
        (409, "POST", "", "", "AlreadyExists", "the server reported a conflict (post pods p)"),
        (409, "PUT", "", "", "Conflict", "the server reported a conflict (put pods p)"),
        (403, "GET", "denied", "", "Forbidden", "denied (get pods p)"),
        (
            401,
            "GET",
            "",
            "",
            "Unauthorized",
            "the server has asked for the client to provide credentials (get pods p)",
        ),
        (
            418,
            "GET",
            "",
            "",
            "",
            "the server responded with the status code 418 but did not return more information (get pods p)",
        ),
        (
            503,
            "GET",
            "",
            "",
            "ServiceUnavailable",
            "the server is currently unable to handle the request (get pods p)",
        ),
    ],
)
def test_unstructured_errors(
    serve: Callable[..., Any],
    code: int,
    verb: str,
    body: str,
    ctype: str,
    reason: str,
    message: str,
) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    srv = serve(lambda seen: Reply(status=code, body=body, headers=dict(headers)))
    req = client(srv.url).verb(verb).namespace("d").resource("pods")
    req = req.body(b"{}") if verb == "POST" else req.name("p")
    if verb == "POST":
        req._resource_name = "p"  # client-go adds the name of the created object the same way
    with pytest.raises(StatusError) as info:
        req.do()
    assert (info.value.code, info.value.reason, info.value.message) == (code, reason, message)
    if reason == "AlreadyExists":
        assert is_already_exists(info.value)
    if reason == "Conflict":
        assert is_conflict(info.value)


def test_connection_refused() -> None:
    with pytest.raises(ConnectError) as info:
        client("http://127.0.0.1:1").get().resource("pods").do()
    assert info.value.refused and info.value.host == "127.0.0.1:1"
    assert str(info.value) == (
        'Get "http://127.0.0.1:1/api/v1/pods": dial tcp 127.0.0.1:1: connect: connection refused'
    )


def test_retry_after_429_and_503(serve: Callable[..., Any], clock: Any) -> None:
    replies = [
        Reply(status=429, headers={"Retry-After": "1"}),
        Reply(status=503, headers={"Retry-After": "0"}),
        Reply(body={"ok": True}),
    ]
    srv = serve(lambda seen: replies.pop(0))
    result = client(srv.url, clock=clock, qps=-1).post().resource("x").body({}).do()
    assert result.json() == {"ok": True}
    assert len(srv.seen) == 3
    assert clock.sleeps == [1.0, 0.0]


def test_retries_stop_after_ten(serve: Callable[..., Any], clock: Any) -> None:
    srv = serve(lambda seen: Reply(status=503, headers={"Retry-After": "0"}))
    with pytest.raises(StatusError) as info:
        client(srv.url, clock=clock, qps=-1).get().resource("x").do()
    assert info.value.code == 503
    assert len(srv.seen) == 11


def test_no_retry_without_integer_retry_after(serve: Callable[..., Any], clock: Any) -> None:
    srv = serve(lambda seen: Reply(status=503, headers={"Retry-After": "soon"}))
    with pytest.raises(StatusError):
        client(srv.url, clock=clock).get().resource("x").do()
    assert len(srv.seen) == 1 and clock.sleeps == []


def test_connection_reset_retried_for_get_only(serve: Callable[..., Any], clock: Any) -> None:
    replies = [Reply(reset=True), Reply(body={"ok": 1})]
    srv = serve(lambda seen: replies.pop(0))
    assert client(srv.url, clock=clock, qps=-1).get().resource("x").do().json() == {"ok": 1}
    assert clock.sleeps == [1.0]

    srv2 = serve(lambda seen: Reply(reset=True))
    with pytest.raises(TransportError) as info:
        client(srv2.url, clock=clock, qps=-1).post().resource("x").body({}).do()
    assert len(srv2.seen) == 1
    assert "connection reset by peer" in str(info.value) or str(info.value).endswith(": EOF")


class ScriptedTransport:
    """A fake Transport: each send pops the next exception or response."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.sent: list[HTTPRequest] = []

    def send(self, request: HTTPRequest, *, stream: bool = False) -> Any:
        self.sent.append(request)
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        pass


def test_error_from_previous_attempt(clock: Any) -> None:
    url = "http://h:1/api/v1/x"
    transport = ScriptedTransport(
        [
            TransportError(f'Get "{url}": EOF'),
            ConnectError(f'Get "{url}": dial tcp h:1: connect: connection refused', refused=True),
        ]
    )
    config = Config(host="http://h:1", qps=-1)
    c = RESTClient(config, base_path="/api/v1", transport=transport, clock=clock)
    with pytest.raises(ConnectError) as info:
        c.get().resource("x").do()
    assert str(info.value) == (
        f'Get "{url}": dial tcp h:1: connect: connection refused'
        " - error from a previous attempt: EOF"
    )
    assert info.value.refused


def test_warnings_printed_once_or_handled(serve: Callable[..., Any], capsys: Any) -> None:
    srv = serve(
        lambda seen: Reply(body={}, headers={"Warning": '299 - "deprecated \\"x\\"", 299 - "two"'})
    )
    c = client(srv.url)
    first = c.get().resource("a").do()
    c.get().resource("b").do()
    assert first.warnings == ['deprecated "x"', "two"]
    err = capsys.readouterr().err
    assert err.count('Warning: deprecated "x"\n') <= 1 and err.count("Warning: two\n") <= 1
    seen: list[str] = []
    client(srv.url, warning_handler=seen.append).get().resource("a").do()
    assert seen == ['deprecated "x"', "two"]
    assert "Warning" not in capsys.readouterr().err


def test_token_bucket_with_injected_clock(clock: Any) -> None:
    limiter = TokenBucketRateLimiter(qps=2, burst=3, clock=clock)
    assert [limiter.accept() for _ in range(3)] == [0.0, 0.0, 0.0]  # starts full
    assert limiter.accept() == pytest.approx(0.5)
    assert not limiter.try_accept()
    clock.now += 10
    assert limiter.try_accept()


def test_limiter_shared_per_config_and_disabled_by_negative_qps() -> None:
    config = Config(host="h:1", group_version=GroupVersion("", "v1"))
    a, b = rest_client_for(config), rest_client_for(config)
    assert a.rate_limiter is b.rate_limiter
    assert (a.rate_limiter.qps, a.rate_limiter.burst) == (5.0, 10)
    assert rest_client_for(config.copy()).rate_limiter is not a.rate_limiter
    assert rest_client_for(config.copy(qps=-1)).rate_limiter is None
    own = TokenBucketRateLimiter(1, 1)
    assert rest_client_for(config.copy(rate_limiter=own)).rate_limiter is own


def test_throttling_logged_at_v3_and_watch_not_throttled(
    serve: Callable[..., Any], clock: Any, capsys: Any
) -> None:
    srv = serve(lambda seen: Reply(body={}, lines=[] if "watch" in seen.path else None))
    config = Config(host=srv.url, qps=1, burst=1, verbosity=3)
    c = RESTClient(config, base_path="/api/v1", clock=clock)
    c.get().resource("a").do()
    c.get().resource("a").do()
    assert clock.sleeps == [1.0]
    err = capsys.readouterr().err
    assert '"Waited before sending request" delay="1s"' in err
    assert 'reason="client-side throttling, not priority and fairness" verb="GET"' in err
    with c.get().resource("a").param("watch", "true").watch() as w:
        assert list(w) == []
    assert clock.sleeps == [1.0]


def test_watch_events_and_decode_error(serve: Callable[..., Any]) -> None:
    lines = [
        b'{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a"}}}\n',
        b"\n",
        b'{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"7"}}}\n',
        b"not json\n",
        b'{"type":"ADDED","object":{}}\n',
    ]
    srv = serve(lambda seen: Reply(lines=lines))
    with client(srv.url).get().resource("pods").param("watch", "true").watch() as w:
        events = list(w)
    assert srv.seen[0].path == "/api/v1/pods?watch=true"
    assert [e.type for e in events] == ["ADDED", "BOOKMARK", "ERROR"]
    assert events[0].object["metadata"]["name"] == "a"
    error = events[2].object
    assert error["code"] == 500 and error["reason"] == "InternalError"
    assert "unable to decode an event from the watch stream" in error["message"]
    assert error["details"]["causes"][-1]["reason"] == "ClientWatchDecoding"


def test_watch_error_status(serve: Callable[..., Any]) -> None:
    gone = {
        "kind": "Status",
        "status": "Failure",
        "reason": "Expired",
        "code": 410,
        "message": "too old",
    }
    srv = serve(lambda seen: Reply(status=410, body=gone))
    with pytest.raises(StatusError, match="too old"):
        client(srv.url).get().resource("pods").watch()


def test_watch_stop_ends_iteration(serve: Callable[..., Any]) -> None:
    srv = serve(lambda seen: Reply(lines=[b'{"type":"ADDED","object":{"a":1}}\n'] * 3))
    w = client(srv.url).get().resource("pods").watch()
    assert next(w).object == {"a": 1}
    w.stop()
    assert list(w) == []


def test_stream(serve: Callable[..., Any]) -> None:
    srv = serve(lambda seen: Reply(body="line1\nline2\n", headers={"Content-Type": "text/plain"}))
    with client(srv.url).get().resource("pods").name("p").subresource("log").stream() as resp:
        assert resp.readline() == b"line1\n"
        assert b"".join(resp.iter_chunks()) == b"line2\n"


def test_2xx_failure_status_is_an_error(serve: Callable[..., Any]) -> None:
    srv = serve(
        lambda seen: Reply(
            body={"kind": "Status", "status": "Failure", "message": "m", "code": 200}
        )
    )
    with pytest.raises(StatusError, match="m"):
        client(srv.url).get().resource("x").do()


def test_request_error_raised_before_sending() -> None:
    transport = ScriptedTransport([])
    c = RESTClient(Config(host="h:1"), base_path="/api/v1", transport=transport)
    with pytest.raises(RequestError):
        c.get().resource("pods").name("").do()
    assert transport.sent == []


def test_headers_case_insensitive() -> None:
    h = Headers([("Warning", "a"), ("warning", "b")])
    assert h.get_all("WARNING") == ["a", "b"] and h["warning"] == "a" and len(h) == 1
    assert json.dumps(dict(h)) == '{"Warning": "a"}'
