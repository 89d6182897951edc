"""Go's text forms that leak into client-go messages: durations, %q quoting, os/arch.

The duration and quoting forms live in :mod:`kctl.util.goformat`, shared with the printers and
the sandbox."""

from __future__ import annotations

import os
import sys

from kctl.util.goformat import go_duration, go_quote

__all__ = ["default_user_agent", "go_arch", "go_duration", "go_os", "go_quote"]


_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "386",
    "i686": "386",
    "x86": "386",
    "armv7l": "arm",
    "armv6l": "arm",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}


def go_os() -> str:
    if sys.platform.startswith("linux"):
        return "linux"
    if sys.platform == "win32":
        return "windows"
    return sys.platform.rstrip("0123456789") or sys.platform


def go_arch() -> str:
    if hasattr(os, "uname"):
        machine = os.uname().machine
    else:  # Windows has no uname; platform is only paid for there.
        import platform

        machine = platform.machine()
    return _ARCH.get(machine.lower(), machine.lower())


def default_user_agent() -> str:
    """``kctl/<version> (<os>/<arch>)``, the shape of client-go's DefaultKubernetesUserAgent."""
    from kctl import __version__

    return f"kctl/{__version__} ({go_os()}/{go_arch()})"
