"""Typed ClientSet request shapes and shared rate limiting, over an in-memory transport."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from kctl import dynamic, kubernetes
from kctl.metav1 import DeleteOptions
from kctl.rest import Config, Headers, HTTPRequest, TokenBucketRateLimiter
from kctl.schema import GroupVersionResource


class Response:
    def __init__(self, body: bytes) -> None:
        self.status, self.reason = 200, "OK"
        self.headers = Headers({"Content-Type": "application/json"})
        self._buf = io.BytesIO(body)

    def read(self) -> bytes:
        return self._buf.read()

    def iter_chunks(self, size: int = 65536) -> Iterator[bytes]:
        while chunk := self._buf.read(size):
            yield chunk

    def readline(self) -> bytes:
        return self._buf.readline()

    def close(self) -> None:
        pass


class Recorder:
    def __init__(self) -> None:
        self.requests: list[HTTPRequest] = []

    def send(self, request: HTTPRequest, *, stream: bool = False) -> Response:
        self.requests.append(request)
        return Response(request.body or b'{"kind":"Thing"}')

    def close(self) -> None:
        pass

    @property
    def path(self) -> str:
        return urlsplit(self.requests[-1].url).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.requests[-1].url).query)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def cs(rec: Recorder) -> kubernetes.ClientSet:
    return kubernetes.new_for_config(Config(host="http://127.0.0.1:1", qps=-1), transport=rec)


@pytest.mark.parametrize(
    ("accessor", "path"),
    [
        (lambda c: c.core_v1().pods("ns"), "/api/v1/namespaces/ns/pods"),
        (lambda c: c.core_v1().pods(""), "/api/v1/pods"),
        (lambda c: c.core_v1().nodes(), "/api/v1/nodes"),
        (
            lambda c: c.core_v1().persistent_volume_claims("ns"),
            "/api/v1/namespaces/ns/persistentvolumeclaims",
        ),
        (
            lambda c: c.core_v1().service_accounts("kube-system"),
            "/api/v1/namespaces/kube-system/serviceaccounts",
        ),
        (lambda c: c.apps_v1().stateful_sets("ns"), "/apis/apps/v1/namespaces/ns/statefulsets"),
        (lambda c: c.batch_v1().cron_jobs("ns"), "/apis/batch/v1/namespaces/ns/cronjobs"),
        (
            lambda c: c.networking_v1().ingresses("ns"),
            "/apis/networking.k8s.io/v1/namespaces/ns/ingresses",
        ),
        (
            lambda c: c.rbac_v1().cluster_role_bindings(),
            "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        ),
        (lambda c: c.storage_v1().storage_classes(), "/apis/storage.k8s.io/v1/storageclasses"),
        (
            lambda c: c.policy_v1().pod_disruption_budgets("ns"),
            "/apis/policy/v1/namespaces/ns/poddisruptionbudgets",
        ),
        (
            lambda c: c.coordination_v1().leases("ns"),
            "/apis/coordination.k8s.io/v1/namespaces/ns/leases",
        ),
        (
            lambda c: c.autoscaling_v1().horizontal_pod_autoscalers("ns"),
            "/apis/autoscaling/v1/namespaces/ns/horizontalpodautoscalers",
        ),
        (
            lambda c: c.autoscaling_v2().horizontal_pod_autoscalers("ns"),
            "/apis/autoscaling/v2/namespaces/ns/horizontalpodautoscalers",
        ),
        (
            lambda c: c.discovery_v1().endpoint_slices("ns"),
            "/apis/discovery.k8s.io/v1/namespaces/ns/endpointslices",
        ),
        (lambda c: c.events_v1().events("ns"), "/apis/events.k8s.io/v1/namespaces/ns/events"),
        (
            lambda c: c.scheduling_v1().priority_classes(),
            "/apis/scheduling.k8s.io/v1/priorityclasses",
        ),
        (
            lambda c: c.apiextensions_v1().custom_resource_definitions(),
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        ),
        (
            lambda c: c.admissionregistration_v1().validating_webhook_configurations(),
            "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
        ),
        (
            lambda c: c.certificates_v1().certificate_signing_requests(),
            "/apis/certificates.k8s.io/v1/certificatesigningrequests",
        ),
        (lambda c: c.node_v1().runtime_classes(), "/apis/node.k8s.io/v1/runtimeclasses"),
    ],
)
def test_accessor_paths(cs: kubernetes.ClientSet, rec: Recorder, accessor: Any, path: str) -> None:
    accessor(cs).list()
    assert rec.path == path
    # Typed clients keep the rest layer's Accept (client-go's "application/json, */*").
    assert rec.requests[-1].headers.get("Accept") == "application/json, */*"


def test_list_timeout_bounds_the_call(cs: kubernetes.ClientSet, rec: Recorder) -> None:
    cs.core_v1().pods("ns").list(timeout_seconds=30)
    assert sorted(rec.query) == [("timeout", "30s"), ("timeoutSeconds", "30")]
    timeout = rec.requests[-1].timeout
    assert timeout is not None and 0 < timeout <= 30


def test_get_logs_builds_the_log_request(cs: kubernetes.ClientSet, rec: Recorder) -> None:
    req = (
        cs.core_v1()
        .pods("ns")
        .get_logs("p", container="c", follow=True, tail_lines=10, since_seconds=5)
    )
    built = req.build()
    assert urlsplit(built.url).path == "/api/v1/namespaces/ns/pods/p/log"
    assert sorted(parse_qsl(urlsplit(built.url).query)) == [
        ("container", "c"),
        ("follow", "true"),
        ("sinceSeconds", "5"),
        ("tailLines", "10"),
    ]
    assert rec.requests == []  # building sends nothing


def test_evict_posts_an_eviction(cs: kubernetes.ClientSet, rec: Recorder) -> None:
    cs.core_v1().pods("ns").evict("p", DeleteOptions(grace_period_seconds=0))
    assert (rec.requests[-1].method, rec.path) == ("POST", "/api/v1/namespaces/ns/pods/p/eviction")
    assert json.loads(rec.requests[-1].body or b"") == {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": "p", "namespace": "ns"},
        "deleteOptions": {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0},
    }


def test_finalize_scale_token_approval(cs: kubernetes.ClientSet, rec: Recorder) -> None:
    cs.core_v1().namespaces().finalize({"metadata": {"name": "n"}, "spec": {"finalizers": []}})
    assert (rec.requests[-1].method, rec.path) == ("PUT", "/api/v1/namespaces/n/finalize")
    cs.apps_v1().replica_sets("ns").update_scale("r", {"spec": {"replicas": 2}})
    assert (rec.requests[-1].method, rec.path) == (
        "PUT",
        "/apis/apps/v1/namespaces/ns/replicasets/r/scale",
    )
    cs.core_v1().service_accounts("ns").create_token("sa", {"spec": {"audiences": ["x"]}})
    assert rec.path == "/api/v1/namespaces/ns/serviceaccounts/sa/token"
    cs.certificates_v1().certificate_signing_requests().update_approval({"metadata": {"name": "c"}})
    assert rec.path == "/apis/certificates.k8s.io/v1/certificatesigningrequests/c/approval"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_every_client_of_one_config_shares_the_limiter(rec: Recorder) -> None:
    clock = FakeClock()
    limiter = TokenBucketRateLimiter(qps=10, burst=1, clock=clock)
    config = Config(host="http://127.0.0.1:1", rate_limiter=limiter)
    cs = kubernetes.new_for_config(config, transport=rec)
    dyn = dynamic.new_for_config(config, transport=rec)
    clients = [
        cs.core_v1().pods("ns"),
        cs.apps_v1().deployments("ns"),
        dyn.resource(GroupVersionResource("batch", "v1", "jobs")),
    ]
    for i in range(21):
        clients[i % 3].get("x")
    # One bucket for all of them: 21 requests at 10 QPS with a burst of 1 take 2 s.
    assert clock.now == pytest.approx(2.0)


def test_default_limiter_is_shared_through_the_config(rec: Recorder) -> None:
    config = Config(host="http://127.0.0.1:1")
    cs = kubernetes.new_for_config(config, transport=rec)
    dyn = dynamic.new_for_config(config, transport=rec)
    limiters = {
        id(cs.core_v1().rest_client().rate_limiter),
        id(cs.batch_v1().rest_client().rate_limiter),
        id(dyn.resource(GroupVersionResource("", "v1", "pods")).rest_client().rate_limiter),
    }
    assert len(limiters) == 1
    assert cs.core_v1() is cs.core_v1()
