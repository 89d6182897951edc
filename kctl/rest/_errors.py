"""Turning non-2xx answers into StatusError, as client-go's transformResponse does."""

from __future__ import annotations

import json
from typing import Any

from kctl.errors import StatusError

__all__ = ["decode_status", "generic_server_response", "is_json_media", "is_text_response"]

MAX_UNSTRUCTURED_TEXT = 2048


def _go_q(text: str) -> str:
    from kctl.rest._goformat import go_quote

    return go_quote(text)


def generic_server_response(
    code: int,
    verb: str,
    group: str,
    resource: str,
    name: str,
    server_message: str,
    retry_after: int,
) -> StatusError:
    """apimachinery's NewGenericServerResponse(isUnexpectedResponse=true)."""
    reason = ""
    message = (
        f"the server responded with the status code {code} but did not return more information"
    )
    if code == 409:
        reason = "AlreadyExists" if verb == "POST" else "Conflict"
        message = "the server reported a conflict"
    elif code == 404:
        reason, message = "NotFound", "the server could not find the requested resource"
    elif code == 400:
        reason, message = "BadRequest", "the server rejected our request for an unknown reason"
    elif code == 401:
        reason = "Unauthorized"
        message = "the server has asked for the client to provide credentials"
    elif code == 403:
        reason, message = "Forbidden", server_message
    elif code == 406:
        reason = "NotAcceptable"
        if not server_message or server_message == "unknown":
            message = (
                "the server was unable to respond with a content type that the client supports"
            )
        else:
            message = server_message
    elif code == 415:
        reason, message = "UnsupportedMediaType", server_message
    elif code == 405:
        reason = "MethodNotAllowed"
        message = "the server does not allow this method on the requested resource"
    elif code == 422:
        reason = "Invalid"
        message = "the server rejected our request due to an error in our request"
    elif code == 503:
        reason, message = (
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        )
    elif code == 504:
        reason = "Timeout"
        message = (
            "the server was unable to return a response in the time allotted, "
            "but may still be processing the request"
        )
    elif code == 429:
        reason = "TooManyRequests"
        message = "the server has received too many requests and has asked us to try again later"
    elif code >= 500:
        reason = "InternalError"
        message = (
            f"an error on the server ({_go_q(server_message)}) has prevented the request "
            "from succeeding"
        )
    qualified = f"{resource}.{group}" if group and resource else resource
    if qualified and name:
        message = f"{message} ({verb.lower()} {qualified} {name})"
    elif qualified:
        message = f"{message} ({verb.lower()} {qualified})"
    details: dict[str, Any] = {
        "causes": [{"reason": "UnexpectedServerResponse", "message": server_message}]
    }
    if resource:
        details["kind"] = resource
    if group and resource:
        details["group"] = group
    if name:
        details["name"] = name
    if retry_after:
        details["retryAfterSeconds"] = retry_after
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": details,
        "code": code,
    }
    return StatusError(status)


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_json_media(content_type: str) -> bool:
    media = _media_type(content_type)
    return media == "application/json" or media.endswith("+json")


def is_text_response(content_type: str) -> bool:
    return not content_type or _media_type(content_type).startswith("text/")


def decode_status(body: bytes) -> dict[str, Any] | None:
    """A metav1.Status in ``body``, or None."""
    try:
        obj = json.loads(body)
    except ValueError:
        return None
    if isinstance(obj, dict) and obj.get("kind") == "Status":
        return obj
    return None
