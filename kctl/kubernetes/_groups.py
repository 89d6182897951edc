"""One client per built-in group-version; each method is one resource interface.

No discovery round trip: the resource names and scopes are those of the built-in API.
Namespaced accessors take the namespace ("" means all namespaces for list and watch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kctl.dynamic._resource import ResourceClient
from kctl.kubernetes._extras import (
    CertificateSigningRequestClient,
    NamespaceClient,
    PodClient,
    ScalableClient,
    ServiceAccountClient,
)

if TYPE_CHECKING:
    from kctl.rest import Config, RESTClient, Transport
    from kctl.types import apps_v1 as apps
    from kctl.types import core_v1 as core
    from kctl.types import networking_v1 as net
    from kctl.types import other_v1 as other

__all__ = [
    "AdmissionregistrationV1Client",
    "ApiextensionsV1Client",
    "AppsV1Client",
    "AutoscalingV1Client",
    "AutoscalingV2Client",
    "BatchV1Client",
    "CertificatesV1Client",
    "CoordinationV1Client",
    "CoreV1Client",
    "DiscoveryV1Client",
    "EventsV1Client",
    "GroupClient",
    "NetworkingV1Client",
    "NodeV1Client",
    "PolicyV1Client",
    "RbacV1Client",
    "SchedulingV1Client",
    "StorageV1Client",
]


class GroupClient:
    """The REST client of one group-version, shared by its resource interfaces."""

    group = ""
    version = "v1"

    def __init__(self, config: Config, *, transport: Transport | None = None) -> None:
        from kctl.rest import RESTClient

        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        self._rest = RESTClient(config, base_path=base, transport=transport)

    def rest_client(self) -> RESTClient:
        return self._rest

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._rest.base_path})"


class CoreV1Client(GroupClient):
    def bindings(self, namespace: str) -> ResourceClient[core.Binding, core.Binding]:
        return ResourceClient(self._rest, "bindings", namespace)

    def component_statuses(
        self,
    ) -> ResourceClient[core.ComponentStatus, core.ComponentStatusList]:
        return ResourceClient(self._rest, "componentstatuses")

    def config_maps(self, namespace: str) -> ResourceClient[core.ConfigMap, core.ConfigMapList]:
        return ResourceClient(self._rest, "configmaps", namespace)

    def endpoints(self, namespace: str) -> ResourceClient[core.Endpoints, core.EndpointsList]:
        return ResourceClient(self._rest, "endpoints", namespace)

    def events(self, namespace: str) -> ResourceClient[core.Event, core.EventList]:
        return ResourceClient(self._rest, "events", namespace)

    def limit_ranges(self, namespace: str) -> ResourceClient[core.LimitRange, core.LimitRangeList]:
        return ResourceClient(self._rest, "limitranges", namespace)

    def namespaces(self) -> NamespaceClient:
        return NamespaceClient(self._rest, "namespaces")

    def nodes(self) -> ResourceClient[core.Node, core.NodeList]:
        return ResourceClient(self._rest, "nodes")

    def persistent_volumes(
        self,
    ) -> ResourceClient[core.PersistentVolume, core.PersistentVolumeList]:
        return ResourceClient(self._rest, "persistentvolumes")

    def persistent_volume_claims(
        self, namespace: str
    ) -> ResourceClient[core.PersistentVolumeClaim, core.PersistentVolumeClaimList]:
        return ResourceClient(self._rest, "persistentvolumeclaims", namespace)

    def pods(self, namespace: str) -> PodClient:
        return PodClient(self._rest, "pods", namespace)

    def pod_templates(
        self, namespace: str
    ) -> ResourceClient[core.PodTemplate, core.PodTemplateList]:
        return ResourceClient(self._rest, "podtemplates", namespace)

    def replication_controllers(
        self, namespace: str
    ) -> ScalableClient[core.ReplicationController, core.ReplicationControllerList]:
        return ScalableClient(self._rest, "replicationcontrollers", namespace)

    def resource_quotas(
        self, namespace: str
    ) -> ResourceClient[core.ResourceQuota, core.ResourceQuotaList]:
        return ResourceClient(self._rest, "resourcequotas", namespace)

    def secrets(self, namespace: str) -> ResourceClient[core.Secret, core.SecretList]:
        return ResourceClient(self._rest, "secrets", namespace)

    def services(self, namespace: str) -> ResourceClient[core.Service, core.ServiceList]:
        return ResourceClient(self._rest, "services", namespace)

    def service_accounts(
        self, namespace: str
    ) -> ServiceAccountClient[core.ServiceAccount, core.ServiceAccountList]:
        return ServiceAccountClient(self._rest, "serviceaccounts", namespace)


class AppsV1Client(GroupClient):
    group = "apps"

    def controller_revisions(
        self, namespace: str
    ) -> ResourceClient[apps.ControllerRevision, apps.ControllerRevisionList]:
        return ResourceClient(self._rest, "controllerrevisions", namespace)

    def daemon_sets(self, namespace: str) -> ResourceClient[apps.DaemonSet, apps.DaemonSetList]:
        return ResourceClient(self._rest, "daemonsets", namespace)

    def deployments(self, namespace: str) -> ScalableClient[apps.Deployment, apps.DeploymentList]:
        return ScalableClient(self._rest, "deployments", namespace)

    def replica_sets(self, namespace: str) -> ScalableClient[apps.ReplicaSet, apps.ReplicaSetList]:
        return ScalableClient(self._rest, "replicasets", namespace)

    def stateful_sets(
        self, namespace: str
    ) -> ScalableClient[apps.StatefulSet, apps.StatefulSetList]:
        return ScalableClient(self._rest, "statefulsets", namespace)


class BatchV1Client(GroupClient):
    group = "batch"

    def jobs(self, namespace: str) -> ResourceClient[apps.Job, apps.JobList]:
        return ResourceClient(self._rest, "jobs", namespace)

    def cron_jobs(self, namespace: str) -> ResourceClient[apps.CronJob, apps.CronJobList]:
        return ResourceClient(self._rest, "cronjobs", namespace)


class NetworkingV1Client(GroupClient):
    group = "networking.k8s.io"

    def ingresses(self, namespace: str) -> ResourceClient[net.Ingress, net.IngressList]:
        return ResourceClient(self._rest, "ingresses", namespace)

    def ingress_classes(self) -> ResourceClient[net.IngressClass, net.IngressClassList]:
        return ResourceClient(self._rest, "ingressclasses")

    def network_policies(
        self, namespace: str
    ) -> ResourceClient[net.NetworkPolicy, net.NetworkPolicyList]:
        return ResourceClient(self._rest, "networkpolicies", namespace)


class RbacV1Client(GroupClient):
    group = "rbac.authorization.k8s.io"

    def roles(self, namespace: str) -> ResourceClient[net.Role, net.RoleList]:
        return ResourceClient(self._rest, "roles", namespace)

    def role_bindings(self, namespace: str) -> ResourceClient[net.RoleBinding, net.RoleBindingList]:
        return ResourceClient(self._rest, "rolebindings", namespace)

    def cluster_roles(self) -> ResourceClient[net.ClusterRole, net.ClusterRoleList]:
        return ResourceClient(self._rest, "clusterroles")

    def cluster_role_bindings(
        self,
    ) -> ResourceClient[net.ClusterRoleBinding, net.ClusterRoleBindingList]:
        return ResourceClient(self._rest, "clusterrolebindings")


class StorageV1Client(GroupClient):
    group = "storage.k8s.io"

    def storage_classes(self) -> ResourceClient[other.StorageClass, other.StorageClassList]:
        return ResourceClient(self._rest, "storageclasses")

    def csi_drivers(self) -> ResourceClient[other.SpecObject, other.SpecObjectList]:
        return ResourceClient(self._rest, "csidrivers")

    def csi_nodes(self) -> ResourceClient[other.SpecObject, other.SpecObjectList]:
        return ResourceClient(self._rest, "csinodes")

    def csi_storage_capacities(
        self, namespace: str
    ) -> ResourceClient[other.CSIStorageCapacity, other.CSIStorageCapacityList]:
        return ResourceClient(self._rest, "csistoragecapacities", namespace)

    def volume_attachments(self) -> ResourceClient[other.SpecObject, other.SpecObjectList]:
        return ResourceClient(self._rest, "volumeattachments")


class PolicyV1Client(GroupClient):
    group = "policy"

    def pod_disruption_budgets(
        self, namespace: str
    ) -> ResourceClient[other.PodDisruptionBudget, other.PodDisruptionBudgetList]:
        return ResourceClient(self._rest, "poddisruptionbudgets", namespace)


class CoordinationV1Client(GroupClient):
    group = "coordination.k8s.io"

    def leases(self, namespace: str) -> ResourceClient[other.Lease, other.LeaseList]:
        return ResourceClient(self._rest, "leases", namespace)


class AutoscalingV1Client(GroupClient):
    group = "autoscaling"

    def horizontal_pod_autoscalers(
        self, namespace: str
    ) -> ResourceClient[other.HorizontalPodAutoscaler, other.HorizontalPodAutoscalerList]:
        return ResourceClient(self._rest, "horizontalpodautoscalers", namespace)


class AutoscalingV2Client(AutoscalingV1Client):
    version = "v2"


class DiscoveryV1Client(GroupClient):
    group = "discovery.k8s.io"

    def endpoint_slices(
        self, namespace: str
    ) -> ResourceClient[other.EndpointSlice, other.EndpointSliceList]:
        return ResourceClient(self._rest, "endpointslices", namespace)


class EventsV1Client(GroupClient):
    group = "events.k8s.io"

    def events(
        self, namespace: str
    ) -> ResourceClient[other.EventsV1Event, other.EventsV1EventList]:
        return ResourceClient(self._rest, "events", namespace)


class SchedulingV1Client(GroupClient):
    group = "scheduling.k8s.io"

    def priority_classes(self) -> ResourceClient[other.PriorityClass, other.PriorityClassList]:
        return ResourceClient(self._rest, "priorityclasses")


class ApiextensionsV1Client(GroupClient):
    group = "apiextensions.k8s.io"

    def custom_resource_definitions(
        self,
    ) -> ResourceClient[other.CustomResourceDefinition, other.CustomResourceDefinitionList]:
        return ResourceClient(self._rest, "customresourcedefinitions")


class AdmissionregistrationV1Client(GroupClient):
    group = "admissionregistration.k8s.io"

    def mutating_webhook_configurations(
        self,
    ) -> ResourceClient[other.MutatingWebhookConfiguration, other.MutatingWebhookConfigurationList]:
        return ResourceClient(self._rest, "mutatingwebhookconfigurations")

    def validating_webhook_configurations(
        self,
    ) -> ResourceClient[
        other.ValidatingWebhookConfiguration, other.ValidatingWebhookConfigurationList
    ]:
        return ResourceClient(self._rest, "validatingwebhookconfigurations")

    def validating_admission_policies(
        self,
    ) -> ResourceClient[other.SpecObject, other.SpecObjectList]:
        return ResourceClient(self._rest, "validatingadmissionpolicies")

    def validating_admission_policy_bindings(
        self,
    ) -> ResourceClient[other.SpecObject, other.SpecObjectList]:
        return ResourceClient(self._rest, "validatingadmissionpolicybindings")


class CertificatesV1Client(GroupClient):
    group = "certificates.k8s.io"

    def certificate_signing_requests(self) -> CertificateSigningRequestClient:
        return CertificateSigningRequestClient(self._rest, "certificatesigningrequests")


class NodeV1Client(GroupClient):
    group = "node.k8s.io"

    def runtime_classes(self) -> ResourceClient[other.RuntimeClass, other.RuntimeClassList]:
        return ResourceClient(self._rest, "runtimeclasses")
