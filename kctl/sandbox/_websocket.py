"""Server-side WebSocket on a connection the HTTP server already parsed the request of.

The framing is wsproto's (sans-IO): the handshake answer, frames, pings and the closing
handshake all come from it; this module only moves bytes between it and the socket and
speaks Kubernetes' channel protocol on top (one leading channel byte per binary message).
wsproto is imported here only, and this module only when a stream is served.
"""

from __future__ import annotations

import socket
import threading
from io import BufferedIOBase
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Request,
    TextMessage,
)

__all__ = ["CHANNEL_PROTOCOLS", "WebSocket", "choose_protocol", "is_websocket"]

# Served newest first; wsstream picks the first of the client's list it supports.
CHANNEL_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")


def is_websocket(headers: dict[str, str]) -> bool:
    """wsstream.IsWebSocketRequest: ``Connection: Upgrade`` and ``Upgrade: websocket``."""
    connection = [t.strip().lower() for t in headers.get("connection", "").split(",")]
    return "upgrade" in connection and headers.get("upgrade", "").lower() == "websocket"


def choose_protocol(headers: dict[str, str], supported: tuple[str, ...]) -> str | None:
    offered = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]
    for protocol in offered:
        if protocol in supported:
            return protocol
    return None


class WebSocket:
    """One accepted WebSocket: thread-safe :meth:`send`, and :meth:`receive` for one reader."""

    def __init__(
        self,
        sock: socket.socket,
        rfile: BufferedIOBase,
        path: str,
        header_lines: list[tuple[str, str]],
        subprotocol: str,
    ) -> None:
        self._sock = sock
        self._rfile = rfile
        self._send_lock = threading.Lock()
        self._ws = WSConnection(ConnectionType.SERVER)
        self._ws.initiate_upgrade_connection(
            [(k.encode("latin-1"), v.encode("latin-1")) for k, v in header_lines], path
        )
        events = list(self._ws.events())
        if not events or not isinstance(events[0], Request):
            raise ConnectionError("not a WebSocket upgrade")
        self.protocol = subprotocol
        self.closed = False
        self._pending = bytearray()
        self._write(self._ws.send(AcceptConnection(subprotocol=subprotocol or None)))

    def _write(self, data: bytes) -> None:
        if data:
            self._sock.sendall(data)

    def send(self, channel: int, data: bytes = b"") -> bool:
        """Send one binary message on ``channel``; False once the connection is gone."""
        with self._send_lock:
            if self.closed or self._ws.state is not ConnectionState.OPEN:
                return False
            try:
                self._write(self._ws.send(BytesMessage(bytes([channel]) + data)))
            except OSError:
                self.closed = True
                return False
            return True

    def receive(self) -> tuple[int, bytes] | None:
        """The next complete binary message as (channel, payload); None when closed."""
        while True:
            for event in self._ws.events():
                if isinstance(event, BytesMessage):
                    self._pending += event.data
                    if not event.message_finished:
                        continue
                    message, self._pending = bytes(self._pending), bytearray()
                    if message:
                        return message[0], message[1:]
                elif isinstance(event, Ping):
                    self._reply(event.response())
                elif isinstance(event, CloseConnection):
                    self._reply(event.response())
                    self.closed = True
                    return None
                elif isinstance(event, TextMessage):
                    # The base64 channel protocols are not offered: nothing sends text here.
                    continue
            try:
                data = self._rfile.read1(65536)
            except (OSError, ValueError):
                data = b""
            if not data:
                self.closed = True
                return None
            self._ws.receive_data(data)

    def _reply(self, event: Any) -> None:
        with self._send_lock:
            try:
                if self._ws.state not in (ConnectionState.CLOSED, ConnectionState.LOCAL_CLOSING):
                    self._write(self._ws.send(event))
            except OSError:
                self.closed = True

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake (the reader sees the peer's answer and ends)."""
        with self._send_lock:
            if self.closed or self._ws.state is not ConnectionState.OPEN:
                return
            try:
                self._write(self._ws.send(CloseConnection(code=code, reason=reason)))
            except OSError:
                self.closed = True

    def shutdown(self) -> None:
        """Drop the connection (after :meth:`close`, or when the peer is gone)."""
        self.closed = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            return
