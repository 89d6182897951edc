"""ListPager: paging with limit/continue and client-go's full-list fallback on 410 Expired."""

from __future__ import annotations

from typing import Any

import pytest

from kctl.dynamic import ListPager
from kctl.errors import StatusError, new_status_error
from kctl.metav1 import ListOptions

EXPIRED = new_status_error(410, "Expired", "The provided continue parameter is too old")


def item(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "dev"}}


class PagedServer:
    """Serves ``names`` in pages; ``expire_at`` makes that page's continue token expired."""

    def __init__(self, names: list[str], expire_at: int | None = None) -> None:
        self.names = names
        self.expire_at = expire_at
        self.calls: list[ListOptions] = []

    def __call__(self, opts: ListOptions) -> dict[str, Any]:
        self.calls.append(opts)
        start = int(opts.continue_) if opts.continue_ else 0
        if opts.continue_ and start == self.expire_at:
            raise EXPIRED
        end = len(self.names) if opts.limit == 0 else start + opts.limit
        meta: dict[str, Any] = {"resourceVersion": "42"}
        if end < len(self.names):
            meta["continue"] = str(end)
            meta["remainingItemCount"] = len(self.names) - end
        return {
            "kind": "PodList",
            "metadata": meta,
            "items": [item(n) for n in self.names[start:end]],
        }


NAMES = [f"p{i}" for i in range(7)]


def names(lst: dict[str, Any]) -> list[str]:
    return [i["metadata"]["name"] for i in lst["items"]]


def test_list_merges_every_page() -> None:
    server = PagedServer(NAMES)
    result = ListPager(server, page_size=3).list(ListOptions(resource_version="0"))
    assert names(result) == NAMES
    assert result["metadata"] == {"resourceVersion": "42"}
    assert [c.limit for c in server.calls] == [3, 3, 3]
    assert [c.continue_ for c in server.calls] == ["", "3", "6"]
    # A continue token already pins the snapshot: no resourceVersion after the first page.
    assert [c.resource_version for c in server.calls] == ["0", "", ""]


def test_list_falls_back_to_a_full_list_at_the_requested_version() -> None:
    server = PagedServer(NAMES, expire_at=6)
    opts = ListOptions(resource_version="5", resource_version_match="NotOlderThan")
    result = ListPager(server, page_size=3).list(opts)
    assert names(result) == NAMES
    last = server.calls[-1]
    assert (last.limit, last.continue_) == (0, "")
    assert (last.resource_version, last.resource_version_match) == ("5", "NotOlderThan")


def test_list_without_fallback_raises() -> None:
    server = PagedServer(NAMES, expire_at=3)
    with pytest.raises(StatusError) as err:
        ListPager(server, page_size=3, full_list_if_expired=False).list()
    assert err.value.code == 410


def test_expired_on_first_page_is_not_retried() -> None:
    def first_page_fails(opts: ListOptions) -> dict[str, Any]:
        raise EXPIRED

    with pytest.raises(StatusError):
        ListPager(first_page_fails).list()


def test_pages_stream_and_fallback_yields_only_unseen_objects() -> None:
    server = PagedServer(NAMES, expire_at=6)
    pages = list(ListPager(server, page_size=3).pages())
    assert [names(p) for p in pages] == [["p0", "p1", "p2"], ["p3", "p4", "p5"], ["p6"]]
    assert server.calls[-1].limit == 0


def test_items_iterates_objects_once() -> None:
    server = PagedServer(NAMES)
    got = [i["metadata"]["name"] for i in ListPager(server, page_size=2).items()]
    assert got == NAMES
    assert len(server.calls) == 4
