"""The sandbox's own output never holds a credential: ``serve`` stdout/stderr while it turns
away malformed and wrong credentials, ``up``'s log file and ``status``."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

TOKEN = "SECRET-MAIN-TOKEN"
FILE_TOKEN = "SECRET-FILE-TOKEN"

SERVE = [sys.executable, "-m", "kctl", "sandbox", "serve", "--seed", "empty"]

# Authorization headers a confused or hostile client might send; each carries "SECRET".
HEADERS = [
    b"Bearer SECRET-WRONG",
    b"Bearer SECRET-BYTES\xff\xfe",
    "Bearer SECRET-é".encode(),
    b"Bearer " + TOKEN.encode() + b"\x00tail",
    b"Basic " + base64.b64encode(b"bob:SECRET-PASSWORD"),
    b"Basic SECRET!!not-base64",
    b"SECRET-NO-SCHEME",
    b"Bearer " + b"SECRET-LONG" * 7000,
]


def _request(host: str, port: int, authorization: bytes) -> bytes:
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(
            b"GET /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: " + authorization + b"\r\nConnection: close\r\n\r\n"
        )
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _wait_ready(proc: subprocess.Popen[bytes], out: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = out.read_text()
        if text.startswith("ready ") and text.endswith("\n"):
            return text.split()[1]
        assert proc.poll() is None, text
        time.sleep(0.02)
    raise AssertionError("sandbox not ready")


def test_serve_output_holds_no_credential(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.csv"
    tokens.write_text(f'{FILE_TOKEN},alice,u1,"g1,g2"\n')
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [*SERVE, "--no-tls", "--token", TOKEN, "--token-file", str(tokens)],
            stdout=stdout,
            stderr=stderr,
        )
    try:
        url = urlsplit(_wait_ready(proc, out))
        assert url.hostname is not None and url.port is not None
        for header in HEADERS:
            response = _request(url.hostname, url.port, header)
            status = response.split(b"\r\n", 1)[0]
            assert status.split()[1] in (b"401", b"431"), status
            assert b"SECRET" not in response
        ok = _request(url.hostname, url.port, f"Bearer {FILE_TOKEN}".encode())
        assert ok.startswith(b"HTTP/1.1 200 ")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    logged = out.read_bytes() + err.read_bytes()
    assert logged.startswith(b"ready http://127.0.0.1:")
    assert b"SECRET" not in logged


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "KUBECONFIG": str(home / ".kube" / "config"),
    }


def _sandbox(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kctl", "sandbox", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_up_status_and_log_hold_no_credential(env: dict[str, str]) -> None:
    import yaml

    up = _sandbox(env, "up", "--seed", "empty")
    try:
        assert up.returncode == 0, up.stderr
        users = yaml.safe_load(Path(env["KUBECONFIG"]).read_text())["users"]
        token = users[0]["user"]["token"]
        assert len(token) >= 16
        status = _sandbox(env, "status")
        assert status.returncode == 0
        log = Path(status.stdout.split("log: ", 1)[1].strip())
        # A request with the wrong and the right token, so the log has something to show.
        for args in (["--token", "SECRET-WRONG"], []):
            subprocess.run(
                [sys.executable, "-m", "kctl", "get", "pods", "-v", "9", *args],
                capture_output=True,
                env=env,
                timeout=60,
                check=False,
            )
    finally:
        down = _sandbox(env, "down")
    assert down.returncode == 0, down.stderr
    outputs = up.stdout + up.stderr + status.stdout + status.stderr + down.stdout + down.stderr
    assert token not in outputs and "SECRET" not in outputs
    text = log.read_text()
    assert "ready https://127.0.0.1:" in text
    assert token not in text and "SECRET" not in text
    # The key of the sandbox's CA and serving certificate stays out of the log too.
    assert "PRIVATE KEY" not in text
