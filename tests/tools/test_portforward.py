"""Port forwarding against a scripted server: the port prefix on each channel, one WebSocket
per local connection, several ports, listener failures, errors and shutdown."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from kctl.errors import KctlError
from kctl.tools.portforward import PORT_FORWARD_PROTOCOL, PortForwarder, parse_ports

_DEADLINE = 10.0


def echo_upper(s: Any) -> None:
    """The pod side: channel prefixes first, then every data message back upper-cased."""
    port = int(parse_qs(urlsplit(s.handshake.target).query)["ports"][0])
    prefix = port.to_bytes(2, "little")
    s.send(0, prefix)
    s.send(1, prefix)
    while (message := s.recv()) is not None:
        assert message[0] == 0
        s.send(0, message[1:].upper())
    s.sock.close()


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
def forwarding() -> Iterator[Any]:
    started: list[tuple[PortForwarder, threading.Thread]] = []

    def start(server: Any, ports: list[str], **kw: Any) -> tuple[PortForwarder, io.StringIO]:
        out = io.StringIO()
        fw = PortForwarder(
            server.config(),
            server.url + "/api/v1/namespaces/ns/pods/web/portforward",
            ports,
            out=out,
            err_out=kw.pop("err_out", None),
            **kw,
        )
        thread = threading.Thread(target=fw.forward_ports, daemon=True)
        thread.start()
        assert fw.ready.wait(_DEADLINE)
        started.append((fw, thread))
        return fw, out

    yield start
    for fw, thread in started:
        fw.close()
        thread.join(_DEADLINE)
        assert not thread.is_alive()


def roundtrip(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=_DEADLINE) as sock:
        sock.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
        return got


def test_forwards_a_connection(ws_server: Any, forwarding: Any) -> None:
    server = ws_server(echo_upper, protocols=(PORT_FORWARD_PROTOCOL,))
    fw, out = forwarding(server, [":8080"])
    local = fw.ports[0].local
    assert local != 0
    assert roundtrip(local, b"hello") == b"HELLO"
    hs = server.handshakes[0]
    assert hs.protocols == [PORT_FORWARD_PROTOCOL]
    assert urlsplit(hs.target).path == "/api/v1/namespaces/ns/pods/web/portforward"
    assert parse_qs(urlsplit(hs.target).query) == {"ports": ["8080"]}
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Forwarding from 127.0.0.1:{local} -> 8080"
    if _ipv6():
        assert lines[1] == f"Forwarding from [::1]:{local} -> 8080"
    assert f"Handling connection for {local}" in lines


def test_each_connection_gets_its_own_websocket(ws_server: Any, forwarding: Any) -> None:
    server = ws_server(echo_upper, protocols=(PORT_FORWARD_PROTOCOL,))
    fw, _ = forwarding(server, [":80", ":443"])
    ports = [p.local for p in fw.ports]
    assert roundtrip(ports[0], b"a" * 300000) == b"A" * 300000
    assert roundtrip(ports[1], b"b") == b"B"
    assert roundtrip(ports[0], b"c") == b"C"
    remotes = [parse_qs(urlsplit(h.target).query)["ports"] for h in server.handshakes]
    assert remotes == [["80"], ["443"], ["80"]]


def test_explicit_address(ws_server: Any, forwarding: Any) -> None:
    server = ws_server(echo_upper, protocols=(PORT_FORWARD_PROTOCOL,))
    fw, out = forwarding(server, [":7000"], addresses=["127.0.0.1"])
    assert out.getvalue() == f"Forwarding from 127.0.0.1:{fw.ports[0].local} -> 7000\n"


def test_local_port_in_use(ws_server: Any) -> None:
    server = ws_server(echo_upper, protocols=(PORT_FORWARD_PROTOCOL,))
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        err = io.StringIO()
        fw = PortForwarder(
            server.config(),
            server.url + "/x",
            [f"{port}:80"],
            addresses=["127.0.0.1"],
            err_out=err,
        )
        with pytest.raises(KctlError) as caught:
            fw.forward_ports()
    assert str(caught.value) == (f"unable to listen on any of the requested ports: [{{{port} 80}}]")
    assert err.getvalue() == (
        f"Unable to listen on port {port}: Listeners failed to create with the following "
        f"errors: [unable to create listener: Error listen tcp4 127.0.0.1:{port}: bind: "
        "address already in use]\n"
    )


def test_error_channel_is_reported(ws_server: Any, forwarding: Any) -> None:
    def refuse(s: Any) -> None:
        prefix = (5432).to_bytes(2, "little")
        s.send(0, prefix)
        s.send(1, prefix + b"dial tcp 10.0.0.1:5432: connect: connection refused")
        s.close()

    server = ws_server(refuse, protocols=(PORT_FORWARD_PROTOCOL,))
    err = io.StringIO()
    fw, _ = forwarding(server, [":5432"], addresses=["127.0.0.1"], err_out=err)
    with socket.create_connection(("127.0.0.1", fw.ports[0].local), timeout=_DEADLINE) as sock:
        assert sock.recv(10) == b""  # the forward ends the local connection
    assert err.getvalue() == (
        f"error: an error occurred forwarding {fw.ports[0].local} -> 5432: "
        "dial tcp 10.0.0.1:5432: connect: connection refused\n"
    )


def test_close_ends_open_connections(ws_server: Any) -> None:
    server = ws_server(echo_upper, protocols=(PORT_FORWARD_PROTOCOL,))
    fw = PortForwarder(server.config(), server.url + "/x", [":9"], addresses=["127.0.0.1"])
    thread = threading.Thread(target=fw.forward_ports, daemon=True)
    thread.start()
    assert fw.ready.wait(_DEADLINE)
    with socket.create_connection(("127.0.0.1", fw.ports[0].local), timeout=_DEADLINE) as sock:
        sock.sendall(b"x")
        assert sock.recv(1) == b"X"
        fw.close()
        thread.join(_DEADLINE)
        assert not thread.is_alive()
        assert sock.recv(1) == b""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", fw.ports[0].local), timeout=_DEADLINE)


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        (["8080"], "8080:8080"),
        (["8888:5000"], "8888:5000"),
        ([":5000"], "0:5000"),
    ],
)
def test_parse_ports(specs: list[str], expected: str) -> None:
    port = parse_ports(specs)[0]
    assert f"{port.local}:{port.remote}" == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("1:2:3", "invalid port format '1:2:3'"),
        (
            "x:80",
            "error parsing local port 'x': strconv.ParseUint: parsing \"x\": invalid syntax",
        ),
        (
            "80:70000",
            "error parsing remote port '70000': strconv.ParseUint: parsing \"70000\": "
            "value out of range",
        ),
        ("80:0", "remote port must be > 0"),
    ],
)
def test_parse_ports_errors(spec: str, message: str) -> None:
    with pytest.raises(KctlError) as caught:
        parse_ports([spec])
    assert str(caught.value) == message
