"""Flag values kubectl parses by hand for apply and delete: --dry-run, --validate, --cascade,
and the aggregate error print-out both verbs share."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from kctl.errors import KctlError, StatusError, TransportError

__all__ = [
    "DRY_RUN_CLIENT",
    "DRY_RUN_NONE",
    "DRY_RUN_SERVER",
    "aggregate_line",
    "dry_run_strategy",
    "dry_run_suffix",
    "exit_with_errors",
    "klog_warning",
    "validation_directive",
]

DRY_RUN_NONE = "none"
DRY_RUN_CLIENT = "client"
DRY_RUN_SERVER = "server"
# pflag's NoOptDefVal for --dry-run: the bare flag.
DRY_RUN_BARE = "unchanged"


def klog_warning(text: str, source: str) -> None:
    """kubectl's ``klog.Warning`` at ``source`` (its Go file:line), which it logs at any -v."""
    from kctl.util.klog import klog_text

    sys.stderr.write(klog_text("W", source, text))


def dry_run_strategy(value: str) -> str:
    """cmdutil.GetDryRunStrategy: none, client or server, with kubectl's texts."""
    from kctl.cli._globals import parse_go_bool

    as_bool = parse_go_bool(value)
    if as_bool is None:
        if value == DRY_RUN_BARE:
            klog_warning(
                "--dry-run is deprecated and can be replaced with --dry-run=client.",
                "helpers.go:714",
            )
            return DRY_RUN_CLIENT
        if value in (DRY_RUN_CLIENT, DRY_RUN_SERVER, DRY_RUN_NONE):
            return value
        raise KctlError(f'Invalid dry-run value ({value}). Must be "none", "server", or "client".')
    replacement = DRY_RUN_CLIENT if as_bool else DRY_RUN_NONE
    klog_warning(
        f"--dry-run={value} is deprecated (boolean value) and can be replaced with "
        f"--dry-run={replacement}.",
        "helpers.go:728" if as_bool else "helpers.go:731",
    )
    return replacement


def dry_run_suffix(strategy: str) -> str:
    if strategy == DRY_RUN_CLIENT:
        return " (dry run)"
    if strategy == DRY_RUN_SERVER:
        return " (server dry run)"
    return ""


def validation_directive(value: str) -> str:
    """cmdutil.GetValidationDirective: the fieldValidation query value."""
    from kctl.cli._globals import parse_go_bool

    as_bool = parse_go_bool(value)
    if as_bool is not None:
        return "Strict" if as_bool else "Ignore"
    directives = {"strict": "Strict", "warn": "Warn", "ignore": "Ignore"}
    if value in directives:
        return directives[value]
    raise KctlError(
        f'invalid - validate option "{value}"; must be one of: strict (or true), warn, '
        "ignore (or false)"
    )


def aggregate_line(err: BaseException) -> str:
    """One error of an aggregate, as cmdutil.MultipleErrors writes it (no ``error:``)."""
    if isinstance(err, StatusError):
        if err.reason == "Unauthorized":
            return f"error: You must be logged in to the server ({err.message})"
        if err.reason:
            return f"Error from server ({err.reason}): {err.message}"
        return f"Error from server: {err.message}"
    if isinstance(err, TransportError):
        from kctl.cli._errors import message_for

        return message_for(err)
    return str(err)


def exit_with_errors(errors: Sequence[BaseException]) -> None:
    """kubectl's end of a ContinueOnError run: one error as CheckErr prints it, several as
    an aggregate, one per line (an inner aggregate on one line: see _aggregate); exit 1
    either way."""
    if not errors:
        return
    if len(errors) == 1:
        # CheckErr unwraps an aggregate of one error, once.
        from kctl.cli._aggregate import Aggregate

        only = errors[0]
        if isinstance(only, Aggregate) and len(only.errors) == 1:
            only = only.errors[0]
        if not isinstance(only, Aggregate):
            raise only
        errors = only.errors
    from kctl.cli._errors import SilentExit
    from kctl.cli._io import error

    sys.stdout.flush()
    lines = [aggregate_line(e) for e in errors]
    error("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    raise SilentExit(1)
