"""Real kubectl 1.37.1 against the demo sandbox: what a real 1.35 cluster would print.

Each test groups several commands; the demo sandbox is shared and read-only, mutating checks
use the per-test ``sandbox``.
"""

from __future__ import annotations

import re
from typing import Any

from kctl.sandbox import Sandbox


def _ok(run_kubectl: Any, sb: Sandbox, *args: str) -> str:
    out = run_kubectl(sb, *args)
    assert out.returncode == 0, (args, out.stderr)
    return str(out.stdout)


def test_system_namespaces_are_as_old_as_the_cluster(
    demo_sandbox: Sandbox, run_kubectl: Any
) -> None:
    rows = _ok(run_kubectl, demo_sandbox, "get", "namespaces").splitlines()[1:]
    ages = {row.split()[0]: row.split()[2] for row in rows}
    assert ages == {
        "default": "12d",
        "dev": "9d",
        "kube-node-lease": "12d",
        "kube-public": "12d",
        "kube-system": "12d",
    }


def test_seeded_objects_are_defaulted(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    deploy = _ok(run_kubectl, demo_sandbox, "describe", "deployment", "api", "-n", "dev")
    assert re.search(r"^StrategyType: +RollingUpdate$", deploy, re.M)
    assert re.search(r"^RollingUpdateStrategy: +25% max unavailable, 25% max surge$", deploy, re.M)
    svc = _ok(run_kubectl, demo_sandbox, "describe", "service", "api", "-n", "dev")
    assert re.search(r"^Session Affinity: +None$", svc, re.M)
    assert re.search(r"^IP Families: +IPv4$", svc, re.M)
    pods = _ok(run_kubectl, demo_sandbox, "get", "pods", "-n", "dev", "-l", "app=api", "-o", "name")
    pod = _ok(run_kubectl, demo_sandbox, "describe", "-n", "dev", pods.splitlines()[0])
    assert re.search(r"^Service Account: +default$", pod, re.M)
    assert re.search(r"^Priority: +0$", pod, re.M)
    # ServiceAccount admission names the token volume with rand.String's vowel-free alphabet.
    assert re.search(r"^  kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}:$", pod, re.M)
    assert "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s" in pod


def test_auth_reviews_without_policy(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    assert _ok(run_kubectl, demo_sandbox, "auth", "can-i", "get", "pods") == "yes\n"
    assert _ok(run_kubectl, demo_sandbox, "auth", "can-i", "*", "*", "-A") == "yes\n"
    rules = _ok(run_kubectl, demo_sandbox, "auth", "can-i", "--list", "-n", "dev").splitlines()
    assert rules[0].split() == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    assert rules[1].split() == ["*.*", "[]", "[]", "[*]"]
    assert any(r.split()[0] == "selfsubjectreviews.authentication.k8s.io" for r in rules[2:])
    # kubectl sends no credentials over plain http: the apiserver sees an anonymous user.
    who = _ok(run_kubectl, demo_sandbox, "auth", "whoami").splitlines()
    assert [line.split() for line in who] == [
        ["ATTRIBUTE", "VALUE"],
        ["Username", "system:anonymous"],
        ["Groups", "[system:unauthenticated]"],
    ]


def test_create_token_authenticates_as_the_service_account(
    sandbox: Sandbox, run_kubectl: Any
) -> None:
    import base64
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from helpers_http import call

    _ok(run_kubectl, sandbox, "create", "serviceaccount", "default")
    token = _ok(run_kubectl, sandbox, "create", "token", "default", "--duration=1h").strip()
    header, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == "system:serviceaccount:default:default"
    assert claims["exp"] - claims["iat"] == 3600
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    path = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
    who = call(sandbox, "POST", path, review, token=token)
    assert who.status == 201
    assert who.json()["status"]["userInfo"] == {
        "username": "system:serviceaccount:default:default",
        "uid": claims["kubernetes.io"]["serviceaccount"]["uid"],
        "groups": [
            "system:serviceaccounts",
            "system:serviceaccounts:default",
            "system:authenticated",
        ],
    }
    tampered = f"{header}.{payload}.{'A' * 43}"
    assert call(sandbox, "POST", path, review, token=tampered).status == 401
    missing = run_kubectl(sandbox, "create", "token", "nobody")
    assert missing.returncode == 1
    assert missing.stderr.strip().endswith('serviceaccounts "nobody" not found')
    short = run_kubectl(sandbox, "create", "token", "default", "--duration=1m")
    assert "may not specify a duration less than 10 minutes" in short.stderr


def test_access_reviews_follow_the_policy(run_kubectl: Any, tmp_path: Any) -> None:
    from kctl.sandbox._authz import Policy

    tokens = tmp_path / "tokens.csv"
    tokens.write_text('alice-secret,alice,u-1,"dev-team"\n')

    policy = Policy.from_dict(
        {
            "rules": [
                {
                    "users": ["alice"],
                    "verbs": ["get", "list"],
                    "resources": ["pods", "pods/log"],
                    "namespaces": ["dev"],
                }
            ]
        }
    )
    with Sandbox(authz=policy, tls=True, token_file=str(tokens)) as sb:
        # The admin (the kubeconfig's own user, in system:masters) gets RBAC's answer.
        admin = _ok(run_kubectl, sb, "auth", "can-i", "delete", "nodes")
        assert admin == "yes\n"
        alice = ("--token=alice-secret",)
        who = _ok(run_kubectl, sb, *alice, "auth", "whoami").splitlines()
        assert who[1].split() == ["Username", "alice"]
        assert who[2].split() == ["UID", "u-1"]
        assert who[3].split() == ["Groups", "[dev-team", "system:authenticated]"]
        assert _ok(run_kubectl, sb, *alice, "auth", "can-i", "list", "pods", "-n", "dev") == "yes\n"
        denied = run_kubectl(sb, *alice, "auth", "can-i", "delete", "pods", "-n", "dev")
        assert (denied.returncode, denied.stdout) == (1, "no\n")
        elsewhere = run_kubectl(sb, *alice, "auth", "can-i", "get", "pods", "-n", "default")
        assert (elsewhere.returncode, elsewhere.stdout) == (1, "no\n")
        rules = _ok(run_kubectl, sb, *alice, "auth", "can-i", "--list", "-n", "dev").splitlines()
        assert ["pods", "[]", "[]", "[get", "list]"] in [r.split() for r in rules]
        assert ["pods/log", "[]", "[]", "[get", "list]"] in [r.split() for r in rules]
        assert not any(r.split()[0] == "*.*" for r in rules[1:] if r.split())
        other = _ok(run_kubectl, sb, *alice, "auth", "can-i", "--list", "-n", "default")
        assert not any(r.split()[0].startswith("pods") for r in other.splitlines()[1:] if r.split())
