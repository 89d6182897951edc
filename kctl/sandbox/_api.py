"""Request handling for the sandbox: routing, content negotiation, lists, watch, tables.

This layer knows nothing about sockets: :meth:`ApiServer.handle` turns a :class:`Request`
into a :class:`Response` (whose body may be a stream of chunks for watches). Middlewares
wrap that call, which is where authentication, fault injection or auditing plug in.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from kctl.errors import KctlError, StatusError
from kctl.sandbox import _recorded
from kctl.sandbox import _status as st
from kctl.sandbox._catalog import Catalog, ResourceType
from kctl.sandbox._registry import (
    Admission,
    DeleteOptions,
    Registry,
    Tracker,
    parse_body,
    storage_key,
)
from kctl.sandbox._selectors import (
    FieldSelector,
    LabelSelector,
    SelectorError,
    field_getter,
    parse_field_selector,
    parse_label_selector,
)
from kctl.sandbox._store import Entry, Store, encode, encode_value
from kctl.sandbox._versions import needs_conversion, to_served

if TYPE_CHECKING:
    from kctl.sandbox._auth import Authenticator
    from kctl.sandbox._runtime import ProcessRuntime

__all__ = ["ApiServer", "Handler", "Middleware", "Request", "Response"]

JSON = "application/json"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
PROTOBUF = "application/vnd.kubernetes.protobuf"
_MEDIA_TYPES = "application/json, application/yaml, application/vnd.kubernetes.protobuf"
_PATCH_TYPES = (
    "application/json-patch+json, application/merge-patch+json, "
    "application/apply-patch+yaml, application/strategic-merge-patch+json"
)
_EXPIRED_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list."
)
_log = logging.getLogger("kctl.sandbox")
# The methods the proxy subresources serve (proxyMethods in kube-apiserver's registry).
_PROXY_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


def _get_only(path: str, segs: list[str]) -> bool:
    """Whether kube-apiserver serves ``path`` by a go-restful route for GET alone: /apis and
    /apis/GROUP are plain handlers that answer any method, and so are the health checks."""
    if path in ("/version", "/api"):
        return True
    return (segs[0] == "api" and len(segs) == 2) or (segs[0] == "apis" and len(segs) == 3)


_PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")


_KUBELET_STREAMS = ("exec", "attach", "portforward")


_OPTIONS_KIND = {
    "POST": "CreateOptions",
    "PUT": "UpdateOptions",
    "PATCH": "PatchOptions",
    "DELETE": "DeleteOptions",
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    user: str = ""
    # The rest of the authenticated user (reviews answer with it); empty without auth.
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Every header line in arrival order: some headers (Impersonate-Group) repeat.
    header_lines: list[tuple[str, str]] = field(default_factory=list)
    # The verified TLS client certificate (ssl.getpeercert() form), if one was presented.
    client_cert: dict[str, Any] | None = None
    # Waits up to the given seconds and tells whether the client has left: streams that
    # produce on their own (followed logs) end with their client. Set by the HTTP side.
    client_gone: Callable[[float], bool] | None = None

    @classmethod
    def build(
        cls,
        method: str,
        target: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        body: bytes = b"",
    ) -> Request:
        path, _, qs = target.partition("?")
        pairs = list(headers.items() if isinstance(headers, Mapping) else headers or ())
        hdrs = {k.lower(): v for k, v in pairs}
        req = cls(method.upper(), path, parse_qs(qs, keep_blank_values=True), hdrs, body)
        req.header_lines = pairs
        return req

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.header_lines if k.lower() == name]

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Iterator[bytes] | None = None
    # A WebSocket upgrade (101): the HTTP side accepts with ``subprotocol`` and hands the
    # kctl.sandbox._websocket.WebSocket to ``upgrade``, which serves it to its end.
    upgrade: Callable[[Any], None] | None = None
    subprotocol: str = ""

    @classmethod
    def json(cls, status: int, obj: Any, content_type: str = JSON) -> Response:
        return cls(
            status, encode(obj) if isinstance(obj, dict) else json.dumps(obj).encode(), content_type
        )

    @classmethod
    def error(cls, err: StatusError) -> Response:
        return cls(err.code or 500, encode(err.status))


Handler = Callable[[Request], Response]
Middleware = Callable[[Request, Handler], Response]


@dataclass
class _Target:
    rt: ResourceType
    namespace: str
    name: str
    subresource: str


@dataclass
class _Output:
    table: str | None = None  # meta.k8s.io version of a Table answer
    yaml: bool = False
    include_object: str = "Metadata"


class ApiServer:
    def __init__(
        self,
        registry: Registry,
        *,
        server_address: str = "127.0.0.1:0",
        bookmark_interval: float = 60.0,
        is_public: Callable[[str], bool] | None = None,
    ) -> None:
        self.registry = registry
        self.store: Store = registry.store
        self.catalog: Catalog = registry.catalog
        self.server_address = server_address
        self.bookmark_interval = bookmark_interval
        self.middlewares: list[Middleware] = []
        self.stopping = False
        # A followed pod log's pace: one new synthetic line per interval (seconds).
        self.log_follow_interval = 1.0
        from kctl.sandbox._logs import Followers

        self.log_followers = Followers()
        # The authorization policy, if any: access reviews answer with it.
        self.authorize: Callable[[Any], bool] | None = None
        # The bearer-token authenticators (kctl.sandbox._auth), which TokenReviews ask.
        self.token_authenticators: list[Authenticator] = []
        # Takes a proxy subresource's request to its upstream (kctl.sandbox._proxy.Dialer);
        # None: the default, which reaches loopback addresses only.
        self.proxy_dialer: Callable[[Request, Any], Response] | None = None
        # Sandbox(runtime="process"): the stand-in kubelet that exec and friends reach.
        self.runtime: ProcessRuntime | None = None

    @property
    def now(self) -> datetime:
        return self.registry.now()

    # --- entry point -----------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        chain: Handler = self._dispatch_safely
        for middleware in reversed(self.middlewares):
            chain = _bind(middleware, chain)
        try:
            return chain(req)
        except Exception as err:  # a middleware's bug: still an answer, never a dropped connection
            return internal_error(req, err)

    def _dispatch_safely(self, req: Request) -> Response:
        try:
            resp = self._dispatch(req)
        except StatusError as err:
            return Response.error(err)
        except KctlError as err:
            return Response.error(st.bad_request(str(err)))
        except Exception as err:  # a handler's bug: kube-apiserver's 500, seen by middlewares
            return internal_error(req, err)
        if resp.stream is not None:
            resp.stream = _guarded(req, resp.stream)
        return resp

    def _dispatch(self, req: Request) -> Response:
        path = req.path.rstrip("/") or "/"
        if path in ("/healthz", "/livez", "/readyz") or path.startswith(
            ("/healthz/", "/livez/", "/readyz/")
        ):
            from kctl.sandbox._health import health_response

            health = health_response(path, req.query)
            if health is None:
                return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")
            return Response(health[0], health[1].encode(), "text/plain; charset=utf-8")
        segs = path.strip("/").split("/")
        if req.method != "GET" and _get_only(path, segs):
            raise st.method_not_allowed()
        if path == "/version":
            return Response.json(200, _recorded.version())
        if path.startswith("/openapi/"):
            return self._openapi(req, path)
        if path == "/api" or path == "/apis":
            return self._discovery_root(req, path == "/api")
        if segs[0] == "api" and len(segs) == 2:
            return self._discovery_doc(req, self.catalog.api_resource_list_doc("", segs[1]))
        if segs[0] == "apis" and len(segs) == 2:
            return self._discovery_doc(req, self.catalog.api_group_doc(segs[1]))
        if segs[0] == "apis" and len(segs) == 3:
            return self._discovery_doc(req, self.catalog.api_resource_list_doc(segs[1], segs[2]))
        if segs[0] == "api" and len(segs) > 2:
            return self._resource(req, "", segs[1], segs[2:])
        if segs[0] == "apis" and len(segs) > 3:
            return self._resource(req, segs[1], segs[2], segs[3:])
        return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")

    # --- discovery -------------------------------------------------------------------

    def _discovery_root(self, req: Request, legacy: bool) -> Response:
        if _wants_aggregated(req.headers.get("accept", "")):
            return self._etagged(req, self.catalog.aggregated_doc(legacy), AGGREGATED)
        if legacy:
            return self._etagged(req, self.catalog.api_versions_doc(self.server_address), JSON)
        return self._etagged(req, self.catalog.api_group_list_doc(), JSON)

    def _discovery_doc(self, req: Request, doc: dict[str, Any] | None) -> Response:
        if doc is None:
            return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")
        return self._etagged(req, doc, JSON)

    def _etagged(self, req: Request, doc: dict[str, Any], content_type: str) -> Response:
        body = json.dumps(doc, separators=(",", ":")).encode()
        etag = '"' + hashlib.sha512(body).hexdigest().upper()[:64] + '"'
        if req.headers.get("if-none-match") == etag:
            return Response(304, b"", content_type, [("ETag", etag)])
        return Response(200, body, content_type, [("ETag", etag)])

    def _openapi(self, req: Request, path: str) -> Response:
        try:
            from kctl.sandbox import _openapi
        except ImportError:
            # Built before the OpenAPI documents exist: clients treat 404 as "not served".
            return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")
        if path == "/openapi/v2":
            return self._openapi_v2(req, _openapi.openapi_v2(self.catalog))
        if path == "/openapi/v3":
            return Response.json(200, _openapi.openapi_v3_index(self.catalog))
        if path.startswith("/openapi/v3/"):
            doc = _openapi.openapi_v3_group_version(self.catalog, path[len("/openapi/v3/") :])
            if doc is not None:
                return Response(200, doc, JSON)
        return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")

    def _openapi_v2(self, req: Request, json_body: bytes) -> Response:
        """kube-openapi's handler: JSON or gnostic protobuf by Accept, ETag, 304, bare 406."""
        from kctl.sandbox import _openapi_proto as oap

        accept = req.header_values("accept")
        content_type = oap.negotiate(accept[0] if accept else "")
        vary = [("Vary", "Accept")]
        if content_type is None:
            return Response(406, b"", "", vary)
        try:
            body = oap.v2_body(self.catalog, json_body, content_type)
        except oap.OpenAPIV2Error:
            return Response(503, b"", "", vary)
        headers = [*vary, ("Etag", body.etag)]
        if req.method in ("GET", "HEAD") and oap.not_modified(
            body, req.headers.get("if-none-match"), req.headers.get("if-modified-since")
        ):
            return Response(304, b"", "", headers)
        headers += [
            ("Accept-Ranges", "bytes"),
            ("Last-Modified", oap.http_date(body.last_modified)),
        ]
        return Response(200, body.body, content_type, headers)

    # --- resources -------------------------------------------------------------------

    def _resolve(self, group: str, version: str, segs: list[str]) -> tuple[_Target | None, bool]:
        """Map path segments to (target, is_collection)."""
        watch_prefix = False
        if segs and segs[0] == "watch":
            watch_prefix = True
            segs = segs[1:]
        if not segs:
            raise st.resource_not_found()
        namespace = ""
        if segs[0] == "namespaces" and len(segs) >= 3:
            candidate = self.catalog.get(group, version, segs[2])
            if candidate is not None and candidate.namespaced:
                namespace = segs[1]
                segs = segs[2:]
        rt = self.catalog.get(group, version, segs[0])
        if rt is None or len(segs) > 3 or (rt.namespaced and not namespace and len(segs) > 1):
            raise st.resource_not_found()
        name = segs[1] if len(segs) > 1 else ""
        sub = segs[2] if len(segs) > 2 else ""
        if sub and rt.subresource(sub) is None:
            raise st.resource_not_found()
        return _Target(rt, namespace, name, sub), watch_prefix

    def _resource(self, req: Request, group: str, version: str, segs: list[str]) -> Response:
        if not group:
            proxied = self._proxy(req, version, segs)
            if proxied is not None:
                return proxied
        target, watch_prefix = self._resolve(group, version, segs)
        assert target is not None
        out = self._negotiate(req)
        rt, method = target.rt, req.method
        watching = watch_prefix or req.param("watch") in ("1", "true")
        if not target.name:
            if method == "POST" and _is_review(rt):
                return self._review(req, target)
            if method == "GET":
                if watching:
                    return self._watch(req, target, out)
                return self._list(req, target, out)
            if method == "POST":
                return self._create(req, target, out)
            if method == "DELETE":
                return self._delete_collection(req, target, out)
            raise st.method_not_allowed()
        if target.subresource == "scale":
            return self._scale(req, target)
        if target.subresource == "token" and method == "POST":
            return self._token_request(req, target)
        if target.subresource == "log" and method == "GET":
            return self._pod_log(req, target)
        if target.subresource in ("eviction", "binding") and method == "POST":
            return self._pod_action(req, target)
        if target.subresource in _KUBELET_STREAMS and method in ("GET", "POST"):
            try:
                return self._kubelet_stream(req, target)
            except StatusError as err:
                # The connect handlers write their errors with a JSON encoder: a newline ends
                # the body, unlike the other endpoints' answers.
                return Response(err.code or 500, encode(err.status) + b"\n")
        if target.subresource not in ("", "status", "approval", "ephemeralcontainers"):
            raise st.method_not_allowed()
        if method == "GET":
            if watching:
                return self._watch(req, target, out)
            entry = self.registry.get_entry(rt, target.namespace, target.name)
            return self._object_response(200, rt, entry.obj, out, entry.raw)
        if method == "PUT":
            return self._update(req, target, out)
        if method == "PATCH":
            return self._patch(req, target, out)
        if method == "DELETE" and not target.subresource:
            return self._delete(req, target, out)
        raise st.method_not_allowed()

    def _proxy(self, req: Request, version: str, segs: list[str]) -> Response | None:
        """``{services,pods,nodes}/ID/proxy[/path]``, any method; None for other paths."""
        namespace, rest = "", segs
        if segs[:1] == ["namespaces"] and len(segs) >= 5:
            namespace, rest = segs[1], segs[2:]
        if len(rest) < 3 or rest[0] not in ("services", "pods", "nodes") or rest[2] != "proxy":
            return None
        if req.method not in _PROXY_METHODS:
            raise st.method_not_allowed()
        if (rest[0] == "nodes") != (namespace == ""):
            return None
        from kctl.sandbox._proxy import forward, locate

        # The path after .../proxy as sent, its trailing slash kept.
        head = "/".join(["", "api", version, *(["namespaces", namespace] if namespace else [])])
        head += "/" + "/".join(rest[:3])
        path = req.path[len(head) :] if req.path.startswith(head) else ""
        upstream = locate(self.registry, rest[0], namespace, rest[1], path)
        return (self.proxy_dialer or forward)(req, upstream)

    def _pod_log(self, req: Request, target: _Target) -> Response:
        from kctl.sandbox._logs import follow_log, pod_log

        pod = self.registry.get_entry(target.rt, target.namespace, target.name).obj
        if self.runtime is not None:
            resp = self._process_log(req, pod)
            if resp is not None:
                return resp
        if req.param("follow") not in ("true", "1"):
            return Response(200, pod_log(pod, req.query), "text/plain")

        def current() -> dict[str, Any] | None:
            entry = self.store.get(storage_key(target.rt), target.namespace, target.name)
            return entry.obj if entry is not None else None

        def client_gone(timeout: float) -> bool:
            if req.client_gone is not None:
                return req.client_gone(timeout) or self.stopping
            # Served in-process, without a socket: only a stopping server ends it.
            time.sleep(timeout)
            return self.stopping

        lines = follow_log(
            pod,
            req.query,
            current=current,
            client_gone=client_gone,
            interval=self.log_follow_interval,
            followers=self.log_followers,
        )
        return Response(200, b"", "text/plain", [], lines)

    def _process_log(self, req: Request, pod: dict[str, Any]) -> Response | None:
        """The real output of a container the process runtime runs (None: it runs none)."""
        from kctl.sandbox._logs import log_container
        from kctl.sandbox._process_logs import process_log

        assert self.runtime is not None
        container = log_container(pod, req.query)  # the apiserver's and kubelet's errors
        uid = str((pod.get("metadata") or {}).get("uid", ""))
        inst = self.runtime.instance(uid, container, req.param("previous") in ("true", "1"))
        if inst is None or (inst.proc is None and not inst.lines):
            return None
        follow = req.param("follow") in ("true", "1")

        def client_gone(timeout: float) -> bool:
            gone = req.client_gone(timeout) if req.client_gone is not None else False
            return gone or self.stopping

        body, rest = process_log(
            self.runtime, inst, req.query, follow=follow, client_gone=client_gone
        )
        if rest is None:
            return Response(200, body, "text/plain")

        def stream() -> Iterator[bytes]:
            if body:
                yield body
            yield from rest

        return Response(200, b"", "text/plain", [], stream())

    def _kubelet_stream(self, req: Request, target: _Target) -> Response:
        """pods/exec, attach and portforward: the apiserver's checks (streamLocation), then the
        kubelet connection, which fails: the sandbox runs no kubelet to proxy to."""
        pod = self.registry.get_entry(target.rt, target.namespace, target.name).obj
        spec = pod.get("spec") or {}
        name = target.name
        self._authorize_stream(req, target)
        container = ""
        if target.subresource != "portforward":
            names = [c.get("name", "") for c in spec.get("containers") or []]
            init = [c.get("name", "") for c in spec.get("initContainers") or []]
            ephemeral = [c.get("name", "") for c in spec.get("ephemeralContainers") or []]
            container = req.param("container") or ""
            if not container and len(names) == 1:
                container = names[0]
            elif not container:
                text = f"a container name must be specified for pod {name}"
                if names:
                    text += f", choose one of: [{' '.join(names)}]"
                    if init:
                        text += f" or one of the init containers: [{' '.join(init)}]"
                raise st.bad_request(text)
            elif container not in (*names, *init, *ephemeral):
                raise st.bad_request(f"container {container} is not valid for pod {name}")
        else:
            container = ""
        node = spec.get("nodeName") or ""
        if not node:
            raise st.bad_request(f"pod {name} does not have a host assigned")
        if self.runtime is not None:
            from kctl.sandbox._kubelet_streams import serve_stream

            return serve_stream(self.runtime, req, pod, target.subresource, container)
        node_entry = self.registry.store.get(("", "nodes"), "", node)
        if node_entry is None:
            raise st.not_found("", "nodes", node)
        address, port = _kubelet_endpoint(node_entry.obj)
        host = f"[{address}]" if ":" in address else address
        refused = f"dial tcp {host}:{port}: connect: connection refused"
        if target.subresource != "portforward":
            from kctl.sandbox import _wsstream

            if _wsstream.wants_v5_stream(req.headers):
                url = _wsstream.kubelet_url(
                    target.subresource, address, port, target.namespace, name, container, req.query
                )
                session = _wsstream.refused_session(req.query, url, refused)
                return Response(101, upgrade=session, subprotocol=_wsstream.V5)
        raise st.unknown(f"error dialing backend: {refused}")

    def _authorize_stream(self, req: Request, target: _Target) -> None:
        """A WebSocket upgrade is a GET, authorized as ``get``: kube-apiserver checks ``create``
        as well (AuthorizePodWebsocketUpgradeCreatePermission, on since 1.35)."""
        if self.authorize is None or req.method != "GET":
            return
        from kctl.sandbox import _authz
        from kctl.sandbox._auth import UserInfo

        user = UserInfo(req.user, req.uid, req.groups, req.extra)
        attrs = dataclasses.replace(_authz.request_attributes(req, user), verb="create")
        if not self.authorize(attrs):
            # NewForbidden with the authorizer's reason, which RBAC leaves empty on a denial.
            raise st.forbidden(
                f'pods "{target.name}" is forbidden: ', {"name": target.name, "kind": "pods"}
            )

    def _check_verb(self, rt: ResourceType, verb: str) -> None:
        if verb not in rt.verbs:
            raise st.method_not_allowed()

    # --- content negotiation ---------------------------------------------------------

    def _negotiate(self, req: Request) -> _Output:
        accept = req.headers.get("accept", "") or "*/*"
        for media, params in _parse_accept(accept):
            as_kind = params.get("as")
            if as_kind:
                if (
                    as_kind == "Table"
                    and params.get("g") == "meta.k8s.io"
                    and params.get("v") in ("v1", "v1beta1")
                    and media in ("application/json", "*/*")
                ):
                    include = req.param("includeObject") or "Metadata"
                    if include not in ("None", "Metadata", "Object"):
                        raise st.bad_request(
                            f'includeObject: Unsupported value: "{include}": supported values: '
                            '"Metadata", "None", "Object"'
                        )
                    return _Output(table=params["v"], include_object=include)
                continue
            if media in ("application/json", "application/*", "*/*"):
                return _Output()
            if media == "application/yaml":
                return _Output(yaml=True)
        raise st.not_acceptable(f"only the following media types are accepted: {_MEDIA_TYPES}")

    def _served(self, rt: ResourceType, obj: dict[str, Any], raw: bytes | None) -> bytes:
        if needs_conversion(rt):
            obj, raw = to_served(rt, obj), None
        if (
            raw is not None
            and obj.get("apiVersion") == rt.api_version
            and obj.get("kind") == rt.kind
        ):
            return raw
        return encode({**obj, "kind": rt.kind, "apiVersion": rt.api_version})

    def _object_response(
        self,
        code: int,
        rt: ResourceType,
        obj: dict[str, Any],
        out: _Output,
        raw: bytes | None = None,
    ) -> Response:
        if out.table:
            # As the real server: the Table of one object carries that object's version.
            rv = obj["metadata"].get("resourceVersion")
            body = self._table(rt, [obj], out, {"resourceVersion": rv} if rv else {})
            return Response(code, encode(body))
        data = self._served(rt, obj, raw)
        if out.yaml:
            return Response(code, _to_yaml(json.loads(data)), "application/yaml")
        return Response(code, data)

    # --- lists -----------------------------------------------------------------------

    def _selectors(
        self, req: Request, rt: ResourceType
    ) -> tuple[LabelSelector, FieldSelector, Callable[[Mapping[str, Any]], Callable[[str], str]]]:
        try:
            labels = parse_label_selector(req.param("labelSelector") or "")
            fields = parse_field_selector(req.param("fieldSelector") or "")
            getter = field_getter(rt.group, rt.plural, fields)
        except SelectorError as err:
            raise st.bad_request(str(err)) from None
        return labels, fields, getter

    def _matcher(self, req: Request, rt: ResourceType) -> Callable[[dict[str, Any]], bool] | None:
        labels, fields, getter = self._selectors(req, rt)
        if labels.empty and fields.empty:
            return None

        def match(obj: dict[str, Any]) -> bool:
            return labels.matches(obj["metadata"].get("labels")) and fields.matches(getter(obj))

        return match

    def _list(self, req: Request, target: _Target, out: _Output) -> Response:
        rt = target.rt
        self._check_verb(rt, "list")
        match = self._matcher(req, rt)
        limit = _int_param(req, "limit") or 0
        token = req.param("continue") or ""
        rv_param = req.param("resourceVersion") or ""
        rv_match = req.param("resourceVersionMatch") or ""
        _validate_list_options(token, rv_param, rv_match)
        start = ""
        snapshot_rv: int | None = None
        with self.store.lock:
            current = self.store.resource_version
            if token:
                if rv_param:
                    raise st.bad_request(
                        "specifying resource version is not allowed when using continue"
                    )
                snapshot_rv, start = _decode_continue(token)
                if snapshot_rv == -1:
                    # The inconsistent continuation an Expired answer offers: the rest of
                    # the list as it is now.
                    snapshot_rv = None
                elif snapshot_rv < self.store.compacted_rv:
                    err = st.expired(_EXPIRED_CONTINUE)
                    err.status["metadata"] = {"continue": _encode_continue(-1, start)}
                    raise err
            elif rv_param:
                snapshot_rv = self._list_rv(rv_param, rv_match, current)
            rv, keys, entries = self.store.snapshot(storage_key(rt), snapshot_rv, target.namespace)
        lo = 0
        if start:
            import bisect

            lo = bisect.bisect_right(keys, start)
        selected: list[Entry] = []
        next_key = ""
        remaining: int | None = None
        i = lo
        n = len(keys)
        while i < n:
            entry = entries[keys[i]]
            i += 1
            if match is None or match(entry.obj):
                selected.append(entry)
                if limit and len(selected) >= limit:
                    break
        if limit and i < n and len(selected) >= limit:
            next_key = keys[i - 1]
            if match is None:
                remaining = n - i
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if next_key:
            meta["continue"] = _encode_continue(rv, next_key)
            if remaining is not None:
                meta["remainingItemCount"] = remaining
        if out.table:
            return Response(200, self._table_bytes(rt, selected, out, meta))
        head = encode({"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": meta})
        items = b",".join(self._list_item(rt, e) for e in selected)
        body = head[:-1] + b',"items":[' + items + b"]}"
        if out.yaml:
            return Response(200, _to_yaml(json.loads(body)), "application/yaml")
        return Response(200, body)

    def _list_rv(self, rv_param: str, rv_match: str, current: int) -> int | None:
        try:
            rv = int(rv_param)
        except ValueError:
            raise st.bad_request(
                f'invalid resource version: resourceVersion: Invalid value: "{rv_param}": '
                f'strconv.ParseUint: parsing "{rv_param}": invalid syntax'
            ) from None
        if rv > current:
            raise StatusError(
                st.status_body(
                    504,
                    "Timeout",
                    f"Too large resource version: {rv}, current: {current}",
                    {
                        "causes": [
                            {
                                "reason": "ResourceVersionTooLarge",
                                "message": "Too large resource version",
                            }
                        ],
                        "retryAfterSeconds": 1,
                    },
                )
            )
        if rv_match == "Exact":
            if rv < self.store.compacted_rv:
                raise st.expired(f"too old resource version: {rv} ({self.store.compacted_rv + 1})")
            return rv
        return None

    def _list_item(self, rt: ResourceType, entry: Entry) -> bytes:
        raw = self._served(rt, entry.obj, entry.raw)
        if rt.is_crd:
            return raw
        # Built-in list items carry no TypeMeta, as in kube-apiserver's encoding.
        prefix = (
            b'{"kind":'
            + json.dumps(rt.kind).encode()
            + b',"apiVersion":'
            + json.dumps(rt.api_version).encode()
        )
        if raw.startswith(prefix):
            rest = raw[len(prefix) :]
            return b"{" + rest[1:] if rest.startswith(b",") else b"{" + rest
        return raw

    # --- tables ----------------------------------------------------------------------

    def _table(
        self,
        rt: ResourceType,
        objs: list[dict[str, Any]],
        out: _Output,
        meta: dict[str, Any],
        *,
        entries: list[Entry] | None = None,
        headers: bool = True,
    ) -> dict[str, Any]:
        from kctl.sandbox import _tables

        now = self.now
        rows = []
        for i, obj in enumerate(objs):
            row: dict[str, Any] = {"cells": _tables.row_cells(rt, obj, now)}
            if out.include_object == "Object":
                row["object"] = json.loads(
                    self._served(rt, obj, entries[i].raw if entries else None)
                )
            elif out.include_object == "Metadata":
                row["object"] = {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": f"meta.k8s.io/{out.table}",
                    "metadata": obj["metadata"],
                }
            else:
                # An empty RawExtension: Go marshals it as null, omitempty or not.
                row["object"] = None
            rows.append(row)
        table: dict[str, Any] = {
            "kind": "Table",
            "apiVersion": f"meta.k8s.io/{out.table}",
            "metadata": meta,
        }
        if headers:
            table["columnDefinitions"] = _tables.column_definitions(rt)
        table["rows"] = rows
        return table

    def _table_bytes(
        self, rt: ResourceType, entries: list[Entry], out: _Output, meta: dict[str, Any]
    ) -> bytes:
        """A list as a Table, assembled from each object's cached bytes (the hot path of
        ``kubectl get``)."""
        from kctl.sandbox import _tables

        now = self.now
        rows = []
        for entry in entries:
            cells = encode_value(_tables.row_cells(rt, entry.obj, now))
            if out.include_object == "Object":
                obj = self._served(rt, entry.obj, entry.raw)
            elif out.include_object == "Metadata":
                obj = encode(
                    {
                        "kind": "PartialObjectMetadata",
                        "apiVersion": f"meta.k8s.io/{out.table}",
                        "metadata": entry.obj["metadata"],
                    }
                )
            else:
                rows.append(b'{"cells":' + cells + b',"object":null}')
                continue
            rows.append(b'{"cells":' + cells + b',"object":' + obj + b"}")
        head = encode(
            {
                "kind": "Table",
                "apiVersion": f"meta.k8s.io/{out.table}",
                "metadata": meta,
                "columnDefinitions": _tables.column_definitions(rt),
            }
        )
        return head[:-1] + b',"rows":[' + b",".join(rows) + b"]}"

    # --- writes ----------------------------------------------------------------------

    def _body(self, req: Request, kind: str = "") -> Any:
        """The decoded request body; ``kind`` is the type it must decode into, which the
        real server names when the body is not JSON at all."""
        ctype = req.headers.get("content-type", "application/json")
        media = ctype.split(";")[0].strip().lower()
        if media == PROTOBUF:
            return _protobuf_body(req.body)
        if media not in ("application/json", "application/yaml", ""):
            raise st.unsupported_media_type(
                f"the body of the request was in an unknown format - accepted media types "
                f"include: {_MEDIA_TYPES}"
            )
        if media != "application/yaml" and kind:
            from kctl.rest._gojson import syntax_error

            problem = syntax_error(req.body)
            if problem is not None:
                raise st.bad_request(
                    f"the object provided is unrecognized (must be of type {kind}): couldn't get "
                    f"version/kind; json parse error: {problem} ({_summarize(req.body)})"
                )
        if not req.body:
            raise st.bad_request("the object provided is unrecognized")
        return parse_body(req.body, ctype)

    def _dry_run(self, req: Request) -> bool:
        values = req.query.get("dryRun") or []
        if any(value != "All" for value in values):
            quoted = "[" + ",".join(json.dumps(v) for v in values) + "]"
            raise _invalid_option(req, "dryRun", quoted, '"All"')
        return bool(values)

    def _create(self, req: Request, target: _Target, out: _Output) -> Response:
        rt = target.rt
        self._check_verb(rt, "create")
        if rt.namespaced and not target.namespace:
            raise st.method_not_allowed()
        body = self._body(req, rt.kind)
        admission = self._admission(req)
        obj = self.registry.create(
            rt,
            target.namespace,
            body,
            dry_run=self._dry_run(req),
            tracker=self._tracker(req, rt, ""),
            admission=admission,
        )
        return _warned(self._object_response(201, rt, obj, out), admission)

    def _review(self, req: Request, target: _Target) -> Response:
        from kctl.sandbox._auth import ADMIN, UserInfo
        from kctl.sandbox._reviews import review

        rt = target.rt
        if rt.namespaced and not target.namespace:
            raise st.method_not_allowed()
        if rt.plural == "tokenreviews":
            from kctl.sandbox._reviews import token_review

            body = token_review(self._body(req), self.token_authenticators)
            body["apiVersion"] = f"{rt.group}/{rt.version}"
            body["kind"] = rt.kind
            return Response.json(201, body)
        # Without authentication every request acts with the sandbox admin's rights.
        user = UserInfo(req.user, req.uid, req.groups, req.extra) if req.user else ADMIN
        body = review(rt.group, rt.plural, target.namespace, self._body(req), user, self.authorize)
        body["apiVersion"] = f"{rt.group}/{rt.version}"
        body["kind"] = rt.kind
        return Response.json(201, body)

    def _token_request(self, req: Request, target: _Target) -> Response:
        from kctl.sandbox._reviews import token_request

        account = self.registry.get_entry(target.rt, target.namespace, target.name).obj
        body = token_request(target.namespace, account, self._body(req) or {}, self.now)
        return Response.json(201, body)

    def _admission(self, req: Request) -> Admission:
        value = req.param("fieldValidation") or ""
        if value not in ("", "Ignore", "Warn", "Strict"):
            supported = '"", "Ignore", "Strict", "Warn"'
            raise _invalid_option(req, "fieldValidation", json.dumps(value), supported)
        return Admission(value, user=self._user(req))

    @staticmethod
    def _user(req: Request) -> Any:
        from kctl.sandbox._auth import UserInfo

        return UserInfo(req.user, req.uid, req.groups, req.extra) if req.user else None

    def _tracker(self, req: Request, rt: ResourceType, subresource: str) -> Tracker:
        from kctl.sandbox._apply import field_manager_name, update_tracker

        manager = field_manager_name(req.param("fieldManager"), req.headers.get("user-agent", ""))
        return update_tracker(rt, manager, subresource, self.registry.now)

    def _update(self, req: Request, target: _Target, out: _Output) -> Response:
        rt = target.rt
        self._check_verb(rt, "update")
        body = self._body(req, rt.kind)
        admission = self._admission(req)
        obj = self.registry.update(
            rt,
            target.namespace,
            target.name,
            body,
            subresource=target.subresource,
            dry_run=self._dry_run(req),
            tracker=self._tracker(req, rt, target.subresource),
            admission=admission,
        )
        return _warned(self._object_response(200, rt, obj, out), admission)

    def _patch(self, req: Request, target: _Target, out: _Output) -> Response:
        rt = target.rt
        self._check_verb(rt, "patch")
        ctype = req.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/apply-patch+yaml":
            return self._apply(req, target, out)
        change = self._patcher(rt, ctype, req.body)
        admission = self._admission(req)
        admission.patch_type, admission.patch_body = ctype, req.body
        obj = self.registry.mutate(
            rt,
            target.namespace,
            target.name,
            change,
            subresource=target.subresource,
            dry_run=self._dry_run(req),
            tracker=self._tracker(req, rt, target.subresource),
            admission=admission,
        )
        return _warned(self._object_response(200, rt, obj, out), admission)

    def _apply(self, req: Request, target: _Target, out: _Output) -> Response:
        from kctl.sandbox._apply import apply_change

        rt = target.rt
        manager = req.param("fieldManager") or ""
        if not manager:
            raise st.invalid(
                "meta.k8s.io",
                "PatchOptions",
                "",
                [
                    {
                        "reason": "FieldValueRequired",
                        "message": "Required value: is required for apply patch",
                        "field": "fieldManager",
                    }
                ],
            )
        change, track = apply_change(
            rt,
            target.name,
            parse_body(req.body, "application/apply-patch+yaml"),
            manager,
            req.param("force") in ("true", "1"),
            target.subresource,
            self.registry.now,
        )
        dry_run = self._dry_run(req)
        try:
            obj = self.registry.mutate(
                rt,
                target.namespace,
                target.name,
                change,
                subresource=target.subresource,
                dry_run=dry_run,
                tracker=track,
                admission=Admission(user=self._user(req)),
            )
        except StatusError as err:
            if err.code != 404 or target.subresource:
                raise
            # Applying to an absent object creates it.
            obj = self.registry.create(
                rt,
                target.namespace,
                change(None),
                dry_run=dry_run,
                tracker=track,
                admission=Admission(user=self._user(req)),
            )
            return self._object_response(201, rt, obj, out)
        return self._object_response(200, rt, obj, out)

    def _patcher(
        self, rt: ResourceType, ctype: str, body: bytes
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        from kctl.errors import PatchError

        def wrap(fn: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
            def change(obj: dict[str, Any]) -> dict[str, Any]:
                try:
                    result = fn(obj)
                except PatchError as err:
                    raise StatusError(st.status_body(422, "Invalid", str(err))) from None
                if not isinstance(result, dict):
                    raise st.bad_request("the object provided is unrecognized")
                return result

            return change

        from kctl.rest._gojson import syntax_error

        if syntax_error(body) is not None:
            raise st.bad_request("invalid JSON patch")
        if ctype == "application/json-patch+json":
            from kctl.sandbox import _jsonpatch as jsonpatch

            try:
                ops = jsonpatch.decode_patch(body)
            except PatchError as err:
                raise st.bad_request(str(err)) from None

            def json_patch(obj: dict[str, Any]) -> dict[str, Any]:
                try:
                    result = jsonpatch.apply_patch(obj, ops)
                except PatchError:
                    # The real server answers a failed operation with a generic 422 and
                    # keeps the library's reason to itself.
                    body = st.status_body(
                        422,
                        "Invalid",
                        "the server rejected our request due to an error in our request",
                    )
                    body["details"] = {}
                    raise StatusError(body) from None
                if not isinstance(result, dict):
                    raise st.bad_request("the object provided is unrecognized")
                return result

            return json_patch
        if ctype in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
            patch = _json_object(body)
            if ctype == "application/strategic-merge-patch+json":
                return wrap(_strategic(rt, patch))
            from kctl.util import jsonmergepatch

            return wrap(lambda obj: jsonmergepatch.apply_merge_patch(obj, patch))
        raise st.unsupported_media_type(
            f"the body of the request was in an unknown format - accepted media types include: "
            f"{_PATCH_TYPES}"
        )

    def _scale(self, req: Request, target: _Target) -> Response:
        rt = target.rt
        method = req.method
        if method == "GET":
            return Response.json(
                200, _to_scale(self.registry.get(rt, target.namespace, target.name))
            )
        if method == "PUT":
            body = self._body(req)
            replicas = (
                ((body or {}).get("spec") or {}).get("replicas") if isinstance(body, dict) else None
            )
            change = _set_replicas(rt, replicas, body.get("metadata", {}).get("resourceVersion"))
        elif method == "PATCH":
            ctype = req.headers.get("content-type", "").split(";")[0].strip().lower()
            patch_scale = self._patcher(rt, ctype, req.body)

            def change(obj: dict[str, Any]) -> dict[str, Any]:
                scale = patch_scale(_to_scale(obj))
                replicas = (scale.get("spec") or {}).get("replicas", 0)
                return _set_replicas(rt, replicas, None)(obj)
        else:
            raise st.method_not_allowed()
        obj = self.registry.mutate(
            rt,
            target.namespace,
            target.name,
            change,
            dry_run=self._dry_run(req),
            tracker=self._tracker(req, rt, "scale"),
        )
        return Response.json(200, _to_scale(obj))

    def _pod_action(self, req: Request, target: _Target) -> Response:
        rt = target.rt
        body = self._body(req)
        if target.subresource == "binding":
            node = ((body or {}).get("target") or {}).get("name", "")

            def bind(obj: dict[str, Any]) -> dict[str, Any]:
                if obj.get("spec", {}).get("nodeName"):
                    raise st.conflict(
                        rt.group,
                        rt.plural,
                        target.name,
                        f"pod {target.name} is already assigned to node "
                        f'"{obj["spec"]["nodeName"]}"',
                    )
                obj.setdefault("spec", {})["nodeName"] = node
                return obj

            self.registry.mutate(rt, target.namespace, target.name, bind, subresource="binding")
        else:
            options = DeleteOptions.from_dict((body or {}).get("deleteOptions") or {}, {})
            self.registry.delete(rt, target.namespace, target.name, options)
        return Response.json(201, st.status_body(201, "", "", None, status="Success"))

    # --- deletes ---------------------------------------------------------------------

    def _delete_options(self, req: Request) -> DeleteOptions:
        body: dict[str, Any] = {}
        if req.body.strip():
            parsed = parse_body(req.body, req.headers.get("content-type", JSON))
            if isinstance(parsed, dict):
                body = parsed
        query = {k: v[0] for k, v in req.query.items() if v}
        return DeleteOptions.from_dict(body, query)

    def _delete(self, req: Request, target: _Target, out: _Output) -> Response:
        rt = target.rt
        self._check_verb(rt, "delete")
        options = self._delete_options(req)
        obj, removed = self.registry.delete(rt, target.namespace, target.name, options)
        if not removed or rt.kind in _RETURNS_DELETED_OBJECT:
            return self._object_response(200, rt, obj, out)
        details = {
            "name": target.name,
            "group": rt.group,
            "kind": rt.plural,
            "uid": obj["metadata"].get("uid"),
        }
        body = st.status_body(200, "", "", details, status="Success")
        del body["code"]  # the real server leaves a successful delete's code unset
        return Response.json(200, body)

    def _delete_collection(self, req: Request, target: _Target, out: _Output) -> Response:
        rt = target.rt
        self._check_verb(rt, "deletecollection")
        options = self._delete_options(req)
        match = self._matcher(req, rt)
        deleted = []
        for entry in self.store.items(storage_key(rt), target.namespace):
            if match is not None and not match(entry.obj):
                continue
            meta = entry.obj["metadata"]
            try:
                obj, _ = self.registry.delete(rt, meta.get("namespace", ""), meta["name"], options)
            except StatusError as err:
                if err.code == 404:
                    continue
                raise
            deleted.append(obj)
        body = {
            "kind": rt.list_kind,
            "apiVersion": rt.api_version,
            "metadata": {"resourceVersion": str(self.store.resource_version)},
            "items": [
                {k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in deleted
            ],
        }
        return Response.json(200, body)

    # --- watch -----------------------------------------------------------------------

    def _watch(self, req: Request, target: _Target, out: _Output) -> Response:
        from kctl.sandbox._watch import WatchStream

        rt = target.rt
        self._check_verb(rt, "watch")
        labels, fields, getter = self._selectors(req, rt)
        if target.name:
            fields = FieldSelector((*fields.terms, ("metadata.name", "=", target.name)))
        stream = WatchStream(
            self,
            rt,
            target.namespace,
            labels,
            fields,
            getter,
            out,
            rv=req.param("resourceVersion") or "",
            rv_match=req.param("resourceVersionMatch") or "",
            send_initial=req.param("sendInitialEvents") == "true",
            bookmarks=req.param("allowWatchBookmarks") in ("true", "1"),
            timeout=_int_param(req, "timeoutSeconds"),
        )
        events = stream.open()
        content_type = JSON
        return Response(200, b"", content_type, [], events)


_RETURNS_DELETED_OBJECT = frozenset({"Pod", "Namespace", "Service"})


def _is_review(rt: ResourceType) -> bool:
    from kctl.sandbox._reviews import is_review

    return is_review(rt.group, rt.plural)


def _warned(resp: Response, admission: Admission) -> Response:
    for text in admission.warnings:
        resp.headers.append(("Warning", "299 - " + json.dumps(text)))
    return resp


def _where(err: BaseException) -> str:
    """``file.py:line`` of the innermost frame of ``err``'s traceback."""
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    return f"{tb.tb_frame.f_code.co_filename.rpartition('/')[2]}:{tb.tb_lineno}"


def _log_internal(req: Request, err: BaseException, during: str) -> None:
    # One line, and neither the exception's text nor the query: both can echo request
    # content (a Secret's data, a token) into a log that outlives the request.
    _log.error(
        "internal error %s %s %s: %s at %s",
        during,
        req.method,
        req.path,
        type(err).__name__,
        _where(err),
    )


def internal_error(req: Request, err: Exception) -> Response:
    """The 500 Status kube-apiserver answers for an unexpected error (errors.NewInternalError),
    logged once. The client sees the error's text: it is about its own request."""
    _log_internal(req, err, "serving")
    text = str(err)
    message = f"{type(err).__name__}: {text}" if text else type(err).__name__
    return Response.error(st.internal_error(message))


def _guarded(req: Request, stream: Iterator[bytes]) -> Iterator[bytes]:
    """``stream`` that ends (cleanly, after what it sent) instead of raising: the headers
    are out, so a watch that fails late can only be ended and logged."""
    try:
        yield from stream
    except Exception as err:
        from kctl.sandbox._faults import ConnectionAbort, ConnectionDrop

        if isinstance(err, (ConnectionAbort, ConnectionDrop)):
            raise  # injected faults, which the socket layer carries out
        _log_internal(req, err, "streaming")


def _bind(middleware: Middleware, nxt: Handler) -> Handler:
    return lambda req: middleware(req, nxt)


def _parse_accept(accept: str) -> list[tuple[str, dict[str, str]]]:
    out = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        params = {}
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            params[key.strip()] = value.strip()
        out.append((media, params))
    return out


def _wants_aggregated(accept: str) -> bool:
    for media, params in _parse_accept(accept):
        if (
            media == "application/json"
            and params.get("as") == "APIGroupDiscoveryList"
            and params.get("g") == "apidiscovery.k8s.io"
            and params.get("v") == "v2"
        ):
            return True
        if media in ("application/json", "*/*", "application/*") and "as" not in params:
            return False
    return False


def _int_param(req: Request, name: str) -> int | None:
    value = req.param(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise st.bad_request(f'{name}: Invalid value: "{value}": must be an integer') from None


def _summarize(data: bytes, limit: int = 30) -> str:
    """How the real server quotes a body it could not decode: JSON-looking text, else hex."""
    if not data:
        return "<empty>"
    head = data[:limit]
    text = head.decode("utf-8", "replace") if data[:1] == b"{" else head.hex()
    return text + " ..." if len(data) > limit else text


def _validate_list_options(token: str, rv: str, rv_match: str) -> None:
    """ValidateListOptions: the resourceVersionMatch rules, in the real server's words."""
    if not rv_match:
        return
    if token:
        problem = "Forbidden: resourceVersionMatch is forbidden when continue is provided"
    elif not rv:
        problem = "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"
    elif rv_match not in ("Exact", "NotOlderThan"):
        message = (
            f"Unsupported value: {json.dumps(rv_match)}: supported values: "
            '"Exact", "NotOlderThan", ""'
        )
        cause = {
            "reason": "FieldValueNotSupported",
            "message": message,
            "field": "resourceVersionMatch",
        }
        raise st.invalid("meta.k8s.io", "ListOptions", "", [cause])
    elif rv_match == "Exact" and rv == "0":
        problem = 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'
    else:
        return
    cause = {"reason": "FieldValueForbidden", "message": problem, "field": "resourceVersionMatch"}
    raise st.invalid("meta.k8s.io", "ListOptions", "", [cause])


def _invalid_option(req: Request, field: str, value: str, supported: str) -> StatusError:
    """A query parameter the options object refuses, as the real server words it: the
    options kind of the verb (CreateOptions, ...) is invalid."""
    options = _OPTIONS_KIND.get(req.method, "CreateOptions")
    message = f"Unsupported value: {value}: supported values: {supported}"
    cause = {"reason": "FieldValueNotSupported", "message": message, "field": field}
    return st.invalid("meta.k8s.io", options, "", [cause])


def _encode_continue(rv: int, key: str) -> str:
    token = {"v": "meta.k8s.io/v1", "rv": rv, "start": key + "\x00"}
    # Go's base64.RawURLEncoding, as the real server's tokens.
    raw = base64.urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode())
    return raw.decode().rstrip("=")


def _protobuf_body(body: bytes) -> dict[str, Any]:
    """Decode a client-go protobuf body; only built-in kinds have a protobuf form."""
    from kctl.sandbox import _protobuf

    try:
        return _protobuf.decode_object(body)
    except _protobuf.UnknownKindError:
        # Custom resources have no protobuf serializer on a real apiserver either.
        raise st.unsupported_media_type(
            "the body of the request was in an unknown format - accepted media types "
            "include: application/json, application/yaml"
        ) from None
    except ValueError as err:
        raise st.bad_request(str(err)) from None


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _bad_continue(why: str) -> StatusError:
    return st.bad_request(f"invalid continue token: continue key is not valid: {why}")


def _decode_continue(token: str) -> tuple[int, str]:
    # Go's base64.RawURLEncoding names the first byte it cannot use.
    for index, char in enumerate(token):
        if char not in _B64URL:
            raise _bad_continue(f"illegal base64 data at input byte {index}")
    if len(token) % 4 == 1:
        raise _bad_continue(f"illegal base64 data at input byte {len(token) - 1}")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        first = raw[:1].decode("latin-1") or ""
        raise _bad_continue(
            f"invalid character {first!r} looking for beginning of value"
            if first and first not in '{["-0123456789tfn'
            else "unexpected end of JSON input"
        ) from None
    wrong = _bad_continue("incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
    if not isinstance(data, dict) or data.get("v") != "meta.k8s.io/v1":
        raise wrong
    try:
        rv = int(data["rv"])
        start = str(data["start"])
    except (ValueError, KeyError, TypeError):
        raise wrong from None
    if rv <= 0 and rv != -1:
        raise wrong
    return rv, start.rstrip("\x00")


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        patch = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise st.bad_request(f"error decoding patch: {err}") from None
    if not isinstance(patch, dict):
        raise st.bad_request("error decoding patch: patch is not a JSON object")
    return patch


def _strategic(rt: ResourceType, patch: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    from kctl.util import strategicpatch

    meta = strategicpatch.patch_meta_for(rt.group, rt.version, rt.kind)
    if meta is None:
        # Custom resources have no patch strategy; the apiserver refuses SMP for them.
        raise st.unsupported_media_type(
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, "
            "application/apply-patch+yaml"
        )
    return lambda obj: strategicpatch.apply_strategic_merge_patch(obj, patch, meta)


def _to_scale(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj["metadata"]
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    selector = spec.get("selector") or {}
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op = expr.get("operator")
        key = expr.get("key")
        values = ",".join(sorted(expr.get("values") or []))
        if op == "In":
            parts.append(f"{key} in ({values})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({values})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    out_status: dict[str, Any] = {"replicas": status.get("replicas", 0)}
    if parts:
        out_status["selector"] = ",".join(sorted(parts))
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        "spec": {"replicas": spec.get("replicas", 0)} if spec.get("replicas") else {},
        "status": out_status,
    }


def _set_replicas(
    rt: ResourceType, replicas: Any, rv: str | None
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def change(obj: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(replicas, int) or replicas < 0:
            raise StatusError(
                st.status_body(
                    422,
                    "Invalid",
                    f'Scale.autoscaling "{obj["metadata"]["name"]}" is invalid: spec.replicas: '
                    f"Invalid value: {json.dumps(replicas)}: must be greater than or equal to 0",
                )
            )
        if rv and rv != obj["metadata"]["resourceVersion"]:
            raise st.conflict(
                rt.group,
                rt.plural,
                obj["metadata"]["name"],
                "the object has been modified; please apply "
                "your changes to the latest version and try again",
            )
        obj.setdefault("spec", {})["replicas"] = replicas
        return obj

    return change


def _to_yaml(obj: Any) -> bytes:
    # The apiserver's YAML serializer is sigs.k8s.io/yaml over the JSON encoding.
    from kctl.cli._printers._goyaml import dump

    return dump(obj).encode()


# kube-apiserver's default --kubelet-preferred-address-types, in order.
_KUBELET_ADDRESS_TYPES = ("Hostname", "InternalDNS", "InternalIP", "ExternalDNS", "ExternalIP")


def _kubelet_endpoint(node: dict[str, Any]) -> tuple[str, int]:
    """Where kube-apiserver dials a node's kubelet (NodeConnectionInfoGetter): the kubelet's
    reported port (10250 when none), at the node's address of the first preferred type. A
    name (Hostname, *DNS) stands for the IP it resolves to, which is what a dial error shows:
    the node's first IP address, as in a cluster whose node names resolve."""
    status = node.get("status") or {}
    addresses = [a for a in status.get("addresses") or [] if isinstance(a, dict)]
    endpoint = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint")) or {}
    port = endpoint.get("Port")
    port = port if isinstance(port, int) and port > 0 else 10250
    chosen = next(
        (a for t in _KUBELET_ADDRESS_TYPES for a in addresses if a.get("type") == t), None
    )
    if chosen is None:
        # Go's %v of the []NodeAddress it looked through.
        known = " ".join(f"{{{a.get('type', '')} {a.get('address', '')}}}" for a in addresses)
        raise st.unknown(f"no preferred addresses found; known addresses: [{known}]")
    if chosen.get("type") in ("InternalIP", "ExternalIP"):
        return str(chosen.get("address", "")), port
    ips = [a for t in ("InternalIP", "ExternalIP") for a in addresses if a.get("type") == t]
    return str((ips[0] if ips else chosen).get("address", "")), port
