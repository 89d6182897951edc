from __future__ import annotations

from typing import Any

import pytest

from kctl import dynamic


def pod() -> dict[str, Any]:
    return {
        "metadata": {"name": "p", "labels": {"a": "b"}, "generation": 3},
        "spec": {"containers": [{"name": "c"}], "hostNetwork": True},
    }


def test_getters() -> None:
    obj = pod()
    assert dynamic.nested_string(obj, "metadata", "name") == ("p", True)
    assert dynamic.nested_string(obj, "metadata", "namespace") == ("", False)
    assert dynamic.nested_int64(obj, "metadata", "generation") == (3, True)
    assert dynamic.nested_bool(obj, "spec", "hostNetwork") == (True, True)
    assert dynamic.nested_string_map(obj, "metadata", "labels") == ({"a": "b"}, True)
    assert dynamic.nested_slice(obj, "spec", "containers") == ([{"name": "c"}], True)
    assert dynamic.nested_field(obj, "status", "phase") == (None, False)


def test_wrong_types_use_apimachinery_texts() -> None:
    obj = pod()
    with pytest.raises(
        ValueError,
        match=r"^\.metadata\.generation accessor error: 3 is of the type int64, expected string$",
    ):
        dynamic.nested_string(obj, "metadata", "generation")
    with pytest.raises(
        ValueError,
        match=r"^\.metadata\.name\.x accessor error: p is of the type string, expected map",
    ):
        dynamic.nested_field(obj, "metadata", "name", "x")


def test_set_and_remove() -> None:
    obj = pod()
    dynamic.set_nested_field(obj, "Running", "status", "phase")
    assert obj["status"] == {"phase": "Running"}
    with pytest.raises(
        ValueError, match=r"value cannot be set because \.metadata\.name is not a map"
    ):
        dynamic.set_nested_field(obj, 1, "metadata", "name", "x")
    dynamic.remove_nested_field(obj, "metadata", "labels", "a")
    dynamic.remove_nested_field(obj, "nothing", "here")
    assert obj["metadata"]["labels"] == {}
