"""Empty omitempty metadata (``labels: {}``, ``finalizers: []``, ...) is never stored: Go's
encoder leaves it out, so what a client reads back has none of it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, wait_for

from kctl.sandbox import Sandbox

CMS = "/api/v1/namespaces/default/configmaps"

EMPTIES = {
    "labels": {},
    "annotations": {},
    "finalizers": [],
    "ownerReferences": [],
    "generateName": "",
}


def _cm(name: str, **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, **meta},
        "data": {"k": "v"},
    }


def test_create_and_get_drop_empty_metadata(sandbox: Sandbox) -> None:
    reply = call(sandbox, "POST", CMS, _cm("a", **EMPTIES))
    assert reply.status == 201, reply.body
    for answer in (reply.json(), call(sandbox, "GET", f"{CMS}/a").json()):
        meta = answer["metadata"]
        assert not set(EMPTIES) & set(meta), meta
        # A manager never owns what was dropped.
        (entry,) = meta["managedFields"]
        assert entry["fieldsV1"] == {"f:data": {".": {}, "f:k": {}}}


def test_update_and_patch_that_empty_a_map_drop_it(sandbox: Sandbox) -> None:
    created = call(sandbox, "POST", CMS, _cm("b", labels={"a": "1"}, annotations={"x": "y"}))
    obj = created.json()
    obj["metadata"]["labels"] = {}
    obj["metadata"]["finalizers"] = []
    replaced = call(sandbox, "PUT", f"{CMS}/b", obj)
    assert replaced.status == 200, replaced.body
    assert "labels" not in replaced.json()["metadata"]
    assert "finalizers" not in replaced.json()["metadata"]
    patched = call(
        sandbox,
        "PATCH",
        f"{CMS}/b",
        {"metadata": {"annotations": {"x": None}}},
        content_type="application/merge-patch+json",
    )
    assert patched.status == 200, patched.body
    assert "annotations" not in call(sandbox, "GET", f"{CMS}/b").json()["metadata"]


def test_custom_resources_drop_empty_metadata_too(sandbox: Sandbox) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    assert call(sandbox, "POST", crds, crd).status == 201
    widgets = "/apis/example.com/v1/namespaces/default/widgets"
    body = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "labels": {}, "annotations": None, "finalizers": []},
        "spec": {"labels": {}},
    }
    assert wait_for(lambda: call(sandbox, "GET", widgets).status == 200)
    reply = call(sandbox, "POST", widgets, body)
    assert reply.status == 201, reply.body
    stored = call(sandbox, "GET", f"{widgets}/w").json()
    assert not {"labels", "annotations", "finalizers"} & set(stored["metadata"])
    # Only metadata is ObjectMeta: the rest of a custom resource is kept as sent.
    assert stored["spec"] == {"labels": {}}


@pytest.mark.parametrize("first", [["create"], ["apply", "--server-side"]])
def test_kubectl_diff_of_an_unchanged_object_is_empty(
    sandbox: Sandbox, run_kubectl: Any, first: list[str]
) -> None:
    # kubectl diff's patch carries "annotations: {}" (it strips last-applied from the
    # manifest); the patched object must not keep it.
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\ndata:\n  k: v\n"
    created = run_kubectl(sandbox, *first, "-f", "-", input=manifest)
    assert created.returncode == 0, created.stderr
    diff = run_kubectl(sandbox, "diff", "-f", "-", input=manifest)
    assert (diff.returncode, diff.stdout, diff.stderr) == (0, "", "")
