"""rest.in_cluster_config against a temporary service-account directory."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import trustme

from kctl.errors import ConfigError, NotInClusterError
from kctl.rest import _incluster, in_cluster_config
from kctl.rest._auth import FileTokenSource


@pytest.fixture
def sa(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    root = tmp_path / "serviceaccount"
    root.mkdir()
    (root / "token").write_text("token-1\n")
    trustme.CA().cert_pem.write_to_path(str(root / "ca.crt"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    monkeypatch.delenv("POD_NAMESPACE", raising=False)
    monkeypatch.setattr(_incluster, "SERVICE_ACCOUNT_DIR", str(root))
    return root


def test_config_from_service_account(sa: Path) -> None:
    config = in_cluster_config()
    assert config.host == "https://10.96.0.1:443"
    assert config.bearer_token == "token-1"
    assert config.bearer_token_file == str(sa / "token")
    assert config.tls.ca_file == str(sa / "ca.crt")
    assert "token-1" not in repr(config)


def test_root_argument(sa: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_incluster, "SERVICE_ACCOUNT_DIR", "/nonexistent")
    assert in_cluster_config(root=sa).bearer_token_file == str(sa / "token")


def test_ipv6_host_is_bracketed(sa: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1")
    assert in_cluster_config().host == "https://[fd00:10:96::1]:443"


@pytest.mark.parametrize("missing", ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"])
def test_not_in_cluster(sa: Path, monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.delenv(missing)
    with pytest.raises(NotInClusterError) as info:
        in_cluster_config()
    assert str(info.value) == (
        "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
        "KUBERNETES_SERVICE_PORT must be defined"
    )
    assert not _incluster.in_cluster_possible()


def test_missing_token_file(sa: Path) -> None:
    (sa / "token").unlink()
    with pytest.raises(ConfigError, match=r"^open .*/token: no such file or directory$"):
        in_cluster_config()
    assert not _incluster.in_cluster_possible()


def test_bad_ca_is_logged_and_skipped(sa: Path, caplog: pytest.LogCaptureFixture) -> None:
    (sa / "ca.crt").write_text("not a certificate")
    with caplog.at_level(logging.ERROR, logger="kctl.rest"):
        config = in_cluster_config()
    assert config.tls.ca_file == ""
    assert f"Expected to load root CA config from {sa / 'ca.crt'}" in caplog.text


def test_namespace_precedence(sa: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _incluster.in_cluster_namespace() == "default"
    (sa / "namespace").write_text("from-file\n")
    assert _incluster.in_cluster_namespace() == "from-file"
    monkeypatch.setenv("POD_NAMESPACE", "from-env")
    assert _incluster.in_cluster_namespace() == "from-env"


def test_rotated_token_is_picked_up_and_last_good_kept(sa: Path) -> None:
    config = in_cluster_config()
    clock = [1000.0]
    source = FileTokenSource(
        config.bearer_token_file, now=lambda: clock[0], fallback=config.bearer_token
    )
    assert source.token() == "token-1"
    (sa / "token").write_text("token-2\n")
    clock[0] += 10
    assert source.token() == "token-1"  # still cached
    clock[0] += 60
    assert source.token() == "token-2"
    (sa / "token").unlink()
    clock[0] += 60
    assert source.token() == "token-2"  # a failed re-read keeps the last good token
