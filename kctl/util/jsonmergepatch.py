"""RFC 7386 JSON merge patch: apply (evanphx/json-patch ``MergePatch``), two-way diff
(``CreateMergePatch``) and apimachinery's ``CreateThreeWayJSONMergePatch``, which
``kubectl apply`` uses for kinds without strategic-merge metadata (CRDs)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from kctl.errors import PatchConflictError, PatchError, PrinterError

__all__ = [
    "PreconditionFunc",
    "apply_merge_patch",
    "create_merge_patch",
    "create_three_way_merge_patch",
    "go_format",
    "has_conflicts",
    "require_key_unchanged",
    "require_metadata_key_unchanged",
    "same_json",
]

PreconditionFunc = Callable[[Any], bool]


def apply_merge_patch(doc: Any, patch: Any) -> Any:
    """Merge ``patch`` into a copy of ``doc``; a non-object patch replaces the document."""
    if doc is None:
        raise PatchError("Invalid JSON Document")
    if isinstance(patch, list):
        return _prune_list(copy.deepcopy(patch))
    if not isinstance(patch, dict):
        raise PatchError("Invalid JSON Patch")
    if not isinstance(doc, dict):
        return _prune(copy.deepcopy(patch))
    result = copy.deepcopy(doc)
    _merge_into(result, patch)
    return result


def _merge_into(doc: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            doc.pop(key, None)
            continue
        current = doc.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge_into(current, value)
        elif current is None or not isinstance(current, dict):
            # Whatever replaces a non-object is stripped of its nulls...
            doc[key] = _prune(copy.deepcopy(value))
        else:
            # ...but a non-object replacing an object is taken verbatim.
            doc[key] = copy.deepcopy(value)


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for sub in value.values():
            _prune(sub)
    elif isinstance(value, list):
        _prune_list(value)
    return value


def _prune_list(values: list[Any]) -> list[Any]:
    # Null elements of a list are kept; only objects inside lose their null members.
    for item in values:
        if item is not None:
            _prune(item)
    return values


def same_json(a: Any, b: Any) -> bool:
    """Equality as Go sees decoded JSON: numbers compare as float64, bools are not numbers."""
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(same_json(v, b[k]) for k, v in a.items())
        )
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same_json, a, b))
    return _kind(a) == _kind(b) and bool(a == b)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def create_merge_patch(original: dict[str, Any], modified: dict[str, Any]) -> dict[str, Any]:
    """The merge patch that turns ``original`` into ``modified`` (removals become nulls)."""
    if not isinstance(original, dict) or not isinstance(modified, dict):
        raise PatchError("Invalid JSON Document")
    return _diff(original, modified)


def _diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    into: dict[str, Any] = {}
    for key, bv in b.items():
        if key not in a:
            into[key] = copy.deepcopy(bv)
            continue
        av = a[key]
        if isinstance(av, dict) and isinstance(bv, dict):
            sub = _diff(av, bv)
            if sub:
                into[key] = sub
        elif not same_json(av, bv):
            into[key] = copy.deepcopy(bv)
    for key in a:
        if key not in b:
            into[key] = None
    return into


def _keep_or_delete_null(patch: dict[str, Any], keep_null: bool) -> dict[str, Any]:
    filtered: dict[str, Any] = {}
    for key, value in patch.items():
        if value is None:
            if keep_null:
                filtered[key] = None
        elif isinstance(value, dict):
            # An explicitly empty object is a value, not an empty patch.
            if not value:
                if not keep_null:
                    filtered[key] = value
                continue
            sub = _keep_or_delete_null(value, keep_null)
            if sub:
                filtered[key] = sub
        elif not keep_null:
            filtered[key] = value
    return filtered


def has_conflicts(left: Any, right: Any) -> bool:
    """apimachinery's mergepatch.HasConflicts: do two patches set a key differently?"""
    if isinstance(left, dict):
        if not isinstance(right, dict):
            return True
        return any(k in right and has_conflicts(v, right[k]) for k, v in left.items())
    if isinstance(left, list):
        if not isinstance(right, list) or len(left) != len(right):
            return True
        return any(map(has_conflicts, left, right))
    return not same_json(left, right)


def require_key_unchanged(key: str) -> PreconditionFunc:
    """Fails when the patch touches top-level ``key`` (kubectl: apiVersion, kind)."""

    def check(patch: Any) -> bool:
        return not (isinstance(patch, dict) and key in patch)

    return check


def require_metadata_key_unchanged(key: str) -> PreconditionFunc:
    """Fails when the patch touches ``metadata.<key>`` (kubectl: name)."""

    def check(patch: Any) -> bool:
        if not isinstance(patch, dict):
            return True
        meta = patch.get("metadata")
        return not (isinstance(meta, dict) and key in meta)

    return check


def go_format(value: Any) -> str:
    """Go's ``%v`` of decoded JSON, as in ``precondition failed for: map[...]``."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{go_format(value[k])}" for k in sorted(value))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_format(v) for v in value) + "]"
    if isinstance(value, (int, float)):
        return _go_float(float(value))
    return str(value)


def _go_float(value: float) -> str:
    """fmt's ``%v`` of a float64 (Go decodes every JSON number as one): the shortest
    round-tripping digits, in exponent form when the exponent is < -4 or >= 6."""
    if value == 0:
        return "0"
    if value != value or value in (float("inf"), float("-inf")):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(value)]
    sign = "-" if value < 0 else ""
    # repr() gives the shortest round-tripping digits, as Go's shortest formatting does.
    text = repr(abs(value))
    mantissa, _, exp_text = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    exponent = len(whole) - 1 + (int(exp_text) if exp_text else 0)
    if whole == "0":
        exponent = -(len(frac) - len(frac.lstrip("0")) + 1)
    digits = digits.rstrip("0") or "0"
    if exponent < -4 or exponent >= 6:
        head = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{head}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    if len(digits) <= exponent + 1:
        return f"{sign}{digits}{'0' * (exponent + 1 - len(digits))}"
    return f"{sign}{digits[: exponent + 1]}.{digits[exponent + 1 :]}"


def conflict_error(patch: Any, changes: Any) -> PatchConflictError:
    """mergepatch.NewErrConflict, which renders both sides as YAML."""
    # sigs.k8s.io/yaml's Marshal, as kubectl's -o yaml; only on this rare error path.
    return PatchConflictError(
        f"patch:\n{_yaml_or_error(patch)}\nconflicts with changes made from original to "
        f"current:\n{_yaml_or_error(changes)}\n"
    )


def _yaml_or_error(value: Any) -> str:
    """mergepatch.ToYAMLOrError: a value YAML cannot hold is shown by the error instead."""
    from kctl.cli._printers._goyaml import dump as to_yaml

    try:
        return to_yaml(value)
    except PrinterError as err:
        # Go follows this with go-spew's dump of the value; Go's %v text stands in for it.
        return f"yaml marshal failed:{err}\n{go_format(value)}\n"


def create_three_way_merge_patch(
    original: dict[str, Any] | None,
    modified: dict[str, Any] | None,
    current: dict[str, Any] | None,
    *preconditions: PreconditionFunc,
) -> dict[str, Any]:
    """Changes from ``current`` to ``modified``, plus deletions of what ``original`` had and
    ``modified`` dropped; fields only ``current`` has (set by others) are left alone."""
    original = original or {}
    modified = modified or {}
    current = current or {}
    add_and_change = _keep_or_delete_null(create_merge_patch(current, modified), False)
    deletions = _keep_or_delete_null(create_merge_patch(original, modified), True)
    if has_conflicts(add_and_change, deletions):
        raise conflict_error(add_and_change, deletions)
    patch = apply_merge_patch(deletions, add_and_change)
    if not isinstance(patch, dict):
        raise PatchError("Invalid JSON Patch")
    for check in preconditions:
        if not check(patch):
            raise PatchConflictError(f"precondition failed for: {go_format(patch)}")
    return patch
