"""pods/exec and pods/attach over a ``v5.channel.k8s.io`` websocket, as kube-apiserver's stream
translator answers them when the kubelet cannot be reached.

kubectl 1.37 runs exec and attach over websockets and offers ``v5.channel.k8s.io``. For such a
request kube-apiserver completes the websocket handshake itself (choosing v5 whatever the
order offered) and only then opens the SPDY connection to the kubelet; when that fails, the
client learns it on the error channel (3): an empty message on the lowest channel the server
writes to (stdout, else stderr, else error) tells it the streams are up, then a Status
(InternalError, without kind and apiVersion) names the kubelet request that failed, then a
normal close. Other protocols, and portforward, get the error as the handshake's answer.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from kctl.sandbox import _status as st
from kctl.sandbox._store import encode

__all__ = ["V5", "kubelet_url", "refused_session", "wants_v5_stream"]

V5 = "v5.channel.k8s.io"
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_BINARY, _CLOSE = 0x2, 0x8
_STDOUT, _STDERR, _ERROR = 1, 2, 3
# strconv.ParseBool's true spellings: PodExecOptions' booleans come from the query.
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})


def _flag(query: Mapping[str, Sequence[str]], name: str) -> bool:
    values = query.get(name) or []
    return bool(values) and values[0] in _TRUE


def wants_v5_stream(headers: Mapping[str, str]) -> bool:
    """wsstream.IsWebSocketRequestWithStreamCloseProtocol: an upgrade to websocket offering v5."""
    connection = [t.strip().lower() for t in headers.get("connection", "").split(",")]
    if "upgrade" not in connection or headers.get("upgrade", "").lower() != "websocket":
        return False
    offered = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]
    return V5 in offered and bool(headers.get("sec-websocket-key"))


def kubelet_url(
    subresource: str,
    address: str,
    port: int,
    namespace: str,
    pod: str,
    container: str,
    query: Mapping[str, Sequence[str]],
) -> str:
    """The kubelet location streamLocation builds: streamParams' flags, then the command."""
    params: list[tuple[str, str]] = []
    for flag, param in (("stdin", "input"), ("stdout", "output"), ("stderr", "error")):
        if _flag(query, flag):
            params.append((param, "1"))
    if _flag(query, "tty"):
        params.append(("tty", "1"))
    if subresource == "exec":
        params.extend(("command", c) for c in query.get("command") or [])
    # url.Values.Encode: keys sorted, each key's values in their order.
    params.sort(key=lambda kv: kv[0])
    host = f"[{address}]" if ":" in address else address
    url = f"https://{host}:{port}/{subresource}/{namespace}/{pod}/{container}"
    return url + ("?" + urlencode(params) if params else "")


def _frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, final websocket frame (the server's side of RFC 6455)."""
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return head + payload


def refused_session(
    headers: Mapping[str, str], query: Mapping[str, Sequence[str]], url: str, dial_error: str
) -> tuple[list[tuple[str, str]], bytes]:
    """The 101 answer's headers and everything the server then sends, for a kubelet that
    refused the connection (``dial_error``: Go's dial error text)."""
    digest = hashlib.sha1((headers["sec-websocket-key"].strip() + _GUID).encode()).digest()
    answer = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", base64.b64encode(digest).decode()),
        ("Sec-WebSocket-Protocol", V5),
    ]
    if _flag(query, "stdout"):
        first = _STDOUT
    elif _flag(query, "stderr") and not _flag(query, "tty"):
        first = _STDERR
    else:
        first = _ERROR
    status = dict(st.internal_error(f'error sending request: Post "{url}": {dial_error}').status)
    status.pop("kind", None)
    status.pop("apiVersion", None)
    frames = (
        _frame(_BINARY, bytes([first]))
        + _frame(_BINARY, bytes([_ERROR]) + encode(status))
        + _frame(_CLOSE, struct.pack("!H", 1000))
    )
    return answer, frames
