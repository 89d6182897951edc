"""Manifests with a kind but no apiVersion (and the reverse), list documents whose items
fail, and several problems at once, through ``apply -f``, ``delete -f`` and ``get -f``: kctl on
one sandbox, kubectl 1.37.1 on its twin, stdout, stderr and exit code compared step by step.

kubectl maps a manifest without a version to the kind's preferred version, but requests it at
the version the object named, none: ``/api/namespaces/default/configmaps/a``, which the
server answers with a 404 (checked on the real kube-apiserver too)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

FILES = {
    "noapi.yaml": "kind: ConfigMap\nmetadata: {name: noapi}\n",
    "emptyapi.yaml": "apiVersion: ''\nkind: ConfigMap\nmetadata: {name: emptyapi}\n",
    "noapi.json": '{"kind": "Secret", "metadata": {"name": "noapi-json"}}',
    # A group's kind with no group named: no such kind in the core group.
    "noapi-deploy.yaml": "kind: Deployment\nmetadata: {name: noapi-deploy}\n",
    # A group and no version: mapped to apps/v1, requested at /apis/apps/namespaces/...
    "group-only.yaml": "apiVersion: apps/\nkind: Deployment\nmetadata: {name: group-only}\n",
    "nokind.yaml": "apiVersion: v1\nmetadata: {name: nokind}\n",
    "nokind-list.yaml": "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
    "  metadata: {name: nokind-item}\n",
    # Items without apiVersion in a List without one: kind from the item, no version.
    "noapi-list.yaml": "kind: List\nitems:\n- kind: ConfigMap\n  metadata: {name: noapi-item}\n",
    # No name: get -f shows such an object as read (kubectl's builder fetches nothing).
    "noname.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n",
    "noname-cluster.yaml": "apiVersion: authentication.k8s.io/v1\nkind: TokenReview\n"
    "spec: {token: x}\n",
    "noname-list.yaml": "apiVersion: v1\nkind: List\nitems:\n"
    "- {apiVersion: v1, kind: ConfigMap, metadata: {namespace: x}}\n",
    # Metadata that does not decode into ObjectMeta (cli-runtime's metadataValidatingDecoder),
    # a list's own included: encoding/json's first error, in the keys' sorted order.
    "meta-name.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 5}\n",
    "meta-labelval.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: meta-labelval, labels: {x: 1, b: true}}\n",
    "meta-str.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: x\n",
    "meta-gen.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: meta-gen, generation: 'x', finalizers: [1]}\n",
    "meta-own.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: meta-own, ownerReferences: [{name: 1, controller: 'x'}]}\n",
    "meta-json.json": '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": 5}}\n---\n',
    "meta-list.yaml": "apiVersion: v1\nkind: List\nmetadata: {resourceVersion: 1}\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: meta-list}}\n",
    "meta-two.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 5}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok2}\n",
    # One good object between two that name no version: the good one goes through.
    "mixed.yaml": "kind: ConfigMap\nmetadata: {name: mixed-1}\n---\napiVersion: v1\n"
    "kind: ConfigMap\nmetadata: {name: mixed-2}\n---\nkind: ConfigMap\nmetadata: {name: mixed-3}\n",
}

STEPS: list[tuple[str, ...]] = [
    ("get", "-f", "{f}"),
    ("apply", "-f", "{f}"),
    ("apply", "-f", "{f}", "--validate=false"),
    ("apply", "-f", "{f}", "--validate=false", "--dry-run=server"),
    ("get", "-f", "{f}"),
    ("get", "-f", "{f}", "-o", "name"),
    ("get", "-f", "{f}", "-o", "json"),
    ("get", "-f", "{f}", "-o", "yaml"),
    ("delete", "-f", "{f}"),
    ("delete", "-f", "{f}", "--ignore-not-found"),
]


@pytest.fixture(scope="module")
def twins() -> Iterator[tuple[Sandbox, Sandbox]]:
    with Sandbox(seed="empty") as ours, Sandbox(seed="empty") as theirs:
        yield ours, theirs


@pytest.fixture
def step(twins: tuple[Sandbox, Sandbox], twin_step: Any) -> Any:
    # The twins' objects are created a moment apart: their ages may differ by a second.
    return twin_step(*twins, lambda text: re.sub(r"(?m) +\d+s$", " <age>", text))


@pytest.mark.parametrize("name", sorted(FILES))
def test_type_meta_problems_as_kubectl(step: Any, tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(FILES[name])
    for args in STEPS:
        step(*(arg.replace("{f}", name) for arg in args))
    step("get", "-f", "-", input=FILES[name])
    step("delete", "-f", "-", input=FILES[name])


def test_no_version_reaches_the_server_without_one(step: Any, tmp_path: Path) -> None:
    (tmp_path / "nv.yaml").write_text("kind: ConfigMap\nmetadata: {name: nv}\n")
    (tmp_path / "nv-mixed.yaml").write_text(
        "kind: ConfigMap\nmetadata: {name: nv-1}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nv-2}\n"
    )
    done = step("apply", "-f", "nv.yaml", "--validate=false")
    assert (done.returncode, done.stderr) == (
        1,
        'Error from server (NotFound): error when creating "nv.yaml": the server could '
        "not find the requested resource\n",
    )
    done = step("apply", "-f", "nv-mixed.yaml", "--validate=false")
    assert done.stdout == "configmap/nv-2 created\n"
    # One source: an error is the whole answer, nothing is printed of what was found.
    done = step("get", "-f", "nv-mixed.yaml", "-o", "name")
    assert done.stdout == ""
    assert done.stderr.endswith("the server could not find the requested resource\n")
    done = step("get", "-f", "nv-mixed.yaml", "-f", "nv.yaml", "-o", "name")
    assert done.stdout == "configmap/nv-2\n"
    assert done.stderr.count("the server could not find the requested resource") == 2


def test_real_apiserver_refuses_a_path_without_version(
    envtest: Any, run_kctl: Any, run_ref_kubectl: Any, tmp_path: Path
) -> None:
    """kube-apiserver's own answer to the version-less path; nothing is written."""
    for name in ("noapi.yaml", "group-only.yaml"):
        (tmp_path / name).write_text(FILES[name])
        for args in (
            ("get", "-f", name),
            ("apply", "-f", name, "--validate=false"),
            ("delete", "-f", name),
        ):
            ours = run_kctl(envtest, *args, cwd=tmp_path)
            theirs = run_ref_kubectl(envtest, *args, cwd=tmp_path)
            assert (ours.returncode, ours.stdout, ours.stderr) == (
                theirs.returncode,
                theirs.stdout,
                theirs.stderr,
            ), args
            assert ours.returncode == 1
            assert "the server could not find the requested resource" in ours.stderr, args


CM_DOC = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\n"
LISTS = (
    "apiVersion: v1\nkind: List\nitems:\n"
    "- {apiVersion: v1, kind: ConfigMap, metadata: {name: l-a}}\n"
    "- {apiVersion: v1, kind: ConfigMap, metadata: {name: l-b}}\n"
    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: l-c}\n"
    "---\napiVersion: v1\nkind: ConfigMapList\nitems:\n"
    "- metadata: {name: l-d}\n- metadata: {name: l-d}\n"
    "---\napiVersion: v1\nkind: List\nitems:\n"
    "- {apiVersion: v1, kind: Secret, metadata: {name: l-e}}\n"
)


def test_errors_of_list_items_as_kubectl(step: Any, tmp_path: Path) -> None:
    """kubectl's table get prints a list document's failed items as one aggregate: without
    "Error from server", several in brackets, a repeated message once."""
    (tmp_path / "lists.yaml").write_text(LISTS)
    missing = step("get", "-f", "lists.yaml")
    assert missing.stderr == (
        '[configmaps "l-a" not found, configmaps "l-b" not found]\n'
        'Error from server (NotFound): configmaps "l-c" not found\n'
        'configmaps "l-d" not found\n'
        'secrets "l-e" not found\n'
    )
    for args in (
        ("get", "-f", "lists.yaml", "-o", "name"),
        ("get", "-f", "lists.yaml", "-o", "yaml"),
        ("get", "-f", "lists.yaml", "--ignore-not-found"),
        ("delete", "-f", "lists.yaml"),
        ("apply", "-f", "lists.yaml"),
        ("get", "-f", "lists.yaml"),
        ("delete", "-f", "lists.yaml"),
    ):
        step(*args)
    (tmp_path / "one.yaml").write_text(LISTS.split("---\n")[0])
    step("get", "-f", "one.yaml")
    step("get", "-f", "one.yaml", "-o", "json")


NOPE = "apiVersion: v1\nkind: Nope%s\nmetadata: {name: n%s}\n"
SEVERAL = {
    # Two unmappable documents around one the server refuses and one it takes.
    "around.yaml": "---\n".join(
        [NOPE % (1, 1), CM_DOC % "A_B", NOPE % (2, 2), CM_DOC % "several-ok"]
    ),
    "one-each.yaml": "---\n".join([NOPE % (1, 1), CM_DOC % "A_B"]),
    "two-unmappable.yaml": "---\n".join([NOPE % (1, 1), NOPE % (2, 2)]),
    "list-and-unmappable.yaml": "---\n".join(
        [
            NOPE % (1, 1),
            "apiVersion: v1\nkind: List\nitems:\n- {kind: ConfigMap}\n- {apiVersion: v1}\n",
            CM_DOC % "several-gone",
        ]
    ),
}


@pytest.mark.parametrize("name", sorted(SEVERAL))
def test_several_problems_print_as_kubectl(step: Any, tmp_path: Path, name: str) -> None:
    """apply's errors come after the builder's aggregate (one line when there are others),
    delete's before it; get prints the builder's errors in document order."""
    (tmp_path / name).write_text(SEVERAL[name])
    for args in (
        ("apply", "-f", name),
        ("get", "-f", name),
        ("get", "-f", name, "-o", "name"),
        ("get", "-f", name, "-o", "json"),
        ("get", "-f", name, "-f", "lists.yaml", "-o", "name"),
        ("delete", "-f", name),
        ("delete", "-f", name),
    ):
        (tmp_path / "lists.yaml").write_text(LISTS)
        step(*args)
