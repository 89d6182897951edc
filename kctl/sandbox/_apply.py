"""managedFields on every write and server-side apply, as kube-apiserver's handlers wire the
field manager in: Update operations for create/update/patch, Apply for apply patches.

The registry calls a *tracker* ``(live, new) -> new`` after it has carried over what a write
may not change, so managedFields describe exactly what gets stored. Fields a subresource write
cannot touch (status on the main resource, everything but status on ``/status``) are reset
before tracking, as the apiserver's ResetFieldsStrategy does.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kctl.errors import ApplyConflictError, PatchError, StatusError
from kctl.sandbox import _status as st
from kctl.sandbox._catalog import ResourceType
from kctl.sandbox._fieldmanager import (
    FieldManager,
    apply_conflict_status,
    default_manager,
    field_paths,
    format_path,
)
from kctl.sandbox._registry import Tracker

__all__ = ["apply_change", "field_manager_name", "update_tracker"]

_TYPE_KEYS = ("apiVersion", "kind", "metadata")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def field_manager_name(field_manager: str | None, user_agent: str) -> str:
    return field_manager or default_manager(user_agent)


def _manager_for(rt: ResourceType, now: Callable[[], datetime]) -> FieldManager:
    from kctl.util.strategicpatch import patch_meta_for

    return FieldManager(patch_meta_for(rt.group, rt.version, rt.kind), now)


def _tracked_part(rt: ResourceType, obj: dict[str, Any] | None, subresource: str) -> Any:
    """The part of ``obj`` a write through ``subresource`` may own."""
    if obj is None:
        return None
    if subresource == "status":
        return {k: v for k, v in obj.items() if k in (*_TYPE_KEYS, "status")}
    if rt.subresource("status") is not None and rt.kind != "Node":
        return {k: v for k, v in obj.items() if k != "status"}
    return obj


def update_tracker(
    rt: ResourceType, manager: str, subresource: str, now: Callable[[], datetime]
) -> Tracker:
    """Record an Update by ``manager`` (create, update and non-apply patches)."""
    fm = _manager_for(rt, now)

    def track(live: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
        tracked = fm.update(
            _tracked_part(rt, live, subresource),
            _tracked_part(rt, new, subresource),
            manager,
            rt.api_version,
            subresource,
        )
        managed = tracked["metadata"].get("managedFields")
        meta = new.setdefault("metadata", {})
        if managed:
            meta["managedFields"] = managed
        else:
            meta.pop("managedFields", None)
        return new

    return track


def apply_change(
    rt: ResourceType,
    name: str,
    applied: Any,
    manager: str,
    force: bool,
    subresource: str,
    now: Callable[[], datetime],
) -> tuple[Callable[[dict[str, Any] | None], dict[str, Any]], Tracker]:
    """(change, tracker) for an apply patch: ``change(live)`` merges the configuration into
    the live object (``None`` creates) and ``tracker`` keeps the managedFields it computed
    once the registry has reset what the write may not touch."""
    if not isinstance(applied, dict):
        raise st.bad_request("the object provided is unrecognized")
    applied = copy.deepcopy(applied)
    # A mismatching apiVersion or kind is refused by the registry's type check.
    if not applied.get("kind"):
        raise st.bad_request("Object 'Kind' is missing in the applied configuration")
    if not applied.get("apiVersion"):
        raise st.bad_request("Object 'apiVersion' is missing in the applied configuration")
    meta = applied.get("metadata")
    if not isinstance(meta, dict):
        meta = applied["metadata"] = {}
    if meta.get("name") and meta["name"] != name:
        raise st.bad_request(
            f"the name of the object ({meta['name']}) does not match the name on the URL ({name})"
        )
    meta["name"] = name
    config = _tracked_part(rt, applied, subresource)
    fm = _manager_for(rt, now)
    result: dict[str, Any] = {}

    def merge(live: dict[str, Any] | None, forced: bool) -> dict[str, Any]:
        return fm.apply(
            _tracked_part(rt, live, subresource),
            config,
            manager,
            rt.api_version,
            forced,
            subresource,
        )

    def change(live: dict[str, Any] | None) -> dict[str, Any]:
        try:
            try:
                merged = merge(live, force)
            except ApplyConflictError as err:
                if not _allowed_by_last_applied(err, live, manager, fm):
                    raise
                merged = merge(live, True)
        except ApplyConflictError as err:
            raise StatusError(apply_conflict_status(err)) from None
        except PatchError as err:
            raise StatusError(st.status_body(422, "Invalid", str(err))) from None
        result["managedFields"] = merged["metadata"].get("managedFields")
        if live is not None and subresource == "status":
            out = copy.deepcopy(live)
            out["status"] = merged.get("status")
            if out["status"] is None:
                out.pop("status")
            return out
        if live is not None and "status" in live and "status" not in merged:
            merged["status"] = live["status"]
        return merged

    def track(live: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
        managed = result.get("managedFields")
        if managed:
            new["metadata"]["managedFields"] = managed
        else:
            new["metadata"].pop("managedFields", None)
        return new

    return change, track


def _allowed_by_last_applied(
    err: ApplyConflictError, live: dict[str, Any] | None, manager: str, fm: FieldManager
) -> bool:
    """The apiserver's lastAppliedManager: ``kubectl apply --server-side`` may take over the
    fields its own client-side apply set (listed in the last-applied annotation), so moving
    from client-side to server-side apply never conflicts with oneself."""
    if manager != "kubectl" or live is None:
        return False
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    text = annotations.get(LAST_APPLIED)
    if not text:
        return False
    try:
        last = json.loads(text)
    except ValueError:
        return False
    if not isinstance(last, dict):
        return False
    allowed = {format_path(p) for p in field_paths(last, fm.meta)}
    return all(field in allowed for _, _, field in err.conflicts)
