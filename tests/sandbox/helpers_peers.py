"""Connections of the three peer clients (the official ``kubernetes`` client, ``lightkube`` and
``kr8s``) to a cluster, from nothing but its kubeconfig file, as their users connect them.

Each helper is a context manager that closes what the client opened, so a test leaves no
connection pool behind for the next one's server.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def kubernetes_api(kubeconfig: str) -> Iterator[Any]:
    """An official-client ``ApiClient`` for the kubeconfig's current context."""
    from kubernetes import config

    api = config.new_client_from_config(config_file=kubeconfig)
    try:
        yield api
    finally:
        api.close()


@contextmanager
def lightkube_client(kubeconfig: str, namespace: str) -> Iterator[Any]:
    from lightkube import Client, KubeConfig

    client = Client(
        config=KubeConfig.from_file(kubeconfig),
        namespace=namespace,
        field_manager="lightkube",
        trust_env=False,
    )
    try:
        yield client
    finally:
        client.close()


@contextmanager
def kr8s_api(kubeconfig: str, namespace: str) -> Iterator[Any]:
    """kr8s' synchronous ``Api`` (it runs its own event loop behind the sync facade)."""
    import kr8s

    yield kr8s.api(kubeconfig=kubeconfig, namespace=namespace)


def wait_until(check: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy, with a deadline (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
