"""JSON values as go-yaml v3 writes them (``yaml.Marshal``), for gnostic's ``Any.yaml``.

PyYAML's emitter and go-yaml's are both ports of libyaml, so PyYAML writes the text. What is
go-yaml v3's own is said to PyYAML here:

- which style a string asks for (its encoder: literal when it holds a line break,
  double-quoted when the YAML 1.2 core schema, plus timestamps and ``<<``, would read it
  back as something else, else plain), and so which plain scalars read back as strings;
- its indentation (v3 changed libyaml's): a block inside a sequence item starts right after
  the ``- ``, every other block at the next multiple of the indent (4), and sequences are
  indented under their mapping key;
- no line folding and no ``...`` after a plain scalar at the root.

PyYAML's pure-Python emitter is used, not libyaml's: only it can be told v3's indentation.
"""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import yaml
from yaml.emitter import Emitter
from yaml.representer import SafeRepresenter
from yaml.resolver import BaseResolver
from yaml.serializer import Serializer

__all__ = ["dump"]

_INDENT = 4
_STR = "tag:yaml.org,2002:str"
# The plain scalars go-yaml v3 reads as something other than a string.
_NULL = re.compile(r"^(?:~|null|Null|NULL)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9][0-9_]*|[-+]?0b[01_]+|[-+]?0o?[0-7_]+|[-+]?0x[0-9a-fA-F_]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?)$"
)
_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?$")
_MERGE = re.compile(r"^<<$")
_DIGITS = "0123456789"


class _Resolver(BaseResolver):
    yaml_implicit_resolvers: dict[Any, Any] = {}


for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:null", _NULL, "~nN"),
    ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
    ("tag:yaml.org,2002:int", _INT, "-+" + _DIGITS),
    ("tag:yaml.org,2002:float", _FLOAT, "-+." + _DIGITS),
    ("tag:yaml.org,2002:timestamp", _TIMESTAMP, _DIGITS),
    ("tag:yaml.org,2002:merge", _MERGE, "<"),
):
    _Resolver.add_implicit_resolver(_tag, _regexp, list(_first))


_RESOLVER = _Resolver()


def _resolve(plain: str) -> str:
    """The tag go-yaml v3 reads a plain scalar as."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, plain, (True, False))  # type: ignore[no-untyped-call]
    return tag


class _Representer(SafeRepresenter):
    def represent_str(self, data: str) -> yaml.ScalarNode:
        style: str | None = None
        if "\n" in data:
            style = "|"
        elif data == "" or _resolve(data) != _STR:
            style = '"'
        return self.represent_scalar(_STR, data, style=style)

    def represent_float(self, data: float) -> yaml.ScalarNode:
        # The JSON number's own text, which the YAML node keeps.
        return self.represent_scalar("tag:yaml.org,2002:float", json.dumps(data))


_Representer.add_representer(str, _Representer.represent_str)
_Representer.add_representer(float, _Representer.represent_float)


class _Emitter(Emitter):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        self.indents.append(self.indent)
        if self.indent is None:
            self.indent = self.best_indent if flow else 0
        elif self.states and self.states[-1] == self.expect_block_sequence_item:
            self.indent += 2  # the first block inside a sequence item skips its "- "
        else:
            self.indent = self.best_indent * ((self.indent + self.best_indent) // self.best_indent)

    def write_plain(self, text: str, split: bool = True) -> None:
        super().write_plain(text, split)
        self.open_ended = False  # go-yaml ends no document with "..."


class _Dumper(_Emitter, Serializer, _Representer, _Resolver):
    def __init__(self, stream: Any, **kwds: Any) -> None:
        _Emitter.__init__(
            self, stream, indent=_INDENT, width=2**31 - 1, allow_unicode=True, line_break="\n"
        )
        Serializer.__init__(self)
        _Representer.__init__(self, default_flow_style=False, sort_keys=False)
        _Resolver.__init__(self)


def dump(value: Any) -> str:
    """``value`` (JSON-shaped) as go-yaml v3's ``yaml.Marshal`` writes it."""
    out = StringIO()
    dumper = _Dumper(out)
    dumper.open()
    dumper.represent(value)
    dumper.close()
    return out.getvalue()
