"""kctl.rest._http11: response framing over scripted bytes, and the transport on top of it
against a loopback server that answers with raw, hand-written responses."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kctl.errors import ResponseBodyError, TransportError
from kctl.rest import Config
from kctl.rest._http import HTTPRequest
from kctl.rest._http11 import (
    MAX_HEADER_BYTES,
    HTTPConnection,
    HTTPError,
    HTTPResponse,
    IncompleteRead,
    RemoteDisconnected,
)
from kctl.rest._transport import HTTPTransport


class _Pieces:
    """A socket stand-in whose recv() hands out the scripted pieces one by one."""

    def __init__(self, *pieces: bytes) -> None:
        self.pieces = list(pieces)
        self.sent = b""

    def recv(self, size: int) -> bytes:
        if not self.pieces:
            return b""
        piece = self.pieces.pop(0)
        if len(piece) > size:
            self.pieces.insert(0, piece[size:])
            piece = piece[:size]
        return piece

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def close(self) -> None:
        self.pieces = []


def _bytewise(data: bytes) -> _Pieces:
    return _Pieces(*(data[i : i + 1] for i in range(len(data))))


def _response(sock: Any, method: str = "GET") -> HTTPResponse:
    return HTTPConnection(sock).get_response(method)


CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
    b"5;name=value;flag\r\nhello\r\n"
    b"7\r\n, world\r\n"
    b"0;last\r\nX-Checksum: abc\r\nX-Checksum: def\r\n\r\n"
)


@pytest.mark.parametrize("split", ["whole", "bytewise"])
def test_chunked_with_extensions_and_trailers(split: str) -> None:
    sock = _bytewise(CHUNKED) if split == "bytewise" else _Pieces(CHUNKED)
    resp = _response(sock)
    assert (resp.status, resp.reason, resp.version) == (200, "OK", 11)
    assert resp.headers["content-type"] == "text/plain"
    assert not resp.complete
    assert resp.read() == b"hello, world"
    assert resp.trailers.get_all("x-checksum") == ["abc", "def"]
    assert resp.complete and resp.reusable


def test_readline_across_chunks_and_pieces() -> None:
    body = b'{"a":1}\n{"b"' + b":2}\n" + b"tail"
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    for part in (body[:3], body[3:11], body[11:]):
        wire += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    wire += b"0\r\n\r\n"
    resp = _response(_Pieces(*(wire[i : i + 7] for i in range(0, len(wire), 7))))
    assert resp.readline() == b'{"a":1}\n'
    assert resp.readline() == b'{"b":2}\n'
    assert not resp.complete
    assert resp.readline() == b"tail"
    assert resp.readline() == b""
    assert resp.reusable


def test_content_length_body_and_the_next_response_on_the_same_connection() -> None:
    wire = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
        b"HTTP/1.1 201 Created\r\ncontent-length: 6\r\nSet-Cookie: a\r\nset-cookie: b\r\n\r\nsecond"
    )
    conn = HTTPConnection(_Pieces(wire[:20], wire[20:41], wire[41:]))
    first = conn.get_response("GET")
    assert first.read1(2) == b"fi"
    assert not conn.reusable
    assert first.read() == b"rst"
    assert conn.reusable
    second = conn.get_response("GET")
    assert (second.status, second.reason) == (201, "Created")
    assert second.headers.get_all("SET-COOKIE") == ["a", "b"]
    assert second.read() == b"second"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"garbage", 'malformed HTTP response "garbage"'),
        (b"HTTP/1.1 2x0 OK", 'malformed HTTP status code "2x0"'),
        (b"HTTP/1.1 2000 OK", 'malformed HTTP status code "2000"'),
        (b"HTTP/1.x 200 OK", 'malformed HTTP version "HTTP/1.x"'),
        (b"SSH-2.0-OpenSSH_9.6 x", 'malformed HTTP status code "x"'),
        (b"\x16\x03\x01\x00", 'malformed HTTP response "\\x16\\x03\\x01\\x00"'),
    ],
)
def test_bad_status_lines(line: bytes, message: str) -> None:
    with pytest.raises(HTTPError) as info:
        _response(_Pieces(line + b"\r\n\r\n"))
    assert str(info.value) == message


def test_malformed_header_line() -> None:
    with pytest.raises(HTTPError) as info:
        _response(_Pieces(b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"))
    assert str(info.value) == "malformed MIME header line: no colon here"


def test_status_without_reason_and_folded_header() -> None:
    resp = _response(_Pieces(b"HTTP/1.1 404\r\nX-Long: one\r\n  two\r\nContent-Length: 0\r\n\r\n"))
    assert (resp.status, resp.reason) == (404, "")
    assert resp.headers["X-Long"] == "one two"
    assert resp.complete


def test_oversized_headers_are_refused() -> None:
    filler = b"X-Filler: " + b"a" * 65000 + b"\r\n"
    count = MAX_HEADER_BYTES // len(filler) + 2
    sock = _Pieces(b"HTTP/1.1 200 OK\r\n", *([filler] * count), b"\r\n")
    with pytest.raises(HTTPError) as info:
        _response(sock)
    assert str(info.value) == ("net/http: server response headers exceeded 10485760 bytes; aborted")
    assert sock.pieces  # it stopped reading at the limit


def test_one_endless_header_line_is_refused() -> None:
    sock = _Pieces(b"HTTP/1.1 200 OK\r\nX-A: ", *([b"a" * 65536] * 200))
    with pytest.raises(HTTPError, match="headers exceeded"):
        _response(sock)


@pytest.mark.parametrize(
    "wire",
    [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly-part",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nfull\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: cut",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    ],
)
def test_early_close_inside_a_body_is_an_unexpected_eof(wire: bytes) -> None:
    resp = _response(_Pieces(wire))
    with pytest.raises(IncompleteRead) as info:
        resp.read()
    assert str(info.value) == "unexpected EOF"
    assert isinstance(info.value, OSError)  # a Watcher ends on it like on a reset


def test_close_before_any_answer() -> None:
    with pytest.raises(RemoteDisconnected):
        _response(_Pieces())


def test_bad_chunk_length() -> None:
    resp = _response(_Pieces(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
    with pytest.raises(HTTPError) as info:
        resp.read()
    assert str(info.value) == "invalid byte in chunk length"


@pytest.mark.parametrize(
    ("method", "status"),
    [("GET", 204), ("GET", 304), ("HEAD", 200), ("GET", 101)],
)
def test_answers_without_a_body(method: str, status: int) -> None:
    # A Content-Length on them describes what a GET would have returned; no bytes follow.
    wire = f"HTTP/1.1 {status} X\r\nContent-Length: 10\r\n\r\n".encode()
    conn = HTTPConnection(_Pieces(wire + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
    resp = conn.get_response(method)
    assert resp.status == status
    assert resp.read() == b""
    assert resp.complete
    assert conn.get_response("GET").read() == b"ok"


def test_interim_answers_are_skipped() -> None:
    wire = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone"
    )
    resp = _response(_bytewise(wire))
    assert resp.status == 200
    assert "Link" not in resp.headers
    assert resp.read() == b"done"


@pytest.mark.parametrize(
    ("head", "will_close"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n", False),
        (b"HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 0\r\n", True),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n", True),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n", False),
    ],
)
def test_connection_persistence(head: bytes, will_close: bool) -> None:
    resp = _response(_Pieces(head + b"\r\n"))
    assert resp.will_close is will_close
    assert resp.reusable is not will_close


def test_body_until_close() -> None:
    resp = _response(_Pieces(b"HTTP/1.0 200 OK\r\n\r\nab", b"cd"))
    assert resp.read() == b"abcd"
    assert resp.complete and not resp.reusable


def test_request_head_and_invalid_header_values() -> None:
    sock = _Pieces()
    conn = HTTPConnection(sock)
    conn.send_request("POST", "/x?y=1", [("Host", "h:1"), ("Content-Length", "2")], b"{}")
    assert sock.sent == b"POST /x?y=1 HTTP/1.1\r\nHost: h:1\r\nContent-Length: 2\r\n\r\n{}"
    with pytest.raises(HTTPError) as info:
        conn.send_request("GET", "/", [("X-Evil", "a\r\nInjected: 1")])
    assert str(info.value) == 'net/http: invalid header field value for "X-Evil"'
    with pytest.raises(HTTPError, match="invalid header field name"):
        conn.send_request("GET", "/", [("Bad Name", "v")])


# -- the transport over a loopback server ---------------------------------------------------


class _ThenClose(bytes):
    """A reply after which the server closes the connection."""


class _RawServer:
    """Accepts connections on 127.0.0.1, one at a time, and answers each request with the next
    scripted reply; a reply of None closes the connection instead. Records (connection number,
    request head)."""

    def __init__(self, replies: list[bytes | None]) -> None:
        self.replies = replies
        self.requests: list[tuple[int, bytes]] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        number = 0
        while self.replies:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            number += 1
            with conn:
                buf = b""
                while self.replies:
                    while b"\r\n\r\n" not in buf:
                        data = conn.recv(65536)
                        if not data:
                            break
                        buf += data
                    if b"\r\n\r\n" not in buf:
                        break
                    head, _, buf = buf.partition(b"\r\n\r\n")
                    self.requests.append((number, head))
                    reply = self.replies.pop(0)
                    if reply is None:
                        break
                    conn.sendall(reply)
                    if isinstance(reply, _ThenClose):
                        break

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=10)


@pytest.fixture
def raw_server(request: pytest.FixtureRequest) -> Iterator[_RawServer]:
    server = _RawServer(list(request.param))
    try:
        yield server
    finally:
        server.close()


def _send(server: _RawServer, path: str, *, stream: bool = False) -> Any:
    transport = HTTPTransport(Config(host=f"http://127.0.0.1:{server.port}", timeout=10))
    return transport, transport.send(
        HTTPRequest("GET", f"http://127.0.0.1:{server.port}{path}", timeout=10), stream=stream
    )


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
GZIPPED = gzip.compress(b'{"kind":"Status"}\n' * 50)


@pytest.mark.parametrize(
    "raw_server",
    [[OK, OK, b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", OK]],
    indirect=True,
)
def test_transport_reuses_kept_alive_connections_only(raw_server: _RawServer) -> None:
    transport, first = _send(raw_server, "/a")
    assert first.read() == b"ok"
    url = f"http://127.0.0.1:{raw_server.port}"
    for path in ("/b", "/c", "/d"):
        assert transport.send(HTTPRequest("GET", url + path, timeout=10)).read() == b"ok"
    transport.close()
    assert [n for n, _ in raw_server.requests] == [1, 1, 1, 2]
    head = raw_server.requests[0][1].decode()
    assert head.startswith("GET /a HTTP/1.1\r\nHost: 127.0.0.1:")
    assert "\r\nAccept-Encoding: gzip" in head


@pytest.mark.parametrize("raw_server", [[OK, None, OK]], indirect=True)
def test_transport_retries_a_stale_pooled_connection(raw_server: _RawServer) -> None:
    transport, first = _send(raw_server, "/a")
    assert first.read() == b"ok"
    second = transport.send(HTTPRequest("GET", f"http://127.0.0.1:{raw_server.port}/b"))
    assert second.read() == b"ok"
    transport.close()
    assert [n for n, _ in raw_server.requests] == [1, 1, 2]


@pytest.mark.parametrize(
    "raw_server",
    [
        [
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
            + f"{len(GZIPPED[:40]):x}\r\n".encode()
            + GZIPPED[:40]
            + b"\r\n"
            + f"{len(GZIPPED[40:]):x}\r\n".encode()
            + GZIPPED[40:]
            + b"\r\n0\r\n\r\n"
        ]
        * 2
    ],
    indirect=True,
)
def test_transport_gzip_buffered_and_streamed(raw_server: _RawServer) -> None:
    transport, resp = _send(raw_server, "/gz")
    assert resp.read() == b'{"kind":"Status"}\n' * 50
    assert "Content-Encoding" not in resp.headers
    url = f"http://127.0.0.1:{raw_server.port}/gz"
    stream = transport.send(HTTPRequest("GET", url, timeout=10), stream=True)
    lines = []
    while line := stream.readline():
        lines.append(line)
    stream.close()
    transport.close()
    assert lines == [b'{"kind":"Status"}\n'] * 50


@pytest.mark.parametrize(
    "raw_server",
    [[_ThenClose(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")]],
    indirect=True,
)
def test_transport_body_cut_mid_chunk(raw_server: _RawServer) -> None:
    transport, resp = _send(raw_server, "/cut")
    assert resp.status == 200
    with pytest.raises(ResponseBodyError) as info:
        resp.read()
    assert str(info.value) == "unexpected EOF"
    transport.close()


@pytest.mark.parametrize("raw_server", [[b"HTTP/1.1 OK\r\n\r\n"]], indirect=True)
def test_transport_bad_status_line(raw_server: _RawServer) -> None:
    with pytest.raises(TransportError) as info:
        _send(raw_server, "/bad")
    assert str(info.value) == (
        f'Get "http://127.0.0.1:{raw_server.port}/bad": malformed HTTP status code "OK"'
    )


@pytest.mark.parametrize("raw_server", [[None]], indirect=True)
def test_transport_no_answer_is_eof(raw_server: _RawServer) -> None:
    with pytest.raises(TransportError) as info:
        _send(raw_server, "/x")
    assert str(info.value) == f'Get "http://127.0.0.1:{raw_server.port}/x": EOF'
