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

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from kctl.sandbox import _status as st
from kctl.sandbox._store import encode

if TYPE_CHECKING:
    from kctl.sandbox._websocket import WebSocket

__all__ = ["V5", "kubelet_url", "refused_session", "wants_v5_stream"]

V5 = "v5.channel.k8s.io"
# strconv.ParseBool's true spellings: PodExecOptions' booleans come from the query.
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})


def _flag(query: Mapping[str, Sequence[str]], name: str) -> bool:
    values = query.get(name) or []
    return bool(values) and values[0] in _TRUE


def wants_v5_stream(headers: dict[str, str]) -> bool:
    """wsstream.IsWebSocketRequestWithStreamCloseProtocol: an upgrade to websocket offering v5."""
    from kctl.sandbox._websocket import is_websocket

    offered = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]
    return is_websocket(headers) and V5 in offered and bool(headers.get("sec-websocket-key"))


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


def refused_session(
    query: Mapping[str, Sequence[str]], url: str, dial_error: str
) -> Callable[[WebSocket], None]:
    """What the server sends on the accepted websocket when the kubelet refused the
    connection (``dial_error``: Go's dial error text)."""
    from kctl.sandbox import _streams

    if _flag(query, "stdout"):
        first = _streams.STDOUT
    elif _flag(query, "stderr") and not _flag(query, "tty"):
        first = _streams.STDERR
    else:
        first = _streams.ERROR
    status = dict(st.internal_error(f'error sending request: Post "{url}": {dial_error}').status)
    status.pop("kind", None)
    status.pop("apiVersion", None)

    def session(ws: WebSocket) -> None:
        ws.send(first)
        ws.send(_streams.ERROR, encode(status))
        ws.close()
        _streams.drain(ws)

    return session
