from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest

from kctl.sandbox._catalog import Catalog, ResourceType
from kctl.sandbox._defaults import (
    IPAllocator,
    admit_and_allocate,
    apply_defaults,
    decode_defaults,
    image_pull_policy,
)

CAT = Catalog()


def _rt(group: str, version: str, plural: str) -> ResourceType:
    rt = CAT.get(group, version, plural)
    assert rt is not None
    return rt


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("registry.local:5000/app", "Always"),
        ("registry.local:5000/app:v2", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
    ],
)
def test_image_pull_policy(image: str, policy: str) -> None:
    assert image_pull_policy(image) == policy


def test_pod_defaults() -> None:
    pod: dict[str, Any] = {
        "metadata": {"name": "p", "namespace": "dev"},
        "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]},
    }
    apply_defaults(_rt("", "v1", "pods"), pod)
    spec = pod["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["securityContext"] == {}
    assert spec["enableServiceLinks"] is True
    assert spec["serviceAccountName"] == "default" and spec["serviceAccount"] == "default"
    assert spec["priority"] == 0 and spec["preemptionPolicy"] == "PreemptLowerPriority"
    assert {t["key"] for t in spec["tolerations"]} == {
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    }
    assert all(t["tolerationSeconds"] == 300 for t in spec["tolerations"])
    c = spec["containers"][0]
    assert c["imagePullPolicy"] == "Always"
    assert c["terminationMessagePath"] == "/dev/termination-log"
    assert c["terminationMessagePolicy"] == "File"
    assert c["ports"][0]["protocol"] == "TCP"
    [mount] = c["volumeMounts"]
    assert mount["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount"
    assert spec["volumes"][0]["name"] == mount["name"]
    assert mount["name"].startswith("kube-api-access-")
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    # Idempotent: defaulting again changes nothing.
    again = copy.deepcopy(pod)
    apply_defaults(_rt("", "v1", "pods"), again)
    assert again == pod


def test_pod_keeps_user_values_and_opt_out() -> None:
    pod: dict[str, Any] = {
        "metadata": {"name": "p"},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "serviceAccountName": "builder",
            "containers": [
                {
                    "name": "c",
                    "image": "app:1",
                    "imagePullPolicy": "Never",
                    "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                }
            ],
        },
    }
    apply_defaults(_rt("", "v1", "pods"), pod)
    assert pod["spec"]["restartPolicy"] == "Never"
    assert pod["spec"]["serviceAccount"] == "builder"
    assert "volumes" not in pod["spec"]
    c = pod["spec"]["containers"][0]
    assert c["imagePullPolicy"] == "Never"
    assert c["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}
    assert pod["status"]["qosClass"] == "Guaranteed"


def test_deployment_defaults() -> None:
    d: dict[str, Any] = {
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}},
    }
    apply_defaults(_rt("apps", "v1", "deployments"), d)
    spec = d["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    tmpl = spec["template"]["spec"]
    assert tmpl["restartPolicy"] == "Always" and tmpl["dnsPolicy"] == "ClusterFirst"
    assert "enableServiceLinks" not in tmpl and "serviceAccountName" not in tmpl
    assert tmpl["containers"][0]["imagePullPolicy"] == "IfNotPresent"


def test_workload_defaults() -> None:
    sts: dict[str, Any] = {"spec": {}}
    apply_defaults(_rt("apps", "v1", "statefulsets"), sts)
    assert sts["spec"]["podManagementPolicy"] == "OrderedReady"
    # maxUnavailable: MaxUnavailableStatefulSet is on in 1.37 (checked against envtest by
    # test_controllers_real).
    assert sts["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"partition": 0, "maxUnavailable": 1},
    }
    # A type given without rollingUpdate gets none: SetDefaults_StatefulSet only fills in
    # the one it made itself.
    explicit: dict[str, Any] = {"spec": {"updateStrategy": {"type": "RollingUpdate"}}}
    apply_defaults(_rt("apps", "v1", "statefulsets"), explicit)
    assert explicit["spec"]["updateStrategy"] == {"type": "RollingUpdate"}
    ds: dict[str, Any] = {"spec": {}}
    apply_defaults(_rt("apps", "v1", "daemonsets"), ds)
    assert ds["spec"]["updateStrategy"]["rollingUpdate"] == {"maxUnavailable": 1, "maxSurge": 0}
    job: dict[str, Any] = {
        "metadata": {"name": "j", "uid": "u-1"},
        "spec": {"template": {"spec": {}}},
    }
    apply_defaults(_rt("batch", "v1", "jobs"), job)
    assert (
        job["spec"]["completions"],
        job["spec"]["parallelism"],
        job["spec"]["backoffLimit"],
    ) == (1, 1, 6)
    assert job["spec"]["completionMode"] == "NonIndexed"
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "u-1"}}
    assert job["spec"]["template"]["metadata"]["labels"]["job-name"] == "j"
    assert job["spec"]["manualSelector"] is False
    labelled: dict[str, Any] = {
        "metadata": {"name": "j", "uid": "u-1"},
        "spec": {"template": {"metadata": {"labels": {"app": "x"}}, "spec": {}}},
    }
    apply_defaults(_rt("batch", "v1", "jobs"), labelled)
    # SetDefaults_Job gives a Job without labels its template's; the real server defaults
    # what it reads back from etcd, so the generated ones show too (as envtest answers).
    assert labelled["metadata"]["labels"] == {
        "app": "x",
        "batch.kubernetes.io/controller-uid": "u-1",
        "batch.kubernetes.io/job-name": "j",
        "controller-uid": "u-1",
        "job-name": "j",
    }
    assert job["metadata"]["labels"] == job["spec"]["template"]["metadata"]["labels"]
    cj: dict[str, Any] = {"spec": {"schedule": "* * * * *"}}
    apply_defaults(_rt("batch", "v1", "cronjobs"), cj)
    assert cj["spec"]["concurrencyPolicy"] == "Allow"
    assert (cj["spec"]["successfulJobsHistoryLimit"], cj["spec"]["failedJobsHistoryLimit"]) == (
        3,
        1,
    )


def test_service_defaults_and_allocation() -> None:
    alloc = IPAllocator(seed=1)
    rt = _rt("", "v1", "services")
    svc: dict[str, Any] = {"metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}}
    apply_defaults(rt, svc, alloc)
    spec = svc["spec"]
    assert spec["type"] == "ClusterIP" and spec["sessionAffinity"] == "None"
    assert ipaddress.ip_address(spec["clusterIP"]) in ipaddress.ip_network("10.96.0.0/12")
    assert spec["clusterIP"] != "10.96.0.1"
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack"
    assert spec["internalTrafficPolicy"] == "Cluster"
    assert spec["ports"][0] == {"port": 80, "protocol": "TCP", "targetPort": 80}
    assert svc["status"] == {"loadBalancer": {}}
    np: dict[str, Any] = {"spec": {"type": "NodePort", "ports": [{"port": 443}]}}
    apply_defaults(rt, np, alloc)
    assert 30000 <= np["spec"]["ports"][0]["nodePort"] <= 32767
    assert np["spec"]["externalTrafficPolicy"] == "Cluster"
    assert np["spec"]["clusterIP"] != spec["clusterIP"]
    headless: dict[str, Any] = {"spec": {"clusterIP": "None"}}
    apply_defaults(rt, headless, alloc)
    assert headless["spec"]["clusterIPs"] == ["None"]
    ext: dict[str, Any] = {"spec": {"type": "ExternalName", "externalName": "example.com"}}
    apply_defaults(rt, ext, alloc)
    assert "clusterIP" not in ext["spec"] and "ipFamilies" not in ext["spec"]


def test_allocator_never_repeats() -> None:
    alloc = IPAllocator("10.0.0.0/29")
    alloc.reserve_ip("10.0.0.3")
    got = {alloc.allocate_ip() for _ in range(4)}
    assert got == {"10.0.0.2", "10.0.0.4", "10.0.0.5", "10.0.0.6"}
    with pytest.raises(ValueError, match="range is full"):
        alloc.allocate_ip()


def test_namespace_and_misc_defaults() -> None:
    ns: dict[str, Any] = {"metadata": {"name": "dev"}}
    apply_defaults(_rt("", "v1", "namespaces"), ns)
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "dev"}
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    assert ns["status"] == {"phase": "Active"}
    secret: dict[str, Any] = {"metadata": {"name": "s"}}
    apply_defaults(_rt("", "v1", "secrets"), secret)
    assert secret["type"] == "Opaque"
    rb: dict[str, Any] = {
        "subjects": [{"kind": "User", "name": "a"}, {"kind": "ServiceAccount", "name": "b"}]
    }
    apply_defaults(_rt("rbac.authorization.k8s.io", "v1", "rolebindings"), rb)
    assert [s["apiGroup"] for s in rb["subjects"]] == ["rbac.authorization.k8s.io", ""]
    hpa: dict[str, Any] = {"spec": {"maxReplicas": 5}}
    apply_defaults(_rt("autoscaling", "v2", "horizontalpodautoscalers"), hpa)
    assert hpa["spec"]["minReplicas"] == 1
    assert hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 80
    assert hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    cm: dict[str, Any] = {"metadata": {"name": "c"}, "data": {}}
    apply_defaults(_rt("", "v1", "configmaps"), cm)
    assert cm == {"metadata": {"name": "c"}, "data": {}}


def test_decode_defaults_then_admission_and_allocation() -> None:
    """The two stages the field manager sits between: scheme defaults, then what admission,
    the Job strategy and the Service allocators add."""
    svc: dict[str, Any] = {"spec": {"selector": {"a": "b"}, "ports": [{"port": 80}]}}
    decode_defaults(_rt("", "v1", "services"), svc)
    assert "clusterIP" not in svc["spec"] and "ipFamilies" not in svc["spec"]
    assert svc["spec"]["type"] == "ClusterIP"
    alloc = IPAllocator(seed=2)
    admit_and_allocate(_rt("", "v1", "services"), svc, None, alloc, dry_run=True)
    shown = svc["spec"]["clusterIP"]
    assert shown not in alloc._used_ips  # a dry run shows an address and takes none

    pod: dict[str, Any] = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
    decode_defaults(_rt("", "v1", "pods"), pod)
    assert "tolerations" not in pod["spec"] and "priority" not in pod["spec"]
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    admit_and_allocate(_rt("", "v1", "pods"), pod)
    assert pod["spec"]["priority"] == 0 and len(pod["spec"]["tolerations"]) == 2

    job: dict[str, Any] = {
        "metadata": {"name": "j", "uid": "u-1"},
        "spec": {"template": {"metadata": {"labels": {"app": "j"}}, "spec": {}}},
    }
    decode_defaults(_rt("batch", "v1", "jobs"), job)
    assert "selector" not in job["spec"]
    assert job["metadata"]["labels"] == {"app": "j"}
    admit_and_allocate(_rt("batch", "v1", "jobs"), job)
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "u-1"}}
    # Defaulted from the template, the Job's labels carry the generated ones too, in a map
    # of their own.
    assert job["metadata"]["labels"] == job["spec"]["template"]["metadata"]["labels"]
    assert job["metadata"]["labels"] is not job["spec"]["template"]["metadata"]["labels"]
    assert job["metadata"]["labels"]["job-name"] == "j"


def test_service_update_keeps_what_was_allocated() -> None:
    rt = _rt("", "v1", "services")
    alloc = IPAllocator(seed=3)
    old: dict[str, Any] = {"spec": {"type": "NodePort", "ports": [{"name": "a", "port": 80}]}}
    apply_defaults(rt, old, alloc)
    new: dict[str, Any] = {
        "spec": {"type": "NodePort", "ports": [{"name": "a", "port": 80}, {"name": "b", "port": 1}]}
    }
    decode_defaults(rt, new)
    admit_and_allocate(rt, new, old, alloc)
    assert new["spec"]["clusterIP"] == old["spec"]["clusterIP"]
    assert new["spec"]["clusterIPs"] == old["spec"]["clusterIPs"]
    ports = new["spec"]["ports"]
    assert ports[0]["nodePort"] == old["spec"]["ports"][0]["nodePort"]
    assert ports[1]["nodePort"] not in (0, ports[0]["nodePort"])
    # Changing clusterIP alone carries clusterIPs with it (then validation refuses it).
    moved: dict[str, Any] = copy.deepcopy(old)
    moved["spec"]["clusterIP"] = "10.96.0.99"
    admit_and_allocate(rt, moved, old, alloc)
    assert moved["spec"]["clusterIPs"] == ["10.96.0.99"]


def test_headless_service_without_selector_asks_for_both_families() -> None:
    rt = _rt("", "v1", "services")
    bare: dict[str, Any] = {"spec": {"clusterIP": "None"}}
    apply_defaults(rt, bare)
    assert bare["spec"]["ipFamilyPolicy"] == "RequireDualStack"
    assert bare["spec"]["ipFamilies"] == ["IPv4", "IPv6"]
    selected: dict[str, Any] = {"spec": {"clusterIP": "None", "selector": {"a": "b"}}}
    apply_defaults(rt, selected)
    assert selected["spec"]["ipFamilyPolicy"] == "SingleStack"
    assert selected["spec"]["ipFamilies"] == ["IPv4"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"serviceAccountName": "a"}, {"serviceAccountName": "a", "serviceAccount": "a"}),
        ({"serviceAccount": "b"}, {"serviceAccountName": "b", "serviceAccount": "b"}),
        (
            {"serviceAccountName": "a", "serviceAccount": "b"},
            {"serviceAccountName": "a", "serviceAccount": "a"},
        ),
        ({}, {}),
    ],
)
def test_deprecated_service_account_follows_the_name(
    given: dict[str, str], expected: dict[str, str]
) -> None:
    """SetDefaults_PodSpec, in pod templates too (no admission there)."""
    deploy: dict[str, Any] = {
        "spec": {"selector": {}, "template": {"spec": {"containers": [], **given}}}
    }
    decode_defaults(_rt("apps", "v1", "deployments"), deploy)
    spec = deploy["spec"]["template"]["spec"]
    assert {k: spec[k] for k in ("serviceAccountName", "serviceAccount") if k in spec} == expected
