"""apps/v1 and batch/v1 kinds: Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob."""

from __future__ import annotations

from typing import Any, TypedDict

from kctl.types.core_v1 import IntOrString, PodTemplateSpec, _List, _Object
from kctl.types.meta_v1 import Condition, LabelSelector, ObjectMeta


class RollingUpdateDeployment(TypedDict, total=False):
    maxUnavailable: IntOrString
    maxSurge: IntOrString


class DeploymentStrategy(TypedDict, total=False):
    type: str
    rollingUpdate: RollingUpdateDeployment


class DeploymentSpec(TypedDict, total=False):
    replicas: int
    selector: LabelSelector
    template: PodTemplateSpec
    strategy: DeploymentStrategy
    minReadySeconds: int
    revisionHistoryLimit: int
    paused: bool
    progressDeadlineSeconds: int


class DeploymentStatus(TypedDict, total=False):
    observedGeneration: int
    replicas: int
    updatedReplicas: int
    readyReplicas: int
    availableReplicas: int
    unavailableReplicas: int
    terminatingReplicas: int
    conditions: list[Condition]
    collisionCount: int


class Deployment(_Object, total=False):
    spec: DeploymentSpec
    status: DeploymentStatus


class DeploymentList(_List, total=False):
    items: list[Deployment]


class ReplicaSetSpec(TypedDict, total=False):
    replicas: int
    minReadySeconds: int
    selector: LabelSelector
    template: PodTemplateSpec


class ReplicaSetStatus(TypedDict, total=False):
    replicas: int
    fullyLabeledReplicas: int
    readyReplicas: int
    availableReplicas: int
    terminatingReplicas: int
    observedGeneration: int
    conditions: list[Condition]


class ReplicaSet(_Object, total=False):
    spec: ReplicaSetSpec
    status: ReplicaSetStatus


class ReplicaSetList(_List, total=False):
    items: list[ReplicaSet]


class StatefulSetUpdateStrategy(TypedDict, total=False):
    type: str
    rollingUpdate: dict[str, Any]


class StatefulSetSpec(TypedDict, total=False):
    replicas: int
    selector: LabelSelector
    template: PodTemplateSpec
    volumeClaimTemplates: list[dict[str, Any]]
    serviceName: str
    podManagementPolicy: str
    updateStrategy: StatefulSetUpdateStrategy
    revisionHistoryLimit: int
    minReadySeconds: int
    persistentVolumeClaimRetentionPolicy: dict[str, str]
    ordinals: dict[str, int]


class StatefulSetStatus(TypedDict, total=False):
    observedGeneration: int
    replicas: int
    readyReplicas: int
    currentReplicas: int
    updatedReplicas: int
    currentRevision: str
    updateRevision: str
    collisionCount: int
    conditions: list[Condition]
    availableReplicas: int


class StatefulSet(_Object, total=False):
    spec: StatefulSetSpec
    status: StatefulSetStatus


class StatefulSetList(_List, total=False):
    items: list[StatefulSet]


class DaemonSetUpdateStrategy(TypedDict, total=False):
    type: str
    rollingUpdate: RollingUpdateDeployment


class DaemonSetSpec(TypedDict, total=False):
    selector: LabelSelector
    template: PodTemplateSpec
    updateStrategy: DaemonSetUpdateStrategy
    minReadySeconds: int
    revisionHistoryLimit: int


class DaemonSetStatus(TypedDict, total=False):
    currentNumberScheduled: int
    numberMisscheduled: int
    desiredNumberScheduled: int
    numberReady: int
    observedGeneration: int
    updatedNumberScheduled: int
    numberAvailable: int
    numberUnavailable: int
    collisionCount: int
    conditions: list[Condition]


class DaemonSet(_Object, total=False):
    spec: DaemonSetSpec
    status: DaemonSetStatus


class DaemonSetList(_List, total=False):
    items: list[DaemonSet]


class ControllerRevision(_Object, total=False):
    data: dict[str, Any]
    revision: int


class ControllerRevisionList(_List, total=False):
    items: list[ControllerRevision]


class JobSpec(TypedDict, total=False):
    parallelism: int
    completions: int
    activeDeadlineSeconds: int
    podFailurePolicy: dict[str, Any]
    successPolicy: dict[str, Any]
    backoffLimit: int
    backoffLimitPerIndex: int
    maxFailedIndexes: int
    selector: LabelSelector
    manualSelector: bool
    template: PodTemplateSpec
    ttlSecondsAfterFinished: int
    completionMode: str
    suspend: bool
    podReplacementPolicy: str
    managedBy: str


class JobStatus(TypedDict, total=False):
    conditions: list[Condition]
    startTime: str
    completionTime: str
    active: int
    succeeded: int
    failed: int
    terminating: int
    completedIndexes: str
    failedIndexes: str
    uncountedTerminatedPods: dict[str, list[str]]
    ready: int


class Job(_Object, total=False):
    spec: JobSpec
    status: JobStatus


class JobList(_List, total=False):
    items: list[Job]


class JobTemplateSpec(TypedDict, total=False):
    metadata: ObjectMeta
    spec: JobSpec


class CronJobSpec(TypedDict, total=False):
    schedule: str
    timeZone: str
    startingDeadlineSeconds: int
    concurrencyPolicy: str
    suspend: bool
    jobTemplate: JobTemplateSpec
    successfulJobsHistoryLimit: int
    failedJobsHistoryLimit: int


class CronJobStatus(TypedDict, total=False):
    active: list[dict[str, Any]]
    lastScheduleTime: str
    lastSuccessfulTime: str


class CronJob(_Object, total=False):
    spec: CronJobSpec
    status: CronJobStatus


class CronJobList(_List, total=False):
    items: list[CronJob]
