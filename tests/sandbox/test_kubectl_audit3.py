"""Real kubectl 1.37.1 against the sandbox, round 3: patch, replace, edit, wait, set, label,
annotate, scale, rollout history, foreground deletion, get -w and /metrics.

Each test runs many commands against one fresh sandbox, to keep the suite fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kctl.sandbox import Sandbox

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: x, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: c, image: nginx}]}
"""
POD = """apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec: {containers: [{name: c, image: nginx}]}
"""
DEADLINE = 30.0


def _run(run_kubectl: Any, sb: Sandbox, *args: str, **kw: Any) -> tuple[int, str, str]:
    out = run_kubectl(sb, *args, **kw)
    return out.returncode, out.stdout, out.stderr


def _ok(run_kubectl: Any, sb: Sandbox, *args: str, **kw: Any) -> str:
    code, stdout, stderr = _run(run_kubectl, sb, *args, **kw)
    assert code == 0, (args, stderr)
    return stdout


def _edit(sb: Sandbox, home: Path, editor: str) -> tuple[int, str, str]:
    env = _env(sb, {"HOME": str(home), "EDITOR": editor})
    argv = [str(Path(sys.executable).parent / "kubectl"), "edit", "deployment", "x"]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=DEADLINE)
    return out.returncode, out.stdout, out.stderr


def test_patch_replace_edit_and_set(sandbox: Sandbox, run_kubectl: Any, tmp_path: Path) -> None:
    sb = sandbox
    k = _ok
    k(run_kubectl, sb, "apply", "-f", "-", input=DEPLOYMENT)
    image = '{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}'
    assert k(run_kubectl, sb, "patch", "deploy", "x", "--type=strategic", "-p", image) == (
        "deployment.apps/x patched\n"
    )
    labels = '{"metadata":{"labels":{"m":"1"}}}'
    assert k(run_kubectl, sb, "patch", "deploy", "x", "--type=merge", "-p", labels) == (
        "deployment.apps/x patched\n"
    )
    same = '[{"op":"replace","path":"/spec/replicas","value":2}]'
    assert k(run_kubectl, sb, "patch", "deploy", "x", "--type=json", "-p", same) == (
        "deployment.apps/x patched (no change)\n"
    )
    bad = '[{"op":"replace","path":"/spec/nope/x","value":2}]'
    assert _run(run_kubectl, sb, "patch", "deploy", "x", "--type=json", "-p", bad) == (
        1,
        "",
        # The real kube-apiserver keeps the JSON patch library's reason to itself
        # (tests/sandbox/test_differential.py checks the same answer against it).
        "The request is invalid: the server rejected our request due to an error in our request\n",
    )
    assert _run(run_kubectl, sb, "patch", "deploy", "x", "--type=json", "-p", '{"op":"x"}') == (
        1,
        "",
        "Error from server (BadRequest): json: cannot unmarshal object into Go value of type "
        "jsonpatch.Patch\n",
    )
    # A server-side dry run shows the result but stores nothing.
    five = '{"spec":{"replicas":5}}'
    shown = k(run_kubectl, sb, "patch", "deploy", "x", "--type=merge", "-p", five)
    assert shown == "deployment.apps/x patched\n"
    k(run_kubectl, sb, "patch", "deploy", "x", "--type=merge", "-p", '{"spec":{"replicas":2}}')
    dry = k(
        run_kubectl, sb, "patch", "deploy", "x", "--type=merge", "-p", five,
        "--dry-run=server", "-o", "yaml",
    )  # fmt: skip
    assert "\n  replicas: 5\n" in dry and "image: nginx:2\n" in dry
    jsonpath = ("get", "deploy", "x", "-o", "jsonpath={.spec.replicas}")
    assert k(run_kubectl, sb, *jsonpath) == "2"

    # replace: a fresh copy is taken, a stale one conflicts.
    stale = k(run_kubectl, sb, "get", "deploy", "x", "-o", "yaml")
    fresh = stale.replace("  replicas: 2\n", "  replicas: 2\n  minReadySeconds: 1\n", 1)
    assert k(run_kubectl, sb, "replace", "-f", "-", input=fresh) == "deployment.apps/x replaced\n"
    assert _run(run_kubectl, sb, "replace", "-f", "-", input=stale) == (
        1,
        "",
        'Error from server (Conflict): error when replacing "STDIN": Operation cannot be '
        'fulfilled on deployments.apps "x": the object has been modified; please apply your '
        "changes to the latest version and try again\n",
    )

    # edit runs the editor on a temporary file (through a shell, as EDITOR has spaces).
    edited = _edit(sb, tmp_path, "sed -i 's/replicas: 2/replicas: 3/'")
    assert edited == (0, "deployment.apps/x edited\n", "")
    assert k(run_kubectl, sb, *jsonpath) == "3"
    assert _edit(sb, tmp_path, "true") == (0, "", "Edit cancelled, no changes made.\n")

    assert k(run_kubectl, sb, "set", "env", "deployment/x", "A=B") == (
        "deployment.apps/x env updated\n"
    )
    assert k(run_kubectl, sb, "set", "env", "deployment/x", "--list") == (
        "# Deployment x, container c\nA=B\n"
    )
    assert k(run_kubectl, sb, "set", "resources", "deployment/x", "--limits=cpu=200m") == (
        "deployment.apps/x resource requirements updated\n"
    )
    limits = ("get", "deploy", "x", "-o", "jsonpath={.spec.template.spec.containers[0].resources}")
    assert k(run_kubectl, sb, *limits) == '{"limits":{"cpu":"200m"}}'

    # Four templates so far: the first, nginx:2, the env var, the limits.
    assert sb.wait_idle()
    history = k(run_kubectl, sb, "rollout", "history", "deployment/x")
    assert history.splitlines()[1:] == [
        "REVISION  CHANGE-CAUSE",
        "1         <none>",
        "2         <none>",
        "3         <none>",
        "4         <none>",
        "",
    ]
    first = k(run_kubectl, sb, "rollout", "history", "deployment/x", "--revision=1")
    assert first.startswith("deployment.apps/x with revision #1\nPod Template:\n  Labels:\tapp=x\n")
    assert "    Image:\tnginx\n" in first


def test_label_annotate_scale_and_foreground_delete(sandbox: Sandbox, run_kubectl: Any) -> None:
    sb = sandbox
    k = _ok
    k(run_kubectl, sb, "apply", "-f", "-", input=DEPLOYMENT)
    d = ("deployment", "x")
    assert k(run_kubectl, sb, "label", *d, "a=1") == "deployment.apps/x labeled\n"
    assert _run(run_kubectl, sb, "label", *d, "a=2") == (
        1,
        "",
        "error: 'a' already has a value (1), and --overwrite is false\n",
    )
    assert k(run_kubectl, sb, "label", *d, "a=2", "--overwrite") == "deployment.apps/x labeled\n"
    assert k(run_kubectl, sb, "label", *d, "a-") == "deployment.apps/x unlabeled\n"
    assert k(run_kubectl, sb, "annotate", *d, "n=1") == "deployment.apps/x annotated\n"
    assert _run(run_kubectl, sb, "annotate", *d, "n=2") == (
        1,
        "",
        "error: --overwrite is false but found the following declared annotation(s): "
        "'n' already has a value (1)\n",
    )
    assert k(run_kubectl, sb, "annotate", *d, "n=2", "--overwrite") == (
        "deployment.apps/x annotated\n"
    )
    assert k(run_kubectl, sb, "annotate", *d, "n-") == "deployment.apps/x annotated\n"
    meta = k(
        run_kubectl, sb, "get", *d, "-o", "jsonpath={.metadata.labels.a}{.metadata.annotations.n}"
    )
    assert meta == ""
    assert _run(run_kubectl, sb, "scale", *d, "--current-replicas=7", "--replicas=1") == (
        1,
        "",
        "error: Expected replicas to be 7, was 2\n",
    )
    assert sb.wait_idle()
    assert len(k(run_kubectl, sb, "get", "pods", "-l", "app=x", "-o", "name").split()) == 2
    assert k(run_kubectl, sb, "delete", "--cascade=foreground", "deployment/x") == (
        'deployment.apps "x" deleted from default namespace\n'
    )
    # kubectl waited for the deployment; its ReplicaSet and pods went first.
    assert sb.wait_idle()
    assert _run(run_kubectl, sb, "get", "deploy,rs,pods", "-l", "app=x") == (
        0,
        "",
        "No resources found in default namespace.\n",
    )


def _env(sb: Sandbox, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    env.update(KUBECONFIG=sb.kubeconfig_path, **extra)
    return env


def test_wait_and_get_watch(run_kubectl: Any, tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:  # nodes, so the pod runs
        _wait_and_get_watch(sb, run_kubectl, tmp_path)


def _wait_and_get_watch(sb: Sandbox, run_kubectl: Any, tmp_path: Path) -> None:
    k = _ok
    k(run_kubectl, sb, "apply", "-f", "-", input=POD)
    running = ("wait", "--for=jsonpath={.status.phase}=Running", "pod/p", "--timeout=10s")
    assert k(run_kubectl, sb, *running) == "pod/p condition met\n"
    env = _env(sb, {"HOME": str(tmp_path)})
    binary = str(Path(sys.executable).parent / "kubectl")
    watch = subprocess.Popen(
        [binary, "get", "pods", "-w", "-n", "default", "-o", "name"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    waiter = subprocess.Popen(
        [binary, "wait", "--for=delete", "pod/p", "--timeout=10s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert watch.stdout is not None
        assert watch.stdout.readline() == "pod/p\n"  # the listing, before any change
        # Both watch before the delete: wait until the store has their two pod watches.
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if len([s for s in sb.store._subs if s.resource == ("", "pods")]) >= 2:
                break
            time.sleep(0.01)
        assert k(run_kubectl, sb, "delete", "pod", "p", "--wait=false") == (
            'pod "p" deleted from default namespace\n'
        )
        out, err = waiter.communicate(timeout=DEADLINE)
        assert (waiter.returncode, out, err) == (0, "pod/p condition met\n", "")
        # The deletion shows in the watch (graceful: MODIFIED, then DELETED).
        assert watch.stdout.readline() == "pod/p\n"
    finally:
        watch.kill()
        watch.communicate(timeout=DEADLINE)
        waiter.kill()
        waiter.communicate(timeout=DEADLINE)
    # Nothing left to wait for: success, silently.
    assert _run(run_kubectl, sb, "wait", "--for=delete", "pod/p", "--timeout=10s") == (0, "", "")


def test_metrics_and_leases(demo_sandbox: Sandbox, run_kubectl: Any) -> None:
    sb = demo_sandbox
    _run(run_kubectl, sb, "get", "pod", "no-such-pod", "-n", "default")
    text = _ok(run_kubectl, sb, "get", "--raw", "/metrics")
    lines = text.splitlines()
    assert "# TYPE apiserver_request_total counter" in lines
    missing = [
        line
        for line in lines
        if line.startswith(
            'apiserver_request_total{code="404",component="apiserver",dry_run="",group="",'
            'resource="pods",scope="resource",subresource="",verb="GET",version="v1"} '
        )
    ]
    assert len(missing) == 1 and int(missing[0].rsplit(" ", 1)[1]) >= 1
    samples = [line for line in lines if line and not line.startswith("#")]
    for line in samples:
        name_labels, _, value = line.rpartition(" ")
        float(value)
        assert name_labels.split("{")[0] in (
            "apiserver_request_total",
            "apiserver_storage_objects",
            "apiserver_current_inflight_requests",
            "process_start_time_seconds",
        )
    pods = int(
        next(
            s for s in samples if s.startswith('apiserver_storage_objects{resource="pods"}')
        ).split()[1]
    )
    assert pods == len(sb.store.items(("", "pods")))
    assert any(line.startswith("process_start_time_seconds ") for line in samples)
    described = _ok(run_kubectl, sb, "describe", "lease", "-n", "kube-node-lease")
    assert described.count("Kind:         Lease\n") == described.count("\nName:") + 1
    assert "  Holder Identity:  " in described and "  Renew Time:  " in described
