"""The seam between request building and sending: HTTPRequest, Headers, Transport.

Nothing here imports ``http.client`` or ``ssl``; a fake transport can replace the real one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = ["HTTPRequest", "HTTPResponse", "Headers", "Transport"]


class Headers(Mapping[str, str]):
    """Case-insensitive, multi-valued HTTP headers that keep the first spelling of each name.

    As a Mapping it shows the first value of each name; ``get_all`` and ``multi_items`` see all.
    """

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] | None = None) -> None:
        self._items: list[tuple[str, str]] = []
        if items is None:
            return
        pairs = (
            items.multi_items()
            if isinstance(items, Headers)
            else items.items()
            if isinstance(items, Mapping)
            else items
        )
        for key, value in pairs:
            self.add(key, value)

    def add(self, key: str, value: str) -> None:
        self._items.append((key, value))

    def set(self, key: str, *values: str) -> None:
        self.delete(key)
        for value in values:
            self.add(key, value)

    def delete(self, key: str) -> None:
        lower = key.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != lower]

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        lower = key.lower()
        for k, v in self._items:
            if k.lower() == lower:
                return v
        return default

    def get_all(self, key: str) -> list[str]:
        lower = key.lower()
        return [v for k, v in self._items if k.lower() == lower]

    def multi_items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def _names(self) -> list[str]:
        seen: dict[str, str] = {}
        for k, _ in self._items:
            seen.setdefault(k.lower(), k)
        return list(seen.values())

    def copy(self) -> Headers:
        return Headers(self._items)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return sorted((k.lower(), v) for k, v in self._items) == sorted(
                (k.lower(), v) for k, v in other._items
            )
        return NotImplemented

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(frozen=True)
class HTTPRequest:
    """The pure product of building a request. Authentication is never stored here."""

    method: str
    url: str
    headers: Headers = field(default_factory=Headers)
    body: bytes | None = None
    timeout: float | None = None
    # A one-shot body (file-like); requests carrying one are never retried.
    stream_body: object | None = field(default=None, compare=False)


@runtime_checkable
class HTTPResponse(Protocol):
    status: int
    reason: str
    headers: Headers

    def read(self) -> bytes: ...

    def iter_chunks(self, size: int = 65536) -> Iterator[bytes]: ...

    def readline(self) -> bytes: ...

    def close(self) -> None: ...


@runtime_checkable
class Transport(Protocol):
    def send(self, request: HTTPRequest, *, stream: bool = False) -> HTTPResponse: ...

    def close(self) -> None: ...
