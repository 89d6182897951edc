"""kctl get: parity with kubectl 1.37.1 on every output format, flags, errors and paging."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

Parity = Callable[..., Any]
# AGE cells and "(5m3s ago)" restarts change between the two runs.
AGE = [r"\b\d+[smhdy](\d+[smhd])?\b"]


@pytest.mark.parametrize(
    "args",
    [
        ("get",),
        ("get", "pods"),
        ("get", "pods", "-n", "dev"),
        ("get", "pods", "-A"),
        ("get", "pods", "-n", "dev", "-o", "wide"),
        ("get", "deploy,svc,pvc", "-n", "dev"),
        ("get", "all", "-n", "dev"),
        ("get", "ns"),
        ("get", "nodes", "-o", "wide"),
        ("get", "deploy", "api", "web", "-n", "dev"),
        ("get", "pod/nope", "deploy/api", "-n", "dev"),
        ("get", "deploy", "-n", "dev", "--show-kind"),
        ("get", "deploy", "-n", "dev", "--no-headers"),
        ("get", "deploy", "-n", "dev", "-L", "app", "-L", "tier"),
        ("get", "pods", "-n", "dev", "-l", "app=api", "--show-labels"),
        ("get", "pods", "-n", "dev", "--field-selector", "status.phase=Running"),
        ("get", "deploy", "-n", "dev", "--sort-by=.spec.replicas"),
        ("get", "svc,pvc", "-n", "dev", "--ignore-not-found"),
        ("get", "pvc", "-n", "dev", "--ignore-not-found"),
        ("get", "pods", "-A", "--chunk-size=7"),
    ],
)
def test_table_parity(demo_sandbox: Sandbox, parity: Parity, args: tuple[str, ...]) -> None:
    parity(demo_sandbox, *args, mask=AGE).assert_same()


@pytest.mark.parametrize(
    "args",
    [
        ("get", "deploy", "-n", "dev", "-o", "json"),
        ("get", "deploy", "-n", "dev", "-o", "yaml"),
        ("get", "deploy", "api", "-n", "dev", "-o", "json"),
        ("get", "deploy", "api", "web", "-n", "dev", "-o", "yaml"),
        ("get", "deploy", "api", "-n", "dev", "-o", "yaml", "--show-managed-fields"),
        ("get", "deploy,svc", "-n", "dev", "-o", "name"),
        ("get", "svc", "-n", "dev", "-o", "jsonpath={.items[*].metadata.name}"),
        ("get", "svc", "api", "-n", "dev", "-o", "jsonpath={.spec.ports[0].port}"),
        ("get", "svc", "-n", "dev", "-o", "custom-columns=N:.metadata.name,P:.spec.ports[0].port"),
        ("get", "svc", "-n", "dev", "-o", "custom-columns=N:.metadata.name", "--no-headers"),
        ("get", "cm", "-n", "default", "-o", "json"),
        ("get", "pods", "-n", "default", "-o", "json"),
        ("get", "pods", "-n", "default", "-o", "yaml"),
        ("get", "pods", "-n", "default", "-o", "name"),
        ("get", "pods", "nope", "-o", "json"),
        ("get", "pods", "nope", "-o", "json", "--ignore-not-found"),
        ("get", "deploy", "api", "nope", "-n", "dev", "-o", "name"),
        ("get", "deploy", "api", "-n", "dev", "--subresource=scale", "-o", "json"),
        ("get", "deploy", "-n", "dev", "-o", "json", "--sort-by=.metadata.name"),
        ("get", "deploy", "-n", "dev", "-o", "name", "--sort-by=.spec.replicas"),
        ("get", "pods", "-A", "-o", "name", "--chunk-size=5"),
        ("get", "--raw", "/api/v1/namespaces/dev/services/api"),
        ("get", "pods", "-o", "bogus"),
        ("get", "pods", "--show-labels", "-o", "json"),
        ("get", "bogus"),
        ("get", "foos.apps"),
        ("get", "foos.v1.apps"),
        ("get", "nodes.metrics.k8s.io"),
        ("get", "pods,foo.bar"),
        ("delete", "foos.apps", "x"),
        ("get", "pods", "nope"),
        ("get", "pods", "x", "-A"),
        ("get", "pods", "pod/x"),
        ("get", "pods", "--output-watch-events"),
        ("get", "pods", "--raw", "/api"),
        ("get", "pods", "--chunk-size=x"),
    ],
)
def test_object_output_and_error_parity(
    demo_sandbox: Sandbox, parity: Parity, args: tuple[str, ...]
) -> None:
    parity(demo_sandbox, *args).assert_same()


def test_files_parity(demo_sandbox: Sandbox, parity: Parity, tmp_path: Path) -> None:
    manifest = tmp_path / "objs.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: dev\n"
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: dev\n"
    )
    parity(demo_sandbox, "get", "-f", str(manifest), mask=AGE).assert_same()
    parity(demo_sandbox, "get", "-f", str(manifest), "-o", "name").assert_same()


def _urls(stderr: str) -> list[str]:
    return re.findall(r'url="([^"]+)"', stderr)


@pytest.mark.parametrize("output", [(), ("-o", "json"), ("-o", "name")])
def test_chunk_size_requests_match_kubectl(
    demo_sandbox: Sandbox, parity: Parity, output: tuple[str, ...]
) -> None:
    """The same sequence of list URLs (limit and continue tokens) at -v=6."""
    p = parity(demo_sandbox, "get", "pods", "-n", "dev", "--chunk-size=40", "-v=6", *output)
    ours = [u for u in _urls(p.ours.stderr) if "/pods" in u]
    theirs = [u for u in _urls(p.theirs.stderr) if "/pods" in u]
    assert len(ours) > 2
    assert ours == theirs
    assert p.ours.returncode == p.theirs.returncode == 0


def test_limit_and_continue(demo_sandbox: Sandbox, run_kctl: Any) -> None:
    first = run_kctl(demo_sandbox, "get", "pods", "-n", "dev", "--limit", "5", "-o", "name")
    assert first.returncode == 0
    assert len(first.stdout.splitlines()) == 5
    m = re.search(r"There are (\d+) more items on the server; .* --continue (\S+)", first.stderr)
    assert m, first.stderr
    remaining, token = int(m.group(1)), m.group(2)
    everything = run_kctl(demo_sandbox, "get", "pods", "-n", "dev", "-o", "name")
    names = everything.stdout.splitlines()
    assert remaining == len(names) - 5
    second = run_kctl(
        demo_sandbox, "get", "pods", "-n", "dev", "--limit", "5", "--continue", token, "-o", "name"
    )
    assert second.stdout.splitlines() == names[5:10]
    table = run_kctl(demo_sandbox, "get", "pods", "-n", "dev", "--limit", "3")
    assert len(table.stdout.splitlines()) == 4  # header + 3 rows
    assert "--continue" in table.stderr


def _popen(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)


def _read_until(
    proc: subprocess.Popen[bytes], seen: list[str], want: Callable[[list[str]], bool]
) -> None:
    """Read proc's stdout into ``seen`` (complete lines) until ``want(seen)``; a deadline,
    never a sleep. Raw fd reads: a buffered reader would hide lines from select()."""
    import os
    import selectors

    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    partial = b""
    deadline = time.monotonic() + 30
    while not want(seen):
        left = deadline - time.monotonic()
        assert left > 0, f"timed out; got {seen}"
        if sel.select(timeout=left):
            chunk = os.read(fd, 65536)
            assert chunk, f"process ended early; got {seen}"
            *lines, partial = (partial + chunk).split(b"\n")
            seen.extend(line.decode() + "\n" for line in lines)
    sel.close()


@pytest.mark.parametrize(
    "extra",
    [
        (),
        ("--output-watch-events",),
        ("-o", "name"),
        ("--output-watch-events", "-o", "json"),
        ("--output-watch-events", "-o", "yaml"),
        ("--output-watch-events", "-o", "kyaml"),
        ("-o", "kyaml"),
        ("-o", r'go-template={{.metadata.name}} {{.data}}{{"\n"}}'),
        ("--output-watch-events", "-o", r'go-template={{.type}} {{.object.metadata.name}}{{"\n"}}'),
    ],
)
def test_watch_parity(sandbox: Sandbox, extra: tuple[str, ...], tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    env.update(HOME=str(tmp_path), KUBECONFIG=sandbox.kubeconfig_path, NO_COLOR="1")
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "default"}}
    sandbox.create({**cm, "metadata": {**cm["metadata"], "name": "before"}, "data": {"a": "1"}})
    args = ["get", "configmaps", "-n", "default", "-w", *extra]
    ours = _popen([sys.executable, "-m", "kctl", *args], env)
    theirs = _popen([str(Path(sys.executable).parent / "kubectl"), *args], env)
    seen: list[list[str]] = [[], []]
    try:
        for proc, lines in zip((ours, theirs), seen, strict=True):
            _read_until(proc, lines, lambda ls: any("before" in line for line in ls))
        sandbox.create({**cm, "metadata": {**cm["metadata"], "name": "during"}, "data": {"b": "2"}})
        for proc, lines in zip((ours, theirs), seen, strict=True):
            _read_until(proc, lines, lambda ls: any("during" in line for line in ls))
    finally:
        for proc in (ours, theirs):
            proc.terminate()
            proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()
    mask = re.compile(AGE[0])
    got = [[mask.sub("<age>", line) for line in lines] for lines in seen]
    assert got[0] == got[1]
