"""rest.Config: everything needed to talk to one API server, as client-go's rest.Config.

A Config is immutable once built; derive variants with ``config.copy(...)``. Clients built
from the same Config object share its rate limiter and connection pool (client-go shares the
limiter through the config's RateLimiter field); a copy gets its own.
"""

from __future__ import annotations

from _thread import allocate_lock
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kctl.schema import GroupVersion

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_QPS",
    "AuthProviderConfig",
    "Config",
    "ExecConfig",
    "ExecEnvVar",
    "ImpersonationConfig",
    "TLSClientConfig",
]

DEFAULT_QPS = 5.0
DEFAULT_BURST = 10


def _redact(value: object) -> str:
    return "--- REDACTED ---" if value else '""'


def _redact_url(url: str) -> str:
    """Like Go's URL.Redacted: a proxy URL's password never shows."""
    from urllib.parse import urlsplit

    password = urlsplit(url).password if "@" in url else None
    return url.replace(f":{password}@", ":xxxxx@", 1) if password else url


@dataclass(frozen=True)
class TLSClientConfig:
    insecure: bool = False
    server_name: str = ""
    cert_file: str = ""
    key_file: str = ""
    ca_file: str = ""
    cert_data: bytes = b""
    key_data: bytes = b""
    ca_data: bytes = b""
    next_protos: tuple[str, ...] = ()

    def has_ca(self) -> bool:
        return bool(self.ca_file or self.ca_data)

    def has_cert_auth(self) -> bool:
        return bool((self.cert_file or self.cert_data) and (self.key_file or self.key_data))

    def __repr__(self) -> str:
        # As client-go's String(): key data is redacted, cert data truncated.
        cert = (
            repr(self.cert_data[:10] + b"... (truncated)")
            if len(self.cert_data) > 10
            else repr(self.cert_data)
        )
        return (
            f"TLSClientConfig(insecure={self.insecure!r}, server_name={self.server_name!r}, "
            f"cert_file={self.cert_file!r}, key_file={self.key_file!r}, "
            f"ca_file={self.ca_file!r}, cert_data={cert}, key_data={_redact(self.key_data)}, "
            f"ca_data={self.ca_data[:10]!r}{'...' if len(self.ca_data) > 10 else ''})"
        )


@dataclass(frozen=True)
class ImpersonationConfig:
    user_name: str = ""
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def is_set(self) -> bool:
        return bool(self.user_name or self.uid or self.groups or self.extra)


@dataclass(frozen=True)
class ExecEnvVar:
    name: str
    value: str


@dataclass(frozen=True)
class ExecConfig:
    """clientcmdapi.ExecConfig: an external credential plugin."""

    command: str
    args: tuple[str, ...] = ()
    env: tuple[ExecEnvVar, ...] = ()
    api_version: str = ""
    install_hint: str = ""
    provide_cluster_info: bool = False
    interactive_mode: str = ""  # Never | IfAvailable | Always ("" = v1beta1 default)
    # Cluster info for KUBERNETES_EXEC_INFO when provide_cluster_info is set.
    cluster: Mapping[str, Any] | None = None

    def __repr__(self) -> str:
        # As client-go's ExecConfig.String(): args, env and the cluster config are redacted.
        return (
            f"ExecConfig(command={self.command!r}, args={_redact(self.args)}, "
            f"env={_redact(self.env)}, api_version={self.api_version!r}, "
            f"install_hint={self.install_hint!r}, "
            f"provide_cluster_info={self.provide_cluster_info!r}, "
            f"interactive_mode={self.interactive_mode!r}, cluster={_redact(self.cluster)})"
        )


@dataclass(frozen=True)
class AuthProviderConfig:
    name: str
    config: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"AuthProviderConfig(name={self.name!r}, config=<redacted>)"


@dataclass(frozen=True)
class Config:
    """The resolved settings for one API server.

    Field names follow client-go's rest.Config in snake_case. ``qps == 0`` means the
    default (5), a negative ``qps`` disables client-side rate limiting.
    """

    host: str = ""
    api_path: str = ""
    # The API group-version a RESTClient built from this config talks to (ContentConfig).
    group_version: GroupVersion | None = None
    content_type: str = "application/json"
    accept_content_types: str = ""
    username: str = ""
    password: str = ""
    bearer_token: str = ""
    bearer_token_file: str = ""
    impersonate: ImpersonationConfig = field(default_factory=ImpersonationConfig)
    auth_provider: AuthProviderConfig | None = None
    exec_provider: ExecConfig | None = None
    tls: TLSClientConfig = field(default_factory=TLSClientConfig)
    user_agent: str = ""
    disable_compression: bool = False
    qps: float = 0.0
    burst: int = 0
    # An object with ``accept()`` / ``try_accept()``; shared by every client of this config.
    rate_limiter: Any = None
    # Seconds; 0 means no client-side timeout.
    timeout: float = 0.0
    proxy: str = ""
    # Called with each distinct Warning header text; None prints "Warning: <text>" to stderr.
    warning_handler: Callable[[str], None] | None = None
    # kubectl's -v level for request logging.
    verbosity: int = 0

    def __post_init__(self) -> None:
        # Lazily created shared state (limiter, connection pool). Not a field: it is no
        # constructor argument, takes no part in equality, and every Config (a copy too)
        # starts with its own.
        object.__setattr__(self, "_shared", {})
        object.__setattr__(self, "_shared_lock", allocate_lock())

    def copy(self, **changes: Any) -> Config:
        """A new Config with ``changes`` applied; it gets its own limiter and pool."""
        return replace(self, **changes)

    def effective_qps(self) -> float:
        return DEFAULT_QPS if self.qps == 0 else self.qps

    def effective_burst(self) -> int:
        return DEFAULT_BURST if self.burst == 0 else self.burst

    def shared(self, key: str, factory: Callable[[], Any]) -> Any:
        """Per-config shared state, created once (the limiter and the HTTP session live here)."""
        state: dict[str, Any] = self.__dict__["_shared"]
        with self.__dict__["_shared_lock"]:
            if key not in state:
                state[key] = factory()
            return state[key]

    def __repr__(self) -> str:
        # client-go's String() redacts Password, BearerToken and KeyData.
        parts = [
            f"host={self.host!r}",
            f"api_path={self.api_path!r}",
            f"username={self.username!r}",
            f"password={_redact(self.password)}",
            f"bearer_token={_redact(self.bearer_token)}",
            f"bearer_token_file={self.bearer_token_file!r}",
            f"impersonate={self.impersonate!r}",
            f"auth_provider={self.auth_provider!r}",
            f"exec_provider={'<set>' if self.exec_provider else None}",
            f"tls={self.tls!r}",
            f"user_agent={self.user_agent!r}",
            f"disable_compression={self.disable_compression!r}",
            f"qps={self.qps!r}",
            f"burst={self.burst!r}",
            f"timeout={self.timeout!r}",
            f"proxy={_redact_url(self.proxy)!r}",
        ]
        return "Config(" + ", ".join(parts) + ")"

    __str__ = __repr__
