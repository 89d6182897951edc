"""Streams benchmark (issue 13): exec round trip, time to the first followed log line, and
port-forward throughput, kctl beside kubectl 1.37.1, on a Sandbox(runtime="process").

    .venv/bin/python bench/streams.py [RUNS] [MEGABYTES]

Prints a Markdown table. Wall times are medians of RUNS fresh processes (default 10). kctl
runs as run.sh runs it: the console script of a regular install in bench/out/venv (made or
refreshed here), with its modules compiled, not the dev venv's editable install (whose import
finder, and with PYTHONDONTWRITEBYTECODE set no bytecode cache, would be timed too). The floor
row is that venv's interpreter importing the four libraries an exec needs, doing nothing.
kubectl's port-forward tunnels SPDY inside its WebSocket, which the sandbox does not serve
(docs/sandbox-differences.md), so its throughput row has kctl beside a direct connection
to the pod's address (the loopback ceiling) instead.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "sandbox"))

from helpers_runtime import pod, start, wait_for  # noqa: E402

from kctl.sandbox import Sandbox  # noqa: E402

KUBECTL = Path(sys.executable).parent / "kubectl"
BENCH_VENV = ROOT / "bench" / "out" / "venv"
KCTL = [str(BENCH_VENV / "bin" / "kctl")]
FLOOR = [str(BENCH_VENV / "bin" / "python"), "-c", "import click, requests, yaml, websocket"]
DEADLINE = 60.0

# The pod's server: every connection gets SIZE bytes, then the server closes it (a client
# that leaves early, like the readiness probe, is let go).
SENDER = """
import os, socket
size = int(os.environ["SIZE"])
srv = socket.create_server((os.environ["POD_IP"], 9000))
chunk = b"x" * (1 << 20)
while True:
    conn, _ = srv.accept()
    left = size
    try:
        while left:
            left -= conn.send(chunk[: min(left, len(chunk))])
    except OSError:
        pass
    conn.close()
"""


def install_kctl() -> None:
    """kctl as users get it (``pip install .``), in the venv bench/run.sh uses as well."""
    log = ROOT / "bench" / "out" / "pip.log"
    with log.open("w") as out:
        if not (BENCH_VENV / "bin" / "pip").exists():
            subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        # pip re-installs a local project every time, and adds a dependency new since the
        # last run.
        argv = [str(BENCH_VENV / "bin" / "pip"), "install", "-q", str(ROOT)]
        subprocess.run(argv, check=True, stdout=out, stderr=subprocess.STDOUT)


def env_for(sb: Sandbox, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    for proxy in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(proxy, None)
    env.update(KUBECONFIG=sb.kubeconfig_path, HOME=str(home), KUBECACHEDIR=str(home / "cache"))
    return env


def median_run(argv: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True, timeout=DEADLINE)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def first_line(argv: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        times.append(time.perf_counter() - began)
        proc.kill()
        proc.wait(timeout=DEADLINE)
        assert line, f"{argv} printed nothing"
    return statistics.median(times)


def drain(host: str, port: int, size: int) -> float:
    began = time.perf_counter()
    got = 0
    with socket.create_connection((host, port), timeout=DEADLINE) as sock:
        while chunk := sock.recv(1 << 20):
            got += len(chunk)
    elapsed = time.perf_counter() - began
    assert got == size, f"got {got} of {size} bytes"
    return elapsed


def forward_throughput(sb: Sandbox, env: dict[str, str], size: int) -> float:
    proc = subprocess.Popen(
        [*KCTL, "port-forward", "--address", "127.0.0.1", "sender", ":9000"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # Forwarding from 127.0.0.1:PORT -> 9000
        if not line.startswith("Forwarding from "):
            proc.wait(timeout=DEADLINE)
            raise SystemExit(f"port-forward failed: {proc.stderr.read() if proc.stderr else ''}")
        port = int(line.split(":")[1].split(" ")[0])
        return size / drain("127.0.0.1", port, size) / 1e6
    finally:
        proc.terminate()
        proc.wait(timeout=DEADLINE)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    size = (int(sys.argv[2]) if len(sys.argv) > 2 else 100) * 1_000_000
    home = ROOT / "bench" / "out" / "streams-home"
    home.mkdir(parents=True, exist_ok=True)
    install_kctl()
    with Sandbox(seed="empty", runtime="process") as sb:
        start(sb, pod("shell", "echo ready; sleep 3600"))
        sender = start(sb, pod("sender", f"exec {sys.executable} -c '{SENDER}'", env={"SIZE": str(size)}))
        ip = sender["status"]["podIP"]

        def listening() -> bool:
            try:
                socket.create_connection((ip, 9000), timeout=1).close()
            except OSError:
                return False
            return True

        # The probe itself takes one transfer; the server goes on accepting.
        assert wait_for(listening), "the sender pod never listened"
        env = env_for(sb, home)
        exec_args = ["exec", "shell", "--", "true"]
        log_args = ["logs", "-f", "shell"]
        floor = median_run(FLOOR, env, runs)
        rows = [
            (
                "exec -- true (s)",
                median_run([*KCTL, *exec_args], env, runs),
                median_run([str(KUBECTL), *exec_args], env, runs),
            ),
            (
                "logs -f, first line (s)",
                first_line([*KCTL, *log_args], env, runs),
                first_line([str(KUBECTL), *log_args], env, runs),
            ),
        ]
        kctl_mbs = forward_throughput(sb, env, size)
        direct_mbs = size / drain(ip, 9000, size) / 1e6
    print(f"floor (`python -c 'import click, requests, yaml, websocket'`): {floor:.3f} s\n")
    print(f"| streams, {runs} runs, {size // 1_000_000} MB | kctl | kubectl | ratio |")
    print("|---|---|---|---|")
    for name, ours, theirs in rows:
        print(f"| {name} | {ours:.3f} | {theirs:.3f} | {ours / theirs:.2f}x |")
    print(
        f"| port-forward {size // 1_000_000} MB (MB/s) | {kctl_mbs:.0f} | n/a (SPDY; direct: "
        f"{direct_mbs:.0f}) | |"
    )


if __name__ == "__main__":
    main()
