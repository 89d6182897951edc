"""The rest layer's retry rules against the sandbox's injected faults (client-go's semantics).

- 429/5xx with Retry-After are retried, for any verb, up to 10 times; without it, never.
- A body that breaks off after the headers (``list-reset``) is not retried: client-go decides
  before it reads the body, and the caller gets "unexpected error when reading response body".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from kctl.errors import ResponseBodyError, StatusError
from kctl.rest import RESTClient, unversioned_rest_client_for
from kctl.sandbox import Sandbox

PODS = "/api/v1/namespaces/default/pods"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty") as sandbox:
        yield sandbox


def client(sb: Sandbox) -> RESTClient:
    return unversioned_rest_client_for(sb.rest_config().copy(qps=-1))


def pod(name: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }


def test_every_other_429_is_retried_for_reads_and_writes(sb: Sandbox) -> None:
    fault = sb.faults.add(f"status=429,retry-after=0,every=2,path={PODS}")
    c = client(sb)
    for name in ("a", "b", "c"):
        created = c.post().abs_path(PODS).body(pod(name)).do()
        assert created.status_code == 201
    names = [i["metadata"]["name"] for i in c.get().abs_path(PODS).do().json()["items"]]
    assert names == ["a", "b", "c"]
    # 4 requests answered, and each other one (2nd, 4th, 6th) was a 429 retried once.
    assert (fault._seen, fault._fired) == (7, 3)


def test_ten_retries_then_the_status(sb: Sandbox) -> None:
    fault = sb.faults.add(f"status=503,retry-after=0,times=10,path={PODS}")
    assert client(sb).get().abs_path(PODS).do().json()["kind"] == "PodList"
    assert fault._fired == 10

    sb.faults.clear()
    fault = sb.faults.add(f"status=503,retry-after=0,times=11,path={PODS}")
    with pytest.raises(StatusError) as info:
        client(sb).get().abs_path(PODS).do()
    assert (info.value.code, info.value.reason) == (503, "ServiceUnavailable")
    assert info.value.message == "the server is currently unable to handle the request"
    assert "error from a previous attempt" not in str(info.value)  # answers are not errors
    assert fault._fired == 11  # the first attempt and 10 retries


def test_no_retry_after_no_retry(sb: Sandbox) -> None:
    fault = sb.faults.add(f"status=500,times=1,path={PODS}")
    with pytest.raises(StatusError) as info:
        client(sb).get().abs_path(PODS).do()
    assert (info.value.code, info.value.message) == (500, "Internal error occurred: injected fault")
    assert fault._seen == 1


READ_RESET = re.compile(
    r"read tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: read: connection reset by peer$"
)


def test_list_reset_mid_body_surfaces_without_retry(
    sb: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    c = client(sb)
    c.post().abs_path(PODS).body(pod("a")).do()
    fault = sb.faults.add("list-reset,times=1")
    with pytest.raises(ResponseBodyError) as info:
        c.get().abs_path(PODS).do()
    prefix = "unexpected error when reading response body. Please retry. Original error: "
    text = str(info.value)
    assert text.startswith(prefix)
    assert READ_RESET.fullmatch(text.removeprefix(prefix)), text
    assert fault._seen == 1  # one list request: no retry
    # client-go logs the bare read error with klog.ErrorS, at any verbosity.
    err = capsys.readouterr().err
    assert re.fullmatch(
        r'E\d{4} [\d:.]+ +\d+ request\.go:1198\] "Unexpected error when reading response body"'
        r' err="read tcp [^"]+: read: connection reset by peer"\n',
        err,
    ), err
    # The connection was dropped, not pooled broken: the next request is fine.
    assert json.loads(c.get().abs_path(PODS).do_raw())["items"][0]["metadata"]["name"] == "a"


def test_do_raw_hands_over_the_bare_read_error(sb: Sandbox) -> None:
    fault = sb.faults.add("list-reset,times=1")
    with pytest.raises(ResponseBodyError) as info:
        client(sb).get().abs_path(PODS).do_raw()
    assert READ_RESET.fullmatch(str(info.value)), str(info.value)
    assert fault._seen == 1
