"""meta/v1 shapes shared by every kind: ObjectMeta, ListMeta, LabelSelector, Status, ..."""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = [
    "Condition",
    "LabelSelector",
    "LabelSelectorRequirement",
    "ListMeta",
    "ManagedFieldsEntry",
    "ObjectMeta",
    "OwnerReference",
    "Status",
    "StatusCause",
    "StatusDetails",
]

# "continue" is a Python keyword, hence the functional form.
ListMeta = TypedDict(
    "ListMeta",
    {"selfLink": str, "resourceVersion": str, "continue": str, "remainingItemCount": int},
    total=False,
)


class OwnerReference(TypedDict, total=False):
    apiVersion: str
    kind: str
    name: str
    uid: str
    controller: bool
    blockOwnerDeletion: bool


class ManagedFieldsEntry(TypedDict, total=False):
    manager: str
    operation: str
    apiVersion: str
    time: str
    fieldsType: str
    fieldsV1: dict[str, Any]
    subresource: str


class ObjectMeta(TypedDict, total=False):
    name: str
    generateName: str
    namespace: str
    selfLink: str
    uid: str
    resourceVersion: str
    generation: int
    creationTimestamp: str
    deletionTimestamp: str
    deletionGracePeriodSeconds: int
    labels: dict[str, str]
    annotations: dict[str, str]
    ownerReferences: list[OwnerReference]
    finalizers: list[str]
    managedFields: list[ManagedFieldsEntry]


class LabelSelectorRequirement(TypedDict, total=False):
    key: str
    operator: str
    values: list[str]


class LabelSelector(TypedDict, total=False):
    matchLabels: dict[str, str]
    matchExpressions: list[LabelSelectorRequirement]


class Condition(TypedDict, total=False):
    type: str
    status: str
    observedGeneration: int
    lastTransitionTime: str
    reason: str
    message: str


class StatusCause(TypedDict, total=False):
    reason: str
    message: str
    field: str


class StatusDetails(TypedDict, total=False):
    name: str
    group: str
    kind: str
    uid: str
    causes: list[StatusCause]
    retryAfterSeconds: int


class Status(TypedDict, total=False):
    apiVersion: str
    kind: str
    metadata: ListMeta
    status: str
    message: str
    reason: str
    details: StatusDetails
    code: int
