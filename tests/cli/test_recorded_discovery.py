"""api-resources, api-versions and get's type resolution against discovery documents served by
a static server in the shapes a real server negotiates: aggregated v2, aggregated v2beta1 only,
legacy only, and with an unavailable aggregated API (metrics.k8s.io) that is Stale or answers 503.

Where the documents come from: our own sandbox. A module fixture starts ``kctl.sandbox.Sandbox()``
and captures what it serves (/api, /api/v1, /apis with and without the aggregated v2 Accept
header, /apis/<group>/<version>); the static server then replays those documents, so every
variant describes one registry. The sandbox serves only what a default cluster enables, so
``_with_real_server_quirks`` adds, as small commented edits, what real kube-apiservers also
publish and discovery clients trip over: groups with alpha and beta versions next to v1, an
alpha-only group, a ``singularName`` equal to the plural and a resource with no verbs. The
quirks the sandbox already has (autoscaling's preferred v2 listed before v1,
``deployments/scale`` answering autoscaling/v1 Scale, create-only reviews, ``ev`` in core and
events.k8s.io, the ``all`` and ``api-extensions`` categories) are checked there, so a sandbox
change cannot drop them unnoticed. The legacy documents of an edited group are derived from its
aggregated entry the way kube-apiserver derives both from one registry; every other document is
the sandbox's own.

kctl and the real kubectl 1.37.1 run with the same arguments, each with a fresh HOME and
discovery cache, and must print the same stdout and stderr (klog headers masked) and exit alike.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
METRICS_GV = "metrics.k8s.io/v1beta1"

# A klog header (``E0102 15:04:05.123456   12345 memcache.go:265] ``): time, pid and source
# line differ between runs and between the two tools; the message after it must not.
_KLOG_HEADER = re.compile(r"^[EWIF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ [^ \]]+\] ", re.M)

Json = dict[str, Any]
Runner = Callable[..., Any]


# --- the sandbox's discovery, captured over HTTP ---------------------------------------------


class Captured:
    """Every discovery document one sandbox serves, as it served them."""

    def __init__(self, get: Callable[[str, str], Json]) -> None:
        self.api_versions = get("/api", "application/json")
        self.core = get("/api/v1", "application/json")
        self.core_aggregated = get("/api", V2)
        self.apis_aggregated = get("/apis", V2)
        self.group_list = get("/apis", "application/json")
        self.resource_lists = {
            v["groupVersion"]: get(f"/apis/{v['groupVersion']}", "application/json")
            for g in self.group_list["groups"]
            for v in g["versions"]
        }


def _capture(sb: Sandbox) -> Captured:
    def get(path: str, accept: str) -> Json:
        headers = {"Accept": accept}
        if sb.token:
            headers["Authorization"] = f"Bearer {sb.token}"
        req = urllib.request.Request(sb.url + path, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as resp:
            doc: Json = json.load(resp)
        return doc

    return Captured(get)


# --- what real kube-apiservers publish beyond the sandbox ----------------------------------


def _item(apis: Json, group: str) -> Json:
    found: Json = next(i for i in apis["items"] if i["metadata"].get("name") == group)
    return found


def _res(apis: Json, group: str, version: str, resource: str) -> Json:
    ver = next(v for v in _item(apis, group)["versions"] if v["version"] == version)
    found: Json = next(r for r in ver["resources"] if r["resource"] == resource)
    return found


_ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
_STATUS = ["get", "patch", "update"]


def _resource(
    name: str,
    kind: str,
    scope: str,
    verbs: list[str],
    subresources: tuple[str, ...] = (),
    singular: str | None = None,
) -> Json:
    out: Json = {
        "resource": name,
        "responseKind": {"group": "", "kind": kind, "version": ""},
        "scope": scope,
        "singularResource": name[:-1] if singular is None else singular,
        "verbs": verbs,
    }
    if subresources:
        out["subresources"] = [
            {
                "responseKind": {"group": "", "kind": kind, "version": ""},
                "subresource": sub,
                "verbs": _STATUS,
            }
            for sub in subresources
        ]
    return out


def _version(version: str, resources: list[Json]) -> Json:
    return {"freshness": "Current", "resources": resources, "version": version}


def _with_real_server_quirks(captured: Captured) -> Json:
    """The sandbox's /apis APIGroupDiscoveryList with what a kube-apiserver running alpha and
    beta APIs also serves. Facts about real servers, not copies of their documents."""
    apis = copy.deepcopy(captured.apis_aggregated)

    # Already in the sandbox; the cases below depend on them.
    autoscaling = [v["version"] for v in _item(apis, "autoscaling")["versions"]]
    assert autoscaling == ["v2", "v1"], "autoscaling: preferred v2 listed before the older v1"
    scale = next(
        s
        for s in _res(apis, "apps", "v1", "deployments")["subresources"]
        if s["subresource"] == "scale"
    )
    assert scale["responseKind"] == {"group": "autoscaling", "kind": "Scale", "version": "v1"}
    for group, resource in (
        ("authentication.k8s.io", "tokenreviews"),
        ("authorization.k8s.io", "selfsubjectaccessreviews"),
    ):
        assert _res(apis, group, "v1", resource)["verbs"] == ["create"], resource
    core_events = next(r for r in captured.core["resources"] if r["name"] == "events")
    assert "ev" in core_events["shortNames"]
    assert "ev" in _res(apis, "events.k8s.io", "v1", "events")["shortNames"]
    assert "all" in _res(apis, "apps", "v1", "deployments")["categories"]
    crds = _res(apis, "apiextensions.k8s.io", "v1", "customresourcedefinitions")
    assert "api-extensions" in crds["categories"]

    # SelfSubjectReview went alpha (1.26), beta (1.27), GA (1.28); with alpha APIs enabled the
    # server lists all three versions, newest-stable first, each with the create-only resource.
    review = _res(apis, "authentication.k8s.io", "v1", "selfsubjectreviews")
    _item(apis, "authentication.k8s.io")["versions"] += [
        _version("v1beta1", [copy.deepcopy(review)]),
        _version("v1alpha1", [copy.deepcopy(review)]),
    ]

    # ValidatingAdmissionPolicy kept its v1beta1 for releases after going GA (1.30): the same
    # resources under a second version (get's ``kind.version.group`` form picks it).
    admission = _item(apis, "admissionregistration.k8s.io")
    admission["versions"].insert(
        1,
        _version(
            "v1beta1",
            [
                copy.deepcopy(_res(apis, "admissionregistration.k8s.io", "v1", name))
                for name in ("validatingadmissionpolicies", "validatingadmissionpolicybindings")
            ],
        ),
    )

    # Dynamic resource allocation's v1alpha2 (1.27-1.30) had ResourceClaimParameters, whose
    # singularName is the plural itself.
    _item(apis, "resource.k8s.io")["versions"].append(
        _version(
            "v1alpha2",
            [
                _resource(
                    "resourceclaimparameters",
                    "ResourceClaimParameters",
                    "Namespaced",
                    _ALL_VERBS,
                    singular="resourceclaimparameters",
                )
            ],
        )
    )

    # An alpha-only group: storagemigration.k8s.io was served only as v1alpha1 (1.30-1.34).
    # Discovery also allows a resource with no verbs at all (api-resources leaves it out while
    # the RESTMapper still knows it); this one stands in for such an entry.
    apis["items"].append(
        {
            "metadata": {"name": "storagemigration.k8s.io"},
            "versions": [
                _version(
                    "v1alpha1",
                    [
                        _resource(
                            "storageversionmigrations",
                            "StorageVersionMigration",
                            "Cluster",
                            _ALL_VERBS,
                            ("status",),
                        ),
                        _resource("migrationplans", "MigrationPlan", "Cluster", []),
                    ],
                )
            ],
        }
    )
    return apis


# --- legacy documents, derived as kube-apiserver derives them -----------------------------


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


def _version_entry(apis: Json, gv: str) -> Json | None:
    group, version = gv.split("/")
    for item in apis["items"]:
        if item["metadata"].get("name") == group:
            for ver in item["versions"]:
                if ver["version"] == version:
                    found: Json = ver
                    return found
    return None


# --- the static server ------------------------------------------------------------------------


class Dataset:
    """What one server variant answers. ``aggregated`` is the set of Accept versions (``v2``,
    ``v2beta1``) it serves APIGroupDiscoveryList for; ``unavailable`` group-versions answer
    503 (legacy) and are Stale (aggregated), as kube-aggregator reports an APIService whose
    backend is down."""

    def __init__(
        self,
        captured: Captured,
        aggregated: frozenset[str],
        unavailable: frozenset[str] = frozenset(),
    ):
        self.aggregated = aggregated
        self.unavailable = unavailable
        self.api_versions = captured.api_versions
        self.core = captured.core
        self.core_aggregated = captured.core_aggregated
        apis = _with_real_server_quirks(captured)
        self.apis_aggregated = copy.deepcopy(apis)
        # The sandbox's own legacy documents where the aggregated entry is as it served it;
        # derived from the edited aggregated entry where a quirk touched it.
        own_groups = {g["name"]: g for g in captured.group_list["groups"]}
        derived_groups = _legacy_group_list(apis)["groups"]
        self.group_list = {
            **captured.group_list,
            "groups": [
                own_groups[g["name"]]
                if g["versions"] == own_groups.get(g["name"], {}).get("versions")
                else g
                for g in derived_groups
            ],
        }
        self.resource_lists = {
            gv: (
                captured.resource_lists[gv]
                if _version_entry(captured.apis_aggregated, gv) == _version_entry(apis, gv)
                else doc
            )
            for gv, doc in _legacy_resource_lists(apis).items()
        }
        self.kinds = {  # resource path segment -> Kind, to answer list requests
            (gv, r["name"]): r["kind"]
            for gv, doc in self.resource_lists.items()
            for r in doc["resources"]
        }
        self.kinds.update({("v1", r["name"]): r["kind"] for r in self.core["resources"]})
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


# variant name -> (Accept versions served aggregated, unavailable group-versions)
VARIANTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "aggregated": (frozenset({"v2"}), frozenset()),
    "v2beta1": (frozenset({"v2beta1"}), frozenset()),
    "legacy": (frozenset(), frozenset()),
    "stale": (frozenset({"v2"}), frozenset({METRICS_GV})),
    "unavailable": (frozenset(), frozenset({METRICS_GV})),
}


@pytest.fixture(scope="module")
def captured() -> Iterator[Captured]:
    """The discovery documents of a fresh sandbox, captured once per module."""
    with Sandbox() as sb:
        yield _capture(sb)


@pytest.fixture(scope="module")
def servers(
    captured: Captured, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], Path]]:
    """variant name -> the kubeconfig of a server for it, started on first use."""
    started: dict[str, tuple[ThreadingHTTPServer, Path]] = {}
    lock = threading.Lock()

    def kubeconfig(variant: str) -> Path:
        with lock:
            if variant not in started:
                srv = ThreadingHTTPServer(
                    ("127.0.0.1", 0), _handler(Dataset(captured, *VARIANTS[variant]))
                )
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


def _parity(run_kctl: Runner, run_ref_kubectl: Runner, kubeconfig: Path, *args: str) -> str:
    """Same stdout, stderr and exit code; klog lines (kubectl's memcache logs its failed
    group-versions) included, their headers masked. Returns kubectl's stderr."""
    env = {"KUBECONFIG": str(kubeconfig)}
    ours = run_kctl(None, *args, env=env)
    theirs = run_ref_kubectl(None, *args, env=env)
    assert _norm(ours.stdout) == _norm(theirs.stdout), f"stdout differs for {args}"
    assert _norm(ours.stderr) == _norm(theirs.stderr), f"stderr differs for {args}"
    assert ours.returncode == theirs.returncode, f"exit code differs for {args}"
    stderr: str = theirs.stderr
    return stderr


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
    ("vac",),  # storage.k8s.io's short name for volumeattributesclasses
    ("crd",),
    ("ipaddresses",),
    ("validatingadmissionpolicies.v1beta1.admissionregistration.k8s.io",),
    ("resourceclaimparameters",),  # singular == plural, in resource.k8s.io/v1alpha2 only
    ("migrationplans",),  # no verbs: api-resources leaves it out, the RESTMapper has it
    ("foo",),  # unknown
    ("foos.apps",),
    ("deploy,foo",),
    ("nodes.metrics.k8s.io",),  # the unavailable API's own resources
    ("pods", "-A"),
)


def _get_cases() -> Iterator[Any]:
    for args in GET_ARGS:
        for variant in VARIANT_NAMES:
            yield pytest.param(variant, args, id=f"{variant}:{' '.join(args)}")


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


def _klog_cases() -> Iterator[Any]:
    for args in (("api-resources",), ("get", "deploy"), ("get", "foo")):
        for variant in ("stale", "unavailable"):
            yield pytest.param(variant, args, id=f"{variant}:{' '.join(args)}")


@pytest.mark.parametrize(("variant", "args"), list(_klog_cases()))
def test_failed_group_klog_lines(
    servers: Callable[[str], Path],
    run_kctl: Runner,
    run_ref_kubectl: Runner,
    variant: str,
    args: tuple[str, ...],
) -> None:
    """kubectl's memcache logs each group-version it could not discover (klog, E level): once
    in the refresh's fan-out (unavailable: legacy discovery), again on each later lookup of
    it (memcache.go:133); a Stale group-version from aggregated discovery is not retried, so
    never logged. Checks that the parity above really compares klog lines."""
    theirs = _parity(run_kctl, run_ref_kubectl, servers(variant), *args)
    logged = re.findall(r"^E\d{4} .* (memcache\.go:\d+)\] ", theirs, flags=re.M)
    if variant == "unavailable":
        assert logged[0] == "memcache.go:403"
        assert logged[1:] and set(logged[1:]) == {"memcache.go:133"}
    else:
        assert logged == []
