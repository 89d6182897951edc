"""A loopback WebSocket server (wsproto over plain sockets) that plays the API server's side of
exec, attach and port-forward, scripted per test, for the cases the sandbox cannot produce: a
server that offers only v4, a refused upgrade, a connection cut mid-stream."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.utilities import LocalProtocolError

from kctl.rest import Config, TLSClientConfig

_DEADLINE = 10.0


@dataclass
class Handshake:
    target: str
    headers: dict[str, str]
    protocols: list[str]


@dataclass
class Session:
    """The server's end of one accepted WebSocket: whole messages in, messages out."""

    sock: Any
    ws: WSConnection
    handshake: Handshake
    protocol: str
    _pending: list[bytes] = field(default_factory=list)
    _partial: bytearray = field(default_factory=bytearray)
    closed: bool = False

    def _flush(self, data: bytes) -> None:
        if data:
            self.sock.sendall(data)

    def send(self, channel: int, data: bytes = b"") -> None:
        self._flush(self.ws.send(BytesMessage(data=bytes([channel]) + data)))

    def send_raw(self, data: bytes) -> None:
        self._flush(self.ws.send(BytesMessage(data=data)))

    def recv(self) -> bytes | None:
        """The next whole message from the client, None once it closed."""
        while not self._pending:
            if self.closed:
                return None
            data = self.sock.recv(65536)
            if not data:
                self.closed = True
                return None
            self.ws.receive_data(data)
            for event in self.ws.events():
                if isinstance(event, BytesMessage | TextMessage):
                    payload = event.data if isinstance(event.data, bytes) else event.data.encode()
                    self._partial += payload
                    if event.message_finished:
                        self._pending.append(bytes(self._partial))
                        self._partial.clear()
                elif isinstance(event, Ping):
                    self._flush(self.ws.send(event.response()))
                elif isinstance(event, CloseConnection):
                    if self.ws.state is ConnectionState.REMOTE_CLOSING:
                        self._flush(self.ws.send(event.response()))
                    self.closed = True
        return self._pending.pop(0)

    def send_close(self) -> None:
        """The close frame alone: the socket stays open to read what the client still sends."""
        self._flush(self.ws.send(CloseConnection(code=1000)))

    def close(self) -> None:
        """A clean close: the close frame, then the socket."""
        try:
            self._flush(self.ws.send(CloseConnection(code=1000)))
        except (OSError, LocalProtocolError):  # already closed by the client
            pass
        self.sock.close()

    def reset(self) -> None:
        """The connection cut without a close frame (RST)."""
        import struct

        raw = self.sock
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.close()


Script = Callable[[Session], None]


class WSServer:
    """Accepts connections on 127.0.0.1; each one is handshaken and handed to ``script``."""

    def __init__(
        self,
        script: Script,
        *,
        protocols: tuple[str, ...] = ("v5.channel.k8s.io", "v4.channel.k8s.io"),
        refuse: tuple[int, bytes, str] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.script = script
        self.protocols = protocols
        self.refuse = refuse
        self.tls = tls
        self.handshakes: list[Handshake] = []
        self.errors: list[BaseException] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def config(self, **kw: Any) -> Config:
        return Config(host=self.url, **kw)

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            try:
                conn: Any = self.tls.wrap_socket(sock, server_side=True) if self.tls else sock
            except ssl.SSLError:
                sock.close()
                return  # a client that rejected the certificate: that test's own point
            conn.settimeout(_DEADLINE)
            ws = WSConnection(ConnectionType.SERVER)
            request: Request | None = None
            while request is None:
                data = conn.recv(65536)
                if not data:
                    return
                ws.receive_data(data)
                for event in ws.events():
                    if isinstance(event, Request):
                        request = event
            headers = {k.decode().lower(): v.decode() for k, v in request.extra_headers}
            handshake = Handshake(request.target, headers, list(request.subprotocols))
            self.handshakes.append(handshake)
            if self.refuse is not None:
                status, body, content_type = self.refuse
                reply = RejectConnection(
                    status_code=status,
                    headers=[
                        (b"content-type", content_type.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                    has_body=bool(body),
                )
                out = ws.send(reply)
                if body:
                    out += ws.send(RejectData(data=body))
                conn.sendall(out)
                conn.close()
                return
            chosen = next((p for p in request.subprotocols if p in self.protocols), None)
            conn.sendall(ws.send(AcceptConnection(subprotocol=chosen)))
            session = Session(conn, ws, handshake, chosen or "")
            self.script(session)
        except BaseException as err:  # reported by the fixture, so a test cannot pass silently
            self.errors.append(err)

    def close(self) -> None:
        self._listener.close()
        for thread in self._threads:
            thread.join(_DEADLINE)


@pytest.fixture
def ws_server() -> Iterator[Callable[..., WSServer]]:
    servers: list[WSServer] = []

    def make(script: Script, **kw: Any) -> WSServer:
        server = WSServer(script, **kw)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
    errors = [e for s in servers for e in s.errors]
    if errors:
        raise errors[0]


def tls_config(url: str, ca: Any, **kw: Any) -> Config:
    return Config(host=url, tls=TLSClientConfig(ca_data=ca.cert_pem.bytes()), **kw)


class ConnectProxy:
    """An HTTP CONNECT proxy on 127.0.0.1 that records each request head."""

    def __init__(self) -> None:
        self.heads: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(sock,), daemon=True).start()

    def _handle(self, sock: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                sock.close()
                return
            head += chunk
        self.heads.append(head)
        target = head.split(b" ")[1].decode()
        _, _, port = target.rpartition(":")
        # Every name is this machine to the proxy: tests can use names no resolver knows.
        upstream = socket.create_connection(("127.0.0.1", int(port)))
        sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        threading.Thread(target=_pipe, args=(upstream, sock), daemon=True).start()
        _pipe(sock, upstream)

    def close(self) -> None:
        self._listener.close()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass  # one side went away: the other is shut down below
    for sock in (src, dst):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already gone


@pytest.fixture
def connect_proxy() -> Iterator[ConnectProxy]:
    proxy = ConnectProxy()
    yield proxy
    proxy.close()


@pytest.fixture
def ca() -> Any:
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


class Socks5Proxy:
    """A SOCKS5 server on 127.0.0.1 (no authentication, CONNECT only) that records targets."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"socks5://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(sock,), daemon=True).start()

    def _handle(self, sock: socket.socket) -> None:
        import struct

        f = sock.makefile("rb")
        _, count = f.read(2)
        f.read(count)
        sock.sendall(b"\x05\x00")
        _, _, _, atyp = f.read(4)
        if atyp == 3:
            (length,) = f.read(1)
            host = f.read(length).decode()
        else:
            host = socket.inet_ntop(socket.AF_INET, f.read(4))
        (port,) = struct.unpack("!H", f.read(2))
        self.targets.append(f"{host}:{port}")
        upstream = socket.create_connection((host, port))
        sock.sendall(b"\x05\x00\x00\x01" + bytes(6))
        threading.Thread(target=_pipe, args=(upstream, sock), daemon=True).start()
        _pipe(sock, upstream)

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def socks_proxy() -> Iterator[Socks5Proxy]:
    proxy = Socks5Proxy()
    yield proxy
    proxy.close()
