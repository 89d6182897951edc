"""pytest fixture for a real control plane (registered through the ``pytest11`` entry point).

- ``kctl_envtest``: one :class:`kctl.envtest.Environment` per session, as starting
  kube-apiserver takes seconds. Tests share it: give each its own namespace.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kctl.envtest import Environment

__all__ = ["kctl_envtest"]


@pytest.fixture(scope="session")
def kctl_envtest() -> Iterator[Environment]:
    with Environment() as env:
        yield env
