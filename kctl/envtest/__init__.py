"""A real control plane for tests: kube-apiserver and etcd, as controller-runtime's envtest.

::

    from kctl import kubernetes
    from kctl.envtest import Environment

    with Environment(crds=["config/crd/bases"]) as env:
        cs = kubernetes.new_for_config(env.rest_config())
        cs.core_v1().namespaces().list()

The binaries are found through ``KUBEBUILDER_ASSETS`` (the layout of controller-runtime's
``setup-envtest``), else kctl's cache, which ``envtest/build.sh`` in a kctl checkout fills
by building them from Go modules. The pytest fixture is ``kctl_envtest``.
"""

from kctl.envtest._assets import KUBERNETES_VERSION, AssetsNotFound, default_assets_dir, find_assets
from kctl.envtest._environment import Environment, EnvtestError

__all__ = [
    "KUBERNETES_VERSION",
    "AssetsNotFound",
    "Environment",
    "EnvtestError",
    "default_assets_dir",
    "find_assets",
]
