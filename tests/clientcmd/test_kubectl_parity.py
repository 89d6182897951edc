"""kubectl 1.37 as the oracle for kubeconfig resolution.

Each scenario writes kubeconfig files, then
  * runs real ``kubectl get pods`` (scrubbed env, HOME=tmp) against a loopback recording
    server, and kctl's RESTClient (from the Config kctl.clientcmd resolves) against the same
    server, and asserts the same host, Authorization, impersonation and namespace arrived;
  * where the flags allow, compares with ``kubectl config view --minify --raw -o json``.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

from kctl import clientcmd
from kctl.rest import _incluster
from kctl.schema import GroupVersion

KUBECTL = Path(sys.executable).parent / "kubectl"

pytestmark = pytest.mark.skipif(not KUBECTL.exists(), reason="reference kubectl not installed")

_API_RESOURCES = {
    "kind": "APIResourceList",
    "apiVersion": "v1",
    "groupVersion": "v1",
    "resources": [
        {
            "name": "pods",
            "singularName": "pod",
            "namespaced": True,
            "kind": "Pod",
            "verbs": ["get", "list"],
            "shortNames": ["po"],
        }
    ],
}


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: list[dict[str, str]] = []
        self.lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def pod_hits(self) -> list[dict[str, str]]:
        with self.lock:
            return [h for h in self.hits if h["path"].endswith("/pods")]

    def clear(self) -> None:
        with self.lock:
            self.hits.clear()


class _Handler(BaseHTTPRequestHandler):
    server: _Recorder
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.hits.append(
                {
                    "path": path,
                    "host": self.headers.get("Host", ""),
                    "authorization": self.headers.get("Authorization", ""),
                    "impersonate": self.headers.get("Impersonate-User", ""),
                }
            )
        body: Any
        if path == "/api":
            body = {
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{self.server.port}"}
                ],
            }
        elif path == "/apis":
            body = {"kind": "APIGroupList", "apiVersion": "v1", "groups": []}
        elif path == "/api/v1":
            body = _API_RESOURCES
        elif path.startswith("/api/v1/namespaces/") and path.endswith("/pods"):
            body = {
                "kind": "PodList",
                "apiVersion": "v1",
                "metadata": {"resourceVersion": "1"},
                "items": [],
            }
        else:
            self._send(
                404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404}
            )
            return
        self._send(200, body)

    def _send(self, code: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@dataclass
class Servers:
    https: _Recorder
    http: _Recorder
    ca_pem: bytes
    threads: list[threading.Thread] = field(default_factory=list)


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost", "kube.test")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    secure, plain = _Recorder(), _Recorder()
    secure.socket = ctx.wrap_socket(secure.socket, server_side=True)
    result = Servers(https=secure, http=plain, ca_pem=ca.cert_pem.bytes())
    for srv in (secure, plain):
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        result.threads.append(t)
    yield result
    for srv in (secure, plain):
        srv.shutdown()
        srv.server_close()


@dataclass
class Scenario:
    name: str
    files: dict[str, str]  # relative path -> kubeconfig text ({https}, {http} substituted)
    kubeconfig_env: list[str] = field(default_factory=list)
    flags: dict[str, str] = field(default_factory=dict)
    extra_files: dict[str, str] = field(default_factory=dict)
    config_view: bool = True


def _cfg(
    clusters: dict[str, str],
    users: dict[str, str],
    contexts: dict[str, tuple[str, str, str]],
    current: str = "",
) -> str:
    """A kubeconfig; ``users`` values are YAML bodies of the user mapping."""
    out = ["apiVersion: v1", "kind: Config", "clusters:"]
    for name, body in clusters.items():
        out += [f"- name: {name}", "  cluster:"] + [f"    {line}" for line in body.splitlines()]
    out.append("users:")
    for name, body in users.items():
        out += [f"- name: {name}", "  user:"] + [f"    {line}" for line in body.splitlines()]
    out.append("contexts:")
    for name, (cluster, user, ns) in contexts.items():
        out += [f"- name: {name}", "  context:", f"    cluster: {cluster}", f"    user: {user}"]
        if ns:
            out.append(f"    namespace: {ns}")
    out.append(f'current-context: "{current}"')
    return "\n".join(out) + "\n"


SECURE = "server: {https}\ncertificate-authority: ca.crt"
SECURE_SUB = "server: {https}\ncertificate-authority: ../certs/ca.crt"
PLAIN = "server: {http}"
EXEC_USER = (
    "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: ./plugin.py\n"
    "  interactiveMode: Never\n  args: [exec-token]"
)
PLUGIN = (
    "#!{python}\nimport json, sys\n"
    'print(json.dumps({{"apiVersion": "client.authentication.k8s.io/v1", '
    '"kind": "ExecCredential", "status": {{"token": sys.argv[1]}}}}))\n'
)

BASIC = _cfg(
    {"sec": SECURE, "pln": PLAIN},
    {
        "alice": "token: alice-token",
        "bob": "token: bob-token",
        "carol": "username: carol\npassword: pw",
    },
    {
        "main": ("sec", "alice", "team-a"),
        "other": ("sec", "bob", ""),
        "plain": ("pln", "alice", "team-p"),
        "basic": ("sec", "carol", "b-ns"),
    },
    current="main",
)

SECOND = _cfg(
    {"sec": PLAIN, "extra": SECURE},
    {"alice": "token: shadowed-token", "dave": "token: dave-token"},
    {"main": ("extra", "dave", "shadowed"), "dctx": ("extra", "dave", "d-ns")},
    current="dctx",
)

NO_CURRENT = _cfg({"x": SECURE}, {"xu": "token: x-token"}, {"xctx": ("x", "xu", "x-ns")})

SCENARIOS = [
    Scenario("single-file", {"kube/config": BASIC}, ["kube/config"]),
    Scenario(
        "multi-file-first-wins", {"a/config": BASIC, "a/second": SECOND}, ["a/config", "a/second"]
    ),
    Scenario(
        "multi-file-order-swapped",
        {"a/config": BASIC, "a/second": SECOND},
        ["a/second", "a/config"],
    ),
    Scenario(
        "first-file-without-current-context",
        {"a/nocur": NO_CURRENT, "a/config": BASIC},
        ["a/nocur", "a/config"],
    ),
    Scenario("missing-file-skipped", {"a/config": BASIC}, ["a/missing", "a/config", "a/config"]),
    Scenario("context-flag", {"a/config": BASIC}, ["a/config"], {"context": "other"}),
    Scenario(
        "context-from-second-file",
        {"a/config": BASIC, "a/second": SECOND},
        ["a/config", "a/second"],
        {"context": "dctx"},
    ),
    Scenario(
        "cluster-flag",
        {"a/config": BASIC, "a/second": SECOND},
        ["a/second", "a/config"],
        {"cluster": "extra"},
        config_view=False,
    ),
    Scenario("user-flag", {"a/config": BASIC}, ["a/config"], {"user": "bob"}, config_view=False),
    Scenario(
        "namespace-flag",
        {"a/config": BASIC},
        ["a/config"],
        {"namespace": "flag-ns"},
        config_view=False,
    ),
    Scenario(
        "server-flag-https",
        {"a/config": BASIC},
        ["a/config"],
        {"server": "{https_alt}"},
        config_view=False,
    ),
    Scenario(
        "token-flag", {"a/config": BASIC}, ["a/config"], {"token": "flag-token"}, config_view=False
    ),
    Scenario(
        "as-flag", {"a/config": BASIC}, ["a/config"], {"as": "impersonated"}, config_view=False
    ),
    Scenario(
        "http-server-gets-no-credentials", {"a/config": BASIC}, ["a/config"], {"context": "plain"}
    ),
    Scenario("basic-auth", {"a/config": BASIC}, ["a/config"], {"context": "basic"}),
    Scenario(
        "relative-token-file-and-ca",
        {
            "cfgdir/config": _cfg(
                {"c": SECURE_SUB}, {"u": "tokenFile: tokens/t"}, {"ctx": ("c", "u", "tf")}, "ctx"
            )
        },
        ["cfgdir/config"],
        extra_files={"cfgdir/tokens/t": "file-token\n"},
    ),
    Scenario(
        "token-and-token-file",
        {
            "k/config": _cfg(
                {"c": SECURE},
                {"u": "token: inline-token\ntokenFile: tf"},
                {"ctx": ("c", "u", "")},
                "ctx",
            )
        },
        ["k/config"],
        extra_files={"k/tf": "from-file-token\n"},
    ),
    Scenario(
        "exec-plugin-relative-command",
        {"e/config": _cfg({"c": SECURE}, {"u": EXEC_USER}, {"ctx": ("c", "u", "exec-ns")}, "ctx")},
        ["e/config"],
        extra_files={"e/plugin.py": PLUGIN},
    ),
    Scenario(
        "explicit-kubeconfig-ignores-env",
        {"a/config": BASIC, "a/second": SECOND},
        ["a/second"],
        {"kubeconfig": "a/config"},
    ),
    Scenario(
        "insecure-flag-clears-ca",
        {"a/config": BASIC},
        ["a/config"],
        {"insecure-skip-tls-verify": "true"},
        config_view=False,
    ),
]


def _setup(
    tmp_path: Path, servers: Servers, scenario: Scenario
) -> tuple[dict[str, str], dict[str, str]]:
    subst = {
        "https": f"https://127.0.0.1:{servers.https.port}",
        "https_alt": f"https://localhost:{servers.https.port}",
        "http": f"http://127.0.0.1:{servers.http.port}",
        "python": sys.executable,
    }
    for rel, text in {**scenario.files, **scenario.extra_files}.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(**subst))
        if rel.endswith(".py"):
            path.chmod(0o755)
        # Every kubeconfig dir gets the CA next to it, and ../certs for the relative case.
        (path.parent / "ca.crt").write_bytes(servers.ca_pem)
    (tmp_path / "certs").mkdir(exist_ok=True)
    (tmp_path / "certs" / "ca.crt").write_bytes(servers.ca_pem)
    env = {
        "HOME": str(tmp_path),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "KUBECONFIG": os.pathsep.join(str(tmp_path / f) for f in scenario.kubeconfig_env),
    }
    flags = {k: v.format(**subst) for k, v in scenario.flags.items()}
    if "kubeconfig" in flags:
        flags["kubeconfig"] = str(tmp_path / flags["kubeconfig"])
    return env, flags


def _kubectl(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KUBECTL), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def _kctl_client_config(
    flags: dict[str, str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> clientcmd.DeferredLoadingClientConfig:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    rules = clientcmd.new_default_client_config_loading_rules()
    if "kubeconfig" in flags:
        rules.explicit_path = flags["kubeconfig"]
    overrides = clientcmd.ConfigOverrides.from_flags(
        context=flags.get("context"),
        cluster=flags.get("cluster"),
        user=flags.get("user"),
        namespace=flags.get("namespace"),
        server=flags.get("server"),
        token=flags.get("token"),
        as_user=flags.get("as"),
        insecure_skip_tls_verify=flags.get("insecure-skip-tls-verify") == "true",
    )
    return clientcmd.new_non_interactive_deferred_loading_client_config(rules, overrides)


@pytest.fixture(autouse=True)
def _scrubbed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in (
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        "KUBERNETES_MASTER",
        "POD_NAMESPACE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(_incluster, "SERVICE_ACCOUNT_DIR", str(tmp_path / "no-sa"))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_same_request_reaches_the_server(
    scenario: Scenario, servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kctl.rest import rest_client_for

    env, flags = _setup(tmp_path, servers, scenario)
    monkeypatch.chdir(tmp_path)
    args = ["get", "pods"] + [f"--{k}={v}" for k, v in flags.items()]
    for srv in (servers.https, servers.http):
        srv.clear()
    proc = _kubectl(args, env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    kubectl_hits = servers.https.pod_hits() + servers.http.pod_hits()
    assert len(kubectl_hits) == 1, kubectl_hits

    for srv in (servers.https, servers.http):
        srv.clear()
    cc = _kctl_client_config(flags, env, monkeypatch)
    config = cc.client_config().copy(group_version=GroupVersion("", "v1"))
    namespace = cc.namespace()
    client = rest_client_for(config)
    result = client.get().namespace(namespace).resource("pods").do()
    assert result.status_code == 200
    kctl_hits = servers.https.pod_hits() + servers.http.pod_hits()
    assert kctl_hits == kubectl_hits


def _minified_view(env: dict[str, str], flags: dict[str, str], cwd: Path) -> dict[str, Any]:
    args = ["config", "view", "--minify", "--raw", "-o", "json"]
    args += [f"--{k}={v}" for k, v in flags.items()]
    proc = _kubectl(args, env, cwd)
    assert proc.returncode == 0, proc.stderr
    view: dict[str, Any] = json.loads(proc.stdout)
    return view


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s.config_view], ids=lambda s: s.name)
def test_config_view_minify_agrees(
    scenario: Scenario, servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, flags = _setup(tmp_path, servers, scenario)
    view = _minified_view(env, flags, tmp_path)
    cc = _kctl_client_config(flags, env, monkeypatch)
    raw = cc.raw_config()
    context_name = flags.get("context") or raw.current_context
    assert view["current-context"] == context_name
    context = raw.contexts[context_name]
    assert view["contexts"][0]["context"].get("namespace", "") == context.namespace
    assert view["clusters"][0]["cluster"]["server"] == raw.clusters[context.cluster].server
    user = raw.auth_infos[context.auth_info]
    view_user = view["users"][0]["user"]
    assert view_user.get("token", "") == user.token
    assert view_user.get("username", "") == user.username
    assert ("exec" in view_user) == (user.exec is not None)
    expected_ns = context.namespace or "default"
    assert cc.namespace() == expected_ns
