"""Statuses as the real kube-apiserver stores them: what a kubelet posts to ``pods/status`` comes
back with Go's encoding (every condition's ``lastProbeTime``, null when unset, and the keys in
the Go struct's order), on both servers alike."""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import pytest

from tests.sandbox.test_differential import Req, Server, assert_same, run_case, servers

__all__ = ["servers"]

PODS = "/api/v1/namespaces/{ns}/pods"
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"diff": "mine"}},
    "spec": {"containers": [{"name": "c", "image": "nginx"}]},
}
# Conditions as clients write them: keys in any order, lastProbeTime null, absent, or a time
# in another zone; a container state with no start time.
STATUS = {
    "phase": "Running",
    "conditions": [
        {
            "lastTransitionTime": "2026-12-05T10:00:00Z",
            "status": "True",
            "type": "Ready",
            "observedGeneration": 1,
        },
        {
            "type": "Initialized",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": "2026-12-05T10:00:00Z",
        },
        {"type": "PodScheduled", "status": "True"},
        {
            "message": "m",
            "reason": "r",
            "type": "ContainersReady",
            "status": "False",
            "lastProbeTime": "2026-12-05T12:00:00+02:00",
        },
    ],
    "containerStatuses": [
        {
            "name": "c",
            "ready": True,
            "restartCount": 0,
            "image": "docker.io/library/nginx:latest",
            "imageID": "",
            "state": {"running": {}},
            "lastState": {},
        }
    ],
}


def _with_status(status: dict[str, Any]) -> dict[str, Any]:
    pod = copy.deepcopy(POD)
    pod["status"] = status
    return pod


CASES: dict[str, list[Req]] = {
    "a kubelet's pod status": [
        Req("POST", PODS, POD, keys=("kind",)),
        Req("PUT", PODS + "/p/status", _with_status(STATUS), keys=("status",)),
        Req("GET", PODS + "/p", keys=("status",)),
        Req(
            "PATCH",
            PODS + "/p/status",
            {"status": {"conditions": [{"type": "Ready", "status": "False"}]}},
            content_type="application/strategic-merge-patch+json",
            keys=("status",),
        ),
    ],
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_answers(servers: tuple[Server, Server], name: str) -> None:
    assert_same(run_case(servers, CASES[name]))


def test_condition_keys_in_go_order(servers: tuple[Server, Server]) -> None:
    """The stored JSON's key order, which a dict comparison cannot see: a client that reads
    the raw body (or diffs it as text) gets the same document from both servers."""
    orders = []
    namespace = f"order-{os.getpid()}"
    for server in servers:
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        assert server.send(Req("POST", "/api/v1/namespaces", body), namespace)[0] == 201
        assert server.send(Req("POST", PODS, POD), namespace)[0] == 201
        reply = server.session.put(
            server.url + PODS.replace("{ns}", namespace) + "/p/status",
            data=json.dumps(_with_status(STATUS)),
            headers={**server.headers, "Content-Type": "application/json"},
            verify=server.verify,
            timeout=30,
        )
        assert reply.status_code == 200, reply.text
        status = json.loads(reply.text)["status"]
        orders.append(
            [list(c) for c in status["conditions"]]
            + [list(status["containerStatuses"][0]["state"]["running"])]
        )
    assert orders[0] == orders[1]
    assert orders[0][0] == [
        "type",
        "observedGeneration",
        "status",
        "lastProbeTime",
        "lastTransitionTime",
    ]
