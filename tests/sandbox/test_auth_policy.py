"""Token-file and client-certificate authentication, request attributes, and the 403s of
preloaded RBAC objects (``Sandbox(authz=...)``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call
from helpers_rbac import binding, group, role, rule

from kctl.sandbox import Request, Sandbox
from kctl.sandbox._auth import (
    CredentialRejected,
    TokenAuthenticator,
    UserInfo,
    load_token_file,
)
from kctl.sandbox._authz import forbidden, request_attributes

ALICE = UserInfo("alice", "1", ("dev-team", "system:authenticated"))

# alice may read pods in default.
RBAC_OBJECTS = [
    role("pod-reader", "default", rule(["get", "list", "watch"], ["pods"])),
    binding("alice-reads", "default", "Role", "pod-reader", group("dev-team")),
]


def attrs(method: str, target: str, user: UserInfo = ALICE):  # type: ignore[no-untyped-def]
    return request_attributes(Request.build(method, target), user)


@pytest.mark.parametrize(
    ("method", "target", "expected"),
    [
        ("GET", "/api/v1/namespaces/dev/pods", ("list", "", "dev", "pods", "", "")),
        ("GET", "/api/v1/namespaces/dev/pods?watch=true", ("watch", "", "dev", "pods", "", "")),
        ("GET", "/api/v1/watch/namespaces/dev/pods", ("watch", "", "dev", "pods", "", "")),
        ("GET", "/api/v1/namespaces/dev/pods/p/log", ("get", "", "dev", "pods", "log", "p")),
        ("DELETE", "/api/v1/namespaces/dev/pods", ("deletecollection", "", "dev", "pods", "", "")),
        ("PATCH", "/apis/apps/v1/namespaces/d/deployments/x", ("patch", "apps", "d", "deployments", "", "x")),
        ("GET", "/api/v1/nodes", ("list", "", "", "nodes", "", "")),
        ("GET", "/api/v1/namespaces/dev", ("get", "", "dev", "namespaces", "", "dev")),
        ("PUT", "/api/v1/namespaces/dev/finalize", ("update", "", "dev", "namespaces", "finalize", "dev")),
        ("GET", "/api/v1/namespaces/dev/pods?fieldSelector=metadata.name%3Dweb", ("list", "", "dev", "pods", "", "web")),
    ],
)  # fmt: skip
def test_request_attributes(method: str, target: str, expected: tuple[str, ...]) -> None:
    a = attrs(method, target)
    assert a.resource_request
    assert (a.verb, a.api_group, a.namespace, a.resource, a.subresource, a.name) == expected


@pytest.mark.parametrize("target", ["/api", "/api/v1", "/apis/apps/v1", "/version", "/openapi/v2"])
def test_discovery_is_non_resource(target: str) -> None:
    assert not attrs("GET", target).resource_request


@pytest.mark.parametrize(
    ("method", "target", "message"),
    [
        (
            "GET",
            "/api/v1/namespaces/dev/pods",
            'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in '
            'the namespace "dev"',
        ),
        (
            "GET",
            "/api/v1/nodes",
            'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at '
            "the cluster scope",
        ),
        (
            "GET",
            "/api/v1/namespaces/dev/pods/web/log",
            'pods "web" is forbidden: User "alice" cannot get resource "pods/log" in API group '
            '"" in the namespace "dev"',
        ),
        (
            "POST",
            "/apis/apps/v1/namespaces/dev/deployments",
            'deployments.apps is forbidden: User "alice" cannot create resource "deployments" in '
            'API group "apps" in the namespace "dev"',
        ),
        ("GET", "/metrics", 'forbidden: User "alice" cannot get path "/metrics"'),
    ],
)
def test_forbidden_messages(method: str, target: str, message: str) -> None:
    err = forbidden(attrs(method, target))
    assert err.code == 403
    assert err.reason == "Forbidden"
    assert err.message == message


def test_forbidden_status_details() -> None:
    status = forbidden(attrs("GET", "/apis/apps/v1/namespaces/dev/deployments/web")).status
    assert status["details"] == {"name": "web", "group": "apps", "kind": "deployments"}
    assert list(status) == ["kind", "apiVersion", "metadata", "status", "message", "reason",
                            "details", "code"]  # fmt: skip


def test_token_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.csv"
    path.write_text('t-alice,alice,1,"dev-team,viewers"\nt-bob,bob,2\n\nt-carol, carol, 3, ops\n')
    tokens = load_token_file(str(path))
    assert tokens["t-alice"] == UserInfo("alice", "1", ("dev-team", "viewers"))
    assert tokens["t-bob"] == UserInfo("bob", "2", ())
    assert tokens["t-carol"] == UserInfo("carol", "3", ("ops",))
    auth = TokenAuthenticator(tokens)
    assert auth(Request.build("GET", "/", {"Authorization": "Bearer t-bob"})) == tokens["t-bob"]
    assert auth(Request.build("GET", "/")) is None
    for header in ("Bearer nope", "Basic dDp4", "Bearer "):
        with pytest.raises(CredentialRejected):
            auth(Request.build("GET", "/", {"Authorization": header}))


def test_token_file_needs_three_columns(tmp_path: Path) -> None:
    path = tmp_path / "tokens.csv"
    path.write_text("tok,alice\n")
    with pytest.raises(ValueError) as info:
        load_token_file(str(path))
    assert str(info.value) == (
        f"token file '{path}' must have at least 3 columns (token, user name, user uid), found 2"
    )


def test_preloaded_rbac_over_http(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.csv"
    tokens.write_text('t-alice,alice,1,"dev-team"\n')
    objects = tmp_path / "rbac.json"
    objects.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": RBAC_OBJECTS}))
    with Sandbox(token_file=str(tokens), authz=str(objects)) as sb:
        ok = call(sb, "GET", "/api/v1/namespaces/default/pods", token="t-alice")
        assert ok.status == 200
        denied = call(sb, "GET", "/api/v1/namespaces/kube-system/pods", token="t-alice")
        assert denied.status == 403
        assert denied.json() == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": 'pods is forbidden: User "alice" cannot list resource "pods" in API '
            'group "" in the namespace "kube-system"',
            "reason": "Forbidden",
            "details": {"kind": "pods"},
            "code": 403,
        }
        # Discovery and /version stay readable (system:discovery, system:public-info-viewer);
        # the admin token is in system:masters.
        assert call(sb, "GET", "/api/v1", token="t-alice").status == 200
        assert call(sb, "GET", "/version", token="t-alice").status == 200
        assert call(sb, "GET", "/api/v1/nodes").status == 200
        bad = call(sb, "GET", "/api/v1/namespaces/default/pods", token="wrong")
        assert bad.status == 401
        assert bad.json() == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "Unauthorized",
            "reason": "Unauthorized",
            "code": 401,
        }


def test_bad_files_are_one_line_errors(tmp_path: Path) -> None:
    from kctl.sandbox import SandboxError

    missing = tmp_path / "missing"
    with pytest.raises(SandboxError) as info:
        Sandbox(token_file=str(missing))
    assert str(info.value) == f"cannot load token file {missing}: No such file or directory"
    objects = tmp_path / "rbac.yaml"
    objects.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    with pytest.raises(SandboxError) as info:
        Sandbox(authz=str(objects))
    assert str(info.value) == (
        f"cannot load RBAC objects {objects}: {objects}: v1 ConfigMap x is not an RBAC object "
        "(rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding)"
    )
