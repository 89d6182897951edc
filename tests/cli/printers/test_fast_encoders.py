"""The fast json/yaml printers against straightforward implementations of the same rules.

The fast paths (C encoder with placeholders for json, cached scalar styles for yaml) must be
byte-identical to a one-value-at-a-time encoder on tricky and on seeded random inputs.
"""

from __future__ import annotations

import io
import json
import math
import random
from typing import Any

import pytest

from kctl.cli._printers import JSONPrinter, YAMLPrinter, _gojson, _goyaml, marshal_indent, yaml_dump
from kctl.cli._printers._gojson import go_float, marshal_indent_at
from kctl.errors import PrinterError

STRINGS = [
    "", "x", "\x00", '"\x00', "\x00\"", "a\x00b", "<>&", "a<b", "\u2028", "\u2029x", "ñé😀",
    "},\n{", "}, {", '"}', "\\", "\\\\u0000", '\\"', "\b\f\t\r\n\x01\x1f", "\ufeff",
    "true", "null", "1", "1.5", "-", "- x", "a: b", "a #b", "#", "x:", "---", "...",
    "word " * 25, "a" * 130, " lead", "trail ", "line\nbreak", "end\n", "\n", "a\u2028",
    "2024-01-01", "0x1F", "1_000", ".5", "yes", "~", "'q'", "@x", "a\tb", "é" * 90 + " é",
    "x" * 70 + " y", "multi\nline " + "long " * 30, "\x85", "\xa0", "a  b", "%", "*a",
    "/x", "_x", "x,", "a[b]", "a{b}", "a,b", "x'y", "a\\b", "a!b", "x#", "a%b", "x-", "Yes",
    "w " * 200, '"' * 300, "q" * 300, "long\n" * 60,
]  # fmt: skip
KEYS = [
    "a", "b", "A", "Z", "_", "a10", "a9", "a-1", "a.b", "", "é", "a\x00", "\x00", "<k>",
    "apiVersion", "kind", "name", "value", "true", "1", "a b", "x" * 140, "a\nb", "k:",
]  # fmt: skip
FLOATS = [
    1.5,
    0.1,
    1e21,
    1e20,
    1e-7,
    1e-6,
    -0.0,
    100.0,
    123456789.125,
    5e-324,
    1.7976931348623157e308,
]


def scalar(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(STRINGS)
    if roll < 0.6:
        return rng.choice([0, 1, -1, 42, 2**53, 2**63 - 1, -(2**63), 2**64 - 1, 2**70])
    if roll < 0.7:
        return rng.choice(FLOATS)
    if roll < 0.8:
        return rng.choice([True, False, None])
    if roll < 0.9:
        return f"s{rng.randrange(1000)}" + rng.choice(["", " ", ":", "<", "\x00"]) + "t"
    # Words around the 80-column fold, at every depth and after keys of every length.
    words = [rng.choice(["a", "bb", "ccc", "dddd", "e" * 12, "1", "é"]) for _ in range(40)]
    text = " ".join(words)[: rng.randrange(40, 110)].strip()
    return rng.choice([text, text + "\n", "x\n" + text, '"' + text, text + ": y", " " + text])


def key(rng: random.Random) -> str:
    return rng.choice(KEYS) if rng.random() < 0.8 else "k" * rng.randrange(1, 40)


def flat_dict(rng: random.Random) -> dict[str, Any]:
    return {key(rng): scalar(rng) for _ in range(rng.randrange(0, 4))}


def value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 6 or roll < 0.4:
        return scalar(rng)
    if roll < 0.55:
        return [flat_dict(rng) or {"name": "n"} for _ in range(rng.randrange(1, 5))]
    if roll < 0.65:
        return rng.choice([{}, [], [{}], [[]], [{}, {"a": 1}], [1.5, "x"]])
    if roll < 0.8:
        return [value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    return {key(rng): value(rng, depth + 1) for _ in range(rng.randrange(0, 6))}


def random_objects(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{key(rng): value(rng, 0) for _ in range(rng.randrange(1, 8))} for _ in range(count)]


def pod(i: int) -> dict[str, Any]:
    env = [{"name": f"V{k}", "value": f"v-{i}-{k}"} for k in range(5)] + [
        {"name": "R", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
    ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"p{i}",
            "labels": {"app.kubernetes.io/name": "x", "tier": "a<b"},
            "annotations": {"note": "a " * 60, "json": '{"a": [1, 2]}\n'},
        },
        "spec": {"containers": [{"name": "c", "env": env, "ports": [{"containerPort": 80}]}]},
        "status": {"phase": "Running", "conditions": [], "score": 0.25, "x": {}},
    }


TRICKY: list[Any] = [
    {},
    [],
    {"a": {}},
    {"a": []},
    [{}],
    [[], {}],
    [{}, {"a": 1}],
    [{"a": 1}, {}],
    [{"a": {}}, {"b": []}],
    {"\x00": "\x00"},
    {"a": "\x00", "b": [1]},
    {"a": '"\x00', "b": {"c": 1}},
    {"a": [1, 1.5, "x", None, True]},
    [[[[{"deep": [[[1.0]]]}]]]],
    {"f": float("nan"), "g": float("inf"), "h": -float("inf")},
    {"t": (1, {"b": 2}), "u": ()},
    {"list": [{"a": "},\n{"}, {"b": "}, {"}]},
    *(pod(i) for i in range(3)),
]


def reference_json(obj: Any, depth: int = 0) -> str:
    """One value at a time, the way encoding/json.MarshalIndent walks a decoded object."""
    inner = "\n" + "    " * (depth + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [
            json.dumps(k, ensure_ascii=False) + ": " + reference_json(obj[k], depth + 1)
            for k in sorted(obj)
        ]
        return "{" + inner + ("," + inner).join(items) + "\n" + "    " * depth + "}"
    if isinstance(obj, (list, tuple)):
        if not obj:
            return "[]"
        elements = [reference_json(v, depth + 1) for v in obj]
        return "[" + inner + ("," + inner).join(elements) + "\n" + "    " * depth + "]"
    if isinstance(obj, float) and math.isfinite(obj):
        return go_float(obj)
    return json.dumps(obj, ensure_ascii=False)


def go_escaped(text: str) -> str:
    for old, new in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(old, new)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def json_cases() -> list[Any]:
    return [*TRICKY, *random_objects(seed=6, count=300)]


def test_reference_agrees_with_json_dumps_without_floats() -> None:
    obj = {"b": [1, {"c": [], "d": {}}], "a": "x<y", "e": [{"f": None}]}
    assert reference_json(obj) == json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("depth", [0, 2, 5])
def test_marshal_indent_matches_reference(depth: int) -> None:
    assert _gojson._indented is not None, "C encoder path not in use"
    for obj in json_cases():
        want = go_escaped(reference_json(obj)).replace("\n", "\n" + "    " * depth)
        assert marshal_indent_at(obj, depth) == want, obj
        if depth == 0:
            assert marshal_indent(obj) == want, obj


def test_deeper_than_precomputed_encoders() -> None:
    obj: Any = {"leaf": [1, {"x": "y"}]}
    for i in range(150):
        obj = {"k": obj, "n": i} if i % 2 else [obj, 1.5]
    assert marshal_indent(obj) == go_escaped(reference_json(obj))


def test_slow_path_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = json_cases()[:80]
    fast = [marshal_indent_at(obj, 2) for obj in cases]
    monkeypatch.setattr(_gojson, "_indented", None)
    assert [marshal_indent_at(obj, 2) for obj in cases] == fast


def test_unsupported_value_still_raises() -> None:
    with pytest.raises(TypeError):
        marshal_indent({"a": {"b": object()}})


def test_json_list_equals_whole_document() -> None:
    items = [pod(i) for i in range(4)] + random_objects(seed=7, count=20)
    out = io.StringIO()
    JSONPrinter(out, show_managed_fields=True).print_list([items[:3], [], items[3:]])
    whole = {
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }
    assert out.getvalue() == go_escaped(reference_json(whole)) + "\n"


# -- yaml --------------------------------------------------------------------------------------


def simple_keys_only(obj: Any) -> Any:
    """The object without keys the emitter writes as complex keys (which skip the fast path)."""
    if isinstance(obj, dict):
        return {k: simple_keys_only(v) for k, v in obj.items() if "\n" not in k and len(k) <= 128}
    if isinstance(obj, list):
        return [simple_keys_only(v) for v in obj]
    return obj


def yaml_cases() -> list[Any]:
    cases = [
        c
        for c in TRICKY
        if not isinstance(c, dict)
        or all(
            isinstance(v, (dict, list, str, int, type(None))) and not isinstance(v, tuple)
            for v in c.values()
        )
    ]
    cases += random_objects(seed=8, count=300)
    cases += [simple_keys_only(obj) for obj in random_objects(seed=9, count=300)]
    return cases


def reference_yaml(obj: Any) -> str:
    """PyYAML alone, without the fast path's lookups."""
    return _goyaml._dump(obj)


def test_yaml_dump_matches_pyyaml() -> None:
    fast = 0
    for obj in yaml_cases():
        assert yaml_dump(obj) == reference_yaml(obj), obj
        fast += _goyaml._fast(obj, in_sequence=False) is not None
    # Many documents really took the fast path.
    assert fast > 150


def test_yaml_sequence_item_matches_pyyaml() -> None:
    cases = yaml_cases()
    for obj in cases:
        assert _goyaml.dump_sequence_items([obj]) == _goyaml._dump_sequence_items([obj]), obj
    assert _goyaml.dump_sequence_items(cases) == _goyaml._dump_sequence_items(cases)


def test_yaml_folding_at_every_start_column() -> None:
    text = " ".join(["word"] * 30)
    for width in range(0, 90):
        for extra in ("", "\n", "x\n"):
            doc = {"k" * (width + 1): text[: 40 + width] + extra, "s": [text[:width] + " z"]}
            nested = {"a": {"b": [doc, [doc["s"]]]}}
            for obj in (doc, nested):
                assert yaml_dump(obj) == reference_yaml(obj)
                assert _goyaml.dump_sequence_items([obj]) == _goyaml._dump_sequence_items([obj])


def test_yaml_caches_do_not_change_output() -> None:
    objs = random_objects(seed=10, count=100)
    first = [yaml_dump(obj) for obj in objs]
    # The second pass reads every key, value and key order from the caches.
    assert [yaml_dump(obj) for obj in objs] == first
    _goyaml._keys.clear()
    _goyaml._values.clear()
    _goyaml._orders.clear()
    _goyaml._styles.clear()
    assert [yaml_dump(obj) for obj in reversed(objs)] == first[::-1]


def test_yaml_unsupported_value_still_raises() -> None:
    with pytest.raises(TypeError):
        yaml_dump({"a": {"b": object()}})
    with pytest.raises(TypeError):
        reference_yaml({"a": {"b": object()}})


@pytest.mark.parametrize(
    "obj",
    [
        {"a": "\x7f"},
        {"a": ["x\x80y"]},
        {"a\x9f": 1},
        {"a": {"b": "\ufffe"}},
        {"a": "\x85\x7f"},
        {"a": "w " * 60 + "\x84"},
    ],
)
def test_yaml_refuses_what_go_yaml_cannot_read(obj: dict[str, Any]) -> None:
    # kubectl get -o yaml on an object holding U+007F (found by fuzzing: PyYAML's own
    # ReaderError, two lines, escaped): error: yaml: control characters are not allowed
    with pytest.raises(PrinterError, match=r"\Ayaml: control characters are not allowed\Z"):
        yaml_dump(obj)
    out = io.StringIO()
    with pytest.raises(PrinterError):
        YAMLPrinter(out).print_list([[{"kind": "ConfigMap"}, obj]])
    # Nothing of a one-page list is written when it cannot be encoded, as kubectl.
    assert out.getvalue() == ""


def test_yaml_key_order_reads_only_decimal_digits_as_numbers() -> None:
    # Found by fuzzing: "²" is str.isdigit() but not Go's unicode.IsDigit (int() failed).
    # The order is kubectl 1.37.1's (apply --dry-run=client -o yaml of these keys).
    keys = ["a²b", "a2b", "a3b", "a\u0661b", "a\u0663b", "a10b", "ab", "a_b", "a0²", "a00"]
    text = yaml_dump(dict.fromkeys(keys, 1))
    assert [line.split(":")[0] for line in text.splitlines()] == [
        "a_b", "a²b", "a0²", "a00", "a2b", "a3b", "a10b", "a\u0661b", "a\u0663b", "ab",
    ]  # fmt: skip


def test_yaml_list_equals_whole_document() -> None:
    items = [pod(i) for i in range(4)] + random_objects(seed=11, count=20)
    out = io.StringIO()
    YAMLPrinter(out, show_managed_fields=True).print_list([items[:3], [], items[3:]])
    whole = {
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }
    assert out.getvalue() == reference_yaml(whole)


WORDS = [
    "a", "x-1", "1.5", "0x1F", "2024-01-01", "2024-01-01T10:00:00Z", "y", "a:b", "a@b", "1=2",
    "/p", "10.0.0.1", "1_000", "0o17", "1e3", "1:20", "nginx@sha256:abc", "x.", "_",
]  # fmt: skip


@pytest.mark.parametrize("word", WORDS)
def test_name_like_strings_are_their_own_text(word: str) -> None:
    """The fast path's one shortcut: a _WORD string is written as is, or double-quoted where
    go-yaml's resolver requires; PyYAML must agree."""
    assert _goyaml._WORD.match(word)
    want = reference_yaml({"k": word})
    assert yaml_dump({"k": word}) == want
    assert want in (f"k: {word}\n", f'k: "{word}"\n')


def test_pyyaml_has_its_c_emitter() -> None:
    """The yaml printer is byte-identical with kubectl only through libyaml (see _goyaml)."""
    import yaml

    assert yaml.__with_libyaml__
    assert issubclass(_goyaml._dumper(), yaml.CSafeDumper)


# What go-yaml v2 (kubectl 1.37.1) writes where libyaml 0.2.5, and so PyYAML, writes something
# else whatever style it is asked for; _goyaml puts these back by hand. The texts are kubectl's
# (test_oracle_formats checks the first two against it).
GO_YAML_QUIRKS = [
    # A leading byte-order mark: go-yaml escapes every character of the string.
    ({"zz": "\ufeffa b"}, 'zz: "\\uFEFF\\x61\\x20\\x62"\n'),
    # A single-quoted string ending in a line break: no indent before the closing quote.
    ({"a": {"zz": "x y\u2028"}}, "a:\n  zz: 'x y\u2028'\n"),
    # A kept block scalar at the end of the document: no "..." document end marker.
    ({"zz": "x\n\n"}, "zz: |+\n  x\n\n"),
    # ... and none after one that ends in a paragraph separator.
    ({"zz": "x\n\u2029", "zzz": 1}, "zz: |+\n  x\n\u2029zzz: 1\n"),
]


@pytest.mark.parametrize(("obj", "want"), GO_YAML_QUIRKS)
def test_go_yaml_quirks_pyyaml_cannot_write(obj: dict[str, Any], want: str) -> None:
    import yaml

    assert yaml_dump(obj) == want
    assert reference_yaml(obj) == want
    value = obj.get("zz", obj.get("a", {}).get("zz"))
    for dumper in (yaml.CSafeDumper, yaml.SafeDumper):
        for style in (None, "'", '"', "|", ">"):

            class Styled(dumper):  # type: ignore[misc, valid-type]
                pass

            Styled.add_representer(
                str, lambda d, s, style=style: d.represent_scalar("tag:yaml.org,2002:str", s, style)
            )
            text = yaml.dump(obj, Dumper=Styled, allow_unicode=True, default_flow_style=False)
            assert text != want, (dumper, style, value)
