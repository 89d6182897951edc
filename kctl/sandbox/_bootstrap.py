"""Objects kube-apiserver makes for itself at start, present in every sandbox seed.

A freshly started apiserver (no controllers yet) already holds its APIService per served
group-version, the two system PriorityClasses, the API Priority and Fairness configuration
and the RBAC bootstrap policy (pkg/registry/rbac/rest.PolicyData, from
plugin/pkg/auth/authorizer/rbac/bootstrappolicy). The RBAC rules here are the real ones for
cluster-admin and the aggregated admin/edit/view roles; the other system roles carry their
names and labels. APIService priorities are recorded from the real server (``_recorded``);
the other names, priorities and precedences are still written here, as of 1.35.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from kctl.sandbox._catalog import Catalog
from kctl.sandbox._objects import format_time

__all__ = ["apiserver_objects"]

Obj = dict[str, Any]

_RBAC = "rbac.authorization.k8s.io/v1"
_BOOTSTRAP_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
_AUTOUPDATE = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
_RW = ["create", "delete", "deletecollection", "patch", "update"]
_RO = ["get", "list", "watch"]


def _rule(groups: list[str], resources: str, verbs: list[str]) -> Obj:
    return {"apiGroups": groups, "resources": resources.split(), "verbs": verbs}


# bootstrappolicy's system:aggregate-to-{view,edit,admin}: admin/edit/view aggregate them.
_AGGREGATE_TO: dict[str, list[Obj]] = {
    "view": [
        _rule(
            [""],
            "configmaps endpoints persistentvolumeclaims persistentvolumeclaims/status pods "
            "replicationcontrollers replicationcontrollers/scale serviceaccounts services "
            "services/status",
            _RO,
        ),
        _rule(
            [""],
            "bindings events limitranges namespaces/status pods/log pods/status "
            "replicationcontrollers/status resourcequotas resourcequotas/status",
            _RO,
        ),
        _rule([""], "namespaces", _RO),
        _rule(["discovery.k8s.io"], "endpointslices", _RO),
        _rule(
            ["apps"],
            "controllerrevisions daemonsets daemonsets/status deployments deployments/scale "
            "deployments/status replicasets replicasets/scale replicasets/status statefulsets "
            "statefulsets/scale statefulsets/status",
            _RO,
        ),
        _rule(["autoscaling"], "horizontalpodautoscalers horizontalpodautoscalers/status", _RO),
        _rule(["batch"], "cronjobs cronjobs/status jobs jobs/status", _RO),
        _rule(
            ["extensions"],
            "daemonsets daemonsets/status deployments deployments/scale deployments/status "
            "ingresses ingresses/status networkpolicies replicasets replicasets/scale "
            "replicasets/status replicationcontrollers/scale",
            _RO,
        ),
        _rule(["policy"], "poddisruptionbudgets poddisruptionbudgets/status", _RO),
        _rule(["networking.k8s.io"], "ingresses ingresses/status networkpolicies", _RO),
    ],
    "edit": [
        _rule(
            [""], "pods/attach pods/exec pods/portforward pods/proxy secrets services/proxy", _RO
        ),
        _rule([""], "serviceaccounts", ["impersonate"]),
        _rule([""], "pods pods/attach pods/exec pods/portforward pods/proxy", _RW),
        _rule([""], "pods/eviction", ["create"]),
        _rule(
            [""],
            "configmaps events persistentvolumeclaims replicationcontrollers "
            "replicationcontrollers/scale secrets serviceaccounts services services/proxy",
            _RW,
        ),
        _rule([""], "serviceaccounts/token", ["create"]),
        _rule(
            ["apps"],
            "daemonsets deployments deployments/rollback deployments/scale replicasets "
            "replicasets/scale statefulsets statefulsets/scale",
            _RW,
        ),
        _rule(["autoscaling"], "horizontalpodautoscalers", _RW),
        _rule(["batch"], "cronjobs jobs", _RW),
        _rule(
            ["extensions"],
            "daemonsets deployments deployments/rollback deployments/scale ingresses "
            "networkpolicies replicasets replicasets/scale replicationcontrollers/scale",
            _RW,
        ),
        _rule(["policy"], "poddisruptionbudgets", _RW),
        _rule(["networking.k8s.io"], "ingresses networkpolicies", _RW),
        _rule(["coordination.k8s.io"], "leases", [*_RW[:3], "get", "list", *_RW[3:], "watch"]),
    ],
    "admin": [
        _rule(["authorization.k8s.io"], "localsubjectaccessreviews", ["create"]),
        _rule(
            ["rbac.authorization.k8s.io"],
            "rolebindings roles",
            ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        ),
    ],
}

_SYSTEM_CLUSTER_ROLES = (
    "system:auth-delegator",
    "system:basic-user",
    "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
    "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    "system:certificates.k8s.io:kube-apiserver-client-approver",
    "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
    "system:certificates.k8s.io:kubelet-serving-approver",
    "system:certificates.k8s.io:legacy-unknown-approver",
    "system:cluster-trust-bundle-discovery",
    "system:discovery",
    "system:heapster",
    "system:kube-aggregator",
    "system:kube-controller-manager",
    "system:kube-dns",
    "system:kube-scheduler",
    "system:kubelet-api-admin",
    "system:monitoring",
    "system:node",
    "system:node-bootstrapper",
    "system:node-problem-detector",
    "system:node-proxier",
    "system:persistent-volume-provisioner",
    "system:public-info-viewer",
    "system:service-account-issuer-discovery",
    "system:volume-scheduler",
)
# The system roles every user relies on, with their real rules (sorted, as the bootstrap
# policy's rule builder leaves them).
_PUBLIC_URLS = ["/healthz", "/livez", "/readyz", "/version", "/version/"]
_SYSTEM_RULES: dict[str, Obj] = {
    "system:basic-user": {
        "rules": [
            {
                "apiGroups": ["authorization.k8s.io"],
                "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                "verbs": ["create"],
            },
            {
                "apiGroups": ["authentication.k8s.io"],
                "resources": ["selfsubjectreviews"],
                "verbs": ["create"],
            },
        ]
    },
    "system:discovery": {
        "rules": [
            {
                "nonResourceURLs": sorted(
                    ["/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", *_PUBLIC_URLS]
                ),
                "verbs": ["get"],
            }
        ]
    },
    "system:public-info-viewer": {"rules": [{"nonResourceURLs": _PUBLIC_URLS, "verbs": ["get"]}]},
    # Every service account's: `auth can-i --list` as one shows them.
    "system:service-account-issuer-discovery": {
        "rules": [
            {
                "nonResourceURLs": [
                    "/.well-known/openid-configuration",
                    "/.well-known/openid-configuration/",
                    "/openid/v1/jwks",
                    "/openid/v1/jwks/",
                ],
                "verbs": ["get"],
            }
        ]
    },
    # The ClusterTrustBundle feature is on by default in 1.37.
    "system:cluster-trust-bundle-discovery": {
        "rules": [
            {
                "apiGroups": ["certificates.k8s.io"],
                "resources": ["clustertrustbundles"],
                "verbs": ["get", "list", "watch"],
            }
        ]
    },
}
_CONTROLLERS = (
    "attachdetach-controller",
    "certificate-controller",
    "clusterrole-aggregation-controller",
    "cronjob-controller",
    "daemon-set-controller",
    "deployment-controller",
    "disruption-controller",
    "endpoint-controller",
    "endpointslice-controller",
    "endpointslicemirroring-controller",
    "ephemeral-volume-controller",
    "expand-controller",
    "generic-garbage-collector",
    "horizontal-pod-autoscaler",
    "job-controller",
    "legacy-service-account-token-cleaner",
    "namespace-controller",
    "node-controller",
    "persistent-volume-binder",
    "pod-garbage-collector",
    "pv-protection-controller",
    "pvc-protection-controller",
    "replicaset-controller",
    "replication-controller",
    "resourcequota-controller",
    "root-ca-cert-publisher",
    "route-controller",
    "service-account-controller",
    "service-controller",
    "statefulset-controller",
    "ttl-after-finished-controller",
    "ttl-controller",
    "validatingadmissionpolicy-status-controller",
)
# ClusterRoleBindings other than the system:controller:* ones: name -> subjects.
_BINDINGS: dict[str, list[Obj]] = {
    "cluster-admin": [{"kind": "Group", "name": "system:masters"}],
    "system:basic-user": [{"kind": "Group", "name": "system:authenticated"}],
    "system:cluster-trust-bundle-discovery": [{"kind": "Group", "name": "system:serviceaccounts"}],
    "system:discovery": [{"kind": "Group", "name": "system:authenticated"}],
    "system:kube-controller-manager": [{"kind": "User", "name": "system:kube-controller-manager"}],
    "system:kube-dns": [{"kind": "ServiceAccount", "name": "kube-dns", "namespace": "kube-system"}],
    "system:kube-scheduler": [{"kind": "User", "name": "system:kube-scheduler"}],
    "system:monitoring": [{"kind": "Group", "name": "system:monitoring"}],
    "system:node": [],
    "system:node-proxier": [{"kind": "User", "name": "system:kube-proxy"}],
    "system:public-info-viewer": [
        {"kind": "Group", "name": "system:authenticated"},
        {"kind": "Group", "name": "system:unauthenticated"},
    ],
    "system:service-account-issuer-discovery": [
        {"kind": "Group", "name": "system:serviceaccounts"}
    ],
    "system:volume-scheduler": [{"kind": "User", "name": "system:kube-scheduler"}],
}

# API Priority and Fairness: (name, matchingPrecedence, priority level, distinguisher).
_FLOW_SCHEMAS = (
    ("exempt", 1, "exempt", None),
    ("probes", 2, "exempt", None),
    ("system-leader-election", 100, "leader-election", "ByUser"),
    ("endpoint-controller", 150, "workload-high", "ByUser"),
    ("workload-leader-election", 200, "leader-election", "ByUser"),
    ("system-node-high", 400, "node-high", "ByUser"),
    ("system-nodes", 500, "system", "ByUser"),
    ("kube-controller-manager", 800, "workload-high", "ByNamespace"),
    ("kube-scheduler", 800, "workload-high", "ByNamespace"),
    ("kube-system-service-accounts", 900, "workload-high", "ByNamespace"),
    ("service-accounts", 9000, "workload-low", "ByUser"),
    ("global-default", 9900, "global-default", "ByUser"),
    ("catch-all", 10000, "catch-all", "ByUser"),
)
# (name, nominalConcurrencyShares, lendablePercent, queues, handSize, queueLengthLimit).
_PRIORITY_LEVELS = (
    ("system", 30, 33, 64, 6, 50),
    ("node-high", 40, 25, 64, 6, 50),
    ("leader-election", 10, 0, 16, 4, 50),
    ("workload-high", 40, 50, 128, 6, 50),
    ("workload-low", 100, 90, 128, 6, 50),
    ("global-default", 20, 50, 128, 6, 50),
)


class _Maker:
    def __init__(self, created: datetime) -> None:
        self.created = format_time(created)
        self.objects: list[Obj] = []

    def add(self, api_version: str, kind: str, name: str, **body: Any) -> Obj:
        meta: Obj = {"name": name, "uid": str(uuid.uuid4()), "creationTimestamp": self.created}
        meta.update(body.pop("metadata", {}))
        obj: Obj = {"apiVersion": api_version, "kind": kind, "metadata": meta, **body}
        self.objects.append(obj)
        return obj


def _api_services(m: _Maker, catalog: Catalog) -> None:
    from kctl.sandbox import _catalog

    crd_versions = {(rt.group, rt.version) for rt in catalog.resources() if rt.is_crd}
    for group in catalog.groups():
        for version in catalog.versions(group):
            if (group, version) in crd_versions:
                continue
            spec: Obj = {"group": group} if group else {}
            spec["version"] = version
            spec["groupPriorityMinimum"] = _catalog._GROUP_PRIORITY.get(group, 18000)
            spec["versionPriority"] = (
                _catalog._VERSION_PRIORITY.get((group, version), 15) if group else 1
            )
            m.add(
                "apiregistration.k8s.io/v1",
                "APIService",
                f"{version}.{group}",
                metadata={"labels": {"kube-aggregator.kubernetes.io/automanaged": "onstart"}},
                spec=spec,
                status={
                    "conditions": [
                        {
                            "type": "Available",
                            "status": "True",
                            "lastTransitionTime": m.created,
                            "reason": "Local",
                            "message": "Local APIServices are always available",
                        }
                    ]
                },
            )


def _priority_classes(m: _Maker) -> None:
    for name, value, text in (
        (
            "system-node-critical",
            2000001000,
            "Used for system critical pods that must not be moved from their current node.",
        ),
        (
            "system-cluster-critical",
            2000000000,
            "Used for system critical pods that must run in the cluster, but can be moved to "
            "another node if necessary.",
        ),
    ):
        m.add(
            "scheduling.k8s.io/v1",
            "PriorityClass",
            name,
            value=value,
            description=text,
            preemptionPolicy="PreemptLowerPriority",
        )


def _rbac(m: _Maker) -> None:
    meta = {"labels": _BOOTSTRAP_LABELS, "annotations": _AUTOUPDATE}
    m.add(
        _RBAC,
        "ClusterRole",
        "cluster-admin",
        metadata=meta,
        rules=[
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
            {"nonResourceURLs": ["*"], "verbs": ["*"]},
        ],
    )
    for role in ("admin", "edit", "view"):
        # What the clusterrole-aggregation controller writes: the rules of the selected roles
        # in name order (edit = system:aggregate-to-edit, then view; admin = edit, then
        # system:aggregate-to-admin).
        rules = {
            "view": _AGGREGATE_TO["view"],
            "edit": _AGGREGATE_TO["edit"] + _AGGREGATE_TO["view"],
            "admin": _AGGREGATE_TO["edit"] + _AGGREGATE_TO["view"] + _AGGREGATE_TO["admin"],
        }[role]
        labels = dict(_BOOTSTRAP_LABELS)
        if role == "edit":
            labels["rbac.authorization.k8s.io/aggregate-to-admin"] = "true"
        elif role == "view":
            labels["rbac.authorization.k8s.io/aggregate-to-edit"] = "true"
        m.add(
            _RBAC,
            "ClusterRole",
            role,
            metadata={"labels": labels, "annotations": _AUTOUPDATE},
            aggregationRule={
                "clusterRoleSelectors": [
                    {"matchLabels": {f"rbac.authorization.k8s.io/aggregate-to-{role}": "true"}}
                ]
            },
            rules=rules,
        )
    for src in _AGGREGATE_TO:
        labels = {**_BOOTSTRAP_LABELS, f"rbac.authorization.k8s.io/aggregate-to-{src}": "true"}
        m.add(
            _RBAC,
            "ClusterRole",
            f"system:aggregate-to-{src}",
            metadata={"labels": labels, "annotations": _AUTOUPDATE},
            rules=_AGGREGATE_TO[src],
        )
    for name in _SYSTEM_CLUSTER_ROLES:
        m.add(_RBAC, "ClusterRole", name, metadata=meta, **_SYSTEM_RULES.get(name, {}))
    for controller in _CONTROLLERS:
        m.add(_RBAC, "ClusterRole", f"system:controller:{controller}", metadata=meta)
    for name, subjects in _BINDINGS.items():
        body: Obj = {
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": name,
            }
        }
        if subjects:
            body["subjects"] = [
                {**s, "apiGroup": "rbac.authorization.k8s.io"}
                if s["kind"] != "ServiceAccount"
                else s
                for s in subjects
            ]
        m.add(_RBAC, "ClusterRoleBinding", name, metadata=meta, **body)
    for controller in _CONTROLLERS:
        name = f"system:controller:{controller}"
        m.add(
            _RBAC,
            "ClusterRoleBinding",
            name,
            metadata=meta,
            roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
            subjects=[{"kind": "ServiceAccount", "name": controller, "namespace": "kube-system"}],
        )


def _flow_control(m: _Maker) -> None:
    api = "flowcontrol.apiserver.k8s.io/v1"
    meta = {"annotations": {"apf.kubernetes.io/autoupdate-spec": "true"}}
    m.add(
        api,
        "PriorityLevelConfiguration",
        "exempt",
        metadata=meta,
        spec={"type": "Exempt", "exempt": {"nominalConcurrencyShares": 0, "lendablePercent": 0}},
    )
    for name, shares, lendable, queues, hand, limit in _PRIORITY_LEVELS:
        m.add(
            api,
            "PriorityLevelConfiguration",
            name,
            metadata=meta,
            spec={
                "type": "Limited",
                "limited": {
                    "nominalConcurrencyShares": shares,
                    "lendablePercent": lendable,
                    "limitResponse": {
                        "type": "Queue",
                        "queuing": {"queues": queues, "handSize": hand, "queueLengthLimit": limit},
                    },
                },
            },
        )
    m.add(
        api,
        "PriorityLevelConfiguration",
        "catch-all",
        metadata=meta,
        spec={
            "type": "Limited",
            "limited": {
                "nominalConcurrencyShares": 5,
                "lendablePercent": 0,
                "limitResponse": {"type": "Reject"},
            },
        },
    )
    for name, precedence, level, distinguisher in _FLOW_SCHEMAS:
        spec: Obj = {
            "matchingPrecedence": precedence,
            "priorityLevelConfiguration": {"name": level},
        }
        if distinguisher:
            spec["distinguisherMethod"] = {"type": distinguisher}
        # The APF configuration controller marks every schema whose level exists.
        dangling = {
            "type": "Dangling",
            "status": "False",
            "lastTransitionTime": m.created,
            "reason": "Found",
            "message": f"This FlowSchema references the PriorityLevelConfiguration object "
            f'named "{level}" and it exists',
        }
        m.add(api, "FlowSchema", name, metadata=meta, spec=spec, status={"conditions": [dangling]})


def apiserver_objects(catalog: Catalog, created: datetime) -> list[Obj]:
    """The objects a kube-apiserver started at ``created`` made for itself."""
    m = _Maker(created)
    _api_services(m, catalog)
    _priority_classes(m)
    _rbac(m)
    _flow_control(m)
    return m.objects
