"""Real kubectl 1.37.1 against the sandbox: output and exit codes of everyday commands."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import node, pod

from kctl.sandbox import Sandbox

sys.path.insert(0, str(Path(__file__).parent.parent))
from conftest import kubectl_env


@pytest.fixture(scope="module")
def populated() -> Iterator[Sandbox]:
    """150 pods in ``dev`` (so --chunk-size pages), a node, a configmap; read-only."""
    with Sandbox(seed="empty") as sb:
        sb.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
        sb.create(node("node-1"))
        for i in range(150):
            sb.create(pod(f"web-{i:03d}", "dev", {"app": "web" if i < 100 else "db"}))
        sb.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "settings", "namespace": "dev"},
                "data": {"mode": "fast"},
            }
        )
        assert sb.wait_idle(30)
        yield sb


def test_api_versions(populated: Sandbox, run_kubectl: Any) -> None:
    out = run_kubectl(populated, "api-versions")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines == sorted(lines) and "v1" in lines and "apps/v1" in lines


def test_api_resources_variants(populated: Sandbox, run_kubectl: Any) -> None:
    table = run_kubectl(populated, "api-resources")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split() == [
        "NAME",
        "SHORTNAMES",
        "APIVERSION",
        "NAMESPACED",
        "KIND",
    ]
    assert any(line.split()[:2] == ["pods", "po"] for line in table.stdout.splitlines())
    wide = run_kubectl(populated, "api-resources", "-o", "wide")
    assert "VERBS" in wide.stdout.splitlines()[0] and "CATEGORIES" in wide.stdout.splitlines()[0]
    names = run_kubectl(populated, "api-resources", "-o", "name").stdout.splitlines()
    assert "pods" in names and "deployments.apps" in names
    cluster = run_kubectl(populated, "api-resources", "--namespaced=false", "-o", "name")
    assert "nodes" in cluster.stdout.splitlines() and "pods" not in cluster.stdout.splitlines()
    apps = run_kubectl(populated, "api-resources", "--api-group=apps", "-o", "name")
    assert set(apps.stdout.split()) >= {"deployments.apps", "replicasets.apps"}


def test_get_pods_table_and_wide(populated: Sandbox, run_kubectl: Any) -> None:
    out = run_kubectl(populated, "get", "pods", "-n", "dev")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert len(lines) == 151
    assert lines[1].split()[:4] == ["web-000", "1/1", "Running", "0"]
    wide = run_kubectl(populated, "get", "pods", "-n", "dev", "-o", "wide")
    assert wide.stdout.splitlines()[0].split() == [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED",
        "NODE",
        "READINESS",
        "GATES",
    ]
    assert "node-1" in wide.stdout.splitlines()[1]


def test_get_output_formats(populated: Sandbox, run_kubectl: Any) -> None:
    as_json = run_kubectl(populated, "get", "pod", "web-001", "-n", "dev", "-o", "json")
    obj = json.loads(as_json.stdout)
    assert obj["kind"] == "Pod" and obj["metadata"]["name"] == "web-001"
    assert as_json.stdout.startswith('{\n    "apiVersion": "v1",')
    as_yaml = run_kubectl(populated, "get", "configmap", "settings", "-n", "dev", "-o", "yaml")
    assert "mode: fast" in as_yaml.stdout and "kind: ConfigMap" in as_yaml.stdout
    names = run_kubectl(populated, "get", "pods", "-n", "dev", "-l", "app=db", "-o", "name")
    assert names.stdout.splitlines()[0] == "pod/web-100" and len(names.stdout.splitlines()) == 50
    listed = json.loads(run_kubectl(populated, "get", "cm", "-n", "dev", "-o", "json").stdout)
    assert listed["kind"] == "List" and listed["items"][0]["kind"] == "ConfigMap"


def test_get_all_namespaces_and_selectors(populated: Sandbox, run_kubectl: Any) -> None:
    out = run_kubectl(populated, "get", "pods", "-A", "-l", "app=db")
    assert out.stdout.splitlines()[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert len(out.stdout.splitlines()) == 51
    field = run_kubectl(
        populated, "get", "pods", "-n", "dev", "--field-selector", "metadata.name=web-007"
    )
    assert [line.split()[0] for line in field.stdout.splitlines()[1:]] == ["web-007"]
    phase = run_kubectl(
        populated, "get", "pods", "-n", "dev", "--field-selector", "status.phase=Pending"
    )
    assert phase.returncode == 0 and phase.stderr.strip() == "No resources found in dev namespace."
    bad = run_kubectl(populated, "get", "pods", "-n", "dev", "--field-selector", "spec.nope=1")
    assert bad.returncode == 1
    assert (
        bad.stderr.strip()
        == (
            'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label '
            'selector "", field selector "spec.nope=1": field label not supported: spec.nope'
        )
        or "field label not supported: spec.nope" in bad.stderr
    )


def test_chunked_get_pages(populated: Sandbox, run_kubectl: Any) -> None:
    out = run_kubectl(populated, "get", "pods", "-n", "dev", "--chunk-size=100", "-v=6")
    assert out.returncode == 0
    requests = [line for line in out.stderr.splitlines() if "/namespaces/dev/pods" in line]
    assert any("limit=100" in line for line in requests)
    assert any("continue=" in line for line in requests)
    assert len(out.stdout.splitlines()) == 151


def test_not_found_and_empty(populated: Sandbox, run_kubectl: Any) -> None:
    missing = run_kubectl(populated, "get", "pod", "nope", "-n", "dev")
    assert missing.returncode == 1
    assert missing.stderr.strip() == 'Error from server (NotFound): pods "nope" not found'
    empty = run_kubectl(populated, "get", "deployments")
    assert (
        empty.returncode == 0 and empty.stderr.strip() == "No resources found in default namespace."
    )
    unknown = run_kubectl(populated, "get", "widgets")
    assert unknown.returncode == 1
    assert 'the server doesn\'t have a resource type "widgets"' in unknown.stderr


def _manifest(tmp_path: Path, obj: dict[str, Any]) -> str:
    path = tmp_path / "obj.json"
    path.write_text(json.dumps(obj))
    return str(path)


def _configmap(value: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "app-config", "labels": {"team": "a"}},
        "data": {"key": value},
    }


def test_create_replace_delete(sandbox: Sandbox, run_kubectl: Any, tmp_path: Path) -> None:
    pytest.importorskip("kctl.sandbox._openapi", reason="kubectl validates against /openapi")
    created = run_kubectl(sandbox, "create", "-f", _manifest(tmp_path, _configmap("1")))
    assert (created.returncode, created.stdout) == (0, "configmap/app-config created\n")
    again = run_kubectl(sandbox, "create", "-f", _manifest(tmp_path, _configmap("1")))
    assert again.returncode == 1
    assert 'configmaps "app-config" already exists' in again.stderr
    replaced = run_kubectl(sandbox, "replace", "-f", _manifest(tmp_path, _configmap("2")))
    assert (replaced.returncode, replaced.stdout) == (0, "configmap/app-config replaced\n")
    got = run_kubectl(sandbox, "get", "cm", "app-config", "-o", "jsonpath={.data.key}")
    assert got.stdout == "2"
    deleted = run_kubectl(sandbox, "delete", "configmap", "app-config")
    assert deleted.returncode == 0
    assert deleted.stdout.strip().startswith('configmap "app-config" deleted')


def test_delete_by_label(sandbox: Sandbox, run_kubectl: Any) -> None:
    sandbox.create(node("n1"))
    for i in range(3):
        sandbox.create(pod(f"p{i}", labels={"app": "x" if i < 2 else "y"}))
    out = run_kubectl(sandbox, "delete", "pods", "-l", "app=x", timeout=60)
    assert out.returncode == 0, out.stderr
    assert [line.split()[1] for line in out.stdout.splitlines()] == ['"p0"', '"p1"']
    left = run_kubectl(sandbox, "get", "pods", "-o", "name")
    assert left.stdout.splitlines() == ["pod/p2"]


def test_label_annotate_patch(sandbox: Sandbox, run_kubectl: Any) -> None:
    sandbox.create(pod("web"))
    assert run_kubectl(sandbox, "label", "pod", "web", "tier=front").stdout == "pod/web labeled\n"
    assert run_kubectl(sandbox, "annotate", "pod", "web", "note=hi").stdout == "pod/web annotated\n"
    merge = run_kubectl(
        sandbox, "patch", "pod", "web", "--type=merge", "-p", '{"metadata":{"labels":{"m":"1"}}}'
    )
    assert merge.stdout == "pod/web patched\n"
    ops = '[{"op":"add","path":"/metadata/labels/j","value":"2"}]'
    assert run_kubectl(sandbox, "patch", "pod", "web", "--type=json", "-p", ops).returncode == 0
    smp = run_kubectl(sandbox, "patch", "pod", "web", "-p", '{"metadata":{"labels":{"s":"3"}}}')
    assert smp.stdout == "pod/web patched\n"
    labels = json.loads(run_kubectl(sandbox, "get", "pod", "web", "-o", "json").stdout)
    assert labels["metadata"]["labels"] == {"tier": "front", "m": "1", "j": "2", "s": "3"}
    assert labels["metadata"]["annotations"] == {"note": "hi"}
    noop = run_kubectl(sandbox, "patch", "pod", "web", "--type=merge", "-p", "{}")
    assert noop.stdout == "pod/web patched (no change)\n"


def test_scale_deployment(sandbox: Sandbox, run_kubectl: Any, tmp_path: Path) -> None:
    pytest.importorskip("kctl.sandbox._openapi", reason="kubectl validates against /openapi")
    dep = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }
    assert run_kubectl(sandbox, "create", "-f", _manifest(tmp_path, dep)).returncode == 0
    out = run_kubectl(sandbox, "scale", "deployment", "web", "--replicas=3")
    assert (out.returncode, out.stdout) == (0, "deployment.apps/web scaled\n")
    replicas = run_kubectl(sandbox, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")
    assert replicas.stdout == "3"


def test_get_watch_with_events(sandbox: Sandbox, kubectl: Path, tmp_path: Path) -> None:
    sandbox.create(pod("first"))
    proc = subprocess.Popen(
        [str(kubectl), "get", "pods", "-w", "--output-watch-events", "--request-timeout=20s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=kubectl_env(sandbox, tmp_path),
    )
    try:
        assert proc.stdout is not None
        header = proc.stdout.readline()
        assert header.split() == ["EVENT", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        assert proc.stdout.readline().split()[:2] == ["ADDED", "first"]
        sandbox.create(pod("second"))
        assert proc.stdout.readline().split()[:2] == ["ADDED", "second"]
        sandbox.registry.delete(
            sandbox.catalog.get("", "v1", "pods"),  # type: ignore[arg-type]
            "default",
            "second",
            __import__("kctl.sandbox", fromlist=["DeleteOptions"]).DeleteOptions(),
        )
        assert proc.stdout.readline().split()[:2] == ["DELETED", "second"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_no_auth_sandbox(run_kubectl: Any) -> None:
    with Sandbox(no_auth=True) as sb:
        out = run_kubectl(sb, "get", "ns", "-o", "name")
        assert out.stdout.splitlines() == [
            "namespace/default",
            "namespace/kube-node-lease",
            "namespace/kube-public",
            "namespace/kube-system",
        ]
