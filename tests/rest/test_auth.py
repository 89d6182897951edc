"""Authentication, TLS, exec plugins, proxies and -v logging against loopback servers."""

from __future__ import annotations

import datetime
import json
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kctl.errors import AuthConfigError, ConfigError, ConnectError, StatusError
from kctl.rest import (
    AuthProviderConfig,
    Config,
    ExecConfig,
    ExecEnvVar,
    ImpersonationConfig,
    RESTClient,
    TLSClientConfig,
)
from kctl.rest._auth import ExecAuthenticator, FileTokenSource

V1 = "client.authentication.k8s.io/v1"
V1BETA1 = "client.authentication.k8s.io/v1beta1"


def get(config: Config) -> Any:
    return RESTClient(config, base_path="/api/v1").get().resource("pods").do()


def tls_config(ca: Any, **kw: Any) -> TLSClientConfig:
    return TLSClientConfig(ca_data=ca.cert_pem.bytes(), **kw)


@pytest.fixture
def https(serve: Callable[..., Any], server_tls: Callable[..., Any], reply: Any) -> Any:
    return serve(lambda seen: reply(body={}), tls=server_tls())


def test_bearer_token_over_https_only(
    https: Any, ca: Any, serve: Callable[..., Any], reply: Any
) -> None:
    get(Config(host=https.url, bearer_token="s3cret", tls=tls_config(ca)))
    assert https.seen[-1].headers["authorization"] == "Bearer s3cret"
    plain = serve(lambda seen: reply(body={}))
    get(Config(host=plain.url, bearer_token="s3cret"))
    assert "authorization" not in plain.seen[-1].headers


def test_basic_auth_and_conflict(https: Any, ca: Any) -> None:
    get(Config(host=https.url, username="u", password="p", tls=tls_config(ca)))
    assert https.seen[-1].headers["authorization"] == "Basic dTpw"
    with pytest.raises(
        ConfigError, match=r"^username/password or bearer token may be set, but not both$"
    ):
        get(Config(host=https.url, username="u", bearer_token="t", tls=tls_config(ca)))


def test_token_file_wins_and_is_reloaded(https: Any, ca: Any, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("from-file\n")
    get(
        Config(
            host=https.url, bearer_token="static", bearer_token_file=str(token), tls=tls_config(ca)
        )
    )
    assert https.seen[-1].headers["authorization"] == "Bearer from-file"

    now = [0.0]
    source = FileTokenSource(str(token), now=lambda: now[0])
    assert source.token() == "from-file"
    token.write_text("rotated")
    assert source.token() == "from-file"  # cached for about a minute
    now[0] = 61
    assert source.token() == "rotated"
    token.unlink()
    now[0] = 200
    assert source.token() == "rotated"  # the last good token survives a failed read
    with pytest.raises(AuthConfigError, match=r'failed to read token file ".*missing"'):
        FileTokenSource(str(tmp_path / "missing")).token()


def test_impersonation_headers(https: Any, ca: Any) -> None:
    imp = ImpersonationConfig(
        user_name="jane", uid="42", groups=("a", "b"), extra={"scopes/x": ("1", "2")}
    )
    get(Config(host=https.url, impersonate=imp, tls=tls_config(ca)))
    seen = https.seen[-1]
    assert seen.headers["impersonate-user"] == "jane"
    assert seen.headers["impersonate-uid"] == "42"
    assert [v for k, v in seen.all_headers if k == "Impersonate-Group"] == ["a", "b"]
    assert [v for k, v in seen.all_headers if k == "Impersonate-Extra-scopes%2Fx"] == ["1", "2"]


def test_untrusted_server_and_insecure(https: Any, ca: Any) -> None:
    with pytest.raises(ConnectError, match="x509: certificate signed by unknown authority"):
        get(Config(host=https.url))
    get(Config(host=https.url, tls=TLSClientConfig(insecure=True)))
    with pytest.raises(
        ConfigError,
        match=r"^specifying a root certificates file with the insecure flag is not allowed$",
    ):
        get(Config(host=https.url, tls=tls_config(ca, insecure=True)))


def test_tls_server_name(
    serve: Callable[..., Any], server_tls: Callable[..., Any], ca: Any, reply: Any
) -> None:
    srv = serve(lambda seen: reply(body={}), tls=server_tls("kube.example"))
    get(Config(host=srv.url, tls=tls_config(ca, server_name="kube.example")))
    with pytest.raises(ConnectError, match="x509"):
        get(Config(host=srv.url, tls=tls_config(ca)))


def test_client_certificate_from_data_leaves_no_files(
    serve: Callable[..., Any],
    server_tls: Callable[..., Any],
    ca: Any,
    reply: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trustme = pytest.importorskip("trustme")
    client_ca = trustme.CA()
    srv = serve(lambda seen: reply(body={}), tls=server_tls(client_ca=client_ca))
    with pytest.raises(ConnectError):
        get(Config(host=srv.url, tls=tls_config(ca)))
    leaf = client_ca.issue_cert("jane@example")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    tls = tls_config(
        ca, cert_data=leaf.cert_chain_pems[0].bytes(), key_data=leaf.private_key_pem.bytes()
    )
    get(Config(host=srv.url, tls=tls))
    assert list(scratch.iterdir()) == []
    # The same pair from files.
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    get(Config(host=srv.url, tls=tls_config(ca, cert_file=str(cert), key_file=str(key))))


def test_repr_redacts_secrets() -> None:
    text = repr(
        Config(password="pw-x", bearer_token="tok-x", tls=TLSClientConfig(key_data=b"key-x"))
    )
    assert "pw-x" not in text and "tok-x" not in text and "key-x" not in text


def test_auth_provider_is_rejected(https: Any) -> None:
    with pytest.raises(AuthConfigError, match=r"not supported.*exec"):
        get(Config(host=https.url, auth_provider=AuthProviderConfig(name="gcp")))


@pytest.mark.parametrize("level", [6, 7, 8, 9])
def test_verbose_logging_masks_credentials(https: Any, ca: Any, capsys: Any, level: int) -> None:
    get(Config(host=https.url, bearer_token="s3cret-token", tls=tls_config(ca), verbosity=level))
    err = capsys.readouterr().err
    assert "s3cret-token" not in err
    url = f"{https.url}/api/v1/pods"
    assert '"Response" ' in err and 'status="200 OK"' in err and "milliseconds=" in err
    if level == 6:
        assert f'verb="GET" url="{url}" status="200 OK" milliseconds=' in err
    if level in (7, 8):
        assert (
            f'"Request" verb="GET" url="{url}" headers=<\n\tAccept: application/json, */*\n\tAuthorization: Bearer <masked>\n'
            in err
        )
    if level >= 8:
        assert '"Response Body" body="{}"' in err and "\tContent-Type: application/json\n" in err
    if level == 9:
        assert "curl -v -XGET " in err and '-H "Authorization: Bearer <masked>"' in err
        assert f"'{url}'\n >" in err


def plugin(tmp_path: Path, body: str, name: str = "plugin") -> str:
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport json, os, sys\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def cred(token: str, expiry: str | None = None, version: str = V1) -> str:
    status: dict[str, Any] = {"token": token}
    if expiry:
        status["expirationTimestamp"] = expiry
    return json.dumps({"kind": "ExecCredential", "apiVersion": version, "status": status})


def test_exec_plugin_token_env_and_cache(https: Any, ca: Any, tmp_path: Path) -> None:
    log = tmp_path / "runs"
    script = plugin(
        tmp_path,
        f"open({str(log)!r}, 'a').write(os.environ['KUBERNETES_EXEC_INFO'] + '|' + os.environ['FOO'] + '\\n')\n"
        f"print({cred('exec-token')!r})",
    )
    exec_cfg = ExecConfig(
        command=script,
        api_version=V1,
        interactive_mode="Never",
        env=(ExecEnvVar("FOO", "bar"),),
        provide_cluster_info=True,
        cluster={"server": https.url},
    )
    config = Config(host=https.url, exec_provider=exec_cfg, tls=tls_config(ca))
    get(config)
    get(config)
    assert https.seen[-1].headers["authorization"] == "Bearer exec-token"
    runs = log.read_text().splitlines()
    assert len(runs) == 1  # no expiry: cached
    info, foo = runs[0].split("|")
    assert foo == "bar"
    assert json.loads(info) == {
        "kind": "ExecCredential",
        "apiVersion": V1,
        "spec": {"interactive": False, "cluster": {"server": https.url}},
    }


def test_exec_expiry_and_401_rerun(tmp_path: Path) -> None:
    counter = tmp_path / "n"
    script = plugin(
        tmp_path,
        f"p={str(counter)!r}\nn=int(open(p).read()) if os.path.exists(p) else 0\nopen(p,'w').write(str(n+1))\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1', 'kind': 'ExecCredential',"
        " 'status': {'token': 't%d' % n, 'expirationTimestamp': '2030-01-01T00:00:00Z'}}))",
    )
    now = [datetime.datetime(2029, 1, 1, tzinfo=datetime.timezone.utc).timestamp()]
    auth = ExecAuthenticator(
        ExecConfig(command=script, api_version=V1BETA1),
        now=lambda: now[0],
        stdin_is_terminal=lambda: False,
    )
    first = auth.credentials()
    assert first.token == "t0" and auth.credentials() is first
    now[0] += 400 * 86400  # past expirationTimestamp
    second = auth.credentials()
    assert second.token == "t1"
    auth.invalidate(second)  # what a 401 does
    assert auth.credentials().token == "t2"


def test_exec_401_returned_then_plugin_reruns(
    serve: Callable[..., Any], server_tls: Callable[..., Any], ca: Any, reply: Any, tmp_path: Path
) -> None:
    counter = tmp_path / "n"
    script = plugin(
        tmp_path,
        f"p={str(counter)!r}\nn=int(open(p).read()) if os.path.exists(p) else 0\nopen(p,'w').write(str(n+1))\n"
        f"print({cred('TOKEN')!r}.replace('TOKEN', 'tok%d' % n))",
        name="rerun",
    )
    srv = serve(
        lambda seen: reply(
            status=401 if seen.headers["authorization"] == "Bearer tok0" else 200, body={}
        ),
        tls=server_tls(),
    )
    config = Config(
        host=srv.url,
        tls=tls_config(ca),
        exec_provider=ExecConfig(command=script, api_version=V1, interactive_mode="Never"),
    )
    with pytest.raises(StatusError) as info:
        get(config)
    assert info.value.code == 401
    get(config)
    assert srv.seen[-1].headers["authorization"] == "Bearer tok1"


def test_exec_errors(tmp_path: Path) -> None:
    def run(**kw: Any) -> str:
        with pytest.raises(AuthConfigError) as info:
            ExecAuthenticator(ExecConfig(**kw), stdin_is_terminal=lambda: False).credentials()
        return str(info.value)

    missing = run(
        command="no-such-kctl-plugin",
        api_version=V1,
        interactive_mode="Never",
        install_hint="brew it",
    )
    assert missing.startswith(
        "getting credentials: exec: executable no-such-kctl-plugin not found\n\n"
    )
    assert "client-go-credential-plugins" in missing and missing.endswith("\n\nbrew it")
    failing = plugin(tmp_path, "sys.exit(3)", name="failing")
    assert run(command=failing, api_version=V1, interactive_mode="Never") == (
        f"getting credentials: exec: executable {failing} failed with exit code 3"
    )
    assert run(command=failing, api_version=V1) == (
        'getting credentials: exec plugin cannot support interactive mode: unknown interactiveMode: ""'
    )
    assert run(command=failing, api_version=V1, interactive_mode="Always").endswith(
        "standard input is not a terminal"
    )
    assert run(command=failing, api_version="client.authentication.k8s.io/v1alpha1") == (
        'exec plugin: invalid apiVersion "client.authentication.k8s.io/v1alpha1"'
    )
    wrong = plugin(tmp_path, f"print({cred('x', version=V1BETA1)!r})", name="wrong")
    assert run(command=wrong, api_version=V1, interactive_mode="Never").endswith(
        f"exec plugin is configured to use API version {V1}, plugin returned version {V1BETA1}"
    )
    empty = plugin(
        tmp_path,
        f"print(json.dumps({{'apiVersion': {V1!r}, 'kind': 'ExecCredential', 'status': {{}}}}))",
        name="empty",
    )
    assert run(command=empty, api_version=V1, interactive_mode="Never").endswith(
        "exec plugin didn't return a token or cert/key pair"
    )


def test_exec_client_certificate(
    serve: Callable[..., Any], server_tls: Callable[..., Any], ca: Any, reply: Any, tmp_path: Path
) -> None:
    trustme = pytest.importorskip("trustme")
    client_ca = trustme.CA()
    leaf = client_ca.issue_cert("jane")
    status = {
        "clientCertificateData": leaf.cert_chain_pems[0].bytes().decode(),
        "clientKeyData": leaf.private_key_pem.bytes().decode(),
    }
    out = json.dumps({"apiVersion": V1, "kind": "ExecCredential", "status": status})
    script = plugin(tmp_path, f"print({out!r})", name="certplugin")
    srv = serve(lambda seen: reply(body={}), tls=server_tls(client_ca=client_ca))
    get(
        Config(
            host=srv.url,
            tls=tls_config(ca),
            exec_provider=ExecConfig(command=script, api_version=V1, interactive_mode="Never"),
        )
    )
    assert "authorization" not in srv.seen[-1].headers


def test_http_proxy_url(serve: Callable[..., Any], reply: Any) -> None:
    proxy = serve(lambda seen: reply(body={"via": "proxy"}))
    result = get(
        Config(host="http://kube.invalid:8080", proxy=f"http://u:p@127.0.0.1:{proxy.port}")
    )
    assert result.json() == {"via": "proxy"}
    seen = proxy.seen[-1]
    assert seen.path == "http://kube.invalid:8080/api/v1/pods"
    assert seen.headers["proxy-authorization"] == "Basic dTpw"


def test_env_proxy_but_never_for_loopback(
    serve: Callable[..., Any], reply: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = serve(lambda seen: reply(body={"via": "proxy"}))
    direct = serve(lambda seen: reply(body={"via": "direct"}))
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert get(Config(host="http://kube.invalid")).json() == {"via": "proxy"}
    assert get(Config(host=direct.url)).json() == {"via": "direct"}
    monkeypatch.setenv("NO_PROXY", "kube.invalid")
    monkeypatch.setenv("no_proxy", "kube.invalid")
    with pytest.raises(ConnectError):
        get(Config(host="http://kube.invalid", timeout=5))


def test_socks_proxy_needs_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # PySocks is a test dependency; hide it so the missing-extra path runs for real.
    monkeypatch.setitem(sys.modules, "socks", None)
    with pytest.raises(ConfigError, match=r"pip install 'kctl\[socks\]'"):
        get(Config(host="http://kube.invalid", proxy="socks5://127.0.0.1:1"))


def test_import_is_cheap() -> None:
    import subprocess

    code = (
        "import sys, kctl.rest; "
        "print(sorted(m for m in ('ssl', 'http.client', 'requests', 'yaml', 'rich', 'click') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_exec_yaml_output_decodes_without_clientcmd(tmp_path: Path) -> None:
    import subprocess

    yaml_plugin = plugin(
        tmp_path,
        f"print('apiVersion: {V1}\\nkind: ExecCredential\\nstatus:\\n  token: from-yaml')",
        name="yaml-plugin",
    )
    garbage = plugin(tmp_path, "print('not json')", name="garbage")
    code = (
        "import sys\n"
        "from kctl.rest import ExecConfig\n"
        "from kctl.rest._auth import ExecAuthenticator\n"
        "from kctl.errors import AuthConfigError\n"
        f"auth = ExecAuthenticator(ExecConfig(command={yaml_plugin!r}, api_version={V1!r}, "
        "interactive_mode='Never'), stdin_is_terminal=lambda: False)\n"
        "print(auth.credentials().token)\n"
        f"bad = ExecAuthenticator(ExecConfig(command={garbage!r}, api_version={V1!r}, "
        "interactive_mode='Never'), stdin_is_terminal=lambda: False)\n"
        "try:\n"
        "    bad.credentials()\n"
        "except AuthConfigError as err:\n"
        "    print(err)\n"
        "print(sorted(m for m in sys.modules if m.startswith('kctl.clientcmd')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    token, error, clientcmd = out.stdout.splitlines()
    assert token == "from-yaml"
    assert error == (
        "getting credentials: decoding stdout: couldn't get version/kind; json parse error: "
        "json: cannot unmarshal string into Go value of type "
        'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
        'Kind string "json:\\"kind,omitempty\\"" }'
    )
    assert clientcmd == "[]"
