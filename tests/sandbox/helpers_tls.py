"""HTTPS calls and kubeconfigs for TLS/auth sandbox tests (stdlib client, real kubectl)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kctl.sandbox import Sandbox

KUBECTL = str(Path(sys.executable).parent / "kubectl")


def client_context(sb: Sandbox, tmp: Path, cert: Any = None) -> ssl.SSLContext:
    assert sb.ca_pem is not None
    ctx = ssl.create_default_context(cadata=sb.ca_pem.decode())
    if cert is not None:
        (tmp / "client.crt").write_bytes(cert.cert_pem)
        (tmp / "client.key").write_bytes(cert.key_pem)
        ctx.load_cert_chain(str(tmp / "client.crt"), str(tmp / "client.key"))
    return ctx


def https_call(
    sb: Sandbox,
    ctx: ssl.SSLContext,
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: Any = None,
) -> tuple[int, dict[str, Any] | str]:
    parts = urlsplit(sb.url)
    conn = http.client.HTTPSConnection(parts.hostname, parts.port, context=ctx, timeout=30)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, json.loads(raw)
    except ValueError:
        return resp.status, raw.decode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def write_kubeconfig(
    path: Path, sb: Sandbox, *, token: str = "", cert: Any = None, namespace: str = "default"
) -> Path:
    assert sb.ca_pem is not None
    user: dict[str, str] = {}
    if token:
        user["token"] = token
    if cert is not None:
        user["client-certificate-data"] = b64(cert.cert_pem)
        user["client-key-data"] = b64(cert.key_pem)
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "sb",
                "cluster": {"server": sb.url, "certificate-authority-data": b64(sb.ca_pem)},
            }
        ],
        "users": [{"name": "u", "user": user}],
        "contexts": [
            {"name": "sb", "context": {"cluster": "sb", "user": "u", "namespace": namespace}}
        ],
        "current-context": "sb",
    }
    path.write_text(json.dumps(config))
    os.chmod(path, 0o600)
    return path


def kubectl(
    kubeconfig: Path, *args: str, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home or kubeconfig.parent),
        "KUBECONFIG": str(kubeconfig),
    }
    return subprocess.run(
        [KUBECTL, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )
