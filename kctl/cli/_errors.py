"""Every failure of a kctl run becomes kubectl's text and exit code here, and only here.

How a verb uses this: it raises. A kctl.errors exception (StatusError, TransportError,
ConfigError, NoMatchError, PrinterError, ...) or a ``click.UsageError`` escaping the verb is
printed by ``run`` in kubectl's words, and the process exits 1. A verb that must go on after
an error (``kubectl get a b`` prints what it found, then the NotFound) calls
``report(err)`` for each and finally raises ``SilentExit(1)``.

    Error from server (NotFound): pods "x" not found
    error: the server doesn't have a resource type "foo"
    The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?
    error: You must be logged in to the server (Unauthorized)
    Unable to connect to the server: <cause>
    error: unknown flag: --bogus
    See 'kctl get --help' for usage.

Ctrl-C ends the process by SIGINT without a word (a shell sees 130); a closed stdout (``| head``) exits as Go would after
SIGPIPE (141), also silently. No traceback ever reaches the user; set KCTL_DEBUG=1 to see
one for an unexpected exception.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    import click

__all__ = [
    "SilentExit",
    "UsageError",
    "exit_process",
    "guard",
    "message_for",
    "report",
    "run",
    "usage_errorf",
]

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


class SilentExit(Exception):
    """Exit with ``code`` without printing anything more (the verb already reported)."""

    def __init__(self, code: int = EXIT_ERROR) -> None:
        self.code = code
        super().__init__(code)


class UsageError(Exception):
    """A usage error in kubectl's words. ``hint`` adds ``See '<cmd> --help' for usage.``;
    ``command_path`` names the command (``kctl get``)."""

    def __init__(self, message: str, *, command_path: str = "", hint: bool = True) -> None:
        self.message = message
        self.command_path = command_path
        self.hint = hint
        super().__init__(message)


def usage_errorf(command_path: str, message: str) -> UsageError:
    """kubectl's cmdutil.UsageErrorf: the message, then ``See '<cmd> -h' for help and examples``."""
    return UsageError(
        f"{message}\nSee '{command_path} -h' for help and examples",
        command_path=command_path,
        hint=False,
    )


def _go_quote(text: str) -> str:
    from kctl.cli._printers import marshal

    # Go's %q and JSON agree for the printable names that appear in these messages.
    return marshal(text)


def _multiline(prefix: str, errors: Sequence[str]) -> str:
    """kubectl's MultilineError over an aggregate."""
    if len(errors) == 1:
        return f"{prefix}{errors[0]}"
    lines = [prefix] + [f"* {e}" for e in errors]
    return "\n".join(lines)


def _invalid_message(status: dict[str, Any]) -> str:
    details = status.get("details")
    message = str(status.get("message") or "")
    text = "The request is invalid"
    if not isinstance(details, dict):
        return f"{text}: {message}" if message else text
    kind, name = str(details.get("kind") or ""), str(details.get("name") or "")
    causes = [c for c in details.get("causes") or [] if isinstance(c, dict)]
    if kind or name:
        text = f"The {kind} {_go_quote(name)} is invalid"
    elif message and not causes:
        text += f": {message}"
    if not causes:
        return text
    seen: list[str] = []
    for cause in causes:
        line = f"{cause.get('field', '')}: {cause.get('message', '')}"
        if line not in seen:
            seen.append(line)
    return _multiline(text + ": ", seen)


def _transport_message(err: Exception) -> str:
    from urllib.parse import urlsplit

    from kctl.errors import ConnectError

    text = str(err)
    url, inner = "", text
    # url.Error's text is `Get "URL": cause`; kubectl prints the cause, and the URL's host.
    head, sep, tail = text.partition('": ')
    if sep and " " in head and head.split(" ", 1)[1].startswith('"'):
        url, inner = head.split(" ", 1)[1][1:], tail
    refused = "connection refused" in inner or (isinstance(err, ConnectError) and err.refused)
    if refused:
        host = urlsplit(url).netloc.rpartition("@")[2] if url else getattr(err, "host", "")
        return (
            f"The connection to the server {host} was refused - "
            "did you specify the right host or port?"
        )
    return f"Unable to connect to the server: {inner}"


# kctl's transport words a timeout with the request's deadline as both the context's and
# the http.Client's; Go reports one of them (kubectl's request context, here), never both.
_MIXED_TIMEOUT = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"


def _is_context_not_found(text: str) -> bool:
    return text == "no context chosen" or "context was not found for specified context" in text


def message_for(err: BaseException) -> str:
    """kubectl's CheckErr text for ``err`` (without the final newline)."""
    return _message_for(err).replace(_MIXED_TIMEOUT, "context deadline exceeded")


def _message_for(err: BaseException) -> str:
    from kctl.errors import (
        AuthConfigError,
        ConfigInvalidError,
        NoResourceMatchError,
        ResponseBodyError,
        StatusError,
        TransportError,
    )

    if isinstance(err, UsageError):
        text = err.message if err.message.startswith("error: ") else f"error: {err.message}"
        if err.hint and err.command_path:
            text += f"\nSee '{err.command_path} --help' for usage."
        return text
    if isinstance(err, StatusError):
        if err.reason == "Invalid":
            return _invalid_message(err.status)
        if err.reason == "Unauthorized":
            return f"error: You must be logged in to the server ({err.message})"
        if err.reason:
            return f"Error from server ({err.reason}): {err.message}"
        return f"Error from server: {err.message}"
    if isinstance(err, ConfigInvalidError):
        # kubectl unwraps an aggregate of one first; only a missing context is then still
        # "invalid configuration" (clientcmd.IsConfigurationInvalid).
        if len(err.errors) == 1 and not _is_context_not_found(err.errors[0]):
            return f"error: {err.errors[0]}"
        return _multiline("Error in configuration: ", err.errors)
    if isinstance(err, NoResourceMatchError):
        gvr = err.partial_resource
        text = f"the server doesn't have a resource type {_go_quote(gvr.resource)}"
        if gvr.group:
            text += f" in group {_go_quote(gvr.group)}"
            if gvr.version:
                text += f" and version {_go_quote(gvr.version)}"
        elif gvr.version:
            text += f" in version {_go_quote(gvr.version)}"
        return f"error: {text}"
    if isinstance(err, AuthConfigError) and str(err).startswith("getting credentials: "):
        # A credential plugin fails inside the round trip: a *url.Error to kubectl.
        return f"Unable to connect to the server: {err}"
    if isinstance(err, ResponseBodyError):
        # client-go wraps a broken body in a plain error, not a *url.Error.
        return f"error: {err}"
    if isinstance(err, TransportError):
        return _transport_message(err)
    if isinstance(err, RecursionError):
        # Python's own words would name the interpreter's limit, not the input.
        return "error: the input is nested too deeply for kctl"
    text = str(err)
    if isinstance(err, OSError) and err.strerror:
        # Go's *PathError: "open FILE: no such file or directory".
        op = "open"
        text = f"{op} {err.filename}: {err.strerror.lower()}" if err.filename else err.strerror
    return text if text.startswith("error: ") else f"error: {text}"


def report(err: BaseException) -> None:
    """Print ``err`` as kubectl would, and carry on."""
    from kctl.cli._io import error

    error(message_for(err))


def _from_click(err: click.ClickException) -> UsageError:
    """click's parser errors in pflag's words."""
    import click

    ctx = getattr(err, "ctx", None)
    path = ctx.command_path if ctx is not None else ""
    if isinstance(err, click.NoSuchOption):
        name = err.option_name
        if name.startswith("--"):
            return UsageError(f"unknown flag: {name}", command_path=path)
        return UsageError(f"unknown shorthand flag: '{name[1:2]}' in {name}", command_path=path)
    if isinstance(err, click.BadOptionUsage) and "requires an argument" in err.message:
        name = err.option_name
        if name.startswith("--"):
            return UsageError(f"flag needs an argument: {name}", command_path=path)
        return UsageError(f"flag needs an argument: '{name[1:2]}' in {name}", command_path=path)
    if isinstance(err, click.UsageError) and type(err) is click.UsageError:
        # Raised by our own GoInt/KubectlCommand with a finished pflag text.
        return UsageError(err.message, command_path=path)
    return UsageError(err.format_message(), command_path=path)


def _quiet_stdout() -> None:
    # Later flushes of a closed pipe would raise again at interpreter exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def exit_process(code: int) -> NoReturn:
    """Exit with ``code``; an interrupted run dies of SIGINT instead, as kubectl (and
    Python itself) do, so that a calling shell script stops too (bash goes on after a
    command that merely exits 130, but not after one killed by SIGINT)."""
    if code == EXIT_INTERRUPTED and os.name == "posix":
        import signal

        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass  # the output is lost either way; the signal still has to be delivered
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    sys.exit(code)


def guard(body: Callable[[], int]) -> int:
    """Run ``body`` and return its exit code, printing any failure as kubectl does."""
    try:
        try:
            code = body()
            sys.stdout.flush()
            return code
        except SilentExit as done:
            sys.stdout.flush()
            return done.code
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            raise
        except Exception as err:
            from kctl.errors import KctlError

            if not isinstance(err, (KctlError, UsageError, OSError)) and os.environ.get(
                "KCTL_DEBUG"
            ):
                import traceback

                traceback.print_exc()
            sys.stdout.flush()
            report(err)
            return EXIT_ERROR
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE


def run(cli: click.Command, args: list[str], prog_name: str = "kctl") -> int:
    """Run the click app on ``args`` and return the exit code, printing errors as kubectl."""
    import click

    def body() -> int:
        try:
            with cli.make_context(prog_name, list(args)) as ctx:
                cli.invoke(ctx)
        except click.exceptions.Exit as done:
            return done.exit_code
        except click.ClickException as err:
            report(_from_click(err))
            return EXIT_ERROR
        except click.Abort:
            return EXIT_INTERRUPTED
        return 0

    return guard(body)
