"""Events through core v1 and events.k8s.io/v1, measured against the real kube-apiserver:
one storage, two views, with the field renames and the stricter events.k8s.io validation.

Bodies are compared without metadata (managedFields spell the request's own fields, which
test_differential covers for other kinds); the managedFields of the events the sandbox's own
scheduler, kubelet and controllers record are compared with what the real server makes of
the same events sent by those components."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from kctl.envtest import Environment
from kctl.sandbox import Sandbox
from tests.sandbox.helpers_http import call, deployment_yaml, node, wait_for
from tests.sandbox.test_differential import Req, Server, assert_same, run_case, servers

__all__ = ["servers"]

CORE = "/api/v1/namespaces/{ns}/events"
NEW = "/apis/events.k8s.io/v1/namespaces/{ns}/events"
MERGE = "application/merge-patch+json"
FIELDS = (
    "kind",
    "apiVersion",
    "involvedObject",
    "regarding",
    "related",
    "reason",
    "message",
    "note",
    "source",
    "deprecatedSource",
    "firstTimestamp",
    "deprecatedFirstTimestamp",
    "lastTimestamp",
    "deprecatedLastTimestamp",
    "count",
    "deprecatedCount",
    "type",
    "eventTime",
    "series",
    "action",
    "reportingComponent",
    "reportingController",
    "reportingInstance",
)
LIST = ("kind", "apiVersion", "items")
KUBELET_EVENT = {
    "apiVersion": "v1",
    "kind": "Event",
    "metadata": {"name": "e1"},
    "involvedObject": {
        "kind": "Pod",
        "name": "p",
        "namespace": "{ns}",
        "uid": "0b7c3cba-0f4a-4a8e-9a39-0f2a0d6f6b11",
        "apiVersion": "v1",
        "fieldPath": "spec.containers{c}",
    },
    "reason": "Pulled",
    "message": "hello",
    "source": {"component": "kubelet", "host": "n1"},
    "firstTimestamp": "2026-01-01T00:00:00Z",
    "lastTimestamp": "2026-01-01T00:00:01Z",
    "count": 2,
    "type": "Normal",
    "reportingComponent": "kubelet",
    "reportingInstance": "n1",
}
SCHEDULER_EVENT = {
    "apiVersion": "events.k8s.io/v1",
    "kind": "Event",
    "metadata": {"name": "e2"},
    "eventTime": "2026-01-01T00:00:00.123456Z",
    "regarding": {"kind": "Pod", "name": "p", "namespace": "{ns}"},
    "related": {"kind": "Node", "name": "n1"},
    "reason": "Scheduled",
    "note": "Successfully assigned {ns}/p to n1",
    "action": "Binding",
    "reportingController": "default-scheduler",
    "reportingInstance": "default-scheduler-n1",
    "type": "Normal",
    "series": {"count": 3, "lastObservedTime": "2026-01-01T00:00:05.000000Z"},
}

CASES: dict[str, list[Req]] = {
    "a core Event read through events.k8s.io": [
        Req("POST", CORE, KUBELET_EVENT, keys=FIELDS),
        Req("GET", NEW + "/e1", keys=FIELDS),
        Req("GET", NEW, keys=("kind", "apiVersion")),
    ],
    "an events.k8s.io Event read through core": [
        Req("POST", NEW, SCHEDULER_EVENT, keys=FIELDS),
        Req("GET", CORE + "/e2", keys=FIELDS),
    ],
    "a bare core Event gets the fields its type always encodes": [
        Req(
            "POST",
            CORE,
            {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}},
            keys=FIELDS,
        ),
    ],
    "events.k8s.io validates what core does not": [
        Req(
            "POST",
            NEW,
            {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"}},
        ),
        Req(
            "POST",
            NEW,
            {
                **SCHEDULER_EVENT,
                "type": "Odd",
                "deprecatedCount": 2,
                "deprecatedSource": {"component": "x"},
                "deprecatedFirstTimestamp": "2026-01-01T00:00:00Z",
            },
        ),
    ],
    "events.k8s.io keeps a recorded Event immutable, core does not": [
        Req("POST", CORE, KUBELET_EVENT, keys=("kind",)),
        Req("PATCH", NEW + "/e1", {"action": "Pulling"}, content_type=MERGE),
        Req("PATCH", NEW + "/e1", {"note": "changed"}, content_type=MERGE),
        Req("PATCH", CORE + "/e1", {"message": "changed"}, content_type=MERGE, keys=FIELDS),
        Req("GET", NEW + "/e1", keys=FIELDS),
    ],
    "an Event in another namespace than its object": [
        Req("POST", CORE, {**KUBELET_EVENT, "involvedObject": {"kind": "Pod", "name": "p"}}),
        Req(
            "POST",
            NEW,
            {**SCHEDULER_EVENT, "regarding": {"kind": "Pod", "name": "p", "namespace": "other"}},
            keys=FIELDS,
        ),
        Req(
            "POST",
            NEW,
            {
                **SCHEDULER_EVENT,
                "reportingController": "Not A Name",
                "reportingInstance": "",
                "action": "",
                "reason": "",
            },
        ),
    ],
    "field selectors of each API": [
        Req("POST", CORE, KUBELET_EVENT, keys=("kind",)),
        Req("POST", NEW, SCHEDULER_EVENT, keys=("kind",)),
        Req("GET", NEW, params={"fieldSelector": "regarding.name=p,reason=Pulled"}, keys=LIST),
        Req(
            "GET", NEW, params={"fieldSelector": "reportingController=default-scheduler"}, keys=LIST
        ),
        Req("GET", NEW, params={"fieldSelector": "involvedObject.name=p"}),
        Req("GET", CORE, params={"fieldSelector": "reportingComponent=kubelet"}, keys=LIST),
        Req("GET", CORE, params={"fieldSelector": "regarding.name=p"}),
    ],
}


def _without_managed_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_managed_fields(v) for k, v in value.items() if k != "managedFields"}
    if isinstance(value, (list, tuple)):
        return type(value)(_without_managed_fields(v) for v in value)
    return value


@pytest.mark.parametrize("name", list(CASES))
def test_same_answers(servers: tuple[Server, Server], name: str) -> None:
    # List items carry their managedFields, whose Event-specific shapes (an atomic
    # involvedObject) are not what this module compares.
    pairs = run_case(servers, CASES[name])
    assert_same([_without_managed_fields(pair) for pair in pairs])


# --- the events the sandbox's own controllers write ------------------------------------------

# The user agents of the components that record them; the apiserver names a write's field
# manager after the user agent's program name.
AGENTS = {
    "kubelet": "kubelet/v1.37.2 (linux/amd64) kubernetes/abcdef0",
    "default-scheduler": "kube-scheduler/v1.37.2 (linux/amd64) kubernetes/abcdef0/scheduler",
}
KCM_AGENT = (
    "kube-controller-manager/v1.37.2 (linux/amd64) kubernetes/abcdef0/"
    "system:serviceaccount:kube-system:{component}"
)
RECORDED = {"Scheduled", "Pulled", "Created", "Started", "ScalingReplicaSet", "SuccessfulCreate"}


def _entries(event: dict[str, Any]) -> list[dict[str, Any]]:
    """managedFields without their times, which two servers cannot share."""
    return [
        {k: v for k, v in entry.items() if k != "time"}
        for entry in event["metadata"].get("managedFields") or []
    ]


def test_controller_events_have_the_recorders_managed_fields(
    sandbox: Sandbox, envtest: Environment, tmp_path: Path
) -> None:
    """Each event the sandbox's scheduler, kubelet and controllers record is sent as is to the
    real server, through the API its recorder uses (events.k8s.io/v1 for the scheduler, core
    v1 for the legacy recorders) and with its user agent: the managedFields must match."""
    import requests
    import yaml

    assert call(sandbox, "POST", "/api/v1/nodes", node("n1")).status == 201
    deploy = yaml.safe_load(deployment_yaml(1))
    made = call(sandbox, "POST", "/apis/apps/v1/namespaces/default/deployments", deploy)
    assert made.status == 201, made.body

    def recorded() -> dict[str, dict[str, Any]] | None:
        items = call(sandbox, "GET", "/api/v1/namespaces/default/events").json()["items"]
        by_reason = {e["reason"]: e for e in items}
        return by_reason if set(by_reason) >= RECORDED else None

    events = wait_for(recorded)
    assert events, "the controllers never recorded all their events"
    ca = tmp_path / "real.crt"
    ca.write_bytes(envtest.ca_pem)
    session = requests.Session()
    session.trust_env = False
    namespace = f"rec-{os.getpid()}"
    headers = {"Authorization": f"Bearer {envtest.token}", "Content-Type": "application/json"}
    ns_body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    reply = session.post(
        envtest.url + "/api/v1/namespaces", json=ns_body, headers=headers, verify=str(ca)
    )
    assert reply.status_code == 201, reply.text
    for reason in sorted(RECORDED):
        event = events[reason]
        component = event.get("reportingComponent") or event["source"]["component"]
        if component == "default-scheduler":
            name = event["metadata"]["name"]
            path = f"/apis/events.k8s.io/v1/namespaces/default/events/{name}"
            body = call(sandbox, "GET", path).json()
            collection = f"/apis/events.k8s.io/v1/namespaces/{namespace}/events"
        else:
            body = copy.deepcopy(event)
            collection = f"/api/v1/namespaces/{namespace}/events"
        for key in ("uid", "resourceVersion", "creationTimestamp", "managedFields"):
            body["metadata"].pop(key)
        body["metadata"]["namespace"] = namespace
        for ref in ("involvedObject", "regarding"):
            if ref in body:
                body[ref]["namespace"] = namespace
        agent = AGENTS.get(component, KCM_AGENT.format(component=component))
        reply = session.post(
            envtest.url + collection,
            data=json.dumps(body),
            headers={**headers, "User-Agent": agent},
            verify=str(ca),
        )
        assert reply.status_code == 201, (reason, reply.text)
        # One storage: the core view shows the entry the scheduler's events.k8s.io write made.
        assert _entries(event) == _entries(reply.json()), reason
