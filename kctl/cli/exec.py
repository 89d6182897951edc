"""``kctl exec``: run a command in a container over WebSocket, as ``kubectl exec``.

The pod is found as kubectl finds it (a pod, or the best pod of a workload or service), the
command runs through kctl.kubernetes' ``pods().exec`` (kctl.tools.remotecommand), and a
non-zero remote exit becomes this process's exit code with kubectl's
``command terminated with exit code N``. ``-it`` on a terminal puts it in raw mode, restored
on the way out, and forwards every resize (SIGWINCH).
"""

from __future__ import annotations

import functools
import os
import queue
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from kctl.cli._delete_flags import GoDuration
from kctl.cli._errors import SilentExit, usage_errorf
from kctl.cli._globals import Factory, KubectlCommand, global_flags
from kctl.cli._io import stderr_after_stdout
from kctl.cli._selectors import container_names
from kctl.errors import CodeExitError, KctlError, UpgradeFailureError

if TYPE_CHECKING:
    from kctl.rest import Request, RESTClient

__all__ = [
    "attachable_pod",
    "command",
    "container_for",
    "core_v1",
    "resolve",
    "stream_request",
    "upgrade_failure_text",
]

DEFAULT_POD_TIMEOUT = 60.0
_DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"
_NOT_TTY = "Unable to use a TTY - input is not a terminal or the right kind of file"


def core_v1(factory: Factory) -> RESTClient:
    """The core/v1 REST client, as kubectl's exec and attach build theirs (RESTClientFor).

    A bare pod name and the exec/attach request need nothing more: importing the typed
    clientset (and the dynamic client and metav1 it is built on) would add about 10 ms to
    every session."""
    from kctl.rest import RESTClient

    return RESTClient(factory.rest_config(), base_path="/api/v1")


def _first_pod(factory: Factory, namespace: str, selector: str, timeout: float) -> dict[str, Any]:
    """GetFirstPod: the most active matching pod; none yet waits for one until ``timeout``."""
    from kctl.cli.logs import _by_logging
    from kctl.kubernetes import new_for_config

    client = new_for_config(factory.rest_config()).core_v1().pods(namespace)
    listed: dict[str, Any] = dict(client.list(label_selector=selector))
    items: list[dict[str, Any]] = list(listed.get("items") or [])
    if items:
        return sorted(items, key=functools.cmp_to_key(_by_logging))[0]
    rv = str((listed.get("metadata") or {}).get("resourceVersion") or "")
    deadline = time.monotonic() + timeout
    watcher = client.watch(
        label_selector=selector,
        resource_version=rv,
        timeout_seconds=max(1, int(timeout + 0.999)),
    )
    with watcher:
        for event in watcher:
            if event.type in ("ADDED", "MODIFIED"):
                return dict(event.object)
            if time.monotonic() >= deadline:
                break
    raise KctlError("timed out waiting for the condition")


def stream_request(factory: Factory, pod: dict[str, Any], subresource: str) -> Request:
    """The pods/exec or pods/attach request of ``pod``, for its options to be added."""
    meta = pod.get("metadata") or {}
    request = core_v1(factory).post().namespace(str(meta.get("namespace") or ""))
    return request.resource("pods").name(str(meta.get("name", ""))).subresource(subresource)


def resolve(factory: Factory, arg: str, timeout: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """The object ``POD`` or ``TYPE/NAME`` names, and the pod to attach to for it (kubectl's
    builder, then attachablePodForObject)."""
    namespace, _ = factory.namespace()
    kind, sep, name = arg.partition("/")
    if not sep:
        # A bare name is a pod: no discovery is needed to know where pods live.
        request = core_v1(factory).get().namespace(namespace).resource("pods").name(arg)
        pod: dict[str, Any] = dict(request.do().json())
        pod.setdefault("kind", "Pod")
        return pod, pod
    if not name:
        raise KctlError("arguments in resource/name form must have a single resource and name")
    mapping = factory.rest_mapper().mapping_for(kind)
    client = factory.dynamic().resource(mapping.resource)
    if mapping.namespaced:
        client = client.namespace(namespace)
    obj: dict[str, Any] = dict(client.get(name))
    obj.setdefault("kind", mapping.group_version_kind.kind)
    group = mapping.resource.group
    if obj.get("kind") == "Pod" and not group:
        return obj, obj
    from kctl.cli._selectors import pod_selector

    selector = pod_selector(obj, group, mapping.resource.version, "attach to")
    ns = str((obj.get("metadata") or {}).get("namespace") or namespace)
    return obj, _first_pod(factory, ns, selector, timeout)


def attachable_pod(factory: Factory, arg: str, timeout: float) -> dict[str, Any]:
    """The pod ``POD`` or ``TYPE/NAME`` means, as kubectl finds it."""
    return resolve(factory, arg, timeout)[1]


def _has_container(pod: dict[str, Any], name: str) -> bool:
    spec = pod.get("spec") or {}
    return any(
        c.get("name") == name
        for key in ("containers", "initContainers", "ephemeralContainers")
        for c in spec.get(key) or []
    )


def container_for(pod: dict[str, Any], given: str, quiet: bool) -> str:
    """podcmd.FindOrDefaultContainerByName, with ``-c``'s own error when it names none."""
    meta = pod.get("metadata") or {}
    name = str(meta.get("name", ""))
    if given:
        if not _has_container(pod, given):
            raise KctlError(
                f"container {given} is not valid for pod {name} out of: {container_names(pod)}"
            )
        return given
    spec = pod.get("spec") or {}
    containers = spec.get("containers") or []
    if not containers:
        raise KctlError(f"pod {meta.get('namespace', '')}/{name} does not have any containers")
    default = str((meta.get("annotations") or {}).get(_DEFAULT_CONTAINER) or "")
    if default:
        if not _has_container(pod, default):
            raise KctlError(
                f"container {default} is not valid for pod {name} out of: {container_names(pod)}"
            )
        return default
    first = str(containers[0].get("name", ""))
    others = len(containers) > 1 or spec.get("initContainers") or spec.get("ephemeralContainers")
    if others and not quiet:
        from kctl.cli.logs import _quote

        stderr_after_stdout(f"Defaulted container {_quote(first)} out of: {container_names(pod)}\n")
    return first


# -- the terminal ------------------------------------------------------------------------------


class _SizeQueue:
    """The terminal's size now, then after every SIGWINCH; None once the command ended.

    ``redraw`` first tells a size one column and one row larger: a program already running
    (attach) only repaints its screen when the size changes (kubectl's MonitorSize)."""

    def __init__(self, fd: int, *, redraw: bool = False) -> None:
        from kctl.tools.remotecommand import TerminalSize

        self._fd = fd
        self._sizes: queue.Queue[Any] = queue.Queue()
        self._size = TerminalSize
        self._push(grow=1 if redraw else 0)
        self._previous = signal.signal(signal.SIGWINCH, lambda *_: self._push())

    def _push(self, grow: int = 0) -> None:
        try:
            cols, rows = os.get_terminal_size(self._fd)
        except OSError:
            return  # no size to tell: the server keeps the last one
        if grow:
            self._sizes.put(self._size(cols + grow, rows + grow))
        self._sizes.put(self._size(cols, rows))

    def next(self) -> Any:
        return self._sizes.get()

    def stop(self) -> None:
        signal.signal(signal.SIGWINCH, self._previous)
        self._sizes.put(None)


@contextmanager
def _raw_terminal(fd: int) -> Iterator[None]:
    """Raw mode for the session; the saved settings come back however it ends."""
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    # At once, as moby/term's MakeRaw: keys typed ahead of the session are kept and sent
    # (tty.setraw's default, TCSAFLUSH, would throw them away).
    tty.setraw(fd, termios.TCSANOW)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


# -- the command -------------------------------------------------------------------------------


class _ExecCommand(KubectlCommand):
    """Keeps the raw arguments: where ``--`` stood (cobra's ArgsLenAtDash) decides what the
    command is."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["exec_raw_args"] = list(args)
        return super().parse_args(ctx, args)


def _dash_position(args: list[str], positional: tuple[str, ...]) -> int:
    if "--" not in args:
        return -1
    after = args[args.index("--") + 1 :]
    return len(positional) - len(after)


_USAGE = "exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]"


def _run(
    factory: Factory,
    path: str,
    args: tuple[str, ...],
    at_dash: int,
    container: str,
    stdin: bool,
    tty: bool,
    quiet: bool,
    pod_running_timeout: float,
) -> None:
    resource = args[0] if args and at_dash != 0 else ""
    if at_dash in (0, 1):
        command_args = list(args[at_dash:])
    elif len(args) > 1:
        raise usage_errorf(
            path,
            "exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead",
        )
    else:
        command_args = []
    if pod_running_timeout <= 0:
        raise usage_errorf(path, "--pod-running-timeout must be higher than zero")
    if not resource:
        raise KctlError("pod, type/name or --filename must be specified")
    if not command_args:
        raise KctlError("you must specify at least one command for the container")
    pod = attachable_pod(factory, resource, pod_running_timeout)
    phase = str((pod.get("status") or {}).get("phase") or "")
    if phase in ("Succeeded", "Failed"):
        raise KctlError(
            f"cannot exec into a container in a completed pod; current phase is {phase}"
        )
    name = container_for(pod, container, quiet)
    if not stdin:
        tty = False
    elif tty and not sys.stdin.isatty():
        tty = False
        if not quiet:
            stderr_after_stdout(_NOT_TTY + "\n")
    request = stream_request(factory, pod, "exec").params(
        {
            "container": name,
            "command": command_args,
            "stdin": stdin or None,
            "stdout": True,
            "stderr": not tty or None,
            "tty": tty or None,
        }
    )
    from kctl.tools.remotecommand import new_websocket_executor

    executor = new_websocket_executor(factory.rest_config(), request.url())
    run_session(executor, stdin=sys.stdin.buffer if stdin else None, raw=tty)


def upgrade_failure_text(err: UpgradeFailureError) -> str:
    """kubectl falls back to SPDY when the WebSocket upgrade is refused, and what it prints is
    the SPDY attempt's refusal: the answer's ``message`` (or ``error``) field, else its text."""
    import json

    body = err.body
    if not body and err.status is None:
        return str(err)
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        for key in ("message", "error"):
            value = answer.get(key)
            if isinstance(value, str) and value.strip():
                return f"unable to upgrade connection: {value.strip()}"
    text = body.decode("utf-8", "replace").strip()
    return f"unable to upgrade connection: {text or 'empty server response'}"


def run_session(executor: Any, *, stdin: Any, raw: bool, redraw: bool = False) -> None:
    """Stream one exec or attach session; a raw terminal when ``raw``. The remote exit code
    becomes ours, printed as kubectl's CheckErr prints an exec.ExitError."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    try:
        if raw:
            sizes = _SizeQueue(sys.stdout.fileno() if sys.stdout.isatty() else 0, redraw=redraw)
            try:
                with _raw_terminal(sys.stdin.fileno()):
                    executor.stream(stdin=stdin, stdout=out, tty=True, terminal_size_queue=sizes)
            finally:
                sizes.stop()
        else:
            executor.stream(stdin=stdin, stdout=out, stderr=sys.stderr.buffer)
    except CodeExitError as err:
        stderr_after_stdout(f"{err}\n")
        raise SilentExit(err.code) from None
    except UpgradeFailureError as err:
        raise KctlError(upgrade_failure_text(err)) from None


def _complete_args(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from kctl.cli import completion

    if ctx.params.get("args"):
        return []
    names = completion._quietly(ctx, lambda f: completion._names(f, "pods", False))
    return [item for item in names if str(item.value).startswith(incomplete)]


# exec's and attach's shared flags, declared once.
container_option = click.option(
    "-c",
    "--container",
    default="",
    help="Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen",
)


def session_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--pod-running-timeout, -q, -i and -t, in kubectl's order."""
    for option in reversed(
        (
            click.option(
                "--pod-running-timeout",
                default=DEFAULT_POD_TIMEOUT,
                type=GoDuration(),
                help="The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running",
            ),
            click.option(
                "-q", "--quiet", is_flag=True, help="Only print output from the remote session"
            ),
            click.option("-i", "--stdin", is_flag=True, help="Pass stdin to the container"),
            click.option("-t", "--tty", is_flag=True, help="Stdin is a TTY"),
        )
    ):
        func = option(func)
    return func


@click.command(
    "exec",
    cls=_ExecCommand,
    short_help="Execute a command in a container",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("args", nargs=-1, shell_complete=_complete_args)
@container_option
@session_options
@global_flags
@click.pass_context
def command(
    ctx: click.Context,
    factory: Factory,
    args: tuple[str, ...],
    container: str,
    pod_running_timeout: float,
    quiet: bool,
    stdin: bool,
    tty: bool,
) -> None:
    """Execute a command in a container."""
    at_dash = _dash_position(ctx.meta.get("exec_raw_args", []), args)
    _run(
        factory,
        ctx.command_path,
        args,
        at_dash,
        container,
        stdin,
        tty,
        quiet,
        pod_running_timeout,
    )
