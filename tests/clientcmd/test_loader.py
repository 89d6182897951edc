"""Loading rules, merging and relative paths (the intent of client-go's loader_test.go)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kctl.clientcmd import (
    ClientConfigLoadingRules,
    load,
    new_client_config_from_bytes,
    new_default_client_config_loading_rules,
)
from kctl.errors import ConfigError, ConfigLoadError


def _write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def _kubeconfig(
    *,
    clusters: dict[str, str] = {},  # noqa: B006 - read only
    users: dict[str, str] = {},  # noqa: B006
    contexts: dict[str, tuple[str, str]] = {},  # noqa: B006
    current: str = "",
) -> str:
    lines = ["apiVersion: v1", "kind: Config", "clusters:"]
    for name, server in clusters.items():
        lines += [f"- name: {name}", "  cluster:", f"    server: {server}"]
    lines.append("users:")
    for name, token in users.items():
        lines += [f"- name: {name}", "  user:", f"    token: {token}"]
    lines.append("contexts:")
    for name, (cluster, user) in contexts.items():
        lines += [f"- name: {name}", "  context:", f"    cluster: {cluster}", f"    user: {user}"]
    lines.append(f"current-context: {current!r}")
    return "\n".join(lines) + "\n"


def test_kubeconfig_env_is_split_and_deduplicated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([a, b, a, "", b]))
    rules = new_default_client_config_loading_rules()
    assert rules.precedence == [a, b, ""]
    assert rules.get_loading_precedence() == [a, b, ""]


def test_default_rules_use_home_when_kubeconfig_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    rules = new_default_client_config_loading_rules()
    assert rules.precedence == [str(tmp_path / ".kube" / "config")]


def test_first_file_wins_for_entries_and_current_context(tmp_path: Path) -> None:
    first = _write(
        tmp_path / "first",
        _kubeconfig(
            clusters={"shared": "https://first", "only-first": "https://f"},
            users={"u": "first-token"},
            contexts={"ctx": ("shared", "u")},
            current="ctx",
        ),
    )
    second = _write(
        tmp_path / "second",
        _kubeconfig(
            clusters={"shared": "https://second", "only-second": "https://s"},
            users={"u": "second-token", "v": "v-token"},
            contexts={"ctx": ("only-second", "v"), "other": ("shared", "u")},
            current="other",
        ),
    )
    merged = ClientConfigLoadingRules(precedence=[first, second]).load()
    assert merged.current_context == "ctx"
    assert merged.clusters["shared"].server == "https://first"
    assert merged.clusters["shared"].location_of_origin == first
    assert set(merged.clusters) == {"shared", "only-first", "only-second"}
    assert merged.auth_infos["u"].token == "first-token"
    assert merged.auth_infos["v"].location_of_origin == second
    assert merged.contexts["ctx"].cluster == "shared"


def test_a_named_entry_is_taken_whole_not_field_merged(tmp_path: Path) -> None:
    first = _write(
        tmp_path / "1",
        "clusters:\n- name: c\n  cluster:\n    server: https://one\n",
    )
    second = _write(
        tmp_path / "2",
        "clusters:\n- name: c\n  cluster:\n    server: https://two\n"
        "    tls-server-name: from-second\n",
    )
    merged = ClientConfigLoadingRules(precedence=[first, second]).load()
    assert merged.clusters["c"].tls_server_name == ""


def test_empty_current_context_does_not_override_a_later_file(tmp_path: Path) -> None:
    first = _write(tmp_path / "1", _kubeconfig(current=""))
    second = _write(tmp_path / "2", _kubeconfig(current="from-second"))
    assert ClientConfigLoadingRules(precedence=[first, second]).load().current_context == (
        "from-second"
    )


def test_missing_files_are_skipped_and_empty_file_is_empty_config(tmp_path: Path) -> None:
    empty = _write(tmp_path / "empty", "")
    real = _write(tmp_path / "real", _kubeconfig(clusters={"c": "https://x"}))
    rules = ClientConfigLoadingRules(precedence=[str(tmp_path / "nope"), empty, real])
    merged = rules.load()
    assert list(merged.clusters) == ["c"]
    assert rules.missing == [str(tmp_path / "nope")]


def test_unparsable_file_reports_its_name(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad", "a: [\n")
    with pytest.raises(ConfigLoadError) as info:
        ClientConfigLoadingRules(precedence=[bad]).load()
    assert str(info.value).startswith(f'error loading config file "{bad}": yaml: line ')


def test_wrong_type_gives_go_json_text(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad2", "clusters: 3\n")
    with pytest.raises(ConfigLoadError) as info:
        ClientConfigLoadingRules(precedence=[bad]).load()
    assert str(info.value) == (
        f'error loading config file "{bad}": json: cannot unmarshal number into Go struct '
        "field Config.clusters of type []v1.NamedCluster"
    )


def test_several_bad_files_are_aggregated(tmp_path: Path) -> None:
    one = _write(tmp_path / "one", "clusters: 3\n")
    two = _write(tmp_path / "two", "users: x\n")
    with pytest.raises(ConfigError) as info:
        ClientConfigLoadingRules(precedence=[one, two]).load()
    text = str(info.value)
    assert text.startswith(f'[error loading config file "{one}"')
    assert f'error loading config file "{two}"' in text


def test_explicit_path_is_loaded_alone_and_must_exist(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = _write(tmp_path / "env", _kubeconfig(clusters={"env": "https://env"}))
    explicit = _write(tmp_path / "explicit", _kubeconfig(clusters={"exp": "https://exp"}))
    monkeypatch.setenv("KUBECONFIG", env_file)
    rules = new_default_client_config_loading_rules()
    rules.explicit_path = explicit
    assert list(rules.load().clusters) == ["exp"]
    rules.explicit_path = str(tmp_path / "missing")
    with pytest.raises(ConfigError, match=r"^stat .*/missing: no such file or directory$"):
        rules.load()


def test_relative_paths_resolve_against_their_own_file(tmp_path: Path) -> None:
    text = (
        "clusters:\n- name: c\n  cluster:\n    server: https://x\n"
        "    certificate-authority: certs/ca.crt\n"
        "users:\n- name: u\n  user:\n    client-certificate: ../c.crt\n"
        "    client-key: /abs/c.key\n    tokenFile: tok\n"
        "- name: e\n  user:\n    exec:\n      command: bin/plugin\n"
        "      apiVersion: client.authentication.k8s.io/v1\n"
        "- name: p\n  user:\n    exec:\n      command: on-path-plugin\n"
        "      apiVersion: client.authentication.k8s.io/v1\n"
    )
    path = _write(tmp_path / "dir" / "config", text)
    merged = ClientConfigLoadingRules(precedence=[path]).load()
    base = tmp_path / "dir"
    assert merged.clusters["c"].certificate_authority == str(base / "certs" / "ca.crt")
    user = merged.auth_infos["u"]
    assert user.client_certificate == str(tmp_path / "c.crt")
    assert user.client_key == "/abs/c.key"
    assert user.token_file == str(base / "tok")
    exec_user = merged.auth_infos["e"].exec
    path_user = merged.auth_infos["p"].exec
    assert exec_user is not None and path_user is not None
    assert exec_user.command == str(base / "bin" / "plugin")
    assert path_user.command == "on-path-plugin"


def test_do_not_resolve_paths(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "config",
        "users:\n- name: u\n  user:\n    tokenFile: tok\n",
    )
    rules = ClientConfigLoadingRules(precedence=[path], do_not_resolve_paths=True)
    assert rules.load().auth_infos["u"].token_file == "tok"


def test_configs_from_bytes_keep_relative_paths() -> None:
    data = (
        "clusters:\n- name: c\n  cluster:\n    server: https://x\n"
        "    certificate-authority: ca.crt\n"
        "users:\n- name: u\n  user:\n    tokenFile: tok\n"
    )
    raw = new_client_config_from_bytes(data).raw_config()
    assert raw.clusters["c"].certificate_authority == "ca.crt"
    assert raw.auth_infos["u"].token_file == "tok"


def test_json_kubeconfig_and_base64_data() -> None:
    config = load(
        b'{"apiVersion":"v1","kind":"Config","clusters":[{"name":"c","cluster":'
        b'{"server":"https://x","certificate-authority-data":"aGVsbG8="}}]}'
    )
    assert config.clusters["c"].certificate_authority_data == b"hello"


def test_duplicate_names_are_rejected() -> None:
    with pytest.raises(ValueError, match='duplicate name "c"'):
        load("clusters:\n- name: c\n  cluster: {server: a}\n- name: c\n  cluster: {server: b}\n")


def test_exec_interactive_mode_defaults_only_for_v1beta1() -> None:
    config = load(
        "users:\n"
        "- name: beta\n  user:\n    exec: {command: x, apiVersion: client.authentication.k8s.io/v1beta1}\n"
        "- name: v1\n  user:\n    exec: {command: x, apiVersion: client.authentication.k8s.io/v1}\n"
    )
    beta, v1 = config.auth_infos["beta"].exec, config.auth_infos["v1"].exec
    assert beta is not None and v1 is not None
    assert beta.interactive_mode == "IfAvailable"
    assert v1.interactive_mode == ""
