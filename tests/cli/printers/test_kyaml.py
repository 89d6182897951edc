"""-o kyaml: our KYAML bytes against real kubectl 1.37.1 (sigs.k8s.io/yaml's encoder)."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kctl.cli._printers import KYAMLPrinter
from kctl.cli._printers._kyaml import dump
from kctl.errors import PrinterError

KUBECTL = Path(sys.executable).parent / "kubectl"

_KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- cluster: {server: "http://127.0.0.1:1"}
  name: c
contexts:
- context: {cluster: c, user: u}
  name: c
current-context: c
users:
- name: u
  user: {}
"""

# Values and keys that YAML could misread, or that need escapes or folding. Not U+0085:
# kubectl 1.37.1 fails on it ("error decoding: yaml: line 1: did not find expected ','
# or '}'") where the encoder alone folds it to a space, as kctl does.
STRINGS = [
    "true", "1", "1.0", "", "null", "~", "a: b", "-x", "0x1f", "1e3", "2024-01-01",
    "2024-13-01", "2024-01-01T10:00:00Z", "2001-12-14 21:59:43.10", "12:30", "1:20:30", "y",
    "n", "on", "Off", "ñ", "😀 x", "a\tb", "'q'", '"dq"', "#c", "a\\b", "0o17", "0b101",
    "+1", ".5", "1_000", "08", "1.", "-", "-.inf", ".NaN", "inf", " lead", "trail ", "a\nb",
    "a\n", "a\n\n", "\nlead", " a\nb", "a \nb", "a\n b", "a\r\nb", "a\u2028b", "\u00a0nb",
    "\ufeffbom", "\x01ctl", "x" * 130, "é" * 40, "<>&", "a.b/c-d", "_x", "٣",
]  # fmt: skip


def tricky_object() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "x<y",
            "labels": {"app.kubernetes.io/name": "x", "a-1": "3", "_x": "4"},
            "managedFields": [{"manager": "kubectl", "operation": "Update"}],
        },
        "data": {f"k{i:03d}": v for i, v in enumerate(STRINGS)},
        "keys": {s: i for i, s in enumerate(STRINGS)},
        "nums": {"i": 1, "f": 1.5, "big": 1e21, "tiny": 1e-7, "neg": -3, "f6": 1234567.0},
        "misc": {"t": True, "nil": None, "empty": {}, "none": []},
        "lists": [[1, [2, []]], {}, [], {"a": [{"b": "c", "d": ["e"]}]}, "x\ny", ["a\n"]],
        "cuddled": [{"a": 1}, [2, {"b": [3]}], {}],
    }


@pytest.fixture
def kubectl_kyaml(tmp_path: Path) -> Any:
    if not KUBECTL.exists():
        pytest.skip("reference kubectl not installed")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(_KUBECONFIG)

    def run(obj: dict[str, Any], *flags: str) -> str:
        path = tmp_path / "obj.json"
        path.write_text(json.dumps(obj))
        args = [str(KUBECTL), "--kubeconfig", str(kubeconfig), "annotate", "--local"]
        args += ["--overwrite", "-f", str(path), "-o", "kyaml", *flags, "printed=yes"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True)
        return done.stdout

    return run


def annotated(obj: dict[str, Any]) -> dict[str, Any]:
    obj = copy.deepcopy(obj)
    obj["metadata"].setdefault("annotations", {})["printed"] = "yes"
    return obj


@pytest.mark.parametrize("show_managed_fields", [False, True])
def test_object_matches_kubectl(kubectl_kyaml: Any, show_managed_fields: bool) -> None:
    flags = ("--show-managed-fields",) if show_managed_fields else ()
    want = kubectl_kyaml(tricky_object(), *flags)
    out = io.StringIO()
    KYAMLPrinter(out, show_managed_fields).print_obj(annotated(tricky_object()))
    assert out.getvalue() == want


def test_list_items_lose_managed_fields() -> None:
    item = tricky_object()
    listed = {"apiVersion": "v1", "kind": "List", "items": [item], "metadata": {}}
    out = io.StringIO()
    KYAMLPrinter(out).print_obj(listed)
    assert "managedFields" not in out.getvalue()
    assert out.getvalue().startswith('---\n{\n  apiVersion: "v1",\n  items: [{\n')


def test_shapes_as_sigs_k8s_io_yaml_writes_them() -> None:
    # Printed by sigs.k8s.io/yaml v1.6.0's kyaml.Encoder.FromObject.
    obj = {"m": [{"a": 1}, [2]], "n": [1, "x\ny", None], "e": [], "o": {}, "yes": "2024-1-2"}
    assert dump(obj) == (
        "---\n{\n"
        "  e: [],\n"
        "  m: [{\n    a: 1,\n  }, [\n    2,\n  ]],\n"
        '  "n": [\n    1,\n    "\\\n       x\\n\\\n       y\\\n      ",\n    null,\n  ],\n'
        "  o: {},\n"
        '  "yes": "2024-1-2",\n'
        "}\n"
    )


def test_struct_order_kept_on_request() -> None:
    assert dump({"kind": "K", "apiVersion": "v1"}, sort_keys=False) == (
        '---\n{\n  kind: "K",\n  apiVersion: "v1",\n}\n'
    )


def test_object_without_kind_is_kubectls_error() -> None:
    with pytest.raises(PrinterError, match=r"^missing apiVersion or kind; try"):
        KYAMLPrinter(io.StringIO()).print_obj({"metadata": {"name": "x"}})


@pytest.mark.parametrize("text", ["\x7f", "a\x80", "\x9f", "\ufffe"])
def test_characters_yaml_refuses_fail_as_in_kubectl(kubectl_kyaml: Any, text: str) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": text}}
    with pytest.raises(subprocess.CalledProcessError) as failed:
        kubectl_kyaml(obj)
    assert (
        failed.value.stderr == "error: error decoding: yaml: control characters are not allowed\n"
    )
    with pytest.raises(PrinterError) as ours:
        KYAMLPrinter(io.StringIO()).print_obj(annotated(obj))
    assert f"error: {ours.value}\n" == failed.value.stderr


def test_pyyaml_cannot_write_kyaml() -> None:
    """Why _kyaml.py writes by hand: PyYAML's closest output (flow style, every string
    double-quoted) keeps a collection on one line, with no comma after its last entry."""
    import yaml

    obj = {"kind": "Pod", "metadata": {"name": "x"}}
    closest = yaml.dump(obj, default_flow_style=True, default_style='"', sort_keys=False)
    assert closest == '{"kind": "Pod", "metadata": {"name": "x"}}\n'
    assert dump(obj) == '---\n{\n  kind: "Pod",\n  metadata: {\n    name: "x",\n  },\n}\n'
