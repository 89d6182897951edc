"""The part of kubectl's resource builder that apply and delete share: manifests mapped to
API resources (``resource.Info``), namespace defaulting, and kubectl's error wrapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kctl.errors import KctlError, NoMatchError, StatusError

if TYPE_CHECKING:
    from kctl.cli._globals import Factory
    from kctl.cli._manifests import Validate
    from kctl.discovery import RESTMapping
    from kctl.dynamic import DynamicResource
    from kctl.schema import GroupVersionResource

__all__ = [
    "Info",
    "add_source_to_err",
    "infos_from_manifests",
    "kind_string",
    "label_matcher",
    "resource_client",
]


@dataclass
class Info:
    """One object to act on: where it came from, how it maps, and where it lives."""

    source: str
    mapping: RESTMapping
    namespace: str
    name: str
    obj: dict[str, Any] = field(default_factory=dict)
    # The version the manifest named. cli-runtime maps a manifest without one to the
    # preferred version, but its Info's client keeps the object's own (empty) version, so
    # the request path has none (/api/namespaces/...) and the server answers 404.
    version: str | None = None
    # Manifest.from_list: the list document this object was an item of.
    from_list: int | None = None

    @property
    def namespaced(self) -> bool:
        return self.mapping.namespaced

    @property
    def resource(self) -> GroupVersionResource:
        """The resource as requested: the mapping's, at the version the manifest named."""
        gvr = self.mapping.resource
        if self.version is None or self.version == gvr.version:
            return gvr
        from kctl.schema import GroupVersionResource

        return GroupVersionResource(gvr.group, self.version, gvr.resource)

    def __str__(self) -> str:
        """cli-runtime's Info.String(), which kubectl puts into some error texts."""
        gvr = self.mapping.resource
        gvk = self.mapping.group_version_kind
        resource = f"{gvr.group}/{gvr.version}, Resource={gvr.resource}"
        kind = f"{gvk.group}/{gvk.version}, Kind={gvk.kind}"
        return (
            f'Resource: "{resource}", GroupVersionKind: "{kind}"\n'
            f'Name: "{self.name}", Namespace: "{self.namespace}"'
        )


def kind_string(info: Info) -> str:
    """``kind[.group]`` in lower case, as delete and the name printer write it."""
    gvk = info.mapping.group_version_kind
    kind = gvk.kind.lower()
    return f"{kind}.{gvk.group}" if gvk.group else kind


def add_source_to_err(verb: str, source: str, err: Exception) -> Exception:
    """cmdutil.AddSourceToErr: a Status keeps its type with the source in its message."""
    if not source:
        return err
    if isinstance(err, StatusError):
        status = dict(err.status)
        status["message"] = f'error when {verb} "{source}": {err.message}'
        return StatusError(status)
    wrapped = KctlError(f'error when {verb} "{source}": {err}')
    wrapped.__cause__ = err
    return wrapped


def resource_client(factory: Factory, info: Info) -> DynamicResource:
    client = factory.dynamic().resource(info.resource)
    return client.namespace(info.namespace) if info.namespaced else client


def _mapping_error(obj: dict[str, Any], source: str, err: NoMatchError) -> KctlError:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    name = str((meta or {}).get("name") or "")
    namespace = str((meta or {}).get("namespace") or "")
    wrapped = KctlError(
        f'resource mapping not found for name: "{name}" namespace: "{namespace}" '
        f'from "{source}": {err}\nensure CRDs are installed first'
    )
    wrapped.__cause__ = err
    return wrapped


def infos_from_manifests(
    factory: Factory,
    filenames: Sequence[str],
    *,
    recursive: bool,
    namespace: str,
    enforce_namespace: bool,
    validate: Validate = False,
) -> Iterator[Info | KctlError]:
    """Manifests mapped and namespaced; each problem is yielded in its place."""
    from kctl.cli._manifests import Manifest, read_manifests
    from kctl.schema import GroupKind, parse_group_version

    mapper = factory.rest_mapper()
    for item in read_manifests(filenames, recursive, validate=validate):
        if not isinstance(item, Manifest):
            yield item
            continue
        obj = item.obj
        gv = parse_group_version(str(obj.get("apiVersion") or ""))
        kind = str(obj["kind"])
        try:
            # Always with the version, even "": kubectl's builder asks for the object's, and
            # a miss then names it ('no matches for kind "X" in version ""').
            mapping = mapper.rest_mapping(GroupKind(gv.group, kind), gv.version)
        except NoMatchError as err:
            yield _mapping_error(obj, item.source, err)
            continue
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            meta = {}
            # Left out where kubectl's builder leaves it out: a cluster-scoped object, printed
            # as read by get -f when it has no name.
            if "metadata" in obj or mapping.namespaced:
                obj["metadata"] = meta
        name = str(meta.get("name") or "")
        ns = ""
        if mapping.namespaced:
            ns = str(meta.get("namespace") or "")
            if enforce_namespace and ns and ns != namespace:
                yield KctlError(
                    f'the namespace from the provided object "{ns}" does not match the '
                    f"namespace \"{namespace}\". You must pass '--namespace={ns}' to perform "
                    "this operation."
                )
                continue
            if not ns:
                ns = namespace
                meta["namespace"] = ns
        yield Info(item.source, mapping, ns, name, obj, gv.version, item.from_list)


_SELECTOR_TOKEN = r"\s*(!?[A-Za-z0-9][-A-Za-z0-9_./]*)\s*(?:(==|=|!=)\s*([-A-Za-z0-9_.]*)|\s+(in|notin)\s*\(([^)]*)\))?\s*"


def label_matcher(selector: str) -> Callable[[Mapping[str, str]], bool]:
    """A label selector (``a=b,c!=d,e in (f,g),!h``) as a predicate over an object's labels.

    The server checks selectors with apimachinery's grammar; this is only for objects the
    server never sees (manifests filtered by ``apply -l``).
    """
    import re

    token = re.compile(_SELECTOR_TOKEN)
    checks: list[Callable[[Mapping[str, str]], bool]] = []
    pos = 0
    text = selector.strip()
    while pos < len(text):
        match = token.match(text, pos)
        if match is None or match.end() == pos:
            raise KctlError(f"unable to parse requirement: {text[pos:]!r}")
        key, op, value, set_op, values = match.groups()
        checks.append(_requirement(key, op or set_op or "", value, values))
        pos = match.end()
        if pos < len(text):
            if text[pos] != ",":
                raise KctlError(f"found '{text[pos]}', expected: ',' or 'end of string'")
            pos += 1
    return lambda labels: all(check(labels) for check in checks)


def _requirement(
    key: str, op: str, value: str | None, values: str | None
) -> Callable[[Mapping[str, str]], bool]:
    if key.startswith("!"):
        name = key[1:]
        return lambda labels: name not in labels
    if not op:
        return lambda labels: key in labels
    wanted = {v.strip() for v in values.split(",")} if values is not None else {value or ""}
    if op in ("=", "==", "in"):
        return lambda labels: key in labels and labels[key] in wanted
    return lambda labels: key not in labels or labels[key] not in wanted
