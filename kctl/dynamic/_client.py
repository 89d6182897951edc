"""client-go's dynamic client: any resource by GroupVersionResource, objects as plain dicts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kctl.dynamic._resource import ResourceClient
from kctl.schema import GroupVersionResource

if TYPE_CHECKING:
    from kctl.rest import Config, RESTClient, Transport

__all__ = ["DynamicClient", "DynamicResource", "new_for_config"]

Object = dict[str, Any]


class DynamicResource(ResourceClient[Object, Object]):
    """One resource of a DynamicClient; ``.namespace(ns)`` narrows it to a namespace."""

    _check_names = True
    _accept = "application/json"
    _timeout_from_options = False

    def __init__(self, client: RESTClient, gvr: GroupVersionResource, namespace: str = "") -> None:
        super().__init__(client, gvr.resource, namespace)
        self.gvr = gvr


def base_path(group: str, version: str) -> str:
    """``/api/v1`` for the core group, ``/apis/<group>/<version>`` otherwise (without the
    version segment when there is none, as path.Join drops it)."""
    prefix = "/api" if not group else f"/apis/{group}"
    return f"{prefix}/{version}" if version else prefix


class DynamicClient:
    """Talks to any resource; every RESTClient it makes shares the Config's limiter and pool."""

    def __init__(self, config: Config, *, transport: Transport | None = None) -> None:
        self._config = config
        self._transport = transport
        self._clients: dict[tuple[str, str], RESTClient] = {}

    @property
    def config(self) -> Config:
        return self._config

    def _client_for(self, group: str, version: str) -> RESTClient:
        key = (group, version)
        client = self._clients.get(key)
        if client is None:
            from kctl.rest import RESTClient

            client = RESTClient(
                self._config, base_path=base_path(group, version), transport=self._transport
            )
            self._clients[key] = client
        return client

    def resource(self, gvr: GroupVersionResource) -> DynamicResource:
        # An empty version is allowed, as client-go's: the path then has no version segment
        # (``/api/namespaces/...``), which is what kubectl sends for a manifest without one.
        if not gvr.resource:
            raise ValueError(f"resource {gvr} has no resource name")
        return DynamicResource(self._client_for(gvr.group, gvr.version), gvr)


def new_for_config(config: Config, *, transport: Transport | None = None) -> DynamicClient:
    """client-go's ``dynamic.NewForConfig``; pass the same Config to share its limiter."""
    return DynamicClient(config, transport=transport)
