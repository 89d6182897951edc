"""``--sort-by``: kubectl's RuntimeSort / TableSorter comparison rules.

The first value the JSONPath finds in each object is compared: numbers numerically, strings
as resource quantities when both parse as one, otherwise byte-wise. An object without the
field sorts first. Python's sort is stable; Go's is not, so ties may order differently.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from kctl.errors import PrinterError

if TYPE_CHECKING:
    from fractions import Fraction

    from kctl.cli._printers._jsonpath import JSONPath

__all__ = ["parse_quantity", "sort_objects", "sort_table_rows"]

_QUANTITY = re.compile(r"([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))([a-zA-Z]*|[eE][+-]?[0-9]+)\Z")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


def parse_quantity(text: str) -> Fraction | None:
    """The value of a resource.Quantity string, or None when it is not one."""
    m = _QUANTITY.match(text)
    if m is None:
        return None
    # fractions pulls in decimal: only --sort-by on strings pays for it.
    from fractions import Fraction

    number, suffix = m.groups()
    value = Fraction(number)
    if suffix in _BINARY:
        return value * _BINARY[suffix]
    if suffix in _DECIMAL:
        return value * Fraction(10) ** _DECIMAL[suffix]
    if suffix[:1] in ("e", "E"):
        return value * Fraction(10) ** int(suffix[1:])
    return None


def _is_less(a: Any, b: Any, field: str) -> bool:
    if a is None and b is None:
        return False
    if a is None:
        return True
    if b is None:
        return False
    for kind in (bool, int, float, str):
        if isinstance(a, kind) and isinstance(b, kind):
            break
    else:
        raise PrinterError(f"Field {field} is an unsortable type: interface")
    if isinstance(a, bool) or isinstance(b, bool):
        raise PrinterError(f"Field {field} is an unsortable type: bool")
    if isinstance(a, str) and isinstance(b, str):
        qa, qb = parse_quantity(a), parse_quantity(b)
        if qa is None or qb is None:
            return a.encode() < b.encode()
        return qa < qb
    if isinstance(a, str) or isinstance(b, str):
        raise PrinterError(f"Field {field} is an unsortable type: interface")
    return bool(a < b)


def _first_values(parser: JSONPath, objs: list[Any]) -> list[Any]:
    firsts: list[Any] = []
    sentinel = _MISSING
    for obj in objs:
        results = parser.find_results(obj)
        firsts.append(results[0][0] if results and results[0] else sentinel)
    return firsts


class _Missing:
    pass


_MISSING = _Missing()


def _sorted_indices(values: list[Any], field: str) -> list[int]:
    def less(i: int, j: int) -> bool:
        vi, vj = values[i], values[j]
        if vi is _MISSING:
            return True
        if vj is _MISSING:
            return False
        return _is_less(vi, vj, field)

    def cmp(i: int, j: int) -> int:
        if less(i, j):
            return -1
        if less(j, i):
            return 1
        return 0

    return sorted(range(len(values)), key=functools.cmp_to_key(cmp))


def _parser(field: str) -> tuple[str, JSONPath]:
    from kctl.cli._printers._jsonpath import JSONPath, relaxed_jsonpath_expression

    try:
        expr = relaxed_jsonpath_expression(field)
    except PrinterError:
        expr = field
    return expr, JSONPath(expr, allow_missing_keys=True)


def sort_objects(objs: list[Any], field: str) -> list[Any]:
    """Objects ordered by ``--sort-by=field``; fails when no object has the field."""
    expr, parser = _parser(field)
    values = _first_values(parser, objs)
    if objs and all(v is _MISSING for v in values):
        raise PrinterError(
            f"couldn't find any field with path {_go_q(expr)} in the list of objects"
        )
    return [objs[i] for i in _sorted_indices(values, expr)]


def sort_table_rows(table: dict[str, Any], field: str) -> None:
    """Sort a metav1.Table's rows in place by the objects they include (``includeObject``)."""
    expr, parser = _parser(field)
    rows = table.get("rows") or []
    values = _first_values(parser, [row.get("object") for row in rows])
    if rows and all(v is _MISSING for v in values):
        raise PrinterError(
            f"couldn't find any field with path {_go_q(expr)} in the list of objects"
        )
    table["rows"] = [rows[i] for i in _sorted_indices(values, expr)]


def _go_q(text: str) -> str:
    from kctl.cli._printers._gofmt import go_quote

    return go_quote(text)
