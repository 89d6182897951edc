"""RFC 7386 vectors and apimachinery's three-way JSON merge patch."""

from __future__ import annotations

from typing import Any

import pytest

from kctl.errors import PatchConflictError, PatchError
from kctl.util.jsonmergepatch import (
    apply_merge_patch,
    create_merge_patch,
    create_three_way_merge_patch,
    go_format,
    has_conflicts,
    require_key_unchanged,
    require_metadata_key_unchanged,
)

# RFC 7386 appendix A (object targets) plus the library's behaviour for the rest.
RFC_CASES: list[tuple[Any, Any, Any]] = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({"a": 1}, {"a": {"x": None, "y": [{"z": None}]}}, {"a": {"y": [{}]}}),
]


@pytest.mark.parametrize(("doc", "patch", "expected"), RFC_CASES)
def test_apply_merge_patch(doc: Any, patch: Any, expected: Any) -> None:
    before = repr(doc)
    assert apply_merge_patch(doc, patch) == expected
    assert repr(doc) == before


def test_apply_merge_patch_rejects_scalars_and_null() -> None:
    with pytest.raises(PatchError, match="Invalid JSON Patch"):
        apply_merge_patch({"a": 1}, "x")
    with pytest.raises(PatchError, match="Invalid JSON Patch"):
        apply_merge_patch({"a": 1}, None)
    with pytest.raises(PatchError, match="Invalid JSON Document"):
        apply_merge_patch(None, {})


@pytest.mark.parametrize(
    ("original", "modified", "expected"),
    [
        ({"a": 1}, {"a": 1}, {}),
        ({"a": 1}, {"a": 1.0}, {}),
        ({"a": 1}, {"a": True}, {"a": True}),
        ({"a": 1, "b": 2}, {"a": 1}, {"b": None}),
        ({"a": {"b": 1, "c": 2}}, {"a": {"b": 1, "c": 3}}, {"a": {"c": 3}}),
        ({"a": {"b": 1}}, {"a": {"b": 1}}, {}),
        ({"a": [1, 2]}, {"a": [1, 2, 3]}, {"a": [1, 2, 3]}),
        ({"a": {"b": 1}}, {"a": [1]}, {"a": [1]}),
        ({"a": None}, {"a": None}, {}),
        ({}, {"a": {"b": None}}, {"a": {"b": None}}),
    ],
)
def test_create_merge_patch(original: Any, modified: Any, expected: Any) -> None:
    patch = create_merge_patch(original, modified)
    assert patch == expected
    # The patch takes the original to the modified document.
    if "None" not in repr(modified):
        assert apply_merge_patch(original, patch) == modified


# Cases after apimachinery's jsonmergepatch three-way tests: (original, modified, current,
# expected patch).
THREE_WAY: list[tuple[Any, Any, Any, Any]] = [
    # nothing changed in the manifest; someone else's field stays
    ({"a": 1}, {"a": 1}, {"a": 1, "b": 2}, {}),
    # the manifest drops a field it used to set
    ({"a": 1, "b": 2}, {"a": 1}, {"a": 1, "b": 2, "c": 3}, {"b": None}),
    # the manifest changes a field someone else changed since
    ({"a": 1}, {"a": 3}, {"a": 2}, {"a": 3}),
    # the live value drifted and the manifest didn't change: put it back
    ({"a": 1}, {"a": 1}, {"a": 2}, {"a": 1}),
    # nested deletions and additions
    (
        {"spec": {"x": 1, "y": {"z": 1}}},
        {"spec": {"y": {"w": 2}}},
        {"spec": {"x": 1, "y": {"z": 1}, "q": 9}},
        {"spec": {"x": None, "y": {"z": None, "w": 2}}},
    ),
    # an explicitly empty map is a value
    ({}, {"labels": {}}, {}, {"labels": {}}),
    # lists are replaced whole
    ({"l": [1, 2]}, {"l": [1]}, {"l": [1, 2, 3]}, {"l": [1]}),
    # no original: nothing is deleted
    (None, {"a": 1}, {"a": 1, "b": 2}, {}),
    # a field deleted live but still in the manifest is restored
    ({"a": 1, "b": 1}, {"a": 1, "b": 1}, {"a": 1}, {"b": 1}),
]


@pytest.mark.parametrize(("original", "modified", "current", "expected"), THREE_WAY)
def test_three_way_merge_patch(original: Any, modified: Any, current: Any, expected: Any) -> None:
    assert create_three_way_merge_patch(original, modified, current) == expected


def test_three_way_preconditions() -> None:
    original = {"apiVersion": "v1", "kind": "Foo", "metadata": {"name": "a"}}
    modified = {"apiVersion": "v1", "kind": "Foo", "metadata": {"name": "b"}}
    checks = (
        require_key_unchanged("apiVersion"),
        require_key_unchanged("kind"),
        require_metadata_key_unchanged("name"),
    )
    with pytest.raises(PatchConflictError) as info:
        create_three_way_merge_patch(original, modified, original, *checks)
    assert str(info.value) == "precondition failed for: map[metadata:map[name:b]]"
    same = create_three_way_merge_patch(original, original, original, *checks)
    assert same == {}


def test_has_conflicts() -> None:
    assert not has_conflicts({"a": {"b": 1}}, {"a": {"c": None}})
    assert has_conflicts({"a": {"b": 1}}, {"a": None})
    assert has_conflicts({"a": [1, 2]}, {"a": [1]})
    assert not has_conflicts({"a": [1, 2]}, {"a": [1, 2]})
    assert has_conflicts({"a": 1}, {"a": "1"})


def test_go_format() -> None:
    assert (
        go_format({"b": [1, 2.5, None], "a": {"x": True}}) == "map[a:map[x:true] b:[1 2.5 <nil>]]"
    )
