"""TokenReview: answered from the server's token authenticators, with or without a name
(kr8s' whoami() posts one without)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call

from kctl.sandbox import Sandbox

REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews"
AUDIENCE = "https://kubernetes.default.svc.cluster.local"


@pytest.fixture
def sb(tmp_path: Path) -> Iterator[Sandbox]:
    tokens = tmp_path / "tokens.csv"
    tokens.write_text('alice-token,alice,uid-1,"dev,ops"\n')
    with Sandbox(seed="empty", token_file=str(tokens)) as sandbox:
        yield sandbox


def _review(token: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenReview",
        "spec": {"token": token, **spec},
    }


def test_review_without_a_name_answers_the_user(sb: Sandbox) -> None:
    reply = call(sb, "POST", REVIEWS, _review("alice-token"))
    assert reply.status == 201, reply.body
    assert reply.json() == {
        "kind": "TokenReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": {"token": "alice-token"},
        "status": {
            "authenticated": True,
            "user": {
                "username": "alice",
                "uid": "uid-1",
                "groups": ["dev", "ops", "system:authenticated"],
            },
            "audiences": [AUDIENCE],
        },
    }
    # Nothing was stored: a review is answered, not kept.
    assert call(sb, "GET", REVIEWS).status == 405


def test_review_of_the_admin_token_and_a_named_review(sb: Sandbox) -> None:
    body = _review(str(sb.token))
    body["metadata"] = {"name": "who"}
    answer = call(sb, "POST", REVIEWS, body).json()
    assert answer["metadata"] == {"name": "who", "creationTimestamp": None}
    assert answer["status"]["user"] == {
        "username": "kctl-sandbox-admin",
        "groups": ["system:masters", "system:authenticated"],
    }


def test_unknown_token_is_not_authenticated(sb: Sandbox) -> None:
    reply = call(sb, "POST", REVIEWS, _review("nope"))
    assert reply.status == 201
    assert reply.json()["status"] == {"user": {}}


def test_review_needs_a_token(sb: Sandbox) -> None:
    reply = call(sb, "POST", REVIEWS, _review(""))
    assert reply.status == 400
    assert reply.json()["message"] == "token is required for TokenReview in authentication"


def test_service_account_tokens_and_audiences(sb: Sandbox) -> None:
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"}}
    assert call(sb, "POST", "/api/v1/namespaces/default/serviceaccounts", sa).status == 201
    path = "/api/v1/namespaces/default/serviceaccounts/robot/token"
    token = call(sb, "POST", path, {"spec": {}}).json()["status"]["token"]
    status = call(sb, "POST", REVIEWS, _review(token)).json()["status"]
    assert status["authenticated"] is True
    assert status["user"]["username"] == "system:serviceaccount:default:robot"
    assert "system:serviceaccounts:default" in status["user"]["groups"]
    assert status["audiences"] == [AUDIENCE]
    # A token is good only for an audience it was issued for.
    assert call(sb, "POST", REVIEWS, _review(token, audiences=["vault"])).json()["status"] == {
        "user": {}
    }
    vault = call(sb, "POST", path, {"spec": {"audiences": ["vault", "x"]}}).json()
    answer = call(sb, "POST", REVIEWS, _review(vault["status"]["token"], audiences=["vault"]))
    assert answer.json()["status"]["audiences"] == ["vault"]


def test_kubectl_creates_a_nameless_review(sb: Sandbox, run_kubectl: Any) -> None:
    result = run_kubectl(
        sb, "create", "-f", "-", "-o", "json", input=json.dumps(_review("alice-token"))
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"]["user"]["username"] == "alice"
