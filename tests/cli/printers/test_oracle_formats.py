"""Our json / yaml / name / jsonpath bytes against real kubectl 1.37.1."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kctl.cli._printers import JSONPathPrinter, JSONPrinter, NamePrinter, YAMLPrinter
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


class Oracle:
    """Real kubectl printing a local object offline (annotate --local never calls a server)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.kubeconfig = tmp / "kubeconfig"
        self.kubeconfig.write_text(_KUBECONFIG)

    def run(
        self, obj: dict[str, Any], output: str, *extra: str
    ) -> subprocess.CompletedProcess[str]:
        path = self.tmp / "obj.json"
        path.write_text(json.dumps(obj))
        args = [str(KUBECTL), "--kubeconfig", str(self.kubeconfig), "annotate", "--local"]
        args += ["--overwrite", "-f", str(path), "-o", output, *extra, "printed=yes"]
        return subprocess.run(args, capture_output=True, text=True, timeout=60)


@pytest.fixture
def oracle(tmp_path: Path) -> Oracle:
    if not KUBECTL.exists():
        pytest.skip("reference kubectl not installed")
    return Oracle(tmp_path)


def annotated(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as kubectl prints it after our annotate call."""
    meta = obj.setdefault("metadata", {})
    meta.setdefault("annotations", {})["printed"] = "yes"
    return obj


TRICKY = [
    "true", "1", "1.0", "", "null", "~", "a: b", "-x", "- x", "0x1f", "1e3", "2024-01-01",
    "2024-01-01T10:00:00Z", "2024-13-01", "12:30", "1:20:30", "y", "n", "on", "Off", "ñ",
    "😀 x", "a\tb", "'q'", '"dq"', "#c", "a #b", "a#b", "@x", "`x", "!x", "&x", "*x", "|x",
    ">x", "%x", "?x", "? x", ":x", "x:", "x: ", "[x]", "{x}", "x,y", "---", "...", "0o17",
    "0b101", "0b2", "+1", ".5", "1_000", "08", "09.5", "1.", "-", "-.inf", ".NaN",
    "2001-12-14 21:59:43.10", "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43",
    " lead", "trail ", "a\nb", "a\n", "a\n\n", "\nlead", " a\nb", "a \nb", "a\n b", "a\r\nb",
    "a\u2028b", "\u00a0nb", "\ufeffbom", "a\\b", "x" * 130, ("word " * 30).strip(),
    "a " + "b" * 90 + " c", "x  " * 40, '"' + "w " * 50, "multi\nline " + "long " * 30,
    "é" * 100 + " é", "<>&", "\u2029",
]  # fmt: skip


def tricky_object() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "x<y",
            "namespace": "ns",
            "labels": {"a10": "1", "a9": "2", "a-1": "3", "_x": "4", "A": "5", "a.b": "6"},
            "managedFields": [{"manager": "kubectl", "operation": "Update"}],
        },
        "data": {f"k{i:03d}": v for i, v in enumerate(TRICKY)},
        "keys": {"y": 1, "true": 2, "1.5": 3, "": 4, "a b": 5, "x" * 140: 6, "a\nb": 7},
        "nums": {"i": 1, "f": 1.5, "big": 1e20, "tiny": 1e-7, "neg": -3, "f6": 1234567.0},
        "misc": {"t": True, "nil": None, "empty": {}, "none": []},
        "lists": [[1, [2, []]], {}, [], {"a": [{"b": "c", "d": ["e"]}]}, "x\ny", ["a\n"]],
    }


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_single_object_matches_kubectl(oracle: Oracle, fmt: str) -> None:
    obj = tricky_object()
    want = oracle.run(obj, fmt)
    assert want.returncode == 0, want.stderr
    out = io.StringIO()
    printer = JSONPrinter(out) if fmt == "json" else YAMLPrinter(out)
    printer.print_obj(annotated(copy.deepcopy(obj)))
    assert out.getvalue() == want.stdout


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_list_streams_like_kubectl(oracle: Oracle, fmt: str) -> None:
    items = [
        tricky_object(),
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}},
    ]
    as_list = {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"resourceVersion": ""},
        "items": items,
    }
    want = oracle.run(copy.deepcopy(as_list), fmt)
    assert want.returncode == 0, want.stderr
    expected_items = [annotated(copy.deepcopy(i)) for i in items]
    out = io.StringIO()
    printer = JSONPrinter(out) if fmt == "json" else YAMLPrinter(out)
    # Two pages, one item each: the wrapper is written incrementally.
    printer.print_list(iter([[expected_items[0]], [], [expected_items[1]]]))
    # kubectl annotate prints each item of a List as its own document.
    out2 = io.StringIO()
    single = JSONPrinter(out2) if fmt == "json" else YAMLPrinter(out2)
    for item in expected_items:
        single.print_obj(item)
    assert out2.getvalue() == want.stdout
    listing = out.getvalue()
    assert listing.startswith(
        '{\n    "apiVersion": "v1",\n    "items": ['
        if fmt == "json"
        else "apiVersion: v1\nitems:\n- "
    )


def test_empty_list_shapes() -> None:
    out = io.StringIO()
    JSONPrinter(out).print_list([])
    assert out.getvalue() == (
        '{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n'
        '    "metadata": {\n        "resourceVersion": ""\n    }\n}\n'
    )
    out = io.StringIO()
    YAMLPrinter(out).print_list([[]])
    assert (
        out.getvalue()
        == 'apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n'
    )


def test_yaml_list_matches_whole_document() -> None:
    from kctl.cli._printers import yaml_dump

    items = [tricky_object(), {"kind": "Pod", "metadata": {"name": "p"}}]
    out = io.StringIO()
    YAMLPrinter(out, show_managed_fields=True).print_list([items])
    whole = {
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }
    assert out.getvalue() == yaml_dump(whole)


def test_managed_fields_kept_on_request() -> None:
    out = io.StringIO()
    JSONPrinter(out, show_managed_fields=True).print_obj(tricky_object())
    assert '"managedFields"' in out.getvalue()
    out = io.StringIO()
    JSONPrinter(out).print_obj(tricky_object())
    assert '"managedFields"' not in out.getvalue()


def test_name_matches_kubectl(oracle: Oracle) -> None:
    for obj in (
        tricky_object(),
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}},
    ):
        want = oracle.run(obj, "name")
        out = io.StringIO()
        NamePrinter(out).print_obj(obj)
        assert out.getvalue() == want.stdout


POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "ns", "labels": {"app": "web", "tier": "fe"}},
    "spec": {
        "containers": [
            {
                "name": "a",
                "image": "nginx:1",
                "ports": [{"containerPort": 80}, {"containerPort": 443}],
            },
            {"name": "b", "image": "busybox", "args": ["x<y", "a&b"]},
        ],
        "prio": 1.5,
        "n": 1000000,
        "t": True,
        "nil": None,
    },
    "status": {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}, {"type": "Init", "status": "False"}],
    },
}

TEMPLATES = [
    "{.metadata.name}",
    "{.spec.containers[*].name}",
    '{range .spec.containers[*]}{.name}{"\\t"}{.image}{"\\n"}{end}',
    '{.spec.containers[?(@.name=="b")].image}',
    # Go walks maps in random order: only one branch of the descent may match.
    "{.spec..image}",
    "{.spec.containers[0:1].name}",
    "{.spec.containers[-1:].name}",
    "{.spec.containers[0,1].name}",
    "{.metadata.labels['app']}",
    "{$.kind}",
    "text {.kind} more",
    "{.spec.containers[0]}",
    "{.metadata.labels}",
    "{.spec.prio} {.spec.n} {.spec.t} {.spec.nil}",
    "{.missing}",
    "{.spec.containers[5]}",
    "{.spec.containers[*].ports[*].containerPort}",
    "{.spec.containers[?(@.ports)].name}",
    "{.spec.containers[?(@.ports[0].containerPort>79)].name}",
    "{range .status.conditions[*]}[{.type}={.status}]{end} tail",
    "{.spec.containers[*].args}",
    "{.x[}",
    "{.kind",
    "{range .spec.containers[*]}{.name}",
    "{end}",
    '{.status.conditions[?(@.status!="True")].type}',
    "{.spec.prio[0]}",
    "{.spec.containers[2:1]}",
    "{.spec.containers[::0]}",
    "{.spec.containers[?(@.name==1)].name}",
]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("allow_missing", [True, False])
def test_jsonpath_matches_kubectl(oracle: Oracle, template: str, allow_missing: bool) -> None:
    flag = f"--allow-missing-template-keys={str(allow_missing).lower()}"
    want = oracle.run(copy.deepcopy(POD), "jsonpath=" + template, flag)
    out = io.StringIO()
    try:
        printer = JSONPathPrinter(out, template, allow_missing_keys=allow_missing)
        printer.print_obj(annotated(copy.deepcopy(POD)))
    except PrinterError as err:
        assert want.returncode == 1
        assert want.stderr.startswith("error: " + str(err).split("\n")[0])
        return
    assert want.returncode == 0, want.stderr
    assert out.getvalue() == want.stdout


def test_jsonpath_execution_error_text(oracle: Oracle) -> None:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x"},
        "n": [1, 1.5, None, True],
    }
    want = oracle.run(
        copy.deepcopy(obj), "jsonpath={.missing}", "--allow-missing-template-keys=false"
    )
    out = io.StringIO()
    with pytest.raises(PrinterError) as info:
        JSONPathPrinter(out, "{.missing}", allow_missing_keys=False).print_obj(annotated(obj))
    assert "error: " + str(info.value) == want.stderr


@pytest.mark.parametrize(
    "tail",
    [
        {"zz": "\ufeffa b"},
        {"a": {"zz": "x y\u2028"}},
        {"zz": "x\n\n"},
        {"zz": "a\u2029"},
        {"zz": "x\n\u2029", "zzz": 1},
        {"zz": "a b\x85 c\x85"},
    ],
)
def test_go_yaml_quirks_match_kubectl(oracle: Oracle, tail: dict[str, Any]) -> None:
    """The cases _goyaml writes by hand because libyaml differs (see test_fast_encoders)."""
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, **tail}
    want = oracle.run(obj, "yaml")
    assert want.returncode == 0, want.stderr
    out = io.StringIO()
    YAMLPrinter(out).print_obj(annotated(copy.deepcopy(obj)))
    assert out.getvalue() == want.stdout


def test_random_objects_match_kubectl(oracle: Oracle) -> None:
    """Seeded random documents (the fast-path tests' generator) through kubectl, as one List."""
    sys.path.insert(0, str(Path(__file__).parent))
    from test_fast_encoders import random_objects

    # kubectl's JSON -> YAML step refuses the raw control characters encoding/json leaves
    # unescaped (DEL, C1 controls but NEL); such documents are no test of the printer.
    refused = {chr(c) for c in range(0x7F, 0xA0)} - {"\x85"}
    objs = [
        o
        for o in random_objects(seed=12, count=150)
        if not refused & set(json.dumps(o, ensure_ascii=False))
    ]
    assert len(objs) > 100
    items = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"o{i}"}, "data": obj}
        for i, obj in enumerate(objs)
    ]
    as_list = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}}
    want = oracle.run({**as_list, "items": copy.deepcopy(items)}, "yaml")
    assert want.returncode == 0, want.stderr
    out = io.StringIO()
    printer = YAMLPrinter(out)
    for item in items:
        printer.print_obj(annotated(copy.deepcopy(item)))
    assert out.getvalue() == want.stdout
