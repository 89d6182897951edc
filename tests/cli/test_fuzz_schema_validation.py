"""Fuzzing apply's client-side schema validation (kctl.cli._schema_validation) against the
real kube-apiserver's OpenAPI v2 document (as recorded for the sandbox): any document whose
apiVersion and kind are usable gives a problem's text or None, never an exception."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, cast

from hypothesis import example, given
from hypothesis import strategies as st

from kctl.cli._manifests import type_meta_problems
from kctl.cli._schema_validation import SchemaValidator

sys.path.insert(0, str(Path(__file__).parent.parent))
from fuzz_strategies import json_values, k8s_objects

KINDS = [
    ("v1", "List"),
    ("v1", "ConfigMapList"),
    ("v1", "PodList"),
    ("apps/v1", "DeploymentList"),
    ("v1", "Status"),
    ("authentication.k8s.io/v1", "TokenReview"),
    ("v1", "Nope"),
]


@functools.cache
def _validator() -> SchemaValidator:
    from kctl.sandbox import _recorded

    validator = SchemaValidator(cast(Any, None), "Strict")
    # No server: the recorded document, and no kind counted as served with PATCH, so that
    # every document is validated on the client.
    validator._document = _recorded.openapi_v2()
    validator._patchable = set()
    return validator


def _check(obj: dict[str, Any]) -> None:
    if type_meta_problems(obj):
        return  # refused before any schema is looked at
    problem = _validator()(obj)
    assert problem is None or (isinstance(problem, str) and problem)


@given(st.sampled_from(KINDS), st.lists(st.one_of(k8s_objects(), json_values()), max_size=4))
@example(("v1", "List"), [{"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [None]}}])
@example(("v1", "ConfigMapList"), [{"data": {"k": None}, "metadata": {"labels": [1]}}])
def test_a_list_validates_or_gives_a_problem(kind: tuple[str, str], items: list[Any]) -> None:
    _check({"apiVersion": kind[0], "kind": kind[1], "items": items})


@given(k8s_objects(), st.sampled_from(KINDS))
def test_any_object_validates_or_gives_a_problem(obj: dict[str, Any], kind: Any) -> None:
    _check(obj)
    _check({**obj, "apiVersion": kind[0], "kind": kind[1]})


def test_a_valid_list_has_no_problem() -> None:
    items = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}},
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {
                "selector": {"matchLabels": {"app": "d"}},
                "template": {
                    "metadata": {"labels": {"app": "d"}},
                    "spec": {"containers": [{"name": "c", "image": "i"}]},
                },
            },
        },
    ]
    assert _validator()({"apiVersion": "v1", "kind": "List", "items": items}) is None
    assert _validator()({"apiVersion": "v1", "kind": "List", "items": [*items, 5]}) == (
        "invalid object to validate"
    )
