"""Tabwriter, server-side Table printing, custom columns, durations and sort-by."""

from __future__ import annotations

import io
from typing import Any

import pytest

from kctl.cli._printers import (
    CustomColumnsPrinter,
    TableOptions,
    TablePrinter,
    TabWriter,
    format_labels,
    human_duration,
    parse_custom_columns,
    parse_custom_columns_template,
    parse_quantity,
    relaxed_jsonpath_expression,
    short_human_duration,
    sort_objects,
    sort_table_rows,
)
from kctl.errors import PrinterError


def tabwriter() -> tuple[TabWriter, io.StringIO]:
    out = io.StringIO()
    return TabWriter(out), out


def test_tabwriter_pads_all_but_the_trailing_cell() -> None:
    w, out = tabwriter()
    w.write("NAME\tREADY\tSTATUS\na\t1/1\tRunning\n")
    w.flush()
    assert out.getvalue() == "NAME   READY   STATUS\na      1/1     Running\n"


def test_tabwriter_single_cell_line_ends_the_block() -> None:
    w, out = tabwriter()
    w.write("a\tb\nlonger-cell\tc\nplain line\nx\ty\n")
    w.flush()
    # The block after "plain line" is new, but RememberWidths keeps the wider column.
    assert out.getvalue() == "a             b\nlonger-cell   c\nplain line\nx             y\n"


def test_tabwriter_remembers_widths_across_flushes() -> None:
    w, out = tabwriter()
    w.write("a\tb\n")
    w.flush()
    w.write("abcdefghij\tc\n")
    w.flush()
    w.write("x\ty\n")
    w.flush()
    assert out.getvalue() == "a     b\nabcdefghij   c\nx            y\n"
    w.set_remembered_widths(None)
    w.write("x\ty\n")
    w.flush()
    assert out.getvalue().endswith("x     y\n")


def test_tabwriter_counts_characters_and_keeps_partial_line() -> None:
    w, out = tabwriter()
    w.write("héllo\tx\nab\ty\ntail")
    w.flush()
    assert out.getvalue() == "héllo   x\nab      y\ntail"


COLUMNS = [
    {"name": "Name", "type": "string", "format": "name", "priority": 0},
    {"name": "Age", "type": "string", "priority": 0},
    {"name": "IP", "type": "string", "priority": 1},
]


def table(rows: list[tuple[list[Any], dict[str, Any] | None]]) -> dict[str, Any]:
    out_rows = []
    for cells, meta in rows:
        row: dict[str, Any] = {"cells": cells}
        if meta is not None:
            row["object"] = {"kind": "PartialObjectMetadata", "metadata": meta}
        out_rows.append(row)
    return {"kind": "Table", "columnDefinitions": COLUMNS, "rows": out_rows}


WEB = (
    ["web-1", "5m", "10.0.0.1"],
    {"name": "web-1", "namespace": "prod", "labels": {"app": "web", "tier": "fe"}},
)
DB = (["db", "2d", "10.0.0.22"], {"name": "db", "namespace": "prod"})


def render(options: TableOptions, *tables: dict[str, Any], event: str = "") -> str:
    w, out = tabwriter()
    printer = TablePrinter(w, options)
    for t in tables:
        printer.print_table(t, event_type=event)
    w.flush()
    return out.getvalue()


@pytest.mark.parametrize(
    "rows",
    [
        [["NAME", "READY"], ["a", "1/1"], ["bbbbbbbbb", "0/1"]],
        [["x"], [], ["y", "z"]],
        # Cells holding separators of their own split as the text would.
        [["a\tb", "c"], ["d", "e\vf"], ["g\nh", "i"], ["j\fk", "l"]],
    ],
)
def test_write_row_writes_what_the_joined_text_writes(rows: list[list[str]]) -> None:
    by_row, by_row_out = tabwriter()
    by_text, by_text_out = tabwriter()
    by_row.write("partial ")  # an unfinished cell is continued by the next row, as text
    by_text.write("partial ")
    for cells in rows:
        by_row.write_row(cells)
        by_text.write("\t".join(cells) + "\n")
    by_row.flush()
    by_text.flush()
    assert by_row_out.getvalue() == by_text_out.getvalue()


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (TableOptions(), "NAME    AGE\nweb-1   5m\ndb      2d\n"),
        (
            TableOptions(wide=True),
            "NAME    AGE   IP\nweb-1   5m    10.0.0.1\ndb      2d    10.0.0.22\n",
        ),
        (
            TableOptions(with_namespace=True, with_kind=True, kind="Pod"),
            "NAMESPACE   NAME        AGE\nprod        pod/web-1   5m\nprod        pod/db      2d\n",
        ),
        (
            TableOptions(with_kind=True, kind="Deployment.apps"),
            "NAME                    AGE\ndeployment.apps/web-1   5m\ndeployment.apps/db      2d\n",
        ),
        (
            TableOptions(show_labels=True, column_labels=["example.com/app"]),
            "NAME    AGE   APP   LABELS\nweb-1   5m          app=web,tier=fe\ndb      2d          <none>\n",
        ),
        (
            TableOptions(column_labels=["app"]),
            "NAME    AGE   APP\nweb-1   5m    web\ndb      2d    \n",
        ),
        (TableOptions(no_headers=True), "web-1   5m\ndb      2d\n"),
    ],
)
def test_table_decorations(options: TableOptions, expected: str) -> None:
    assert render(options, table([WEB, DB])) == expected


def test_headers_once_across_pages_and_widths_span_the_block() -> None:
    text = render(TableOptions(), table([WEB]), table([(["a-much-longer-name", "1s", ""], None)]))
    assert text == "NAME                 AGE\nweb-1                5m\na-much-longer-name   1s\n"


def test_empty_table_prints_nothing() -> None:
    assert render(TableOptions(), table([])) == ""


def test_watch_event_column() -> None:
    assert render(TableOptions(), table([WEB, DB]), event="MODIFIED") == (
        "EVENT      NAME    AGE\nMODIFIED   web-1   5m\nMODIFIED   db      2d\n"
    )


def test_cells_cut_at_line_breaks_and_escape_terminal() -> None:
    rows = [
        (["a\nb", 5, None], None),
        (["\x1b[31mred", 1.5, True], None),
        (["x", {"k": [1, 2]}, None], None),
    ]
    text = render(TableOptions(), table(rows))
    # Widths come from the escaped text, header padding from the raw byte length.
    assert text == "NAME        AGE\na...        5\n^[[31mred   1.5\nx           map[k:[1 2]]\n"


def test_header_padding_uses_utf8_byte_length() -> None:
    # kubectl pads headers by len() in bytes: "é" widens its column by one.
    text = render(TableOptions(), table([(["é", "1s", ""], None)]))
    assert text == "NAME   AGE\né      1s\n"


def test_format_labels() -> None:
    assert format_labels({"b": "2", "a": "1"}) == "a=1,b=2"
    assert format_labels({}) == "<none>"


def test_custom_columns() -> None:
    w, out = tabwriter()
    columns = parse_custom_columns("NAME:.metadata.name,PORTS:.spec.ports[*].port,X:{.nope}")
    printer = CustomColumnsPrinter(w, columns)
    lst = {
        "kind": "List",
        "items": [
            {"metadata": {"name": "a"}, "spec": {"ports": [{"port": 80}, {"port": 443}]}},
            {"metadata": {"name": "bb\x1b"}, "spec": {}},
        ],
    }
    printer.print_obj(lst)
    w.flush()
    assert out.getvalue() == "NAME   PORTS    X\na      80,443   <none>\nbb^[   <none>   <none>\n"


def test_custom_columns_spec_errors() -> None:
    with pytest.raises(
        PrinterError, match=r"^custom-columns format specified but no custom columns given$"
    ):
        parse_custom_columns("")
    with pytest.raises(
        PrinterError,
        match=r"^unexpected custom-columns spec: A, expected <header>:<json-path-expr>$",
    ):
        parse_custom_columns("NAME:.metadata.name,A")
    with pytest.raises(PrinterError, match="unexpected path string"):
        parse_custom_columns("A:{.a}{.b}")
    assert parse_custom_columns_template("NAME  UID\n.metadata.name {.metadata.uid}\n") == [
        ("NAME", "{.metadata.name}"),
        ("UID", "{.metadata.uid}"),
    ]
    with pytest.raises(
        PrinterError, match=r"number of headers \(2\) and field specifications \(1\)"
    ):
        parse_custom_columns_template("A B\n.a\n")
    with pytest.raises(PrinterError, match="missing spec line"):
        parse_custom_columns_template("A B\n")


def test_relaxed_jsonpath_expression() -> None:
    assert relaxed_jsonpath_expression("metadata.name") == "{.metadata.name}"
    assert relaxed_jsonpath_expression(".metadata.name") == "{.metadata.name}"
    assert relaxed_jsonpath_expression("{metadata.name}") == "{.metadata.name}"
    assert relaxed_jsonpath_expression("{.metadata.name}") == "{.metadata.name}"


@pytest.mark.parametrize(
    ("seconds", "human", "short"),
    [
        (-2, "<invalid>", "<invalid>"),
        (-1, "0s", "0s"),
        (0, "0s", "0s"),
        (59, "59s", "59s"),
        (60, "60s", "1m"),
        (119, "119s", "1m"),
        (120, "2m", "2m"),
        (125, "2m5s", "2m"),
        (600, "10m", "10m"),
        (179 * 60 + 59, "179m", "2h"),
        (3 * 3600, "3h", "3h"),
        (3 * 3600 + 5 * 60, "3h5m", "3h"),
        (8 * 3600, "8h", "8h"),
        (47 * 3600, "47h", "1d"),
        (48 * 3600, "2d", "2d"),
        (50 * 3600, "2d2h", "2d"),
        (8 * 86400, "8d", "8d"),
        (729 * 86400, "729d", "1y"),
        (730 * 86400, "2y", "2y"),
        (731 * 86400, "2y1d", "2y"),
        (8 * 365 * 86400, "8y", "8y"),
    ],
)
def test_durations(seconds: int, human: str, short: str) -> None:
    assert human_duration(seconds) == human
    assert short_human_duration(seconds) == short


def test_quantities() -> None:
    assert parse_quantity("1Gi") == 2**30
    assert parse_quantity("500m") == parse_quantity("0.5")
    assert parse_quantity("1e3") == 1000
    assert parse_quantity("web") is None


def pod(name: str, **extra: Any) -> dict[str, Any]:
    return {"metadata": {"name": name}, **extra}


def test_sort_objects_rules() -> None:
    objs = [pod("b", m="1Gi"), pod("a", m="512Mi"), pod("c")]
    assert [o["metadata"]["name"] for o in sort_objects(objs, ".metadata.name")] == ["a", "b", "c"]
    # Quantities compare by value; a missing field sorts first.
    assert [o["metadata"]["name"] for o in sort_objects(objs, "{.m}")] == ["c", "a", "b"]
    nums = [pod("x", n=10), pod("y", n=9)]
    assert [o["metadata"]["name"] for o in sort_objects(nums, "n")] == ["y", "x"]
    with pytest.raises(
        PrinterError,
        match=r'^couldn\'t find any field with path "\{\.nope\}" in the list of objects$',
    ):
        sort_objects(objs, ".nope")


def test_sort_table_rows_by_included_object() -> None:
    t = table([WEB, DB])
    sort_table_rows(t, ".metadata.name")
    assert render(TableOptions(), t) == "NAME    AGE\ndb      2d\nweb-1   5m\n"
