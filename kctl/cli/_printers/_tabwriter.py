"""Elastic tabstops as kubectl writes tables: Go's text/tabwriter in liggitt's fork.

kubectl's writer (minwidth 6, tabwidth 4, padding 3, padchar ' ', RememberWidths) aligns
tab-terminated cells per column block; the text after a line's last tab is not a column and
is never padded. With RememberWidths a column never shrinks across flushes, which keeps
watch output and periodically flushed tables aligned. Only cell strings are held.
"""

from __future__ import annotations

import re
from typing import Protocol

__all__ = ["TabWriter"]

_SEPARATOR = re.compile("[\t\v\n\f]")


class _Out(Protocol):
    def write(self, text: str, /) -> object: ...


class TabWriter:
    def __init__(
        self,
        out: _Out,
        minwidth: int = 6,
        tabwidth: int = 4,
        padding: int = 3,
        padchar: str = " ",
        remember_widths: bool = True,
    ) -> None:
        self._out = out
        self._minwidth = minwidth
        self._tabwidth = tabwidth
        self._padding = padding
        self._padchar = padchar
        self._remember = remember_widths
        self._maxwidths: list[int] = []
        self._widths: list[int] = []
        # Complete cells of each line; the last line is the one being written.
        self._lines: list[list[str]] = [[]]
        self._cell: list[str] = []

    @property
    def remembered_widths(self) -> list[int]:
        return list(self._maxwidths)

    def set_remembered_widths(self, widths: list[int] | None) -> None:
        self._maxwidths = list(widths or ())

    def write(self, text: str) -> None:
        start = 0
        # The separators are found by the regex engine: a table of 10,000 rows is half a
        # million characters, too many to look at one by one in Python.
        for match in _SEPARATOR.finditer(text):
            i = match.start()
            self._cell.append(text[start:i])
            start = i + 1
            line = self._lines[-1]
            line.append("".join(self._cell))
            self._cell = []
            ch = text[i]
            if ch in "\n\f":
                self._lines.append([])
                # A line of one cell ends every column block: nothing after it can
                # change how the lines so far are laid out.
                if ch == "\f" or len(line) == 1:
                    self.flush()
        if start < len(text):
            self._cell.append(text[start:])

    def write_row(self, cells: list[str]) -> None:
        """``write("\\t".join(cells) + "\\n")``, without scanning the text again when no cell
        holds a separator of its own (the table printer's rows)."""
        joined = "\t".join(cells)
        if (
            self._cell
            or joined.count("\t") != len(cells) - 1
            or "\n" in joined
            or "\v" in joined
            or "\f" in joined
        ):
            self.write(joined + "\n")
            return
        line = self._lines[-1]
        line.extend(cells or [""])
        self._lines.append([])
        if len(line) == 1:
            self.flush()

    def flush(self) -> None:
        if self._cell:
            self._lines[-1].append("".join(self._cell))
            self._cell = []
        parts: list[str] = []
        self._format(parts, 0, len(self._lines))
        self._lines = [[]]
        self._widths = []
        if parts:
            self._out.write("".join(parts))

    def _write_lines(self, parts: list[str], line0: int, line1: int) -> None:
        widths = self._widths
        last = len(self._lines) - 1
        for i in range(line0, line1):
            line = self._lines[i]
            for j, cell in enumerate(line):
                parts.append(cell)
                if j < len(widths):
                    parts.append(self._padchar * (widths[j] - len(cell)))
            if i != last:
                parts.append("\n")

    def _format(self, parts: list[str], line0: int, line1: int) -> None:
        column = len(self._widths)
        this = line0
        while this < line1:
            if column >= len(self._lines[this]) - 1:
                this += 1
                continue
            self._write_lines(parts, line0, this)
            line0 = this
            width = self._minwidth
            while this < line1:
                line = self._lines[this]
                if column >= len(line) - 1:
                    break
                width = max(width, len(line[column]) + self._padding)
                this += 1
            if self._remember:
                depth = len(self._widths)
                if len(self._maxwidths) < depth:
                    self._maxwidths.extend(self._widths[len(self._maxwidths) :])
                if len(self._maxwidths) == depth:
                    self._maxwidths.append(width)
                elif self._maxwidths[depth] > width:
                    width = self._maxwidths[depth]
                else:
                    self._maxwidths[depth] = width
            self._widths.append(width)
            self._format(parts, line0, this)
            self._widths.pop()
            line0 = this
        self._write_lines(parts, line0, line1)
