"""kubectl's discovery cache: files on disk shared with kubectl, and memory on top.

The layout is client-go's ``discovery/cached/disk`` under the directory kubectl computes
(cli-runtime's ``toDiscoveryClient``), so kctl and kubectl read each other's cache:

    $KUBECACHEDIR or ~/.kube/cache
    └── discovery/<host, scheme stripped, [^(\\w/.)] -> _>/
        ├── servergroups.json                    a v1 APIGroupList
        ├── v1/serverresources.json              a v1 APIResourceList per group-version
        └── apps/v1/serverresources.json

Files older than the TTL (6 h, by mtime) are ignored; after ``invalidate()`` every file this
process did not write itself is ignored. Below the files sits client-go's memory cache: one
aggregated discovery fetch (or one legacy fan-out) answers every miss.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from kctl.discovery._helpers import (
    DEFAULT_BURST,
    FETCH_ERRORS,
    failed_error,
    fetch_group_version_resources,
    in_discovery_order,
    namespaced_only,
    preferred_resources,
)
from kctl.discovery._types import APIGroup, APIGroupList, APIResourceList, VersionInfo
from kctl.errors import DiscoveryError, GroupDiscoveryFailedError, StatusError, TransportError
from kctl.schema import GroupVersion

if TYPE_CHECKING:
    from kctl.discovery._client import DiscoveryClient, OpenAPIV3Client
    from kctl.rest import Config

__all__ = [
    "DEFAULT_TTL",
    "CachedDiscoveryClient",
    "GroupVersionErrorHandler",
    "default_cache_dir",
    "discovery_cache_dir",
    "new_cached_discovery_client_for_config",
]

DEFAULT_TTL = 6 * 3600.0

# cli-runtime's overlyCautiousIllegalFileCharacters; Go's \w is ASCII-only.
_ILLEGAL = r"[^(\w/.)]"

_T = TypeVar("_T", APIGroupList, APIResourceList)

# Told of each group-version the memory cache could not fetch, where client-go's memcache
# calls utilruntime.HandleError (kubectl's klog E lines): ``(group_version, err, retried)``,
# ``retried`` False for the refresh's fan-out (memcache.go:403, key ``groupVersion``) and True
# for the re-fetch of a transient failure on a later lookup (memcache.go:133, key ``gv``).
GroupVersionErrorHandler = Callable[[str, BaseException, bool], None]


class _EmptyResponseError(DiscoveryError):
    """A group-version listing no resources: client-go logs it only at -v 3, never as an error."""


def default_cache_dir() -> str:
    """``$KUBECACHEDIR``, else ``~/.kube/cache`` (cli-runtime's getDefaultCacheDir)."""
    return os.environ.get("KUBECACHEDIR") or os.path.join(os.path.expanduser("~"), ".kube", "cache")


def discovery_cache_dir(parent: str, host: str) -> str:
    """cli-runtime's computeDiscoverCacheDir: ``parent/<sanitised host>``.

    Only the first ``https://`` and then the first ``http://`` are removed, wherever they are;
    ``/`` survives the sanitising, so a path in the host becomes sub-directories, and the
    join is cleaned as Go's filepath.Join does (``..`` and trailing slashes collapse).
    """
    import re

    schemeless = host.replace("https://", "", 1).replace("http://", "", 1)
    safe = re.sub(_ILLEGAL, "_", schemeless, flags=re.ASCII)
    return os.path.normpath(os.path.join(parent, safe))


def _is_transient(err: BaseException) -> bool:
    """The per-group-version failures the memory cache retries (memcache.isTransientError)."""
    if isinstance(err, TransportError):
        return True
    if isinstance(err, StatusError):
        return err.code >= 500 or err.code == 429 or err.reason == "TooManyRequests"
    return False


def _make_dirs(directory: str) -> None:
    """os.MkdirAll(dir, 0750): unlike os.makedirs, every created level gets the mode."""
    missing: list[str] = []
    while directory and not os.path.isdir(directory):
        missing.append(directory)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o750)
        except FileExistsError:
            if not os.path.isdir(path):
                raise


def _read_fresh(filename: str, now: float, ttl: float) -> bytes | None:
    """The file's bytes, or None when it is older (by mtime) than ``ttl`` at ``now``.

    One open, one fstat and (for a cache file's size) one read: the unbuffered calls skip
    the buffered file object ``open`` builds, a measurable share of reading ~25 small files.
    """
    fd = os.open(filename, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if now > st.st_mtime + ttl:
            return None
        chunks: list[bytes] = []
        # st_size is a hint: a file replaced (renamed over) meanwhile keeps this fd's content,
        # but read until EOF anyway rather than trust it.
        size = max(st.st_size, 0) + 1
        while chunk := os.read(fd, size):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class CachedDiscoveryClient:
    """Discovery through kubectl's disk cache (``cache_dir``) and a memory cache.

    With ``cache_dir=None`` only the memory cache is used (client-go's memory.MemCacheClient).
    ``delegate`` is the live client, or a function making it on first use: answers from a
    warm cache then never build (or import) the HTTP stack.
    """

    def __init__(
        self,
        delegate: DiscoveryClient | Callable[[], DiscoveryClient],
        cache_dir: str | None = None,
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.time,
        error_handler: GroupVersionErrorHandler | None = None,
    ) -> None:
        self._delegate: DiscoveryClient | None = None
        self._make_delegate: Callable[[], DiscoveryClient] | None = None
        if callable(delegate):
            self._make_delegate = delegate
        else:
            self._delegate = delegate
        self.cache_dir = cache_dir
        self.ttl = ttl
        self._clock = clock
        self.error_handler = error_handler
        self._lock = threading.RLock()
        self._delegate_lock = threading.Lock()
        # Disk layer (disk.CachedDiscoveryClient).
        self._our_files: set[str] = set()
        self._invalidated = False
        self._fresh = True
        self._memo: dict[str, APIGroupList | APIResourceList] = {}
        # Memory layer (memory.memCacheClient).
        self._mem_valid = False
        self._mem_groups = APIGroupList()
        self._mem_resources: dict[str, APIResourceList | BaseException] = {}

    @property
    def delegate(self) -> DiscoveryClient:
        """The live discovery client under both caches."""
        delegate = self._delegate
        if delegate is not None:
            return delegate
        # Not self._lock: the legacy fan-out's worker threads get here while the refresh
        # that started them holds it.
        with self._delegate_lock:
            if self._delegate is None:
                assert self._make_delegate is not None
                self._delegate = self._make_delegate()
            return self._delegate

    # -- disk ----------------------------------------------------------------------------

    def _path(self, *parts: str) -> str | None:
        if self.cache_dir is None:
            return None
        return os.path.join(self.cache_dir, *parts)

    def _read(self, filename: str, decode: Callable[[dict[str, Any]], _T]) -> _T | None:
        with self._lock:
            ours = filename in self._our_files
            if self._invalidated and not ours:
                return None
            memo = self._memo.get(filename)
        if memo is not None:
            return memo  # type: ignore[return-value]
        try:
            raw = _read_fresh(filename, self._clock(), self.ttl)
            if raw is None:
                return None
            data = json.loads(raw)
        except (OSError, ValueError):
            # Missing, unreadable or corrupt: fall back to the server, as client-go does.
            return None
        if not isinstance(data, dict):
            return None
        decoded = decode(data)
        with self._lock:
            self._fresh = self._fresh and ours
            self._memo[filename] = decoded
        return decoded

    def _write(self, filename: str, obj: APIGroupList | APIResourceList) -> None:
        import tempfile

        directory = os.path.dirname(filename)
        payload = (json.dumps(obj.to_dict(), separators=(",", ":")) + "\n").encode()
        tmp = ""
        try:
            _make_dirs(directory)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=os.path.basename(filename) + ".")
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            os.chmod(tmp, 0o660)
            with self._lock:
                os.replace(tmp, filename)
                tmp = ""
                self._our_files.add(filename)
                self._memo[filename] = obj
        except OSError:
            # An unwritable cache only costs speed; client-go logs it at -v 1 and goes on.
            pass
        finally:
            if tmp:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    # -- memory --------------------------------------------------------------------------

    def _refresh_locked(self) -> None:
        groups, resources, failed = self.delegate.groups_and_maybe_resources()
        if resources is not None:
            entries: dict[str, APIResourceList | BaseException] = {
                str(gv): lst for gv, lst in resources.items()
            }
            entries.update({str(gv): err for gv, err in failed.items()})
            self._mem_groups, self._mem_resources, self._mem_valid = groups, entries, True
            return
        if not groups.groups:
            return
        fetched, errors = fetch_group_version_resources(self._fetch_one_live, groups)
        for gv, err in errors.items():
            self._report(str(gv), err, retried=False)
        entries = {str(gv): lst for gv, lst in fetched.items()}
        entries.update({str(gv): err for gv, err in errors.items()})
        self._mem_groups, self._mem_resources, self._mem_valid = groups, entries, True

    def _fetch_one_live(self, group_version: str) -> APIResourceList:
        listed = self.delegate.server_resources_for_group_version(group_version)
        if not listed.resources:
            raise _EmptyResponseError(f"received empty response for: {group_version}")
        return listed

    def _report(self, group_version: str, err: BaseException, *, retried: bool) -> None:
        if self.error_handler is not None and not isinstance(err, _EmptyResponseError):
            self.error_handler(group_version, err, retried)

    def _mem_groups_list(self) -> APIGroupList:
        with self._lock:
            if not self._mem_valid:
                self._refresh_locked()
            return self._mem_groups

    def _mem_resources_for(self, group_version: str) -> APIResourceList:
        with self._lock:
            if not self._mem_valid:
                self._refresh_locked()
            entry = self._mem_resources.get(group_version)
            if entry is None:
                raise DiscoveryError("not found")
            if isinstance(entry, BaseException) and _is_transient(entry):
                try:
                    entry = self._fetch_one_live(group_version)
                except FETCH_ERRORS as err:
                    self._report(group_version, err, retried=True)
                    entry = err
                self._mem_resources[group_version] = entry
        if isinstance(entry, BaseException):
            raise entry
        return entry

    # -- the discovery interface -----------------------------------------------------------

    def server_groups(self) -> APIGroupList:
        filename = self._path("servergroups.json")
        if filename is not None:
            cached = self._read(filename, APIGroupList.from_dict)
            if cached is not None:
                return cached
        live = self._mem_groups_list()
        if filename is not None and live.groups:
            self._write(filename, live)
        return live

    def server_resources_for_group_version(self, group_version: str) -> APIResourceList:
        filename = self._path(*group_version.split("/"), "serverresources.json")
        if filename is not None:
            cached = self._read(filename, lambda d: APIResourceList.from_dict(d, group_version))
            if cached is not None:
                return cached
        live = self._mem_resources_for(group_version)
        if filename is not None and live.resources:
            self._write(filename, live)
        return live

    def _all(
        self,
    ) -> tuple[
        APIGroupList, dict[GroupVersion, APIResourceList], dict[GroupVersion, BaseException]
    ]:
        groups = self.server_groups()
        # Files and memory answer these; a network fan-out, if any, happens in the refresh.
        resources, failed = fetch_group_version_resources(
            self.server_resources_for_group_version, groups, concurrent=False
        )
        return groups, resources, failed

    def server_groups_and_resources(self) -> tuple[list[APIGroup], list[APIResourceList]]:
        groups, resources, failed = self._all()
        result = (list(groups.groups), in_discovery_order(groups, resources))
        if failed:
            raise failed_error(failed, result)
        return result

    def server_preferred_resources(self) -> list[APIResourceList]:
        return preferred_resources(*self._all())

    def server_preferred_namespaced_resources(self) -> list[APIResourceList]:
        try:
            return namespaced_only(self.server_preferred_resources())
        except GroupDiscoveryFailedError as err:
            err.partial = namespaced_only(err.partial or [])
            raise

    def server_version(self) -> VersionInfo:
        return self.delegate.server_version()

    def open_api_v3(self) -> OpenAPIV3Client:
        return self.delegate.open_api_v3()

    def fresh(self) -> bool:
        """Whether a failed lookup is worth retrying after ``invalidate()``: False once
        anything was served from a file another process wrote (disk.CachedDiscoveryClient);
        without a cache directory, False until the memory cache was filled (memcache)."""
        with self._lock:
            return self._fresh if self.cache_dir is not None else self._mem_valid

    def invalidate(self) -> None:
        """Forget everything: files not written by this process, and the memory cache."""
        with self._lock:
            self._our_files.clear()
            self._memo.clear()
            self._fresh = True
            self._invalidated = True
            self._mem_valid = False
            self._mem_groups = APIGroupList()
            self._mem_resources = {}


def new_cached_discovery_client_for_config(
    config: Config,
    cache_dir: str | None = None,
    *,
    ttl: float = DEFAULT_TTL,
    error_handler: GroupVersionErrorHandler | None = None,
) -> CachedDiscoveryClient:
    """kubectl's discovery client: ``cache_dir`` is ``--cache-dir`` (None: the default);
    ``error_handler`` is told of the group-versions that could not be fetched."""
    root = default_cache_dir()
    if cache_dir and cache_dir != root:
        root = cache_dir
    directory = discovery_cache_dir(os.path.join(root, "discovery"), config.host)

    def live() -> DiscoveryClient:
        from kctl.discovery._client import new_discovery_client_for_config

        return new_discovery_client_for_config(
            config if config.burst else config.copy(burst=DEFAULT_BURST)
        )

    return CachedDiscoveryClient(live, directory, ttl=ttl, error_handler=error_handler)
