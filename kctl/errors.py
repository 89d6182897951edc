"""Every error kctl raises, under one root.

    KctlError
    ├── ConfigError                    kubeconfig, flags, in-cluster: nothing was sent yet
    │   ├── ConfigInvalidError         "invalid configuration: ..." (client-go's validation)
    │   ├── ContextNotFoundError       "context was not found for specified context: X"
    │   ├── ConfigLoadError            'error loading config file "F": ...'
    │   ├── NotInClusterError          in_cluster_config() outside a pod
    │   └── AuthConfigError            exec plugins, auth-provider, token files
    ├── RequestError                   a request that could not be built (pure, before sending)
    ├── TransportError                 the request never got an HTTP answer
    │   ├── ConnectError               refused, unreachable, DNS, TLS handshake
    │   └── TimeoutError               client-side timeout elapsed
    ├── StatusError                    the server answered with a non-2xx metav1.Status
    ├── WatchError                     a watch stream ended in a way the caller must hear about
    ├── StreamError                    an exec, attach or port-forward stream failed
    │   └── UpgradeFailureError        the server refused the WebSocket upgrade
    ├── CodeExitError                  a remote command exited non-zero; ``code`` carries it
    ├── PatchError                     a patch that cannot be applied or computed
    │   ├── JSONPatchError             RFC 6902 operations that do not apply
    │   ├── PatchConflictError         three-way merge: a change conflicts with the live object
    │   └── ApplyConflictError         server-side apply: fields owned by other managers
    └── DiscoveryError
        ├── GroupDiscoveryFailedError  some group-versions failed; partial results attached
        ├── NoMatchError               the RESTMapper knows no such resource or kind
        │   ├── NoResourceMatchError   "no matches for /, Resource=foo"
        │   └── NoKindMatchError       'no matches for kind "X" in group "Y"'
        └── AmbiguousResourceError     a partial resource or kind matches several

The ``is_*`` helpers mirror apimachinery's ``errors.IsNotFound`` family: they look at the
Status reason first and fall back to the HTTP code when the reason is not a known one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kctl.schema import GroupKind, GroupVersionKind, GroupVersionResource

__all__ = [
    "AmbiguousResourceError",
    "ApplyConflictError",
    "AuthConfigError",
    "CodeExitError",
    "ConfigError",
    "ConfigInvalidError",
    "ConfigLoadError",
    "ConnectError",
    "ContextNotFoundError",
    "DiscoveryError",
    "GroupDiscoveryFailedError",
    "JSONPatchError",
    "KctlError",
    "NoKindMatchError",
    "NoMatchError",
    "NoResourceMatchError",
    "NotInClusterError",
    "PatchConflictError",
    "PatchError",
    "PrinterError",
    "RequestError",
    "ResponseBodyError",
    "ResponseDecodeError",
    "StatusError",
    "StreamError",
    "TimeoutError",
    "TransportError",
    "UpgradeFailureError",
    "WatchError",
    "is_already_exists",
    "is_bad_request",
    "is_conflict",
    "is_forbidden",
    "is_gone",
    "is_internal_error",
    "is_invalid",
    "is_method_not_supported",
    "is_not_acceptable",
    "is_not_found",
    "is_resource_expired",
    "is_server_timeout",
    "is_service_unavailable",
    "is_timeout",
    "is_too_many_requests",
    "is_unauthorized",
    "is_unsupported_media_type",
    "new_status_error",
    "reason_for_error",
]


class KctlError(Exception):
    """The root of every error kctl raises on purpose."""


class PrinterError(KctlError):
    """Output could not be formatted as asked: a bad template, column spec or sort field."""


class ConfigError(KctlError):
    """The configuration could not be loaded or is not usable."""


class ConfigInvalidError(ConfigError):
    """client-go's ``invalid configuration: ...`` aggregate."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        text = self.errors[0] if len(self.errors) == 1 else "[" + ", ".join(self.errors) + "]"
        super().__init__(f"invalid configuration: {text}")


class ContextNotFoundError(ConfigError):
    def __init__(self, context: str) -> None:
        self.context = context
        super().__init__(f"context was not found for specified context: {context}")


class ConfigLoadError(ConfigError):
    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        super().__init__(f'error loading config file "{path}": {detail}')


class NotInClusterError(ConfigError):
    """client-go's ErrNotInCluster."""

    def __init__(self) -> None:
        super().__init__(
            "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
            "KUBERNETES_SERVICE_PORT must be defined"
        )


class AuthConfigError(ConfigError):
    """Credentials that cannot be obtained: a failing exec plugin, an auth-provider, ..."""


class RequestError(KctlError):
    """A request that cannot be built, e.g. ``resource name may not be empty``."""


class ResponseDecodeError(RequestError):
    """A 2xx body client-go could not decode: not JSON (Go's syntax error text), or a content
    type without a serializer. A plain error to kubectl, neither a Status nor a *url.Error."""


class TransportError(KctlError):
    """No HTTP response was received."""

    def __init__(self, message: str, *, host: str = "") -> None:
        self.host = host
        super().__init__(message)


class ConnectError(TransportError):
    """The connection could not be made (refused, unreachable, TLS failure)."""

    def __init__(self, message: str, *, host: str = "", refused: bool = False) -> None:
        self.refused = refused
        super().__init__(message, host=host)


# Shadows the builtin on purpose: callers spell it kctl.errors.TimeoutError.
class TimeoutError(TransportError):
    """The client-side timeout elapsed before the server answered."""


class ResponseBodyError(TransportError):
    """The headers arrived but the body broke off (a reset, an early EOF). client-go decides
    on retries before it reads a body, so this is never retried."""


class WatchError(KctlError):
    """A watch ended with an error the caller must handle (e.g. 410 Expired)."""

    def __init__(self, message: str, status: Mapping[str, Any] | None = None) -> None:
        self.status = dict(status) if status else None
        super().__init__(message)


class StreamError(KctlError):
    """A stream into a container (exec, attach, port-forward) failed after or while opening:
    a protocol error on the error channel, or the connection dropping mid-stream."""


class UpgradeFailureError(StreamError):
    """The server did not switch protocols (httpstream.UpgradeFailureError: ``unable to
    upgrade streaming request: ...``). ``status`` is the metav1.Status it answered with, if
    any, and ``body`` the start of its answer."""

    def __init__(
        self, message: str, *, status: Mapping[str, Any] | None = None, body: bytes = b""
    ) -> None:
        self.status = dict(status) if status else None
        self.body = body
        super().__init__(message)


class CodeExitError(KctlError):
    """The remote command ended with a non-zero exit code (client-go's exec.CodeExitError);
    kubectl prints the message and exits with ``code``."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(f"command terminated with exit code {code}")


class PatchError(KctlError):
    """A patch that cannot be applied to, or computed from, the given documents."""


class JSONPatchError(PatchError):
    """An RFC 6902 operation that does not apply; texts follow evanphx/json-patch."""


class PatchConflictError(PatchError):
    """apimachinery's ErrConflict/precondition failures from three-way merge patches."""


class ApplyConflictError(PatchError):
    """Server-side apply touched fields other managers own; ``conflicts`` holds
    ``(manager, api_version, field_path)`` triples, as structured-merge-diff reports them."""

    def __init__(self, message: str, conflicts: list[tuple[str, str, str]]) -> None:
        self.conflicts = list(conflicts)
        super().__init__(message)


class StatusError(KctlError):
    """A non-2xx answer, decoded into a metav1.Status."""

    def __init__(self, status: Mapping[str, Any]) -> None:
        self.status: dict[str, Any] = dict(status)
        super().__init__(self.message)

    @property
    def code(self) -> int:
        return int(self.status.get("code") or 0)

    @property
    def reason(self) -> str:
        return str(self.status.get("reason") or "")

    @property
    def message(self) -> str:
        return str(self.status.get("message") or "")

    @property
    def details(self) -> dict[str, Any]:
        return dict(self.status.get("details") or {})

    @property
    def causes(self) -> list[dict[str, Any]]:
        return list(self.details.get("causes") or [])

    @property
    def retry_after_seconds(self) -> int:
        return int(self.details.get("retryAfterSeconds") or 0)

    def __repr__(self) -> str:
        return f"StatusError(code={self.code}, reason={self.reason!r}, message={self.message!r})"


class DiscoveryError(KctlError):
    pass


class GroupDiscoveryFailedError(DiscoveryError):
    """Some group-versions failed; the caller still gets what succeeded."""

    def __init__(self, groups: Mapping[str, BaseException], *, partial: Any = None) -> None:
        self.groups = dict(groups)
        # What did succeed, in the shape the failing call returns (client-go returns both).
        self.partial = partial
        parts = [f"{gv}: {err}" for gv, err in sorted(self.groups.items())]
        super().__init__("unable to retrieve the complete list of server APIs: " + ", ".join(parts))


def _quote(text: str) -> str:
    """Go's %q for the plain names that appear here."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _go_list(items: Sequence[object]) -> str:
    return "[" + " ".join(str(i) for i in items) + "]"


class NoMatchError(DiscoveryError):
    """Nothing in discovery matches; kubectl prints these as "doesn't have a resource type"."""


class NoResourceMatchError(NoMatchError):
    """apimachinery's NoResourceMatchError for a partially specified GroupVersionResource."""

    def __init__(self, partial_resource: GroupVersionResource) -> None:
        self.partial_resource = partial_resource
        super().__init__(f"no matches for {partial_resource}")


class NoKindMatchError(NoMatchError):
    """apimachinery's NoKindMatchError."""

    def __init__(self, group_kind: GroupKind, searched_versions: Sequence[str] = ()) -> None:
        self.group_kind = group_kind
        self.searched_versions = list(searched_versions)
        searched = sorted(
            {f"{group_kind.group}/{v}" if group_kind.group else v for v in searched_versions}
        )
        kind, group = _quote(group_kind.kind), _quote(group_kind.group)
        if not searched:
            text = f"no matches for kind {kind} in group {group}"
        elif len(searched) == 1:
            text = f"no matches for kind {kind} in version {_quote(searched[0])}"
        else:
            quoted = _go_list([_quote(v) for v in searched])
            text = f"no matches for kind {kind} in versions {quoted}"
        super().__init__(text)


class AmbiguousResourceError(DiscoveryError):
    """apimachinery's AmbiguousResourceError / AmbiguousKindError."""

    def __init__(
        self,
        partial: object,
        *,
        matching_resources: Sequence[GroupVersionResource] = (),
        matching_kinds: Sequence[GroupVersionKind] = (),
    ) -> None:
        self.partial = partial
        self.matching_resources = list(matching_resources)
        self.matching_kinds = list(matching_kinds)
        resources, kinds = _go_list(self.matching_resources), _go_list(self.matching_kinds)
        if self.matching_resources and self.matching_kinds:
            text = f"{partial} matches multiple resources {resources} and kinds {kinds}"
        elif self.matching_kinds:
            text = f"{partial} matches multiple kinds {kinds}"
        elif self.matching_resources:
            text = f"{partial} matches multiple resources {resources}"
        else:
            text = f"{partial} matches multiple resources or kinds"
        super().__init__(text)


# Status reasons apimachinery knows; an unknown reason defers to the HTTP code.
_KNOWN_REASONS = frozenset(
    {
        "",
        "Unauthorized",
        "Forbidden",
        "NotFound",
        "AlreadyExists",
        "Conflict",
        "Gone",
        "Invalid",
        "ServerTimeout",
        "StoreReadError",
        "Timeout",
        "TooManyRequests",
        "BadRequest",
        "MethodNotAllowed",
        "NotAcceptable",
        "RequestEntityTooLarge",
        "UnsupportedMediaType",
        "InternalError",
        "Expired",
        "ServiceUnavailable",
    }
)


def new_status_error(
    code: int, reason: str, message: str, details: Mapping[str, Any] | None = None
) -> StatusError:
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        status["details"] = dict(details)
    return StatusError(status)


def reason_for_error(err: BaseException | None) -> str:
    return err.reason if isinstance(err, StatusError) else ""


def _check(err: BaseException | None, reason: str, code: int | None) -> bool:
    if not isinstance(err, StatusError):
        return False
    if err.reason == reason:
        return True
    return code is not None and err.reason not in _KNOWN_REASONS and err.code == code


def is_not_found(err: BaseException | None) -> bool:
    return _check(err, "NotFound", 404)


def is_already_exists(err: BaseException | None) -> bool:
    return _check(err, "AlreadyExists", None)


def is_conflict(err: BaseException | None) -> bool:
    return _check(err, "Conflict", 409)


def is_invalid(err: BaseException | None) -> bool:
    return _check(err, "Invalid", 422)


def is_gone(err: BaseException | None) -> bool:
    return _check(err, "Gone", 410)


def is_resource_expired(err: BaseException | None) -> bool:
    return _check(err, "Expired", 410)


def is_unauthorized(err: BaseException | None) -> bool:
    return _check(err, "Unauthorized", 401)


def is_forbidden(err: BaseException | None) -> bool:
    return _check(err, "Forbidden", 403)


def is_bad_request(err: BaseException | None) -> bool:
    return _check(err, "BadRequest", 400)


def is_method_not_supported(err: BaseException | None) -> bool:
    return _check(err, "MethodNotAllowed", 405)


def is_not_acceptable(err: BaseException | None) -> bool:
    return _check(err, "NotAcceptable", 406)


def is_unsupported_media_type(err: BaseException | None) -> bool:
    return _check(err, "UnsupportedMediaType", 415)


def is_server_timeout(err: BaseException | None) -> bool:
    return _check(err, "ServerTimeout", None)


def is_timeout(err: BaseException | None) -> bool:
    return _check(err, "Timeout", 504)


def is_too_many_requests(err: BaseException | None) -> bool:
    if _check(err, "TooManyRequests", 429):
        return True
    return isinstance(err, StatusError) and err.code == 429


def is_internal_error(err: BaseException | None) -> bool:
    return _check(err, "InternalError", 500)


def is_service_unavailable(err: BaseException | None) -> bool:
    return _check(err, "ServiceUnavailable", 503)
