"""A fake RESTClient serving discovery documents, so DiscoveryClient runs its real logic
(Accept negotiation, aggregated vs legacy, 404s) without a network."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kctl.discovery import APIResourceList, DiscoveryClient, split_groups_and_resources
from kctl.errors import new_status_error

TESTDATA = Path(__file__).parent / "testdata"
AGGREGATED_CT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((TESTDATA / name).read_text())
    return data


def crd_group(
    group: str, version: str, *resources: dict[str, Any], stale: bool = False
) -> dict[str, Any]:
    return {
        "metadata": {"name": group},
        "versions": [
            {
                "version": version,
                "freshness": "Stale" if stale else "Current",
                "resources": list(resources),
            }
        ],
    }


def crd_resource(
    plural: str,
    kind: str,
    short: list[str] | None = None,
    categories: list[str] | None = None,
    scope: str = "Namespaced",
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resource": plural,
        "singularResource": kind.lower(),
        "responseKind": {"group": "", "version": "", "kind": kind},
        "scope": scope,
        "verbs": ["get", "list", "watch", "create", "delete"],
    }
    if short:
        out["shortNames"] = short
    if categories:
        out["categories"] = categories
    return out


class _Headers(dict[str, str]):
    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        for k, v in self.items():
            if k.lower() == key.lower():
                return v
        return default


class _Result:
    def __init__(self, body: bytes, content_type: str) -> None:
        self.raw = body
        self.status_code = 200
        self.headers = _Headers({"Content-Type": content_type})
        self.warnings: list[str] = []

    def json(self) -> Any:
        return json.loads(self.raw)


class _Request:
    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.path = ""
        self.headers: dict[str, str] = {}
        self.query: list[tuple[str, str]] = []

    def abs_path(self, *parts: str) -> _Request:
        self.path = "/".join(p.strip("/") for p in parts if p)
        self.path = "/" + self.path
        return self

    def set_header(self, key: str, *values: str) -> _Request:
        self.headers[key] = ",".join(values)
        return self

    def param(self, key: str, value: Any) -> _Request:
        self.query.append((key, str(value)))
        return self

    def do(self) -> _Result:
        return self.server.handle(self.path, self.headers.get("Accept", "application/json, */*"))


class FakeServer:
    """Serves /api, /apis (aggregated when asked and ``aggregated`` is on) and per-gv lists."""

    def __init__(
        self, api: dict[str, Any], apis: dict[str, Any], *, aggregated: bool = True
    ) -> None:
        self.api = api
        self.apis = apis
        self.aggregated = aggregated
        self.requests: list[tuple[str, str]] = []
        self.failing: dict[str, int] = {}  # path -> HTTP code
        self.extra: dict[str, Callable[[], bytes]] = {}
        self._lock = threading.Lock()

    def legacy_documents(self) -> dict[str, Any]:
        docs: dict[str, Any] = {}
        core_groups, core_res, _ = split_groups_and_resources(self.api)
        groups, resources, _ = split_groups_and_resources(self.apis)
        docs["/api"] = {
            "kind": "APIVersions",
            "versions": [v.version for g in core_groups.groups for v in g.versions],
        }
        docs["/apis"] = groups.to_dict()
        for gv, lst in {**core_res, **resources}.items():
            path = f"/api/{gv.version}" if not gv.group else f"/apis/{gv.group}/{gv.version}"
            docs[path] = lst.to_dict()
        return docs

    def handle(self, path: str, accept: str) -> _Result:
        with self._lock:
            self.requests.append((path, accept))
        if path in self.failing:
            code = self.failing[path]
            reason = {404: "NotFound", 503: "ServiceUnavailable"}.get(code, "InternalError")
            text = {
                404: "the server could not find the requested resource",
                503: "the server is currently unable to handle the request",
            }.get(code, "boom")
            raise new_status_error(code, reason, text)
        if path in self.extra:
            return _Result(self.extra[path](), "application/json")
        if self.aggregated and "as=APIGroupDiscoveryList" in accept and path in ("/api", "/apis"):
            doc = self.api if path == "/api" else self.apis
            return _Result(json.dumps(doc).encode(), AGGREGATED_CT)
        docs = self.legacy_documents()
        if path not in docs:
            raise new_status_error(
                404, "NotFound", "the server could not find the requested resource"
            )
        return _Result(json.dumps(docs[path]).encode(), "application/json")

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


class FakeRESTClient:
    def __init__(self, server: FakeServer) -> None:
        self.server = server

    def get(self) -> _Request:
        return _Request(self.server)


@pytest.fixture
def server() -> FakeServer:
    apis = load("aggregated_apis.json")
    apis = copy.deepcopy(apis)
    return FakeServer(load("aggregated_api.json"), apis)


@pytest.fixture
def client(server: FakeServer) -> DiscoveryClient:
    return DiscoveryClient(FakeRESTClient(server))  # type: ignore[arg-type]


def names(lst: APIResourceList) -> list[str]:
    return [r.name for r in lst.resources]


class Kit:
    """Helpers for the tests (importlib mode gives tests no access to conftest's names)."""

    FakeServer = FakeServer
    FakeRESTClient = FakeRESTClient
    crd_group = staticmethod(crd_group)
    crd_resource = staticmethod(crd_resource)
    load = staticmethod(load)
    names = staticmethod(names)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
