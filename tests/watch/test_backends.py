"""The Reflector, RetryWatcher and the pager's fallback against both backends: the sandbox and
the real kube-apiserver.

The pure tests script the server's answers; these check the scripts against a real one.
Nothing here needs a kubelet or controllers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kctl import dynamic
from kctl.metav1 import ListOptions
from kctl.schema import GroupVersionResource
from kctl.watch import Reflector, RetryWatcher

# The sandbox publishes kube-root-ca.crt in every namespace; a bare kube-apiserver does not.
MINE = "kctl.test/mine=yes"


def _resource(cluster: Any, plural: str) -> Any:
    dyn = dynamic.new_for_config(cluster.rest_config().copy(qps=-1))
    return dyn.resource(GroupVersionResource("", "v1", plural)).namespace(cluster.namespace)


def cm(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"kctl.test/mine": "yes"}},
    }


@pytest.mark.parametrize("use_watch_list", [True, False], ids=["watch-list", "list-watch"])
def test_reflector_syncs_then_streams(cluster: Any, use_watch_list: bool) -> None:
    cms = _resource(cluster, "configmaps")
    for i in range(3):
        cms.create(cm(f"r{i}"))
    reflector = Reflector(
        cms,
        ListOptions(label_selector=MINE),
        use_watch_list=use_watch_list,
        page_size=2,
        sleep=lambda s: None,
    )
    seen: list[tuple[str, str]] = []
    try:
        for event in reflector:
            seen.append((event.type, event.object["metadata"].get("name", "")))
            if event.type == "BOOKMARK":
                cms.create(cm("late"))
            elif event.object["metadata"].get("name") == "late" and event.type == "ADDED":
                cms.delete("r1")
            elif event.type == "DELETED":
                break
    finally:
        reflector.stop()
    # WatchList sends the initial objects in no promised order; a list sorts them by key.
    assert sorted(seen[:3]) == [("ADDED", "r0"), ("ADDED", "r1"), ("ADDED", "r2")]
    assert seen[3:] == [("BOOKMARK", ""), ("ADDED", "late"), ("DELETED", "r1")]
    assert sorted(reflector.store[k]["metadata"]["name"] for k in reflector.store) == [
        "late",
        "r0",
        "r2",
    ]


def test_retry_watcher_resumes_from_a_resource_version(cluster: Any) -> None:
    cms = _resource(cluster, "configmaps")
    start = cms.list(label_selector=MINE)["metadata"]["resourceVersion"]
    cms.create(cm("a"))
    cms.create(cm("b"))
    watcher = RetryWatcher(cms, start, ListOptions(label_selector=MINE), sleep=lambda s: None)
    seen: list[tuple[str, str]] = []
    try:
        for event in watcher:
            seen.append((event.type, event.object["metadata"]["name"]))
            if len(seen) == 2:
                cms.delete("a")
            if len(seen) == 3:
                break
    finally:
        watcher.stop()
    assert seen == [("ADDED", "a"), ("ADDED", "b"), ("DELETED", "a")]


def test_pager_falls_back_to_a_full_list_when_continue_expires(
    cluster: Any, compact: Callable[[Any], None]
) -> None:
    # PodTemplates, which the shared real server serves without its watch cache.
    templates = _resource(cluster, "podtemplates")

    def create(name: str) -> None:
        templates.create(
            {
                "apiVersion": "v1",
                "kind": "PodTemplate",
                "metadata": {"name": name},
                "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}},
            }
        )

    for i in range(5):
        create(f"p{i}")
    pages = templates.list_pages(page_size=2)
    first = next(pages)
    create("p5")
    create("p6")
    compact(cluster)
    rest = list(pages)
    # client-go's pager: a 410 on a continue is answered with one full list, of which the
    # items of the pages already given are dropped.
    assert len(rest) == 1
    names = [o["metadata"]["name"] for page in [first, *rest] for o in page["items"]]
    assert sorted(names) == [f"p{i}" for i in range(7)]
