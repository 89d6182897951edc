"""Proxy subresources reaching something: a pod at a loopback address (as a process runtime
gives them) gets the request forwarded; the sandbox's invented addresses refuse. (A node at a
loopback address is refused as on the real server: test_differential_proxy.py.)"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from kctl.sandbox import Sandbox
from tests.sandbox.helpers_http import call, node, wait_for

PODS = "/api/v1/namespaces/default/pods"
SVCS = "/api/v1/namespaces/default/services"


class _Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": self.rfile.read(length).decode(),
            }
        ).encode()
        # /healthz is fine; anything else is a teapot, which the tests can tell from 200.
        self.send_response(200 if self.path.startswith("/healthz") else 418)
        self.send_header("Content-Type", "application/x-echo")
        self.send_header("X-Upstream", "yes")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def upstream() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def _loopback_pod(sb: Sandbox, port: int) -> None:
    """A running pod whose address is 127.0.0.1, as a process runtime reports it."""
    assert call(sb, "POST", "/api/v1/nodes", node("n1")).status == 201
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "labels": {"app": "web"}},
        "spec": {
            "containers": [
                {"name": "c", "image": "app", "ports": [{"name": "web", "containerPort": port}]}
            ]
        },
    }
    assert call(sb, "POST", PODS, body).status == 201
    assert wait_for(lambda: call(sb, "GET", f"{PODS}/p").json()["status"].get("podIP"))
    assert sb.wait_idle(timeout=10)
    patch = {"status": {"podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}]}}
    reply = call(
        sb, "PATCH", f"{PODS}/p/status", patch, content_type="application/merge-patch+json"
    )
    assert reply.status == 200


def test_a_service_proxy_reaches_a_loopback_pod(sandbox: Sandbox, upstream: int) -> None:
    _loopback_pod(sandbox, upstream)
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "web"}],
        },
    }
    assert call(sandbox, "POST", SVCS, svc).status == 201
    path = f"{SVCS}/web:80/proxy/hello/?x=1&y=2"

    def forwarded() -> Any:
        reply = call(sandbox, "POST", path, {"a": 1}, headers={"X-Mine": "kept"})
        return reply if reply.status == 418 else None

    reply = wait_for(forwarded)
    assert reply is not None
    assert reply.headers["content-type"] == "application/x-echo"
    assert reply.headers["x-upstream"] == "yes"
    seen = reply.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/hello/?x=1&y=2"
    assert seen["body"] == '{"a": 1}'
    assert seen["headers"]["x-mine"] == "kept"
    # The apiserver consumed the credential; the pod never sees it.
    assert "authorization" not in seen["headers"]


def test_a_pod_proxy_reaches_a_loopback_pod(sandbox: Sandbox, upstream: int) -> None:
    _loopback_pod(sandbox, upstream)
    # Without a port: the first container port.
    reply = call(sandbox, "GET", f"{PODS}/p/proxy/metrics")
    assert reply.status == 418
    assert reply.json()["path"] == "/metrics"
    reply = call(sandbox, "PUT", f"{PODS}/http:p:{upstream}/proxy", {})
    assert reply.status == 418
    assert reply.json()["path"] == "/"


def test_nothing_listens_at_invented_addresses(sandbox: Sandbox) -> None:
    assert call(sandbox, "POST", "/api/v1/nodes", node("n1")).status == 201
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "q"},
        "spec": {"containers": [{"name": "c", "image": "app", "ports": [{"containerPort": 8080}]}]},
    }
    assert call(sandbox, "POST", PODS, body).status == 201
    ip = wait_for(lambda: call(sandbox, "GET", f"{PODS}/q").json()["status"].get("podIP"))
    reply = call(sandbox, "GET", f"{PODS}/q/proxy/")
    assert reply.status == 503
    assert reply.json()["message"] == (
        f"error trying to reach service: dial tcp {ip}:8080: connect: connection refused"
    )
    assert reply.json()["reason"] == "ServiceUnavailable"
    reply = call(sandbox, "GET", "/api/v1/nodes/n1/proxy/healthz")
    assert reply.status == 503
    assert reply.json()["message"] == (
        "error trying to reach service: dial tcp 172.18.0.5:10250: connect: connection refused"
    )


def test_a_loopback_pod_with_nothing_listening_refuses(sandbox: Sandbox) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), _Echo) as closed:
        port = int(closed.server_address[1])
    _loopback_pod(sandbox, port)
    reply = call(sandbox, "GET", f"{PODS}/p/proxy/")
    assert reply.status == 503
    assert reply.json()["message"] == (
        f"error trying to reach service: dial tcp 127.0.0.1:{port}: connect: connection refused"
    )


def test_kubectl_get_raw_reaches_the_pod(sandbox: Sandbox, upstream: int, run_kubectl: Any) -> None:
    _loopback_pod(sandbox, upstream)
    out = run_kubectl(sandbox, "get", "--raw", "/api/v1/namespaces/default/pods/p/proxy/healthz")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["path"] == "/healthz"
    # Any other status is an error to kubectl, which has no Status to show.
    out = run_kubectl(sandbox, "get", "--raw", "/api/v1/namespaces/default/pods/p/proxy/teapot")
    assert out.returncode == 1
    assert out.stderr == (
        "Error from server: the server responded with the status code 418 but did not return "
        "more information\n"
    )
