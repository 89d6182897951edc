"""Decoding a watch stream: one JSON event per line (client-go's StreamWatcher)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any, NamedTuple

from kctl.errors import KctlError
from kctl.rest._http import HTTPResponse

__all__ = ["WatchEvent", "Watcher", "client_watch_decoding_status"]

_EVENT_TYPES = frozenset({"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"})


class WatchEvent(NamedTuple):
    type: str
    object: dict[str, Any]


def client_watch_decoding_status(verb: str, message: str) -> dict[str, Any]:
    """NewClientErrorReporter(500, verb, "ClientWatchDecoding").AsObject(err)."""
    from kctl.rest._errors import generic_server_response

    err = generic_server_response(500, verb, "", "", "", message, 0)
    status = dict(err.status)
    details = dict(status.get("details") or {})
    details["causes"] = [
        *details.get("causes", []),
        {"reason": "ClientWatchDecoding", "message": message},
    ]
    status["details"] = details
    return status


class Watcher:
    """Iterates the events of one watch response; ``stop()`` closes it and ends iteration.

    A line that cannot be decoded becomes one ERROR event carrying a Status, after which
    the watch ends, as client-go's StreamWatcher does.
    """

    def __init__(self, response: HTTPResponse | None, verb: str = "GET") -> None:
        self._response = response
        self._verb = verb
        self._stopped = response is None
        self._lock = threading.Lock()

    @property
    def response(self) -> HTTPResponse | None:
        return self._response

    def __iter__(self) -> Iterator[WatchEvent]:
        return self

    def __next__(self) -> WatchEvent:
        while True:
            if self._stopped or self._response is None:
                raise StopIteration
            try:
                line = self._response.readline()
            except (OSError, ValueError, KctlError):
                # A closed or broken connection ends the watch, as an EOF would.
                self.stop()
                raise StopIteration from None
            except Exception:
                # stop() from another thread closes the socket under a blocked read, and the
                # reader then fails with whatever its half-torn state raises.
                if self._stopped:
                    self.stop()
                    raise StopIteration from None
                raise
            if not line:
                self.stop()
                raise StopIteration
            if not line.strip():
                continue
            return self._decode(line)

    def _decode(self, line: bytes) -> WatchEvent:
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("watch event is not an object")
            kind = data.get("type")
            if kind not in _EVENT_TYPES:
                raise ValueError(f"got invalid watch event type: {kind}")
            obj = data.get("object")
            if not isinstance(obj, dict):
                raise ValueError("watch event object is not an object")
        except ValueError as err:
            self.stop()
            text = f"unable to decode an event from the watch stream: {err}"
            return WatchEvent("ERROR", client_watch_decoding_status(self._verb, text))
        return WatchEvent(str(kind), obj)

    def stop(self) -> None:
        with self._lock:
            if self._stopped and self._response is None:
                return
            self._stopped = True
            response, self._response = self._response, None
        if response is not None:
            response.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
