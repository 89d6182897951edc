"""kubectl exec, attach and port-forward errors against Sandbox(runtime="process") and a
real kube-apiserver side by side: a missing pod, a missing container, a pod with no node
yet (envtest has no scheduler: its pods all stay so)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from conftest import kubectl_env
from helpers_runtime import pod

from kctl import dynamic
from kctl.envtest import Environment
from kctl.errors import StatusError
from kctl.sandbox import Sandbox
from kctl.schema import GroupVersionResource

pytestmark = pytest.mark.timeout(180)

PODS = GroupVersionResource("", "v1", "pods")


@pytest.fixture(scope="module")
def servers(envtest: Environment) -> Iterator[dict[str, Any]]:
    # No node in the sandbox either: the pod stays unscheduled, as in envtest.
    with Sandbox(seed="empty", runtime="process", tls=True) as sb:
        obj = pod("pending", "sleep 3600")
        sb.create(obj, keep_status=False)
        try:
            dynamic.new_for_config(envtest.rest_config()).resource(PODS).namespace(
                "default"
            ).create(obj)
        except StatusError as err:
            if err.code != 409:  # the shared server may have it from an earlier run
                raise
        yield {"sandbox": sb, "envtest": envtest}


CASES = [
    ["exec", "pending", "--", "true"],
    ["exec", "-i", "pending", "--", "cat"],
    ["exec", "ghost", "--", "true"],
    ["exec", "pending", "-c", "nope", "--", "true"],
    ["attach", "pending"],
    ["attach", "ghost"],
    ["port-forward", "ghost", "8080"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c) for c in CASES])
def test_same_error_as_a_real_server(
    servers: dict[str, Any], kubectl: Path, tmp_path: Path, args: list[str]
) -> None:
    outputs = {}
    for name, server in servers.items():
        home = tmp_path / name
        home.mkdir()
        out = subprocess.run(
            [str(kubectl), *args],
            capture_output=True,
            text=True,
            env=kubectl_env(server, home),
            input="",
            timeout=60,
            check=False,
        )
        outputs[name] = (out.returncode, out.stdout, out.stderr)
    assert outputs["sandbox"][0] != 0
    assert outputs["sandbox"] == outputs["envtest"]
