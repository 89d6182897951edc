"""Fuzzing the sandbox's label and field selector parsers: a selector or a SelectorError.

A SelectorError becomes the apiserver's 400 Status text, so it must be one line (the input
quoted back is the only line break allowed); the parsed selectors then match any labels
and any object without failing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from kctl.sandbox._selectors import (
    SelectorError,
    field_getter,
    parse_field_selector,
    parse_label_selector,
)

sys.path.insert(0, str(Path(__file__).parent.parent))
from fuzz_strategies import assert_one_line, json_values, k8s_objects, token_strings

_LABEL_TOKENS = (
    "app",
    "tier",
    "a.b/c",
    "example.com/",
    "x" * 64,
    "=",
    "==",
    "!=",
    "!",
    "in",
    "notin",
    " in ",
    " notin ",
    "(",
    ")",
    ",",
    " ",
    "gt",
    "lt",
    " > ",
    " < ",
    "1",
    "-1",
    "99999999999999999999",
    "web",
    "-",
    "_",
    ".",
)
_FIELD_TOKENS = (
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "status.phase",
    "spec.unknown",
    "=",
    "==",
    "!=",
    ",",
    "\\",
    "\\,",
    "\\=",
    "web",
    "",
    " ",
    "!",
)
_LABELS = st.dictionaries(
    st.sampled_from(["app", "tier", "a.b/c", "x"]), st.sampled_from(["web", "1", "-1", "", "a b"])
)


@given(token_strings(_LABEL_TOKENS), _LABELS)
@example("a > 99999999999999999999", {"a": "1"})
@example("a in (b,,c)", {})
@example("a notin ()", {"a": ""})
def test_label_selector_parses_and_matches_or_fails(text: str, labels: dict[str, str]) -> None:
    try:
        selector = parse_label_selector(text)
    except SelectorError as err:
        assert_one_line(err, SelectorError, text)
        return
    selector.matches(labels)


@given(
    token_strings(_FIELD_TOKENS),
    st.sampled_from([("", "pods"), ("", "configmaps"), ("apps", "deployments"), ("", "events")]),
    st.one_of(k8s_objects(), st.dictionaries(st.just("status"), json_values(4))),
)
def test_field_selector_parses_and_matches_or_fails(
    text: str, resource: tuple[str, str], obj: Any
) -> None:
    try:
        selector = parse_field_selector(text)
        bind = field_getter(*resource, selector)
    except SelectorError as err:
        assert_one_line(err, SelectorError, text)
        return
    try:
        selector.matches(bind(obj))
    except SelectorError as err:
        assert_one_line(err, SelectorError, [text, obj])
