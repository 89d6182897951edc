"""The sandbox's throw-away certificate authority: serving and client certificates.

Keys (ECDSA P-256) and certificates come from ``cryptography``, imported only when an
authority is made: a plain-HTTP sandbox and the client never load it. Key material lives in
memory; ``ssl`` can only load a certificate chain from files, so the serving pair passes
through a private temporary directory that is removed as soon as it is loaded.
"""

from __future__ import annotations

import os
import shutil
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["BACKDATE", "VALIDITY", "Authority", "KeyPair", "new_authority", "peer_identity"]

SERVER_NAMES = ("localhost", "127.0.0.1", "::1")
VALIDITY = timedelta(days=365)
# Clocks of the client and the sandbox may disagree a little.
BACKDATE = timedelta(minutes=5)


@dataclass(frozen=True, repr=False)
class KeyPair:
    cert_pem: bytes
    key_pem: bytes

    def __repr__(self) -> str:
        return "KeyPair(cert_pem=..., key_pem=<redacted>)"


def _new_key() -> ec.EllipticCurvePrivateKey:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organizations: Sequence[str] = ()) -> x509.Name:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    # One RDN per attribute, organizations first, as Go's pkix.Name orders them; the API
    # server reads the user from CN and the groups from O.
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


class Authority:
    """A CA that signs the server certificate and client certificates (CN user, O groups)."""

    def __init__(self, name: str = "kctl-sandbox-ca") -> None:
        from cryptography import x509

        self._key = _new_key()
        public = self._key.public_key()
        self._ski = x509.SubjectKeyIdentifier.from_public_key(public)
        subject = _name(name)
        self._cert = self._sign(
            subject,
            subject,
            public,
            [
                (x509.BasicConstraints(ca=True, path_length=0), True),
                (_key_usage(cert_sign=True), True),
                (self._ski, False),
            ],
        )
        self._dir: str | None = None

    def _sign(
        self,
        subject: x509.Name,
        issuer: x509.Name,
        public: ec.EllipticCurvePublicKey,
        extensions: Sequence[tuple[x509.ExtensionType, bool]],
    ) -> x509.Certificate:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        start = datetime.now(timezone.utc).replace(microsecond=0)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start - BACKDATE)
            .not_valid_after(start + VALIDITY)
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(self._key, hashes.SHA256())

    def _leaf(
        self,
        subject: x509.Name,
        usage: x509.ObjectIdentifier,
        extra: Sequence[tuple[x509.ExtensionType, bool]] = (),
    ) -> KeyPair:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        key = _new_key()
        cert = self._sign(
            subject,
            self._cert.subject,
            key.public_key(),
            [
                (x509.BasicConstraints(ca=False, path_length=None), True),
                (_key_usage(cert_sign=False), True),
                (x509.ExtendedKeyUsage([usage]), False),
                (x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(self._ski), False),
                *extra,
            ],
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return KeyPair(cert.public_bytes(serialization.Encoding.PEM), key_pem)

    @property
    def ca_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self._cert.public_bytes(serialization.Encoding.PEM)

    def server_cert(self, names: Sequence[str] = SERVER_NAMES) -> KeyPair:
        """A serving certificate for ``names``: IP addresses become IP SANs, the rest DNS SANs."""
        import ipaddress

        from cryptography import x509
        from cryptography.x509.oid import ExtendedKeyUsageOID

        general_names: list[x509.GeneralName] = []
        for name in names:
            try:
                general_names.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                general_names.append(x509.DNSName(name))
        return self._leaf(
            _name("kctl-sandbox"),
            ExtendedKeyUsageOID.SERVER_AUTH,
            [(x509.SubjectAlternativeName(general_names), False)],
        )

    def client_cert(self, user: str, groups: Sequence[str] = ()) -> KeyPair:
        """A client certificate that authenticates as ``user`` in ``groups`` (CN, each O)."""
        from cryptography.x509.oid import ExtendedKeyUsageOID

        return self._leaf(_name(user, groups), ExtendedKeyUsageOID.CLIENT_AUTH)

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
