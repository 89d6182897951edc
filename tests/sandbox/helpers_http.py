"""Helpers for sandbox tests: a tiny HTTP client (stdlib only, so failures point at the
server), polling with a deadline, and sample objects."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from kctl.sandbox import Sandbox


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    sb: Sandbox,
    method: str,
    path: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    token: str | None = "default",
    content_type: str = "application/json",
) -> Reply:
    parts = urlsplit(sb.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    hdrs = {"Accept": "application/json"}
    if token == "default":
        token = sb.token
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    data: bytes | None = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs["Content-Type"] = content_type
    hdrs.update(headers or {})
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def watch_lines(sb: Sandbox, path: str, headers: dict[str, str] | None = None) -> Any:
    """Open a watch and return (connection, response); read events with next_event()."""
    parts = urlsplit(sb.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    hdrs = {"Accept": "application/json", "Authorization": f"Bearer {sb.token}"}
    hdrs.update(headers or {})
    conn.request("GET", path, headers=hdrs)
    return conn, conn.getresponse()


def next_event(resp: http.client.HTTPResponse) -> dict[str, Any] | None:
    line = resp.readline()
    if not line:
        return None
    return json.loads(line)  # type: ignore[no-any-return]


def pod(
    name: str, namespace: str = "default", labels: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
    }


def node(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "addresses": [{"type": "InternalIP", "address": "172.18.0.5"}],
        },
    }


def deployment_yaml(replicas: int) -> str:
    """The ``web`` Deployment (one nginx container) as kubectl apply -f - reads it."""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
"""


def wait_for(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll ``check`` until it returns something truthy or the deadline passes; its last
    result either way (the controllers run in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.01)
