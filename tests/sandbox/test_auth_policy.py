"""Token-file and client-certificate authentication, the authorization policy and its 403s."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call

from kctl.sandbox import Request, Sandbox
from kctl.sandbox._auth import (
    CredentialRejected,
    TokenAuthenticator,
    UserInfo,
    load_token_file,
)
from kctl.sandbox._authz import Policy, PolicyError, forbidden, request_attributes

ALICE = UserInfo("alice", "1", ("dev-team", "system:authenticated"))

POLICY = {
    "rules": [
        {"users": ["alice"], "verbs": ["get", "list", "watch"], "resources": ["pods"],
         "namespaces": ["default"]},
        {"groups": ["dev-team"], "verbs": ["*"], "resources": ["deployments.apps"]},
        {"users": "bob", "verbs": ["get"], "resources": ["pods/log"]},
    ]
}  # fmt: skip


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


def test_policy_rules() -> None:
    policy = Policy.from_dict(POLICY)
    assert policy(attrs("GET", "/api/v1/namespaces/default/pods"))
    assert not policy(attrs("GET", "/api/v1/namespaces/dev/pods"))
    assert not policy(attrs("DELETE", "/api/v1/namespaces/default/pods/x"))
    # A subresource needs its own rule.
    assert not policy(attrs("GET", "/api/v1/namespaces/default/pods/x/log"))
    # Group membership, any namespace and the cluster scope.
    assert policy(attrs("DELETE", "/apis/apps/v1/namespaces/dev/deployments/x"))
    assert policy(attrs("GET", "/apis/apps/v1/deployments"))
    assert not policy(attrs("GET", "/apis/extensions/v1beta1/namespaces/dev/deployments"))
    bob = UserInfo("bob", groups=("system:authenticated",))
    assert policy(attrs("GET", "/api/v1/namespaces/x/pods/p/log", bob))
    assert not policy(attrs("GET", "/api/v1/namespaces/x/pods/p", bob))
    # Discovery for everyone, everything for system:masters.
    assert policy(attrs("GET", "/apis/apps/v1", bob))
    root = UserInfo("root", groups=("system:masters",))
    assert policy(attrs("DELETE", "/api/v1/nodes/n1", root))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"rules": "x"}, "the policy must be a mapping with a list of rules"),
        ({"rules": [{"verbs": ["get"], "resources": ["pods"]}]}, "rules[0]: needs users or groups"),
        ({"rules": [{"users": ["a"], "resources": ["pods"]}]}, "rules[0]: needs verbs"),
        ({"rules": [{"users": ["a"], "verbs": [1], "resources": ["p"]}]}, "rules[0].verbs: must"),
        ({"rules": [{"users": "a", "verbs": "*", "resources": "*", "nope": 1}]}, "unknown field"),
    ],
)  # fmt: skip
def test_policy_errors(data: object, error: str) -> None:
    with pytest.raises(PolicyError, match=None) as info:
        Policy.from_dict(data)
    assert error in str(info.value)


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


def test_policy_over_http(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.csv"
    tokens.write_text('t-alice,alice,1,"dev-team"\n')
    policy = tmp_path / "policy.yaml"
    policy.write_text(json.dumps(POLICY))
    with Sandbox(token_file=str(tokens), authz=str(policy)) as sb:
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
        # Discovery and /version stay readable; the admin token is not subject to the policy.
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
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules: [{users: [a]}]\n")
    with pytest.raises(SandboxError) as info:
        Sandbox(authz=str(policy))
    assert str(info.value) == f"cannot load authorization policy {policy}: rules[0]: needs verbs"
