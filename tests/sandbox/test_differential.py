"""The sandbox measured against the real kube-apiserver 1.37: the same requests to both,
the same answers expected.

Each case is a list of requests sent, in order, to a fresh namespace of the same name on
each server; every answer (status code and body, normalised) must be equal. Requests go
through plain ``requests`` rather than kctl, so a difference points at a server.

Everything that may legitimately differ is normalised in ``normalise`` and nowhere else:
uids, timestamps, resourceVersion values and the continue tokens and names derived from
them, and the cluster IPs and node ports the allocators hand out. A difference that stays
is marked ``xfail(strict=True)`` with its reason, and listed in docs/sandbox-differences.md.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from kctl.envtest import Environment
from kctl.sandbox import Sandbox

requests = pytest.importorskip("requests")

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
_ids = itertools.count()


# -- the one place where values may differ ---------------------------------------------------

_UID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
_VOLATILE_KEYS = {
    "uid": "<uid>",
    "resourceVersion": "<rv>",
    "continue": "<continue>",
    "clusterIP": "<ip>",
    "clusterIPs": ["<ip>"],
    "nodePort": "<port>",
}


def normalise(value: Any, *, namespace: str) -> Any:
    """Blank what two honest servers cannot agree on; keep everything else."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in _VOLATILE_KEYS and item not in ("", None, [], {}):
                out[key] = _VOLATILE_KEYS[key]
            else:
                out[key] = normalise(item, namespace=namespace)
        return out
    if isinstance(value, list):
        return [normalise(item, namespace=namespace) for item in value]
    if isinstance(value, str):
        if _UID.match(value):
            return "<uid>"
        if _TIME.match(value):
            return "<time>"
        # Table cells: ages, and resourceVersions quoted in messages.
        value = re.sub(r"^\d+[smhd](\d+[smh])?$", "<age>", value)
        value = re.sub(
            r"too old resource version: \d+ \(\d+\)", "too old resource version: <rv>", value
        )
    return value


# -- the two servers -------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    headers: dict[str, str]
    verify: str
    cert: tuple[str, str] | None = None
    session: Any = field(default=None)

    def send(self, req: Req, namespace: str) -> tuple[int, Any, dict[str, str]]:
        path = req.path.replace("{ns}", namespace)
        headers = dict(self.headers)
        headers["Accept"] = req.accept
        data = None
        if req.body is not None:
            body = json.loads(json.dumps(req.body).replace("{ns}", namespace))
            data = body if isinstance(body, str) else json.dumps(body)
            headers["Content-Type"] = req.content_type
        reply = self.session.request(
            req.method,
            self.url + path,
            params=req.params,
            data=data,
            headers=headers,
            verify=self.verify,
            cert=self.cert,
            timeout=30,
            stream=req.watch_events > 0,
        )
        if req.watch_events:
            events = []
            lines = reply.iter_lines()
            for _ in range(req.watch_events):
                events.append(json.loads(next(lines)))
            reply.close()
            return reply.status_code, events, dict(reply.headers)
        try:
            body = reply.json()
        except ValueError:
            body = reply.text
        return reply.status_code, body, dict(reply.headers)


@dataclass
class Req:
    method: str
    path: str
    body: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    content_type: str = "application/json"
    accept: str = "application/json"
    # Read this many watch events, then hang up.
    watch_events: int = 0
    # Compare only these top-level keys of the body (None: all of it).
    keys: tuple[str, ...] | None = None


@pytest.fixture(scope="module")
def servers(
    envtest: Environment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Server]]:
    tmp = tmp_path_factory.mktemp("differential")
    with Sandbox(seed="empty") as sb:
        sb_ca = tmp / "sandbox-ca.crt"
        sb_ca.write_bytes(sb.ca_pem or b"")
        real_ca = tmp / "real-ca.crt"
        real_ca.write_bytes(envtest.ca_pem)
        ours = Server("sandbox", sb.url, {"Authorization": f"Bearer {sb.token}"}, str(sb_ca))
        theirs = Server(
            "real", envtest.url, {"Authorization": f"Bearer {envtest.token}"}, str(real_ca)
        )
        for server in (ours, theirs):
            server.session = requests.Session()
            server.session.trust_env = False
        yield ours, theirs


def run_case(servers: tuple[Server, Server], steps: list[Req]) -> list[tuple[Any, Any]]:
    namespace = f"diff-{os.getpid()}-{next(_ids)}"
    ns_body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    answers: list[list[Any]] = [[], []]
    for server, out in zip(servers, answers, strict=True):
        code, _, _ = server.send(Req("POST", "/api/v1/namespaces", ns_body), namespace)
        assert code == 201, f"{server.name}: cannot create namespace"
        for step in steps:
            code, body, headers = server.send(step, namespace)
            if step.keys is not None and isinstance(body, dict):
                body = {k: body.get(k) for k in step.keys}
            warning = headers.get("Warning", "")
            out.append(
                (step.method, step.path, code, normalise(body, namespace=namespace), warning)
            )
    return list(zip(*answers, strict=True))


def assert_same(pairs: list[tuple[Any, Any]]) -> None:
    for ours, theirs in pairs:
        assert ours == theirs


# -- objects ---------------------------------------------------------------------------------

# Objects carry a label that lists select on: the sandbox runs controllers a bare
# kube-apiserver lacks (kube-root-ca.crt appears in every namespace), which are not what
# this suite compares.
MINE = {"labelSelector": "diff=mine"}
CM = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "cm", "labels": {"diff": "mine"}},
    "data": {"a": "1"},
}
CMS = "/api/v1/namespaces/{ns}/configmaps"
DEPLOYS = "/apis/apps/v1/namespaces/{ns}/deployments"
SVCS = "/api/v1/namespaces/{ns}/services"
JOBS = "/apis/batch/v1/namespaces/{ns}/jobs"
PODS = "/api/v1/namespaces/{ns}/pods"
TEMPLATES = "/api/v1/namespaces/{ns}/podtemplates"
MERGE = "application/merge-patch+json"
SMP = "application/strategic-merge-patch+json"
JSONPATCH = "application/json-patch+json"
TEMPLATE = {
    "apiVersion": "v1",
    "kind": "PodTemplate",
    "metadata": {"name": "t", "labels": {"diff": "mine"}},
    "template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}},
}


def deployment(name: str = "web") -> dict[str, Any]:
    labels = {"app": name, "diff": "mine"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {"name": "c", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}
                    ]
                },
            },
        },
    }


def with_name(obj: dict[str, Any], name: str, **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out["metadata"]["name"] = name
    out.update(changes)
    return out


def service(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": {"diff": "mine"}},
        "spec": {"selector": {"app": "x"}, "ports": [{"name": "http", "port": 80}], **spec},
    }


def job(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "labels": {"diff": "mine"}},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "c", "image": "busybox:1.36"}],
                },
            }
        },
    }


def pod(name: str, containers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": containers},
    }


CASES: dict[str, list[Req]] = {
    "create, get, conflicting create, get missing": [
        Req("POST", CMS, CM),
        Req("GET", CMS + "/cm"),
        Req("POST", CMS, CM),
        Req("GET", CMS + "/nope"),
    ],
    "update with a stale resourceVersion": [
        Req("POST", CMS, CM),
        Req("PUT", CMS + "/cm", with_name(CM, "cm", data={"a": "2"})),
        Req(
            "PUT",
            CMS + "/cm",
            {**with_name(CM, "cm"), "metadata": {"name": "cm", "resourceVersion": "1"}},
        ),
        Req("PUT", CMS + "/other", CM),
    ],
    "delete, then delete again": [
        Req("POST", CMS, CM),
        Req("DELETE", CMS + "/cm"),
        Req("DELETE", CMS + "/cm"),
    ],
    "empty metadata maps and lists are not stored": [
        Req(
            "POST",
            CMS,
            {
                **CM,
                "metadata": {
                    "name": "e",
                    "labels": {"diff": "mine"},
                    "annotations": {},
                    "finalizers": [],
                },
            },
        ),
        Req("GET", CMS + "/e"),
    ],
    "a managedFields time with an offset is read as RFC 3339": [
        Req("POST", CMS, CM),
        Req(
            "PUT",
            CMS + "/cm",
            {
                **CM,
                "metadata": {
                    "name": "cm",
                    "labels": {"diff": "mine"},
                    "managedFields": [
                        {
                            "manager": "python",
                            "operation": "Update",
                            "apiVersion": "v1",
                            "time": "2026-12-05T07:53:41+00:00",
                            "fieldsType": "FieldsV1",
                            "fieldsV1": {"f:data": {"f:a": {}}},
                        }
                    ],
                },
            },
        ),
    ],
    "an invalid name": [
        Req("POST", CMS, with_name(CM, "Bad_Name")),
        Req("POST", CMS, with_name(CM, "")),
        Req("POST", CMS, with_name(CM, "x" * 254)),
    ],
    "unknown fields: strict, warn and ignore": [
        Req("POST", CMS, {**with_name(CM, "s"), "bogus": 1}, params={"fieldValidation": "Strict"}),
        Req("POST", CMS, {**with_name(CM, "w"), "bogus": 1}, params={"fieldValidation": "Warn"}),
        Req("POST", CMS, {**with_name(CM, "i"), "bogus": 1}, params={"fieldValidation": "Ignore"}),
        Req("POST", CMS, with_name(CM, "x"), params={"fieldValidation": "Bogus"}),
    ],
    "bad bodies": [
        Req("POST", CMS, "{not json"),
        Req("POST", CMS, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}),
        Req("POST", CMS, CM, content_type="text/plain"),
    ],
    "a Deployment is defaulted": [
        Req("POST", DEPLOYS, deployment()),
        # The status of the Scale is the sandbox controllers' doing.
        Req("GET", DEPLOYS + "/web/scale", keys=("kind", "apiVersion", "spec")),
    ],
    "a Service is defaulted": [
        Req("POST", SVCS, service("s")),
    ],
    # What the allocators set is no manager's: a write that leaves it out keeps it.
    "a Service is replaced without what was allocated": [
        Req("POST", SVCS, service("s", type="NodePort")),
        Req("PUT", SVCS + "/s", service("s", type="NodePort", sessionAffinity="ClientIP")),
        Req(
            "PATCH",
            SVCS + "/s",
            service("s", type="NodePort"),
            params={"fieldManager": "alice"},
            content_type="application/apply-patch+yaml",
        ),
    ],
    "a headless Service, with and without a selector": [
        Req("POST", SVCS, service("h", clusterIP="None")),
        Req("POST", SVCS, {**service("n", clusterIP="None"), "spec": {"clusterIP": "None"}}),
    ],
    "a dry-run Service": [
        Req("POST", SVCS, service("s"), params={"dryRun": "All"}),
    ],
    "a DaemonSet is defaulted": [
        Req(
            "POST",
            "/apis/apps/v1/namespaces/{ns}/daemonsets",
            {
                **deployment("ds"),
                "kind": "DaemonSet",
                "spec": {
                    **deployment("ds")["spec"],
                    "template": {
                        "metadata": {"labels": {"app": "ds", "diff": "mine"}},
                        "spec": {
                            "serviceAccountName": "robot",
                            "containers": [{"name": "c", "image": "nginx:1.27"}],
                        },
                    },
                },
            },
        ),
    ],
    "a Job is defaulted": [
        Req("POST", JOBS, job("j")),
        Req("POST", JOBS, {**job("k"), "metadata": {"name": "k"}}),
    ],
    # The ServiceAccount admission plugin is off on the real server (no controller makes
    # the default ServiceAccount): the pod names its account and asks for no token.
    "a Pod is defaulted and admitted": [
        Req(
            "POST",
            PODS,
            {
                **pod("p", [{"name": "c", "image": "nginx:1.27"}]),
                "spec": {
                    "serviceAccountName": "default",
                    "automountServiceAccountToken": False,
                    "containers": [{"name": "c", "image": "nginx:1.27"}],
                },
            },
        ),
    ],
    "a Pod without containers": [
        Req("POST", PODS, pod("p", [])),
    ],
    "a Pod with a bad container": [
        Req("POST", PODS, pod("p", [{"name": "Bad_Name", "image": ""}])),
    ],
    "server-side apply, a conflict, then force": [
        Req(
            "PATCH",
            CMS + "/cm",
            CM,
            params={"fieldManager": "alice"},
            content_type="application/apply-patch+yaml",
        ),
        Req(
            "PATCH",
            CMS + "/cm",
            with_name(CM, "cm", data={"a": "2"}),
            params={"fieldManager": "bob"},
            content_type="application/apply-patch+yaml",
        ),
        Req(
            "PATCH",
            CMS + "/cm",
            with_name(CM, "cm", data={"a": "2"}),
            params={"fieldManager": "bob", "force": "true"},
            content_type="application/apply-patch+yaml",
        ),
        Req("PATCH", CMS + "/cm", CM, content_type="application/apply-patch+yaml"),
    ],
    # PodTemplates: a containers list keyed by name, and no controller on either side.
    "patches: merge, strategic and JSON": [
        Req("POST", TEMPLATES, TEMPLATE),
        Req("PATCH", TEMPLATES + "/t", {"metadata": {"labels": {"x": "y"}}}, content_type=MERGE),
        Req(
            "PATCH",
            TEMPLATES + "/t",
            {"template": {"spec": {"containers": [{"name": "side", "image": "busybox"}]}}},
            content_type=SMP,
        ),
        Req(
            "PATCH",
            TEMPLATES + "/t",
            [{"op": "replace", "path": "/template/spec/containers/0/image", "value": "nginx:2"}],
            content_type=JSONPATCH,
        ),
        Req("PATCH", TEMPLATES + "/nope", {"a": 1}, content_type=MERGE),
    ],
    "patches that fail": [
        Req("POST", TEMPLATES, TEMPLATE),
        Req(
            "PATCH",
            TEMPLATES + "/t",
            [{"op": "test", "path": "/template/spec/restartPolicy", "value": "Never"}],
            content_type=JSONPATCH,
        ),
        Req("PATCH", TEMPLATES + "/t", [{"op": "bogus", "path": "/x"}], content_type=JSONPATCH),
        Req("PATCH", TEMPLATES + "/t", "{bad", content_type=MERGE),
    ],
    "dry run": [
        Req("POST", CMS, CM, params={"dryRun": "All"}),
        Req("GET", CMS + "/cm"),
        Req("POST", CMS, CM, params={"dryRun": "Bogus"}),
    ],
    "lists: limit, continue, selectors": [
        Req("POST", CMS, with_name(CM, "z1")),
        Req("POST", CMS, with_name(CM, "z2")),
        Req("POST", CMS, with_name(CM, "z3")),
        Req("GET", CMS, params={"limit": 2, **MINE}),
        Req("GET", CMS, params={"limit": 2, "fieldSelector": "metadata.name!=z1", **MINE}),
        Req("GET", CMS, params={"labelSelector": "a in (b"}),
        Req("GET", CMS, params={"fieldSelector": "data.a=1"}),
        Req("GET", CMS, params={"continue": "bogus"}),
        Req(
            "GET", CMS, params={"limit": 1, "resourceVersion": "0", "resourceVersionMatch": "Exact"}
        ),
    ],
    "tables": [
        Req("POST", CMS, CM),
        Req("POST", DEPLOYS, deployment()),
        Req(
            "GET",
            CMS,
            params=MINE,
            accept=TABLE,
            keys=("kind", "apiVersion", "columnDefinitions", "rows"),
        ),
        # Rows of a Deployment show its status, which only the sandbox's controllers fill.
        Req("GET", DEPLOYS, accept=TABLE, keys=("kind", "apiVersion", "columnDefinitions")),
        Req("GET", CMS + "/cm", accept=TABLE, params={"includeObject": "None"}),
    ],
    "watch: events from a resourceVersion": [
        Req("POST", CMS, with_name(CM, "w1")),
        Req("GET", CMS, params={"watch": "true", "resourceVersion": "0", **MINE}, watch_events=1),
        Req(
            "GET",
            CMS,
            params={
                "watch": "true",
                "sendInitialEvents": "true",
                "resourceVersionMatch": "NotOlderThan",
                "allowWatchBookmarks": "true",
                **MINE,
            },
            watch_events=2,
        ),
    ],
}

# Differences that stay, each with its reason (and the same text in docs/sandbox-differences.md).
KNOWN: dict[str, str] = {}


@pytest.mark.parametrize("name", list(CASES))
def test_same_answers(
    servers: tuple[Server, Server], name: str, request: pytest.FixtureRequest
) -> None:
    if name in KNOWN:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN[name]))
    assert_same(run_case(servers, CASES[name]))


def test_discovery_documents_agree(servers: tuple[Server, Server]) -> None:
    """Legacy discovery: for every group both serve, the same versions and resources."""
    docs = []
    for server in servers:
        _, groups, _ = server.send(Req("GET", "/apis"), "default")
        _, core, _ = server.send(Req("GET", "/api/v1"), "default")
        resources = {"v1": {r["name"]: r for r in core["resources"]}}
        for group in groups["groups"]:
            for version in group["versions"]:
                gv = version["groupVersion"]
                _, doc, _ = server.send(Req("GET", f"/apis/{gv}"), "default")
                resources[gv] = {r["name"]: r for r in doc["resources"]}
        docs.append(resources)
    ours, theirs = docs
    for gv in sorted(set(ours) & set(theirs)):
        for name in sorted(set(ours[gv]) & set(theirs[gv])):
            mine, real = dict(ours[gv][name]), dict(theirs[gv][name])
            # The storage hash is a digest of the server's storage version, not an API fact.
            mine.pop("storageVersionHash", None)
            real.pop("storageVersionHash", None)
            assert mine == real, f"{gv} {name}"
