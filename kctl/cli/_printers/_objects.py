"""Object printers for -o json, yaml, name and jsonpath, each streaming a List page by page."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from kctl.errors import PrinterError

# Each printer imports its encoder when it is built, so that -o json never loads the yaml
# emitter or the jsonpath parser (start-up time of a small command).

__all__ = [
    "GoTemplatePrinter",
    "JSONPathPrinter",
    "JSONPrinter",
    "KYAMLPrinter",
    "NamePrinter",
    "WatchEvent",
    "YAMLPrinter",
    "name_for",
    "omit_managed_fields",
]

_LIST_TAIL_FIELDS = {"kind": "List", "metadata": {"resourceVersion": ""}}
# The pager's page metadata (continue, remainingItemCount), known only once every page was read.
ListMeta = Callable[[], Mapping[str, Any]]


def _list_metadata(extra: ListMeta | None) -> dict[str, Any] | None:
    """The List's metadata when the pager adds to kubectl's ``{"resourceVersion": ""}``."""
    added = extra() if extra is not None else {}
    return {"resourceVersion": "", **added} if added else None


class WatchEvent(dict[str, Any]):
    """``{"type": ..., "object": ...}`` as kubectl prints a watch event (metav1.WatchEvent):
    a struct, so json and kyaml keep its field order where a map's keys would be sorted."""

    def __init__(self, event_type: str, obj: Mapping[str, Any]) -> None:
        super().__init__(type=event_type, object=obj)


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def omit_managed_fields(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """The object without metadata.managedFields, copying only the two dicts on the path."""
    meta = obj.get("metadata")
    if not isinstance(meta, Mapping) or "managedFields" not in meta:
        return obj
    stripped = {k: v for k, v in meta.items() if k != "managedFields"}
    return {**obj, "metadata": stripped}


def name_for(obj: Mapping[str, Any]) -> str:
    """``kind[.group]/name`` as kubectl's name printer writes it."""
    kind = str(obj.get("kind") or "")
    if not kind:
        raise PrinterError("missing kind")
    api_version = str(obj.get("apiVersion") or "")
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    # An object without a name (a manifest get -f did not fetch) is "<unknown>".
    name = name if isinstance(name, str) and name else "<unknown>"
    if group:
        return f"{kind.lower()}.{group}/{name}"
    return f"{kind.lower()}/{name}"


class JSONPrinter:
    def __init__(self, out: Writer, show_managed_fields: bool = False) -> None:
        self._out = out
        self._show_managed = show_managed_fields

    def _prep(self, obj: Mapping[str, Any]) -> Mapping[str, Any]:
        return obj if self._show_managed else omit_managed_fields(obj)

    def print_obj(self, obj: Mapping[str, Any]) -> None:
        from kctl.cli._printers._gojson import marshal, marshal_indent

        if isinstance(obj, WatchEvent):
            # kubectl's JSON printer writes a watch event compact, on one line; as the event
            # has no metadata, kubectl keeps the object's managedFields.
            inner = marshal(obj["object"])
            self._out.write(f'{{"type":{marshal(obj["type"])},"object":{inner}}}\n')
            return
        self._out.write(marshal_indent(self._prep(obj)) + "\n")

    def print_list(
        self, pages: Iterable[Iterable[Mapping[str, Any]]], metadata: ListMeta | None = None
    ) -> None:
        """The items of all pages wrapped in a ``kind: List``, written as they arrive."""
        from kctl.cli._printers._gojson import marshal_indent_at

        out = self._out
        first = True
        for page in pages:
            chunk: list[str] = []
            for item in page:
                if first:
                    chunk.append('{\n    "apiVersion": "v1",\n    "items": [\n        ')
                    first = False
                else:
                    chunk.append(",\n        ")
                chunk.append(marshal_indent_at(self._prep(item), 2))
            if chunk:
                out.write("".join(chunk))
        if first:
            out.write('{\n    "apiVersion": "v1",\n    "items": [],\n')
        else:
            out.write("\n    ],\n")
        meta = _list_metadata(metadata)
        if meta is not None:
            out.write(f'    "kind": "List",\n    "metadata": {marshal_indent_at(meta, 1)}\n}}\n')
            return
        out.write(
            '    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n'
        )


class YAMLPrinter:
    """Documents separated by ``---``; a list is one ``kind: List`` document."""

    def __init__(self, out: Writer, show_managed_fields: bool = False) -> None:
        self._out = out
        self._show_managed = show_managed_fields
        self._count = 0

    def _prep(self, obj: Mapping[str, Any]) -> Mapping[str, Any]:
        return obj if self._show_managed else omit_managed_fields(obj)

    def _separator(self) -> None:
        if self._count:
            self._out.write("---\n")
        self._count += 1

    def print_obj(self, obj: Mapping[str, Any]) -> None:
        from kctl.cli._printers._goyaml import dump

        self._separator()
        self._out.write(dump(self._prep(obj)))

    @staticmethod
    def _sorted(value: Any) -> Any:
        """The object with every map's keys sorted, as json.Marshal orders a map's."""
        if isinstance(value, Mapping):
            return {k: KYAMLPrinter._sorted(value[k]) for k in sorted(value)}
        if isinstance(value, list):
            return [KYAMLPrinter._sorted(v) for v in value]
        return value

    def print_list(
        self, pages: Iterable[Iterable[Mapping[str, Any]]], metadata: ListMeta | None = None
    ) -> None:
        from kctl.cli._printers._goyaml import dump, dump_sequence_items

        self._separator()
        out = self._out
        first = True
        for page in pages:
            # A page at a time: one dumper run per page, and the items of a top-level
            # sequence are written the same whatever precedes them. Nothing is written
            # before the first page is encoded: kubectl prints nothing when encoding fails.
            text = dump_sequence_items([self._prep(item) for item in page])
            if text:
                out.write("apiVersion: v1\nitems:\n" + text if first else text)
                first = False
        if first:
            out.write("apiVersion: v1\nitems: []\n")
        meta = _list_metadata(metadata)
        if meta is not None:
            out.write("kind: List\n" + dump({"metadata": meta}))
            return
        out.write('kind: List\nmetadata:\n  resourceVersion: ""\n')


class NamePrinter:
    def __init__(self, out: Writer, operation: str = "") -> None:
        self._out = out
        self._operation = operation

    def print_obj(self, obj: Mapping[str, Any]) -> None:
        items = obj.get("items")
        if isinstance(items, list) and str(obj.get("kind", "")).endswith("List"):
            for item in items:
                self.print_obj(item)
            return
        suffix = f" {self._operation}" if self._operation else ""
        self._out.write(name_for(obj) + suffix + "\n")


class JSONPathPrinter:
    """``-o jsonpath=TEMPLATE``; lists must be passed as one ``kind: List`` object."""

    def __init__(
        self,
        out: Writer,
        template: str,
        allow_missing_keys: bool = True,
        output_json: bool = False,
    ) -> None:
        from kctl.cli._printers._jsonpath import JSONPath, JSONPathError

        try:
            self._path = JSONPath(template, allow_missing_keys=allow_missing_keys)
        except JSONPathError as err:
            raise PrinterError(f"error parsing jsonpath {template}, {err}") from None
        self._path.output_json = output_json
        self._out = out
        self._template = template

    def print_obj(self, obj: Mapping[str, Any]) -> None:
        from kctl.cli._printers._jsonpath import JSONPathError
        from kctl.cli._printers._table import error_for_jsonpath

        parts: list[str] = []
        try:
            self._path.execute(obj, parts.append)
        except JSONPathError as err:
            self._out.write("".join(parts))
            raise error_for_jsonpath(self._template, err, obj) from None
        self._out.write("".join(parts))


class GoTemplatePrinter:
    """``-o go-template=TEMPLATE`` (and template, go-template-file, templatefile).

    As kubectl's, it sees managedFields, and a list as one ``kind: List`` object. When the
    template fails, what it wrote so far and kubectl's debugging dump go to the output.
    """

    def __init__(self, out: Writer, template: str, allow_missing_keys: bool = True) -> None:
        from kctl.cli._printers._gotemplate import GoTemplate, TemplateError

        try:
            self._template = GoTemplate(template)
        except TemplateError as err:
            raise PrinterError(f"error parsing template {template}, {err}") from None
        self._out = out
        self._raw = template
        self._strict = not allow_missing_keys

    def print_obj(self, obj: Mapping[str, Any]) -> None:
        from kctl.cli._printers._gofmt import go_sprint
        from kctl.cli._printers._gojson import marshal
        from kctl.util.goformat import go_quote

        text, err = self._template.execute(obj, strict=self._strict)
        self._out.write(text)
        if err is None:
            return
        self._out.write(
            f"Error executing template: {err}. Printing more information for debugging the "
            f"template:\n\ttemplate was:\n\t\t{self._raw}\n\traw data was:\n\t\t"
            f"{marshal(obj)}\n\tobject given to template engine was:\n\t\t{go_sprint(obj)}\n\n"
        )
        raise PrinterError(f"error executing template {go_quote(self._raw)}: {err}")


class KYAMLPrinter:
    """``-o kyaml``: each object a ``---`` document; a list is one ``kind: List`` object."""

    def __init__(self, out: Writer, show_managed_fields: bool = False) -> None:
        self._out = out
        self._show_managed = show_managed_fields

    def _prep(self, obj: Mapping[str, Any]) -> Mapping[str, Any]:
        if self._show_managed:
            return obj
        items = obj.get("items")
        if isinstance(items, list):
            # kubectl's OmitManagedFieldsPrinter strips them from a list's items too.
            return {**obj, "items": [omit_managed_fields(i) for i in items]}
        return omit_managed_fields(obj)

    def print_obj(self, obj: Mapping[str, Any]) -> None:
        from kctl.cli._printers._kyaml import KYAMLError, dump

        try:
            if isinstance(obj, WatchEvent):
                # No metadata on the event: kubectl keeps the object's managedFields.
                event = {"type": obj["type"], "object": self._sorted(obj["object"])}
                self._out.write(dump(event, sort_keys=False))
                return
            if not obj.get("kind") or not obj.get("apiVersion"):
                raise PrinterError(
                    "missing apiVersion or kind; try GetObjectKind().SetGroupVersionKind() if "
                    "you know the type"
                )
            self._out.write(dump(self._prep(obj)))
        except KYAMLError as err:
            raise PrinterError(str(err)) from None

    @staticmethod
    def _sorted(value: Any) -> Any:
        """The object with every map's keys sorted, as json.Marshal orders a map's."""
        if isinstance(value, Mapping):
            return {k: KYAMLPrinter._sorted(value[k]) for k in sorted(value)}
        if isinstance(value, list):
            return [KYAMLPrinter._sorted(v) for v in value]
        return value
