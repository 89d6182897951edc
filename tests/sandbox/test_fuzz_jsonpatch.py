"""Fuzzing the sandbox's RFC 6902 JSON patch: a document or a JSONPatchError, nothing else.

Operations are drawn from the grammar (ops, pointers made of the documents' own keys, array
indices, ``-``, ``~0``/``~1`` escapes) so most of them reach the code past decoding.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kctl.errors import JSONPatchError
from kctl.sandbox._jsonpatch import apply_patch, decode_patch

sys.path.insert(0, str(Path(__file__).parent.parent))
from fuzz_strategies import K8S_KEYS, assert_one_line, json_values, k8s_objects, noisy

_SEGMENTS = st.one_of(
    st.sampled_from(K8S_KEYS),
    st.sampled_from(["0", "1", "-1", "-", "01", "999", "~0", "~1", "~", "", "a~1b"]),
)
_POINTERS = st.one_of(
    st.lists(_SEGMENTS, max_size=4).map(lambda parts: "".join("/" + p for p in parts)),
    st.text(max_size=6),
    json_values(2),
)
_OPS = st.fixed_dictionaries(
    {},
    optional={
        "op": st.one_of(
            st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "x"]),
            json_values(2),
        ),
        "path": _POINTERS,
        "from": _POINTERS,
        "value": json_values(8),
    },
)
_PATCHES = st.one_of(st.lists(_OPS, max_size=5), json_values(6))


@given(k8s_objects(), _PATCHES)
def test_a_patch_gives_a_document_or_a_json_patch_error(doc: Any, patch: Any) -> None:
    try:
        result = apply_patch(doc, decode_patch(json.dumps(patch)))
    except JSONPatchError as err:
        assert_one_line(err, JSONPatchError, [doc, patch])
        return
    json.dumps(result)


@given(noisy(_PATCHES.map(json.dumps), ("[", "]", "{", "}", '"op"', ",", ":", '"')))
def test_any_body_decodes_or_fails_as_a_json_patch_error(body: str) -> None:
    try:
        decode_patch(body)
    except JSONPatchError as err:
        assert_one_line(err, JSONPatchError, body)
