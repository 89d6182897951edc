"""--tls: generated CA and serving certificate, client-certificate users, real kubectl."""

from __future__ import annotations

import json
import ssl
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_rbac import binding, group, role, rule
from helpers_tls import client_context, https_call, kubectl, write_kubeconfig

from kctl.sandbox import Sandbox, SandboxError, kubeconfig_text

RBAC_OBJECTS = [
    role("pod-reader", "default", rule(["get", "list", "watch"], ["pods"])),
    binding("team-reads", "default", "Role", "pod-reader", group("dev-team")),
]


@pytest.fixture(scope="module")
def tls_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("tls")
    objects = tmp / "rbac.json"
    objects.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": RBAC_OBJECTS}))
    tokens = tmp / "tokens.csv"
    tokens.write_text('t-alice,alice,1,"dev-team"\n')
    with Sandbox(tls=True, authz=str(objects), token_file=str(tokens)) as sb:
        sb.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "web", "namespace": "default"},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
            }
        )
        yield sb


def test_serves_https_with_a_verifiable_certificate(tls_sandbox: Sandbox, tmp_path: Path) -> None:
    assert tls_sandbox.url.startswith("https://127.0.0.1:")
    ctx = client_context(tls_sandbox, tmp_path)
    status, body = https_call(tls_sandbox, ctx, "GET", "/version", token=tls_sandbox.token)
    assert status == 200
    assert isinstance(body, dict) and body["major"] == "1"
    # The certificate is also good for "localhost".
    cert = ssl.DER_cert_to_PEM_cert(
        ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("127.0.0.1", _port(tls_sandbox))))
    )
    x509 = pytest.importorskip("cryptography.x509")
    names = x509.load_pem_x509_certificate(cert.encode()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert "localhost" in names.value.get_values_for_type(x509.DNSName)


def test_untrusted_clients_fail_the_handshake(tls_sandbox: Sandbox) -> None:
    ctx = ssl.create_default_context()  # system roots only: the sandbox CA is unknown
    with pytest.raises(ssl.SSLCertVerificationError):
        https_call(tls_sandbox, ctx, "GET", "/version")


def test_kubeconfig_carries_ca_data_not_insecure(tls_sandbox: Sandbox) -> None:
    text = Path(tls_sandbox.kubeconfig_path).read_text()
    assert "certificate-authority-data: " in text
    assert "insecure-skip-tls-verify" not in text
    assert kubeconfig_text("http://x", "t") == kubeconfig_text("http://x", "t", None)


def test_kubectl_with_generated_kubeconfig(tls_sandbox: Sandbox, tmp_path: Path) -> None:
    kc = tmp_path / "config"
    kc.write_text(Path(tls_sandbox.kubeconfig_path).read_text())
    result = kubectl(kc, "get", "namespaces", "-o", "name")
    assert result.returncode == 0, result.stderr
    assert "namespace/default" in result.stdout.split()


def test_client_certificate_user(tls_sandbox: Sandbox, tmp_path: Path) -> None:
    cert = tls_sandbox.client_cert("carol", ["dev-team"])
    ctx = client_context(tls_sandbox, tmp_path, cert)
    status, _ = https_call(tls_sandbox, ctx, "GET", "/api/v1/namespaces/default/pods")
    assert status == 200
    status, body = https_call(tls_sandbox, ctx, "GET", "/api/v1/namespaces/kube-system/pods")
    assert status == 403
    assert isinstance(body, dict)
    assert body["message"] == (
        'pods is forbidden: User "carol" cannot list resource "pods" in API group "" in the '
        'namespace "kube-system"'
    )


def test_kubectl_client_cert_forbidden(tls_sandbox: Sandbox, tmp_path: Path) -> None:
    cert = tls_sandbox.client_cert("alice", ["dev-team"])
    kc = write_kubeconfig(tmp_path / "config", tls_sandbox, cert=cert, namespace="dev")
    result = kubectl(kc, "get", "pods")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource '
        '"pods" in API group "" in the namespace "dev"\n'
    )
    allowed = kubectl(kc, "get", "pods", "-n", "default")
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.split()[:6] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "web"]


def test_kubectl_forbidden_variants(tls_sandbox: Sandbox, tmp_path: Path) -> None:
    kc = write_kubeconfig(tmp_path / "config", tls_sandbox, token="t-alice")
    nodes = kubectl(kc, "get", "nodes")
    assert nodes.returncode == 1
    assert nodes.stderr == (
        'Error from server (Forbidden): nodes is forbidden: User "alice" cannot list resource '
        '"nodes" in API group "" at the cluster scope\n'
    )
    logs = kubectl(kc, "logs", "web", "-n", "default")
    assert logs.returncode == 1
    assert logs.stderr == (
        'Error from server (Forbidden): pods "web" is forbidden: User "alice" cannot get '
        'resource "pods/log" in API group "" in the namespace "default"\n'
    )


def test_kubectl_unknown_token_is_unauthorized(tls_sandbox: Sandbox, tmp_path: Path) -> None:
    kc = write_kubeconfig(tmp_path / "config", tls_sandbox, token="nope")
    result = kubectl(kc, "get", "pods")
    assert result.returncode == 1
    # kubectl's discovery retries first; its last word is the 401.
    assert result.stderr.splitlines()[-1] == (
        "error: You must be logged in to the server (the server has asked for the client to "
        "provide credentials)"
    )


UNAUTHORIZED = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "Unauthorized",
    "reason": "Unauthorized",
    "code": 401,
}


@pytest.mark.parametrize("path", ["/api/v1/namespaces/default/pods", "/api", "/version"])
def test_missing_credentials_are_unauthorized(
    tls_sandbox: Sandbox, tmp_path: Path, path: str
) -> None:
    ctx = client_context(tls_sandbox, tmp_path)
    assert https_call(tls_sandbox, ctx, "GET", path) == (401, UNAUTHORIZED)
    assert https_call(tls_sandbox, ctx, "GET", path, token="wrong") == (401, UNAUTHORIZED)


def test_no_auth_over_tls_serves_anonymous_requests(tmp_path: Path) -> None:
    with Sandbox(tls=True, no_auth=True) as sb:
        text = Path(sb.kubeconfig_path).read_text()
        # kubectl would prompt for a username given no credential: an admin certificate.
        assert "token" not in text and "client-key-data: " in text
        ctx = client_context(sb, tmp_path)
        status, body = https_call(sb, ctx, "GET", "/api/v1/namespaces")
        assert status == 200, body
        result = kubectl(Path(sb.kubeconfig_path), "get", "ns", "default", "-o", "name")
        assert (result.returncode, result.stdout) == (0, "namespace/default\n"), result.stderr


def test_anonymous_can_be_allowed_over_tls(tmp_path: Path) -> None:
    with Sandbox(tls=True, anonymous=True) as sb:
        ctx = client_context(sb, tmp_path)
        status, body = https_call(sb, ctx, "GET", "/api/v1/namespaces")
        assert status == 200, body
        assert https_call(sb, ctx, "GET", "/api", token="wrong") == (401, UNAUTHORIZED)


def test_rest_config_carries_the_ca(tls_sandbox: Sandbox) -> None:
    from kctl.rest import unversioned_rest_client_for

    config = tls_sandbox.rest_config()
    assert config.tls.ca_data == tls_sandbox.ca_pem
    assert config.bearer_token == tls_sandbox.token
    client = unversioned_rest_client_for(config.copy(qps=-1))
    body = json.loads(client.get().abs_path("/api/v1/namespaces/default/pods").do_raw())
    assert [p["metadata"]["name"] for p in body["items"]] == ["web"]


def test_client_cert_needs_tls() -> None:
    sb = Sandbox()
    with pytest.raises(SandboxError):
        sb.client_cert("alice")


def _port(sb: Sandbox) -> int:
    return int(sb.url.rsplit(":", 1)[1])
