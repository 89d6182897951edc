"""Watch tools, as client-go's tools/watch and tools/cache: RetryWatcher and a Reflector.

with RetryWatcher(pods, "12345") as w:        # resume across drops, from a known version
    for event in w: ...
for event in list_and_watch(pods):            # gap-free, duplicate-free, across re-lists
    ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kctl.watch._common import (
    ADDED,
    BOOKMARK,
    DELETED,
    ERROR,
    INITIAL_EVENTS_END,
    MODIFIED,
    EventStream,
    Lister,
    Watchable,
)
from kctl.watch._reflector import Reflector
from kctl.watch._retry import RetryWatcher

if TYPE_CHECKING:
    from kctl.metav1 import ListOptions
    from kctl.watch._common import Sleep

__all__ = [
    "ADDED",
    "BOOKMARK",
    "DELETED",
    "ERROR",
    "INITIAL_EVENTS_END",
    "MODIFIED",
    "EventStream",
    "Lister",
    "Reflector",
    "RetryWatcher",
    "Watchable",
    "list_and_watch",
]


def list_and_watch(
    client: Lister,
    opts: ListOptions | None = None,
    *,
    use_watch_list: bool | None = None,
    page_size: int = 500,
    sleep: Sleep | None = None,
) -> Reflector:
    """A Reflector over ``client`` (a dynamic or typed resource client); see Reflector."""
    return Reflector(client, opts, use_watch_list=use_watch_list, page_size=page_size, sleep=sleep)
