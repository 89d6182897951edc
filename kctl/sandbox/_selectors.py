"""Label and field selectors with apimachinery's grammar and error texts."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FieldSelector",
    "LabelSelector",
    "SelectorError",
    "field_getter",
    "parse_field_selector",
    "parse_label_selector",
]


class SelectorError(ValueError):
    """A selector that does not parse; the text is what kube-apiserver answers (400)."""


# --- labels -------------------------------------------------------------------------------

_SPECIAL = set("=!(),<>")
_BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt"
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

_QN_FMT = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
_LV_FMT = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def _qualified_name_errors(key: str) -> list[str]:
    errs: list[str] = []
    parts = key.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        elif len(prefix) > 253:
            errs.append("prefix part must be no more than 253 bytes")
        elif not _DNS1123_SUBDOMAIN.match(prefix):
            errs.append(
                "prefix part a lowercase RFC 1123 subdomain must consist of lower case "
                "alphanumeric characters, '-' or '.', and must start and end with an "
                "alphanumeric character (e.g. 'example.com', regex used for validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            )
    else:
        return [
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and "
            "must start and end with an alphanumeric character (e.g. 'MyName',  or "
            "'my.name',  or '123-abc', regex used for validation is "
            "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
            "prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part must be no more than 63 bytes")
    elif not _QUALIFIED_NAME.match(name):
        errs.append(_QN_FMT)
    return errs


def _label_value_errors(value: str) -> list[str]:
    errs: list[str] = []
    if len(value) > 63:
        errs.append("must be no more than 63 bytes")
    if not _LABEL_VALUE.match(value):
        errs.append(_LV_FMT)
    return errs


@dataclass(frozen=True)
class _Requirement:
    key: str
    op: str  # exists, !, =, ==, !=, in, notin, gt, lt
    values: frozenset[str]

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.op
        present = self.key in labels
        if op == "exists":
            return present
        if op == "!":
            return not present
        if op in ("=", "==", "in"):
            return present and labels[self.key] in self.values
        if op in ("!=", "notin"):
            return not present or labels[self.key] not in self.values
        if not present:
            return False
        try:
            have = int(labels[self.key])
        except ValueError:
            return False
        want = int(next(iter(self.values)))
        return have > want if op == "gt" else have < want


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[_Requirement, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.requirements

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        have = labels or {}
        return all(r.matches(have) for r in self.requirements)


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def next(self) -> tuple[str, str]:
        """Return (token kind, literal); kinds: id, op, ',', '(', ')', 'end'."""
        s = self.text
        while self.pos < len(s) and s[self.pos] in " \t\r\n":
            self.pos += 1
        if self.pos >= len(s):
            return "end", ""
        ch = s[self.pos]
        if ch in _SPECIAL:
            start = self.pos
            while self.pos < len(s) and s[self.pos] in _SPECIAL:
                candidate = s[start : self.pos + 1]
                if candidate not in ("=", "==", "!=", "!", "(", ")", ",", ">", "<"):
                    break
                self.pos += 1
            literal = s[start : self.pos]
            if not literal:
                self.pos += 1
                return "error", s[start : self.pos]
            if literal in (",", "(", ")"):
                return literal, literal
            return "op", literal
        start = self.pos
        while self.pos < len(s) and s[self.pos] not in _SPECIAL and s[self.pos] not in " \t\r\n":
            self.pos += 1
        literal = s[start : self.pos]
        if literal in ("in", "notin"):
            return "op", literal
        return "id", literal

    def peek(self) -> tuple[str, str]:
        saved = self.pos
        tok = self.next()
        self.pos = saved
        return tok


def parse_label_selector(text: str) -> LabelSelector:
    lex = _Lexer(text)
    reqs: list[_Requirement] = []
    while True:
        kind, lit = lex.peek()
        if kind == "end" and not reqs:
            return LabelSelector()
        if kind == "id" or (kind == "op" and lit == "!"):
            try:
                reqs.append(_parse_requirement(lex))
            except SelectorError as err:
                raise SelectorError(f"unable to parse requirement: {err}") from None
            kind, lit = lex.next()
            if kind == "end":
                break
            if kind == ",":
                nkind, nlit = lex.peek()
                if nkind != "id" and not (nkind == "op" and nlit == "!"):
                    raise SelectorError(f"found '{nlit}', expected: identifier after ','")
                continue
            raise SelectorError(f"found '{lit}', expected: ',' or 'end of string'")
        raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")
    reqs.sort(key=lambda r: r.key)
    return LabelSelector(tuple(reqs))


def _invalid(key: str, value: str, errs: list[str]) -> SelectorError:
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return SelectorError(f"{key}: Invalid value: {quoted}: {'; '.join(errs)}")


def _parse_requirement(lex: _Lexer) -> _Requirement:
    kind, lit = lex.next()
    negated = False
    if kind == "op" and lit == "!":
        negated = True
        kind, lit = lex.next()
    if kind != "id":
        raise SelectorError(f"found '{lit}', expected: identifier")
    key = lit
    errs = _qualified_name_errors(key)
    if errs:
        raise _invalid("<nil>", key, errs)
    nkind, _ = lex.peek()
    if nkind in ("end", ","):
        return _Requirement(key, "!" if negated else "exists", frozenset())
    if negated:
        return _Requirement(key, "!", frozenset())
    kind, lit = lex.next()
    op = {"=": "=", "==": "==", "!=": "!=", "in": "in", "notin": "notin", ">": "gt", "<": "lt"}.get(
        lit if kind == "op" else ""
    )
    if op is None:
        raise SelectorError(f"found '{lit}', expected: {_BINARY_OPERATORS}")
    values = _parse_values(lex) if op in ("in", "notin") else _parse_exact_value(lex)
    if op in ("gt", "lt"):
        if len(values) != 1:
            raise SelectorError(
                "<nil>: Invalid value: \"\": for 'Gt', 'Lt' operators, exactly one value is required"
            )
        only = next(iter(values))
        if not re.fullmatch(r"[-+]?\d+", only):
            raise _invalid(
                "<nil>", only, ["for 'Gt', 'Lt' operators, the value must be an integer"]
            )
    else:
        for value in sorted(values):
            verrs = _label_value_errors(value)
            if verrs:
                raise _invalid(f"[{key}]", value, verrs)
    return _Requirement(key, op, frozenset(values))


def _parse_values(lex: _Lexer) -> set[str]:
    kind, lit = lex.next()
    if kind != "(":
        raise SelectorError(f"found '{lit}' expected: '('")
    kind, lit = lex.peek()
    if kind == ")":
        lex.next()
        return {""}
    if kind not in ("id", ","):
        raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")
    values: set[str] = set()
    while True:
        kind, lit = lex.next()
        if kind == "id":
            values.add(lit)
            nkind, nlit = lex.peek()
            if nkind == ",":
                lex.next()
                if lex.peek()[0] == ")":
                    values.add("")
                    lex.next()
                    return values
                continue
            if nkind == ")":
                lex.next()
                return values
            raise SelectorError(f"found '{nlit}', expected: ',' or ')'")
        if kind == ",":
            values.add("")
            if lex.peek()[0] == ")":
                lex.next()
                return values
            continue
        raise SelectorError(f"found '{lit}', expected: ',', or identifier")


def _parse_exact_value(lex: _Lexer) -> set[str]:
    kind, _ = lex.peek()
    if kind in ("end", ","):
        return {""}
    kind, lit = lex.next()
    if kind == "id":
        return {lit}
    raise SelectorError(f"found '{lit}', expected: identifier")


# --- fields -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSelector:
    # (field, "=" or "!=", value)
    terms: tuple[tuple[str, str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.terms

    def fields(self) -> list[str]:
        return [t[0] for t in self.terms]

    def matches(self, getter: Callable[[str], str]) -> bool:
        for name, op, value in self.terms:
            have = getter(name)
            if (have == value) != (op == "="):
                return False
        return True


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    buf: list[str] = []
    escaped = False
    for ch in text:
        if escaped:
            buf.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == sep:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    if escaped:
        buf.append("\\")
    parts.append("".join(buf))
    return parts


def _unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value) and value[i + 1] in "\\,=!":
            out.append(value[i + 1])
            i += 2
            continue
        if ch == "\\":
            raise SelectorError(f"invalid field selector value: {value!r}")
        out.append(ch)
        i += 1
    return "".join(out)


def parse_field_selector(text: str) -> FieldSelector:
    if not text.strip():
        return FieldSelector()
    terms: list[tuple[str, str, str]] = []
    for part in _split_unescaped(text, ","):
        if not part:
            continue
        for op, normalized in (("!=", "!="), ("==", "="), ("=", "=")):
            idx = part.find(op)
            if idx >= 0:
                terms.append((part[:idx].strip(), normalized, _unescape(part[idx + len(op) :])))
                break
        else:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{part}'")
    return FieldSelector(tuple(terms))


# Field labels each kind supports beyond metadata.name / metadata.namespace, from the
# registries' GetAttrs / field label conversion functions.
_KIND_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "pods"): (
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",
        "status.nominatedNodeName",
    ),
    ("", "events"): (
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    ),
    ("", "secrets"): ("type",),
    ("", "nodes"): ("spec.unschedulable",),
    ("", "namespaces"): ("status.phase",),
    ("", "replicationcontrollers"): ("status.replicas",),
    ("", "services"): ("spec.clusterIP", "spec.type"),
    ("apps", "replicasets"): ("status.replicas",),
    ("batch", "jobs"): ("status.successful",),
    ("certificates.k8s.io", "certificatesigningrequests"): ("spec.signerName",),
}


# events.k8s.io/v1 field labels and the core Event fields they select on (its Events are
# stored, and selected, as core ones).
_EVENTS_V1_FIELDS = {
    "reason": "reason",
    "regarding.kind": "involvedObject.kind",
    "regarding.namespace": "involvedObject.namespace",
    "regarding.name": "involvedObject.name",
    "regarding.uid": "involvedObject.uid",
    "regarding.apiVersion": "involvedObject.apiVersion",
    "regarding.resourceVersion": "involvedObject.resourceVersion",
    "regarding.fieldPath": "involvedObject.fieldPath",
    "reportingController": "reportingComponent",
    "type": "type",
    "metadata.namespace": "metadata.namespace",
    "metadata.name": "metadata.name",
}


def _dig(obj: Mapping[str, Any], path: str) -> Any:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def _as_field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_getter(
    group: str, plural: str, selector: FieldSelector
) -> Callable[[Mapping[str, Any]], Callable[[str], str]]:
    """Validate ``selector`` for the resource and return obj -> (field -> value string).

    Raises SelectorError with ``field label not supported: X`` for an unknown field.
    """
    if (group, plural) == ("events.k8s.io", "events"):
        for name in selector.fields():
            if name not in _EVENTS_V1_FIELDS:
                raise SelectorError(f"field label not supported: {name}")
        core = field_getter("", "events", FieldSelector())

        def bind_v1(obj: Mapping[str, Any]) -> Callable[[str], str]:
            get = core(obj)
            return lambda name: get(_EVENTS_V1_FIELDS.get(name, name))

        return bind_v1
    extra = _KIND_FIELDS.get((group, plural))
    allowed = {"metadata.name", "metadata.namespace", *(extra or ())}
    for name in selector.fields():
        if name in allowed:
            continue
        if extra is None:
            # Kinds without field label conversions of their own get apimachinery's
            # default conversion, which words the refusal differently.
            raise SelectorError(
                f'"{name}" is not a known field selector: only "metadata.name", '
                '"metadata.namespace"'
            )
        raise SelectorError(f"field label not supported: {name}")

    def bind(obj: Mapping[str, Any]) -> Callable[[str], str]:
        def get(name: str) -> str:
            if name == "status.podIPs":
                ips = _dig(obj, "status.podIPs") or []
                return ips[0].get("ip", "") if ips else ""
            if name == "spec.hostNetwork" or name == "spec.unschedulable":
                return "true" if _dig(obj, name) else "false"
            if name == "source" and plural == "events":
                return _as_field(_dig(obj, "source.component") or obj.get("reportingComponent"))
            if name == "status.successful":
                # The job field label is named after a field that is really status.succeeded.
                return str(_dig(obj, "status.succeeded") or 0)
            if name == "status.replicas":
                return str(_dig(obj, name) or 0)
            if name == "spec.restartPolicy" or name == "spec.schedulerName":
                return _as_field(_dig(obj, name))
            return _as_field(_dig(obj, name))

        return get

    return bind
