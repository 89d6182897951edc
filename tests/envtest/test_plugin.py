"""The ``kctl_envtest`` pytest fixture as a user's suite gets it: through kctl's ``pytest11``
entry point, with nothing imported by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USER_TEST = """
from kctl import kubernetes


def test_one(kctl_envtest):
    cs = kubernetes.new_for_config(kctl_envtest.rest_config())
    cs.core_v1().namespaces().create({"metadata": {"name": "mine"}})
    assert cs.core_v1().namespaces().get("mine")["metadata"]["name"] == "mine"


def test_two_shares_the_session_environment(kctl_envtest):
    cs = kubernetes.new_for_config(kctl_envtest.rest_config())
    cs.core_v1().namespaces().get("mine")
"""


def test_kctl_envtest_fixture_from_the_entry_point(
    pytester: pytest.Pytester, envtest_assets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBEBUILDER_ASSETS", str(envtest_assets))
    pytester.makepyfile(test_user=USER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:xdist", "-q")
    result.assert_outcomes(passed=2)
