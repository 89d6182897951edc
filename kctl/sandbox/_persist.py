"""SQLite persistence (``--state FILE``): every committed write is durable before it is answered.

The store calls :meth:`SQLiteBackend.commit` for each write while holding its lock and before
the response exists, and the backend commits a SQLite transaction (WAL, synchronous=FULL)
right there. The last resourceVersion is kept with the objects, so a restarted sandbox
continues the counter and never hands out a version twice, even after ``kill -9``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from typing import IO, Any

from kctl.errors import StatusError
from kctl.sandbox import _status as st
from kctl.sandbox._store import Event

__all__ = ["SQLiteBackend", "StateError", "read_seed"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS objects ("
    " grp TEXT NOT NULL, resource TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY (grp, resource, key))",
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


class StateError(OSError):
    """The state file cannot be used (unreadable, not a sandbox database, in use)."""


class SQLiteBackend:
    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._batch = 0
        self._closed = False
        self._lockfile = self._take_lock(path)
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            for statement in _SCHEMA:
                self._db.execute(statement)
        except sqlite3.DatabaseError as err:
            self._lockfile.close()
            raise StateError(f"cannot use state file {path}: {err}") from None

    @staticmethod
    def _take_lock(path: str) -> IO[bytes]:
        import fcntl

        try:
            fh = open(path + ".lock", "ab")  # noqa: SIM115 - held open for the backend's life
        except OSError as err:
            raise StateError(f"cannot open state file {path}: {err.strerror}") from None
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StateError(f"state file {path} is in use by another sandbox") from None
        return fh

    @property
    def fresh(self) -> bool:
        """True for a database that has never held a write (the seed goes in then)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'rv'").fetchone()
        return row is None

    def set_seed(self, seed: str) -> None:
        """Remember what filled this state (inside a :meth:`batch`: with the seed's objects)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO meta (name, value) VALUES ('seed', ?)", (seed,)
            )

    def load(self) -> tuple[int, list[tuple[tuple[str, str], dict[str, Any]]]]:
        """(last resourceVersion, [(resource, object)...]) as last committed."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'rv'").fetchone()
            rows = self._db.execute(
                "SELECT grp, resource, data FROM objects ORDER BY grp, resource, key"
            ).fetchall()
        objects = [((grp, resource), json.loads(data)) for grp, resource, data in rows]
        return (int(row[0]) if row else 0), objects

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes (seeding) into one transaction."""
        with self._lock:
            if self._batch == 0:
                self._db.execute("BEGIN IMMEDIATE")
            self._batch += 1
        ok = False
        try:
            yield
            ok = True
        finally:
            with self._lock:
                self._batch -= 1
                if self._batch == 0:
                    # A failed seed leaves a fresh database, not half a seed.
                    self._db.execute("COMMIT" if ok else "ROLLBACK")

    def commit(self, event: Event) -> None:
        group, resource = event.resource
        with self._lock:
            if self._closed:
                # Controllers and late requests may still write while the sandbox stops.
                raise StatusError(
                    st.status_body(503, "ServiceUnavailable", "the sandbox is shutting down")
                )
            own = self._batch == 0
            if own:
                self._db.execute("BEGIN IMMEDIATE")
            try:
                if event.type == "DELETED":
                    self._db.execute(
                        "DELETE FROM objects WHERE grp = ? AND resource = ? AND key = ?",
                        (group, resource, event.key),
                    )
                else:
                    self._db.execute(
                        "INSERT OR REPLACE INTO objects (grp, resource, key, data) "
                        "VALUES (?, ?, ?, ?)",
                        (group, resource, event.key, event.entry.raw),
                    )
                self._db.execute(
                    "INSERT OR REPLACE INTO meta (name, value) VALUES ('rv', ?)", (str(event.rv),)
                )
            except BaseException:
                if own:
                    self._db.execute("ROLLBACK")
                raise
            if own:
                self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            # The lock file stays: unlinking it would race with a sandbox about to lock it.
            self._lockfile.close()


def read_seed(path: str) -> str | None:
    """The seed a state file was filled with; None when unknown (no file, a state from
    before seeds were recorded, or not a sandbox database). Read-only, so it may run while
    a sandbox holds the file."""
    import os
    from urllib.parse import quote

    if not os.path.exists(path):
        return None
    try:
        db = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = db.execute("SELECT value FROM meta WHERE name = 'seed'").fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return str(row[0]) if row else None
