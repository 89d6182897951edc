"""The sandbox API over HTTP: object semantics, errors, lists, selectors, tables, auth."""

from __future__ import annotations

import http.client
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, node, pod

from kctl.sandbox import Sandbox

PODS = "/api/v1/namespaces/default/pods"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("condition not reached before the deadline")


def test_version_and_health_are_public(sandbox: Sandbox) -> None:
    assert call(sandbox, "GET", "/healthz", token=None).body == b"ok"
    info = call(sandbox, "GET", "/version", token=None).json()
    assert info["major"] == "1" and info["gitVersion"].startswith("v1.37")


def test_bad_token_is_401_with_apiserver_body(sandbox: Sandbox) -> None:
    reply = call(sandbox, "GET", PODS, token="wrong")
    assert reply.status == 401
    assert reply.body == (
        b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        b'"message":"Unauthorized","reason":"Unauthorized","code":401}'
    )
    assert call(sandbox, "GET", "/version", token="wrong").status == 401


def test_missing_credentials_rejected_without_anonymous() -> None:
    with Sandbox(anonymous=False) as sb:
        assert call(sb, "GET", PODS, token=None).status == 401
        assert call(sb, "GET", PODS).status == 200


def test_create_sets_metadata_and_get_returns_it(sandbox: Sandbox) -> None:
    created = call(sandbox, "POST", PODS, pod("web"))
    assert created.status == 201
    obj = created.json()
    assert list(obj)[:3] == ["kind", "apiVersion", "metadata"]
    meta = obj["metadata"]
    assert meta["uid"] and meta["creationTimestamp"].endswith("Z")
    assert int(meta["resourceVersion"]) > 0
    assert obj["status"]["phase"] == "Pending"
    again = call(sandbox, "GET", f"{PODS}/web").json()
    assert again["metadata"]["uid"] == meta["uid"]


def test_resource_versions_increase_globally(sandbox: Sandbox) -> None:
    a = call(sandbox, "POST", PODS, pod("a")).json()["metadata"]["resourceVersion"]
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}
    b = call(sandbox, "POST", "/api/v1/namespaces/default/configmaps", cm).json()
    assert int(b["metadata"]["resourceVersion"]) > int(a)
    assert "generation" not in b["metadata"]


def test_generate_name(sandbox: Sandbox) -> None:
    body = pod("")
    del body["metadata"]["name"]
    body["metadata"]["generateName"] = "job-"
    name = call(sandbox, "POST", PODS, body).json()["metadata"]["name"]
    assert name.startswith("job-") and len(name) == len("job-") + 5


def test_error_bodies(sandbox: Sandbox) -> None:
    call(sandbox, "POST", PODS, pod("a"))
    exists = call(sandbox, "POST", PODS, pod("a"))
    assert exists.status == 409
    assert exists.body == (
        b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":'
        b'"pods \\"a\\" already exists","reason":"AlreadyExists","details":{"name":"a",'
        b'"kind":"pods"},"code":409}'
    )
    missing = call(sandbox, "GET", "/apis/apps/v1/namespaces/default/deployments/x")
    assert missing.status == 404
    assert missing.json()["message"] == 'deployments.apps "x" not found'
    assert missing.json()["details"] == {"name": "x", "group": "apps", "kind": "deployments"}
    no_ns = call(sandbox, "POST", "/api/v1/namespaces/nope/pods", pod("a", "nope"))
    assert no_ns.status == 404 and no_ns.json()["message"] == 'namespaces "nope" not found'


def test_invalid_name_is_422_with_causes(sandbox: Sandbox) -> None:
    reply = call(sandbox, "POST", PODS, pod("Bad_Name"))
    assert reply.status == 422
    status = reply.json()
    assert status["message"].startswith(
        'Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC '
        "1123 subdomain must consist of"
    )
    assert status["details"]["causes"][0]["field"] == "metadata.name"
    assert status["details"]["causes"][0]["reason"] == "FieldValueInvalid"


def test_unknown_paths_methods_and_media_types(sandbox: Sandbox) -> None:
    plain = call(sandbox, "GET", "/nonsense")
    assert plain.status == 404 and plain.body == b"404 page not found\n"
    unknown = call(sandbox, "GET", "/api/v1/widgets")
    assert unknown.status == 404
    assert unknown.json()["message"] == "the server could not find the requested resource"
    assert call(sandbox, "PUT", PODS, pod("a")).status == 405
    not_acceptable = call(sandbox, "GET", PODS, headers={"Accept": "text/html"})
    assert not_acceptable.status == 406 and not_acceptable.json()["reason"] == "NotAcceptable"
    unsupported = call(sandbox, "POST", PODS, b"<xml/>", content_type="text/xml")
    assert unsupported.status == 415
    assert unsupported.json()["reason"] == "UnsupportedMediaType"
    malformed = call(sandbox, "POST", PODS, b"{not json")
    assert malformed.status == 400 and malformed.json()["reason"] == "BadRequest"


def test_put_with_stale_resource_version_conflicts(sandbox: Sandbox) -> None:
    obj = call(sandbox, "POST", PODS, pod("a")).json()
    obj["metadata"]["labels"] = {"x": "1"}
    assert call(sandbox, "PUT", f"{PODS}/a", obj).status == 200
    obj["metadata"]["labels"] = {"x": "2"}
    stale = call(sandbox, "PUT", f"{PODS}/a", obj)
    assert stale.status == 409
    assert stale.json()["message"] == (
        'Operation cannot be fulfilled on pods "a": the object has been modified; please apply '
        "your changes to the latest version and try again"
    )


def test_unchanged_update_keeps_resource_version(sandbox: Sandbox) -> None:
    obj = call(sandbox, "POST", PODS, pod("a")).json()
    again = call(sandbox, "PUT", f"{PODS}/a", obj).json()
    assert again["metadata"]["resourceVersion"] == obj["metadata"]["resourceVersion"]


def test_merge_json_and_strategic_patches(sandbox: Sandbox) -> None:
    call(sandbox, "POST", PODS, pod("a"))
    merged = call(
        sandbox,
        "PATCH",
        f"{PODS}/a",
        {"metadata": {"labels": {"tier": "web"}}},
        content_type="application/merge-patch+json",
    ).json()
    assert merged["metadata"]["labels"] == {"tier": "web"}
    ops = [{"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}]
    patched = call(
        sandbox, "PATCH", f"{PODS}/a", ops, content_type="application/json-patch+json"
    ).json()
    assert patched["metadata"]["annotations"] == {"a": "b"}
    bad = call(
        sandbox,
        "PATCH",
        f"{PODS}/a",
        [{"op": "remove", "path": "/metadata/nothere"}],
        content_type="application/json-patch+json",
    )
    assert bad.status == 422
    smp = call(
        sandbox,
        "PATCH",
        f"{PODS}/a",
        {"spec": {"containers": [{"name": "c", "image": "nginx:1.28"}]}},
        content_type="application/strategic-merge-patch+json",
    ).json()
    assert smp["spec"]["containers"][0]["image"] == "nginx:1.28"
    weird = call(sandbox, "PATCH", f"{PODS}/a", {}, content_type="application/foo")
    assert weird.status == 415


def test_dry_run_does_not_persist(sandbox: Sandbox) -> None:
    reply = call(sandbox, "POST", f"{PODS}?dryRun=All", pod("ghost"))
    assert reply.status == 201 and reply.json()["metadata"]["name"] == "ghost"
    assert call(sandbox, "GET", f"{PODS}/ghost").status == 404
    call(sandbox, "POST", PODS, pod("real"))
    assert call(sandbox, "DELETE", f"{PODS}/real?dryRun=All").status == 200
    assert call(sandbox, "GET", f"{PODS}/real").status == 200


def test_status_subresource_is_separate(sandbox: Sandbox) -> None:
    obj = call(sandbox, "POST", PODS, pod("a")).json()
    obj["status"] = {"phase": "Failed"}
    assert call(sandbox, "PUT", f"{PODS}/a", obj).json()["status"]["phase"] == "Pending"
    obj = call(sandbox, "GET", f"{PODS}/a").json()
    obj["status"] = {"phase": "Failed"}
    obj["spec"]["containers"][0]["image"] = "changed"
    updated = call(sandbox, "PUT", f"{PODS}/a/status", obj).json()
    assert updated["status"]["phase"] == "Failed"
    assert updated["spec"]["containers"][0]["image"] == "nginx:1.27"


def _deployment(name: str, replicas: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def test_scale_subresource(sandbox: Sandbox) -> None:
    base = "/apis/apps/v1/namespaces/default/deployments"
    created = call(sandbox, "POST", base, _deployment("web", 2)).json()
    assert created["metadata"]["generation"] == 1
    scale = call(sandbox, "GET", f"{base}/web/scale").json()
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 2} and scale["status"]["selector"] == "app=web"
    patched = call(
        sandbox,
        "PATCH",
        f"{base}/web/scale",
        {"spec": {"replicas": 5}},
        content_type="application/merge-patch+json",
    ).json()
    assert patched["spec"]["replicas"] == 5
    dep = call(sandbox, "GET", f"{base}/web").json()
    assert dep["spec"]["replicas"] == 5 and dep["metadata"]["generation"] == 2


def test_scale_put_with_stale_resource_version_conflicts(sandbox: Sandbox) -> None:
    base = "/apis/apps/v1/namespaces/default/deployments"
    call(sandbox, "POST", base, _deployment("web", 2))
    scale = call(sandbox, "GET", f"{base}/web/scale").json()
    call(
        sandbox,
        "PATCH",
        f"{base}/web/scale",
        {"spec": {"replicas": 3}},
        content_type="application/merge-patch+json",
    )
    scale["spec"]["replicas"] = 4
    reply = call(sandbox, "PUT", f"{base}/web/scale", scale)
    assert reply.status == 409
    assert reply.json()["message"] == (
        'Operation cannot be fulfilled on deployments.apps "web": the object has been '
        "modified; please apply your changes to the latest version and try again"
    )
    assert reply.json()["details"] == {"name": "web", "group": "apps", "kind": "deployments"}


def _make_pods(sb: Sandbox, count: int, namespace: str = "default") -> None:
    for i in range(count):
        labels = {"app": "even" if i % 2 == 0 else "odd", "idx": str(i)}
        sb.create(pod(f"p{i:03d}", namespace, labels))


def test_list_paging_with_continue_and_remaining_count(sandbox: Sandbox) -> None:
    _make_pods(sandbox, 25)
    first = call(sandbox, "GET", f"{PODS}?limit=10").json()
    assert [p["metadata"]["name"] for p in first["items"]] == [f"p{i:03d}" for i in range(10)]
    assert first["metadata"]["remainingItemCount"] == 15
    assert "kind" not in first["items"][0]
    names = [p["metadata"]["name"] for p in first["items"]]
    token = first["metadata"]["continue"]
    while token:
        page = call(sandbox, "GET", f"{PODS}?limit=10&continue={token}").json()
        assert page["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
        names += [p["metadata"]["name"] for p in page["items"]]
        token = page["metadata"].get("continue")
    assert names == [f"p{i:03d}" for i in range(25)]


def test_continue_pages_are_a_consistent_snapshot(sandbox: Sandbox) -> None:
    _make_pods(sandbox, 6)
    first = call(sandbox, "GET", f"{PODS}?limit=3").json()
    call(sandbox, "DELETE", f"{PODS}/p005?gracePeriodSeconds=0")
    call(sandbox, "POST", PODS, pod("p004a"))
    rest = call(sandbox, "GET", f"{PODS}?limit=10&continue={first['metadata']['continue']}")
    assert [p["metadata"]["name"] for p in rest.json()["items"]] == ["p003", "p004", "p005"]


def test_expired_continue_token(sandbox: Sandbox) -> None:
    _make_pods(sandbox, 4)
    first = call(sandbox, "GET", f"{PODS}?limit=2").json()
    call(sandbox, "POST", PODS, pod("later"))
    sandbox.store.compact()
    expired = call(sandbox, "GET", f"{PODS}?limit=2&continue={first['metadata']['continue']}")
    assert expired.status == 410
    assert expired.json()["reason"] == "Expired"
    assert expired.json()["message"].startswith(
        "The provided continue parameter is too old to display a consistent list result."
    )
    garbage = call(sandbox, "GET", f"{PODS}?limit=2&continue=xyz")
    assert garbage.status == 400


def test_all_namespaces_list_is_in_namespace_name_order(sandbox: Sandbox) -> None:
    sandbox.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    sandbox.create(pod("b", "dev"))
    sandbox.create(pod("a", "default"))
    sandbox.create(pod("a", "dev"))
    items = call(sandbox, "GET", "/api/v1/pods").json()["items"]
    assert [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in items] == [
        ("default", "a"),
        ("dev", "a"),
        ("dev", "b"),
    ]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=even", 5),
        ("app!=even", 5),
        ("app in (even,odd),idx notin (0,1)", 8),
        ("idx", 10),
        ("!idx", 0),
        ("idx>7", 2),
        ("idx<2,app=odd", 1),
    ],
)
def test_label_selectors(sandbox: Sandbox, selector: str, expected: int) -> None:
    _make_pods(sandbox, 10)
    from urllib.parse import quote

    reply = call(sandbox, "GET", f"{PODS}?labelSelector={quote(selector)}")
    assert reply.status == 200
    assert len(reply.json()["items"]) == expected


def test_bad_selectors_are_400(sandbox: Sandbox) -> None:
    bad = call(sandbox, "GET", f"{PODS}?labelSelector=a%20in%20b")
    assert bad.status == 400
    assert bad.json()["message"] == "unable to parse requirement: found 'b' expected: '('"
    unknown = call(sandbox, "GET", f"{PODS}?fieldSelector=spec.foo%3Dx")
    assert unknown.status == 400
    assert unknown.json()["message"] == "field label not supported: spec.foo"


def test_field_selectors(sandbox: Sandbox) -> None:
    _make_pods(sandbox, 3)
    by_name = call(sandbox, "GET", f"{PODS}?fieldSelector=metadata.name%3Dp001").json()
    assert [p["metadata"]["name"] for p in by_name["items"]] == ["p001"]
    pending = call(sandbox, "GET", f"{PODS}?fieldSelector=status.phase%3DPending").json()
    assert len(pending["items"]) == 3
    running = call(sandbox, "GET", f"{PODS}?fieldSelector=status.phase%3DRunning").json()
    assert running["items"] == []
    not_p1 = call(sandbox, "GET", f"{PODS}?fieldSelector=metadata.name!%3Dp001").json()
    assert len(not_p1["items"]) == 2


def test_exact_resource_version_list_sees_the_past(sandbox: Sandbox) -> None:
    _make_pods(sandbox, 2)
    rv = call(sandbox, "GET", PODS).json()["metadata"]["resourceVersion"]
    call(sandbox, "POST", PODS, pod("new"))
    past = call(sandbox, "GET", f"{PODS}?resourceVersion={rv}&resourceVersionMatch=Exact").json()
    assert len(past["items"]) == 2 and past["metadata"]["resourceVersion"] == rv
    future = call(sandbox, "GET", f"{PODS}?resourceVersion=999999")
    assert future.status == 504 and future.json()["reason"] == "Timeout"
    forbidden = call(sandbox, "GET", f"{PODS}?resourceVersionMatch=Exact")
    assert forbidden.status == 422


def test_table_response(sandbox: Sandbox) -> None:
    _make_pods(sandbox, 3)
    accept = f"{TABLE},application/json"
    table = call(sandbox, "GET", f"{PODS}?includeObject=Object&limit=2", headers={"Accept": accept})
    body = table.json()
    assert body["kind"] == "Table" and body["apiVersion"] == "meta.k8s.io/v1"
    assert [c["name"] for c in body["columnDefinitions"]][:2] == ["Name", "Ready"]
    assert body["rows"][0]["cells"][0] == "p000"
    assert body["rows"][0]["object"]["kind"] == "Pod"
    assert body["metadata"]["continue"] and body["metadata"]["remainingItemCount"] == 1
    meta_only = call(sandbox, "GET", PODS, headers={"Accept": TABLE}).json()
    assert meta_only["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    none = call(sandbox, "GET", f"{PODS}?includeObject=None", headers={"Accept": TABLE}).json()
    assert none["rows"][0]["object"] is None  # an empty RawExtension, as the real server
    single = call(sandbox, "GET", f"{PODS}/p001", headers={"Accept": TABLE}).json()
    assert single["kind"] == "Table" and len(single["rows"]) == 1


def test_discovery_aggregated_and_etag(sandbox: Sandbox) -> None:
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    reply = call(sandbox, "GET", "/apis", headers={"Accept": accept})
    assert reply.headers["content-type"] == (
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    )
    etag = reply.headers["etag"]
    again = call(sandbox, "GET", "/apis", headers={"Accept": accept, "If-None-Match": etag})
    assert again.status == 304
    legacy = call(sandbox, "GET", "/api").json()
    assert legacy["kind"] == "APIVersions" and legacy["versions"] == ["v1"]
    assert call(sandbox, "GET", "/apis/apps/v1").json()["groupVersion"] == "apps/v1"


def test_delete_with_finalizer_waits_for_removal(sandbox: Sandbox) -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "held", "finalizers": ["example.com/hold"]},
    }
    base = "/api/v1/namespaces/default/configmaps"
    call(sandbox, "POST", base, cm)
    deleting = call(sandbox, "DELETE", f"{base}/held").json()
    assert deleting["metadata"]["deletionTimestamp"]
    assert call(sandbox, "GET", f"{base}/held").status == 200
    call(
        sandbox,
        "PATCH",
        f"{base}/held",
        {"metadata": {"finalizers": None}},
        content_type="application/merge-patch+json",
    )
    assert call(sandbox, "GET", f"{base}/held").status == 404


def test_delete_preconditions(sandbox: Sandbox) -> None:
    call(sandbox, "POST", PODS, pod("a"))
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "nope"}}
    reply = call(sandbox, "DELETE", f"{PODS}/a", body)
    assert reply.status == 409
    assert "Precondition failed: UID in precondition: nope" in reply.json()["message"]
    ok = call(sandbox, "DELETE", f"{PODS}/a")
    assert ok.status == 200 and call(sandbox, "GET", f"{PODS}/a").status == 404


def test_delete_collection_honours_selectors(sandbox: Sandbox) -> None:
    _make_pods(sandbox, 6)
    reply = call(sandbox, "DELETE", f"{PODS}?labelSelector=app%3Deven")
    assert reply.status == 200
    left = [p["metadata"]["name"] for p in call(sandbox, "GET", PODS).json()["items"]]
    assert left == ["p001", "p003", "p005"]


def test_namespace_deletion_removes_contents(sandbox: Sandbox) -> None:
    sandbox.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}})
    sandbox.create(pod("x", "tmp"))
    call(sandbox, "DELETE", "/api/v1/namespaces/tmp")
    wait_for(lambda: call(sandbox, "GET", "/api/v1/namespaces/tmp").status == 404)
    assert call(sandbox, "GET", "/api/v1/namespaces/tmp/pods").json()["items"] == []


def test_owner_deletion_collects_dependents(sandbox: Sandbox) -> None:
    owner = sandbox.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "owner", "namespace": "default"},
        }
    )
    ref = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": "owner",
        "uid": owner["metadata"]["uid"],
    }
    dependent = pod("child")
    dependent["metadata"]["ownerReferences"] = [ref]
    sandbox.create(dependent)
    call(sandbox, "DELETE", "/api/v1/namespaces/default/configmaps/owner")
    wait_for(lambda: call(sandbox, "GET", f"{PODS}/child").status == 404)


def test_kubelet_runs_bound_pods_and_finishes_deletion(sandbox: Sandbox) -> None:
    sandbox.create(node("n1"))
    call(sandbox, "POST", PODS, pod("web"))

    def running() -> Any:
        obj = call(sandbox, "GET", f"{PODS}/web").json()
        return obj if obj["status"].get("phase") == "Running" else None

    obj = wait_for(running)
    assert obj["spec"]["nodeName"] == "n1"
    status = obj["status"]
    assert status["hostIP"] == "172.18.0.5" and status["podIP"]
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]
    assert status["containerStatuses"][0]["ready"] is True
    deleting = call(sandbox, "DELETE", f"{PODS}/web").json()
    assert deleting["metadata"]["deletionTimestamp"]
    wait_for(lambda: call(sandbox, "GET", f"{PODS}/web").status == 404)


def test_unscheduled_pod_is_deleted_at_once(sandbox: Sandbox) -> None:
    call(sandbox, "POST", PODS, pod("lonely"))
    assert call(sandbox, "GET", f"{PODS}/lonely").json()["status"]["phase"] == "Pending"
    call(sandbox, "DELETE", f"{PODS}/lonely")
    assert call(sandbox, "GET", f"{PODS}/lonely").status == 404


def test_yaml_bodies_are_accepted(sandbox: Sandbox) -> None:
    text = json.dumps(pod("from-yaml")).encode()
    reply = call(sandbox, "POST", PODS, text, content_type="application/yaml")
    assert reply.status == 201


def test_a_body_over_the_limit_is_a_413_status(sandbox: Sandbox) -> None:
    """kube-apiserver's answer (checked with envtest): a Status, not a bare 413, read by a
    client that is still writing the body; the connection then serves the next request."""
    parts = urlsplit(sandbox.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    big = json.dumps({"data": {"k": "x" * (3 * 1024 * 1024)}}).encode()
    headers = {"Authorization": f"Bearer {sandbox.token}", "Content-Type": "application/json"}
    conn.request("POST", "/api/v1/namespaces/default/configmaps", big, headers)
    reply = conn.getresponse()
    assert reply.status == 413
    assert reply.getheader("Content-Type") == "application/json"
    assert json.loads(reply.read()) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Request entity too large: limit is 3145728",
        "reason": "RequestEntityTooLarge",
        "code": 413,
    }
    conn.request("GET", "/version", headers=headers)
    assert conn.getresponse().status == 200
    conn.close()
