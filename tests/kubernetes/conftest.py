"""A sandbox API server per test module, and a fresh namespace per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from kctl.rest import Config


@pytest.fixture(scope="module")
def sandbox() -> Iterator[object]:
    from kctl.sandbox import Sandbox

    with Sandbox(seed="empty") as sb:
        yield sb


@pytest.fixture
def cfg(sandbox: object) -> Config:
    config: Config = sandbox.rest_config()  # type: ignore[attr-defined]
    # No client-side limiter: these tests send more than the default burst of 10.
    return config.copy(qps=-1)


@pytest.fixture
def ns(cfg: Config) -> str:
    from kctl import kubernetes

    name = f"t-{uuid.uuid4().hex[:8]}"
    kubernetes.new_for_config(cfg).core_v1().namespaces().create(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    )
    return name
