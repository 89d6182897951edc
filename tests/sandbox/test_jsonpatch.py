"""RFC 6902 vectors (RFC appendix A) plus kube-apiserver's evanphx/json-patch texts."""

from __future__ import annotations

from typing import Any

import pytest

from kctl.errors import JSONPatchError, KctlError
from kctl.sandbox._jsonpatch import apply_patch, decode_patch, json_equal

# (doc, ops, expected) — RFC 6902 appendix A and a few more.
OK_CASES: list[tuple[Any, list[dict[str, Any]], Any]] = [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"foo": "bar", "baz": "qux"}),
    (
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    (
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    (
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    (
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    (
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [
            {"op": "test", "path": "/baz", "value": "qux"},
            {"op": "test", "path": "/foo/1", "value": 2},
        ],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    (
        {"foo": "bar"},
        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
        {"foo": "bar", "child": {"grandchild": {}}},
    ),
    (
        {"foo": ["bar"]},
        [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
        {"foo": ["bar", ["abc", "def"]]},
    ),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ({"a/b": 1}, [{"op": "remove", "path": "/a~1b"}], {}),
    ({"foo": None}, [{"op": "test", "path": "/foo", "value": None}], {"foo": None}),
    ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}], {"a": {"b": 1}, "c": {"b": 1}}),
    ({"a": [1, 2, 3]}, [{"op": "remove", "path": "/a/-1"}], {"a": [1, 2]}),
    # Negative add indices count from the end of the grown array: -1 appends.
    ({"a": [1, 2]}, [{"op": "add", "path": "/a/-1", "value": 9}], {"a": [1, 2, 9]}),
    ({"a": [1, 2]}, [{"op": "add", "path": "/a/2", "value": 3}], {"a": [1, 2, 3]}),
    ({"a": 1}, [{"op": "replace", "path": "", "value": {"b": 2}}], {"b": 2}),
    # evanphx v4 quirk that the apiserver inherits: replace of a missing object key adds it.
    ({"a": 1}, [{"op": "replace", "path": "/b", "value": 2}], {"a": 1, "b": 2}),
    # A test against a missing key passes for a null value (the library can't tell them apart).
    ({"a": 1}, [{"op": "test", "path": "/b", "value": None}], {"a": 1}),
    # An add without value adds a null.
    ({"a": 1}, [{"op": "add", "path": "/b"}], {"a": 1, "b": None}),
    ([1, 2], [{"op": "add", "path": "/0", "value": 0}], [0, 1, 2]),
]


@pytest.mark.parametrize(("doc", "ops", "expected"), OK_CASES)
def test_apply_patch(doc: Any, ops: list[dict[str, Any]], expected: Any) -> None:
    before = repr(doc)
    assert apply_patch(doc, ops) == expected
    assert repr(doc) == before  # the input is never modified


ERROR_CASES: list[tuple[Any, list[dict[str, Any]], str]] = [
    (
        {"foo": "bar"},
        [{"op": "add", "path": "/baz/bat", "value": "qux"}],
        'add operation does not apply: doc is missing path: "/baz/bat": missing value',
    ),
    (
        {"foo": "bar"},
        [{"op": "remove", "path": "/baz"}],
        "error in remove for path: '/baz': Unable to remove nonexistent key: baz: missing value",
    ),
    (
        {"foo": "bar"},
        [{"op": "remove", "path": "/a/b"}],
        'remove operation does not apply: doc is missing path: "/a/b": missing value',
    ),
    (
        {"baz": "qux"},
        [{"op": "test", "path": "/baz", "value": "bar"}],
        "testing value /baz failed: test failed",
    ),
    (
        {"a": 1},
        [{"op": "test", "path": "/a", "value": 1.0}],
        "testing value /a failed: test failed",
    ),
    (
        {"a": True},
        [{"op": "test", "path": "/a", "value": 1}],
        "testing value /a failed: test failed",
    ),
    (
        {"a": [1]},
        [{"op": "add", "path": "/a/5", "value": 1}],
        "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced",
    ),
    (
        {"a": [1]},
        [{"op": "add", "path": "/a/x", "value": 1}],
        "error in add for path: '/a/x': value was not a proper array index: 'x': "
        'strconv.Atoi: parsing "x": invalid syntax',
    ),
    (
        {"a": [1]},
        [{"op": "replace", "path": "/a/1", "value": 1}],
        "replace operation does not apply: doc is missing key: /a/1: missing value",
    ),
    (
        {"a": [1]},
        [{"op": "remove", "path": "/a/-2"}],
        "error in remove for path: '/a/-2': Unable to access invalid index: -2: "
        "invalid index referenced",
    ),
    ({"a": 1}, [{"op": "frob", "path": "/a"}], "Unexpected kind: frob"),
    ({"a": 1}, [{"path": "/a"}], "Unexpected kind: unknown"),
    ({"a": 1}, [{"op": "add", "value": 1}], "add operation failed to decode path: missing value"),
    (
        {"a": 1},
        [{"op": "move", "path": "/b"}],
        "move operation failed to decode from: operation, missing from field: missing value",
    ),
    (
        {"a": 1},
        [{"op": "move", "from": "/x", "path": "/b"}],
        "error in move for path: 'x': Unable to remove nonexistent key: x: missing value",
    ),
    (
        {"a": 1},
        [{"op": "copy", "from": "/a", "path": "/x/y"}],
        "copy operation does not apply: doc is missing destination path: /x/y: missing value",
    ),
    (
        {"a": 1},
        [{"op": "replace", "path": "", "value": 3}],
        "replace operation value must be object or array: %!w(<nil>)",
    ),
]


@pytest.mark.parametrize(("doc", "ops", "message"), ERROR_CASES)
def test_apply_patch_errors(doc: Any, ops: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(JSONPatchError) as info:
        apply_patch(doc, ops)
    assert str(info.value) == message
    assert isinstance(info.value, KctlError)


def test_a_failing_operation_leaves_the_input_alone() -> None:
    doc = {"a": [1, 2]}
    with pytest.raises(JSONPatchError):
        apply_patch(
            doc, [{"op": "add", "path": "/a/-", "value": 3}, {"op": "remove", "path": "/z"}]
        )
    assert doc == {"a": [1, 2]}


def test_decode_patch() -> None:
    assert decode_patch(b'[{"op":"remove","path":"/a"}]') == [{"op": "remove", "path": "/a"}]
    with pytest.raises(
        JSONPatchError, match=r"cannot unmarshal object into Go value of type jsonpatch\.Patch"
    ):
        decode_patch('{"op":"remove"}')
    with pytest.raises(JSONPatchError, match=r"type jsonpatch\.Operation"):
        decode_patch("[1]")
    with pytest.raises(JSONPatchError):
        decode_patch("[")


def test_json_equal_is_type_strict() -> None:
    assert json_equal({"a": [1, "x", None]}, {"a": [1, "x", None]})
    assert not json_equal(1, True)
    assert not json_equal(0, False)
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})
