"""Real kubectl 1.37.1 against the demo sandbox: what a real 1.35 cluster would print.

Each test groups several commands; the demo sandbox is shared and read-only, mutating checks
use the per-test ``sandbox``.
"""

from __future__ import annotations

import re
from typing import Any

from kctl.sandbox import Sandbox


def _ok(run_kubectl: Any, sb: Sandbox, *args: str) -> str:
    out = run_kubectl(sb, *args)
    assert out.returncode == 0, (args, out.stderr)
    return str(out.stdout)


def test_system_namespaces_are_as_old_as_the_cluster(
    demo_sandbox: Sandbox, run_kubectl: Any
) -> None:
    rows = _ok(run_kubectl, demo_sandbox, "get", "namespaces").splitlines()[1:]
    ages = {row.split()[0]: row.split()[2] for row in rows}
    assert ages == {
        "default": "12d",
        "dev": "9d",
        "kube-node-lease": "12d",
        "kube-public": "12d",
        "kube-system": "12d",
    }


def test_seeded_objects_are_defaulted(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    deploy = _ok(run_kubectl, demo_sandbox, "describe", "deployment", "api", "-n", "dev")
    assert re.search(r"^StrategyType: +RollingUpdate$", deploy, re.M)
    assert re.search(r"^RollingUpdateStrategy: +25% max unavailable, 25% max surge$", deploy, re.M)
    svc = _ok(run_kubectl, demo_sandbox, "describe", "service", "api", "-n", "dev")
    assert re.search(r"^Session Affinity: +None$", svc, re.M)
    assert re.search(r"^IP Families: +IPv4$", svc, re.M)
    pods = _ok(run_kubectl, demo_sandbox, "get", "pods", "-n", "dev", "-l", "app=api", "-o", "name")
    pod = _ok(run_kubectl, demo_sandbox, "describe", "-n", "dev", pods.splitlines()[0])
    assert re.search(r"^Service Account: +default$", pod, re.M)
    assert re.search(r"^Priority: +0$", pod, re.M)
    # ServiceAccount admission names the token volume with rand.String's vowel-free alphabet.
    assert re.search(r"^  kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}:$", pod, re.M)
    assert "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s" in pod
