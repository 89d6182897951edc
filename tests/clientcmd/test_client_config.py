"""Overrides, validation and the rest.Config produced (client_config_test.go,
merged_client_builder_test.go, validation_test.go)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kctl.clientcmd import (
    ClientConfigLoadingRules,
    ConfigOverrides,
    DirectClientConfig,
    _client_config,
    build_config_from_flags,
    load,
    new_client_config_from_bytes,
    new_non_interactive_deferred_loading_client_config,
    parse_timeout,
    rest_config_from_kubeconfig,
)
from kctl.errors import ConfigError, ConfigInvalidError, ContextNotFoundError
from kctl.rest import _incluster

BASE = """
apiVersion: v1
kind: Config
clusters:
- name: secure
  cluster:
    server: https://secure.example:6443
    tls-server-name: kube.internal
    certificate-authority-data: Y2EtZGF0YQ==
- name: plain
  cluster:
    server: http://plain.example:8080
users:
- name: alice
  user:
    token: alice-token
- name: bob
  user:
    username: bob
    password: bob-pass
contexts:
- name: sec
  context: {cluster: secure, user: alice, namespace: team-a}
- name: pln
  context: {cluster: plain, user: alice}
current-context: sec
"""


def _direct(text: str = BASE, overrides: ConfigOverrides | None = None) -> DirectClientConfig:
    return DirectClientConfig(load(text), "", overrides or ConfigOverrides())


@pytest.fixture(autouse=True)
def _not_in_cluster(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_PORT", raising=False)
    monkeypatch.delenv("KUBERNETES_MASTER", raising=False)
    monkeypatch.delenv("POD_NAMESPACE", raising=False)
    monkeypatch.setattr(_incluster, "SERVICE_ACCOUNT_DIR", str(tmp_path / "no-sa"))


def test_current_context_resolution() -> None:
    cc = _direct()
    config = cc.client_config()
    assert config.host == "https://secure.example:6443"
    assert config.bearer_token == "alice-token"
    assert config.tls.ca_data == b"ca-data"
    assert config.tls.server_name == "kube.internal"
    assert cc.namespace() == "team-a"
    assert cc.namespace_with_override() == ("team-a", False)


def test_credentials_are_not_sent_to_http_servers() -> None:
    config = _direct(overrides=ConfigOverrides.from_flags(context="pln")).client_config()
    assert config.host == "http://plain.example:8080"
    assert config.bearer_token == ""
    assert config.tls.server_name == ""


def test_namespace_precedence() -> None:
    assert _direct(
        overrides=ConfigOverrides.from_flags(namespace="x")
    ).namespace_with_override() == (
        "x",
        True,
    )
    assert _direct(overrides=ConfigOverrides.from_flags(context="pln")).namespace() == "default"


def test_context_cluster_user_overrides() -> None:
    overrides = ConfigOverrides.from_flags(cluster="plain", user="bob", context="sec")
    cc = _direct(overrides=overrides)
    config = cc.client_config()
    assert config.host == "http://plain.example:8080"
    overrides = ConfigOverrides.from_flags(user="bob")
    config = _direct(overrides=overrides).client_config()
    assert (config.username, config.password, config.bearer_token) == ("bob", "bob-pass", "")


def test_server_override_clears_tls_server_name_unless_given() -> None:
    config = _direct(overrides=ConfigOverrides.from_flags(server="https://other:1")).client_config()
    assert config.host == "https://other:1"
    assert config.tls.server_name == ""
    config = _direct(
        overrides=ConfigOverrides.from_flags(server="https://other:1", tls_server_name="n")
    ).client_config()
    assert config.tls.server_name == "n"


def test_insecure_override_clears_ca_fields() -> None:
    config = _direct(
        overrides=ConfigOverrides.from_flags(insecure_skip_tls_verify=True)
    ).client_config()
    assert config.tls.insecure is True
    assert config.tls.ca_data == b""
    assert config.tls.ca_file == ""


def test_ca_override_replaces_data_and_insecure(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("x")
    text = BASE.replace("tls-server-name: kube.internal", "insecure-skip-tls-verify: true")
    config = _direct(
        text, ConfigOverrides.from_flags(certificate_authority=str(ca))
    ).client_config()
    assert (config.tls.insecure, config.tls.ca_file, config.tls.ca_data) == (False, str(ca), b"")


def test_token_override_and_impersonation_and_timeout() -> None:
    overrides = ConfigOverrides.from_flags(
        token="flag-token",
        as_user="eve",
        as_groups=["g1", "g2"],
        as_uid="42",
        request_timeout="1m30s",
    )
    config = _direct(overrides=overrides).client_config()
    assert config.bearer_token == "flag-token"
    assert config.impersonate.user_name == "eve"
    assert config.impersonate.groups == ("g1", "g2")
    assert config.impersonate.uid == "42"
    assert config.timeout == 90.0


def test_client_cert_override_replaces_file_and_data() -> None:
    text = BASE.replace(
        "    token: alice-token",
        "    client-certificate-data: Y2VydA==\n    client-key-data: a2V5",
    )
    cc = _direct(text, ConfigOverrides.from_flags(client_certificate="/c.crt", client_key="/c.key"))
    auth = cc._get_auth_info()
    assert (auth.client_certificate, auth.client_certificate_data) == ("/c.crt", b"")
    assert (auth.client_key, auth.client_key_data) == ("/c.key", b"")


def test_parse_timeout() -> None:
    assert parse_timeout("5") == 5.0
    assert parse_timeout("2m") == 120.0
    assert parse_timeout("1h2m3s") == 3723.0
    assert parse_timeout("1.5s") == 1.5
    assert parse_timeout("0") == 0.0
    for bad in ("abc", "5x", "-", ""):
        with pytest.raises(ConfigError, match=r"^Invalid timeout value\. Timeout must be a single"):
            parse_timeout(bad)


def test_empty_config_message() -> None:
    with pytest.raises(ConfigInvalidError) as info:
        _direct("").client_config()
    assert str(info.value) == (
        "invalid configuration: no configuration has been provided, try setting "
        "KUBERNETES_MASTER environment variable"
    )


def test_kubectl_defaults_give_localhost_8080(monkeypatch: pytest.MonkeyPatch) -> None:
    config = _direct("", ConfigOverrides.from_flags()).client_config()
    assert config.host == "http://localhost:8080"
    monkeypatch.setenv("KUBERNETES_MASTER", "http://master:1")
    assert _direct("", ConfigOverrides.from_flags()).client_config().host == "http://master:1"


def test_missing_context_texts() -> None:
    with pytest.raises(ConfigError, match=r'^context "nope" does not exist$'):
        _direct(overrides=ConfigOverrides.from_flags(context="nope")).client_config()
    # The deferred loader passes --context on as the context name too, as kubectl does.
    cc = DirectClientConfig(load(BASE), "nope", ConfigOverrides.from_flags(context="nope"))
    with pytest.raises(ContextNotFoundError) as info:
        cc.namespace()
    assert str(info.value) == (
        "invalid configuration: context was not found for specified context: nope"
    )
    # Without kubectl's default server the empty cluster is reported as well.
    cc = DirectClientConfig(load(BASE), "nope", ConfigOverrides())
    with pytest.raises(ConfigInvalidError) as invalid:
        cc.confirm_usable()
    assert str(invalid.value) == (
        "invalid configuration: [context was not found for specified context: nope, "
        "cluster has no server defined]"
    )


def test_missing_cluster_and_user_texts() -> None:
    with pytest.raises(ConfigError, match=r'^cluster "zz" does not exist$'):
        _direct(overrides=ConfigOverrides.from_flags(cluster="zz")).client_config()
    with pytest.raises(ConfigError, match=r'^auth info "zz" does not exist$'):
        _direct(overrides=ConfigOverrides.from_flags(user="zz")).client_config()


def test_cluster_without_server() -> None:
    text = BASE.replace("    server: https://secure.example:6443\n", "")
    with pytest.raises(
        ConfigInvalidError, match=r'^invalid configuration: no server found for cluster "secure"$'
    ):
        _direct(text).client_config()


def test_more_than_one_auth_method() -> None:
    text = BASE.replace("    token: alice-token", "    token: t\n    username: u\n    password: p")
    with pytest.raises(ConfigInvalidError) as info:
        _direct(text).client_config()
    assert str(info.value) == (
        "invalid configuration: more than one authentication method found for alice; "
        "found [token basicAuth], only one is allowed"
    )


def test_several_validation_errors_are_listed(tmp_path: Path) -> None:
    text = BASE.replace(
        "    token: alice-token",
        f"    client-certificate: {tmp_path}/nope.crt",
    ).replace("    tls-server-name: kube.internal", "    proxy-url: ftp://p")
    with pytest.raises(ConfigInvalidError) as info:
        _direct(text).client_config()
    assert info.value.errors == [
        "client-key-data or client-key must be specified for alice to use the clientCert "
        "authentication method.",
        f"unable to read client-cert {tmp_path}/nope.crt for alice due to open "
        f"{tmp_path}/nope.crt: no such file or directory",
        'invalid \'proxy-url\' "ftp://p" for cluster "secure": unsupported scheme "ftp", '
        "must be http, https, or socks5",
    ]
    assert str(info.value).startswith("invalid configuration: [client-key-data or client-key")


def test_exec_validation_and_mapping(tmp_path: Path) -> None:
    text = BASE.replace(
        "    token: alice-token",
        "    exec:\n      command: plugin\n      apiVersion: client.authentication.k8s.io/v1\n",
    )
    with pytest.raises(ConfigInvalidError, match="interactiveMode must be specified for alice"):
        _direct(text).client_config()
    text = BASE.replace(
        "    token: alice-token",
        "    exec:\n      command: plugin\n      args: [a, b]\n"
        "      env: [{name: K, value: V}]\n"
        "      apiVersion: client.authentication.k8s.io/v1\n"
        "      interactiveMode: Never\n      provideClusterInfo: true\n"
        '      installHint: "install \\e[31mit"\n',
    ).replace(
        "    tls-server-name: kube.internal\n",
        "    tls-server-name: kube.internal\n    extensions:\n"
        "    - name: client.authentication.k8s.io/exec\n      extension: {audience: a}\n",
    )
    config = _direct(text).client_config()
    exec_config = config.exec_provider
    assert exec_config is not None
    assert exec_config.command == "plugin"
    assert exec_config.args == ("a", "b")
    assert [(v.name, v.value) for v in exec_config.env] == [("K", "V")]
    assert exec_config.interactive_mode == "Never"
    assert exec_config.install_hint == "install U+001B[31mit"
    assert exec_config.cluster == {
        "server": "https://secure.example:6443",
        "tls-server-name": "kube.internal",
        "certificate-authority-data": "Y2EtZGF0YQ==",
        "config": {"audience": "a"},
    }


def test_token_file_is_read_and_kept(tmp_path: Path) -> None:
    (tmp_path / "tok").write_text("file-token\n")
    text = BASE.replace("    token: alice-token", f"    tokenFile: {tmp_path}/tok")
    config = _direct(text).client_config()
    assert (config.bearer_token, config.bearer_token_file) == ("file-token", f"{tmp_path}/tok")
    text = BASE.replace("    token: alice-token", f"    tokenFile: {tmp_path}/missing")
    with pytest.raises(ConfigError, match="no such file or directory"):
        _direct(text).client_config()


def test_token_beats_token_file_but_file_is_kept(tmp_path: Path) -> None:
    text = BASE.replace("    token: alice-token", "    token: inline\n    tokenFile: /nowhere")
    config = _direct(text).client_config()
    assert (config.bearer_token, config.bearer_token_file) == ("inline", "/nowhere")


def test_auth_provider_and_client_cert_data() -> None:
    text = BASE.replace(
        "    token: alice-token",
        "    auth-provider:\n      name: oidc\n      config: {client-id: k}\n"
        "    client-certificate-data: Y2VydA==\n    client-key-data: a2V5",
    )
    config = _direct(text).client_config()
    assert config.auth_provider is not None
    assert config.auth_provider.name == "oidc"
    assert dict(config.auth_provider.config) == {"client-id": "k"}
    assert (config.tls.cert_data, config.tls.key_data) == (b"cert", b"key")


def test_host_with_path_loses_query() -> None:
    text = BASE.replace("https://secure.example:6443", "https://h:1/prefix?x=1#frag")
    assert _direct(text).client_config().host == "https://h:1/prefix"


# Hosts the urllib-free fast paths decide, and neighbours that must take the full parse.
_HOSTS = [
    "",
    "https://h:1",
    "HTTPS://H",
    "hTtPs://h/p",
    "https://",
    "https:///p",
    "https://?q",
    "https://#f",
    "https://u:p@h",
    "https://h p",
    "https://\th",
    "https://h\n",
    " https://h",
    "https://[::1]:6443",
    "https://[::1",
    "https://::1]",
    "https://h\u00e9",
    "https://\uff48",
    "http://h",
    "HTTP://h:1/p?q#f",
    "http://[::1",
    "https:/h",
    "https:h",
    "h:6443",
    "localhost",
    "ftp://h",
    "https://h/p?x=1#frag",
    "https://h/?x",
    "http://h/p#f",
    "h/p?x",
]


def _reference_is_tls(host: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(host or "localhost")
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc) and parts.scheme.lower() == "https"


def _reference_normalise(host: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    if not host.startswith(("http://", "https://", "HTTP://", "HTTPS://")) and "://" not in host:
        return host
    try:
        parts = urlsplit(host)
    except ValueError:
        return host
    if len(parts.path) > 1 and (parts.query or parts.fragment):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return host


@pytest.mark.parametrize("host", _HOSTS)
def test_host_fast_paths_agree_with_urlsplit(host: str) -> None:
    assert _client_config._is_tls_host(host) is _reference_is_tls(host)
    assert _client_config._normalise_host(host) == _reference_normalise(host)


def test_from_bytes_and_rest_config_from_kubeconfig() -> None:
    cc = new_client_config_from_bytes(BASE.encode())
    assert cc.namespace() == "team-a"
    assert cc.raw_config().current_context == "sec"
    assert rest_config_from_kubeconfig(BASE).bearer_token == "alice-token"


def test_deferred_loading_uses_files_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(BASE)
    rules = ClientConfigLoadingRules(precedence=[str(path)])
    cc = new_non_interactive_deferred_loading_client_config(
        rules, ConfigOverrides.from_flags(namespace="ns1")
    )
    assert cc.namespace_with_override() == ("ns1", True)
    assert cc.client_config().bearer_token == "alice-token"
    assert cc.raw_config().contexts["sec"].namespace == "team-a"


def _service_account(root: Path, namespace: str = "sa-ns") -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "token").write_text("sa-token")
    (root / "namespace").write_text(namespace + "\n")


def test_deferred_falls_back_to_in_cluster(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = tmp_path / "sa"
    _service_account(root)
    monkeypatch.setattr(_incluster, "SERVICE_ACCOUNT_DIR", str(root))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    rules = ClientConfigLoadingRules(precedence=[str(tmp_path / "missing")])
    cc = new_non_interactive_deferred_loading_client_config(rules, ConfigOverrides())
    config = cc.client_config()
    assert (config.host, config.bearer_token) == ("https://10.0.0.1:443", "sa-token")
    assert cc.namespace() == "sa-ns"
    # kubectl's default server counts as "nothing configured" for the default rules only.
    rules = ClientConfigLoadingRules(precedence=[], use_default_client_config=True)
    cc = new_non_interactive_deferred_loading_client_config(
        rules, ConfigOverrides.from_flags(server="https://flag:1")
    )
    assert cc.client_config().host == "https://flag:1"
    cc = new_non_interactive_deferred_loading_client_config(rules, ConfigOverrides.from_flags())
    assert cc.client_config().host == "https://10.0.0.1:443"
    # An explicit namespace in the kubeconfig context beats the pod's namespace.
    path = tmp_path / "config"
    path.write_text(BASE)
    cc = new_non_interactive_deferred_loading_client_config(
        ClientConfigLoadingRules(precedence=[str(path)]), ConfigOverrides()
    )
    assert cc.namespace() == "team-a"


def test_build_config_from_flags(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "config"
    path.write_text(BASE)
    monkeypatch.setenv("KUBECONFIG", str(path))
    monkeypatch.setenv("HOME", str(tmp_path))
    with (
        caplog.at_level(logging.WARNING, logger="kctl.clientcmd"),
        pytest.raises(ConfigInvalidError, match="no configuration has been provided"),
    ):
        build_config_from_flags("", "")
    assert [r.getMessage() for r in caplog.records] == [
        "Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  "
        "This might not work.",
        "error creating inClusterConfig, falling back to default config: unable to load "
        "in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must "
        "be defined",
    ]
    assert build_config_from_flags("", str(path)).bearer_token == "alice-token"
    config = build_config_from_flags("https://master:9", str(path))
    assert (config.host, config.bearer_token) == ("https://master:9", "alice-token")
    assert build_config_from_flags("http://m:1", "").host == "http://m:1"


def test_build_config_from_flags_in_cluster(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = tmp_path / "sa"
    _service_account(root)
    monkeypatch.setattr(_incluster, "SERVICE_ACCOUNT_DIR", str(root))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "fd00::1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "6443")
    assert build_config_from_flags("", "").host == "https://[fd00::1]:6443"
