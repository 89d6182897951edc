"""Replace a file all at once: readers see the old content or the new, never a torn write."""

from __future__ import annotations

import os

__all__ = ["write_atomic"]


def write_atomic(
    path: str | os.PathLike[str], data: bytes | str, *, mode: int | None = None
) -> None:
    """Write ``data`` (str as UTF-8) to a temp file beside ``path``, fsync it, rename it over.

    ``mode`` sets the new file's permission bits; None keeps those of the file it replaces
    (0600 for a new file, as it may hold a credential). A symlinked ``path`` is written
    through, not replaced by a regular file (client-go keeps a symlinked kubeconfig a link).
    The directory must exist.
    """
    # The temp file is created 0600 and only widened to its final mode once written.
    import tempfile

    target = os.path.realpath(path)
    if mode is None:
        try:
            mode = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o600
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = os.path.dirname(target)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
