"""Start-up budget: what small commands must not import (issues 6 and 11).

Each case runs kctl in a fresh interpreter against a sandbox on 127.0.0.1 and records
``sys.modules`` at exit. No timings: a module that is loaded is the regression. click parses
every command line, so it is always there; requests is only for talking to a server, and
PyYAML only for printing or reading YAML.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.sandbox import Sandbox

# Records sys.modules when the interpreter exits (kctl's main ends in sys.exit).
_PROBE = """
import atexit, json, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
code = sys.argv[2]
sys.argv = ["kctl", *sys.argv[3:]]
exec(code)
"""
_RUN_CLI = "from kctl.cli import main; main()"

# Never wanted by a small command that does not print yaml or talk https. PyYAML is not
# listed: a YAML kubeconfig is read with it (issue 11); _PYYAML adds it where the kubeconfig
# is JSON, which shows that the command's own path does not load it.
_PYYAML = {"yaml"}
_HEAVY = {
    "rich",
    "requests",
    "kctl.sandbox",
    "logging",
    "tempfile",
    "subprocess",
    "kctl.clientcmd._writer",
    "kctl.cli._printers._jsonpath",
    "kctl.cli._printers._goyaml",
}
# What sending the first request brings in: requests, and with it urllib3's logging and ssl
# and requests.utils' tempfile. Allowed on paths that reach the server, never on the others.
_REQUESTS_STACK = {"requests", "urllib3", "logging", "tempfile", "ssl", "http.client"}
_HEAVY_ONLINE = _HEAVY - _REQUESTS_STACK


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sb:
        yield sb


@pytest.fixture
def json_kubeconfig(sandbox: Sandbox, tmp_path: Path) -> str:
    """The sandbox's kubeconfig written as JSON, which kctl reads without PyYAML."""
    import yaml

    path = tmp_path / "kubeconfig.json"
    path.write_text(json.dumps(yaml.safe_load(Path(sandbox.kubeconfig_path).read_text())))
    return str(path)


def _env(home: Path, kubeconfig: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    for proxy in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(proxy, None)
    env.update(
        HOME=str(home), KUBECACHEDIR=str(home / "cache"), KUBECONFIG=kubeconfig, NO_COLOR="1"
    )
    env.update(extra or {})
    return env


def _modules(
    tmp_path: Path,
    kubeconfig: str,
    *args: str,
    code: str = _RUN_CLI,
    env: dict[str, str] | None = None,
) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    out = tmp_path / "modules.json"
    # The second run is the one measured: the first fills the discovery disk cache, which
    # (temp file + rename) legitimately needs tempfile.
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE, str(out), code, *args],
            env=_env(tmp_path, kubeconfig, env),
            capture_output=True,
            text=True,
            timeout=60,
        )
    return set(json.loads(out.read_text())), proc


def _loaded(modules: set[str], names: set[str]) -> set[str]:
    """The names (or their submodules) that were imported."""
    return {n for n in names if n in modules or any(m.startswith(n + ".") for m in modules)}


def test_version_does_not_load_the_library(tmp_path: Path) -> None:
    modules, proc = _modules(tmp_path, str(tmp_path / "none"), "--version")
    assert proc.stdout == "kctl version 0.1.0\n"
    forbidden = _HEAVY | _PYYAML | {"kctl.rest", "kctl.clientcmd", "http.client", "ssl"}
    assert _loaded(modules, forbidden) == set()


@pytest.mark.parametrize(
    "args",
    [("--help",), ("get", "--help"), ("api-resources", "-h"), ("apply", "--help")],
    ids=" ".join,
)
def test_help_loads_neither_requests_nor_yaml(tmp_path: Path, args: tuple[str, ...]) -> None:
    modules, proc = _modules(tmp_path, str(tmp_path / "none"), *args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: kctl")
    assert _loaded(modules, _HEAVY | {"http.client", "ssl"}) == set()


def test_completion_of_verbs_and_flags_loads_neither_requests_nor_yaml(tmp_path: Path) -> None:
    for words, expected in (("kctl ge", "plain,get"), ("kctl get --no-h", "plain,--no-headers")):
        env = {
            "_KCTL_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split(" ")) - 1),
        }
        modules, proc = _modules(tmp_path, str(tmp_path / "none"), env=env)
        assert proc.returncode == 0, proc.stderr
        assert expected in proc.stdout.splitlines()
        assert _loaded(modules, _HEAVY | {"http.client", "ssl"}) == set()


def test_get_table_loads_only_the_table_printer(sandbox: Sandbox, tmp_path: Path) -> None:
    assert sandbox.url.startswith("http://")
    modules, proc = _modules(tmp_path, sandbox.kubeconfig_path, "get", "ns")
    assert proc.returncode == 0, proc.stderr
    assert "default" in proc.stdout
    assert "kctl.cli._printers._table" in modules
    assert "requests" in modules  # the probe saw the network path
    forbidden = _HEAVY_ONLINE | {"kctl.cli._printers._objects", "fractions"}
    assert _loaded(modules, forbidden) == set()


def test_get_json_loads_only_the_json_printer(sandbox: Sandbox, tmp_path: Path) -> None:
    modules, proc = _modules(tmp_path, sandbox.kubeconfig_path, "get", "ns", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["kind"] == "List"
    assert "kctl.cli._printers._gojson" in modules
    assert _loaded(modules, _HEAVY_ONLINE | {"kctl.cli._printers._table"}) == set()
    # Only the YAML kubeconfig needed PyYAML.
    assert "yaml" in modules


def test_get_name_loads_no_yaml(sandbox: Sandbox, tmp_path: Path) -> None:
    modules, proc = _modules(tmp_path, sandbox.kubeconfig_path, "get", "ns", "-o", "name")
    assert proc.returncode == 0, proc.stderr
    assert "namespace/default" in proc.stdout.split()
    assert _loaded(modules, _HEAVY_ONLINE | {"kctl.cli._printers._table"}) == set()


@pytest.mark.parametrize("output", ["json", "name"])
def test_json_and_name_output_never_load_pyyaml(
    json_kubeconfig: str, tmp_path: Path, output: str
) -> None:
    modules, proc = _modules(tmp_path, json_kubeconfig, "get", "ns", "default", "-o", output)
    assert proc.returncode == 0, proc.stderr
    assert "default" in proc.stdout
    assert _loaded(modules, _HEAVY_ONLINE | _PYYAML | {"kctl.cli._printers._table"}) == set()


def test_get_yaml_loads_the_yaml_printer(sandbox: Sandbox, tmp_path: Path) -> None:
    modules, proc = _modules(
        tmp_path, sandbox.kubeconfig_path, "get", "ns", "default", "-o", "yaml"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("apiVersion: v1\nkind: Namespace\n")
    assert "kctl.cli._printers._goyaml" in modules
    assert _loaded(modules, _HEAVY_ONLINE - {"kctl.cli._printers._goyaml"}) == set()


@pytest.mark.parametrize("args", [("api-versions",), ("api-resources", "--cached")])
def test_discovery_verbs(sandbox: Sandbox, tmp_path: Path, args: tuple[str, ...]) -> None:
    modules, proc = _modules(tmp_path, sandbox.kubeconfig_path, *args)
    assert proc.returncode == 0, proc.stderr
    assert "v1" in proc.stdout.split()
    forbidden = _HEAVY | {"kctl.cli._printers._table"}
    if args == ("api-versions",):
        # api-versions always refetches discovery (the network path), so it rewrites the disk
        # cache; a cached api-resources never sends a request, so never imports requests.
        forbidden -= _REQUESTS_STACK
    assert _loaded(modules, forbidden) == set()


def test_everyday_flags_go_through_click(sandbox: Sandbox, tmp_path: Path) -> None:
    modules, proc = _modules(
        tmp_path,
        sandbox.kubeconfig_path,
        *("-n=kube-system", "get", "ns", "default", "-ojson", "--chunk-size=10", "-v", "0"),
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["metadata"]["name"] == "default"
    assert "click" in modules
    assert _loaded(modules, _HEAVY_ONLINE) == set()


def test_bad_flags_and_help_go_through_click(sandbox: Sandbox, tmp_path: Path) -> None:
    modules, proc = _modules(tmp_path, sandbox.kubeconfig_path, "get", "pods", "--bogus")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == "error: unknown flag: --bogus\nSee 'kctl get --help' for usage.\n"
    assert "click" in modules
    modules, proc = _modules(tmp_path, sandbox.kubeconfig_path, "get", "-h")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: kctl get [OPTIONS] [ARGS]...\n")
    assert "  -o, --output TEXT" in proc.stdout
    assert "click" in modules
    modules, proc = _modules(tmp_path, sandbox.kubeconfig_path, "api-resources", "-o")
    assert (
        proc.stderr
        == "error: flag needs an argument: 'o' in -o\nSee 'kctl api-resources --help' for usage.\n"
    )
    assert "click" in modules


def test_library_import_and_kubeconfig_load(sandbox: Sandbox, tmp_path: Path) -> None:
    code = (
        "import kctl.rest, kctl.clientcmd\n"
        "rules = kctl.clientcmd.new_default_client_config_loading_rules()\n"
        "cc = kctl.clientcmd.new_non_interactive_deferred_loading_client_config("
        "rules, kctl.clientcmd.ConfigOverrides())\n"
        "print(cc.client_config().host, cc.namespace())\n"
    )
    modules, proc = _modules(tmp_path, sandbox.kubeconfig_path, code=code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{sandbox.url} default\n"
    assert _loaded(modules, _HEAVY | {"click", "http.client", "ssl"}) == set()


def test_the_probe_sees_pyyaml_when_it_is_loaded(sandbox: Sandbox, tmp_path: Path) -> None:
    # The probe's sanity check: the same command with the YAML kubeconfig loads PyYAML.
    modules, proc = _modules(
        tmp_path, sandbox.kubeconfig_path, "get", "ns", "default", "-o", "name"
    )
    assert proc.returncode == 0, proc.stderr
    assert "yaml" in modules


@pytest.mark.parametrize(
    "args", [("exec", "budget", "--", "true"), ("attach", "budget")], ids=lambda a: a[0]
)
def test_exec_and_attach_of_a_bare_pod_name_load_no_clientset(
    sandbox: Sandbox, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """A bare pod name needs no discovery and no typed clientset (nor the dynamic client and
    metav1 under it): one GET and the upgrade, on the REST client, as kubectl's exec does."""
    if sandbox.store.get(("", "pods"), "default", "budget") is None:
        sandbox.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "budget", "namespace": "default"},
                "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "c:1"}]},
                "status": {"phase": "Running"},
            }
        )
    modules, proc = _modules(tmp_path, sandbox.kubeconfig_path, *args)
    # No process runtime (and no node): the upgrade is refused, as on a real server.
    assert proc.returncode == 1
    assert "error: unable to upgrade connection: " in proc.stderr, proc.stderr
    assert "websocket" in modules  # the probe saw the upgrade
    clientset = {"kctl.kubernetes", "kctl.dynamic", "kctl.metav1", "kctl.discovery", "kctl.types"}
    assert _loaded(modules, _HEAVY_ONLINE | clientset) == set()
