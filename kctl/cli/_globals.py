"""kubectl's global flags, and the Factory that turns them into clients (cli-runtime's ConfigFlags).

How a verb module uses this::

    import click
    from kctl.cli._globals import Factory, kubectl_command

    @kubectl_command("get", short_help="Display one or many resources")
    @click.argument("args", nargs=-1)
    @click.option("-o", "--output", default="")
    def command(factory: Factory, args: tuple[str, ...], output: str) -> None:
        namespace, explicit = factory.namespace()     # -n, else the context's, else "default"
        config = factory.rest_config()                 # a resolved kctl.rest.Config
        mapper = factory.rest_mapper()                 # discovery through ~/.kube/cache
        client = factory.dynamic()                     # kctl.dynamic.DynamicClient

``kubectl_command`` is ``click.command`` with the global flags added (``--kubeconfig``,
``--context``, ``-n``, ``-s``, ``--token``, ``-v``, ...) and folded into a ``factory``
argument, so the verb's function never sees them. Its command class also parses flags the
way kubectl's pflag does: ``--bool-flag=false``, ``-n=dev``, ``-v=6``, and Go's texts for
bad values. Global flags written before the verb (``kctl -n dev get pods``) are moved
behind it by ``hoist_global_flags`` in ``kctl.cli.main``.

Nothing here is built before it is asked for: a verb that fails on its arguments never
reads the kubeconfig, and ``rest_mapper()`` is the first call that touches the network.
Errors are raised as kctl.errors exceptions; kctl.cli._errors prints them as kubectl does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from kctl.clientcmd import DeferredLoadingClientConfig
    from kctl.discovery import CachedDiscoveryClient, RESTMapper
    from kctl.dynamic import DynamicClient
    from kctl.rest import Config, RESTClient

__all__ = [
    "DISCOVERY_BURST",
    "DISCOVERY_QPS",
    "GLOBAL_FLAG_ARITY",
    "Factory",
    "GlobalFlags",
    "GoInt",
    "KubectlCommand",
    "global_flags",
    "hoist_global_flags",
    "kubectl_command",
    "parse_go_bool",
]

# kubectl's defaultConfigFlags(): WithDiscoveryBurst(300).WithDiscoveryQPS(50.0). The
# REST config of every other request keeps client-go's defaults (QPS 5, burst 10).
DISCOVERY_QPS = 50.0
DISCOVERY_BURST = 300

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_go_bool(text: str) -> bool | None:
    """strconv.ParseBool; None when the text is not a Go boolean."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _flag_desc(param: click.Parameter | None) -> str:
    """pflag's name for a flag in errors: ``-v, --v`` with a shorthand, else ``--name``."""
    if param is None:
        return ""
    opts = list(getattr(param, "opts", [])) + list(getattr(param, "secondary_opts", []))
    short = next((o for o in opts if len(o) == 2 and not o.startswith("--")), "")
    long = next((o for o in opts if o.startswith("--")), "")
    return f"{short}, {long}" if short and long else long or short


class GoInt(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.3 on
    """An integer flag with pflag's error text."""

    name = "int"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value)
        try:
            if text.strip() != text or "_" in text:
                raise ValueError(text)
            return int(text, 10)
        except ValueError:
            raise click.UsageError(
                f'invalid argument "{text}" for "{_flag_desc(param)}" flag: '
                f'strconv.ParseInt: parsing "{text}": invalid syntax',
                ctx,
            ) from None


# name -> takes a value. kubectl's global flags (cli-runtime ConfigFlags + klog's -v).
GLOBAL_FLAG_ARITY: dict[str, bool] = {
    "--kubeconfig": True,
    "--context": True,
    "--cluster": True,
    "--user": True,
    "-n": True,
    "--namespace": True,
    "-s": True,
    "--server": True,
    "--token": True,
    "--certificate-authority": True,
    "--client-certificate": True,
    "--client-key": True,
    "--insecure-skip-tls-verify": False,
    "--tls-server-name": True,
    "--as": True,
    "--as-group": True,
    "--as-uid": True,
    "--request-timeout": True,
    "--cache-dir": True,
    "-v": True,
    "--v": True,
    "--disable-compression": False,
    "--username": True,
    "--password": True,
}


def hoist_global_flags(args: Sequence[str]) -> list[str]:
    """Move global flags written before the verb to just after it (``kctl -n dev get``).

    Only a leading run of known global flags moves; anything else is left for click to
    judge, so ``kctl --bogus get`` still fails as an unknown flag.
    """
    moved: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        name, eq, _ = token.partition("=")
        short_attached = len(token) > 2 and token[:2] in ("-n", "-s", "-v") and token[1] != "-"
        if name in GLOBAL_FLAG_ARITY:
            moved.append(token)
            if GLOBAL_FLAG_ARITY[name] and not eq:
                if i + 1 >= len(args):
                    return list(args)
                moved.append(args[i + 1])
                i += 1
            i += 1
        elif short_attached:
            moved.append(token)
            i += 1
        else:
            break
    if not moved or i >= len(args):
        return list(args)
    return [args[i], *moved, *args[i + 1 :]]


@dataclass
class GlobalFlags:
    """The values of kubectl's global flags, as given (empty means not given)."""

    kubeconfig: str = ""
    context: str = ""
    cluster: str = ""
    user: str = ""
    namespace: str = ""
    server: str = ""
    token: str = ""
    certificate_authority: str = ""
    client_certificate: str = ""
    client_key: str = ""
    insecure_skip_tls_verify: bool = False
    tls_server_name: str = ""
    as_user: str = ""
    as_groups: tuple[str, ...] = ()
    as_uid: str = ""
    request_timeout: str = "0"
    cache_dir: str = ""
    verbosity: int = 0
    disable_compression: bool = False
    username: str = ""
    password: str = ""


def _warn(text: str) -> None:
    from kctl.cli._io import warn

    warn(text)


class Factory:
    """Lazily built clients for one invocation (kubectl's cmdutil.Factory)."""

    def __init__(self, flags: GlobalFlags) -> None:
        self.flags = flags
        self._client_config: DeferredLoadingClientConfig | None = None
        self._rest_config: Config | None = None
        self._discovery: CachedDiscoveryClient | None = None
        self._mapper: RESTMapper | None = None
        self._dynamic: DynamicClient | None = None
        self._clients: dict[tuple[str, str], RESTClient] = {}

    def client_config(self) -> DeferredLoadingClientConfig:
        """The kubeconfig loader with the flags as overrides (ToRawKubeConfigLoader)."""
        if self._client_config is None:
            from kctl.clientcmd import (
                ClientConfigLoadingRules,
                ConfigOverrides,
                new_default_client_config_loading_rules,
                new_non_interactive_deferred_loading_client_config,
            )

            f = self.flags
            rules = new_default_client_config_loading_rules()
            if f.kubeconfig:
                rules = ClientConfigLoadingRules(explicit_path=f.kubeconfig)
            overrides = ConfigOverrides.from_flags(
                context=f.context,
                cluster=f.cluster,
                user=f.user,
                namespace=f.namespace,
                server=f.server,
                tls_server_name=f.tls_server_name,
                insecure_skip_tls_verify=f.insecure_skip_tls_verify,
                certificate_authority=f.certificate_authority,
                client_certificate=f.client_certificate,
                client_key=f.client_key,
                token=f.token,
                as_user=f.as_user,
                as_groups=f.as_groups,
                as_uid=f.as_uid,
                username=f.username,
                password=f.password,
                request_timeout=f.request_timeout,
                disable_compression=f.disable_compression,
            )
            self._client_config = new_non_interactive_deferred_loading_client_config(
                rules, overrides
            )
        return self._client_config

    def rest_config(self) -> Config:
        """The resolved rest.Config (ToRESTConfig), with -v applied."""
        if self._rest_config is None:
            config = self.client_config().client_config()
            if self.flags.verbosity:
                config = config.copy(verbosity=self.flags.verbosity)
            self._rest_config = config
        return self._rest_config

    def namespace(self) -> tuple[str, bool]:
        """The namespace to use, and whether it came from ``-n`` (ToRawKubeConfigLoader().Namespace())."""
        return self.client_config().namespace_with_override()

    def discovery(self) -> CachedDiscoveryClient:
        """Discovery through kubectl's disk cache at --cache-dir ($KUBECACHEDIR, ~/.kube/cache)."""
        if self._discovery is None:
            from kctl.discovery import new_cached_discovery_client_for_config

            config = self.rest_config().copy(qps=DISCOVERY_QPS, burst=DISCOVERY_BURST)
            self._discovery = new_cached_discovery_client_for_config(
                config, self.flags.cache_dir or None
            )
        return self._discovery

    def rest_mapper(self) -> RESTMapper:
        if self._mapper is None:
            from kctl.discovery import RESTMapper

            self._mapper = RESTMapper(self.discovery(), warning_handler=_warn)
        return self._mapper

    def dynamic(self) -> DynamicClient:
        if self._dynamic is None:
            from kctl.dynamic import new_for_config

            self._dynamic = new_for_config(self.rest_config())
        return self._dynamic

    def rest_client(self, group: str, version: str) -> RESTClient:
        """A RESTClient for one group-version, sharing the config's limiter and pool."""
        key = (group, version)
        client = self._clients.get(key)
        if client is None:
            from kctl.rest import RESTClient

            base = f"/api/{version}" if not group else f"/apis/{group}/{version}"
            client = RESTClient(self.rest_config(), base_path=base)
            self._clients[key] = client
        return client


def _string(
    *decls: str, help: str, multiple: bool = False, shell_complete: Any = None
) -> Callable[[Any], Any]:
    return click.option(
        *decls,
        default=() if multiple else "",
        multiple=multiple,
        metavar="TEXT",
        show_default=False,
        help=help,
        shell_complete=shell_complete,
    )


def _complete_namespaces(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    # Imported on TAB only: the completion module talks to the server.
    from kctl.cli.completion import complete_namespaces

    return complete_namespaces(ctx, param, incomplete)


# (dest, click decorator) in the order kubectl lists them.
_GLOBAL_OPTIONS: list[tuple[str, Callable[[Any], Any]]] = [
    ("g_as", _string("--as", "g_as", help="Username to impersonate for the operation.")),
    (
        "g_as_group",
        _string(
            "--as-group",
            "g_as_group",
            multiple=True,
            help="Group to impersonate for the operation; repeatable.",
        ),
    ),
    ("g_as_uid", _string("--as-uid", "g_as_uid", help="UID to impersonate for the operation.")),
    ("g_cache_dir", _string("--cache-dir", "g_cache_dir", help="Default cache directory.")),
    (
        "g_certificate_authority",
        _string(
            "--certificate-authority",
            "g_certificate_authority",
            help="Path to a cert file for the certificate authority.",
        ),
    ),
    (
        "g_client_certificate",
        _string(
            "--client-certificate",
            "g_client_certificate",
            help="Path to a client certificate file for TLS.",
        ),
    ),
    (
        "g_client_key",
        _string("--client-key", "g_client_key", help="Path to a client key file for TLS."),
    ),
    (
        "g_cluster",
        _string("--cluster", "g_cluster", help="The name of the kubeconfig cluster to use."),
    ),
    (
        "g_context",
        _string("--context", "g_context", help="The name of the kubeconfig context to use."),
    ),
    (
        "g_disable_compression",
        click.option(
            "--disable-compression",
            "g_disable_compression",
            is_flag=True,
            help="Opt out of response compression for all requests to the server.",
        ),
    ),
    (
        "g_insecure_skip_tls_verify",
        click.option(
            "--insecure-skip-tls-verify",
            "g_insecure_skip_tls_verify",
            is_flag=True,
            help="Do not check the server's certificate (insecure).",
        ),
    ),
    (
        "g_kubeconfig",
        _string(
            "--kubeconfig", "g_kubeconfig", help="Path to the kubeconfig file to use for requests."
        ),
    ),
    (
        "g_namespace",
        _string(
            "-n",
            "--namespace",
            "g_namespace",
            help="The namespace scope for this CLI request.",
            shell_complete=_complete_namespaces,
        ),
    ),
    (
        "g_password",
        _string("--password", "g_password", help="Password for basic authentication."),
    ),
    (
        "g_request_timeout",
        click.option(
            "--request-timeout",
            "g_request_timeout",
            default="0",
            metavar="TEXT",
            help="How long to wait for a single server request (e.g. 1s, 2m, 3h); 0 waits forever.",
        ),
    ),
    (
        "g_server",
        _string(
            "-s", "--server", "g_server", help="The address and port of the Kubernetes API server."
        ),
    ),
    (
        "g_tls_server_name",
        _string(
            "--tls-server-name",
            "g_tls_server_name",
            help="Server name to use for server certificate validation.",
        ),
    ),
    (
        "g_token",
        _string("--token", "g_token", help="Bearer token for authentication to the API server."),
    ),
    ("g_user", _string("--user", "g_user", help="The name of the kubeconfig user to use.")),
    (
        "g_username",
        _string("--username", "g_username", help="Username for basic authentication."),
    ),
    (
        "g_v",
        click.option(
            "-v",
            "--v",
            "g_v",
            type=GoInt(),
            default=0,
            metavar="LEVEL",
            help="Log level for request logging (6: URLs, 8: bodies).",
        ),
    ),
]


def _pop_flags(kwargs: dict[str, Any]) -> GlobalFlags:
    return GlobalFlags(
        kubeconfig=kwargs.pop("g_kubeconfig"),
        context=kwargs.pop("g_context"),
        cluster=kwargs.pop("g_cluster"),
        user=kwargs.pop("g_user"),
        namespace=kwargs.pop("g_namespace"),
        server=kwargs.pop("g_server"),
        token=kwargs.pop("g_token"),
        certificate_authority=kwargs.pop("g_certificate_authority"),
        client_certificate=kwargs.pop("g_client_certificate"),
        client_key=kwargs.pop("g_client_key"),
        insecure_skip_tls_verify=kwargs.pop("g_insecure_skip_tls_verify"),
        tls_server_name=kwargs.pop("g_tls_server_name"),
        as_user=kwargs.pop("g_as"),
        as_groups=tuple(kwargs.pop("g_as_group")),
        as_uid=kwargs.pop("g_as_uid"),
        request_timeout=kwargs.pop("g_request_timeout"),
        cache_dir=kwargs.pop("g_cache_dir"),
        verbosity=kwargs.pop("g_v"),
        disable_compression=kwargs.pop("g_disable_compression"),
        username=kwargs.pop("g_username"),
        password=kwargs.pop("g_password"),
    )


def global_flags(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the global flags to a command function and pass them on as ``factory``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, factory=Factory(_pop_flags(kwargs)), **kwargs)

    decorated: Callable[..., Any] = wrapper
    for _, option in reversed(_GLOBAL_OPTIONS):
        decorated = option(decorated)
    return decorated


class KubectlCommand(click.Command):
    """A click command that reads its flags as pflag does.

    - ``--flag=true|false`` (any Go boolean) for boolean flags;
    - ``-x=value`` for a short flag taking a value (``-n=dev``, ``-v=6``, ``-o=json``);
    - kubectl's texts for unknown flags and missing values (kctl.cli._errors prints them).
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        bool_opts: dict[str, click.Option] = {}
        value_shorts: set[str] = set()
        for param in self.params:
            if not isinstance(param, click.Option):
                continue
            for opt in param.opts:
                if param.is_flag and not param.count:
                    bool_opts[opt] = param
                elif len(opt) == 2 and not opt.startswith("--"):
                    value_shorts.add(opt)
        forced: dict[str, bool] = {}
        rewritten: list[str] = []
        for i, token in enumerate(args):
            if token == "--":
                rewritten.extend(args[i:])
                break
            name, eq, value = token.partition("=")
            if eq and name.startswith("-") and name in bool_opts:
                param = bool_opts[name]
                parsed = parse_go_bool(value)
                if parsed is None:
                    raise click.UsageError(
                        f'invalid argument "{value}" for "{_flag_desc(param)}" flag: '
                        f'strconv.ParseBool: parsing "{value}": invalid syntax',
                        ctx,
                    )
                if parsed:
                    rewritten.append(name)
                else:
                    forced[str(param.name)] = False
                continue
            if eq and name in value_shorts:
                rewritten.extend([name, value])
                continue
            rewritten.append(token)
        try:
            rest = super().parse_args(ctx, rewritten)
        except click.UsageError as err:
            # click's parser leaves ctx unset; the error text needs the command's path.
            if err.ctx is None:
                err.ctx = ctx
            raise
        ctx.params.update(forced)
        return rest


def kubectl_command(name: str, **attrs: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """``click.command(name, cls=KubectlCommand)`` with the global flags; see the module doc."""

    def decorator(func: Callable[..., Any]) -> click.Command:
        attrs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        command: click.Command = click.command(name, cls=KubectlCommand, **attrs)(
            global_flags(func)
        )
        return command

    return decorator
