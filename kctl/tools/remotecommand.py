"""Exec and attach over WebSocket (client-go's tools/remotecommand, the WebSocket executor).

The channel protocol: every message starts with its channel byte, 0 stdin, 1 stdout,
2 stderr, 3 the error channel (a metav1.Status once the command ends), 4 terminal resize
(``{"Width":W,"Height":H}``). ``v5.channel.k8s.io`` adds the close signal ``[255, channel]``
that tells the server stdin has ended; a server that offers only ``v4.channel.k8s.io`` gets
the same streams without it (stdin then stays open until the command ends).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kctl.errors import CodeExitError, StreamError
from kctl.tools._threads import spawn

if TYPE_CHECKING:
    from kctl.rest import Config
    from kctl.rest._websocket import WebSocketConnection

__all__ = [
    "STREAM_PROTOCOL_V4",
    "STREAM_PROTOCOL_V5",
    "Executor",
    "TerminalSize",
    "TerminalSizeQueue",
    "WebSocketExecutor",
    "new_websocket_executor",
]

STREAM_PROTOCOL_V5 = "v5.channel.k8s.io"
STREAM_PROTOCOL_V4 = "v4.channel.k8s.io"

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
STREAM_CLOSE = 255
_READ_SIZE = 32 * 1024


@dataclass(frozen=True)
class TerminalSize:
    width: int
    height: int


class TerminalSizeQueue(Protocol):
    def next(self) -> TerminalSize | None:
        """The next size, blocking until the terminal changes; None ends the resizing."""
        ...


class Executor(Protocol):
    def stream(
        self,
        *,
        stdin: Any = None,
        stdout: Any = None,
        stderr: Any = None,
        tty: bool = False,
        terminal_size_queue: TerminalSizeQueue | None = None,
    ) -> None: ...


def decode_error_channel(message: bytes) -> Exception | None:
    """errorDecoderV4: the Status on the error channel as None (success), a CodeExitError
    for NonZeroExitCode, else an error with the Status' message."""
    try:
        status = json.loads(message)
    except ValueError as err:
        text = message.decode("utf-8", "replace")
        return StreamError(f"error stream protocol error: {err} in {json.dumps(text)}")
    if not isinstance(status, dict):
        return StreamError("error stream protocol error: unknown error")
    outcome = status.get("status")
    if outcome == "Success":
        return None
    if outcome != "Failure":
        return StreamError("error stream protocol error: unknown error")
    if status.get("reason") == "NonZeroExitCode":
        details = status.get("details")
        if not isinstance(details, dict):
            return StreamError("error stream protocol error: details must be set")
        for cause in details.get("causes") or []:
            if not isinstance(cause, dict) or cause.get("reason") != "ExitCode":
                continue
            value = str(cause.get("message", ""))
            if not value.isdigit() or int(value) > 255:
                return StreamError(
                    f"error stream protocol error: invalid exit code value {json.dumps(value)}"
                )
            return CodeExitError(int(value))
        return StreamError("error stream protocol error: no ExitCode cause given")
    return StreamError(str(status.get("message", "")))


def _write(out: Any, data: bytes) -> None:
    out.write(data)
    flush = getattr(out, "flush", None)
    if flush is not None:
        flush()


def _reader(stdin: Any) -> Any:
    """A function returning the next chunk of stdin (b"" at its end) as soon as any arrives,
    not when a buffer fills: typed keys must reach the container one by one."""
    try:
        fd = stdin.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is not None:
        # The descriptor itself, not the buffered object: a thread blocked in a buffered read
        # holds its lock, and Python aborts at exit when a daemon thread still holds one.
        return lambda: os.read(fd, _READ_SIZE)
    read1 = getattr(stdin, "read1", None)
    if read1 is not None:
        return lambda: read1(_READ_SIZE)
    return lambda: stdin.read(_READ_SIZE)


class WebSocketExecutor:
    """One exec or attach: ``stream`` upgrades the request and copies until it ends."""

    def __init__(
        self,
        config: Config,
        url: str,
        protocols: Sequence[str] = (STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4),
    ) -> None:
        self.config = config
        self.url = url
        self.protocols = tuple(protocols)
        self.negotiated = ""

    def stream(
        self,
        *,
        stdin: Any = None,
        stdout: Any = None,
        stderr: Any = None,
        tty: bool = False,
        terminal_size_queue: TerminalSizeQueue | None = None,
    ) -> None:
        """Copy stdin to the container and its output to ``stdout``/``stderr`` (binary
        file-likes) until the command ends. A non-zero exit raises CodeExitError."""
        from kctl.rest._websocket import dial_websocket

        conn = dial_websocket(self.config, self.url, self.protocols)
        self.negotiated = conn.subprotocol
        with conn:
            if stdin is not None:
                spawn(self._copy_stdin, conn, stdin, name="stdin")
            if tty and terminal_size_queue is not None:
                spawn(self._resize, conn, terminal_size_queue, name="resize")
            error = self._demux(conn, stdout, stderr)
        if error is not None:
            raise error

    def _demux(self, conn: WebSocketConnection, stdout: Any, stderr: Any) -> Exception | None:
        errors = bytearray()
        while True:
            try:
                message = conn.recv()
            except StreamError as err:
                # The error channel never got its end: client-go's watchErrorStream words.
                return StreamError(f"error reading from error stream: next reader: {err}")
            if message is None:
                break
            if not message:
                continue
            channel, data = message[0], message[1:]
            if channel == STDOUT and stdout is not None and data:
                _write(stdout, data)
            elif channel == STDERR and stderr is not None and data:
                _write(stderr, data)
            elif channel == ERROR:
                errors += data
        return decode_error_channel(bytes(errors)) if errors else None

    def _copy_stdin(self, conn: WebSocketConnection, stdin: Any) -> None:
        read = _reader(stdin)
        try:
            while chunk := read():
                conn.send(bytes([STDIN]) + chunk)
            if self.negotiated == STREAM_PROTOCOL_V5:
                conn.send(bytes([STREAM_CLOSE, STDIN]))
        except (OSError, ValueError, StreamError):
            # The stream ended (or stdin was closed under us): the demuxer reports the outcome.
            return

    def _resize(self, conn: WebSocketConnection, sizes: TerminalSizeQueue) -> None:
        try:
            while (size := sizes.next()) is not None:
                body = json.dumps({"Width": size.width, "Height": size.height}).encode()
                conn.send(bytes([RESIZE]) + body.replace(b" ", b""))
        except StreamError:
            return


def new_websocket_executor(
    config: Config,
    url: str,
    protocols: Sequence[str] = (STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4),
) -> WebSocketExecutor:
    """client-go's NewWebSocketExecutorForProtocols: ``url`` is the pods/exec or pods/attach
    URL with its options (a Request's ``url()``)."""
    return WebSocketExecutor(config, url, protocols)
