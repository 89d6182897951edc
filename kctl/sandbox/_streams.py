"""What the process runtime's stand-in kubelet serves on pods/exec, attach and portforward,
over an accepted :class:`~kctl.sandbox._websocket.WebSocket`.

Exec and attach speak the remotecommand channel protocol (v4/v5.channel.k8s.io): channel 0
stdin, 1 stdout, 2 stderr, 3 the final metav1.Status (``NonZeroExitCode`` with an
``ExitCode`` cause for a failed command), 4 terminal resizes; v5 adds the close message
``[255, channel]`` that ends stdin without closing the socket. Port-forward speaks the plain
channel protocol of the Python and JavaScript clients: per port, a data channel ``2i`` and an
error channel ``2i+1``, each opened by the port as two little-endian bytes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
from collections.abc import Callable, Sequence
from typing import IO, Any

from kctl.sandbox._reaper import Reaper
from kctl.sandbox._websocket import WebSocket

__all__ = ["attach_session", "drain", "exec_session", "portforward_session", "status_json"]

STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255


def status_json(code: int | None, argv: Sequence[str] = (), message: str = "") -> bytes:
    """The error channel's metav1.Status (json.Marshal of a bare Status: no kind)."""
    if message:
        # apierrors.NewInternalError, as the apiserver's translator writes the kubelet's error.
        status: dict[str, Any] = {
            "metadata": {},
            "status": "Failure",
            "message": f"Internal error occurred: {message}",
            "reason": "InternalError",
            "details": {"causes": [{"message": message}]},
            "code": 500,
        }
    elif not code:
        status = {"metadata": {}, "status": "Success"}
    else:
        status = {
            "metadata": {},
            "status": "Failure",
            "message": "command terminated with non-zero exit code: error executing command "
            f"[{' '.join(argv)}], exit code {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
        }
    return json.dumps(status, separators=(",", ":")).encode()


def _first_frame(ws: WebSocket, stdout: bool, stderr: bool) -> None:
    # The apiserver's translator opens the stream with an empty write on the first output
    # channel, so that clients see the connection ready.
    ws.send(STDOUT if stdout else STDERR if stderr else ERROR)


def drain(ws: WebSocket) -> None:
    """Read until the client's close answer, so that no unread input turns into a reset."""
    while ws.receive() is not None:
        continue


def _pump(src: IO[bytes] | int, ws: WebSocket, channel: int) -> None:
    while True:
        try:
            data = os.read(src, 65536) if isinstance(src, int) else src.read1(65536)  # type: ignore[attr-defined]
        except OSError:
            return  # a pty's master reads EIO once the last slave holder exits
        if not data or not ws.send(channel, data):
            return


def _resize(fd: int, payload: bytes) -> None:
    import fcntl
    import struct
    import termios

    try:
        size = json.loads(payload)
        width, height = int(size.get("Width", 0)), int(size.get("Height", 0))
    except (ValueError, TypeError, AttributeError):
        return
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return


def exec_session(
    ws: WebSocket,
    argv: list[str],
    *,
    cwd: str,
    env: dict[str, str],
    stdin: bool,
    stdout: bool,
    stderr: bool,
    tty: bool,
    reaper: Reaper | None = None,
) -> None:
    """Run ``argv`` in the container's directory and env, wired to the channels; ``reaper``
    ends the command if the sandbox's owner dies first."""
    master = slave = -1
    if tty:
        import pty

        master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=slave if tty else subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=slave if tty else subprocess.PIPE if stdout else subprocess.DEVNULL,
            stderr=slave if tty else subprocess.PIPE if stderr else subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as err:
        for fd in (master, slave):
            if fd >= 0:
                os.close(fd)
        # What runc answers for a missing executable, through the apiserver's translator.
        reason = "executable file not found in $PATH" if err.errno == 2 else err.strerror
        ws.send(
            ERROR,
            status_json(
                None,
                message="error executing command in container: "
                f'failed to exec in container: exec: "{argv[0]}": {reason}',
            ),
        )
        ws.close()
        drain(ws)
        return
    if reaper is not None:
        reaper.add(proc.pid)
    if tty:
        os.close(slave)
    _first_frame(ws, stdout or tty, stderr)
    pumps = []
    if tty:
        pumps.append(threading.Thread(target=_pump, args=(master, ws, STDOUT), daemon=True))
    else:
        for src, channel in ((proc.stdout, STDOUT), (proc.stderr, STDERR)):
            if src is not None:
                pumps.append(threading.Thread(target=_pump, args=(src, ws, channel), daemon=True))
    for t in pumps:
        t.start()

    def write_stdin(data: bytes) -> None:
        if tty:
            os.write(master, data)
        elif proc.stdin is not None:
            proc.stdin.write(data)
            proc.stdin.flush()

    def close_stdin() -> None:
        if tty:
            os.write(master, b"\x04")  # EOF for the terminal's line discipline
        elif proc.stdin is not None:
            proc.stdin.close()

    reader = threading.Thread(
        target=_read_client,
        args=(ws, proc, write_stdin, close_stdin, master if tty else -1),
        daemon=True,
    )
    reader.start()
    code = proc.wait()
    if reaper is not None:
        reaper.discard(proc.pid)
    for t in pumps:
        t.join(timeout=2.0)
    if tty:
        os.close(master)
    if code < 0:
        code = 128 - code
    ws.send(ERROR, status_json(code, argv))
    ws.close()
    reader.join(timeout=2.0)


def _read_client(
    ws: WebSocket,
    proc: subprocess.Popen[bytes],
    write_stdin: Callable[[bytes], None],
    close_stdin: Callable[[], None],
    resize_fd: int,
) -> None:
    """Client frames until it closes; a client that leaves takes its command with it."""
    while True:
        message = ws.receive()
        if message is None:
            if proc.poll() is None:
                _kill_group(proc)
            return
        channel, data = message
        try:
            if channel == STDIN and data:
                write_stdin(data)
            elif channel == CLOSE and data[:1] == bytes([STDIN]):
                close_stdin()
            elif channel == RESIZE and resize_fd >= 0:
                _resize(resize_fd, data)
        except (OSError, ValueError):
            # The command closed its stdin or ended: later input has nowhere to go.
            continue


def attach_session(
    ws: WebSocket,
    follow: Callable[[Callable[[float], bool]], Any],
    stdin_pipe: IO[bytes] | None,
    exit_code: Callable[[], int | None],
    *,
    stdout: bool,
    stderr: bool,
) -> None:
    """Attach to a running container: its new output, and stdin if it has one open."""
    _first_frame(ws, stdout, stderr)
    gone = threading.Event()

    def read_client() -> None:
        while True:
            message = ws.receive()
            if message is None:
                gone.set()
                return
            channel, data = message
            if stdin_pipe is None:
                continue
            try:
                if channel == STDIN and data:
                    stdin_pipe.write(data)
                    stdin_pipe.flush()
                elif channel == CLOSE and data[:1] == bytes([STDIN]):
                    # stdinOnce-like: the client's EOF is the container's.
                    stdin_pipe.close()
            except (OSError, ValueError):
                continue

    reader = threading.Thread(target=read_client, daemon=True)
    reader.start()
    for _, stream, line in follow(lambda _t: gone.is_set()):
        if (stream == STDOUT and stdout) or (stream == STDERR and stderr):
            ws.send(stream, line)
    if not gone.is_set():
        ws.send(ERROR, status_json(exit_code() or 0, ["attach"]))
        ws.close()
    reader.join(timeout=2.0)


def portforward_session(ws: WebSocket, ip: str, ports: list[int], pod: str, uid: str) -> None:
    """One TCP connection per requested port to the pod's address, for the socket's life."""
    conns: list[socket.socket | None] = []
    for i, port in enumerate(ports):
        prefix = port.to_bytes(2, "little")
        ws.send(2 * i, prefix)
        ws.send(2 * i + 1, prefix)
    live = threading.Semaphore(0)
    for i, port in enumerate(ports):
        try:
            conn: socket.socket | None = socket.create_connection((ip, port), timeout=5)
        except OSError as err:
            text = err.strerror or str(err)
            ws.send(
                2 * i + 1,
                f"error forwarding port {port} to pod {pod}, uid {uid}: "
                f"dial tcp {ip}:{port}: connect: {text.lower()}".encode(),
            )
            conn = None
        conns.append(conn)
        if conn is not None:
            conn.settimeout(None)
            threading.Thread(
                target=_pod_to_client, args=(conn, ws, 2 * i, live), daemon=True
            ).start()
        else:
            live.release()

    def read_client() -> None:
        while True:
            message = ws.receive()
            if message is None:
                break
            channel, data = message
            index = channel // 2
            if channel % 2 or index >= len(conns) or conns[index] is None or not data:
                continue
            try:
                conns[index].sendall(data)  # type: ignore[union-attr]
            except OSError:
                continue
        for conn in conns:
            if conn is not None:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    continue
        for _ in conns:
            live.release()

    reader = threading.Thread(target=read_client, daemon=True)
    reader.start()
    # The forward ends when every port's connection has ended (or the client left).
    for _ in ports:
        live.acquire()
    ws.close()
    reader.join(timeout=2.0)
    for conn in conns:
        if conn is not None:
            conn.close()


def _pod_to_client(
    conn: socket.socket, ws: WebSocket, channel: int, done: threading.Semaphore
) -> None:
    try:
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data or not ws.send(channel, data):
                return
    finally:
        done.release()
