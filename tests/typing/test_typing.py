"""mypy --strict over typed_usage.py: the typed clients must type-check as documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def test_typed_clients_type_check(tmp_path: Path) -> None:
    source = HERE / "typed_usage.py"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--config-file",
            "",
            "--python-version",
            "3.10",
            str(source),
        ],
        capture_output=True,
        text=True,
        cwd=HERE.parent.parent,
        check=False,
    )
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    lines = source.read_text().splitlines()
    expected = {i + 1 for i, text in enumerate(lines) if "# E:" in text}
    got = {int(m.group(1)) for e in errors if (m := re.search(r"typed_usage\.py:(\d+):", e))}
    # Every deliberate mistake is caught, and nothing else is reported.
    assert got == expected, proc.stdout + proc.stderr
    assert all("typed_usage.py" in e for e in errors), proc.stdout
