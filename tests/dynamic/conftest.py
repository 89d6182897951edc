"""An in-memory Transport: scripted answers, every request recorded."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kctl.rest import Config, Headers, HTTPRequest


class FakeResponse:
    def __init__(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.status = status
        self.reason = "OK" if status < 400 else "Error"
        self.headers = Headers({"Content-Type": content_type})
        self._buf = io.BytesIO(body)

    def read(self) -> bytes:
        return self._buf.read()

    def iter_chunks(self, size: int = 65536) -> Iterator[bytes]:
        while chunk := self._buf.read(size):
            yield chunk

    def readline(self) -> bytes:
        return self._buf.readline()

    def close(self) -> None:
        self._buf.close()


Answer = tuple[int, Any]


class FakeTransport:
    """``handler(request) -> (status, body)``; a dict/list body is sent as JSON."""

    def __init__(self, handler: Callable[[HTTPRequest], Answer]) -> None:
        self.handler = handler
        self.requests: list[HTTPRequest] = []

    def send(self, request: HTTPRequest, *, stream: bool = False) -> FakeResponse:
        self.requests.append(request)
        status, body = self.handler(request)
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        return FakeResponse(status, body)

    def close(self) -> None:
        pass

    @property
    def last(self) -> HTTPRequest:
        return self.requests[-1]


@pytest.fixture
def fake() -> FakeTransport:
    """Echoes a request body back; answers a body-less request with an empty PodList."""

    def echo(request: HTTPRequest) -> Answer:
        if request.body:
            return 200, json.loads(request.body)
        return 200, {"kind": "PodList", "metadata": {"resourceVersion": "7"}, "items": []}

    return FakeTransport(echo)


@pytest.fixture
def config() -> Config:
    # A negative QPS: no client-side limiter, these tests send many requests.
    return Config(host="http://127.0.0.1:1", qps=-1)
