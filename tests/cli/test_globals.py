"""kubectl's global flags: parsing as pflag does, hoisting before the verb, the Factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest

from kctl.cli._globals import (
    Factory,
    GlobalFlags,
    hoist_global_flags,
    kubectl_command,
    parse_go_bool,
)
from kctl.sandbox import Sandbox


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-n", "dev", "get", "pods"], ["get", "-n", "dev", "pods"]),
        (["--namespace=dev", "-v=6", "get", "pods"], ["get", "--namespace=dev", "-v=6", "pods"]),
        (
            ["-ndev", "--insecure-skip-tls-verify", "get"],
            ["get", "-ndev", "--insecure-skip-tls-verify"],
        ),
        (["get", "-n", "dev"], ["get", "-n", "dev"]),
        (["--bogus", "get"], ["--bogus", "get"]),
        (["-n", "dev"], ["-n", "dev"]),
        (["-n"], ["-n"]),
        (["--version"], ["--version"]),
    ],
)
def test_hoist_global_flags(args: list[str], expected: list[str]) -> None:
    assert hoist_global_flags(args) == expected


def test_parse_go_bool() -> None:
    assert [parse_go_bool(t) for t in ("1", "t", "TRUE", "True", "0", "F", "false")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert parse_go_bool("yes") is None
    assert parse_go_bool("") is None


def _probe() -> tuple[click.Command, dict[str, Any]]:
    seen: dict[str, Any] = {}

    @kubectl_command("probe")
    @click.option("--wait", is_flag=True, default=True)
    @click.option("-o", "--output", default="")
    @click.option("--chunk-size", type=int, default=500)
    def command(factory: Factory, wait: bool, output: str, chunk_size: int) -> None:
        seen.update(factory=factory, wait=wait, output=output, chunk_size=chunk_size)

    return command, seen


def _invoke(command: click.Command, args: list[str]) -> None:
    with command.make_context("kctl probe", args) as ctx:
        command.invoke(ctx)


def test_bool_flags_take_go_booleans_and_short_flags_take_equals() -> None:
    command, seen = _probe()
    _invoke(
        command, ["--wait=false", "-o=json", "-n=dev", "-v=7", "--as-group", "a", "--as-group=b"]
    )
    assert seen["wait"] is False
    assert seen["output"] == "json"
    flags: GlobalFlags = seen["factory"].flags
    assert (flags.namespace, flags.verbosity, flags.as_groups) == ("dev", 7, ("a", "b"))
    _invoke(command, ["--wait=T", "--insecure-skip-tls-verify=true"])
    assert seen["wait"] is True
    assert seen["factory"].flags.insecure_skip_tls_verify is True


def test_bad_values_use_pflag_texts() -> None:
    command, _ = _probe()
    with pytest.raises(click.UsageError) as err:
        _invoke(command, ["--wait=maybe"])
    assert err.value.message == (
        'invalid argument "maybe" for "--wait" flag: strconv.ParseBool: parsing "maybe": '
        "invalid syntax"
    )
    with pytest.raises(click.UsageError) as err:
        _invoke(command, ["-v", "x"])
    assert err.value.message == (
        'invalid argument "x" for "-v, --v" flag: strconv.ParseInt: parsing "x": invalid syntax'
    )


def test_factory_builds_config_namespace_and_clients(tmp_path: Path, sandbox: Sandbox) -> None:
    flags = GlobalFlags(
        kubeconfig=sandbox.kubeconfig_path,
        namespace="dev",
        request_timeout="5s",
        verbosity=6,
        cache_dir=str(tmp_path / "cache"),
    )
    factory = Factory(flags)
    config = factory.rest_config()
    assert config.host == sandbox.url
    assert config.timeout == 5.0
    assert config.verbosity == 6
    # Main requests keep client-go's defaults; discovery gets kubectl's 50/300.
    assert (config.effective_qps(), config.effective_burst()) == (5.0, 10)
    assert factory.namespace() == ("dev", True)
    assert Factory(GlobalFlags(kubeconfig=sandbox.kubeconfig_path)).namespace() == (
        "default",
        False,
    )
    mapping = factory.rest_mapper().mapping_for("deploy")
    assert mapping.resource.resource == "deployments"
    assert (tmp_path / "cache" / "discovery").is_dir()
    assert factory.rest_client("apps", "v1").base_path == "/apis/apps/v1"
    assert factory.dynamic() is factory.dynamic()


def test_server_flag_overrides_and_default_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.delenv("KUBERNETES_MASTER", raising=False)
    assert Factory(GlobalFlags(kubeconfig=str(empty))).rest_config().host == "http://localhost:8080"
    monkeypatch.setenv("KUBERNETES_MASTER", "http://127.0.0.1:9")
    assert Factory(GlobalFlags(kubeconfig=str(empty))).rest_config().host == "http://127.0.0.1:9"
    flags = GlobalFlags(
        kubeconfig=str(empty),
        server="https://127.0.0.1:7",
        token="t0k",
        insecure_skip_tls_verify=True,
    )
    config = Factory(flags).rest_config()
    assert (config.host, config.bearer_token) == ("https://127.0.0.1:7", "t0k")
    assert config.tls.insecure
