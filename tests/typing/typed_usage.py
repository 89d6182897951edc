"""Checked by mypy in test_typing.py (never executed): the ClientSet is typed for real."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from kctl import dynamic, kubernetes
from kctl.metav1 import ListOptions
from kctl.rest import Config, Request, RESTClient, Watcher
from kctl.schema import GroupVersionResource
from kctl.types import Deployment, DeploymentList, Namespace, Node, Pod, PodList, Scale, Secret
from kctl.types.core_v1 import ServiceAccount
from kctl.watch import Reflector, RetryWatcher, list_and_watch


def check(cfg: Config) -> None:
    cs = kubernetes.new_for_config(cfg)
    assert_type(cs.core_v1().pods("x").get("p"), Pod)
    assert_type(cs.core_v1().pods("x").list(limit=5), PodList)
    assert_type(cs.core_v1().pods("x").list(ListOptions(limit=5)), PodList)
    assert_type(cs.core_v1().pods("x").get_logs("p", follow=True), Request)
    assert_type(cs.core_v1().nodes().get("n"), Node)
    assert_type(cs.core_v1().namespaces().finalize({"metadata": {"name": "n"}}), Namespace)
    assert_type(cs.core_v1().secrets("x").get("s"), Secret)
    assert_type(cs.core_v1().service_accounts("kube-system").get("a"), ServiceAccount)
    assert_type(cs.core_v1().rest_client(), RESTClient)
    assert_type(cs.apps_v1().deployments("x").get("d"), Deployment)
    assert_type(cs.apps_v1().deployments("x").list(), DeploymentList)
    assert_type(cs.apps_v1().deployments("x").get_scale("d"), Scale)
    assert_type(cs.apps_v1().deployments("x").list_all(), DeploymentList)
    assert_type(cs.core_v1().pods("").watch(), Watcher)

    pod = cs.core_v1().pods("x").get("p")
    assert_type(pod["spec"]["containers"][0]["image"], str)
    assert_type(pod["status"]["containerStatuses"][0]["restartCount"], int)
    assert_type(pod["metadata"]["labels"], dict[str, str])

    dyn = dynamic.new_for_config(cfg)
    obj = dyn.resource(GroupVersionResource("", "v1", "pods")).namespace("dev").get("p")
    assert_type(obj, dict[str, Any])

    assert_type(RetryWatcher(cs.core_v1().pods("x"), "5"), RetryWatcher)
    assert_type(list_and_watch(cs.core_v1().pods("x")), Reflector)


def wrong(cfg: Config) -> None:
    cs = kubernetes.new_for_config(cfg)
    pod = cs.core_v1().pods("x").get("p")
    pod["spec"]["containers"][0]["image"] = 5  # E: wrong type
    cs.core_v1().pods("x").list(limt=5)  # E: unknown option
