"""The WebSocket executor against a scripted server: channels, v5 close signal, v4 fallback,
resize, exit codes, refused upgrades and connections that drop."""

from __future__ import annotations

import io
import json
import queue
import ssl
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from kctl.errors import CodeExitError, ConnectError, StreamError, UpgradeFailureError
from kctl.kubernetes import new_for_config
from kctl.rest import Config, ImpersonationConfig, TLSClientConfig
from kctl.tools.remotecommand import (
    STREAM_PROTOCOL_V4,
    STREAM_PROTOCOL_V5,
    TerminalSize,
    decode_error_channel,
    new_websocket_executor,
)

SUCCESS = json.dumps({"metadata": {}, "status": "Success"}).encode()


def exit_status(code: str) -> bytes:
    return json.dumps(
        {
            "metadata": {},
            "status": "Failure",
            "message": f"command terminated with non-zero exit code: exit status {code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code}]},
        }
    ).encode()


def run(server: Any, **kw: Any) -> tuple[bytes, bytes, Any]:
    out, err = io.BytesIO(), io.BytesIO()
    executor = new_websocket_executor(server.config(), server.url + "/api/v1/x")
    executor.stream(stdout=out, stderr=err, **kw)
    return out.getvalue(), err.getvalue(), executor


def test_stdout_stderr_and_success_over_v5(ws_server: Any) -> None:
    def script(s: Any) -> None:
        s.send(1, b"")  # an empty frame opens a channel, and writes nothing
        s.send(1, b"hello\n")
        s.send(2, b"oops\n")
        s.send(1, b"world\n")
        s.send(3, SUCCESS)
        s.close()

    server = ws_server(script)
    out, err, executor = run(server)
    assert (out, err) == (b"hello\nworld\n", b"oops\n")
    assert executor.negotiated == STREAM_PROTOCOL_V5
    # v5 first, v4 as the fallback, in the one header.
    assert server.handshakes[0].protocols == [STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4]


def test_exit_code_is_a_typed_error(ws_server: Any) -> None:
    def script(s: Any) -> None:
        s.send(2, b"bad\n")
        s.send(3, exit_status("3"))
        s.close()

    with pytest.raises(CodeExitError) as caught:
        run(ws_server(script))
    assert caught.value.code == 3
    assert str(caught.value) == "command terminated with exit code 3"


def test_stdin_ends_with_the_v5_close_signal(ws_server: Any) -> None:
    def script(s: Any) -> None:
        received = b""
        while (message := s.recv()) != bytes([255, 0]):
            assert message is not None and message[0] == 0
            received += message[1:]
        s.send(1, received.upper())
        s.send(3, SUCCESS)
        s.close()

    out, _, executor = run(ws_server(script), stdin=io.BytesIO(b"abc" * 50000))
    assert out == b"ABC" * 50000
    assert executor.negotiated == STREAM_PROTOCOL_V5


def test_v4_fallback_sends_stdin_without_the_close_signal(ws_server: Any) -> None:
    seen: list[bytes] = []

    def script(s: Any) -> None:
        received = b""
        while received != b"abc":
            message = s.recv()
            assert message is not None
            seen.append(message)
            received += message[1:]
        s.send(1, received)
        s.send(3, SUCCESS)
        s.send_close()
        # Whatever else the client sends before its own close is recorded.
        while (message := s.recv()) is not None:
            seen.append(message)
        s.sock.close()

    server = ws_server(script, protocols=(STREAM_PROTOCOL_V4,))
    out, _, executor = run(server, stdin=io.BytesIO(b"abc"))
    assert out == b"abc"
    assert executor.negotiated == STREAM_PROTOCOL_V4
    assert bytes([255, 0]) not in seen
    assert all(m[0] == 0 for m in seen)


def test_resize_messages_on_channel_4(ws_server: Any) -> None:
    sizes: queue.Queue[TerminalSize | None] = queue.Queue()
    for size in (TerminalSize(80, 24), TerminalSize(132, 43), None):
        sizes.put(size)

    class Queue:
        def next(self) -> TerminalSize | None:
            return sizes.get()

    def script(s: Any) -> None:
        got = [s.recv(), s.recv()]
        s.send(1, b"|".join(m[1:] for m in got if m and m[0] == 4))
        s.send(3, SUCCESS)
        s.close()

    out, _, _ = run(ws_server(script), tty=True, terminal_size_queue=Queue())
    assert out == b'{"Width":80,"Height":24}|{"Width":132,"Height":43}'


def test_refused_upgrade_with_a_status(ws_server: Any) -> None:
    status = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "nope" not found',
        "reason": "NotFound",
        "code": 404,
    }
    refuse = (404, json.dumps(status).encode(), "application/json")
    server = ws_server(lambda s: None, refuse=refuse)
    with pytest.raises(UpgradeFailureError) as caught:
        run(server)
    assert str(caught.value) == 'unable to upgrade streaming request: pods "nope" not found'
    assert caught.value.status is not None
    assert caught.value.status["reason"] == "NotFound"


def test_refused_upgrade_without_a_status(ws_server: Any) -> None:
    refuse = (400, b"container nope is not valid for pod x\n", "text/plain")
    with pytest.raises(UpgradeFailureError) as caught:
        run(ws_server(lambda s: None, refuse=refuse))
    assert str(caught.value) == (
        "unable to upgrade streaming request: websocket: bad handshake (400 Bad Request): "
        "container nope is not valid for pod x"
    )


def test_a_server_that_picks_no_known_protocol(ws_server: Any) -> None:
    server = ws_server(lambda s: s.close(), protocols=("v1.channel.k8s.io",))
    with pytest.raises(UpgradeFailureError, match="unable to upgrade streaming request"):
        run(server)


def test_connection_dropped_mid_stream(ws_server: Any) -> None:
    def script(s: Any) -> None:
        s.send(1, b"partial")
        s.reset()

    with pytest.raises(StreamError, match=r"^error reading from error stream: next reader: "):
        run(ws_server(script))


def test_connection_closed_without_a_close_frame(ws_server: Any) -> None:
    def script(s: Any) -> None:
        s.send(1, b"partial")
        s.sock.close()

    with pytest.raises(StreamError) as caught:
        run(ws_server(script))
    assert str(caught.value) == (
        "error reading from error stream: next reader: "
        "websocket: close 1006 (abnormal closure): unexpected EOF"
    )


def test_normal_close_without_an_error_message_is_success(ws_server: Any) -> None:
    def script(s: Any) -> None:
        s.send(1, b"done")
        s.close()

    out, _, _ = run(ws_server(script))
    assert out == b"done"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (SUCCESS, None),
        (exit_status("256"), 'error stream protocol error: invalid exit code value "256"'),
        (
            json.dumps({"status": "Failure", "message": "boom"}).encode(),
            "boom",
        ),
        (
            json.dumps({"status": "Failure", "reason": "NonZeroExitCode"}).encode(),
            "error stream protocol error: details must be set",
        ),
        (
            json.dumps({"status": "Weird"}).encode(),
            "error stream protocol error: unknown error",
        ),
    ],
)
def test_error_channel_decoding(message: bytes, expected: Any) -> None:
    err = decode_error_channel(message)
    if expected is None:
        assert err is None
    else:
        assert str(err) == expected


def test_pods_exec_sends_kubectls_query_and_headers(ws_server: Any) -> None:
    def script(s: Any) -> None:
        s.send(1, b"ok")
        s.send(3, SUCCESS)
        s.close()

    server = ws_server(script)
    config = server.config(
        user_agent="kctl-test/1.0", impersonate=ImpersonationConfig(user_name="alice")
    )
    out = io.BytesIO()
    pods = new_for_config(config).core_v1().pods("ns1")
    pods.exec("web", ["sh", "-c", "echo ok"], container="c1", stdout=out)
    assert out.getvalue() == b"ok"
    hs = server.handshakes[0]
    url = urlsplit(hs.target)
    assert url.path == "/api/v1/namespaces/ns1/pods/web/exec"
    assert parse_qs(url.query) == {
        "command": ["sh", "-c", "echo ok"],
        "container": ["c1"],
        "stdout": ["true"],
    }
    assert hs.headers["user-agent"] == "kctl-test/1.0"
    assert hs.headers["impersonate-user"] == "alice"


# -- the upgrade uses the config's TLS, credentials and proxy -------------------------------


def _echo_ok(s: Any) -> None:
    s.send(1, b"ok")
    s.send(3, SUCCESS)
    s.close()


def _server_tls(ca: Any, *names: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(*names).configure_cert(ctx)
    return ctx


def test_https_with_ca_bearer_token_and_tls_server_name(ws_server: Any, ca: Any) -> None:
    server = ws_server(_echo_ok, tls=_server_tls(ca, "api.internal"))
    config = Config(
        host=server.url,
        bearer_token="s3cret",
        tls=TLSClientConfig(ca_data=ca.cert_pem.bytes(), server_name="api.internal"),
    )
    out, _, _ = run_with(config, server)
    assert out == b"ok"
    assert server.handshakes[0].headers["authorization"] == "Bearer s3cret"


def test_https_with_an_unknown_ca_fails_to_connect(ws_server: Any, ca: Any) -> None:
    import trustme

    server = ws_server(_echo_ok, tls=_server_tls(ca, "127.0.0.1"))
    other = trustme.CA()
    config = Config(host=server.url, tls=TLSClientConfig(ca_data=other.cert_pem.bytes()))
    with pytest.raises(ConnectError, match="certificate signed by unknown authority"):
        run_with(config, server)
    assert server.handshakes == []


def test_client_certificate_from_data(ws_server: Any, ca: Any) -> None:
    tls = _server_tls(ca, "127.0.0.1")
    ca.configure_trust(tls)
    tls.verify_mode = ssl.CERT_REQUIRED
    server = ws_server(_echo_ok, tls=tls)
    client = ca.issue_cert("alice@example.com")
    config = Config(
        host=server.url,
        tls=TLSClientConfig(
            ca_data=ca.cert_pem.bytes(),
            cert_data=client.cert_chain_pems[0].bytes(),
            key_data=client.private_key_pem.bytes(),
        ),
    )
    out, _, _ = run_with(config, server)
    assert out == b"ok"


def test_https_through_a_connect_proxy(ws_server: Any, ca: Any, connect_proxy: Any) -> None:
    server = ws_server(_echo_ok, tls=_server_tls(ca, "127.0.0.1"))
    config = Config(
        host=server.url, proxy=connect_proxy.url, tls=TLSClientConfig(ca_data=ca.cert_pem.bytes())
    )
    out, _, _ = run_with(config, server)
    assert out == b"ok"
    assert connect_proxy.heads[0].startswith(f"CONNECT 127.0.0.1:{server.port} ".encode())


def test_http_through_a_connect_proxy(ws_server: Any, connect_proxy: Any) -> None:
    # Go's WebSocket dialer tunnels through an http proxy even to an http server.
    server = ws_server(_echo_ok)
    out, _, _ = run_with(Config(host=server.url, proxy=connect_proxy.url), server)
    assert out == b"ok"
    assert connect_proxy.heads[0].startswith(f"CONNECT 127.0.0.1:{server.port} ".encode())


def test_refused_connection_is_kubectls_dial_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = Config(host=f"http://127.0.0.1:{port}")
    with pytest.raises(ConnectError) as caught:
        new_websocket_executor(config, f"http://127.0.0.1:{port}/x").stream()
    assert str(caught.value) == (
        f'Get "http://127.0.0.1:{port}/x": dial tcp 127.0.0.1:{port}: connect: connection refused'
    )


def run_with(config: Config, server: Any, url: str = "") -> tuple[bytes, bytes, Any]:
    out, err = io.BytesIO(), io.BytesIO()
    executor = new_websocket_executor(config, (url or server.url) + "/api/v1/x")
    executor.stream(stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), executor


def test_https_through_a_socks5_proxy(ws_server: Any, ca: Any, socks_proxy: Any) -> None:
    server = ws_server(_echo_ok, tls=_server_tls(ca, "127.0.0.1"))
    config = Config(
        host=server.url, proxy=socks_proxy.url, tls=TLSClientConfig(ca_data=ca.cert_pem.bytes())
    )
    out, _, _ = run_with(config, server)
    assert out == b"ok"
    assert socks_proxy.targets == [f"127.0.0.1:{server.port}"]


def test_environment_proxy_and_no_proxy(
    ws_server: Any, connect_proxy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY applies to the upgrade as to any request, and so does NO_PROXY."""
    server = ws_server(_echo_ok)
    host = f"http://kctl-ws.test:{server.port}"
    monkeypatch.setenv("HTTP_PROXY", connect_proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    out, _, _ = run_with(Config(host=host), server, url=host)
    assert out == b"ok"
    assert connect_proxy.heads[0].startswith(f"CONNECT kctl-ws.test:{server.port} ".encode())
    monkeypatch.setenv("NO_PROXY", "kctl-ws.test")
    with pytest.raises(ConnectError, match=r"lookup kctl-ws\.test: no such host"):
        run_with(Config(host=host), server, url=host)


def test_exec_plugin_token_and_basic_auth(ws_server: Any, ca: Any, tmp_path: Any) -> None:
    import json
    import stat
    import sys

    from kctl.rest import ExecConfig

    script = tmp_path / "plugin"
    cred = {
        "kind": "ExecCredential",
        "apiVersion": "client.authentication.k8s.io/v1",
        "status": {"token": "from-plugin"},
    }
    script.write_text(f"#!{sys.executable}\nprint({json.dumps(json.dumps(cred))})\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    server = ws_server(_echo_ok, tls=_server_tls(ca, "127.0.0.1"))
    tls = TLSClientConfig(ca_data=ca.cert_pem.bytes())
    plugin = ExecConfig(
        command=str(script),
        api_version="client.authentication.k8s.io/v1",
        interactive_mode="Never",
    )
    run_with(Config(host=server.url, tls=tls, exec_provider=plugin), server)
    run_with(Config(host=server.url, tls=tls, username="u", password="p"), server)
    assert [h.headers["authorization"] for h in server.handshakes] == [
        "Bearer from-plugin",
        "Basic dTpw",
    ]
