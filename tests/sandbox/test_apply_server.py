"""Server-side apply, managedFields on ordinary writes, and strategic merge patch, over HTTP
and through real kubectl's apply/patch."""

from __future__ import annotations

import ipaddress
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, deployment_yaml

from kctl.sandbox import Sandbox

DEPLOY = deployment_yaml(2)

CM_PATH = "/api/v1/namespaces/default/configmaps"
DEPLOY_PATH = "/apis/apps/v1/namespaces/default/deployments"


def _apply(sb: Sandbox, path: str, obj: dict[str, Any], query: str = "") -> Any:
    return call(
        sb,
        "PATCH",
        path + query,
        json.dumps(obj).encode(),
        content_type="application/apply-patch+yaml",
    )


def _managers(obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (m["manager"], m["operation"], m.get("subresource", ""))
        for m in obj["metadata"].get("managedFields") or []
    ]


def _cm(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def test_kubectl_client_side_apply_created_configured_unchanged(
    sandbox: Sandbox, run_kubectl: Any
) -> None:
    first = run_kubectl(sandbox, "apply", "-f", "-", input=DEPLOY)
    assert (first.returncode, first.stdout) == (0, "deployment.apps/web created\n")
    changed = DEPLOY.replace("replicas: 2", "replicas: 3")
    second = run_kubectl(sandbox, "apply", "-f", "-", input=changed)
    assert (second.returncode, second.stdout) == (0, "deployment.apps/web configured\n")
    third = run_kubectl(sandbox, "apply", "-f", "-", input=changed)
    assert (third.returncode, third.stdout) == (0, "deployment.apps/web unchanged\n")
    live = call(sandbox, "GET", DEPLOY_PATH + "/web").json()
    assert live["spec"]["replicas"] == 3
    assert ("kubectl-client-side-apply", "Update", "") in _managers(live)
    assert "kubectl.kubernetes.io/last-applied-configuration" in live["metadata"]["annotations"]


def test_kubectl_server_side_apply_conflict_and_force(sandbox: Sandbox, run_kubectl: Any) -> None:
    out = run_kubectl(sandbox, "apply", "--server-side", "-f", "-", input=DEPLOY)
    assert (out.returncode, out.stdout) == (0, "deployment.apps/web serverside-applied\n")
    live = call(sandbox, "GET", DEPLOY_PATH + "/web").json()
    assert _managers(live)[0] == ("kubectl", "Apply", "")
    fields = live["metadata"]["managedFields"][0]["fieldsV1"]
    assert fields["f:spec"]["f:replicas"] == {}
    assert 'k:{"name":"nginx"}' in fields["f:spec"]["f:template"]["f:spec"]["f:containers"]

    other = DEPLOY.replace("replicas: 2", "replicas: 4")
    args = ("apply", "--server-side", "--field-manager=other", "-f", "-")
    conflict = run_kubectl(sandbox, *args, input=other)
    assert conflict.returncode == 1
    assert conflict.stderr.startswith(
        'error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas\n'
        "Please review the fields above--they currently have other managers."
    )
    forced = run_kubectl(sandbox, *args[:-2], "--force-conflicts", "-f", "-", input=other)
    assert (forced.returncode, forced.stdout) == (0, "deployment.apps/web serverside-applied\n")
    live = call(sandbox, "GET", DEPLOY_PATH + "/web").json()
    assert live["spec"]["replicas"] == 4
    owners = {m["manager"]: m["fieldsV1"] for m in live["metadata"]["managedFields"]}
    assert "f:replicas" in owners["other"]["f:spec"]
    assert "f:replicas" not in owners["kubectl"]["f:spec"]


def test_client_side_apply_then_server_side_migrates_ownership(
    sandbox: Sandbox, run_kubectl: Any
) -> None:
    assert run_kubectl(sandbox, "apply", "-f", "-", input=DEPLOY).returncode == 0
    out = run_kubectl(
        sandbox, "apply", "--server-side", "-f", "-", input=DEPLOY.replace("2", "5", 1)
    )
    assert (out.returncode, out.stdout) == (0, "deployment.apps/web serverside-applied\n"), (
        out.stderr
    )
    live = call(sandbox, "GET", DEPLOY_PATH + "/web").json()
    managers = [m for m, _, _ in _managers(live)]
    assert "kubectl-client-side-apply" not in managers and "kubectl" in managers


def test_kubectl_strategic_patch_merges_containers_by_name(
    sandbox: Sandbox, run_kubectl: Any
) -> None:
    assert run_kubectl(sandbox, "apply", "-f", "-", input=DEPLOY).returncode == 0
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "side", "image": "busybox"}]}}}}
    out = run_kubectl(sandbox, "patch", "deployment", "web", "-p", json.dumps(patch))
    assert (out.returncode, out.stdout) == (0, "deployment.apps/web patched\n")
    live = call(sandbox, "GET", DEPLOY_PATH + "/web").json()
    containers = live["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["side", "nginx"]
    assert ("kubectl-patch", "Update", "") in _managers(live)
    delete = {
        "spec": {"template": {"spec": {"containers": [{"name": "nginx", "$patch": "delete"}]}}}
    }
    assert run_kubectl(sandbox, "patch", "deploy", "web", "-p", json.dumps(delete)).returncode == 0
    live = call(sandbox, "GET", DEPLOY_PATH + "/web").json()
    assert [c["name"] for c in live["spec"]["template"]["spec"]["containers"]] == ["side"]


def test_apply_requires_field_manager(sandbox: Sandbox) -> None:
    reply = _apply(sandbox, CM_PATH + "/a", _cm("a", k="v"))
    assert reply.status == 422
    assert reply.json()["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    )


def test_apply_creates_then_removes_fields_the_manager_dropped(sandbox: Sandbox) -> None:
    created = _apply(sandbox, CM_PATH + "/a", _cm("a", x="1", y="2"), "?fieldManager=alice")
    assert created.status == 201
    assert _managers(created.json()) == [("alice", "Apply", "")]
    shared = _apply(sandbox, CM_PATH + "/a", _cm("a", y="2"), "?fieldManager=bob")
    assert shared.status == 200
    # alice stops applying both: x is hers alone and goes, y is still bob's and stays.
    after = _apply(sandbox, CM_PATH + "/a", _cm("a"), "?fieldManager=alice")
    assert after.status == 200
    assert after.json()["data"] == {"y": "2"}


def test_apply_conflict_status_body(sandbox: Sandbox) -> None:
    assert _apply(sandbox, CM_PATH + "/a", _cm("a", x="1"), "?fieldManager=alice").status == 201
    reply = _apply(sandbox, CM_PATH + "/a", _cm("a", x="2"), "?fieldManager=bob")
    assert reply.status == 409
    body = reply.json()
    assert body["reason"] == "Conflict"
    assert body["message"] == 'Apply failed with 1 conflict: conflict with "alice": .data.x'
    assert body["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "alice"', "field": ".data.x"}
    ]
    forced = _apply(sandbox, CM_PATH + "/a", _cm("a", x="2"), "?fieldManager=bob&force=true")
    assert forced.status == 200 and forced.json()["data"] == {"x": "2"}


def test_updates_record_managed_fields(sandbox: Sandbox) -> None:
    created = call(sandbox, "POST", CM_PATH + "?fieldManager=tester", _cm("a", x="1"))
    assert created.status == 201
    entry = created.json()["metadata"]["managedFields"][0]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == ("tester", "Update", "v1")
    assert entry["fieldsV1"] == {"f:data": {".": {}, "f:x": {}}}
    # No fieldManager: the user agent's program name is the manager.
    live = created.json()
    live["data"]["y"] = "2"
    updated = call(
        sandbox, "PUT", CM_PATH + "/a", live, headers={"User-Agent": "mytool/1.0 (linux)"}
    )
    assert updated.status == 200
    managers = {m["manager"]: m for m in updated.json()["metadata"]["managedFields"]}
    assert managers["mytool"]["fieldsV1"] == {"f:data": {"f:y": {}}}


def test_apply_to_the_status_subresource(sandbox: Sandbox) -> None:
    assert call(sandbox, "POST", DEPLOY_PATH + "?fieldManager=t", _deployment()).status == 201
    status = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api"},
        "status": {"collisionCount": 7},
        "spec": {"replicas": 9},
    }
    reply = _apply(sandbox, DEPLOY_PATH + "/api/status", status, "?fieldManager=ctl")
    assert reply.status == 200, reply.body
    obj = reply.json()
    assert obj["status"]["collisionCount"] == 7
    assert obj["spec"]["replicas"] == 1  # the status endpoint ignores spec
    assert ("ctl", "Apply", "status") in _managers(obj)
    entry = next(m for m in obj["metadata"]["managedFields"] if m["manager"] == "ctl")
    assert entry["fieldsV1"] == {"f:status": {"f:collisionCount": {}}}


def test_apply_to_missing_status_is_not_found(sandbox: Sandbox) -> None:
    status = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nope"}}
    reply = _apply(sandbox, DEPLOY_PATH + "/nope/status", status, "?fieldManager=ctl")
    assert reply.status == 404


def _deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def test_replace_spelling_out_nothing_new_keeps_generation(
    sandbox: Sandbox, run_kubectl: Any
) -> None:
    assert run_kubectl(sandbox, "create", "-f", "-", input=DEPLOY).returncode == 0
    replaced = run_kubectl(sandbox, "replace", "-f", "-", input=DEPLOY)
    assert replaced.stdout == "deployment.apps/web replaced\n"
    assert call(sandbox, "GET", DEPLOY_PATH + "/web").json()["metadata"]["generation"] == 1
    bumped = run_kubectl(sandbox, "replace", "-f", "-", input=DEPLOY.replace("2", "3", 1))
    assert bumped.returncode == 0
    assert call(sandbox, "GET", DEPLOY_PATH + "/web").json()["metadata"]["generation"] == 2


def _smp(sb: Sandbox, path: str, patch: dict[str, Any]) -> Any:
    return call(sb, "PATCH", path, patch, content_type="application/strategic-merge-patch+json")


def test_strategic_merge_keys_and_directives(sandbox: Sandbox) -> None:
    # A Deployment's pod template: a Pod's own spec may not change this way after creation.
    labels = {"app": "d"}
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "finalizers": ["a.example.com/x", "b.example.com/y"]},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": "nginx",
                            "ports": [{"containerPort": 80}],
                            "env": [{"name": "A", "value": "1"}],
                            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                        }
                    ],
                    "volumes": [{"name": "data", "emptyDir": {}}],
                    "tolerations": [{"key": "k", "operator": "Exists"}],
                },
            },
        },
    }
    path = "/apis/apps/v1/namespaces/default/deployments/d"
    assert (
        call(sandbox, "POST", "/apis/apps/v1/namespaces/default/deployments", deploy).status == 201
    )

    def template(spec: dict[str, Any]) -> dict[str, Any]:
        return {"spec": {"template": {"spec": spec}}}

    patch = {
        "metadata": {"$deleteFromPrimitiveList/finalizers": ["a.example.com/x"]},
        **template(
            {
                "containers": [
                    {
                        "name": "app",
                        "ports": [{"containerPort": 443}],
                        "env": [{"name": "A", "value": "2"}, {"name": "B", "value": "3"}],
                        "volumeMounts": [{"mountPath": "/cache", "name": "cache"}],
                    }
                ],
                "volumes": [{"name": "cache", "emptyDir": {}}],
            }
        ),
    }
    reply = _smp(sandbox, path, patch)
    assert reply.status == 200, reply.body
    spec = reply.json()["spec"]["template"]["spec"]
    (app,) = spec["containers"]
    assert [p["containerPort"] for p in app["ports"]] == [443, 80]
    assert {e["name"]: e["value"] for e in app["env"]} == {"A": "2", "B": "3"}
    assert {m["mountPath"] for m in app["volumeMounts"]} >= {"/data", "/cache"}
    assert {v["name"] for v in spec["volumes"]} >= {"data", "cache"}
    assert reply.json()["metadata"]["finalizers"] == ["b.example.com/y"]
    # Tolerations are atomic: the list is replaced.
    replace = template({"tolerations": [{"key": "z", "operator": "Exists"}]})
    replaced = _smp(sandbox, path, replace).json()["spec"]["template"]["spec"]
    assert [t["key"] for t in replaced["tolerations"]] == ["z"]
    delete = template({"containers": [{"name": "app", "env": [{"name": "A", "$patch": "delete"}]}]})
    env = _smp(sandbox, path, delete).json()["spec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in env] == ["B"]


def test_strategic_service_ports_by_port(sandbox: Sandbox) -> None:
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"selector": {"app": "s"}, "ports": [{"name": "http", "port": 80}]},
    }
    assert call(sandbox, "POST", "/api/v1/namespaces/default/services", svc).status == 201
    patch = {"spec": {"ports": [{"name": "https", "port": 443}, {"port": 80, "targetPort": 8080}]}}
    reply = _smp(sandbox, "/api/v1/namespaces/default/services/s", patch)
    ports = {p["port"]: p for p in reply.json()["spec"]["ports"]}
    assert set(ports) == {80, 443} and ports[80]["targetPort"] == 8080
    assert ports[80]["name"] == "http"
    whole = {"spec": {"$patch": "replace", "selector": {"app": "t"}, "ports": [{"port": 1}]}}
    replaced = _smp(sandbox, "/api/v1/namespaces/default/services/s", whole)
    assert replaced.status == 200, replaced.body


SVC_PATH = "/api/v1/namespaces/default/services"


def _service(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"selector": {"app": "s"}, "ports": [{"name": "http", "port": 80}], **spec},
    }


def test_what_the_allocators_set_is_no_managers(sandbox: Sandbox) -> None:
    """The Service storage allocates after the field manager ran: the creator owns what it
    sent and what scheme defaulting added, not the IPs, families or node ports."""
    created = call(sandbox, "POST", SVC_PATH + "?fieldManager=maker", _service(type="NodePort"))
    assert created.status == 201, created.body
    obj = created.json()
    spec = obj["spec"]
    assert spec["clusterIP"] and spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack"
    node_port = spec["ports"][0]["nodePort"]
    assert 30000 <= node_port <= 32767
    (entry,) = obj["metadata"]["managedFields"]
    owned = entry["fieldsV1"]["f:spec"]
    assert set(owned) == {
        "f:externalTrafficPolicy",
        "f:internalTrafficPolicy",
        "f:ports",
        "f:selector",
        "f:sessionAffinity",
        "f:type",
    }
    assert owned["f:ports"]['k:{"port":80,"protocol":"TCP"}'] == {
        ".": {},
        "f:name": {},
        "f:port": {},
        "f:protocol": {},
        "f:targetPort": {},
    }

    # A replace that leaves out what was allocated keeps it (patchAllocatedValues).
    replaced = call(sandbox, "PUT", SVC_PATH + "/s", _service(type="NodePort"))
    assert replaced.status == 200, replaced.body
    kept = replaced.json()["spec"]
    assert kept["clusterIPs"] == spec["clusterIPs"]
    assert kept["ports"][0]["nodePort"] == node_port

    # So does server-side apply of the same manifest, which owns none of it either.
    applied = _apply(sandbox, SVC_PATH + "/s", _service(type="NodePort"), "?fieldManager=ctl")
    assert applied.status == 200, applied.body
    after = applied.json()
    assert after["spec"]["clusterIP"] == spec["clusterIP"]
    assert after["spec"]["ports"][0]["nodePort"] == node_port
    ctl = next(m for m in after["metadata"]["managedFields"] if m["manager"] == "ctl")
    assert "f:clusterIP" not in ctl["fieldsV1"]["f:spec"]


def test_a_dry_run_service_takes_no_address(sandbox: Sandbox) -> None:
    from kctl.sandbox._defaults import default_allocator

    dry = call(sandbox, "POST", SVC_PATH + "?dryRun=All", _service())
    assert dry.status == 201, dry.body
    shown = dry.json()["spec"]["clusterIP"]
    assert ipaddress.ip_address(shown) in ipaddress.ip_network("10.96.0.0/12")
    # Shown, not taken, as the real dry-run allocator does.
    assert shown not in default_allocator._used_ips
    assert call(sandbox, "GET", SVC_PATH + "/s").status == 404
