"""pods/portforward over WebSocket with the channel protocol of the Python and JavaScript
clients (v4.channel.k8s.io, data channel 2i and error channel 2i+1 per port), driven by
websocket-client, an implementation independent of kctl's."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import websocket

sys.path.insert(0, str(Path(__file__).parent))
from helpers_runtime import pod, start, wait_for

from kctl.sandbox import Sandbox

pytestmark = pytest.mark.timeout(120)

SERVER = f"{sys.executable} -m http.server 8080 --bind $POD_IP"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", runtime="process") as sandbox:
        for name in ("web", "other"):
            running = start(sandbox, pod(name, f"echo served by {name} > index.txt; exec {SERVER}"))
            ip = running["status"]["podIP"]
            assert wait_for(lambda ip=ip: _listening(ip, 8080)), f"{name} never listened"
        yield sandbox


def _listening(ip: str, port: int) -> bool:
    try:
        socket.create_connection((ip, port), timeout=1).close()
    except OSError:
        return False
    return True


def _connect(sb: Sandbox, name: str, query: str) -> websocket.WebSocket:
    url = sb.url.replace("http", "ws", 1) + f"/api/v1/namespaces/default/pods/{name}/portforward"
    return websocket.create_connection(
        url + query,
        subprotocols=["v4.channel.k8s.io"],
        header=[f"Authorization: Bearer {sb.token}"],
        timeout=10,
    )


def _frames(ws: websocket.WebSocket) -> Iterator[bytes]:
    while True:
        try:
            opcode, data = ws.recv_data()
        except websocket.WebSocketConnectionClosedException:
            return
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return
        yield data


def test_pod_ips_are_distinct_loopback_addresses(sb: Sandbox) -> None:
    ips = {
        sb.store.get(("", "pods"), "default", n).obj["status"]["podIP"] for n in ("web", "other")
    }  # type: ignore[union-attr]
    assert len(ips) == 2
    assert all(ip.startswith("127.") and ip != "127.0.0.1" for ip in ips)


def test_fetch_through_the_forward(sb: Sandbox) -> None:
    ws = _connect(sb, "web", "?ports=8080")
    try:
        assert ws.subprotocol == "v4.channel.k8s.io"
        frames = _frames(ws)
        # Each channel opens with the port, two bytes little-endian.
        assert next(frames) == b"\x00\x90\x1f"
        assert next(frames) == b"\x01\x90\x1f"
        ws.send_binary(b"\x00GET /index.txt HTTP/1.0\r\nHost: web\r\n\r\n")
        body = b""
        for frame in frames:
            assert frame[0] == 0, frame
            body += frame[1:]
    finally:
        ws.close()
    head, _, content = body.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 OK")
    assert content == b"served by web\n"


def test_same_port_on_two_pods_reaches_each(sb: Sandbox) -> None:
    ws = _connect(sb, "other", "?ports=8080")
    try:
        frames = _frames(ws)
        next(frames), next(frames)
        ws.send_binary(b"\x00GET /index.txt HTTP/1.0\r\n\r\n")
        body = b"".join(f[1:] for f in frames)
    finally:
        ws.close()
    assert body.endswith(b"\r\n\r\nserved by other\n")


def test_closed_port_reports_on_the_error_channel(sb: Sandbox) -> None:
    ip = sb.store.get(("", "pods"), "default", "web").obj["status"]["podIP"]  # type: ignore[union-attr]
    uid = sb.store.get(("", "pods"), "default", "web").obj["metadata"]["uid"]  # type: ignore[union-attr]
    ws = _connect(sb, "web", "?ports=8080&ports=9")
    try:
        frames = list(_frames_until_error(ws))
    finally:
        ws.close()
    assert frames[:4] == [b"\x00\x90\x1f", b"\x01\x90\x1f", b"\x02\x09\x00", b"\x03\x09\x00"]
    assert (
        frames[4]
        == (
            f"\x03error forwarding port 9 to pod web_default, uid {uid}: "
            f"dial tcp {ip}:9: connect: connection refused"
        ).encode()
    )


def _frames_until_error(ws: websocket.WebSocket) -> Iterator[bytes]:
    for frame in _frames(ws):
        yield frame
        if frame[0] == 3 and len(frame) > 3:
            return


def test_plain_request_and_unknown_protocol_are_refused(sb: Sandbox) -> None:
    import requests

    url = sb.url + "/api/v1/namespaces/default/pods/web/portforward?ports=8080"
    headers = {"Authorization": f"Bearer {sb.token}"}
    reply = requests.post(url, headers=headers, timeout=10)
    assert (reply.status_code, reply.json()["message"]) == (400, "Upgrade request required")
    with pytest.raises(websocket.WebSocketBadStatusException) as err:
        websocket.create_connection(
            url.replace("http", "ws", 1),
            subprotocols=["SPDY/3.1+portforward.k8s.io"],
            header=[f"Authorization: Bearer {sb.token}"],
            timeout=10,
        )
    assert err.value.status_code == 400
