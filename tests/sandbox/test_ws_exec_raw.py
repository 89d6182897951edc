"""The exec channel protocol itself, with websocket-client: v4 and v5, the error channel's
Status, a TTY with resizes, and the errors that arrive before or after the upgrade."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import websocket

sys.path.insert(0, str(Path(__file__).parent))
from helpers_runtime import pod, start, wait_for

from kctl.sandbox import Sandbox

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", runtime="process") as sandbox:
        start(sandbox, pod("shell", "sleep 3600"))
        yield sandbox


def _exec(
    sb: Sandbox, command: list[str], protocol: str = "v5.channel.k8s.io", **flags: str
) -> websocket.WebSocket:
    query = urlencode([("command", c) for c in command] + list(flags.items()))
    url = sb.url.replace("http", "ws", 1) + f"/api/v1/namespaces/default/pods/shell/exec?{query}"
    return websocket.create_connection(
        url, subprotocols=[protocol], header=[f"Authorization: Bearer {sb.token}"], timeout=10
    )


def _channels(ws: websocket.WebSocket) -> dict[int, bytes]:
    """Every channel's bytes until the server closes."""
    out: dict[int, bytes] = {}
    while True:
        try:
            opcode, data = ws.recv_data()
        except websocket.WebSocketConnectionClosedException:
            return out
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return out
        out[data[0]] = out.get(data[0], b"") + data[1:]


@pytest.mark.parametrize("protocol", ["v5.channel.k8s.io", "v4.channel.k8s.io"])
def test_exit_code_status_on_both_protocols(sb: Sandbox, protocol: str) -> None:
    ws = _exec(sb, ["sh", "-c", "echo out; exit 7"], protocol, stdout="true")
    assert ws.subprotocol == protocol
    got = _channels(ws)
    assert got[1] == b"out\n"
    status = json.loads(got[3])
    assert status == {
        "metadata": {},
        "status": "Failure",
        "message": "command terminated with non-zero exit code: error executing command "
        "[sh -c echo out; exit 7], exit code 7",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": "7"}]},
    }


def test_success_status(sb: Sandbox) -> None:
    got = _channels(_exec(sb, ["true"], stdout="true"))
    assert json.loads(got[3]) == {"metadata": {}, "status": "Success"}


def test_v5_close_ends_stdin(sb: Sandbox) -> None:
    ws = _exec(sb, ["wc", "-c"], stdin="true", stdout="true")
    ws.send_binary(b"\x0012345")
    ws.send_binary(b"\xff\x00")  # v5: stdin is closed, the socket stays open
    got = _channels(ws)
    assert got[1].strip() == b"5"


def test_tty_merges_output_and_follows_resizes(sb: Sandbox) -> None:
    ws = _exec(sb, ["sh", "-c", "stty size; echo err >&2"], stdout="true", tty="true")
    ws.send_binary(b"\x04" + json.dumps({"Width": 120, "Height": 40}).encode())
    got = _channels(ws)
    # The size may or may not have arrived before stty ran; the terminal's output is one stream.
    assert 2 not in got
    assert got[1].replace(b"\r\n", b"\n").endswith(b"err\n")


def test_tty_resize_reaches_the_terminal(sb: Sandbox) -> None:
    ws = _exec(sb, ["sh", "-c", "read x; stty size"], stdin="true", stdout="true", tty="true")
    ws.send_binary(b"\x04" + json.dumps({"Width": 120, "Height": 40}).encode())
    ws.send_binary(b"\x00go\n")
    got = _channels(ws)
    assert got[1].replace(b"\r\n", b"\n").endswith(b"40 120\n")


def test_errors_before_the_upgrade(sb: Sandbox) -> None:
    with pytest.raises(websocket.WebSocketBadStatusException) as err:
        _exec(sb, [], stdout="true")
    assert err.value.status_code == 400
    assert json.loads(err.value.resp_body)["message"] == (
        "you must specify at least one command for the container"
    )
    with pytest.raises(websocket.WebSocketBadStatusException) as err:
        _exec(sb, ["true"], "v3.channel.k8s.io", stdout="true")
    assert err.value.status_code == 400
    assert err.value.resp_body == (
        b"requested protocol(s) are not supported: [v3.channel.k8s.io]; "
        b"supports [v5.channel.k8s.io v4.channel.k8s.io]"
    )


def test_client_leaving_kills_the_command(sb: Sandbox, tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    ws = _exec(sb, ["sh", "-c", f"echo $$ > {marker}; exec sleep 3600"], stdout="true")
    assert wait_for(lambda: marker.exists() and marker.read_text().strip())
    pid = int(marker.read_text())
    ws.sock.close()  # no closing handshake: the connection just drops
    # Killed and reaped: a zombie would keep its /proc entry.
    assert wait_for(lambda: not os.path.exists(f"/proc/{pid}"))


def test_stopping_the_sandbox_ends_running_execs(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    sandbox = Sandbox(seed="empty", runtime="process").start()
    try:
        start(sandbox, pod("shell", "sleep 3600"))
        ws = _exec(sandbox, ["sh", "-c", f"echo $$ > {marker}; exec sleep 3600"], stdout="true")
        assert wait_for(lambda: marker.exists() and marker.read_text().strip())
    finally:
        sandbox.stop()
    pid = int(marker.read_text())
    assert wait_for(lambda: not os.path.exists(f"/proc/{pid}"))
    ws.close()
