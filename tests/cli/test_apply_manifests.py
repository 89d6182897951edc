"""The manifest reader (kctl.cli._manifests) on its own: streams, documents, errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kctl.cli._manifests import Manifest, check_paths, decode_stream, read_manifests
from kctl.errors import KctlError


def _decode(text: str) -> list[Manifest | KctlError]:
    return list(decode_stream("f.yaml", text.encode()))


def _messages(items: list[Manifest | KctlError]) -> list[str]:
    return [str(i) if isinstance(i, KctlError) else i.obj["metadata"]["name"] for i in items]


def test_documents_in_order_and_empty_ones_skipped() -> None:
    text = "---\n# nothing\n---\nkind: A\nmetadata: {name: one}\n--- # c\nkind: A\nmetadata: {name: two}\n"
    assert _messages(_decode(text)) == ["one", "two"]


def test_values_come_out_as_go_json_leaves_them() -> None:
    (item,) = _decode(
        "kind: A\nmetadata: {name: x}\nt: 2024-01-02T03:04:05Z\nf: 1.0\ng: 1.5\n1: k\n"
    )
    assert isinstance(item, Manifest)
    assert item.obj["t"] == "2024-01-02T03:04:05Z"
    assert item.obj["f"] == 1 and isinstance(item.obj["f"], int)
    assert item.obj["g"] == 1.5
    assert item.obj["1"] == "k"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: A\nmetadata:\n  name: [x\n", "yaml: line 3: did not find expected ',' or ']'"),
        ("a: b\n c: d\n", "yaml: line 2: mapping values are not allowed in this context"),
        ("a: b: c\n", "yaml: mapping values are not allowed in this context"),
        ("a:\n- b\nc\n", "yaml: line 4: could not find expected ':'"),
    ],
)
def test_yaml_errors_read_like_go_yaml(text: str, message: str) -> None:
    (err,) = _decode(text)
    assert str(err) == f"error parsing f.yaml: error converting YAML to JSON: {message}"


def test_a_syntax_error_ends_the_stream_but_a_bad_document_does_not() -> None:
    items = _decode("kind: A\nmetadata: {name: a}\n---\n[1]\n---\nkind: A\nmetadata: {name: b}\n")
    assert _messages(items) == [
        "a",
        'unable to decode "f.yaml": json: cannot unmarshal array into Go value of type '
        "unstructured.detector",
        "b",
    ]
    items = _decode("kind: A\nmetadata: {name: a}\n---\nx: [\n---\nkind: A\nmetadata: {name: b}\n")
    assert len(items) == 2 and isinstance(items[1], KctlError)


def test_bad_separator_and_missing_kind() -> None:
    assert _messages(_decode("--- nope\n")) == [
        "error parsing f.yaml: invalid Yaml document separator: nope"
    ]
    assert _messages(_decode("apiVersion: v1\nmetadata: {name: x}\n")) == [
        "unable to decode \"f.yaml\": Object 'Kind' is missing in "
        '\'{"apiVersion":"v1","metadata":{"name":"x"}}\''
    ]


def test_json_streams_and_lists_flatten() -> None:
    text = (
        '{"kind":"A","metadata":{"name":"a"}} {"apiVersion":"v1","kind":"List",'
        '"items":[{"apiVersion":"x/v1","kind":"B","metadata":{"name":"b"}}]}'
    )
    assert _messages(_decode(text)) == ["a", "b"]


def test_list_items_the_builder_cannot_type() -> None:
    """Items take the list's apiVersion and kind only when they have neither; one with a kind
    and no version, or no kind, is refused by the builder's typer, as one list's error."""
    items = _decode(
        "apiVersion: v1\nkind: ConfigMapList\nitems:\n- metadata: {name: inherits}\n"
        "- {kind: ConfigMap, metadata: {name: no-version}}\n"
        "- {apiVersion: apps/, kind: Deployment, metadata: {name: group-only}}\n"
        "- {apiVersion: v1, metadata: {name: no-kind}}\n"
        "- {apiVersion: a/b/c, kind: ConfigMap, metadata: {name: bad-version}}\n"
    )
    typer = 'unable to get type info from the object "*unstructured.Unstructured": '
    no_version = typer + "Object 'apiVersion' is missing in 'object has no apiVersion field'"
    no_kind = typer + "Object 'Kind' is missing in 'object has no kind field '"
    assert _messages(items) == ["inherits", no_version, no_version, no_kind, no_kind]
    assert isinstance(items[0], Manifest) and items[0].obj["kind"] == "ConfigMap"
    lists = {getattr(item, "from_list", None) for item in items}
    assert len(lists) == 1 and None not in lists


def test_directories_paths_and_stdin(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "b.yaml").write_text("kind: A\nmetadata: {name: b}\n")
    (tmp_path / "d" / "a.json").write_text('{"kind":"A","metadata":{"name":"a"}}')
    (tmp_path / "d" / "skip.txt").write_text("x")
    (tmp_path / "d" / "sub" / "c.yml").write_text("kind: A\nmetadata: {name: c}\n")
    d = str(tmp_path / "d")
    assert _messages(list(read_manifests([d]))) == ["a", "b"]
    assert _messages(list(read_manifests([d], recursive=True))) == ["a", "b", "c"]
    stdin = io.BytesIO(b"kind: A\nmetadata: {name: s}\n")
    (item,) = read_manifests(["-"], stdin=stdin)
    assert isinstance(item, Manifest) and item.source == "STDIN"
    with pytest.raises(KctlError, match=r'the path "nope\.yaml" does not exist'):
        check_paths(["-", "nope.yaml"])
