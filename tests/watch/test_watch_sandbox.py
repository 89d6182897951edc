"""The pager's expired-continue fallback and the Reflector against a sandbox with a short
history (``history=3``), which expires continue tokens after a few writes with no
compaction: a knob only the sandbox has. test_backends.py runs the same behaviours on both
backends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kctl import dynamic
from kctl.metav1 import ListOptions
from kctl.schema import GroupVersionResource
from kctl.watch import Reflector

# Every namespace also holds the root-CA publisher's ConfigMap.
NOT_ROOT_CA = "metadata.name!=kube-root-ca.crt"


@pytest.fixture
def cms() -> Iterator[Any]:
    from kctl.sandbox import Sandbox

    # A short history: continue tokens and old resourceVersions expire after a few writes.
    with Sandbox(history=3) as sb:
        dyn = dynamic.new_for_config(sb.rest_config().copy(qps=-1))
        yield dyn.resource(GroupVersionResource("", "v1", "configmaps")).namespace("default")


def create(cms: Any, name: str) -> None:
    cms.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})


def test_pages_survive_an_expired_continue_token(cms: Any) -> None:
    for i in range(5):
        create(cms, f"cm-{i}")
    pages = cms.list_pages(page_size=2, field_selector=NOT_ROOT_CA)
    first = next(pages)
    for i in range(5, 10):
        create(cms, f"cm-{i}")
    rest = list(pages)
    names = [i["metadata"]["name"] for p in [first, *rest] for i in p["items"]]
    assert len(rest) == 1  # the fallback: one full list, minus what was already yielded
    assert sorted(names) == sorted(f"cm-{i}" for i in range(10))


def test_reflector_syncs_then_streams(cms: Any) -> None:
    for i in range(3):
        create(cms, f"cm-{i}")
    reflector = Reflector(cms, ListOptions(field_selector=NOT_ROOT_CA), sleep=lambda s: None)
    seen: list[tuple[str, str]] = []
    for event in reflector:
        seen.append((event.type, event.object["metadata"].get("name", "")))
        if event.type == "BOOKMARK":
            create(cms, "late")
        if len(seen) == 5:
            break
    reflector.stop()
    assert seen == [
        ("ADDED", "cm-0"),
        ("ADDED", "cm-1"),
        ("ADDED", "cm-2"),
        ("BOOKMARK", ""),
        ("ADDED", "late"),
    ]
