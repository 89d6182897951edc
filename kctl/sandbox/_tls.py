"""A throw-away certificate authority for ``--tls``: serving and client certificates.

Key material lives in memory and in a private temporary directory (ssl can only load a
certificate chain from files). Generating certificates needs ``cryptography``, which is the
optional ``kctl[sandbox-tls]`` extra; without it :func:`new_authority` says how to get it.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import ssl
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kctl.errors import KctlError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
    from cryptography.x509 import Certificate

__all__ = ["Authority", "TLSUnavailableError", "new_authority", "peer_identity"]

MISSING_CRYPTOGRAPHY = "--tls needs the cryptography package: pip install 'kctl[sandbox-tls]'"
_SERVER_NAMES = ("localhost", "127.0.0.1", "::1")
_VALIDITY = datetime.timedelta(days=365)


class TLSUnavailableError(KctlError):
    """Certificates cannot be generated (cryptography is not installed)."""


@dataclass(frozen=True)
class KeyPair:
    cert_pem: bytes
    key_pem: bytes


def _pem_key(key: EllipticCurvePrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class Authority:
    """A CA that signs the server certificate and client certificates (CN user, O groups)."""

    def __init__(self, name: str = "kctl-sandbox-ca") -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self._cert: Certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + _VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self._key, hashes.SHA256())
        )
        self._dir: str | None = None

    @property
    def ca_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self._cert.public_bytes(serialization.Encoding.PEM)

    def _issue(self, common_name: str, organizations: Sequence[str], *, server: bool) -> KeyPair:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
        now = datetime.datetime.now(datetime.timezone.utc)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attrs))
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + _VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
        )
        if server:
            names: list[x509.GeneralName] = []
            for name in _SERVER_NAMES:
                try:
                    names.append(x509.IPAddress(ipaddress.ip_address(name)))
                except ValueError:
                    names.append(x509.DNSName(name))
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        cert = builder.sign(self._key, hashes.SHA256())
        from cryptography.hazmat.primitives import serialization

        return KeyPair(cert.public_bytes(serialization.Encoding.PEM), _pem_key(key))

    def client_cert(self, user: str, groups: Sequence[str] = ()) -> KeyPair:
        """A client certificate that authenticates as ``user`` in ``groups``."""
        return self._issue(user, groups, server=False)

    def server_context(self) -> ssl.SSLContext:
        """A server context for 127.0.0.1/localhost that asks for (optional) client certs."""
        pair = self._issue("kctl-sandbox", (), server=True)
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="kctl-sandbox-tls-")
        cert_file = os.path.join(self._dir, "server.crt")
        key_file = os.path.join(self._dir, "server.key")
        for path, data in ((cert_file, pair.cert_pem), (key_file, pair.key_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert_file, key_file)
        # The private key is loaded; nothing needs the files any more.
        self.cleanup()
        ctx.load_verify_locations(cadata=self.ca_pem.decode())
        ctx.verify_mode = ssl.CERT_OPTIONAL
        return ctx

    def cleanup(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def new_authority() -> Authority:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        raise TLSUnavailableError(MISSING_CRYPTOGRAPHY) from None
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
