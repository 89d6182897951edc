"""Discovery: what an API server serves, kubectl's disk cache, and the RESTMapper.

dc = new_discovery_client_for_config(config)            # live, like client-go's
cached = new_cached_discovery_client_for_config(config) # kubectl's ~/.kube/cache layout
mapper = RESTMapper(cached, warning_handler=print)
mapper.mapping_for("deploy.apps").resource              # apps/v1, Resource=deployments

Importing this package is cheap: each name loads its submodule on first use (PEP 562), so
answering from a warm disk cache loads neither the RESTMapper, the aggregated-discovery
parser nor the HTTP stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kctl._lazy import lazy_attributes

if TYPE_CHECKING:
    from kctl.discovery._aggregated import (
        ACCEPT_AGGREGATED,
        ACCEPT_DISCOVERY,
        StaleGroupVersionError,
        split_groups_and_resources,
    )
    from kctl.discovery._cached import (
        DEFAULT_TTL,
        CachedDiscoveryClient,
        GroupVersionErrorHandler,
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
    from kctl.discovery._restmapper import (
        RESTMapper,
        RESTMapping,
        parse_kind_arg,
        parse_resource_arg,
    )
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
    "GroupVersionErrorHandler",
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

# Which submodule defines each public name (kept in step with the imports above).
_SUBMODULES = {
    "ACCEPT_AGGREGATED": "_aggregated",
    "ACCEPT_DISCOVERY": "_aggregated",
    "StaleGroupVersionError": "_aggregated",
    "split_groups_and_resources": "_aggregated",
    "DEFAULT_TTL": "_cached",
    "CachedDiscoveryClient": "_cached",
    "GroupVersionErrorHandler": "_cached",
    "default_cache_dir": "_cached",
    "discovery_cache_dir": "_cached",
    "new_cached_discovery_client_for_config": "_cached",
    "DiscoveryClient": "_client",
    "OpenAPIGroupVersion": "_client",
    "OpenAPIV3Client": "_client",
    "new_discovery_client_for_config": "_client",
    "DiscoveryInterface": "_helpers",
    "RESTMapper": "_restmapper",
    "RESTMapping": "_restmapper",
    "parse_kind_arg": "_restmapper",
    "parse_resource_arg": "_restmapper",
    "APIGroup": "_types",
    "APIGroupList": "_types",
    "APIResource": "_types",
    "APIResourceList": "_types",
    "GroupVersionForDiscovery": "_types",
    "VersionInfo": "_types",
}


__getattr__, __dir__ = lazy_attributes(__name__, globals(), _SUBMODULES)
