"""The sandbox's recorded data against the real kube-apiserver it was recorded from.

These need the real control plane (the ``envtest`` fixture; skipped with the build command
when it is missing). A failure after a version bump means: rerun
``envtest/record_sandbox_data.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.envtest import Environment
from kctl.rest import unversioned_rest_client_for
from kctl.sandbox import Sandbox, _recorded

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sandbox:
        yield sandbox


def _get(server: Sandbox | Environment, path: str, accept: str = "application/json") -> Any:
    client = unversioned_rest_client_for(server.rest_config().copy(qps=-1))
    path, _, query = path.partition("?")
    request = client.get().abs_path(path).set_header("Accept", accept)
    if query:
        request = request.param(query, "true")
    return request.do_raw()


def _resources(doc: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(group, version, plural) -> aggregated discovery entry."""
    return {
        (item["metadata"].get("name", ""), version["version"], res["resource"]): res
        for item in doc["items"]
        for version in item["versions"]
        for res in version["resources"]
    }


def test_version_is_the_real_one(sb: Sandbox, envtest: Environment) -> None:
    real = json.loads(_get(envtest, "/version"))
    mine = json.loads(_get(sb, "/version"))
    for key in ("major", "minor", "gitVersion", "emulationMajor", "emulationMinor"):
        assert mine[key] == real[key], key
    # Every field, build info included, is the recorded server's.
    assert mine == real


@pytest.mark.parametrize("legacy", [True, False], ids=["api", "apis"])
def test_aggregated_discovery_matches_for_served_resources(
    sb: Sandbox, envtest: Environment, legacy: bool
) -> None:
    path = "/api" if legacy else "/apis"
    real = _resources(json.loads(_get(envtest, path, AGGREGATED)))
    mine = _resources(json.loads(_get(sb, path, AGGREGATED)))
    builtin = {k for k, v in mine.items() if k in real}
    assert builtin, "no built-in resource in common"
    # The real server may hold test CRDs; every built-in it serves, the sandbox serves.
    recorded = _resources(_recorded.server()["discovery"]["aggregated"][path])
    assert set(recorded) <= set(mine)
    assert {k for k in real if k in recorded} == set(recorded)
    for key in sorted(builtin):
        assert mine[key] == real[key], key
    real_groups = [i for i in json.loads(_get(envtest, path, AGGREGATED))["items"]]
    mine_groups = [i for i in json.loads(_get(sb, path, AGGREGATED))["items"]]
    names = {g["metadata"].get("name", "") for g in mine_groups}
    # Group order (kubectl's RESTMapper resolves ambiguous names by it) is the real one.
    assert [
        g["metadata"].get("name", "") for g in real_groups if g["metadata"].get("name", "") in names
    ] == [g["metadata"].get("name", "") for g in mine_groups]


def test_legacy_discovery_matches_for_served_resources(sb: Sandbox, envtest: Environment) -> None:
    real_groups = json.loads(_get(envtest, "/apis"))["groups"]
    mine_groups = json.loads(_get(sb, "/apis"))["groups"]
    mine_names = [g["name"] for g in mine_groups]
    assert [g for g in real_groups if g["name"] in mine_names] == mine_groups
    gvs = ["/api/v1"] + [f"/apis/{v['groupVersion']}" for g in mine_groups for v in g["versions"]]
    for gv in gvs:
        real = json.loads(_get(envtest, gv))
        mine = json.loads(_get(sb, gv))
        assert mine == real, gv


@pytest.mark.parametrize("endpoint", ["healthz", "livez", "readyz"])
def test_health_checks_are_the_real_ones(sb: Sandbox, envtest: Environment, endpoint: str) -> None:
    assert _get(sb, f"/{endpoint}?verbose") == _get(envtest, f"/{endpoint}?verbose")


@pytest.mark.parametrize(
    "args",
    [
        ("pods.spec.containers",),
        ("pods",),
        ("deployment.spec.strategy", "--recursive"),
        ("--api-version=autoscaling/v1", "hpa.spec"),
        ("--output=plaintext-openapiv2", "deployment.spec"),
        ("--output=plaintext-openapiv2", "pods.spec.containers.resources"),
    ],
)
def test_explain_prints_what_the_real_server_gives(
    sb: Sandbox, envtest: Environment, run_kubectl: Any, args: tuple[str, ...]
) -> None:
    real = run_kubectl(envtest, "explain", *args)
    mine = run_kubectl(sb, "explain", *args)
    assert real.returncode == 0, real.stderr
    assert (mine.returncode, mine.stdout, mine.stderr) == (0, real.stdout, real.stderr)


@pytest.fixture(scope="module")
def pristine(envtest_assets: Path) -> Iterator[Environment]:
    """A real server of this module's own: the shared one may hold other tests' CRDs, and
    every CRD adds its schema to /openapi/v2."""
    with Environment(binary_assets_directory=envtest_assets) as env:
        yield env


def test_openapi_v2_protobuf_is_the_real_servers(sb: Sandbox, pristine: Environment) -> None:
    """kubectl reads /openapi/v2 as gnostic protobuf: the sandbox encodes the recorded JSON
    into the bytes the real server sends."""
    accept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
    real = _get(pristine, "/openapi/v2", accept)
    mine = _get(sb, "/openapi/v2", accept)
    assert len(mine) == len(real)
    assert mine == real


@pytest.mark.parametrize(
    "args", [("version",), ("get", "pods"), ("api-resources",), ("get", "--raw", "/version")]
)
def test_kubectl_sees_no_version_skew(sb: Sandbox, run_kubectl: Any, args: tuple[str, ...]) -> None:
    out = run_kubectl(sb, *args)
    assert out.returncode == 0, out.stderr
    assert "WARNING" not in out.stderr and "skew" not in out.stderr
    if args == ("version",):
        assert f"Server Version: {_recorded.version()['gitVersion']}\n" in out.stdout
