"""The discovery documents as light, immutable values.

Field names are snake_case versions of metav1's; ``from_dict`` accepts what an API server (or
kubectl's disk cache) sends, and ``to_dict`` writes what client-go's LegacyCodec writes, so a
cache filled by kctl reads back in kubectl.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kctl.schema import GroupVersion, parse_group_version

__all__ = [
    "APIGroup",
    "APIGroupList",
    "APIResource",
    "APIResourceList",
    "GroupVersionForDiscovery",
    "VersionInfo",
]


def _strings(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(map(str, value))


@dataclass(frozen=True, slots=True)
class APIResource:
    """metav1.APIResource: one resource (or ``parent/subresource``) of a group-version."""

    name: str
    singular_name: str = ""
    namespaced: bool = False
    # Only set when the resource's kind lives in another group-version (e.g. deployments/scale).
    group: str = ""
    version: str = ""
    kind: str = ""
    verbs: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    storage_version_hash: str = ""

    @property
    def is_subresource(self) -> bool:
        return "/" in self.name

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> APIResource:
        get = data.get
        return cls(
            name=str(get("name") or ""),
            singular_name=str(get("singularName") or ""),
            namespaced=bool(get("namespaced")),
            group=str(get("group") or ""),
            version=str(get("version") or ""),
            kind=str(get("kind") or ""),
            verbs=_strings(get("verbs")),
            short_names=_strings(get("shortNames")),
            categories=_strings(get("categories")),
            storage_version_hash=str(get("storageVersionHash") or ""),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "singularName": self.singular_name,
            "namespaced": self.namespaced,
        }
        if self.group:
            out["group"] = self.group
        if self.version:
            out["version"] = self.version
        out["kind"] = self.kind
        out["verbs"] = list(self.verbs)
        if self.short_names:
            out["shortNames"] = list(self.short_names)
        if self.categories:
            out["categories"] = list(self.categories)
        if self.storage_version_hash:
            out["storageVersionHash"] = self.storage_version_hash
        return out


@dataclass(frozen=True, slots=True)
class APIResourceList:
    """metav1.APIResourceList: the resources of one group-version."""

    group_version: str
    resources: tuple[APIResource, ...] = ()

    @property
    def gv(self) -> GroupVersion:
        return parse_group_version(self.group_version)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], group_version: str = "") -> APIResourceList:
        return cls(
            group_version=str(data.get("groupVersion") or group_version),
            resources=tuple(map(APIResource.from_dict, data.get("resources") or ())),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": self.group_version,
            "resources": [r.to_dict() for r in self.resources],
        }


@dataclass(frozen=True, slots=True)
class GroupVersionForDiscovery:
    group_version: str
    version: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GroupVersionForDiscovery:
        return cls(str(data.get("groupVersion") or ""), str(data.get("version") or ""))

    def to_dict(self) -> dict[str, Any]:
        return {"groupVersion": self.group_version, "version": self.version}


@dataclass(frozen=True, slots=True)
class APIGroup:
    """metav1.APIGroup; the core group is the one named ``""``."""

    name: str
    versions: tuple[GroupVersionForDiscovery, ...] = ()
    preferred_version: GroupVersionForDiscovery | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> APIGroup:
        preferred = data.get("preferredVersion")
        return cls(
            name=str(data.get("name") or ""),
            versions=tuple(
                GroupVersionForDiscovery.from_dict(v) for v in data.get("versions") or ()
            ),
            preferred_version=GroupVersionForDiscovery.from_dict(preferred) if preferred else None,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "versions": [v.to_dict() for v in self.versions]}
        # Go always writes preferredVersion (a struct, not a pointer).
        pref = self.preferred_version or GroupVersionForDiscovery("", "")
        out["preferredVersion"] = pref.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class APIGroupList:
    groups: tuple[APIGroup, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> APIGroupList:
        return cls(tuple(APIGroup.from_dict(g) for g in data.get("groups") or ()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [g.to_dict() for g in self.groups],
        }


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """version.Info from ``GET /version``."""

    major: str = ""
    minor: str = ""
    git_version: str = ""
    git_commit: str = ""
    git_tree_state: str = ""
    build_date: str = ""
    go_version: str = ""
    compiler: str = ""
    platform: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VersionInfo:
        return cls(
            major=str(data.get("major") or ""),
            minor=str(data.get("minor") or ""),
            git_version=str(data.get("gitVersion") or ""),
            git_commit=str(data.get("gitCommit") or ""),
            git_tree_state=str(data.get("gitTreeState") or ""),
            build_date=str(data.get("buildDate") or ""),
            go_version=str(data.get("goVersion") or ""),
            compiler=str(data.get("compiler") or ""),
            platform=str(data.get("platform") or ""),
        )

    def to_dict(self) -> dict[str, str]:
        return {
            "major": self.major,
            "minor": self.minor,
            "gitVersion": self.git_version,
            "gitCommit": self.git_commit,
            "gitTreeState": self.git_tree_state,
            "buildDate": self.build_date,
            "goVersion": self.go_version,
            "compiler": self.compiler,
            "platform": self.platform,
        }

    def __str__(self) -> str:
        return self.git_version
