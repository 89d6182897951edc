"""Real kubectl 1.37.1 against typed built-in schemas: strict field validation by default
(create/apply without --validate=false), warn and ignore, explain, and client-side apply
taking its merge keys from the sandbox's OpenAPI v3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

TYPO = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replica: 3
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: web
        image: nginx
        imagee: x
"""
STRICT = (
    'Error from server (BadRequest): error when creating "{file}": Deployment in version "v1" '
    "cannot be handled as a Deployment: strict decoding error: "
    'unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagee"\n'
)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sandbox:
        yield sandbox


def _manifest(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return str(path)


def _spec(sb: Sandbox, run_kubectl: Any, name: str) -> dict[str, Any]:
    out = run_kubectl(sb, "get", "deployment", name, "-o", "json")
    assert out.returncode == 0, out.stderr
    spec: dict[str, Any] = json.loads(out.stdout)["spec"]
    return spec


@pytest.mark.parametrize("verb", ["create", "apply"])
def test_typo_is_rejected_by_default(
    sb: Sandbox, run_kubectl: Any, tmp_path: Path, verb: str
) -> None:
    name = f"typo-{verb}"
    path = _manifest(tmp_path, name, TYPO.format(name=name))
    out = run_kubectl(sb, verb, "-f", path)
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr == STRICT.format(file=path)
    assert run_kubectl(sb, "get", "deployment", name).returncode == 1


def test_validate_warn_prints_warnings_and_prunes(
    sb: Sandbox, run_kubectl: Any, tmp_path: Path
) -> None:
    path = _manifest(tmp_path, "warned", TYPO.format(name="warned"))
    out = run_kubectl(sb, "apply", "-f", path, "--validate=warn")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "deployment.apps/warned created\n"
    assert out.stderr == (
        'Warning: unknown field "spec.replica"\n'
        'Warning: unknown field "spec.template.spec.containers[0].imagee"\n'
    )
    spec = _spec(sb, run_kubectl, "warned")
    assert "replica" not in spec and spec["replicas"] == 1
    assert "imagee" not in spec["template"]["spec"]["containers"][0]


def test_validate_false_accepts_silently_and_prunes(
    sb: Sandbox, run_kubectl: Any, tmp_path: Path
) -> None:
    path = _manifest(tmp_path, "ignored", TYPO.format(name="ignored"))
    out = run_kubectl(sb, "create", "-f", path, "--validate=false")
    assert out.returncode == 0
    assert (out.stdout, out.stderr) == ("deployment.apps/ignored created\n", "")
    spec = _spec(sb, run_kubectl, "ignored")
    assert "replica" not in spec
    assert spec["template"]["spec"]["containers"][0] == {
        "image": "nginx",
        "imagePullPolicy": "Always",
        "name": "web",
        "resources": {},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }


def test_type_error_is_a_bad_request(sb: Sandbox, run_kubectl: Any, tmp_path: Path) -> None:
    text = (
        TYPO.format(name="typed")
        .replace("replica: 3", 'replicas: "3"')
        .replace("        imagee: x\n", "")
    )
    path = _manifest(tmp_path, "typed", text)
    out = run_kubectl(sb, "create", "-f", path)
    assert out.returncode == 1
    assert out.stderr == (
        f'Error from server (BadRequest): error when creating "{path}": Deployment in version '
        '"v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct '
        "field DeploymentSpec.spec.replicas of type int32\n"
    )


def test_explain(sb: Sandbox, run_kubectl: Any) -> None:
    pods = run_kubectl(sb, "explain", "pods")
    assert pods.returncode == 0, pods.stderr
    assert pods.stdout.startswith("KIND:       Pod\nVERSION:    v1\n")
    for line in ("  metadata\t<ObjectMeta>", "  spec\t<PodSpec>", "  status\t<PodStatus>"):
        assert line in pods.stdout.splitlines()
    containers = run_kubectl(sb, "explain", "pods.spec.containers")
    assert containers.returncode == 0, containers.stderr
    lines = containers.stdout.splitlines()
    assert "FIELD: containers <[]Container>" in lines
    for line in (
        "  name\t<string> -required-",
        "  image\t<string>",
        "  ports\t<[]ContainerPort>",
        "  resources\t<ResourceRequirements>",
        "  stdin\t<boolean>",
    ):
        assert line in lines
    strategy = run_kubectl(sb, "explain", "deployment.spec.strategy", "--recursive")
    assert strategy.returncode == 0, strategy.stderr
    assert strategy.stdout.startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n")
    fields = strategy.stdout.split("FIELDS:\n", 1)[1].splitlines()
    assert [f.rstrip() for f in fields if f.strip()] == [
        "  rollingUpdate\t<RollingUpdateDeployment>",
        "    maxSurge\t<IntOrString>",
        "    maxUnavailable\t<IntOrString>",
        "  type\t<string>",
        "  enum: Recreate, RollingUpdate",
    ]
    missing = run_kubectl(sb, "explain", "pods.spec.nope")
    assert missing.returncode == 1
    assert missing.stderr == 'error: field "nope" does not exist\n'


DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: app}}
  template:
    metadata:
      labels: {{app: app}}
    spec:
      containers:
{containers}
"""
CONTAINER = """      - name: {name}
        image: {image}
        env:
        - {{name: A, value: "1"}}
        ports:
        - containerPort: {port}
"""
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector: {{app: app}}
  ports:
{ports}
"""


def test_client_side_apply_lifecycle(sb: Sandbox, run_kubectl: Any, tmp_path: Path) -> None:
    def apply(text: str) -> str:
        path = _manifest(tmp_path, "lifecycle", text)
        out = run_kubectl(sb, "apply", "-f", path)
        assert out.returncode == 0, out.stderr
        assert out.stderr == ""
        return str(out.stdout)

    web = CONTAINER.format(name="web", image="nginx:1", port=80)
    side = CONTAINER.format(name="side", image="busybox", port=9000)
    assert apply(DEPLOY.format(replicas=1, containers=web)) == "deployment.apps/app created\n"
    assert apply(DEPLOY.format(replicas=1, containers=web)) == "deployment.apps/app unchanged\n"
    both = web.replace("nginx:1", "nginx:2") + side
    assert apply(DEPLOY.format(replicas=2, containers=both)) == "deployment.apps/app configured\n"
    spec = _spec(sb, run_kubectl, "app")
    containers = spec["template"]["spec"]["containers"]
    # Merged by name: the defaults the server added to "web" survive the patch.
    assert [(c["name"], c["image"]) for c in containers] == [
        ("web", "nginx:2"),
        ("side", "busybox"),
    ]
    assert containers[0]["terminationMessagePath"] == "/dev/termination-log"
    assert apply(DEPLOY.format(replicas=2, containers=both)) == "deployment.apps/app unchanged\n"
    # Dropping a container from the manifest deletes it (merge key "name").
    assert apply(DEPLOY.format(replicas=2, containers=side)) == "deployment.apps/app configured\n"
    names = [c["name"] for c in _spec(sb, run_kubectl, "app")["template"]["spec"]["containers"]]
    assert names == ["side"]

    port = "  - {{name: {n}, port: {p}, protocol: TCP}}\n"
    svc = SERVICE.format(ports=port.format(n="http", p=80))
    assert apply(svc) == "service/app created\n"
    assert apply(svc) == "service/app unchanged\n"
    two = SERVICE.format(ports=port.format(n="http", p=80) + port.format(n="https", p=443))
    assert apply(two) == "service/app configured\n"
    got = run_kubectl(sb, "get", "service", "app", "-o", "json")
    ports = json.loads(got.stdout)["spec"]["ports"]
    assert [(p["name"], p["port"]) for p in ports] == [("http", 80), ("https", 443)]
    assert apply(two) == "service/app unchanged\n"
