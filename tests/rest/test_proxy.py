"""Proxies: http/https CONNECT and absolute-form, socks5, the environment and NO_PROXY.

Loopback proxy servers (standard library only) record what the client sent them; where real
kubectl can take the same route, the test runs it too and compares what the proxy saw.
"""

from __future__ import annotations

import base64
import os
import selectors
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kctl.errors import ConnectError, TransportError
from kctl.rest import Config, RESTClient, TLSClientConfig
from kctl.rest._proxies import EnvironmentProxies, ProxyURL, parse_proxy_url

KUBECTL = Path(sys.executable).parent / "kubectl"


# -- loopback proxies -------------------------------------------------------------------------


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy both ways until either side closes."""
    sel = selectors.DefaultSelector()
    sel.register(a, selectors.EVENT_READ, b)
    sel.register(b, selectors.EVENT_READ, a)
    try:
        while True:
            for key, _ in sel.select(timeout=30):
                src: Any = key.fileobj
                try:
                    data = src.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                key.data.sendall(data)
    finally:
        sel.close()
        a.close()
        b.close()


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head, rest


@dataclass
class ProxyRequest:
    request_line: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class SocksRequest:
    methods: bytes
    username: str
    password: str
    atyp: int
    address: str
    port: int


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass
class LoopbackProxy:
    """An http(s) proxy: CONNECT tunnels and absolute-form forwarding, every name -> 127.0.0.1.

    ``credentials`` ("user:pass") makes it demand Proxy-Authorization (407 otherwise).
    ``routes`` maps a target host:port to the loopback port that really serves it.
    """

    routes: dict[str, int] = field(default_factory=dict)
    credentials: str = ""
    tls: ssl.SSLContext | None = None
    seen: list[ProxyRequest] = field(default_factory=list)

    def start(self) -> LoopbackProxy:
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._handle(self.request)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.scheme = "https" if self.tls else "http"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()
        return self

    def url(self, userinfo: str = "") -> str:
        at = f"{userinfo}@" if userinfo else ""
        return f"{self.scheme}://{at}127.0.0.1:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _upstream(self, hostport: str) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.routes[hostport]), timeout=10)

    def _handle(self, sock: socket.socket) -> None:
        if self.tls is not None:
            try:
                sock = self.tls.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                return
        head, rest = _read_head(sock)
        if not head:
            return
        line, *lines = head.decode("latin-1").split("\r\n")
        headers = [(k, v.strip()) for k, _, v in (h.partition(":") for h in lines)]
        request = ProxyRequest(line, headers)
        self.seen.append(request)
        if self.credentials:
            expected = "Basic " + base64.b64encode(self.credentials.encode()).decode()
            if request.header("Proxy-Authorization") != expected:
                sock.sendall(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
                )
                sock.close()
                return
        method, target, version = line.split(" ")
        if method == "CONNECT":
            upstream = self._upstream(target)
            sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
        else:
            # Forward in origin form; the rest of the conversation is piped unchanged.
            remainder = target.partition("://")[2]
            hostport, slash, path = remainder.partition("/")
            if ":" not in hostport:
                hostport += ":80"
            upstream = self._upstream(hostport)
            kept = [f"{k}: {v}" for k, v in headers if k.lower() != "proxy-authorization"]
            first = f"{method} {slash}{path} {version}"
            upstream.sendall("\r\n".join([first, *kept]).encode("latin-1") + b"\r\n\r\n" + rest)
        _pipe(sock, upstream)


@dataclass
class LoopbackSocks:
    """A SOCKS5 server (RFC 1928/1929): no-auth or username/password, CONNECT only."""

    routes: dict[str, int] = field(default_factory=dict)
    credentials: str = ""
    seen: list[SocksRequest] = field(default_factory=list)

    def start(self) -> LoopbackSocks:
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._handle(self.request)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()
        return self

    def url(self, userinfo: str = "") -> str:
        at = f"{userinfo}@" if userinfo else ""
        return f"socks5://{at}127.0.0.1:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, sock: socket.socket) -> None:
        f = sock.makefile("rb")
        version, count = f.read(2)
        assert version == 5
        methods = f.read(count)
        username = password = ""
        if self.credentials:
            if 2 not in methods:
                sock.sendall(b"\x05\xff")
                return
            sock.sendall(b"\x05\x02")
            _, ulen = f.read(2)
            username = f.read(ulen).decode()
            (plen,) = f.read(1)
            password = f.read(plen).decode()
            ok = f"{username}:{password}" == self.credentials
            sock.sendall(b"\x01\x00" if ok else b"\x01\x01")
            if not ok:
                return
        else:
            sock.sendall(b"\x05\x00")
        _, cmd, _, atyp = f.read(4)
        assert cmd == 1
        if atyp == 1:
            address = socket.inet_ntop(socket.AF_INET, f.read(4))
        elif atyp == 4:
            address = socket.inet_ntop(socket.AF_INET6, f.read(16))
        else:
            (length,) = f.read(1)
            address = f.read(length).decode()
        (port,) = struct.unpack("!H", f.read(2))
        self.seen.append(SocksRequest(methods, username, password, atyp, address, port))
        hostport = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        try:
            upstream = socket.create_connection(("127.0.0.1", self.routes[hostport]), timeout=10)
        except (KeyError, OSError):
            sock.sendall(b"\x05\x05\x00\x01" + bytes(6))  # connection refused
            return
        sock.sendall(b"\x05\x00\x00\x01" + bytes(6))
        _pipe(sock, upstream)


@pytest.fixture
def proxies() -> Iterator[Callable[..., Any]]:
    started: list[Any] = []

    def make(kind: str = "http", **kw: Any) -> Any:
        server = (LoopbackSocks(**kw) if kind == "socks5" else LoopbackProxy(**kw)).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.close()


@pytest.fixture(autouse=True)
def clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


# -- helpers ----------------------------------------------------------------------------------


@pytest.fixture
def api(serve: Callable[..., Any], server_tls: Callable[..., Any], reply: Any) -> Any:
    """An https API server whose certificate names kube.test and kube.internal only."""
    return serve(
        lambda seen: reply(body={"major": "1"}), tls=server_tls("kube.test", "kube.internal")
    )


@pytest.fixture
def plain_api(serve: Callable[..., Any], reply: Any) -> Any:
    return serve(lambda seen: reply(body={"major": "1"}))


def version(config: Config) -> Any:
    return RESTClient(config, base_path="").get().abs_path("/version").do().json()


def cluster(ca: Any, server: str, proxy: str = "", **tls: Any) -> Config:
    return Config(
        host=server,
        bearer_token="s3cret-token",
        proxy=proxy,
        tls=TLSClientConfig(ca_data=ca.cert_pem.bytes(), **tls),
    )


def write_kubeconfig(path: Path, ca: Any, server: str, proxy: str = "", extra: str = "") -> Path:
    cadata = base64.b64encode(ca.cert_pem.bytes()).decode()
    proxy_line = f"    proxy-url: {proxy}\n" if proxy else ""
    path.write_text(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
        f"    server: {server}\n    certificate-authority-data: {cadata}\n{proxy_line}{extra}"
        "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n"
        "users:\n- name: u\n  user: {token: s3cret-token}\n"
    )
    return path


def run_cli(
    program: str, kubeconfig: Path, env: dict[str, str] | None = None, *args: str
) -> subprocess.CompletedProcess[str]:
    """``get --raw /version`` through kubectl or kctl, with only the given proxy variables."""
    environ = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    environ.pop("REQUEST_METHOD", None)
    environ.update(env or {})
    argv = ([str(KUBECTL)] if program == "kubectl" else [sys.executable, "-m", "kctl"]) + [
        "--kubeconfig",
        str(kubeconfig),
        "get",
        "--raw",
        "/version",
        *args,
    ]
    return subprocess.run(argv, env=environ, capture_output=True, text=True, timeout=60)


needs_kubectl = pytest.mark.skipif(not KUBECTL.exists(), reason="reference kubectl not installed")


def both(kubeconfig: Path, env: dict[str, str] | None = None, *args: str) -> tuple[Any, Any]:
    if not KUBECTL.exists():
        pytest.skip("reference kubectl not installed")
    return run_cli("kubectl", kubeconfig, env, *args), run_cli("kctl", kubeconfig, env, *args)


# -- http(s) proxies ----------------------------------------------------------------------------


def test_https_target_through_connect_proxy(api: Any, ca: Any, proxies: Any) -> None:
    proxy = proxies(routes={"kube.test:6443": api.port}, credentials="us@r:p:ss")
    # The target is verified with the cluster CA under its tls-server-name, inside the tunnel.
    config = cluster(
        ca, "https://kube.test:6443", proxy.url("us%40r:p%3Ass"), server_name="kube.internal"
    )
    assert version(config) == {"major": "1"}
    assert version(config) == {"major": "1"}
    (connect,) = proxy.seen  # the second request reused the tunnel
    # http.client writes the CONNECT line (HTTP/1.0 before Python 3.12; Go says HTTP/1.1).
    assert connect.request_line.startswith("CONNECT kube.test:6443 HTTP/1.")
    assert connect.header("Proxy-Authorization") == (
        "Basic " + base64.b64encode(b"us@r:p:ss").decode()
    )
    # The cluster's credentials never reach the proxy.
    assert connect.header("Authorization") is None
    assert api.seen[-1].headers["authorization"] == "Bearer s3cret-token"
    assert "proxy-authorization" not in api.seen[-1].headers


def test_connect_tunnel_verifies_the_target(
    api: Any, ca: Any, proxies: Any, serve: Callable[..., Any], reply: Any
) -> None:
    import trustme

    proxy = proxies(routes={"kube.test:6443": api.port})
    with pytest.raises(ConnectError, match="certificate signed by unknown authority"):
        version(
            Config(
                host="https://kube.test:6443",
                proxy=proxy.url(),
                tls=TLSClientConfig(ca_data=trustme.CA().cert_pem.bytes()),
            )
        )


@needs_kubectl
def test_connect_request_matches_kubectl(api: Any, ca: Any, proxies: Any, tmp_path: Path) -> None:
    proxy = proxies(routes={"kube.test:6443": api.port}, credentials="u:p")
    kubeconfig = write_kubeconfig(tmp_path / "config", ca, "https://kube.test:6443")
    kubectl, kctl = both(kubeconfig, {"HTTPS_PROXY": proxy.url("u:p")})
    assert (
        (kctl.returncode, kctl.stdout)
        == (kubectl.returncode, kubectl.stdout)
        == (0, '{"major": "1"}')
    )
    go, py = proxy.seen
    assert go.request_line.split()[:2] == py.request_line.split()[:2]
    assert go.header("Proxy-Authorization") == py.header("Proxy-Authorization") == "Basic dTpw"


def test_http_target_through_http_proxy(plain_api: Any, ca: Any, proxies: Any) -> None:
    proxy = proxies(routes={"kube.test:8080": plain_api.port}, credentials="u:p")
    assert version(Config(host="http://kube.test:8080", proxy=proxy.url("u:p"))) == {"major": "1"}
    (seen,) = proxy.seen
    assert seen.request_line == "GET http://kube.test:8080/version HTTP/1.1"
    # The proxy's credentials come last, after Accept-Encoding, as Go's transport adds them.
    assert seen.headers[-2:] == [("Accept-Encoding", "gzip"), ("Proxy-Authorization", "Basic dTpw")]
    assert plain_api.seen[-1].path == "/version"


@needs_kubectl
def test_http_forwarding_matches_kubectl(
    plain_api: Any, ca: Any, proxies: Any, tmp_path: Path
) -> None:
    proxy = proxies(routes={"kube.test:8080": plain_api.port})
    kubeconfig = write_kubeconfig(tmp_path / "config", ca, "http://kube.test:8080")
    kubectl, kctl = both(kubeconfig, {"HTTP_PROXY": proxy.url("u:p")})
    assert kctl.stdout == kubectl.stdout == '{"major": "1"}'
    go, py = proxy.seen
    assert py.request_line == go.request_line == "GET http://kube.test:8080/version HTTP/1.1"
    assert py.headers[-1] == go.headers[-1] == ("Proxy-Authorization", "Basic dTpw")
    assert py.header("Proxy-Authorization") == go.header("Proxy-Authorization") == "Basic dTpw"


def test_proxy_refusing_the_connection(ca: Any) -> None:
    with pytest.raises(ConnectError) as caught:
        version(cluster(ca, "https://kube.test:6443", "http://127.0.0.1:1"))
    assert str(caught.value) == (
        'Get "https://kube.test:6443/version": '
        "proxyconnect tcp: dial tcp 127.0.0.1:1: connect: connection refused"
    )
    assert caught.value.refused


def test_proxy_demanding_credentials(api: Any, plain_api: Any, ca: Any, proxies: Any) -> None:
    proxy = proxies(routes={"kube.test:6443": api.port}, credentials="u:p")
    with pytest.raises(ConnectError) as caught:
        version(cluster(ca, "https://kube.test:6443", proxy.url("u:wrong")))
    assert (
        str(caught.value) == 'Get "https://kube.test:6443/version": Proxy Authentication Required'
    )
    assert not caught.value.refused
    # For an http target the 407 is simply the response.
    from kctl.errors import StatusError

    with pytest.raises(StatusError) as status:
        version(Config(host="http://kube.test:8080", proxy=proxy.url()))
    assert status.value.code == 407


@needs_kubectl
@pytest.mark.parametrize("case", ["refused", "407", "407-http", "bad-proxy-cert"])
def test_proxy_failures_read_like_kubectl(
    case: str, api: Any, ca: Any, proxies: Any, tmp_path: Path, server_tls: Any
) -> None:
    import trustme

    server, proxy_url = "https://kube.test:6443", "http://127.0.0.1:1"
    if case.startswith("407"):
        proxy_url = proxies(routes={"kube.test:6443": api.port}, credentials="u:p").url()
        server = server if case == "407" else "http://kube.test:8080"
    elif case == "bad-proxy-cert":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        trustme.CA().issue_cert("127.0.0.1").configure_cert(ctx)
        proxy_url = proxies(routes={"kube.test:6443": api.port}, tls=ctx).url()
    kubeconfig = write_kubeconfig(tmp_path / "config", ca, server, proxy_url)
    kubectl, kctl = both(kubeconfig)
    assert kubectl.returncode == 1
    assert (kctl.returncode, kctl.stderr) == (kubectl.returncode, kubectl.stderr)


def test_https_proxy_is_verified_with_the_cluster_tls(
    api: Any, plain_api: Any, ca: Any, proxies: Any, server_tls: Any
) -> None:
    import trustme

    routes = {"kube.test:6443": api.port, "kube.test:8080": plain_api.port}
    proxy = proxies(routes=routes, tls=server_tls("127.0.0.1"), credentials="u:p")
    assert version(cluster(ca, "https://kube.test:6443", proxy.url("u:p"))) == {"major": "1"}
    assert proxy.seen[-1].request_line.startswith("CONNECT kube.test:6443 HTTP/1.")

    # tls-server-name applies to the proxy hop as well (Go hands both hops one tls.Config).
    with pytest.raises(ConnectError, match=r"proxyconnect tcp: tls: failed to verify"):
        version(cluster(ca, "https://kube.test:6443", proxy.url("u:p"), server_name="kube.test"))

    # An http cluster has no TLS settings: the proxy is checked against the system roots.
    with pytest.raises(ConnectError) as caught:
        version(Config(host="http://kube.test:8080", proxy=proxy.url("u:p")))
    assert str(caught.value) == (
        'Get "http://kube.test:8080/version": proxyconnect tcp: '
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    )

    other = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(other)
    stranger = proxies(routes=routes, tls=other)
    with pytest.raises(ConnectError, match=r"proxyconnect tcp: .*signed by unknown authority$"):
        version(cluster(ca, "https://kube.test:6443", stranger.url()))
    assert stranger.seen == []


# -- socks5 -------------------------------------------------------------------------------------


@pytest.fixture
def socks_installed() -> None:
    pytest.importorskip("socks")


@pytest.mark.usefixtures("socks_installed")
def test_socks5_for_https_http_and_ip_targets(
    api: Any, plain_api: Any, ca: Any, proxies: Any
) -> None:
    routes = {
        "kube.test:6443": api.port,
        "kube.test:8080": plain_api.port,
        f"127.0.0.1:{plain_api.port}": plain_api.port,
    }
    socks = proxies("socks5", routes=routes)
    assert version(cluster(ca, "https://kube.test:6443", socks.url())) == {"major": "1"}
    assert version(Config(host="http://kube.test:8080", proxy=socks.url())) == {"major": "1"}
    assert version(Config(host=plain_api.url, proxy=socks.url())) == {"major": "1"}
    # Names go to the proxy to resolve (address type 3), IP literals as IPv4 (type 1).
    assert [(s.methods, s.atyp, s.address, s.port) for s in socks.seen] == [
        (b"\x00", 3, "kube.test", 6443),
        (b"\x00", 3, "kube.test", 8080),
        (b"\x00", 1, "127.0.0.1", plain_api.port),
    ]
    assert plain_api.seen[-1].path == "/version"  # origin form: socks is a plain tunnel


@pytest.mark.usefixtures("socks_installed")
def test_socks5_username_password(api: Any, ca: Any, proxies: Any) -> None:
    socks = proxies("socks5", routes={"kube.test:6443": api.port}, credentials="u:p")
    assert version(cluster(ca, "https://kube.test:6443", socks.url("u:p"))) == {"major": "1"}
    assert (socks.seen[-1].methods, socks.seen[-1].username, socks.seen[-1].password) == (
        b"\x00\x02",
        "u",
        "p",
    )
    address = f"127.0.0.1:{socks.port}"
    with pytest.raises(ConnectError) as caught:
        version(cluster(ca, "https://kube.test:6443", socks.url("u:bad")))
    assert str(caught.value) == (
        f'Get "https://kube.test:6443/version": socks connect tcp {address}->kube.test:6443: '
        "username/password authentication failed"
    )
    with pytest.raises(ConnectError, match=r"->kube.test:6443: no acceptable authentication"):
        version(cluster(ca, "https://kube.test:6443", socks.url()))


@pytest.mark.usefixtures("socks_installed")
@pytest.mark.parametrize("case", ["ok", "bad-password", "target-refused", "proxy-refused"])
def test_socks5_matches_kubectl(case: str, api: Any, ca: Any, proxies: Any, tmp_path: Path) -> None:
    socks = proxies("socks5", routes={"kube.test:6443": api.port}, credentials="u:p")
    server, userinfo = "https://kube.test:6443", "u:p"
    if case == "bad-password":
        userinfo = "u:bad"
    elif case == "target-refused":
        server = "https://nowhere.test:6443"
    url = socks.url(userinfo) if case != "proxy-refused" else "socks5://127.0.0.1:1"
    kubeconfig = write_kubeconfig(tmp_path / "config", ca, server, url)
    kubectl, kctl = both(kubeconfig)
    assert (kctl.returncode, kctl.stdout, kctl.stderr) == (
        kubectl.returncode,
        kubectl.stdout,
        kubectl.stderr,
    )
    if case == "ok":
        assert socks.seen[0] == socks.seen[1]


# -- the environment ----------------------------------------------------------------------------


def test_environment_selection() -> None:
    env = EnvironmentProxies(
        {
            "HTTPS_PROXY": "http://upper:1",
            "https_proxy": "http://lower:2",
            "http_proxy": "proxy.corp:3128",
        }
    )
    assert env.proxy_for("https", "kube.test", 443) == ProxyURL("http", "upper", 1)
    # A bare host:port means http; HTTPS_PROXY is never used for http, nor HTTP_PROXY for https.
    assert env.proxy_for("http", "kube.test", 80) == ProxyURL("http", "proxy.corp", 3128)
    assert EnvironmentProxies({"HTTP_PROXY": "http://p:1"}).proxy_for("https", "k", 443) is None
    socks5h = EnvironmentProxies({"HTTPS_PROXY": "socks5h://p"}).proxy_for("https", "k", 443)
    assert socks5h == ProxyURL("socks5h", "p", 1080)
    # Loopback is never proxied from the environment.
    for host in ("localhost", "127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"):
        assert env.proxy_for("https", host, 443) is None
    assert env.proxy_for("https", "127.example.com", 443) is not None


@pytest.mark.parametrize(
    ("no_proxy", "host", "port", "bypassed"),
    [
        ("kube.test", "kube.test", 443, True),
        ("kube.test", "api.kube.test", 443, True),
        ("kube.test", "xkube.test", 443, False),
        (".kube.test", "kube.test", 443, False),
        (".kube.test", "api.kube.test", 443, True),
        ("*.kube.test", "api.kube.test", 443, True),
        ("*.kube.test", "kube.test", 443, False),
        ("KUBE.TEST", "kube.test", 443, True),
        ("kube.test:6443", "kube.test", 6443, True),
        ("kube.test:6443", "kube.test", 443, False),
        ("10.0.0.0/8", "10.1.2.3", 443, True),
        ("10.0.0.0/8", "11.1.2.3", 443, False),
        ("010.0.0.0/8", "10.1.2.3", 443, True),  # apimachinery's sloppy CIDR parsing
        ("fd00::/8", "fd12::1", 443, True),
        ("10.1.2.3", "10.1.2.3", 443, True),
        ("10.1.2.3:80", "10.1.2.3", 443, False),
        ("[fd00::1]:443", "fd00::1", 443, True),
        ("*", "anything.example", 443, True),
        ("a.test, *", "kube.test", 443, True),
        (" other.test ,kube.test ", "kube.test", 443, True),
        ("", "kube.test", 443, False),
    ],
)
def test_no_proxy(no_proxy: str, host: str, port: int, bypassed: bool) -> None:
    env = EnvironmentProxies({"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": no_proxy})
    assert (env.proxy_for("https", host, port) is None) is bypassed


def test_cgi_environment_refuses_http_proxy(
    plain_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")
    monkeypatch.setenv("REQUEST_METHOD", "GET")
    with pytest.raises(TransportError) as caught:
        version(Config(host="http://kube.test:8080"))
    assert str(caught.value) == (
        'Get "http://kube.test:8080/version": refusing to use HTTP_PROXY value in CGI '
        "environment; see golang.org/s/cgihttpproxy"
    )


@needs_kubectl
@pytest.mark.parametrize(
    ("no_proxy", "proxied"), [("", True), ("0.0.0.0/8", False), ("0.0.0.0", False)]
)
def test_no_proxy_cidr_end_to_end(
    no_proxy: str, proxied: bool, api: Any, ca: Any, proxies: Any, tmp_path: Path
) -> None:
    # 0.0.0.0 reaches the loopback server without being a loopback address to Go.
    target = f"0.0.0.0:{api.port}"
    proxy = proxies(routes={target: api.port})
    env = {"HTTPS_PROXY": proxy.url(), "NO_PROXY": no_proxy}
    extra = "    tls-server-name: kube.test\n"
    kubeconfig = write_kubeconfig(tmp_path / "config", ca, f"https://{target}", extra=extra)
    kubectl, kctl = both(kubeconfig, env)
    assert kctl.stdout == kubectl.stdout == '{"major": "1"}'
    expected = [f"CONNECT {target}"] * 2 if proxied else []
    assert [seen.request_line.rpartition(" ")[0] for seen in proxy.seen] == expected


@needs_kubectl
def test_proxy_url_beats_the_environment(api: Any, ca: Any, proxies: Any, tmp_path: Path) -> None:
    proxy = proxies(routes={"kube.test:6443": api.port})
    env = {"HTTPS_PROXY": "http://127.0.0.1:1", "NO_PROXY": "kube.test"}
    kubeconfig = write_kubeconfig(tmp_path / "config", ca, "https://kube.test:6443", proxy.url())
    kubectl, kctl = both(kubeconfig, env)
    assert kctl.stdout == kubectl.stdout == '{"major": "1"}'
    assert len(proxy.seen) == 2


# -- secrets ------------------------------------------------------------------------------------


def test_proxy_credentials_never_logged(
    api: Any, plain_api: Any, ca: Any, proxies: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = {"kube.test:6443": api.port, "kube.test:8080": plain_api.port}
    proxy = proxies(routes=routes, credentials="user:pr0xy-pass")
    secrets = ("pr0xy-pass", base64.b64encode(b"user:pr0xy-pass").decode())
    for verbosity in (6, 7, 8, 9, 10):
        for config in (
            cluster(ca, "https://kube.test:6443", proxy.url("user:pr0xy-pass")),
            Config(host="http://kube.test:8080", proxy=proxy.url("user:pr0xy-pass")),
        ):
            version(config.copy(verbosity=verbosity))
            logged = capsys.readouterr().err
            assert "round_trippers" in logged
            assert not any(secret in logged for secret in secrets)
    assert "pr0xy-pass" not in repr(parse_proxy_url(proxy.url("user:pr0xy-pass")))
    assert parse_proxy_url("http://u:pw@p:1").redacted() == "http://u:xxxxx@p:1"


def test_config_repr_hides_the_proxy_password() -> None:
    text = repr(Config(host="https://k", proxy="http://user:pr0xy-pass@127.0.0.1:3128"))
    assert "pr0xy-pass" not in text
    assert "proxy='http://user:xxxxx@127.0.0.1:3128'" in text
