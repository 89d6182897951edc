"""Flag tables (kctl.cli._flags) as click reads them: pflag's forms, typed values, hoisting."""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import click
import pytest

from kctl.cli import api_resources, get
from kctl.cli._flags import GLOBAL_FLAG_ARITY, GLOBAL_FLAGS, hoist_global_flags, parse_go_bool


def _click_params(module: ModuleType, verb: str, argv: Sequence[str]) -> dict[str, Any]:
    # A fresh command: a context made here caches the help option on its command, which
    # would leak into other tests (the man pages) through the module's shared ``command``.
    command: click.Command = module.click_command()
    with command.make_context(f"kctl {verb}", list(argv)) as ctx:
        return dict(ctx.params)


def test_click_reads_pflag_forms_into_typed_values() -> None:
    params = _click_params(
        get,
        "get",
        ["-n=dev", "pods", "-v", "6", "-L", "a", "-L=b", "--chunk-size=0", "-A=false", "web"],
    )
    assert params["g_namespace"] == "dev"
    assert params["g_v"] == 6
    assert params["label_columns"] == ("a", "b")
    assert params["chunk_size"] == 0
    assert params["all_namespaces"] is False
    assert params["args"] == ("pods", "web")
    resources = _click_params(api_resources, "api-resources", ["--namespaced=false"])
    assert resources["namespaced"] is False
    assert resources["api_group"] is None
    assert _click_params(api_resources, "api-resources", [])["namespaced"] is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--chunk-size=abc"], 'invalid argument "abc" for "--chunk-size" flag'),
        (["-v=x"], 'invalid argument "x" for "-v, --v" flag'),
        (["--all-namespaces=yes"], 'invalid argument "yes" for "-A, --all-namespaces" flag'),
    ],
)
def test_bad_values_get_pflag_texts(argv: list[str], message: str) -> None:
    with pytest.raises(click.UsageError, match=message):
        _click_params(get, "get", argv)


def test_global_flag_arity_covers_every_global_name() -> None:
    assert GLOBAL_FLAG_ARITY["-n"] is True
    assert GLOBAL_FLAG_ARITY["--v"] is True
    assert GLOBAL_FLAG_ARITY["--insecure-skip-tls-verify"] is False
    assert GLOBAL_FLAG_ARITY["--disable-compression"] is False
    assert set(GLOBAL_FLAG_ARITY) == {d for spec in GLOBAL_FLAGS for d in spec.decls}
    assert hoist_global_flags(["-v6", "get"]) == ["get", "-v6"]
    assert hoist_global_flags(["-n", "dev", "--insecure-skip-tls-verify", "get", "pods"]) == [
        "get",
        "-n",
        "dev",
        "--insecure-skip-tls-verify",
        "pods",
    ]
    assert hoist_global_flags(["--bogus", "get"]) == ["--bogus", "get"]


def test_parse_go_bool_is_strconv() -> None:
    assert parse_go_bool("T") is True
    assert parse_go_bool("FALSE") is False
    assert parse_go_bool("fAlse") is None
