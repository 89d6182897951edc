"""api-resources, api-versions and get's type resolution against discovery documents recorded
from a real kube-apiserver (tests/cli/data/recorded/README.md), served by a static server in
the shapes a real server negotiates: aggregated v2, aggregated v2beta1 only, legacy only, and
with an unavailable aggregated API (metrics.k8s.io) that is Stale or answers 503.

kctl and the real kubectl 1.37.1 run with the same arguments, each with a fresh HOME and
discovery cache, and must print the same stdout and stderr (klog headers masked) and exit alike.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

RECORDED = Path(__file__).parent / "data" / "recorded" / "k8s-1.30-alpha"

V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
METRICS_GV = "metrics.k8s.io/v1beta1"

# A klog header (``E0102 15:04:05.123456   12345 memcache.go:265] ``): time, pid and source
# line differ between runs and between the two tools; the message after it must not.
_KLOG_HEADER = re.compile(r"^[EWIF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ [^ \]]+\] ", re.M)

Json = dict[str, Any]
Runner = Callable[..., Any]


def _load(name: str) -> Json:
    data: Json = json.loads((RECORDED / name).read_text())
    return data


# --- what a kube-apiserver derives from the same registry ---------------------------------


def _aggregated_core(core: Json) -> Json:
    """The /api APIGroupDiscoveryList for the recorded /api/v1 list: the same resources, with
    each ``x/sub`` entry folded into ``x``'s subresources as kube-apiserver publishes them."""
    resources: list[Json] = []
    by_name: dict[str, Json] = {}
    for entry in core["resources"]:
        name = entry["name"]
        if "/" in name:
            parent, sub = name.split("/", 1)
            by_name[parent].setdefault("subresources", []).append(
                {
                    "responseKind": {
                        "group": entry.get("group", ""),
                        "kind": entry["kind"],
                        "version": entry.get("version", ""),
                    },
                    "subresource": sub,
                    "verbs": entry["verbs"],
                }
            )
            continue
        out: Json = {
            "resource": name,
            "responseKind": {"group": "", "kind": entry["kind"], "version": ""},
            "scope": "Namespaced" if entry["namespaced"] else "Cluster",
            "singularResource": entry["singularName"],
            "verbs": entry["verbs"],
        }
        for key in ("shortNames", "categories"):
            if key in entry:
                out[key] = entry[key]
        by_name[name] = out
        resources.append(out)
    return {
        "apiVersion": "apidiscovery.k8s.io/v2",
        "items": [
            {
                "metadata": {"creationTimestamp": None},
                "versions": [{"freshness": "Current", "resources": resources, "version": "v1"}],
            }
        ],
        "kind": "APIGroupDiscoveryList",
        "metadata": {},
    }


def _legacy_group_list(aggregated: Json) -> Json:
    groups = []
    for item in aggregated["items"]:
        name = item["metadata"]["name"]
        versions = [
            {"groupVersion": f"{name}/{v['version']}", "version": v["version"]}
            for v in item["versions"]
        ]
        groups.append({"name": name, "versions": versions, "preferredVersion": versions[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def _legacy_resource_lists(aggregated: Json) -> dict[str, Json]:
    """``group/version`` -> the APIResourceList /apis/<group>/<version> serves."""
    out: dict[str, Json] = {}
    for item in aggregated["items"]:
        group = item["metadata"]["name"]
        for version in item["versions"]:
            resources: list[Json] = []
            for res in version.get("resources") or ():
                namespaced = res["scope"] == "Namespaced"
                entry: Json = {
                    "name": res["resource"],
                    "singularName": res["singularResource"],
                    "namespaced": namespaced,
                    "kind": res["responseKind"]["kind"],
                    "verbs": res["verbs"],
                }
                for key in ("shortNames", "categories"):
                    if key in res:
                        entry[key] = res[key]
                resources.append(entry)
                for sub in res.get("subresources") or ():
                    kind = sub["responseKind"]
                    sub_entry: Json = {
                        "name": f"{res['resource']}/{sub['subresource']}",
                        "singularName": "",
                        "namespaced": namespaced,
                        "kind": kind["kind"],
                        "verbs": sub["verbs"],
                    }
                    if kind.get("group") or kind.get("version"):
                        sub_entry["group"] = kind["group"]
                        sub_entry["version"] = kind["version"]
                    resources.append(sub_entry)
            resources.sort(key=lambda r: str(r["name"]))
            gv = f"{group}/{version['version']}"
            out[gv] = {
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": gv,
                "resources": resources,
            }
    return out


# --- the static server ------------------------------------------------------------------------


class Dataset:
    """What one server variant answers. ``aggregated`` is the set of Accept versions (``v2``,
    ``v2beta1``) it serves APIGroupDiscoveryList for; ``unavailable`` group-versions answer
    503 (legacy) and are Stale (aggregated), as kube-aggregator reports an APIService whose
    backend is down."""

    def __init__(self, aggregated: frozenset[str], unavailable: frozenset[str] = frozenset()):
        self.aggregated = aggregated
        self.unavailable = unavailable
        core = _load("api__v1.json")
        self.api_versions = _load("api.json")
        self.core = core
        self.core_aggregated = _aggregated_core(core)
        apis = _load("aggregated_v2.json")
        self.apis_aggregated = copy.deepcopy(apis)
        self.group_list = _legacy_group_list(apis)
        self.resource_lists = _legacy_resource_lists(apis)
        self.kinds = {  # resource path segment -> Kind, to answer list requests
            (gv, r["name"]): r["kind"]
            for gv, doc in self.resource_lists.items()
            for r in doc["resources"]
        }
        self.kinds.update({("v1", r["name"]): r["kind"] for r in core["resources"]})
        for gv in sorted(unavailable):
            group, version = gv.split("/")
            self.group_list["groups"].append(
                {
                    "name": group,
                    "versions": [{"groupVersion": gv, "version": version}],
                    "preferredVersion": {"groupVersion": gv, "version": version},
                }
            )
            self.apis_aggregated["items"].append(
                {
                    "metadata": {"creationTimestamp": None, "name": group},
                    "versions": [{"freshness": "Stale", "version": version}],
                }
            )

    def negotiate(self, accept: str) -> str | None:
        """The aggregated version the Accept header asks for first, if this server has it;
        None means the plain application/json answer (what a server without aggregated
        discovery, or a client not asking for it, gets)."""
        for clause in accept.split(","):
            media, *params = (p.strip() for p in clause.split(";"))
            values = dict(p.partition("=")[::2] for p in params)
            if media == "application/json" and values.get("as") == "APIGroupDiscoveryList":
                if values.get("g") == "apidiscovery.k8s.io" and values.get("v") in self.aggregated:
                    return values["v"]
                continue
            if media in ("application/json", "*/*", "application/*"):
                return None
        return None


def _handler(ds: Dataset) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, code: int, body: bytes, content_type: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, doc: Json, content_type: str = "application/json") -> None:
            self._send(200, json.dumps(doc).encode(), content_type)

        def _not_found(self) -> None:
            self._send(404, b"404 page not found\n", "text/plain; charset=utf-8")

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].rstrip("/")
            wanted = ds.negotiate(self.headers.get("Accept", ""))
            if path == "/version":
                self._json({"major": "1", "minor": "30", "gitVersion": "v1.30.0"})
            elif path in ("/api", "/apis"):
                if wanted is not None:
                    doc = copy.deepcopy(
                        ds.core_aggregated if path == "/api" else ds.apis_aggregated
                    )
                    doc["apiVersion"] = f"apidiscovery.k8s.io/{wanted}"
                    self._json(doc, V2 if wanted == "v2" else V2BETA1)
                else:
                    self._json(ds.api_versions if path == "/api" else ds.group_list)
            elif path == "/api/v1":
                self._json(ds.core)
            elif path.startswith("/apis/") and path.count("/") == 3:
                gv = path[len("/apis/") :]
                if gv in ds.unavailable:
                    # kube-aggregator's proxy when the APIService has no live backend.
                    self._send(503, b"service unavailable\n", "text/plain; charset=utf-8")
                elif gv in ds.resource_lists:
                    self._json(ds.resource_lists[gv])
                else:
                    self._not_found()
            else:
                self._list(path)

        def _list(self, path: str) -> None:
            """An empty list for any collection discovery names; 404 for the rest."""
            parts = path.strip("/").split("/")
            if parts[0] == "api" and len(parts) >= 3:
                gv, rest = parts[1], parts[2:]
            elif parts[0] == "apis" and len(parts) >= 4:
                gv, rest = f"{parts[1]}/{parts[2]}", parts[3:]
            else:
                return self._not_found()
            if len(rest) == 3 and rest[0] == "namespaces":
                rest = rest[2:]
            kind = ds.kinds.get((gv, rest[0])) if len(rest) == 1 else None
            if gv in ds.unavailable:
                return self._send(503, b"service unavailable\n", "text/plain; charset=utf-8")
            if kind is None:
                return self._not_found()
            self._json(
                {
                    "kind": f"{kind}List",
                    "apiVersion": gv,
                    "metadata": {"resourceVersion": "1"},
                    "items": [],
                }
            )

    return Handler


VARIANTS: dict[str, Dataset] = {}


def _dataset(name: str) -> Dataset:
    if name not in VARIANTS:
        VARIANTS[name] = {
            "aggregated": lambda: Dataset(frozenset({"v2"})),
            "v2beta1": lambda: Dataset(frozenset({"v2beta1"})),
            "legacy": lambda: Dataset(frozenset()),
            "stale": lambda: Dataset(frozenset({"v2"}), frozenset({METRICS_GV})),
            "unavailable": lambda: Dataset(frozenset(), frozenset({METRICS_GV})),
        }[name]()
    return VARIANTS[name]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Path]]:
    """variant name -> the kubeconfig of a server for it, started on first use."""
    started: dict[str, tuple[ThreadingHTTPServer, Path]] = {}
    lock = threading.Lock()

    def kubeconfig(variant: str) -> Path:
        with lock:
            if variant not in started:
                srv = ThreadingHTTPServer(("127.0.0.1", 0), _handler(_dataset(variant)))
                threading.Thread(target=srv.serve_forever, daemon=True).start()
                path = tmp_path_factory.mktemp(f"recorded-{variant}") / "kubeconfig"
                path.write_text(
                    "apiVersion: v1\nkind: Config\n"
                    f"clusters:\n- name: rec\n  cluster:\n    server: http://127.0.0.1:{srv.server_port}\n"
                    "contexts:\n- name: rec\n  context:\n    cluster: rec\n    user: rec\n"
                    "current-context: rec\nusers:\n- name: rec\n  user: {}\n"
                )
                started[variant] = (srv, path)
            return started[variant][1]

    yield kubeconfig
    for srv, _ in started.values():
        srv.shutdown()
        srv.server_close()


def _norm(text: str) -> str:
    text = _KLOG_HEADER.sub("<klog> ", text)
    return re.sub(r"\bkubectl\b", "kctl", text)


def _drop_klog(text: str) -> str:
    return re.sub(r"^<klog> [^\n]*\n?", "", _norm(text), flags=re.M)


def _parity(
    run_kctl: Runner, run_ref_kubectl: Runner, kubeconfig: Path, *args: str, klog: bool = False
) -> None:
    """Same stdout, stderr and exit code. klog lines (kubectl's memcache logs its failed
    group-versions) take part only with ``klog``, their headers masked."""
    env = {"KUBECONFIG": str(kubeconfig)}
    ours = run_kctl(None, *args, env=env)
    theirs = run_ref_kubectl(None, *args, env=env)
    norm = _norm if klog else _drop_klog
    assert norm(ours.stdout) == norm(theirs.stdout), f"stdout differs for {args}"
    assert norm(ours.stderr) == norm(theirs.stderr), f"stderr differs for {args}"
    assert ours.returncode == theirs.returncode, f"exit code differs for {args}"


VARIANT_NAMES = ("aggregated", "v2beta1", "legacy", "stale", "unavailable")

API_RESOURCES_FLAGS: tuple[tuple[str, ...], ...] = (
    (),
    ("-o", "wide"),
    ("-o", "name"),
    ("-o", "json"),
    ("-o", "yaml"),
    ("--namespaced",),
    ("--namespaced=false",),
    ("--api-group=",),
    ("--api-group=apps",),
    ("--api-group=autoscaling",),
    ("--api-group=resource.k8s.io", "-o", "wide"),
    ("--api-group=metrics.k8s.io",),
    ("--verbs=list,watch",),
    ("--categories=all",),
    ("--categories=api-extensions", "-o", "wide"),
    ("--sort-by=name",),
    ("--sort-by=kind",),
    ("--no-headers",),
)


@pytest.mark.parametrize("flags", API_RESOURCES_FLAGS, ids=" ".join)
@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_api_resources(
    servers: Callable[[str], Path],
    run_kctl: Runner,
    run_ref_kubectl: Runner,
    variant: str,
    flags: tuple[str, ...],
) -> None:
    _parity(run_kctl, run_ref_kubectl, servers(variant), "api-resources", *flags)


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_api_resources_cached_second_run(
    servers: Callable[[str], Path], run_kctl: Runner, run_ref_kubectl: Runner, variant: str
) -> None:
    """The second run reads the disk cache the first one wrote (each tool its own)."""
    kubeconfig = servers(variant)
    _parity(run_kctl, run_ref_kubectl, kubeconfig, "api-resources", "-o", "name")
    _parity(run_kctl, run_ref_kubectl, kubeconfig, "api-resources", "--cached", "-o", "wide")


@pytest.mark.parametrize("variant", VARIANT_NAMES)
def test_api_versions(
    servers: Callable[[str], Path], run_kctl: Runner, run_ref_kubectl: Runner, variant: str
) -> None:
    _parity(run_kctl, run_ref_kubectl, servers(variant), "api-versions")


GET_ARGS: tuple[tuple[str, ...], ...] = (
    ("deploy",),  # a shortname
    ("deployments.apps",),  # plural.group
    ("deployment.v1.apps",),  # singular.version.group
    ("hpa",),  # autoscaling: preferred v2 listed before v1
    ("ev",),  # core events and events.k8s.io share the short name: core wins
    ("events.events.k8s.io",),
    ("vac",),  # only in storage.k8s.io/v1alpha1
    ("crd",),
    ("ipaddresses",),
    ("validatingadmissionpolicies.v1beta1.admissionregistration.k8s.io",),
    ("resourceclaimparameters",),  # singular == plural
    ("foo",),  # unknown
    ("foos.apps",),
    ("deploy,foo",),
    ("nodes.metrics.k8s.io",),  # the unavailable API's own resources
    ("pods", "-A"),
)


_CLUSTER_SCOPED_EMPTY = (
    "kubectl: 'No resources found in default namespace.' / kctl: 'No resources found' -- for a "
    "cluster-scoped type whose list comes back as a plain (non-Table) empty list, kubectl has no "
    "info to learn the scope from and keeps the namespaced wording"
)


def _not_in_group(resource: str, group: str) -> str:
    return (
        f"kubectl: 'error: the server doesn't have a resource type \"{resource}\" in group "
        f"\"{group}\"' / kctl: 'error: the server doesn't have a resource type \"{resource}\"'"
    )


# Expected differences, by get arguments (every variant): each reason is the exact diff.
GET_XFAIL: dict[tuple[str, ...], str] = {
    ("vac",): _CLUSTER_SCOPED_EMPTY,
    ("crd",): _CLUSTER_SCOPED_EMPTY,
    ("ipaddresses",): _CLUSTER_SCOPED_EMPTY,
    ("validatingadmissionpolicies.v1beta1.admissionregistration.k8s.io",): _CLUSTER_SCOPED_EMPTY,
    ("foos.apps",): _not_in_group("foos", "apps"),
    ("nodes.metrics.k8s.io",): _not_in_group("nodes", "metrics.k8s.io"),
}


def _get_cases() -> Iterator[Any]:
    for args in GET_ARGS:
        reason = GET_XFAIL.get(args)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        for variant in VARIANT_NAMES:
            yield pytest.param(variant, args, marks=marks, id=f"{variant}:{' '.join(args)}")


@pytest.mark.parametrize(("variant", "args"), list(_get_cases()))
def test_get_resolves_types(
    servers: Callable[[str], Path],
    run_kctl: Runner,
    run_ref_kubectl: Runner,
    variant: str,
    args: tuple[str, ...],
) -> None:
    """Type resolution through the RESTMapper built from each variant's discovery; the server
    answers a list with a plain empty list (no Table), an unknown type never reaches it."""
    _parity(run_kctl, run_ref_kubectl, servers(variant), "get", *args)


_KLOG_MISSING = (
    "kubectl logs each failed group-version through klog before its own output, e.g. "
    '\'E1126 17:41:59.985265 429 memcache.go:403] "Couldn\'t get resource list" err="the server '
    'is currently unable to handle the request" groupVersion="metrics.k8s.io/v1beta1"\' then one '
    'or more memcache.go:133 lines with gv="metrics.k8s.io/v1beta1"; kctl prints none'
)


def _klog_cases() -> Iterator[Any]:
    for args in (("api-resources",), ("get", "deploy"), ("get", "foo")):
        for variant in ("stale", "unavailable"):
            marks = (
                [pytest.mark.xfail(strict=True, reason=_KLOG_MISSING)]
                if variant == "unavailable"
                else []
            )
            yield pytest.param(variant, args, marks=marks, id=f"{variant}:{' '.join(args)}")


@pytest.mark.parametrize(("variant", "args"), list(_klog_cases()))
def test_failed_group_klog_lines(
    servers: Callable[[str], Path],
    run_kctl: Runner,
    run_ref_kubectl: Runner,
    variant: str,
    args: tuple[str, ...],
) -> None:
    """kubectl's memcache logs each group-version it could not discover (klog, E level)."""
    _parity(run_kctl, run_ref_kubectl, servers(variant), *args, klog=True)
