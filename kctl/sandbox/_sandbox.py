"""The embeddable sandbox: store + API + controllers + HTTP server on a background thread."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kctl.errors import KctlError
from kctl.sandbox._api import ApiServer
from kctl.sandbox._auth import (
    ADMIN,
    Authenticator,
    CertAuthenticator,
    TokenAuthenticator,
    auth_middleware,
    load_token_file,
)
from kctl.sandbox._catalog import Catalog
from kctl.sandbox._controllers import Controllers
from kctl.sandbox._faults import Fault, FaultInjector
from kctl.sandbox._http import HTTPServer
from kctl.sandbox._registry import Registry
from kctl.sandbox._store import WATCH_WINDOW_EVENTS, WATCH_WINDOW_SECONDS, Store
from kctl.util._atomic import write_atomic

if TYPE_CHECKING:
    from kctl.rest import Config
    from kctl.sandbox._authz import Attributes
    from kctl.sandbox._runtime import ProcessRuntime
    from kctl.sandbox._tls import Authority, KeyPair

__all__ = ["Sandbox", "SandboxError", "kubeconfig_text", "write_kubeconfig"]

CONTEXT = "kctl-sandbox"


class SandboxError(KctlError):
    """The sandbox could not start (bad seed, port in use, ...)."""


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def kubeconfig_text(
    url: str,
    token: str | None,
    ca_pem: bytes | None = None,
    client: KeyPair | None = None,
    *,
    context: str = CONTEXT,
) -> str:
    user = f"    token: {token}\n" if token else ""
    if client is not None:
        user += (
            f"    client-certificate-data: {base64.b64encode(client.cert_pem).decode()}\n"
            f"    client-key-data: {base64.b64encode(client.key_pem).decode()}\n"
        )
    ca = f"    certificate-authority-data: {base64.b64encode(ca_pem).decode()}\n" if ca_pem else ""
    return (
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        f"- name: {context}\n"
        "  cluster:\n" + ca + f"    server: {url}\n"
        "contexts:\n"
        f"- name: {context}\n"
        "  context:\n"
        f"    cluster: {context}\n"
        f"    user: {context}\n"
        "    namespace: default\n"
        f"current-context: {context}\n"
        "preferences: {}\n"
        "users:\n"
        f"- name: {context}\n"
        "  user:\n" + (user or "    {}\n")
    )


def write_kubeconfig(
    path: str | os.PathLike[str],
    url: str,
    token: str | None,
    ca_pem: bytes | None = None,
    client: KeyPair | None = None,
    *,
    context: str = CONTEXT,
) -> None:
    """Write atomically with mode 0600: the file holds a credential."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, kubeconfig_text(url, token, ca_pem, client, context=context), mode=0o600)


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _defaulter() -> Callable[[Any, dict[str, Any]], None] | None:
    """Everything a create fills in, for objects stored without a request (seeds)."""
    try:
        from kctl.sandbox._defaults import apply_defaults
    except ImportError:
        return None
    return apply_defaults


def _registry_hooks() -> tuple[
    Callable[[Any, dict[str, Any]], None] | None,
    Callable[[Any, dict[str, Any], dict[str, Any] | None, bool], None] | None,
]:
    """The registry's two stages of defaulting: before and after the field manager."""
    try:
        from kctl.sandbox._defaults import admit_and_allocate, decode_defaults
    except ImportError:
        return None, None

    def admit(rt: Any, obj: dict[str, Any], old: dict[str, Any] | None, dry_run: bool) -> None:
        admit_and_allocate(rt, obj, old, dry_run=dry_run)

    return decode_defaults, admit


def _reserve_addresses(objects: list[tuple[tuple[str, str], dict[str, Any]]]) -> None:
    """Restored Services keep their ClusterIPs and NodePorts: never hand them out again."""
    try:
        from kctl.sandbox._defaults import default_allocator
    except ImportError:
        return
    for resource, obj in objects:
        if resource != ("", "services"):
            continue
        spec = obj.get("spec") or {}
        for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
            if ip and ip != "None":
                default_allocator.reserve_ip(ip)
        for port in spec.get("ports") or ():
            if port.get("nodePort"):
                default_allocator.reserve_port(int(port["nodePort"]))


class Sandbox:
    """An API server for tests and demos::

    with Sandbox(seed="demo") as sb:
        sb.rest_config()

    ``tls`` serves HTTPS with a generated CA (``ca_pem``; :meth:`client_cert` issues client
    certificates) and then wants credentials: ``anonymous`` defaults to ``not tls``, and
    requests without credentials get 401 when it is false. ``token_file`` adds kube-apiserver
    token-file users, ``rbac`` enforces the stored Roles, ClusterRoles and bindings as
    kube-apiserver's RBAC authorizer does (see ``_rbac``; ``system:masters``, the admin
    token's group, is always allowed; the default roles and bindings are there), and
    ``authz`` preloads RBAC objects (a file of Roles, ClusterRoles and their bindings, or
    the objects themselves: see ``_preload``), created or updated at each start; it implies
    ``rbac``.
    ``faults`` are fault specs (see ``_faults``; change them later through
    ``sandbox.faults``) and ``state`` a SQLite file that keeps the objects across restarts
    (the seed only fills a new one). As in a real cluster, every namespace gets a
    ``default`` ServiceAccount and the ``kube-root-ca.crt`` ConfigMap; those of the seed's
    namespaces exist by the time :meth:`start` returns. ``root_ca_configmaps=False`` turns
    the root-CA publisher off, for tests that want a namespace with no ConfigMap at all.

    ``runtime="process"`` runs each scheduled pod's containers as host processes, as the
    user running the sandbox (see ``_runtime``): logs are their real output, and pods/exec,
    attach and portforward are served over WebSocket. Without it the stand-in kubelet only
    writes statuses, and exec answers "error dialing backend" as an apiserver with no kubelet.

    Watches resume from a window, as from kube-apiserver's watch cache: per resource, the
    last ``watch_window_events`` events (default 100) and every event younger than
    ``watch_window`` seconds (default 75); nothing from before :meth:`start` (the seed or
    the saved state). A watch from an older resourceVersion gets HTTP 200 and one ERROR
    event, ``410 Expired`` ``too old resource version: RV (OLDEST-1)``, and a client
    relists. ``history`` (events, all resources) bounds exact-version lists and continue
    tokens, as etcd's compaction does.
    """

    def __init__(
        self,
        seed: str = "empty",
        *,
        token: str | None = None,
        no_auth: bool = False,
        anonymous: bool | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        watch_bookmark_interval: float = 60.0,
        now: Callable[[], datetime] | None = None,
        history: int = 20000,
        watch_window: float = WATCH_WINDOW_SECONDS,
        watch_window_events: int = WATCH_WINDOW_EVENTS,
        tls: bool = False,
        token_file: str | None = None,
        authz: str | os.PathLike[str] | Iterable[Mapping[str, Any]] | None = None,
        rbac: bool = False,
        faults: Iterable[Fault | str] = (),
        state: str | None = None,
        root_ca_configmaps: bool = True,
        runtime: str | None = None,
    ) -> None:
        if no_auth and authz is not None:
            raise SandboxError("authz (RBAC objects) cannot be combined with no_auth")
        if rbac and no_auth:
            raise SandboxError("rbac cannot be combined with no_auth")
        if runtime not in (None, "process"):
            raise SandboxError(f'unknown runtime "{runtime}" (the only one is "process")')
        if runtime is not None and not _loopback(host):
            # Whoever reaches the API could run commands as this user: keep it on this host.
            raise SandboxError(f"the process runtime serves on a loopback address only, not {host}")
        self.runtime_name = runtime
        self._rbac_objects = self._load_authz(authz)
        self._authz_source = os.fspath(authz) if isinstance(authz, (str, os.PathLike)) else ""
        rbac = rbac or authz is not None
        self.seed = seed
        self.token: str | None = None if no_auth else (token or secrets.token_urlsafe(32))
        self.authority: Authority | None = None
        if tls:
            from kctl.sandbox._tls import new_authority

            self.authority = new_authority()
        backend = None
        if state is not None:
            from kctl.sandbox._persist import SQLiteBackend, StateError

            try:
                backend = SQLiteBackend(state)
            except StateError as err:
                raise SandboxError(str(err)) from None
        self._backend = backend
        self.host = host
        self.port = port
        self.now: Callable[[], datetime] = now or _utc_now
        self.catalog = Catalog()
        self.store = Store(
            history=history,
            backend=backend,
            watch_window_seconds=watch_window,
            watch_window_events=watch_window_events,
        )
        self.registry = Registry(self.store, self.catalog, lambda: self.now(), *_registry_hooks())
        self.api = ApiServer(self.registry, bookmark_interval=watch_bookmark_interval)
        try:
            self.faults = FaultInjector(faults, store=self.store)
        except ValueError as err:
            raise SandboxError(f"invalid fault: {err}") from None
        self.api.middlewares.append(self.faults)
        if anonymous is None:
            # kubectl sends kubeconfig credentials only over TLS: over http it could not
            # reach a sandbox that refused anonymous requests.
            anonymous = not tls
        if self.token is not None:
            policy: Callable[[Attributes], bool] | None = None
            if rbac:
                from kctl.sandbox._rbac import EscalationCheck, RBACAuthorizer

                policy = RBACAuthorizer(self.store)
                self.registry.write_guards.append(EscalationCheck(policy))
            self.api.authorize = policy
            authenticators = self._authenticators(token_file)
            self.api.token_authenticators = [
                a for a in authenticators if not isinstance(a, CertAuthenticator)
            ]
            self.api.middlewares.append(
                auth_middleware(authenticators, policy, anonymous=anonymous)
            )
        from kctl.sandbox._metrics import Metrics

        self.metrics = Metrics(self.store)
        # Counted outermost (refusals and faults too); served behind authorization.
        self.api.middlewares.insert(0, self.metrics.count)
        self.api.middlewares.append(self.metrics.serve)
        self.controllers = Controllers(self.registry)
        if self.authority is not None:
            self.controllers.root_ca = self.authority.ca_pem.decode()
        self.controllers.publish_root_ca = root_ca_configmaps
        self.runtime: ProcessRuntime | None = None
        self._server: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmpdir: str | None = None
        self._kubeconfig_path = ""
        self._kubeconfig_lock = threading.Lock()
        self.url = ""

    def _authenticators(self, token_file: str | None) -> list[Authenticator]:
        assert self.token is not None
        tokens = {self.token: ADMIN}
        if token_file is not None:
            try:
                tokens.update(load_token_file(token_file))
            except OSError as err:
                raise SandboxError(f"cannot load token file {token_file}: {err.strerror}") from None
            except (ValueError, UnicodeDecodeError) as err:
                raise SandboxError(f"cannot load token file {token_file}: {err}") from None
        from kctl.sandbox._reviews import ServiceAccountTokenAuthenticator

        authenticators: list[Authenticator] = []
        if self.authority is not None:
            authenticators.append(CertAuthenticator())
        # Before the static tokens, which reject any token they don't know.
        authenticators.append(ServiceAccountTokenAuthenticator())
        authenticators.append(TokenAuthenticator(tokens))
        return authenticators

    @staticmethod
    def _load_authz(
        authz: str | os.PathLike[str] | Iterable[Mapping[str, Any]] | None,
    ) -> list[dict[str, Any]]:
        if authz is None:
            return []
        from kctl.sandbox._preload import load_rbac_objects, rbac_objects

        if isinstance(authz, (str, os.PathLike)):
            try:
                return load_rbac_objects(authz)
            except OSError as err:
                raise SandboxError(
                    f"cannot load RBAC objects {os.fspath(authz)}: {err.strerror}"
                ) from None
            except ValueError as err:
                raise SandboxError(f"cannot load RBAC objects {os.fspath(authz)}: {err}") from None
        try:
            return rbac_objects(authz, "authz")
        except ValueError as err:
            raise SandboxError(f"invalid RBAC objects: {err}") from None

    def _preload_rbac(self) -> None:
        """Create or replace the ``authz`` objects, as the sandbox's own writes."""
        from kctl.errors import StatusError
        from kctl.sandbox._registry import storage_key

        for obj in self._rbac_objects:
            group, _, version = obj["apiVersion"].rpartition("/")
            rt = self.catalog.by_kind(group, version, obj["kind"])
            assert rt is not None
            body = dict(obj)
            meta = body["metadata"] = dict(body.get("metadata") or {})
            meta.pop("resourceVersion", None)
            namespace = ""
            if rt.namespaced:
                namespace = meta.get("namespace") or "default"
                meta["namespace"] = namespace
            try:
                if rt.namespaced:
                    self._ensure_namespace(namespace)
                if self.store.get(storage_key(rt), namespace, meta["name"]) is None:
                    self.registry.create(rt, namespace, body)
                else:
                    self.registry.update(rt, namespace, meta["name"], body)
            except StatusError as err:
                where = f" {self._authz_source}" if self._authz_source else ""
                raise SandboxError(f"cannot load RBAC objects{where}: {err.message}") from None

    @property
    def ca_pem(self) -> bytes | None:
        """The CA certificate (PEM) that signs the serving certificate, with ``tls``."""
        return self.authority.ca_pem if self.authority is not None else None

    def client_cert(self, user: str, groups: Iterable[str] = ()) -> KeyPair:
        """A client certificate (PEM pair) authenticating as ``user`` in ``groups``."""
        if self.authority is None:
            raise SandboxError("client certificates need a sandbox started with tls=True")
        return self.authority.client_cert(user, tuple(groups))

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> Sandbox:
        try:
            self._load_state()
            self._preload_rbac()
            self.store.start_watch_cache()
            ssl_context = self.authority.server_context() if self.authority else None
            try:
                self._server = HTTPServer((self.host, self.port), self.api, ssl_context=ssl_context)
            except OSError as err:
                raise SandboxError(
                    f"cannot listen on {self.host}:{self.port}: {err.strerror}"
                ) from None
        except BaseException:
            # The state file stays consistent and unlocked for the next attempt.
            self.store.close()
            raise
        host, port = self._server.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{host_text}]" if ":" in host_text else host_text
        scheme = "https" if ssl_context is not None else "http"
        self.url = f"{scheme}://{shown}:{port}"
        self.api.server_address = f"{shown}:{port}"
        # The seed's namespaces get their default objects before the first request is served,
        # so what a client first sees does not depend on how fast the controllers ran.
        self.controllers.namespace_defaults()
        if self.seed != "demo":
            # The demo seed's `kubernetes` Service and endpoints are those of its own
            # (fictional) control plane; elsewhere they name this server, as on a real one.
            self.controllers.endpoints.apiserver(host_text, port)
        if self.runtime_name == "process":
            from kctl.sandbox._runtime import ProcessRuntime

            self.runtime = ProcessRuntime(on_change=self.controllers.container_changed)
            self.controllers.runtime = self.api.runtime = self.runtime
            self.controllers.timed.jobs.runs_processes = self.runtime.runs_processes
        self.controllers.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="kctl-sandbox-http",
            daemon=True,
        )
        self._thread.start()
        return self

    @property
    def kubeconfig_path(self) -> str:
        """A kubeconfig for this running sandbox in a private temp directory, written on
        first use ("" when not running) and removed by :meth:`stop`. ``kctl sandbox serve``
        never asks, so a server killed with ``kill -9`` leaves no token behind here."""
        with self._kubeconfig_lock:
            if not self._kubeconfig_path and self._server is not None:
                from kctl.sandbox._tmp import private_tempdir

                self._tmpdir = private_tempdir("kubeconfig")
                path = os.path.join(self._tmpdir, "kubeconfig")
                self.write_kubeconfig(path)
                self._kubeconfig_path = path
            return self._kubeconfig_path

    def write_kubeconfig(self, path: str | os.PathLike[str]) -> None:
        """A kubeconfig for this sandbox (context ``kctl-sandbox``, mode 0600) at ``path``."""
        client = None
        if self.token is None and self.authority is not None:
            # Given a TLS cluster and no credential at all, kubectl prompts for a username;
            # an admin client certificate keeps it quiet (the server asks for nothing).
            client = self.authority.client_cert(ADMIN.name, ADMIN.groups)
        write_kubeconfig(path, self.url, self.token, self.ca_pem, client)

    def _load_state(self) -> None:
        backend = self._backend
        if backend is None:
            self._load_seed()
            return
        if not backend.fresh:
            rv, objects = backend.load()
            self.store.restore(objects, rv)
            _reserve_addresses(objects)
            return
        with backend.batch():
            self._load_seed()
            seed = self.seed if self.seed in ("demo", "empty") else os.path.abspath(self.seed)
            backend.set_seed(seed)

    def stop(self) -> None:
        self.api.stopping = True
        self.store.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
            self._server = None
        self.controllers.stop()
        if self.runtime is not None:
            # After the controllers, so that no new pod starts while the others are killed.
            self.runtime.stop()
        with self._kubeconfig_lock:
            if self._tmpdir is not None:
                shutil.rmtree(self._tmpdir, ignore_errors=True)
                self._tmpdir = None
            self._kubeconfig_path = ""

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- conveniences --------------------------------------------------------------------

    def rest_config(self) -> Config:
        from kctl.rest import Config, TLSClientConfig

        tls = TLSClientConfig(ca_data=self.ca_pem or b"")
        return Config(host=self.url, bearer_token=self.token or "", tls=tls)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until the controllers have handled every event so far (for tests)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.controllers.idle():
                return True
            time.sleep(0.005)
        return False

    def create(self, obj: dict[str, Any], *, keep_status: bool = True) -> dict[str, Any]:
        """Store ``obj`` directly (status kept), as a seed would."""
        api_version = obj.get("apiVersion", "v1")
        group, _, version = api_version.rpartition("/")
        rt = self.catalog.by_kind(group, version, obj.get("kind", ""))
        if rt is None:
            raise SandboxError(f"no resource type for {api_version} {obj.get('kind')}")
        namespace = (obj.get("metadata") or {}).get("namespace", "") if rt.namespaced else ""
        return self.registry.create(rt, namespace, obj, keep_status=keep_status)

    def _load_seed(self) -> None:
        from kctl.sandbox._bootstrap import apiserver_objects

        if self.seed == "empty":
            for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
                self._ensure_namespace(name)
            self._load_objects(apiserver_objects(self.catalog, self.now()))
            return
        from kctl.sandbox import _seed

        if self.seed == "demo":
            objects = _seed.demo_objects(self.now())
        else:
            try:
                objects = _seed.load_seed_path(self.seed)
            except (OSError, ValueError) as err:
                raise SandboxError(f"cannot load seed {self.seed}: {err}") from None
        self._load_objects(objects)
        # After the seed, so a seed's own (backdated) system namespaces are the ones kept.
        for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self._ensure_namespace(name)
        born = self.now()
        if self.seed == "demo":
            born -= timedelta(days=_seed.CLUSTER_BIRTH_DAYS)
        self._load_objects(apiserver_objects(self.catalog, born))

    def _ensure_namespace(self, name: str) -> None:
        if self.store.get(("", "namespaces"), "", name) is None:
            self.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})

    def _load_objects(self, objects: list[dict[str, Any]]) -> None:
        from kctl.errors import StatusError
        from kctl.sandbox._registry import storage_key

        defaulter = _defaulter()
        # Namespaces first so namespaced objects find theirs.
        ordered = sorted(objects, key=lambda o: 0 if o.get("kind") == "Namespace" else 1)
        for obj in ordered:
            api_version = obj.get("apiVersion", "v1")
            group, _, version = api_version.rpartition("/")
            rt = self.catalog.by_kind(group, version, obj.get("kind", ""))
            if rt is None:
                raise SandboxError(f"seed: unknown kind {api_version} {obj.get('kind')}")
            meta = obj.get("metadata") or {}
            if self.store.get(
                storage_key(rt),
                meta.get("namespace", "") if rt.namespaced else "",
                meta.get("name", ""),
            ):
                continue
            if meta.get("uid") and meta.get("creationTimestamp"):
                # Fully formed seed objects keep their identity and timestamps.
                stored = dict(obj)
                stored["metadata"] = dict(meta)
                stored["metadata"].pop("resourceVersion", None)
                if rt.namespaced and not stored["metadata"].get("namespace"):
                    stored["metadata"]["namespace"] = "default"
                if rt.namespaced:
                    self._ensure_namespace(stored["metadata"]["namespace"])
                # A real cluster's objects all went through defaulting and admission; seeds
                # written by hand (the demo's too) would otherwise describe with blanks.
                if defaulter is not None:
                    defaulter(rt, stored)
                self.store.put(storage_key(rt), stored)
                continue
            try:
                if rt.namespaced:
                    self._ensure_namespace(meta.get("namespace") or "default")
                self.create(obj)
            except StatusError as err:
                raise SandboxError(f"seed: {err.message}") from None
