"""kctl.sandbox._x509: DER, P-256 ECDSA, certificates that OpenSSL, Go and cryptography accept."""

from __future__ import annotations

import hashlib
import ssl
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_tls import b64, kubectl

from kctl.sandbox import Sandbox
from kctl.sandbox import _x509 as x
from kctl.sandbox._tls import Authority, peer_identity

NOW = datetime(2031, 3, 4, 5, 6, 7, 890000, tzinfo=timezone.utc)

# --- DER ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "der"),
    [
        (0, "020100"),
        (127, "02017f"),
        (128, "02020080"),
        (256, "02020100"),
        (-1, "0201ff"),
        (-129, "0202ff7f"),
    ],
)
def test_integer(value: int, der: str) -> None:
    assert x.integer(value).hex() == der


def test_primitive_encodings() -> None:
    assert x.boolean(True).hex() == "0101ff"
    assert x.boolean(False).hex() == "010100"
    assert x.null().hex() == "0500"
    assert x.octet_string(b"\x01\x02").hex() == "04020102"
    assert x.bit_string(b"\x04\xaa").hex() == "03030004aa"
    assert x.oid("1.2.840.10045.2.1").hex() == "06072a8648ce3d0201"
    assert x.oid("2.5.29.37").hex() == "0603551d25"
    assert x.utf8_string("é").hex() == "0c02c3a9"
    assert x.printable_string("ab").hex() == "13026162"
    with pytest.raises(ValueError):
        x.printable_string("a_b")
    # Go's pkix: PrintableString where possible.
    assert x.directory_string("dev-team")[0] == 0x13
    assert x.directory_string("dev_team")[0] == 0x0C
    assert x.directory_string("system:masters")[0] == 0x13


def test_lengths_long_form() -> None:
    assert x.octet_string(b"a" * 127)[:2].hex() == "047f"
    assert x.octet_string(b"a" * 128)[:3].hex() == "048180"
    assert x.octet_string(b"a" * 256)[:4].hex() == "04820100"


def test_named_bits_drop_trailing_zeros() -> None:
    # keyUsage: digitalSignature | keyCertSign | cRLSign, and digitalSignature alone.
    assert x.named_bits(0, 5, 6).hex() == "03020186"
    assert x.named_bits(0).hex() == "03020780"
    assert x.named_bits(8).hex() == "0303070080"  # decipherOnly


def test_constructed_and_tagged() -> None:
    assert x.sequence().hex() == "3000"
    assert x.sequence(x.null(), x.null()).hex() == "30040500" + "0500"
    # SET OF is sorted by encoding in DER.
    assert x.set_of(x.integer(2), x.integer(1)).hex() == "3106020101020102"
    assert x.explicit(3, x.null()).hex() == "a3020500"
    assert x.implicit(2, b"localhost").hex() == "8209" + b"localhost".hex()
    assert x.implicit(0, b"", constructed=True).hex() == "a000"


def test_validity_times() -> None:
    # RFC 5280: UTCTime through 2049, GeneralizedTime from 2050, in UTC.
    assert x.validity_time(datetime(2049, 12, 31, 23, 59, 59, tzinfo=timezone.utc)) == (
        b"\x17\x0d491231235959Z"
    )
    assert x.validity_time(datetime(2050, 1, 1, tzinfo=timezone.utc)) == (
        b"\x18\x0f20500101000000Z"
    )
    plus2 = timezone(timedelta(hours=2))
    assert x.validity_time(datetime(2030, 1, 1, 1, 0, tzinfo=plus2)) == b"\x17\x0d291231230000Z"


# --- ECDSA -------------------------------------------------------------------------------

# RFC 6979 appendix A.2.5 (ECDSA, 256 bits, prime field).
RFC6979_KEY = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
RFC6979_PUBLIC = (
    0x60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6,
    0x7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299,
)


@pytest.mark.parametrize(
    ("message", "r", "s"),
    [
        (
            b"sample",
            0xEFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716,
            0xF7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8,
        ),
        (
            b"test",
            0xF1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367,
            0x019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083,
        ),
    ],
)
def test_rfc6979_vectors(message: bytes, r: int, s: int) -> None:
    key = x.PrivateKey(RFC6979_KEY, x._multiply_g(RFC6979_KEY))
    assert key.public == RFC6979_PUBLIC
    assert key.sign_digest(hashlib.sha256(message).digest()) == (r, s)
    assert key.sign(message) == x.sequence(x.integer(r), x.integer(s))


def test_generated_keys_are_on_the_curve_and_distinct() -> None:
    keys = [x.PrivateKey.generate() for _ in range(3)]
    assert all(x.on_curve(*k.public) for k in keys)
    assert len({k.secret for k in keys}) == 3
    assert not x.on_curve(keys[0].public[0], keys[0].public[1] + 1)
    assert "secret" not in repr(keys[0]) and str(keys[0].secret) not in repr(keys[0])


def test_scalar_range_is_checked() -> None:
    with pytest.raises(ValueError):
        x._multiply_g(0)
    with pytest.raises(ValueError):
        x._multiply_g(x._N)
    # (n-1)·G is -G: same x, mirrored y.
    gx, gy = x._multiply_g(x._N - 1)
    assert (gx, gy) == (x._G[0], x._P - x._G[1])


def test_pem_layout() -> None:
    text = x.pem("CERTIFICATE", bytes(range(256)) * 2).decode()
    lines = text.splitlines()
    assert lines[0] == "-----BEGIN CERTIFICATE-----"
    assert lines[-1] == "-----END CERTIFICATE-----"
    assert all(len(line) == 64 for line in lines[1:-2]) and 0 < len(lines[-2]) <= 64
    assert text.endswith("\n")


# --- certificates, cross-checked with cryptography ----------------------------------------


@pytest.fixture(scope="module")
def chain() -> dict[str, Any]:
    ca_key = x.PrivateKey.generate()
    ca = x.ca_certificate(ca_key, "kctl-sandbox-ca", now=NOW)
    server_key = x.PrivateKey.generate()
    server = x.server_certificate(
        ca, ca_key, server_key, ["localhost", "127.0.0.1", "::1"], now=NOW
    )
    client_key = x.PrivateKey.generate()
    client = x.client_certificate(ca, ca_key, client_key, "carol", ["dev-team", "ops_é"], now=NOW)
    return {
        "ca": ca,
        "ca_key": ca_key,
        "server": server,
        "server_key": server_key,
        "client": client,
        "client_key": client_key,
    }


def _load(cert: x.Certificate) -> Any:
    crypto_x509 = pytest.importorskip("cryptography.x509")
    return crypto_x509.load_der_x509_certificate(cert.der)


def _cryptography() -> None:
    """Cross-checks only: they are skipped where cryptography is not installed."""
    pytest.importorskip("cryptography")


def test_ca_fields(chain: dict[str, Any]) -> None:
    _cryptography()
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    ca = _load(chain["ca"])
    assert ca.version == x509.Version.v3
    assert ca.serial_number.bit_length() == 159
    assert ca.signature_algorithm_oid == x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256
    assert ca.subject.rfc4514_string() == "CN=kctl-sandbox-ca"
    assert ca.issuer == ca.subject
    start = NOW.replace(microsecond=0)
    assert ca.not_valid_before_utc == start - timedelta(minutes=5)
    assert ca.not_valid_after_utc == start + timedelta(days=365)
    basic = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca and basic.value.path_length == 0
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.key_cert_sign and usage.value.crl_sign and usage.value.digital_signature
    assert not usage.value.key_encipherment and not usage.value.content_commitment
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert not ski.critical and ski.value.digest == chain["ca_key"].key_id
    public = ca.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert isinstance(public.curve, ec.SECP256R1)
    assert (public.public_numbers().x, public.public_numbers().y) == chain["ca_key"].public
    ca.verify_directly_issued_by(ca)


def test_server_fields(chain: dict[str, Any]) -> None:
    _cryptography()
    import ipaddress

    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    ca, server = _load(chain["ca"]), _load(chain["server"])
    server.verify_directly_issued_by(ca)
    assert server.subject.rfc4514_string() == "CN=kctl-sandbox"
    assert server.issuer == ca.subject
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
    assert aki.key_identifier == chain["ca_key"].key_id


def test_client_fields(chain: dict[str, Any]) -> None:
    _cryptography()
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca, client = _load(chain["ca"]), _load(chain["client"])
    client.verify_directly_issued_by(ca)
    orgs = [a.value for a in client.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    assert orgs == ["dev-team", "ops_é"]
    assert client.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "carol"
    assert len(client.subject.rdns) == 3  # one O per group, each its own RDN
    eku = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_private_key_pkcs8_round_trip(chain: dict[str, Any]) -> None:
    _cryptography()
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = chain["client_key"]
    pem = key.pem()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    loaded = load_pem_private_key(pem, password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    assert loaded.private_numbers().private_value == key.secret
    assert (loaded.public_key().public_numbers().x, loaded.public_key().public_numbers().y) == (
        key.public
    )


def test_signatures_verify_and_match_deterministic_ecdsa(chain: dict[str, Any]) -> None:
    _cryptography()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = chain["ca_key"]
    loaded = load_pem_private_key(key.pem(), password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    message = b"kctl sandbox"
    loaded.public_key().verify(key.sign(message), message, ec.ECDSA(hashes.SHA256()))
    try:
        algorithm = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    except TypeError:  # cryptography < 44 has no RFC 6979
        return
    assert loaded.sign(message, algorithm) == key.sign(message)


def test_generalized_time_after_2049() -> None:
    key = x.PrivateKey.generate()
    late = datetime(2049, 6, 1, tzinfo=timezone.utc)
    ca = x.ca_certificate(key, "late", now=late)
    assert b"\x17\x0d490531235500Z" in ca.der and b"\x18\x0f20500601000000Z" in ca.der
    loaded = _load(ca)
    assert loaded.not_valid_after_utc == datetime(2050, 6, 1, tzinfo=timezone.utc)
    loaded.verify_directly_issued_by(loaded)


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


def test_certificates_need_no_cryptography() -> None:
    code = (
        "import sys; sys.modules['cryptography'] = None\n"
        "from kctl.sandbox._tls import Authority\n"
        "a = Authority(); a.server_context(); a.client_cert('u', ['g'])\n"
        "assert not any(m.startswith('cryptography') and sys.modules[m] for m in sys.modules)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stderr
