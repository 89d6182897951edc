"""kctl.sandbox._tls: the sandbox's CA and its certificates (made with cryptography), checked
field by field, then in real handshakes with OpenSSL (Python's ssl) and Go (kubectl)."""

from __future__ import annotations

import ipaddress
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

sys.path.insert(0, str(Path(__file__).parent))
from helpers_tls import b64, kubectl

from kctl.sandbox import Sandbox
from kctl.sandbox._tls import BACKDATE, VALIDITY, Authority, KeyPair, peer_identity

# --- certificates, read back with cryptography ---------------------------------------------


@pytest.fixture(scope="module")
def chain() -> dict[str, Any]:
    authority = Authority()
    return {
        "authority": authority,
        "ca": x509.load_pem_x509_certificate(authority.ca_pem),
        "server": authority.server_cert(),
        "client": authority.client_cert("carol", ["dev-team", "ops_é"]),
    }


def _cert(pair: KeyPair) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pair.cert_pem)


def test_ca_fields(chain: dict[str, Any]) -> None:
    ca = chain["ca"]
    assert ca.version == x509.Version.v3
    assert ca.signature_algorithm_oid == x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256
    assert ca.subject.rfc4514_string() == "CN=kctl-sandbox-ca"
    assert ca.issuer == ca.subject
    assert ca.not_valid_after_utc - ca.not_valid_before_utc == VALIDITY + BACKDATE
    basic = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca and basic.value.path_length == 0
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.key_cert_sign and usage.value.crl_sign and usage.value.digital_signature
    assert not usage.value.key_encipherment and not usage.value.content_commitment
    public = ca.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert isinstance(public.curve, ec.SECP256R1)
    ca.verify_directly_issued_by(ca)


def test_server_certificate_verifies_with_the_ca_and_names_localhost(
    chain: dict[str, Any],
) -> None:
    ca, server = chain["ca"], _cert(chain["server"])
    server.verify_directly_issued_by(ca)
    assert server.subject.rfc4514_string() == "CN=kctl-sandbox"
    assert server.serial_number != ca.serial_number
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]
    eku = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    usage = server.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    aki = server.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest


def test_client_certificate_names_the_user_and_groups(chain: dict[str, Any]) -> None:
    ca, client = chain["ca"], _cert(chain["client"])
    client.verify_directly_issued_by(ca)
    orgs = [a.value for a in client.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    assert orgs == ["dev-team", "ops_é"]
    assert client.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "carol"
    assert len(client.subject.rdns) == 3  # one O per group, each its own RDN
    eku = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    with pytest.raises(x509.ExtensionNotFound):
        client.extensions.get_extension_for_class(x509.SubjectAlternativeName)


def test_keys_are_pkcs8_and_match_their_certificates(chain: dict[str, Any]) -> None:
    for pair in (chain["server"], chain["client"]):
        assert pair.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
        key = load_pem_private_key(pair.key_pem, password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        assert key.public_key() == _cert(pair).public_key()
    assert _cert(chain["server"]).public_key() != _cert(chain["client"]).public_key()


def test_another_authority_does_not_verify(chain: dict[str, Any]) -> None:
    other = x509.load_pem_x509_certificate(Authority().ca_pem)
    # Same name, another key: only the signature tells them apart.
    assert other.subject == chain["ca"].subject
    with pytest.raises(InvalidSignature):
        _cert(chain["client"]).verify_directly_issued_by(other)


# --- OpenSSL: real handshakes through Python's ssl ---------------------------------------


def _files(tmp: Path, name: str, pair: Any) -> tuple[str, str]:
    cert, key = tmp / f"{name}.crt", tmp / f"{name}.key"
    cert.write_bytes(pair.cert_pem)
    key.write_bytes(pair.key_pem)
    return str(cert), str(key)


def _handshake(
    server_ctx: ssl.SSLContext, client_ctx: ssl.SSLContext, server_name: str
) -> ssl.SSLObject:
    """Drive both ends of a TLS handshake in memory; the server's SSLObject when it is done."""
    s_in, s_out, c_in, c_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname=server_name)
    done = {"server": False, "client": False}
    for _ in range(20):
        for side, obj in (("client", client), ("server", server)):
            if not done[side]:
                try:
                    obj.do_handshake()
                    done[side] = True
                except ssl.SSLWantReadError:
                    pass
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done.values()):
            # TLS 1.3: the server checks the client certificate when it reads its Finished;
            # an application-data round trip makes the verdict reach both ends.
            client.write(b"ping")
            s_in.write(c_out.read())
            assert server.read(4) == b"ping"
            return server
    raise AssertionError("handshake did not finish")


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority()


def _client_ctx(authority: Authority) -> ssl.SSLContext:
    return ssl.create_default_context(cadata=authority.ca_pem.decode())


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "::1"])
def test_openssl_verifies_server_certificate_and_hostname(authority: Authority, name: str) -> None:
    server = _handshake(authority.server_context(), _client_ctx(authority), name)
    assert server.version() in ("TLSv1.3", "TLSv1.2")


def test_openssl_rejects_other_hostnames(authority: Authority) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        _handshake(authority.server_context(), _client_ctx(authority), "example.com")
    assert "Hostname mismatch" in str(info.value)


def test_openssl_client_certificate_identity(authority: Authority, tmp_path: Path) -> None:
    server_ctx = authority.server_context()
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    client_ctx = _client_ctx(authority)
    client_ctx.load_cert_chain(
        *_files(tmp_path, "carol", authority.client_cert("carol", ["a", "b"]))
    )
    server = _handshake(server_ctx, client_ctx, "localhost")
    assert peer_identity(server.getpeercert()) == ("carol", ["a", "b"])


def test_key_pairs_do_not_show_the_key(authority: Authority) -> None:
    pair = authority.client_cert("carol")
    assert b"PRIVATE KEY" in pair.key_pem
    assert "PRIVATE" not in repr(pair) and pair.key_pem.decode()[40:80] not in repr(pair)


def test_openssl_rejects_client_certificates_of_another_ca(
    authority: Authority, tmp_path: Path
) -> None:
    server_ctx = authority.server_context()
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    client_ctx = _client_ctx(authority)
    client_ctx.load_cert_chain(*_files(tmp_path, "mallory", Authority().client_cert("mallory")))
    with pytest.raises(ssl.SSLError):
        _handshake(server_ctx, client_ctx, "localhost")


def test_openssl_enforces_extended_key_usage(authority: Authority, tmp_path: Path) -> None:
    # A client certificate cannot serve: the serverAuth purpose is really encoded.
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(*_files(tmp_path, "client", authority.client_cert("localhost")))
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        _handshake(server_ctx, _client_ctx(authority), "localhost")
    assert "certificate purpose" in str(info.value)  # unsupported or unsuitable


# --- Go: real kubectl ----------------------------------------------------------------------


def test_kubectl_authenticates_with_a_client_certificate(tmp_path: Path) -> None:
    with Sandbox(tls=True) as sb:
        assert sb.ca_pem is not None
        pair = sb.client_cert("carol", ["dev-team", "system:masters"])
        kubeconfig = tmp_path / "config"
        kubeconfig.write_text(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
            f"clusters:\n- name: c\n  cluster:\n    server: {sb.url}\n"
            f"    certificate-authority-data: {b64(sb.ca_pem)}\n"
            "users:\n- name: u\n  user:\n"
            f"    client-certificate-data: {b64(pair.cert_pem)}\n"
            f"    client-key-data: {b64(pair.key_pem)}\n"
            "contexts:\n- name: c\n  context: {cluster: c, user: u}\n"
        )
        who = kubectl(kubeconfig, "auth", "whoami", "-o", "jsonpath={.status.userInfo}")
        assert who.returncode == 0, who.stderr
        assert '"username":"carol"' in who.stdout
        assert '"groups":["dev-team","system:masters","system:authenticated"]' in who.stdout
        pods = kubectl(kubeconfig, "get", "pods", "-A")
        assert pods.returncode == 0, pods.stderr
        # Same server over "localhost": the DNS SAN is good for Go too.
        local = kubectl(
            kubeconfig, "get", "ns", "-o", "name", "-s", sb.url.replace("127.0.0.1", "localhost")
        )
        assert local.returncode == 0, local.stderr
        assert "namespace/default" in local.stdout.split()


def test_plain_http_sandbox_and_peer_identity_do_not_load_cryptography() -> None:
    code = (
        "import sys\n"
        "from kctl.sandbox import Sandbox\n"
        "from kctl.sandbox._tls import peer_identity\n"
        "with Sandbox(seed='empty') as sb:\n"
        "    assert sb.url.startswith('http://')\n"
        "assert peer_identity({'subject': ((('commonName', 'u'),),)}) == ('u', [])\n"
        "print(sorted(m for m in sys.modules if m.startswith('cryptography')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout) == (0, "[]\n"), result.stderr
