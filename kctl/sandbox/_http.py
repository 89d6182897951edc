"""The socket side: a threading HTTP/1.1 server that feeds :class:`ApiServer`."""

from __future__ import annotations

import logging
import select
import socket
import ssl
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kctl.sandbox._api import ApiServer, Request, Response
from kctl.sandbox._faults import ConnectionAbort, ConnectionDrop
from kctl.sandbox._status import too_large

__all__ = ["HTTPServer"]

_log = logging.getLogger("kctl.sandbox")
_MAX_BODY = 3 * 1024 * 1024  # kube-apiserver's request body limit
# A larger body is not read to its end: the connection is closed after the answer.
_DRAIN_LIMIT = 64 * 1024 * 1024
# How long a dropped connection waits for the client to close its side.
_DROP_LINGER = 5.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK of the headers, some 40 ms on every answer (Go's net/http sets NODELAY).
    disable_nagle_algorithm = True
    server: HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            resp = self._too_large(length)
        else:
            body = self.rfile.read(length) if length else b""
            req = Request.build(self.command, self.path, self.headers.items(), body)
            if isinstance(self.connection, ssl.SSLSocket):
                req.client_cert = self.connection.getpeercert() or None
            req.client_gone = self._client_gone
            resp = self.server.api.handle(req)
            if resp.upgrade is not None:
                self._upgrade(resp)
                return
        self.send_response(resp.status)
        if resp.content_type:  # empty for bodiless answers Go sends without one (304, 406)
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Cache-Control", "no-cache, private")
        for name, value in resp.headers:
            self.send_header(name, value)
        if resp.stream is None:
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        try:
            for chunk in resp.stream:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except ConnectionAbort:
            # Injected fault: an RST mid-body, as a crashed server or proxy would cause.
            self.close_connection = True
            self.server.reset(self.connection)
        except ConnectionDrop:
            # Injected fault: the events sent so far arrive, then an unexpected end of body.
            self.close_connection = True
            self.server.drop(self.connection)
        finally:
            close = getattr(resp.stream, "close", None)
            if close is not None:
                close()

    def _upgrade(self, resp: Response) -> None:
        """Accept the WebSocket (101) and serve it on this thread until it ends."""
        from kctl.sandbox._websocket import WebSocket

        assert resp.upgrade is not None
        self.close_connection = True
        try:
            ws = WebSocket(
                self.connection, self.rfile, self.path, self.headers.items(), resp.subprotocol
            )
        except (OSError, ConnectionError):
            return
        try:
            resp.upgrade(ws)
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            ws.shutdown()

    def _too_large(self, length: int) -> Response:
        """kube-apiserver's answer to a body over its limit: a 413 Status.

        The body is read to its end first, so that the client, still writing, is not cut
        off with a broken pipe before it reads the answer; past the drain limit the
        connection is closed instead, as Go's server gives up on an unread body."""
        left = length
        while 0 < left <= _DRAIN_LIMIT:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            left -= len(chunk)
        if left:
            self.close_connection = True
        return Response.error(too_large(f"Request entity too large: limit is {_MAX_BODY}"))

    def _client_gone(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the client to leave, while a response streams: no HTTP/1.1
        client sends more before the response ends (Go's never pipelines; a TLS peer sends
        only its close_notify), so anything readable means a FIN, a reset or a close."""
        try:
            readable, _, _ = select.select([self.connection], [], [], timeout)
        except (OSError, ValueError):
            return True
        return bool(readable)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def __getattr__(self, name: str) -> Any:
        # Any other method (PROPFIND, TRACE, ...) is routed too, as Go's server does: the API
        # answers it with its own 405 Status, where http.server would send a 501 HTML page.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        api: ApiServer,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.api = api
        self.ssl_context = ssl_context
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        # The handshake runs on the connection's own thread, never in the accept loop.
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        # wrap_socket took over the descriptor: track and close the TLS socket instead.
        with self._conns_lock:
            self._conns.discard(request)
            self._conns.add(tls)
        try:
            super().finish_request(tls, client_address)
        finally:
            with self._conns_lock:
                self._conns.discard(tls)
            try:
                tls.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            tls.close()

    @staticmethod
    def reset(conn: socket.socket) -> None:
        """Close with SO_LINGER 0, so the peer gets a TCP reset."""
        try:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
        except OSError:
            return

    @staticmethod
    def drop(conn: socket.socket) -> None:
        """Send FIN after the data already written, then wait for the client's close: a close
        with unread input would turn into a reset that could destroy that data in flight."""
        try:
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(_DROP_LINGER)
            while conn.recv(65536):
                continue
        except OSError:
            return

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that leaves mid-request (a watch ended with Ctrl-C, a reset, a TLS peer
        gone without close_notify) is no fault of the server's: nothing is logged. Anything
        else is one line naming the exception's type, never socketserver's traceback on
        stderr (``sandbox up`` keeps it in its log; the text could echo request content)."""
        err = sys.exc_info()[1]
        if isinstance(err, OSError):  # ConnectionError, ssl.SSLError, TimeoutError
            return
        _log.error("error serving a connection: %s", type(err).__name__)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Drop idle keep-alive and watch connections so that stopping is prompt."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                continue
