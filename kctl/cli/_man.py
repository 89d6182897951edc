"""Man pages from the click app's own help: kctl(1) and kctl-<verb>(1) for every verb.

``python -m kctl.cli._man [DIR]`` regenerates man/ (tests fail when it is out of date).
The pages carry no date or version so that regenerating an unchanged app changes nothing.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

__all__ = ["pages", "write_pages"]


def _roff(text: str) -> str:
    """Text safe in roff: backslashes escaped, no line read as a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def _paragraphs(text: str) -> str:
    """click help text: blank lines split paragraphs; a ``\\b`` paragraph keeps its lines."""
    out: list[str] = []
    for block in click.unstyle(text).strip().split("\n\n"):
        if block.startswith("\b\n"):
            out.append(".PP\n.nf\n" + _roff(block[2:]) + "\n.fi")
        else:
            out.append(".PP\n" + _roff(" ".join(line.strip() for line in block.split("\n"))))
    return "\n".join(out)


def _options(command: click.Command, ctx: click.Context) -> str:
    out: list[str] = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        names, help_text = record
        out.append(f".TP\n\\fB{_roff(names)}\\fR\n{_roff(help_text)}")
    return "\n".join(out)


def _page(path: list[str], command: click.Command, ctx: click.Context) -> str:
    title = "-".join(path)
    usage = " ".join(command.collect_usage_pieces(ctx))
    short = command.get_short_help_str(limit=200)
    parts = [
        f'.TH "{title.upper()}" "1" "" "kctl" "kctl Manual"',
        ".SH NAME",
        f"{_roff(title)} \\- {_roff(short)}",
        ".SH SYNOPSIS",
        f"\\fB{_roff(' '.join(path))}\\fR {_roff(usage)}",
    ]
    if command.help:
        parts += [".SH DESCRIPTION", _paragraphs(command.help)]
    from kctl.cli._examples import examples_for

    examples = examples_for(ctx)
    if examples:
        parts += [".SH EXAMPLES", ".nf", _roff(examples.rstrip("\n")), ".fi"]
    options = _options(command, ctx)
    if options:
        parts += [".SH OPTIONS", options]
    if isinstance(command, click.Group):
        subs = [(name, command.get_command(ctx, name)) for name in command.list_commands(ctx)]
        parts.append(".SH COMMANDS")
        for name, sub in subs:
            if sub is not None:
                sub_page = f"{title}-{name}"
                parts.append(
                    f".TP\n\\fB{_roff(sub_page)}\\fR(1)\n{_roff(sub.get_short_help_str(200))}"
                )
    if len(path) > 1:
        parts += [".SH SEE ALSO", "\\fBkctl\\fR(1)"]
    return "\n".join(parts) + "\n"


def pages() -> dict[str, str]:
    """file name -> roff text, for kctl and every (sub)command."""
    from kctl.cli import _build_group

    root = _build_group()
    result: dict[str, str] = {}

    def visit(path: list[str], command: click.Command, parent: click.Context | None) -> None:
        ctx = click.Context(command, info_name=path[-1], parent=parent)
        result[f"{'-'.join(path)}.1"] = _page(path, command, ctx)
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub: Any = command.get_command(ctx, name)
                if sub is not None:
                    visit([*path, name], sub, ctx)

    visit(["kctl"], root, None)
    return result


def write_pages(directory: str) -> list[str]:
    """(Re)write man/ (temp file + rename per page; stale pages removed)."""
    from kctl.util._atomic import write_atomic

    os.makedirs(directory, exist_ok=True)
    wanted = pages()
    for stale in set(os.listdir(directory)) - set(wanted):
        if stale.endswith(".1"):
            os.unlink(os.path.join(directory, stale))
    written = []
    for name, text in sorted(wanted.items()):
        target = os.path.join(directory, name)
        write_atomic(target, text, mode=0o644)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    for path in write_pages(args[0] if args else "man"):
        sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
