"""Certificates for the sandbox's throw-away CA with nothing but the standard library.

The sandbox must run without third-party packages, and Python's ``ssl`` can load certificates
but not make them. So this module carries the little that is needed: ECDSA over P-256 with
SHA-256 (RFC 6979 deterministic nonces, so a weak random source cannot leak the key through
the signatures), a DER encoder for the handful of ASN.1 types X.509 uses, and X.509 v3
certificates for a CA, a server and clients, with PKCS#8 private keys that both OpenSSL and
Go's ``tls.X509KeyPair`` (kubectl's ``client-key-data``) load.

The arithmetic is plain Python integers and not constant-time: the keys protect a local,
short-lived test server, not anything an attacker can time from outside.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

__all__ = [
    "Certificate",
    "PrivateKey",
    "ca_certificate",
    "client_certificate",
    "on_curve",
    "pem",
    "server_certificate",
]

# --- P-256 (SEC 2 secp256r1 / NIST FIPS 186-4 D.1.2.3) ------------------------------------

_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
_G = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)

# Jacobian coordinates (X, Y, Z) stand for the affine point (X/Z², Y/Z³); Z == 0 is the
# point at infinity. They avoid a modular inversion per step.
_Jacobian = tuple[int, int, int]


def _double(pt: _Jacobian) -> _Jacobian:
    x, y, z = pt
    if z == 0 or y == 0:
        return (1, 1, 0)
    # dbl-2001-b, which uses a = -3.
    delta = z * z % _P
    gamma = y * y % _P
    beta = x * gamma % _P
    alpha = 3 * (x - delta) * (x + delta) % _P
    x3 = (alpha * alpha - 8 * beta) % _P
    z3 = ((y + z) * (y + z) - gamma - delta) % _P
    y3 = (alpha * (4 * beta - x3) - 8 * gamma * gamma) % _P
    return (x3, y3, z3)


def _add_affine(pt: _Jacobian, q: tuple[int, int]) -> _Jacobian:
    """``pt + q`` with ``q`` affine (madd-2007-bl)."""
    x1, y1, z1 = pt
    x2, y2 = q
    if z1 == 0:
        return (x2, y2, 1)
    z1z1 = z1 * z1 % _P
    u2 = x2 * z1z1 % _P
    s2 = y2 * z1 * z1z1 % _P
    h = (u2 - x1) % _P
    r = 2 * (s2 - y1) % _P
    if h == 0:
        return _double(pt) if r == 0 else (1, 1, 0)
    hh = h * h % _P
    i = 4 * hh % _P
    j = h * i % _P
    v = x1 * i % _P
    x3 = (r * r - j - 2 * v) % _P
    y3 = (r * (v - x3) - 2 * y1 * j) % _P
    z3 = ((z1 + h) * (z1 + h) - z1z1 - hh) % _P
    return (x3, y3, z3)


def _to_affine(pt: _Jacobian) -> tuple[int, int]:
    x, y, z = pt
    if z == 0:
        raise ValueError("point at infinity")
    zi = pow(z, -1, _P)
    zi2 = zi * zi % _P
    return (x * zi2 % _P, y * zi2 * zi % _P)


_base_table: list[tuple[int, int]] = []


def _powers_of_g() -> list[tuple[int, int]]:
    """2^i·G for i < 256, affine: every multiplication by G is then additions only."""
    if not _base_table:
        table = [_G]
        pt: _Jacobian = (_G[0], _G[1], 1)
        for _ in range(255):
            pt = _double(pt)
            table.append(_to_affine(pt))
        _base_table[:] = table
    return _base_table


def _multiply_g(k: int) -> tuple[int, int]:
    if not 0 < k < _N:
        raise ValueError("scalar out of range")
    acc: _Jacobian = (1, 1, 0)
    for i, point in enumerate(_powers_of_g()):
        if k >> i & 1:
            acc = _add_affine(acc, point)
    return _to_affine(acc)


def on_curve(x: int, y: int) -> bool:
    return 0 <= x < _P and 0 <= y < _P and (y * y - (x * x * x - 3 * x + _B)) % _P == 0


def _rfc6979_nonces(secret: int, digest: bytes) -> Iterator[int]:
    """RFC 6979 section 3.2 for P-256 and HMAC-SHA-256 (qlen == hlen == 256)."""
    x = secret.to_bytes(32, "big")
    h = (int.from_bytes(digest, "big") % _N).to_bytes(32, "big")
    v = b"\x01" * 32
    k = b"\x00" * 32
    k = hmac.new(k, v + b"\x00" + x + h, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    k = hmac.new(k, v + b"\x01" + x + h, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    while True:
        v = hmac.new(k, v, hashlib.sha256).digest()
        candidate = int.from_bytes(v, "big")
        if 0 < candidate < _N:
            yield candidate
        k = hmac.new(k, v + b"\x00", hashlib.sha256).digest()
        v = hmac.new(k, v, hashlib.sha256).digest()


# --- DER ---------------------------------------------------------------------------------


def _tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(length))) + length + content


def integer(value: int) -> bytes:
    size = value.bit_length() // 8 + 1  # room for the sign bit
    return _tlv(0x02, value.to_bytes(size, "big", signed=True))


def boolean(value: bool) -> bytes:
    return _tlv(0x01, b"\xff" if value else b"\x00")


def bit_string(data: bytes, unused_bits: int = 0) -> bytes:
    return _tlv(0x03, bytes((unused_bits,)) + data)


def named_bits(*bits: int) -> bytes:
    """A BIT STRING of named bits (bit 0 first), trailing zero bits dropped as DER wants."""
    top = max(bits)
    value = 0
    for bit in bits:
        value |= 1 << (7 - bit % 8) << 8 * (top // 8 - bit // 8)
    return bit_string(value.to_bytes(top // 8 + 1, "big"), 7 - top % 8)


def octet_string(data: bytes) -> bytes:
    return _tlv(0x04, data)


def null() -> bytes:
    return b"\x05\x00"


def oid(dotted: str) -> bytes:
    arcs = [int(part) for part in dotted.split(".")]
    out = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | arc & 0x7F)
            arc >>= 7
        out += bytes(reversed(chunk))
    return _tlv(0x06, bytes(out))


def utf8_string(text: str) -> bytes:
    return _tlv(0x0C, text.encode())


_PRINTABLE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")


def printable_string(text: str) -> bytes:
    if not set(text) <= _PRINTABLE:
        raise ValueError(f"not a PrintableString: {text!r}")
    return _tlv(0x13, text.encode("ascii"))


def directory_string(text: str) -> bytes:
    """PrintableString when the text allows it, else UTF8String (what Go's pkix does)."""
    return printable_string(text) if set(text) <= _PRINTABLE else utf8_string(text)


def validity_time(moment: datetime) -> bytes:
    """RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, always UTC."""
    moment = moment.astimezone(timezone.utc)
    if moment.year < 2050:
        return _tlv(0x17, moment.strftime("%y%m%d%H%M%SZ").encode())
    return _tlv(0x18, moment.strftime("%Y%m%d%H%M%SZ").encode())


def sequence(*items: bytes) -> bytes:
    return _tlv(0x30, b"".join(items))


def set_of(*items: bytes) -> bytes:
    return _tlv(0x31, b"".join(sorted(items)))


def explicit(number: int, inner: bytes) -> bytes:
    return _tlv(0xA0 | number, inner)


def implicit(number: int, content: bytes, *, constructed: bool = False) -> bytes:
    return _tlv((0xA0 if constructed else 0x80) | number, content)


# --- keys --------------------------------------------------------------------------------

_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
_PRIME256V1 = "1.2.840.10045.3.1.7"
_ECDSA_SHA256 = sequence(oid("1.2.840.10045.4.3.2"))


@dataclass(frozen=True, repr=False)
class PrivateKey:
    """A P-256 key pair. ``repr`` shows no secret."""

    secret: int
    public: tuple[int, int]

    @classmethod
    def generate(cls) -> PrivateKey:
        secret = secrets.randbelow(_N - 1) + 1
        return cls(secret, _multiply_g(secret))

    def __repr__(self) -> str:
        return f"PrivateKey(public=({self.public[0]:#x}, {self.public[1]:#x}))"

    @property
    def public_point(self) -> bytes:
        """SEC 1 uncompressed encoding."""
        x, y = self.public
        return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")

    def public_key_info(self) -> bytes:
        """DER SubjectPublicKeyInfo."""
        algorithm = sequence(oid(_EC_PUBLIC_KEY), oid(_PRIME256V1))
        return sequence(algorithm, bit_string(self.public_point))

    @property
    def key_id(self) -> bytes:
        # RFC 7093 method 1 (SHA-256 truncated to 160 bits): SHA-1 may be unavailable.
        return hashlib.sha256(self.public_point).digest()[:20]

    def sign_digest(self, digest: bytes) -> tuple[int, int]:
        """ECDSA (r, s) over a SHA-256 digest."""
        e = int.from_bytes(digest, "big")
        for k in _rfc6979_nonces(self.secret, digest):
            r = _multiply_g(k)[0] % _N
            if r == 0:
                continue
            s = pow(k, -1, _N) * (e + r * self.secret) % _N
            if s != 0:
                return r, s
        raise AssertionError("unreachable: the nonce generator never ends")

    def sign(self, message: bytes) -> bytes:
        """A DER ECDSA-Sig-Value over SHA-256(message), as X.509 and TLS carry it."""
        r, s = self.sign_digest(hashlib.sha256(message).digest())
        return sequence(integer(r), integer(s))

    def pkcs8_der(self) -> bytes:
        # The inner SEC 1 ECPrivateKey leaves out the curve (the outer algorithm names it)
        # and keeps the public key, as Go's MarshalPKCS8PrivateKey and OpenSSL write it.
        inner = sequence(
            integer(1),
            octet_string(self.secret.to_bytes(32, "big")),
            explicit(1, bit_string(self.public_point)),
        )
        algorithm = sequence(oid(_EC_PUBLIC_KEY), oid(_PRIME256V1))
        return sequence(integer(0), algorithm, octet_string(inner))

    def pem(self) -> bytes:
        return pem("PRIVATE KEY", self.pkcs8_der())


def pem(label: str, der: bytes) -> bytes:
    body = base64.b64encode(der).decode("ascii")
    lines = "".join(body[i : i + 64] + "\n" for i in range(0, len(body), 64))
    return f"-----BEGIN {label}-----\n{lines}-----END {label}-----\n".encode("ascii")


# --- certificates ------------------------------------------------------------------------

_COMMON_NAME = "2.5.4.3"
_ORGANIZATION = "2.5.4.10"
_SUBJECT_KEY_ID = "2.5.29.14"
_KEY_USAGE = "2.5.29.15"
_SUBJECT_ALT_NAME = "2.5.29.17"
_BASIC_CONSTRAINTS = "2.5.29.19"
_AUTHORITY_KEY_ID = "2.5.29.35"
_EXT_KEY_USAGE = "2.5.29.37"
_SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"

# keyUsage bit numbers (RFC 5280 4.2.1.3).
_DIGITAL_SIGNATURE, _KEY_CERT_SIGN, _CRL_SIGN = 0, 5, 6

VALIDITY = timedelta(days=365)
# Clocks of the client and the sandbox may disagree a little.
BACKDATE = timedelta(minutes=5)


@dataclass(frozen=True)
class Certificate:
    der: bytes
    subject: bytes  # DER Name: the issuer field of what this certificate signs
    key_id: bytes

    def pem(self) -> bytes:
        return pem("CERTIFICATE", self.der)


def _name(common_name: str, organizations: Sequence[str] = ()) -> bytes:
    # One RDN per attribute, organizations first, as Go's pkix.Name orders them.
    rdns = [set_of(sequence(oid(_ORGANIZATION), directory_string(o))) for o in organizations]
    rdns.append(set_of(sequence(oid(_COMMON_NAME), directory_string(common_name))))
    return sequence(*rdns)


def _extension(ext_id: str, value: bytes, *, critical: bool = False) -> bytes:
    # DER leaves out a BOOLEAN that equals its DEFAULT (critical FALSE).
    return sequence(oid(ext_id), boolean(True) if critical else b"", octet_string(value))


def _serial() -> int:
    # Positive, at most 20 octets (RFC 5280 4.1.2.2), and never zero.
    return secrets.randbits(159) | 1 << 158


def _sign(
    *,
    subject: bytes,
    key: PrivateKey,
    issuer: bytes,
    issuer_key: PrivateKey,
    extensions: Iterable[bytes],
    now: datetime | None,
) -> Certificate:
    start = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    tbs = sequence(
        explicit(0, integer(2)),  # v3
        integer(_serial()),
        _ECDSA_SHA256,
        issuer,
        sequence(validity_time(start - BACKDATE), validity_time(start + VALIDITY)),
        subject,
        key.public_key_info(),
        explicit(3, sequence(*extensions)),
    )
    der = sequence(tbs, _ECDSA_SHA256, bit_string(issuer_key.sign(tbs)))
    return Certificate(der, subject, key.key_id)


def ca_certificate(
    key: PrivateKey, common_name: str, *, now: datetime | None = None
) -> Certificate:
    """A self-signed CA that may sign only end-entity certificates (pathLen 0)."""
    subject = _name(common_name)
    extensions = (
        _extension(_BASIC_CONSTRAINTS, sequence(boolean(True), integer(0)), critical=True),
        _extension(
            _KEY_USAGE, named_bits(_DIGITAL_SIGNATURE, _KEY_CERT_SIGN, _CRL_SIGN), critical=True
        ),
        _extension(_SUBJECT_KEY_ID, octet_string(key.key_id)),
    )
    return _sign(
        subject=subject, key=key, issuer=subject, issuer_key=key, extensions=extensions, now=now
    )


def _leaf_extensions(ca: Certificate, usage: str) -> list[bytes]:
    return [
        _extension(_BASIC_CONSTRAINTS, sequence(), critical=True),
        _extension(_KEY_USAGE, named_bits(_DIGITAL_SIGNATURE), critical=True),
        _extension(_EXT_KEY_USAGE, sequence(oid(usage))),
        _extension(_AUTHORITY_KEY_ID, sequence(implicit(0, ca.key_id))),
    ]


def server_certificate(
    ca: Certificate,
    ca_key: PrivateKey,
    key: PrivateKey,
    names: Sequence[str],
    *,
    common_name: str = "kctl-sandbox",
    now: datetime | None = None,
) -> Certificate:
    """A serving certificate for ``names``: IP addresses become IP SANs, the rest DNS SANs."""
    general_names = []
    for name in names:
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            general_names.append(implicit(2, name.encode("ascii")))  # dNSName
        else:
            general_names.append(implicit(7, address.packed))  # iPAddress
    extensions = _leaf_extensions(ca, _SERVER_AUTH)
    extensions.append(_extension(_SUBJECT_ALT_NAME, sequence(*general_names)))
    return _sign(
        subject=_name(common_name),
        key=key,
        issuer=ca.subject,
        issuer_key=ca_key,
        extensions=extensions,
        now=now,
    )


def client_certificate(
    ca: Certificate,
    ca_key: PrivateKey,
    key: PrivateKey,
    user: str,
    groups: Sequence[str] = (),
    *,
    now: datetime | None = None,
) -> Certificate:
    """A client certificate kube-apiserver style: CN is the user, each O a group."""
    return _sign(
        subject=_name(user, groups),
        key=key,
        issuer=ca.subject,
        issuer_key=ca_key,
        extensions=_leaf_extensions(ca, _CLIENT_AUTH),
        now=now,
    )
