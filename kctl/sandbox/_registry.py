"""Object semantics over the store: create/update/patch/delete as kube-apiserver's generic
registry does them (preconditions, finalizers, graceful deletion, dry run).

Both the HTTP layer and the in-process controllers write through here, so every rule lives
in one place. Errors are raised as :class:`kctl.errors.StatusError` carrying the exact Status
body the apiserver would send.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from kctl.errors import StatusError
from kctl.sandbox import _status as st
from kctl.sandbox._catalog import Catalog, ResourceType
from kctl.sandbox._objects import (
    format_time,
    generate_name_suffix,
    omit_empty_metadata,
    prepare_create,
    prepare_update,
)
from kctl.sandbox._store import Entry, Store
from kctl.sandbox._validation import validate_object
from kctl.sandbox._versions import event_causes, needs_conversion, to_served, to_storage

# (live or None on create, new) -> new with metadata.managedFields recorded; see _apply.
Tracker = Callable[[dict[str, Any] | None, dict[str, Any]], dict[str, Any]]
# (rt, new, stored or None on create, dry_run): mutating admission and the storage layer's
# allocators, which the apiserver runs after the field manager; see _defaults.
Admitter = Callable[[ResourceType, dict[str, Any], dict[str, Any] | None, bool], None]

__all__ = ["Admission", "DeleteOptions", "Registry", "storage_key"]

_CONFLICT_MODIFIED = (
    "the object has been modified; please apply your changes to the latest version and try again"
)


def storage_key(rt: ResourceType) -> tuple[str, str]:
    """Where a resource's objects live: both autoscaling versions share one table, and so do
    core and events.k8s.io Events, as in etcd."""
    if rt.storage_gvk is not None:
        return (rt.storage_gvk[0], rt.plural)
    return (rt.group, rt.plural)


@dataclass
class Admission:
    """Per-request admission settings and what admission reports back: ``field_validation``
    is the request's fieldValidation (Ignore, Warn, Strict; empty means the default) and
    ``warnings`` collects texts for Warning headers."""

    field_validation: str = ""
    warnings: list[str] = field(default_factory=list)
    # A PATCH request's content type and body: strict decoding errors of a patched object
    # quote the patch.
    patch_type: str = ""
    patch_body: bytes = b""
    # Who writes (a kctl.sandbox._auth.UserInfo), None without authentication.
    user: Any = None


@dataclass(frozen=True)
class DeleteOptions:
    grace_period_seconds: int | None = None
    propagation_policy: str | None = None
    precondition_uid: str | None = None
    precondition_rv: str | None = None
    dry_run: bool = False

    @classmethod
    def from_dict(cls, body: dict[str, Any], query: dict[str, str]) -> DeleteOptions:
        pre = body.get("preconditions") or {}
        grace = body.get("gracePeriodSeconds", query.get("gracePeriodSeconds"))
        policy = body.get("propagationPolicy") or query.get("propagationPolicy")
        if body.get("orphanDependents") is True or query.get("orphanDependents") == "true":
            policy = policy or "Orphan"
        dry = body.get("dryRun") or ([query["dryRun"]] if "dryRun" in query else [])
        if policy is not None and policy not in ("Orphan", "Background", "Foreground"):
            raise st.bad_request(  # validation of DeleteOptions
                f'propagationPolicy: Unsupported value: "{policy}": supported values: '
                '"Foreground", "Background", "Orphan", "nil"'
            )
        try:
            grace_int = None if grace is None else int(grace)
        except (TypeError, ValueError):
            raise st.bad_request(f"invalid gracePeriodSeconds: {grace!r}") from None
        return cls(
            grace_period_seconds=grace_int,
            propagation_policy=policy,
            precondition_uid=pre.get("uid"),
            precondition_rv=pre.get("resourceVersion"),
            dry_run="All" in dry,
        )


class Registry:
    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        clock: Callable[[], datetime],
        defaulter: Callable[[ResourceType, dict[str, Any]], None] | None = None,
        admitter: Admitter | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self._defaulter = defaulter
        self._admitter = admitter
        # Validating admission run after defaulting on create and update (CRD schemas).
        self.admission: list[Callable[[ResourceType, dict[str, Any], Admission], None]] = []
        # Checks on the writer of an object, with the object and what it replaces (None on
        # create): RBAC's escalation prevention. (kind, plural, new, old, user).
        self.write_guards: list[
            Callable[[str, str, dict[str, Any], dict[str, Any] | None, Any], None]
        ] = []
        # Writers serialise read-modify-write cycles; the store lock alone only protects a
        # single commit.
        self._write_lock = threading.RLock()

    # --- helpers -------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def _defaults(
        self, rt: ResourceType, obj: dict[str, Any], admission: Admission | None = None
    ) -> None:
        if self._defaulter is not None:
            self._defaulter(rt, obj)
        for admit in self.admission:
            admit(rt, obj, admission or Admission())

    def _admit(
        self, rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None, dry_run: bool
    ) -> None:
        if self._admitter is not None:
            self._admitter(rt, obj, old, dry_run)

    def _full_defaults(self, rt: ResourceType, obj: dict[str, Any]) -> None:
        # What validation of an update compares with: the object as a create would store it.
        if self._defaulter is not None:
            self._defaulter(rt, obj)
        self._admit(rt, obj, None, True)

    def _decode(self, rt: ResourceType, obj: dict[str, Any], admission: Admission | None) -> None:
        """The typed decode of a built-in object (pruning, fieldValidation, type errors),
        before anything else reads it, as the apiserver decodes the body first."""
        # Decoding into ObjectMeta, for custom resources too, and re-encoding drops empty
        # omitempty fields before anything (the field manager included) reads them.
        omit_empty_metadata(obj)
        if rt.is_crd:
            return
        from kctl.sandbox._schema import admit_builtin

        admit_builtin(rt, obj, admission or Admission())

    def _guard(
        self,
        rt: ResourceType,
        obj: dict[str, Any],
        old: dict[str, Any] | None,
        admission: Admission | None,
    ) -> None:
        user = admission.user if admission is not None else None
        if user is None:
            return  # the sandbox's own writes (controllers, seed) and unauthenticated servers
        for guard in self.write_guards:
            guard(rt.kind, rt.plural, obj, old, user)

    def get_entry(self, rt: ResourceType, namespace: str, name: str) -> Entry:
        """The object as ``rt``'s version shows it (its stored bytes only when they are)."""
        entry = self.store.get(storage_key(rt), namespace, name)
        if entry is None:
            raise st.not_found(rt.group, rt.plural, name)
        if needs_conversion(rt):
            return Entry(to_served(rt, entry.obj), b"")
        return entry

    def _put(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        stored = self.store.put(storage_key(rt), to_storage(rt, obj)).obj
        return copy.deepcopy(to_served(rt, stored))

    def get(self, rt: ResourceType, namespace: str, name: str) -> dict[str, Any]:
        return copy.deepcopy(self.get_entry(rt, namespace, name).obj)

    def _namespace_rt(self) -> ResourceType:
        rt = self.catalog.get("", "v1", "namespaces")
        assert rt is not None
        return rt

    def check_namespace(self, namespace: str, *, creating: bool) -> None:
        ns = self.store.get(("", "namespaces"), "", namespace)
        if ns is None:
            raise st.not_found("", "namespaces", namespace)
        if creating and ns.obj["metadata"].get("deletionTimestamp"):
            raise st.forbidden(
                f"unable to create new content in namespace {namespace} because it is being "
                "terminated",
                {"name": namespace, "kind": "namespaces"},
            )

    def _check_type(self, rt: ResourceType, obj: dict[str, Any]) -> None:
        api_version = obj.get("apiVersion")
        kind = obj.get("kind")
        if api_version and api_version != rt.api_version:
            raise st.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API "
                f"version ({rt.api_version})"
            )
        if kind and kind != rt.kind:
            internal = rt.group.split(".")[0] if rt.group else "core"
            raise st.bad_request(
                f'{kind} in version "{rt.version}" cannot be handled as a {rt.kind}: converting '
                f"({rt.version}.{kind}) to ({internal}.{rt.kind}): unknown conversion"
            )
        obj["kind"] = rt.kind
        obj["apiVersion"] = rt.api_version

    def _reorder(self, obj: dict[str, Any]) -> dict[str, Any]:
        # What is stored is what Go would encode: no empty omitempty metadata (defaulting or
        # a strategy may have emptied a list), and Go struct order: TypeMeta, ObjectMeta,
        # then the rest (spec before status).
        omit_empty_metadata(obj)
        head = ["kind", "apiVersion", "metadata"]
        out = {k: obj[k] for k in head if k in obj}
        meta = out.get("metadata")
        if isinstance(meta, dict) and len(meta) > 1:
            from kctl.sandbox._schema import object_meta_rank

            rank = object_meta_rank()
            out["metadata"] = {k: meta[k] for k in sorted(meta, key=lambda k: rank.get(k, 99))}
        rest = [k for k in obj if k not in head]
        tail = [k for k in rest if k == "status"]
        for k in [k for k in rest if k != "status"] + tail:
            out[k] = obj[k]
        return out

    # --- create --------------------------------------------------------------------------

    def create(
        self,
        rt: ResourceType,
        namespace: str,
        obj: Any,
        *,
        dry_run: bool = False,
        keep_status: bool = False,
        tracker: Tracker | None = None,
        admission: Admission | None = None,
    ) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise st.bad_request("the object provided is unrecognized")
        obj = copy.deepcopy(obj)
        self._check_type(rt, obj)
        self._decode(rt, obj, admission)
        meta = obj.get("metadata")
        if meta is None:
            meta = obj["metadata"] = {}
        if not isinstance(meta, dict):
            raise st.bad_request("metadata must be an object")
        if rt.namespaced:
            body_ns = meta.get("namespace")
            if body_ns and namespace and body_ns != namespace:
                raise st.bad_request(
                    "the namespace of the provided object does not match the namespace sent on "
                    "the request"
                )
            meta["namespace"] = namespace or body_ns or "default"
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + generate_name_suffix()
        causes = validate_object(rt, obj) + event_causes(rt, obj, None)
        if causes:
            # Converted kinds are validated as their internal (stored) type, whose group the
            # error names.
            group = "" if needs_conversion(rt) else rt.group
            raise st.invalid(group, rt.kind, meta.get("name") or "", causes)
        self._guard(rt, obj, None, admission)
        with self._write_lock:
            if rt.namespaced:
                self.check_namespace(meta["namespace"], creating=True)
            key = storage_key(rt)
            if self.store.get(key, meta.get("namespace", ""), meta["name"]) is not None:
                raise st.already_exists(rt.group, rt.plural, meta["name"])
            status = obj.get("status")
            prepare_create(rt, obj, self.now())
            if keep_status and status is not None:
                obj["status"] = status
            self._defaults(rt, obj, admission)
            if (rt.group, rt.kind) == ("apps", "DaemonSet"):
                from kctl.sandbox._daemonsets import stamp_template_generation

                stamp_template_generation(obj, None)
            if tracker is not None:
                obj = tracker(None, obj)
            self._admit(rt, obj, None, dry_run)
            obj = self._reorder(obj)
            if dry_run:
                return obj
            return self._put(rt, obj)

    # --- update --------------------------------------------------------------------------

    def update(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        obj: Any,
        *,
        subresource: str = "",
        dry_run: bool = False,
        tracker: Tracker | None = None,
        admission: Admission | None = None,
    ) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise st.bad_request("the object provided is unrecognized")
        obj = copy.deepcopy(obj)
        self._check_type(rt, obj)
        self._decode(rt, obj, admission)
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise st.bad_request("metadata must be an object")
        if meta.get("name") and meta["name"] != name:
            raise st.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL "
                f"({name})"
            )
        meta["name"] = name
        if rt.namespaced:
            body_ns = meta.get("namespace")
            if body_ns and body_ns != namespace:
                raise st.bad_request(
                    "the namespace of the provided object does not match the namespace sent on "
                    "the request"
                )
            meta["namespace"] = namespace
        with self._write_lock:
            current = self.get_entry(rt, namespace, name)
            want_rv = meta.get("resourceVersion")
            if want_rv and want_rv != current.obj["metadata"]["resourceVersion"]:
                raise st.conflict(rt.group, rt.plural, name, _CONFLICT_MODIFIED)
            meta["resourceVersion"] = current.obj["metadata"]["resourceVersion"]
            old = current.obj
            ephemeral = subresource == "ephemeralcontainers"
            if ephemeral:
                from kctl.sandbox._ephemeral import ephemeral_only

                # The rest of the pod is the stored one: an update of it, as far as the
                # generation and status go.
                obj = ephemeral_only(obj, old)
            prepare_update(rt, obj, old, subresource="" if ephemeral else subresource)
            if ephemeral:
                from kctl.sandbox._ephemeral import ephemeral_update_causes

                self._defaults(rt, obj, admission)
                self._admit(rt, obj, old, dry_run)
                causes = ephemeral_update_causes(obj, old)
                if causes:
                    raise st.invalid(rt.group, rt.kind, name, causes)
            elif not subresource:
                causes = validate_object(rt, obj, old, self._full_defaults)
                causes += event_causes(rt, obj, old)
                if causes:
                    group = "" if needs_conversion(rt) else rt.group
                    raise st.invalid(group, rt.kind, name, causes)
                self._guard(rt, obj, old, admission)
                self._defaults(rt, obj, admission)
                if (rt.group, rt.kind) == ("apps", "DaemonSet"):
                    from kctl.sandbox._daemonsets import stamp_template_generation

                    stamp_template_generation(obj, old)
            elif subresource == "binding" and "generation" in old["metadata"]:
                # Scheduling a pod is not a spec change its owner made.
                obj["metadata"]["generation"] = old["metadata"]["generation"]
            if tracker is not None:
                obj = tracker(old, obj)
            if not subresource:
                self._admit(rt, obj, old, dry_run)
                if "generation" in old["metadata"]:
                    # Judged after defaulting, admission and pruning: a write that only
                    # spells out defaults (kubectl replace) or fields the schema drops
                    # changes nothing.
                    bump = _spec_of(obj) != _spec_of(old)
                    if rt.group == "apps" and rt.kind == "Deployment":
                        # Annotations are copied to the ReplicaSets, so they count as spec.
                        bump = bump or (obj["metadata"].get("annotations") or {}) != (
                            old["metadata"].get("annotations") or {}
                        )
                    obj["metadata"]["generation"] = old["metadata"]["generation"] + int(bump)
            obj = self._reorder(obj)
            return self._commit_update(rt, obj, old, dry_run)

    def _commit_update(
        self, rt: ResourceType, obj: dict[str, Any], old: dict[str, Any], dry_run: bool
    ) -> dict[str, Any]:
        meta = obj["metadata"]
        if obj == old:
            # etcd skips writes of identical bytes: no new resourceVersion, no watch event.
            return copy.deepcopy(old)
        if dry_run:
            return obj
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            entry = self.store.remove(storage_key(rt), meta.get("namespace", ""), meta["name"])
            return copy.deepcopy(entry.obj) if entry else obj
        return self._put(rt, obj)

    def mutate(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        change: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        subresource: str = "",
        dry_run: bool = False,
        tracker: Tracker | None = None,
        admission: Admission | None = None,
    ) -> dict[str, Any]:
        """Read, transform (patches, scale, controllers), and write under the write lock."""
        with self._write_lock:
            current = self.get(rt, namespace, name)
            rv = current["metadata"]["resourceVersion"]
            new = change(copy.deepcopy(current))
            if not isinstance(new, dict):
                raise st.bad_request("the object provided is unrecognized")
            meta = new.get("metadata")
            if not isinstance(meta, dict):
                new["metadata"] = meta = {}
            if meta.get("resourceVersion") is None:
                meta["resourceVersion"] = rv
            return self.update(
                rt,
                namespace,
                name,
                new,
                subresource=subresource,
                dry_run=dry_run,
                tracker=tracker,
                admission=admission,
            )

    # --- delete --------------------------------------------------------------------------

    def delete(
        self, rt: ResourceType, namespace: str, name: str, options: DeleteOptions
    ) -> tuple[dict[str, Any], bool]:
        """Delete or start deleting; returns (object, removed_now)."""
        with self._write_lock:
            entry = self.get_entry(rt, namespace, name)
            obj = copy.deepcopy(entry.obj)
            meta = obj["metadata"]
            if options.precondition_uid and options.precondition_uid != meta.get("uid"):
                raise st.conflict(
                    rt.group,
                    rt.plural,
                    name,
                    f"Precondition failed: UID in precondition: {options.precondition_uid}, "
                    f"UID in object meta: {meta.get('uid', '')}",
                )
            if options.precondition_rv and options.precondition_rv != meta.get("resourceVersion"):
                raise st.conflict(
                    rt.group,
                    rt.plural,
                    name,
                    "Precondition failed: ResourceVersion in precondition: "
                    f"{options.precondition_rv}, ResourceVersion in object meta: "
                    f"{meta.get('resourceVersion', '')}",
                )
            finalizers = list(meta.get("finalizers") or [])
            policy = options.propagation_policy
            if policy is None and rt.kind == "Namespace":
                policy = "Background"
            if policy == "Foreground" and "foregroundDeletion" not in finalizers:
                finalizers.append("foregroundDeletion")
            elif policy == "Orphan" and "orphan" not in finalizers:
                finalizers.append("orphan")
            grace = self._grace_period(rt, obj, options)
            if meta.get("deletionTimestamp"):
                # Already terminating: only a shorter grace period changes anything.
                if grace == 0 and not finalizers and rt.kind == "Pod":
                    return self._remove(rt, obj, options.dry_run), True
                return obj, False
            if rt.kind == "Namespace":
                spec_finalizers = (obj.get("spec") or {}).get("finalizers") or []
                if spec_finalizers or finalizers:
                    meta["deletionTimestamp"] = format_time(self.now())
                    meta["deletionGracePeriodSeconds"] = 0
                    if finalizers:
                        meta["finalizers"] = finalizers
                    obj.setdefault("status", {})["phase"] = "Terminating"
                    return self._write(rt, obj, options.dry_run), False
            if finalizers or grace > 0:
                when = self.now() + timedelta(seconds=grace)
                meta["deletionTimestamp"] = format_time(when)
                meta["deletionGracePeriodSeconds"] = grace
                if finalizers:
                    meta["finalizers"] = finalizers
                if "generation" in meta:
                    meta["generation"] += 1
                return self._write(rt, obj, options.dry_run), False
            return self._remove(rt, obj, options.dry_run), True

    def _grace_period(self, rt: ResourceType, obj: dict[str, Any], options: DeleteOptions) -> int:
        if rt.kind != "Pod":
            return 0
        # A pod that never reached a node has no kubelet to wait for (CheckGracefulDelete).
        if not (obj.get("spec") or {}).get("nodeName"):
            return 0
        phase = (obj.get("status") or {}).get("phase")
        if phase in ("Failed", "Succeeded"):
            return 0
        if options.grace_period_seconds is not None:
            return max(0, options.grace_period_seconds)
        return int((obj.get("spec") or {}).get("terminationGracePeriodSeconds", 30))

    def _write(self, rt: ResourceType, obj: dict[str, Any], dry_run: bool) -> dict[str, Any]:
        if dry_run:
            return obj
        return self._put(rt, obj)

    def _remove(self, rt: ResourceType, obj: dict[str, Any], dry_run: bool) -> dict[str, Any]:
        if dry_run:
            return obj
        meta = obj["metadata"]
        entry = self.store.remove(storage_key(rt), meta.get("namespace", ""), meta["name"])
        return copy.deepcopy(entry.obj) if entry else obj

    def remove_finalizer(self, rt: ResourceType, namespace: str, name: str, finalizer: str) -> None:
        def drop(obj: dict[str, Any]) -> dict[str, Any]:
            obj["metadata"]["finalizers"] = [
                f for f in obj["metadata"].get("finalizers") or [] if f != finalizer
            ]
            if not obj["metadata"]["finalizers"]:
                del obj["metadata"]["finalizers"]
            return obj

        try:
            self.mutate(rt, namespace, name, drop)
        except StatusError as err:
            if err.code != 404:
                raise

    def force_remove(self, rt: ResourceType, namespace: str, name: str) -> None:
        self.store.remove(storage_key(rt), namespace, name)


def _spec_of(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "kind", "apiVersion")}


def parse_body(data: bytes, content_type: str) -> Any:
    """Decode a request body as JSON or YAML; malformed input is a 400 like the apiserver's."""
    media = content_type.split(";")[0].strip().lower()
    if media in ("application/yaml", "application/apply-patch+yaml"):
        # The apiserver reads YAML through sigs.k8s.io/yaml, as kubectl does.
        from kctl.util import goyaml

        try:
            return goyaml.load(data)
        except goyaml.YAMLSyntaxError as err:
            raise st.bad_request(f"error converting YAML to JSON: {err}") from None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise st.bad_request(f"couldn't get version/kind; json parse error: {err}") from None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
