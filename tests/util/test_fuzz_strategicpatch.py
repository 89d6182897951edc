"""Fuzzing the strategic merge patch and JSON merge patch code: a result or a PatchError.

The documents are biased towards the keys the code branches on (merge keys, ``$patch``,
``$setElementOrder``, ``$retainKeys``, ``$deleteFromPrimitiveList``), so the directives'
error paths are reached as often as the merges.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kctl.errors import PatchError
from kctl.util.jsonmergepatch import apply_merge_patch, create_merge_patch
from kctl.util.jsonmergepatch import create_three_way_merge_patch as json_three_way
from kctl.util.strategicpatch import (
    FieldMeta,
    PatchMeta,
    apply_strategic_merge_patch,
    create_three_way_merge_patch,
    create_two_way_merge_patch,
    patch_meta_for,
)

sys.path.insert(0, str(Path(__file__).parent.parent))
from fuzz_strategies import assert_one_line, json_objects, json_values, k8s_objects

_FIELDS: dict[str, FieldMeta] = {}
_ITEM = PatchMeta("item", MappingProxyType(_FIELDS))
_FIELDS.update(
    a=FieldMeta(("merge",), "name", schema=_ITEM),
    b=FieldMeta(("merge",)),
    items=FieldMeta(schema=_ITEM),
    spec=FieldMeta(("replace",)),
    metadata=FieldMeta(("retainKeys",)),
    containers=FieldMeta(("merge", "retainKeys"), "name", schema=_ITEM),
)
_POD = patch_meta_for("", "v1", "Pod")
_DEPLOYMENT = patch_meta_for("apps", "v1", "Deployment")
assert _POD is not None and _DEPLOYMENT is not None
_METAS = st.sampled_from([_ITEM, _POD, _DEPLOYMENT])
_DOCS = st.one_of(json_objects(), k8s_objects())


@given(_DOCS, _DOCS, _METAS)
def test_apply_strategic_merge_patch(original: Any, patch: Any, meta: PatchMeta) -> None:
    try:
        result = apply_strategic_merge_patch(original, patch, meta)
    except PatchError as err:
        assert_one_line(err, PatchError, [original, patch])
        return
    assert isinstance(result, dict)


@given(_DOCS, _DOCS, _METAS)
def test_two_way_patch(original: Any, modified: Any, meta: PatchMeta) -> None:
    try:
        patch = create_two_way_merge_patch(original, modified, meta)
    except PatchError as err:
        assert_one_line(err, PatchError, [original, modified])
        return
    assert isinstance(patch, dict)


@given(_DOCS, _DOCS, _DOCS, _METAS, st.booleans())
def test_three_way_patch(
    original: Any, modified: Any, current: Any, meta: PatchMeta, overwrite: bool
) -> None:
    try:
        patch = create_three_way_merge_patch(original, modified, current, meta, overwrite)
    except PatchError as err:
        assert_one_line(err, PatchError, [original, modified, current])
        return
    assert isinstance(patch, dict)


@given(json_values(), json_values())
def test_apply_json_merge_patch(doc: Any, patch: Any) -> None:
    try:
        apply_merge_patch(doc, patch)
    except PatchError as err:
        assert_one_line(err, PatchError, [doc, patch])


@given(json_objects(), json_objects())
def test_json_merge_patch_applies_to_what_it_was_made_from(original: Any, modified: Any) -> None:
    patch = create_merge_patch(original, modified)
    assert isinstance(apply_merge_patch(original, patch), dict)


@given(_DOCS, _DOCS, _DOCS)
def test_json_three_way_patch(original: Any, modified: Any, current: Any) -> None:
    try:
        json_three_way(original, modified, current)
    except PatchError as err:
        assert_one_line(err, PatchError, [original, modified, current])


@pytest.mark.parametrize("meta", [_ITEM, _POD])
def test_empty_documents_merge(meta: PatchMeta) -> None:
    assert apply_strategic_merge_patch({}, {}, meta) == {}
