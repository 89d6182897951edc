"""Validation of built-in kinds measured against the real kube-apiserver 1.37: every bad
object in ``helpers_validation.CASES`` goes to the sandbox and to the real server, and both
must answer with the same status code and the same Status body (message, reason, details and
every cause in order).

Cases hold at most one bad key per map: Go walks maps in random order, so the real server
orders causes from two bad keys differently from one run to the next.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.envtest import Environment
from kctl.sandbox import Sandbox

sys.path.insert(0, str(Path(__file__).parent))
from helpers_validation import CASES, Step

requests = pytest.importorskip("requests")

_ids = itertools.count()


class _Server:
    def __init__(self, url: str, token: str, ca: Path) -> None:
        self.url, self.ca = url, str(ca)
        self.session = requests.Session()
        self.session.trust_env = False
        self.headers = {"Authorization": f"Bearer {token}"}

    def send(self, step: Step, namespace: str) -> tuple[int, Any]:
        method, path, body = step
        content_type = "application/merge-patch+json" if method == "PATCH" else "application/json"
        reply = self.session.request(
            method,
            self.url + path.replace("{ns}", namespace),
            data=None if body is None else json.dumps(body).replace("{ns}", namespace),
            headers={**self.headers, "Content-Type": content_type},
            verify=self.ca,
            timeout=30,
        )
        if reply.status_code < 300:
            # Successful writes are compared elsewhere (test_differential); here only the
            # verdict counts.
            return reply.status_code, None
        return reply.status_code, json.loads(reply.text.replace(namespace, "{ns}"))


@pytest.fixture(scope="module")
def servers(
    envtest: Environment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[_Server, _Server]]:
    tmp = tmp_path_factory.mktemp("validation")
    with Sandbox(seed="empty") as sb:
        (tmp / "sandbox.crt").write_bytes(sb.ca_pem or b"")
        (tmp / "real.crt").write_bytes(envtest.ca_pem)
        yield (
            _Server(sb.url, sb.token, tmp / "sandbox.crt"),
            _Server(envtest.url, envtest.token, tmp / "real.crt"),
        )


@pytest.mark.parametrize("name", list(CASES))
def test_same_verdict_and_status(servers: tuple[_Server, _Server], name: str) -> None:
    namespace = f"val-{os.getpid()}-{next(_ids)}"
    answers: list[list[tuple[int, Any]]] = []
    for server in servers:
        ns_body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        assert server.send(("POST", "/api/v1/namespaces", ns_body), namespace)[0] == 201
        answers.append([server.send(step, namespace) for step in CASES[name]])
    ours, theirs = answers
    for step, mine, real in zip(CASES[name], ours, theirs, strict=True):
        assert mine == real, f"{step[0]} {step[1]}"
    # Every case is about a rejection.
    assert any(code == 422 for code, _ in theirs)
