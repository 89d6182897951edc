"""RBAC objects preloaded at start (``Sandbox(authz=...)``, ``kctl sandbox serve --authz FILE``),
judged by real kubectl's ``auth can-i``; and ``auth can-i`` texts with RBAC on, compared with
the real kube-apiserver's for the same objects."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_rbac import binding, group, role, rule, service_account, user

from kctl.sandbox import Sandbox, SandboxError

SA = "system:serviceaccount:dev:default"

OBJECTS = [
    role("pod-reader", "dev", rule(["get", "list", "watch"], ["pods", "pods/log"])),
    binding("sa-reads-pods", "dev", "Role", "pod-reader", service_account("default", "dev")),
    role("node-viewer", None, rule(["get", "list"], ["nodes"])),
    binding("ops-view-nodes", None, "ClusterRole", "node-viewer", group("ops")),
]


def _yaml_documents(objects: list[dict[str, Any]]) -> str:
    # JSON is YAML: one document per object, as a multi-document manifest.
    return "".join(f"---\n{json.dumps(obj)}\n" for obj in objects)


def _can_i(run_kubectl: Any, sb: Any, *args: str) -> tuple[int, str, str]:
    result = run_kubectl(sb, "auth", "can-i", *args)
    return result.returncode, result.stdout, result.stderr


def test_preloaded_objects_decide_can_i(tmp_path: Path, run_kubectl: Any) -> None:
    path = tmp_path / "rbac.yaml"
    path.write_text(_yaml_documents(OBJECTS))
    # TLS: kubectl sends its credentials (and so may impersonate) only over https.
    with Sandbox(tls=True, authz=str(path)) as sb:
        assert _can_i(run_kubectl, sb, "list", "pods", "-n", "dev", f"--as={SA}") == (
            0,
            "yes\n",
            "",
        )
        assert _can_i(run_kubectl, sb, "get", "pods", "--subresource=log", "-n", "dev",
                      f"--as={SA}")[:2] == (0, "yes\n")  # fmt: skip
        for args in (
            ("delete", "pods", "-n", "dev"),
            ("list", "pods", "-n", "default"),
            ("list", "secrets", "-n", "dev"),
        ):
            assert _can_i(run_kubectl, sb, *args, f"--as={SA}")[:2] == (1, "no\n"), args
        ops = ("--as=carol", "--as-group=ops")
        assert _can_i(run_kubectl, sb, "list", "nodes", *ops)[:2] == (0, "yes\n")
        assert _can_i(run_kubectl, sb, "delete", "nodes", *ops)[:2] == (1, "no\n")
        # The namespace of the namespaced objects was created for them.
        dev = run_kubectl(sb, "get", "namespace", "dev", "-o", "name")
        assert dev.stdout == "namespace/dev\n"
        # RBAC is on: without a binding, nothing.
        assert _can_i(run_kubectl, sb, "list", "pods", "-n", "dev", "--as=mallory")[:2] == (
            1,
            "no\n",
        )


def test_objects_given_in_python_and_namespace_default(run_kubectl: Any) -> None:
    reader = role("reader", None, rule(["get"], ["configmaps"]))
    bound = binding("alice-reads", None, "Role", "reader", user("alice"))
    bound["kind"] = "RoleBinding"  # no namespace: it goes to "default"
    reader["kind"] = "Role"
    with Sandbox(tls=True, authz=[reader, bound]) as sb:
        assert _can_i(run_kubectl, sb, "get", "configmaps", "--as=alice")[:2] == (0, "yes\n")
        assert _can_i(run_kubectl, sb, "get", "configmaps", "-n", "dev", "--as=alice")[:2] == (
            1,
            "no\n",
        )


def test_each_start_creates_or_replaces_them(tmp_path: Path, run_kubectl: Any) -> None:
    state, path = tmp_path / "state.db", tmp_path / "rbac.yaml"
    path.write_text(_yaml_documents(OBJECTS[:2]))
    with Sandbox(tls=True, authz=str(path), state=str(state)) as sb:
        assert _can_i(run_kubectl, sb, "watch", "pods", "-n", "dev", f"--as={SA}")[:2] == (
            0,
            "yes\n",
        )
        # An object of the users' own stays across restarts.
        made = run_kubectl(sb, "create", "role", "mine", "-n", "dev", "--verb=get",
                           "--resource=secrets")  # fmt: skip
        assert made.returncode == 0, made.stderr
    narrower = [role("pod-reader", "dev", rule(["get"], ["pods"])), OBJECTS[1]]
    path.write_text(_yaml_documents(narrower))
    with Sandbox(tls=True, authz=str(path), state=str(state)) as sb:
        assert _can_i(run_kubectl, sb, "watch", "pods", "-n", "dev", f"--as={SA}")[:2] == (
            1,
            "no\n",
        )
        assert _can_i(run_kubectl, sb, "get", "pods", "-n", "dev", f"--as={SA}")[:2] == (
            0,
            "yes\n",
        )
        mine = run_kubectl(sb, "get", "role", "mine", "-n", "dev", "-o", "name")
        assert mine.stdout == "role.rbac.authorization.k8s.io/mine\n"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"authz": [], "no_auth": True}, "authz (RBAC objects) cannot be combined with no_auth"),
        (
            {"authz": [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}]},
            "invalid RBAC objects: authz: v1 Secret s is not an RBAC object "
            "(rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding)",
        ),
        (
            {"authz": [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role"}]},
            "invalid RBAC objects: authz: Role has no metadata.name",
        ),
    ],
)
def test_bad_objects_are_one_line_errors(kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(SandboxError) as info:
        Sandbox(**kwargs)
    assert str(info.value) == error


def _wait_ready(proc: subprocess.Popen[bytes], out: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = out.read_text()
        if text.startswith("ready ") and text.endswith("\n"):
            return
        assert proc.poll() is None, text
        time.sleep(0.02)
    raise AssertionError("sandbox not ready")


class _Served:
    """What run_kubectl needs of a server: its kubeconfig."""

    def __init__(self, kubeconfig_path: str) -> None:
        self.kubeconfig_path = kubeconfig_path


def test_serve_authz_file(tmp_path: Path, run_kubectl: Any) -> None:
    path = tmp_path / "rbac.yaml"
    path.write_text(_yaml_documents(OBJECTS))
    kubeconfig, out = tmp_path / "kubeconfig", tmp_path / "out"
    serve = [sys.executable, "-m", "kctl", "sandbox", "serve", "--seed", "empty"]
    with out.open("wb") as stdout:
        proc = subprocess.Popen(
            [*serve, "--authz", str(path), "--kubeconfig-out", str(kubeconfig)],
            stdout=stdout,
            stderr=subprocess.DEVNULL,
        )
    try:
        _wait_ready(proc, out)
        served = _Served(str(kubeconfig))
        assert _can_i(run_kubectl, served, "list", "pods", "-n", "dev", f"--as={SA}")[:2] == (
            0,
            "yes\n",
        )
        assert _can_i(run_kubectl, served, "list", "pods", "-n", "default", f"--as={SA}")[:2] == (
            1,
            "no\n",
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --- auth can-i texts against the real server --------------------------------------------

_namespaces = itertools.count()


def _can_i_objects(ns: str) -> list[dict[str, Any]]:
    """Roles for ``default`` in ``ns`` and for group dev-team. No aggregated ClusterRole
    (view, edit): the bare real server has no controller to aggregate their rules."""
    reader = f"cfg-reader-{ns}"
    return [
        role("pod-reader", ns, rule(["get", "list"], ["pods", "pods/log"]),
             rule(["create"], ["deployments"], ("apps",))),
        role(reader, None, rule(["get", "list", "watch"], ["configmaps"]),
             rule(["watch"], ["ingresses"], ("networking.k8s.io",))),
        role("team", ns, rule(["*"], ["deployments"], ("apps",)), rule(["list"], ["secrets"])),
        binding("sa-reads", ns, "Role", "pod-reader", service_account("default", ns)),
        binding("sa-views", ns, "ClusterRole", reader, service_account("default", ns)),
        binding("team-edits", ns, "Role", "team", group("dev-team")),
        binding("team-views", ns, "ClusterRole", reader, group("dev-team")),
    ]  # fmt: skip


CAN_I_CASES = [
    ("list", "pods"),
    ("get", "pods", "--subresource=log"),
    ("create", "deployments.apps"),
    ("delete", "deployments.apps"),
    ("list", "secrets"),
    ("list", "configmaps"),
    ("watch", "ingresses.networking.k8s.io"),
    ("*", "*"),
    ("get", "/healthz"),
    ("get", "/metrics"),
    ("create", "selfsubjectaccessreviews.authorization.k8s.io"),
    ("list", "nodes"),
    ("list", "pods", "--all-namespaces"),
    ("get", "nosuchthings"),
    ("--list",),
]


def _answers(run_kubectl: Any, server: Any, ns: str) -> dict[tuple[str, ...], Any]:
    answers = {}
    for case in CAN_I_CASES:
        for who in (
            (f"--as=system:serviceaccount:{ns}:default",),
            ("--as=bob", "--as-group=dev-team"),
        ):
            answers[(*case, *who)] = _can_i(run_kubectl, server, *case, "-n", ns, *who)
    return answers


def test_can_i_matches_the_real_server(envtest: Any, run_kubectl: Any) -> None:
    ns = f"can-i-{os.getpid()}-{next(_namespaces)}"
    objects = _can_i_objects(ns)
    made = run_kubectl(envtest, "create", "namespace", ns)
    assert made.returncode == 0, made.stderr
    made = run_kubectl(envtest, "apply", "-f", "-", input=_yaml_documents(objects))
    assert made.returncode == 0, made.stderr
    try:
        real = _answers(run_kubectl, envtest, ns)
    finally:
        run_kubectl(envtest, "delete", "clusterrole", f"cfg-reader-{ns}")
    with Sandbox(tls=True, authz=objects) as sb:
        assert sb.wait_idle()
        ours = _answers(run_kubectl, sb, ns)
    differ = {case: (ours[case], real[case]) for case in real if ours[case] != real[case]}
    assert differ == {}
    # The cases do tell yes from no, on both sides.
    codes = {code for code, _, _ in real.values()}
    assert codes == {0, 1}
