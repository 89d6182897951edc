"""Fuzzing kctl's own label selector matcher (``apply -l``): a predicate or a KctlError."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kctl.cli._resources import label_matcher
from kctl.errors import KctlError

sys.path.insert(0, str(Path(__file__).parent.parent))
from fuzz_strategies import assert_one_line, token_strings

_TOKENS = (
    "app",
    "a.b/c",
    "=",
    "==",
    "!=",
    "!",
    " in ",
    " notin ",
    "(",
    ")",
    ",",
    " ",
    "web",
    "-",
    "\n",
    "'",
)


@given(
    token_strings(_TOKENS),
    st.dictionaries(st.sampled_from(["app", "a.b/c", "x"]), st.sampled_from(["web", "", "a"])),
)
def test_a_selector_matches_labels_or_fails_in_one_line(text: str, labels: dict[str, str]) -> None:
    try:
        matches = label_matcher(text)
    except KctlError as err:
        assert_one_line(err, quoted=text)
        return
    assert matches(labels) in (True, False)
