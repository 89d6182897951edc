"""A TCP relay in front of a server, on 127.0.0.1, whose connections a test can cut mid-stream:
with a reset (RST) or a plain close (FIN), as a crashed proxy or a dropped link would."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading


class Relay:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._pairs: list[tuple[socket.socket, socket.socket, threading.Event]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            cut = threading.Event()
            with self._lock:
                self._pairs.append((client, server, cut))
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst, cut), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, cut: threading.Event) -> None:
        # Once cut, nothing more passes either way: what the server says as its side closes
        # (a final chunk) must not reach the client before the cut does.
        with contextlib.suppress(OSError):
            while (data := src.recv(65536)) and not cut.is_set():
                dst.sendall(data)
        if not cut.is_set():
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def cut(self, *, reset: bool) -> int:
        """Cut every connection open now; returns how many there were."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for _, _, cut in pairs:
            cut.set()
        for client, server, _ in pairs:
            with contextlib.suppress(OSError):
                if reset:
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    # Wakes the pump blocked on it, so that closing really closes (resets).
                    client.shutdown(socket.SHUT_RD)
                else:
                    client.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            client.close()
            server.close()
        return len(pairs)

    def close(self) -> None:
        self._listener.close()
        self.cut(reset=False)
