"""Bad objects the sandbox must reject as kube-apiserver 1.37 does: each case is a list of
(method, path, body) steps sent to a fresh namespace ``{ns}`` on both servers."""

from __future__ import annotations

import copy
from typing import Any

Step = tuple[str, str, Any]

PODS = "/api/v1/namespaces/{ns}/pods"
SVCS = "/api/v1/namespaces/{ns}/services"
CMS = "/api/v1/namespaces/{ns}/configmaps"
SECRETS = "/api/v1/namespaces/{ns}/secrets"
SAS = "/api/v1/namespaces/{ns}/serviceaccounts"
NSS = "/api/v1/namespaces"
DEPLOYS = "/apis/apps/v1/namespaces/{ns}/deployments"
RSS = "/apis/apps/v1/namespaces/{ns}/replicasets"
STSS = "/apis/apps/v1/namespaces/{ns}/statefulsets"
DSS = "/apis/apps/v1/namespaces/{ns}/daemonsets"
JOBS = "/apis/batch/v1/namespaces/{ns}/jobs"
CJS = "/apis/batch/v1/namespaces/{ns}/cronjobs"
ROLES = "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles"
CROLES = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
RBS = "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings"
CRBS = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"
LEASES = "/apis/coordination.k8s.io/v1/namespaces/{ns}/leases"


def obj(api: str, kind: str, name: str, **rest: Any) -> dict[str, Any]:
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name}, **rest}


def pod(containers: list[dict[str, Any]], name: str = "p", **spec: Any) -> dict[str, Any]:
    return obj("v1", "Pod", name, spec={"containers": containers, **spec})


C = {"name": "c", "image": "nginx"}


def template(labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": "x"} if labels is None else labels},
        "spec": {"containers": [dict(C)], **spec},
    }


def workload(kind: str, name: str = "w", **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"selector": {"matchLabels": {"app": "x"}}, "template": template()}
    if kind == "StatefulSet":
        body["serviceName"] = "svc"
    body.update(spec)
    return obj("apps/v1", kind, name, spec=body)


def job(name: str = "j", **spec: Any) -> dict[str, Any]:
    body = {"template": template(restartPolicy="Never")}
    body["template"]["metadata"] = {}
    body.update(spec)
    return obj("batch/v1", "Job", name, spec=body)


def cronjob(name: str = "cj", **spec: Any) -> dict[str, Any]:
    jt = {"spec": {"template": {"spec": {"containers": [dict(C)], "restartPolicy": "Never"}}}}
    body = {"schedule": "*/5 * * * *", "jobTemplate": jt}
    body.update(spec)
    return obj("batch/v1", "CronJob", name, spec=body)


def svc(name: str = "s", **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"selector": {"app": "x"}, "ports": [{"port": 80}]}
    body.update(spec)
    return obj("v1", "Service", name, spec=body)


def with_meta(o: dict[str, Any], **meta: Any) -> dict[str, Any]:
    out = copy.deepcopy(o)
    out["metadata"].update(meta)
    return out


def changed(o: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(o)
    *head, last = path.split(".")
    cur = out
    for key in head:
        cur = cur[int(key)] if isinstance(cur, list) else cur.setdefault(key, {})
    if isinstance(cur, list):
        cur[int(last)] = value
    else:
        cur[last] = value
    return out


RULE = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}
REF = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"}
SUBJ = {"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}
BASE_DEPLOY = workload("Deployment", "d")
BASE_RS = workload("ReplicaSet", "rs")
BASE_STS = workload("StatefulSet", "sts")

CASES: dict[str, list[Step]] = {
    # --- Pod ---------------------------------------------------------------------------------
    "pod: no containers": [("POST", PODS, pod([]))],
    "pod: containers missing": [("POST", PODS, obj("v1", "Pod", "p", spec={}))],
    "pod: bad name, empty image": [("POST", PODS, pod([{"name": "Bad_Name", "image": ""}]))],
    "pod: missing name and image": [("POST", PODS, pod([{}]))],
    "pod: duplicate container names": [("POST", PODS, pod([dict(C), dict(C)]))],
    "pod: init container name clash": [
        ("POST", PODS, pod([dict(C)], initContainers=[dict(C)])),
    ],
    "pod: bad ports": [
        (
            "POST",
            PODS,
            pod(
                [
                    {
                        **C,
                        "ports": [
                            {"containerPort": 0},
                            {"containerPort": 70000, "name": "http"},
                            {"containerPort": 80, "name": "http"},
                            {"containerPort": 81, "name": "Bad_Port"},
                            {"containerPort": 82, "name": "a-very-long-port-name"},
                            {"containerPort": 83, "protocol": "XTP"},
                            {"containerPort": 84, "hostPort": 99999},
                        ],
                    }
                ]
            ),
        )
    ],
    "pod: bad restartPolicy and dnsPolicy": [
        ("POST", PODS, pod([dict(C)], restartPolicy="Sometimes", dnsPolicy="Bogus")),
    ],
    "pod: bad imagePullPolicy": [("POST", PODS, pod([{**C, "imagePullPolicy": "Maybe"}]))],
    "pod: bad env names": [
        (
            "POST",
            PODS,
            pod([{**C, "env": [{"name": ""}, {"name": "A=B", "value": "1"}, {"name": "OK"}]}]),
        )
    ],
    "pod: bad volumes": [
        (
            "POST",
            PODS,
            pod(
                [{**C, "volumeMounts": [{"name": "missing", "mountPath": "/x"}, {"name": "v"}]}],
                volumes=[{"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}],
            ),
        )
    ],
    "pod: negative grace period and deadline": [
        (
            "POST",
            PODS,
            pod([dict(C)], terminationGracePeriodSeconds=-5, activeDeadlineSeconds=0),
        )
    ],
    "pod: bad label key, label value and annotation": [
        ("POST", PODS, with_meta(pod([dict(C)]), labels={"bad key": "v"})),
        ("POST", PODS, with_meta(pod([dict(C)]), labels={"ok": "bad value!"})),
        ("POST", PODS, with_meta(pod([dict(C)]), labels={"a/b/c": "x"})),
        ("POST", PODS, with_meta(pod([dict(C)]), labels={"x" * 64: "x"})),
        ("POST", PODS, with_meta(pod([dict(C)]), labels={"x": "x" * 64})),
        ("POST", PODS, with_meta(pod([dict(C)]), labels={"Bad_Prefix/x": "x"})),
        ("POST", PODS, with_meta(pod([dict(C)]), annotations={"Bad Key": "v"})),
    ],
    "pod: bad metadata and spec together": [
        ("POST", PODS, with_meta(pod([]), labels={"k": "-bad-"})),
    ],
    "pod: bad nodeSelector and serviceAccountName": [
        (
            "POST",
            PODS,
            pod([dict(C)], nodeSelector={"bad key": "v"}, serviceAccountName="Bad_SA"),
        )
    ],
    "pod: update changes image and adds a container": [
        ("POST", PODS, pod([dict(C)])),
        ("PUT", PODS + "/p", pod([{**C, "image": "busybox"}])),
        ("PUT", PODS + "/p", pod([dict(C), {"name": "d", "image": "x"}])),
        ("PATCH", PODS + "/p", {"spec": {"activeDeadlineSeconds": 30}}),
        ("PATCH", PODS + "/p", {"spec": {"activeDeadlineSeconds": 0}}),
    ],
    # --- apps ---------------------------------------------------------------------------------
    "deployment: selector does not match template": [
        ("POST", DEPLOYS, workload("Deployment", template=template({"app": "y"}))),
    ],
    "deployment: missing selector": [
        ("POST", DEPLOYS, workload("Deployment", selector=None)),
    ],
    "deployment: empty selector": [
        ("POST", DEPLOYS, workload("Deployment", selector={})),
    ],
    "deployment: negative replicas and bad template": [
        (
            "POST",
            DEPLOYS,
            workload(
                "Deployment",
                replicas=-1,
                template=template(containers=[]),
                minReadySeconds=-1,
                revisionHistoryLimit=-2,
            ),
        ),
    ],
    "deployment: bad strategy": [
        ("POST", DEPLOYS, workload("Deployment", strategy={"type": "Sideways"})),
        (
            "POST",
            DEPLOYS,
            workload(
                "Deployment",
                name="w2",
                strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": 1}},
            ),
        ),
        (
            "POST",
            DEPLOYS,
            workload(
                "Deployment",
                name="w3",
                strategy={"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}},
            ),
        ),
    ],
    "deployment: template restartPolicy Never": [
        ("POST", DEPLOYS, workload("Deployment", template=template(restartPolicy="Never"))),
    ],
    "deployment: bad selector expression": [
        (
            "POST",
            DEPLOYS,
            workload(
                "Deployment",
                selector={
                    "matchLabels": {"app": "x"},
                    "matchExpressions": [{"key": "k", "operator": "Near", "values": ["a"]}],
                },
            ),
        ),
    ],
    "deployment: selector is immutable": [
        ("POST", DEPLOYS, BASE_DEPLOY),
        (
            "PUT",
            DEPLOYS + "/d",
            workload(
                "Deployment",
                "d",
                selector={"matchLabels": {"app": "x", "b": "c"}},
                template=template({"app": "x", "b": "c"}),
            ),
        ),
    ],
    "replicaset: mismatch, negative replicas, immutable selector": [
        ("POST", RSS, workload("ReplicaSet", template=template({"app": "y"}), replicas=-3)),
        ("POST", RSS, BASE_RS),
        (
            "PUT",
            RSS + "/rs",
            workload(
                "ReplicaSet",
                "rs",
                selector={"matchLabels": {"app": "z"}},
                template=template({"app": "z"}),
            ),
        ),
    ],
    "statefulset: mismatch, bad policy, immutable selector": [
        (
            "POST",
            STSS,
            workload(
                "StatefulSet",
                template=template({"app": "y"}),
                podManagementPolicy="Random",
                updateStrategy={"type": "Bogus"},
            ),
        ),
        ("POST", STSS, BASE_STS),
        (
            "PUT",
            STSS + "/sts",
            workload(
                "StatefulSet",
                "sts",
                selector={"matchLabels": {"app": "z"}},
                template=template({"app": "z"}),
            ),
        ),
    ],
    "apps: names with dots": [
        ("POST", STSS, workload("StatefulSet", "a.b")),
        ("POST", DEPLOYS, workload("Deployment", "a.b")),
        ("POST", SVCS, svc(name="a.b")),
        ("POST", SVCS, svc(name="1abc")),
    ],
    "statefulset: missing serviceName is fine, missing selector is not": [
        ("POST", STSS, workload("StatefulSet", serviceName=None, selector=None)),
    ],
    "daemonset: mismatch and bad strategy": [
        (
            "POST",
            DSS,
            workload(
                "DaemonSet", template=template({"app": "y"}), updateStrategy={"type": "Bogus"}
            ),
        ),
        ("POST", DSS, workload("DaemonSet", name="w2", selector=None)),
    ],
    # --- batch --------------------------------------------------------------------------------
    "job: template restartPolicy Always": [
        ("POST", JOBS, job(template=template({}, restartPolicy="Always"))),
    ],
    "job: no template containers, negative counts": [
        (
            "POST",
            JOBS,
            job(
                template={"spec": {"containers": [], "restartPolicy": "Never"}},
                parallelism=-1,
                completions=-1,
                backoffLimit=-1,
                activeDeadlineSeconds=0,
            ),
        ),
    ],
    "job: completions are immutable, activeDeadlineSeconds is not": [
        ("POST", JOBS, job()),
        (
            "PATCH",
            JOBS + "/j",
            {"spec": {"activeDeadlineSeconds": 5}},
        ),
        ("PATCH", JOBS + "/j", {"spec": {"completions": 3, "parallelism": -2}}),
    ],
    "cronjob: bad schedule and policies": [
        ("POST", CJS, cronjob(schedule="not a schedule")),
        ("POST", CJS, cronjob(name="c2", schedule="")),
        ("POST", CJS, cronjob(name="c3", concurrencyPolicy="Sometimes")),
        ("POST", CJS, cronjob(name="c4", successfulJobsHistoryLimit=-1)),
        ("POST", CJS, cronjob(name="c5", schedule="61 * * * *")),
        ("POST", CJS, cronjob(name="c6", timeZone="Mars/Olympus")),
    ],
    "cronjob: bad job template": [
        ("POST", CJS, cronjob(jobTemplate={"spec": {"template": {"spec": {"containers": []}}}})),
    ],
    # --- Service ------------------------------------------------------------------------------
    "service: no ports": [("POST", SVCS, svc(ports=[]))],
    "service: bad ports": [
        (
            "POST",
            SVCS,
            svc(
                ports=[
                    {"port": 0, "name": "a"},
                    {"port": 70000, "name": "a"},
                    {"port": 80, "name": "Bad_Name"},
                    {"port": 81, "protocol": "XTP", "name": "d"},
                    {"port": 82, "name": "e", "targetPort": 0},
                    {"port": 83, "name": "f", "targetPort": "Bad_Port"},
                ]
            ),
        )
    ],
    "service: two unnamed ports": [("POST", SVCS, svc(ports=[{"port": 80}, {"port": 81}]))],
    "service: duplicate port": [
        (
            "POST",
            SVCS,
            svc(ports=[{"port": 80, "name": "a"}, {"port": 80, "name": "b"}]),
        )
    ],
    "service: bad type and affinity": [
        ("POST", SVCS, svc(type="Bogus")),
        ("POST", SVCS, svc(name="s2", sessionAffinity="Sticky")),
        ("POST", SVCS, svc(name="s3", type="ExternalName")),
        ("POST", SVCS, svc(name="s4", selector={"bad key": "x"})),
    ],
    "service: clusterIP is immutable": [
        ("POST", SVCS, svc(clusterIP="10.0.0.123")),
        ("PUT", SVCS + "/s", svc(clusterIP="10.0.0.124")),
    ],
    "service: bad clusterIP": [("POST", SVCS, svc(clusterIP="not-an-ip"))],
    "service: names are RFC 1123 labels": [
        ("POST", SVCS, svc(name="1abc")),
        ("POST", SVCS, svc(name="Bad_Svc")),
        ("POST", SVCS, svc(name="x" * 64)),
    ],
    # --- ConfigMap / Secret ------------------------------------------------------------------
    "configmap: bad keys": [
        ("POST", CMS, obj("v1", "ConfigMap", "cm", data={"bad key": "1", "ok": "2"})),
        ("POST", CMS, obj("v1", "ConfigMap", "cm", data={"..": "1"})),
        ("POST", CMS, obj("v1", "ConfigMap", "cm", data={"..a": "1"})),
        ("POST", CMS, obj("v1", "ConfigMap", "cm", data={"k": "1"}, binaryData={"k": "YQ=="})),
        ("POST", CMS, obj("v1", "ConfigMap", "cm", binaryData={"b/c": "YQ=="})),
    ],
    "configmap: immutable data": [
        ("POST", CMS, obj("v1", "ConfigMap", "cm", data={"a": "1"}, immutable=True)),
        ("PUT", CMS + "/cm", obj("v1", "ConfigMap", "cm", data={"a": "2"}, immutable=True)),
        ("PUT", CMS + "/cm", obj("v1", "ConfigMap", "cm", data={"a": "1"}, immutable=False)),
    ],
    "secret: bad keys": [
        ("POST", SECRETS, obj("v1", "Secret", "s", data={"bad key": "YQ==", "ok": "YQ=="})),
        ("POST", SECRETS, obj("v1", "Secret", "s", stringData={"a:b": "x"})),
    ],
    "secret: type-specific keys": [
        ("POST", SECRETS, obj("v1", "Secret", "tls", type="kubernetes.io/tls", data={})),
        (
            "POST",
            SECRETS,
            obj("v1", "Secret", "dc", type="kubernetes.io/dockerconfigjson", data={}),
        ),
        (
            "POST",
            SECRETS,
            obj(
                "v1",
                "Secret",
                "dc3",
                type="kubernetes.io/dockerconfigjson",
                data={".dockerconfigjson": "W10="},
            ),
        ),
        ("POST", SECRETS, obj("v1", "Secret", "ba", type="kubernetes.io/basic-auth", data={})),
        ("POST", SECRETS, obj("v1", "Secret", "ssh", type="kubernetes.io/ssh-auth", data={})),
        (
            "POST",
            SECRETS,
            obj("v1", "Secret", "sa", type="kubernetes.io/service-account-token", data={}),
        ),
        ("POST", SECRETS, obj("v1", "Secret", "dcfg", type="kubernetes.io/dockercfg", data={})),
    ],
    "secret: type and immutable data": [
        ("POST", SECRETS, obj("v1", "Secret", "s", data={"a": "YQ=="}, immutable=True)),
        ("PUT", SECRETS + "/s", obj("v1", "Secret", "s", data={"a": "Yg=="}, immutable=True)),
        ("POST", SECRETS, obj("v1", "Secret", "t", data={"a": "YQ=="})),
        ("PUT", SECRETS + "/t", obj("v1", "Secret", "t", type="Other", data={"a": "YQ=="})),
    ],
    # --- Namespace / ServiceAccount ----------------------------------------------------------
    "namespace: bad names": [
        ("POST", NSS, obj("v1", "Namespace", "Bad_NS")),
        ("POST", NSS, obj("v1", "Namespace", "a.b")),
        ("POST", NSS, with_meta(obj("v1", "Namespace", "okns-{ns}"), labels={"x": "-"})),
    ],
    "serviceaccount: bad name and secrets": [
        ("POST", SAS, obj("v1", "ServiceAccount", "Bad_SA")),
        (
            "POST",
            SAS,
            with_meta(obj("v1", "ServiceAccount", "sa"), annotations={"a/b/c": "x"}),
        ),
    ],
    # --- RBAC ---------------------------------------------------------------------------------
    "role: rules missing verbs and groups": [
        ("POST", ROLES, obj("rbac.authorization.k8s.io/v1", "Role", "r", rules=[{}])),
        (
            "POST",
            ROLES,
            obj(
                "rbac.authorization.k8s.io/v1",
                "Role",
                "r2",
                rules=[
                    {"verbs": ["get"], "resources": ["pods"]},
                    {"verbs": ["get"], "nonResourceURLs": ["/x"]},
                ],
            ),
        ),
    ],
    "clusterrole: rules": [
        ("POST", CROLES, obj("rbac.authorization.k8s.io/v1", "ClusterRole", "cr-{ns}", rules=[{}])),
        (
            "POST",
            CROLES,
            obj(
                "rbac.authorization.k8s.io/v1",
                "ClusterRole",
                "cr2-{ns}",
                rules=[{"verbs": ["get"], "nonResourceURLs": ["/x"], "resources": ["pods"]}],
            ),
        ),
    ],
    "rolebinding: roleRef and subjects": [
        ("POST", RBS, obj("rbac.authorization.k8s.io/v1", "RoleBinding", "rb", roleRef={})),
        (
            "POST",
            RBS,
            obj(
                "rbac.authorization.k8s.io/v1",
                "RoleBinding",
                "rb2",
                roleRef={"apiGroup": "bogus", "kind": "Pod", "name": "r"},
                subjects=[
                    {"kind": "Robot", "name": "x"},
                    {"kind": "User"},
                    {"kind": "ServiceAccount", "name": "sa"},
                ],
            ),
        ),
        (
            "POST",
            RBS,
            obj("rbac.authorization.k8s.io/v1", "RoleBinding", "rb3", roleRef=REF, subjects=[SUBJ]),
        ),
        (
            "PUT",
            RBS + "/rb3",
            obj(
                "rbac.authorization.k8s.io/v1",
                "RoleBinding",
                "rb3",
                roleRef={**REF, "name": "other"},
                subjects=[SUBJ],
            ),
        ),
    ],
    "clusterrolebinding: roleRef kind": [
        (
            "POST",
            CRBS,
            obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "crb-{ns}", roleRef=REF),
        ),
        (
            "POST",
            CRBS,
            obj(
                "rbac.authorization.k8s.io/v1",
                "ClusterRoleBinding",
                "crb2-{ns}",
                roleRef={**REF, "kind": "ClusterRole"},
                subjects=[{"kind": "ServiceAccount", "name": "sa"}],
            ),
        ),
    ],
    # --- Lease --------------------------------------------------------------------------------
    "lease: bad fields": [
        (
            "POST",
            LEASES,
            obj(
                "coordination.k8s.io/v1",
                "Lease",
                "l",
                spec={"leaseDurationSeconds": 0, "leaseTransitions": -1},
            ),
        ),
        (
            "POST",
            LEASES,
            obj(
                "coordination.k8s.io/v1",
                "Lease",
                "l2",
                spec={"holderIdentity": "", "strategy": "Bogus"},
            ),
        ),
    ],
    "role: verbs errors come after all other rule errors": [
        (
            "POST",
            ROLES,
            obj(
                "rbac.authorization.k8s.io/v1",
                "Role",
                "r",
                rules=[{}, {"verbs": ["get"], "nonResourceURLs": ["/x"]}, {}],
            ),
        )
    ],
    "configmap: bad label on update": [
        ("POST", CMS, obj("v1", "ConfigMap", "cm", data={"a": "1"})),
        (
            "PUT",
            CMS + "/cm",
            with_meta(obj("v1", "ConfigMap", "cm", data={"a": "1"}), labels={"k": "-"}),
        ),
    ],
    "pod: bad label on patch": [
        ("POST", PODS, pod([dict(C)])),
        ("PATCH", PODS + "/p", {"metadata": {"labels": {"k": "-"}}}),
    ],
    "deployment: bad label on patch": [
        ("POST", DEPLOYS, BASE_DEPLOY),
        ("PATCH", DEPLOYS + "/d", {"metadata": {"labels": {"k": "-"}}}),
    ],
    "service: bad label on patch": [
        ("POST", SVCS, svc()),
        ("PATCH", SVCS + "/s", {"metadata": {"labels": {"k": "-"}}}),
    ],
    "role: bad label on patch": [
        ("POST", ROLES, obj("rbac.authorization.k8s.io/v1", "Role", "r", rules=[RULE])),
        ("PATCH", ROLES + "/r", {"metadata": {"labels": {"k": "-"}}}),
    ],
    "statefulset: bad container, negative replicas": [
        (
            "POST",
            STSS,
            workload(
                "StatefulSet", template=template(containers=[{"name": "Bad_Name"}]), replicas=-1
            ),
        )
    ],
    "deployment: bad template label": [
        ("POST", DEPLOYS, workload("Deployment", template=template({"app": "x", "k": "-"})))
    ],
    "pod: volume mount without name, repeated mountPath": [
        (
            "POST",
            PODS,
            pod(
                [
                    {
                        **C,
                        "volumeMounts": [
                            {"name": "", "mountPath": "/x"},
                            {"name": "v", "mountPath": "/x"},
                        ],
                    }
                ],
                volumes=[{"name": "v", "emptyDir": {}}],
            ),
        )
    ],
    "pod: bad terminationMessagePolicy": [
        ("POST", PODS, pod([{**C, "terminationMessagePolicy": "X"}]))
    ],
    "pod: bad container names repeated, bad port name": [
        (
            "POST",
            PODS,
            pod(
                [
                    {
                        "name": "Bad_Name",
                        "image": "x",
                        "ports": [{"containerPort": 1, "name": "a--b"}],
                    },
                    {"name": "Bad_Name", "image": "y"},
                ]
            ),
        )
    ],
    "cronjob: name too long": [("POST", CJS, cronjob(name="a" * 53))],
    "cronjob: schedules robfig/cron refuses": [
        ("POST", CJS, cronjob(name=f"c{i}", schedule=s))
        for i, s in enumerate(
            [
                "* * * * * *",
                "*/0 * * * *",
                "5-1 * * * *",
                "x * * * *",
                "@every 5m",
                "@bogus",
                "1-2-3 * * * *",
                "1/2/3 * * * *",
                "* * * * 7",
                "TZ=UTC * * * * *",
            ]
        )
    ],
    "deployment: progressDeadlineSeconds not above minReadySeconds": [
        ("POST", DEPLOYS, workload("Deployment", progressDeadlineSeconds=5, minReadySeconds=10))
    ],
    "deployment: bad maxSurge and maxUnavailable": [
        (
            "POST",
            DEPLOYS,
            workload(
                "Deployment", strategy={"rollingUpdate": {"maxUnavailable": "150%", "maxSurge": -1}}
            ),
        )
    ],
    "service: nodePort on a ClusterIP service": [
        ("POST", SVCS, svc(ports=[{"port": 80, "nodePort": 30001}]))
    ],
    "namespace: a name that is no label value either": [
        ("POST", NSS, obj("v1", "Namespace", "-bad"))
    ],
    "secret: dockerconfigjson that is no object": [
        (
            "POST",
            SECRETS,
            obj(
                "v1",
                "Secret",
                "dc3",
                type="kubernetes.io/dockerconfigjson",
                data={".dockerconfigjson": "W10="},
            ),
        )
    ],
    "job: bad template label becomes a bad job label": [
        ("POST", JOBS, job(template=template({"bad key": "x"}, restartPolicy="Never")))
    ],
}
