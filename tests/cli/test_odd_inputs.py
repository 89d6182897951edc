"""The last odd inputs, side by side with kubectl 1.37.1: JSON nested past Go's depth limit,
JSON with something after the first object, invalid UTF-8 in manifests, a missing
certificate-authority file, and a request timeout shorter than the server's answer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

CM = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s"}}'


def _deep(levels: int, prefix: bytes = b"") -> bytes:
    return prefix + b'{"a":' * levels + b"1" + b"}" * levels + (b"}" if prefix else b"")


# Applied with --dry-run=server, so nothing is written and one sandbox serves both tools.
FILES: dict[str, bytes] = {
    # Past encoding/json's 10000 levels: its error and byte offset, not Python's.
    "deep.json": _deep(10001),
    "deep-kind.json": _deep(
        10001, b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"x":'
    ),
    "deep-array.json": b'{"a":' + b"[" * 10000 + b"]" * 10000 + b"}",
    # After one object, the rest is read as YAML: a string, refused as an object.
    "trailing-word.json": CM % b"one" + b" garbage",
    # ... and when the rest is no YAML either, the JSON error is the one shown.
    "trailing-brace.json": CM % b"one" + b"}",
    "trailing-comma.json": CM % b"one" + b",\n",
    # After two objects the stream is JSON for good.
    "two-then-word.json": CM % b"one" + b"\n" + CM % b"two" + b"\ngarbage\n",
    "then-yaml.json": CM % b"one"
    + b"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: why\n",
    "bad-literal.json": b'{"apiVersion":"v1","kind":"ConfigMap","x":tru}',
    "bad-escape.json": b'{"apiVersion":"v1","kind":"ConfigMap","x":"\\q"}',
    "bad-number.json": b'{"apiVersion":"v1","kind":"ConfigMap","x":-.5}',
    "no-colon.json": b'{"apiVersion" "v1"}',
    "control-in-string.json": b'{"apiVersion":"v1\x01"}',
}


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sandbox:
        yield sandbox


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("validate", [(), ("--validate=false",)], ids=["validate", "no-validate"])
def test_json_streams_as_kubectl(
    sb: Sandbox,
    run_kctl: Any,
    run_ref_kubectl: Any,
    tmp_path: Path,
    name: str,
    validate: tuple[str, ...],
) -> None:
    (tmp_path / name).write_bytes(FILES[name])
    args = ("apply", "-f", name, "--dry-run=server", *validate)
    theirs = run_ref_kubectl(sb, *args, cwd=tmp_path)
    ours = run_kctl(sb, *args, cwd=tmp_path)
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )
    assert "Traceback" not in ours.stderr


def test_deep_json_error_text(sb: Sandbox, run_kctl: Any, tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_bytes(FILES["deep.json"])
    done = run_kctl(sb, "apply", "-f", "deep.json", cwd=tmp_path)
    assert done.stderr == (
        "error: error parsing deep.json: json: offset 50001: invalid character '{' "
        "exceeded max depth\n"
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # Within Go's limit, so kubectl reads it; Python's decoder cannot go that deep, and
        # kctl says so in one line.
        ("deep-5000.json", _deep(5000)),
        # YAML nested past libyaml's limit (1000 levels). kubectl (go-yaml) allows 10000 and
        # then says "yaml: line N: exceeded max depth of 10000": the depth, and so the line
        # kubectl would name, is not reachable with libyaml.
        ("deep.yaml", b"a:\n" + b"".join(b"  " * i + b"b:\n" for i in range(1, 2000))),
        ("deep-flow.yaml", b"a: " + b"[" * 2000 + b"]" * 2000 + b"\n"),
    ],
)
def test_too_deep_for_kctl_is_one_line(
    sb: Sandbox, run_kctl: Any, tmp_path: Path, name: str, data: bytes
) -> None:
    (tmp_path / name).write_bytes(data)
    done = run_kctl(sb, "apply", "-f", name, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: error parsing {name}: ")
    assert "recursion" not in done.stderr


INVALID_UTF8 = {
    "bad-utf8.yaml": (
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n"
        b'  k: "a\xffb\xfe\xfdc"\n  k2: x\xc3y\n  k3: p\xe2\x82q\n  k4: v\xff # c\xff\n'
        # An invalid byte in a key would now be refused by ConfigMap key validation.
    ),
    "bad-utf8.json": (
        b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s"},'
        b'"data":{"k":"a\xffb\xe2\x82c"}}'
    ),
}


@pytest.mark.parametrize("name", sorted(INVALID_UTF8))
def test_invalid_utf8_is_taken_in_as_replacement_characters(
    sb: Sandbox, run_kctl: Any, run_ref_kubectl: Any, tmp_path: Path, name: str
) -> None:
    """kubectl stores U+FFFD for each invalid sequence; kctl sends the same object."""
    stored = {}
    for tool, run in (("kctl", run_kctl), ("kubectl", run_ref_kubectl)):
        obj_name = f"{tool}-{name.replace('.', '-')}"
        (tmp_path / name).write_bytes(INVALID_UTF8[name] % obj_name.encode())
        done = run(sb, "apply", "-f", name, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        got = run_ref_kubectl(sb, "get", "configmap", obj_name, "-o", "json")
        stored[tool] = json.loads(got.stdout)["data"]
    assert stored["kctl"] == stored["kubectl"]
    assert "\ufffd\ufffd" in stored["kctl"]["k"] or name.endswith(".json")
    assert all("\ufffd" in key + value for key, value in stored["kctl"].items() if key != "k2")


def test_missing_certificate_authority_file(
    sb: Sandbox, run_kctl: Any, run_ref_kubectl: Any, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        f"clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
        f"    certificate-authority: {tmp_path / 'missing-ca.crt'}\n"
        "contexts:\n- name: c\n  context: {cluster: c, user: u}\n"
        "users:\n- name: u\n  user: {token: t}\n"
    )
    for args in (("get", "pods"), ("version",), ("api-versions",)):
        ours = run_kctl(None, "--kubeconfig", str(config), *args)
        theirs = run_ref_kubectl(None, "--kubeconfig", str(config), *args)
        assert (ours.returncode, ours.stdout, ours.stderr) == (
            theirs.returncode,
            theirs.stdout,
            theirs.stderr,
        ), args
    assert ours.stderr == (
        f"error: unable to read certificate-authority {tmp_path / 'missing-ca.crt'} for c due to "
        f"open {tmp_path / 'missing-ca.crt'}: no such file or directory\n"
    )


def test_request_timeout_is_a_context_deadline(
    run_kctl: Any, run_ref_kubectl: Any, tmp_path: Path
) -> None:
    """A list slower than --request-timeout (discovery served from a warm cache)."""
    with Sandbox(faults=["latency=2s,path=/api/v1/namespaces/default/configmaps"]) as slow:
        for run in (run_kctl, run_ref_kubectl):
            warm = run(slow, "get", "pods")
            assert warm.returncode == 0, warm.stderr
        args = ("get", "configmaps", "--request-timeout", "1ms")
        ours, theirs = run_kctl(slow, *args), run_ref_kubectl(slow, *args)
    assert ours.stderr == "Unable to connect to the server: context deadline exceeded\n"
    # kubectl's request context and its http.Client share the deadline, and either may
    # fire first (the client's in several phases); each gives one text, never a mix.
    kubectl_texts = (
        ours.stderr,
        "Unable to connect to the server: net/http: request canceled "
        "(Client.Timeout exceeded while awaiting headers)\n",
        "Unable to connect to the server: net/http: request canceled while waiting for "
        "connection (Client.Timeout exceeded while awaiting headers)\n",
        # Both at once: the context's error, with the client's timeout noted.
        "Unable to connect to the server: context deadline exceeded "
        "(Client.Timeout exceeded while awaiting headers)\n",
    )
    assert theirs.stderr in kubectl_texts
    assert ours.returncode == theirs.returncode == 1


def test_request_timeout_inside_a_wrapped_error(run_kctl: Any, run_ref_kubectl: Any) -> None:
    """api-versions quotes the request's error: the context deadline, with no tail."""
    with Sandbox(faults=["latency=2s,path=/api"]) as slow:
        args = ("api-versions", "--request-timeout", "1ms")
        ours, theirs = run_kctl(slow, *args), run_ref_kubectl(slow, *args)
        url = f"{slow.url}/api?timeout=1ms"
    expected = (
        f'error: couldn\'t get available api versions from server: Get "{url}": '
        "context deadline exceeded\n"
    )
    assert ours.stderr == expected
    assert ours.returncode == theirs.returncode == 1
    # kubectl's own discovery log lines aside, its error is the same (or a client-timeout
    # variant when its http.Client fires first, or both at once).
    last = re.sub(r"^[EWIF]\d{4} .*\n", "", theirs.stderr, flags=re.M)
    assert last in (
        expected,
        expected.replace(
            "context deadline exceeded",
            "net/http: request canceled (Client.Timeout exceeded while awaiting headers)",
        ),
        expected.replace(
            "context deadline exceeded",
            "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
        ),
    )


@pytest.mark.parametrize(
    "args",
    [
        ("get", "configmap", "ctl-chars", "-o", "yaml"),
        ("get", "configmaps", "-o", "yaml"),
        ("get", "configmap", "ctl-chars", "-o", "json"),
    ],
)
def test_yaml_output_of_a_value_go_yaml_cannot_read(
    sb: Sandbox, run_kctl: Any, run_ref_kubectl: Any, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Found by fuzzing: DEL (and C1 controls) stay raw in encoding/json's output, which
    kubectl reads back as YAML: one line of go-yaml's error and nothing on stdout."""
    (tmp_path / "cm.json").write_text(
        '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ctl-chars"},'
        '"data":{"k":"a\\u007fb","n":"\\u0085"}}'
    )
    done = run_ref_kubectl(sb, "apply", "-f", "cm.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ours, theirs = run_kctl(sb, *args), run_ref_kubectl(sb, *args)
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )
    if "yaml" in args:
        assert ours.stderr == "error: yaml: control characters are not allowed\n"


def test_a_manifest_over_the_body_limit(
    sb: Sandbox, envtest: Any, run_kctl: Any, run_ref_kubectl: Any, tmp_path: Path
) -> None:
    """A body over kube-apiserver's 3 MiB: the server's 413 Status, as kubectl prints it,
    from the sandbox and from a real apiserver alike."""
    (tmp_path / "big.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: "
        + "x" * (3 * 1024 * 1024 + 10)
        + "\n"
    )
    expected = (
        'Error from server (RequestEntityTooLarge): error when creating "big.yaml": '
        "Request entity too large: limit is 3145728\n"
    )
    for server in (sb, envtest):
        ours = run_kctl(server, "apply", "-f", "big.yaml", cwd=tmp_path)
        theirs = run_ref_kubectl(server, "apply", "-f", "big.yaml", cwd=tmp_path)
        assert (ours.returncode, ours.stdout, ours.stderr) == (1, "", expected)
        assert (theirs.returncode, theirs.stdout, theirs.stderr) == (1, "", expected)
