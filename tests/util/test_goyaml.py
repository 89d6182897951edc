"""kctl.util.goyaml: YAML read as sigs.k8s.io/yaml over go-yaml v2 reads it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kctl.util import goyaml

KUBECTL = Path(sys.executable).parent / "kubectl"

# Plain scalars where go-yaml v2's resolver and PyYAML's YAML 1.1 one disagree, and what
# kubectl 1.37.1 hands on after its YAML -> JSON conversion.
VALUES = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: x}
x:
  y: y
  n: N
  on: on
  ts: 2020-01-01
  ts2: 2001-12-14t21:59:43.10-05:00
  o: 0o17
  oct: 017
  e: 1e3
  dot: .5
  b60: 1:20
  hex: 0x1F
  bin: 0b101
  und: 1_000
  big: 123456789012345678901234567890
  dup: 1
  dup: 2
  eq: =
  m:
    <<: {a: 1, b: 2}
    b: 3
  1.5: f
  true: t
  8: int
  bin2: !!binary aGVsbG8=
  neg: -0
  nf: -1.0e+3
  pf: +12
  huge: 1e400
"""
WANT_X = {
    "1.5": "f",
    "8": "int",
    "b60": "1:20",
    "big": 1.2345678901234568e29,
    "bin": 5,
    "bin2": "hello",
    "dot": 0.5,
    "dup": 2,
    "e": 1000,
    "eq": "=",
    "false": False,
    "hex": 31,
    "huge": "1e400",
    "m": {"a": 1, "b": 3},
    "neg": 0,
    "nf": -1000,
    "o": 15,
    "oct": 15,
    "pf": 12,
    "true": "t",
    "ts": "2020-01-01",
    "ts2": "2001-12-14t21:59:43.10-05:00",
    "und": 1000,
}


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def test_go_yaml_resolution() -> None:
    assert _typed(goyaml.load(VALUES)["x"]) == _typed(WANT_X)


@pytest.mark.skipif(not KUBECTL.exists(), reason="reference kubectl not installed")
def test_resolution_matches_kubectl(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    manifest = tmp_path / "m.yaml"
    manifest.write_text(VALUES)
    args = ["annotate", "--local", "-f", str(manifest), "-o", "json", "a=b"]
    proc = subprocess.run(
        [str(KUBECTL), f"--kubeconfig={kubeconfig}", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["x"] == WANT_X


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1e3, "b": [1.5, "x", null, true], "a": 2}',
        '{"a": "\\u00e9\\n", "b": {}, "c": [], "d": 12345678901234567890}',
        '  {"a": 1.0}',
    ],
)
def test_json_documents_read_as_yaml_reads_them(text: str) -> None:
    import yaml

    via_yaml = goyaml.to_json(yaml.load(text, Loader=goyaml.loader()))
    assert _typed(goyaml.load(text)) == _typed(via_yaml)
    assert _typed(goyaml.load(text.encode())) == _typed(via_yaml)


def test_json_shortcut_leaves_what_json_refuses_to_yaml() -> None:
    # NaN is no JSON, but a plain string to go-yaml; a trailing comma is fine in YAML.
    assert goyaml.load('{"a": NaN}') == {"a": "NaN"}
    assert goyaml.load('{"a": 1,}') == {"a": 1}
    with pytest.raises(goyaml.YAMLSyntaxError):
        goyaml.load('{"a": "\\ud800"}')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # kubectl 1.37.1's texts for the same kubeconfig bytes.
        ("a: b: c\n", "yaml: mapping values are not allowed in this context"),
        ("kind: Config\nclusters:\n  name: [x\n", "yaml: line 3: did not find expected ',' or ']'"),
        ("a: b\n c: d\n", "yaml: line 2: mapping values are not allowed in this context"),
        ("a:\n- b\nc\n", "yaml: line 4: could not find expected ':'"),
        ("a: !!int x\n", "yaml: cannot decode !!str `x` as a !!int"),
        ("a: *x\n", "yaml: unknown anchor 'x' referenced"),
        ("\tx: 1\n", "yaml: found character that cannot start any token"),
        ("a: .inf\n", "json: unsupported value: +Inf"),
        (b"a: \xff\n", "yaml: invalid leading UTF-8 octet"),
    ],
)
def test_errors_read_like_go_yaml(text: str | bytes, message: str) -> None:
    with pytest.raises(goyaml.YAMLSyntaxError) as info:
        goyaml.load(text)
    assert str(info.value) == message


def test_needs_quotes_follows_the_resolver() -> None:
    for word in ("y", "NO", "1e3", ".5", "0o17", "2020-01-01", "1:20", "", "~", "-1"):
        assert goyaml.needs_quotes(word), word
    for word in ("yes please", "1e400", "2020-13-01", "x1", "<<", "=", "0x", "1.2.3"):
        assert not goyaml.needs_quotes(word), word


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: !!foo b\nc: !bar 12\n", {"a": "b", "c": "12"}),
        ("a: !x [1, b]\nc: !y {d: 1}\n", {"a": [1, "b"], "c": {"d": 1}}),
        ("a: !!binary aGVs\\\n", None),
        ("a: !!binary |\n  aGVs\n  bG8=\n", {"a": "hello"}),
    ],
)
def test_tags_go_yaml_reads(text: str, value: object) -> None:
    # kubectl 1.37.1 stores an unknown tag's scalar as its text; !!binary is strict base64.
    if value is None:
        with pytest.raises(goyaml.YAMLSyntaxError):
            goyaml.load(text)
        return
    assert goyaml.load(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!binary '%%%'\n", "yaml: !!binary value contains invalid base64 data"),
        ("a:\n  <<: 1\n", "yaml: map merge requires map or sequence of maps as the value"),
        (
            "x: &a [1]\ny:\n  <<: *a\n",
            "yaml: map merge requires map or sequence of maps as the value",
        ),
        ("~: a\n", 'unsupported map key of type: %!s(<nil>), key: <nil>, value: "a"'),
        (
            '~: [1, "x", null]\n',
            "unsupported map key of type: %!s(<nil>), key: <nil>, value: "
            '[]interface {}{1, "x", interface {}(nil)}',
        ),
    ],
)
def test_go_yaml_and_sigs_yaml_refusals(text: str, message: str) -> None:
    # Texts from kubectl 1.37.1 (apply -f of each document).
    with pytest.raises(goyaml.YAMLSyntaxError) as info:
        goyaml.load(text)
    assert str(info.value) == message
