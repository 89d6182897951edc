"""Strategic merge patch, as apimachinery's ``strategicpatch`` package: applying a patch
(what kube-apiserver does for ``application/strategic-merge-patch+json``) and computing the
two- and three-way patches ``kubectl apply`` sends.

Lists whose field is tagged ``patchStrategy:"merge"`` merge item by item (by their
``patchMergeKey``, or as sets of scalars); other lists are replaced whole. Directives:
``$patch: replace|delete|merge``, ``$deleteFromPrimitiveList/<field>``,
``$setElementOrder/<field>`` and ``$retainKeys``. Error texts are apimachinery's.

Everything here works on decoded JSON (dicts, lists, scalars) and never changes its inputs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from kctl.errors import PatchConflictError, PatchError
from kctl.util._patchmeta import ANY, BUILTIN_GROUPS, FieldMeta, PatchMeta, patch_meta_for
from kctl.util.jsonmergepatch import PreconditionFunc, conflict_error, go_format, same_json

__all__ = [
    "ANY",
    "BUILTIN_GROUPS",
    "FieldMeta",
    "PatchMeta",
    "apply_strategic_merge_patch",
    "create_three_way_merge_patch",
    "create_two_way_merge_patch",
    "merging_maps_have_conflicts",
    "patch_meta_for",
]

DIRECTIVE = "$patch"
DELETE = "delete"
REPLACE = "replace"
MERGE = "merge"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"

_BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
_BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
_BAD_SET_ORDER = "invalid patch format of setElementOrder list"
_NO_LIST_OF_LISTS = "lists of lists are not supported"


@dataclass(frozen=True, slots=True)
class _DiffOptions:
    set_element_order: bool = False
    ignore_changes_and_additions: bool = False
    ignore_deletions: bool = False
    build_retain_keys_directive: bool = False


@dataclass(frozen=True, slots=True)
class _MergeOptions:
    merge_parallel_list: bool = False
    ignore_unmatched_nulls: bool = False


# -- public API ---------------------------------------------------------------------------


def apply_strategic_merge_patch(
    original: dict[str, Any], patch: dict[str, Any], meta: PatchMeta
) -> dict[str, Any]:
    """``original`` with ``patch`` applied, as the apiserver does for a strategic merge PATCH."""
    _require_object(original)
    _require_object(patch)
    options = _MergeOptions(merge_parallel_list=True, ignore_unmatched_nulls=True)
    return _merge_map(copy.deepcopy(original), copy.deepcopy(patch), meta, options)


def create_two_way_merge_patch(
    original: dict[str, Any],
    modified: dict[str, Any],
    meta: PatchMeta,
    *preconditions: PreconditionFunc,
) -> dict[str, Any]:
    """The patch that turns ``original`` into ``modified``."""
    _require_object(original)
    _require_object(modified)
    patch = _diff_maps(original, modified, meta, _DiffOptions(set_element_order=True))
    _check_preconditions(patch, preconditions)
    return patch


def create_three_way_merge_patch(
    original: dict[str, Any] | None,
    modified: dict[str, Any] | None,
    current: dict[str, Any] | None,
    meta: PatchMeta,
    overwrite: bool = True,
    *preconditions: PreconditionFunc,
) -> dict[str, Any]:
    """kubectl apply's patch: what changed from ``current`` (live) to ``modified`` (the new
    manifest), plus deletions of fields ``original`` (last-applied) had and ``modified`` dropped.

    With ``overwrite=False`` a change that collides with one made live since ``original``
    raises :class:`PatchConflictError`.
    """
    original = copy.deepcopy(original) if original else {}
    modified = copy.deepcopy(modified) if modified else {}
    current = copy.deepcopy(current) if current else {}
    for doc in (original, modified, current):
        _require_object(doc)
    delta = _diff_maps(
        current, modified, meta, _DiffOptions(ignore_deletions=True, set_element_order=True)
    )
    deletions = _diff_maps(
        original,
        modified,
        meta,
        _DiffOptions(set_element_order=True, ignore_changes_and_additions=True),
    )
    patch = _merge_map(deletions, delta, meta, _MergeOptions())
    _check_preconditions(patch, preconditions)
    if not overwrite:
        changed = _diff_maps(original, current, meta, _DiffOptions())
        if merging_maps_have_conflicts(patch, changed, meta):
            raise conflict_error(patch, changed)
    return patch


def merging_maps_have_conflicts(
    left: dict[str, Any], right: dict[str, Any], meta: PatchMeta
) -> bool:
    """Do two strategic merge patches change the same field differently?"""
    return _fields_have_conflicts(left, right, meta, "", "")


def _require_object(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise PatchError("invalid JSON document")


def _check_preconditions(patch: dict[str, Any], checks: tuple[PreconditionFunc, ...]) -> None:
    for check in checks:
        if not check(patch):
            raise PatchConflictError(f"precondition failed for: {go_format(patch)}")


# -- Go-flavoured helpers -----------------------------------------------------------------


def _go_type(value: Any) -> str:
    """reflect.TypeOf of decoded JSON, as apimachinery compares and prints it."""
    if value is None:
        return "%!s(<nil>)"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float64"
    return "string"


def _bad_arg_type(expected: str, actual: Any) -> PatchError:
    return PatchError(f"expected a {expected}, but received a {_go_type(actual)}")


_MAP = "map[string]interface {}"
_SLICE = "[]interface {}"


def _no_merge_key(item: dict[str, Any], key: str) -> PatchError:
    return PatchError(f"map: {go_format(item)} does not contain declared merge key: {key}")


def _bad_patch_type(directive: Any, patch: dict[str, Any]) -> PatchError:
    return PatchError(f"unknown patch type: {go_format(directive)} in map: {go_format(patch)}")


def _scalar_eq(a: Any, b: Any) -> bool:
    """Go's ``==`` on two decoded JSON values (both scalars in practice)."""
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a is b
    return same_json(a, b)


def _sort_scalars(values: list[Any]) -> list[Any]:
    return sorted(values, key=go_format)


def _dedupe_scalars(values: list[Any]) -> list[Any]:
    """apimachinery's in-place de-duplication, which moves the last item into each hole."""
    s = list(values)
    length = len(s) - 1
    i = 0
    while i < length:
        j = i + 1
        while j <= length:
            if _scalar_eq(s[i], s[j]):
                s[j] = s[length]
                s = s[:length]
                length -= 1
                j -= 1
            j += 1
        i += 1
    return s


def _element_kind(*lists: list[Any]) -> str:
    """sliceElementType: 'map' or a scalar kind; every item must share one type."""
    previous: str | None = None
    for items in lists:
        for item in items:
            kind = _go_type(item)
            if previous is None:
                previous = kind
                if kind == _SLICE:
                    raise PatchError(_NO_LIST_OF_LISTS)
            elif previous != kind:
                shown = "[" + " ".join(go_format(items) for items in lists) + "]"
                raise PatchError(f"list element types are not identical: {shown}")
    if previous is None:
        raise PatchError("no elements in any of the given slices")
    return "map" if previous == _MAP else previous


def _strip_prefix(key: str, prefix: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        if prefix == DELETE_FROM_PRIMITIVE_LIST:
            raise PatchError(_BAD_PRIMITIVE_LIST)
        if prefix == SET_ELEMENT_ORDER:
            raise PatchError(_BAD_SET_ORDER)
        raise PatchError(f'fail to find unknown prefix "{prefix}" in {key}\n')
    return rest


# -- diff ---------------------------------------------------------------------------------


def _diff_maps(
    original: dict[str, Any], modified: dict[str, Any], schema: PatchMeta, opts: _DiffOptions
) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    retain_keys: list[Any] = []
    for key, modified_value in modified.items():
        if opts.build_retain_keys_directive and modified_value is not None:
            retain_keys.append(key)
        if key not in original:
            if not opts.ignore_changes_and_additions:
                patch[key] = modified_value
            continue
        original_value = original[key]
        if key == DIRECTIVE:
            if not isinstance(original_value, str) or not isinstance(modified_value, str):
                raise PatchError(f"invalid value for special key: {DIRECTIVE}")
            if original_value != modified_value:
                patch[DIRECTIVE] = modified_value
            continue
        if _go_type(original_value) != _go_type(modified_value):
            if not opts.ignore_changes_and_additions:
                patch[key] = modified_value
            continue
        if isinstance(original_value, dict):
            _handle_map_diff(key, original_value, modified_value, patch, schema, opts)
        elif isinstance(original_value, list):
            _handle_slice_diff(key, original_value, modified_value, patch, schema, opts)
        elif not opts.ignore_changes_and_additions and not same_json(
            original_value, modified_value
        ):
            patch[key] = modified_value
    if not opts.ignore_deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    if retain_keys and (patch or _has_additional_new_field(original, modified)):
        patch[RETAIN_KEYS] = _sort_scalars(retain_keys)
    return patch


def _has_additional_new_field(original: dict[str, Any], modified: dict[str, Any]) -> bool:
    return any(v is not None and k not in modified for k, v in original.items())


def _handle_map_diff(
    key: str,
    original: dict[str, Any],
    modified: dict[str, Any],
    patch: dict[str, Any],
    schema: PatchMeta,
    opts: _DiffOptions,
) -> None:
    meta = schema.lookup(key)
    opts = replace(opts, build_retain_keys_directive=meta.retain_keys)
    if meta.strategy == REPLACE:
        if not opts.ignore_changes_and_additions:
            patch[key] = modified
        return
    value = _diff_maps(original, modified, meta.sub, opts)
    if value:
        patch[key] = value


def _handle_slice_diff(
    key: str,
    original: list[Any],
    modified: list[Any],
    patch: dict[str, Any],
    schema: PatchMeta,
    opts: _DiffOptions,
) -> None:
    meta = schema.lookup(key)
    if meta.strategy != MERGE:
        if not opts.ignore_changes_and_additions and not same_json(original, modified):
            patch[key] = modified
        return
    opts = replace(opts, build_retain_keys_directive=meta.retain_keys)
    additions, deletions, order = _diff_lists(original, modified, meta.sub, meta.merge_key, opts)
    if additions:
        patch[key] = additions
    if deletions:
        patch[f"{DELETE_FROM_PRIMITIVE_LIST}/{key}"] = deletions
    if order:
        patch[f"{SET_ELEMENT_ORDER}/{key}"] = order


def _diff_lists(
    original: list[Any], modified: list[Any], schema: PatchMeta, merge_key: str, opts: _DiffOptions
) -> tuple[list[Any], list[Any], list[Any]]:
    if not original:
        if not modified or opts.ignore_changes_and_additions:
            return [], [], []
        return modified, [], []
    kind = _element_kind(original, modified)
    order: list[Any] = []
    if kind == "map":
        additions, deletions = _diff_lists_of_maps(original, modified, schema, merge_key, opts)
        additions = _normalize_slice_order(additions, modified, merge_key, kind)
        order_same = _is_order_same(original, modified, merge_key)
        additions = additions + deletions
        if opts.set_element_order and (
            (not opts.ignore_changes_and_additions and (additions or not order_same))
            or (not opts.ignore_deletions and additions)
        ):
            order = [{merge_key: item[merge_key]} for item in modified]
        return additions, [], order
    additions, deletions = _diff_lists_of_scalars(original, modified, opts)
    additions = _normalize_slice_order(additions, modified, merge_key, kind)
    if opts.set_element_order and (
        (not opts.ignore_deletions and deletions)
        or (not opts.ignore_changes_and_additions and not same_json(original, modified))
    ):
        order = modified
    return additions, deletions, order


def _is_order_same(original: list[Any], modified: list[Any], merge_key: str) -> bool:
    if len(original) != len(modified):
        return False
    return all(_merge_key_equal(o, m, merge_key) for o, m in zip(original, modified, strict=True))


def _merge_key_equal(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return _scalar_eq(left, right)
    if not isinstance(left, dict):
        raise _bad_arg_type(_MAP, left)
    if not isinstance(right, dict):
        raise _bad_arg_type(_MAP, right)
    if merge_key not in left:
        raise _no_merge_key(left, merge_key)
    if merge_key not in right:
        raise _no_merge_key(right, merge_key)
    return _scalar_eq(left[merge_key], right[merge_key])


def _diff_lists_of_scalars(
    original: list[Any], modified: list[Any], opts: _DiffOptions
) -> tuple[list[Any], list[Any]]:
    originals = _sort_scalars(original)
    modifieds = _sort_scalars(modified)
    additions: list[Any] = []
    deletions: list[Any] = []
    i = j = 0
    while i < len(originals) or j < len(modifieds):
        in_o, in_m = i < len(originals), j < len(modifieds)
        o_text = go_format(originals[i]) if in_o else ""
        m_text = go_format(modifieds[j]) if in_m else ""
        if in_o and in_m and o_text == m_text:
            i += 1
            j += 1
        elif not in_o or (in_m and o_text > m_text):
            if not opts.ignore_changes_and_additions:
                additions.append(modifieds[j])
            j += 1
        else:
            if not opts.ignore_deletions:
                deletions.append(originals[i])
            i += 1
    return additions, _dedupe_scalars(deletions)


def _sort_by_merge_key(items: list[Any], merge_key: str) -> list[Any]:
    if not items:
        return items
    if _element_kind(items) != "map":
        return _sort_scalars(_dedupe_scalars(items))
    return sorted(items, key=lambda item: go_format(item.get(merge_key)))


def _diff_lists_of_maps(
    original: list[Any], modified: list[Any], schema: PatchMeta, merge_key: str, opts: _DiffOptions
) -> tuple[list[Any], list[Any]]:
    patch: list[Any] = []
    deletions: list[Any] = []
    originals = _sort_by_merge_key(original, merge_key)
    modifieds = _sort_by_merge_key(modified, merge_key)
    i = j = 0
    while i < len(originals) or j < len(modifieds):
        in_o, in_m = i < len(originals), j < len(modifieds)
        o_item = o_key = m_item = m_key = None
        if in_o:
            o_item, o_key = _item_and_key(originals[i], merge_key)
        if in_m:
            m_item, m_key = _item_and_key(modifieds[j], merge_key)
        o_text, m_text = go_format(o_key), go_format(m_key)
        if in_o and in_m and o_text == m_text:
            assert o_item is not None and m_item is not None
            value = _diff_maps(o_item, m_item, schema, opts)
            if value:
                value[merge_key] = m_key
                patch.append(value)
            i += 1
            j += 1
        elif not in_o or (in_m and o_text > m_text):
            if not opts.ignore_changes_and_additions:
                patch.append(m_item)
            j += 1
        else:
            if not opts.ignore_deletions:
                deletions.append({merge_key: o_key, DIRECTIVE: DELETE})
            i += 1
    return patch, deletions


def _item_and_key(item: Any, merge_key: str) -> tuple[dict[str, Any], Any]:
    if not isinstance(item, dict):
        raise _bad_arg_type(_MAP, item)
    if merge_key not in item:
        raise _no_merge_key(item, merge_key)
    return item, item[merge_key]


# -- ordering -----------------------------------------------------------------------------


def _index(items: list[Any], value: Any, merge_key: str, kind: str) -> int:
    def key_of(item: Any) -> Any:
        if kind == "map":
            return item.get(merge_key) if isinstance(item, dict) else None
        return item

    wanted = key_of(value)
    for i, item in enumerate(items):
        if _scalar_eq(wanted, key_of(item)):
            return i
    return -1


def _validate_merge_key_in_lists(merge_key: str, *lists: list[Any]) -> None:
    for items in lists:
        for item in items:
            if not isinstance(item, dict):
                raise _bad_arg_type(_MAP, item)
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)


def _split_deletes(items: list[Any]) -> tuple[list[Any], list[Any]]:
    keep: list[Any] = []
    delete: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            raise _bad_arg_type(_MAP, item)
        (delete if item.get(DIRECTIVE) == DELETE else keep).append(item)
    return keep, delete


def _normalize_slice_order(
    to_sort: list[Any], order: list[Any], merge_key: str, kind: str
) -> list[Any]:
    to_delete: list[Any] = []
    if kind == "map":
        _validate_merge_key_in_lists(merge_key, to_sort, order)
        to_sort, to_delete = _split_deletes(to_sort)

    def less(a: Any, b: Any) -> bool:
        ia = _index(order, a, merge_key, kind)
        if ia >= 0:
            ib = _index(order, b, merge_key, kind)
            if ib >= 0:
                return ia < ib
        return True

    # Go's stable insertion sort; its comparator is not a strict order for unknown items,
    # so the exact algorithm decides where they land.
    items = list(to_sort)
    for i in range(1, len(items)):
        j = i
        while j > 0 and less(items[j], items[j - 1]):
            items[j], items[j - 1] = items[j - 1], items[j]
            j -= 1
    return items + to_delete


def _merge_sorted(
    left: list[Any], right: list[Any], server_order: list[Any], merge_key: str, kind: str
) -> list[Any]:
    """Interleave server-only items (left) into patch items (right) by live order."""
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li = _index(server_order, left[i], merge_key, kind)
            ri = _index(server_order, right[j], merge_key, kind)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def _normalize_element_order(
    patch: list[Any],
    server_only: list[Any],
    patch_order: list[Any],
    server_order: list[Any],
    merge_key: str,
    kind: str,
) -> list[Any]:
    patch = _normalize_slice_order(patch, patch_order, merge_key, kind)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, kind)
    return _merge_sorted(server_only, patch, server_order, merge_key, kind)


def _partition_primitives(items: list[Any], by: list[Any]) -> tuple[list[Any], list[Any]]:
    inside = [v for v in items if any(_scalar_eq(v, b) for b in by)]
    outside = [v for v in items if not any(_scalar_eq(v, b) for b in by)]
    return inside, outside


def _partition_maps(items: list[Any], by: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    inside: list[Any] = []
    outside: list[Any] = []
    for item in items:
        _, value = _item_and_key(item, merge_key)
        found = _find_by_key(by, merge_key, value) is not None
        (inside if found else outside).append(item)
    return inside, outside


def _find_by_key(items: list[Any], merge_key: str, value: Any) -> int | None:
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise PatchError(f"value for key {i} is not a map")
        if merge_key in item and _scalar_eq(item[merge_key], value):
            return i
    return None


# -- merge --------------------------------------------------------------------------------


def _remove_directives(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict):
        if DIRECTIVE in value:
            return None, False
        for key in list(value):
            sub, keep = _remove_directives(value[key])
            if keep:
                value[key] = sub
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        out = []
        for item in value:
            sub, keep = _remove_directives(item)
            if keep:
                out.append(sub)
        return out, True
    return value, True


def _discard_nulls(value: Any) -> None:
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for sub in value.values():
            _discard_nulls(sub)
    elif isinstance(value, list):
        for sub in value:
            _discard_nulls(sub)


def _merge_map(
    original: dict[str, Any] | None,
    patch: dict[str, Any],
    schema: PatchMeta,
    opts: _MergeOptions,
) -> dict[str, Any]:
    if DIRECTIVE in patch:
        directive = patch[DIRECTIVE]
        if directive == REPLACE:
            del patch[DIRECTIVE]
            return patch
        if directive == DELETE:
            return {}
        raise _bad_patch_type(directive, patch)
    if original is None:
        original = {}
    _apply_retain_keys(original, patch, opts)
    _merge_set_element_order(original, patch, schema, opts)

    for key, patch_value in list(patch.items()):
        is_delete_list = False
        if key.startswith(DELETE_FROM_PRIMITIVE_LIST):
            if not opts.merge_parallel_list:
                original[key] = patch_value
                continue
            key = _strip_prefix(key, DELETE_FROM_PRIMITIVE_LIST)
            is_delete_list = True
        if patch_value is None:
            original.pop(key, None)
            if opts.ignore_unmatched_nulls:
                continue
        if key not in original or _go_type(original[key]) != _go_type(patch_value):
            if not is_delete_list:
                if opts.ignore_unmatched_nulls:
                    _discard_nulls(patch_value)
                value, keep = _remove_directives(patch_value)
                if keep:
                    original[key] = value
                else:
                    original.pop(key, None)
            continue
        meta = schema.lookup(key)
        current = original[key]
        if isinstance(current, dict):
            if meta.strategy == REPLACE:
                original[key] = patch_value
            else:
                original[key] = _merge_map(current, patch_value, meta.sub, opts)
        elif isinstance(current, list):
            original[key] = _merge_slice_handler(current, patch_value, meta, is_delete_list, opts)
        else:
            value, keep = _remove_directives(patch_value)
            if keep:
                original[key] = value
            else:
                original.pop(key, None)
    return original


def _apply_retain_keys(
    original: dict[str, Any], patch: dict[str, Any], opts: _MergeOptions
) -> None:
    if RETAIN_KEYS not in patch:
        return
    retain = patch.pop(RETAIN_KEYS)
    if not opts.merge_parallel_list:
        if RETAIN_KEYS in original:
            if not same_json(original[RETAIN_KEYS], retain):
                raise PatchError(
                    f"{go_format(original[RETAIN_KEYS])} and {go_format(retain)} are not deep "
                    "equal: this may happen when calculating the 3-way diff patch"
                )
        else:
            original[RETAIN_KEYS] = retain
        return
    if not isinstance(retain, list):
        raise PatchError(_BAD_RETAIN_KEYS)
    for key, value in patch.items():
        if (
            value is None
            or key.startswith(DELETE_FROM_PRIMITIVE_LIST)
            or key.startswith(SET_ELEMENT_ORDER)
        ):
            continue
        if not any(_scalar_eq(key, r) for r in retain):
            raise PatchError(_BAD_RETAIN_KEYS)
    for key in list(original):
        if not any(_scalar_eq(key, r) for r in retain):
            del original[key]


def _validate_set_order(patch_list: Any, order: Any, merge_key: str) -> None:
    if not isinstance(order, list) or not isinstance(patch_list, list):
        raise PatchError(_BAD_SET_ORDER)
    if not order or not patch_list:
        return
    items = _split_deletes(patch_list)[0] if merge_key else patch_list
    p = s = 0
    while p < len(items) and s < len(order):
        if isinstance(items[p], dict) and DIRECTIVE in items[p]:
            p += 1
            continue
        if _merge_key_equal(items[p], order[s], merge_key):
            p += 1
        s += 1
    if p < len(items) and s >= len(order):
        raise PatchError(
            f"The order in patch list:\n{go_format(patch_list)}\n doesn't match "
            f"{SET_ELEMENT_ORDER} list:\n{go_format(order)}\n"
        )


def _merge_set_element_order(
    original: dict[str, Any], patch: dict[str, Any], schema: PatchMeta, opts: _MergeOptions
) -> None:
    for key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        order = patch.pop(key)
        if not opts.merge_parallel_list:
            if key in original:
                if not same_json(original[key], order):
                    raise PatchError(_BAD_SET_ORDER)
            else:
                original[key] = order
        if not isinstance(order, list):
            raise _bad_arg_type(_SLICE, order)
        field = _strip_prefix(key, SET_ELEMENT_ORDER)
        found_original, found_patch = field in original, field in patch
        original_list: list[Any] = []
        patch_list: list[Any] = []
        if found_original:
            if not isinstance(original[field], list):
                raise _bad_arg_type(_SLICE, original[field])
            original_list = original[field]
        if found_patch:
            if not isinstance(patch[field], list):
                raise _bad_arg_type(_SLICE, patch[field])
            patch_list = patch[field]
        meta = schema.lookup(field)
        _validate_set_order(patch_list, order, meta.merge_key)
        if not found_original and not found_patch:
            continue
        if found_original and not found_patch:
            merged = original_list
        elif not found_original:
            merged = _remove_directives(patch_list)[0]
        else:
            backing = list(original_list)
            merged = _merge_slice_handler(original_list, patch_list, meta, False, opts, backing)
            original_list = backing
        if meta.merge_key:
            inside, outside = _partition_maps(merged, order, meta.merge_key)
        else:
            inside, outside = _partition_primitives(merged, order)
        kind = _element_kind(original_list, patch_list)
        original[field] = _normalize_element_order(
            inside, outside, order, original_list, meta.merge_key, kind
        )
        patch.pop(field, None)


def _merge_slice_handler(
    original: Any,
    patch: Any,
    meta: FieldMeta,
    is_delete_list: bool,
    opts: _MergeOptions,
    backing: list[Any] | None = None,
) -> list[Any]:
    if not isinstance(original, list):
        raise _bad_arg_type(_SLICE, original)
    if not isinstance(patch, list):
        raise _bad_arg_type(_SLICE, patch)
    if meta.strategy == MERGE or is_delete_list:
        return _merge_slice(
            original, patch, meta.sub, meta.merge_key, opts, is_delete_list, backing
        )
    return patch


def _merge_slice(
    original: list[Any],
    patch: list[Any],
    schema: PatchMeta,
    merge_key: str,
    opts: _MergeOptions,
    is_delete_list: bool,
    backing: list[Any] | None = None,
) -> list[Any]:
    if not original and not patch:
        return original
    kind = _element_kind(original, patch)
    if kind != "map":
        if opts.merge_parallel_list and is_delete_list:
            return [v for v in original if not any(_scalar_eq(v, d) for d in patch)]
        merged = _dedupe_scalars(original + patch)
    else:
        if not merge_key:
            raise PatchError(f"cannot merge lists without merge key for {schema.name}")
        original, patch, merged = _merge_lists_of_maps(
            original, patch, merge_key, schema, opts, backing
        )
    if merge_key:
        inside, outside = _partition_maps(merged, patch, merge_key)
    else:
        inside, outside = _partition_primitives(merged, patch)
    return _normalize_element_order(inside, outside, patch, original, merge_key, kind)


def _merge_lists_of_maps(
    original: list[Any],
    patch: list[Any],
    merge_key: str,
    schema: PatchMeta,
    opts: _MergeOptions,
    backing: list[Any] | None,
) -> tuple[list[Any], list[Any], list[Any]]:
    """Apply ``$patch`` items, then merge or append the rest: the new ``original`` and
    ``patch`` (as mergeSlice continues with them) and the merged list.

    apimachinery deletes and appends in place on the Go array behind the live list, and the
    $setElementOrder code later orders by that array's full-length view (whatever the
    array's capacity, only writes below the original length are visible there).
    ``backing``, when given, stands for that array and receives the same writes, so the
    resulting order is the same as kube-apiserver's."""
    array = backing if backing is not None else list(original)
    length = len(array)
    plain: list[Any] = []
    replace_all = False
    for item in patch:
        if DIRECTIVE not in item:
            plain.append(item)
            continue
        directive = item[DIRECTIVE]
        if directive == DELETE:
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            while (at := _find_by_key(array[:length], merge_key, item[merge_key])) is not None:
                array[at : length - 1] = array[at + 1 : length]
                length -= 1
        elif directive == REPLACE:
            replace_all = True
        elif directive == MERGE:
            raise PatchError("merging lists cannot yet be specified in the patch")
        else:
            raise _bad_patch_type(directive, item)
    if replace_all:
        return plain, [], list(plain)
    original = array[:length]
    merged = list(original)
    in_place = True
    for item in plain:
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
        at = _find_by_key(merged, merge_key, item[merge_key])
        if at is None:
            merged.append(item)
            # Go's append writes into the array while it has room, then moves elsewhere.
            in_place = in_place and len(merged) <= len(array)
            if in_place:
                array[len(merged) - 1] = item
        else:
            merged[at] = _merge_map(merged[at], item, schema, opts)
            if in_place:
                array[at] = merged[at]
    return original, plain, merged


# -- conflicts ----------------------------------------------------------------------------


def _fields_have_conflicts(
    left: Any, right: Any, schema: PatchMeta, strategy: str, merge_key: str
) -> bool:
    if isinstance(left, dict):
        if not isinstance(right, dict):
            return True
        if (DIRECTIVE in left or DIRECTIVE in right) and (
            (DIRECTIVE in left) != (DIRECTIVE in right)
            or not _scalar_eq(left[DIRECTIVE], right[DIRECTIVE])
        ):
            return True
        if strategy == REPLACE:
            return False
        return _maps_have_conflicts(left, right, schema)
    if isinstance(left, list):
        if not isinstance(right, list):
            return True
        return _slices_have_conflicts(left, right, schema, strategy, merge_key)
    return not same_json(left, right)


def _maps_have_conflicts(left: dict[str, Any], right: dict[str, Any], schema: PatchMeta) -> bool:
    for key, value in left.items():
        if key in (DIRECTIVE, RETAIN_KEYS) or key not in right:
            continue
        meta = schema.lookup(key) if isinstance(value, (dict, list)) else FieldMeta()
        if _fields_have_conflicts(value, right[key], meta.sub, meta.strategy, meta.merge_key):
            return True
    return False


def _slices_have_conflicts(
    left: list[Any], right: list[Any], schema: PatchMeta, strategy: str, merge_key: str
) -> bool:
    kind = _element_kind(left, right)
    if strategy == MERGE:
        if kind != "map":
            return False
        lmap = _by_merge_key(left, merge_key)
        rmap = _by_merge_key(right, merge_key)
        return any(
            k in rmap and _fields_have_conflicts(v, rmap[k], schema, "", "")
            for k, v in lmap.items()
        )
    if len(left) != len(right):
        return True
    if kind != "map":
        left = _sort_scalars(_dedupe_scalars(left))
        right = _sort_scalars(_dedupe_scalars(right))
    return any(
        _fields_have_conflicts(a, b, schema, "", "") for a, b in zip(left, right, strict=False)
    )


def _by_merge_key(items: list[Any], merge_key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict):
            raise PatchError(f"invalid element type in merging list:{go_format(items)}")
        if merge_key not in item:
            raise PatchError(
                f"cannot find merge key `{merge_key}` in merging list element:{go_format(item)}"
            )
        out[go_format(item[merge_key])] = item
    return out
