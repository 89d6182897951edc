"""Fault injection: spec parsing, determinism, and each fault seen from a real client."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call, pod

from kctl.sandbox import Request, Response, Sandbox
from kctl.sandbox._faults import FaultError, FaultInjector, parse_fault

PODS = "/api/v1/namespaces/default/pods"


def test_parse_specs() -> None:
    f = parse_fault("status=429,every=3,retry-after=1,path=/api/v1/pods")
    assert (f.action, f.status, f.every, f.retry_after, f.path) == (
        "status",
        429,
        3,
        1,
        "/api/v1/pods",
    )
    f = parse_fault("latency=200ms,fraction=0.5,seed=7")
    assert (f.action, f.latency, f.fraction, f.seed) == ("latency", 0.2, 0.5, 7)
    assert parse_fault("watch-cut-after=5").cut_after == 5
    assert parse_fault("list-reset").action == "list-reset"
    assert parse_fault(" expire-rv , method=get").method == "GET"
    assert parse_fault("latency=1.5s").latency == 1.5


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "fault '' needs exactly one of: status, latency, watch-cut-after, list-reset, expire-rv"),
        ("status=429,latency=1s", "needs exactly one of"),
        ("status=404", "status must be one of 429, 500, 503, got '404'"),
        ("latency=fast", "invalid duration 'fast' (use e.g. 200ms, 1.5s, 1m)"),
        ("status=500,every=0", "every must be a positive integer, got '0'"),
        ("status=500,fraction=2", "fraction must be in (0, 1], got '2'"),
        ("status=500,colour=red", "unknown fault setting 'colour'"),
        ("list-reset=yes", "list-reset takes no value"),
        ("latency=1s,retry-after=2", "retry-after only goes with status="),
        ("status=500,path=api", "path must start with /, got 'api'"),
        ("status", "expected key=value, got 'status'"),
    ],
)  # fmt: skip
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(FaultError) as info:
        parse_fault(spec)
    assert message in str(info.value)


def _ok(req: Request) -> Response:
    return Response(200, b"{}")


def _outcomes(spec: str, n: int = 40) -> list[int]:
    injector = FaultInjector([spec], sleep=lambda s: None)
    return [injector(Request.build("GET", "/api/v1/pods"), _ok).status for _ in range(n)]


def test_every_nth_and_times() -> None:
    assert _outcomes("status=503,every=3", 9) == [200, 200, 503] * 3
    assert _outcomes("status=500,times=2", 4) == [500, 500, 200, 200]
    assert _outcomes("status=500,path=/apis", 3) == [200, 200, 200]
    assert _outcomes("status=500,method=POST", 3) == [200, 200, 200]


def test_fraction_is_deterministic_under_a_seed() -> None:
    first = _outcomes("status=429,fraction=0.5,seed=7")
    assert first == _outcomes("status=429,fraction=0.5,seed=7")
    assert 429 in first and 200 in first
    assert first != _outcomes("status=429,fraction=0.5,seed=8")


def test_latency_uses_the_injected_sleep() -> None:
    slept: list[float] = []
    injector = FaultInjector(["latency=250ms,every=2"], sleep=slept.append)
    statuses = [injector(Request.build("GET", "/api"), _ok).status for _ in range(4)]
    assert statuses == [200] * 4
    assert slept == [0.25, 0.25]


def test_429_with_retry_after_over_http() -> None:
    with Sandbox(faults=["status=429,every=2,retry-after=3,path=/api/v1/namespaces"]) as sb:
        assert call(sb, "GET", PODS).status == 200
        reply = call(sb, "GET", PODS)
        assert reply.status == 429
        assert reply.headers["retry-after"] == "3"
        assert reply.json() == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "Too many requests, please try again later.",
            "reason": "TooManyRequests",
            "details": {"retryAfterSeconds": 3},
            "code": 429,
        }
        assert call(sb, "GET", "/version").status == 200  # outside the path prefix
        sb.faults.clear()
        assert [call(sb, "GET", PODS).status for _ in range(3)] == [200, 200, 200]
        sb.faults.add("status=503")
        assert call(sb, "GET", "/version").status == 503


def test_kctl_client_retries_injected_429() -> None:
    from kctl.rest import unversioned_rest_client_for

    with Sandbox(faults=["status=429,times=2,retry-after=0,path=/api/v1/namespaces"]) as sb:
        client = unversioned_rest_client_for(sb.rest_config().copy(qps=-1))
        body = client.get().abs_path(PODS).do_raw()
        assert json.loads(body)["kind"] == "PodList"
        assert sb.faults.faults[0]._fired == 2


def test_watch_cut_after_n_events() -> None:
    with Sandbox(faults=["watch-cut-after=2"]) as sb:
        for name in ("a", "b", "c"):
            assert call(sb, "POST", PODS, pod(name)).status == 201
        parts = urlsplit(sb.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.request("GET", PODS + "?watch=true", headers={"Authorization": f"Bearer {sb.token}"})
        resp = conn.getresponse()
        # Both events arrive, then the connection ends cleanly (FIN, no reset) mid-body.
        with pytest.raises(http.client.IncompleteRead) as info:
            resp.read()
        conn.close()
        lines = [json.loads(line) for line in info.value.partial.splitlines()]
        assert [e["object"]["metadata"]["name"] for e in lines] == ["a", "b"]


def test_list_reset_mid_body() -> None:
    with Sandbox(faults=["list-reset,times=1"]) as sb:
        assert call(sb, "POST", PODS, pod("a")).status == 201
        assert call(sb, "GET", PODS + "/a").status == 200  # a get is not a list
        with pytest.raises((http.client.IncompleteRead, ConnectionError)):
            call(sb, "GET", PODS)
        assert call(sb, "GET", PODS).json()["items"][0]["metadata"]["name"] == "a"


def test_expire_rv_gives_410_on_watch_and_continue() -> None:
    with Sandbox(faults=["expire-rv"]) as sb:
        for name in ("a", "b", "c"):
            assert call(sb, "POST", PODS, pod(name)).status == 201
        first = call(sb, "GET", PODS + "?limit=1").json()
        token = first["metadata"]["continue"]
        expired = call(sb, "GET", PODS + f"?limit=1&continue={token}")
        assert expired.status == 410
        assert expired.json()["reason"] == "Expired"
        rv = first["metadata"]["resourceVersion"]
        parts = urlsplit(sb.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.request(
            "GET",
            PODS + f"?watch=true&resourceVersion={rv}&timeoutSeconds=5",
            headers={"Authorization": f"Bearer {sb.token}"},
        )
        event = json.loads(conn.getresponse().readline())
        conn.close()
        assert event["type"] == "ERROR"
        assert event["object"]["code"] == 410
        assert event["object"]["message"].startswith(f"too old resource version: {rv} (")


def test_serve_rejects_a_bad_fault_spec() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kctl", "sandbox", "serve", "--fault", "status=404"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "error: invalid --fault: status must be one of 429, 500, 503, got '404'\n"
    )


def test_serve_help_documents_faults() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kctl", "sandbox", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "watch-cut-after=N" in result.stdout
    assert "'status=429,every=3,retry-after=1,path=/api/v1/pods'" in result.stdout
