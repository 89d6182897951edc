"""Reading manifests as kubectl's resource builder does: ``-f FILE|DIR|-|URL`` and ``-R``.

Each source is a stream of YAML documents or concatenated JSON values. kubectl's rules:

- a directory contributes its ``.json``, ``.yaml`` and ``.yml`` files in lexical order (with
  ``-R`` also those of its subdirectories); a file named directly is read whatever its name;
- a YAML syntax error ends its stream (``error parsing F: ...``) and the documents after it
  are never seen, while a document that parses but is no object (``unable to decode``) is
  reported and the stream goes on;
- ``kind: ...List`` documents are flattened into their items;
- values come out as Go's JSON round trip leaves them: timestamps stay strings, integral
  floats become integers, map keys become strings.

``read_manifests`` yields, in order, a :class:`Manifest` per object or a ``KctlError`` per
problem; callers report the errors and go on, as kubectl's ContinueOnError builder does.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from kctl.errors import KctlError

__all__ = [
    "FILE_EXTENSIONS",
    "STDIN_SOURCE",
    "Manifest",
    "check_paths",
    "expand_dir",
    "is_url",
    "read_manifests",
]

FILE_EXTENSIONS = (".json", ".yaml", ".yml")
# apply's validation: True checks each document's apiVersion and kind (what kubectl's
# validator says before it looks at a schema); a callable does that and then validates the
# document itself (kctl.cli._schema_validation), returning the problem's text or None.
Validate = bool | Callable[[dict[str, Any]], "str | None"]
STDIN_SOURCE = "STDIN"


@dataclass(frozen=True)
class Manifest:
    """One object from a manifest; ``source`` is the path as given, ``STDIN`` or the URL."""

    source: str
    obj: dict[str, Any]
    # For an item of a list document: a number the document's items share (kubectl reports
    # their errors together, as one aggregate).
    from_list: int | None = None


def is_url(name: str) -> bool:
    """Whether -f names a URL rather than a path."""
    return name.startswith(("http://", "https://"))


def check_paths(filenames: Sequence[str]) -> tuple[str, ...]:
    """The -f names with glob patterns expanded, checked before any is read.

    As kubectl's builder: a name that does not exist is tried as a pattern (``*.yaml``,
    ``app-?.json``, ``[ab].yaml``), its matches in lexical order; a pattern that matches
    nothing is ``the path "x" does not exist``.
    """
    expanded: list[str] = []
    for name in filenames:
        if name == "-" or is_url(name) or os.path.exists(name):
            expanded.append(name)
            continue
        if _bad_pattern(name):
            raise KctlError(f'pattern "{name}" is not valid: syntax error in pattern')
        matches = sorted(_glob(name))
        if not matches:
            raise KctlError(f'the path "{name}" does not exist')
        expanded += matches
    return tuple(expanded)


def _bad_pattern(pattern: str) -> bool:
    """Whether Go's filepath.Match calls ``pattern`` malformed (ErrBadPattern): an unclosed
    or empty ``[...]`` class, a range missing an end, or a trailing backslash."""
    i, end = 0, len(pattern)
    while i < end:
        char = pattern[i]
        if char == "\\":
            if i + 1 >= end:
                return True
            i += 2
            continue
        if char != "[":
            i += 1
            continue
        i += 1
        if i < end and pattern[i] == "^":
            i += 1
        ranges = 0
        while i < end and not (pattern[i] == "]" and ranges):
            i = _class_char(pattern, i)
            if i >= 0 and i < end and pattern[i] == "-":
                i = _class_char(pattern, i + 1)
            if i < 0:
                return True
            ranges += 1
        if i >= end:
            return True
        i += 1
    return False


def _class_char(pattern: str, i: int) -> int:
    """The index after one character of a ``[...]`` class (Go's getEsc), or -1 when a range
    bound is missing there."""
    if i >= len(pattern) or pattern[i] in "-]":
        return -1
    return i + (2 if pattern[i] == "\\" else 1)


def _glob(pattern: str) -> list[str]:
    import glob

    if "[" not in pattern and "*" not in pattern and "?" not in pattern:
        return []
    # Go's filepath.Glob: no "**", and a leading dot is matched like any other character.
    kwargs: dict[str, Any] = {"include_hidden": True} if sys.version_info >= (3, 11) else {}
    return glob.glob(pattern, **kwargs)


def expand_dir(root: str, recursive: bool) -> list[str]:
    """The manifest files of a directory, in kubectl's order (subdirectories with -R)."""
    found: list[str] = []

    def walk(path: str) -> None:
        try:
            names = sorted(os.listdir(path))
        except OSError as err:
            raise KctlError(f"error reading {path}: {err.strerror}") from None
        for name in names:
            full = os.path.join(path, name)
            if os.path.isdir(full):
                if recursive:
                    walk(full)
                continue
            if name.endswith(FILE_EXTENSIONS):
                found.append(full)

    walk(os.path.normpath(root))
    return found


def _read_url(url: str) -> bytes:
    import urllib.error
    import urllib.parse
    import urllib.request

    host = urllib.parse.urlsplit(url).hostname or ""
    handlers: list[urllib.request.BaseHandler] = []
    if host in ("localhost", "127.0.0.1", "::1"):
        # Go's ProxyFromEnvironment never proxies loopback addresses.
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(url, timeout=60) as resp:
            data: bytes = resp.read()
            return data
    except urllib.error.HTTPError as err:
        raise KctlError(
            f'unable to read URL "{url}", server reported {err.code} {err.reason}, '
            f"status code={err.code}"
        ) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise KctlError(f'unable to read URL "{url}": {reason}') from None


def _sources(
    filenames: Sequence[str], recursive: bool, stdin: IO[bytes]
) -> Iterator[tuple[str, bytes] | KctlError]:
    for name in filenames:
        if name == "-":
            yield STDIN_SOURCE, stdin.read()
        elif is_url(name):
            try:
                yield name, _read_url(name)
            except KctlError as err:
                yield err
        elif os.path.isdir(name):
            try:
                paths = expand_dir(name, recursive)
            except KctlError as err:
                yield err
                continue
            if not paths:
                yield KctlError(
                    f"error reading [{name}]: recognized file extensions are "
                    f"[{' '.join(FILE_EXTENSIONS)}]"
                )
            for path in paths:
                yield from _read_file(path)
        else:
            yield from _read_file(name)


def _read_file(path: str) -> Iterator[tuple[str, bytes] | KctlError]:
    try:
        with open(path, "rb") as fh:
            yield path, fh.read()
    except OSError as err:
        yield KctlError(f"open {path}: {(err.strerror or str(err)).lower()}")


# -- decoding ------------------------------------------------------------------------------


def _split_yaml(text: str) -> Iterator[tuple[str, str]]:
    """apimachinery's YAMLReader: documents split on lines starting with ``---``.

    Yields (kind, payload): ``("doc", text)`` or ``("error", message)``, after which the
    stream ends.
    """
    buffer: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("---"):
            trailing = line[3:].strip()
            if trailing and not trailing.startswith("#"):
                yield "error", f"invalid Yaml document separator: {trailing}"
                return
            if buffer:
                yield "doc", "".join(buffer)
                buffer = []
            continue
        buffer.append(line)
    if buffer:
        yield "doc", "".join(buffer)


class _JSONStop(KctlError):
    """A JSON value that does not decode, in Go's words; ``start`` is its byte offset."""

    def __init__(self, message: str, start: int, *, offset: int = 0, final: bool = False) -> None:
        super().__init__(message)
        self.start = start
        # A syntax error's offset; YAMLOrJSONDecoder names it unless JSON was certain.
        self.offset = offset
        # Too deep for kctl: no YAML reading of the rest can help.
        self.final = final


def _json_values(data: bytes) -> Iterator[tuple[str, Any]]:
    """Concatenated JSON values, each with its raw text (kubectl quotes the raw bytes).

    Go's scanner checks each value first, for encoding/json's texts, offsets and depth limit.
    """
    import json

    from kctl.cli._gojson_scan import GoJSONError, UnexpectedEOF, scan_value
    from kctl.util.goyaml import to_json

    pos = 0
    size = len(data)
    while True:
        while pos < size and data[pos] in b" \t\r\n":
            pos += 1
        if pos >= size:
            return
        try:
            end = scan_value(data, pos)
        except GoJSONError as err:
            raise _JSONStop(err.msg, pos, offset=err.offset) from None
        except UnexpectedEOF:
            # encoding/json's stream decoder: the input ended inside a value.
            raise _JSONStop("unexpected EOF", pos) from None
        raw = data[pos:end].decode("utf-8", "replace")
        try:
            value = json.loads(raw, parse_float=lambda s: to_json(float(s)))
        except RecursionError:
            # Within Go's 10000 levels, but deeper than Python's decoder goes.
            raise _JSONStop("json: nested too deeply for kctl to decode", pos, final=True) from None
        yield raw, value
        pos = end


def _json_stream(source: str, data: bytes, validate: Validate) -> Iterator[Manifest | KctlError]:
    """apimachinery's YAMLOrJSONDecoder on a stream that starts with ``{``: JSON values; when
    one fails after at most one was read, the rest is read as YAML, and if that fails too
    the JSON error is the one reported."""
    count = 0
    try:
        for raw, value in _json_values(data):
            count += 1
            yield from _objects(source, raw, value, validate)
        return
    except _JSONStop as err:
        if count > 1 or err.final:
            # More than one object read: a JSON stream for sure, and Go's error as it is.
            yield KctlError(f"error parsing {source}: {err}")
            return
        where = f"json: offset {err.offset}: " if err.offset else ""
        failure = KctlError(f"error parsing {source}: {where}{err}")
        start = err.start
    # Whitespace left by the last JSON value, up to and including the first newline.
    while start < len(data) and data[start] in b" \t\r\v\f":
        start += 1
    if start < len(data) and data[start] == 0x0A:
        start += 1
    first = True
    for item in decode_stream(source, data[start:], validate, yaml_only=True):
        if first and isinstance(item, KctlError) and str(item).startswith("error parsing "):
            yield failure
            return
        first = False
        yield item


_GO_TYPES = {str: "string", list: "array", bool: "bool", int: "number", float: "number"}


_VALIDATION_HINT = "if you choose to ignore these errors, turn validation off with --validate=false"


def _type_meta_problem(value: Any) -> str | None:
    """What kubectl's schema validator says before it looks at the schema, if anything:
    its getObjectKind, whose apiVersion and kind problems add up (an aggregate)."""
    return _aggregate(type_meta_problems(value))


def _aggregate(problems: list[str]) -> str | None:
    from kctl.cli._schema_validation import aggregate_text

    return aggregate_text(problems)


def type_meta_problems(value: Any) -> list[str]:
    from kctl.schema import parse_group_version

    if not isinstance(value, dict):
        return ["invalid object to validate"]
    problems: list[str] = []
    api_version = value.get("apiVersion")
    if api_version is None:
        problems.append("apiVersion not set")
    elif not isinstance(api_version, str):
        problems.append("apiVersion isn't string type")
    else:
        try:
            parse_group_version(api_version)
        except ValueError as err:
            problems.append(str(err))
    kind = value.get("kind")
    if kind is None:
        problems.append("kind not set")
    elif not isinstance(kind, str):
        problems.append("kind isn't string type")
    return problems


class ListItemError(KctlError):
    """A problem with one item of a list document; ``from_list`` numbers the document."""

    def __init__(self, message: str, from_list: int) -> None:
        super().__init__(message)
        self.from_list = from_list


class _ValidationError(KctlError):
    """kubectl's StreamVisitor returns on a validation error: the rest of the source is
    never read (a document that does not decode is reported and skipped instead)."""


def _objects(
    source: str, raw: str, value: Any, validate: Validate = False
) -> Iterator[Manifest | KctlError]:
    """A decoded document as objects: lists flattened, non-objects and kind-less ones refused.

    With ``validate`` (apply's --validate=strict|warn) a document without a usable apiVersion
    or kind is refused as kubectl's validator words it, before it is decoded.
    """
    if value is None:
        return
    if validate:
        problem = _type_meta_problem(value)
        if problem is None and callable(validate):
            problem = validate(value)
        if problem is not None:
            yield _ValidationError(
                f'error validating "{source}": error validating data: {problem}; '
                + _VALIDATION_HINT
            )
            return
    if not isinstance(value, dict):
        go_type = _GO_TYPES.get(type(value), "string")
        yield KctlError(
            f'unable to decode "{source}": json: cannot unmarshal {go_type} into Go value '
            "of type unstructured.detector"
        )
        return
    if "items" in value:
        yield from _list_items(source, raw, value, validate)
        return
    if not _text(value.get("kind")):
        yield KctlError(f"unable to decode \"{source}\": Object 'Kind' is missing in '{raw}'")
        return
    problem = metadata_problem(value)
    if problem is not None:
        yield KctlError(f'unable to decode "{source}": {problem}')
        return
    yield Manifest(source, value)


_list_ids = itertools.count()


def _list_items(
    source: str, raw: str, value: dict[str, Any], validate: Validate
) -> Iterator[Manifest | KctlError]:
    """A document with an ``items`` field, whatever its kind, is a list to apimachinery's
    unstructured decoder: its items must be objects, and those without apiVersion and kind
    take the list's (kind without its ``List`` suffix)."""
    items = value["items"]
    if items is not None and not isinstance(items, list):
        go_type = "object" if isinstance(items, dict) else _GO_TYPES.get(type(items), "string")
        yield KctlError(
            f'unable to decode "{source}": json: cannot unmarshal {go_type} into Go struct '
            "field decodeList.items of type []json.RawMessage"
        )
        return
    items = items or []
    if validate is True and value.get("apiVersion") == "v1" and value.get("kind") == "List":
        # validateList: every item's apiVersion and kind, in one aggregate (a schema
        # validator checks them, with each item's schema, itself).
        problem = _aggregate([p for item in items for p in type_meta_problems(item)])
        if problem is not None:
            yield _ValidationError(
                f'error validating "{source}": error validating data: {problem}; '
                + _VALIDATION_HINT
            )
            return
    for item in items:
        if item is not None and not isinstance(item, dict):
            go_type = "array" if isinstance(item, list) else _GO_TYPES.get(type(item), "string")
            yield KctlError(
                f'unable to decode "{source}": json: cannot unmarshal {go_type} into Go value '
                "of type map[string]interface {}"
            )
            return
    if not _text(value.get("kind")):
        yield KctlError(f"unable to decode \"{source}\": Object 'Kind' is missing in '{raw}'")
        return
    problem = metadata_problem(value)
    if problem is not None:
        yield KctlError(f'unable to decode "{source}": {problem}')
        return
    kind, api_version = value.get("kind"), value.get("apiVersion")
    item_kind = kind.removesuffix("List") if isinstance(kind, str) else ""
    list_id = next(_list_ids)
    for item in items:
        obj = dict(item or {})
        if not _text(obj.get("kind")) and not _text(obj.get("apiVersion")):
            obj["kind"] = item_kind
            obj["apiVersion"] = api_version if isinstance(api_version, str) else ""
        missing = _untyped(obj)
        if missing:
            # The builder's unstructured typer refuses an item it cannot type.
            yield ListItemError(
                'unable to get type info from the object "*unstructured.Unstructured": '
                f"Object '{missing}' is missing in '{_UNTYPED[missing]}'",
                list_id,
            )
            continue
        yield Manifest(source, obj, list_id)


# apimachinery's texts, the trailing blank included.
_UNTYPED = {"Kind": "object has no kind field ", "apiVersion": "object has no apiVersion field"}


def _untyped(obj: dict[str, Any]) -> str:
    """What the unstructured typer misses in an item: "Kind", "apiVersion" or nothing. An
    apiVersion that does not parse leaves no group-version-kind at all, so no kind."""
    from kctl.schema import parse_group_version

    try:
        gv = parse_group_version(_text(obj.get("apiVersion")))
    except ValueError:
        return "Kind"
    if not _text(obj.get("kind")):
        return "Kind"
    return "" if gv.version else "apiVersion"


def _text(value: Any) -> str:
    # Unstructured's GetKind and GetAPIVersion: "" for a missing or non-string field.
    return value if isinstance(value, str) else ""


def _compact(value: Any) -> str:
    from kctl.cli._printers import marshal

    return marshal(value)


def _control_character(data: bytes) -> bool:
    return any((b < 0x20 and b not in b"\t\n\r") or b == 0x7F for b in data)


def decode_stream(
    source: str, data: bytes, validate: Validate = False, *, yaml_only: bool = False
) -> Iterator[Manifest | KctlError]:
    """The objects of one source, as kubectl's YAMLOrJSONDecoder reads it."""
    for item in _decode_stream(source, data, validate, yaml_only):
        yield item
        if isinstance(item, _ValidationError):
            return


def _decode_stream(
    source: str, data: bytes, validate: Validate, yaml_only: bool
) -> Iterator[Manifest | KctlError]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if not data.lstrip().startswith(b"{") and _control_character(data[: err.start]):
            # go-yaml's reader meets the control byte before the bad UTF-8 sequence.
            yield KctlError(
                f"error parsing {source}: error converting YAML to JSON: yaml: control "
                "characters are not allowed"
            )
            return
        # kubectl takes invalid UTF-8 in: U+FFFD for each invalid sequence.
        text = data.decode("utf-8-sig", "replace")
    if not yaml_only and text.lstrip().startswith("{"):
        yield from _json_stream(source, text.encode("utf-8"), validate)
        return

    from kctl.util import goyaml

    for kind, payload in _split_yaml(text):
        if kind == "error":
            yield KctlError(f"error parsing {source}: {payload}")
            return
        try:
            value = goyaml.load(payload)
        except goyaml.YAMLSyntaxError as err:
            yield KctlError(f"error parsing {source}: error converting YAML to JSON: {err}")
            return
        raw = _compact(value) if value is not None else ""
        yield from _objects(source, raw, value, validate)


def read_manifests(
    filenames: Sequence[str],
    recursive: bool = False,
    stdin: IO[bytes] | None = None,
    *,
    validate: Validate = False,
) -> Iterator[Manifest | KctlError]:
    """Every object of every source, in order, with the errors in their place."""
    stream = stdin if stdin is not None else sys.stdin.buffer
    for item in _sources(filenames, recursive, stream):
        if isinstance(item, KctlError):
            yield item
            continue
        source, data = item
        yield from decode_stream(source, data, validate)


# metav1.ObjectMeta's fields by Go type, for cli-runtime's metadataValidatingDecoder.
_META_STRINGS = ("generateName", "name", "namespace", "resourceVersion", "selfLink", "uid")
_META_INTS = ("deletionGracePeriodSeconds", "generation")
_META_MAPS = ("annotations", "labels")
_OWNER_STRINGS = ("apiVersion", "kind", "name", "uid")
_JSON_TYPES = {bool: "bool", int: "number", float: "number", str: "string", list: "array"}


def _json_type(value: Any) -> str:
    return "object" if isinstance(value, dict) else _JSON_TYPES.get(type(value), "string")


def _unmarshal_error(value: Any, struct: str, path: str, go_type: str) -> str:
    return f"json: cannot unmarshal {_json_type(value)} into Go struct field {struct}.{path} of type {go_type}"


def metadata_problem(obj: dict[str, Any]) -> str | None:
    """The first error encoding/json meets decoding a document's metadata into ObjectMeta
    (keys in Go's order: a YAML document reaches it as JSON with sorted keys), or None.
    Timestamps and managedFields are left to the server."""
    if "metadata" not in obj or obj["metadata"] is None:
        return None
    meta = obj["metadata"]
    if not isinstance(meta, dict):
        return _unmarshal_error(meta, "metadataOnlyObject", "metadata", "v1.ObjectMeta")
    for key in sorted(meta):
        value = meta[key]
        if value is None:
            continue
        path = f"metadata.{key}"
        problem: str | None = None
        if key in _META_STRINGS and not isinstance(value, str):
            problem = _unmarshal_error(value, "ObjectMeta", path, "string")
        elif key in _META_INTS and (isinstance(value, bool) or not isinstance(value, int)):
            # A fraction's text names the number itself: left to the server.
            if not isinstance(value, float):
                problem = _unmarshal_error(value, "ObjectMeta", path, "int64")
        elif key in _META_MAPS:
            problem = _string_map_problem(value, path)
        elif key == "finalizers":
            problem = _string_list_problem(value, "ObjectMeta", path)
        elif key == "ownerReferences":
            problem = _owners_problem(value, path)
        if problem is not None:
            return problem
    return None


def _string_map_problem(value: Any, path: str) -> str | None:
    if not isinstance(value, dict):
        return _unmarshal_error(value, "ObjectMeta", path, "map[string]string")
    for key in sorted(value):
        if value[key] is not None and not isinstance(value[key], str):
            return _unmarshal_error(value[key], "ObjectMeta", path, "string")
    return None


def _string_list_problem(value: Any, struct: str, path: str) -> str | None:
    if not isinstance(value, list):
        return _unmarshal_error(value, struct, path, "[]string")
    for item in value:
        if item is not None and not isinstance(item, str):
            return _unmarshal_error(item, struct, path, "string")
    return None


def _owners_problem(value: Any, path: str) -> str | None:
    if not isinstance(value, list):
        return _unmarshal_error(value, "ObjectMeta", path, "[]v1.OwnerReference")
    for owner in value:
        if owner is None:
            continue
        if not isinstance(owner, dict):
            return _unmarshal_error(owner, "ObjectMeta", path, "v1.OwnerReference")
        for key in sorted(owner):
            field, item = owner[key], f"{path}.{key}"
            if field is None:
                continue
            if key in _OWNER_STRINGS and not isinstance(field, str):
                return _unmarshal_error(field, "OwnerReference", item, "string")
            if key in ("blockOwnerDeletion", "controller") and not isinstance(field, bool):
                return _unmarshal_error(field, "OwnerReference", item, "bool")
    return None
