"""Group, version, kind and resource identifiers, as apimachinery's ``schema`` package."""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "GroupKind",
    "GroupResource",
    "GroupVersion",
    "GroupVersionKind",
    "GroupVersionResource",
    "parse_group_version",
]


class GroupVersion(NamedTuple):
    group: str = ""
    version: str = ""

    def __str__(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def with_resource(self, resource: str) -> GroupVersionResource:
        return GroupVersionResource(self.group, self.version, resource)

    def with_kind(self, kind: str) -> GroupVersionKind:
        return GroupVersionKind(self.group, self.version, kind)


class GroupResource(NamedTuple):
    group: str = ""
    resource: str = ""

    def __str__(self) -> str:
        return f"{self.resource}.{self.group}" if self.group else self.resource


class GroupKind(NamedTuple):
    group: str = ""
    kind: str = ""

    def __str__(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind


class GroupVersionResource(NamedTuple):
    group: str = ""
    version: str = ""
    resource: str = ""

    def group_version(self) -> GroupVersion:
        return GroupVersion(self.group, self.version)

    def group_resource(self) -> GroupResource:
        return GroupResource(self.group, self.resource)

    def __str__(self) -> str:
        return f"{self.group}/{self.version}, Resource={self.resource}"


class GroupVersionKind(NamedTuple):
    group: str = ""
    version: str = ""
    kind: str = ""

    def group_version(self) -> GroupVersion:
        return GroupVersion(self.group, self.version)

    def group_kind(self) -> GroupKind:
        return GroupKind(self.group, self.kind)

    @property
    def api_version(self) -> str:
        return str(self.group_version())

    def __str__(self) -> str:
        return f"{self.group}/{self.version}, Kind={self.kind}"


def parse_group_version(api_version: str) -> GroupVersion:
    """``"apps/v1"`` -> ("apps", "v1"); ``"v1"`` -> ("", "v1"), as schema.ParseGroupVersion."""
    if not api_version or api_version == "/":
        return GroupVersion()
    parts = api_version.split("/")
    if len(parts) == 1:
        return GroupVersion("", parts[0])
    if len(parts) == 2:
        return GroupVersion(parts[0], parts[1])
    raise ValueError(f"unexpected GroupVersion string: {api_version}")
