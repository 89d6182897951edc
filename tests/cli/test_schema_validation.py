"""apply's client-side validation (kctl.cli._schema_validation) beside kubectl 1.37.1: a
``v1 List``, a typed list or another kind without a PATCH endpoint is validated against the
server's OpenAPI v2 models by kubectl itself, with kube-openapi's texts; other kinds are left
to the server's fieldValidation. Compared on the sandbox and on a real kube-apiserver."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.cli._aggregate import Aggregate
from kctl.sandbox import Sandbox

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\n"
MANY_ITEMS = (
    "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a, labels: [1]}\n"
    "  data: {a: 1, b: null, c: [x], d: {e: f}}\n  binaryData: x\n"
    "- {kind: ConfigMap}\n- {apiVersion: v1}\n- 5\n"
    "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: d}\n  spec:\n"
    "    replicas: x\n    template: {spec: {containers: [{image: 1}, null]}}\n"
    # The same problems twice: an aggregate says each once.
    "- {apiVersion: v1, kind: ConfigMap, metadata: {name: a, labels: [1]},"
    " data: {a: 1, b: null, c: [x], d: {e: f}}, binaryData: x}\n"
    # A kind with no model is not validated.
    "- {apiVersion: example.com/v1, kind: Nope, spec: 5}\n"
    "- {apiVersion: v1, kind: ConfigMapList, items: [{data: 1}]}\n"
    "- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: i,"
    " ports: [{containerPort: 1.5}, {containerPort: '80'}], tty: 'yes',"
    " resources: {limits: {cpu: 1}}}]}}\n"
)

FILES = {
    "list-type.yaml": "apiVersion: v1\nkind: List\nitems:\n- "
    + (CM % "lt").replace("\n", "\n  ")
    + "data: 5\n",
    "list-unknown.yaml": "apiVersion: v1\nkind: List\nitems:\n- "
    + (CM % "lu").replace("\n", "\n  ")
    # Go quotes an unknown field's name (%q): the quote, backslash and tab come escaped.
    + 'foo: bar\n  "a\\"b\\\\c\\tü": 1\n',
    "list-many.yaml": "apiVersion: v1\nkind: List\nitems:\n" + MANY_ITEMS,
    "list-kinds-twice.yaml": "apiVersion: v1\nkind: List\nitems:\n- {kind: A}\n- {kind: B}\n",
    "list-items-map.yaml": "apiVersion: v1\nkind: List\nitems: {a: b}\n",
    "list-valid.yaml": "apiVersion: v1\nkind: List\nitems:\n"
    "- {apiVersion: v1, kind: ConfigMap, metadata: {name: ok}, data: {a: b}}\n",
    "typed-type.yaml": "apiVersion: v1\nkind: ConfigMapList\nitems:\n- metadata: {name: tt}\n"
    "  data: 5\n",
    "typed-unknown.yaml": "apiVersion: v1\nkind: ConfigMapList\nitems:\n- metadata: {name: tu}\n"
    "  foo: bar\n",
    "typed-required.yaml": "apiVersion: apps/v1\nkind: DeploymentList\nitems:\n"
    "- {metadata: {name: tr}, spec: {template: {spec: {containers: [{image: x}]}}}}\n",
    # Kinds without an endpoint of their own.
    "status.yaml": "apiVersion: v1\nkind: Status\nstatus: 5\ndetails: 5\nmetadata: {name: s}\n",
    "create-only.yaml": "apiVersion: authentication.k8s.io/v1\nkind: TokenReview\n"
    "spec: {token: 5, audiences: x}\n",
    # A kind with an endpoint: the server validates it (its texts, not kube-openapi's).
    "served.yaml": CM % "served" + "data: 5\nfoo: bar\n",
}

_KLOG = re.compile(r"^W\d{4} [\d:.]+ +\d+ (?=\S+\.go:\d+\] )", re.M)


def _same_warning_header(text: str) -> str:
    # klog's header: only the time and the pid differ; the Go file:line must match.
    return _KLOG.sub("W<time> <pid> ", text)


@pytest.fixture(scope="module")
def twins() -> Iterator[tuple[Sandbox, Sandbox]]:
    with Sandbox(seed="empty") as ours, Sandbox(seed="empty") as theirs:
        yield ours, theirs


@pytest.mark.parametrize("name", sorted(FILES))
def test_apply_validates_as_kubectl(
    twins: tuple[Sandbox, Sandbox], twin_step: Any, tmp_path: Path, name: str
) -> None:
    step = twin_step(*twins, _same_warning_header)
    (tmp_path / name).write_text(FILES[name])
    for validate in ("--validate=strict", "--validate=warn", "--validate=false"):
        step("apply", "-f", name, validate, "--dry-run=server")
    step("apply", "-f", name)


def test_kube_openapi_texts(twins: tuple[Sandbox, Sandbox], run_kctl: Any, tmp_path: Path) -> None:
    (tmp_path / "many.yaml").write_text(FILES["list-many.yaml"])
    done = run_kctl(twins[0], "apply", "-f", "many.yaml", cwd=tmp_path)
    assert done.returncode == 1
    for text in (
        "ValidationError(ConfigMap.metadata.labels): invalid type for io.k8s.apimachinery."
        'pkg.apis.meta.v1.ObjectMeta.labels: got "array", expected "map"',
        # A string field takes any scalar (data.a: 1), not a list.
        "ValidationError(ConfigMap.data.c): invalid type for io.k8s.api.core.v1.ConfigMap.data: "
        'got "array", expected "string"',
        'unknown object type "nil" in ConfigMap.data.b',
        'ValidationError(Deployment.spec.template.spec.containers): unknown object type "nil" '
        "in Deployment.spec.template.spec.containers[1]",
        "ValidationError(Deployment.spec.template.spec.containers[0]): missing required field "
        '"name" in io.k8s.api.core.v1.Container',
        'ValidationError(Deployment.spec): missing required field "selector" in '
        "io.k8s.api.apps.v1.DeploymentSpec",
        "apiVersion not set",
        "kind not set",
        "invalid object to validate",
    ):
        assert text in done.stderr
    assert done.stderr.count("ConfigMap.data.b") == 1
    assert "Nope" not in done.stderr


def test_real_apiserver_models(
    envtest: Any, run_kctl: Any, run_ref_kubectl: Any, tmp_path: Path
) -> None:
    """The real server's OpenAPI v2 document and endpoints; nothing is written (every case
    is refused on the client, or sent as a server-side dry run)."""
    for name in ("list-many.yaml", "typed-required.yaml", "status.yaml", "create-only.yaml"):
        (tmp_path / name).write_text(FILES[name])
        args = ("apply", "-f", name, "--dry-run=server")
        ours = run_kctl(envtest, *args, cwd=tmp_path)
        theirs = run_ref_kubectl(envtest, *args, cwd=tmp_path)
        assert (ours.returncode, ours.stdout, ours.stderr) == (
            theirs.returncode,
            theirs.stdout,
            theirs.stderr,
        ), name
        assert "error validating" in ours.stderr, name


def test_an_aggregate_prints_each_message_once() -> None:
    inner = Aggregate([Exception("b"), Exception("a")], from_list=1)
    assert str(Aggregate([Exception("a"), inner])) == "[a, b]"
    assert str(Aggregate([inner, Exception("b")])) == "[b, a]"
    assert str(Aggregate([Exception("a"), Aggregate([Exception("a")])])) == "a"
