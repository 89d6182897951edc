"""metav1.Status bodies exactly as kube-apiserver encodes them.

Key order follows the Go struct (kind, apiVersion, metadata, status, message, reason, details,
code) because clients that diff raw bodies, and our tests, compare bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kctl.errors import StatusError

__all__ = [
    "already_exists",
    "bad_request",
    "conflict",
    "expired",
    "forbidden",
    "gone",
    "internal_error",
    "invalid",
    "method_not_allowed",
    "not_acceptable",
    "not_found",
    "qualified",
    "resource_not_found",
    "status_body",
    "too_large",
    "unauthorized",
    "unknown",
    "unsupported_media_type",
]


def status_body(
    code: int,
    reason: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    *,
    status: str = "Failure",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": status,
    }
    if message:
        body["message"] = message
    if reason:
        body["reason"] = reason
    if details is not None:
        body["details"] = _ordered_details(details)
    body["code"] = code
    return body


def _ordered_details(details: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("name", "group", "kind", "uid", "causes", "retryAfterSeconds"):
        value = details.get(key)
        if value:
            out[key] = value
    return out


def _error(
    code: int, reason: str, message: str, details: Mapping[str, Any] | None = None
) -> StatusError:
    return StatusError(status_body(code, reason, message, details))


def qualified(group: str, plural: str) -> str:
    """GroupResource.String(): ``pods`` or ``deployments.apps``."""
    return f"{plural}.{group}" if group else plural


def not_found(group: str, plural: str, name: str) -> StatusError:
    return _error(
        404,
        "NotFound",
        f'{qualified(group, plural)} "{name}" not found',
        {"name": name, "group": group, "kind": plural},
    )


def resource_not_found() -> StatusError:
    return _error(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(group: str, plural: str, name: str) -> StatusError:
    return _error(
        409,
        "AlreadyExists",
        f'{qualified(group, plural)} "{name}" already exists',
        {"name": name, "group": group, "kind": plural},
    )


def conflict(group: str, plural: str, name: str, why: str) -> StatusError:
    return _error(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified(group, plural)} "{name}": {why}',
        {"name": name, "group": group, "kind": plural},
    )


def invalid(group: str, kind: str, name: str, causes: list[dict[str, str]]) -> StatusError:
    """NewInvalid: the message joins each cause's ``field: message``."""
    texts = [f"{c['field']}: {c['message']}" if c.get("field") else c["message"] for c in causes]
    summary = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    return _error(
        422,
        "Invalid",
        f'{qualified(group, kind)} "{name}" is invalid: {summary}',
        {"name": name, "group": group, "kind": kind, "causes": causes},
    )


def bad_request(message: str) -> StatusError:
    return _error(400, "BadRequest", message)


def too_large(message: str) -> StatusError:
    return _error(413, "RequestEntityTooLarge", message)


def expired(message: str) -> StatusError:
    return _error(410, "Expired", message)


def gone(message: str) -> StatusError:
    return _error(410, "Gone", message)


def method_not_allowed() -> StatusError:
    return _error(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
        {},
    )


def not_acceptable(message: str) -> StatusError:
    return _error(406, "NotAcceptable", message)


def unsupported_media_type(message: str) -> StatusError:
    return _error(415, "UnsupportedMediaType", message)


def unauthorized() -> StatusError:
    return _error(401, "Unauthorized", "Unauthorized")


def forbidden(message: str, details: Mapping[str, Any] | None = None) -> StatusError:
    return _error(403, "Forbidden", message, details)


def unknown(message: str, code: int = 500) -> StatusError:
    """ErrorToAPIStatus for an error that is no Status: reason Unknown (left out), no details."""
    return _error(code, "", message)


def internal_error(message: str) -> StatusError:
    return _error(
        500,
        "InternalError",
        f"Internal error occurred: {message}",
        {"causes": [{"message": message}]},
    )
