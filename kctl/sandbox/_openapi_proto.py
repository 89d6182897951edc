"""/openapi/v2 as kube-apiserver serves it: JSON or gnostic's protobuf, chosen by Accept.

kubectl asks for ``application/com.github.proto-openapi.spec.v2@v1.0+protobuf`` only and
parses the body as gnostic's ``openapi.v2.Document``. kube-openapi makes that body by
parsing its JSON document with gnostic (``ParseDocument``) and marshalling the result, so
:func:`encode_document` does the same walk over the parsed JSON: each Swagger object becomes
its message, JSON maps become repeated ``Named<X>{name = 1, value = 2}`` entries in document
order, ``x-`` keys become ``vendor_extension`` entries whose ``Any.yaml`` (field 2) is the
value re-emitted as YAML the way gnostic's ``compiler.Marshal`` does (go-yaml v3, block
style, four-space indent), and fields are written in field-number order with proto3's
zero values left out, as Go's ``proto.Marshal`` does.

``_MESSAGES`` is transcribed from github.com/google/gnostic-models ``openapiv2/OpenAPIv2.proto``
(field numbers and types) joined with the JSON key each field is read from in the generated
``openapiv2/OpenAPIv2.go`` (``compiler.MapValueForKey(m, "<key>")`` under the field's
comment). To regenerate: for every message of that .proto, list ``json key: (number, kind)``
and the number of its ``vendor_extension`` field. The oneof wrappers (Parameter,
ParametersItem, SchemaItem, ...) are chosen the way their generated ``New<X>`` functions
decide, in :func:`_oneof`.

Negotiation, ETag and conditional GETs follow kube-openapi's ``pkg/handler``: the first
Accept clause (sorted by goautoneg) matching ``application/json`` or either protobuf
subtype wins, both bodies carry the quoted upper-case SHA-512 of the JSON as ETag, nothing
acceptable is a bare 406.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import threading
import time
import weakref
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

__all__ = [
    "PROTO_CONTENT_TYPE",
    "OpenAPIV2Error",
    "V2Body",
    "encode_document",
    "negotiate",
    "not_modified",
    "v2_body",
    "yaml_any",
]

JSON_CONTENT_TYPE = "application/json"
PROTO_CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
# kube-openapi accepts the deprecated '@' spelling and answers with the current one.
_ACCEPTED = (
    ("application", "json", JSON_CONTENT_TYPE),
    ("application", "com.github.proto-openapi.spec.v2@v1.0+protobuf", PROTO_CONTENT_TYPE),
    ("application", "com.github.proto-openapi.spec.v2.v1.0+protobuf", PROTO_CONTENT_TYPE),
)


class OpenAPIV2Error(ValueError):
    """The JSON document has something gnostic would refuse (the apiserver then answers 503)."""


# --- field table -------------------------------------------------------------------------
#
# Kinds: s string, b bool, i int64, d double, S repeated string, a Any, A repeated Any,
# <Name> message, [<Name>] repeated message, {<Name>} a map message whose field 1 is
# repeated Named<Name>{name = 1, value = 2}. Oneof wrappers are marked with "|".

_Table = tuple[int, dict[str, tuple[int, str]]]


def _t(vendor: int, spec: str) -> _Table:
    fields: dict[str, tuple[int, str]] = {}
    for item in spec.split():
        key, number, kind = item.rsplit(":", 2)
        fields[key] = (int(number), kind)
    return vendor, fields


_PRIMITIVE = (
    "type:s format:s items:PrimitivesItems collectionFormat:s default:a maximum:d "
    "exclusiveMaximum:b minimum:d exclusiveMinimum:b maxLength:i minLength:i pattern:s "
    "maxItems:i minItems:i uniqueItems:b enum:A multipleOf:d"
)


def _primitive(first: int, head: str) -> str:
    """The run of primitive-schema fields the parameter sub-schemas share, numbered on."""
    pairs = [item.split(":") for item in _PRIMITIVE.split()]
    return " ".join([head, *(f"{k}:{first + n}:{kind}" for n, (k, kind) in enumerate(pairs))])


_MESSAGES: dict[str, _Table] = {
    "Document": _t(
        16,
        "swagger:1:s info:2:Info host:3:s basePath:4:s schemes:5:S consumes:6:S produces:7:S "
        "paths:8:Paths definitions:9:{Schema} parameters:10:{Parameter|} "
        "responses:11:{Response} security:12:[SecurityRequirement|] "
        "securityDefinitions:13:{SecurityDefinitionsItem|} tags:14:[Tag] "
        "externalDocs:15:ExternalDocs",
    ),
    "Info": _t(
        7,
        "title:1:s version:2:s description:3:s termsOfService:4:s contact:5:Contact "
        "license:6:License",
    ),
    "Contact": _t(4, "name:1:s url:2:s email:3:s"),
    "License": _t(3, "name:1:s url:2:s"),
    "ExternalDocs": _t(3, "description:1:s url:2:s"),
    "Tag": _t(4, "name:1:s description:2:s externalDocs:3:ExternalDocs"),
    "Xml": _t(6, "name:1:s namespace:2:s prefix:3:s attribute:4:b wrapped:5:b"),
    "PathItem": _t(
        10,
        "$ref:1:s get:2:Operation put:3:Operation post:4:Operation delete:5:Operation "
        "options:6:Operation head:7:Operation patch:8:Operation parameters:9:[ParametersItem|]",
    ),
    "Operation": _t(
        13,
        "tags:1:S summary:2:s description:3:s externalDocs:4:ExternalDocs operationId:5:s "
        "produces:6:S consumes:7:S parameters:8:[ParametersItem|] responses:9:Responses "
        "schemes:10:S deprecated:11:b security:12:[SecurityRequirement|]",
    ),
    "JsonReference": _t(0, "$ref:1:s description:2:s"),
    "BodyParameter": _t(6, "description:1:s name:2:s in:3:s required:4:b schema:5:Schema"),
    "HeaderParameterSubSchema": _t(
        22, _primitive(5, "required:1:b in:2:s description:3:s name:4:s")
    ),
    "FormDataParameterSubSchema": _t(
        23, _primitive(6, "required:1:b in:2:s description:3:s name:4:s allowEmptyValue:5:b")
    ),
    "QueryParameterSubSchema": _t(
        23, _primitive(6, "required:1:b in:2:s description:3:s name:4:s allowEmptyValue:5:b")
    ),
    "PathParameterSubSchema": _t(22, _primitive(5, "required:1:b in:2:s description:3:s name:4:s")),
    "PrimitivesItems": _t(18, _primitive(1, "")),
    "Header": _t(19, _primitive(1, "") + " description:18:s"),
    "Response": _t(5, "description:1:s schema:2:SchemaItem| headers:3:{Header} examples:4:{a}"),
    "FileSchema": _t(
        10,
        "format:1:s title:2:s description:3:s default:4:a required:5:S type:6:s readOnly:7:b "
        "externalDocs:8:ExternalDocs example:9:a",
    ),
    "Schema": _t(
        31,
        "$ref:1:s format:2:s title:3:s description:4:s default:5:a multipleOf:6:d "
        "maximum:7:d exclusiveMaximum:8:b minimum:9:d exclusiveMinimum:10:b maxLength:11:i "
        "minLength:12:i pattern:13:s maxItems:14:i minItems:15:i uniqueItems:16:b "
        "maxProperties:17:i minProperties:18:i required:19:S enum:20:A "
        "additionalProperties:21:AdditionalPropertiesItem| type:22:TypeItem| "
        "items:23:ItemsItem| allOf:24:[Schema] properties:25:{Schema} discriminator:26:s "
        "readOnly:27:b xml:28:Xml externalDocs:29:ExternalDocs example:30:a",
    ),
    "BasicAuthenticationSecurity": _t(3, "type:1:s description:2:s"),
    "ApiKeySecurity": _t(5, "type:1:s name:2:s in:3:s description:4:s"),
    "Oauth2ImplicitSecurity": _t(
        6, "type:1:s flow:2:s scopes:3:{s} authorizationUrl:4:s description:5:s"
    ),
    "Oauth2PasswordSecurity": _t(6, "type:1:s flow:2:s scopes:3:{s} tokenUrl:4:s description:5:s"),
    "Oauth2ApplicationSecurity": _t(
        6, "type:1:s flow:2:s scopes:3:{s} tokenUrl:4:s description:5:s"
    ),
    "Oauth2AccessCodeSecurity": _t(
        7,
        "type:1:s flow:2:s scopes:3:{s} authorizationUrl:4:s tokenUrl:5:s description:6:s",
    ),
}
# Paths and Responses are maps whose keys also carry vendor extensions, under a pattern.
_PATHS = re.compile(r"^/")
_RESPONSE_CODE = re.compile(r"^([0-9]{3})$|^(default)$")
_SECURITY_FLOWS = {"implicit": 3, "password": 4, "application": 5, "accessCode": 6}
_NON_BODY = {"header": 1, "formData": 2, "query": 3, "path": 4}
_SUB_SCHEMAS = {
    1: "HeaderParameterSubSchema",
    2: "FormDataParameterSubSchema",
    3: "QueryParameterSubSchema",
    4: "PathParameterSubSchema",
}

# --- wire format -------------------------------------------------------------------------

_VARINT, _FIXED64, _BYTES = 0, 1, 2


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int64s are their 64-bit two's complement, ten bytes
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _len_field(number: int, payload: bytes) -> bytes:
    return _key(number, _BYTES) + _varint(len(payload)) + payload


# --- encoding ----------------------------------------------------------------------------

_Fields = list[tuple[int, bytes]]


def _where(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _fail(path: str, message: str) -> OpenAPIV2Error:
    return OpenAPIV2Error(f"{path or 'document'}: {message}")


def _scalar(value: Any, kind: str, path: str) -> bytes:
    """The payload of one scalar field, or b"" for proto3's omitted zero value."""
    if kind == "s":
        if not isinstance(value, str):
            raise _fail(path, f"has unexpected value {value!r} (want a string)")
        return value.encode()
    if kind == "b":
        if not isinstance(value, bool):
            raise _fail(path, f"has unexpected value {value!r} (want a boolean)")
        return b"\x01" if value else b""
    if kind == "i":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(path, f"has unexpected value {value!r} (want an integer)")
        return _varint(value) if value else b""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, f"has unexpected value {value!r} (want a number)")
    return struct.pack("<d", float(value)) if value else b""


def _field(number: int, kind: str, value: Any, path: str) -> _Fields:
    if kind in ("s", "b", "i", "d"):
        payload = _scalar(value, kind, path)
        if not payload:
            return []
        if kind == "s":
            return [(number, _len_field(number, payload))]
        wire = _FIXED64 if kind == "d" else _VARINT
        return [(number, _key(number, wire) + payload)]
    if kind == "S":
        if not isinstance(value, list):
            raise _fail(path, "has unexpected value (want a list of strings)")
        return [(number, _len_field(number, _scalar(v, "s", path))) for v in value]
    if kind == "a":
        return [(number, _len_field(number, _any(value)))]
    if kind == "A":
        if not isinstance(value, list):
            raise _fail(path, "has unexpected value (want a list)")
        return [(number, _len_field(number, _any(v))) for v in value]
    if kind.startswith("["):
        if not isinstance(value, list):
            raise _fail(path, "has unexpected value (want a list)")
        name = kind[1:-1]
        return [
            (number, _len_field(number, _message(name, v, f"{path}[{n}]")))
            for n, v in enumerate(value)
        ]
    if kind.startswith("{"):
        return [(number, _len_field(number, _map(kind[1:-1], value, path)))]
    return [(number, _len_field(number, _message(kind, value, path)))]


def _named(name: str, value_kind: str, value: Any, path: str) -> bytes:
    entry = _len_field(1, name.encode()) if name else b""
    for _, chunk in _field(2, value_kind, value, path):
        entry += chunk
    return entry


def _map(value_kind: str, value: Any, path: str) -> bytes:
    if not isinstance(value, dict):
        raise _fail(path, "has unexpected value (want a map)")
    return b"".join(
        _len_field(1, _named(k, value_kind, v, _where(path, k))) for k, v in value.items()
    )


def _vendor(number: int, key: str, value: Any) -> tuple[int, bytes]:
    return number, _len_field(number, _named(key, "a", value, key))


def _message(name: str, value: Any, path: str) -> bytes:
    if name.endswith("|"):
        return _oneof(name[:-1], value, path)
    if not isinstance(value, dict):
        raise _fail(path, f"has unexpected value (want a {name} object)")
    if name == "Paths":
        return _patterned(value, path, _PATHS, 2, "PathItem", 1)
    if name == "Responses":
        return _patterned(value, path, _RESPONSE_CODE, 1, "ResponseValue|", 2)
    vendor, table = _MESSAGES[name]
    fields: _Fields = []
    for key, v in value.items():
        spec = table.get(key)
        if spec is not None:
            fields.extend(_field(spec[0], spec[1], v, _where(path, key)))
        elif vendor and key.startswith("x-"):
            fields.append(_vendor(vendor, key, v))
        else:
            raise _fail(path, f"has invalid property: {key}")
    # Go's proto.Marshal writes fields in number order; sorted() keeps repeated ones in order.
    return b"".join(chunk for _, chunk in sorted(fields, key=lambda f: f[0]))


def _patterned(
    value: dict[str, Any], path: str, pattern: re.Pattern[str], number: int, kind: str, vendor: int
) -> bytes:
    fields: _Fields = []
    for key, v in value.items():
        if pattern.search(key):
            fields.append((number, _len_field(number, _named(key, kind, v, _where(path, key)))))
        elif key.startswith("x-"):
            fields.append(_vendor(vendor, key, v))
        else:
            raise _fail(path, f"has invalid property: {key}")
    return b"".join(chunk for _, chunk in sorted(fields, key=lambda f: f[0]))


def _oneof(name: str, value: Any, path: str) -> bytes:
    """The oneof wrappers, resolved as gnostic's generated parsers resolve them."""
    if name == "TypeItem":
        # A lone type name or a list of them, as gnostic's NewTypeItem takes either.
        values = [value] if isinstance(value, str) else value
        return b"".join(chunk for _, chunk in _field(1, "S", values, path))
    if name == "ItemsItem":
        if not isinstance(value, dict):
            raise _fail(path, "has unexpected value for item array")
        return _len_field(1, _message("Schema", value, path))
    if name == "AdditionalPropertiesItem":
        if isinstance(value, bool):
            return _key(2, _VARINT) + _varint(int(value))
        return _len_field(1, _message("Schema", value, path))
    if name == "StringArray":
        # A list, unlike the other wrappers: kube-apiserver's `security: [{BearerToken: []}]`.
        return b"".join(chunk for _, chunk in _field(1, "S", value, path))
    if not isinstance(value, dict):
        raise _fail(path, f"contains an invalid {name}")
    if name in ("ParametersItem", "ResponseValue"):
        # Only a JSON reference has "$ref"; neither other choice allows the key.
        if "$ref" in value:
            return _len_field(2, _message("JsonReference", value, path))
        inner = "Parameter|" if name == "ParametersItem" else "Response"
        return _len_field(1, _message(inner, value, path))
    if name == "Parameter":
        if value.get("in") == "body":
            return _len_field(1, _message("BodyParameter", value, path))
        where = _NON_BODY.get(value.get("in", ""))
        if where is None:
            raise _fail(path, "contains an invalid Parameter")
        return _len_field(2, _len_field(where, _message(_SUB_SCHEMAS[where], value, path)))
    if name == "SchemaItem":
        # FileSchema only takes type "file"; anything else parses as a Schema.
        if value.get("type") == "file":
            return _len_field(2, _message("FileSchema", value, path))
        return _len_field(1, _message("Schema", value, path))
    if name == "SecurityDefinitionsItem":
        kind = value.get("type")
        if kind == "basic":
            return _len_field(1, _message("BasicAuthenticationSecurity", value, path))
        if kind == "apiKey":
            return _len_field(2, _message("ApiKeySecurity", value, path))
        flow = _SECURITY_FLOWS.get(value.get("flow", "")) if kind == "oauth2" else None
        if flow is None:
            raise _fail(path, "contains an invalid SecurityDefinitionsItem")
        names = ("Implicit", "Password", "Application", "AccessCode")
        return _len_field(flow, _message(f"Oauth2{names[flow - 3]}Security", value, path))
    if name == "SecurityRequirement":
        return _map("StringArray|", value, path)
    raise _fail(path, f"unknown message {name}")


def encode_document(doc: dict[str, Any]) -> bytes:
    """The gnostic ``openapi.v2.Document`` wire bytes for a parsed Swagger 2.0 document."""
    for key in ("swagger", "info", "paths"):
        if key not in doc:
            raise _fail("", f"is missing required property: {key}")
    return _message("Document", doc, "")


def _any(value: Any) -> bytes:
    """gnostic's Any: only ``yaml`` (field 2) is set."""
    return _len_field(2, yaml_any(value).encode())


def yaml_any(value: Any) -> str:
    """A JSON value as gnostic stores it in ``Any.yaml`` (go-yaml v3's ``yaml.Marshal``)."""
    from kctl.sandbox._yaml3 import dump

    return dump(value)


# --- serving -----------------------------------------------------------------------------


@dataclass(frozen=True)
class V2Body:
    body: bytes
    content_type: str
    etag: str  # quoted, as sent
    last_modified: float


@dataclass
class _Encoded:
    json_body: bytes
    etag: str
    built: float
    proto: bytes | None = None


_CACHE: weakref.WeakKeyDictionary[Any, _Encoded] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _parse_accept(header: str) -> list[tuple[str, str]]:
    """goautoneg.ParseAccept: (type, subtype) by descending q, concrete before wildcards."""
    clauses: list[tuple[str, str, float]] = []
    for part in header.split(","):
        media, *params = part.strip(" ").split(";")
        sp = media.split("/")
        kind = sp[0].strip(" ")
        if len(sp) == 1 and kind == "*":
            sub = "*"
        elif len(sp) == 2:
            sub = sp[1].strip(" ")
        else:
            continue
        q = 1.0
        for param in params:
            name, eq, val = param.partition("=")
            if eq and name.strip(" ") == "q":
                try:
                    q = float(val)
                except ValueError:
                    q = 0.0
        clauses.append((kind, sub, q))

    def less(a: tuple[str, str, float], b: tuple[str, str, float]) -> bool:
        return a[2] > b[2] or (a[0] != "*" and b[0] == "*") or (a[1] != "*" and b[1] == "*")

    # Go sorts these few clauses by insertion, with this (not strictly weak) Less.
    for i in range(1, len(clauses)):
        j = i
        while j > 0 and less(clauses[j], clauses[j - 1]):
            clauses[j], clauses[j - 1] = clauses[j - 1], clauses[j]
            j -= 1
    return [(kind, sub) for kind, sub, _ in clauses]


def negotiate(accept: str) -> str | None:
    """The content type /openapi/v2 answers an Accept header with; None means 406."""
    for kind, sub in _parse_accept(accept or "*/*"):
        for want_kind, want_sub, content_type in _ACCEPTED:
            if kind in (want_kind, "*") and sub in (want_sub, "*"):
                return content_type
    return None


def v2_body(catalog: Any, json_body: bytes, content_type: str) -> V2Body:
    """The body for a negotiated type; the protobuf is encoded once per JSON document."""
    with _LOCK:
        entry = _CACHE.get(catalog)
        if entry is None or entry.json_body is not json_body:
            etag = '"' + hashlib.sha512(json_body).hexdigest().upper() + '"'
            entry = _CACHE[catalog] = _Encoded(json_body, etag, time.time())
    if content_type == JSON_CONTENT_TYPE:
        return V2Body(json_body, content_type, entry.etag, entry.built)
    proto = entry.proto
    if proto is None:
        proto = encode_document(json.loads(json_body))
        with _LOCK:
            entry.proto = proto
    return V2Body(proto, content_type, entry.etag, entry.built)


def _etag_listed(header: str, etag: str) -> bool:
    """net/http's If-None-Match: a list of (weakly compared) entity tags, or *."""
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def not_modified(body: V2Body, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """http.ServeContent's conditional GET: If-None-Match, else If-Modified-Since."""
    if if_none_match is not None:
        return _etag_listed(if_none_match, body.etag)
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        return int(body.last_modified) <= since
    return False


def http_date(ts: float) -> str:
    return formatdate(ts, usegmt=True)
