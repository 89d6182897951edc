"""Go's fmt verbs %v and %#v applied to JSON-shaped values (maps, slices, scalars).

kubectl prints table cells, custom columns and jsonpath scalars with fmt.Sprint, and dumps
the object with %#v when a jsonpath template fails.
"""

from __future__ import annotations

from typing import Any

from kctl.util.goformat import go_quote

__all__ = ["go_quote", "go_sharp_v", "go_sprint"]


def go_sprint(value: Any) -> str:
    if value is None:
        return "<nil>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # The json encoder module is imported only here: a table of strings never needs it.
        from kctl.cli._printers._gojson import go_float_g

        return go_float_g(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    return str(value)


def _sharp_elem(value: Any) -> str:
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, str):
        return go_quote(value)
    return go_sharp_v(value)


def go_sharp_v(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{go_quote(k)}:{_sharp_elem(value[k])}" for k in sorted(value))
        return "map[string]interface {}{" + inner + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_sharp_elem(v) for v in value) + "}"
    if isinstance(value, str):
        return go_quote(value)
    if value is None:
        return "<nil>"
    return go_sprint(value)
