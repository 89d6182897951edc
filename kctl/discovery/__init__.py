"""Discovery: what an API server serves, kubectl's disk cache, and the RESTMapper.

dc = new_discovery_client_for_config(config)            # live, like client-go's
cached = new_cached_discovery_client_for_config(config) # kubectl's ~/.kube/cache layout
mapper = RESTMapper(cached, warning_handler=print)
mapper.mapping_for("deploy.apps").resource              # apps/v1, Resource=deployments
"""

from kctl.discovery._aggregated import (
    ACCEPT_AGGREGATED,
    ACCEPT_DISCOVERY,
    StaleGroupVersionError,
    split_groups_and_resources,
)
from kctl.discovery._cached import (
    DEFAULT_TTL,
    CachedDiscoveryClient,
    default_cache_dir,
    discovery_cache_dir,
    new_cached_discovery_client_for_config,
)
from kctl.discovery._client import (
    DiscoveryClient,
    OpenAPIGroupVersion,
    OpenAPIV3Client,
    new_discovery_client_for_config,
)
from kctl.discovery._helpers import DiscoveryInterface
from kctl.discovery._restmapper import RESTMapper, RESTMapping, parse_kind_arg, parse_resource_arg
from kctl.discovery._types import (
    APIGroup,
    APIGroupList,
    APIResource,
    APIResourceList,
    GroupVersionForDiscovery,
    VersionInfo,
)

__all__ = [
    "ACCEPT_AGGREGATED",
    "ACCEPT_DISCOVERY",
    "DEFAULT_TTL",
    "APIGroup",
    "APIGroupList",
    "APIResource",
    "APIResourceList",
    "CachedDiscoveryClient",
    "DiscoveryClient",
    "DiscoveryInterface",
    "GroupVersionForDiscovery",
    "OpenAPIGroupVersion",
    "OpenAPIV3Client",
    "RESTMapper",
    "RESTMapping",
    "StaleGroupVersionError",
    "VersionInfo",
    "default_cache_dir",
    "discovery_cache_dir",
    "new_cached_discovery_client_for_config",
    "new_discovery_client_for_config",
    "parse_kind_arg",
    "parse_resource_arg",
    "split_groups_and_resources",
]
