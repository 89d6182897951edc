"""An unexpected exception in a handler is kube-apiserver's 500 InternalError, logged once,
and the connection stays usable."""

from __future__ import annotations

import http.client
import json
import logging
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from kctl.sandbox import Sandbox
from kctl.sandbox._api import Handler, Request, Response

SECRET = "s3cr3t-payload"
PODS = "/api/v1/namespaces/default/pods"


def _connection(sb: Sandbox) -> http.client.HTTPConnection:
    parts = urlsplit(sb.url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)


def _get(conn: http.client.HTTPConnection, sb: Sandbox, path: str) -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Authorization": f"Bearer {sb.token}"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def _internal_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kctl.sandbox" and "internal error" in r.msg]


def test_a_handler_that_raises_answers_500_and_keeps_the_connection(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = sandbox.api._dispatch

    def dispatch(req: Request) -> Response:
        if req.path == PODS:
            raise ValueError(f"bad thing with {SECRET}")
        return real(req)

    monkeypatch.setattr(sandbox.api, "_dispatch", dispatch)
    caplog.set_level(logging.ERROR, logger="kctl.sandbox")
    conn = _connection(sandbox)
    try:
        status, body = _get(conn, sandbox, PODS)
        assert status == 500
        assert json.loads(body) == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f"Internal error occurred: ValueError: bad thing with {SECRET}",
            "reason": "InternalError",
            "details": {"causes": [{"message": f"ValueError: bad thing with {SECRET}"}]},
            "code": 500,
        }
        # Same connection, next request: it was answered, not dropped.
        status, body = _get(conn, sandbox, "/api/v1/namespaces")
        assert status == 200, body
    finally:
        conn.close()
    (record,) = _internal_errors(caplog)
    line = record.getMessage()
    assert "\n" not in line
    assert SECRET not in line
    assert f"GET {PODS}" in line
    assert "ValueError at test_internal_error.py:" in line


def test_a_middleware_that_raises_answers_500(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(req: Request, nxt: Handler) -> Response:
        if req.path == PODS:
            raise KeyError("metadata")
        return nxt(req)

    sandbox.api.middlewares.insert(0, broken)
    caplog.set_level(logging.ERROR, logger="kctl.sandbox")
    try:
        conn = _connection(sandbox)
        status, body = _get(conn, sandbox, PODS)
        assert status == 500
        assert json.loads(body)["message"] == "Internal error occurred: KeyError: 'metadata'"
        assert _get(conn, sandbox, "/version")[0] == 200
        conn.close()
    finally:
        sandbox.api.middlewares.remove(broken)
    assert len(_internal_errors(caplog)) == 1


def test_a_stream_that_raises_ends_cleanly_after_what_it_sent(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = sandbox.api._dispatch

    def events() -> Iterator[bytes]:
        yield b'{"type":"ADDED","object":{}}\n'
        raise RuntimeError(SECRET)

    def dispatch(req: Request) -> Response:
        if req.path == PODS:
            return Response(200, stream=events())
        return real(req)

    monkeypatch.setattr(sandbox.api, "_dispatch", dispatch)
    caplog.set_level(logging.ERROR, logger="kctl.sandbox")
    conn = _connection(sandbox)
    try:
        status, body = _get(conn, sandbox, PODS)
        assert status == 200
        # The chunked body ended properly, so the connection is still good for another request.
        assert body == b'{"type":"ADDED","object":{}}\n'
        assert _get(conn, sandbox, "/version")[0] == 200
    finally:
        conn.close()
    (record,) = _internal_errors(caplog)
    assert "streaming GET" in record.getMessage()
    assert SECRET not in record.getMessage()
