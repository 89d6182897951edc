from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kctl.sandbox._catalog import Catalog
from kctl.sandbox._seed import demo_objects, load_seed_path
from kctl.sandbox._tables import row_cells

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@pytest.fixture(scope="module")
def objs() -> list[dict]:
    return demo_objects(NOW)


def test_deterministic(objs: list[dict]) -> None:
    assert demo_objects(NOW) == objs


def test_namespaces_and_per_namespace_basics(objs: list[dict]) -> None:
    names = {o["metadata"]["name"] for o in objs if o["kind"] == "Namespace"}
    assert names == {"default", "kube-system", "kube-public", "kube-node-lease", "dev"}
    for ns in names:
        for kind, name in (("ConfigMap", "kube-root-ca.crt"), ("ServiceAccount", "default")):
            assert any(
                o["kind"] == kind
                and o["metadata"]["name"] == name
                and o["metadata"]["namespace"] == ns
                for o in objs
            ), (ns, kind)
    assert any(
        o["kind"] == "ServiceAccount"
        and o["metadata"]["name"] == "kube-shell-admin"
        and o["metadata"]["namespace"] == "kube-system"
        for o in objs
    )


def test_dev_pods(objs: list[dict]) -> None:
    pods = [o for o in objs if o["kind"] == "Pod" and o["metadata"]["namespace"] == "dev"]
    assert len(pods) >= 150
    phases = Counter(p["status"]["phase"] for p in pods)
    assert set(phases) == {"Running", "Pending", "Succeeded", "Failed"}
    assert phases["Running"] > len(pods) / 2
    rt = Catalog().get("", "v1", "pods")
    assert rt is not None
    statuses = Counter(row_cells(rt, p, NOW)[2] for p in pods)
    for expected in (
        "Running",
        "Pending",
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "Completed",
        "Error",
        "ContainerCreating",
    ):
        assert statuses[expected] > 0, expected
    crashing = [p for p in pods if row_cells(rt, p, NOW)[2] == "CrashLoopBackOff"]
    assert all(re.fullmatch(r"\d+ \(\d+m(\d+s)? ago\)", row_cells(rt, p, NOW)[3]) for p in crashing)


def test_names_uids_and_timestamps(objs: list[dict]) -> None:
    uids = [o["metadata"]["uid"] for o in objs]
    assert len(set(uids)) == len(uids)
    assert all(
        re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u)
        for u in uids
    )
    keys = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objs]
    assert len(set(keys)) == len(keys)
    for o in objs:
        name = o["metadata"]["name"]
        assert len(name) <= 253 and DNS1123.match(name), name
        created = datetime.strptime(
            o["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ"
        ).replace(tzinfo=timezone.utc)
        assert created <= NOW
    ages = {o["metadata"]["creationTimestamp"][:10] for o in objs}
    assert len(ages) >= 5  # spread over several days


def test_owner_references_are_consistent(objs: list[dict]) -> None:
    by_uid = {o["metadata"]["uid"]: o for o in objs}
    owned = [o for o in objs if o["metadata"].get("ownerReferences")]
    assert owned
    for o in owned:
        [ref] = o["metadata"]["ownerReferences"]
        owner = by_uid[ref["uid"]]
        assert (owner["kind"], owner["metadata"]["name"], owner["apiVersion"]) == (
            ref["kind"],
            ref["name"],
            ref["apiVersion"],
        )
        if owner["kind"] != "Node":
            assert owner["metadata"]["namespace"] == o["metadata"]["namespace"]
        if owner["kind"] == "ReplicaSet":
            labels = o["metadata"]["labels"]
            assert labels["pod-template-hash"] == owner["metadata"]["labels"]["pod-template-hash"]
            assert o["metadata"]["name"].startswith(owner["metadata"]["name"] + "-")
            assert owner["spec"]["selector"]["matchLabels"].items() <= labels.items()
    for rs in (o for o in objs if o["kind"] == "ReplicaSet"):
        pods = [
            p for p in owned if p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
        ]
        assert len(pods) == rs["spec"]["replicas"]
        ready = sum(
            1
            for p in pods
            if all(c["ready"] for c in p["status"].get("containerStatuses", [{"ready": False}]))
        )
        assert rs["status"]["readyReplicas"] == ready


def test_nodes_look_real(objs: list[dict]) -> None:
    nodes = [o for o in objs if o["kind"] == "Node"]
    assert len(nodes) == 3
    rt = Catalog().get("", "v1", "nodes")
    assert rt is not None
    rows = [row_cells(rt, n, NOW) for n in nodes]
    assert [r[1] for r in rows] == ["Ready"] * 3
    assert rows[0][2] == "control-plane"
    assert all(r[4].startswith("v1.37.") for r in rows)
    scheduled = {o["spec"].get("nodeName") for o in objs if o["kind"] == "Pod"} - {None}
    assert scheduled <= {n["metadata"]["name"] for n in nodes}


def test_every_object_has_a_catalog_type(objs: list[dict]) -> None:
    cat = Catalog()
    for o in objs:
        group, _, version = o["apiVersion"].rpartition("/")
        assert cat.by_kind(group, version, o["kind"]) is not None, o["kind"]


def test_load_seed_path_directory(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two, namespace: dev}\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: three}\n"
    )
    (tmp_path / "a.json").write_text(
        '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "one"}}'
    )
    (tmp_path / "notes.txt").write_text("ignored")
    objs = load_seed_path(str(tmp_path))
    assert [o["metadata"]["name"] for o in objs] == ["one", "two", "three"]
    assert load_seed_path(str(tmp_path / "b.yaml"))[0]["kind"] == "ConfigMap"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("kind: [unclosed\n", "invalid YAML"),
        ("- a\n- b\n", "expected an object"),
        ("kind: ConfigMap\nmetadata: {name: x}\n", "missing apiVersion or kind"),
        ("apiVersion: v1\nkind: ConfigMap\n", "has no metadata.name"),
    ],
)
def test_load_seed_path_errors(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    with pytest.raises(ValueError, match=message) as info:
        load_seed_path(str(bad))
    assert "\n" not in str(info.value) and str(bad) in str(info.value)


def test_load_seed_path_missing_and_bad_json(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file or directory"):
        load_seed_path(str(tmp_path / "nope"))
    (tmp_path / "x.json").write_text("{nope")
    with pytest.raises(ValueError, match="invalid JSON"):
        load_seed_path(str(tmp_path))
