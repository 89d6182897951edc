"""Conversion between a served version and the stored one, where their fields differ.

events.k8s.io/v1 Events are core v1 Events in storage (as in etcd), with renamed fields
(pkg/apis/events/v1 conversion): the registry stores the core form and serves each API its
own, so an Event written through either API reads the same through the other. The key
order is that of each Go type's JSON encoding, with its omitempty rules.
"""

from __future__ import annotations

from typing import Any

from kctl.sandbox._catalog import ResourceType

__all__ = ["event_causes", "needs_conversion", "to_served", "to_storage"]

_EVENTS_V1 = "events.k8s.io/v1"
# (events.k8s.io/v1 name, core v1 name)
_RENAMED = (
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
    ("reportingController", "reportingComponent"),
)
_TO_CORE = dict(_RENAMED)
_TO_EVENTS = {core: new for new, core in _RENAMED}
# Each type's fields in its JSON order; True: always written (a struct, a Time that encodes
# as null, a string without omitempty), False: omitted when empty.
_CORE_ORDER = (
    ("involvedObject", True),
    ("reason", False),
    ("message", False),
    ("source", True),
    ("firstTimestamp", True),
    ("lastTimestamp", True),
    ("count", False),
    ("type", False),
    ("eventTime", True),
    ("series", False),
    ("action", False),
    ("related", False),
    ("reportingComponent", True),
    ("reportingInstance", True),
)
_EVENTS_ORDER = (
    ("eventTime", True),
    ("series", False),
    ("reportingController", False),
    ("reportingInstance", False),
    ("action", False),
    ("reason", False),
    ("regarding", True),
    ("related", False),
    ("note", False),
    ("type", False),
    ("deprecatedSource", True),
    ("deprecatedFirstTimestamp", True),
    ("deprecatedLastTimestamp", True),
    ("deprecatedCount", False),
)
_STRUCTS: dict[str, dict[str, Any]] = {
    "involvedObject": {},
    "source": {},
    "regarding": {},
    "deprecatedSource": {},
}
_STRINGS = ("reportingComponent", "reportingInstance")


def needs_conversion(rt: ResourceType) -> bool:
    return rt.group == "events.k8s.io" and rt.plural == "events"


def _rebuild(
    obj: dict[str, Any],
    names: dict[str, str],
    order: tuple[tuple[str, bool], ...],
    api_version: str,
) -> dict[str, Any]:
    fields = {names.get(k, k): v for k, v in obj.items() if k not in ("kind", "apiVersion")}
    out: dict[str, Any] = {"kind": "Event", "apiVersion": api_version}
    if "metadata" in fields:
        out["metadata"] = fields.pop("metadata")
    for name, always in order:
        value = fields.pop(name, None)
        if value in (None, "", 0, {}, []) and not always:
            continue
        if value is None and always:
            value = _STRUCTS.get(name, "" if name in _STRINGS else None)
            value = dict(value) if isinstance(value, dict) else value
        out[name] = value
    # Fields neither type knows stay, so strict decoding still sees them.
    out.update(fields)
    return out


def to_storage(rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    """The stored (core v1) form of an object written through ``rt``; a core Event gets the
    fields its Go type always encodes (``source: {}``, ``eventTime: null``, ...)."""
    if needs_conversion(rt) and obj.get("apiVersion") == _EVENTS_V1:
        return _rebuild(obj, _TO_CORE, _CORE_ORDER, "v1")
    if rt.group == "" and rt.plural == "events":
        return _rebuild(obj, {}, _CORE_ORDER, "v1")
    return obj


def to_served(rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    """A stored object as ``rt``'s version shows it."""
    if not needs_conversion(rt) or obj.get("apiVersion") == _EVENTS_V1:
        return obj
    return _rebuild(obj, _TO_EVENTS, _EVENTS_ORDER, _EVENTS_V1)


def event_causes(
    rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None
) -> list[dict[str, str]]:
    """The Event rules (create when ``old`` is None), checked on the stored form."""
    if rt.plural != "events" or rt.group not in ("", "events.k8s.io"):
        return []
    from kctl.sandbox._event_validation import event_causes as check

    return check(
        to_storage(rt, obj), to_storage(rt, old) if old is not None else None, needs_conversion(rt)
    )
