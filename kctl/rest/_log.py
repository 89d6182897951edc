"""A tiny klog-shaped writer for kubectl's -v request logging (no ``logging`` import).

Lines look like klog's structured text output::

    I1126 15:15:27.263438    9370 round_trippers.go:527] "Request" verb="GET" url="..." headers=<
    \tAccept: application/json
     >
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from kctl.rest._goformat import go_quote

__all__ = ["KlogWriter", "mask_authorization", "truncate_body"]


def mask_authorization(key: str, value: str) -> str:
    """transport.maskValue: keep the scheme of an Authorization header, hide the rest."""
    if key.lower() != "authorization" or not value:
        return value
    index = value.find(" ")
    scheme = value[:index] if index > 0 else value
    if scheme.lower() not in ("bearer", "basic", "negotiate"):
        return "<masked>"
    return f"{scheme} <masked>" if len(value) > len(scheme) + 1 else scheme


def truncate_body(verbosity: int, body: str) -> str:
    """client-go's truncateBody: 1024 characters at -v 8, 10240 at 9, whole from 10 on."""
    if verbosity >= 10:
        return body
    limit = 10240 if verbosity >= 9 else 1024 if verbosity >= 8 else 0
    if len(body) <= limit:
        return body
    return body[:limit] + f" [truncated {len(body) - limit} chars]"


class KlogWriter:
    def __init__(self, verbosity: int, stream: TextIO | None = None) -> None:
        self.verbosity = verbosity
        self._stream = stream

    def enabled(self, level: int) -> bool:
        return self.verbosity >= level

    def info(self, level: int, source: str, message: str, *kvs: object) -> None:
        if self.verbosity < level:
            return
        self._write("I", source, message, kvs)

    def error(self, source: str, message: str, *kvs: object) -> None:
        """klog.ErrorS: written at every verbosity."""
        self._write("E", source, message, kvs)

    def _write(self, severity: str, source: str, message: str, kvs: tuple[object, ...]) -> None:
        now = time.time()
        local = time.localtime(now)
        micros = int((now % 1) * 1_000_000)
        header = (
            f"{severity}{local.tm_mon:02d}{local.tm_mday:02d} "
            f"{local.tm_hour:02d}:{local.tm_min:02d}:{local.tm_sec:02d}.{micros:06d} "
            f"{os.getpid():7d} {source}] "
        )
        parts = [go_quote(message)]
        for i in range(0, len(kvs) - 1, 2):
            parts.append(f"{kvs[i]}={_value(kvs[i + 1])}")
        stream = self._stream or sys.stderr
        stream.write(header + " ".join(parts) + "\n")
        stream.flush()


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if "\n" in text:
        # klog writes multi-line strings unquoted, one tab-indented line each.
        lines = text[:-1] if text.endswith("\n") else text
        return "<\n" + "".join(f"\t{line}\n" for line in lines.split("\n")) + " >"
    return go_quote(text)
