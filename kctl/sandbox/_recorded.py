"""What the real kube-apiserver the sandbox mimics says about itself, recorded from it.

``envtest/record_sandbox_data.py`` writes these files from a running kube-apiserver (see its
docstring for their layout); rerun it when the Kubernetes version moves. Each file is read on
first use and kept: the discovery file is small and read at import by the catalogue, the
OpenAPI files only when a client asks for OpenAPI.
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources
from typing import Any

__all__ = [
    "api_service_priority",
    "column_definitions",
    "health_checks",
    "openapi_v2",
    "openapi_v3",
    "server",
    "version",
]


def _load(name: str) -> Any:
    raw = resources.files("kctl.sandbox").joinpath(f"data/{name}").read_bytes()
    return json.loads(gzip.decompress(raw))


@functools.cache
def server() -> dict[str, Any]:
    """server.json.gz: version, health checks, APIService priorities, discovery, tables."""
    doc: dict[str, Any] = _load("server.json.gz")
    return doc


def version() -> dict[str, str]:
    """GET /version of the recorded server."""
    return dict(server()["version"])


def health_checks(endpoint: str) -> tuple[str, ...] | None:
    """The check names of /healthz, /livez or /readyz, in the order the server lists them."""
    checks = server()["health"].get(endpoint)
    return None if checks is None else tuple(checks)


def api_service_priority(group: str, version: str) -> tuple[int, int] | None:
    """(groupPriorityMinimum, versionPriority) of a built-in group-version's APIService."""
    spec = server()["apiServices"].get(f"{version}.{group}")
    return None if spec is None else (spec["groupPriorityMinimum"], spec["versionPriority"])


def column_definitions(group: str, version: str, plural: str) -> list[dict[str, Any]] | None:
    """The Table columnDefinitions the server sends for a built-in resource."""
    columns = server()["tables"].get(f"{group}/{version}/{plural}")
    return None if columns is None else [dict(c) for c in columns]


@functools.cache
def openapi_v2() -> dict[str, Any]:
    """GET /openapi/v2 (JSON) of the recorded server. Callers must not mutate it."""
    doc: dict[str, Any] = _load("openapi-v2.json.gz")
    return doc


@functools.cache
def openapi_v3() -> dict[str, dict[str, Any]]:
    """Every GET /openapi/v3/<path> document of the recorded server, by path, whole again.
    Callers must not mutate them."""
    stored = _load("openapi-v3.json.gz")
    shared = stored["schemas"]
    out: dict[str, dict[str, Any]] = {}
    for path, entry in stored["documents"].items():
        doc = entry["document"]
        if "schemas" in entry:
            overrides = entry.get("overrides", {})
            schemas = {name: overrides.get(name, shared[name]) for name in entry["schemas"]}
            doc.setdefault("components", {})["schemas"] = schemas
        out[path] = doc
    return out
