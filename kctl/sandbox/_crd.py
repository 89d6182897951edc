"""CustomResourceDefinitions: serving the types they define, their status conditions, cleanup
on deletion, and structural-schema pruning and validation of custom objects.

:class:`CustomResources` is driven by the controllers' event feed (a CRD's served versions
enter and leave the catalogue) and registered as registry admission (CRD defaults and name
checks; custom objects pruned and validated against their version's openAPIV3Schema).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from kctl.sandbox import _status as st
from kctl.sandbox._catalog import ResourceType, Subresource
from kctl.sandbox._objects import format_time
from kctl.sandbox._registry import Admission, Registry
from kctl.sandbox._store import Event

__all__ = ["FINALIZER", "CustomResources", "prune_and_validate", "resource_types"]

CRDS = ("apiextensions.k8s.io", "customresourcedefinitions")
FINALIZER = "customresourcecleanup.apiextensions.k8s.io"

_FULL = ("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch")
_SUB_VERBS = ("get", "patch", "update")
_TYPE_NAMES = {str: "string", bool: "boolean", int: "integer", float: "number"}

Key = tuple[str, str, str]


def _names(crd: dict[str, Any]) -> dict[str, Any]:
    return dict((crd.get("spec") or {}).get("names") or {})


def resource_types(crd: dict[str, Any]) -> list[ResourceType]:
    """One ResourceType per served version of the CRD."""
    spec = crd.get("spec") or {}
    names = _names(crd)
    group = str(spec.get("group", ""))
    kind = str(names.get("kind", ""))
    versions = [v for v in spec.get("versions") or [] if isinstance(v, dict)]
    storage = next((v.get("name") for v in versions if v.get("storage")), None)
    out = []
    for version in versions:
        if not version.get("served"):
            continue
        subs: list[Subresource] = []
        declared = version.get("subresources") or {}
        if "scale" in declared:
            subs.append(Subresource("scale", "Scale", _SUB_VERBS, "autoscaling", "v1"))
        if "status" in declared:
            subs.append(Subresource("status", kind, _SUB_VERBS))
        name = str(version.get("name", ""))
        out.append(
            ResourceType(
                group=group,
                version=name,
                plural=str(names.get("plural", "")),
                singular=str(names.get("singular") or kind.lower()),
                kind=kind,
                namespaced=spec.get("scope") != "Cluster",
                verbs=_FULL,
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                subresources=tuple(subs),
                printer_columns=tuple(version.get("additionalPrinterColumns") or ()),
                is_crd=True,
                storage_gvk=None if name == storage or storage is None else (group, storage, kind),
            )
        )
    return out


# --- structural schema: pruning and validation --------------------------------------------


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return _TYPE_NAMES.get(type(value), "string")


def _type_ok(value: Any, schema: dict[str, Any]) -> bool:
    want = schema.get("type")
    if schema.get("x-kubernetes-int-or-string"):
        return isinstance(value, (int, str)) and not isinstance(value, bool)
    if not want:
        return True
    got = _type_name(value)
    return got == want or (want == "number" and got == "integer")


def _shown(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _walk(
    value: Any, schema: dict[str, Any], path: str, causes: list[dict[str, str]], unknown: list[str]
) -> Any:
    if not _type_ok(value, schema):
        got = _type_name(value)
        causes.append(
            {
                "reason": "FieldValueTypeInvalid",
                "message": f'Invalid value: "{got}": {path} in body must be of type '
                f'{schema.get("type")}: "{got}"',
                "field": path,
            }
        )
        return value
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        supported = ", ".join(_shown(v) for v in enum)
        causes.append(
            {
                "reason": "FieldValueNotSupported",
                "message": f"Unsupported value: {_shown(value)}: supported values: {supported}",
                "field": path,
            }
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and value < low:
            causes.append(
                {
                    "reason": "FieldValueInvalid",
                    "message": f"Invalid value: {_shown(value)}: {path} in body should be "
                    f"greater than or equal to {low}",
                    "field": path,
                }
            )
        if high is not None and value > high:
            causes.append(
                {
                    "reason": "FieldValueInvalid",
                    "message": f"Invalid value: {_shown(value)}: {path} in body should be "
                    f"less than or equal to {high}",
                    "field": path,
                }
            )
    if isinstance(value, dict):
        return _walk_object(value, schema, path, causes, unknown)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [
            _walk(item, schema["items"], f"{path}[{i}]", causes, unknown)
            for i, item in enumerate(value)
        ]
    return value


def _walk_object(
    value: dict[str, Any],
    schema: dict[str, Any],
    path: str,
    causes: list[dict[str, str]],
    unknown: list[str],
) -> dict[str, Any]:
    props = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    out: dict[str, Any] = {}
    for key, item in value.items():
        child = f"{path}.{key}" if path else key
        sub = props.get(key)
        if sub is None and isinstance(extra, dict):
            sub = extra
        if item is None and not (sub or {}).get("nullable"):
            continue  # nulls of non-nullable fields are pruned, not rejected
        if sub is not None:
            out[key] = _walk(item, sub, child, causes, unknown)
        elif preserve or extra is True:
            out[key] = item
        else:
            unknown.append(child)
    for key in schema.get("required") or []:
        if key not in out:
            causes.append(
                {
                    "reason": "FieldValueRequired",
                    "message": "Required value",
                    "field": f"{path}.{key}" if path else key,
                }
            )
    return out


def prune_and_validate(
    obj: dict[str, Any], schema: dict[str, Any], unknown: list[str] | None = None
) -> list[dict[str, str]]:
    """Drop what the schema does not declare (in place, paths appended to ``unknown``) and
    return the validation causes."""
    causes: list[dict[str, str]] = []
    if unknown is None:
        unknown = []
    root = dict(schema)
    props = {k: v for k, v in (root.get("properties") or {}).items() if k != "metadata"}
    root["properties"] = props
    body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    pruned = _walk_object(body, root, "", causes, unknown)
    for key in list(obj):
        if key not in ("apiVersion", "kind", "metadata"):
            del obj[key]
    obj.update(pruned)
    return causes


# --- the CRD controller and admission ------------------------------------------------------


class CustomResources:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.catalog = registry.catalog
        self._lock = threading.Lock()
        self._schemas: dict[Key, dict[str, Any]] = {}
        self._served: dict[str, set[Key]] = {}

    # admission

    def admit(self, rt: ResourceType, obj: dict[str, Any], admission: Admission) -> None:
        if (rt.group, rt.plural) == CRDS:
            self._admit_crd(obj)
            return
        if not rt.is_crd:
            return
        with self._lock:
            schema = self._schemas.get((rt.group, rt.version, rt.plural))
        if schema is None:
            return
        unknown: list[str] = []
        causes = prune_and_validate(obj, schema, unknown)
        if unknown and admission.field_validation == "Strict":
            listed = ", ".join(f"unknown field {json.dumps(path)}" for path in unknown)
            raise st.bad_request(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                f"strict decoding error: {listed}"
            )
        if admission.field_validation == "Warn":
            admission.warnings.extend(f"unknown field {json.dumps(path)}" for path in unknown)
        if causes:
            raise st.invalid(rt.group, rt.kind, obj["metadata"].get("name", ""), causes)

    def _admit_crd(self, crd: dict[str, Any]) -> None:
        spec = crd.setdefault("spec", {})
        names = spec.setdefault("names", {})
        meta = crd["metadata"]
        causes: list[dict[str, str]] = []

        def required(field: str) -> None:
            causes.append(
                {"reason": "FieldValueRequired", "message": "Required value", "field": field}
            )

        if not spec.get("group"):
            required("spec.group")
        for field in ("plural", "kind"):
            if not names.get(field):
                required(f"spec.names.{field}")
        if spec.get("scope") not in ("Namespaced", "Cluster"):
            if not spec.get("scope"):
                required("spec.scope")
            else:
                causes.append(
                    {
                        "reason": "FieldValueNotSupported",
                        "message": f"Unsupported value: {_shown(spec['scope'])}: supported "
                        'values: "Cluster", "Namespaced"',
                        "field": "spec.scope",
                    }
                )
        versions = spec.get("versions") or []
        if (
            not versions
            or sum(1 for v in versions if isinstance(v, dict) and v.get("storage")) != 1
        ):
            causes.append(
                {
                    "reason": "FieldValueInvalid",
                    "message": "must have exactly one version marked as storage version",
                    "field": "spec.versions",
                }
            )
        for i, version in enumerate(versions):
            schema = ((version if isinstance(version, dict) else {}).get("schema") or {}).get(
                "openAPIV3Schema"
            )
            if not schema:
                causes.append(
                    {
                        "reason": "FieldValueRequired",
                        "message": "Required value: schemas are required",
                        "field": f"spec.versions[{i}].schema.openAPIV3Schema",
                    }
                )
        expected = f"{names.get('plural', '')}.{spec.get('group', '')}"
        if spec.get("group") and names.get("plural") and meta.get("name") != expected:
            causes.append(
                {
                    "reason": "FieldValueInvalid",
                    "message": f"Invalid value: {_shown(meta.get('name', ''))}: must be "
                    'spec.names.plural+"."+spec.group',
                    "field": "metadata.name",
                }
            )
        if causes:
            raise st.invalid(
                "apiextensions.k8s.io", "CustomResourceDefinition", meta.get("name", ""), causes
            )
        names.setdefault("singular", str(names["kind"]).lower())
        names.setdefault("listKind", f"{names['kind']}List")
        spec.setdefault("conversion", {"strategy": "None"})
        if not meta.get("deletionTimestamp") and FINALIZER not in (meta.get("finalizers") or []):
            meta["finalizers"] = [*(meta.get("finalizers") or []), FINALIZER]

    # controller

    def handle(self, event: Event) -> None:
        if event.resource != CRDS:
            return
        crd = event.entry.obj
        name = crd["metadata"]["name"]
        if event.type == "DELETED" or crd["metadata"].get("deletionTimestamp"):
            self._tear_down(crd)
            return
        rts = resource_types(crd)
        keys = {(rt.group, rt.version, rt.plural) for rt in rts}
        versions = {v.get("name"): v for v in (crd.get("spec") or {}).get("versions") or []}
        with self._lock:
            stale = self._served.get(name, set()) - keys
            self._served[name] = keys
            for key in stale:
                self._schemas.pop(key, None)
            for rt in rts:
                schema = ((versions.get(rt.version) or {}).get("schema") or {}).get(
                    "openAPIV3Schema"
                )
                if isinstance(schema, dict):
                    self._schemas[(rt.group, rt.version, rt.plural)] = schema
                else:
                    self._schemas.pop((rt.group, rt.version, rt.plural), None)
        for key in stale:
            self.catalog.remove(*key)
        for rt in rts:
            if self.catalog.get(rt.group, rt.version, rt.plural) != rt:
                self.catalog.add(rt)
        self._update_status(crd)

    def resync(self) -> None:
        """Serve every stored CRD (after a restore that sent no events)."""
        for entry in self.registry.store.items(CRDS):
            self.handle(
                Event(entry.rv, "MODIFIED", CRDS, entry.obj["metadata"]["name"], entry, None)
            )

    def _update_status(self, crd: dict[str, Any]) -> None:
        names = _names(crd)
        accepted: dict[str, Any] = {"plural": names.get("plural", "")}
        accepted["singular"] = names.get("singular", "")
        if names.get("shortNames"):
            accepted["shortNames"] = list(names["shortNames"])
        accepted["kind"] = names.get("kind", "")
        accepted["listKind"] = names.get("listKind", "")
        if names.get("categories"):
            accepted["categories"] = list(names["categories"])
        storage = [
            v.get("name") for v in (crd.get("spec") or {}).get("versions") or [] if v.get("storage")
        ]
        now = format_time(self.registry.now())

        def change(obj: dict[str, Any]) -> dict[str, Any]:
            status = dict(obj.get("status") or {})
            status["acceptedNames"] = accepted
            current = {c.get("type"): c for c in status.get("conditions") or []}
            conditions = []
            for ctype, reason, message in (
                ("NamesAccepted", "NoConflicts", "no conflicts found"),
                ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
            ):
                old = current.get(ctype)
                if old and old.get("status") == "True":
                    conditions.append(old)
                    continue
                conditions.append(
                    {
                        "type": ctype,
                        "status": "True",
                        "lastTransitionTime": now,
                        "reason": reason,
                        "message": message,
                    }
                )
            status["conditions"] = conditions
            stored = list(status.get("storedVersions") or [])
            stored.extend(v for v in storage if v not in stored)
            status["storedVersions"] = stored
            obj["status"] = status
            return obj

        from kctl.sandbox._apply import update_tracker

        rt = self.catalog.get("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        assert rt is not None
        self.registry.mutate(
            rt,
            "",
            crd["metadata"]["name"],
            change,
            subresource="status",
            tracker=update_tracker(rt, "kube-apiserver", "status", self.registry.now),
        )

    def _tear_down(self, crd: dict[str, Any]) -> None:
        """Delete every custom object, stop serving the type, then let the CRD go."""
        name = crd["metadata"]["name"]
        group = (crd.get("spec") or {}).get("group", "")
        plural = _names(crd).get("plural", "")
        store = self.registry.store
        for entry in store.items((group, plural)):
            meta = entry.obj["metadata"]
            store.remove((group, plural), meta.get("namespace", ""), meta["name"])
        with self._lock:
            keys = self._served.pop(name, set())
            for key in keys:
                self._schemas.pop(key, None)
        for rt in resource_types(crd):
            keys.add((rt.group, rt.version, rt.plural))
        for key in keys:
            self.catalog.remove(*key)
        if FINALIZER in (crd["metadata"].get("finalizers") or []):
            crd_rt = self.catalog.get("apiextensions.k8s.io", "v1", "customresourcedefinitions")
            assert crd_rt is not None
            self.registry.remove_finalizer(crd_rt, "", name, FINALIZER)
