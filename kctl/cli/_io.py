"""Terminal niceties that never touch piped output.

Errors and warnings are coloured only when stderr is a terminal (and NO_COLOR is unset);
the progress indicators show only on a terminal stderr. rich is imported only then, so a
piped or captured run stays byte-clean and cheap.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Progress", "Status", "color_stderr", "error", "stderr_after_stdout", "warn"]


def stderr_after_stdout(text: str) -> None:
    """Write ``text`` to stderr after what stdout holds, as Go's unbuffered writes order them."""
    sys.stdout.flush()
    sys.stderr.write(text)
    sys.stderr.flush()


def color_stderr() -> bool:
    """Whether stderr is a terminal a human reads, with colour allowed."""
    return (
        _isatty(sys.stderr) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _write_styled(text: str, style: str) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(Text(text, style=style), end="")


def error(text: str) -> None:
    """An error message, exactly as given (a newline is added if missing)."""
    if not text.endswith("\n"):
        text += "\n"
    if color_stderr():
        _write_styled(text, "red")
        return
    sys.stderr.write(text)
    sys.stderr.flush()


def warn(text: str) -> None:
    """client-go's warning printer: ``Warning: <text>``."""
    line = f"Warning: {text}\n"
    if color_stderr():
        _write_styled(line, "yellow")
        return
    sys.stderr.write(line)
    sys.stderr.flush()


class Status:
    """A transient spinner line on a terminal stderr while kctl waits (``delete --wait``);
    a no-op otherwise. Use as a context manager; ``update(text)`` changes the line."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._status: Any = None

    def _shown(self) -> bool:
        # Nothing goes to stdout while kctl waits, so it may share the terminal.
        return color_stderr()

    def __enter__(self) -> Self:
        if self._shown():
            from rich.console import Console

            self._status = Console(stderr=True).status(self._text)
            self._status.__enter__()
        return self

    def update(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._status is not None:
            self._status.__exit__(exc_type, exc, tb)
            self._status = None


class Progress(Status):
    """A transient 'listing N ...' line on a terminal stderr while pages arrive. Use as a
    context manager and call ``advance(n)`` per page."""

    def __init__(self, what: str) -> None:
        super().__init__(f"listing {what}...")
        self._what = what
        self._count = 0

    def _shown(self) -> bool:
        # Rows written to the same terminal would tear the line: only when stdout goes
        # elsewhere (a file, a pipe).
        return color_stderr() and not _isatty(sys.stdout)

    def advance(self, items: int) -> None:
        self._count += items
        self.update(f"listing {self._what}: {self._count} so far...")
