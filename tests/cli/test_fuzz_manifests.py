"""Fuzzing the manifest reader: every document is an object or one of kctl's errors.

Streams are built from manifest-shaped objects written as YAML (block and flow) or JSON
(compact and indented), joined the ways kubectl meets them (``---`` lines, concatenated
JSON), then damaged with the tokens the decoders branch on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from kctl.cli._manifests import Manifest, decode_stream
from kctl.errors import KctlError

sys.path.insert(0, str(Path(__file__).parent.parent))
from fuzz_strategies import assert_one_line, json_values, k8s_objects, noisy

_NOISE = (
    "---\n",
    "--- x\n",
    "\n",
    "  ",
    "\t",
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ",",
    '"',
    "'",
    "&a ",
    "*a",
    "!!binary ",
    "!!str ",
    "<<: ",
    "? ",
    "|",
    ">",
    "#",
    "%YAML 1.1\n",
    "\ufeff",
    "\x00",
    "\x85",
    "1e999",
    "0x1F",
    "~",
)


def _render(value: Any, style: int) -> str:
    if style == 0:
        return json.dumps(value)
    if style == 1:
        return json.dumps(value, indent=2)
    if style == 2:
        return yaml.safe_dump(value, default_flow_style=True)
    return yaml.safe_dump(value)


@st.composite
def _streams(draw: st.DrawFn) -> bytes:
    docs = draw(st.lists(st.one_of(k8s_objects(), json_values(8)), max_size=4))
    parts = [_render(doc, draw(st.integers(0, 3))) for doc in docs]
    joiner = draw(st.sampled_from(["---\n", "\n---\n", "\n", "", "--- # c\n"]))
    text = draw(noisy(st.just(joiner.join(parts)), _NOISE))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1"]))
    return text.encode(encoding, "replace")


def _check(data: bytes, validate: bool) -> None:
    items = decode_stream("f.yaml", data, validate)
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except KctlError as err:
            assert_one_line(err)
            return
        if isinstance(item, Manifest):
            assert isinstance(item.obj, dict)
            json.dumps(item.obj)
            continue
        message = str(item)
        # kubectl quotes the document's raw bytes, line breaks included.
        quoted = message.partition("Object 'Kind' is missing in '")[0]
        assert_one_line(KctlError(quoted) if quoted != message else item)


@given(_streams(), st.booleans())
@example(b"[" * 20000, False)
@example(b"a: " + b"[" * 20000, False)
@example(b"{" + b'"a":' * 5000 + b"1", False)
def test_every_document_is_an_object_or_an_error(data: bytes, validate: bool) -> None:
    _check(data, validate)


@given(st.binary(max_size=200), st.booleans())
def test_any_bytes_decode_or_fail_in_one_line(data: bytes, validate: bool) -> None:
    _check(data, validate)
