"""``kctl apply --force`` against kubectl 1.37.1: a patch the server refuses as invalid (an
immutable field) or as a conflict deletes the object and creates it anew from the manifest.

Each tool gets its own sandbox (see test_apply_parity); after the steps both clusters must
hold the same objects, re-created (a new uid) where kubectl re-created them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.dynamic import new_for_config
from kctl.sandbox import Sandbox
from kctl.schema import GroupVersionResource

sys.path.insert(0, str(Path(__file__).parent))
from test_apply_parity import NOVALIDATE, normalise

SERVICES = GroupVersionResource("", "v1", "services")
DEPLOYMENTS = GroupVersionResource("apps", "v1", "deployments")

SVC = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: {ip}
  ports:
  - port: 80
"""

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {app}}}}}
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec:
      containers:
      - name: c
        image: nginx
"""

Step = Callable[..., Any]


@pytest.fixture
def twins() -> Iterator[tuple[Sandbox, Sandbox]]:
    with Sandbox(seed="empty") as ours, Sandbox(seed="empty") as theirs:
        yield ours, theirs


@pytest.fixture
def step(twins: tuple[Sandbox, Sandbox], twin_step: Any) -> Step:
    return twin_step(*twins, normalise)  # type: ignore[no-any-return]


def _live(sb: Sandbox, gvr: GroupVersionResource, name: str) -> dict[str, Any]:
    obj: dict[str, Any] = (
        new_for_config(sb.rest_config()).resource(gvr).namespace("default").get(name)
    )
    return obj


def test_an_immutable_cluster_ip_is_replaced(
    step: Step, twins: tuple[Sandbox, Sandbox], tmp_path: Path
) -> None:
    (tmp_path / "svc1.yaml").write_text(SVC.format(ip="10.0.0.50"))
    (tmp_path / "svc2.yaml").write_text(SVC.format(ip="10.0.0.51"))
    step("apply", NOVALIDATE, "-f", "svc1.yaml")
    before = [_live(sb, SERVICES, "web")["metadata"]["uid"] for sb in twins]
    refused = step("apply", NOVALIDATE, "-f", "svc2.yaml")
    assert refused.returncode == 1
    assert 'spec.clusterIPs[0]: Invalid value: ["10.0.0.51"]: may not change once set' in (
        refused.stderr
    )
    done = step("apply", NOVALIDATE, "-f", "svc2.yaml", "--force", "--wait", "--timeout=30s")
    assert (done.returncode, done.stdout) == (0, "service/web configured\n")
    for sb, old_uid in zip(twins, before, strict=True):
        svc = _live(sb, SERVICES, "web")
        assert svc["spec"]["clusterIP"] == "10.0.0.51"
        assert svc["metadata"]["uid"] != old_uid
    # Nothing left to change: the re-created object carries the manifest as last-applied.
    assert step("apply", NOVALIDATE, "-f", "svc2.yaml", "--force").stdout == (
        "service/web unchanged\n"
    )


def test_a_replacement_the_server_refuses_restores_the_original(
    step: Step, twins: tuple[Sandbox, Sandbox], tmp_path: Path
) -> None:
    (tmp_path / "svc1.yaml").write_text(SVC.format(ip="10.0.0.50"))
    (tmp_path / "bad.yaml").write_text(SVC.format(ip="10.0.0.300"))
    step("apply", NOVALIDATE, "-f", "svc1.yaml")
    failed = step("apply", NOVALIDATE, "-f", "bad.yaml", "--force")
    assert failed.returncode == 1
    for sb in twins:
        assert _live(sb, SERVICES, "web")["spec"]["clusterIP"] == "10.0.0.50"


def test_a_new_deployment_selector_with_grace_period_and_cascade(
    step: Step, twins: tuple[Sandbox, Sandbox], tmp_path: Path
) -> None:
    (tmp_path / "d1.yaml").write_text(DEPLOY.format(app="web"))
    (tmp_path / "d2.yaml").write_text(DEPLOY.format(app="web2"))
    step("apply", NOVALIDATE, "-f", "d1.yaml")
    assert step("apply", NOVALIDATE, "-f", "d2.yaml").returncode == 1
    # An orphaning delete leaves the object to the garbage collector, which may not have
    # removed it by the first look: --timeout lets both tools poll instead of racing it.
    done = step(
        "apply",
        NOVALIDATE,
        "-f",
        "d2.yaml",
        "--force",
        "--grace-period=0",
        "--cascade=orphan",
        "--timeout=30s",
    )
    assert (done.returncode, done.stdout) == (0, "deployment.apps/web configured\n")
    for sb in twins:
        selector = _live(sb, DEPLOYMENTS, "web")["spec"]["selector"]
        assert selector == {"matchLabels": {"app": "web2"}}


@pytest.mark.parametrize(
    "extra",
    [
        ("--server-side",),
        ("--dry-run=server",),
        ("--prune", "--all"),
        ("--server-side", "--dry-run=server"),
        ("--timeout=1x",),
    ],
)
def test_flags_that_do_not_go_with_force(
    step: Step, tmp_path: Path, extra: tuple[str, ...]
) -> None:
    (tmp_path / "svc1.yaml").write_text(SVC.format(ip="10.0.0.50"))
    done = step("apply", NOVALIDATE, "-f", "svc1.yaml", "--force", *extra)
    assert done.returncode == 1 and done.stdout == ""


def test_real_apiserver_replaces_as_kubectl_does(
    envtest: Any, run_kctl: Any, run_ref_kubectl: Any, tmp_path: Path
) -> None:
    """The same steps against kube-apiserver 1.37.2, each tool on a Service of its own."""
    for tool, run, ips in (
        ("kctl", run_kctl, ("10.0.0.231", "10.0.0.232")),
        ("kubectl", run_ref_kubectl, ("10.0.0.233", "10.0.0.234")),
    ):
        name = f"force-{tool}"
        for i, ip in enumerate(ips):
            (tmp_path / f"{tool}{i}.yaml").write_text(
                SVC.format(ip=ip).replace("name: web", f"name: {name}")
            )
        assert run(envtest, "apply", "-f", f"{tool}0.yaml", cwd=tmp_path).returncode == 0
        uid = run(envtest, "get", "svc", name, "-o", "jsonpath={.metadata.uid}").stdout
        refused = run(envtest, "apply", "-f", f"{tool}1.yaml", cwd=tmp_path)
        assert (refused.returncode, refused.stderr) == (
            1,
            f'The Service "{name}" is invalid: spec.clusterIPs[0]: Invalid value: '
            f'["{ips[1]}"]: may not change once set\n',
        )
        done = run(envtest, "apply", "-f", f"{tool}1.yaml", "--force", cwd=tmp_path)
        assert (done.returncode, done.stdout, done.stderr) == (
            0,
            f"service/{name} configured\n",
            "",
        )
        after = run(envtest, "get", "svc", name, "-o", "jsonpath={.metadata.uid} {.spec.clusterIP}")
        new_uid, cluster_ip = after.stdout.split()
        assert uid and new_uid != uid and cluster_ip == ips[1]
        run(envtest, "delete", "svc", name)
