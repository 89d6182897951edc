"""Environment: etcd and kube-apiserver on free loopback ports, for the length of a test."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kctl.envtest._assets import find_assets
from kctl.errors import KctlError

if TYPE_CHECKING:
    from kctl.rest import Config
    from kctl.sandbox._tls import Authority, KeyPair

__all__ = ["Environment", "EnvtestError"]

CONTEXT = "kctl-envtest"
ADMIN_USER = "kctl-envtest-admin"
ADMIN_GROUPS = ("system:masters",)
_CRD_GVR = ("apiextensions.k8s.io", "v1", "customresourcedefinitions")
_LOG_TAIL = 20


class EnvtestError(KctlError):
    """The control plane did not start, or a CRD was not served in time."""


def _free_port() -> int:
    # As controller-runtime: ask the kernel for a free port and hand it on. Another process
    # could take it in between; start() retries once on a bind failure for that reason.
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _signing_key_pem() -> bytes:
    """An RSA key for service-account tokens (kube-apiserver signs with it, and verifies)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _stop_process(proc: subprocess.Popen[bytes] | None, grace: float) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _teardown(procs: list[subprocess.Popen[bytes]], workdir: str | None) -> None:
    # kube-apiserver before etcd, so the server does not spend its grace period on retries.
    for proc in procs:
        _stop_process(proc, grace=10.0)
    if workdir is not None:
        shutil.rmtree(workdir, ignore_errors=True)


def _load_documents(source: str | os.PathLike[str] | Mapping[str, Any]) -> list[dict[str, Any]]:
    if isinstance(source, Mapping):
        return [dict(source)]
    path = Path(source)
    files = (
        sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
        if path.is_dir()
        else [path]
    )
    import yaml

    from kctl.util import goyaml

    # go-yaml's rules, as kubectl reads the same files (timestamps stay strings, ...).
    docs: list[dict[str, Any]] = []
    for file in files:
        with file.open("rb") as fh:
            docs.extend(d for d in yaml.load_all(fh, Loader=goyaml.loader()) if d)
    return docs


class Environment:
    """A real kube-apiserver backed by etcd, started on free ports of 127.0.0.1.

    It has the face of :class:`kctl.sandbox.Sandbox`: use it as a context manager, or call
    :meth:`start` and :meth:`stop`. Clients authenticate as ``system:masters`` with a client
    certificate (:meth:`rest_config`) or with :attr:`token`.

    ``crds`` are CustomResourceDefinitions to install once the server is ready: dicts, files
    (YAML, several documents allowed, or JSON) or directories searched recursively;
    :meth:`start` returns once each is established and served by discovery.
    """

    def __init__(
        self,
        *,
        crds: Iterable[str | os.PathLike[str] | Mapping[str, Any]] = (),
        binary_assets_directory: str | os.PathLike[str] | None = None,
        start_timeout: float = 60.0,
        crd_timeout: float = 30.0,
        apiserver_args: Sequence[str] = (),
    ) -> None:
        self._crds = list(crds)
        self._assets_dir = binary_assets_directory
        self.start_timeout = start_timeout
        self.crd_timeout = crd_timeout
        self.apiserver_args = tuple(apiserver_args)
        self.url = ""
        # etcd's client URL (plain http on 127.0.0.1), for tests that reach under the server.
        self.etcd_url = ""
        self.token = ""
        # A kubeconfig for this environment, written at start and removed at stop.
        self.kubeconfig_path = ""
        self.authority: Authority | None = None
        self._client: KeyPair | None = None
        self._workdir: str | None = None
        self._procs: list[subprocess.Popen[bytes]] = []
        self._finalizer: weakref.finalize[Any, Any] | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> Environment:
        if self._procs:
            raise EnvtestError("the environment is already started")
        assets = find_assets(self._assets_dir)
        self._workdir = tempfile.mkdtemp(prefix="kctl-envtest-")
        # Tear down at interpreter exit too: a test runner that dies must not leave servers.
        self._finalizer = weakref.finalize(self, _teardown, self._procs, self._workdir)
        try:
            self._write_credentials()
            for attempt in (1, 2):
                try:
                    self._start_etcd(assets)
                    self._start_apiserver(assets)
                    break
                except _PortTaken:
                    self._stop_processes()
                    if attempt == 2:
                        raise EnvtestError("no free port for etcd and kube-apiserver") from None
            self._wait_ready()
            self.kubeconfig_path = str(self._path("kubeconfig"))
            self.write_kubeconfig(self.kubeconfig_path)
            if self._crds:
                self.install_crds(self._crds)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop kube-apiserver and etcd and remove every file they used."""
        if self._finalizer is not None:
            self._finalizer()  # runs _teardown once, and never again at exit
            self._finalizer = None
        self._procs.clear()
        self._workdir = None
        self.kubeconfig_path = ""

    def __enter__(self) -> Environment:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- clients ---------------------------------------------------------------------------

    @property
    def ca_pem(self) -> bytes:
        if self.authority is None:
            raise EnvtestError("the environment is not started")
        return self.authority.ca_pem

    def rest_config(self) -> Config:
        """A Config for ``system:masters`` by client certificate."""
        from kctl.rest import Config, TLSClientConfig

        if self._client is None:
            raise EnvtestError("the environment is not started")
        tls = TLSClientConfig(
            ca_data=self.ca_pem, cert_data=self._client.cert_pem, key_data=self._client.key_pem
        )
        return Config(host=self.url, tls=tls)

    def write_kubeconfig(self, path: str | os.PathLike[str]) -> None:
        """A kubeconfig (context ``kctl-envtest``, mode 0600) with the admin client certificate."""
        from kctl.sandbox import write_kubeconfig

        if self._client is None:
            raise EnvtestError("the environment is not started")
        write_kubeconfig(path, self.url, None, self.ca_pem, self._client, context=CONTEXT)

    def install_crds(self, crds: Iterable[str | os.PathLike[str] | Mapping[str, Any]]) -> None:
        """Create CRDs and wait until discovery serves every version they serve."""
        from kctl import dynamic
        from kctl.schema import GroupVersionResource

        docs = [doc for source in crds for doc in _load_documents(source)]
        for doc in docs:
            if doc.get("kind") != "CustomResourceDefinition":
                raise EnvtestError(
                    f"not a CustomResourceDefinition: {doc.get('kind')!r} "
                    f"{(doc.get('metadata') or {}).get('name', '')!r}"
                )
        config = self.rest_config().copy(qps=-1)
        crd_client = dynamic.new_for_config(config).resource(GroupVersionResource(*_CRD_GVR))
        for doc in docs:
            crd_client.create(doc)
        self._wait_crds_served(config, docs)

    # --- internals -------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        assert self._workdir is not None
        return Path(self._workdir) / name

    def _write_credentials(self) -> None:
        from kctl.sandbox._tls import Authority

        self.authority = Authority("kctl-envtest-ca")
        serving = self.authority.server_cert()
        self._client = self.authority.client_cert(ADMIN_USER, ADMIN_GROUPS)
        self.token = secrets.token_urlsafe(32)
        _write_private(self._path("ca.crt"), self.authority.ca_pem)
        _write_private(self._path("apiserver.crt"), serving.cert_pem)
        _write_private(self._path("apiserver.key"), serving.key_pem)
        _write_private(self._path("sa.key"), _signing_key_pem())
        groups = ",".join(ADMIN_GROUPS)
        _write_private(
            self._path("tokens.csv"),
            f'{self.token},{ADMIN_USER},{ADMIN_USER},"{groups}"\n'.encode(),
        )

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = self._path(f"{name}.log").open("ab")
        with log:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self._workdir,
            )
        # kube-apiserver first in the list, so teardown stops it before etcd.
        self._procs.insert(0, proc)
        return proc

    def _start_etcd(self, assets: Path) -> None:
        client, peer = _free_port(), _free_port()
        data = self._path("etcd")
        shutil.rmtree(data, ignore_errors=True)
        self.etcd_url = f"http://127.0.0.1:{client}"
        self._etcd = self._spawn(
            "etcd",
            [
                str(assets / "etcd"),
                "--name=envtest",
                f"--data-dir={data}",
                f"--listen-client-urls={self.etcd_url}",
                f"--advertise-client-urls={self.etcd_url}",
                f"--listen-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-cluster=envtest=http://127.0.0.1:{peer}",
                # A test cluster's data is thrown away: durability buys nothing here.
                "--unsafe-no-fsync=true",
                "--log-level=warn",
            ],
        )

    def _start_apiserver(self, assets: Path) -> None:
        port = _free_port()
        self.url = f"https://127.0.0.1:{port}"
        self._apiserver = self._spawn(
            "kube-apiserver",
            [
                str(assets / "kube-apiserver"),
                f"--etcd-servers={self.etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={port}",
                f"--cert-dir={self._path('certs')}",
                f"--tls-cert-file={self._path('apiserver.crt')}",
                f"--tls-private-key-file={self._path('apiserver.key')}",
                f"--client-ca-file={self._path('ca.crt')}",
                f"--token-auth-file={self._path('tokens.csv')}",
                f"--service-account-issuer={self.url}",
                f"--service-account-key-file={self._path('sa.key')}",
                f"--service-account-signing-key-file={self._path('sa.key')}",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--authorization-mode=Node,RBAC",
                "--allow-privileged=true",
                # The endpoint reconciler refuses a loopback advertise address, and there is no
                # network behind the "kubernetes" Service for it to publish anyway.
                "--endpoint-reconciler-type=none",
                # No controller manager creates the default ServiceAccount, which this
                # admission plugin would require of every pod (controller-runtime does the same).
                "--disable-admission-plugins=ServiceAccount",
                *self.apiserver_args,
            ],
        )

    def _log_tail(self, name: str) -> str:
        try:
            lines = self._path(f"{name}.log").read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-_LOG_TAIL:])

    def _check_alive(self) -> None:
        for name, proc in (("etcd", self._etcd), ("kube-apiserver", self._apiserver)):
            code = proc.poll()
            if code is None:
                continue
            tail = self._log_tail(name)
            if "address already in use" in tail:
                raise _PortTaken(name)
            raise EnvtestError(f"{name} exited with code {code}:\n{tail}")

    def _wait_ready(self) -> None:
        from kctl.rest import unversioned_rest_client_for

        client = unversioned_rest_client_for(self.rest_config().copy(qps=-1, timeout=5.0))
        deadline = time.monotonic() + self.start_timeout
        last = ""
        while True:
            self._check_alive()
            try:
                client.get().abs_path("/readyz").do_raw()
                return
            except KctlError as err:  # not listening yet, or a post-start hook still running
                last = str(err)
            if time.monotonic() > deadline:
                raise EnvtestError(
                    f"kube-apiserver was not ready within {self.start_timeout:g}s: {last}\n"
                    + self._log_tail("kube-apiserver")
                )
            time.sleep(0.1)

    def _wait_crds_served(self, config: Config, docs: list[dict[str, Any]]) -> None:
        from kctl.rest import unversioned_rest_client_for

        client = unversioned_rest_client_for(config)
        wanted = [
            (doc["spec"]["group"], version["name"], doc["spec"]["names"]["plural"])
            for doc in docs
            for version in doc["spec"].get("versions", [])
            if version.get("served", True)
        ]
        deadline = time.monotonic() + self.crd_timeout
        while wanted:
            group, version, plural = wanted[0]
            try:
                body = client.get().abs_path("apis", group, version).do_raw()
                served = {r.get("name") for r in json.loads(body).get("resources", [])}
            except KctlError:
                served = set()
            if plural in served:
                wanted.pop(0)
                continue
            if time.monotonic() > deadline:
                raise EnvtestError(
                    f"CustomResourceDefinition {plural}.{group} was not served as {version} "
                    f"within {self.crd_timeout:g}s"
                )
            time.sleep(0.05)

    def _stop_processes(self) -> None:
        for proc in list(self._procs):
            _stop_process(proc, grace=10.0)
        self._procs.clear()


class _PortTaken(Exception):
    """A port picked as free was taken before the server bound it."""
