"""kctl version: kubectl's layout and texts, with kctl's own client version and the
server's version as kubectl prints it. kubectl's kustomizeVersion (and its skew warning)
are kubectl's alone: they are taken out of kubectl's side before comparing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kctl import __version__
from kctl.cli.version import client_version
from kctl.sandbox import Sandbox

_PROBE = """
import atexit, json, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["kctl", *sys.argv[2:]]
from kctl.cli import main
main()
"""


def _kubectl_json(theirs: Any) -> dict[str, Any]:
    assert theirs.returncode == 0, theirs.stderr
    data: dict[str, Any] = json.loads(theirs.stdout)
    # The oracle's own bytes are json.dumps(indent=2) of its (ordered) content.
    assert json.dumps(data, indent=2) + "\n" == theirs.stdout
    return data


def test_json_is_kubectls_with_kctls_client(
    demo_sandbox: Sandbox, run_kctl: Any, run_ref_kubectl: Any
) -> None:
    ours = run_kctl(demo_sandbox, "version", "-o", "json")
    theirs = _kubectl_json(run_ref_kubectl(demo_sandbox, "version", "-o", "json"))
    assert ours.returncode == 0, ours.stderr
    expected = {"clientVersion": client_version(), "serverVersion": theirs["serverVersion"]}
    assert ours.stdout == json.dumps(expected, indent=2) + "\n"
    assert ours.stderr == ""
    client = json.loads(ours.stdout)["clientVersion"]
    assert list(client) == list(theirs["clientVersion"])
    assert client["gitVersion"] == f"v{__version__}"


def test_yaml_is_kubectls_with_kctls_client(
    demo_sandbox: Sandbox, run_kctl: Any, run_ref_kubectl: Any
) -> None:
    ours = run_kctl(demo_sandbox, "version", "-o", "yaml")
    theirs = run_ref_kubectl(demo_sandbox, "version", "-o", "yaml")
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    server = theirs.stdout[theirs.stdout.index("serverVersion:\n") :]
    client_block = ours.stdout[: ours.stdout.index("serverVersion:\n")]
    assert ours.stdout == client_block + server
    assert server.endswith("\n\n")  # kubectl's Println after the document
    assert client_block.startswith('clientVersion:\n  buildDate: ""\n')
    assert f"  gitVersion: v{__version__}\n" in client_block


def test_plain_lines(demo_sandbox: Sandbox, run_kctl: Any, run_ref_kubectl: Any) -> None:
    ours = run_kctl(demo_sandbox, "version")
    theirs = run_ref_kubectl(demo_sandbox, "version")
    assert ours.returncode == theirs.returncode == 0
    kubectl_lines = theirs.stdout.splitlines()
    assert kubectl_lines[1].startswith("Kustomize Version: ")
    assert ours.stdout.splitlines() == [f"Client Version: v{__version__}", kubectl_lines[2]]
    client_only = run_kctl(demo_sandbox, "version", "--client", "-o", "json")
    assert json.loads(client_only.stdout) == {"clientVersion": client_version()}


@pytest.mark.parametrize(
    "args",
    [
        ("version", "-o", "bogus"),
        ("version", "extra"),
        ("version", "-s", "http://127.0.0.1:1"),
        ("version", "-o", "json", "-s", "http://127.0.0.1:1"),
        ("version", "--client", "-s", "http://127.0.0.1:1"),
    ],
)
def test_errors_as_kubectl(
    demo_sandbox: Sandbox, run_kctl: Any, run_ref_kubectl: Any, args: tuple[str, ...]
) -> None:
    """Same stderr and exit code; stdout has the same parts as kubectl's."""
    _same_errors(run_kctl(demo_sandbox, *args), run_ref_kubectl(demo_sandbox, *args))


def test_unauthorized_as_kubectl(run_kctl: Any, run_ref_kubectl: Any) -> None:
    with Sandbox(tls=True) as sb:
        args = ("version", "--token", "bad")
        ours, theirs = run_kctl(sb, *args), run_ref_kubectl(sb, *args)
    _same_errors(ours, theirs)
    assert ours.stderr == (
        "error: You must be logged in to the server "
        "(the server has asked for the client to provide credentials)\n"
    )


def _same_errors(ours: Any, theirs: Any) -> None:
    # kctl's version numbers are not Kubernetes': no client/server skew warning.
    skew = re.compile(r"^Warning: version difference between client .*\n", re.M)
    assert ours.stderr == skew.sub("", theirs.stderr)
    assert ours.returncode == theirs.returncode
    assert ("Client Version" in ours.stdout) == ("Client Version" in theirs.stdout)
    assert ('"clientVersion"' in ours.stdout) == ('"clientVersion"' in theirs.stdout)
    assert ("Server Version" in ours.stdout) == ("Server Version" in theirs.stdout)
    assert ('"serverVersion"' in ours.stdout) == ('"serverVersion"' in theirs.stdout)


def test_client_version_needs_neither_a_server_nor_requests(tmp_path: Path) -> None:
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), "version", "--client", "-o", "yaml"],
        env={"HOME": str(tmp_path), "KUBECONFIG": str(tmp_path / "missing"), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("clientVersion:\n")
    modules = set(json.loads(out.read_text()))
    loaded = {m for m in modules if m.split(".")[0] in ("requests", "urllib3", "ssl")}
    assert loaded == set()
    assert not {m for m in modules if m.startswith(("kctl.rest", "kctl.clientcmd"))}
