"""Fuzzing jsonpath and custom-columns templates and ``--sort-by``: output or kctl's error.

Templates are strings of JSONPath's tokens (braces, filters, slices, unions, ranges,
functions) with noise; they run against manifest-shaped objects whose fields may be of any
type, since a template meets whatever the server stored.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from kctl.cli._printers import (
    CustomColumnsPrinter,
    JSONPath,
    JSONPathError,
    JSONPathPrinter,
    TabWriter,
    parse_custom_columns,
    parse_custom_columns_template,
    sort_objects,
    sort_table_rows,
)
from kctl.errors import PrinterError

sys.path.insert(0, str(Path(__file__).parent.parent.parent))
from fuzz_strategies import assert_one_line, json_values, k8s_objects, token_strings

_TOKENS = (
    "{",
    "}",
    ".",
    "..",
    "[",
    "]",
    "*",
    "@",
    "$",
    "?(",
    ")",
    "==",
    "!=",
    "<",
    ">=",
    "'",
    '"',
    "\\",
    ",",
    ":",
    "-1",
    "0",
    "2",
    "range ",
    "end",
    "{.items[*]}",
    "{end}",
    ".metadata",
    ".name",
    ".spec",
    ".items",
    "metadata",
    "name",
    "kind",
    "labels",
    "a.b/c",
    "\\.",
    "true",
    "1.5",
    " ",
    "\n",
    "\t",
)
templates = token_strings(_TOKENS, max_size=14)
_OBJECTS = st.one_of(k8s_objects(), json_values(10))


def _go_error_first_line(err: PrinterError) -> PrinterError:
    # kubectl's "error executing jsonpath" text goes on with the template and the object over
    # several lines, by design; its first line is the error.
    text = str(err)
    if text.startswith("error executing jsonpath "):
        return PrinterError(text.split(". Printing more information", 1)[0])
    return err


@given(templates, _OBJECTS, st.booleans())
@example("{.a[?(@.b=='c')]}", {"a": [{"b": "c"}, 1]}, False)
@example("{range .items[*]}{.x}{end}{end}", {"items": [1]}, False)
@example("{.a[::0]}", {"a": [1, 2]}, False)
def test_a_template_parses_and_runs_or_fails_as_jsonpath_error(
    template: str, obj: Any, allow_missing: bool
) -> None:
    try:
        parser = JSONPath(template, allow_missing_keys=allow_missing)
    except JSONPathError as err:
        assert_one_line(err, JSONPathError, template)
        return
    out: list[str] = []
    try:
        parser.execute(obj, out.append)
    except JSONPathError as err:
        assert_one_line(err, JSONPathError, [template, obj])


@given(templates, _OBJECTS)
def test_jsonpath_printer_prints_or_fails_as_printer_error(template: str, obj: Any) -> None:
    out = io.StringIO()
    try:
        JSONPathPrinter(out, template).print_obj(obj)
    except PrinterError as err:
        assert_one_line(_go_error_first_line(err), PrinterError, [template, obj])


@given(templates.map(lambda t: t.replace("\n", "")), st.lists(_OBJECTS, max_size=4))
def test_custom_columns_print_or_fail_as_printer_error(spec: str, objs: list[Any]) -> None:
    out = io.StringIO()
    try:
        columns = parse_custom_columns(spec)
        tw = TabWriter(out)
        printer = CustomColumnsPrinter(tw, columns)
        for obj in objs:
            if isinstance(obj, dict):
                printer.print_obj(obj)
        tw.flush()
    except PrinterError as err:
        assert_one_line(_go_error_first_line(err), PrinterError, [spec, objs])


@given(templates)
def test_custom_columns_file_parses_or_fails_as_printer_error(text: str) -> None:
    try:
        columns = parse_custom_columns_template(text)
        CustomColumnsPrinter(TabWriter(io.StringIO()), columns)
    except PrinterError as err:
        assert_one_line(err, PrinterError, text)


@given(templates, st.lists(_OBJECTS, max_size=5))
@example("{.a}", [{"a": 1}, {"a": "x"}])
@example("{.a}", [{"a": [1]}, {"a": {"b": 1}}])
@example(".a", [{"a": True}, {"a": False}])
@example(".a", [{"a": "1Ki"}, {"a": "1e3"}, {"a": "1e99999"}])
def test_sort_by_sorts_or_fails_as_printer_error(field: str, objs: list[Any]) -> None:
    try:
        result = sort_objects(objs, field)
    except PrinterError as err:
        assert_one_line(err, PrinterError, [field, objs])
        return
    assert len(result) == len(objs)


@given(templates, st.lists(_OBJECTS, max_size=4))
def test_sort_by_on_table_rows(field: str, objs: list[Any]) -> None:
    table = {"rows": [{"cells": [i], "object": obj} for i, obj in enumerate(objs)]}
    try:
        sort_table_rows(table, field)
    except PrinterError as err:
        assert_one_line(err, PrinterError, [field, objs])
        return
    assert len(table["rows"]) == len(objs)
