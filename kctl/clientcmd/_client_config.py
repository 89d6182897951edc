"""From a kubeconfig plus overrides to a rest.Config: client-go's client_config.go,
merged_client_builder.go and validation.go."""

from __future__ import annotations

import copy
import os
import re
from _thread import allocate_lock
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kctl.clientcmd._api import (
    CLUSTER_EXEC_EXTENSION,
    AuthInfo,
    Cluster,
    Context,
    Kubeconfig,
    clean_ansi_escape_codes,
)
from kctl.clientcmd._loader import ClientConfigLoadingRules, load, merge_into
from kctl.errors import ConfigError, ConfigInvalidError, ContextNotFoundError, KctlError
from kctl.rest._config import (
    AuthProviderConfig,
    Config,
    ExecConfig,
    ExecEnvVar,
    ImpersonationConfig,
    TLSClientConfig,
)

__all__ = [
    "EMPTY_CONFIG_MESSAGE",
    "ClientConfig",
    "ConfigOverrides",
    "DeferredLoadingClientConfig",
    "DirectClientConfig",
    "InClusterClientConfig",
    "build_config_from_flags",
    "default_server",
    "is_empty_config",
    "new_client_config_from_bytes",
    "new_non_interactive_client_config",
    "new_non_interactive_deferred_loading_client_config",
    "parse_timeout",
    "rest_config_from_kubeconfig",
]

if TYPE_CHECKING:
    import logging


def _log() -> logging.Logger:
    # logging costs a small command as much as everything else in clientcmd; it is needed
    # only on the in-cluster paths.
    import logging

    return logging.getLogger("kctl.clientcmd")


EMPTY_CONFIG_MESSAGE = (
    "no configuration has been provided, try setting KUBERNETES_MASTER environment variable"
)
_EMPTY_CLUSTER = "cluster has no server defined"


def default_server() -> str:
    """kubectl's fallback server: $KUBERNETES_MASTER, else http://localhost:8080."""
    return os.environ.get("KUBERNETES_MASTER") or "http://localhost:8080"


def is_empty_config(err: BaseException) -> bool:
    return isinstance(err, ConfigInvalidError) and EMPTY_CONFIG_MESSAGE in err.errors


def _q(text: str) -> str:
    """Go's %q for ordinary strings."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_TIMEOUT_ERROR = (
    "Invalid timeout value. Timeout must be a single integer in seconds, or an integer "
    "followed by a corresponding time unit (e.g. 1s | 2m | 3h)"
)


def parse_timeout(text: str) -> float:
    """clientcmd.ParseTimeout: a bare non-negative integer is seconds, else a Go duration."""
    if re.fullmatch(r"[+-]?\d+", text) and int(text) >= 0:
        return float(int(text))
    from kctl.util.goformat import parse_go_duration

    try:
        return parse_go_duration(text)
    except ValueError:
        raise ConfigError(_TIMEOUT_ERROR) from None


def _proxy_url_problem(proxy_url: str) -> str:
    from urllib.parse import urlsplit

    scheme = urlsplit(proxy_url).scheme if "://" in proxy_url or ":" in proxy_url else ""
    if scheme not in ("http", "https", "socks5"):
        return f"unsupported scheme {_q(scheme)}, must be http, https, or socks5"
    return ""


# -- overrides --------------------------------------------------------------------------------


@dataclass
class ConfigOverrides:
    """clientcmd.ConfigOverrides: what command-line flags change in the loaded kubeconfig.

    Non-empty fields win over the kubeconfig. ``cluster_defaults`` sits *under* the
    kubeconfig's cluster (kubectl puts its localhost:8080 default server there).
    """

    auth_info: AuthInfo = field(default_factory=AuthInfo)
    cluster_defaults: Cluster = field(default_factory=Cluster)
    cluster_info: Cluster = field(default_factory=Cluster)
    context: Context = field(default_factory=Context)
    current_context: str = ""
    timeout: str = ""

    @classmethod
    def from_flags(
        cls,
        *,
        context: str | None = None,
        cluster: str | None = None,
        user: str | None = None,
        namespace: str | None = None,
        server: str | None = None,
        tls_server_name: str | None = None,
        insecure_skip_tls_verify: bool = False,
        certificate_authority: str | None = None,
        client_certificate: str | None = None,
        client_key: str | None = None,
        token: str | None = None,
        as_user: str | None = None,
        as_groups: Iterable[str] = (),
        as_uid: str | None = None,
        username: str | None = None,
        password: str | None = None,
        request_timeout: str | None = None,
        proxy_url: str | None = None,
        disable_compression: bool = False,
        kubectl_defaults: bool = True,
    ) -> ConfigOverrides:
        """The overrides kubectl's global flags produce (cli-runtime's ConfigFlags).

        ``kubectl_defaults`` adds kubectl's default server (``$KUBERNETES_MASTER`` or
        http://localhost:8080) as the cluster default, so an empty kubeconfig talks to it.
        """
        return cls(
            auth_info=AuthInfo(
                client_certificate=client_certificate or "",
                client_key=client_key or "",
                token=token or "",
                impersonate=as_user or "",
                impersonate_uid=as_uid or "",
                impersonate_groups=list(as_groups),
                username=username or "",
                password=password or "",
            ),
            cluster_defaults=Cluster(server=default_server()) if kubectl_defaults else Cluster(),
            cluster_info=Cluster(
                server=server or "",
                tls_server_name=tls_server_name or "",
                certificate_authority=certificate_authority or "",
                insecure_skip_tls_verify=insecure_skip_tls_verify,
                proxy_url=proxy_url or "",
                disable_compression=disable_compression,
            ),
            context=Context(cluster=cluster or "", auth_info=user or "", namespace=namespace or ""),
            current_context=context or "",
            timeout=request_timeout or "",
        )


# -- validation -------------------------------------------------------------------------------


def _open_problem(path: str) -> str:
    try:
        with open(path, "rb"):
            return ""
    except FileNotFoundError:
        return f"open {path}: no such file or directory"
    except IsADirectoryError:
        return ""
    except OSError as err:
        return f"open {path}: {(err.strerror or str(err)).lower()}"


def validate_auth_info(name: str, info: AuthInfo) -> list[str]:
    """client-go's validateAuthInfo, message for message."""
    errors: list[str] = []
    methods: list[str] = []
    if info.token:
        methods.append("token")
    if info.username or info.password:
        methods.append("basicAuth")
    if info.client_certificate or info.client_certificate_data:
        if info.client_certificate and info.client_certificate_data:
            errors.append(
                f"client-cert-data and client-cert are both specified for {name}. "
                "client-cert-data will override."
            )
        if info.client_key and info.client_key_data:
            errors.append(
                f"client-key-data and client-key are both specified for {name}; "
                "client-key-data will override"
            )
        if not info.client_key and not info.client_key_data:
            errors.append(
                f"client-key-data or client-key must be specified for {name} to use the "
                "clientCert authentication method."
            )
        if info.client_certificate and (problem := _open_problem(info.client_certificate)):
            errors.append(
                f"unable to read client-cert {info.client_certificate} for {name} due to {problem}"
            )
        if info.client_key and (problem := _open_problem(info.client_key)):
            errors.append(
                f"unable to read client-key {info.client_key} for {name} due to {problem}"
            )
    if info.exec is not None:
        if info.auth_provider is not None:
            errors.append(
                f"authProvider cannot be provided in combination with an exec plugin for {name}"
            )
        if not info.exec.command:
            errors.append(f"command must be specified for {name} to use exec authentication plugin")
        if not info.exec.api_version:
            errors.append(
                f"apiVersion must be specified for {name} to use exec authentication plugin"
            )
        for var in info.exec.env or []:
            if not var.get("name"):
                errors.append(
                    f"env variable name must be specified for {name} to use exec "
                    "authentication plugin"
                )
        mode = info.exec.interactive_mode
        if not mode:
            errors.append(
                f"interactiveMode must be specified for {name} to use exec authentication plugin"
            )
        elif mode not in ("Never", "IfAvailable", "Always"):
            errors.append(f"invalid interactiveMode for {name}: {_q(mode)}")
    if len(methods) > 1:
        errors.append(
            f"more than one authentication method found for {name}; "
            f"found [{' '.join(methods)}], only one is allowed"
        )
    if (
        info.impersonate_uid or info.impersonate_groups or info.impersonate_user_extra
    ) and not info.impersonate:
        errors.append(
            f"requesting uid, groups or user-extra for {name} without impersonating a user"
        )
    return errors


def validate_cluster_info(name: str, cluster: Cluster) -> list[str]:
    """client-go's validateClusterInfo; an all-empty cluster is the 'no server' sentinel."""
    if cluster == Cluster():
        return [_EMPTY_CLUSTER]
    errors: list[str] = []
    if not cluster.server:
        errors.append(
            f"no server found for cluster {_q(name)}"
            if name
            else "default cluster has no server defined"
        )
    if cluster.proxy_url and (problem := _proxy_url_problem(cluster.proxy_url)):
        errors.append(
            f"invalid 'proxy-url' {_q(cluster.proxy_url)} for cluster {_q(name)}: {problem}"
        )
    if cluster.certificate_authority and cluster.certificate_authority_data:
        errors.append(
            f"certificate-authority-data and certificate-authority are both specified for {name}. "
            "certificate-authority-data will override."
        )
    if cluster.certificate_authority and (problem := _open_problem(cluster.certificate_authority)):
        errors.append(
            f"unable to read certificate-authority {cluster.certificate_authority} for {name} "
            f"due to {problem}"
        )
    return errors


# -- the client config interface --------------------------------------------------------------


class ClientConfig(Protocol):
    """clientcmd.ClientConfig."""

    def raw_config(self) -> Kubeconfig: ...

    def client_config(self) -> Config: ...

    def namespace(self) -> str: ...

    def namespace_with_override(self) -> tuple[str, bool]: ...


def _plain(text: str) -> bool:
    """Whether urlsplit would take ``text`` as it is: printable ASCII (nothing stripped,
    removed or NFKC-checked) without IPv6 brackets (nothing to validate)."""
    return text.isascii() and text.isprintable() and "[" not in text and "]" not in text


def _is_tls_host(host: str) -> bool:
    """rest.IsConfigTransportTLS for a Config that has only its host set."""
    host = host or "localhost"
    # The usual hosts are decided here, exactly as urlsplit would decide them, so that a
    # config is built without importing urllib.parse (and, through it, ipaddress).
    prefix = host[:8].lower()
    if prefix.startswith("http://"):
        return False  # scheme http, or unparseable: never TLS
    if prefix == "https://" and _plain(host):
        return host[8:9] not in ("", "/", "?", "#")  # whether the netloc is non-empty
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(host)
    except ValueError:  # an unclosed IPv6 bracket: not a URL, so not https
        return False
    if not parts.scheme or not parts.netloc:
        return False
    return parts.scheme.lower() == "https"


def _normalise_host(host: str) -> str:
    # url.ParseRequestURI + u.String(): a host with a path loses its query and fragment.
    if not host.startswith(("http://", "https://", "HTTP://", "HTTPS://")) and "://" not in host:
        return host
    if "?" not in host and "#" not in host:
        return host  # no query or fragment to drop
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(host)
    except ValueError:  # url.ParseRequestURI fails too; rest reports the host
        return host
    if len(parts.path) > 1 and (parts.query or parts.fragment):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return host


def _read_file(path: str) -> bytes:
    try:
        with open(path or ".", "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise ConfigError(f"open {path}: no such file or directory") from None
    except OSError as err:
        raise ConfigError(f"open {path}: {(err.strerror or str(err)).lower()}") from None


def _exec_cluster_info(
    host: str, tls: TLSClientConfig, proxy: str, disable_compression: bool, ext: Any
) -> dict[str, Any]:
    """rest.ConfigToExecCluster, in the ExecCredential v1 ``spec.cluster`` wire form."""
    ca = tls.ca_data
    if not ca and tls.ca_file:
        try:
            with open(tls.ca_file, "rb") as fh:
                ca = fh.read()
        except OSError as err:
            raise ConfigError(
                f"failed to load CA bundle for execProvider: open {tls.ca_file}: "
                f"{(err.strerror or str(err)).lower()}"
            ) from None
    out: dict[str, Any] = {"server": host}
    if tls.server_name:
        out["tls-server-name"] = tls.server_name
    if tls.insecure:
        out["insecure-skip-tls-verify"] = True
    if ca:
        import base64

        out["certificate-authority-data"] = base64.b64encode(ca).decode("ascii")
    if proxy:
        out["proxy-url"] = proxy
    if disable_compression:
        out["disable-compression"] = True
    if ext is not None:
        out["config"] = ext
    return out


class DirectClientConfig:
    """A ClientConfig over one already-loaded (merged) kubeconfig plus overrides."""

    def __init__(
        self,
        config: Kubeconfig,
        context_name: str = "",
        overrides: ConfigOverrides | None = None,
        config_access: ClientConfigLoadingRules | None = None,
    ) -> None:
        self._config = config
        self._context_name = context_name
        self._overrides = overrides
        self._config_access = config_access

    def raw_config(self) -> Kubeconfig:
        return self._config

    def config_access(self) -> ClientConfigLoadingRules | None:
        return self._config_access

    # -- name resolution (each returns the name and whether a flag forced it) --

    def _get_context_name(self) -> tuple[str, bool]:
        if self._overrides and self._overrides.current_context:
            return self._overrides.current_context, True
        if self._context_name:
            return self._context_name, False
        return self._config.current_context, False

    def _get_auth_info_name(self) -> tuple[str, bool]:
        if self._overrides and self._overrides.context.auth_info:
            return self._overrides.context.auth_info, True
        return self._context_or_empty().auth_info, False

    def _get_cluster_name(self) -> tuple[str, bool]:
        if self._overrides and self._overrides.context.cluster:
            return self._overrides.context.cluster, True
        return self._context_or_empty().cluster, False

    def _context_or_empty(self) -> Context:
        try:
            return self._get_context()
        except ConfigError:
            return Context()

    def _get_context(self) -> Context:
        name, required = self._get_context_name()
        merged = Context()
        if name in self._config.contexts:
            merge_into(merged, copy.deepcopy(self._config.contexts[name]))
        elif required:
            raise ConfigError(f"context {_q(name)} does not exist")
        if self._overrides:
            merge_into(merged, copy.deepcopy(self._overrides.context))
        return merged

    def _get_auth_info(self) -> AuthInfo:
        name, required = self._get_auth_info_name()
        merged = AuthInfo()
        if name in self._config.auth_infos:
            merge_into(merged, copy.deepcopy(self._config.auth_infos[name]))
        elif required:
            raise ConfigError(f"auth info {_q(name)} does not exist")
        if self._overrides:
            o = self._overrides.auth_info
            merge_into(merged, copy.deepcopy(o))
            # A key (or cert) from a flag replaces both the file and the data form.
            if o.client_key or o.client_key_data:
                merged.client_key, merged.client_key_data = o.client_key, o.client_key_data
            if o.client_certificate or o.client_certificate_data:
                merged.client_certificate = o.client_certificate
                merged.client_certificate_data = o.client_certificate_data
        return merged

    def _get_cluster(self) -> Cluster:
        name, required = self._get_cluster_name()
        merged = Cluster()
        o = self._overrides
        if o:
            merge_into(merged, copy.deepcopy(o.cluster_defaults))
        if name in self._config.clusters:
            merge_into(merged, copy.deepcopy(self._config.clusters[name]))
        elif required:
            raise ConfigError(f"cluster {_q(name)} does not exist")
        if o:
            merge_into(merged, copy.deepcopy(o.cluster_info))
            info = o.cluster_info
            # --insecure-skip-tls-verify or a CA flag replaces all three trust fields, so a
            # kubeconfig CA cannot clash with a command-line insecure.
            if (
                info.insecure_skip_tls_verify
                or info.certificate_authority
                or info.certificate_authority_data
            ):
                merged.insecure_skip_tls_verify = info.insecure_skip_tls_verify
                merged.certificate_authority = info.certificate_authority
                merged.certificate_authority_data = info.certificate_authority_data
            # A --server flag takes its --tls-server-name with it (usually empty).
            if info.tls_server_name or info.server:
                merged.tls_server_name = info.tls_server_name
        return merged

    # -- validation --

    def confirm_usable(self) -> None:
        """Raise ConfigInvalidError listing every problem with the selected entries."""
        errors: list[str] = []
        context_name = self._context_name or self._config.current_context
        if context_name and context_name not in self._config.contexts:
            errors.append(str(ContextNotFoundError(context_name)))
        auth_name, _ = self._get_auth_info_name()
        try:
            auth = self._get_auth_info()
        except ConfigError:
            auth = AuthInfo()
        errors.extend(validate_auth_info(auth_name, auth))
        cluster_name, _ = self._get_cluster_name()
        try:
            errors.extend(validate_cluster_info(cluster_name, self._get_cluster()))
        except ConfigError:
            # A --cluster naming no entry: Go hands back a zero Cluster, which (lacking
            # NewCluster's extensions map) is not the empty-cluster sentinel, so the missing
            # server is reported by name.
            errors.append(f"no server found for cluster {_q(cluster_name)}")
        if errors == [_EMPTY_CLUSTER]:
            raise ConfigInvalidError([EMPTY_CONFIG_MESSAGE])
        if errors:
            if len(errors) == 1 and errors[0] == str(ContextNotFoundError(context_name)):
                raise _ContextInvalid(context_name)
            raise ConfigInvalidError(_dedupe(errors))

    # -- results --

    def namespace_with_override(self) -> tuple[str, bool]:
        """The namespace, and whether ``-n`` (the override) chose it."""
        if self._overrides and self._overrides.context.namespace:
            return self._overrides.context.namespace, True
        self.confirm_usable()
        return self._get_context().namespace or "default", False

    def namespace(self) -> str:
        return self.namespace_with_override()[0]

    def client_config(self) -> Config:
        auth = self._get_auth_info()
        self._get_context()
        cluster = self._get_cluster()
        self.confirm_usable()

        host = cluster.server
        proxy = ""
        if cluster.proxy_url:
            problem = _proxy_url_problem(cluster.proxy_url)
            if problem:
                raise ConfigError(problem)
            proxy = cluster.proxy_url
        timeout = 0.0
        if self._overrides and self._overrides.timeout:
            timeout = parse_timeout(self._overrides.timeout)
        host = _normalise_host(host)
        impersonate = ImpersonationConfig()
        if auth.impersonate:
            impersonate = ImpersonationConfig(
                user_name=auth.impersonate,
                uid=auth.impersonate_uid,
                groups=tuple(auth.impersonate_groups),
                extra={k: tuple(v) for k, v in auth.impersonate_user_extra.items()},
            )
        settings: dict[str, Any] = {
            "host": host,
            "proxy": proxy,
            "disable_compression": cluster.disable_compression,
            "timeout": timeout,
            "impersonate": impersonate,
        }
        # Credentials and trust settings only ever go to an https server.
        if _is_tls_host(host):
            settings.update(self._user_settings(auth))
            tls = settings.pop("tls")
            tls = TLSClientConfig(
                insecure=cluster.insecure_skip_tls_verify,
                server_name=cluster.tls_server_name,
                cert_file=tls.cert_file,
                key_file=tls.key_file,
                cert_data=tls.cert_data,
                key_data=tls.key_data,
                ca_file=cluster.certificate_authority,
                ca_data=cluster.certificate_authority_data,
            )
            settings["tls"] = tls
            exec_config: ExecConfig | None = settings.get("exec_provider")
            if exec_config is not None:
                ext = cluster.extensions.get(CLUSTER_EXEC_EXTENSION)
                cluster_info = (
                    _exec_cluster_info(host, tls, proxy, cluster.disable_compression, ext)
                    if exec_config.provide_cluster_info
                    else None
                )
                settings["exec_provider"] = ExecConfig(
                    command=exec_config.command,
                    args=exec_config.args,
                    env=exec_config.env,
                    api_version=exec_config.api_version,
                    install_hint=exec_config.install_hint,
                    provide_cluster_info=exec_config.provide_cluster_info,
                    interactive_mode=exec_config.interactive_mode,
                    cluster=cluster_info,
                )
        return Config(**settings)

    @staticmethod
    def _user_settings(auth: AuthInfo) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if auth.token:
            out["bearer_token"] = auth.token
            out["bearer_token_file"] = auth.token_file
        elif auth.token_file:
            # Read now (a missing file fails here, as in client-go); the transport re-reads it.
            out["bearer_token"] = _read_file(auth.token_file).decode("utf-8", "replace").strip()
            out["bearer_token_file"] = auth.token_file
        tls = TLSClientConfig()
        if auth.client_certificate or auth.client_certificate_data:
            tls = TLSClientConfig(
                cert_file=auth.client_certificate,
                cert_data=auth.client_certificate_data,
                key_file=auth.client_key,
                key_data=auth.client_key_data,
            )
        out["tls"] = tls
        if auth.username or auth.password:
            out["username"] = auth.username
            out["password"] = auth.password
        if auth.auth_provider is not None:
            out["auth_provider"] = AuthProviderConfig(
                name=auth.auth_provider.name, config=dict(auth.auth_provider.config or {})
            )
        if auth.exec is not None:
            e = auth.exec
            out["exec_provider"] = ExecConfig(
                command=e.command,
                args=tuple(e.args or ()),
                env=tuple(ExecEnvVar(v.get("name", ""), v.get("value", "")) for v in e.env or ()),
                api_version=e.api_version,
                install_hint=clean_ansi_escape_codes(e.install_hint),
                provide_cluster_info=e.provide_cluster_info,
                interactive_mode=e.interactive_mode,
            )
        return out


class _ContextInvalid(ConfigInvalidError, ContextNotFoundError):
    """``invalid configuration: context was not found ...`` that is also a ContextNotFoundError."""

    def __init__(self, context: str) -> None:
        self.context = context
        self.errors = [f"context was not found for specified context: {context}"]
        # Both parents format their own text; set the aggregate's text directly.
        ConfigError.__init__(self, f"invalid configuration: {self.errors[0]}")


def _dedupe(items: list[str]) -> list[str]:
    # utilerrors.NewAggregate drops repeated messages.
    return list(dict.fromkeys(items))


def new_non_interactive_client_config(
    config: Kubeconfig,
    context_name: str = "",
    overrides: ConfigOverrides | None = None,
    config_access: ClientConfigLoadingRules | None = None,
) -> DirectClientConfig:
    return DirectClientConfig(config, context_name, overrides or ConfigOverrides(), config_access)


class InClusterClientConfig:
    """The pod's service account as a ClientConfig; flags may replace server, token and CA."""

    # kctl.rest._incluster is imported on use: it brings pathlib, which reading a kubeconfig
    # never needs.

    def __init__(self, overrides: ConfigOverrides | None = None) -> None:
        self._overrides = overrides

    def possible(self) -> bool:
        from kctl.rest._incluster import in_cluster_possible

        return in_cluster_possible()

    def raw_config(self) -> Kubeconfig:
        raise ConfigError("inCluster environment config doesn't support multiple clusters")

    def client_config(self) -> Config:
        from kctl.rest._incluster import in_cluster_config

        config = in_cluster_config()
        o = self._overrides
        if o is None:
            return config
        changes: dict[str, Any] = {}
        if o.cluster_info.server:
            changes["host"] = o.cluster_info.server
        if o.auth_info.token or o.auth_info.token_file:
            changes["bearer_token"] = o.auth_info.token
            changes["bearer_token_file"] = o.auth_info.token_file
        if o.cluster_info.certificate_authority:
            changes["tls"] = TLSClientConfig(ca_file=o.cluster_info.certificate_authority)
        return config.copy(**changes) if changes else config

    def namespace_with_override(self) -> tuple[str, bool]:
        from kctl.rest._incluster import in_cluster_namespace

        return in_cluster_namespace(), False

    def namespace(self) -> str:
        from kctl.rest._incluster import in_cluster_namespace

        return in_cluster_namespace()


class DeferredLoadingClientConfig:
    """Loads the files on first use, then behaves as a DirectClientConfig; falls back to the
    in-cluster config when the files give nothing (client-go's DeferredLoadingClientConfig)."""

    def __init__(
        self, loader: ClientConfigLoadingRules, overrides: ConfigOverrides | None = None
    ) -> None:
        self.loader = loader
        self.overrides = overrides
        self._icc = InClusterClientConfig(overrides)
        self._lock = allocate_lock()
        self._merged: DirectClientConfig | None = None

    def _create(self) -> DirectClientConfig:
        with self._lock:
            if self._merged is None:
                config = self.loader.load()
                context = self.overrides.current_context if self.overrides else ""
                self._merged = DirectClientConfig(
                    config, context, self.overrides or ConfigOverrides(), self.loader
                )
            return self._merged

    def raw_config(self) -> Kubeconfig:
        return self._create().raw_config()

    def config_access(self) -> ClientConfigLoadingRules:
        return self.loader

    def _is_default_config(self, config: Config) -> bool:
        # client-go compares with DefaultClientConfig, which only the default rules carry.
        return self.loader.use_default_client_config and config == Config(host=default_server())

    def client_config(self) -> Config:
        merged = self._create()
        try:
            config = merged.client_config()
        except ConfigInvalidError as err:
            if not is_empty_config(err) or not self._icc.possible():
                raise
            _log().debug("Using in-cluster configuration")
            return self._icc.client_config()
        if self._is_default_config(config) and self._icc.possible():
            _log().debug("Using in-cluster configuration")
            return self._icc.client_config()
        return config

    def namespace_with_override(self) -> tuple[str, bool]:
        merged = self._create()
        try:
            ns, overridden = merged.namespace_with_override()
        except ConfigInvalidError as err:
            if not is_empty_config(err) or not self._icc.possible():
                raise
            return self._icc.namespace_with_override()
        if overridden or not self._icc.possible():
            return ns, overridden
        if ns != "default":
            return ns, False
        raw = merged.raw_config()
        current = raw.current_context
        if self.overrides and self.overrides.current_context:
            current = self.overrides.current_context
        context = raw.contexts.get(current)
        if context is not None and context.namespace:
            return ns, False
        return self._icc.namespace_with_override()

    def namespace(self) -> str:
        return self.namespace_with_override()[0]


def new_non_interactive_deferred_loading_client_config(
    rules: ClientConfigLoadingRules, overrides: ConfigOverrides | None = None
) -> DeferredLoadingClientConfig:
    return DeferredLoadingClientConfig(rules, overrides)


def new_client_config_from_bytes(data: bytes | str) -> DirectClientConfig:
    """A ClientConfig over one kubeconfig document; relative paths are left as written."""
    try:
        config = load(data)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    return DirectClientConfig(config, "", ConfigOverrides())


def rest_config_from_kubeconfig(data: bytes | str) -> Config:
    return new_client_config_from_bytes(data).client_config()


def build_config_from_flags(master_url: str, kubeconfig_path: str) -> Config:
    """clientcmd.BuildConfigFromFlags: an explicit kubeconfig and/or server URL.

    With both empty it tries the in-cluster config first (warning as client-go does). It
    never reads KUBECONFIG or ~/.kube/config.
    """
    if not kubeconfig_path and not master_url:
        _log().warning(
            "Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  "
            "This might not work."
        )
        from kctl.rest._incluster import in_cluster_config

        try:
            return in_cluster_config()
        except KctlError as err:
            _log().warning(
                "error creating inClusterConfig, falling back to default config: %s", err
            )
    return DeferredLoadingClientConfig(
        ClientConfigLoadingRules(explicit_path=kubeconfig_path),
        ConfigOverrides(cluster_info=Cluster(server=master_url)),
    ).client_config()
