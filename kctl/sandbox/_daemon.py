"""``kctl sandbox up/down/status``: a detached sandbox and its kubeconfig entries.

Everything lives in the cache directory (``$XDG_CACHE_HOME/kctl/sandbox`` or
``~/.cache/kctl/sandbox``): ``pid`` (pid and URL), ``state.db``, ``log``, ``kubeconfig`` (the
server's own) and ``record.json`` (what ``up`` changed in the user's kubeconfig, so that
``down`` can undo exactly that). One ``up``/``down`` at a time holds ``lock`` (flock), and
every kubeconfig edit holds client-go's ``<file>.lock``.

The state records its seed: ``up --seed X`` on a state filled from another seed warns and
keeps it, and ``up --fresh`` builds a new state (served once on a spare port) before it
replaces the old one. ``up`` and ``down`` also remove the temp directories of sandbox
processes that died without cleaning up (``kctl.sandbox._tmp``).

``down`` writes the user's original bytes back when the file is still exactly what ``up``
wrote; otherwise it removes only the ``kctl-sandbox`` entries and restores the previous
current-context, keeping everything else someone changed in between.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kctl.errors import KctlError
from kctl.util._atomic import write_atomic

__all__ = ["DaemonError", "Running", "cache_dir", "running", "start", "stop"]

NAME = "kctl-sandbox"
_LOCK_WAIT = 30.0


class DaemonError(KctlError):
    """The background sandbox could not be started, found or stopped."""


@dataclass(frozen=True)
class Running:
    pid: int
    url: str
    state: str
    log: str
    kubeconfig: str = ""


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kctl", "sandbox")


def _paths() -> dict[str, str]:
    root = cache_dir()
    names = ("pid", "state.db", "log", "kubeconfig", "record.json", "lock")
    return {name: os.path.join(root, name) for name in names}


@contextlib.contextmanager
def _exclusive() -> Iterator[dict[str, str]]:
    import fcntl

    paths = _paths()
    try:
        os.makedirs(cache_dir(), mode=0o700, exist_ok=True)
        fd = os.open(paths["lock"], os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as err:
        raise DaemonError(f"cannot use {cache_dir()}: {err.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield paths
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        # Our own child (up run in-process) must be reaped, or it lingers as a zombie.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    cmdline = f"/proc/{pid}/cmdline"
    if os.path.exists(cmdline):
        # A recycled pid belongs to someone else.
        with open(cmdline, "rb") as fh:
            args = fh.read().split(b"\0")
        return b"sandbox" in args and b"serve" in args
    return True


def _read_pid(paths: dict[str, str]) -> Running | None:
    try:
        with open(paths["pid"], encoding="utf-8") as fh:
            lines = fh.read().split()
        pid, url = int(lines[0]), lines[1]
    except (OSError, ValueError, IndexError):
        return None
    if not _alive(pid):
        return None
    return Running(pid, url, paths["state.db"], paths["log"])


def running() -> Running | None:
    return _read_pid(_paths())


def _seed_id(seed: str) -> str:
    # The server runs in the cache directory, not here; the state records this form.
    return seed if seed in ("demo", "empty") else os.path.abspath(seed)


def _spawn(
    paths: dict[str, str],
    port: int,
    seed: str,
    tls: bool,
    timeout: float,
    state: str = "",
    kubeconfig: bool = True,
    runtime: str = "",
) -> Running:
    """Start ``serve`` detached and wait for its ``ready`` line; ``state`` defaults to the
    sandbox's own, and only the real server (``kubeconfig``) writes the kubeconfig."""
    seed = _seed_id(seed)
    state = state or paths["state.db"]
    # ``-m`` puts the working directory first on sys.path, where a folder named kctl (a
    # checkout, say) would shadow the installed package: the server runs in the cache
    # directory, and -P puts no directory first at all.
    args = [
        sys.executable,
        "-P",
        "-m",
        "kctl",
        "sandbox",
        "serve",
        "--port",
        str(port),
        "--seed",
        seed,
        "--state",
        state,
    ]
    if kubeconfig:
        args += ["--kubeconfig-out", paths["kubeconfig"]]
    args.append("--tls" if tls else "--no-tls")
    if runtime:
        args += ["--runtime", runtime]
    with open(paths["log"], "ab") as log:
        offset = log.tell()
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
            cwd=cache_dir(),
        )
    deadline = time.monotonic() + timeout
    while True:
        with open(paths["log"], "rb") as fh:
            fh.seek(offset)
            output = fh.read().decode("utf-8", "replace")
        for line in output.splitlines():
            if line.startswith("ready "):
                return Running(proc.pid, line[len("ready ") :].strip(), state, paths["log"])
        code = proc.poll()
        if code is not None:
            last = [ln for ln in output.splitlines() if ln.strip()]
            why = last[-1] if last else f"exit code {code}"
            raise DaemonError(f"the sandbox exited during start-up: {why} (log: {paths['log']})")
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise DaemonError(
                f"the sandbox was not ready within {timeout:g}s (log: {paths['log']})"
            )
        time.sleep(0.05)


@contextlib.contextmanager
def _kubeconfig_lock(filename: str) -> Iterator[None]:
    """client-go's ``<file>.lock``, waited for (another up/down or kubectl may hold it)."""
    from kctl.clientcmd._writer import _locked
    from kctl.errors import ConfigError

    deadline = time.monotonic() + _LOCK_WAIT
    while True:
        try:
            with _locked([filename]):
                yield
            return
        except ConfigError:
            if time.monotonic() > deadline:
                raise DaemonError(
                    f"{filename}.lock exists: another program is editing the kubeconfig "
                    "(remove the lock file if that program is gone)"
                ) from None
            time.sleep(0.02)


def _read_bytes(filename: str) -> bytes | None:
    try:
        with open(filename, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def _sha(data: bytes | None) -> str:
    return "" if data is None else hashlib.sha256(data).hexdigest()


def _target_file() -> str:
    from kctl.clientcmd import new_default_client_config_loading_rules

    return new_default_client_config_loading_rules().get_default_filename()


def _add_entries(paths: dict[str, str]) -> str:
    from kctl.clientcmd import Kubeconfig, load_from_file, write_to_file
    from kctl.errors import ConfigError

    try:
        ours = load_from_file(paths["kubeconfig"])
    except (OSError, ConfigError) as err:
        raise DaemonError(f"cannot read the sandbox kubeconfig: {err}") from None
    filename = _target_file()
    with _kubeconfig_lock(filename):
        original = _read_bytes(filename)
        record = _load_record(paths)
        previous_context: str
        if record is not None and record.get("file") == filename:
            # A sandbox that died without ``down``: its entries are still there.
            previous_context = record.get("previous_context", "")
            kept = record.get("original")
            unchanged = record.get("written") == _sha(original)
            original_b64 = kept if unchanged else None
            exists = record.get("existed", True) if unchanged else True
        else:
            original_b64 = base64.b64encode(original).decode() if original is not None else None
            exists = original is not None
            previous_context = ""
        try:
            config = load_from_file(filename) if original is not None else Kubeconfig()
        except ConfigError as err:
            raise DaemonError(str(err)) from None
        if record is None or record.get("file") != filename:
            previous_context = config.current_context
        config.clusters[NAME] = ours.clusters[NAME]
        config.auth_infos[NAME] = ours.auth_infos[NAME]
        config.contexts[NAME] = ours.contexts[NAME]
        config.current_context = NAME
        write_to_file(config, filename)
        written = _read_bytes(filename)
        _save_record(
            paths,
            {
                "file": filename,
                "existed": exists,
                "original": original_b64,
                "written": _sha(written),
                "previous_context": previous_context if previous_context != NAME else "",
            },
        )
    return filename


def _remove_entries(paths: dict[str, str]) -> None:
    from kctl.clientcmd import load_from_file, write_to_file
    from kctl.errors import ConfigError

    record = _load_record(paths)
    if record is None:
        return
    filename = record["file"]
    with _kubeconfig_lock(filename):
        current = _read_bytes(filename)
        untouched = current is not None and _sha(current) == record.get("written")
        if current is None:
            pass  # someone removed the file; nothing of ours is left in it
        elif untouched and not record.get("existed", True):
            os.unlink(filename)
        elif untouched and record.get("original") is not None:
            write_atomic(filename, base64.b64decode(record["original"]))
        else:
            try:
                config = load_from_file(filename)
            except ConfigError as err:
                raise DaemonError(str(err)) from None
            config.clusters.pop(NAME, None)
            config.auth_infos.pop(NAME, None)
            config.contexts.pop(NAME, None)
            if config.current_context == NAME:
                config.current_context = record.get("previous_context", "")
            write_to_file(config, filename)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(paths["record.json"])


def _load_record(paths: dict[str, str]) -> dict[str, Any] | None:
    try:
        with open(paths["record.json"], encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise DaemonError(f"cannot read {paths['record.json']}: {err}") from None
    return data if isinstance(data, dict) and "file" in data else None


def _save_record(paths: dict[str, str], record: dict[str, Any]) -> None:
    write_atomic(paths["record.json"], json.dumps(record), mode=0o600)


def start(
    *,
    port: int = 0,
    seed: str = "demo",
    tls: bool = True,
    timeout: float = 30.0,
    fresh: bool = False,
    check_seed: bool = False,
    warn: Callable[[str], None] | None = None,
    runtime: str = "",
) -> tuple[Running, bool]:
    """Start the background sandbox; (info, False) when one was already running.

    ``fresh`` replaces the saved state (and a running sandbox) with a new one filled from
    ``seed``; the old state is removed only once the new one was served. Otherwise an
    existing state is kept, and ``check_seed`` has ``warn`` say so when it was filled from
    another seed than ``seed``.
    """
    with _exclusive() as paths:
        _remove_orphans()
        current = _read_pid(paths)
        if fresh:
            _replace_state(paths, seed, tls, timeout, current)
        else:
            if check_seed and warn is not None:
                _check_seed(paths, seed, warn)
            if current is not None:
                return current, False
        info = _spawn(paths, port, seed, tls, timeout, runtime=runtime)
        try:
            write_atomic(paths["pid"], f"{info.pid}\n{info.url}\n", mode=0o600)
            filename = _add_entries(paths)
        except BaseException:
            _terminate(info.pid)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(paths["pid"])
            raise
        return Running(info.pid, info.url, info.state, info.log, filename), True


def _check_seed(paths: dict[str, str], seed: str, warn: Callable[[str], None]) -> None:
    from kctl.sandbox._persist import read_seed

    was = read_seed(paths["state.db"])
    wanted = _seed_id(seed)
    if was is not None and was != wanted:
        warn(
            f"the saved sandbox state was seeded from {json.dumps(was)}, not "
            f"{json.dumps(wanted)}; keeping it (kctl sandbox up --fresh --seed "
            f"{shlex.quote(seed)} starts over)"
        )


def _remove_files(*names: str) -> None:
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def _replace_state(
    paths: dict[str, str], seed: str, tls: bool, timeout: float, current: Running | None
) -> None:
    """A new state filled from ``seed``, served once (port 0) to prove it ready, then put in
    place of the old one; the running sandbox, if any, is stopped only then."""
    import sqlite3

    state = paths["state.db"]
    new = state + ".fresh"
    _remove_files(new, new + "-wal", new + "-shm")
    try:
        trial = _spawn(paths, 0, seed, tls, timeout, state=new, kubeconfig=False)
        _terminate(trial.pid)
        # A standalone file (no -wal beside it), so the rename below moves all of it.
        db = sqlite3.connect(new, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=DELETE")
        finally:
            db.close()
    except BaseException:
        _remove_files(new, new + "-wal", new + "-shm", new + ".lock")
        raise
    if current is not None:
        _terminate(current.pid)
        _remove_files(paths["pid"])
    # The old WAL first: a crash after the rename must not replay it into the new file.
    _remove_files(state + "-wal", state + "-shm")
    os.replace(new, state)
    _remove_files(new + ".lock")


def _remove_orphans() -> None:
    from kctl.sandbox._tmp import remove_orphans

    remove_orphans()


def _terminate(pid: int, timeout: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout
        time.sleep(0.02)


def stop(*, purge: bool = False) -> Running | None:
    """Stop the background sandbox and undo its kubeconfig changes; None if none ran."""
    with _exclusive() as paths:
        _remove_orphans()
        info = _read_pid(paths)
        if info is not None:
            _terminate(info.pid)
        _remove_entries(paths)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(paths["pid"])
        if purge:
            for name in ("state.db", "state.db-wal", "state.db-shm", "kubeconfig"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(cache_dir(), name))
        return info
