"""kube-apiserver's /healthz, /livez and /readyz endpoints (k8s.io/apiserver/pkg/server/healthz).

A plain GET answers ``ok``; ``?verbose`` lists every check as ``[+]name ok`` and ends with
``<endpoint> check passed``; ``?exclude=name`` marks a check ``excluded: ok``; ``/readyz/<check>``
runs one check. The checks are the ones a 1.35 apiserver registers with default flags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["health_response"]

_POST_START_HOOKS = (
    "start-apiserver-admission-initializer",
    "generic-apiserver-start-informers",
    "priority-and-fairness-config-consumer",
    "priority-and-fairness-filter",
    "storage-object-count-tracker-hook",
    "start-apiextensions-informers",
    "start-apiextensions-controllers",
    "crd-informer-synced",
    "start-system-namespaces-controller",
    "start-cluster-authentication-info-controller",
    "start-kube-apiserver-identity-lease-controller",
    "start-kube-apiserver-identity-lease-garbage-collector",
    "start-legacy-token-tracking-controller",
    "start-service-ip-repair-controllers",
    "rbac/bootstrap-roles",
    "scheduling/bootstrap-system-priority-classes",
    "priority-and-fairness-config-producer",
    "bootstrap-controller",
    "start-kubernetes-service-cidr-controller",
    "aggregator-reload-proxy-client-cert",
    "start-kube-aggregator-informers",
    "apiservice-status-local-available-controller",
    "apiservice-status-remote-available-controller",
    "apiservice-registration-controller",
    "apiservice-discovery-controller",
    "kube-apiserver-autoregistration",
)
_HOOKS = tuple(f"poststarthook/{name}" for name in _POST_START_HOOKS)
_TAIL = ("autoregister-completion", "poststarthook/apiservice-openapi-controller",
         "poststarthook/apiservice-openapiv3-controller")  # fmt: skip
_CHECKS: dict[str, tuple[str, ...]] = {
    "healthz": ("ping", "log", "etcd", "kms-providers", *_HOOKS, *_TAIL),
    "livez": ("ping", "log", "etcd", "kms-providers", *_HOOKS, *_TAIL),
    "readyz": (
        "ping",
        "log",
        "etcd",
        "etcd-readiness",
        "kms-providers",
        "informer-sync",
        *_HOOKS,
        *_TAIL,
        "shutdown",
    ),
}


def health_response(path: str, query: Mapping[str, Sequence[str]]) -> tuple[int, str] | None:
    """(status, text/plain body) for a health path, or None when it names no check."""
    endpoint, _, check = path.strip("/").partition("/")
    checks = _CHECKS.get(endpoint)
    if checks is None:
        return None
    if check:
        return (200, "ok") if check in checks else None
    excluded = {name for value in query.get("exclude", ()) for name in value.split(",") if name}
    if "verbose" not in query:
        return 200, "ok"
    lines = [f"[+]{name} excluded: ok" if name in excluded else f"[+]{name} ok" for name in checks]
    unknown = sorted(excluded - set(checks))
    if unknown:
        # Excluding a check that does not exist is reported, as the apiserver does.
        quoted = ",".join(f'"{name}"' for name in unknown)
        lines.append(f"warn: some health checks cannot be excluded: no matches for {quoted}")
    lines.append(f"{endpoint} check passed")
    return 200, "\n".join(lines) + "\n"
