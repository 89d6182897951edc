"""The built-in validators on their own: valid objects pass (the demo seed among them),
everyday mistakes give kube-apiserver's causes, and the update rules hold."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import pytest

from kctl.errors import StatusError
from kctl.sandbox import _status as st
from kctl.sandbox._catalog import Catalog, ResourceType
from kctl.sandbox._defaults import apply_defaults
from kctl.sandbox._seed import demo_objects
from kctl.sandbox._validation import cron_errors, validate_object

CATALOG = Catalog()


def rt_of(obj: dict[str, Any]) -> ResourceType:
    group, _, version = obj["apiVersion"].rpartition("/")
    rt = CATALOG.by_kind(group, version, obj["kind"])
    assert rt is not None, obj["kind"]
    return rt


def causes(obj: dict[str, Any], old: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
    found = validate_object(rt_of(obj), obj, old, apply_defaults)
    return [(c["field"], c["reason"], c["message"]) for c in found]


def pod(**spec: Any) -> dict[str, Any]:
    body = {"containers": [{"name": "c", "image": "nginx"}], **spec}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": body}


def deployment(**spec: Any) -> dict[str, Any]:
    body = {
        "selector": {"matchLabels": {"app": "x"}},
        "template": {
            "metadata": {"labels": {"app": "x"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        },
        **spec,
    }
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": body}


def test_every_demo_object_is_valid() -> None:
    for obj in demo_objects(datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)):
        assert causes(obj) == [], (obj["kind"], obj["metadata"]["name"])


def test_valid_everyday_objects_pass() -> None:
    assert causes(pod()) == []
    assert causes(deployment()) == []
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j"},
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "c", "image": "x"}], "restartPolicy": "Never"}
            }
        },
    }
    assert causes(job) == []


def test_pod_containers() -> None:
    assert causes(pod(containers=[])) == [
        ("spec.containers", "FieldValueRequired", "Required value")
    ]
    found = causes(pod(containers=[{"name": "Bad_Name", "image": ""}]))
    assert [f[:2] for f in found] == [
        ("spec.containers[0].name", "FieldValueInvalid"),
        ("spec.containers[0].image", "FieldValueRequired"),
    ]
    assert "a lowercase RFC 1123 label must consist" in found[0][2]
    two = [{"name": "c", "image": "x"}, {"name": "c", "image": "y"}]
    assert causes(pod(containers=two)) == [
        ("spec.containers[1].name", "FieldValueDuplicate", 'Duplicate value: "c"')
    ]


def test_pod_ports_and_policies() -> None:
    ports = [
        {"containerPort": 0},
        {"containerPort": 70000, "name": "a"},
        {"containerPort": 1, "name": "a"},
    ]
    found = causes(pod(containers=[{"name": "c", "image": "x", "ports": ports}]))
    assert found == [
        ("spec.containers[0].ports[0].containerPort", "FieldValueRequired", "Required value"),
        (
            "spec.containers[0].ports[1].containerPort",
            "FieldValueInvalid",
            "Invalid value: 70000: must be between 1 and 65535, inclusive",
        ),
        ("spec.containers[0].ports[2].name", "FieldValueDuplicate", 'Duplicate value: "a"'),
    ]
    assert causes(pod(restartPolicy="Sometimes")) == [
        (
            "spec.restartPolicy",
            "FieldValueNotSupported",
            'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        )
    ]


def test_workload_selector_must_match_template() -> None:
    bad = deployment()
    bad["spec"]["template"]["metadata"]["labels"] = {"app": "y"}
    assert causes(bad) == [
        (
            "spec.template.metadata.labels",
            "FieldValueInvalid",
            'Invalid value: {"app":"y"}: `selector` does not match template `labels`',
        )
    ]
    assert (
        causes(deployment(replicas=-1))[0][2]
        == "Invalid value: -1: must be greater than or equal to 0"
    )


def test_selector_is_immutable() -> None:
    old = deployment()
    new = deployment(selector={"matchLabels": {"app": "x", "b": "c"}})
    new["spec"]["template"]["metadata"]["labels"]["b"] = "c"
    assert causes(new, old) == [
        (
            "spec.selector",
            "FieldValueInvalid",
            'Invalid value: {"matchLabels":{"app":"x","b":"c"}}: field is immutable',
        )
    ]


def test_pod_updates_only_change_images() -> None:
    old = pod()
    apply_defaults(rt_of(old), old)
    assert causes(pod(containers=[{"name": "c", "image": "busybox"}]), old) == []
    assert causes(pod(activeDeadlineSeconds=30), old) == []
    (field, reason, message) = causes(pod(hostname="h"), old)[0]
    assert (field, reason) == ("spec", "FieldValueForbidden")
    assert message.startswith("Forbidden: pod updates may not change fields other than `spec.")
    more = pod(containers=[{"name": "c", "image": "x"}, {"name": "d", "image": "x"}])
    assert causes(more, old) == [
        (
            "spec.containers",
            "FieldValueForbidden",
            "Forbidden: pod updates may not add or remove containers",
        )
    ]


def test_configmap_keys_and_immutability() -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {"bad key": "1"},
    }
    assert causes(cm)[0][:2] == ("data[bad key]", "FieldValueInvalid")
    old = {**cm, "data": {"a": "1"}, "immutable": True}
    new = {**cm, "data": {"a": "2"}, "immutable": True}
    assert causes(new, old) == [
        ("data", "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set")
    ]


def test_secret_type_keys() -> None:
    tls = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "type": "kubernetes.io/tls",
    }
    assert causes(tls) == [
        ("data[tls.crt]", "FieldValueRequired", "Required value"),
        ("data[tls.key]", "FieldValueRequired", "Required value"),
    ]
    # stringData counts as data, as after the real server's conversion.
    tls["stringData"] = {"tls.crt": "x", "tls.key": "y"}
    assert causes(tls) == []


def test_rbac_rules_and_bindings() -> None:
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"}}
    role["rules"] = [{}, {"apiGroups": [""], "resources": ["pods"]}]
    assert [c[0] for c in causes(role)] == [
        "rules[0].apiGroups",
        "rules[0].resources",
        "rules[0].verbs",
        "rules[1].verbs",
    ]
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "b"},
        "roleRef": {"kind": "Role", "name": "r"},
    }
    assert causes(binding) == [
        (
            "roleRef.kind",
            "FieldValueNotSupported",
            'Unsupported value: "Role": supported values: "ClusterRole"',
        )
    ]


@pytest.mark.parametrize(
    ("schedule", "error"),
    [
        ("*/5 * * * *", None),
        ("0 0 * jan-mar mon", None),
        ("@hourly", None),
        ("@every 5m", None),
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("60 * * * *", "end of range (60) above maximum (59): 60"),
        ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("@bogus", "unrecognized descriptor: @bogus"),
    ],
)
def test_cron_schedules(schedule: str, error: str | None) -> None:
    assert cron_errors(schedule) == error


def test_invalid_message_joins_causes_once() -> None:
    one = {"reason": "FieldValueRequired", "message": "Required value", "field": "a"}
    two = {"reason": "FieldValueRequired", "message": "Required value", "field": "b"}
    err = st.invalid("", "Pod", "p", [one, two])
    assert isinstance(err, StatusError)
    assert err.status["message"] == 'Pod "p" is invalid: [a: Required value, b: Required value]'
    assert st.invalid("", "Pod", "p", [copy.deepcopy(one)]).status["message"] == (
        'Pod "p" is invalid: a: Required value'
    )
