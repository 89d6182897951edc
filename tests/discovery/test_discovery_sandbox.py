"""Discovery against the sandbox API server, and cache sharing with the real kubectl."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kctl.discovery import (
    RESTMapper,
    new_cached_discovery_client_for_config,
    new_discovery_client_for_config,
)

KUBECTL = Path(sys.executable).parent / "kubectl"
needs_kubectl = pytest.mark.skipif(not KUBECTL.exists(), reason="needs the reference kubectl")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from kctl.sandbox import Sandbox

    with Sandbox(seed="empty") as sb:
        yield sb


def kubectl(sb: Any, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env["HOME"] = str(cache.parent)
    return subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(sb.kubeconfig_path), "--cache-dir", str(cache), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def discovery_gets(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if "GET" in line and any(f"{p} " in line or f"{p}?" in line for p in ("/api", "/apis"))
    ]


def test_aggregated_and_legacy_agree(sandbox: Any) -> None:
    client = new_discovery_client_for_config(sandbox.rest_config())
    groups, lists = client.server_groups_and_resources()
    legacy_groups, legacy_lists = client.with_legacy().server_groups_and_resources()
    assert groups == legacy_groups
    assert groups[0].name == "" and "apps" in [g.name for g in groups]

    def comparable(lsts: Any) -> Any:
        return [
            [
                replace(
                    r,
                    storage_version_hash="",
                    singular_name="" if r.is_subresource else r.singular_name,
                )
                for r in lst.resources
            ]
            for lst in lsts
        ]

    # Legacy documents carry storage version hashes and no singular name for subresources
    # (client-go's conversion gives them the parent's); otherwise both forms agree.
    assert comparable(lists) == comparable(legacy_lists)
    assert client.server_version().major == "1"


def test_mapper_against_sandbox(sandbox: Any) -> None:
    mapper = RESTMapper(new_discovery_client_for_config(sandbox.rest_config()))
    assert tuple(mapper.mapping_for("deploy").resource) == ("apps", "v1", "deployments")
    assert mapper.mapping_for("ns").namespaced is False
    assert "deployments.apps" in mapper.replace_aliases("all").split(",")


@needs_kubectl
def test_kubectl_reads_the_cache_kctl_wrote(sandbox: Any, tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    new_cached_discovery_client_for_config(
        sandbox.rest_config(), str(ours)
    ).server_preferred_resources()
    assert (Path(ours) / "discovery").is_dir()

    cached = kubectl(sandbox, ours, "-v=6", "api-resources", "--cached")
    assert cached.returncode == 0, cached.stderr
    assert discovery_gets(cached.stderr) == []
    live = kubectl(sandbox, theirs, "api-resources")
    assert live.returncode == 0, live.stderr
    assert cached.stdout == live.stdout

    # The RESTMapper of `kubectl get` is satisfied by our files too.
    got = kubectl(sandbox, ours, "-v=6", "get", "deploy.apps")
    assert got.returncode == 0, got.stderr
    assert discovery_gets(got.stderr) == []
    assert "/apis/apps/v1/namespaces/default/deployments" in got.stderr


@needs_kubectl
def test_kctl_reads_the_cache_kubectl_wrote(tmp_path: Path) -> None:
    from kctl.sandbox import Sandbox

    with Sandbox(seed="empty") as sb:
        config = sb.rest_config()
        done = kubectl(sb, tmp_path, "api-resources")
        assert done.returncode == 0, done.stderr
    # The server is gone: everything must come from kubectl's files.
    cached = new_cached_discovery_client_for_config(config, str(tmp_path))
    groups, _ = cached.server_groups_and_resources()
    assert "apps" in [g.name for g in groups]
    assert not cached.fresh()
    mapper = RESTMapper(cached)
    assert tuple(mapper.mapping_for("sts").resource) == ("apps", "v1", "statefulsets")
