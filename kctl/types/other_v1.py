"""The remaining served kinds: Lease, storage, policy, autoscaling, discovery, events,
scheduling, apiextensions, admissionregistration, certificates and node.

Lease, PodDisruptionBudget, Scale, HorizontalPodAutoscaler, EndpointSlice, events/v1 Event,
PriorityClass, StorageClass and CustomResourceDefinition are spelled out; the rarer kinds keep
their spec as a plain mapping.
"""

from __future__ import annotations

from typing import Any, TypedDict

from kctl.types.core_v1 import IntOrString, ObjectReference, _List, _Object
from kctl.types.meta_v1 import Condition, LabelSelector

# -- coordination.k8s.io/v1 -----------------------------------------------------------------


class LeaseSpec(TypedDict, total=False):
    holderIdentity: str
    leaseDurationSeconds: int
    acquireTime: str
    renewTime: str
    leaseTransitions: int
    strategy: str
    preferredHolder: str


class Lease(_Object, total=False):
    spec: LeaseSpec


class LeaseList(_List, total=False):
    items: list[Lease]


# -- policy/v1 --------------------------------------------------------------------------------


class PodDisruptionBudgetSpec(TypedDict, total=False):
    minAvailable: IntOrString
    maxUnavailable: IntOrString
    selector: LabelSelector
    unhealthyPodEvictionPolicy: str


class PodDisruptionBudgetStatus(TypedDict, total=False):
    observedGeneration: int
    disruptedPods: dict[str, str]
    disruptionsAllowed: int
    currentHealthy: int
    desiredHealthy: int
    expectedPods: int
    conditions: list[Condition]


class PodDisruptionBudget(_Object, total=False):
    spec: PodDisruptionBudgetSpec
    status: PodDisruptionBudgetStatus


class PodDisruptionBudgetList(_List, total=False):
    items: list[PodDisruptionBudget]


class Eviction(_Object, total=False):
    deleteOptions: dict[str, Any]


# -- autoscaling ------------------------------------------------------------------------------


class ScaleSpec(TypedDict, total=False):
    replicas: int


class ScaleStatus(TypedDict, total=False):
    replicas: int
    selector: str


class Scale(_Object, total=False):
    """autoscaling/v1 Scale: the scale subresource of deployments, replicasets, ..."""

    spec: ScaleSpec
    status: ScaleStatus


class CrossVersionObjectReference(TypedDict, total=False):
    kind: str
    name: str
    apiVersion: str


class HorizontalPodAutoscalerSpec(TypedDict, total=False):
    scaleTargetRef: CrossVersionObjectReference
    minReplicas: int
    maxReplicas: int
    # autoscaling/v1
    targetCPUUtilizationPercentage: int
    # autoscaling/v2
    metrics: list[dict[str, Any]]
    behavior: dict[str, Any]


class HorizontalPodAutoscalerStatus(TypedDict, total=False):
    observedGeneration: int
    lastScaleTime: str
    currentReplicas: int
    desiredReplicas: int
    currentCPUUtilizationPercentage: int
    currentMetrics: list[dict[str, Any]]
    conditions: list[dict[str, Any]]


class HorizontalPodAutoscaler(_Object, total=False):
    spec: HorizontalPodAutoscalerSpec
    status: HorizontalPodAutoscalerStatus


class HorizontalPodAutoscalerList(_List, total=False):
    items: list[HorizontalPodAutoscaler]


# -- discovery.k8s.io/v1 ------------------------------------------------------------------


class EndpointConditions(TypedDict, total=False):
    ready: bool
    serving: bool
    terminating: bool


class Endpoint(TypedDict, total=False):
    addresses: list[str]
    conditions: EndpointConditions
    hostname: str
    targetRef: ObjectReference
    nodeName: str
    zone: str
    hints: dict[str, Any]


class EndpointSlicePort(TypedDict, total=False):
    name: str
    protocol: str
    port: int
    appProtocol: str


class EndpointSlice(_Object, total=False):
    addressType: str
    endpoints: list[Endpoint]
    ports: list[EndpointSlicePort]


class EndpointSliceList(_List, total=False):
    items: list[EndpointSlice]


# -- events.k8s.io/v1 ---------------------------------------------------------------------


class EventsV1Event(_Object, total=False):
    eventTime: str
    series: dict[str, Any]
    reportingController: str
    reportingInstance: str
    action: str
    reason: str
    regarding: ObjectReference
    related: ObjectReference
    note: str
    type: str
    deprecatedSource: dict[str, str]
    deprecatedFirstTimestamp: str
    deprecatedLastTimestamp: str
    deprecatedCount: int


class EventsV1EventList(_List, total=False):
    items: list[EventsV1Event]


# -- scheduling.k8s.io/v1 -----------------------------------------------------------------


class PriorityClass(_Object, total=False):
    value: int
    globalDefault: bool
    description: str
    preemptionPolicy: str


class PriorityClassList(_List, total=False):
    items: list[PriorityClass]


# -- storage.k8s.io/v1 --------------------------------------------------------------------


class StorageClass(_Object, total=False):
    provisioner: str
    parameters: dict[str, str]
    reclaimPolicy: str
    mountOptions: list[str]
    allowVolumeExpansion: bool
    volumeBindingMode: str
    allowedTopologies: list[dict[str, Any]]


class StorageClassList(_List, total=False):
    items: list[StorageClass]


class SpecObject(_Object, total=False):
    """A kind typed only down to its spec and status (the rarer ones)."""

    spec: dict[str, Any]
    status: dict[str, Any]


class SpecObjectList(_List, total=False):
    items: list[SpecObject]


class CSIStorageCapacity(_Object, total=False):
    nodeTopology: LabelSelector
    storageClassName: str
    capacity: str
    maximumVolumeSize: str


class CSIStorageCapacityList(_List, total=False):
    items: list[CSIStorageCapacity]


# -- apiextensions.k8s.io/v1 --------------------------------------------------------------


class CustomResourceDefinitionNames(TypedDict, total=False):
    plural: str
    singular: str
    shortNames: list[str]
    kind: str
    listKind: str
    categories: list[str]


class CustomResourceDefinitionVersion(TypedDict, total=False):
    name: str
    served: bool
    storage: bool
    deprecated: bool
    deprecationWarning: str
    schema: dict[str, Any]
    subresources: dict[str, Any]
    additionalPrinterColumns: list[dict[str, Any]]
    selectableFields: list[dict[str, str]]


class CustomResourceDefinitionSpec(TypedDict, total=False):
    group: str
    names: CustomResourceDefinitionNames
    scope: str
    versions: list[CustomResourceDefinitionVersion]
    conversion: dict[str, Any]
    preserveUnknownFields: bool


class CustomResourceDefinitionStatus(TypedDict, total=False):
    conditions: list[dict[str, Any]]
    acceptedNames: CustomResourceDefinitionNames
    storedVersions: list[str]


class CustomResourceDefinition(_Object, total=False):
    spec: CustomResourceDefinitionSpec
    status: CustomResourceDefinitionStatus


class CustomResourceDefinitionList(_List, total=False):
    items: list[CustomResourceDefinition]


# -- admissionregistration.k8s.io/v1 ------------------------------------------------------


class MutatingWebhookConfiguration(_Object, total=False):
    webhooks: list[dict[str, Any]]


class MutatingWebhookConfigurationList(_List, total=False):
    items: list[MutatingWebhookConfiguration]


class ValidatingWebhookConfiguration(_Object, total=False):
    webhooks: list[dict[str, Any]]


class ValidatingWebhookConfigurationList(_List, total=False):
    items: list[ValidatingWebhookConfiguration]


# -- certificates.k8s.io/v1 ---------------------------------------------------------------


class CertificateSigningRequestSpec(TypedDict, total=False):
    request: str
    signerName: str
    expirationSeconds: int
    usages: list[str]
    username: str
    uid: str
    groups: list[str]
    extra: dict[str, list[str]]


class CertificateSigningRequestStatus(TypedDict, total=False):
    conditions: list[dict[str, Any]]
    certificate: str


class CertificateSigningRequest(_Object, total=False):
    spec: CertificateSigningRequestSpec
    status: CertificateSigningRequestStatus


class CertificateSigningRequestList(_List, total=False):
    items: list[CertificateSigningRequest]


# -- node.k8s.io/v1 -----------------------------------------------------------------------


class RuntimeClass(_Object, total=False):
    handler: str
    overhead: dict[str, Any]
    scheduling: dict[str, Any]


class RuntimeClassList(_List, total=False):
    items: list[RuntimeClass]
