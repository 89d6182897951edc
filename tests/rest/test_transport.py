"""kctl.rest's transport on requests, against loopback servers that answer with raw bytes:
keep-alive reuse, which requests are re-sent, broken bodies, gzip, streaming, timeouts, and
exactly which certificate authorities are trusted."""

from __future__ import annotations

import gzip
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.errors import ConnectError, ResponseBodyError, TimeoutError, TransportError
from kctl.rest import Config, RESTClient, TLSClientConfig
from kctl.rest._http import HTTPRequest
from kctl.rest._transport import HTTPTransport


class _ThenClose(bytes):
    """A reply after which the server closes the connection."""


class _Hang:
    """Never answer: hold the connection open until the server is closed."""


HANG = _Hang()


class _RawServer:
    """Accepts connections on 127.0.0.1, one at a time, and answers each request with the next
    scripted reply; a reply of None closes the connection without a word. A reply may be a
    list of byte strings, sent one at a time, each after ``go`` is set and cleared. Records
    (connection number, request head) for every request it read."""

    def __init__(self, replies: list[Any]) -> None:
        self.replies = replies
        self.requests: list[tuple[int, bytes]] = []
        self.go = threading.Event()
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        number = 0
        while self.replies:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.stop.is_set():
                conn.close()
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
                    length = next(
                        (
                            int(line.split(b":", 1)[1])
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        ),
                        0,
                    )
                    while len(buf) < length:
                        buf += conn.recv(65536)
                    buf = buf[length:]
                    self.requests.append((number, head))
                    reply = self.replies.pop(0)
                    if reply is None:
                        break
                    if reply is HANG:
                        self.stop.wait(30)
                        break
                    if isinstance(reply, list):
                        for piece in reply:
                            conn.sendall(piece)
                            self.go.wait(30)
                            self.go.clear()
                        break
                    conn.sendall(reply)
                    if isinstance(reply, _ThenClose):
                        break

    def close(self) -> None:
        self.stop.set()
        self.go.set()
        # A blocked accept() does not notice its socket closing: wake it with a connection.
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
        except OSError:
            pass
        self.sock.close()
        self.thread.join(timeout=10)


@pytest.fixture
def raw_server() -> Iterator[Callable[..., _RawServer]]:
    servers: list[_RawServer] = []

    def make(*replies: Any) -> _RawServer:
        server = _RawServer(list(replies))
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def _transport(server: _RawServer, **config: Any) -> HTTPTransport:
    return HTTPTransport(Config(host=server.url, **config))


def _get(transport: HTTPTransport, server: _RawServer, path: str, **kw: Any) -> Any:
    return transport.send(HTTPRequest("GET", server.url + path, timeout=10), **kw)


def _client(server: _RawServer, **config: Any) -> RESTClient:
    return RESTClient(Config(host=server.url, qps=-1, **config), base_path="")


OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
GZIPPED = gzip.compress(b'{"kind":"Status"}\n' * 50)


def _chunked(*parts: bytes, head: bytes = b"") -> bytes:
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + head + b"\r\n"
    for part in parts:
        wire += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    return wire + b"0\r\n\r\n"


# -- pooling and re-sending -------------------------------------------------------------------


def test_kept_alive_connections_are_reused_and_closed_ones_are_not(
    raw_server: Callable[..., _RawServer],
) -> None:
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    server = raw_server(OK, OK, closing, OK)
    transport = _transport(server)
    for path in ("/a", "/b", "/c", "/d"):
        assert _get(transport, server, path).read() == b"{}"
    assert [n for n, _ in server.requests] == [1, 1, 1, 2]
    head = server.requests[0][1].decode()
    assert head.startswith(f"GET /a HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n")
    assert "\r\nAccept-Encoding: gzip" in head


def test_a_post_is_never_sent_twice(raw_server: Callable[..., _RawServer], clock: Any) -> None:
    # The server answers one request, then closes the kept-alive connection under the next
    # without answering. A third reply is ready: a re-sent POST would be answered and counted.
    server = raw_server(OK, None, OK)
    client = RESTClient(Config(host=server.url, qps=-1), base_path="", clock=clock)
    assert client.get().abs_path("/a").do().json() == {}
    with pytest.raises(TransportError) as info:
        client.post().abs_path("/namespaces/default/configmaps").body({"x": 1}).do()
    assert str(info.value) == f'Post "{server.url}/namespaces/default/configmaps": EOF'
    assert [head.split(b" ")[0] for _, head in server.requests] == [b"GET", b"POST"]
    assert clock.sleeps == []
    assert server.replies == [OK]  # nobody took the third answer


def test_a_get_on_a_reused_connection_is_resent_at_once(
    raw_server: Callable[..., _RawServer], clock: Any
) -> None:
    server = raw_server(OK, None, OK)
    client = RESTClient(Config(host=server.url, qps=-1), base_path="", clock=clock)
    assert client.get().abs_path("/a").do().json() == {}
    assert client.get().abs_path("/b").do().json() == {}
    # Go's transport re-sent it on a new connection, with no request-level wait.
    assert [n for n, _ in server.requests] == [1, 1, 2]
    assert clock.sleeps == []


def test_a_fresh_connection_closed_unanswered_is_eof(
    raw_server: Callable[..., _RawServer],
) -> None:
    server = raw_server(None, OK)
    with pytest.raises(TransportError) as info:
        _get(_transport(server), server, "/x")
    assert str(info.value) == f'Get "{server.url}/x": EOF'
    assert isinstance(info.value.__cause__, Exception)  # the library's own error is kept
    assert len(server.requests) == 1


# -- bodies -----------------------------------------------------------------------------------


def test_gzip_buffered_and_streamed(raw_server: Callable[..., _RawServer]) -> None:
    reply = _chunked(GZIPPED[:40], GZIPPED[40:], head=b"Content-Encoding: gzip\r\n")
    server = raw_server(reply, reply)
    transport = _transport(server)
    resp = _get(transport, server, "/gz")
    assert resp.read() == b'{"kind":"Status"}\n' * 50
    assert "Content-Encoding" not in resp.headers
    stream = _get(transport, server, "/gz", stream=True)
    lines = []
    while line := stream.readline():
        lines.append(line)
    stream.close()
    assert lines == [b'{"kind":"Status"}\n'] * 50


def test_disable_compression_asks_for_nothing_and_decodes_nothing(
    raw_server: Callable[..., _RawServer],
) -> None:
    body = gzip.compress(b"{}")
    reply = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
    server = raw_server(reply + body)
    resp = _get(_transport(server, disable_compression=True), server, "/x")
    assert resp.read() == body
    assert b"accept-encoding" not in server.requests[0][1].lower()


@pytest.mark.parametrize(
    "reply",
    [
        _ThenClose(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"),
        _ThenClose(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nfull\r\n"),
        _ThenClose(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
    ],
    ids=["mid-chunk", "no-last-chunk", "content-length-short"],
)
def test_a_body_cut_short_is_never_complete(
    reply: bytes, raw_server: Callable[..., _RawServer]
) -> None:
    server = raw_server(reply)
    resp = _get(_transport(server), server, "/cut")
    assert resp.status == 200
    with pytest.raises(ResponseBodyError) as info:
        resp.read()
    assert str(info.value) == "unexpected EOF"
    # Through the client: kubectl's wording, and no retry of a body that broke off.
    server = raw_server(reply, OK)
    with pytest.raises(ResponseBodyError) as caught:
        _client(server).get().abs_path("/cut").do()
    assert str(caught.value) == (
        "unexpected error when reading response body. Please retry. Original error: unexpected EOF"
    )
    assert len(server.requests) == 1


def test_a_body_cut_short_ends_a_stream_with_an_error(
    raw_server: Callable[..., _RawServer],
) -> None:
    server = raw_server(_ThenClose(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nline\n"))
    stream = _get(_transport(server), server, "/s", stream=True)
    assert stream.readline() == b"line\n"
    with pytest.raises(ResponseBodyError, match=r"^unexpected EOF$"):
        stream.readline()
    stream.close()


def test_invalid_gzip_is_an_error(raw_server: Callable[..., _RawServer]) -> None:
    body = b"this is not gzip"
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
    server = raw_server(head + body)
    resp = _get(_transport(server), server, "/gz")
    with pytest.raises(ResponseBodyError, match=r"^gzip: invalid header$"):
        resp.read()


def test_bad_status_line(raw_server: Callable[..., _RawServer]) -> None:
    server = raw_server(_ThenClose(b"HTTP/1.1 OK\r\n\r\n"))
    with pytest.raises(TransportError) as info:
        _get(_transport(server), server, "/bad")
    assert str(info.value) == f'Get "{server.url}/bad": malformed HTTP status code "OK"'


def test_stream_lines_arrive_before_the_body_ends(raw_server: Callable[..., _RawServer]) -> None:
    # The server sends the second line only after the client has read the first.
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    first, second = b'{"type":"ADDED"}\n', b'{"type":"DELETED"}\n'
    server = raw_server(
        [
            head + f"{len(first):x}\r\n".encode() + first + b"\r\n",
            f"{len(second):x}\r\n".encode() + second + b"\r\n0\r\n\r\n",
        ]
    )
    stream = _get(_transport(server), server, "/watch", stream=True)
    assert stream.readline() == first
    server.go.set()
    assert stream.readline() == second
    server.go.set()
    assert stream.readline() == b""
    stream.close()


# -- timeouts ---------------------------------------------------------------------------------


def test_a_hung_server_times_out(raw_server: Callable[..., _RawServer]) -> None:
    server = raw_server(HANG)
    client = RESTClient(Config(host=server.url, qps=-1, timeout=0.2), base_path="")
    with pytest.raises(TimeoutError) as info:
        client.get().abs_path("/slow").do()
    assert str(info.value) == (
        f'Get "{server.url}/slow?timeout=200ms": '
        "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
    )
    assert len(server.requests) == 1  # a timeout is never re-sent


# -- which authorities are trusted ------------------------------------------------------------


@pytest.fixture
def stranger_https(serve: Callable[..., Any], reply: Any) -> Any:
    """An https server whose certificate comes from a CA the cluster config does not name."""
    import trustme

    other = trustme.CA()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    other.issue_cert("127.0.0.1").configure_cert(ctx)
    server = serve(lambda seen: reply(body={}), tls=ctx)
    server.other_ca = other
    return server


def _version(config: Config) -> Any:
    return RESTClient(config.copy(qps=-1), base_path="").get().abs_path("/version").do()


def test_the_cluster_ca_alone_is_trusted(
    stranger_https: Any, ca: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests would load certifi's bundle (or REQUESTS_CA_BUNDLE) into the mounted context:
    # with the stranger's CA in both, nothing changes, with or without a CA in the config.
    import requests.adapters

    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(stranger_https.other_ca.cert_pem.bytes())
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(bundle))
    with_ca = Config(host=stranger_https.url, tls=TLSClientConfig(ca_data=ca.cert_pem.bytes()))
    for config in (with_ca, Config(host=stranger_https.url)):
        with pytest.raises(ConnectError) as info:
            _version(config)
        assert str(info.value) == (
            f'Get "{stranger_https.url}/version": tls: failed to verify certificate: '
            "x509: certificate signed by unknown authority"
        )
        assert isinstance(info.value.__cause__, Exception)
    assert stranger_https.seen == []
    trusted = TLSClientConfig(ca_data=stranger_https.other_ca.cert_pem.bytes())
    assert _version(Config(host=stranger_https.url, tls=trusted)).json() == {}


def test_client_certificate_from_files_and_from_data(
    serve: Callable[..., Any], server_tls: Callable[..., Any], ca: Any, reply: Any, tmp_path: Path
) -> None:
    import trustme

    client_ca = trustme.CA()
    srv = serve(lambda seen: reply(body={}), tls=server_tls(client_ca=client_ca))
    leaf = client_ca.issue_cert("jane@example")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(leaf.cert_chain_pems[0].bytes())
    key.write_bytes(leaf.private_key_pem.bytes())
    ca_pem = ca.cert_pem.bytes()
    from_files = TLSClientConfig(ca_data=ca_pem, cert_file=str(cert), key_file=str(key))
    from_data = TLSClientConfig(
        ca_data=ca_pem, cert_data=cert.read_bytes(), key_data=key.read_bytes()
    )
    for tls in (from_files, from_data):
        assert _version(Config(host=srv.url, tls=tls)).json() == {}
    with pytest.raises(ConnectError):
        _version(Config(host=srv.url, tls=TLSClientConfig(ca_data=ca_pem)))


def test_tls_server_name_is_what_the_certificate_is_checked_against(
    serve: Callable[..., Any], server_tls: Callable[..., Any], ca: Any, reply: Any
) -> None:
    srv = serve(lambda seen: reply(body={}), tls=server_tls("kube.internal"))
    tls = TLSClientConfig(ca_data=ca.cert_pem.bytes(), server_name="kube.internal")
    assert _version(Config(host=srv.url, tls=tls)).json() == {}
    with pytest.raises(ConnectError) as info:
        _version(Config(host=srv.url, tls=TLSClientConfig(ca_data=ca.cert_pem.bytes())))
    assert str(info.value).endswith(
        "tls: failed to verify certificate: x509: certificate is not valid for 127.0.0.1"
    )


def test_sessions_are_shared_per_tls_setting() -> None:
    from kctl.rest._adapter import session_for

    tls = TLSClientConfig(insecure=True)
    assert session_for(tls) is session_for(TLSClientConfig(insecure=True))
    assert session_for(tls) is not session_for(TLSClientConfig())
    session = session_for(tls)
    assert session.trust_env is False
    assert dict(session.headers) == {}


def test_an_expired_client_certificate_reads_like_go(
    serve: Callable[..., Any], server_tls: Callable[..., Any], ca: Any, reply: Any
) -> None:
    import datetime

    import trustme

    client_ca = trustme.CA()
    ctx = server_tls(client_ca=client_ca)
    # In TLS 1.2 the server's alert ends the handshake itself; in 1.3 it races the request.
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    srv = serve(lambda seen: reply(body={}), tls=ctx)
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    leaf = client_ca.issue_cert("jane@example", not_before=past, not_after=past)
    tls = TLSClientConfig(
        ca_data=ca.cert_pem.bytes(),
        cert_data=leaf.cert_chain_pems[0].bytes(),
        key_data=leaf.private_key_pem.bytes(),
    )
    with pytest.raises(TransportError) as info:
        _version(Config(host=srv.url, tls=tls))
    assert str(info.value) == f'Get "{srv.url}/version": remote error: tls: expired certificate'
    assert srv.seen == []


@pytest.mark.parametrize(("method", "status"), [("GET", 204), ("GET", 304), ("HEAD", 200)])
def test_answers_without_a_body_leave_the_connection_usable(
    method: str, status: int, raw_server: Callable[..., _RawServer]
) -> None:
    # Their Content-Length describes what a GET would have returned; no bytes follow.
    empty = f"HTTP/1.1 {status} X\r\nContent-Length: 10\r\n\r\n".encode()
    server = raw_server(empty, OK)
    transport = _transport(server)
    first = transport.send(HTTPRequest(method, server.url + "/a", timeout=10))
    assert (first.status, first.read()) == (status, b"")
    assert _get(transport, server, "/b").read() == b"{}"
    assert [n for n, _ in server.requests] == [1, 1]


def test_interim_answers_are_skipped(raw_server: Callable[..., _RawServer]) -> None:
    server = raw_server(b"HTTP/1.1 100 Continue\r\n\r\n" + OK)
    resp = _get(_transport(server), server, "/x")
    assert (resp.status, resp.read()) == (200, b"{}")
