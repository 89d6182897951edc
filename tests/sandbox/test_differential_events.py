"""Events through core v1 and events.k8s.io/v1, measured against the real kube-apiserver:
one storage, two views, with the field renames and the stricter events.k8s.io validation.

Bodies are compared without metadata (managedFields spell the request's own fields, which
test_differential covers for other kinds)."""

from __future__ import annotations

from typing import Any

import pytest

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
