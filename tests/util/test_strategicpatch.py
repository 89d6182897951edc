"""Strategic merge patch: directives, merge keys, two- and three-way patches.

The schema below mirrors the shape apimachinery's own tests use (a self-referencing item
with merging and non-merging lists); the Pod/Deployment cases use the built-in metadata.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from kctl.errors import PatchConflictError, PatchError
from kctl.util.jsonmergepatch import require_key_unchanged, require_metadata_key_unchanged
from kctl.util.strategicpatch import (
    FieldMeta,
    PatchMeta,
    apply_strategic_merge_patch,
    create_three_way_merge_patch,
    create_two_way_merge_patch,
    patch_meta_for,
)

_FIELDS: dict[str, FieldMeta] = {}
ITEM = PatchMeta("item", MappingProxyType(_FIELDS))
_FIELDS.update(
    mergingList=FieldMeta(("merge",), "name", schema=ITEM),
    nonMergingList=FieldMeta(schema=ITEM),
    mergingIntList=FieldMeta(("merge",)),
    replacingMap=FieldMeta(("replace",)),
    retainKeysMap=FieldMeta(("retainKeys",)),
    retainKeysList=FieldMeta(("merge", "retainKeys"), "name", schema=ITEM),
)

POD = patch_meta_for("", "v1", "Pod")
DEPLOYMENT = patch_meta_for("apps", "v1", "Deployment")
assert POD is not None and DEPLOYMENT is not None

APPLY_CASES: list[tuple[str, Any, Any, Any]] = [
    (
        "merging list merges items by key and keeps the others",
        {"mergingList": [{"name": "a", "value": 1}, {"name": "b", "value": 2}]},
        {"mergingList": [{"name": "b", "other": "x"}, {"name": "c"}]},
        {
            "mergingList": [
                {"name": "a", "value": 1},
                {"name": "b", "value": 2, "other": "x"},
                {"name": "c"},
            ]
        },
    ),
    (
        "non-merging list is replaced",
        {"nonMergingList": [{"name": "a"}, {"name": "b"}]},
        {"nonMergingList": [{"name": "c"}]},
        {"nonMergingList": [{"name": "c"}]},
    ),
    (
        "$patch: delete removes a list item",
        {"mergingList": [{"name": "a"}, {"name": "b"}]},
        {"mergingList": [{"name": "a", "$patch": "delete"}]},
        {"mergingList": [{"name": "b"}]},
    ),
    (
        "$patch: delete removes every duplicate",
        {"mergingList": [{"name": "a", "value": 1}, {"name": "b"}, {"name": "a", "value": 2}]},
        {"mergingList": [{"name": "a", "$patch": "delete"}]},
        {"mergingList": [{"name": "b"}]},
    ),
    (
        "$patch: replace in a list replaces the list",
        {"mergingList": [{"name": "a"}, {"name": "b"}]},
        {"mergingList": [{"name": "c"}, {"$patch": "replace"}]},
        {"mergingList": [{"name": "c"}]},
    ),
    (
        "$patch: replace in a map replaces the map",
        {"simpleMap": {"a": "1", "b": "2"}},
        {"simpleMap": {"c": "3", "$patch": "replace"}},
        {"simpleMap": {"c": "3"}},
    ),
    (
        "$patch: delete in a map empties it",
        {"simpleMap": {"a": "1"}, "name": "x"},
        {"simpleMap": {"$patch": "delete"}},
        {"simpleMap": {}, "name": "x"},
    ),
    (
        "null deletes a field",
        {"name": "x", "value": "y"},
        {"value": None, "other": None},
        {"name": "x"},
    ),
    (
        "merging list of scalars is a de-duplicated union",
        {"mergingIntList": [1, 2]},
        {"mergingIntList": [2, 3]},
        {"mergingIntList": [1, 2, 3]},
    ),
    (
        "$deleteFromPrimitiveList removes scalars",
        {"mergingIntList": [1, 2, 3]},
        {"$deleteFromPrimitiveList/mergingIntList": [1, 3]},
        {"mergingIntList": [2]},
    ),
    (
        "$setElementOrder orders patch items; server-only items go before later live items",
        {"mergingList": [{"name": "a"}, {"name": "b"}, {"name": "c"}]},
        {
            "$setElementOrder/mergingList": [{"name": "c"}, {"name": "a"}],
            "mergingList": [{"name": "a", "value": 1}],
        },
        {"mergingList": [{"name": "b"}, {"name": "c"}, {"name": "a", "value": 1}]},
    ),
    (
        "$setElementOrder orders primitive lists",
        {"mergingIntList": [1, 2, 3]},
        {"$setElementOrder/mergingIntList": [3, 1, 2]},
        {"mergingIntList": [3, 1, 2]},
    ),
    (
        "ordering follows the live array apimachinery edited in place",
        {"mergingList": [{"name": 1}, {"name": 2, "other": "b"}, {"name": 4, "other": "c"}]},
        {
            "$setElementOrder/mergingList": [{"name": 2}, {"name": 3}],
            "mergingList": [{"name": 3}, {"name": 1, "$patch": "delete"}],
        },
        {"mergingList": [{"name": 2, "other": "b"}, {"name": 4, "other": "c"}, {"name": 3}]},
    ),
    (
        "$retainKeys drops keys not listed",
        {"retainKeysMap": {"name": "a", "value": "b", "other": "c"}},
        {"retainKeysMap": {"$retainKeys": ["name", "value"], "value": "z"}},
        {"retainKeysMap": {"name": "a", "value": "z"}},
    ),
    (
        "replace strategy takes the patch map whole",
        {"replacingMap": {"a": 1, "b": 2}},
        {"replacingMap": {"c": 3}},
        {"replacingMap": {"c": 3}},
    ),
    (
        "a type change replaces the value",
        {"name": {"a": 1}},
        {"name": "flat"},
        {"name": "flat"},
    ),
    (
        "nested merging lists merge recursively; new items without live neighbours go first",
        {"mergingList": [{"name": "a", "mergingList": [{"name": "x", "value": 1}]}]},
        {"mergingList": [{"name": "a", "mergingList": [{"name": "y"}]}]},
        {"mergingList": [{"name": "a", "mergingList": [{"name": "y"}, {"name": "x", "value": 1}]}]},
    ),
    (
        "patch values for absent fields lose their nulls and directives",
        {},
        {"mergingList": [{"name": "a", "value": None}, {"name": "b", "$patch": "delete"}]},
        {"mergingList": [{"name": "a"}]},
    ),
]


@pytest.mark.parametrize(
    ("why", "original", "patch", "expected"), APPLY_CASES, ids=[c[0] for c in APPLY_CASES]
)
def test_apply(why: str, original: Any, patch: Any, expected: Any) -> None:
    before = repr((original, patch))
    assert apply_strategic_merge_patch(original, patch, ITEM) == expected
    assert repr((original, patch)) == before


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (
            {"mergingList": [{"value": 1}]},
            "map: map[value:1] does not contain declared merge key: name",
        ),
        (
            {"mergingList": [{"name": "a", "$patch": "merge"}]},
            "merging lists cannot yet be specified in the patch",
        ),
        (
            {"mergingList": [{"name": "a", "$patch": "frob"}]},
            "unknown patch type: frob in map: map[$patch:frob name:a]",
        ),
        ({"simpleMap": {"$patch": "frob"}}, "unknown patch type: frob in map: map[$patch:frob]"),
        (
            {"retainKeysMap": {"$retainKeys": ["name"], "value": "z"}},
            "invalid patch format of retainKeys",
        ),
        (
            {"mergingList": [{"name": "a"}, 1]},
            "list element types are not identical: [[map[name:x]] [map[name:a] 1]]",
        ),
        ({"$deleteFromPrimitiveListmergingIntList": [1]}, "invalid patch format of primitive list"),
        (
            {"$setElementOrder/mergingList": [{"name": "a"}], "mergingList": [{"name": "b"}]},
            "The order in patch list:",
        ),
    ],
)
def test_apply_errors(patch: Any, message: str) -> None:
    original = {
        "mergingList": [{"name": "x"}],
        "simpleMap": {"k": "v"},
        "retainKeysMap": {"name": "n"},
        "mergingIntList": [1],
    }
    with pytest.raises(PatchError) as info:
        apply_strategic_merge_patch(original, patch, ITEM)
    assert str(info.value).startswith(message)


TWO_WAY: list[tuple[str, Any, Any, Any]] = [
    ("no change", {"name": "a"}, {"name": "a"}, {}),
    (
        "scalar change and removal",
        {"name": "a", "value": "b"},
        {"name": "c"},
        {"name": "c", "value": None},
    ),
    (
        "merging list item removed",
        {"mergingList": [{"name": "a"}, {"name": "b"}]},
        {"mergingList": [{"name": "b"}]},
        {
            "$setElementOrder/mergingList": [{"name": "b"}],
            "mergingList": [{"name": "a", "$patch": "delete"}],
        },
    ),
    (
        "merging list item changed",
        {"mergingList": [{"name": "a", "value": 1}, {"name": "b"}]},
        {"mergingList": [{"name": "a", "value": 2}, {"name": "b"}]},
        {
            "$setElementOrder/mergingList": [{"name": "a"}, {"name": "b"}],
            "mergingList": [{"name": "a", "value": 2}],
        },
    ),
    (
        "merging list reordered only",
        {"mergingList": [{"name": "a"}, {"name": "b"}]},
        {"mergingList": [{"name": "b"}, {"name": "a"}]},
        {"$setElementOrder/mergingList": [{"name": "b"}, {"name": "a"}]},
    ),
    (
        "primitive merging list",
        {"mergingIntList": [1, 2]},
        {"mergingIntList": [2, 3]},
        {
            "$setElementOrder/mergingIntList": [2, 3],
            "$deleteFromPrimitiveList/mergingIntList": [1],
            "mergingIntList": [3],
        },
    ),
    (
        "non-merging list is sent whole",
        {"nonMergingList": [{"name": "a"}, {"name": "b"}]},
        {"nonMergingList": [{"name": "a"}]},
        {"nonMergingList": [{"name": "a"}]},
    ),
    (
        "retainKeys map lists the kept fields",
        {"retainKeysMap": {"name": "a", "value": "b"}},
        {"retainKeysMap": {"name": "a", "other": "c"}},
        {"retainKeysMap": {"$retainKeys": ["name", "other"], "other": "c", "value": None}},
    ),
]


@pytest.mark.parametrize(
    ("why", "original", "modified", "expected"), TWO_WAY, ids=[c[0] for c in TWO_WAY]
)
def test_two_way(why: str, original: Any, modified: Any, expected: Any) -> None:
    patch = create_two_way_merge_patch(original, modified, ITEM)
    assert patch == expected
    assert apply_strategic_merge_patch(original, patch, ITEM) == modified


def _deployment(containers: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": containers}}, **spec},
    }


def test_three_way_kubectl_apply_on_a_deployment() -> None:
    original = _deployment(
        [
            {
                "name": "app",
                "image": "nginx:1",
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            }
        ],
        replicas=2,
    )
    modified = _deployment(
        [{"name": "app", "image": "nginx:2", "env": [{"name": "A", "value": "1"}]}],
        replicas=2,
    )
    # The live object has defaults and a sidecar someone else added, and was scaled.
    current = _deployment(
        [
            {
                "name": "app",
                "image": "nginx:1",
                "imagePullPolicy": "IfNotPresent",
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            },
            {"name": "sidecar", "image": "envoy"},
        ],
        replicas=5,
        revisionHistoryLimit=10,
    )
    patch = create_three_way_merge_patch(original, modified, current, DEPLOYMENT)
    assert patch == {
        "spec": {
            "replicas": 2,
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "app"}],
                    "containers": [
                        {
                            "name": "app",
                            "image": "nginx:2",
                            "$setElementOrder/env": [{"name": "A"}],
                            "env": [{"name": "B", "$patch": "delete"}],
                        }
                    ],
                }
            },
        }
    }
    result = apply_strategic_merge_patch(current, patch, DEPLOYMENT)
    assert result["spec"]["replicas"] == 2
    assert result["spec"]["revisionHistoryLimit"] == 10
    containers = result["spec"]["template"]["spec"]["containers"]
    assert containers == [
        {
            "name": "app",
            "image": "nginx:2",
            "imagePullPolicy": "IfNotPresent",
            "env": [{"name": "A", "value": "1"}],
        },
        {"name": "sidecar", "image": "envoy"},
    ]


def test_three_way_conflict_without_overwrite() -> None:
    original = {"name": "a", "value": "1"}
    modified = {"name": "a", "value": "2"}
    current = {"name": "a", "value": "3"}
    assert create_three_way_merge_patch(original, modified, current, ITEM) == {"value": "2"}
    with pytest.raises(PatchConflictError) as info:
        create_three_way_merge_patch(original, modified, current, ITEM, False)
    assert "conflicts with changes made from original to current" in str(info.value)


def test_three_way_preconditions() -> None:
    original = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}
    modified = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"}}
    checks = (require_key_unchanged("kind"), require_metadata_key_unchanged("name"))
    with pytest.raises(
        PatchConflictError, match=r"^precondition failed for: map\[metadata:map\[name:b\]\]$"
    ):
        create_three_way_merge_patch(original, modified, original, POD, True, *checks)


def test_three_way_deletes_only_what_was_applied() -> None:
    original = {"metadata": {"labels": {"a": "1", "b": "2"}, "finalizers": ["x", "y"]}}
    modified = {"metadata": {"labels": {"a": "1"}, "finalizers": ["x"]}}
    current = {
        "metadata": {"labels": {"a": "1", "b": "2", "c": "3"}, "finalizers": ["x", "y", "z"]}
    }
    patch = create_three_way_merge_patch(original, modified, current, POD)
    assert patch == {
        "metadata": {
            "labels": {"b": None},
            "$setElementOrder/finalizers": ["x"],
            "$deleteFromPrimitiveList/finalizers": ["y"],
        }
    }
    result = apply_strategic_merge_patch(current, patch, POD)
    assert result == {"metadata": {"labels": {"a": "1", "c": "3"}, "finalizers": ["x", "z"]}}


def test_builtin_metadata() -> None:
    assert patch_meta_for("stable.example.com", "v1", "CronTab") is None
    configmap = patch_meta_for("", "v1", "ConfigMap")
    assert configmap is not None
    assert configmap.lookup("metadata").sub.lookup("ownerReferences").merge_key == "uid"
    spec = POD.lookup("spec").sub
    assert spec.lookup("containers").merge_key == "name"
    assert spec.lookup("tolerations").strategy == ""  # atomic: no patch strategy in k8s.io/api
    assert spec.lookup("volumes").retain_keys
    container = spec.lookup("containers").sub
    assert container.lookup("ports").merge_key == "containerPort"
    assert container.lookup("ports").associative_keys == ("containerPort", "protocol")
    assert container.lookup("volumeMounts").merge_key == "mountPath"
    service = patch_meta_for("", "v1", "Service")
    assert service is not None
    assert service.lookup("spec").sub.lookup("ports").merge_key == "port"
    cronjob = patch_meta_for("batch", "v1", "CronJob")
    assert cronjob is not None
    job_template = cronjob.lookup("spec").sub.lookup("jobTemplate").sub
    pod_spec = job_template.lookup("spec").sub.lookup("template").sub.lookup("spec").sub
    assert pod_spec.lookup("initContainers").merge_key == "name"


def test_tolerations_are_replaced_whole() -> None:
    current = {"spec": {"tolerations": [{"key": "a"}, {"key": "b"}]}}
    patch = {"spec": {"tolerations": [{"key": "c"}]}}
    assert apply_strategic_merge_patch(current, patch, POD) == {
        "spec": {"tolerations": [{"key": "c"}]}
    }


def test_service_ports_merge_by_port() -> None:
    service = patch_meta_for("", "v1", "Service")
    assert service is not None
    current = {"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]}}
    patch = {"spec": {"ports": [{"port": 443, "targetPort": 8443}]}}
    result = apply_strategic_merge_patch(current, patch, service)
    assert result["spec"]["ports"] == [
        {"port": 80, "name": "http"},
        {"port": 443, "name": "https", "targetPort": 8443},
    ]


def test_conflict_with_a_value_yaml_cannot_hold() -> None:
    # Found by fuzzing: the conflict text's YAML step raised PyYAML's ReaderError. Go's
    # mergepatch.ToYAMLOrError shows the marshalling error in the value's place instead.
    with pytest.raises(PatchConflictError) as info:
        create_three_way_merge_patch(
            {}, {"apiVersion": "v1"}, {"apiVersion": "\x7f\x85"}, ITEM, False
        )
    text = str(info.value)
    assert text.startswith("patch:\napiVersion: v1\n\nconflicts with changes made from")
    assert "yaml marshal failed:yaml: control characters are not allowed\n" in text
