"""``kctl attach``: the output (and with ``-i`` the stdin) of a container's running process,
as ``kubectl attach``.

The pod and container are found as for ``kctl exec`` (kctl.cli.exec), and the session runs on
kctl.tools.remotecommand's WebSocket executor over the pods/attach request. A container
started with a TTY gets one whether or not ``-t`` was given; ``-t`` on one that has none is
dropped with kubectl's warning. In a raw terminal, the ``--detach-keys`` sequence ends the
session (as an end of stdin) without stopping the container.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from kctl.cli._errors import usage_errorf
from kctl.cli._globals import Factory, KubectlCommand, global_flags
from kctl.cli._io import stderr_after_stdout
from kctl.cli.exec import (
    _NOT_TTY,
    _complete_args,
    container_for,
    container_option,
    resolve,
    run_session,
    session_options,
    stream_request,
)
from kctl.errors import KctlError

if TYPE_CHECKING:
    from kctl.tools.remotecommand import WebSocketExecutor

__all__ = ["command", "detach_key_bytes"]

DEFAULT_POD_TIMEOUT = 60.0
DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q"
_READ_SIZE = 32 * 1024
_RECORDED = (
    "All commands and output from this session will be recorded in container logs, including "
    "credentials and sensitive information passed through the command prompt.\n"
    "If you don't see a command prompt, try pressing enter.\n"
)
# moby/term's key names: ctrl-@ is 0, ctrl-a 1, ... ctrl-_ 31.
_CTRL_KEYS = ["ctrl-@", *(f"ctrl-{c}" for c in "abcdefghijklmnopqrstuvwxyz"), "ctrl-["]
_CTRL_KEYS += ["ctrl-\\", "ctrl-]", "ctrl-^", "ctrl-_"]


def detach_key_bytes(keys: str) -> bytes:
    """moby/term's ToBytes: comma-separated keys, each a single character, ``ctrl-X`` or
    ``DEL``."""
    codes = bytearray()
    for key in keys.split(","):
        if len(key.encode()) == 1:
            codes += key.encode()
        elif key in _CTRL_KEYS:
            codes.append(_CTRL_KEYS.index(key))
        elif key == "DEL":
            codes.append(127)
        else:
            raise KctlError(f"could not bind detach keys: Unknown character: '{key}'")
    return bytes(codes)


class _DetachableReader:
    """stdin until the detach sequence is typed, which reads as its end (moby/term's
    escapeProxy). The keys of a sequence begun are held back until it is known whether it
    completes; a sequence broken off is passed on as typed."""

    def __init__(self, read: Callable[[int], bytes], keys: bytes) -> None:
        self._read = read
        self._keys = keys
        self._matched = 0
        self._detached = False

    def read1(self, size: int = _READ_SIZE) -> bytes:
        while not self._detached:
            chunk = self._read(size)
            if not chunk:
                return b""
            out = bytearray()
            for byte in chunk:
                if byte == self._keys[self._matched]:
                    self._matched += 1
                    if self._matched == len(self._keys):
                        self._detached = True
                        break
                    continue
                # escapeProxy does not try a mismatching key as the start of a new sequence.
                out += self._keys[: self._matched]
                out.append(byte)
                self._matched = 0
            if out:
                return bytes(out)
        return b""


def _container(pod: dict[str, Any], name: str) -> dict[str, Any]:
    spec = pod.get("spec") or {}
    for key in ("containers", "initContainers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            if c.get("name") == name:
                return dict(c)
    return {}


def _is_ephemeral(pod: dict[str, Any], name: str) -> bool:
    spec = pod.get("spec") or {}
    if any(c.get("name") == name for c in spec.get("containers") or []):
        return False
    if any(c.get("name") == name for c in spec.get("initContainers") or []):
        return False
    return any(c.get("name") == name for c in spec.get("ephemeralContainers") or [])


def _stdin_reader(keys: str) -> Any:
    import os

    fd = sys.stdin.fileno()
    return _DetachableReader(
        lambda size: os.read(fd, size), detach_key_bytes(keys or DEFAULT_DETACH_KEYS)
    )


def _run(
    factory: Factory,
    path: str,
    args: tuple[str, ...],
    container: str,
    stdin: bool,
    tty: bool,
    quiet: bool,
    pod_running_timeout: float,
    detach_keys: str,
) -> None:
    if pod_running_timeout <= 0:
        raise usage_errorf(path, "--pod-running-timeout must be higher than zero")
    if not args:
        raise KctlError("at least 1 argument is required for attach")
    if len(args) > 2:
        raise KctlError(
            "expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) "
            f"saw {len(args)}: [{' '.join(args)}]"
        )
    target = args[0] if len(args) == 1 else f"{args[0]}/{args[1]}"
    pod = resolve(factory, target, pod_running_timeout)[1]
    phase = str((pod.get("status") or {}).get("phase") or "")
    if phase in ("Succeeded", "Failed"):
        raise KctlError(f"cannot attach a container in a completed pod; current phase is {phase}")
    try:
        name = container_for(pod, container, quiet)
    except KctlError as err:
        raise KctlError(f"cannot attach to the container: {err}") from None
    allocated = bool(_container(pod, name).get("tty"))
    if tty and not allocated:
        tty = False
        if not quiet:
            stderr_after_stdout(
                f"error: Unable to use a TTY - container {name} did not allocate one\n"
            )
    elif not tty and allocated:
        # The process already has a terminal: its output only makes sense as one.
        tty = True
    raw = False
    if stdin and tty:
        if sys.stdin.isatty():
            raw = True
        elif not quiet:
            stderr_after_stdout(_NOT_TTY + "\n")
    # Everything the session needs is loaded before the notice: kubectl goes raw right after
    # printing it, and keys typed then must already reach the container.
    executor = _executor(factory, pod, name, stdin, raw)
    if not quiet:
        stderr_after_stdout(_RECORDED)
    _stream(executor, stdin, raw, detach_keys)
    if not quiet and stdin and raw:
        meta = pod.get("metadata") or {}
        namespace = str(meta.get("namespace") or "")
        pod_name = str(meta.get("name", ""))
        if _is_ephemeral(pod, name):
            text = (
                "Session ended, the ephemeral container will not be restarted but may be "
                f"reattached using '{path} {pod_name} -c {name} -n {namespace} -i -t' if it is "
                "still running"
            )
        else:
            text = (
                f"Session ended, resume using '{path} {pod_name} -c {name} -n {namespace} -i -t' "
                "command"
            )
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _executor(
    factory: Factory, pod: dict[str, Any], container: str, stdin: bool, raw: bool
) -> WebSocketExecutor:
    from kctl.tools.remotecommand import new_websocket_executor

    # corev1.PodAttachOptions: stderr has its own channel only without a terminal.
    request = stream_request(factory, pod, "attach").params(
        {
            "container": container,
            "stdin": stdin or None,
            "stdout": True,
            "stderr": not raw or None,
            "tty": raw or None,
        }
    )
    return new_websocket_executor(factory.rest_config(), request.url())


def _stream(executor: WebSocketExecutor, stdin: bool, raw: bool, detach_keys: str) -> None:
    reader = _stdin_reader(detach_keys) if raw else (sys.stdin.buffer if stdin else None)
    run_session(executor, stdin=reader, raw=raw, redraw=True)


@click.command(
    "attach",
    cls=KubectlCommand,
    short_help="Attach to a running container",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("args", nargs=-1, shell_complete=_complete_args)
@container_option
@click.option(
    "--detach-keys",
    default=DEFAULT_DETACH_KEYS,
    show_default=True,
    help="Override the key sequence for detaching a container",
)
@session_options
@global_flags
@click.pass_context
def command(
    ctx: click.Context,
    factory: Factory,
    args: tuple[str, ...],
    container: str,
    detach_keys: str,
    pod_running_timeout: float,
    quiet: bool,
    stdin: bool,
    tty: bool,
) -> None:
    """Attach to a process that is already running inside an existing container."""
    _run(
        factory,
        ctx.command_path,
        args,
        container,
        stdin,
        tty,
        quiet,
        pod_running_timeout,
        detach_keys,
    )
