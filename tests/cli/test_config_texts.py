"""Flags naming what the kubeconfig lacks, or a server URL Go cannot parse: kubectl's words.

The kubeconfig's server is a refused loopback port, so nothing waits on a network.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_KLOG = re.compile(r"^[EWIF]\d{4} [^\n]*\n?", re.M)
KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- {name: c, cluster: {server: 'https://127.0.0.1:1'}}
users:
- {name: u, user: {token: abc}}
contexts:
- {name: x, context: {cluster: c, user: u}}
current-context: x
"""


@pytest.mark.parametrize(
    "flags",
    [
        ["--cluster", "nope"],
        ["--cluster", "nope", "--user", "nope"],
        ["--cluster", "nope", "--context", "nope"],
        ["--cluster", "nope", "-s", "http://127.0.0.1:1"],
        ["-s", "::::"],
        ["-s", "127.0.0.1:abc"],
        ["-s", "[::1]:x"],
        ["-s", "h:1:2"],
    ],
)
def test_config_text_like_kubectl(
    flags: list[str],
    tmp_path: Path,
    run_kctl: Callable[..., Any],
    run_ref_kubectl: Callable[..., Any],
) -> None:
    path = tmp_path / "config"
    path.write_text(KUBECONFIG)
    args = ["--kubeconfig", str(path), *flags, "get", "pods"]
    ours = run_kctl(None, *args, stdin=subprocess.DEVNULL)
    theirs = run_ref_kubectl(None, *args, stdin=subprocess.DEVNULL)
    assert "Traceback" not in ours.stderr
    assert ours.stdout == theirs.stdout == ""
    assert _KLOG.sub("", ours.stderr) == _KLOG.sub("", theirs.stderr)
    assert ours.returncode == theirs.returncode == 1
