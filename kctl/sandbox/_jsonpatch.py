"""RFC 6902 JSON patch, behaving as kube-apiserver's evanphx/json-patch (v4).

The apiserver surfaces the library's error texts verbatim (as a 422), so they are kept
byte for byte, including its quirks:

* ``replace`` of a missing *object* key succeeds and adds the key (only array indices and
  missing parents are checked);
* negative array indices count from the end;
* a ``test`` against a missing key or a JSON null passes when the value is absent or null;
* scalars compare by their JSON text, so ``1`` and ``1.0`` differ.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from kctl.errors import JSONPatchError

__all__ = ["JSONPatchError", "apply_patch", "decode_patch", "json_equal"]

_MISSING = "missing value"
_INVALID_INDEX = "invalid index referenced"
_TEST_FAILED = "test failed"

_ABSENT = object()


def decode_patch(data: bytes | str) -> list[dict[str, Any]]:
    """Parse a JSON patch body; shapes that Go cannot decode get encoding/json's texts."""
    try:
        ops = json.loads(data)
    except ValueError as err:
        raise JSONPatchError(f"invalid character in JSON patch: {err}") from None
    if not isinstance(ops, list):
        raise JSONPatchError(
            f"json: cannot unmarshal {_go_type(ops)} into Go value of type jsonpatch.Patch"
        )
    for op in ops:
        if not isinstance(op, dict):
            raise JSONPatchError(
                f"json: cannot unmarshal {_go_type(op)} into Go value of type jsonpatch.Operation"
            )
    return ops


def apply_patch(doc: Any, ops: list[dict[str, Any]]) -> Any:
    """Apply ``ops`` to a deep copy of ``doc`` and return it; ``doc`` is never changed."""
    root: list[Any] = [copy.deepcopy(doc)]
    for op in ops:
        kind = op.get("op")
        if not isinstance(kind, str):
            kind = "unknown"
        if kind == "add":
            _add(root, op)
        elif kind == "remove":
            _remove(root, op)
        elif kind == "replace":
            _replace(root, op)
        elif kind == "move":
            _move(root, op)
        elif kind == "test":
            _test(root, op)
        elif kind == "copy":
            _copy(root, op)
        else:
            raise JSONPatchError(f"Unexpected kind: {kind}")
    return root[0]


def json_equal(a: Any, b: Any) -> bool:
    """Structural equality where scalars must have the same JSON type (``True != 1``)."""
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(json_equal(v, b[k]) for k, v in a.items())
        )
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(json_equal, a, b))
    return type(a) is type(b) and bool(a == b)


def _go_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _string_field(op: dict[str, Any], field: str, missing: str) -> str:
    value = op.get(field)
    if value is None:
        raise JSONPatchError(missing)
    if not isinstance(value, str):
        raise JSONPatchError(
            f"json: cannot unmarshal {_go_type(value)} into Go value of type string"
        )
    return value


def _path(op: dict[str, Any]) -> str:
    return _string_field(op, "path", f"operation missing path field: {_MISSING}")


def _from(op: dict[str, Any]) -> str:
    return _string_field(op, "from", f"operation, missing from field: {_MISSING}")


def _value(op: dict[str, Any]) -> Any:
    # An absent value adds a JSON null, as the library's nil node marshals.
    return copy.deepcopy(op.get("value"))


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _atoi(key: str) -> int:
    """Go's strconv.Atoi, with its error texts."""
    body = key[1:] if key[:1] in "+-" else key
    if not body or not body.isascii() or not body.isdigit():
        raise _AtoiError(f'strconv.Atoi: parsing "{key}": invalid syntax')
    value = int(key)
    if not -(2**63) <= value < 2**63:
        raise _AtoiError(f'strconv.Atoi: parsing "{key}": value out of range')
    return value


class _AtoiError(Exception):
    pass


def _find(root: list[Any], path: str) -> tuple[Any, str] | None:
    """The container holding the last token of ``path`` and that (unescaped) token."""
    parts = path.split("/")
    if len(parts) < 2:
        return None
    node = root[0]
    for raw in parts[1:-1]:
        part = _unescape(raw)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list):
            try:
                node = node[_index(node, part, len(node) - 1)]
            except (_AtoiError, JSONPatchError):
                return None
        else:
            return None
        if not isinstance(node, (dict, list)):
            return None
    if not isinstance(node, (dict, list)):
        return None
    return node, _unescape(parts[-1])


def _index(seq: list[Any], key: str, last: int) -> int:
    """Resolve ``key`` to a position in ``seq`` allowing ``0..last`` and negatives."""
    idx = _atoi(key)
    if idx > last:
        raise JSONPatchError(f"Unable to access invalid index: {idx}: {_INVALID_INDEX}")
    if idx < 0:
        if idx < -(last + 1):
            raise JSONPatchError(f"Unable to access invalid index: {idx}: {_INVALID_INDEX}")
        idx += last + 1
    return idx


def _get(con: Any, key: str) -> Any:
    """The value at ``key``; a missing object key is absent, not an error."""
    if isinstance(con, dict):
        return con.get(key, _ABSENT)
    return con[_index(con, key, len(con) - 1)]


def _container_add(con: Any, key: str, value: Any) -> None:
    if isinstance(con, dict):
        con[key] = value
        return
    if key == "-":
        con.append(value)
        return
    try:
        idx = _atoi(key)
    except _AtoiError as err:
        raise JSONPatchError(f"value was not a proper array index: '{key}': {err}") from None
    con.insert(_index(con, str(idx), len(con)), value)


def _container_remove(con: Any, key: str) -> None:
    if isinstance(con, dict):
        if key not in con:
            raise JSONPatchError(f"Unable to remove nonexistent key: {key}: {_MISSING}")
        del con[key]
        return
    del con[_index(con, key, len(con) - 1)]


def _wrap(prefix: str, err: Exception) -> JSONPatchError:
    return JSONPatchError(f"{prefix}: {err}")


def _add(root: list[Any], op: dict[str, Any]) -> None:
    try:
        path = _path(op)
    except JSONPatchError:
        raise JSONPatchError(f"add operation failed to decode path: {_MISSING}") from None
    found = _find(root, path)
    if found is None:
        raise JSONPatchError(
            f'add operation does not apply: doc is missing path: "{path}": {_MISSING}'
        )
    try:
        _container_add(*found, _value(op))
    except (JSONPatchError, _AtoiError) as err:
        raise _wrap(f"error in add for path: '{path}'", err) from None


def _remove(root: list[Any], op: dict[str, Any]) -> None:
    try:
        path = _path(op)
    except JSONPatchError:
        raise JSONPatchError(f"remove operation failed to decode path: {_MISSING}") from None
    found = _find(root, path)
    if found is None:
        raise JSONPatchError(
            f'remove operation does not apply: doc is missing path: "{path}": {_MISSING}'
        )
    try:
        _container_remove(*found)
    except (JSONPatchError, _AtoiError) as err:
        raise _wrap(f"error in remove for path: '{path}'", err) from None


def _replace(root: list[Any], op: dict[str, Any]) -> None:
    try:
        path = _path(op)
    except JSONPatchError as err:
        raise _wrap("replace operation failed to decode path", err) from None
    if path == "":
        value = _value(op)
        if not isinstance(value, (dict, list)):
            # The library wraps a nil error here, which Go's fmt renders like this.
            raise JSONPatchError("replace operation value must be object or array: %!w(<nil>)")
        root[0] = value
        return
    found = _find(root, path)
    if found is None:
        raise JSONPatchError(
            f"replace operation does not apply: doc is missing path: {path}: {_MISSING}"
        )
    con, key = found
    if isinstance(con, dict):
        con[key] = _value(op)
        return
    try:
        idx = _index(con, key, len(con) - 1)
    except (JSONPatchError, _AtoiError):
        raise JSONPatchError(
            f"replace operation does not apply: doc is missing key: {path}: {_MISSING}"
        ) from None
    con[idx] = _value(op)


def _move(root: list[Any], op: dict[str, Any]) -> None:
    try:
        source = _from(op)
    except JSONPatchError as err:
        raise _wrap("move operation failed to decode from", err) from None
    found = _find(root, source)
    if found is None:
        raise JSONPatchError(
            f"move operation does not apply: doc is missing from path: {source}: {_MISSING}"
        )
    con, key = found
    try:
        value = _get(con, key)
        _container_remove(con, key)
    except (JSONPatchError, _AtoiError) as err:
        raise _wrap(f"error in move for path: '{key}'", err) from None
    try:
        path = _path(op)
    except JSONPatchError as err:
        raise _wrap("move operation failed to decode path", err) from None
    found = _find(root, path)
    if found is None:
        raise JSONPatchError(
            f"move operation does not apply: doc is missing destination path: {path}: {_MISSING}"
        )
    try:
        _container_add(*found, value)
    except (JSONPatchError, _AtoiError) as err:
        raise _wrap(f"error in move for path: '{path}'", err) from None


def _test(root: list[Any], op: dict[str, Any]) -> None:
    try:
        path = _path(op)
    except JSONPatchError as err:
        raise _wrap("test operation failed to decode path", err) from None
    failed = JSONPatchError(f"testing value {path} failed: {_TEST_FAILED}")
    expected = op.get("value")
    if path == "":
        if not json_equal(root[0], expected):
            raise failed
        return
    found = _find(root, path)
    if found is None:
        raise JSONPatchError(f"test operation does not apply: is missing path: {path}: {_MISSING}")
    try:
        actual = _get(*found)
    except (JSONPatchError, _AtoiError) as err:
        raise _wrap(f"error in test for path: '{path}'", err) from None
    # The library cannot tell a missing key from a JSON null, on either side.
    if actual is _ABSENT or actual is None:
        if expected is not None:
            raise failed
        return
    if expected is None or not json_equal(actual, expected):
        raise failed


def _copy(root: list[Any], op: dict[str, Any]) -> None:
    try:
        source = _from(op)
    except JSONPatchError as err:
        raise _wrap("copy operation failed to decode from", err) from None
    found = _find(root, source)
    if found is None:
        raise JSONPatchError(
            f"copy operation does not apply: doc is missing from path: {source}: {_MISSING}"
        )
    try:
        value = _get(*found)
    except (JSONPatchError, _AtoiError) as err:
        raise _wrap(f"error in copy for from: '{source}'", err) from None
    try:
        path = _path(op)
    except JSONPatchError:
        raise JSONPatchError(f"copy operation failed to decode path: {_MISSING}") from None
    found = _find(root, path)
    if found is None:
        raise JSONPatchError(
            f"copy operation does not apply: doc is missing destination path: {path}: {_MISSING}"
        )
    try:
        _container_add(*found, None if value is _ABSENT else copy.deepcopy(value))
    except (JSONPatchError, _AtoiError) as err:
        raise _wrap("error while adding value during copy", err) from None
