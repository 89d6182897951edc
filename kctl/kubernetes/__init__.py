"""client-go's typed clientset.

    cs = kubernetes.new_for_config(cfg)
    pod = cs.core_v1().pods("dev").get("web-0")          # typed: kctl.types.Pod
    cs.apps_v1().deployments("dev").get_scale("web")
    cs.core_v1().rest_client()                            # the group's kctl.rest.RESTClient

Resource interfaces are ``kctl.dynamic.ResourceClient[T, TList]`` (or a subclass with the
resource's extra verbs) over TypedDicts from ``kctl.types``.
"""

from kctl.dynamic._resource import ResourceClient
from kctl.kubernetes._clientset import ClientSet, new_for_config
from kctl.kubernetes._extras import (
    CertificateSigningRequestClient,
    NamespaceClient,
    PodClient,
    ScalableClient,
    ServiceAccountClient,
)
from kctl.kubernetes._groups import (
    AdmissionregistrationV1Client,
    ApiextensionsV1Client,
    AppsV1Client,
    AutoscalingV1Client,
    AutoscalingV2Client,
    BatchV1Client,
    CertificatesV1Client,
    CoordinationV1Client,
    CoreV1Client,
    DiscoveryV1Client,
    EventsV1Client,
    GroupClient,
    NetworkingV1Client,
    NodeV1Client,
    PolicyV1Client,
    RbacV1Client,
    SchedulingV1Client,
    StorageV1Client,
)

__all__ = [
    "AdmissionregistrationV1Client",
    "ApiextensionsV1Client",
    "AppsV1Client",
    "AutoscalingV1Client",
    "AutoscalingV2Client",
    "BatchV1Client",
    "CertificateSigningRequestClient",
    "CertificatesV1Client",
    "ClientSet",
    "CoordinationV1Client",
    "CoreV1Client",
    "DiscoveryV1Client",
    "EventsV1Client",
    "GroupClient",
    "NamespaceClient",
    "NetworkingV1Client",
    "NodeV1Client",
    "PodClient",
    "PolicyV1Client",
    "RbacV1Client",
    "ResourceClient",
    "ScalableClient",
    "SchedulingV1Client",
    "ServiceAccountClient",
    "StorageV1Client",
    "new_for_config",
]
