"""Errors in kubectl's words and exit codes: unit texts, then parity with real kubectl."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kctl.cli._errors import UsageError, message_for, usage_errorf
from kctl.errors import (
    ConfigInvalidError,
    ConnectError,
    KctlError,
    NoResourceMatchError,
    TimeoutError,
    new_status_error,
)
from kctl.sandbox import Sandbox
from kctl.schema import GroupVersionResource


def test_status_errors() -> None:
    not_found = new_status_error(404, "NotFound", 'pods "x" not found')
    assert message_for(not_found) == 'Error from server (NotFound): pods "x" not found'
    unauthorized = new_status_error(401, "Unauthorized", "Unauthorized")
    assert message_for(unauthorized) == "error: You must be logged in to the server (Unauthorized)"
    bare = new_status_error(500, "", "boom")
    assert message_for(bare) == "Error from server: boom"


def test_invalid_status_lists_causes() -> None:
    causes = [
        {"field": "spec.replicas", "message": "Invalid value: -1: must be >= 0"},
        {"field": "metadata.name", "message": "Required value"},
        {"field": "metadata.name", "message": "Required value"},
    ]
    err = new_status_error(
        422, "Invalid", "ignored", {"kind": "Deployment", "name": "web", "causes": causes}
    )
    assert message_for(err) == (
        'The Deployment "web" is invalid: \n'
        "* spec.replicas: Invalid value: -1: must be >= 0\n"
        "* metadata.name: Required value"
    )
    one = new_status_error(422, "Invalid", "x", {"kind": "Pod", "name": "p", "causes": causes[:1]})
    assert (
        message_for(one) == 'The Pod "p" is invalid: spec.replicas: Invalid value: -1: must be >= 0'
    )
    assert message_for(new_status_error(422, "Invalid", "bad")) == "The request is invalid: bad"


def test_config_and_mapping_errors() -> None:
    assert message_for(ConfigInvalidError(["context was not found for specified context: x"])) == (
        "Error in configuration: context was not found for specified context: x"
    )
    assert message_for(ConfigInvalidError(["a", "b"])) == "Error in configuration: \n* a\n* b"
    gvr = GroupVersionResource("apps", "v9", "widgets")
    assert message_for(NoResourceMatchError(gvr)) == (
        'error: the server doesn\'t have a resource type "widgets" in group "apps" and version "v9"'
    )
    assert message_for(NoResourceMatchError(GroupVersionResource("", "", "foo"))) == (
        'error: the server doesn\'t have a resource type "foo"'
    )
    assert message_for(KctlError("error: already prefixed")) == "error: already prefixed"
    assert message_for(KctlError("plain")) == "error: plain"


def test_transport_errors() -> None:
    refused = ConnectError(
        'Get "http://localhost:1/api?timeout=32s": dial tcp 127.0.0.1:1: connect: connection refused',
        host="127.0.0.1:1",
        refused=True,
    )
    assert message_for(refused) == (
        "The connection to the server localhost:1 was refused - did you specify the right host or port?"
    )
    timeout = TimeoutError(
        'Get "https://h:6443/api/v1/pods": context deadline exceeded', host="h:6443"
    )
    assert message_for(timeout) == "Unable to connect to the server: context deadline exceeded"


def test_usage_errors() -> None:
    err = UsageError("unknown flag: --x", command_path="kctl get")
    assert message_for(err) == "error: unknown flag: --x\nSee 'kctl get --help' for usage."
    assert message_for(usage_errorf("kctl api-versions", "unexpected arguments: [a]")) == (
        "error: unexpected arguments: [a]\nSee 'kctl api-versions -h' for help and examples"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("api-versions", "--bogus"),
        ("api-versions", "-x"),
        ("api-versions", "-n"),
        ("api-versions", "--namespace"),
        ("api-versions", "-v=abc"),
        ("api-versions", "--insecure-skip-tls-verify=maybe"),
        ("api-versions", "extra"),
        ("api-versions", "--request-timeout=soon"),
        ("api-versions", "--context=nope"),
        ("api-versions", "--kubeconfig=/nonexistent/kubeconfig"),
        ("api-versions", "-s", "http://127.0.0.1:1"),
        ("get", "pods", "-s", "http://127.0.0.1:1"),
        ("get", "pods", "--server=http://localhost:1"),
        ("nosuchverb",),
        ("get", "bogus"),
        ("get", "pods", "nope"),
    ],
)
def test_error_parity(
    demo_sandbox: Sandbox, parity: Callable[..., object], args: tuple[str, ...]
) -> None:
    parity(demo_sandbox, *args).assert_same()  # type: ignore[attr-defined]


def test_unauthorized_parity(demo_sandbox: Sandbox, parity: Callable[..., object]) -> None:
    if demo_sandbox.token is None:
        pytest.skip("sandbox runs without authentication")
    parity(demo_sandbox, "get", "pods", "--token=wrong").assert_same()  # type: ignore[attr-defined]


def test_broken_pipe_is_quiet(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    env.update(HOME=str(tmp_path), KUBECONFIG=demo_sandbox.kubeconfig_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kctl", "api-versions"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    # Closed before the child can have started writing: its first write fails.
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert stderr == b""


@pytest.mark.skipif(os.name != "posix", reason="signals are POSIX")
@pytest.mark.parametrize(("code", "expected"), [(130, -signal.SIGINT), (1, 1), (0, 0), (141, 141)])
def test_exit_process_dies_of_sigint_when_interrupted(code: int, expected: int) -> None:
    # A shell script stops after a command killed by SIGINT, but goes on after `exit 130`.
    done = subprocess.run(
        [sys.executable, "-c", f"from kctl.cli._errors import exit_process; exit_process({code})"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (expected, "", "")
