"""networking/v1 and rbac/v1 kinds: Ingress, IngressClass, NetworkPolicy, Role, bindings."""

from __future__ import annotations

from typing import TypedDict

from kctl.types.core_v1 import IntOrString, LoadBalancerStatus, _List, _Object
from kctl.types.meta_v1 import LabelSelector


class ServiceBackendPort(TypedDict, total=False):
    name: str
    number: int


class IngressServiceBackend(TypedDict, total=False):
    name: str
    port: ServiceBackendPort


class IngressBackend(TypedDict, total=False):
    service: IngressServiceBackend
    resource: dict[str, str]


class HTTPIngressPath(TypedDict, total=False):
    path: str
    pathType: str
    backend: IngressBackend


class HTTPIngressRuleValue(TypedDict, total=False):
    paths: list[HTTPIngressPath]


class IngressRule(TypedDict, total=False):
    host: str
    http: HTTPIngressRuleValue


class IngressTLS(TypedDict, total=False):
    hosts: list[str]
    secretName: str


class IngressSpec(TypedDict, total=False):
    ingressClassName: str
    defaultBackend: IngressBackend
    tls: list[IngressTLS]
    rules: list[IngressRule]


class IngressStatus(TypedDict, total=False):
    loadBalancer: LoadBalancerStatus


class Ingress(_Object, total=False):
    spec: IngressSpec
    status: IngressStatus


class IngressList(_List, total=False):
    items: list[Ingress]


class IngressClassSpec(TypedDict, total=False):
    controller: str
    parameters: dict[str, str]


class IngressClass(_Object, total=False):
    spec: IngressClassSpec


class IngressClassList(_List, total=False):
    items: list[IngressClass]


# "except" and "from" are Python keywords, hence the functional forms.
IPBlock = TypedDict("IPBlock", {"cidr": str, "except": list[str]}, total=False)


class NetworkPolicyPeer(TypedDict, total=False):
    podSelector: LabelSelector
    namespaceSelector: LabelSelector
    ipBlock: IPBlock


class NetworkPolicyPort(TypedDict, total=False):
    protocol: str
    port: IntOrString
    endPort: int


NetworkPolicyIngressRule = TypedDict(
    "NetworkPolicyIngressRule",
    {"ports": list[NetworkPolicyPort], "from": list[NetworkPolicyPeer]},
    total=False,
)


class NetworkPolicyEgressRule(TypedDict, total=False):
    ports: list[NetworkPolicyPort]
    to: list[NetworkPolicyPeer]


class NetworkPolicySpec(TypedDict, total=False):
    podSelector: LabelSelector
    ingress: list[NetworkPolicyIngressRule]
    egress: list[NetworkPolicyEgressRule]
    policyTypes: list[str]


class NetworkPolicy(_Object, total=False):
    spec: NetworkPolicySpec


class NetworkPolicyList(_List, total=False):
    items: list[NetworkPolicy]


class PolicyRule(TypedDict, total=False):
    verbs: list[str]
    apiGroups: list[str]
    resources: list[str]
    resourceNames: list[str]
    nonResourceURLs: list[str]


class AggregationRule(TypedDict, total=False):
    clusterRoleSelectors: list[LabelSelector]


class Role(_Object, total=False):
    rules: list[PolicyRule]


class RoleList(_List, total=False):
    items: list[Role]


class ClusterRole(_Object, total=False):
    rules: list[PolicyRule]
    aggregationRule: AggregationRule


class ClusterRoleList(_List, total=False):
    items: list[ClusterRole]


class Subject(TypedDict, total=False):
    kind: str
    apiGroup: str
    name: str
    namespace: str


class RoleRef(TypedDict, total=False):
    apiGroup: str
    kind: str
    name: str


class RoleBinding(_Object, total=False):
    subjects: list[Subject]
    roleRef: RoleRef


class RoleBindingList(_List, total=False):
    items: list[RoleBinding]


class ClusterRoleBinding(_Object, total=False):
    subjects: list[Subject]
    roleRef: RoleRef


class ClusterRoleBindingList(_List, total=False):
    items: list[ClusterRoleBinding]
