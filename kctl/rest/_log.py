"""A tiny klog-shaped writer for kubectl's -v request logging (no ``logging`` import).

Lines look like klog's structured text output::

    I1126 15:15:27.263438    9370 round_trippers.go:527] "Request" verb="GET" url="..." headers=<
    \tAccept: application/json
     >
"""

from __future__ import annotations

import sys
from typing import TextIO

from kctl.util.klog import klog_line

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
        stream = self._stream or sys.stderr
        stream.write(klog_line(severity, source, message, *kvs))
        stream.flush()
