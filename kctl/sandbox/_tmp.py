"""Temporary directories that may hold a sandbox credential, and their clean-up.

Each directory's name carries the pid of the process that made it
(``kctl-sandbox-<what>-<pid>-XXXX``), so that after that process died without cleaning up
(``kill -9``, a power cut) the next ``kctl sandbox up`` or ``down`` can tell it is orphaned
and remove it: a kubeconfig with a bearer token, a serving key.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile

__all__ = ["private_tempdir", "remove_orphans"]

_NAME = re.compile(r"^kctl-sandbox-[a-z]+-(\d+)-")


def private_tempdir(what: str) -> str:
    """A new 0700 directory named for ``what`` and this process."""
    return tempfile.mkdtemp(prefix=f"kctl-sandbox-{what}-{os.getpid()}-")


def _dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def remove_orphans(directory: str | None = None) -> list[str]:
    """Remove this user's sandbox temp directories whose process is gone; their paths."""
    base = directory or tempfile.gettempdir()
    removed: list[str] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    uid = os.getuid()
    for entry in entries:
        match = _NAME.match(entry.name)
        if match is None:
            continue
        try:
            # Only our own directories, never following a link planted in a shared /tmp.
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not entry.is_dir(follow_symlinks=False) or st.st_uid != uid:
            continue
        if _dead(int(match.group(1))):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed
