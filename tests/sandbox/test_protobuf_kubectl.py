"""Real kubectl 1.37.1 sends typed objects as protobuf; the sandbox must accept them.

Each generator command runs twice against one sandbox: ``--dry-run=client -o json`` prints the
object exactly as kubectl built it, then the real create sends it as protobuf, which a
middleware captures. The decoded protobuf must equal kubectl's own JSON, and the created
object must be readable back with the expected fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox
from kctl.sandbox._api import Handler, Request, Response
from kctl.sandbox._protobuf import MAGIC, decode_object

PROTOBUF = "application/vnd.kubernetes.protobuf"


class Capture:
    """Middleware keeping the last protobuf body per request path."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}

    def __call__(self, req: Request, nxt: Handler) -> Response:
        if req.headers.get("content-type", "").startswith(PROTOBUF):
            self.bodies[req.path] = req.body
        return nxt(req)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway key pair for `create secret tls` (kubectl checks that they match)."""
    import trustme

    folder = tmp_path_factory.mktemp("certs")
    issued = trustme.CA().issue_cert("protobuf.test")
    cert, key = folder / "tls.crt", folder / "tls.key"
    cert.write_bytes(issued.cert_chain_pems[0].bytes())
    key.write_bytes(issued.private_key_pem.bytes())
    return cert, key


@pytest.fixture(scope="module")
def captured() -> Iterator[tuple[Sandbox, Capture]]:
    capture = Capture()
    with Sandbox(seed="empty") as sb:
        sb.api.middlewares.append(capture)
        sb.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
        yield sb, capture


def _cases(cert: Path, key: Path, data_file: Path) -> list[tuple[list[str], str, str]]:
    """(kubectl args, URL path kubectl posts to, `kind/name` for get)."""
    creates = _create_cases(cert, key, data_file)
    hpa = "/apis/autoscaling/v2/namespaces/dev/horizontalpodautoscalers"
    return [(["create", *args], path, ref) for args, path, ref in creates] + [
        (
            ["autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=70"],
            hpa,
            "hpa/web",
        ),
    ]


def _create_cases(cert: Path, key: Path, data_file: Path) -> list[tuple[list[str], str, str]]:
    ns = "/api/v1/namespaces/dev"
    apps, batch = "/apis/apps/v1/namespaces/dev", "/apis/batch/v1/namespaces/dev"
    rbac = "/apis/rbac.authorization.k8s.io/v1"
    return [
        (["namespace", "ns1"], "/api/v1/namespaces", "namespace/ns1"),
        (
            ["configmap", "c1", "--from-literal=a=b", "--from-literal=n=1"],
            ns + "/configmaps",
            "configmap/c1",
        ),
        (["configmap", "c2", f"--from-file={data_file}"], ns + "/configmaps", "configmap/c2"),
        (["secret", "generic", "s1", "--from-literal=pw=hunter2"], ns + "/secrets", "secret/s1"),
        (["secret", "tls", "t1", f"--cert={cert}", f"--key={key}"], ns + "/secrets", "secret/t1"),
        (
            [
                "secret",
                "docker-registry",
                "d1",
                "--docker-server=r.io",
                "--docker-username=u",
                "--docker-password=p",
            ],
            ns + "/secrets",
            "secret/d1",
        ),
        (
            ["deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=80"],
            apps + "/deployments",
            "deployment/web",
        ),
        (
            ["deployment", "zero", "--image=nginx", "--replicas=0"],
            apps + "/deployments",
            "deployment/zero",
        ),
        (["job", "j1", "--image=busybox", "--", "echo", "hi"], batch + "/jobs", "job/j1"),
        (
            ["cronjob", "cj1", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"],
            batch + "/cronjobs",
            "cronjob/cj1",
        ),
        (["job", "j2", "--from=cronjob/cj1"], batch + "/jobs", "job/j2"),
        (["configmap", "c3", f"--from-env-file={data_file}"], ns + "/configmaps", "configmap/c3"),
        (
            ["secret", "generic", "s2", f"--from-file=conf={data_file}"],
            ns + "/secrets",
            "secret/s2",
        ),
        (
            ["deployment", "multi", "--image=nginx", "--image=redis"],
            apps + "/deployments",
            "deployment/multi",
        ),
        (["serviceaccount", "sa1"], ns + "/serviceaccounts", "serviceaccount/sa1"),
        (["service", "clusterip", "svc1", "--tcp=80:8080"], ns + "/services", "service/svc1"),
        (["service", "nodeport", "svc2", "--tcp=80:8080"], ns + "/services", "service/svc2"),
        (
            ["service", "externalname", "svc3", "--external-name=example.com"],
            ns + "/services",
            "service/svc3",
        ),
        (
            ["role", "r1", "--verb=get,list", "--resource=pods,deployments.apps"],
            rbac + "/namespaces/dev/roles",
            "role/r1",
        ),
        (
            ["rolebinding", "rb1", "--role=r1", "--user=alice", "--serviceaccount=dev:sa1"],
            rbac + "/namespaces/dev/rolebindings",
            "rolebinding/rb1",
        ),
        (
            ["clusterrole", "cr1", "--verb=get", "--resource=nodes"],
            rbac + "/clusterroles",
            "clusterrole/cr1",
        ),
        (
            ["clusterrole", "cr3", "--verb=get", "--non-resource-url=/logs/*"],
            rbac + "/clusterroles",
            "clusterrole/cr3",
        ),
        (
            ["clusterrole", "cr2", "--aggregation-rule=team=a"],
            rbac + "/clusterroles",
            "clusterrole/cr2",
        ),
        (
            ["clusterrolebinding", "crb1", "--clusterrole=cr1", "--group=devs"],
            rbac + "/clusterrolebindings",
            "clusterrolebinding/crb1",
        ),
        (["quota", "q1", "--hard=pods=10,cpu=2,memory=1Gi"], ns + "/resourcequotas", "quota/q1"),
        (
            ["priorityclass", "pc1", "--value=1000", "--description=important"],
            "/apis/scheduling.k8s.io/v1/priorityclasses",
            "priorityclass/pc1",
        ),
        (
            ["poddisruptionbudget", "pdb1", "--selector=app=web", "--min-available=50%"],
            "/apis/policy/v1/namespaces/dev/poddisruptionbudgets",
            "pdb/pdb1",
        ),
        (
            ["poddisruptionbudget", "pdb2", "--selector=app=web", "--max-unavailable=1"],
            "/apis/policy/v1/namespaces/dev/poddisruptionbudgets",
            "pdb/pdb2",
        ),
        (
            ["ingress", "ing1", "--rule=foo.com/bar*=svc1:80,tls=sec", "--class=nginx"],
            "/apis/networking.k8s.io/v1/namespaces/dev/ingresses",
            "ingress/ing1",
        ),
    ]


def test_kubectl_protobuf_writes(
    captured: tuple[Sandbox, Capture],
    run_kubectl: Any,
    certs: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    sb, capture = captured
    data_file = tmp_path / "app.properties"
    data_file.write_text("color=blue\n")
    for args, path, ref in _cases(*certs, data_file):
        scope = [] if ref.split("/")[0] in _CLUSTER_SCOPED else ["-n", "dev"]
        # flags go before any `-- command`
        cut = args.index("--") if "--" in args else len(args)
        head, tail = args[:cut], args[cut:]
        dry = run_kubectl(sb, *head, *scope, "--dry-run=client", "-o", "json", *tail)
        assert dry.returncode == 0, dry.stderr
        expected = json.loads(dry.stdout)
        out = run_kubectl(sb, *head, *scope, *tail)
        assert out.returncode == 0, (args, out.stderr)
        kind = expected["kind"].lower()
        group = expected["apiVersion"].rpartition("/")[0]
        name = expected["metadata"]["name"]
        done = "autoscaled" if args[0] == "autoscale" else "created"
        assert out.stdout == f"{kind}{'.' + group if group else ''}/{name} {done}\n"
        body = capture.bodies.pop(path)
        assert body.startswith(MAGIC)
        assert decode_object(body) == expected, args
        got = run_kubectl(sb, "get", ref, *scope, "-o", "json")
        assert got.returncode == 0, got.stderr
        stored = json.loads(got.stdout)
        assert stored["metadata"]["uid"]
        _check_fields(ref, stored)


_CLUSTER_SCOPED = {"namespace", "clusterrole", "clusterrolebinding", "priorityclass"}


def _check_fields(ref: str, obj: dict[str, Any]) -> None:
    spec = obj.get("spec", {})
    checks: dict[str, Any] = {
        "configmap/c1": lambda: obj["data"] == {"a": "b", "n": "1"},
        "configmap/c2": lambda: obj["data"] == {"app.properties": "color=blue\n"},
        "secret/s1": lambda: obj["data"] == {"pw": "aHVudGVyMg=="} and obj["type"] == "Opaque",
        "secret/t1": lambda: (
            obj["type"] == "kubernetes.io/tls" and set(obj["data"]) == {"tls.crt", "tls.key"}
        ),
        "secret/d1": lambda: obj["type"] == "kubernetes.io/dockerconfigjson",
        "deployment/web": lambda: (
            spec["replicas"] == 3
            and spec["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
            and spec["template"]["spec"]["containers"][0]["ports"]
            == [{"containerPort": 80, "protocol": "TCP"}]
        ),
        "deployment/zero": lambda: spec["replicas"] == 0,
        "job/j2": lambda: (
            obj["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
            and obj["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
        ),
        "configmap/c3": lambda: obj["data"] == {"color": "blue"},
        "secret/s2": lambda: obj["data"] == {"conf": "Y29sb3I9Ymx1ZQo="},
        "deployment/multi": lambda: (
            [c["image"] for c in spec["template"]["spec"]["containers"]] == ["nginx", "redis"]
        ),
        "clusterrole/cr3": lambda: obj["rules"][0]["nonResourceURLs"] == ["/logs/*"],
        "hpa/web": lambda: (
            spec["maxReplicas"] == 5
            and spec["minReplicas"] == 2
            and spec["metrics"][0]["resource"]["target"]["averageUtilization"] == 70
        ),
        "job/j1": lambda: spec["template"]["spec"]["containers"][0]["command"] == ["echo", "hi"],
        "cronjob/cj1": lambda: spec["schedule"] == "*/5 * * * *",
        "service/svc1": lambda: (
            spec["ports"][0]["port"] == 80
            and spec["ports"][0]["targetPort"] == 8080
            and spec["type"] == "ClusterIP"
        ),
        "service/svc2": lambda: spec["type"] == "NodePort",
        "service/svc3": lambda: spec["externalName"] == "example.com",
        "role/r1": lambda: obj["rules"][0]["verbs"] == ["get", "list"],
        "rolebinding/rb1": lambda: obj["roleRef"]["name"] == "r1" and len(obj["subjects"]) == 2,
        "clusterrole/cr2": lambda: (
            obj["aggregationRule"]["clusterRoleSelectors"] == [{"matchLabels": {"team": "a"}}]
        ),
        "clusterrolebinding/crb1": lambda: obj["subjects"][0]["name"] == "devs",
        "quota/q1": lambda: spec["hard"] == {"pods": "10", "cpu": "2", "memory": "1Gi"},
        "priorityclass/pc1": lambda: obj["value"] == 1000 and obj["description"] == "important",
        "pdb/pdb1": lambda: spec["minAvailable"] == "50%",
        "pdb/pdb2": lambda: spec["maxUnavailable"] == 1,
        "ingress/ing1": lambda: (
            spec["ingressClassName"] == "nginx"
            and spec["rules"][0]["http"]["paths"][0]["pathType"] == "Prefix"
        ),
    }
    check = checks.get(ref)
    assert check is None or check(), (ref, obj)


def test_server_dry_run_yaml(sandbox: Sandbox, run_kubectl: Any) -> None:
    sandbox.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    out = run_kubectl(
        sandbox,
        "create",
        "deployment",
        "web",
        "-n",
        "dev",
        "--image=nginx",
        "--replicas=2",
        "--dry-run=server",
        "-o",
        "yaml",
    )
    assert out.returncode == 0, out.stderr
    import yaml

    obj = yaml.safe_load(out.stdout)
    assert obj["kind"] == "Deployment" and obj["spec"]["replicas"] == 2
    assert obj["metadata"]["uid"] and obj["metadata"]["creationTimestamp"]
    missing = run_kubectl(sandbox, "get", "deployment", "web", "-n", "dev")
    assert missing.returncode == 1
    assert 'deployments.apps "web" not found' in missing.stderr


def test_protobuf_errors_are_status(sandbox: Sandbox) -> None:
    import requests

    cfg = sandbox.rest_config()
    url = cfg.host + "/api/v1/namespaces/default/configmaps"
    headers = {"Content-Type": PROTOBUF, "Authorization": f"Bearer {cfg.bearer_token}"}
    garbage = requests.post(url, data=MAGIC + b"\x0a\x05\x0a\x02v1", headers=headers, timeout=10)
    assert garbage.status_code == 400
    assert garbage.json()["reason"] == "BadRequest"
    # runtime.Unknown{typeMeta: {apiVersion: "example.com/v1", kind: "Widget"}}
    type_meta = b"\x0a\x0eexample.com/v1\x12\x06Widget"
    custom = MAGIC + b"\x0a" + bytes([len(type_meta)]) + type_meta
    rejected = requests.post(url, data=custom, headers=headers, timeout=10)
    assert rejected.status_code == 415
    assert rejected.json()["reason"] == "UnsupportedMediaType"
