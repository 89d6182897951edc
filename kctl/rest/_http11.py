"""A small, strict HTTP/1.1 client connection over a connected socket (plain or TLS).

It replaces ``http.client``, whose import drags in ``email.parser`` and ``ssl`` even for plain
http. Framing follows RFC 9112 and Go's net/http client: bodies by Content-Length, chunked
transfer coding (extensions ignored, trailers kept) or until close; HEAD, 1xx, 204 and 304
carry none; interim 1xx answers are skipped; a connection is reusable only after its response
was read to the end without ``Connection: close``. Error texts are Go's.

Errors are ``OSError`` subclasses so that callers treating a broken socket and a broken stream
alike need one ``except``.
"""

from __future__ import annotations

import socket
from typing import Any

from kctl.rest._http import Headers

__all__ = [
    "HTTPConnection",
    "HTTPError",
    "HTTPResponse",
    "IncompleteRead",
    "RemoteDisconnected",
    "build_request_head",
]

# Go's Transport default for MaxResponseHeaderBytes.
MAX_HEADER_BYTES = 10 << 20
# net/http/internal's chunked reader refuses longer chunk-size lines.
_MAX_CHUNK_LINE = 4096
_RECV_SIZE = 65536
_OWS = " \t"


class HTTPError(OSError):
    """The peer (or the caller) broke HTTP/1.1; ``str()`` is Go's wording."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class IncompleteRead(HTTPError):
    """The connection ended inside a body (Go's io.ErrUnexpectedEOF)."""

    def __init__(self, text: str = "unexpected EOF") -> None:
        super().__init__(text)


class RemoteDisconnected(HTTPError):
    """The connection ended before any byte of a response arrived."""


def _check_token(name: str) -> bool:
    return bool(name) and all(33 <= ord(c) < 127 and c not in '"(),/:;<=>?@[\\]{}' for c in name)


def build_request_head(method: str, target: str, headers: list[tuple[str, str]]) -> bytes:
    """The request line and header block; names and values are checked as Go checks them."""
    if not _check_token(method):
        raise HTTPError(f"net/http: invalid method {method!r}")
    lines = [f"{method} {target} HTTP/1.1"]
    for name, value in headers:
        if not _check_token(name):
            raise HTTPError(f'net/http: invalid header field name "{name}"')
        if any(c in value for c in "\r\n\0"):
            raise HTTPError(f'net/http: invalid header field value for "{name}"')
        lines.append(f"{name}: {value.strip(_OWS)}")
    try:
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    except UnicodeEncodeError:
        # Go writes header values as raw bytes; UTF-8 is what it would be given.
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


class _Reader:
    """Buffered reads from a socket-like object that has ``recv``."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.eof = False

    def fill(self) -> bool:
        if self.eof:
            return False
        data = self.sock.recv(_RECV_SIZE)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def line(self, limit: int, too_long: str) -> bytes | None:
        """One line without its ending; None at EOF before a full line."""
        start = 0
        while True:
            end = self.buf.find(b"\n", start)
            if end >= 0:
                if end > limit:
                    raise HTTPError(too_long)
                line = bytes(self.buf[:end])
                del self.buf[: end + 1]
                return line[:-1] if line.endswith(b"\r") else line
            if len(self.buf) > limit:
                raise HTTPError(too_long)
            start = len(self.buf)
            if not self.fill():
                return None

    def some(self, limit: int) -> bytes:
        """Up to ``limit`` buffered or freshly received bytes; b"" only at EOF."""
        if not self.buf and not self.fill():
            return b""
        data = bytes(self.buf[:limit])
        del self.buf[:limit]
        return data


def _quote(text: str) -> str:
    from kctl.rest._goformat import go_quote

    return go_quote(text)


def _status_line(line: bytes) -> tuple[int, str, int]:
    """(status, reason, 10|11), checked in the order Go's ReadResponse checks them."""
    text = line.decode("latin-1")
    version, sep, rest = text.partition(" ")
    if not sep:
        raise HTTPError(f"malformed HTTP response {_quote(text)}")
    code, _, reason = rest.lstrip(" ").partition(" ")
    if len(code) != 3 or not code.isascii() or not code.isdigit():
        raise HTTPError(f"malformed HTTP status code {_quote(code)}")
    if version in ("HTTP/1.1", "HTTP/1.0"):
        minor = int(version[7])
    elif (
        len(version) == 8
        and version.startswith("HTTP/")
        and version[5].isdigit()
        and version[6] == "."
        and version[7].isdigit()
        and version.isascii()
    ):
        minor = 1 if int(version[5]) > 1 else int(version[7])
    else:
        raise HTTPError(f"malformed HTTP version {_quote(version)}")
    return int(code), reason.strip(), 11 if minor >= 1 else 10


class HTTPResponse:
    """One response; the body is read through the framing its headers announce."""

    def __init__(self, reader: _Reader, method: str) -> None:
        self._reader = reader
        used = 0
        while True:
            line = reader.line(MAX_HEADER_BYTES, _HEADERS_TOO_LONG)
            if line is None:
                if used == 0 and not reader.buf:
                    raise RemoteDisconnected("Remote end closed connection without response")
                raise HTTPError("unexpected EOF")
            used += len(line) + 2
            self.status, self.reason, self.version = _status_line(line)
            self.headers, used = self._read_headers(used)
            # Interim answers (100 Continue, 103 Early Hints) precede the real one.
            if 100 <= self.status < 200 and self.status != 101:
                continue
            break
        self.trailers = Headers()
        tokens = {
            t.strip().lower() for v in self.headers.get_all("Connection") for t in v.split(",")
        }
        self.will_close = "close" in tokens or (self.version == 10 and "keep-alive" not in tokens)
        self._chunked = False
        self._chunk_left = 0
        self._remaining: int | None = None  # None: until the connection closes
        self._done = False
        self._pending = b""  # body bytes readline() read past its newline
        if (
            method == "HEAD"
            or 100 <= self.status < 200
            or self.status in (204, 304)
            or (method == "CONNECT" and 200 <= self.status < 300)
        ):
            self._remaining = 0
            self._done = True
        elif self._transfer_chunked():
            self._chunked = True
        elif (length := self._content_length()) is not None:
            self._remaining = length
            self._done = length == 0
        else:
            self.will_close = True

    def _read_headers(self, used: int) -> tuple[Headers, int]:
        headers = Headers()
        while True:
            line = self._reader.line(MAX_HEADER_BYTES - used, _HEADERS_TOO_LONG)
            if line is None:
                raise HTTPError("unexpected EOF")
            used += len(line) + 2
            if used > MAX_HEADER_BYTES:
                raise HTTPError(_HEADERS_TOO_LONG)
            if not line:
                return headers, used
            text = line.decode("latin-1")
            if text[0] in " \t":
                # Obsolete line folding (RFC 9112 5.2): a continuation of the previous value.
                items = headers.multi_items()
                if not items:
                    raise HTTPError(f"malformed MIME header initial line: {text}")
                name, value = items[-1]
                headers.delete(name)
                for k, v in items[:-1]:
                    if k.lower() == name.lower():
                        headers.add(k, v)
                headers.add(name, f"{value} {text.strip()}")
                continue
            name, sep, value = text.partition(":")
            if not sep or not _check_token(name):
                raise HTTPError(f"malformed MIME header line: {text}")
            headers.add(name, value.strip(" \t"))

    def _transfer_chunked(self) -> bool:
        codings = [
            t.strip().lower()
            for v in self.headers.get_all("Transfer-Encoding")
            for t in v.split(",")
        ]
        codings = [c for c in codings if c]
        if not codings or codings == ["identity"]:
            return False
        if codings != ["chunked"]:
            raise HTTPError(f"unsupported transfer encoding: {','.join(codings)!r}")
        return True

    def _content_length(self) -> int | None:
        values = {v.strip() for v in self.headers.get_all("Content-Length")}
        if not values:
            return None
        if len(values) > 1:
            raise HTTPError("http: message cannot contain multiple Content-Length headers")
        value = values.pop()
        if not value.isdigit() or not value.isascii():
            raise HTTPError(f'bad Content-Length "{value}"')
        return int(value)

    @property
    def complete(self) -> bool:
        """The body was read to its end."""
        return self._done and not self._pending

    @property
    def reusable(self) -> bool:
        """The connection may carry another request."""
        return self.complete and not self.will_close

    def read1(self, size: int = _RECV_SIZE) -> bytes:
        """Some body bytes (at most ``size``, at least one unless the body is over)."""
        if size <= 0:
            return b""
        if self._pending:
            data, self._pending = self._pending[:size], self._pending[size:]
            return data
        if self._done:
            return b""
        if self._chunked:
            return self._read_chunked(size)
        reader = self._reader
        if self._remaining is None:
            data = reader.some(size)
            if not data:
                self._done = True
            return data
        data = reader.some(min(size, self._remaining))
        if not data:
            raise IncompleteRead()
        self._remaining -= len(data)
        self._done = self._remaining == 0
        return data

    def _read_chunked(self, size: int) -> bytes:
        reader = self._reader
        if self._chunk_left == 0:
            line = reader.line(_MAX_CHUNK_LINE, "header line too long")
            if line is None:
                raise IncompleteRead()
            length = line.partition(b";")[0].strip(b" \t")
            if not length or any(c not in b"0123456789abcdefABCDEF" for c in length):
                raise HTTPError("invalid byte in chunk length")
            if len(length) > 16:
                raise HTTPError("http chunk length too large")
            self._chunk_left = int(length, 16)
            if self._chunk_left == 0:
                self._read_trailers()
                self._done = True
                return b""
        data = reader.some(min(size, self._chunk_left))
        if not data:
            raise IncompleteRead()
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            end = reader.line(_MAX_CHUNK_LINE, "header line too long")
            if end is None:
                raise IncompleteRead()
            if end:
                raise HTTPError("malformed chunked encoding")
        return data

    def _read_trailers(self) -> None:
        used = 0
        while True:
            line = self._reader.line(MAX_HEADER_BYTES, _HEADERS_TOO_LONG)
            if line is None:
                raise IncompleteRead()
            used += len(line) + 2
            if used > MAX_HEADER_BYTES:
                raise HTTPError(_HEADERS_TOO_LONG)
            if not line:
                return
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep or not _check_token(name):
                raise HTTPError(f"malformed MIME header line: {line.decode('latin-1')}")
            self.trailers.add(name, value.strip(" \t"))

    def read(self) -> bytes:
        """The rest of the body."""
        parts = []
        while chunk := self.read1(_RECV_SIZE):
            parts.append(chunk)
        return b"".join(parts)

    def readline(self, limit: int = -1) -> bytes:
        """One body line including its ``\\n`` (a watch event); b"" when the body is over."""
        parts: list[bytes] = []
        total = 0
        while limit < 0 or total < limit:
            data = self.read1(_RECV_SIZE if limit < 0 else min(_RECV_SIZE, limit - total))
            if not data:
                break
            end = data.find(b"\n")
            if 0 <= end < len(data) - 1:
                self._pending = data[end + 1 :] + self._pending
                data = data[: end + 1]
            parts.append(data)
            total += len(data)
            if data.endswith(b"\n"):
                break
        return b"".join(parts)

    def close(self) -> None:
        self._done = True
        self.will_close = True


_HEADERS_TOO_LONG = f"net/http: server response headers exceeded {MAX_HEADER_BYTES} bytes; aborted"


class HTTPConnection:
    """One HTTP/1.1 exchange at a time over ``sock``, which this object owns."""

    def __init__(self, sock: socket.socket | Any) -> None:
        self.sock: Any = sock
        self._reader = _Reader(sock)
        self._response: HTTPResponse | None = None

    def send_request(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes | None = None,
    ) -> None:
        """Write the head and, for a ``bytes`` body, the body (the caller sets its length)."""
        if self._response is not None and not self._response.reusable:
            raise HTTPError("http: connection is busy with an unread response")
        self._response = None
        head = build_request_head(method, target, headers)
        self.sock.sendall(head + body if body else head)

    def send(self, data: bytes) -> None:
        """More request body (a caller-framed chunk)."""
        self.sock.sendall(data)

    def get_response(self, method: str) -> HTTPResponse:
        self._response = HTTPResponse(self._reader, method)
        return self._response

    @property
    def reusable(self) -> bool:
        return self._response is not None and self._response.reusable

    def close(self) -> None:
        sock, self.sock = self.sock, None
        if self._response is not None:
            self._response.close()
        if sock is not None:
            sock.close()
