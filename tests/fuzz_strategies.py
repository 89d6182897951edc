"""Hypothesis strategies shared by the fuzz tests (``test_fuzz_*.py``).

They aim deep rather than wide: JSON values whose keys come from the vocabulary the code
under test looks for (Kubernetes field names, patch directives), strings built from a
grammar's tokens plus noise, documents that are almost valid. Random text alone seldom gets
past a parser's first check.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Keys the code under test branches on, plus a little noise.
K8S_KEYS = (
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "labels",
    "annotations",
    "finalizers",
    "ownerReferences",
    "uid",
    "spec",
    "status",
    "items",
    "containers",
    "initContainers",
    "ports",
    "containerPort",
    "protocol",
    "env",
    "value",
    "volumes",
    "volumeMounts",
    "mountPath",
    "image",
    "args",
    "replicas",
    "selector",
    "template",
    "conditions",
    "type",
    "tolerations",
    "key",
    "$patch",
    "$retainKeys",
    "$setElementOrder/containers",
    "$setElementOrder/ports",
    "$setElementOrder/finalizers",
    "$deleteFromPrimitiveList/finalizers",
    "$deleteFromPrimitiveList/args",
    "a",
    "b",
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "a", "b", "delete", "replace", "merge", "TCP", "v1", "Pod", "List"]),
    st.text(max_size=12),
)

KEYS = st.one_of(st.sampled_from(K8S_KEYS), st.text(max_size=8))


def json_values(max_leaves: int = 40) -> st.SearchStrategy[Any]:
    """Any JSON value, biased towards Kubernetes-shaped maps."""
    return st.recursive(
        SCALARS,
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(KEYS, children, max_size=6),
        ),
        max_leaves=max_leaves,
    )


def json_objects(max_leaves: int = 40) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(KEYS, json_values(max_leaves), max_size=6)


def k8s_objects() -> st.SearchStrategy[dict[str, Any]]:
    """An object that looks like a manifest, with any field possibly of the wrong type."""
    meta = st.fixed_dictionaries(
        {},
        optional={
            "name": st.one_of(st.sampled_from(["web", "a", ""]), json_values(4)),
            "namespace": st.one_of(st.sampled_from(["default", "x"]), json_values(4)),
            "labels": st.one_of(
                st.dictionaries(
                    st.sampled_from(["app", "tier", "a"]), st.sampled_from(["web", "b", ""])
                ),
                json_values(6),
            ),
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "apiVersion": st.one_of(
                st.sampled_from(["v1", "apps/v1", "a/b/c", "/v1", "", "example.com/v1"]),
                json_values(3),
            ),
            "kind": st.one_of(
                st.sampled_from(["Pod", "ConfigMap", "List", "PodList", "Deployment", ""]),
                json_values(3),
            ),
            "metadata": st.one_of(meta, json_values(6)),
            "spec": json_values(20),
            "items": st.one_of(
                st.lists(st.deferred(lambda: k8s_objects()), max_size=3), json_values(6)
            ),
        },
    )


def noisy(data: st.SearchStrategy[str], noise: tuple[str, ...]) -> st.SearchStrategy[str]:
    """``data`` with tokens from ``noise`` (and arbitrary text) spliced in at random places."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        text = draw(data)
        for _ in range(draw(st.integers(0, 3))):
            pos = draw(st.integers(0, len(text)))
            piece = draw(st.one_of(st.sampled_from(noise), st.text(max_size=3)))
            cut = draw(st.integers(0, 2))
            text = text[:pos] + piece + text[pos + cut :]
        return text

    return build()


def token_strings(tokens: tuple[str, ...], max_size: int = 12) -> st.SearchStrategy[str]:
    """Strings made of a grammar's tokens, with noise: what a parser's every branch sees."""
    return noisy(st.lists(st.sampled_from(tokens), max_size=max_size).map("".join), tokens)


def to_json(value: Any) -> str:
    return json.dumps(value)


def strings_in(*values: Any) -> list[str]:
    """Every key and string in JSON values: what an error may quote back verbatim."""
    found: list[str] = []
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def assert_one_line(
    err: BaseException, kind: type[BaseException] = Exception, quoted: Any = ()
) -> None:
    """The property every fuzz test checks on failure: one of kctl's errors, one line.

    Go prints the strings of ``quoted`` (the input) verbatim in some messages (``%v`` of a
    map): line breaks of the input's own are kubectl's too, so they are not counted.
    """
    from kctl.errors import KctlError, PatchConflictError

    if kind is Exception:
        kind = KctlError
    assert isinstance(err, kind), f"{type(err).__name__}: {err}"
    text = str(err)
    assert text, "an error without a message"
    if isinstance(err, PatchConflictError):
        # apimachinery's ErrConflict text embeds both patches as YAML, as kubectl prints it.
        return
    if text.startswith("The order in patch list:\n"):
        # apimachinery's own $setElementOrder mismatch text spans lines (strategicpatch's
        # validatePatchWithSetOrderList), and the server sends it so in its Status.
        return
    for part in sorted(strings_in(quoted), key=len, reverse=True):
        if "\n" in part:
            text = text.replace(part, "")
    assert "\n" not in text, f"multi-line message: {text!r}"
