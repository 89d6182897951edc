"""The requests side of the transport: one Session per TLS configuration, with an HTTPAdapter
that does only what requests does not do the way client-go needs.

- TLS: the adapter mounts one ``ssl.SSLContext`` built from the TLSClientConfig (CA and client
  certificate as files or data, ``tls-server-name``, insecure). requests would load certifi's
  bundle (or ``REQUESTS_CA_BUNDLE``) into it; client-go trusts the configured CA alone, or the
  system store when none is configured, so ``cert_verify`` adds nothing.
- Proxies: chosen by the transport (Go's rules) and passed per request; ``trust_env`` is off,
  so netrc, CA bundle variables and requests' own proxy logic never apply. An https proxy is
  verified with the cluster's TLS settings, as Go's transport hands its one tls.Config to both
  hops; an http cluster has none, so the system roots.
- Retries: urllib3 re-sends only idempotent methods, once, after the connection broke before an
  answer arrived (Go's transport retries those on a reused connection); a POST is never sent
  twice, a timeout is never retried.
- Redirects and cookies are left to the caller: client-go follows redirects with Go's rules and
  has no cookie jar.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.cookies import RequestsCookieJar
from urllib3.exceptions import ProtocolError
from urllib3.util.retry import Retry

from kctl.errors import ConfigError
from kctl.rest._config import TLSClientConfig

if TYPE_CHECKING:
    import ssl

__all__ = ["session_for"]

# Go's http.Transport keeps idle connections per host without a pool-wide cap that matters here;
# kctl runs a handful of requests at a time.
_POOL_MAXSIZE = 16
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


# Whether the connection the current thread's request went out on had served one before.
_attempt = threading.local()


class _GoRetry(Retry):
    """One re-send of an idempotent request whose reused keep-alive connection broke before
    any answer (Go's shouldRetryRequest). A fresh connection's failure is the caller's error:
    client-go's request layer decides about that one."""

    def _is_read_error(self, err: Exception) -> bool:
        # A ReadTimeoutError is a "read error" to urllib3; retrying it would double a timeout.
        return isinstance(err, ProtocolError) and bool(getattr(_attempt, "reused", False))


class _ReuseTracking:
    """Mixed into urllib3's pool classes: notes whether the connection handed out is a pooled
    one that is still open (urllib3 drops the ones it sees closed), i.e. a reused one."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        _attempt.reused = getattr(conn, "sock", None) is not None
        return conn


_tracking_classes: dict[type, type] = {}


def _track_reuse(manager: Any) -> Any:
    classes = manager.pool_classes_by_scheme
    if not getattr(manager, "_kctl_tracking", False):
        tracked = {}
        for scheme, cls in classes.items():
            if cls not in _tracking_classes:
                _tracking_classes[cls] = type(cls.__name__, (_ReuseTracking, cls), {})
            tracked[scheme] = _tracking_classes[cls]
        manager.pool_classes_by_scheme = tracked
        manager._kctl_tracking = True
    return manager


def _go_retry() -> Retry:
    return _GoRetry(
        total=1,
        connect=0,
        read=1,
        redirect=0,
        status=0,
        other=0,
        allowed_methods=_IDEMPOTENT,
        raise_on_redirect=False,
        raise_on_status=False,
        respect_retry_after_header=False,
    )


class _NoCookies(RequestsCookieJar):
    """client-go has no cookie jar: nothing a server sets is ever sent back."""

    def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> None:
        return None

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


class KctlAdapter(HTTPAdapter):
    """Pooling and keep-alive from urllib3; TLS and proxies the way client-go sets them."""

    def __init__(
        self,
        tls: TLSClientConfig,
        cert_pem: bytes = b"",
        key_pem: bytes = b"",
        *,
        cluster_tls: bool,
    ) -> None:
        self._tls = tls
        # Mounted for https targets: an https proxy is verified with the cluster's settings.
        self._cluster_tls = cluster_tls
        self._cert_pem = cert_pem
        self._key_pem = key_pem
        self._lock = threading.Lock()
        self._context: ssl.SSLContext | None = None
        self._proxy_context: ssl.SSLContext | None = None
        super().__init__(pool_maxsize=_POOL_MAXSIZE, max_retries=_go_retry())
        if tls.insecure:
            # kubectl says nothing about insecure-skip-tls-verify on each request; urllib3 would
            # print an InsecureRequestWarning to stderr.
            import urllib3

            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        _track_reuse(self.poolmanager)

    # -- TLS ---------------------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._context is None:
                from kctl.rest._tls import build_ssl_context

                self._context = build_ssl_context(self._tls, self._cert_pem, self._key_pem)
            return self._context

    def _proxy_ssl_context(self) -> ssl.SSLContext:
        """A second context with the cluster's settings: urllib3 verifies the proxy's name
        itself when tls-server-name is set, and turns off the context's own check for that."""
        import ssl

        with self._lock:
            if self._proxy_context is None:
                if self._cluster_tls:
                    from kctl.rest._tls import build_ssl_context

                    ctx = build_ssl_context(self._tls, self._cert_pem, self._key_pem)
                else:
                    ctx = ssl.create_default_context()
                self._proxy_context = ctx
            return self._proxy_context

    def _cert_reqs(self) -> str:
        return "CERT_NONE" if self._tls.insecure else "CERT_REQUIRED"

    def build_connection_pool_key_attributes(  # type: ignore[override]
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        parts = urlsplit(request.url or "")
        scheme = parts.scheme.lower()
        host_params = {"scheme": scheme, "host": parts.hostname, "port": parts.port}
        pool_kwargs: dict[str, Any] = {}
        if scheme == "https":
            pool_kwargs = {"ssl_context": self.ssl_context(), "cert_reqs": self._cert_reqs()}
            if self._tls.server_name:
                pool_kwargs["server_hostname"] = self._tls.server_name
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        """Nothing: the mounted context already holds exactly the roots client-go would trust,
        and requests would add certifi's bundle (or REQUESTS_CA_BUNDLE's) to it."""
        return None

    # -- proxies -----------------------------------------------------------------------------

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        with self._lock:
            known = proxy in self.proxy_manager
        if not known:
            scheme = proxy.partition("://")[0].lower()
            if scheme.startswith("socks"):
                try:
                    import socks  # type: ignore[import-untyped]  # noqa: F401
                except ImportError:
                    raise ConfigError(
                        "socks5 proxy-url needs PySocks: pip install 'kctl[socks]'"
                    ) from None
            elif scheme == "https":
                proxy_kwargs["proxy_ssl_context"] = self._proxy_ssl_context()
                if self._cluster_tls and self._tls.insecure:
                    proxy_kwargs["proxy_assert_hostname"] = False
                elif self._cluster_tls and self._tls.server_name:
                    proxy_kwargs["proxy_assert_hostname"] = self._tls.server_name
        return _track_reuse(super().proxy_manager_for(proxy, **proxy_kwargs))

    def proxy_headers(self, proxy: str) -> dict[str, str]:
        # Go sends Proxy-Authorization whenever the URL has userinfo, even an empty one.
        from kctl.rest._proxies import parse_proxy_url

        auth = parse_proxy_url(proxy).authorization()
        return {"Proxy-Authorization": auth} if auth else {}


class _Session(requests.Session):
    def get_redirect_target(self, resp: requests.Response) -> str | None:
        # client-go follows redirects itself (Go's http.Client rules); requests must not even
        # look at them, as it would read the body of every 3xx to prepare the next request.
        return None


def _new_session(tls: TLSClientConfig, cert_pem: bytes, key_pem: bytes) -> requests.Session:
    session = _Session()
    session.trust_env = False
    session.headers.clear()  # no python-requests User-Agent, Accept or Accept-Encoding
    session.cookies = _NoCookies()
    session.max_redirects = 0
    session.mount("https://", KctlAdapter(tls, cert_pem, key_pem, cluster_tls=True))
    session.mount("http://", KctlAdapter(tls, cert_pem, key_pem, cluster_tls=False))
    return session


_sessions: dict[tuple[Any, ...], requests.Session] = {}
_sessions_lock = threading.Lock()


def _tls_key(tls: TLSClientConfig) -> tuple[Any, ...]:
    return (
        tls.insecure,
        tls.server_name,
        tls.cert_file,
        tls.key_file,
        tls.ca_file,
        tls.cert_data,
        tls.key_data,
        tls.ca_data,
        tuple(tls.next_protos),
    )


def session_for(
    tls: TLSClientConfig, cert_pem: bytes = b"", key_pem: bytes = b""
) -> requests.Session:
    """The process-wide Session for these TLS settings, as client-go's tlsTransportCache shares
    one http.Transport (and its pool) between configs that differ only above TLS."""
    key = (*_tls_key(tls), cert_pem, key_pem)
    with _sessions_lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = _new_session(tls, cert_pem, key_pem)
        return session


def forget_session(tls: TLSClientConfig, cert_pem: bytes, key_pem: bytes) -> None:
    """Drop (and close) a session whose exec-plugin certificate has been rotated away."""
    key = (*_tls_key(tls), cert_pem, key_pem)
    with _sessions_lock:
        session = _sessions.pop(key, None)
    if session is not None:
        session.close()
