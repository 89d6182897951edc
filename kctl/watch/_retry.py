"""client-go's RetryWatcher: one watch kept alive across dropped connections and timeouts.

It re-watches from the last resourceVersion it saw (bookmarks included), so nothing is lost
and nothing repeats. It stops with WatchError when the server says that version is gone
(410): only a fresh list can recover from that, which is the Reflector's job.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kctl.errors import StatusError, TransportError, WatchError
from kctl.metav1 import ListOptions
from kctl.watch._common import (
    ADDED,
    BOOKMARK,
    DELETED,
    ERROR,
    MODIFIED,
    Sleep,
    Watchable,
    WatchLoop,
    resource_version,
    retry_after,
    status_code,
    status_message,
)

if TYPE_CHECKING:
    from kctl.rest import WatchEvent

__all__ = ["RetryWatcher"]


class RetryWatcher(WatchLoop):
    """Iterate it for WatchEvents (bookmarks are consumed, not yielded); ``stop()`` ends it.

    ``sleep`` waits between attempts (default: an interruptible wait that ``stop()`` cuts
    short); the delay starts at ``min_backoff`` (1 s) and doubles up to ``max_backoff``
    while attempts bring nothing, honouring a Status's retryAfterSeconds.
    """

    def __init__(
        self,
        client: Watchable,
        initial_resource_version: str,
        opts: ListOptions | None = None,
        *,
        sleep: Sleep | None = None,
        min_backoff: float = 1.0,
        max_backoff: float = 30.0,
    ) -> None:
        if initial_resource_version in ("", "0"):
            # Watching from "" or "0" starts from an arbitrary point; resuming would be a lie.
            raise ValueError(
                f"initial RV {initial_resource_version!r} is not supported due to issues "
                "with underlying WATCH"
            )
        self._client = client
        self._opts = opts or ListOptions()
        self._rv = initial_resource_version
        super().__init__(sleep, min_backoff, max_backoff)

    @property
    def resource_version(self) -> str:
        """The last resourceVersion seen: where the next watch would resume."""
        return self._rv

    def _options(self) -> ListOptions:
        return replace(
            self._opts, resource_version=self._rv, allow_watch_bookmarks=True, watch=True
        )

    def _run(self) -> Iterator[WatchEvent]:
        delay_floor = 0.0
        first = True
        while not self._stopped.is_set():
            if not first:
                self._sleep(self._backoff.next(delay_floor))
                if self._stopped.is_set():
                    return
            first = False
            delay_floor = 0.0
            try:
                stream = self._client.watch(self._options())
            except StatusError as err:
                if err.code == 410:
                    raise WatchError(err.message or "resource version expired", err.status) from err
                delay_floor = float(err.retry_after_seconds)
                continue
            except TransportError:
                continue
            self._current = stream
            try:
                for event in stream:
                    if event.type in (ADDED, MODIFIED, DELETED, BOOKMARK):
                        rv = resource_version(event.object)
                        if not rv:
                            raise WatchError(
                                f"unable to get resource version from {event.type} event"
                            )
                        self._rv = rv
                        self._backoff.reset()
                        if event.type != BOOKMARK:
                            yield event
                    elif event.type == ERROR:
                        status: Any = event.object
                        if status_code(status) == 410:
                            raise WatchError(status_message(status), status)
                        # Anything else is retried: RetryWatcher proceeds unless it is sure
                        # it cannot (client-go's reasoning).
                        delay_floor = retry_after(status)
                        break
                    else:
                        raise WatchError(f"Failed to recognize Event type {event.type!r}")
            except TransportError:
                pass
            finally:
                self._current = None
                stream.stop()
