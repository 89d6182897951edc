"""kubectl's output formats, byte for byte: tables, json, yaml, name, jsonpath, custom columns.

Printers write text to any object with ``write(str)``. Lists stream: ``print_list`` takes
an iterable of pages (iterables of item dicts) and writes each page as it comes; table
printers hold only the cell strings of rows not yet flushed by their TabWriter.
"""

from kctl.cli._printers._duration import (
    human_duration,
    short_human_duration,
    translate_timestamp_since,
)
from kctl.cli._printers._gojson import marshal, marshal_indent
from kctl.cli._printers._goyaml import dump as yaml_dump
from kctl.cli._printers._jsonpath import JSONPath, JSONPathError, relaxed_jsonpath_expression
from kctl.cli._printers._objects import (
    JSONPathPrinter,
    JSONPrinter,
    NamePrinter,
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
    "JSONPath",
    "JSONPathError",
    "JSONPathPrinter",
    "JSONPrinter",
    "NamePrinter",
    "TabWriter",
    "TableOptions",
    "TablePrinter",
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
