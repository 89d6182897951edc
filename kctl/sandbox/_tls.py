"""The sandbox's throw-away certificate authority: serving and client certificates.

Certificates come from :mod:`kctl.sandbox._x509` (standard library only). Key material lives
in memory; ``ssl`` can only load a certificate chain from files, so the serving pair passes
through a private temporary directory that is removed as soon as it is loaded.
"""

from __future__ import annotations

import os
import shutil
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kctl.sandbox import _x509

__all__ = ["Authority", "KeyPair", "new_authority", "peer_identity"]

SERVER_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, repr=False)
class KeyPair:
    cert_pem: bytes
    key_pem: bytes

    def __repr__(self) -> str:
        return "KeyPair(cert_pem=..., key_pem=<redacted>)"


class Authority:
    """A CA that signs the server certificate and client certificates (CN user, O groups)."""

    def __init__(self, name: str = "kctl-sandbox-ca") -> None:
        self._key = _x509.PrivateKey.generate()
        self._cert = _x509.ca_certificate(self._key, name)
        self._dir: str | None = None

    @property
    def ca_pem(self) -> bytes:
        return self._cert.pem()

    def _pair(self, cert: _x509.Certificate, key: _x509.PrivateKey) -> KeyPair:
        return KeyPair(cert.pem(), key.pem())

    def server_cert(self, names: Sequence[str] = SERVER_NAMES) -> KeyPair:
        """A serving certificate for ``names`` (DNS names and IP addresses)."""
        key = _x509.PrivateKey.generate()
        return self._pair(_x509.server_certificate(self._cert, self._key, key, names), key)

    def client_cert(self, user: str, groups: Sequence[str] = ()) -> KeyPair:
        """A client certificate that authenticates as ``user`` in ``groups``."""
        key = _x509.PrivateKey.generate()
        cert = _x509.client_certificate(self._cert, self._key, key, user, groups)
        return self._pair(cert, key)

    def server_context(self) -> ssl.SSLContext:
        """A server context for 127.0.0.1/localhost that asks for (optional) client certs."""
        pair = self.server_cert()
        if self._dir is None:
            from kctl.sandbox._tmp import private_tempdir

            self._dir = private_tempdir("tls")
        cert_file = os.path.join(self._dir, "server.crt")
        key_file = os.path.join(self._dir, "server.key")
        try:
            for path, data in ((cert_file, pair.cert_pem), (key_file, pair.key_pem)):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(cert_file, key_file)
        finally:
            # Loaded (or failed): the key must not outlive this call on disk.
            self.cleanup()
        ctx.load_verify_locations(cadata=self.ca_pem.decode())
        ctx.verify_mode = ssl.CERT_OPTIONAL
        return ctx

    def cleanup(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def new_authority() -> Authority:
    return Authority()


def peer_identity(cert: Any) -> tuple[str, list[str]] | None:
    """(CN, [O...]) of a verified peer certificate as ``SSLSocket.getpeercert()`` gives it."""
    if not cert:
        return None
    user = ""
    groups: list[str] = []
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                user = value
            elif key == "organizationName":
                groups.append(value)
    if not user:
        return None
    return user, groups
