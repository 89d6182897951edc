"""Forwarding local ports to a pod over WebSocket (client-go's tools/portforward, with the
channel protocol the Python and JavaScript clients speak).

Each accepted local connection gets a WebSocket of its own to ``pods/<name>/portforward``
with ``ports=<remote>``, protocol ``v4.channel.k8s.io``: channel 0 carries the data, channel
1 the error text, and the first message on each channel starts with the remote port as two
bytes, little-endian. The listeners follow client-go: ``localhost`` means 127.0.0.1 and ::1
(one of them may fail), an explicit address must work.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlencode, urlsplit, urlunsplit

from kctl.errors import KctlError, StreamError
from kctl.tools._threads import spawn

if TYPE_CHECKING:
    from kctl.rest import Config
    from kctl.rest._websocket import WebSocketConnection

__all__ = ["PORT_FORWARD_PROTOCOL", "ForwardedPort", "PortForwarder", "parse_ports"]

PORT_FORWARD_PROTOCOL = "v4.channel.k8s.io"
_DATA, _ERROR = 0, 1
_READ_SIZE = 64 * 1024


@dataclass
class ForwardedPort:
    local: int
    remote: int


def _uint16(text: str, what: str) -> int:
    # strconv.ParseUint(s, 10, 16)'s texts.
    if not text.isdigit() or not text.isascii():
        raise KctlError(
            f"error parsing {what} port '{text}': strconv.ParseUint: parsing "
            f'"{text}": invalid syntax'
        )
    value = int(text)
    if value > 65535:
        raise KctlError(
            f"error parsing {what} port '{text}': strconv.ParseUint: parsing "
            f'"{text}": value out of range'
        )
    return value


def parse_ports(specs: Sequence[str]) -> list[ForwardedPort]:
    """``REMOTE``, ``LOCAL:REMOTE`` or ``:REMOTE`` (a random local port), as client-go."""
    out: list[ForwardedPort] = []
    for spec in specs:
        parts = spec.split(":")
        if len(parts) == 1:
            local_text = remote_text = parts[0]
        elif len(parts) == 2:
            local_text, remote_text = parts[0] or "0", parts[1]
        else:
            raise KctlError(f"invalid port format '{spec}'")
        local = _uint16(local_text, "local")
        remote = _uint16(remote_text, "remote")
        if remote == 0:
            raise KctlError("remote port must be > 0")
        out.append(ForwardedPort(local, remote))
    return out


@dataclass(frozen=True)
class _Address:
    address: str
    family: socket.AddressFamily
    must_succeed: bool  # an explicit address ("any" failure mode) must listen


def _parse_addresses(addresses: Sequence[str]) -> list[_Address]:
    parsed: dict[str, _Address] = {}
    for address in addresses:
        if address == "localhost":
            parsed.setdefault("127.0.0.1", _Address("127.0.0.1", socket.AF_INET, False))
            parsed.setdefault("::1", _Address("::1", socket.AF_INET6, False))
            continue
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise KctlError(f"{address} is not a valid IP") from None
        family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
        parsed[address] = _Address(address, family, True)
    return [parsed[key] for key in sorted(parsed)]


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _listen_error(addr: _Address, port: int, err: OSError) -> str:
    network = "tcp4" if addr.family == socket.AF_INET else "tcp6"
    reason = (err.strerror or str(err)).lower()
    return (
        f"unable to create listener: Error listen {network} {_join(addr.address, port)}: "
        f"bind: {reason}"
    )


class PortForwarder:
    """Listens on local ports and forwards each connection to the pod.

    ``url`` is the pods/<name>/portforward URL (a Request's ``url()``). ``forward_ports()``
    blocks until ``close()``; ``ready`` is set once every listener is up, and ``ports``
    then holds the local ports chosen.
    """

    def __init__(
        self,
        config: Config,
        url: str,
        ports: Sequence[str],
        *,
        addresses: Sequence[str] = ("localhost",),
        out: TextIO | None = None,
        err_out: TextIO | None = None,
    ) -> None:
        if not addresses:
            raise KctlError("you must specify at least 1 address")
        if not ports:
            raise KctlError("you must specify at least 1 port")
        self.config = config
        self.url = url
        self.ports = parse_ports(ports)
        self._addresses = _parse_addresses(addresses)
        self.out = out
        self.err_out = err_out
        self.ready = threading.Event()
        self._stopped = threading.Event()
        self._listeners: list[socket.socket] = []
        self._lock = threading.Lock()
        self._connections: set[Any] = set()

    # -- listening --------------------------------------------------------------------------

    def _print(self, stream: TextIO | None, text: str) -> None:
        if stream is not None:
            stream.write(text)
            stream.flush()

    def _listen(self, port: ForwardedPort) -> None:
        errors: list[str] = []
        failed_default = succeeded_default = failed_explicit = 0
        for addr in self._addresses:
            sock = socket.socket(addr.family, socket.SOCK_STREAM)
            try:
                # Go's net.Listen sets SO_REUSEADDR, and for ::1 listens on IPv6 only.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if addr.family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock.bind((addr.address, port.local))
                sock.listen(128)
            except OSError as err:
                sock.close()
                errors.append(_listen_error(addr, port.local, err))
                if addr.must_succeed:
                    failed_explicit += 1
                else:
                    failed_default += 1
                continue
            if not addr.must_succeed:
                succeeded_default += 1
            port.local = sock.getsockname()[1]
            self._print(
                self.out, f"Forwarding from {_join(addr.address, port.local)} -> {port.remote}\n"
            )
            self._listeners.append(sock)
            spawn(self._accept, sock, port, name="portforward-accept")
        if (succeeded_default == 0 and failed_default > 0) or failed_explicit > 0:
            raise KctlError(
                "Listeners failed to create with the following errors: [" + " ".join(errors) + "]"
            )

    def forward_ports(self) -> None:
        """Listen on every port, then forward until ``close()``."""
        listening = False
        for port in self.ports:
            try:
                self._listen(port)
                listening = True
            except KctlError as err:
                self._print(self.err_out, f"Unable to listen on port {port.local}: {err}\n")
        if not listening:
            pairs = " ".join(f"{{{p.local} {p.remote}}}" for p in self.ports)
            raise KctlError(f"unable to listen on any of the requested ports: [{pairs}]")
        self.ready.set()
        self._stopped.wait()

    def close(self) -> None:
        """Stop listening and end every forwarded connection."""
        self._stopped.set()
        for sock in self._listeners:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # a listener that never accepted has nothing to shut down
            sock.close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            conn.close()

    # -- forwarding -------------------------------------------------------------------------

    def _accept(self, listener: socket.socket, port: ForwardedPort) -> None:
        while not self._stopped.is_set():
            try:
                local, _ = listener.accept()
            except OSError:
                return  # closed by close()
            spawn(self._handle, local, port, name="portforward-conn")

    def _url_for(self, remote: int) -> str:
        parts = urlsplit(self.url)
        query = "&".join(q for q in (parts.query, urlencode({"ports": remote})) if q)
        return urlunsplit(parts._replace(query=query))

    def _handle(self, local: socket.socket, port: ForwardedPort) -> None:
        from kctl.rest._websocket import dial_websocket

        self._print(self.out, f"Handling connection for {port.local}\n")
        with local:
            try:
                conn = dial_websocket(
                    self.config, self._url_for(port.remote), [PORT_FORWARD_PROTOCOL]
                )
            except KctlError as err:
                self._print(self.err_out, f"error: {err}\n")
                return
            with self._lock:
                self._connections.add(conn)
            try:
                with conn:
                    spawn(self._upstream, local, conn, name="portforward-up")
                    error = self._downstream(local, conn)
            finally:
                with self._lock:
                    self._connections.discard(conn)
            if error and not self._stopped.is_set():
                # Said before the local connection ends, so whoever sees the end can read it.
                self._print(
                    self.err_out,
                    f"error: an error occurred forwarding {port.local} -> {port.remote}: {error}\n",
                )
            try:
                local.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the local peer is gone already

    def _upstream(self, local: socket.socket, conn: WebSocketConnection) -> None:
        prefix = bytes([_DATA])
        try:
            while data := local.recv(_READ_SIZE):
                conn.send(prefix + data)
        except (OSError, StreamError):
            pass  # either side went away: the downstream loop ends the connection
        # v4 has no half-close: the local side's end is the end of this stream.
        conn.close()

    def _downstream(self, local: socket.socket, conn: WebSocketConnection) -> str:
        seen: set[int] = set()
        error = bytearray()
        while True:
            try:
                message = conn.recv()
            except StreamError as err:
                return str(err)
            if message is None:
                break
            if not message:
                continue
            channel, data = message[0], message[1:]
            if channel not in seen:
                # The first message on a channel starts with the port it is for.
                seen.add(channel)
                data = data[2:]
            if channel == _DATA and data:
                try:
                    local.sendall(data)
                except OSError:
                    break
            elif channel == _ERROR:
                error += data
        return error.decode("utf-8", "replace")
