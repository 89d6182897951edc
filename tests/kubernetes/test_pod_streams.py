"""PodClient's streams against the sandbox's process runtime: exec with stdin (the v5 close
signal ends ``cat``), exit codes, attach, followed logs, and port-forward, all over TLS with
the sandbox's bearer token."""

from __future__ import annotations

import io
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctl.errors import CodeExitError, UpgradeFailureError
from kctl.kubernetes import new_for_config
from kctl.sandbox import Sandbox
from kctl.tools.portforward import PortForwarder
from kctl.tools.remotecommand import new_websocket_executor

sys.path.insert(0, str(Path(__file__).parent.parent / "sandbox"))
from helpers_runtime import pod, start, wait_for

pytestmark = pytest.mark.timeout(120)
SERVER = f"{sys.executable} -m http.server 8080 --bind $POD_IP"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", runtime="process") as sandbox:
        start(sandbox, pod("shell", "echo started; sleep 3600"))
        start(sandbox, pod("echo", "cat", stdin=True))
        web = start(sandbox, pod("web", f"echo hello from web > index.txt; exec {SERVER}"))
        ip = web["status"]["podIP"]

        def listening() -> bool:
            try:
                socket.create_connection((ip, 8080), timeout=1).close()
            except OSError:
                return False
            return True

        assert wait_for(listening)
        yield sandbox


def test_exec_with_stdin_ends_when_stdin_does(sb: Sandbox) -> None:
    pods = new_for_config(sb.rest_config()).core_v1().pods("default")
    out, err = io.BytesIO(), io.BytesIO()
    payload = b"".join(b"%d\n" % i for i in range(20000))
    pods.exec(
        "shell",
        ["sh", "-c", "wc -l; echo to-stderr >&2"],
        stdin=io.BytesIO(payload),
        stdout=out,
        stderr=err,
    )
    assert out.getvalue().strip() == b"20000"
    assert err.getvalue() == b"to-stderr\n"


def test_exec_exit_code(sb: Sandbox) -> None:
    pods = new_for_config(sb.rest_config()).core_v1().pods("default")
    with pytest.raises(CodeExitError) as caught:
        pods.exec("shell", ["sh", "-c", "exit 3"], stdout=io.BytesIO())
    assert caught.value.code == 3


def test_exec_in_a_missing_container_is_an_upgrade_failure(sb: Sandbox) -> None:
    pods = new_for_config(sb.rest_config()).core_v1().pods("default")
    with pytest.raises(UpgradeFailureError) as caught:
        pods.exec("shell", ["true"], container="nope", stdout=io.BytesIO())
    assert caught.value.status is not None


def test_attach_reads_what_the_process_prints(sb: Sandbox) -> None:
    config = sb.rest_config()
    pods = new_for_config(config).core_v1().pods("default")
    url = pods.attach_request("echo", stdin=True).url()
    out = io.BytesIO()
    reader, writer = socket.socketpair()
    outcome: list[BaseException | None] = []

    def attach() -> None:
        try:
            new_websocket_executor(config, url).stream(stdin=reader.makefile("rb"), stdout=out)
            outcome.append(None)
        except BaseException as err:
            outcome.append(err)

    done = threading.Thread(target=attach)
    done.start()
    try:
        writer.sendall(b"ping\n")
        assert wait_for(lambda: b"ping\n" in out.getvalue())
    finally:
        # The end of stdin reaches cat (the v5 close signal); it exits 0, ending the attach.
        writer.close()
        done.join(60)
        reader.close()
    assert not done.is_alive()
    assert outcome == [None]


def test_followed_logs(sb: Sandbox) -> None:
    pods = new_for_config(sb.rest_config()).core_v1().pods("default")
    stream = pods.get_logs("shell", follow=True).stream()
    try:
        assert stream.readline() == b"started\n"
    finally:
        stream.close()


def test_port_forward_fetches_from_the_pod(sb: Sandbox) -> None:
    import urllib.request

    config = sb.rest_config()
    pods = new_for_config(config).core_v1().pods("default")
    fw = PortForwarder(
        config, pods.portforward_request("web").url(), [":8080"], addresses=["127.0.0.1"]
    )
    thread = threading.Thread(target=fw.forward_ports, daemon=True)
    thread.start()
    try:
        assert fw.ready.wait(30)
        port = fw.ports[0].local
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.txt", timeout=30) as r:
            assert r.read() == b"hello from web\n"
    finally:
        fw.close()
        thread.join(30)
    assert not thread.is_alive()
