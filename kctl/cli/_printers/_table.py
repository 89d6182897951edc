"""Server-side metav1.Table printing (cli-runtime's HumanReadablePrinter) and custom columns.

Both write tab-separated rows through one TabWriter that the caller flushes; a table is
decorated (namespace, kind/name, label columns) and printed page by page, holding only the
cell strings of the rows not yet flushed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from kctl.cli._printers._gofmt import go_quote, go_sprint
from kctl.cli._printers._tabwriter import TabWriter
from kctl.errors import PrinterError

if TYPE_CHECKING:
    from kctl.cli._printers._jsonpath import JSONPath

__all__ = [
    "CustomColumnsPrinter",
    "TableOptions",
    "TablePrinter",
    "format_labels",
    "parse_custom_columns",
    "parse_custom_columns_template",
]

# Rows between flushes of a long table (cli-runtime's flushInterval); RememberWidths keeps
# later blocks at least as wide as earlier ones.
FLUSH_INTERVAL = 100
_EVENT_TYPES = {
    "ADDED": "ADDED   ",
    "MODIFIED": "MODIFIED",
    "DELETED": "DELETED ",
    "ERROR": "ERROR   ",
}


def format_labels(labels: Mapping[str, str] | None) -> str:
    """labels.FormatLabels: ``k=v`` sorted by key, comma-joined, or ``<none>``."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def _escape_terminal(text: str) -> str:
    return text.replace("\x1b", "^[").replace("\r", "\\r")


def _cell_text(text: str) -> str:
    """A cell as kubectl writes it: cut at the first line break, terminal escapes defused."""
    if "\x1b" not in text and "\f" not in text and "\n" not in text and "\r" not in text:
        return text
    cut = min((i for i in (text.find(c) for c in "\f\n\r") if i >= 0), default=-1)
    if cut >= 0:
        return _escape_terminal(text[:cut]) + "..."
    return _escape_terminal(text)


_TABLE_OPTIONS = (
    "no_headers",
    "wide",
    "with_namespace",
    "kind",
    "with_kind",
    "show_labels",
    "column_labels",
)


class TableOptions:
    """How a table is decorated. A plain class: a dataclass costs every ``get`` about a
    millisecond to create at import."""

    __slots__ = _TABLE_OPTIONS

    def __init__(
        self,
        no_headers: bool = False,
        wide: bool = False,
        with_namespace: bool = False,
        kind: str = "",
        with_kind: bool = False,
        show_labels: bool = False,
        column_labels: list[str] | None = None,
    ) -> None:
        self.no_headers = no_headers
        self.wide = wide
        self.with_namespace = with_namespace
        # GroupKind as "Kind" or "Kind.group"; with with_kind, names print as kind[.group]/name.
        self.kind = kind
        self.with_kind = with_kind
        self.show_labels = show_labels
        self.column_labels: list[str] = [] if column_labels is None else column_labels

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TableOptions):
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"TableOptions({fields})"


class TablePrinter:
    """Prints metav1.Table dicts (one per page or watch event) through a shared TabWriter."""

    def __init__(self, out: TabWriter, options: TableOptions | None = None) -> None:
        self._w = out
        self.options = options or TableOptions()
        self._last_columns: list[Any] | None = None
        self._printed_headers = False

    def print_table(self, table: Mapping[str, Any], event_type: str = "") -> None:
        opts = self.options
        columns: list[dict[str, Any]] = list(table.get("columnDefinitions") or [])
        no_headers = opts.no_headers
        if self._printed_headers and (not columns or columns == self._last_columns):
            no_headers = True
        if not columns:
            columns = list(self._last_columns or [])
        elif columns != self._last_columns:
            self._last_columns = columns
            self._printed_headers = False
        rows = table.get("rows") or []
        if rows:
            self._printed_headers = True
        columns, cells = self._decorate(columns, rows)
        if event_type:
            columns = [{"name": "Event", "type": "string"}, *columns]
            label = _EVENT_TYPES.get(event_type, event_type)
            cells = [[label, *row] for row in cells]
        self._print(columns, cells, no_headers)

    def _decorate(
        self, columns: list[dict[str, Any]], rows: list[Mapping[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[list[Any]]]:
        opts = self.options
        name_column = -1
        if opts.with_kind and opts.kind:
            for i, col in enumerate(columns):
                if col.get("format") == "name" and col.get("type") == "string":
                    name_column = i
                    break
        width = len(columns) + len(opts.column_labels) + opts.with_namespace + opts.show_labels
        if width != len(columns):
            decorated: list[dict[str, Any]] = []
            if opts.with_namespace:
                decorated.append({"name": "Namespace", "type": "string"})
            decorated.extend(columns)
            decorated.extend({"name": h, "type": "string"} for h in _label_headers(opts))
            if opts.show_labels:
                decorated.append({"name": "Labels", "type": "string"})
            columns = decorated
        include_labels = bool(opts.column_labels) or opts.show_labels
        kind = opts.kind.lower()
        out: list[list[Any]] = []
        for row in rows:
            cells = list(row.get("cells") or [])
            if name_column != -1 and name_column < len(cells):
                cells[name_column] = f"{kind}/{go_sprint(cells[name_column])}"
            obj = row.get("object")
            meta = obj.get("metadata") if isinstance(obj, Mapping) else None
            if not isinstance(meta, Mapping):
                if opts.with_namespace:
                    cells.insert(0, None)
                cells.extend([None] * (width - len(cells)))
            else:
                if opts.with_namespace:
                    cells.insert(0, meta.get("namespace", ""))
                if include_labels:
                    labels = meta.get("labels") or {}
                    cells.extend(labels.get(key, "") for key in opts.column_labels)
                    if opts.show_labels:
                        cells.append(format_labels(labels))
            out.append(cells)
        return columns, out

    def _print(
        self, columns: list[dict[str, Any]], rows: list[list[Any]], no_headers: bool
    ) -> None:
        wide = self.options.wide
        shown_columns = [col for col in columns if wide or not col.get("priority")]
        visible = [wide or not col.get("priority") for col in columns]
        ncols = len(columns)
        # Each cell's text once: for the widths, then for the line.
        texts = [
            [
                None if cell is None else go_sprint(cell)
                for i, cell in enumerate(row[:ncols])
                if visible[i]
            ]
            for row in rows
        ]
        # Byte lengths, as Go's len(): the header and an unheaded first row are padded to
        # the widest cell so that periodic flushes keep the columns aligned.
        max_widths = [0] * len(shown_columns)
        for line in texts:
            for j, text in enumerate(line):
                if text is not None:
                    size = len(text) if text.isascii() else len(text.encode())
                    if size > max_widths[j]:
                        max_widths[j] = size
        last = len(shown_columns) - 1
        w = self._w
        if not no_headers:
            if not rows:
                return
            parts: list[str] = []
            for j, col in enumerate(shown_columns):
                name = str(col.get("name", "")).upper()
                if j != last:
                    name += " " * max(0, max_widths[j] - len(name.encode()))
                parts.append(name)
            w.write_row(parts)
        for ri, line in enumerate(texts):
            parts = ["" if text is None else _cell_text(text) for text in line]
            if ri == 0 and no_headers:
                for j, text in enumerate(line[:last]):
                    size = len((text or "").encode())
                    parts[j] += " " * max(0, max_widths[j] - size)
            w.write_row(parts)
            if (ri + 1) % FLUSH_INTERVAL == 0:
                w.flush()


def _label_headers(opts: TableOptions) -> list[str]:
    return [key.split("/")[-1].upper() for key in opts.column_labels]


def parse_custom_columns(spec: str) -> list[tuple[str, str]]:
    """``-o custom-columns=HEADER:path,...`` into (header, JSONPath template) pairs."""
    # Only custom columns need the jsonpath parser; a plain table must not load it.
    from kctl.cli._printers._jsonpath import relaxed_jsonpath_expression

    if not spec:
        raise PrinterError("custom-columns format specified but no custom columns given")
    columns: list[tuple[str, str]] = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep:
            raise PrinterError(
                f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
            )
        columns.append((header, relaxed_jsonpath_expression(path)))
    return columns


def parse_custom_columns_template(text: str) -> list[tuple[str, str]]:
    """A custom-columns-file: a line of headers and a line of paths, whitespace-separated."""
    lines = text.splitlines()
    if not lines:
        raise PrinterError(
            "invalid template, missing header line. Expected format is one line of space "
            "separated headers, one line of space separated column specs."
        )
    if len(lines) < 2:
        raise PrinterError(
            "invalid template, missing spec line. Expected format is one line of space "
            "separated headers, one line of space separated column specs."
        )
    from kctl.cli._printers._jsonpath import relaxed_jsonpath_expression

    headers, specs = lines[0].split(), lines[1].split()
    if len(headers) != len(specs):
        raise PrinterError(
            f"number of headers ({len(headers)}) and field specifications ({len(specs)}) "
            "don't match"
        )
    return [(h, relaxed_jsonpath_expression(s)) for h, s in zip(headers, specs, strict=True)]


class CustomColumnsPrinter:
    """``-o custom-columns``: one row per object (list dicts print their items)."""

    def __init__(
        self, out: TabWriter, columns: list[tuple[str, str]], no_headers: bool = False
    ) -> None:
        self._w = out
        from kctl.cli._printers._jsonpath import JSONPath

        self._headers = [header for header, _ in columns]
        self._parsers: list[JSONPath] = [
            JSONPath(spec, allow_missing_keys=True) for _, spec in columns
        ]
        self._no_headers = no_headers
        self._printed_headers = False

    def print_obj(self, obj: Mapping[str, Any]) -> None:
        if not self._no_headers and not self._printed_headers:
            self._w.write("\t".join(self._headers) + "\n")
            self._printed_headers = True
        items = obj.get("items")
        if isinstance(items, list) and str(obj.get("kind", "")).endswith("List"):
            for item in items:
                self._row(item)
        else:
            self._row(obj)

    def print_watch_event(self, event_type: str, obj: Mapping[str, Any]) -> None:
        self.print_obj({"type": event_type, "object": obj})

    def _row(self, obj: Any) -> None:
        cells: list[str] = []
        for parser in self._parsers:
            results = parser.find_results(obj)
            values: list[str] = []
            if not results or not results[0]:
                values.append("<none>")
            for group in results:
                values.extend(_escape_terminal(go_sprint(v)) for v in group)
            cells.append(",".join(values))
        self._w.write("\t".join(cells) + "\n")


def error_for_jsonpath(template: str, err: Exception, obj: Any) -> PrinterError:
    """kubectl's message for a template that failed on an object."""
    from kctl.cli._printers._gofmt import go_sharp_v

    return PrinterError(
        f"error executing jsonpath {go_quote(template)}: Error executing template: {err}. "
        "Printing more information for debugging the template:\n"
        f"\ttemplate was:\n\t\t{template}\n"
        f"\tobject given to jsonpath engine was:\n\t\t{go_sharp_v(obj)}\n\n\n"
    )


Callback = Callable[[str], object]
