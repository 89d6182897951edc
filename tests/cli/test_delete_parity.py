"""``kctl delete`` against real kubectl 1.37.1: twin sandboxes seeded alike, the same
commands run by each tool, and stdout, stderr and exit codes compared step by step."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

_KLOG = re.compile(r"^[EWIF]\d{4} [^\n]*\n?", re.M)


def normalise(text: str) -> str:
    text = _KLOG.sub("", text)
    return re.sub(r"\bkubectl (delete|get)\b", r"kctl \1", text)


def _cm(name: str, namespace: str = "default", **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, **meta},
    }


def _seed(sb: Sandbox) -> None:
    for ns in ("dev", "gone"):
        sb.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    for name in ("a", "b", "c"):
        sb.create(_cm(name, labels={"tier": "web" if name != "c" else "db"}))
    sb.create(_cm("x", "dev", labels={"tier": "web"}))
    sb.create(_cm("held", finalizers=["example.com/hold"]))
    sb.create(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "s1", "namespace": "default"},
            "type": "Opaque",
        }
    )


@pytest.fixture
def twins() -> Iterator[tuple[Sandbox, Sandbox]]:
    with Sandbox(seed="empty") as ours, Sandbox(seed="empty") as theirs:
        _seed(ours)
        _seed(theirs)
        yield ours, theirs


Step = Callable[..., Any]


@pytest.fixture
def step(twins: tuple[Sandbox, Sandbox], twin_step: Any) -> Step:
    """``step(*args, input=None)``: kctl on one twin, kubectl on the other; both must agree."""
    return twin_step(*twins, normalise)  # type: ignore[no-any-return]


def test_target_forms(step: Step) -> None:
    assert step("delete", "configmap", "a").stdout == (
        'configmap "a" deleted from default namespace\n'
    )
    step("delete", "cm/b", "secret/s1")
    step("delete", "cm", "x", "-n", "dev", "-o", "name")
    out = step("delete", "namespace", "gone")
    assert out.stdout == 'namespace "gone" deleted\n'


def test_selectors_all_and_all_namespaces(step: Step) -> None:
    step("delete", "cm", "-l", "tier=nothing")
    out = step("delete", "cm", "-l", "tier=web", "-A", "--dry-run=client")
    assert "from dev namespace (dry run)" in out.stdout
    step("delete", "cm", "--field-selector", "metadata.name=c")
    step("delete", "cm", "-l", "tier=web", "-A")
    step("delete", "secrets,configmaps", "--all", "--wait=false")
    step("delete", "pods", "--all")


def test_not_found_and_ignore_not_found(step: Step) -> None:
    out = step("delete", "cm", "nope")
    assert out.stderr == 'Error from server (NotFound): configmaps "nope" not found\n'
    step("delete", "cm", "nope", "a", "nope2")
    step("delete", "cm", "nope", "--ignore-not-found")
    step("delete", "foo", "x")


def test_grace_force_cascade_and_dry_run(step: Step) -> None:
    step("delete", "cm", "a", "--force")
    step("delete", "cm", "b", "--now")
    step("delete", "cm", "c", "--dry-run=server")
    step("delete", "cm", "c", "--cascade=orphan")
    for cascade in ("foreground", "background", "false"):
        step("delete", "cm", "x", "-n", "dev", f"--cascade={cascade}", "--dry-run=server")
    step("delete", "cm", "x", "-n", "dev", "--cascade=sideways")
    step("delete", "cm", "x", "-n", "dev", "--now", "--grace-period=3")
    step("delete", "cm", "x", "-n", "dev", "--force", "--grace-period=3")
    step("delete", "cm", "x", "-n", "dev", "--timeout=1")


def test_usage_errors(step: Step) -> None:
    step("delete")
    step("delete", "cm")
    step("delete", "cm", "a/b")
    step("delete", "cm", "--all", "-l", "a=b")
    step("delete", "cm", "a", "-o", "yaml")
    step("delete", "cm", "a", "--dry-run=later")
    step("delete", "ns", "dev", "-n", "default", "--dry-run=server")


def test_from_files(step: Step, tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nope\n"
    )
    step("delete", "-f", "m.yaml")
    step("delete", "-f", "m.yaml")
    step("delete", "-f", "m.yaml", "--ignore-not-found")
    step("delete", "-f", "-", input="apiVersion: v1\nkind: Secret\nmetadata:\n  name: s1\n")


def test_wait_for_finalizers_times_out(step: Step) -> None:
    out = step("delete", "cm", "held", "--timeout=1s")
    assert out.returncode == 1
    assert "timed out waiting for the condition on configmaps/held" in out.stderr
    step("delete", "cm", "held", "--wait=false")
