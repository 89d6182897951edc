"""Event validation as kube-apiserver's (pkg/apis/core/validation/events.go): the legacy
rules for every Event, and the stricter ones for Events written through events.k8s.io/v1.

The checks read the stored (core) form, and name its fields, as the real server does
whichever API the request came through; only ``reportingController`` keeps the name of the
API that was used.
"""

from __future__ import annotations

from typing import Any

from kctl.sandbox._selectors import _qualified_name_errors
from kctl.sandbox._validation import Errors

__all__ = ["event_causes"]

_REPORTING_INSTANCE_LIMIT = 128
_ACTION_LIMIT = 128
_REASON_LIMIT = 128
_NOTE_LIMIT = 1024


def _legacy(errs: Errors, event: dict[str, Any], via_events_api: bool) -> None:
    namespace = event["metadata"].get("namespace", "")
    involved_ns = (event.get("involvedObject") or {}).get("namespace") or ""
    mismatch = "does not match event.namespace"
    if not event.get("eventTime"):
        if not involved_ns:
            if namespace not in ("", "default"):
                errs.invalid("involvedObject.namespace", involved_ns, mismatch)
        elif namespace != involved_ns:
            errs.invalid("involvedObject.namespace", involved_ns, mismatch)
        return
    if not involved_ns and namespace not in ("default", "kube-system"):
        errs.invalid("involvedObject.namespace", involved_ns, mismatch)
    controller_path = "reportingController" if via_events_api else "reportingComponent"
    controller = str(event.get("reportingComponent") or "")
    if not controller:
        errs.required(controller_path)
    for msg in _qualified_name_errors(controller):
        errs.invalid(controller_path, controller, msg)
    instance = str(event.get("reportingInstance") or "")
    if not instance:
        errs.required("reportingInstance")
    if len(instance) > _REPORTING_INSTANCE_LIMIT:
        errs.invalid(
            "reportingInstance", "", f"can have at most {_REPORTING_INSTANCE_LIMIT} characters"
        )
    action = str(event.get("action") or "")
    if not action:
        errs.required("action")
    if len(action) > _ACTION_LIMIT:
        errs.invalid("action", "", f"can have at most {_ACTION_LIMIT} characters")
    reason = str(event.get("reason") or "")
    if not reason:
        errs.required("reason")
    if len(reason) > _REASON_LIMIT:
        errs.invalid("reason", "", f"can have at most {_REASON_LIMIT} characters")
    if len(str(event.get("message") or "")) > _NOTE_LIMIT:
        errs.invalid("message", "", f"can have at most {_NOTE_LIMIT} characters")


def _series(errs: Errors, event: dict[str, Any]) -> None:
    series = event.get("series")
    if not isinstance(series, dict):
        return
    if int(series.get("count") or 0) < 2:
        errs.invalid("series.count", "", "should be at least 2")
    if not series.get("lastObservedTime"):
        errs.required("series.lastObservedTime")


def _immutable(errs: Errors, event: dict[str, Any], old: dict[str, Any], path: str) -> None:
    new_value, old_value = event.get(path), old.get(path)
    if (new_value or None) != (old_value or None):
        errs.invalid(path, new_value if new_value is not None else "", "field is immutable")


def event_causes(
    event: dict[str, Any], old: dict[str, Any] | None, via_events_api: bool
) -> list[dict[str, str]]:
    """ValidateEventCreate / ValidateEventUpdate on the core form of ``event``."""
    errs = Errors()
    _legacy(errs, event, via_events_api)
    if not via_events_api:
        return errs.causes
    if old is None:
        _series(errs, event)
        if not event.get("eventTime"):
            errs.required("eventTime")
        kind = event.get("type") or ""
        if kind not in ("Normal", "Warning"):
            errs.invalid("type", "", f"has invalid value: {kind}")
        for path in ("firstTimestamp", "lastTimestamp", "count"):
            if event.get(path):
                errs.invalid(path, "", "needs to be unset")
        source = event.get("source") or {}
        if isinstance(source, dict) and (source.get("component") or source.get("host")):
            errs.invalid("source", "", "needs to be unset")
        return errs.causes
    if event.get("series") != old.get("series"):
        _series(errs, event)
    for path in (
        "involvedObject",
        "reason",
        "message",
        "source",
        "firstTimestamp",
        "lastTimestamp",
        "count",
        "type",
    ):
        _immutable(errs, event, old, path)
    if str(event.get("eventTime") or "")[:26] != str(old.get("eventTime") or "")[:26]:
        _immutable(errs, event, old, "eventTime")
    for path in ("action", "related", "reportingComponent", "reportingInstance"):
        # The internal field is ReportingController, whatever the core JSON calls it.
        name = "reportingController" if path == "reportingComponent" else path
        new_value, old_value = event.get(path), old.get(path)
        if (new_value or None) != (old_value or None):
            errs.invalid(name, new_value if new_value is not None else "", "field is immutable")
    return errs.causes
