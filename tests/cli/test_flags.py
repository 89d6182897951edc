"""The click-free flag parser (kctl.cli._flags) against click: same params, or None.

For every fast verb, each argv of a wide corpus is parsed by ``parse`` and by the verb's
click command; whenever ``parse`` answers, click must accept the argv and produce exactly
the same params (values and types). Inputs outside the plain subset must give None.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

import click
import pytest

from kctl.cli import api_resources, api_versions, get
from kctl.cli._flags import (
    BOOL,
    GLOBAL_FLAG_ARITY,
    GLOBAL_FLAGS,
    INT,
    OPTIONAL_BOOL,
    STRINGS,
    Flag,
    hoist_global_flags,
    parse,
    parse_go_bool,
)

VERBS: dict[str, ModuleType] = {
    "get": get,
    "api-resources": api_resources,
    "api-versions": api_versions,
}


def _specs(module: ModuleType) -> tuple[Flag, ...]:
    return (*GLOBAL_FLAGS, *module.FLAGS)


# Fresh commands: a context made here caches the help option on its command, which would
# leak into other tests (the man pages) through the modules' shared ``command``.
_COMMANDS: dict[str, click.Command] = {}


def _click_params(module: ModuleType, verb: str, argv: Sequence[str]) -> dict[str, Any]:
    command = _COMMANDS.get(verb)
    if command is None:
        command = _COMMANDS[verb] = module.click_command()
    with command.make_context(f"kctl {verb}", list(argv)) as ctx:
        return dict(ctx.params)


def _forms(spec: Flag) -> Iterator[list[str]]:
    """Every way of writing one flag that the fast parser must read as click does."""
    for decl in spec.decls:
        short = not decl.startswith("--")
        if spec.kind in (BOOL, OPTIONAL_BOOL):
            yield [decl]
            for text in ("true", "false", "0", "1", "t", "F", "TRUE", "False"):
                yield [f"{decl}={text}"]
            continue
        values = ["7", "0", "+3", "42"] if spec.kind == INT else ["x", "", "a=b", "a b", "ünï"]
        for value in values:
            yield [decl, value]
            yield [f"{decl}={value}"]
            if short and value:
                yield [f"{decl}{value}"]
        if spec.kind == INT:
            yield [f"{decl}=-2"]
        if spec.kind == STRINGS:
            yield [decl, "a", f"{decl}=b", decl, "c,d"]
        elif spec.kind == INT:
            yield [decl, "1", f"{decl}=2"]
        else:
            yield [decl, "first", f"{decl}=last"]


def _corpus(module: ModuleType) -> Iterator[list[str]]:
    yield []
    yield ["pods"]
    yield ["pods", "a", "b", "-"]
    yield [""]
    for spec in _specs(module):
        for form in _forms(spec):
            yield form
            yield ["pods", *form, "name"]
    yield ["-n=dev", "pods", "-v=6", "x"]
    yield ["pods", "-ndev", "--namespace", "prod", "-v", "8"]
    yield ["--kubeconfig", "/tmp/kc", "--context=c", "--insecure-skip-tls-verify", "pods"]
    yield ["--request-timeout=5s", "--as", "me", "--as-group", "g1", "--as-group=g2"]
    yield ["--disable-compression=false", "--disable-compression=false"]
    yield ["--disable-compression", "--disable-compression=true"]


_EXTRA: dict[str, list[list[str]]] = {
    "get": [
        ["pods", "-A", "-w", "-l", "", "-L", "app", "-L=tier", "--sort-by", "{.metadata.name}"],
        ["deploy/web", "svc/web", "-o", "jsonpath={.items[*].metadata.name}", "--chunk-size=0"],
        ["pods", "--limit", "2", "--continue", "tok=="],
        ["-n=dev", "pods", "-v=6", "-ojson", "x"],
        ["--raw", "/api/v1/namespaces?limit=1"],
        ["-f", "a.yaml", "--filename=b.yaml", "-fc.yaml"],
    ],
    "api-resources": [
        ["--namespaced=false", "--api-group", "", "--verbs", "get,list", "--verbs=watch"],
        ["--namespaced", "--cached", "-owide", "--sort-by=kind", "--no-headers"],
        ["--api-group=apps", "--categories", "all"],
    ],
    "api-versions": [["extra", "args"]],
}


@pytest.mark.parametrize("verb", list(VERBS))
def test_parse_matches_click(verb: str) -> None:
    module = VERBS[verb]
    cases = [*_corpus(module), *_EXTRA[verb]]
    assert len(cases) > 100
    for argv in cases:
        fast = parse(_specs(module), argv)
        assert fast is not None, f"plain input declined: {argv}"
        expected = _click_params(module, verb, argv)
        assert fast == expected, argv
        types = {k: type(v) for k, v in fast.items()}
        assert types == {k: type(v) for k, v in expected.items()}, argv


@pytest.mark.parametrize(
    "argv",
    [
        ["-h"],
        ["pods", "--help"],
        ["--bogus"],
        ["pods", "--bogus=1"],
        ["-Z"],
        ["pods", "--"],
        ["--", "pods"],
        ["pods", "-o"],
        ["pods", "--selector"],
        ["pods", "-n"],
        ["--chunk-size=abc"],
        ["--chunk-size", "1_000"],
        ["--chunk-size=010"],
        ["--chunk-size= 5"],
        ["--chunk-size=99999999999999999999"],
        ["--chunk-size=٣"],
        ["-v=x"],
        ["--all-namespaces=yes"],
        ["--all-namespaces="],
        ["-A=maybe"],
        ["--no-headers=false", "--no-headers"],
        ["--no-headers", "--no-headers=0"],
        # Combined shorthands are left to click.
        ["pods", "-Aw"],
        ["pods", "-Aojson"],
        # A separate value that looks like a flag: click and pflag read these differently.
        ["pods", "-l", "-n=dev"],
        ["pods", "-o", "--watch"],
        ["--limit", "-1"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_parse_declines_what_is_not_plain(argv: list[str]) -> None:
    assert parse(_specs(get), argv) is None


def test_parse_declines_help_and_unknown_flags_for_every_verb() -> None:
    for module in VERBS.values():
        for argv in (["-h"], ["--help"], ["--bogus"], ["--"], ["-x"]):
            assert parse(_specs(module), argv) is None, (module.__name__, argv)


_POOL = [
    "pods",
    "x",
    "",
    "-",
    "--",
    "-h",
    "=",
    "true",
    "false",
    "0",
    "7",
    "-1",
    "a=b",
    "-Aw",
    "-ojson",
    "-o=yaml",
    "-n=dev",
    "-ndev",
    "-v=6",
    "-v9",
    "--v=3",
    "--namespaced=false",
    "--namespaced=true",
    "--namespaced=no",
    "--cached=1",
    "--chunk-size=0",
    "--limit=5",
    "-L=a,b",
    "--as-group=g",
    "--bogus",
]


def _random_argv(rng: random.Random, specs: Sequence[Flag]) -> list[str]:
    names = [decl for spec in specs for decl in spec.decls]
    argv: list[str] = []
    for _ in range(rng.randrange(0, 7)):
        if rng.random() < 0.5:
            argv.append(rng.choice(names))
        else:
            argv.append(rng.choice(_POOL))
    return argv


@pytest.mark.parametrize("verb", list(VERBS))
def test_parse_never_disagrees_with_click_on_random_input(verb: str) -> None:
    module = VERBS[verb]
    specs = _specs(module)
    rng = random.Random(f"kctl-flags-{verb}")
    answered = 0
    for _ in range(3000):
        argv = _random_argv(rng, specs)
        fast = parse(specs, argv)
        if fast is None:
            continue
        answered += 1
        try:
            expected = _click_params(module, verb, argv)
        except (click.ClickException, click.exceptions.Exit) as err:
            pytest.fail(f"parse answered {fast!r} for {argv!r}, click refused: {err!r}")
        assert fast == expected, argv
    # The generator must exercise the accepting side too, or the test proves nothing.
    assert answered > 300


def test_parse_keeps_values_and_types() -> None:
    params = parse(
        _specs(get),
        ["-n=dev", "pods", "-v", "6", "-L", "a", "-L=b", "--chunk-size=0", "-A=false", "web"],
    )
    assert params is not None
    assert params["g_namespace"] == "dev"
    assert params["g_v"] == 6
    assert params["label_columns"] == ("a", "b")
    assert params["chunk_size"] == 0
    assert params["all_namespaces"] is False
    assert params["args"] == ("pods", "web")
    resources = parse(_specs(api_resources), ["--namespaced=false"])
    assert resources is not None
    assert resources["namespaced"] is False
    assert resources["api_group"] is None
    assert parse(_specs(api_resources), [])["namespaced"] is None  # type: ignore[index]


def test_global_flag_arity_covers_every_global_name() -> None:
    assert GLOBAL_FLAG_ARITY["-n"] is True
    assert GLOBAL_FLAG_ARITY["--v"] is True
    assert GLOBAL_FLAG_ARITY["--insecure-skip-tls-verify"] is False
    assert GLOBAL_FLAG_ARITY["--disable-compression"] is False
    assert set(GLOBAL_FLAG_ARITY) == {d for spec in GLOBAL_FLAGS for d in spec.decls}
    assert hoist_global_flags(["-v6", "get"]) == ["get", "-v6"]


def test_parse_go_bool_is_strconv() -> None:
    assert parse_go_bool("T") is True
    assert parse_go_bool("FALSE") is False
    assert parse_go_bool("fAlse") is None
