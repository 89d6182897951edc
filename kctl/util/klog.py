"""klog's text format, for the lines kubectl's libraries log on stderr.

One line is a header (severity, MMDD, local time in microseconds, the pid right-aligned in
7 columns, the Go source ``file:line``), the quoted message, then ``key=value`` pairs::

    E1126 17:41:59.985265     429 memcache.go:403] "Couldn't get resource list" err="..." groupVersion="metrics.k8s.io/v1beta1"

``klog.Warning``/``Warningf`` (not structured) write the same header and the bare text::

    W1205 21:10:40.684969    9019 helpers.go:714] --dry-run is deprecated and can be replaced with --dry-run=client.
"""

from __future__ import annotations

import os
import time

from kctl.util.goformat import go_quote

__all__ = ["klog_line", "klog_text"]


def klog_line(
    severity: str, source: str, message: str, *kvs: object, err: BaseException | None = None
) -> str:
    """One klog structured line (``klog.InfoS``/``ErrorS``), newline included.

    ``err`` comes first, as ``ErrorS`` writes it; ``kvs`` alternate keys and values.
    """
    parts = [_header(severity, source), go_quote(message)]
    if err is not None:
        parts.append(f"err={_value(str(err))}")
    for i in range(0, len(kvs) - 1, 2):
        parts.append(f"{kvs[i]}={_value(kvs[i + 1])}")
    return " ".join(parts) + "\n"


def klog_text(severity: str, source: str, text: str) -> str:
    """One unstructured klog line (``klog.Warning``/``Warningf``), newline included."""
    return f"{_header(severity, source)} {text}\n"


def _header(severity: str, source: str) -> str:
    now = time.time()
    local = time.localtime(now)
    micros = int((now % 1) * 1_000_000)
    return (
        f"{severity}{local.tm_mon:02d}{local.tm_mday:02d} "
        f"{local.tm_hour:02d}:{local.tm_min:02d}:{local.tm_sec:02d}.{micros:06d} "
        f"{os.getpid():7d} {source}]"
    )


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
