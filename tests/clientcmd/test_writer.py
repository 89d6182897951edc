"""Writing kubeconfigs: default file choice, modify_config, atomic writes, kubectl-identical YAML."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kctl.clientcmd import (
    ClientConfigLoadingRules,
    Cluster,
    Context,
    load,
    load_from_file,
    modify_config,
    to_dict,
    to_yaml,
    write_to_file,
)
from kctl.errors import ConfigError

KUBECTL = Path(sys.executable).parent / "kubectl"

SAMPLE = """apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
    server: https://1.2.3.4
    certificate-authority-data: aGVsbG8=
    insecure-skip-tls-verify: false
users:
- name: u1
  user:
    token: abc
    tokenFile: tok
- name: u2
  user:
    exec:
      command: ./bin/plug
      apiVersion: client.authentication.k8s.io/v1beta1
      installHint: "hello world this is a rather long install hint string that has more than eighty characters in it"
contexts:
- name: x
  context: {cluster: c1, user: u1, namespace: "yes"}
current-context: x
"""


def test_default_filename_rules(tmp_path: Path) -> None:
    a, b, c = (str(tmp_path / n) for n in "abc")
    rules = ClientConfigLoadingRules(precedence=[a, b, c])
    assert rules.get_default_filename() == a  # none exists: the first
    Path(b).write_text("")
    assert rules.get_default_filename() == b  # the first existing one
    rules.explicit_path = c
    assert rules.get_default_filename() == c


@pytest.mark.skipif(not KUBECTL.exists(), reason="reference kubectl not installed")
def test_yaml_matches_what_kubectl_writes(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_text(SAMPLE)
    proc = subprocess.run(
        [str(KUBECTL), "config", "view", "--raw", f"--kubeconfig={src}"],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert to_yaml(load(SAMPLE)) == proc.stdout


def test_empty_config_serialisation() -> None:
    assert to_yaml(load("")) == (
        'apiVersion: v1\nclusters: null\ncontexts: null\ncurrent-context: ""\n'
        "kind: Config\nusers: null\n"
    )
    assert list(to_dict(load(SAMPLE))) == [
        "kind",
        "apiVersion",
        "clusters",
        "users",
        "contexts",
        "current-context",
    ]


def test_write_is_atomic_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "config"
    write_to_file(load(SAMPLE), str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.chmod(0o640)
    config = load(SAMPLE)
    config.current_context = "changed"
    write_to_file(config, str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert load_from_file(str(target)).current_context == "changed"
    assert sorted(os.listdir(target.parent)) == ["config"]


def test_modify_config_writes_each_entry_to_its_origin(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_text(
        "clusters:\n- name: a\n  cluster: {server: https://a}\ncurrent-context: ctx-a\n"
    )
    second.write_text(
        "clusters:\n- name: b\n  cluster: {server: https://b}\n"
        "contexts:\n- name: gone\n  context: {cluster: b, user: u}\n"
    )
    rules = ClientConfigLoadingRules(precedence=[str(first), str(second)])
    config = rules.get_starting_config()
    config.clusters["b"].server = "https://b2"
    config.clusters["new"] = Cluster(server="https://new")
    config.contexts.pop("gone")
    config.contexts["ctx-n"] = Context(cluster="new", auth_info="u")
    config.current_context = "ctx-n"
    modify_config(rules, config)

    one, two = load_from_file(str(first)), load_from_file(str(second))
    assert set(one.clusters) == {"a", "new"}
    assert one.current_context == "ctx-n"
    assert set(one.contexts) == {"ctx-n"}
    assert two.clusters["b"].server == "https://b2"
    assert two.contexts == {}
    assert not any(p.name.endswith(".lock") for p in tmp_path.iterdir())


def test_current_context_goes_to_the_file_that_sets_it(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_text("clusters: []\n")
    second.write_text("current-context: old\n")
    rules = ClientConfigLoadingRules(precedence=[str(first), str(second)])
    config = rules.get_starting_config()
    config.current_context = "new"
    modify_config(rules, config)
    assert load_from_file(str(second)).current_context == "new"
    assert load_from_file(str(first)).current_context == ""


def test_modify_config_relativizes_paths(tmp_path: Path) -> None:
    target = tmp_path / "config"
    rules = ClientConfigLoadingRules(precedence=[str(target)])
    config = rules.get_starting_config()
    config.clusters["c"] = Cluster(
        server="https://c",
        certificate_authority=str(tmp_path / "pki" / "ca.crt"),
        location_of_origin=str(target),
    )
    modify_config(rules, config)
    assert "certificate-authority: pki/ca.crt" in target.read_text()
    assert rules.load().clusters["c"].certificate_authority == str(tmp_path / "pki" / "ca.crt")


def test_held_lock_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "config"
    Path(str(target) + ".lock").write_text("")
    rules = ClientConfigLoadingRules(precedence=[str(target)])
    config = rules.get_starting_config()
    config.current_context = "x"
    with pytest.raises(ConfigError, match=r"config\.lock: file exists"):
        modify_config(rules, config)
    assert not target.exists()
