"""The proxy subresources: ``services/NAME[:PORT]/proxy``, ``pods/NAME[:PORT]/proxy`` and
``nodes/NAME[:PORT]/proxy``, each with an optional ``scheme:`` prefix and a path after it.

Where to go is worked out as kube-apiserver does (the ResourceLocation of each registry:
service ports by number or name, a ready endpoint from the service's EndpointSlices whose
pod still has that IP, a pod's first container port, a node's kubelet port), with its texts
for every refusal. Then :data:`Dialer` takes the request there. The default one forwards over
HTTP to loopback pod addresses, where a process runtime runs pods (a loopback node address
is refused, as on the real server), and answers any other address
with the refused connection a real server reports when nothing listens; a runtime that
reaches pods elsewhere replaces ``ApiServer.proxy_dialer``.
"""

from __future__ import annotations

import ipaddress
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kctl.errors import StatusError
from kctl.sandbox import _status as st

if TYPE_CHECKING:
    from kctl.sandbox._api import Request, Response
    from kctl.sandbox._registry import Registry

__all__ = ["Dialer", "Upstream", "forward", "locate", "split_scheme_name_port"]

_PROXY_KINDS = ("services", "pods", "nodes")
# kubeadm's --kubelet-preferred-address-types, which kind clusters run with; the sandbox's
# exec and attach use the same InternalIP.
_NODE_ADDRESS_TYPES = ("InternalIP", "ExternalIP", "Hostname")
_KUBELET_PORT = 10250
# Hop-by-hop headers (RFC 9110) and what the apiserver consumes itself: it authenticates
# the request and drops the credential before proxying it.
_DROPPED = frozenset(
    {
        "authorization",
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "impersonate-user",
        "impersonate-group",
        "impersonate-uid",
    }
)


@dataclass(frozen=True)
class Upstream:
    """Where a proxied request goes: ``scheme://host:port/path?query``."""

    scheme: str
    host: str
    port: str
    path: str


Dialer = Callable[["Request", Upstream], "Response"]


def split_scheme_name_port(ident: str) -> tuple[str, str, str] | None:
    """apimachinery's SplitSchemeNamePort: ``name``, ``name:port`` or
    ``scheme:name:port``, with scheme http, https or empty."""
    parts = ident.split(":")
    if len(parts) == 1:
        scheme, name, port = "", parts[0], ""
    elif len(parts) == 2:
        scheme, name, port = "", parts[0], parts[1]
    elif len(parts) == 3:
        scheme, name, port = parts
    else:
        return None
    if not name or scheme not in ("", "http", "https"):
        return None
    return scheme, name, port


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _proxyable(text: str, loopback: bool = True) -> bool:
    """Go's IP.IsGlobalUnicast, which kube-apiserver requires of what it proxies to, and,
    unlike it, loopback when ``loopback``: a process runtime gives pods loopback addresses
    (nodes, which it does not run, are held to the real rule)."""
    ip = _ip(text)
    if ip is None:
        return False
    if ip.is_loopback:
        return loopback
    if ip.is_unspecified or ip.is_multicast or ip.is_link_local:
        return False
    return not (ip.version == 4 and str(ip) == "255.255.255.255")


def locate(registry: Registry, kind: str, namespace: str, ident: str, path: str) -> Upstream:
    """The upstream of ``kind/ident/proxy/path``, or the StatusError the real server gives."""
    if kind == "services":
        return _service(registry, namespace, ident, path)
    if kind == "pods":
        return _pod(registry, namespace, ident, path)
    return _node(registry, ident, path)


def _get(registry: Registry, plural: str, namespace: str, name: str) -> dict[str, Any]:
    rt = registry.catalog.get("", "v1", plural)
    assert rt is not None
    return registry.get(rt, namespace, name)


def _service(registry: Registry, namespace: str, ident: str, path: str) -> Upstream:
    split = split_scheme_name_port(ident)
    if split is None:
        raise st.bad_request(f"invalid service request {_quote(ident)}")
    scheme, name, port = split
    number = _port_number(port)
    if number is not None:
        svc = _get(registry, "services", namespace, name)
        names = [
            p.get("name", "")
            for p in (svc.get("spec") or {}).get("ports") or []
            if p.get("port") == number
        ]
        if not names:
            raise _unavailable(f"no service port {number} found for service {_quote(name)}")
        port = names[0]
    no_endpoints = _unavailable(f"no endpoints available for service {_quote(name)}")
    slices = [
        e.obj
        for e in registry.store.items(("discovery.k8s.io", "endpointslices"), namespace)
        if (e.obj["metadata"].get("labels") or {}).get("kubernetes.io/service-name") == name
    ]
    random.shuffle(slices)
    for es in slices:
        for sport in es.get("ports") or []:
            if sport.get("name") != port or sport.get("port") is None:
                continue
            endpoints = es.get("endpoints") or []
            if not endpoints:
                continue
            offset = random.randrange(len(endpoints))
            for i in range(len(endpoints)):
                ep = endpoints[(i + offset) % len(endpoints)]
                if (ep.get("conditions") or {}).get("ready") is False:
                    continue
                if not _is_pods_address(registry, namespace, ep):
                    continue
                host = ep["addresses"][0]
                return Upstream(scheme or "http", host, str(sport["port"]), path)
    raise no_endpoints


def _port_number(port: str) -> int | None:
    """strconv.ParseInt's view of a port: a (signed) decimal number, else a port name."""
    if re.fullmatch(r"[+-]?[0-9]+", port) is None:
        return None
    return int(port)


def _is_pods_address(registry: Registry, namespace: str, ep: dict[str, Any]) -> bool:
    """The service registry's isValidAddress: only addresses that are still their pod's."""
    ref = ep.get("targetRef") or {}
    if ref.get("namespace") != namespace or ref.get("kind") != "Pod":
        return False
    entry = registry.store.get(("", "pods"), namespace, str(ref.get("name", "")))
    if entry is None:
        return False
    ips = [p.get("ip") for p in (entry.obj.get("status") or {}).get("podIPs") or []]
    return bool(ep.get("addresses")) and ep["addresses"][0] in ips


def _pod(registry: Registry, namespace: str, ident: str, path: str) -> Upstream:
    split = split_scheme_name_port(ident)
    if split is None:
        raise st.bad_request(f"invalid pod request {_quote(ident)}")
    scheme, name, port = split
    pod = _get(registry, "pods", namespace, name)
    if not port:
        for c in (pod.get("spec") or {}).get("containers") or []:
            if c.get("ports"):
                port = str(c["ports"][0].get("containerPort", ""))
                break
    status = pod.get("status") or {}
    ips = status.get("podIPs") or []
    pod_ip = str(status.get("podIP") or (ips[0].get("ip") if ips else "") or "")
    if not _proxyable(pod_ip):
        raise st.bad_request("address not allowed")
    return Upstream(scheme or "http", pod_ip, port or "80", path)


def _node(registry: Registry, ident: str, path: str) -> Upstream:
    split = split_scheme_name_port(ident)
    if split is None:
        raise st.bad_request(f"invalid node request {_quote(ident)}")
    scheme, name, port = split
    node = _get(registry, "nodes", "", name)
    status = node.get("status") or {}
    addresses = status.get("addresses") or []
    host = ""
    for kind in _NODE_ADDRESS_TYPES:
        host = next((str(a["address"]) for a in addresses if a.get("type") == kind), "")
        if host:
            break
    if not host:
        known = " ".join(f"{{{a.get('type', '')} {a.get('address', '')}}}" for a in addresses)
        raise st.unknown(f"no preferred addresses found; known addresses: [{known}]")
    if not _proxyable(host, loopback=False):
        raise st.bad_request("address not allowed")
    endpoint = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port")
    kubelet_port = str(endpoint if isinstance(endpoint, int) and endpoint > 0 else _KUBELET_PORT)
    if not port or port == kubelet_port:
        return Upstream("https", host, kubelet_port, path)
    return Upstream(scheme or "http", host, port, path)


def _quote(text: str) -> str:
    import json

    return json.dumps(text)


def _unavailable(message: str) -> StatusError:
    return StatusError(st.status_body(503, "ServiceUnavailable", message))


def _refused(upstream: Upstream) -> StatusError:
    """What the proxy transport reports when the upstream refuses the connection."""
    host = f"[{upstream.host}]" if ":" in upstream.host else upstream.host
    return _unavailable(
        f"error trying to reach service: dial tcp {host}:{upstream.port}: connect: "
        "connection refused"
    )


def forward(req: Request, upstream: Upstream) -> Response:
    """The default dialer: HTTP(S) to a loopback upstream, a refused connection elsewhere
    (the sandbox's other addresses are invented: nothing can listen there)."""
    from kctl.sandbox._api import Response

    ip = _ip(upstream.host)
    if ip is None or not ip.is_loopback:
        raise _refused(upstream)
    import http.client
    import ssl
    from urllib.parse import urlencode

    target = upstream.path or "/"
    if req.query:
        target += "?" + urlencode(req.query, doseq=True)
    headers = {k: v for k, v in req.header_lines if k.lower() not in _DROPPED}
    conn: http.client.HTTPConnection
    if upstream.scheme == "https":
        # As the apiserver's proxy transport to pods: no verification of a pod's certificate.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(upstream.host, int(upstream.port), context=context)
    else:
        conn = http.client.HTTPConnection(upstream.host, int(upstream.port), timeout=30)
    try:
        conn.request(req.method, target, body=req.body or None, headers=headers)
        reply = conn.getresponse()
        body = reply.read()
    except ConnectionRefusedError:
        raise _refused(upstream) from None
    except OSError as err:
        raise _unavailable(f"error trying to reach service: {err}") from None
    finally:
        conn.close()
    content_type = reply.getheader("Content-Type") or ""
    kept = [
        (k, v)
        for k, v in reply.getheaders()
        if k.lower() not in _DROPPED and k.lower() != "content-type"
    ]
    return Response(reply.status, body, content_type, kept)
