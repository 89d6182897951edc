"""pytest fixtures for kctl users (registered through the ``pytest11`` entry point).

- ``kctl_sandbox``: a fresh empty sandbox per test;
- ``kctl_demo_sandbox``: one ``seed="demo"`` sandbox per session (treat it as read-only).

The names are prefixed so they never shadow a project's own ``sandbox`` fixture.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kctl.sandbox import Sandbox

__all__ = ["kctl_demo_sandbox", "kctl_sandbox"]


@pytest.fixture
def kctl_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sb:
        yield sb


@pytest.fixture(scope="session")
def kctl_demo_sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as sb:
        yield sb
