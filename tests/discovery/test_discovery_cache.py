from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kctl.discovery import (
    CachedDiscoveryClient,
    DiscoveryClient,
    StaleGroupVersionError,
    default_cache_dir,
    discovery_cache_dir,
)
from kctl.errors import DiscoveryError, StatusError

KUBECTL = Path(sys.executable).parent / "kubectl"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("https://127.0.0.1:6443", "127.0.0.1_6443"),
        ("http://localhost:8080", "localhost_8080"),
        ("127.0.0.1:6443", "127.0.0.1_6443"),
        ("https://[::1]:6443", "___1__6443"),
        ("https://kube.example.com:443/prefix/", "kube.example.com_443/prefix"),
        ("https://h:1/a/../b", "h_1/b"),
        ("https://user@h:1", "user_h_1"),
        ("https://h(1)", "h(1)"),
        ("https://hôst", "h_st"),
    ],
)
def test_cache_dir_is_cli_runtimes(host: str, expected: str) -> None:
    assert discovery_cache_dir("/c/discovery", host) == "/c/discovery/" + expected


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path))
    assert default_cache_dir() == str(tmp_path)
    monkeypatch.delenv("KUBECACHEDIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == str(tmp_path / "home" / ".kube" / "cache")


def _cached(client: DiscoveryClient, directory: Path, **kw: Any) -> CachedDiscoveryClient:
    return CachedDiscoveryClient(client, str(directory), **kw)


def test_layout_modes_and_contents(client: DiscoveryClient, tmp_path: Path) -> None:
    directory = tmp_path / "discovery" / "127.0.0.1_6443"
    cached = _cached(client, directory)
    cached.server_groups_and_resources()
    files = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
    assert files == [
        "apps/v1/serverresources.json",
        "autoscaling/v1/serverresources.json",
        "autoscaling/v2/serverresources.json",
        "batch/v1/serverresources.json",
        "events.k8s.io/v1/serverresources.json",
        "servergroups.json",
        "v1/serverresources.json",
    ]
    for path in directory.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o750 & ~_umask()
        else:
            assert mode == 0o660
    groups = json.loads((directory / "servergroups.json").read_text())
    assert groups["kind"] == "APIGroupList" and groups["apiVersion"] == "v1"
    assert groups["groups"][0] == {
        "name": "",
        "versions": [{"groupVersion": "v1", "version": "v1"}],
        "preferredVersion": {"groupVersion": "v1", "version": "v1"},
    }
    apps = json.loads((directory / "apps/v1/serverresources.json").read_text())
    assert apps["kind"] == "APIResourceList" and apps["groupVersion"] == "apps/v1"
    scale = next(r for r in apps["resources"] if r["name"] == "deployments/scale")
    assert scale == {
        "name": "deployments/scale",
        "singularName": "deployment",
        "namespaced": True,
        "group": "autoscaling",
        "version": "v1",
        "kind": "Scale",
        "verbs": ["get", "patch", "update"],
    }


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_second_client_reads_files_not_server(
    client: DiscoveryClient, server: Any, tmp_path: Path
) -> None:
    first = _cached(client, tmp_path)
    expected = first.server_groups_and_resources()
    assert first.fresh()
    count = len(server.requests)
    second = _cached(client, tmp_path)
    assert second.server_groups_and_resources() == expected
    assert len(server.requests) == count
    # Served from files another "process" wrote: a miss is worth a refetch.
    assert not second.fresh()


def test_ttl_by_mtime(client: DiscoveryClient, server: Any, tmp_path: Path) -> None:
    _cached(client, tmp_path).server_groups()
    now = 1_900_000_000.0
    groups_file = tmp_path / "servergroups.json"
    os.utime(groups_file, (now - 6 * 3600 + 5, now - 6 * 3600 + 5))
    count = len(server.requests)
    _cached(client, tmp_path, clock=lambda: now).server_groups()
    assert len(server.requests) == count
    os.utime(groups_file, (now - 6 * 3600 - 5, now - 6 * 3600 - 5))
    _cached(client, tmp_path, clock=lambda: now).server_groups()
    assert len(server.requests) > count
    # The expired file was replaced.
    assert groups_file.stat().st_mtime != now - 6 * 3600 - 5


def test_invalidate_leaves_nothing_stale(
    client: DiscoveryClient, server: Any, tmp_path: Path, kit: Any
) -> None:
    _cached(client, tmp_path).server_groups_and_resources()
    cached = _cached(client, tmp_path)
    assert "example.com" not in [g.name for g in cached.server_groups().groups]
    server.apis["items"].append(
        kit.crd_group("example.com", "v1", kit.crd_resource("widgets", "Widget", ["wd"]))
    )
    # Still the old files (and their memory copy) until invalidated.
    assert "example.com" not in [g.name for g in cached.server_groups().groups]
    cached.invalidate()
    groups, lists = cached.server_groups_and_resources()
    assert "example.com" in [g.name for g in groups]
    assert "example.com/v1" in [lst.group_version for lst in lists]
    assert (tmp_path / "example.com/v1/serverresources.json").exists()
    assert cached.fresh()
    # What the refetch wrote is "ours" and is used without asking again.
    count = len(server.requests)
    cached.server_groups_and_resources()
    assert len(server.requests) == count


def test_corrupt_file_falls_back_to_server(client: DiscoveryClient, tmp_path: Path) -> None:
    _cached(client, tmp_path).server_groups()
    (tmp_path / "servergroups.json").write_text("{not json")
    groups = _cached(client, tmp_path).server_groups()
    assert groups.groups[0].name == ""
    assert json.loads((tmp_path / "servergroups.json").read_text())["kind"] == "APIGroupList"


def test_no_temp_files_left_and_unwritable_dir_still_works(
    client: DiscoveryClient, tmp_path: Path
) -> None:
    _cached(client, tmp_path / "c").server_groups_and_resources()
    leftovers = [p.name for p in (tmp_path / "c").rglob("*.json.*")]
    assert leftovers == []
    blocker = tmp_path / "file"
    blocker.write_text("")
    # A cache directory that cannot be created only costs speed.
    groups, _ = _cached(client, blocker / "sub").server_groups_and_resources()
    assert groups


def test_memory_only_cache_fetches_once(client: DiscoveryClient, server: Any) -> None:
    cached = CachedDiscoveryClient(client)
    assert not cached.fresh()
    cached.server_groups_and_resources()
    cached.server_preferred_resources()
    assert server.paths() == ["/api", "/apis"]
    assert cached.fresh()


def test_legacy_server_through_cache_fans_out_once(
    client: DiscoveryClient, server: Any, tmp_path: Path
) -> None:
    server.aggregated = False
    cached = _cached(client, tmp_path)
    cached.server_groups_and_resources()
    assert server.paths().count("/apis/apps/v1") == 1
    assert (tmp_path / "batch/v1/serverresources.json").exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not KUBECTL.exists(), reason="needs the reference kubectl")
def test_real_kubectl_uses_our_cache(client: DiscoveryClient, tmp_path: Path) -> None:
    port = _closed_port()
    host = f"https://127.0.0.1:{port}"
    cache_root = tmp_path / "cache"
    directory = discovery_cache_dir(str(cache_root / "discovery"), host)
    _cached(client, Path(directory)).server_preferred_resources()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env["HOME"] = str(tmp_path)
    proc = subprocess.run(
        [
            str(KUBECTL),
            "--kubeconfig",
            str(kubeconfig),
            "--server",
            host,
            "--insecure-skip-tls-verify",
            # Any credential, so kubectl does not prompt for a username.
            "--token=not-a-secret",
            "--cache-dir",
            str(cache_root),
            "-v=6",
            "api-resources",
            "--cached",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "GET" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["pods"] == ["pods", "po", "v1", "true", "Pod"]
    assert rows["namespaces"] == ["namespaces", "ns", "v1", "false", "Namespace"]
    assert rows["deployments"] == ["deployments", "deploy", "apps/v1", "true", "Deployment"]
    assert rows["horizontalpodautoscalers"][2] == "autoscaling/v2"
    assert rows["cronjobs"][:3] == ["cronjobs", "cj", "batch/v1"]
    assert "deployments/scale" not in rows


_WARM_READ = """
import json, sys
from kctl.discovery import new_cached_discovery_client_for_config
from kctl.rest import Config
cached = new_cached_discovery_client_for_config(Config(host=sys.argv[1]), sys.argv[2])
lists = cached.server_preferred_resources()
print(json.dumps({"lists": [lst.group_version for lst in lists], "modules": sorted(sys.modules)}))
"""


def test_warm_cache_needs_no_live_client(client: DiscoveryClient, tmp_path: Path) -> None:
    # Nothing listens on the port: any request would fail the read.
    host = f"https://127.0.0.1:{_closed_port()}"
    directory = discovery_cache_dir(str(tmp_path / "discovery"), host)
    expected = _cached(client, Path(directory)).server_preferred_resources()
    proc = subprocess.run(
        [sys.executable, "-c", _WARM_READ, host, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(proc.stdout)
    assert out["lists"] == [lst.group_version for lst in expected]
    loaded = set(out["modules"])
    assert "kctl.discovery._cached" in loaded
    for unwanted in (
        "kctl.discovery._client",
        "kctl.discovery._aggregated",
        "kctl.discovery._restmapper",
        "kctl.rest._request",
    ):
        assert unwanted not in loaded


def test_package_names_resolve() -> None:
    import kctl.discovery

    for name in kctl.discovery.__all__:
        assert getattr(kctl.discovery, name) is not None
    with pytest.raises(AttributeError):
        kctl.discovery.NoSuchName  # type: ignore[attr-defined]  # noqa: B018


def test_error_handler_sees_what_memcache_logs(client: DiscoveryClient, server: Any) -> None:
    """client-go's memcache logs each group-version failing in the legacy fan-out, then each
    re-fetch of a transient (5xx) failure; a 404 is not retried, an empty list not logged."""
    server.aggregated = False
    server.failing["/apis/apps/v1"] = 503
    server.failing["/apis/batch/v1"] = 404
    server.extra["/apis/autoscaling/v2"] = lambda: json.dumps(
        {"kind": "APIResourceList", "groupVersion": "autoscaling/v2", "resources": []}
    ).encode()
    seen: list[tuple[str, int, bool]] = []

    def handler(group_version: str, err: BaseException, retried: bool) -> None:
        assert isinstance(err, StatusError)
        seen.append((group_version, err.code, retried))

    cached = CachedDiscoveryClient(client, error_handler=handler)
    cached.server_groups()
    assert sorted(seen) == [("apps/v1", 503, False), ("batch/v1", 404, False)]
    seen.clear()
    for gv in ("apps/v1", "apps/v1", "batch/v1"):
        with pytest.raises(StatusError):
            cached.server_resources_for_group_version(gv)
    with pytest.raises(DiscoveryError, match="received empty response for: autoscaling/v2"):
        cached.server_resources_for_group_version("autoscaling/v2")
    assert seen == [("apps/v1", 503, True), ("apps/v1", 503, True)]


def test_error_handler_not_told_of_stale_aggregated_versions(
    client: DiscoveryClient, server: Any, kit: Any
) -> None:
    server.apis["items"].append(
        kit.crd_group(
            "metrics.k8s.io", "v1beta1", kit.crd_resource("nodes", "NodeMetrics"), stale=True
        )
    )
    seen: list[str] = []
    cached = CachedDiscoveryClient(client, error_handler=lambda gv, err, retried: seen.append(gv))
    cached.server_groups_and_resources()
    with pytest.raises(StaleGroupVersionError):
        cached.server_resources_for_group_version("metrics.k8s.io/v1beta1")
    assert seen == []
