"""Building an ``ssl.SSLContext`` from TLSClientConfig (imported only when https is used)."""

from __future__ import annotations

import os
import ssl

from kctl.errors import ConfigError
from kctl.rest._config import TLSClientConfig

__all__ = ["build_ssl_context", "check_tls_config"]


def check_tls_config(tls: TLSClientConfig) -> None:
    if tls.insecure and tls.has_ca():
        raise ConfigError(
            "specifying a root certificates file with the insecure flag is not allowed"
        )


def _read(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as err:
        raise ConfigError(f"unable to read {what} file {path}: {err.strerror or err}") from None


def _pem(data: bytes) -> bytes:
    """Data fields hold PEM; tolerate the base64 form kubeconfig files carry."""
    if data.lstrip().startswith(b"-----"):
        return data
    import base64
    import binascii

    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return data


def build_ssl_context(
    tls: TLSClientConfig, cert_pem: bytes = b"", key_pem: bytes = b""
) -> ssl.SSLContext:
    """A client context; ``cert_pem``/``key_pem`` (from an exec plugin) beat the config's pair."""
    check_tls_config(tls)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif tls.has_ca():
        ca = _pem(tls.ca_data) if tls.ca_data else _read(tls.ca_file, "certificate authority")
        if b"-----BEGIN" not in ca:
            # client-go's cert.NewPoolFromBytes, before x509 sees anything.
            raise ConfigError(
                "unable to load root certificates: unable to parse bytes as PEM block"
            )
        try:
            ctx.load_verify_locations(cadata=ca.decode("ascii", "replace"))
        except (ssl.SSLError, ValueError) as err:
            raise ConfigError(f"unable to load root certificates: {err}") from None
    else:
        ctx.load_default_certs()
    if tls.next_protos:
        ctx.set_alpn_protocols(list(tls.next_protos))
    if cert_pem and key_pem:
        _load_pair_from_data(ctx, cert_pem, key_pem)
    elif tls.cert_data or tls.key_data:
        cert = _pem(tls.cert_data) if tls.cert_data else _read(tls.cert_file, "client certificate")
        key = _pem(tls.key_data) if tls.key_data else _read(tls.key_file, "client key")
        _load_pair_from_data(ctx, cert, key)
    elif tls.cert_file and tls.key_file:
        _check_pair(_read(tls.cert_file, "client certificate"), _read(tls.key_file, "client key"))
        try:
            ctx.load_cert_chain(tls.cert_file, tls.key_file)
        except (OSError, ssl.SSLError) as err:
            raise ConfigError(f"unable to load client certificate/key: {err}") from None
    return ctx


def _check_pair(cert: bytes, key: bytes) -> None:
    """Go's tls.X509KeyPair texts for inputs without a PEM block (OpenSSL says "PEM lib")."""
    if b"-----BEGIN" not in cert:
        raise ConfigError("tls: failed to find any PEM data in certificate input")
    if b"-----BEGIN" not in key:
        raise ConfigError("tls: failed to find any PEM data in key input")


def _load_pair_from_data(ctx: ssl.SSLContext, cert: bytes, key: bytes) -> None:
    _check_pair(cert, key)
    # ssl can only load a key pair from files: write them 0600 in a 0700 directory and remove
    # them as soon as they are loaded, so the key never outlives this call on disk. Only
    # inline key data needs files, so tempfile/shutil load here.
    import shutil
    import tempfile

    directory = tempfile.mkdtemp(prefix="kctl-tls-")
    try:
        cert_path = os.path.join(directory, "cert.pem")
        key_path = os.path.join(directory, "key.pem")
        for path, data in ((cert_path, cert), (key_path, key)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        try:
            ctx.load_cert_chain(cert_path, key_path)
        except ssl.SSLError as err:
            raise ConfigError(f"unable to load client certificate/key: {err}") from None
    finally:
        shutil.rmtree(directory, ignore_errors=True)
