"""Discovery, its disk cache and the RESTMapper against both backends."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kctl import dynamic
from kctl.discovery import (
    CachedDiscoveryClient,
    RESTMapper,
    discovery_cache_dir,
    new_cached_discovery_client_for_config,
    new_discovery_client_for_config,
)
from kctl.schema import GroupVersionResource

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "things.disco.kctl.test"},
    "spec": {
        "group": "disco.kctl.test",
        "scope": "Cluster",
        "names": {"plural": "things", "singular": "thing", "kind": "Thing", "shortNames": ["th"]},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
            }
        ],
    },
}


def test_groups_resources_and_preferred_versions(cluster: Any) -> None:
    dc = new_discovery_client_for_config(cluster.rest_config())
    groups, lists = dc.server_groups_and_resources()
    names = [g.name for g in groups]
    # The legacy group comes first, then the groups in the server's priority order.
    assert names[0] == ""
    assert names.index("apps") < names.index("batch")
    by_gv = {rl.group_version: rl for rl in lists}
    pods = next(r for r in by_gv["v1"].resources if r.name == "pods")
    assert pods.namespaced and pods.kind == "Pod"
    assert set(pods.verbs) >= {"create", "delete", "get", "list", "patch", "update", "watch"}
    assert list(pods.short_names) == ["po"]
    assert list(pods.categories) == ["all"]
    # Aggregated and legacy discovery agree on what matters.
    legacy_groups, legacy_lists = dc.with_legacy().server_groups_and_resources()
    assert [g.name for g in legacy_groups] == names
    assert {rl.group_version for rl in legacy_lists} == set(by_gv)
    version = dc.server_version()
    assert (version.major, version.minor) == ("1", "37")


def test_cache_and_mapper_see_a_new_crd_after_invalidation(cluster: Any, tmp_path: Path) -> None:
    cfg = cluster.rest_config()
    cached = new_cached_discovery_client_for_config(cfg, str(tmp_path / "cache"))
    mapper = RESTMapper(cached)
    assert mapper.mapping_for("deploy").resource == GroupVersionResource(
        "apps", "v1", "deployments"
    )
    assert mapper.mapping_for("Deployment.apps").namespaced

    crds = dynamic.new_for_config(cfg).resource(
        GroupVersionResource("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    )
    if not any(c["metadata"]["name"] == CRD["metadata"]["name"] for c in crds.list()["items"]):
        if cluster.real:
            cluster.server.install_crds([CRD])
        else:
            crds.create(CRD)
            # As on a real server, a new CRD is served once its controller has run: wait for
            # the Established condition (install_crds does the same for the real one).
            deadline = time.monotonic() + 30
            while not any(
                c.get("type") == "Established" and c.get("status") == "True"
                for c in (crds.get(CRD["metadata"]["name"]).get("status") or {}).get("conditions")
                or []
            ):
                assert time.monotonic() < deadline, "the CRD was never established"
                time.sleep(0.02)
    cached.invalidate()
    mapper.reset()
    found = mapper.mapping_for("th")
    assert found.resource == GroupVersionResource("disco.kctl.test", "v1", "things")
    assert not found.namespaced

    # A second client answers from the disk cache the first wrote: its server is never asked.
    directory = discovery_cache_dir(str(tmp_path / "cache" / "discovery"), cfg.host)

    def no_server() -> Any:
        raise AssertionError("a warm cache asked the server")

    warm = CachedDiscoveryClient(no_server, directory)
    assert "disco.kctl.test" in [g.name for g in warm.server_groups().groups]
    things = warm.server_resources_for_group_version("disco.kctl.test/v1")
    assert [r.name for r in things.resources] == ["things"]
