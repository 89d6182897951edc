"""What kube-apiserver's registry strategies do to an object on create and update:
metadata bookkeeping, name validation, status reset, generation.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import datetime, timezone
from typing import Any

from kctl.sandbox._catalog import ResourceType
from kctl.sandbox._selectors import _label_value_errors

__all__ = [
    "field_cause",
    "format_time",
    "generate_name_suffix",
    "name_errors",
    "omit_empty_metadata",
    "pod_qos_class",
    "prepare_create",
    "prepare_update",
    "validate_metadata",
]

_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)

_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)

# Kinds whose strategies maintain metadata.generation (pods too since PodObservedGeneration).
_GENERATION_KINDS = frozenset(
    {
        "Pod",
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "ReplicationController",
        "HorizontalPodAutoscaler",
        "Ingress",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "CustomResourceDefinition",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "IngressClass",
        "ResourceClaim",
        # The rest of 1.37's strategies that set Generation = 1 on create.
        "PodTemplate",
        "EndpointSlice",
        "FlowSchema",
        "PriorityLevelConfiguration",
        "PriorityClass",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "DeviceClass",
        "DeviceTaintRule",
        "ResourceSlice",
    }
)

# Strategies that keep a client-supplied status on create.
_STATUS_KEPT_ON_CREATE = frozenset({"Node", "Namespace", "Event"})

_RBAC_GROUP = "rbac.authorization.k8s.io"


def format_time(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def generate_name_suffix(rng: random.Random | None = None) -> str:
    # apiserver's SimpleNameGenerator: 5 characters from an alphabet without vowels/lookalikes.
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    pick = rng.choice if rng else random.choice
    return "".join(pick(alphabet) for _ in range(5))


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def field_cause(field: str, value: Any, detail: str) -> dict[str, str]:
    shown = _quote(value) if isinstance(value, str) else json.dumps(value)
    return {
        "reason": "FieldValueInvalid",
        "message": f"Invalid value: {shown}: {detail}",
        "field": field,
    }


def name_errors(rt: ResourceType, name: str) -> list[str]:
    if rt.group == _RBAC_GROUP:
        bad = [s for s in ("/", "%") if s in name]
        if name in (".", ".."):
            return [f"may not be '{name}'"]
        return [f"may not contain '{s}'" for s in bad]
    if rt.kind in ("Service", "Namespace", "StatefulSet"):
        # Services take RFC 1123 labels since RelaxedServiceNameValidation (GA in 1.37);
        # a StatefulSet's name becomes its pods' hostnames.
        from kctl.sandbox._validation import dns1123_label_errors

        return dns1123_label_errors(name)
    errs = []
    if len(name) > 253:
        errs.append("must be no more than 253 characters")
    if not _DNS1123_SUBDOMAIN.match(name):
        errs.append(_SUBDOMAIN_MSG)
    return errs


def validate_metadata(rt: ResourceType, obj: dict[str, Any]) -> list[dict[str, str]]:
    """Field causes for metadata problems, as ValidateObjectMeta reports them."""
    meta = obj.get("metadata") or {}
    causes: list[dict[str, str]] = []
    name = meta.get("name") or ""
    if not name:
        causes.append(
            {
                "reason": "FieldValueRequired",
                "message": "Required value: name or generateName is required",
                "field": "metadata.name",
            }
        )
    else:
        errs = name_errors(rt, name)
        if errs:
            causes.append(field_cause("metadata.name", name, "; ".join(errs)))
    from kctl.sandbox._validation import label_key_errors

    labels = meta.get("labels") or {}
    if not isinstance(labels, dict):
        return causes
    for key, value in sorted(labels.items()):
        for msg in label_key_errors(key):
            causes.append(field_cause("metadata.labels", key, msg))
        if not isinstance(value, str):
            continue
        for msg in _label_value_errors(value):
            causes.append(field_cause("metadata.labels", value, msg))
    annotations = meta.get("annotations") or {}
    if isinstance(annotations, dict):
        for key in sorted(annotations):
            for msg in label_key_errors(key.lower()):
                causes.append(field_cause("metadata.annotations", key, msg))
    return causes


def _quantity_set(container: dict[str, Any], kind: str) -> dict[str, Any]:
    return dict(((container.get("resources") or {}).get(kind)) or {})


def pod_qos_class(pod: dict[str, Any]) -> str:
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    any_set = False
    guaranteed = True
    for c in containers:
        requests = {k: v for k, v in _quantity_set(c, "requests").items() if k in ("cpu", "memory")}
        limits = {k: v for k, v in _quantity_set(c, "limits").items() if k in ("cpu", "memory")}
        if requests or limits:
            any_set = True
        if set(limits) != {"cpu", "memory"}:
            guaranteed = False
        for k, v in requests.items():
            if str(limits.get(k)) != str(v):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


# ObjectMeta's omitempty fields that can be empty without being absent (the pointers and
# creationTimestamp, a struct, are not among them: Go keeps a zero deletionGracePeriodSeconds).
_OMITTED_WHEN_EMPTY: dict[str, Any] = {
    "name": "",
    "generateName": "",
    "namespace": "",
    "selfLink": "",
    "uid": "",
    "resourceVersion": "",
    "generation": 0,
    "labels": {},
    "annotations": {},
    "ownerReferences": [],
    "finalizers": [],
    "managedFields": [],
}


def omit_empty_metadata(obj: dict[str, Any]) -> None:
    """Drop the metadata fields Go's ``omitempty`` leaves out when they are empty or null
    (``labels: {}``, ``finalizers: []``, ``generateName: ""``, ...): an object that went
    through the apiserver never carries them, so ``kubectl diff`` never shows them."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return
    for key, empty in _OMITTED_WHEN_EMPTY.items():
        value = meta.get(key, ...)
        if value is None or (type(value) is type(empty) and value == empty):
            del meta[key]


def prepare_create(rt: ResourceType, obj: dict[str, Any], now: datetime) -> None:
    """Fill server-owned metadata and reset what clients may not set on create."""
    meta = obj.setdefault("metadata", {})
    meta["uid"] = str(uuid.uuid4())
    meta["creationTimestamp"] = format_time(now)
    for key in ("deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion"):
        meta.pop(key, None)
    if rt.kind in _GENERATION_KINDS or rt.is_crd:
        meta["generation"] = 1
    else:
        meta.pop("generation", None)
    if rt.subresource("status") is not None and rt.kind not in _STATUS_KEPT_ON_CREATE:
        if rt.kind == "Pod":
            obj["status"] = {"phase": "Pending", "qosClass": pod_qos_class(obj)}
        elif rt.kind == "CustomResourceDefinition" and not rt.is_crd:
            obj["status"] = _crd_initial_status(obj)
        elif rt.is_crd:
            obj.pop("status", None)
        else:
            obj["status"] = {}


def _crd_initial_status(crd: dict[str, Any]) -> dict[str, Any]:
    """What the apiextensions strategy's PrepareForCreate leaves: an empty status (its
    conditions null and acceptedNames' required names empty, as Go serialises them) that
    records the storage version, before the CRD controllers fill it in. Clients that read a
    CRD's status right after creating it (kr8s' wait) depend on its shape."""
    spec = crd.get("spec")
    versions = spec.get("versions") if isinstance(spec, dict) else None
    stored = [
        v["name"]
        for v in versions or ()
        if isinstance(v, dict) and v.get("storage") is True and isinstance(v.get("name"), str)
    ][:1]
    return {
        "conditions": None,
        "acceptedNames": {"plural": "", "kind": ""},
        "storedVersions": stored,
    }


def _without(obj: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in keys}


def prepare_update(
    rt: ResourceType, new: dict[str, Any], old: dict[str, Any], *, subresource: str = ""
) -> None:
    """Carry over what an update may not change; bump generation on spec changes."""
    meta = new.setdefault("metadata", {})
    old_meta = old["metadata"]
    for key in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    if "namespace" in old_meta:
        meta["namespace"] = old_meta["namespace"]
    has_status = rt.subresource("status") is not None
    if subresource in ("status", "approval"):
        # The status endpoint writes status only; everything else comes from the stored object.
        # (A CSR's approval endpoint writes its conditions, which live in status too.)
        for key in list(new):
            if key not in ("status", "metadata", "kind", "apiVersion"):
                del new[key]
        for key, value in old.items():
            if key not in ("status", "metadata"):
                new[key] = value
        new["metadata"] = dict(old_meta)
        new["metadata"]["resourceVersion"] = meta.get(
            "resourceVersion", old_meta.get("resourceVersion")
        )
        if rt.kind == "Pod" and rt.group == "":
            # podStatusStrategy: a status without qosClass keeps the stored one.
            old_qos = (old.get("status") or {}).get("qosClass")
            status = new.get("status")
            if old_qos and isinstance(status, dict) and not status.get("qosClass"):
                status["qosClass"] = old_qos
        return
    if has_status and rt.kind not in ("Node",):
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    if "generation" in old_meta:
        changed = _without(new, "metadata", "status", "kind", "apiVersion") != _without(
            old, "metadata", "status", "kind", "apiVersion"
        )
        meta["generation"] = old_meta["generation"] + (1 if changed else 0)
    else:
        meta.pop("generation", None)
