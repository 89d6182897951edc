"""client-go's DiscoveryClient: what the server offers, fetched live."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kctl.discovery._aggregated import (
    ACCEPT_DISCOVERY,
    ACCEPT_LEGACY,
    is_aggregated_content_type,
    split_groups_and_resources,
)
from kctl.discovery._helpers import (
    DEFAULT_BURST,
    failed_error,
    fetch_group_version_resources,
    in_discovery_order,
    namespaced_only,
    preferred_resources,
    with_retries,
)
from kctl.discovery._types import (
    APIGroup,
    APIGroupList,
    APIResourceList,
    GroupVersionForDiscovery,
    VersionInfo,
)
from kctl.errors import DiscoveryError, GroupDiscoveryFailedError, StatusError, is_not_found
from kctl.schema import GroupVersion

if TYPE_CHECKING:
    from kctl.rest import Config, RESTClient

__all__ = [
    "DiscoveryClient",
    "OpenAPIGroupVersion",
    "OpenAPIV3Client",
    "new_discovery_client_for_config",
]

# client-go's discovery default: a distinguishable per-request timeout.
DEFAULT_TIMEOUT = 32.0

ResourcesByGV = dict[GroupVersion, APIResourceList]
FailedByGV = dict[GroupVersion, BaseException]


def _decode(body: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise DiscoveryError(f"unable to decode {what}: expected a JSON object")
    return body


class DiscoveryClient:
    """Live discovery against one API server (no caching; see CachedDiscoveryClient)."""

    def __init__(
        self,
        rest_client: RESTClient,
        *,
        legacy_prefix: str = "/api",
        use_legacy_discovery: bool = False,
    ) -> None:
        self.rest_client = rest_client
        self.legacy_prefix = legacy_prefix
        self.use_legacy_discovery = use_legacy_discovery

    def with_legacy(self) -> DiscoveryClient:
        """A copy that only asks for the legacy (unaggregated) documents."""
        return DiscoveryClient(
            self.rest_client, legacy_prefix=self.legacy_prefix, use_legacy_discovery=True
        )

    def _get(self, path: str, accept: str | None = None) -> tuple[Any, str]:
        request = self.rest_client.get().abs_path(path)
        if accept:
            request = request.set_header("Accept", accept)
        result = request.do()
        try:
            body = result.json()
        except ValueError as err:
            raise DiscoveryError(f"unable to decode {path}: {err}") from err
        return body, result.headers.get("Content-Type") or ""

    def server_version(self) -> VersionInfo:
        raw = self.rest_client.get().abs_path("/version").do().raw
        try:
            info = json.loads(raw)
            return VersionInfo.from_dict(_decode(info, "/version"))
        except (ValueError, DiscoveryError) as err:
            raise DiscoveryError(f"unable to parse the server version: {err}") from err

    def _download(
        self, path: str
    ) -> tuple[APIGroupList, ResourcesByGV | None, FailedByGV, Mapping[str, Any]]:
        accept = ACCEPT_LEGACY if self.use_legacy_discovery else ACCEPT_DISCOVERY
        body, content_type = self._get(path, accept)
        doc = _decode(body, path)
        if is_aggregated_content_type(content_type):
            groups, resources, failed = split_groups_and_resources(doc)
            return groups, resources, failed, doc
        return APIGroupList(), None, {}, doc

    def groups_and_maybe_resources(
        self,
    ) -> tuple[APIGroupList, ResourcesByGV | None, FailedByGV]:
        """The groups, plus every group-version's resources when the server answered with
        aggregated discovery (else None), plus the group-versions it marked stale."""
        try:
            groups, resources, failed, doc = self._download(self.legacy_prefix)
            if resources is None:
                versions = [str(v) for v in doc.get("versions") or ()]
                core = (
                    APIGroup(
                        "",
                        tuple(GroupVersionForDiscovery(v, v) for v in versions),
                        GroupVersionForDiscovery(versions[0], versions[0]),
                    )
                    if versions
                    else APIGroup("")
                )
                groups = APIGroupList((core,))
        except StatusError as err:
            # A server without the legacy prefix (only /apis) is fine.
            if not is_not_found(err):
                raise
            groups, resources, failed = APIGroupList(), {}, {}

        api_groups, api_resources, api_failed, doc = self._download("/apis")
        if api_resources is None:
            api_groups = APIGroupList.from_dict(doc)
        merged = APIGroupList(groups.groups + api_groups.groups)
        if resources is not None and api_resources is not None:
            resources = {**resources, **api_resources}
        else:
            # One legacy answer means the resources must be fetched per group-version.
            resources = None
        return merged, resources, {**failed, **api_failed}

    def server_groups(self) -> APIGroupList:
        return self.groups_and_maybe_resources()[0]

    def server_resources_for_group_version(self, group_version: str) -> APIResourceList:
        if not group_version:
            raise DiscoveryError("groupVersion shouldn't be empty")
        if self.legacy_prefix and group_version == "v1":
            path = f"{self.legacy_prefix}/{group_version}"
        else:
            path = f"/apis/{group_version}"
        try:
            body, _ = self._get(path)
        except StatusError as err:
            if group_version == "v1" and is_not_found(err):
                return APIResourceList(group_version)
            raise
        return APIResourceList.from_dict(_decode(body, path), group_version)

    def _all(self) -> tuple[APIGroupList, ResourcesByGV, FailedByGV]:
        groups, resources, failed = self.groups_and_maybe_resources()
        if resources is None:
            resources, failed = fetch_group_version_resources(
                self.server_resources_for_group_version, groups
            )
        return groups, resources, failed

    def server_groups_and_resources(self) -> tuple[list[APIGroup], list[APIResourceList]]:
        """Every group and every group-version's resources, in discovery order. When some
        group-versions failed, GroupDiscoveryFailedError carries the rest as ``partial``."""

        def attempt() -> tuple[list[APIGroup], list[APIResourceList]]:
            groups, resources, failed = self._all()
            result = (list(groups.groups), in_discovery_order(groups, resources))
            if failed:
                raise failed_error(failed, result)
            return result

        return with_retries(attempt)

    def server_preferred_resources(self) -> list[APIResourceList]:
        return with_retries(lambda: preferred_resources(*self._all()))

    def server_preferred_namespaced_resources(self) -> list[APIResourceList]:
        return _preferred_namespaced(self.server_preferred_resources)

    def open_api_v3(self) -> OpenAPIV3Client:
        return OpenAPIV3Client(self.rest_client)


def _preferred_namespaced(preferred: Callable[[], list[APIResourceList]]) -> list[APIResourceList]:
    try:
        return namespaced_only(preferred())
    except GroupDiscoveryFailedError as err:
        err.partial = namespaced_only(err.partial or [])
        raise


@dataclass(frozen=True)
class OpenAPIGroupVersion:
    """One entry of ``/openapi/v3``: a group-version's document, addressed by hash."""

    rest_client: RESTClient
    server_relative_url: str

    def schema(self, content_type: str = "application/json") -> bytes:
        from urllib.parse import parse_qsl, urlsplit

        parts = urlsplit(self.server_relative_url)
        request = self.rest_client.get().abs_path(parts.path).set_header("Accept", content_type)
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            request = request.param(key, value)
        raw: bytes = request.do().raw
        return raw


class OpenAPIV3Client:
    """client-go's openapi.Client: the OpenAPI v3 discovery index."""

    def __init__(self, rest_client: RESTClient) -> None:
        self.rest_client = rest_client

    def paths(self) -> dict[str, OpenAPIGroupVersion]:
        body = self.rest_client.get().abs_path("/openapi/v3").do().json()
        paths = _decode(body, "/openapi/v3").get("paths") or {}
        return {
            str(path): OpenAPIGroupVersion(self.rest_client, str(entry.get("serverRelativeURL")))
            for path, entry in paths.items()
            if isinstance(entry, Mapping)
        }


def new_discovery_client_for_config(config: Config) -> DiscoveryClient:
    """A DiscoveryClient with client-go's discovery defaults (32 s timeout, burst 300)."""
    from kctl.rest import unversioned_rest_client_for

    changes: dict[str, Any] = {"api_path": "", "group_version": None}
    if not config.timeout:
        changes["timeout"] = DEFAULT_TIMEOUT
    if not config.burst:
        changes["burst"] = DEFAULT_BURST
    return DiscoveryClient(unversioned_rest_client_for(config.copy(**changes)))
