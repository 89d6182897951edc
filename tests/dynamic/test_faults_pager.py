"""The list pager against an injected ``expire-rv`` on its continue request (410 Expired).

client-go's pager then lists once more in full (no limit, no continue, the resourceVersion
first asked for); ``pages()`` must still hand every object over exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kctl import dynamic
from kctl.dynamic import ListPager
from kctl.errors import StatusError, is_resource_expired
from kctl.metav1 import ListOptions
from kctl.sandbox import Sandbox
from kctl.schema import GroupVersionResource

PATH = "/api/v1/namespaces/default/configmaps"
NAMES = [f"cm-{i:02d}" for i in range(7)]
# Apart from the root-CA publisher's ConfigMap, which every namespace holds.
MINE = "test=pager"


@pytest.fixture
def cms() -> Iterator[Any]:
    with Sandbox(seed="empty") as sb:
        dyn = dynamic.new_for_config(sb.rest_config().copy(qps=-1))
        client = dyn.resource(GroupVersionResource("", "v1", "configmaps")).namespace("default")
        for name in NAMES:
            meta = {"name": name, "labels": {"test": "pager"}}
            client.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta})
        client.sandbox = sb
        yield client


class Calls:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.options: list[ListOptions] = []

    def __call__(self, opts: ListOptions) -> Any:
        self.options.append(opts)
        return self.client.list(opts)


def names(items: list[Any]) -> list[str]:
    return [i["metadata"]["name"] for i in items]


def test_list_falls_back_to_one_full_list(cms: Any) -> None:
    fault = cms.sandbox.faults.add(f"expire-rv,times=1,path={PATH}")
    calls = Calls(cms)
    result = ListPager(calls, page_size=3).list(
        ListOptions(resource_version="0", label_selector=MINE)
    )
    assert names(result["items"]) == NAMES
    assert fault._fired == 1
    first, second, full = calls.options
    assert (first.limit, first.continue_, first.resource_version) == (3, "", "0")
    assert second.limit == 3 and second.continue_ and second.resource_version == ""
    assert (full.limit, full.continue_, full.resource_version) == (0, "", "0")
    assert full.label_selector == MINE


def test_pages_yield_every_object_exactly_once(cms: Any) -> None:
    # Expire the third request: two pages were handed out before the fallback.
    fault = cms.sandbox.faults.add(f"expire-rv,every=2,times=1,path={PATH}")
    calls = Calls(cms)
    pages = list(ListPager(calls, page_size=2).pages(ListOptions(label_selector=MINE)))
    assert fault._fired == 1
    assert [len(p["items"]) for p in pages] == [2, 2, 3]  # the last: the full list's remainder
    assert names([i for p in pages for i in p["items"]]) == NAMES
    assert [o.limit for o in calls.options] == [2, 2, 2, 0]


def test_dynamic_list_pages_across_an_expired_token(cms: Any) -> None:
    cms.sandbox.faults.add(f"expire-rv,times=1,path={PATH}")
    items = [i for page in cms.list_pages(page_size=4, label_selector=MINE) for i in page["items"]]
    assert names(items) == NAMES


def test_without_fallback_the_410_surfaces(cms: Any) -> None:
    cms.sandbox.faults.add(f"expire-rv,times=1,path={PATH}")
    pager = ListPager(cms.list, page_size=3, full_list_if_expired=False)
    pages = pager.pages()
    assert names(next(pages)["items"]) == NAMES[:3]
    with pytest.raises(StatusError) as info:
        next(pages)
    assert is_resource_expired(info.value) and info.value.code == 410
    assert info.value.message.startswith("The provided continue parameter is too old")
