"""core/v1 kinds as TypedDicts over the decoded JSON (zero cost at run time)."""

from __future__ import annotations

from typing import Any, TypedDict

from kctl.types.meta_v1 import LabelSelector, ListMeta, ObjectMeta

# Quantities (cpu "100m", memory "1Gi") and IntOrString fields stay as the JSON has them.
Quantity = str
IntOrString = int | str


class _Object(TypedDict, total=False):
    apiVersion: str
    kind: str
    metadata: ObjectMeta


class _List(TypedDict, total=False):
    apiVersion: str
    kind: str
    metadata: ListMeta


class ObjectReference(TypedDict, total=False):
    kind: str
    namespace: str
    name: str
    uid: str
    apiVersion: str
    resourceVersion: str
    fieldPath: str


class LocalObjectReference(TypedDict, total=False):
    name: str


class KeyToPath(TypedDict, total=False):
    key: str
    path: str
    mode: int


class ConfigMapKeySelector(TypedDict, total=False):
    name: str
    key: str
    optional: bool


SecretKeySelector = ConfigMapKeySelector


class ObjectFieldSelector(TypedDict, total=False):
    apiVersion: str
    fieldPath: str


class ResourceFieldSelector(TypedDict, total=False):
    containerName: str
    resource: str
    divisor: Quantity


class EnvVarSource(TypedDict, total=False):
    fieldRef: ObjectFieldSelector
    resourceFieldRef: ResourceFieldSelector
    configMapKeyRef: ConfigMapKeySelector
    secretKeyRef: SecretKeySelector


class EnvVar(TypedDict, total=False):
    name: str
    value: str
    valueFrom: EnvVarSource


class EnvFromSource(TypedDict, total=False):
    prefix: str
    configMapRef: LocalObjectReference
    secretRef: LocalObjectReference


class ContainerPort(TypedDict, total=False):
    name: str
    hostPort: int
    containerPort: int
    protocol: str
    hostIP: str


class ResourceRequirements(TypedDict, total=False):
    limits: dict[str, Quantity]
    requests: dict[str, Quantity]


class VolumeMount(TypedDict, total=False):
    name: str
    readOnly: bool
    mountPath: str
    subPath: str
    mountPropagation: str
    subPathExpr: str


class ExecAction(TypedDict, total=False):
    command: list[str]


class HTTPHeader(TypedDict, total=False):
    name: str
    value: str


class HTTPGetAction(TypedDict, total=False):
    path: str
    port: IntOrString
    host: str
    scheme: str
    httpHeaders: list[HTTPHeader]


class TCPSocketAction(TypedDict, total=False):
    port: IntOrString
    host: str


class GRPCAction(TypedDict, total=False):
    port: int
    service: str


class Probe(TypedDict, total=False):
    exec: ExecAction
    httpGet: HTTPGetAction
    tcpSocket: TCPSocketAction
    grpc: GRPCAction
    initialDelaySeconds: int
    timeoutSeconds: int
    periodSeconds: int
    successThreshold: int
    failureThreshold: int
    terminationGracePeriodSeconds: int


class LifecycleHandler(TypedDict, total=False):
    exec: ExecAction
    httpGet: HTTPGetAction
    tcpSocket: TCPSocketAction


class Lifecycle(TypedDict, total=False):
    postStart: LifecycleHandler
    preStop: LifecycleHandler


class Capabilities(TypedDict, total=False):
    add: list[str]
    drop: list[str]


class SecurityContext(TypedDict, total=False):
    capabilities: Capabilities
    privileged: bool
    runAsUser: int
    runAsGroup: int
    runAsNonRoot: bool
    readOnlyRootFilesystem: bool
    allowPrivilegeEscalation: bool
    procMount: str
    seccompProfile: dict[str, Any]
    seLinuxOptions: dict[str, Any]


class Container(TypedDict, total=False):
    name: str
    image: str
    command: list[str]
    args: list[str]
    workingDir: str
    ports: list[ContainerPort]
    envFrom: list[EnvFromSource]
    env: list[EnvVar]
    resources: ResourceRequirements
    restartPolicy: str
    volumeMounts: list[VolumeMount]
    livenessProbe: Probe
    readinessProbe: Probe
    startupProbe: Probe
    lifecycle: Lifecycle
    terminationMessagePath: str
    terminationMessagePolicy: str
    imagePullPolicy: str
    securityContext: SecurityContext
    stdin: bool
    stdinOnce: bool
    tty: bool


class Volume(TypedDict, total=False):
    name: str
    hostPath: dict[str, Any]
    emptyDir: dict[str, Any]
    secret: dict[str, Any]
    configMap: dict[str, Any]
    persistentVolumeClaim: dict[str, Any]
    projected: dict[str, Any]
    downwardAPI: dict[str, Any]
    nfs: dict[str, Any]
    csi: dict[str, Any]
    ephemeral: dict[str, Any]


class Toleration(TypedDict, total=False):
    key: str
    operator: str
    value: str
    effect: str
    tolerationSeconds: int


class Affinity(TypedDict, total=False):
    nodeAffinity: dict[str, Any]
    podAffinity: dict[str, Any]
    podAntiAffinity: dict[str, Any]


class PodSecurityContext(TypedDict, total=False):
    runAsUser: int
    runAsGroup: int
    runAsNonRoot: bool
    fsGroup: int
    supplementalGroups: list[int]
    fsGroupChangePolicy: str
    seccompProfile: dict[str, Any]
    sysctls: list[dict[str, str]]


class PodSpec(TypedDict, total=False):
    volumes: list[Volume]
    initContainers: list[Container]
    containers: list[Container]
    ephemeralContainers: list[dict[str, Any]]
    restartPolicy: str
    terminationGracePeriodSeconds: int
    activeDeadlineSeconds: int
    dnsPolicy: str
    nodeSelector: dict[str, str]
    serviceAccountName: str
    serviceAccount: str
    automountServiceAccountToken: bool
    nodeName: str
    hostNetwork: bool
    hostPID: bool
    hostIPC: bool
    shareProcessNamespace: bool
    securityContext: PodSecurityContext
    imagePullSecrets: list[LocalObjectReference]
    hostname: str
    subdomain: str
    affinity: Affinity
    schedulerName: str
    tolerations: list[Toleration]
    hostAliases: list[dict[str, Any]]
    priorityClassName: str
    priority: int
    dnsConfig: dict[str, Any]
    readinessGates: list[dict[str, str]]
    runtimeClassName: str
    enableServiceLinks: bool
    preemptionPolicy: str
    overhead: dict[str, Quantity]
    topologySpreadConstraints: list[dict[str, Any]]
    os: dict[str, str]


class PodCondition(TypedDict, total=False):
    type: str
    status: str
    lastProbeTime: str
    lastTransitionTime: str
    reason: str
    message: str


class ContainerStateWaiting(TypedDict, total=False):
    reason: str
    message: str


class ContainerStateRunning(TypedDict, total=False):
    startedAt: str


class ContainerStateTerminated(TypedDict, total=False):
    exitCode: int
    signal: int
    reason: str
    message: str
    startedAt: str
    finishedAt: str
    containerID: str


class ContainerState(TypedDict, total=False):
    waiting: ContainerStateWaiting
    running: ContainerStateRunning
    terminated: ContainerStateTerminated


class ContainerStatus(TypedDict, total=False):
    name: str
    state: ContainerState
    lastState: ContainerState
    ready: bool
    restartCount: int
    image: str
    imageID: str
    containerID: str
    started: bool


class PodIP(TypedDict, total=False):
    ip: str


class PodStatus(TypedDict, total=False):
    phase: str
    conditions: list[PodCondition]
    message: str
    reason: str
    nominatedNodeName: str
    hostIP: str
    hostIPs: list[PodIP]
    podIP: str
    podIPs: list[PodIP]
    startTime: str
    initContainerStatuses: list[ContainerStatus]
    containerStatuses: list[ContainerStatus]
    qosClass: str
    ephemeralContainerStatuses: list[ContainerStatus]


class Pod(_Object, total=False):
    spec: PodSpec
    status: PodStatus


class PodList(_List, total=False):
    items: list[Pod]


class PodTemplateSpec(TypedDict, total=False):
    metadata: ObjectMeta
    spec: PodSpec


class PodTemplate(_Object, total=False):
    template: PodTemplateSpec


class PodTemplateList(_List, total=False):
    items: list[PodTemplate]


class ServicePort(TypedDict, total=False):
    name: str
    protocol: str
    appProtocol: str
    port: int
    targetPort: IntOrString
    nodePort: int


class ServiceSpec(TypedDict, total=False):
    ports: list[ServicePort]
    selector: dict[str, str]
    clusterIP: str
    clusterIPs: list[str]
    type: str
    externalIPs: list[str]
    sessionAffinity: str
    loadBalancerIP: str
    loadBalancerSourceRanges: list[str]
    externalName: str
    externalTrafficPolicy: str
    healthCheckNodePort: int
    publishNotReadyAddresses: bool
    ipFamilies: list[str]
    ipFamilyPolicy: str
    allocateLoadBalancerNodePorts: bool
    loadBalancerClass: str
    internalTrafficPolicy: str


class LoadBalancerIngress(TypedDict, total=False):
    ip: str
    hostname: str
    ipMode: str


class LoadBalancerStatus(TypedDict, total=False):
    ingress: list[LoadBalancerIngress]


class ServiceStatus(TypedDict, total=False):
    loadBalancer: LoadBalancerStatus
    conditions: list[dict[str, Any]]


class Service(_Object, total=False):
    spec: ServiceSpec
    status: ServiceStatus


class ServiceList(_List, total=False):
    items: list[Service]


class ConfigMap(_Object, total=False):
    immutable: bool
    data: dict[str, str]
    binaryData: dict[str, str]


class ConfigMapList(_List, total=False):
    items: list[ConfigMap]


class Secret(_Object, total=False):
    immutable: bool
    # base64 strings, as on the wire
    data: dict[str, str]
    stringData: dict[str, str]
    type: str


class SecretList(_List, total=False):
    items: list[Secret]


class ServiceAccount(_Object, total=False):
    secrets: list[ObjectReference]
    imagePullSecrets: list[LocalObjectReference]
    automountServiceAccountToken: bool


class ServiceAccountList(_List, total=False):
    items: list[ServiceAccount]


class NamespaceSpec(TypedDict, total=False):
    finalizers: list[str]


class NamespaceStatus(TypedDict, total=False):
    phase: str
    conditions: list[dict[str, Any]]


class Namespace(_Object, total=False):
    spec: NamespaceSpec
    status: NamespaceStatus


class NamespaceList(_List, total=False):
    items: list[Namespace]


class Taint(TypedDict, total=False):
    key: str
    value: str
    effect: str
    timeAdded: str


class NodeSpec(TypedDict, total=False):
    podCIDR: str
    podCIDRs: list[str]
    providerID: str
    unschedulable: bool
    taints: list[Taint]


class NodeCondition(TypedDict, total=False):
    type: str
    status: str
    lastHeartbeatTime: str
    lastTransitionTime: str
    reason: str
    message: str


class NodeAddress(TypedDict, total=False):
    type: str
    address: str


class NodeSystemInfo(TypedDict, total=False):
    machineID: str
    systemUUID: str
    bootID: str
    kernelVersion: str
    osImage: str
    containerRuntimeVersion: str
    kubeletVersion: str
    kubeProxyVersion: str
    operatingSystem: str
    architecture: str


class NodeStatus(TypedDict, total=False):
    capacity: dict[str, Quantity]
    allocatable: dict[str, Quantity]
    phase: str
    conditions: list[NodeCondition]
    addresses: list[NodeAddress]
    daemonEndpoints: dict[str, Any]
    nodeInfo: NodeSystemInfo
    images: list[dict[str, Any]]
    volumesInUse: list[str]
    volumesAttached: list[dict[str, str]]


class Node(_Object, total=False):
    spec: NodeSpec
    status: NodeStatus


class NodeList(_List, total=False):
    items: list[Node]


class EventSource(TypedDict, total=False):
    component: str
    host: str


class Event(_Object, total=False):
    involvedObject: ObjectReference
    reason: str
    message: str
    source: EventSource
    firstTimestamp: str
    lastTimestamp: str
    count: int
    type: str
    eventTime: str
    series: dict[str, Any]
    action: str
    related: ObjectReference
    reportingComponent: str
    reportingInstance: str


class EventList(_List, total=False):
    items: list[Event]


class PersistentVolumeSpec(TypedDict, total=False):
    capacity: dict[str, Quantity]
    accessModes: list[str]
    claimRef: ObjectReference
    persistentVolumeReclaimPolicy: str
    storageClassName: str
    mountOptions: list[str]
    volumeMode: str
    nodeAffinity: dict[str, Any]
    hostPath: dict[str, Any]
    nfs: dict[str, Any]
    csi: dict[str, Any]
    local: dict[str, Any]
    volumeAttributesClassName: str


class PersistentVolumeStatus(TypedDict, total=False):
    phase: str
    message: str
    reason: str
    lastPhaseTransitionTime: str


class PersistentVolume(_Object, total=False):
    spec: PersistentVolumeSpec
    status: PersistentVolumeStatus


class PersistentVolumeList(_List, total=False):
    items: list[PersistentVolume]


class PersistentVolumeClaimSpec(TypedDict, total=False):
    accessModes: list[str]
    selector: LabelSelector
    resources: ResourceRequirements
    volumeName: str
    storageClassName: str
    volumeMode: str
    dataSource: dict[str, Any]
    dataSourceRef: dict[str, Any]
    volumeAttributesClassName: str


class PersistentVolumeClaimStatus(TypedDict, total=False):
    phase: str
    accessModes: list[str]
    capacity: dict[str, Quantity]
    conditions: list[dict[str, Any]]


class PersistentVolumeClaim(_Object, total=False):
    spec: PersistentVolumeClaimSpec
    status: PersistentVolumeClaimStatus


class PersistentVolumeClaimList(_List, total=False):
    items: list[PersistentVolumeClaim]


class EndpointAddress(TypedDict, total=False):
    ip: str
    hostname: str
    nodeName: str
    targetRef: ObjectReference


class EndpointPort(TypedDict, total=False):
    name: str
    port: int
    protocol: str
    appProtocol: str


class EndpointSubset(TypedDict, total=False):
    addresses: list[EndpointAddress]
    notReadyAddresses: list[EndpointAddress]
    ports: list[EndpointPort]


class Endpoints(_Object, total=False):
    subsets: list[EndpointSubset]


class EndpointsList(_List, total=False):
    items: list[Endpoints]


class ReplicationControllerSpec(TypedDict, total=False):
    replicas: int
    minReadySeconds: int
    selector: dict[str, str]
    template: PodTemplateSpec


class ReplicationControllerStatus(TypedDict, total=False):
    replicas: int
    fullyLabeledReplicas: int
    readyReplicas: int
    availableReplicas: int
    observedGeneration: int
    conditions: list[dict[str, Any]]


class ReplicationController(_Object, total=False):
    spec: ReplicationControllerSpec
    status: ReplicationControllerStatus


class ReplicationControllerList(_List, total=False):
    items: list[ReplicationController]


class LimitRange(_Object, total=False):
    spec: dict[str, Any]


class LimitRangeList(_List, total=False):
    items: list[LimitRange]


class ResourceQuotaSpec(TypedDict, total=False):
    hard: dict[str, Quantity]
    scopes: list[str]
    scopeSelector: dict[str, Any]


class ResourceQuotaStatus(TypedDict, total=False):
    hard: dict[str, Quantity]
    used: dict[str, Quantity]


class ResourceQuota(_Object, total=False):
    spec: ResourceQuotaSpec
    status: ResourceQuotaStatus


class ResourceQuotaList(_List, total=False):
    items: list[ResourceQuota]


class ComponentStatus(_Object, total=False):
    conditions: list[dict[str, Any]]


class ComponentStatusList(_List, total=False):
    items: list[ComponentStatus]


class Binding(_Object, total=False):
    target: ObjectReference


class TokenRequestSpec(TypedDict, total=False):
    audiences: list[str]
    expirationSeconds: int
    boundObjectRef: dict[str, str]


class TokenRequestStatus(TypedDict, total=False):
    token: str
    expirationTimestamp: str


class TokenRequest(_Object, total=False):
    """authentication.k8s.io/v1 TokenRequest (serviceaccounts/token)."""

    spec: TokenRequestSpec
    status: TokenRequestStatus
