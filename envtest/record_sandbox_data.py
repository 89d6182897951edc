"""Record what the real kube-apiserver says about itself into the sandbox's data files.

Run it again whenever envtest/build.sh moves to a new Kubernetes version::

    envtest/build.sh
    .venv/bin/python envtest/record_sandbox_data.py

It starts a real control plane with :class:`kctl.envtest.Environment` (the binaries of
``envtest/build.sh``, or ``KUBEBUILDER_ASSETS``) and writes, under ``kctl/sandbox/data/``:

- ``server.json.gz``: ``/version``; the check names of ``/healthz``, ``/livez`` and
  ``/readyz``; the built-in APIServices' priorities; legacy discovery (``/api``, ``/apis``
  and every group-version's APIResourceList) and aggregated discovery (apidiscovery v2 for
  ``/api`` and ``/apis``); the Table column definitions of every listable resource.
- ``openapi-v2.json.gz``: ``/openapi/v2``, descriptions included.
- ``openapi-v3.json.gz``: every ``/openapi/v3/<path>`` document. The schemas shared by the
  documents are stored once (``schemas``); each document names the schemas it holds and
  carries, under ``overrides``, those whose body differs from the shared one.

The files are compact JSON, gzip'ed with a zero mtime, so that recording the same server
twice gives the same bytes. Keys stay in the server's order: kube-apiserver encodes
/openapi/v2 as protobuf from its JSON in document order, and so does the sandbox. Nothing is dropped: ``kubectl explain`` reads the
descriptions. The server is the one the sandbox mimics, started with envtest's flags, so
the health checks are those of that configuration (no KMS provider, no proxy client cert).
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

from kctl.envtest import Environment
from kctl.rest import RESTClient, unversioned_rest_client_for

DATA = Path(__file__).resolve().parent.parent / "kctl" / "sandbox" / "data"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def _get(client: RESTClient, path: str, accept: str = "application/json", **params: str) -> Any:
    request = client.get().abs_path(path).set_header("Accept", accept)
    for key, value in params.items():
        request = request.param(key, value)
    return json.loads(request.do_raw())


def _text(client: RESTClient, path: str) -> str:
    return client.get().abs_path(path).param("verbose", "true").do_raw().decode()


def _checks(text: str) -> list[str]:
    """The check names of a verbose health answer, in order ("[+]etcd ok" -> "etcd")."""
    return [line[3:].rsplit(" ", 1)[0] for line in text.splitlines() if line.startswith("[+]")]


def _discovery(client: RESTClient) -> dict[str, Any]:
    legacy: dict[str, Any] = {"/api": _get(client, "/api"), "/apis": _get(client, "/apis")}
    # serverAddressByClientCIDRs names the recording server's port: the sandbox fills its own.
    legacy["/api"].pop("serverAddressByClientCIDRs", None)
    gvs = [f"/api/{v}" for v in legacy["/api"]["versions"]]
    gvs += [f"/apis/{v['groupVersion']}" for g in legacy["/apis"]["groups"] for v in g["versions"]]
    for gv in gvs:
        legacy[gv] = _get(client, gv)
    return {
        "legacy": legacy,
        "aggregated": {
            "/api": _get(client, "/api", AGGREGATED),
            "/apis": _get(client, "/apis", AGGREGATED),
        },
    }


def _tables(client: RESTClient, aggregated: dict[str, Any]) -> dict[str, Any]:
    """columnDefinitions per "<group>/<version>/<plural>" (core: "/v1/pods")."""
    out: dict[str, Any] = {}
    for doc in aggregated.values():
        for item in doc["items"]:
            group = item["metadata"].get("name", "")
            for version in item["versions"]:
                for res in version["resources"]:
                    if "list" not in res["verbs"]:
                        continue
                    base = f"/apis/{group}/{version['version']}" if group else "/api/v1"
                    table = _get(client, f"{base}/{res['resource']}", TABLE, limit="1")
                    out[f"{group}/{version['version']}/{res['resource']}"] = table[
                        "columnDefinitions"
                    ]
    return out


def _openapi_v3(client: RESTClient) -> dict[str, Any]:
    index = _get(client, "/openapi/v3")
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(index["paths"]):
        documents[path] = _get(client, f"/openapi/v3/{path}")
    # The same model appears in many documents; keep its most common body once.
    bodies: dict[str, Counter[str]] = {}
    for doc in documents.values():
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            bodies.setdefault(name, Counter())[json.dumps(schema, sort_keys=True)] += 1
    shared = {name: json.loads(c.most_common(1)[0][0]) for name, c in sorted(bodies.items())}
    out: dict[str, Any] = {}
    for path, doc in documents.items():
        schemas = doc.get("components", {}).pop("schemas", None)
        entry: dict[str, Any] = {"document": doc}
        if schemas is not None:
            entry["schemas"] = sorted(schemas)
            overrides = {n: s for n, s in schemas.items() if s != shared[n]}
            if overrides:
                entry["overrides"] = overrides
        out[path] = entry
    return {"schemas": shared, "documents": out}


def _write(name: str, data: Any) -> None:
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    path = DATA / name
    path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    print(f"{path}: {len(raw)} bytes, {path.stat().st_size} gzip'ed")


def record(env: Environment) -> None:
    client = unversioned_rest_client_for(env.rest_config().copy(qps=-1))
    discovery = _discovery(client)
    apiservices = _get(client, "/apis/apiregistration.k8s.io/v1/apiservices")["items"]
    server = {
        "version": _get(client, "/version"),
        "health": {
            name: _checks(_text(client, f"/{name}")) for name in ("healthz", "livez", "readyz")
        },
        "apiServices": {
            s["metadata"]["name"]: {
                "groupPriorityMinimum": s["spec"]["groupPriorityMinimum"],
                "versionPriority": s["spec"]["versionPriority"],
            }
            for s in apiservices
        },
        "discovery": discovery,
        "tables": _tables(client, discovery["aggregated"]),
    }
    _write("server.json.gz", server)
    _write("openapi-v2.json.gz", _get(client, "/openapi/v2"))
    _write("openapi-v3.json.gz", _openapi_v3(client))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--assets", help="directory of kube-apiserver and etcd (else found)")
    args = parser.parse_args()
    with Environment(binary_assets_directory=args.assets) as env:
        record(env)


if __name__ == "__main__":
    main()
