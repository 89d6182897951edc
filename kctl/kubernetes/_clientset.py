"""client-go's kubernetes.Clientset: typed group clients sharing one Config."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from kctl.kubernetes import _groups as g

if TYPE_CHECKING:
    from kctl.discovery import DiscoveryClient
    from kctl.rest import Config, Transport

__all__ = ["ClientSet", "new_for_config"]

_G = TypeVar("_G", bound=g.GroupClient)


class ClientSet:
    """Group-version accessors (``core_v1()``, ``apps_v1()``, ...) built on first use.

    Every group client is made from the same Config object, so they share its rate limiter
    and connection pool (client-go builds one limiter for the whole clientset).
    """

    def __init__(self, config: Config, *, transport: Transport | None = None) -> None:
        self._config = config
        self._transport = transport
        self._groups: dict[type[g.GroupClient], g.GroupClient] = {}
        self._discovery: Any = None

    @property
    def config(self) -> Config:
        return self._config

    def _group(self, cls: type[_G]) -> _G:
        client = self._groups.get(cls)
        if client is None:
            client = cls(self._config, transport=self._transport)
            self._groups[cls] = client
        assert isinstance(client, cls)
        return client

    def discovery(self) -> DiscoveryClient:
        if self._discovery is None:
            from kctl.discovery import new_discovery_client_for_config

            self._discovery = new_discovery_client_for_config(self._config)
        client: DiscoveryClient = self._discovery
        return client

    def core_v1(self) -> g.CoreV1Client:
        return self._group(g.CoreV1Client)

    def apps_v1(self) -> g.AppsV1Client:
        return self._group(g.AppsV1Client)

    def batch_v1(self) -> g.BatchV1Client:
        return self._group(g.BatchV1Client)

    def networking_v1(self) -> g.NetworkingV1Client:
        return self._group(g.NetworkingV1Client)

    def rbac_v1(self) -> g.RbacV1Client:
        return self._group(g.RbacV1Client)

    def storage_v1(self) -> g.StorageV1Client:
        return self._group(g.StorageV1Client)

    def policy_v1(self) -> g.PolicyV1Client:
        return self._group(g.PolicyV1Client)

    def coordination_v1(self) -> g.CoordinationV1Client:
        return self._group(g.CoordinationV1Client)

    def autoscaling_v1(self) -> g.AutoscalingV1Client:
        return self._group(g.AutoscalingV1Client)

    def autoscaling_v2(self) -> g.AutoscalingV2Client:
        return self._group(g.AutoscalingV2Client)

    def discovery_v1(self) -> g.DiscoveryV1Client:
        return self._group(g.DiscoveryV1Client)

    def events_v1(self) -> g.EventsV1Client:
        return self._group(g.EventsV1Client)

    def scheduling_v1(self) -> g.SchedulingV1Client:
        return self._group(g.SchedulingV1Client)

    def apiextensions_v1(self) -> g.ApiextensionsV1Client:
        return self._group(g.ApiextensionsV1Client)

    def admissionregistration_v1(self) -> g.AdmissionregistrationV1Client:
        return self._group(g.AdmissionregistrationV1Client)

    def certificates_v1(self) -> g.CertificatesV1Client:
        return self._group(g.CertificatesV1Client)

    def node_v1(self) -> g.NodeV1Client:
        return self._group(g.NodeV1Client)


def new_for_config(config: Config, *, transport: Transport | None = None) -> ClientSet:
    """client-go's ``kubernetes.NewForConfig``; pass the same Config to share its limiter."""
    return ClientSet(config, transport=transport)
