"""Server-side apply and ``metadata.managedFields``, after kube-apiserver's field manager and
sigs.k8s.io/structured-merge-diff, simplified to the schema knowledge in
:mod:`kctl.util._patchmeta` (the same merge keys strategic merge patch uses).

A *field set* is a set of paths; a path is a tuple of elements ``("f", name)``,
``("k", {json key})``, ``("v", json value)`` or ``("i", index)``. Lists tagged
``patchStrategy:"merge"`` are associative (keyed items) or sets (scalars); every other list
is atomic and so are structs marked atomic; objects are granular. Each managedFields entry
owns a field set: Apply entries own exactly what their last apply contained, Update entries
what their writes changed. A write that changes a field another manager owns moves the
field to the writer (Update) or fails with a conflict unless forced (Apply); an applier
that stops applying a field removes it when nobody else owns it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

from kctl.errors import ApplyConflictError, PatchError
from kctl.sandbox._times import format_time, normalize, parse_rfc3339
from kctl.util._patchmeta import ANY, FieldMeta, PatchMeta

__all__ = [
    "FieldManager",
    "apply_conflict_status",
    "default_manager",
    "field_paths",
    "fields_to_set",
    "format_path",
    "set_to_fields",
]

Element = tuple[str, Any]
Path = tuple[Element, ...]
FieldSet = frozenset[Path]

APPLY = "Apply"
_MEMBER = "\x00member"
UPDATE = "Update"

# Paths the apiserver never tracks (apimachinery's stripmeta).
_STRIPPED: frozenset[Path] = frozenset(
    {(("f", "apiVersion"),), (("f", "kind"),), (("f", "metadata"),)}
    | {
        (("f", "metadata"), ("f", name))
        for name in (
            "name",
            "namespace",
            "creationTimestamp",
            "selfLink",
            "uid",
            "clusterName",
            "generation",
            "managedFields",
            "resourceVersion",
        )
    }
)

# Struct fields Go always materialises, so they never show up as newly added objects.
_ALWAYS_PRESENT = frozenset(
    {"metadata", "spec", "status", "template", "jobTemplate", "strategy", "updateStrategy"}
)
# Keyed lists whose Go field has no omitempty: they exist (as null) in an empty object, so
# creating them adds no node of their own ("." in FieldsV1), unlike every other keyed list.
_LISTS_ALWAYS_PRESENT = frozenset({"containers"})


def default_manager(user_agent: str) -> str:
    """The manager name the apiserver derives when a request names none."""
    return user_agent.split("/", 1)[0]


# -- walking objects ----------------------------------------------------------------------


def _go_json(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# structured-merge-diff keys an item that leaves out a key field by the field's schema
# default. Of the list-map keys of 1.37's OpenAPI, protocol (ServicePort, ContainerPort) is
# the only one with a default other than the zero value, which only invalid items lack.
_KEY_DEFAULTS = {"protocol": "TCP"}


def _item_element(item: Any, meta: FieldMeta, index: int) -> Element:
    if meta.is_set:
        return ("v", _go_json(item))
    keys = meta.associative_keys
    if keys and isinstance(item, dict):
        key: dict[str, Any] = {}
        for k in keys:
            if k in item:
                key[k] = item[k]
            elif k in _KEY_DEFAULTS:
                key[k] = _KEY_DEFAULTS[k]
        return ("k", _go_json(key))
    return ("i", index)


def _leaves(value: Any, meta: FieldMeta, path: Path) -> Iterator[tuple[Path, Any, bool]]:
    """Every tracked path under ``path`` with its value and whether it is a leaf; the path
    itself is yielded too (callers decide whether a non-leaf node counts)."""
    if isinstance(value, dict) and value and not meta.atomic:
        yield path, value, False
        schema = meta.sub
        for key, sub in value.items():
            yield from _leaves(sub, schema.lookup(key), (*path, ("f", key)))
        return
    if isinstance(value, list) and value and meta.strategy == "merge":
        yield path, value, False
        for i, item in enumerate(value):
            item_path = (*path, _item_element(item, meta, i))
            if isinstance(item, dict) and item:
                # A keyed item is a member itself (its value is compared through its
                # fields), and so are its fields.
                yield item_path, _MEMBER, True
                schema = meta.sub
                for key, sub in item.items():
                    yield from _leaves(sub, schema.lookup(key), (*item_path, ("f", key)))
            else:
                yield item_path, item, True
        return
    yield path, value, True


def _field_set(obj: dict[str, Any] | None, meta: PatchMeta) -> dict[Path, Any]:
    """Owned paths of ``obj`` with their values (the apiserver's ToFieldSet)."""
    out: dict[Path, Any] = {}
    if not obj:
        return out
    for key, value in obj.items():
        for path, sub, leaf in _leaves(value, meta.lookup(key), (("f", key),)):
            if leaf and path not in _STRIPPED and not _under_managed_fields(path):
                if sub == {} and path[-1][1] in _ALWAYS_PRESENT:
                    continue  # an empty struct value is in every object: nobody sets it
                out[path] = sub
    return out


def field_paths(obj: dict[str, Any] | None, meta: PatchMeta) -> FieldSet:
    """The field set ``obj`` would own if applied (its leaves, bookkeeping stripped)."""
    return frozenset(_field_set(obj, meta))


def _all_paths(obj: dict[str, Any] | None, meta: PatchMeta) -> set[Path]:
    """Every path in ``obj``, objects included."""
    out: set[Path] = set()
    for key, value in (obj or {}).items():
        out.update(path for path, _, _ in _leaves(value, meta.lookup(key), (("f", key),)))
    return out


def _nodes(obj: dict[str, Any] | None, meta: PatchMeta) -> set[Path]:
    """Map- and list-valued paths that would appear as newly added nodes."""
    out: set[Path] = set()
    if not obj:
        return out
    for key, value in obj.items():
        for path, sub, leaf in _leaves(value, meta.lookup(key), (("f", key),)):
            last = path[-1]
            if (
                not leaf
                and last[0] == "f"
                and last[1] not in _ALWAYS_PRESENT
                and path not in _STRIPPED
                and not _under_managed_fields(path)
                and _is_node(sub, last[1])
            ):
                out.add(path)
    return out


def _is_node(value: Any, name: str) -> bool:
    # Non-leaf values are non-empty maps and keyed lists (see _leaves).
    return isinstance(value, dict) or (
        isinstance(value, list) and name not in _LISTS_ALWAYS_PRESENT
    )


def _under_managed_fields(path: Path) -> bool:
    return path[:2] == (("f", "metadata"), ("f", "managedFields")) or path[:2] == (
        ("f", "metadata"),
        ("f", "resourceVersion"),
    )


# -- FieldsV1 -----------------------------------------------------------------------------


def _encode_element(element: Element) -> str:
    kind, name = element
    return f"{kind}:{name}"


def _decode_element(text: str) -> Element:
    kind, sep, rest = text.partition(":")
    if not sep or kind not in ("f", "k", "v", "i"):
        raise PatchError(f"unrecognized FieldsV1 key: {text!r}")
    if kind == "i":
        return ("i", int(rest))
    return (kind, rest)


def set_to_fields(paths: Iterable[Path]) -> dict[str, Any]:
    """Encode a field set as FieldsV1: nested ``f:``/``k:``/``v:``/``i:`` keys; ``"."`` marks
    a member that also has members below it."""
    members = set(paths)
    root: dict[str, Any] = {}
    for path in sorted(members, key=len):
        node = root
        for depth, element in enumerate(path):
            child = node.setdefault(_encode_element(element), {})
            if path[: depth + 1] in members and depth + 1 < len(path):
                child.setdefault(".", {})
            node = child
    for path in members:
        node = root
        for element in path:
            node = node[_encode_element(element)]
        if node and "." not in node:
            node["."] = {}
    return root


def fields_to_set(fields: dict[str, Any]) -> FieldSet:
    """Decode FieldsV1 into a field set."""
    out: set[Path] = set()

    def walk(node: dict[str, Any], path: Path) -> None:
        if not isinstance(node, dict):
            raise PatchError("FieldsV1 entries must be objects")
        if path and (not node or "." in node):
            out.add(path)
        for key, child in node.items():
            if key != ".":
                walk(child, (*path, _decode_element(key)))

    walk(fields, ())
    return frozenset(out)


def format_path(path: Path) -> str:
    """fieldpath.Path.String(): ``.spec.containers[name="nginx"].image``."""
    parts = []
    for kind, name in path:
        if kind == "f":
            parts.append("." + name)
        elif kind == "k":
            key = json.loads(name)
            shown = ",".join(f"{k}={_value_text(key[k])}" for k in sorted(key))
            parts.append(f"[{shown}]")
        elif kind == "v":
            parts.append(f"[={_value_text(json.loads(name))}]")
        else:
            parts.append(f"[{name}]")
    return "".join(parts)


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return _go_json(value)


# -- managed entries ----------------------------------------------------------------------


class _Entry:
    __slots__ = ("api_version", "fields", "manager", "operation", "subresource", "time")

    def __init__(
        self,
        manager: str,
        operation: str,
        api_version: str,
        fields: FieldSet,
        time: str | None,
        subresource: str,
    ) -> None:
        self.manager = manager
        self.operation = operation
        self.api_version = api_version
        self.fields = fields
        self.time = time
        self.subresource = subresource

    @property
    def identity(self) -> tuple[str, str, str, str]:
        # Appliers keep one entry whatever version they apply with.
        version = "" if self.operation == APPLY else self.api_version
        return (self.manager, self.operation, version, self.subresource)

    def describe(self) -> str:
        """printManager: ``"m"``, ``"m" with subresource "status"``, ``... using apps/v1``."""
        text = json.dumps(self.manager)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == UPDATE:
            text += f" using {self.api_version}"
        return text

    def encode(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"manager": self.manager, "operation": self.operation}
        if self.api_version:
            entry["apiVersion"] = self.api_version
        if self.time:
            entry["time"] = self.time
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = set_to_fields(self.fields)
        if self.subresource:
            entry["subresource"] = self.subresource
        return entry


def _decode_entries(raw: Any) -> list[_Entry]:
    if not isinstance(raw, list):
        raise PatchError("metadata.managedFields must be a list")
    entries: list[_Entry] = []
    for item in raw:
        if not isinstance(item, dict):
            raise PatchError("metadata.managedFields entries must be objects")
        when = item.get("time")
        if when is not None:
            # Any RFC 3339 time, kept in metav1.Time's normal form.
            try:
                when = normalize(when) if isinstance(when, str) else None
            except ValueError as err:
                raise PatchError(str(err)) from None
            if when is None:
                raise PatchError("metadata.managedFields time must be a string")
        operation = item.get("operation")
        if operation not in (APPLY, UPDATE):
            raise PatchError(f"invalid managedFields operation: {operation!r}")
        if item.get("fieldsType", "FieldsV1") != "FieldsV1":
            raise PatchError(f"invalid fieldsType: {item.get('fieldsType')!r}")
        entries.append(
            _Entry(
                str(item.get("manager", "")),
                operation,
                str(item.get("apiVersion", "")),
                fields_to_set(item.get("fieldsV1") or {}),
                when,
                str(item.get("subresource", "")),
            )
        )
    return entries


def _sort_key(entry: _Entry) -> tuple[str, float, str, str, str]:
    seconds = 0.0
    if entry.time:
        seconds = parse_rfc3339(entry.time).timestamp()
    return (entry.operation, seconds, entry.manager, entry.api_version, entry.subresource)


def _managed_of(obj: dict[str, Any] | None) -> Any:
    if not obj:
        return None
    metadata = obj.get("metadata")
    return metadata.get("managedFields") if isinstance(metadata, dict) else None


def apply_conflict_status(err: ApplyConflictError) -> dict[str, Any]:
    """The 409 Status kube-apiserver answers for an apply conflict."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": str(err),
        "reason": "Conflict",
        "details": {
            "causes": [
                {
                    "reason": "FieldManagerConflict",
                    "message": f"conflict with {who}",
                    "field": field,
                }
                for who, _, field in err.conflicts
            ]
        },
        "code": 409,
    }


def _conflict_error(conflicts: list[tuple[_Entry, Path]]) -> ApplyConflictError:
    triples = [(entry.describe(), entry.api_version, format_path(p)) for entry, p in conflicts]
    if len(triples) == 1:
        who, _, field = triples[0]
        message = f"Apply failed with 1 conflict: conflict with {who}: {field}"
    else:
        grouped: dict[str, tuple[_Entry, list[str]]] = {}
        for entry, path in conflicts:
            grouped.setdefault(_go_identity(entry), (entry, []))[1].append(format_path(path))
        lines: list[str] = []
        # Go groups by the JSON manager identity and prints the groups in its sort order.
        for identity in sorted(grouped):
            entry, fields = grouped[identity]
            lines.append(f"conflicts with {entry.describe()}:")
            lines.extend(f"- {field}" for field in fields)
        message = f"Apply failed with {len(triples)} conflicts: " + "\n".join(lines)
    return ApplyConflictError(message, triples)


def _go_identity(entry: _Entry) -> str:
    """BuildManagerIdentifier: the entry's JSON without time, fields and (for Apply)
    apiVersion, in ManagedFieldsEntry's field order."""
    ident: dict[str, Any] = {"manager": entry.manager, "operation": entry.operation}
    if entry.operation == UPDATE and entry.api_version:
        ident["apiVersion"] = entry.api_version
    if entry.subresource:
        ident["subresource"] = entry.subresource
    return json.dumps(ident, separators=(",", ":"))


# -- merging ------------------------------------------------------------------------------


def _merge(live: Any, config: Any, meta: FieldMeta) -> Any:
    """structured-merge-diff's merge of an applied configuration into the live object."""
    if isinstance(live, dict) and isinstance(config, dict) and not meta.atomic:
        out = dict(live)
        schema = meta.sub
        for key, value in config.items():
            if key in live:
                out[key] = _merge(live[key], value, schema.lookup(key))
            else:
                out[key] = copy.deepcopy(value)
        return out
    if isinstance(live, list) and isinstance(config, list) and meta.strategy == "merge":
        keyed = {_item_element(item, meta, i): item for i, item in enumerate(config)}
        out_items: list[Any] = []
        seen = set()
        for i, item in enumerate(live):
            element = _item_element(item, meta, i)
            if element in keyed:
                seen.add(element)
                out_items.append(
                    keyed[element]
                    if meta.is_set
                    else _merge(item, keyed[element], FieldMeta(schema=meta.sub))
                )
            else:
                out_items.append(item)
        out_items.extend(v for e, v in keyed.items() if e not in seen)
        return out_items
    return copy.deepcopy(config)


def _remove_path(obj: Any, path: Path, meta: PatchMeta) -> None:
    """Delete the member at ``path`` (a field or a list item) from ``obj`` in place."""
    node: Any = obj
    schema = meta
    current_field = FieldMeta()
    for depth, (kind, name) in enumerate(path):
        last = depth == len(path) - 1
        if kind == "f":
            if not isinstance(node, dict) or name not in node:
                return
            if last:
                del node[name]
                return
            field = schema.lookup(name)
            node, schema = node[name], field.sub
            current_field = field
        else:
            if not isinstance(node, list):
                return
            matches = [
                i
                for i, item in enumerate(node)
                if _item_element(item, current_field, i) == (kind, name)
            ]
            if not matches:
                return
            if last:
                for i in reversed(matches):
                    del node[i]
                return
            node = node[matches[0]]


def _owned_by(paths: FieldSet, path: Path) -> bool:
    """Whether ``paths`` holds ``path`` or anything below it."""
    n = len(path)
    return any(p[:n] == path for p in paths)


class FieldManager:
    """Tracks managedFields for one kind; ``meta`` is its patch metadata (``None`` for
    untyped kinds such as custom resources). ``now`` returns the timestamp to record."""

    def __init__(self, meta: PatchMeta | None, now: Callable[[], datetime] | None = None) -> None:
        self.meta = meta if meta is not None else ANY
        self._now = now or (lambda: datetime.now(timezone.utc))

    def _timestamp(self) -> str:
        return format_time(self._now())

    def _entries_for_update(self, live: dict[str, Any] | None, new: dict[str, Any]) -> list[_Entry]:
        # A write that carries its own managedFields edits them directly (kubectl's
        # client-side-apply upgrade patches them); an absent or empty list keeps the live ones.
        given = _managed_of(new)
        if given:
            return _decode_entries(given)
        return _decode_entries(_managed_of(live) or [])

    def update(
        self,
        live: dict[str, Any] | None,
        new: dict[str, Any],
        manager: str,
        api_version: str,
        subresource: str = "",
    ) -> dict[str, Any]:
        """``new`` (a create, update or non-apply patch result) with managedFields updated
        for an Update by ``manager``."""
        entries = self._entries_for_update(live, new)
        identity = (manager, UPDATE, api_version, subresource)
        live_set = _field_set(live, self.meta)
        new_set = _field_set(new, self.meta)
        added = set(new_set) - set(live_set)
        added |= _nodes(new, self.meta) - _nodes(live, self.meta)
        removed = set(live_set) - set(new_set)
        removed |= _all_paths(live, self.meta) - _all_paths(new, self.meta)
        modified = {p for p in set(new_set) & set(live_set) if not _same(new_set[p], live_set[p])}
        changed = frozenset(added | modified)
        mine = next((e for e in entries if e.identity == identity), None)
        for entry in entries:
            if entry is not mine:
                entry.fields = entry.fields - changed - removed
        if changed or removed:
            if mine is None:
                mine = _Entry(manager, UPDATE, api_version, frozenset(), None, subresource)
                entries.append(mine)
            before = mine.fields
            mine.fields = (mine.fields - removed) | changed
            if mine.fields != before:
                mine.time = self._timestamp()
        return self._with_entries(new, entries)

    def apply(
        self,
        live: dict[str, Any] | None,
        applied: dict[str, Any],
        manager: str,
        api_version: str,
        force: bool,
        subresource: str = "",
    ) -> dict[str, Any]:
        """The object after ``manager`` server-side applies ``applied`` onto ``live`` (None
        when creating). Raises :class:`ApplyConflictError` on conflicts unless ``force``."""
        if _managed_of(applied) is not None:
            raise PatchError("metadata.managedFields must be nil")
        entries = _decode_entries(_managed_of(live) or [])
        identity = (manager, APPLY, "", subresource)
        mine = next((e for e in entries if e.identity == identity), None)
        last_set = mine.fields if mine is not None else frozenset()
        config_set = frozenset(_field_set(applied, self.meta))

        base = copy.deepcopy(live) if live else {}
        merged = _merge(base, applied, FieldMeta(schema=self.meta))
        live_set = _field_set(live, self.meta)
        merged_set = _field_set(merged, self.meta)
        changed = (set(merged_set) - set(live_set)) | {
            p for p in set(merged_set) & set(live_set) if not _same(merged_set[p], live_set[p])
        }
        conflicts = [
            (entry, path)
            for entry in entries
            if entry is not mine
            for path in sorted(entry.fields & changed, key=format_path)
        ]
        if conflicts and not force:
            raise _conflict_error(conflicts)
        for entry in entries:
            if entry is not mine:
                # Forced or not, what this apply sets now belongs to it alone.
                entry.fields = entry.fields - frozenset(changed)
        others: FieldSet = frozenset().union(*(e.fields for e in entries if e is not mine))
        for path in sorted(last_set - config_set, key=len):
            if not _owned_by(others, path) and not _owned_by(config_set, path):
                _remove_path(merged, path, self.meta)
        if mine is None:
            mine = _Entry(manager, APPLY, api_version, config_set, None, subresource)
            entries.append(mine)
        if live is None or _without_managed(merged) != _without_managed(live):
            # Only an apply that changes the object stamps its entry (managedFieldsUpdater):
            # a new manager applying what is already there gets an entry without a time.
            mine.time = self._timestamp()
        mine.fields = config_set
        mine.api_version = api_version
        final_set = _all_paths(merged, self.meta)
        for entry in entries:
            if entry is not mine:
                entry.fields = frozenset(p for p in entry.fields if p in final_set)
        return self._with_entries(merged, entries)

    def _with_entries(self, obj: dict[str, Any], entries: list[_Entry]) -> dict[str, Any]:
        out = dict(obj)
        metadata = dict(out.get("metadata") or {})
        kept = sorted((e for e in entries if e.fields), key=_sort_key)
        if kept:
            metadata["managedFields"] = [e.encode() for e in kept]
        else:
            metadata.pop("managedFields", None)
        out["metadata"] = metadata
        return out


def _without_managed(obj: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    return {**obj, "metadata": meta}


def _same(a: Any, b: Any) -> bool:
    return _go_json(a) == _go_json(b)
