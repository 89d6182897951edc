"""clientcmdapi: the in-memory kubeconfig, and its v1 wire form (decode and encode).

The types are mutable like client-go's internal clientcmdapi types: the loader merges into
them and the writer edits them. Names are keyed maps here; the v1 wire form uses named lists.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AuthInfo",
    "AuthProvider",
    "Cluster",
    "Context",
    "Exec",
    "Kubeconfig",
    "Preferences",
    "decode_v1",
    "encode_v1",
]

# The key of the cluster extension handed to exec plugins as spec.cluster.config.
CLUSTER_EXEC_EXTENSION = "client.authentication.k8s.io/exec"


@dataclass
class Cluster:
    server: str = ""
    tls_server_name: str = ""
    insecure_skip_tls_verify: bool = False
    certificate_authority: str = ""
    certificate_authority_data: bytes = b""
    proxy_url: str = ""
    disable_compression: bool = False
    extensions: dict[str, Any] = field(default_factory=dict)
    # The file this entry was read from; compared like client-go's DeepEqual does.
    location_of_origin: str = ""


@dataclass
class AuthProvider:
    name: str = ""
    config: dict[str, str] | None = None

    def __repr__(self) -> str:
        # As client-go's AuthProviderConfig.String(): the config holds id/refresh tokens.
        config = "None" if self.config is None else "<redacted>"
        return f"AuthProvider(name={self.name!r}, config={config})"


@dataclass
class Exec:
    command: str = ""
    args: list[str] | None = None
    env: list[dict[str, str]] | None = None
    api_version: str = ""
    install_hint: str = ""
    provide_cluster_info: bool = False
    interactive_mode: str = ""

    def __repr__(self) -> str:
        # As client-go's ExecConfig.String(): arguments and environment often carry secrets.
        return (
            f"Exec(command={self.command!r}, args={'<redacted>' if self.args else self.args!r}, "
            f"env={'<redacted>' if self.env else self.env!r}, api_version={self.api_version!r}, "
            f"install_hint={self.install_hint!r}, "
            f"provide_cluster_info={self.provide_cluster_info!r}, "
            f"interactive_mode={self.interactive_mode!r})"
        )


@dataclass
class AuthInfo:
    client_certificate: str = ""
    client_certificate_data: bytes = b""
    client_key: str = ""
    client_key_data: bytes = b""
    token: str = ""
    token_file: str = ""
    impersonate: str = ""
    impersonate_uid: str = ""
    impersonate_groups: list[str] = field(default_factory=list)
    impersonate_user_extra: dict[str, list[str]] = field(default_factory=dict)
    username: str = ""
    password: str = ""
    auth_provider: AuthProvider | None = None
    exec: Exec | None = None
    extensions: dict[str, Any] = field(default_factory=dict)
    location_of_origin: str = ""

    def __repr__(self) -> str:
        # Never let a token, password or key reach a log through repr().
        return (
            f"AuthInfo(token={'<redacted>' if self.token else ''!r}, "
            f"token_file={self.token_file!r}, username={self.username!r}, "
            f"client_certificate={self.client_certificate!r}, client_key={self.client_key!r}, "
            f"exec={self.exec!r}, auth_provider={'<set>' if self.auth_provider else None})"
        )


@dataclass
class Context:
    cluster: str = ""
    auth_info: str = ""
    namespace: str = ""
    extensions: dict[str, Any] = field(default_factory=dict)
    location_of_origin: str = ""


@dataclass
class Preferences:
    colors: bool = False
    extensions: dict[str, Any] = field(default_factory=dict)


@dataclass
class Kubeconfig:
    """clientcmdapi.Config: a whole (possibly merged) kubeconfig."""

    preferences: Preferences = field(default_factory=Preferences)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    auth_infos: dict[str, AuthInfo] = field(default_factory=dict)
    contexts: dict[str, Context] = field(default_factory=dict)
    current_context: str = ""
    extensions: dict[str, Any] = field(default_factory=dict)


class DecodeError(ValueError):
    """The document is not a valid v1 kubeconfig; the text is the whole message."""


# -- decoding -------------------------------------------------------------------------------

_GO_TYPES = {str: "string", bool: "bool", list: "array", dict: "object"}


def _type_error(value: Any, where: str, want: str) -> DecodeError:
    got = "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    got = got or _GO_TYPES.get(type(value), type(value).__name__)
    return DecodeError(f"json: cannot unmarshal {got} into Go struct field {where} of type {want}")


def _str(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _type_error(value, f"{where}.{key}", "string")
    return value


def _bool(obj: dict[str, Any], key: str, where: str) -> bool:
    value = obj.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _type_error(value, f"{where}.{key}", "bool")
    return value


def _bytes(obj: dict[str, Any], key: str, where: str) -> bytes:
    value = _str(obj, key, where)
    if not value:
        return b""
    bad = _base64_error_offset(value)
    if bad is not None:
        raise DecodeError(f"illegal base64 data at input byte {bad}")
    return base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)


_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _base64_error_offset(text: str) -> int | None:
    """Where Go's base64.StdEncoding stops on ``text`` (its CorruptInputError), or None.

    Go skips CR and LF anywhere, wants padding, and names the first byte it cannot use.
    """
    n, si = len(text), 0
    while si < n:
        j = 0
        while j < 4:
            if si == n:
                return None if j == 0 else si - j
            ch = text[si]
            si += 1
            if ch in "\r\n":
                continue
            if ch in _B64_ALPHABET:
                j += 1
                continue
            if ch != "=" or j < 2:
                return si - 1
            if j == 2:
                while si < n and text[si] in "\r\n":
                    si += 1
                if si == n:
                    return n
                if text[si] != "=":
                    return si - 1
                si += 1
            while si < n and text[si] in "\r\n":
                si += 1
            return si if si < n else None
    return None


def _obj(value: Any, where: str, want: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _type_error(value, where, want)
    return value


def _list(value: Any, where: str, want: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _type_error(value, where, want)
    return value


def _str_list(value: Any, where: str) -> list[str]:
    items = _list(value, where, "[]string")
    for item in items:
        if not isinstance(item, str):
            raise _type_error(item, where, "string")
    return list(items)


def _extensions(value: Any, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in _list(value, where, "[]v1.NamedExtension"):
        entry = _obj(item, where, "v1.NamedExtension")
        out[_str(entry, "name", "NamedExtension")] = entry.get("extension")
    return out


def _named(value: Any, where: str, kind: str, inner: str) -> list[tuple[str, dict[str, Any]]]:
    items = _list(value, f"Config.{where}", f"[]v1.Named{kind}")
    seen: set[str] = set()
    out: list[tuple[str, dict[str, Any]]] = []
    for item in items:
        entry = _obj(item, f"Config.{where}", f"v1.Named{kind}")
        name = _str(entry, "name", f"Named{kind}")
        if name in seen:
            api_kind = "AuthInfo" if kind == "AuthInfo" else kind
            raise DecodeError(
                f"error converting *[]Named{kind} into *map[string]*api.{api_kind}: "
                f'duplicate name "{name}" in list'
            )
        seen.add(name)
        out.append((name, _obj(entry.get(inner), f"Named{kind}.{inner}", f"v1.{kind}")))
    return out


def _decode_cluster(c: dict[str, Any]) -> Cluster:
    w = "Cluster"
    return Cluster(
        server=_str(c, "server", w),
        tls_server_name=_str(c, "tls-server-name", w),
        insecure_skip_tls_verify=_bool(c, "insecure-skip-tls-verify", w),
        certificate_authority=_str(c, "certificate-authority", w),
        certificate_authority_data=_bytes(c, "certificate-authority-data", w),
        proxy_url=_str(c, "proxy-url", w),
        disable_compression=_bool(c, "disable-compression", w),
        extensions=_extensions(c.get("extensions"), "Cluster.extensions"),
    )


def _decode_exec(e: dict[str, Any]) -> Exec:
    w = "ExecConfig"
    env: list[dict[str, str]] | None = None
    if e.get("env") is not None:
        env = []
        for item in _list(e["env"], "ExecConfig.env", "[]v1.ExecEnvVar"):
            var = _obj(item, "ExecConfig.env", "v1.ExecEnvVar")
            env.append(
                {"name": _str(var, "name", "ExecEnvVar"), "value": _str(var, "value", "ExecEnvVar")}
            )
    api_version = _str(e, "apiVersion", w)
    mode = _str(e, "interactiveMode", w)
    if not mode and api_version in (
        "client.authentication.k8s.io/v1beta1",
        "client.authentication.k8s.io/v1alpha1",
    ):
        # v1 defaulting: older plugin APIs default to IfAvailable; v1 must say it.
        mode = "IfAvailable"
    return Exec(
        command=_str(e, "command", w),
        args=None if e.get("args") is None else _str_list(e["args"], "ExecConfig.args"),
        env=env,
        api_version=api_version,
        install_hint=_str(e, "installHint", w),
        provide_cluster_info=_bool(e, "provideClusterInfo", w),
        interactive_mode=mode,
    )


def _decode_auth_info(u: dict[str, Any]) -> AuthInfo:
    w = "AuthInfo"
    provider = None
    if u.get("auth-provider") is not None:
        ap = _obj(u["auth-provider"], "AuthInfo.auth-provider", "v1.AuthProviderConfig")
        cfg = _obj(ap.get("config"), "AuthProviderConfig.config", "map[string]string")
        provider = AuthProvider(
            name=_str(ap, "name", "AuthProviderConfig"),
            config=None if ap.get("config") is None else {str(k): str(v) for k, v in cfg.items()},
        )
    exec_ = None
    if u.get("exec") is not None:
        exec_ = _decode_exec(_obj(u["exec"], "AuthInfo.exec", "v1.ExecConfig"))
    extra = _obj(u.get("as-user-extra"), "AuthInfo.as-user-extra", "map[string][]string")
    return AuthInfo(
        client_certificate=_str(u, "client-certificate", w),
        client_certificate_data=_bytes(u, "client-certificate-data", w),
        client_key=_str(u, "client-key", w),
        client_key_data=_bytes(u, "client-key-data", w),
        token=_str(u, "token", w),
        token_file=_str(u, "tokenFile", w),
        impersonate=_str(u, "as", w),
        impersonate_uid=_str(u, "as-uid", w),
        impersonate_groups=_str_list(u.get("as-groups"), "AuthInfo.as-groups"),
        impersonate_user_extra={
            str(k): _str_list(v, "AuthInfo.as-user-extra") for k, v in extra.items()
        },
        username=_str(u, "username", w),
        password=_str(u, "password", w),
        auth_provider=provider,
        exec=exec_,
        extensions=_extensions(u.get("extensions"), "AuthInfo.extensions"),
    )


def _decode_context(c: dict[str, Any]) -> Context:
    w = "Context"
    return Context(
        cluster=_str(c, "cluster", w),
        auth_info=_str(c, "user", w),
        namespace=_str(c, "namespace", w),
        extensions=_extensions(c.get("extensions"), "Context.extensions"),
    )


def decode_v1(doc: Any) -> Kubeconfig:
    """A parsed v1 kubeconfig document (dicts and lists) as a Kubeconfig."""
    if doc is None:
        return Kubeconfig()
    if not isinstance(doc, dict):
        from kctl.util._typemeta import version_kind_error

        raise DecodeError(version_kind_error(doc))
    api_version = doc.get("apiVersion")
    if api_version not in (None, "", "v1"):
        raise DecodeError(
            f'no kind "{doc.get("kind") or "Config"}" is registered for version '
            f'"{api_version}" in scheme "k8s.io/client-go/tools/clientcmd/api/latest/latest.go:50"'
        )
    prefs = _obj(doc.get("preferences"), "Config.preferences", "v1.Preferences")
    return Kubeconfig(
        preferences=Preferences(
            colors=_bool(prefs, "colors", "Preferences"),
            extensions=_extensions(prefs.get("extensions"), "Preferences.extensions"),
        ),
        clusters={
            n: _decode_cluster(c)
            for n, c in _named(doc.get("clusters"), "clusters", "Cluster", "cluster")
        },
        auth_infos={
            n: _decode_auth_info(u)
            for n, u in _named(doc.get("users"), "users", "AuthInfo", "user")
        },
        contexts={
            n: _decode_context(c)
            for n, c in _named(doc.get("contexts"), "contexts", "Context", "context")
        },
        current_context=_str(doc, "current-context", "Config"),
        extensions=_extensions(doc.get("extensions"), "Config.extensions"),
    )


# -- encoding -------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _encode_extensions(ext: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": name, "extension": ext[name]} for name in sorted(ext)]


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """``omitempty``: zero values are left out."""
    if value:
        out[key] = value


def _encode_cluster(c: Cluster) -> dict[str, Any]:
    out: dict[str, Any] = {"server": c.server}
    _put(out, "tls-server-name", c.tls_server_name)
    _put(out, "insecure-skip-tls-verify", c.insecure_skip_tls_verify)
    _put(out, "certificate-authority", c.certificate_authority)
    _put(out, "certificate-authority-data", _b64(c.certificate_authority_data))
    _put(out, "proxy-url", c.proxy_url)
    _put(out, "disable-compression", c.disable_compression)
    _put(out, "extensions", _encode_extensions(c.extensions))
    return out


def _encode_auth_info(u: AuthInfo) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "client-certificate", u.client_certificate)
    _put(out, "client-certificate-data", _b64(u.client_certificate_data))
    _put(out, "client-key", u.client_key)
    _put(out, "client-key-data", _b64(u.client_key_data))
    _put(out, "token", u.token)
    _put(out, "tokenFile", u.token_file)
    _put(out, "as", u.impersonate)
    _put(out, "as-uid", u.impersonate_uid)
    _put(out, "as-groups", list(u.impersonate_groups))
    _put(out, "as-user-extra", {k: list(v) for k, v in u.impersonate_user_extra.items()})
    _put(out, "username", u.username)
    _put(out, "password", u.password)
    if u.auth_provider is not None:
        out["auth-provider"] = {
            "name": u.auth_provider.name,
            "config": None if u.auth_provider.config is None else dict(u.auth_provider.config),
        }
    if u.exec is not None:
        e = u.exec
        exec_out: dict[str, Any] = {
            "command": e.command,
            "args": None if e.args is None else list(e.args),
            "env": None if e.env is None else [dict(v) for v in e.env],
        }
        _put(exec_out, "apiVersion", e.api_version)
        _put(exec_out, "installHint", e.install_hint)
        exec_out["provideClusterInfo"] = e.provide_cluster_info
        _put(exec_out, "interactiveMode", e.interactive_mode)
        out["exec"] = exec_out
    _put(out, "extensions", _encode_extensions(u.extensions))
    return out


def _encode_context(c: Context) -> dict[str, Any]:
    out: dict[str, Any] = {"cluster": c.cluster, "user": c.auth_info}
    _put(out, "namespace", c.namespace)
    _put(out, "extensions", _encode_extensions(c.extensions))
    return out


def encode_v1(config: Kubeconfig) -> dict[str, Any]:
    """The v1 wire form, keys in client-go's struct order, named lists sorted by name."""
    out: dict[str, Any] = {"kind": "Config", "apiVersion": "v1"}
    prefs: dict[str, Any] = {}
    _put(prefs, "colors", config.preferences.colors)
    _put(prefs, "extensions", _encode_extensions(config.preferences.extensions))
    # Preferences is `omitzero`: an all-default value disappears.
    _put(out, "preferences", prefs)
    out["clusters"] = [
        {"name": n, "cluster": _encode_cluster(config.clusters[n])} for n in sorted(config.clusters)
    ] or None
    out["users"] = [
        {"name": n, "user": _encode_auth_info(config.auth_infos[n])}
        for n in sorted(config.auth_infos)
    ] or None
    out["contexts"] = [
        {"name": n, "context": _encode_context(config.contexts[n])} for n in sorted(config.contexts)
    ] or None
    out["current-context"] = config.current_context
    _put(out, "extensions", _encode_extensions(config.extensions))
    return out


def clean_ansi_escape_codes(text: str) -> str:
    """client-go's cleanANSIEscapeCodes: keep letters, marks, numbers, punctuation, symbols,
    separators and \\t..\\r; anything else (ESC above all) becomes its U+XXXX form."""
    import unicodedata  # only exec plugin configs get here

    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LMNPSZ" or "\t" <= ch <= "\r":
            out.append(ch)
        else:
            out.append(f"U+{ord(ch):04X}")
    return "".join(out)
