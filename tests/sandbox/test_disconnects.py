"""Clients that leave mid-request cost the sandbox no traceback: a TCP reset while it reads the
headers, a TLS peer gone without close_notify, a reset while it writes a large answer. What
the server would print goes to stderr, which ``kctl sandbox up`` keeps in its log."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from kctl.sandbox import Sandbox


@pytest.fixture(params=["http", "https"])
def sb(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    with Sandbox(seed="demo", tls=request.param == "https") as sandbox:
        yield sandbox


def _connect(sb: Sandbox) -> socket.socket:
    parts = urlsplit(sb.url)
    raw = socket.create_connection((parts.hostname, parts.port), timeout=30)
    if parts.scheme != "https":
        return raw
    assert sb.ca_pem is not None
    ctx = ssl.create_default_context(cadata=sb.ca_pem.decode())
    return ctx.wrap_socket(raw, server_hostname=parts.hostname)


def _reset(conn: socket.socket) -> None:
    """Close with SO_LINGER 0: the server's next read or write meets a TCP reset."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _request(sb: Sandbox, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {sb.token}\r\n\r\n".encode()


@pytest.mark.parametrize("leave", ["mid-headers", "after-request", "closed-quietly"])
def test_a_client_that_leaves_costs_no_traceback(
    sb: Sandbox, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, leave: str
) -> None:
    server: Any = sb._server
    finished = threading.Event()
    shutdown_request = server.shutdown_request

    def finish(request: Any) -> None:
        # socketserver calls this last, after handle_error: what it prints is printed.
        shutdown_request(request)
        finished.set()

    monkeypatch.setattr(server, "shutdown_request", finish)
    conn = _connect(sb)
    if leave == "mid-headers":
        conn.sendall(b"GET /api/v1/pods HTTP/1.1\r\nHost: x\r\n")
        _reset(conn)
    elif leave == "after-request":
        # A large list: the answer is still being written when the reset arrives.
        conn.sendall(_request(sb, "/api/v1/pods?limit=500"))
        _reset(conn)
    else:
        conn.sendall(b"GET /api/v1/pods HTTP/1.1\r\n")
        # A plain close (Python's sends no TLS close_notify first).
        conn.close()
    assert finished.wait(30), "the server did not finish with the connection"
    # The server still answers the next client.
    with _connect(sb) as again:
        again.sendall(_request(sb, "/version"))
        assert again.recv(64).startswith(b"HTTP/1.1 200")
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert "Exception occurred" not in out + err
    assert err.count("\n") <= 1
