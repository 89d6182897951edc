"""``kctl sandbox up/down`` never leave the user's kubeconfig half-written.

``start``/``stop`` run in-process here so that the rename of the user's kubeconfig can be made
to fail (a crash, a full disk) right at the moment it would replace the file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kctl.sandbox import _daemon

ORIGINAL = """\
# hand-written, so any rewrite shows
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod
  cluster: {server: "https://prod.example.com:6443"}
users:
- name: admin
  user: {token: secret-admin-token}
contexts:
- name: prod
  context: {cluster: prod, user: admin}
"""


class Crash(Exception):
    """Stands for the process dying at this point."""


@pytest.fixture
def kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    config = home / ".kube" / "config"
    config.write_text(ORIGINAL)
    os.chmod(config, 0o640)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("KUBECONFIG", str(config))
    yield config
    _daemon.stop()  # never leave a sandbox behind, whatever the test did


def _fail_replacing(
    monkeypatch: pytest.MonkeyPatch, target: Path, error: BaseException
) -> Callable[[], int]:
    """os.replace onto ``target`` raises; returns how many times it was attempted."""
    real = os.replace
    attempts = 0

    def replace(src: str, dst: str, *args: object, **kwargs: object) -> None:
        nonlocal attempts
        if os.path.realpath(dst) == os.path.realpath(target):
            attempts += 1
            raise error
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return lambda: attempts


def _assert_only_config(config: Path) -> None:
    assert sorted(p.name for p in config.parent.iterdir()) == ["config"]


@pytest.mark.parametrize("error", [Crash(), OSError(28, "No space left on device")])
def test_up_failing_to_write_keeps_the_kubeconfig_and_stops_the_server(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    attempts = _fail_replacing(monkeypatch, kubeconfig, error)
    with pytest.raises(type(error)):
        _daemon.start(seed="empty", tls=False)
    monkeypatch.undo()
    assert attempts() == 1
    assert kubeconfig.read_text() == ORIGINAL
    assert stat.S_IMODE(kubeconfig.stat().st_mode) == 0o640
    _assert_only_config(kubeconfig)  # no temp file, no config.lock
    assert _daemon.running() is None


def test_down_failing_to_write_keeps_the_kubeconfig_and_can_be_retried(
    kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info, started = _daemon.start(seed="empty", tls=False)
    assert started
    with_sandbox = kubeconfig.read_bytes()
    assert b"kctl-sandbox" in with_sandbox

    with monkeypatch.context() as patch:
        attempts = _fail_replacing(patch, kubeconfig, Crash())
        with pytest.raises(Crash):
            _daemon.stop()
        assert attempts() == 1
    assert kubeconfig.read_bytes() == with_sandbox
    assert stat.S_IMODE(kubeconfig.stat().st_mode) == 0o640
    _assert_only_config(kubeconfig)

    # The record of what up changed survived, so a second down still restores the original.
    _daemon.stop()
    assert kubeconfig.read_text() == ORIGINAL
    assert stat.S_IMODE(kubeconfig.stat().st_mode) == 0o640
    _assert_only_config(kubeconfig)
    assert _daemon.running() is None
    assert info.pid > 0
