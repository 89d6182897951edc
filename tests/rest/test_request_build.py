"""Pure request building: URL layout, parameters, validation texts (no HTTP)."""

from __future__ import annotations

import pytest

from kctl.errors import ConfigError, RequestError
from kctl.rest import (
    Config,
    PatchType,
    RESTClient,
    TLSClientConfig,
    rest_client_for,
    server_url,
    set_kubernetes_defaults,
    unversioned_rest_client_for,
)
from kctl.rest._goformat import go_duration, go_quote
from kctl.schema import GroupVersion


def core(host: str = "https://h:6443", **kw: object) -> RESTClient:
    return rest_client_for(Config(host=host, group_version=GroupVersion("", "v1"), **kw))  # type: ignore[arg-type]


def test_url_layout() -> None:
    c = core()
    assert c.get().resource("pods").build().url == "https://h:6443/api/v1/pods"
    req = c.get().namespace("ns").resource("Pods").name("p").subresource("log").build()
    assert req.url == "https://h:6443/api/v1/namespaces/ns/pods/p/log"
    req = c.get().resource("nodes").name("n").suffix("proxy", "metrics").build()
    assert req.url == "https://h:6443/api/v1/nodes/n/proxy/metrics"
    assert c.get().abs_path("/version").build().url == "https://h:6443/version"
    assert c.get().abs_path("/apis/").build().url == "https://h:6443/apis/"
    assert (
        c.get()
        .namespace_if_scoped("ns", False)
        .resource("nodes")
        .build()
        .url.endswith("/api/v1/nodes")
    )


def test_group_paths_and_unversioned() -> None:
    apps = rest_client_for(Config(host="h:1", group_version=GroupVersion("apps", "v1")))
    assert apps.get().resource("deployments").build().url == "http://h:1/apis/apps/v1/deployments"
    root = unversioned_rest_client_for(Config(host="h:1"))
    assert root.get().abs_path("/api").build().url == "http://h:1/api"
    with pytest.raises(ValueError, match="GroupVersion is required when initializing a RESTClient"):
        rest_client_for(Config(host="h:1"))


def test_host_path_is_prefix() -> None:
    c = core("https://h:6443/k8s/clusters/c-1/")
    assert c.get().resource("pods").build().url == "https://h:6443/k8s/clusters/c-1/api/v1/pods"
    assert c.get().abs_path("/version").build().url == "https://h:6443/k8s/clusters/c-1/version"


def test_host_normalisation() -> None:
    assert server_url(Config()).origin() == "http://localhost"
    assert server_url(Config(host="h:1")).scheme == "http"
    assert server_url(Config(host="h:1", tls=TLSClientConfig(ca_data=b"x"))).scheme == "https"
    assert server_url(Config(host="h:1", tls=TLSClientConfig(insecure=True))).scheme == "https"
    assert (
        server_url(Config(host="http://h:1", tls=TLSClientConfig(insecure=True))).scheme == "http"
    )
    with pytest.raises(ConfigError, match='host must be a URL or a host:port pair: "h:1/x"'):
        server_url(Config(host="h:1/x"))


def test_params_sorted_repeatable_and_timeout() -> None:
    c = core()
    req = (
        c.get()
        .resource("pods")
        .param("watch", True)
        .param("labelSelector", "a=b,c in (d)")
        .params({"fieldSelector": ["x=1", "y=2"], "limit": 500, "continue": None})
        .timeout(32)
        .build()
    )
    assert req.url == (
        "https://h:6443/api/v1/pods?fieldSelector=x%3D1&fieldSelector=y%3D2"
        "&labelSelector=a%3Db%2Cc+in+%28d%29&limit=500&timeout=32s&watch=true"
    )
    assert req.timeout == 32

    class Opts:
        def to_params(self) -> list[tuple[str, str]]:
            return [("dryRun", "All")]

    assert core().post().resource("pods").params(Opts()).build().url.endswith("?dryRun=All")


def test_config_timeout_becomes_param() -> None:
    req = core(timeout=90).get().resource("pods").build()
    assert req.url.endswith("?timeout=1m30s")
    assert req.timeout == 90


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda c: c.get().resource("pods").name(""), "resource name may not be empty"),
        (
            lambda c: c.get().resource("pods").name("a/b"),
            "invalid resource name \"a/b\": [may not contain '/']",
        ),
        (
            lambda c: c.get().resource("pods").name("a/%"),
            "invalid resource name \"a/%\": [may not contain '/' may not contain '%']",
        ),
        (lambda c: c.get().namespace(".."), "invalid namespace \"..\": [may not be '..']"),
        (
            lambda c: c.get().namespace("a").namespace("b"),
            'namespace already set to "a", cannot change to "b"',
        ),
        (
            lambda c: c.get().resource("a").resource("b"),
            'resource already set to "a", cannot change to "b"',
        ),
        (lambda c: c.get().resource("a/b"), "invalid resource \"a/b\": [may not contain '/']"),
        (
            lambda c: c.get().resource("pods").name("a").name("b"),
            'resource name already set to "a", cannot change to "b"',
        ),
        (
            lambda c: c.get().resource("pods").name("a").subresource("x%"),
            "invalid subresource \"x%\": [may not contain '%']",
        ),
        (
            lambda c: c.get().namespace("").resource("pods").name("p"),
            "an empty namespace may not be set when a resource name is provided",
        ),
        (
            lambda c: c.post().namespace("").resource("pods"),
            "an empty namespace may not be set during creation",
        ),
    ],
)
def test_validation_errors(build: object, message: str) -> None:
    with pytest.raises(RequestError) as info:
        build(core()).build()  # type: ignore[operator]
    assert str(info.value) == message


def test_first_error_sticks() -> None:
    req = core().get().name("").resource("a/b")
    with pytest.raises(RequestError, match="resource name may not be empty"):
        req.build()


def test_empty_namespace_list_is_allowed() -> None:
    assert core().get().namespace("").resource("pods").build().url.endswith("/api/v1/pods")


def test_headers_and_bodies() -> None:
    req = core().post().resource("pods").body({"a": "é"}).build()
    assert req.body == '{"a":"é"}'.encode()
    assert req.headers["content-type"] == "application/json"
    assert req.headers["Accept"] == "application/json, */*"
    assert req.headers["User-Agent"].startswith("kctl/")
    assert "Authorization" not in req.headers
    patch = core().patch(PatchType.MERGE).resource("pods").name("p").body(b"{}").build()
    assert patch.headers["Content-Type"] == "application/merge-patch+json"
    custom = core(user_agent="me/1", accept_content_types="application/yaml").get().build()
    assert custom.headers["User-Agent"] == "me/1"
    assert custom.headers["Accept"] == "application/yaml"
    multi = core().get().set_header("X-A", "1", "2").build()
    assert multi.headers.get_all("x-a") == ["1", "2"]


def test_build_is_pure_and_repeatable() -> None:
    req = core().get().resource("pods")
    assert req.build() == req.build()


def test_set_kubernetes_defaults() -> None:
    assert set_kubernetes_defaults(Config()).user_agent.startswith("kctl/")
    assert set_kubernetes_defaults(Config(user_agent="x")).user_agent == "x"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(32, "32s"), (90, "1m30s"), (1.5, "1.5s"), (0.5, "500ms"), (3600, "1h0m0s"), (0, "0s")],
)
def test_go_duration(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


def test_go_quote() -> None:
    assert go_quote('a "b"\n\\') == '"a \\"b\\"\\n\\\\"'
