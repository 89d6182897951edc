"""kctl.config.get_config: controller-runtime's resolution order."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from kctl import config as kconfig
from kctl.errors import ConfigError
from kctl.rest import _incluster

KUBECONFIG = """
clusters:
- name: c
  cluster: {server: "https://file.example:6443"}
- name: d
  cluster: {server: "https://other.example:6443"}
users:
- name: u
  user: {token: file-token}
contexts:
- name: main
  context: {cluster: c, user: u}
- name: alt
  context: {cluster: d, user: u}
current-context: main
"""


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for var in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(kconfig, "kubeconfig_flag", None)
    monkeypatch.setattr(sys, "argv", ["prog"])
    root = tmp_path / "sa"
    root.mkdir()
    (root / "token").write_text("sa-token")
    monkeypatch.setattr(_incluster, "SERVICE_ACCOUNT_DIR", str(root))
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    return path


def _in_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")


def test_explicit_kubeconfig_wins_over_in_cluster(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_cluster(monkeypatch)
    config = kconfig.get_config(kubeconfig=str(env))
    assert (config.host, config.bearer_token) == ("https://file.example:6443", "file-token")
    assert (config.qps, config.burst) == (20.0, 30)
    assert kconfig.get_config("alt", kubeconfig=str(env)).host == "https://other.example:6443"


def test_flag_from_argv_and_module_attribute(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _in_cluster(monkeypatch)
    monkeypatch.setattr(sys, "argv", ["prog", "--kubeconfig", str(env)])
    assert kconfig.get_config().host == "https://file.example:6443"
    monkeypatch.setattr(sys, "argv", ["prog", f"-kubeconfig={env}"])
    assert kconfig.get_config().host == "https://file.example:6443"
    monkeypatch.setattr(sys, "argv", ["prog"])
    monkeypatch.setattr(kconfig, "kubeconfig_flag", str(env))
    assert kconfig.get_config().host == "https://file.example:6443"


def test_in_cluster_only_when_kubeconfig_unset(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _in_cluster(monkeypatch)
    home_config = Path(str(env.parent / "home" / ".kube" / "config"))
    home_config.parent.mkdir(parents=True)
    home_config.write_text(KUBECONFIG)
    assert kconfig.get_config().host == "https://10.0.0.1:443"
    monkeypatch.setenv("KUBECONFIG", str(env))
    assert kconfig.get_config().host == "https://file.example:6443"


def test_in_cluster_is_the_last_resort(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _in_cluster(monkeypatch)
    monkeypatch.setenv("KUBECONFIG", str(env.parent / "missing"))
    assert kconfig.get_config().bearer_token == "sa-token"


def test_home_config_when_not_in_cluster(env: Path) -> None:
    home_config = env.parent / "home" / ".kube" / "config"
    home_config.parent.mkdir(parents=True)
    home_config.write_text(KUBECONFIG)
    assert kconfig.get_config().host == "https://file.example:6443"


def test_set_qps_is_kept(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(env))
    from kctl import clientcmd

    original = clientcmd.DeferredLoadingClientConfig.client_config

    def with_qps(self: clientcmd.DeferredLoadingClientConfig) -> object:
        return original(self).copy(qps=-1.0, burst=7)

    monkeypatch.setattr(clientcmd.DeferredLoadingClientConfig, "client_config", with_qps)
    config = kconfig.get_config()
    assert (config.qps, config.burst) == (-1.0, 7)


def test_nothing_found(env: Path, caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.DEBUG, logger="kctl.config"),
        pytest.raises(ConfigError, match="no configuration has been provided"),
    ):
        kconfig.get_config()
    # The in-cluster failure is not the error raised, but it is logged (at debug level).
    assert [r.getMessage() for r in caplog.records] == [
        "unable to load in-cluster config: unable to load in-cluster configuration, "
        "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined"
    ]


def test_get_config_or_die_exits_with_one_line(tmp_path: Path) -> None:
    code = "import kctl.config; kctl.config.get_config_or_die()"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr == (
        "unable to get kubeconfig: invalid configuration: no configuration has been provided, "
        "try setting KUBERNETES_MASTER environment variable\n"
    )
