"""api-resources and api-versions: byte-for-byte parity with kubectl 1.37.1, every flag."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

Parity = Callable[..., Any]


@pytest.mark.parametrize(
    "flags",
    [
        (),
        ("-o", "wide"),
        ("-o", "name"),
        ("-o", "json"),
        ("-o", "yaml"),
        ("-o", "bogus"),
        ("--api-group=apps",),
        ("--api-group=",),
        ("--api-group=nope",),
        ("--api-group=nope", "-o", "json"),
        ("--api-group=nope", "-o", "yaml"),
        ("--api-group=nope", "-o", "wide", "--no-headers"),
        ("--namespaced",),
        ("--namespaced=false",),
        ("--verbs=list,watch",),
        ("--verbs=create", "--verbs=delete"),
        ("--categories=all",),
        ("--namespaced=false", "--categories=all"),
        ("--sort-by=name",),
        ("--sort-by=kind", "-o", "wide"),
        ("--sort-by=bogus",),
        ("--no-headers",),
        ("--cached",),
        ("unexpected",),
    ],
)
def test_api_resources_parity(
    demo_sandbox: Sandbox, parity: Parity, flags: tuple[str, ...]
) -> None:
    parity(demo_sandbox, "api-resources", *flags).assert_same()


@pytest.mark.parametrize("flags", [(), ("extra",), ("-s", "http://127.0.0.1:1")])
def test_api_versions_parity(demo_sandbox: Sandbox, parity: Parity, flags: tuple[str, ...]) -> None:
    parity(demo_sandbox, "api-versions", *flags).assert_same()


def _cache_dir(home: Path) -> Path:
    found = list((home / "cache" / "discovery").iterdir())
    assert len(found) == 1
    return found[0]


def test_cache_invalidation(sandbox: Sandbox, run_kctl: Any, tmp_path: Path) -> None:
    """api-versions always and api-resources (unless --cached) ignore a cache written
    by someone else, as kubectl does; --cached trusts it."""
    cache = tmp_path / "cache"
    env = {"KUBECACHEDIR": str(cache)}
    first = run_kctl(sandbox, "api-resources", "-o", "name", env=env)
    assert first.returncode == 0 and "deployments.apps" in first.stdout
    hosts = list((cache / "discovery").iterdir())
    assert len(hosts) == 1
    core = hosts[0] / "v1" / "serverresources.json"
    text = core.read_text()
    # Another process's stale cache: a fake resource only the cache knows.
    core.write_text(
        text.replace('"name":"configmaps"', '"name":"zzfakes"').replace(
            '"name": "configmaps"', '"name": "zzfakes"'
        )
    )
    cached = run_kctl(sandbox, "api-resources", "-o", "name", "--cached", env=env)
    assert "zzfakes" in cached.stdout
    fresh = run_kctl(sandbox, "api-resources", "-o", "name", env=env)
    assert "zzfakes" not in fresh.stdout and "configmaps" in fresh.stdout
    groups = hosts[0] / "servergroups.json"
    groups.write_text(groups.read_text().replace('"apps"', '"zzapps"'))
    versions = run_kctl(sandbox, "api-versions", env=env)
    assert "apps/v1" in versions.stdout.split() and "zzapps/v1" not in versions.stdout
