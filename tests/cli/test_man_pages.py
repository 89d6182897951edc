"""man/ is generated from the click app's help; this fails when it is out of date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kctl.cli._man import pages

MAN = Path(__file__).resolve().parents[2] / "man"
HINT = "man/ is out of date: run `python -m kctl.cli._man man`"


def test_man_pages_are_fresh() -> None:
    wanted = pages()
    on_disk = {p.name: p.read_text() for p in MAN.glob("*.1")}
    assert sorted(on_disk) == sorted(wanted), HINT
    for name, text in wanted.items():
        assert on_disk[name] == text, f"{HINT} ({name} differs)"


def test_every_verb_has_a_page_with_its_options() -> None:
    from kctl.cli import COMMANDS

    wanted = pages()
    for verb in COMMANDS:
        assert f"kctl-{verb}.1" in wanted
    watch = wanted["kctl-watch.1"]
    assert watch.startswith('.TH "KCTL-WATCH" "1"')
    assert "\\fB\\-\\-since\\-now\\fR" in watch
    # Global flags appear on every verb's page, as kubectl accepts them everywhere.
    assert "\\-\\-kubeconfig" in watch


def test_regeneration_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kctl.cli._man", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(pages())
