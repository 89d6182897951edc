"""``kctl logs``: a container's log by POD or TYPE/NAME (a workload picks one of its pods as
kubectl does), or every pod of a ``-l`` selector; ``-f`` follows, several streams at once
through worker threads whose lines the main thread writes whole.

As kubectl: a followed stream that the server ends cleanly ends the command (no reconnect);
one that fails with an API error (a container still waiting to start) is retried every
second for ``--pod-running-timeout``, each failure printed; any other failure ends it.
"""

from __future__ import annotations

import functools
import queue
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import click

from kctl.cli._delete_flags import GoDuration
from kctl.cli._errors import SilentExit, usage_errorf
from kctl.cli._globals import Factory, GoInt, kubectl_command
from kctl.cli._io import stderr_after_stdout
from kctl.cli._selectors import container_names, pod_selector
from kctl.errors import KctlError, StatusError

if TYPE_CHECKING:
    from kctl.kubernetes._extras import PodClient

__all__ = ["command", "parse_rfc3339"]

USAGE = "logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]"
_USAGE_ERROR = f"expected '{USAGE}'.\nPOD or TYPE/NAME is a required argument for the logs command"
# kubectl shows the last 10 lines of each pod picked by a selector unless --tail is given.
SELECTOR_TAIL = 10
DEFAULT_POD_TIMEOUT = 20.0
_RETRY_INTERVAL = 1.0
_DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"


# -- --since-time: Go's time.Parse(time.RFC3339, ...) and its error texts ----------------------

_RFC3339 = "2006-01-02T15:04:05Z07:00"


class _TimeError(ValueError):
    pass


def _quote(text: str) -> str:
    from kctl.cli._printers import marshal

    return marshal(text)


def _bad(value: str, rest: str, elem: str) -> _TimeError:
    return _TimeError(
        f"parsing time {_quote(value)} as {_quote(_RFC3339)}: "
        f"cannot parse {_quote(rest)} as {_quote(elem)}"
    )


def _range(value: str, what: str) -> _TimeError:
    return _TimeError(f"parsing time {_quote(value)}: {what} out of range")


def _digits(rest: str, fixed: bool) -> tuple[int, str] | None:
    """Go's getnum: one or two digits (exactly two when ``fixed``)."""
    if not rest[:1].isdigit():
        return None
    if not rest[1:2].isdigit():
        return None if fixed else (int(rest[0]), rest[1:])
    return int(rest[:2]), rest[2:]


def parse_rfc3339(value: str) -> datetime:
    """A ``--since-time`` value as kubectl reads it (lenient Go layout parsing: a one-digit
    hour, any fraction of a second), with Go's error texts."""
    rest = value
    if len(rest) < 4 or not rest[:4].isdigit():
        raise _bad(value, rest, "2006")
    year, rest = int(rest[:4]), rest[4:]
    fields: list[int] = []
    for sep, elem, fixed, top, name in (
        ("-", "01", True, 12, "month"),
        ("-", "02", True, 31, ""),
        ("T", "15", False, 23, "hour"),
        (":", "04", True, 59, "minute"),
        (":", "05", True, 59, "second"),
    ):
        if not rest.startswith(sep):
            raise _bad(value, rest, sep)
        rest = rest[len(sep) :]
        got = _digits(rest, fixed)
        if got is None:
            raise _bad(value, rest, elem)
        number, rest = got
        if name and (number > top or (name == "month" and number < 1)):
            raise _range(value, name)
        fields.append(number)
    micro = 0
    if len(rest) > 1 and rest[0] in ".," and rest[1].isdigit():
        frac = re.match(r"[.,](\d+)", rest)
        assert frac is not None
        micro = int((frac.group(1) + "000000")[:6])
        rest = rest[frac.end() :]
    if rest.startswith("Z"):
        offset, rest = timedelta(0), rest[1:]
    else:
        zone = re.match(r"([+-])(\d\d):(\d\d)", rest)
        if zone is None:
            raise _bad(value, rest, "Z07:00")
        minutes = int(zone.group(2)) * 60 + int(zone.group(3))
        offset = timedelta(minutes=minutes if zone.group(1) == "+" else -minutes)
        rest = rest[zone.end() :]
    if rest:
        raise _TimeError(f"parsing time {_quote(value)}: extra text: {_quote(rest)}")
    month, day, hour, minute, second = fields
    try:
        when = datetime(year, month, day, hour, minute, second, micro, timezone(offset))
    except ValueError:
        raise _range(value, "day") from None
    return when.astimezone(timezone.utc)


# -- options -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LogOptions:
    """PodLogOptions as kubectl sends them."""

    container: str = ""
    follow: bool = False
    previous: bool = False
    timestamps: bool = False
    since_seconds: int | None = None
    since_time: str = ""
    tail_lines: int | None = None
    limit_bytes: int | None = None
    insecure_skip_tls_verify_backend: bool = False


@dataclass(frozen=True)
class _Source:
    """One log to read: a pod's container (corev1.ObjectReference's name and fieldPath)."""

    namespace: str
    pod: str
    container: str
    field_path: str


@dataclass
class _Run:
    factory: Factory
    namespace: str
    options: _LogOptions
    all_containers: bool
    all_pods: bool
    prefix: bool
    ignore_errors: bool
    max_requests: int
    pod_timeout: float
    _pods: dict[str, PodClient] = field(default_factory=dict)

    def pods(self, namespace: str) -> PodClient:
        client = self._pods.get(namespace)
        if client is None:
            from kctl.kubernetes import new_for_config

            client = new_for_config(self.factory.rest_config()).core_v1().pods(namespace)
            self._pods[namespace] = client
        return client


def _field_path(pod: dict[str, Any], name: str) -> str:
    spec = pod.get("spec") or {}
    for key in ("containers", "initContainers", "ephemeralContainers"):
        if any(c.get("name") == name for c in spec.get(key) or []):
            return f"spec.{key}{{{name}}}"
    return ""


def _pod_sources(run: _Run, pod: dict[str, Any], container: str, quiet: bool) -> list[_Source]:
    meta = pod.get("metadata") or {}
    name, namespace = str(meta.get("name", "")), str(meta.get("namespace") or run.namespace)
    spec = pod.get("spec") or {}
    if run.all_containers:
        return [
            _Source(namespace, name, str(c.get("name", "")), f"spec.{key}{{{c.get('name', '')}}}")
            for key in ("initContainers", "containers", "ephemeralContainers")
            for c in spec.get(key) or []
        ]
    if not container:
        default = str((meta.get("annotations") or {}).get(_DEFAULT_CONTAINER) or "")
        if default and not _field_path(pod, default):
            stderr_after_stdout(
                f"Default container name {_quote(default)} not found in pod {name}\n"
            )
        elif default:
            container = default
    if not container:
        containers = spec.get("containers") or [{}]
        container = str(containers[0].get("name", ""))
        others = (
            len(spec.get("containers") or []) > 1
            or spec.get("initContainers")
            or spec.get("ephemeralContainers")
        )
        if others and not quiet:
            stderr_after_stdout(
                f"Defaulted container {_quote(container)} out of: {container_names(pod)}\n"
            )
    path = _field_path(pod, container)
    if not path:
        raise KctlError(
            f"container {container} is not valid for pod {name} out of: {container_names(pod)}"
        )
    return [_Source(namespace, name, container, path)]


def _ready(pod: dict[str, Any]) -> tuple[bool, str]:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            ok = cond.get("status") == "True"
            return ok, str(cond.get("lastTransitionTime") or "") if ok else ""
    return False, ""


def _restarts(pod: dict[str, Any]) -> tuple[int, int]:
    status = pod.get("status") or {}
    regular = max(
        (int(c.get("restartCount") or 0) for c in status.get("containerStatuses") or []), default=0
    )
    sidecars = {
        c.get("name")
        for c in (pod.get("spec") or {}).get("initContainers") or []
        if c.get("restartPolicy") == "Always"
    }
    sidecar = max(
        (
            int(c.get("restartCount") or 0)
            for c in status.get("initContainerStatuses") or []
            if c.get("name") in sidecars
        ),
        default=0,
    )
    return regular, sidecar


def _after_or_zero(t1: str, t2: str) -> bool:
    if not t1 or not t2:
        return not t1
    return t1 > t2


def _by_logging(a: dict[str, Any], b: dict[str, Any]) -> int:
    """podutils.ByLogging as a comparison: the best pod to show the logs of first."""

    def less(i: dict[str, Any], j: dict[str, Any]) -> bool:
        ni = str((i.get("spec") or {}).get("nodeName") or "")
        nj = str((j.get("spec") or {}).get("nodeName") or "")
        if ni != nj and (not ni or not nj):
            return bool(ni)
        rank = {"Running": 0, "Unknown": 1, "Pending": 2}
        pi = rank.get(str((i.get("status") or {}).get("phase") or ""), 0)
        pj = rank.get(str((j.get("status") or {}).get("phase") or ""), 0)
        if pi != pj:
            return pi < pj
        (ri, ti), (rj, tj) = _ready(i), _ready(j)
        if ri != rj:
            return ri
        if ri and rj and ti != tj:
            return _after_or_zero(tj, ti)
        if _restarts(i) != _restarts(j):
            return _restarts(i) > _restarts(j)
        ci = str((i.get("metadata") or {}).get("creationTimestamp") or "")
        cj = str((j.get("metadata") or {}).get("creationTimestamp") or "")
        if ci != cj:
            return _after_or_zero(cj, ci)
        return False

    return -1 if less(a, b) else 1 if less(b, a) else 0


def _pods_for(run: _Run, namespace: str, selector: str) -> list[dict[str, Any]]:
    """GetPodList: the matching pods, best first; none yet waits for one to appear."""
    client = run.pods(namespace)
    listed: dict[str, Any] = dict(client.list(label_selector=selector))
    items: list[dict[str, Any]] = list(listed.get("items") or [])
    if items:
        return sorted(items, key=functools.cmp_to_key(_by_logging))
    rv = str((listed.get("metadata") or {}).get("resourceVersion") or "")
    deadline = time.monotonic() + run.pod_timeout
    watcher = client.watch(
        label_selector=selector,
        resource_version=rv,
        timeout_seconds=max(1, int(run.pod_timeout + 0.999)),
    )
    with watcher:
        for event in watcher:
            if event.type in ("ADDED", "MODIFIED"):
                return [dict(event.object)]
            if time.monotonic() >= deadline:
                break
    raise KctlError("timed out waiting for the condition")


def _sources(run: _Run, obj: dict[str, Any], group: str, version: str) -> list[_Source]:
    container = run.options.container
    if obj.get("kind") == "PodList":
        return [
            s
            for pod in obj.get("items") or []
            for s in _pod_sources(run, pod, container, run.all_pods)
        ]
    if obj.get("kind") == "Pod" and not group:
        return _pod_sources(run, obj, container, run.all_pods)
    selector = pod_selector(obj, group, version, "get the logs from")
    namespace = str((obj.get("metadata") or {}).get("namespace") or run.namespace)
    pods = _pods_for(run, namespace, selector)
    if len(pods) > 1 and not run.all_pods:
        name = (pods[0].get("metadata") or {}).get("name", "")
        stderr_after_stdout(f"Found {len(pods)} pods, using pod/{name}\n")
        pods = pods[:1]
    return [s for pod in pods for s in _pod_sources(run, pod, container, run.all_pods)]


def _lookup(run: _Run, arg: str, selector: str) -> tuple[dict[str, Any], str, str]:
    """The builder's single object (group and version with it): a pod, a workload, or for a
    selector the PodList."""
    if selector:
        try:
            listed = dict(run.pods(run.namespace).list(label_selector=selector))
        except StatusError as err:
            if err.reason not in ("BadRequest", "NotFound"):
                raise
            # cli-runtime's Selector visitor names what it listed.
            raise StatusError(
                {
                    **err.status,
                    "message": f'Unable to find "/v1, Resource=pods" that match label selector '
                    f'{_quote(selector)}, field selector "": {err.message}',
                }
            ) from err
        listed["kind"] = "PodList"
        if not listed.get("items"):
            stderr_after_stdout(f"No resources found in {run.namespace} namespace.\n")
        return listed, "", "v1"
    kind, sep, name = arg.partition("/")
    if not sep:
        kind, name = "pods", arg
    mapping = run.factory.rest_mapper().mapping_for(kind)
    gvr = mapping.resource
    client = run.factory.dynamic().resource(gvr)
    if mapping.namespaced:
        client = client.namespace(run.namespace)
    try:
        obj: dict[str, Any] = dict(client.get(name))
    except StatusError as err:
        if err.reason == "NotFound":
            raise KctlError(
                f"error from server (NotFound): {err.message} in namespace {_quote(run.namespace)}"
            ) from err
        raise
    obj.setdefault("kind", mapping.group_version_kind.kind)
    return obj, gvr.group, gvr.version


# -- reading the streams -------------------------------------------------------------------


def _lines(run: _Run, source: _Source) -> Iterator[bytes]:
    """The log's lines as they come (the last one without its newline if cut short)."""
    opts = replace(run.options, container=source.container)
    req = run.pods(source.namespace).get_logs(
        source.pod,
        container=opts.container,
        follow=opts.follow,
        previous=opts.previous,
        since_seconds=opts.since_seconds,
        since_time=opts.since_time,
        timestamps=opts.timestamps,
        tail_lines=opts.tail_lines,
        limit_bytes=opts.limit_bytes,
        insecure_skip_tls_verify_backend=opts.insecure_skip_tls_verify_backend,
    )
    response = req.stream()
    try:
        while line := response.readline():
            yield line
    finally:
        response.close()


def _prefixer(run: _Run, source: _Source) -> Callable[[bytes], bytes]:
    if not run.prefix:
        return lambda line: line
    head = f"[pod/{source.pod}/{source.container}] ".encode()
    return lambda line: head + line


def _consume(
    run: _Run, source: _Source, emit: Callable[[bytes], None], emit_error: Callable[[str], None]
) -> None:
    """consumeWithRetry: one log to ``emit``; errors end it, or with --ignore-errors are
    written (to the output) and dropped; a followed log retries API errors."""
    prefix = _prefixer(run, source)
    start = time.monotonic()
    attempt = 0
    while True:
        try:
            for line in _lines(run, source):
                emit(prefix(line))
            return
        except KctlError as err:
            if run.ignore_errors:
                emit_error(f"error: {err}\n")
                return
            if not run.options.follow:
                raise
            stderr_after_stdout(f"{err}\n")
            if not isinstance(err, StatusError):
                raise
            # wait.PollUntilContextTimeout: tries on a fixed one-second beat until the timeout.
            attempt += 1
            due = start + attempt * _RETRY_INTERVAL
            if due > start + run.pod_timeout:
                time.sleep(max(0.0, start + run.pod_timeout - time.monotonic()))
                raise KctlError("context deadline exceeded") from err
            time.sleep(max(0.0, due - time.monotonic()))


def _write(data: bytes) -> None:
    out = sys.stdout.buffer
    out.write(data)
    out.flush()


def _sequential(run: _Run, sources: list[_Source]) -> None:
    def emit_error(text: str) -> None:
        _write(text.encode())

    for source in sources:
        _consume(run, source, _write, emit_error)


def _parallel(run: _Run, sources: list[_Source]) -> None:
    """Follow several logs at once; only this thread writes, a whole line at a time."""
    lines: queue.Queue[tuple[bytes | None, BaseException | None]] = queue.Queue()

    def follow(source: _Source) -> None:
        def put(line: bytes) -> None:
            lines.put((line, None))

        try:
            _consume(run, source, put, lambda text: put(text.encode()))
        except BaseException as err:  # handed to the main thread, which reports it
            lines.put((None, err))
            return
        lines.put((None, None))

    for source in sources:
        threading.Thread(target=follow, args=(source,), daemon=True).start()
    running = len(sources)
    while running:
        line, err = lines.get()
        if err is not None:
            raise err
        if line is None:
            running -= 1
            continue
        _write(line)


# -- TAB completion: pod names, then the named pod's containers ----------------------------


def _pod_containers(factory: Factory, pod: str) -> list[str]:
    from kctl.kubernetes import new_for_config

    namespace = factory.namespace()[0]
    obj = new_for_config(factory.rest_config()).core_v1().pods(namespace).get(pod)
    spec = obj.get("spec") or {}
    return [
        str(c.get("name", ""))
        for key in ("containers", "initContainers", "ephemeralContainers")
        for c in spec.get(key) or []  # type: ignore[attr-defined]
    ]


def _given(ctx: click.Context) -> tuple[str, ...]:
    # An option still waiting for its value leaves the arguments unparsed, in ctx.args.
    return tuple(ctx.params.get("args") or ()) or tuple(ctx.args)


def _complete_args(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from kctl.cli import completion

    given = _given(ctx)
    if not given:
        names = completion._quietly(ctx, lambda f: completion._names(f, "pods", False))
    elif len(given) == 1 and "/" not in given[0]:
        names = completion._quietly(ctx, lambda f: _pod_containers(f, given[0]))
    else:
        return []
    return [item for item in names if str(item.value).startswith(incomplete)]


def _complete_container(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from kctl.cli import completion

    given = _given(ctx)
    if len(given) != 1 or "/" in given[0]:
        return []
    names = completion._quietly(ctx, lambda f: _pod_containers(f, given[0]))
    return [item for item in names if str(item.value).startswith(incomplete)]


def _interrupted(signum: int, frame: Any) -> None:
    # kubectl's interrupt handler: stop streaming and exit 1, without a word.
    raise SilentExit(1)


@kubectl_command("logs", short_help="Print the logs for a container in a pod")
@click.argument("args", nargs=-1, shell_complete=_complete_args)
@click.option("--all-pods", is_flag=True, help="Get logs from all pod(s). Sets prefix to true.")
@click.option("--all-containers", is_flag=True, help="Get all containers' logs in the pod(s).")
@click.option("-f", "--follow", is_flag=True, help="Specify if the logs should be streamed.")
@click.option("--timestamps", is_flag=True, help="Include timestamps on each line.")
@click.option("--limit-bytes", default=0, type=GoInt(), help="Maximum bytes of logs to return.")
@click.option("-p", "--previous", is_flag=True, help="Logs of the previous container instance.")
@click.option("--tail", default=-1, type=GoInt(), help="Lines of recent log file to display.")
@click.option("--ignore-errors", is_flag=True, help="Following, make errors non-fatal.")
@click.option("--since-time", default="", help="Only return logs after a date (RFC3339).")
@click.option("--since", default=0.0, type=GoDuration(), help="Only logs newer than this (5s, 2m).")
@click.option(
    "-c",
    "--container",
    default=None,
    help="Print the logs of this container.",
    shell_complete=_complete_container,
)
@click.option(
    "--insecure-skip-tls-verify-backend",
    is_flag=True,
    help="Skip verifying the identity of the kubelet that logs are requested from.",
)
@click.option(
    "--pod-running-timeout",
    default=DEFAULT_POD_TIMEOUT,
    type=GoDuration(),
    help="How long to wait for at least one pod to be running.",
)
@click.option("-l", "--selector", default="", help="Label selector to filter on.")
@click.option(
    "--max-log-requests", default=5, type=GoInt(), help="Maximum concurrent logs to follow."
)
@click.option("--prefix", is_flag=True, help="Prefix each line with its pod and container.")
@click.pass_context
def command(
    ctx: click.Context,
    factory: Factory,
    args: tuple[str, ...],
    all_pods: bool,
    all_containers: bool,
    follow: bool,
    timestamps: bool,
    limit_bytes: int,
    previous: bool,
    tail: int,
    ignore_errors: bool,
    since_time: str,
    since: float,
    container: str | None,
    insecure_skip_tls_verify_backend: bool,
    pod_running_timeout: float,
    selector: str,
    max_log_requests: int,
    prefix: bool,
) -> None:
    """Print the logs for a container in a pod or specified resource. If the pod has only one
    container, the container name is optional."""
    path = ctx.command_path
    container_given = container is not None
    tail_given = ctx.get_parameter_source("tail") is not click.core.ParameterSource.DEFAULT
    name = container or ""
    arg = ""
    if not args:
        if not selector:
            raise usage_errorf(path, _USAGE_ERROR)
    elif len(args) == 1:
        arg = args[0]
        if selector:
            raise usage_errorf(path, "only a selector (-l) or a POD name is allowed")
    elif len(args) == 2:
        arg, name = args
    else:
        raise usage_errorf(path, _USAGE_ERROR)
    namespace, _ = factory.namespace()
    if pod_running_timeout <= 0:
        raise KctlError("--pod-running-timeout must be higher than zero")
    options = _LogOptions(
        container=name,
        follow=follow,
        previous=previous,
        timestamps=timestamps,
        insecure_skip_tls_verify_backend=insecure_skip_tls_verify_backend,
    )
    if since_time:
        try:
            when = parse_rfc3339(since_time)
        except _TimeError as err:
            raise KctlError(str(err)) from None
        options = replace(options, since_time=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if limit_bytes:
        options = replace(options, limit_bytes=limit_bytes)
    if since:
        # time.Duration.Round(time.Second): halves away from zero.
        seconds = int(abs(since) + 0.5) * (1 if since > 0 else -1)
        if seconds:
            options = replace(options, since_seconds=seconds)
    if selector and tail == -1 and not tail_given:
        options = replace(options, tail_lines=SELECTOR_TAIL)
    elif tail != -1:
        options = replace(options, tail_lines=tail)
    run = _Run(
        factory=factory,
        namespace=namespace,
        options=options,
        all_containers=all_containers,
        all_pods=all_pods,
        prefix=prefix or all_pods,
        ignore_errors=ignore_errors,
        max_requests=max_log_requests,
        pod_timeout=pod_running_timeout,
    )
    obj, group, version = _lookup(run, arg, selector)
    if since_time and since:
        raise KctlError("at most one of `sinceTime` or `sinceSeconds` may be specified")
    if all_containers and name:
        raise KctlError(f"--all-containers=true should not be specified with container name {name}")
    if container_given and len(args) == 2:
        raise KctlError("only one of -c or an inline [CONTAINER] arg is allowed")
    if limit_bytes < 0:
        raise KctlError("--limit-bytes must be greater than 0")
    if options.since_seconds is not None and options.since_seconds < 0:
        raise KctlError("--since must be greater than 0")
    if options.tail_lines is not None and options.tail_lines < -1:
        raise KctlError("--tail must be greater than or equal to -1")
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupted)
    sources = _sources(run, obj, group, version)
    if follow and len(sources) > 1:
        if len(sources) > max_log_requests:
            raise KctlError(
                f"you are attempting to follow {len(sources)} log streams, but maximum allowed "
                f"concurrency is {max_log_requests}, use --max-log-requests to increase the limit"
            )
        _parallel(run, sources)
        return
    _sequential(run, sources)
