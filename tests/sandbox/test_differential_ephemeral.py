"""``pods/ephemeralcontainers`` measured against the real kube-apiserver: what
``kubectl debug POD --image=...`` sends is accepted the same way, and bad input is refused
with the same texts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kctl.envtest import Environment
from kctl.sandbox import Sandbox
from tests.sandbox.test_differential import Req, Server, assert_same, run_case, servers

__all__ = ["servers"]

PODS = "/api/v1/namespaces/{ns}/pods"
EC = PODS + "/p/ephemeralcontainers"
MERGE = "application/merge-patch+json"
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "labels": {"diff": "mine"}},
    # envtest runs without the ServiceAccount admission plugin, which adds a token volume.
    "spec": {
        "automountServiceAccountToken": False,
        "serviceAccountName": "default",
        "containers": [{"name": "c", "image": "nginx"}],
    },
}
DEBUGGER = {"name": "dbg", "image": "busybox", "stdin": True, "tty": True}
SPEC = ("kind", "apiVersion", "spec")
BAD = [
    DEBUGGER,
    {"name": "c", "image": ""},
    {"name": "Bad_Name", "image": "x", "ports": [{"containerPort": 80}]},
    {
        "name": "e3",
        "image": "x",
        "readinessProbe": {"exec": {"command": ["true"]}},
        "resources": {"limits": {"cpu": "1"}},
        "lifecycle": {"preStop": {"exec": {"command": ["true"]}}},
        "targetContainerName": "nope",
        "volumeMounts": [{"name": "v", "mountPath": "/v", "subPath": "x"}],
    },
]


def _ephemeral(containers: list[dict[str, Any]]) -> dict[str, Any]:
    return {"spec": {"ephemeralContainers": containers}}


CASES: dict[str, list[Req]] = {
    "adding an ephemeral container": [
        Req("POST", PODS, POD, keys=("kind",)),
        Req("GET", EC, keys=SPEC),
        Req("PATCH", EC, _ephemeral([DEBUGGER]), content_type=MERGE, keys=SPEC),
        Req("GET", PODS + "/p", keys=SPEC),
    ],
    "what an ephemeral container may not be": [
        Req("POST", PODS, POD, keys=("kind",)),
        Req("PATCH", EC, _ephemeral([DEBUGGER]), content_type=MERGE, keys=("kind",)),
        Req("PATCH", EC, _ephemeral(BAD), content_type=MERGE),
        Req("PATCH", EC, _ephemeral([]), content_type=MERGE),
        # The real text ends in a diff of Go structs: compare everything before it.
        Req(
            "PATCH",
            EC,
            _ephemeral([{**DEBUGGER, "image": "alpine"}]),
            content_type=MERGE,
            keys=("code", "reason"),
        ),
    ],
    "only ephemeral containers change through the subresource": [
        Req("POST", PODS, POD, keys=("kind",)),
        Req(
            "PATCH",
            EC,
            {
                "spec": {
                    "containers": [{"name": "c", "image": "changed"}],
                    "ephemeralContainers": [DEBUGGER],
                }
            },
            content_type="application/strategic-merge-patch+json",
            keys=SPEC,
        ),
        Req("GET", PODS + "/p", keys=SPEC),
    ],
    "methods and objects the subresource does not have": [
        Req("POST", PODS, POD, keys=("kind",)),
        Req("DELETE", EC),
        Req("POST", EC, POD),
        Req("GET", PODS + "/nope/ephemeralcontainers"),
        Req(
            "PATCH", PODS + "/nope/ephemeralcontainers", _ephemeral([DEBUGGER]), content_type=MERGE
        ),
    ],
    "the main resource does not take ephemeral containers": [
        Req("POST", PODS, POD, keys=("kind",)),
        Req(
            "PATCH",
            PODS + "/p",
            _ephemeral([DEBUGGER]),
            content_type=MERGE,
            keys=("code", "reason"),
        ),
    ],
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_answers(servers: tuple[Server, Server], name: str) -> None:
    assert_same(run_case(servers, CASES[name]))


def test_kubectl_debug_is_accepted_alike(
    sandbox: Sandbox, envtest: Environment, run_kubectl: Any
) -> None:
    results = []
    for cluster, ns in ((sandbox, "default"), (envtest, "debug-judge")):
        if cluster is envtest:
            assert run_kubectl(cluster, "create", "namespace", ns).returncode == 0
        made = run_kubectl(cluster, "-n", ns, "run", "p", "--image=nginx", "--restart=Never")
        assert made.returncode == 0, made.stderr
        out = run_kubectl(cluster, "-n", ns, "debug", "p", "--image=busybox")
        assert out.returncode == 0, out.stderr
        shown = run_kubectl(
            cluster,
            "-n",
            ns,
            "get",
            "pod",
            "p",
            "-o",
            "jsonpath={.spec.ephemeralContainers}{'|'}{.metadata.generation}",
        )
        assert shown.returncode == 0, shown.stderr
        name = re.search(r"debugger-[a-z0-9]{5}", out.stdout)
        assert name is not None, out.stdout
        results.append(
            (
                out.stdout.replace(name.group(0), "<name>"),
                shown.stdout.replace(name.group(0), "<name>"),
            )
        )
    assert results[0] == results[1]
    assert results[0][0] == "Defaulting debug container name to <name>.\n"
