"""Credentials applied at send time: bearer tokens (static or file), basic auth, exec plugins."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kctl.errors import AuthConfigError
from kctl.rest._config import ExecConfig

__all__ = ["ExecAuthenticator", "ExecCredentials", "FileTokenSource", "get_exec_authenticator"]

# cachingTokenSource over a fileTokenSource: a token is good for a minute, with 10 s leeway.
TOKEN_FILE_REFRESH_SECONDS = 50.0


class FileTokenSource:
    """A token read from a file, re-read about once a minute; the last good token survives
    a failed re-read (client-go's NewCachedFileTokenSource)."""

    def __init__(
        self, path: str, now: Callable[[], float] = time.monotonic, fallback: str = ""
    ) -> None:
        self.path = path
        self._now = now
        self._lock = threading.Lock()
        self._token = fallback
        self._read_at: float | None = None

    def _read(self) -> str:
        try:
            with open(self.path, encoding="utf-8", errors="replace") as fh:
                token = fh.read().strip()
        except OSError as err:
            reason = (err.strerror or str(err)).lower()
            raise AuthConfigError(
                f'failed to read token file "{self.path}": open {self.path}: {reason}'
            ) from None
        if not token:
            raise AuthConfigError(f'read empty token from file "{self.path}"')
        return token

    def token(self) -> str:
        with self._lock:
            now = self._now()
            if self._read_at is not None and now - self._read_at < TOKEN_FILE_REFRESH_SECONDS:
                return self._token
            try:
                self._token = self._read()
            except AuthConfigError:
                if not self._token:
                    raise
                # Keep serving the last good token; try the file again next time.
            self._read_at = now
            return self._token


_API_VERSIONS = ("client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1")

_INSTALL_HINT_HELP = (
    "\n\nIt looks like you are trying to use a client-go credential plugin that is not installed."
    "\n\nTo learn more about this feature, consult the documentation available at:"
    "\n      https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
    "#client-go-credential-plugins"
)


@dataclass(frozen=True)
class ExecCredentials:
    token: str = ""
    cert_pem: bytes = b""
    key_pem: bytes = b""


def _parse_rfc3339(text: str) -> float:
    from datetime import datetime

    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise AuthConfigError(
            f"getting credentials: decoding stdout: invalid expirationTimestamp {text!r}"
        ) from None


class ExecAuthenticator:
    """Runs a client.authentication.k8s.io credential plugin and caches what it returns."""

    def __init__(
        self,
        config: ExecConfig,
        *,
        now: Callable[[], float] = time.time,
        stdin_is_terminal: Callable[[], bool] | None = None,
    ) -> None:
        if config.api_version not in _API_VERSIONS:
            raise AuthConfigError(f'exec plugin: invalid apiVersion "{config.api_version}"')
        self.config = config
        self.command = os.path.normpath(config.command) if config.command else config.command
        self._now = now
        self._is_terminal = stdin_is_terminal or _stdin_is_terminal
        self._lock = threading.Lock()
        self._creds: ExecCredentials | None = None
        self._expiry: float | None = None
        self.runs = 0

    def _interactive(self) -> bool:
        mode = self.config.interactive_mode
        if not mode and self.config.api_version.endswith("/v1beta1"):
            mode = "IfAvailable"  # v1beta1 kubeconfig defaulting
        if mode == "Never":
            return False
        if mode == "IfAvailable":
            return self._is_terminal()
        if mode == "Always":
            if not self._is_terminal():
                raise AuthConfigError(
                    "getting credentials: exec plugin cannot support interactive mode: "
                    "standard input is not a terminal"
                )
            return True
        raise AuthConfigError(
            "getting credentials: exec plugin cannot support interactive mode: "
            f'unknown interactiveMode: "{mode}"'
        )

    def credentials(self) -> ExecCredentials:
        with self._lock:
            if self._creds is not None and (self._expiry is None or self._now() <= self._expiry):
                return self._creds
            return self._refresh_locked()

    def invalidate(self, creds: ExecCredentials) -> None:
        """After a 401 with ``creds``: run the plugin again before the next request."""
        with self._lock:
            if self._creds is creds:
                self._creds = None

    def _fail(self, text: str) -> AuthConfigError:
        return AuthConfigError("getting credentials: " + text)

    def _decode_yaml(self, stdout: bytes) -> Any:
        # client-go's universal decoder reads YAML too: "not json" is a string, not an error.
        from kctl.util import goyaml

        try:
            return goyaml.load(stdout)
        except ValueError as err:
            raise self._fail(f"decoding stdout: {err}") from None

    def _refresh_locked(self) -> ExecCredentials:
        interactive = self._interactive()
        spec: dict[str, Any] = {"interactive": interactive}
        if self.config.provide_cluster_info and self.config.cluster is not None:
            spec["cluster"] = dict(self.config.cluster)
        info = {"kind": "ExecCredential", "apiVersion": self.config.api_version, "spec": spec}
        env = dict(os.environ)
        for var in self.config.env:
            env[var.name] = var.value
        env["KUBERNETES_EXEC_INFO"] = json.dumps(info, separators=(",", ":"))
        self.runs += 1
        # subprocess is imported only when a plugin runs: most configs never exec one.
        import subprocess

        try:
            proc = subprocess.run(
                [self.command, *self.config.args],
                env=env,
                stdin=None if interactive else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=None,
                check=False,
            )
        except (FileNotFoundError, NotADirectoryError):
            text = f"exec: executable {self.command} not found" + _INSTALL_HINT_HELP
            if self.config.install_hint:
                text += "\n\n" + self.config.install_hint
            raise self._fail(text) from None
        except OSError as err:
            raise self._fail(f"exec: {err.strerror or err}") from None
        if proc.returncode != 0:
            code = proc.returncode if proc.returncode > 0 else -1
            raise self._fail(f"exec: executable {self.command} failed with exit code {code}")
        return self._decode_locked(proc.stdout)

    def _decode_locked(self, stdout: bytes) -> ExecCredentials:
        try:
            cred = json.loads(stdout)
        except json.JSONDecodeError as err:
            if not stdout.lstrip().startswith(b"{"):
                cred = self._decode_yaml(stdout)
            elif err.pos >= len(err.doc.rstrip()):
                raise self._fail(
                    "decoding stdout: couldn't get version/kind; json parse error: "
                    "unexpected end of JSON input"
                ) from None
            else:
                raise self._fail(f"decoding stdout: {err}") from None
        except ValueError:
            cred = self._decode_yaml(stdout)
        if not isinstance(cred, dict):
            # The decoder's version/kind probe names what it found, as encoding/json does.
            from kctl.util._typemeta import version_kind_error

            raise self._fail(f"decoding stdout: {version_kind_error(cred)}")
        returned = str(cred.get("apiVersion") or "")
        if returned != self.config.api_version:
            raise self._fail(
                f"exec plugin is configured to use API version {self.config.api_version}, "
                f"plugin returned version {returned}"
            )
        status = cred.get("status")
        if not isinstance(status, dict):
            raise self._fail("exec plugin didn't return a status field")
        token = str(status.get("token") or "")
        cert = str(status.get("clientCertificateData") or "")
        key = str(status.get("clientKeyData") or "")
        if not token and not cert and not key:
            raise self._fail("exec plugin didn't return a token or cert/key pair")
        if bool(cert) != bool(key):
            raise self._fail("exec plugin returned only certificate or key, not both")
        expiry = status.get("expirationTimestamp")
        self._expiry = _parse_rfc3339(str(expiry)) if expiry else None
        self._creds = ExecCredentials(token=token, cert_pem=cert.encode(), key_pem=key.encode())
        return self._creds


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


_AUTHENTICATORS: dict[str, ExecAuthenticator] = {}
_AUTHENTICATORS_LOCK = threading.Lock()


def get_exec_authenticator(config: ExecConfig) -> ExecAuthenticator:
    """One authenticator per distinct plugin configuration, shared process-wide as in client-go."""
    key = json.dumps(
        [
            config.command,
            list(config.args),
            [[e.name, e.value] for e in config.env],
            config.api_version,
            config.provide_cluster_info,
            config.interactive_mode,
            dict(config.cluster) if config.cluster else None,
        ],
        sort_keys=True,
        default=str,
    )
    with _AUTHENTICATORS_LOCK:
        auth = _AUTHENTICATORS.get(key)
        if auth is None:
            auth = ExecAuthenticator(config)
            _AUTHENTICATORS[key] = auth
        return auth
