"""kubectl's output formats, byte for byte: tables, json, yaml, kyaml, name, jsonpath, custom
columns, go templates.

Printers write text to any object with ``write(str)``. Lists stream: ``print_list`` takes
an iterable of pages (iterables of item dicts) and writes each page as it comes; table
printers hold only the cell strings of rows not yet flushed by their TabWriter.

Names resolve on first use (module ``__getattr__``): a table never loads the yaml or
jsonpath machinery, ``-o json`` loads only the json encoder. That is most of a small
command's start-up time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kctl.cli._printers._duration import (
        human_duration,
        short_human_duration,
        translate_timestamp_since,
    )
    from kctl.cli._printers._gojson import marshal, marshal_indent
    from kctl.cli._printers._goyaml import dump as yaml_dump
    from kctl.cli._printers._jsonpath import JSONPath, JSONPathError, relaxed_jsonpath_expression
    from kctl.cli._printers._objects import (
        GoTemplatePrinter,
        JSONPathPrinter,
        JSONPrinter,
        KYAMLPrinter,
        NamePrinter,
        WatchEvent,
        YAMLPrinter,
        name_for,
        omit_managed_fields,
    )
    from kctl.cli._printers._sort import parse_quantity, sort_objects, sort_table_rows
    from kctl.cli._printers._table import (
        CustomColumnsPrinter,
        TableOptions,
        TablePrinter,
        format_labels,
        parse_custom_columns,
        parse_custom_columns_template,
    )
    from kctl.cli._printers._tabwriter import TabWriter

__all__ = [
    "CustomColumnsPrinter",
    "GoTemplatePrinter",
    "JSONPath",
    "JSONPathError",
    "JSONPathPrinter",
    "JSONPrinter",
    "KYAMLPrinter",
    "NamePrinter",
    "TabWriter",
    "TableOptions",
    "TablePrinter",
    "WatchEvent",
    "YAMLPrinter",
    "format_labels",
    "human_duration",
    "marshal",
    "marshal_indent",
    "name_for",
    "omit_managed_fields",
    "parse_custom_columns",
    "parse_custom_columns_template",
    "parse_quantity",
    "relaxed_jsonpath_expression",
    "short_human_duration",
    "sort_objects",
    "sort_table_rows",
    "translate_timestamp_since",
    "yaml_dump",
]

# public name -> (private module, attribute there)
_LAZY: dict[str, tuple[str, str]] = {
    "CustomColumnsPrinter": ("_table", "CustomColumnsPrinter"),
    "GoTemplatePrinter": ("_objects", "GoTemplatePrinter"),
    "JSONPath": ("_jsonpath", "JSONPath"),
    "JSONPathError": ("_jsonpath", "JSONPathError"),
    "JSONPathPrinter": ("_objects", "JSONPathPrinter"),
    "JSONPrinter": ("_objects", "JSONPrinter"),
    "KYAMLPrinter": ("_objects", "KYAMLPrinter"),
    "NamePrinter": ("_objects", "NamePrinter"),
    "TabWriter": ("_tabwriter", "TabWriter"),
    "TableOptions": ("_table", "TableOptions"),
    "TablePrinter": ("_table", "TablePrinter"),
    "WatchEvent": ("_objects", "WatchEvent"),
    "YAMLPrinter": ("_objects", "YAMLPrinter"),
    "format_labels": ("_table", "format_labels"),
    "human_duration": ("_duration", "human_duration"),
    "marshal": ("_gojson", "marshal"),
    "marshal_indent": ("_gojson", "marshal_indent"),
    "name_for": ("_objects", "name_for"),
    "omit_managed_fields": ("_objects", "omit_managed_fields"),
    "parse_custom_columns": ("_table", "parse_custom_columns"),
    "parse_custom_columns_template": ("_table", "parse_custom_columns_template"),
    "parse_quantity": ("_sort", "parse_quantity"),
    "relaxed_jsonpath_expression": ("_jsonpath", "relaxed_jsonpath_expression"),
    "short_human_duration": ("_duration", "short_human_duration"),
    "sort_objects": ("_sort", "sort_objects"),
    "sort_table_rows": ("_sort", "sort_table_rows"),
    "translate_timestamp_since": ("_duration", "translate_timestamp_since"),
    "yaml_dump": ("_goyaml", "dump"),
}


def __getattr__(name: str) -> Any:
    entry = _LAZY.get(name)
    if entry is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{entry[0]}"), entry[1])
    # Cached as a real module attribute: the next lookup never reaches __getattr__.
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
