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
