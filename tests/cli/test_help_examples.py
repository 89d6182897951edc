"""``kctl <verb> --help`` has an Examples section, as kubectl's help has, and every example
is a command line kctl accepts."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import click
import pytest

from kctl.cli import COMMANDS, _build_group
from kctl.cli._examples import EXAMPLES
from kctl.cli._man import pages


def _command_lines() -> list[tuple[str, str]]:
    lines = []
    for key, text in EXAMPLES.items():
        for line in text.splitlines():
            if line and not line.startswith("#"):
                lines.append((key, line))
    return lines


def _kctl_args(line: str) -> list[str]:
    """The kctl part of a shell line: inside ``<(...)``, or after a pipe and before the next
    pipe or redirection."""
    inner = re.search(r"<\(kctl ([^)]*)\)", line)
    if inner is not None:
        return shlex.split(inner.group(1))
    text = line.split(" | kctl ", 1)[1] if " | kctl " in line else line.removeprefix("kctl ")
    return shlex.split(re.split(r" (?:\|\||[|>]) ", text)[0])


def test_every_verb_and_sandbox_command_has_examples() -> None:
    root = _build_group()
    ctx = click.Context(root, info_name="kctl")
    sandbox = root.get_command(ctx, "sandbox")
    assert isinstance(sandbox, click.Group)
    wanted = set(COMMANDS) | {f"sandbox {name}" for name in sandbox.list_commands(ctx)}
    assert set(EXAMPLES) == wanted


@pytest.mark.parametrize(("key", "line"), _command_lines())
def test_every_example_parses(key: str, line: str) -> None:
    args = _kctl_args(line)
    command: click.Command = _build_group()
    ctx = click.Context(command, info_name="kctl")
    while isinstance(command, click.Group):
        sub = command.get_command(ctx, args[0])
        assert sub is not None, f"{key}: no command {args[0]!r} in {line!r}"
        command, name, args = sub, args[0], args[1:]
        ctx = click.Context(command, info_name=name, parent=ctx)
    # Parsing only: a flag kctl lacks or a bad value fails here, and nothing runs.
    command.parse_args(ctx, list(args))


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_each_command_shows_itself(key: str) -> None:
    assert any(
        " ".join(_kctl_args(line)).startswith(key) for k, line in _command_lines() if k == key
    )


def test_get_help_shows_paging_and_jq_before_the_options() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kctl", "get", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.index("\nExamples:\n") < out.index("\nOptions:\n")
    assert "  kctl get pods --limit 100 -o json > page1.json\n" in out
    assert "-o json | jq " in out
    # Printed as written, not re-wrapped: the longest line is kept whole.
    longest = max(EXAMPLES["get"].splitlines(), key=len)
    assert f"  {longest}\n" in out


def test_man_pages_carry_the_examples() -> None:
    page = pages()["kctl-get.1"]
    examples = page.split(".SH EXAMPLES\n.nf\n", 1)[1].split("\n.fi\n", 1)[0]
    assert "kctl get pods \\-\\-limit 100 \\-o json > page1.json" in examples
    assert page.index(".SH EXAMPLES") < page.index(".SH OPTIONS")
