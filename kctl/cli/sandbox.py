"""``kctl sandbox serve``: run the embedded API server in the foreground."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click

__all__ = ["command"]


@click.group(name="sandbox")
def command() -> None:
    """Run an embedded Kubernetes API server."""


@command.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=0, type=int, show_default=True, help="Port (0 picks a free one).")
@click.option(
    "--kubeconfig-out",
    "kubeconfig_out",
    type=click.Path(dir_okay=False),
    help="Write a kubeconfig (context kctl-sandbox, mode 0600) here.",
)
@click.option("--token", default=None, help="Bearer token to accept (default: random).")
@click.option("--no-auth", "no_auth", is_flag=True, help="Accept requests without credentials.")
@click.option(
    "--seed", default="demo", show_default=True, help="demo, empty, or a path to YAML/JSON objects."
)
@click.option(
    "--watch-bookmark-interval",
    "bookmark_interval",
    default=60.0,
    type=float,
    show_default=True,
    help="Seconds between watch bookmarks.",
)
def serve(
    host: str,
    port: int,
    kubeconfig_out: str | None,
    token: str | None,
    no_auth: bool,
    seed: str,
    bookmark_interval: float,
) -> None:
    """Serve until SIGTERM or SIGINT; prints `ready URL` once it accepts connections."""
    from kctl.sandbox import Sandbox, SandboxError, write_kubeconfig

    if token and no_auth:
        raise click.UsageError("--token and --no-auth are mutually exclusive")
    if bookmark_interval <= 0:
        raise click.UsageError("--watch-bookmark-interval must be positive")
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sandbox = Sandbox(
        seed=seed,
        token=token,
        no_auth=no_auth,
        host=host,
        port=port,
        watch_bookmark_interval=bookmark_interval,
    )
    try:
        sandbox.start()
    except SandboxError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    try:
        if kubeconfig_out:
            try:
                write_kubeconfig(kubeconfig_out, sandbox.url, sandbox.token)
            except OSError as err:
                click.echo(f"error: cannot write {kubeconfig_out}: {err.strerror}", err=True)
                sys.exit(1)
        sys.stdout.write(f"ready {sandbox.url}\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            continue
    finally:
        sandbox.stop()
