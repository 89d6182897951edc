"""Methods a path does not serve, measured against the real kube-apiserver: Go's server takes
any method, so an unknown one (PROPFIND, ...) reaches the API and gets its 405 Status, or the
answer of a plain handler that ignores the method, never an HTTP-level 501 page."""

from __future__ import annotations

import pytest

from tests.sandbox.test_differential import Req, Server, assert_same, run_case, servers

__all__ = ["servers"]

_PATHS = (
    "/api/v1/namespaces/{ns}/pods",
    "/api/v1/namespaces/{ns}/pods/nope",
    "/api/v1/namespaces/{ns}/pods/nope/status",
    "/api/v1/namespaces/{ns}/pods/nope/log",
    "/api/v1/namespaces/{ns}/services/nope/proxy",
    "/api/v1/nodes/{ns}-nope/proxy/a",
    "/apis/apps/v1/namespaces/{ns}/deployments",
    "/api",
    "/api/v1",
    "/apis/apps/v1",
    "/version",
    "/healthz",
    "/livez",
    "/nope",
)
# Plain handlers answer any method as GET: only what they are is compared.
_ANY_METHOD = (Req("{m}", "/apis", keys=("kind",)), Req("{m}", "/apis/apps", keys=("kind",)))


def _steps(method: str) -> list[Req]:
    steps = [Req(method, path) for path in _PATHS]
    steps += [Req(method, req.path, keys=req.keys) for req in _ANY_METHOD]
    return steps


@pytest.mark.parametrize("method", ["PROPFIND", "TRACE", "FOO", "POST", "HEAD"])
def test_methods_a_path_does_not_serve(servers: tuple[Server, Server], method: str) -> None:
    pairs = run_case(servers, _steps(method))
    assert_same(pairs)
    codes = {path: ours[2] for (ours, _), path in zip(pairs, _PATHS, strict=False)}
    if method == "PROPFIND":
        # Not vacuous: the real server's answers are what the sandbox must give.
        assert codes["/api/v1/namespaces/{ns}/pods"] == 405
        assert codes["/version"] == 405
        assert codes["/healthz"] == 200
