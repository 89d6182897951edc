"""completions/ scripts are fresh, ``kctl completion`` prints them, and TAB answers come from
the click app and from the server (resource types, names)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kctl.cli.completion import SCRIPT_FILES, SHELLS, script
from kctl.sandbox import Sandbox

COMPLETIONS = Path(__file__).resolve().parents[2] / "completions"


def test_scripts_are_fresh() -> None:
    hint = "completions/ is out of date: run `python -m kctl.cli.completion completions`"
    assert sorted(p.name for p in COMPLETIONS.iterdir()) == sorted(SCRIPT_FILES.values()), hint
    for shell in SHELLS:
        assert (COMPLETIONS / SCRIPT_FILES[shell]).read_text() == script(shell), hint


def _env(home: Path, sb: Sandbox | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL", "_KCTL"))}
    env.update(HOME=str(home), KUBECACHEDIR=str(home / "cache"), NO_COLOR="1")
    if sb is not None:
        env["KUBECONFIG"] = sb.kubeconfig_path
    return env


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_verb_prints_the_script(shell: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kctl", "completion", shell],
        capture_output=True,
        text=True,
        env=_env(tmp_path, None),
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == script(shell)


@pytest.mark.parametrize(
    ("args", "err"),
    [
        ((), "error: Shell not specified.\nSee 'kctl completion -h' for help and examples\n"),
        (
            ("foo",),
            "error: Unsupported shell type \"foo\".\nSee 'kctl completion -h' for help and examples\n",
        ),
    ],
)
def test_completion_errors_as_kubectl(args: tuple[str, ...], err: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kctl", "completion", *args],
        capture_output=True,
        text=True,
        env=_env(tmp_path, None),
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, "", err)


def _tab(words: str, home: Path, sb: Sandbox | None) -> list[str]:
    env = _env(home, sb)
    env.update(
        _KCTL_COMPLETE="bash_complete", COMP_WORDS=words, COMP_CWORD=str(len(words.split(" ")) - 1)
    )
    done = subprocess.run(
        [sys.executable, "-m", "kctl"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return [line.partition(",")[2] for line in done.stdout.splitlines() if line]


def test_tab_completes_verbs_and_flags(tmp_path: Path) -> None:
    assert _tab("kctl wat", tmp_path, None) == ["watch"]
    assert "--since-now" in _tab("kctl watch --s", tmp_path, None)


def test_tab_completes_types_and_names_from_the_server(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    assert _tab("kctl watch deploy", tmp_path, demo_sandbox) == ["deployments.apps"]
    assert _tab("kctl watch nodes demo-w", tmp_path, demo_sandbox) == [
        "demo-worker",
        "demo-worker2",
    ]
    names = _tab("kctl watch pods -n kube-system kube-proxy-", tmp_path, demo_sandbox)
    assert names and all(n.startswith("kube-proxy-") for n in names)


def test_tab_completes_namespaces_after_dash_n(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    assert _tab("kctl get pods -n kube-", tmp_path, demo_sandbox) == [
        "kube-node-lease",
        "kube-public",
        "kube-system",
    ]
    assert _tab("kctl watch pods --namespace d", tmp_path, demo_sandbox) == ["default", "dev"]


def test_tab_is_silent_when_the_server_is_down(tmp_path: Path) -> None:
    env_sb = None
    words = "kctl watch -s http://127.0.0.1:1 po"
    assert _tab(words, tmp_path, env_sb) == []


def test_tab_completes_pods_for_exec_and_port_forward(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    for verb in ("exec", "port-forward"):
        names = _tab(f"kctl {verb} -n kube-system kube-proxy-", tmp_path, demo_sandbox)
        assert names and all(n.startswith("kube-proxy-") for n in names), verb
