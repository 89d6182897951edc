"""A Watcher stopped from another thread ends iteration instead of leaking read errors."""

from __future__ import annotations

import threading

from kctl.rest import Watcher


class _TornResponse:
    """readline() blocks until closed, then fails the way http.client does mid-teardown."""

    def __init__(self) -> None:
        self.closed = threading.Event()

    def readline(self) -> bytes:
        self.closed.wait(timeout=10)
        raise AttributeError("'NoneType' object has no attribute 'readline'")

    def close(self) -> None:
        self.closed.set()


def test_stop_from_other_thread_ends_iteration() -> None:
    response = _TornResponse()
    watcher = Watcher(response)  # type: ignore[arg-type]
    result: list[object] = []
    errors: list[BaseException] = []
    reading = threading.Event()
    original = response.readline

    def readline() -> bytes:
        reading.set()
        return original()

    response.readline = readline  # type: ignore[method-assign]

    def consume() -> None:
        try:
            result.extend(watcher)
        except BaseException as err:
            errors.append(err)

    t = threading.Thread(target=consume)
    t.start()
    assert reading.wait(timeout=10)
    watcher.stop()
    t.join(timeout=10)
    assert not t.is_alive()
    assert errors == []
    assert result == []


def test_unexpected_error_still_raises_when_not_stopped() -> None:
    class Broken:
        def readline(self) -> bytes:
            raise AttributeError("boom")

        def close(self) -> None:
            pass

    watcher = Watcher(Broken())  # type: ignore[arg-type]
    try:
        next(watcher)
    except AttributeError:
        pass
    else:
        raise AssertionError("an unexpected error while running must propagate")
