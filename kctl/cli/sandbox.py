"""``kctl sandbox serve|up|down|status``: run the embedded API server.

``serve`` runs in the foreground. ``up`` starts ``serve`` detached, with its pid file, state
database, log and kubeconfig under the user's cache directory, and adds cluster, user and
context ``kctl-sandbox`` to the kubeconfig file kctl writes to; ``down`` undoes exactly that.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click

from kctl.cli._examples import ExamplesGroup

__all__ = ["command"]

_FAULT_HELP = """\b
Fault specs (--fault, repeatable): comma-separated key=value settings with one action:
  status=429|500|503   answer with that error (retry-after=S adds Retry-After)
  latency=200ms        delay the answer (ms, s, m)
  watch-cut-after=N    drop a watch connection after N events
  list-reset           reset the connection in the middle of a list body
  expire-rv            expire the request's resourceVersion / continue token (410)
and which requests it hits:
  path=/api/v1/pods (prefix)  method=GET  every=N  fraction=0.5  times=N  seed=7
Examples: 'status=429,every=3,retry-after=1,path=/api/v1/pods'
          'latency=200ms,fraction=0.5,seed=7'  'watch-cut-after=5'  'list-reset'

\b
Authorization: without --rbac or --authz every authenticated user may do everything.
--rbac enforces the stored Roles, ClusterRoles and bindings, as kube-apiserver's
--authorization-mode=RBAC. --authz FILE also creates (or updates) the RBAC objects of FILE
at each start, as `kubectl apply -f FILE` would, e.g.:
  apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: dev-view, namespace: dev}
  subjects: [{kind: ServiceAccount, name: default, namespace: dev}]
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
"""


@click.group(name="sandbox", cls=ExamplesGroup)
def command() -> None:
    """Run an embedded Kubernetes API server."""


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@command.command(name="serve", epilog=_FAULT_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=0,
    type=click.IntRange(0, 65535),
    show_default=True,
    help="Port (0 picks a free one).",
)
@click.option(
    "--kubeconfig-out",
    "kubeconfig_out",
    type=click.Path(dir_okay=False),
    help="Write a kubeconfig (context kctl-sandbox, mode 0600) here.",
)
@click.option("--token", default=None, help="Bearer token to accept (default: random).")
@click.option(
    "--token-file",
    "token_file",
    default=None,
    type=click.Path(dir_okay=False),
    help='More tokens, as kube-apiserver\'s --token-auth-file: token,user,uid,"g1,g2" lines.',
)
@click.option("--no-auth", "no_auth", is_flag=True, help="Accept requests without credentials.")
@click.option(
    "--tls/--no-tls",
    default=True,
    show_default=True,
    help="Serve HTTPS with a generated CA (certificate-authority-data in the kubeconfig) and "
    "require credentials: a token or a client certificate (CN user, O groups); requests "
    "without get 401. --no-tls serves plain http: kubectl and client-go never send "
    "credentials over http, so requests without credentials are served as anonymous (a wrong "
    "token is still 401).",
)
@click.option(
    "--authz",
    default=None,
    type=click.Path(dir_okay=False),
    help="Roles, ClusterRoles, RoleBindings and ClusterRoleBindings (YAML or JSON, several "
    "documents or a List) to create or update at each start; implies --rbac (see below).",
)
@click.option(
    "--rbac",
    is_flag=True,
    help="Enforce RBAC from the stored Roles, ClusterRoles and bindings, as kube-apiserver "
    "does (the default roles are there; the admin token is in system:masters).",
)
@click.option("--fault", "faults", multiple=True, help="Inject faults (see below).")
@click.option(
    "--state",
    default=None,
    type=click.Path(dir_okay=False),
    help="Keep objects in this SQLite file (default: memory only).",
)
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
@click.option(
    "--watch-window",
    "watch_window",
    default=75.0,
    type=click.FloatRange(min=0),
    show_default=True,
    help="Seconds of events a watch can resume from, per resource, as kube-apiserver's watch "
    "cache keeps; older resourceVersions get 410 'too old resource version'.",
)
@click.option(
    "--watch-window-events",
    "watch_window_events",
    default=100,
    type=click.IntRange(min=1),
    show_default=True,
    help="Events per resource a watch can always resume from, however old.",
)
@click.option(
    "--runtime",
    default=None,
    type=click.Choice(["process"]),
    help="Run pods' containers (command and args) as host processes, as the user who "
    "started the sandbox: real logs, exec, attach and port-forward (each pod gets its own "
    "127.x.y.z address). Without it pods only get statuses, and exec answers 'error "
    "dialing backend' as an apiserver with no kubelet.",
)
def serve(
    host: str,
    port: int,
    kubeconfig_out: str | None,
    token: str | None,
    token_file: str | None,
    no_auth: bool,
    tls: bool,
    authz: str | None,
    rbac: bool,
    faults: tuple[str, ...],
    state: str | None,
    seed: str,
    bookmark_interval: float,
    watch_window: float,
    watch_window_events: int,
    runtime: str | None,
) -> None:
    """Serve until SIGTERM or SIGINT; prints `ready URL` once it accepts connections.

    By default it serves HTTPS with a generated CA and a random token (written to
    --kubeconfig-out), and answers requests without credentials with 401.
    """
    from kctl.sandbox import Sandbox, SandboxError
    from kctl.sandbox._faults import FaultError, parse_fault

    if token and no_auth:
        raise click.UsageError("--token and --no-auth are mutually exclusive")
    if no_auth and (token_file or authz or rbac):
        raise click.UsageError("--no-auth cannot be combined with --token-file, --authz or --rbac")
    if bookmark_interval <= 0:
        raise click.UsageError("--watch-bookmark-interval must be positive")
    parsed = []
    for spec in faults:
        try:
            parsed.append(parse_fault(spec))
        except FaultError as err:
            _fail(f"invalid --fault: {err}")
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        sandbox = Sandbox(
            seed=seed,
            token=token,
            no_auth=no_auth,
            host=host,
            port=port,
            watch_bookmark_interval=bookmark_interval,
            watch_window=watch_window,
            watch_window_events=watch_window_events,
            tls=tls,
            token_file=token_file,
            authz=authz,
            rbac=rbac,
            faults=parsed,
            state=state,
            runtime=runtime,
        )
        sandbox.start()
    except SandboxError as err:
        _fail(str(err))
    try:
        if kubeconfig_out:
            try:
                sandbox.write_kubeconfig(kubeconfig_out)
            except OSError as err:
                _fail(f"cannot write {kubeconfig_out}: {err.strerror}")
        sys.stdout.write(f"ready {sandbox.url}\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            continue
    finally:
        sandbox.stop()


@command.command(name="up")
@click.option(
    "--port",
    default=0,
    type=click.IntRange(0, 65535),
    show_default=True,
    help="Port (0 picks a free one).",
)
@click.option(
    "--seed",
    default="demo",
    show_default=True,
    help="demo, empty, or a path to YAML/JSON objects (used when the state is new; a saved "
    "state filled from another seed is kept, with a warning).",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Start over: a new state filled from --seed replaces the saved one (and a running "
    "sandbox), which is removed only once the new one is ready.",
)
@click.option(
    "--tls/--no-tls",
    default=True,
    show_default=True,
    help="Serve HTTPS with a generated CA and require credentials. --no-tls serves plain "
    "http, where kubectl sends no credentials and requests are served as anonymous.",
)
@click.option(
    "--timeout",
    default=30.0,
    type=float,
    show_default=True,
    help="Seconds to wait for it to be ready.",
)
@click.option(
    "--runtime",
    default=None,
    type=click.Choice(["process"]),
    help="Run pods' containers (command and args) as host processes, as the user who "
    "started the sandbox: real logs, exec, attach and port-forward (each pod gets its own "
    "127.x.y.z address). Without it pods only get statuses, and exec answers 'error "
    "dialing backend' as an apiserver with no kubelet.",
)
@click.pass_context
def up(
    ctx: click.Context,
    port: int,
    seed: str,
    tls: bool,
    timeout: float,
    fresh: bool,
    runtime: str | None,
) -> None:
    """Start a sandbox in the background and make it the current kubeconfig context.

    It serves HTTPS with a generated CA; its kubeconfig entries carry the CA and a random
    token. Its objects are kept across `down` and `up` in the cache directory.
    """
    from kctl.sandbox._daemon import DaemonError, start

    def warn(text: str) -> None:
        click.echo(f"warning: {text}", err=True)

    given = ctx.get_parameter_source("seed") is not click.core.ParameterSource.DEFAULT
    try:
        info, started = start(
            port=port,
            seed=seed,
            tls=tls,
            timeout=timeout,
            fresh=fresh,
            check_seed=given,
            warn=warn,
            runtime=runtime or "",
        )
    except DaemonError as err:
        _fail(str(err))
    if not started:
        click.echo(f"kctl-sandbox is already running at {info.url} (pid {info.pid})")
        return
    click.echo(f"kctl-sandbox is running at {info.url} (pid {info.pid})")
    click.echo(f'Switched to context "kctl-sandbox" in {info.kubeconfig}.')


@command.command(name="down")
@click.option("--purge", is_flag=True, help="Also delete the saved state.")
def down(purge: bool) -> None:
    """Stop the background sandbox and remove its kubeconfig entries."""
    from kctl.sandbox._daemon import DaemonError, stop

    try:
        info = stop(purge=purge)
    except DaemonError as err:
        _fail(str(err))
    if info is None:
        click.echo("no kctl-sandbox is running")
        return
    click.echo(f"kctl-sandbox stopped (pid {info.pid})")


# LSB's "program is not running", which ``systemctl status`` also uses; 1 stays an error.
EXIT_NOT_RUNNING = 3


@command.command(name="status")
def status() -> None:
    """Say whether a background sandbox is running, and where.

    Exit status: 0 when it runs, 3 when none is running (as `systemctl status`), 1 on an
    error. So `kctl sandbox status >/dev/null || kctl sandbox up` starts one only if needed.
    """
    from kctl.cli._errors import SilentExit
    from kctl.sandbox._daemon import DaemonError, running

    try:
        info = running()
    except DaemonError as err:
        _fail(str(err))
    if info is None:
        click.echo("no kctl-sandbox is running")
        raise SilentExit(EXIT_NOT_RUNNING)
    click.echo(f"kctl-sandbox is running at {info.url} (pid {info.pid})")
    click.echo(f"state: {info.state}")
    click.echo(f"log: {info.log}")
