"""Real kubectl 1.37.1 against the sandbox, round 2: bootstrap objects and controllers of a
real control plane, impersonation, and the verbs the first audit left out.

The demo sandbox is shared and read-only; mutating checks use the per-test ``sandbox``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from helpers_rbac import binding, role, rule, user

from kctl.sandbox import Sandbox


def _ok(run_kubectl: Any, sb: Sandbox, *args: str) -> str:
    out = run_kubectl(sb, *args)
    assert out.returncode == 0, (args, out.stderr)
    return str(out.stdout)


def _table(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines()]


def test_impersonation_follows_rbac(run_kubectl: Any, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.csv"
    tokens.write_text("bob-secret,bob,u-2\nalice-secret,alice,u-1\n")
    objects = [
        role("pod-lister", "dev", rule(["list"], ["pods"])),
        binding("alice-lists", "dev", "Role", "pod-lister", user("alice")),
        role("impersonator", None, rule(["impersonate"], ["users", "groups"])),
        binding("bob-impersonates", None, "ClusterRole", "impersonator", user("bob")),
    ]
    bob, alice = "--token=bob-secret", "--token=alice-secret"
    with Sandbox(authz=objects, tls=True, token_file=str(tokens)) as sb:
        # The admin (system:masters) may impersonate anyone, service accounts included.
        who = _ok(run_kubectl, sb, "auth", "whoami", "--as=system:serviceaccount:dev:ci")
        assert _table(who)[1:] == [
            ["Username", "system:serviceaccount:dev:ci"],
            [
                "Groups",
                "[system:serviceaccounts",
                "system:serviceaccounts:dev",
                "system:authenticated]",
            ],
        ]
        who = _ok(
            run_kubectl,
            sb,
            "auth",
            "whoami",
            "--as=carol",
            "--as-group=g1",
            "--as-uid=c-1",
            "--as-user-extra=scopes=read",
        )
        assert _table(who)[1:] == [
            ["Username", "carol"],
            ["UID", "c-1"],
            ["Groups", "[g1", "system:authenticated]"],
            ["Extra:", "scopes", "[read]"],
        ]
        # bob may impersonate users: the request runs with alice's rights.
        assert _table(_ok(run_kubectl, sb, bob, "auth", "whoami", "--as=alice"))[1] == [
            "Username",
            "alice",
        ]
        can = run_kubectl(sb, bob, "auth", "can-i", "list", "pods", "-n", "dev", "--as=alice")
        assert (can.returncode, can.stdout) == (0, "yes\n")
        can = run_kubectl(sb, bob, "auth", "can-i", "list", "pods", "-n", "default", "--as=alice")
        assert (can.returncode, can.stdout) == (1, "no\n")
        get = run_kubectl(sb, bob, "get", "pods", "-n", "default", "--as=alice")
        assert get.returncode == 1
        assert get.stderr == (
            'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource '
            '"pods" in API group "" in the namespace "default"\n'
        )
        # bob may not impersonate service accounts or uids, alice nobody.
        sa = run_kubectl(sb, bob, "get", "pods", "-n", "dev", "--as=system:serviceaccount:dev:x")
        uid = run_kubectl(sb, bob, "get", "pods", "-n", "dev", "--as=alice", "--as-uid=u-9")
        denied = run_kubectl(sb, alice, "get", "pods", "-n", "dev", "--as=bob")
    assert sa.returncode == uid.returncode == denied.returncode == 1
    assert sa.stderr.endswith(
        'Error from server (Forbidden): serviceaccounts "x" is forbidden: User "bob" cannot '
        'impersonate resource "serviceaccounts" in API group "" in the namespace "dev"\n'
    )
    assert uid.stderr.endswith(
        'Error from server (Forbidden): uids.authentication.k8s.io "u-9" is forbidden: User "bob" '
        'cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster '
        "scope\n"
    )
    assert denied.stderr.endswith(
        'Error from server (Forbidden): users "bob" is forbidden: User "alice" cannot '
        'impersonate resource "users" in API group "" at the cluster scope\n'
    )


def test_exec_attach_port_forward_fail_like_an_unreachable_kubelet(
    demo_sandbox: Sandbox, run_kubectl: Any
) -> None:
    sb = demo_sandbox
    pod = _ok(run_kubectl, sb, "get", "pods", "-n", "dev", "-l", "app=api", "-o", "name")
    pod = pod.split()[0]
    node = _ok(run_kubectl, sb, "get", "-n", "dev", pod, "-o", "jsonpath={.spec.nodeName}")
    ip = _ok(
        run_kubectl,
        sb,
        "get",
        "node",
        node,
        "-o",
        'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}',
    )
    refused = f"dial tcp {ip}:10250: connect: connection refused"
    dial = f"error dialing backend: {refused}"
    container = _ok(
        run_kubectl, sb, "get", "-n", "dev", pod, "-o", "jsonpath={.spec.containers[0].name}"
    )
    kubelet = f"https://{ip}:10250/exec/dev/{pod.split('/')[1]}/{container}"
    # kubectl's websocket (v5): the server takes it, then reports the kubelet's refusal.
    exec_ = run_kubectl(sb, "exec", "-n", "dev", pod, "--", "ls")
    assert (exec_.returncode, exec_.stderr) == (
        1,
        "error: Internal error occurred: error sending request: "
        f'Post "{kubelet}?command=ls&error=1&output=1": {refused}\n',
    )
    attach = run_kubectl(sb, "attach", "-n", "dev", pod)
    assert attach.returncode == 1
    assert attach.stderr.endswith(
        "error: Internal error occurred: error sending request: Post "
        f'"{kubelet.replace("/exec/", "/attach/")}?error=1&output=1": {refused}\n'
    )
    forward = run_kubectl(sb, "port-forward", "-n", "dev", pod, "0:80")
    assert (forward.returncode, forward.stderr) == (
        1,
        f"error: error upgrading connection: unable to upgrade connection: {dial}\n",
    )
    wrong = run_kubectl(sb, "exec", "-n", "dev", pod, "-c", "nope", "--", "ls")
    assert wrong.returncode == 1
    assert "container nope is not valid" in wrong.stderr
    missing = run_kubectl(sb, "exec", "-n", "dev", "nope", "--", "ls")
    assert missing.stderr == 'Error from server (NotFound): pods "nope" not found\n'


def test_every_namespace_gets_a_default_service_account_and_the_root_ca(
    run_kubectl: Any,
) -> None:
    with Sandbox() as sandbox:
        # The seed's namespaces have theirs as soon as the sandbox serves (no waiting).
        made = sandbox.store.items(("", "configmaps"), "kube-system")
        assert [e.obj["metadata"]["name"] for e in made] == ["kube-root-ca.crt"]
        _namespace_defaults(sandbox, run_kubectl)
    # The explicit opt-out, for tests that want namespaces without any ConfigMap.
    with Sandbox(root_ca_configmaps=False) as sandbox:
        _ok(run_kubectl, sandbox, "create", "namespace", "team")
        assert sandbox.wait_idle()
        assert _ok(run_kubectl, sandbox, "get", "cm", "-A") == ""
        assert len(_ok(run_kubectl, sandbox, "get", "sa", "-A", "--no-headers").splitlines()) == 5


def _namespace_defaults(sandbox: Sandbox, run_kubectl: Any) -> None:
    assert sandbox.wait_idle()
    system = ("default", "kube-node-lease", "kube-public", "kube-system")
    rows = _table(_ok(run_kubectl, sandbox, "get", "serviceaccounts", "-A", "--no-headers"))
    assert [(r[0], r[1]) for r in rows] == [(ns, "default") for ns in system]
    rows = _table(_ok(run_kubectl, sandbox, "get", "configmaps", "-A", "--no-headers"))
    assert [(r[0], r[1], r[2]) for r in rows] == [(ns, "kube-root-ca.crt", "1") for ns in system]
    _ok(run_kubectl, sandbox, "create", "namespace", "team")
    assert sandbox.wait_idle()
    assert _ok(run_kubectl, sandbox, "get", "sa", "-n", "team", "-o", "name") == (
        "serviceaccount/default\n"
    )
    ca = _ok(
        run_kubectl,
        sandbox,
        "get",
        "cm",
        "kube-root-ca.crt",
        "-n",
        "team",
        "-o",
        r"jsonpath={.data.ca\.crt}",
    )
    assert ca.startswith("-----BEGIN CERTIFICATE-----\n")
    assert ca.endswith("-----END CERTIFICATE-----\n")
    # Deleted, they come back; in a terminating namespace they don't.
    _ok(run_kubectl, sandbox, "delete", "sa", "default", "-n", "team")
    _ok(run_kubectl, sandbox, "delete", "cm", "kube-root-ca.crt", "-n", "team")
    assert sandbox.wait_idle()
    assert _ok(run_kubectl, sandbox, "get", "sa,cm", "-n", "team", "-o", "name").split() == [
        "serviceaccount/default",
        "configmap/kube-root-ca.crt",
    ]
    _ok(run_kubectl, sandbox, "delete", "namespace", "team")
    assert sandbox.wait_idle()
    assert "team" not in _ok(run_kubectl, sandbox, "get", "sa,cm", "-A")


def test_root_ca_is_the_serving_ca_with_tls() -> None:
    with Sandbox(tls=True) as sb:
        assert sb.wait_idle()
        entry = sb.store.get(("", "configmaps"), "kube-public", "kube-root-ca.crt")
        assert sb.ca_pem is not None and entry is not None
        assert entry.obj["data"]["ca.crt"] == sb.ca_pem.decode()


def test_apiserver_bootstrap_objects(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    sb = demo_sandbox
    services = _table(_ok(run_kubectl, sb, "get", "apiservices"))
    assert services[0] == ["NAME", "SERVICE", "AVAILABLE", "AGE"]
    names = {row[0] for row in services[1:]}
    assert {"v1.", "v1.apps", "v2.autoscaling", "v1.rbac.authorization.k8s.io"} <= names
    assert all(row[1:3] == ["Local", "True"] for row in services[1:])
    served = _ok(run_kubectl, sb, "api-versions").split()
    assert len(services) - 1 == len(served)
    assert _table(_ok(run_kubectl, sb, "get", "priorityclasses"))[1:] == [
        ["system-cluster-critical", "2000000000", "false", "12d", "PreemptLowerPriority"],
        ["system-node-critical", "2000001000", "false", "12d", "PreemptLowerPriority"],
    ]
    roles = _ok(run_kubectl, sb, "get", "clusterroles", "-o", "name").split()
    for name in ("cluster-admin", "admin", "edit", "view", "system:discovery", "system:node"):
        assert f"clusterrole.rbac.authorization.k8s.io/{name}" in roles
    admins = _ok(run_kubectl, sb, "describe", "clusterrolebinding", "cluster-admin")
    assert ["Group", "system:masters"] in _table(admins)
    view = _table(_ok(run_kubectl, sb, "describe", "clusterrole", "view"))
    assert ["deployments.apps", "[]", "[]", "[get", "list", "watch]"] in view
    assert ["rbac.authorization.k8s.io/aggregate-to-edit=true"] in view
    edit = _table(_ok(run_kubectl, sb, "describe", "clusterrole", "edit"))
    (secrets,) = [" ".join(row[3:]).strip("[]").split() for row in edit if row[0] == "secrets"]
    assert sorted(secrets) == sorted(
        ["create", "delete", "deletecollection", "patch", "update", "get", "list", "watch"]
    )
    flows = _table(_ok(run_kubectl, sb, "get", "flowschemas"))
    assert flows[0][:4] == ["NAME", "PRIORITYLEVEL", "MATCHINGPRECEDENCE", "DISTINGUISHERMETHOD"]
    assert ["catch-all", "catch-all", "10000", "ByUser", "12d", "False"] in flows
    levels = _table(_ok(run_kubectl, sb, "get", "prioritylevelconfigurations"))
    assert ["exempt", "Exempt", "<none>", "<none>", "<none>", "<none>", "12d"] in levels
    assert ["workload-low", "Limited", "100", "128", "6", "50", "12d"] in levels


def test_empty_sandbox_has_the_apiserver_bootstrap_objects(
    sandbox: Sandbox, run_kubectl: Any
) -> None:
    pcs = _ok(run_kubectl, sandbox, "get", "priorityclasses", "-o", "name").split()
    assert pcs == [
        "priorityclass.scheduling.k8s.io/system-cluster-critical",
        "priorityclass.scheduling.k8s.io/system-node-critical",
    ]
    can = run_kubectl(sandbox, "get", "clusterrole", "cluster-admin", "-o", "jsonpath={.rules}")
    assert can.stdout == (
        '[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]},'
        '{"nonResourceURLs":["*"],"verbs":["*"]}]'
    )
