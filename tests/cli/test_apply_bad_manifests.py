"""apply -f on manifests kubectl refuses: the same stderr, byte for byte, and exit code 1.

Validation (--validate=strict/warn, the default) refuses a document without a usable apiVersion
or kind before decoding it; with --validate=false the decoder's own words show instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.sandbox import Sandbox

HINT = "; if you choose to ignore these errors, turn validation off with --validate=false"

CASES: list[tuple[str, bytes, str]] = [
    (
        "noapi.yaml",
        b"kind: ConfigMap\nmetadata: {name: a}\n",
        'error validating "noapi.yaml": error validating data: apiVersion not set' + HINT,
    ),
    (
        "noapi.json",
        b'{"kind": "ConfigMap", "metadata": {"name": "a"}}',
        'error validating "noapi.json": error validating data: apiVersion not set' + HINT,
    ),
    (
        "nokind.yaml",
        b"apiVersion: v1\nmetadata: {name: a}\n",
        'error validating "nokind.yaml": error validating data: kind not set' + HINT,
    ),
    (
        "list.yaml",
        b"- a\n- b\n",
        'error validating "list.yaml": error validating data: invalid object to validate' + HINT,
    ),
    (
        "scalar.yaml",
        b"hello\n",
        'error validating "scalar.yaml": error validating data: invalid object to validate' + HINT,
    ),
    (
        "array.json",
        b'[{"a": 1}]',
        'error validating "array.json": error validating data: invalid object to validate' + HINT,
    ),
    (
        "numapi.yaml",
        b"apiVersion: 5\nkind: ConfigMap\nmetadata: {name: a}\n",
        'error validating "numapi.yaml": error validating data: apiVersion isn\'t string type'
        + HINT,
    ),
    (
        "numkind.yaml",
        b"apiVersion: v1\nkind: 5\nmetadata: {name: a}\n",
        'error validating "numkind.yaml": error validating data: kind isn\'t string type' + HINT,
    ),
    (
        "abc.yaml",
        b"apiVersion: a/b/c\nkind: ConfigMap\nmetadata: {name: a}\n",
        'error validating "abc.yaml": error validating data: unexpected GroupVersion string: '
        "a/b/c" + HINT,
    ),
    (
        "trunc.json",
        b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name"',
        "error parsing trunc.json: unexpected EOF",
    ),
    (
        "trunc-string.json",
        b'{"apiVersion": "v1", "kind": "ConfigMap", "data": {"x": "y',
        "error parsing trunc-string.json: unexpected EOF",
    ),
    (
        "binary.yaml",
        b"\x00\x01\x02binary\xff",
        "error parsing binary.yaml: error converting YAML to JSON: yaml: control characters "
        "are not allowed",
    ),
    (
        "control.yaml",
        b"apiVersion: v1\x01\nkind: ConfigMap\n",
        "error parsing control.yaml: error converting YAML to JSON: yaml: control characters "
        "are not allowed",
    ),
]


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sandbox:
        yield sandbox


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_apply_refuses_as_kubectl(
    sb: Sandbox,
    run_kctl: object,
    run_ref_kubectl: object,
    tmp_path: Path,
    name: str,
    data: bytes,
    expected: str,
) -> None:
    assert callable(run_kctl) and callable(run_ref_kubectl)
    (tmp_path / name).write_bytes(data)
    theirs = run_ref_kubectl(sb, "apply", "-f", name, cwd=tmp_path)
    ours = run_kctl(sb, "apply", "-f", name, cwd=tmp_path)
    assert (theirs.returncode, theirs.stdout, theirs.stderr) == (1, "", f"error: {expected}\n")
    assert (ours.returncode, ours.stdout, ours.stderr) == (1, "", f"error: {expected}\n")


@pytest.mark.parametrize("name", ["nokind.yaml", "list.yaml", "scalar.yaml"])
def test_validate_false_shows_the_decoder_error(
    sb: Sandbox, run_kctl: object, run_ref_kubectl: object, tmp_path: Path, name: str
) -> None:
    assert callable(run_kctl) and callable(run_ref_kubectl)
    data = next(c[1] for c in CASES if c[0] == name)
    (tmp_path / name).write_bytes(data)
    theirs = run_ref_kubectl(sb, "apply", "--validate=false", "-f", name, cwd=tmp_path)
    ours = run_kctl(sb, "apply", "--validate=false", "-f", name, cwd=tmp_path)
    assert theirs.returncode == 1 and theirs.stderr.startswith(f'error: unable to decode "{name}"')
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )


# Found by a sweep of odd YAML against kubectl 1.37.1 (apply --dry-run=server): go-yaml's
# texts, validation that adds up and ends the source, and apimachinery's list decoding.
SWEEP: dict[str, bytes] = {
    "both-missing.yaml": b"metadata: {name: a}\n",
    "apiversion-int.yaml": b"apiVersion: 1\nmetadata: {name: a}\n",
    "bad-gv-kind-int.yaml": b"apiVersion: a/b/c\nkind: 3\nmetadata: {name: a}\n",
    "stops-at-invalid.yaml": b"kind: A\n---\nkind: B\n---\na: b\n c: d\n",
    "unknown-tags.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\ndata:\n"
    b"  a: !!foo b\n  c: !bar d\n  e: !!foo 12\n",
    "binary-bad.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"
    b"data:\n  a: !!binary '%%%'\n",
    "merge-scalar.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  <<: 1\n  name: a\n",
    "merge-list.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\nx: &a [1]\n"
    b"y:\n  <<: *a\n",
    "null-key.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: n}\n~: a\n",
    "null-key-list.yaml": b'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: n}\n~: [1, "x"]\n',
    "items-string.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nitems: x\n",
    "items-null.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nitems: null\n",
    "items-empty.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nitems: []\n",
    "items-on-any-kind.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
    b"items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: i5}\n",
    "items-inherit-kind.yaml": b"apiVersion: v1\nkind: ConfigMapList\n"
    b"items:\n- metadata: {name: i3}\n",
    # go-yaml's line numbers count from each document's own first line.
    "line-second-doc.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n"
    b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b\n",
    "line-after-blank.yaml": b"\n\n\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n",
    "line-crlf.yaml": b"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: [a\r\n",
    "line-tab.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n",
    "line-indent.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   x: b\n",
    "line-unclosed-quote.yaml": b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'a\n\n\n",
}


@pytest.mark.parametrize("name", sorted(SWEEP))
@pytest.mark.parametrize("validate", ["--validate=strict", "--validate=false"])
def test_odd_yaml_as_kubectl(
    sb: Sandbox,
    run_kctl: object,
    run_ref_kubectl: object,
    tmp_path: Path,
    name: str,
    validate: str,
) -> None:
    assert callable(run_kctl) and callable(run_ref_kubectl)
    (tmp_path / name).write_bytes(SWEEP[name])
    args = ("apply", "--dry-run=server", validate, "-f", name)
    theirs = run_ref_kubectl(sb, *args, cwd=tmp_path)
    ours = run_kctl(sb, *args, cwd=tmp_path)
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )
