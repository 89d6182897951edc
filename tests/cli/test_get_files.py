"""``kctl get -f``: files, directories, ``-R``, stdin and kubectl's error texts, against kubectl."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

# The AGE column (and anything after it) moves between the two runs.
AGE = r"(?<=  )\d+[smhdy]\d*[smhd]?$"

Parity = Callable[..., Any]

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n"
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: kubernetes\n  namespace: default\n"
MISSING = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nope"}}\n'
BROKEN = "a: [\n"
NOT_AN_OBJECT = "- 1\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "ns.yaml").write_text(NAMESPACE)
    (tmp_path / "sub" / "svc.yml").write_text(SERVICE)
    (tmp_path / "sub" / "deeper" / "missing.json").write_text(MISSING)
    (tmp_path / "sub" / "ignored.txt").write_text(SERVICE)
    (tmp_path / "broken.yaml").write_text(BROKEN)
    (tmp_path / "mixed.yaml").write_text(f"{SERVICE}---\n{NOT_AN_OBJECT}---\n{NAMESPACE}")
    (tmp_path / "lonely").mkdir()
    (tmp_path / "lonely" / "only.yaml").write_text(SERVICE)
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "a.yaml").write_text(NAMESPACE)
    (tmp_path / "two" / "b.yaml").write_text(BROKEN)
    return tmp_path


CASES: list[tuple[str, ...]] = [
    ("-f", "{t}/ns.yaml"),
    ("-f", "{t}/sub"),
    ("-f", "{t}/sub", "-R"),
    ("-f", "{t}/sub", "--recursive", "-o", "name"),
    ("-f", "{t}/sub", "--recursive=false", "-o", "name"),
    ("-f", "{t}/sub/ignored.txt", "-o", "name"),
    ("-f", "{t}/nothere"),
    ("-f", "{t}/ns.yaml", "-f", "{t}/nothere", "-o", "name"),
    ("-f", "{t}/broken.yaml"),
    ("-f", "{t}/broken.yaml", "-o", "name"),
    ("-f", "{t}/ns.yaml", "-f", "{t}/broken.yaml"),
    ("-f", "{t}/ns.yaml", "-f", "{t}/broken.yaml", "-o", "name"),
    ("-f", "{t}/broken.yaml", "-f", "{t}/mixed.yaml", "-o", "name"),
    ("-f", "{t}/broken.yaml", "-f", "{t}/mixed.yaml", "-o", "json"),
    ("-f", "{t}/mixed.yaml"),
    ("-f", "{t}/mixed.yaml", "-o", "name"),
    ("-f", "{t}/lonely", "-o", "yaml"),
    ("-f", "{t}/two", "-o", "name"),
    ("-f", "{t}/sub", "-n", "kube-system", "-o", "name"),
    ("-f", "{t}/sub", "-n", "default", "-o", "name"),
    # Names that do not exist are globs, as kubectl's builder expands them.
    ("-f", "{t}/*.yaml", "-o", "name"),
    ("-f", "{t}/n?.yaml", "-o", "yaml"),
    ("-f", "{t}/[nm]*.yaml", "-o", "name"),
    ("-f", "{t}/two/*", "-o", "name"),
    ("-f", "{t}/sub/*", "-o", "name"),
    ("-f", "{t}/z*.yaml"),
    ("-f", "{t}/n[.yaml"),
    ("-f", "{t}/n[].yaml"),
    ("-f", "{t}/n[a-].yaml"),
    ("-f", "{t}/ns.yaml", "-f", "{t}/q?", "-o", "name"),
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a).replace("{t}/", ""))
def test_get_filename_parity(
    demo_sandbox: Sandbox, parity: Parity, tree: Path, args: tuple[str, ...]
) -> None:
    argv = [a.replace("{t}", str(tree)) for a in args]
    parity(demo_sandbox, "get", *argv, mask=[AGE]).assert_same()


@pytest.mark.parametrize("output", ["name", "yaml"])
def test_get_filename_from_stdin_parity(demo_sandbox: Sandbox, parity: Parity, output: str) -> None:
    # Stdin is a stream: even one object prints as a List.
    parity(demo_sandbox, "get", "-f", "-", "-o", output, input=SERVICE).assert_same()


@pytest.mark.parametrize(
    "args",
    [
        ("apply", "-f", "{t}/c*.yaml", "--dry-run=server"),
        ("apply", "-f", "{t}/x*.yaml"),
        ("delete", "-f", "{t}/c?.yaml", "--dry-run=server"),
    ],
    ids=lambda a: " ".join(a).replace("{t}/", ""),
)
def test_apply_and_delete_expand_globs_as_kubectl(
    demo_sandbox: Sandbox, parity: Parity, tmp_path: Path, args: tuple[str, ...]
) -> None:
    for name in ("c1", "c2"):
        (tmp_path / f"{name}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: dev\n"
        )
    argv = [a.replace("{t}", str(tmp_path)) for a in args]
    parity(demo_sandbox, *argv).assert_same()
