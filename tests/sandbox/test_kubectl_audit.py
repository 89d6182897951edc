"""Real kubectl 1.37.1 against the demo sandbox: what a real 1.37 cluster would print.

Each test groups several commands; the demo sandbox is shared and read-only, mutating checks
use the per-test ``sandbox``.
"""

from __future__ import annotations

import re
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


def test_auth_reviews_without_policy(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    assert _ok(run_kubectl, demo_sandbox, "auth", "can-i", "get", "pods") == "yes\n"
    assert _ok(run_kubectl, demo_sandbox, "auth", "can-i", "*", "*", "-A") == "yes\n"
    rules = _ok(run_kubectl, demo_sandbox, "auth", "can-i", "--list", "-n", "dev").splitlines()
    assert rules[0].split() == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    assert rules[1].split() == ["*.*", "[]", "[]", "[*]"]
    assert any(r.split()[0] == "selfsubjectreviews.authentication.k8s.io" for r in rules[2:])
    # kubectl sends no credentials over plain http: the apiserver sees an anonymous user.
    who = _ok(run_kubectl, demo_sandbox, "auth", "whoami").splitlines()
    assert [line.split() for line in who] == [
        ["ATTRIBUTE", "VALUE"],
        ["Username", "system:anonymous"],
        ["Groups", "[system:unauthenticated]"],
    ]


def test_create_token_authenticates_as_the_service_account(
    sandbox: Sandbox, run_kubectl: Any
) -> None:
    import base64
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from helpers_http import call

    assert sandbox.wait_idle()  # the service-account controller makes "default"
    token = _ok(run_kubectl, sandbox, "create", "token", "default", "--duration=1h").strip()
    header, payload, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == "system:serviceaccount:default:default"
    assert claims["exp"] - claims["iat"] == 3600
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    path = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
    who = call(sandbox, "POST", path, review, token=token)
    assert who.status == 201
    assert who.json()["status"]["userInfo"] == {
        "username": "system:serviceaccount:default:default",
        "uid": claims["kubernetes.io"]["serviceaccount"]["uid"],
        "groups": [
            "system:serviceaccounts",
            "system:serviceaccounts:default",
            "system:authenticated",
        ],
    }
    tampered = f"{header}.{payload}.{'A' * 43}"
    assert call(sandbox, "POST", path, review, token=tampered).status == 401
    missing = run_kubectl(sandbox, "create", "token", "nobody")
    assert missing.returncode == 1
    assert missing.stderr.strip().endswith('serviceaccounts "nobody" not found')
    short = run_kubectl(sandbox, "create", "token", "default", "--duration=1m")
    assert "may not specify a duration less than 10 minutes" in short.stderr


def test_access_reviews_follow_preloaded_rbac(run_kubectl: Any, tmp_path: Any) -> None:
    tokens = tmp_path / "tokens.csv"
    tokens.write_text('alice-secret,alice,u-1,"dev-team"\n')
    objects = [
        role("reader", "dev", rule(["get", "list"], ["pods", "pods/log"])),
        binding("alice-reads", "dev", "Role", "reader", user("alice")),
    ]
    with Sandbox(authz=objects, tls=True, token_file=str(tokens)) as sb:
        # The admin (the kubeconfig's own user, in system:masters) gets RBAC's answer.
        admin = _ok(run_kubectl, sb, "auth", "can-i", "delete", "nodes")
        assert admin == "yes\n"
        alice = ("--token=alice-secret",)
        who = _ok(run_kubectl, sb, *alice, "auth", "whoami").splitlines()
        assert who[1].split() == ["Username", "alice"]
        assert who[2].split() == ["UID", "u-1"]
        assert who[3].split() == ["Groups", "[dev-team", "system:authenticated]"]
        assert _ok(run_kubectl, sb, *alice, "auth", "can-i", "list", "pods", "-n", "dev") == "yes\n"
        denied = run_kubectl(sb, *alice, "auth", "can-i", "delete", "pods", "-n", "dev")
        assert (denied.returncode, denied.stdout) == (1, "no\n")
        elsewhere = run_kubectl(sb, *alice, "auth", "can-i", "get", "pods", "-n", "default")
        assert (elsewhere.returncode, elsewhere.stdout) == (1, "no\n")
        rules = _ok(run_kubectl, sb, *alice, "auth", "can-i", "--list", "-n", "dev").splitlines()
        assert ["pods", "[]", "[]", "[get", "list]"] in [r.split() for r in rules]
        assert ["pods/log", "[]", "[]", "[get", "list]"] in [r.split() for r in rules]
        assert not any(r.split()[0] == "*.*" for r in rules[1:] if r.split())
        other = _ok(run_kubectl, sb, *alice, "auth", "can-i", "--list", "-n", "default")
        assert not any(r.split()[0].startswith("pods") for r in other.splitlines()[1:] if r.split())


def test_health_endpoints(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    assert _ok(run_kubectl, demo_sandbox, "get", "--raw", "/healthz") == "ok"
    ready = _ok(run_kubectl, demo_sandbox, "get", "--raw", "/readyz?verbose").splitlines()
    assert ready[0] == "[+]ping ok" and ready[-1] == "readyz check passed"
    assert "[+]etcd-readiness ok" in ready and "[+]shutdown ok" in ready
    live = _ok(run_kubectl, demo_sandbox, "get", "--raw", "/livez?verbose&exclude=etcd")
    assert "[+]etcd excluded: ok" in live.splitlines() and live.endswith("livez check passed\n")
    assert "[+]shutdown ok" not in live
    assert _ok(run_kubectl, demo_sandbox, "get", "--raw", "/readyz/ping") == "ok"
    missing = run_kubectl(demo_sandbox, "get", "--raw", "/readyz/nope")
    assert missing.returncode == 1 and "(NotFound)" in missing.stderr


def test_pod_logs(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    rows = [
        line.split()
        for line in _ok(run_kubectl, demo_sandbox, "get", "pods", "-n", "dev").splitlines()[1:]
    ]
    running = next(r[0] for r in rows if r[2] == "Running" and r[3] == "0")
    crashing = next(r[0] for r in rows if r[2] == "CrashLoopBackOff")
    log = _ok(run_kubectl, demo_sandbox, "logs", "-n", "dev", running).splitlines()
    assert len(log) == 5 and log[-1] == 'level=info msg="ready to serve requests"'
    previous = _ok(run_kubectl, demo_sandbox, "logs", "-n", "dev", crashing, "--previous")
    assert previous.splitlines()[-1].startswith("level=error")
    stamped = _ok(
        run_kubectl, demo_sandbox, "logs", "-n", "dev", running, "--timestamps", "--tail=2"
    )
    assert len(stamped.splitlines()) == 2
    assert all(
        re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d*[1-9]Z level=", line)
        for line in stamped.splitlines()
    )
    limited = _ok(run_kubectl, demo_sandbox, "logs", "-n", "dev", running, "--limit-bytes=7")
    assert limited == "level=i"
    no_previous = run_kubectl(demo_sandbox, "logs", "-n", "dev", running, "--previous")
    assert no_previous.returncode == 1
    container = running.rsplit("-", 2)[0]
    assert no_previous.stderr.strip() == (
        f"Error from server (BadRequest): previous terminated container "
        f'"{container}" in pod "{running}" not found'
    )


def test_log_errors_from_the_apiserver_and_kubelet(sandbox: Sandbox, run_kubectl: Any) -> None:
    sandbox.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "two", "namespace": "default"},
            "spec": {
                "nodeName": "n1",
                "containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}],
            },
            # Not Pending, so the kubelet stand-in leaves the waiting containers alone.
            "status": {
                "phase": "Running",
                "containerStatuses": [
                    {"name": "a", "state": {"waiting": {"reason": "ContainerCreating"}}},
                    {"name": "b", "state": {"waiting": {"reason": "ImagePullBackOff"}}},
                ],
            },
        }
    )
    raw = run_kubectl(sandbox, "get", "--raw", "/api/v1/namespaces/default/pods/two/log")
    assert raw.stderr.strip() == (
        "Error from server (BadRequest): a container name must be specified for pod two, "
        "choose one of: [a b]"
    )
    waiting = run_kubectl(sandbox, "logs", "two", "-c", "a")
    assert waiting.stderr.strip() == (
        'Error from server (BadRequest): container "a" in pod "two" is waiting to start: '
        "ContainerCreating"
    )
    pulling = run_kubectl(sandbox, "logs", "two", "-c", "b")
    assert pulling.stderr.strip().endswith("is waiting to start: trying and failing to pull image")
    bad = run_kubectl(
        sandbox, "get", "--raw", "/api/v1/namespaces/default/pods/two/log?container=zz"
    )
    assert bad.stderr.strip() == (
        "Error from server (BadRequest): container zz is not valid for pod two"
    )


def test_certificate_approve_and_deny(sandbox: Sandbox, run_kubectl: Any) -> None:
    for name in ("one", "two"):
        sandbox.create(
            {
                "apiVersion": "certificates.k8s.io/v1",
                "kind": "CertificateSigningRequest",
                "metadata": {"name": name},
                "spec": {
                    "request": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K",
                    "signerName": "kubernetes.io/kube-apiserver-client",
                    "usages": ["client auth"],
                    "username": "alice",
                },
            }
        )
    approved = _ok(run_kubectl, sandbox, "certificate", "approve", "one")
    assert approved == "certificatesigningrequest.certificates.k8s.io/one approved\n"
    denied = _ok(run_kubectl, sandbox, "certificate", "deny", "two")
    assert denied == "certificatesigningrequest.certificates.k8s.io/two denied\n"
    table = _ok(run_kubectl, sandbox, "get", "csr").splitlines()
    assert table[0].split() == [
        "NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"
    ]  # fmt: skip
    assert [row.split()[2:] for row in table[1:]] == [
        ["kubernetes.io/kube-apiserver-client", "alice", "<none>", "Approved"],
        ["kubernetes.io/kube-apiserver-client", "alice", "<none>", "Denied"],
    ]
    again = _ok(run_kubectl, sandbox, "certificate", "approve", "one")
    assert again == "certificatesigningrequest.certificates.k8s.io/one approved\n"


def test_demo_events_for_crash_looping_pods(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    rows = _ok(run_kubectl, demo_sandbox, "get", "events", "-n", "dev").splitlines()
    assert rows[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    first_pod = [r.split() for r in rows[1:5]]
    assert [r[2] for r in first_pod] == ["Pulled", "Created", "Started", "BackOff"]
    assert len({r[3] for r in first_pod}) == 1 and first_pod[3][1] == "Warning"
    pod = first_pod[0][3]
    described = _ok(run_kubectl, demo_sandbox, "describe", "-n", "dev", pod)
    events = described[described.index("\nEvents:") :].splitlines()
    assert events[2].split() == ["Type", "Reason", "Age", "From", "Message"]
    assert len(events) == 8 and all("kubelet" in line for line in events[4:])
    assert re.search(r"Warning +BackOff +\S+ \(x\d+ over 8d\) +kubelet", described)
    assert "Back-off restarting failed container" in described
    warnings = _ok(
        run_kubectl, demo_sandbox, "get", "events", "-A", "--field-selector", "type=Warning"
    )
    assert all(" BackOff " in line for line in warnings.splitlines()[1:])


def test_job_field_selector_status_successful(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    done = _ok(
        run_kubectl, demo_sandbox, "get", "jobs", "-n", "dev", "--field-selector",
        "status.successful=1",
    ).splitlines()  # fmt: skip
    failed = _ok(
        run_kubectl, demo_sandbox, "get", "jobs", "-n", "dev", "--field-selector",
        "status.successful=0",
    ).splitlines()  # fmt: skip
    assert len(done) > 1 and all(row.split()[1] == "Complete" for row in done[1:])
    assert len(failed) > 1 and all(row.split()[1] == "Failed" for row in failed[1:])


def test_cluster_info_and_kube_dns(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    info = _ok(run_kubectl, demo_sandbox, "cluster-info").splitlines()
    assert info[0] == f"Kubernetes control plane is running at {demo_sandbox.url}"
    assert info[1] == (
        f"CoreDNS is running at {demo_sandbox.url}"
        "/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy"
    )
    svc = _ok(
        run_kubectl, demo_sandbox, "get", "svc", "kube-dns", "-n", "kube-system", "-o", "wide"
    )
    assert svc.splitlines()[1].split()[4:] == ["53/UDP,53/TCP,9153/TCP", "12d", "k8s-app=kube-dns"]
    pods = _ok(
        run_kubectl, demo_sandbox, "get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns"
    )
    assert len(pods.splitlines()) == 3
    # Everything made when the cluster was bootstrapped shows one age, as on a real cluster.
    ages = set()
    for kind in ("nodes", "namespaces", "serviceaccounts"):
        table = _ok(run_kubectl, demo_sandbox, "get", kind, "-A").splitlines()
        column = table[0].split().index("AGE")
        ages |= {
            row.split()[column]
            for row in table[1:]
            # dev and kube-shell-admin were made by people later on.
            if "dev" not in row.split()[:2] and "kube-shell-admin" not in row
        }
    assert ages == {"12d"}


def test_describe_node_shows_its_lease(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    node = _ok(run_kubectl, demo_sandbox, "describe", "node", "demo-worker")
    assert "Failed to get lease" not in node
    assert re.search(r"^Lease:\n  HolderIdentity:  demo-worker\n", node, re.M)
    leases = _ok(run_kubectl, demo_sandbox, "get", "leases", "-n", "kube-node-lease").splitlines()
    assert [row.split()[:2] for row in leases[1:]] == [
        ["demo-control-plane", "demo-control-plane"],
        ["demo-worker", "demo-worker"],
        ["demo-worker2", "demo-worker2"],
    ]
