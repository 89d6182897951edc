"""Per test, on each backend of the ``cluster`` fixture: a client Config and a fresh
namespace."""

from __future__ import annotations

from typing import Any

import pytest

from kctl.rest import Config


@pytest.fixture
def cfg(cluster: Any) -> Config:
    config: Config = cluster.rest_config()
    # No client-side limiter: these tests send more than the default burst of 10.
    return config.copy(qps=-1)


@pytest.fixture
def ns(cluster: Any) -> str:
    return str(cluster.namespace)
