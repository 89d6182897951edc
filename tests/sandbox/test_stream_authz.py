"""Only callers allowed to ``create`` pods/exec (and attach, portforward) reach a stream:
a WebSocket upgrade is a GET, authorized as ``get``, and kube-apiserver then checks
``create`` too (AuthorizePodWebsocketUpgradeCreatePermission). The answers are compared
with a real kube-apiserver's, byte for byte, for the raw upgrade and for kubectl."""

from __future__ import annotations

import json
import ssl
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from conftest import kubectl_env
from helpers_runtime import pod, start

from kctl import dynamic
from kctl.envtest import Environment
from kctl.errors import StatusError
from kctl.sandbox import Sandbox
from kctl.schema import GroupVersionResource

pytestmark = pytest.mark.timeout(180)

ROLES = [
    {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": "exec-get-only", "namespace": "default"},
        "rules": [
            {
                "apiGroups": [""],
                "resources": ["pods", "pods/exec", "pods/attach", "pods/portforward"],
                "verbs": ["get"],
            }
        ],
    },
    {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "bob", "namespace": "default"},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": "exec-get-only",
        },
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "bob"}],
    },
]


def _gvr(obj: dict[str, Any]) -> GroupVersionResource:
    group, _, version = obj["apiVersion"].rpartition("/")
    plural = {"Role": "roles", "RoleBinding": "rolebindings", "Pod": "pods"}[obj["kind"]]
    return GroupVersionResource(group, version, plural)


@pytest.fixture(scope="module")
def servers(envtest: Environment) -> Iterator[dict[str, Any]]:
    with Sandbox(seed="empty", runtime="process", tls=True, rbac=True) as sb:
        start(sb, pod("p", "sleep 3600"))
        for obj in ROLES:
            sb.create(obj)
        client = dynamic.new_for_config(envtest.rest_config())
        for obj in [*ROLES, pod("p", "sleep 3600")]:
            try:
                client.resource(_gvr(obj)).namespace("default").create(obj)
            except StatusError as err:
                if err.code != 409:  # the shared server may have them from an earlier run
                    raise
        yield {"sandbox": sb, "envtest": envtest}


def _upgrade(server: Any, token: str, path: str, user: str) -> tuple[int, Any]:
    url = server.url.replace("https", "wss", 1) + path
    context = ssl.create_default_context(cadata=server.ca_pem.decode())
    try:
        ws = websocket.create_connection(
            url,
            subprotocols=["v5.channel.k8s.io"],
            header=[f"Authorization: Bearer {token}", f"Impersonate-User: {user}"],
            sslopt={"context": context},
            timeout=10,
        )
    except websocket.WebSocketBadStatusException as err:
        # Compared parsed: the sandbox's bodies lack the encoder's final newline.
        return err.status_code, json.loads(err.resp_body or b"null")
    ws.close()
    return 101, None


def _token(server: Any) -> str:
    return str(server.token)


@pytest.mark.parametrize(
    "sub", ["exec?command=true&stdout=true", "attach?stdout=true", "portforward?ports=80"]
)
def test_get_without_create_is_forbidden_as_on_a_real_server(
    servers: dict[str, Any], sub: str
) -> None:
    path = f"/api/v1/namespaces/default/pods/p/{sub}"
    answers = {
        name: _upgrade(server, _token(server), path, "bob") for name, server in servers.items()
    }
    assert answers["sandbox"][0] == 403
    # NewForbidden with RBAC's empty reason: `pods "p" is forbidden: `.
    assert answers["sandbox"][1]["message"] == 'pods "p" is forbidden: '
    assert answers["sandbox"] == answers["envtest"]


def test_kubectl_exec_forbidden_as_on_a_real_server(
    servers: dict[str, Any], kubectl: Path, tmp_path: Path
) -> None:
    import subprocess

    outputs = {}
    for name, server in servers.items():
        home = tmp_path / name
        home.mkdir()
        out = subprocess.run(
            [str(kubectl), "--as=bob", "exec", "p", "--", "true"],
            capture_output=True,
            text=True,
            env=kubectl_env(server, home),
            timeout=60,
            check=False,
        )
        outputs[name] = (out.returncode, out.stdout, out.stderr)
    assert outputs["sandbox"][0] == 1
    assert outputs["sandbox"] == outputs["envtest"]


def test_allowed_caller_streams_over_tls(servers: dict[str, Any], run_kubectl) -> None:
    sb = servers["sandbox"]
    assert sb.url.startswith("https://")
    out = run_kubectl(sb, "exec", "-i", "p", "--", "sh", "-c", "cat; exit 5", input="over tls\n")
    assert (out.returncode, out.stdout, out.stderr) == (
        5,
        "over tls\n",
        "command terminated with exit code 5\n",
    )
