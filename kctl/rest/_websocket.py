"""WebSocket upgrades on a Config (client-go's transport/websocket.RoundTripperFor).

The socket comes from the config's own transport (``HTTPTransport.dial``): the same proxy
choice, TLS settings and exec-plugin certificate as every request, and the same user agent,
impersonation and credential headers on the upgrade request. websocket-client then does the
handshake and the framing on it; it is imported here, when the first stream opens, and never
on any other path.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from kctl.errors import StatusError, StreamError, TransportError, UpgradeFailureError
from kctl.rest._config import Config
from kctl.rest._http import Headers, HTTPRequest

__all__ = ["WebSocketConnection", "dial_websocket"]

# Headers websocket-client writes itself; a caller's copy would be a second line.
_HANDSHAKE_HEADERS = frozenset(
    {"host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version"}
)
# client-go reads at most this much of a refused upgrade's body.
_MAX_ERROR_BODY = 64 * 1024


class WebSocketConnection:
    """An open WebSocket: binary messages in and out, safe to write from several threads."""

    def __init__(self, ws: Any, subprotocol: str) -> None:
        self._ws = ws
        self.subprotocol = subprotocol
        self._write_lock = threading.Lock()
        self._closed = False

    def send(self, data: bytes) -> None:
        """One binary message. A connection that broke raises StreamError."""
        import websocket

        with self._write_lock:
            if self._closed:
                raise StreamError("write on closed websocket connection")
            try:
                self._ws.send_bytes(data)
            except (OSError, websocket.WebSocketException) as err:
                raise StreamError(_describe(err)) from err

    def recv(self) -> bytes | None:
        """The next data message, or None once the peer closed with a normal closure (1000).
        Any other end raises StreamError in gorilla/websocket's words, as client-go sees it."""
        import websocket

        while True:
            try:
                opcode, data = self._ws.recv_data()
            except websocket.WebSocketConnectionClosedException:
                if self._closed:
                    return None
                raise StreamError(_close_text(1006, "unexpected EOF")) from None
            except (OSError, websocket.WebSocketException) as err:
                if self._closed:
                    return None
                raise StreamError(_describe(err)) from err
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                payload = bytes(data or b"")
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                if code == 1000 or self._closed:
                    return None
                raise StreamError(_close_text(code, payload[2:].decode("utf-8", "replace")))
            if opcode in (websocket.ABNF.OPCODE_BINARY, websocket.ABNF.OPCODE_TEXT):
                return bytes(data)

    def close(self) -> None:
        """A close frame, then the socket; a reader blocked in ``recv`` wakes up with None."""
        import websocket

        with self._write_lock:
            if self._closed:
                return
            self._closed = True
        try:
            self._ws.send_close()
        except (OSError, websocket.WebSocketException):
            pass  # the peer is gone already: closing the socket is all that is left
        self._ws.shutdown()

    def __enter__(self) -> WebSocketConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# gorilla/websocket's CloseError texts.
_CLOSE_TEXTS = {
    1000: "normal",
    1001: "going away",
    1002: "protocol error",
    1003: "unsupported data",
    1005: "no status",
    1006: "abnormal closure",
    1007: "invalid payload data",
    1008: "policy violation",
    1009: "message too big",
    1010: "mandatory extension missing",
    1011: "internal server error",
    1012: "service restart",
    1013: "try again later",
    1015: "TLS handshake",
}


def _close_text(code: int, reason: str) -> str:
    text = f"websocket: close {code}"
    if code in _CLOSE_TEXTS:
        text += f" ({_CLOSE_TEXTS[code]})"
    return text + (f": {reason}" if reason else "")


def _describe(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    if isinstance(err, ConnectionResetError):
        return "read: connection reset by peer"
    return text


def _refused(err: Any) -> UpgradeFailureError:
    """A handshake answered without 101, in the words of client-go's RoundTripper."""
    from http import HTTPStatus

    reason = err.status_message
    if not reason:
        try:
            reason = HTTPStatus(err.status_code).phrase
        except ValueError:
            reason = ""
    status_text = f"{err.status_code} {reason}".rstrip()
    body: bytes = (err.resp_body or b"")[:_MAX_ERROR_BODY]
    if body.strip():
        from kctl.rest._errors import decode_status

        status = decode_status(body)
        if status is not None:
            # client-go's cause is then a StatusError, which prints as its message alone.
            message = str(StatusError(status))
            return UpgradeFailureError(
                f"unable to upgrade streaming request: {message}", status=status, body=body
            )
        detail = body.decode("utf-8", "replace").strip()
        return UpgradeFailureError(
            f"unable to upgrade streaming request: websocket: bad handshake ({status_text}): "
            f"{detail}",
            body=body,
        )
    return UpgradeFailureError(
        f"unable to upgrade streaming request: websocket: bad handshake ({status_text})"
    )


def dial_websocket(
    config: Config,
    url: str,
    protocols: Sequence[str],
    *,
    headers: Headers | None = None,
    timeout: float | None = None,
) -> WebSocketConnection:
    """Upgrade a GET of ``url`` (http or https, as built by a Request) to a WebSocket that
    speaks one of ``protocols``; the server's choice is ``subprotocol``."""
    import websocket

    from kctl.rest._request import _default_transport
    from kctl.rest._transport import HTTPTransport

    transport = _default_transport(config)
    if not isinstance(transport, HTTPTransport):
        raise TransportError("a WebSocket upgrade needs kctl's HTTP transport")
    parts = urlsplit(url)
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme.lower())
    if scheme is None:
        raise TransportError(f"unknown url scheme: {parts.scheme}")
    request = HTTPRequest(method="GET", url=url, headers=headers or Headers(), timeout=timeout)
    sock, sent = transport.dial(request)
    lines = [
        f"{key}: {value}"
        for key, value in sent.multi_items()
        if key.lower() not in _HANDSHAKE_HEADERS
        and key.lower() not in ("accept-encoding", "sec-websocket-protocol")
    ]
    ws: Any = websocket.WebSocket(skip_utf8_validation=True, enable_multithread=True)
    try:
        ws.connect(
            parts._replace(scheme=scheme).geturl(),
            socket=sock,
            header=lines,
            subprotocols=list(protocols),
            suppress_origin=True,
            host=parts.netloc.rpartition("@")[2],
            timeout=timeout,
        )
    except websocket.WebSocketBadStatusException as err:
        sock.close()
        raise _refused(err) from None
    except (OSError, websocket.WebSocketException) as err:
        sock.close()
        raise UpgradeFailureError(f"unable to upgrade streaming request: {_describe(err)}") from err
    ws.settimeout(None)
    chosen = ws.getsubprotocol() or ""
    if chosen not in protocols:
        ws.shutdown()
        quoted = "[" + " ".join(f'"{p}"' for p in protocols) + "]"
        raise UpgradeFailureError(
            "unable to upgrade streaming request: invalid protocol, "
            f'expected one of {quoted}, got "{chosen}"'
        )
    return WebSocketConnection(ws, chosen)
