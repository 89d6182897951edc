"""``kctl sandbox serve``: HTTPS with credentials by default, --no-auth, --no-tls."""

from __future__ import annotations

import base64
import http.client
import json
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

KUBECTL = str(Path(sys.executable).parent / "kubectl")
UNAUTHORIZED = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "Unauthorized",
    "reason": "Unauthorized",
    "code": 401,
}


class Served:
    def __init__(self, url: str, kubeconfig: Path) -> None:
        self.url = url
        self.kubeconfig = kubeconfig
        data = yaml.safe_load(kubeconfig.read_text())
        self.cluster = data["clusters"][0]["cluster"]
        self.user = data["users"][0]["user"] or {}

    def call(self, path: str, token: str | None = None) -> tuple[int, Any]:
        parts = urlsplit(self.url)
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            ca = base64.b64decode(self.cluster["certificate-authority-data"]).decode()
            ctx = ssl.create_default_context(cadata=ca)
            conn = http.client.HTTPSConnection(parts.hostname, parts.port, context=ctx, timeout=30)
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read())
        finally:
            conn.close()

    def kubectl(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": "", "HOME": str(self.kubeconfig.parent), "KUBECONFIG": str(self.kubeconfig)}
        return subprocess.run(
            [KUBECTL, *args],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(*flags: str) -> Served:
        kubeconfig = tmp_path / f"config-{len(procs)}"
        log = tmp_path / f"log-{len(procs)}"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "kctl", "sandbox", "serve", "--seed", "empty",
                 "--kubeconfig-out", str(kubeconfig), *flags],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        procs.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for line in log.read_text().splitlines():
                if line.startswith("ready "):
                    return Served(line.split()[1], kubeconfig)
            if proc.poll() is not None:
                raise AssertionError(f"serve exited: {log.read_text()}")
            time.sleep(0.02)
        raise AssertionError("serve was not ready in time")

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=30)


def test_https_with_a_token_by_default(serve: Any) -> None:
    served = serve()
    assert served.url.startswith("https://127.0.0.1:")
    assert served.cluster["server"] == served.url
    assert "insecure-skip-tls-verify" not in served.cluster
    token = served.user["token"]
    assert served.call("/api/v1/namespaces") == (401, UNAUTHORIZED)
    assert served.call("/api/v1/namespaces", token="wrong") == (401, UNAUTHORIZED)
    status, body = served.call("/api/v1/namespaces", token=token)
    assert (status, body["kind"]) == (200, "NamespaceList")
    result = served.kubectl("get", "ns", "default", "-o", "name")
    assert (result.returncode, result.stdout) == (0, "namespace/default\n"), result.stderr
    # And over "localhost": the serving certificate names it too.
    local = served.kubectl("get", "ns", "-s", served.url.replace("127.0.0.1", "localhost"))
    assert local.returncode == 0, local.stderr


def test_given_token(serve: Any) -> None:
    served = serve("--tls", "--token", "s3cret-token-value")
    assert served.user == {"token": "s3cret-token-value"}
    assert served.call("/api", token="s3cret-token-value")[0] == 200


def test_no_auth_allows_anonymous_over_https(serve: Any) -> None:
    served = serve("--no-auth")
    assert served.url.startswith("https://")
    status, body = served.call("/api/v1/namespaces")
    assert (status, body["kind"]) == (200, "NamespaceList")
    result = served.kubectl("get", "ns", "default", "-o", "name")
    assert (result.returncode, result.stdout) == (0, "namespace/default\n"), result.stderr


def test_no_tls_serves_anonymous_http(serve: Any) -> None:
    served = serve("--no-tls")
    assert served.url.startswith("http://127.0.0.1:")
    assert "certificate-authority-data" not in served.cluster
    status, body = served.call("/api/v1/namespaces")
    assert (status, body["kind"]) == (200, "NamespaceList")
    assert served.call("/api/v1/namespaces", token="wrong") == (401, UNAUTHORIZED)
    result = served.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
    assert (result.returncode, result.stdout) == (0, "system:anonymous"), result.stderr


def test_help_explains_the_defaults() -> None:
    def help_text(verb: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "kctl", "sandbox", verb, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return " ".join(result.stdout.split())

    serve_help = help_text("serve")
    assert "--tls / --no-tls" in serve_help and "[default: tls]" in serve_help
    assert "kubectl and client-go never send credentials over http" in serve_help
    assert "requests without get 401" in serve_help
    assert "--tls / --no-tls" in help_text("up")
