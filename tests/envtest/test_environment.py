"""kctl.envtest: a real kube-apiserver and etcd, started and torn down by one object."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from kctl import dynamic, kubernetes
from kctl.envtest import AssetsNotFound, Environment, EnvtestError, find_assets
from kctl.errors import StatusError
from kctl.rest import Config, TLSClientConfig
from kctl.schema import GroupVersion, GroupVersionResource

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
            }
        ],
    },
}

GADGETS_YAML = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Cluster
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""


def test_assets_not_found_names_every_place_and_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBEBUILDER_ASSETS", str(tmp_path / "assets"))
    monkeypatch.setenv("KCTL_ENVTEST_CACHE", str(tmp_path / "cache"))
    with pytest.raises(AssetsNotFound) as info:
        find_assets()
    text = str(info.value)
    assert "\n" not in text
    assert f"KUBEBUILDER_ASSETS ({tmp_path / 'assets'})" in text
    assert "envtest/build.sh" in text
    with pytest.raises(AssetsNotFound):
        Environment().start()


def test_kubebuilder_assets_wins_over_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, envtest_assets: Path
) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    for name in ("kube-apiserver", "etcd"):
        (assets / name).symlink_to(envtest_assets / name)
    monkeypatch.setenv("KUBEBUILDER_ASSETS", str(assets))
    assert find_assets() == assets
    assert find_assets(envtest_assets) == envtest_assets


def test_start_serve_and_tear_down(envtest_assets: Path, kubectl: Path, tmp_path: Path) -> None:
    env = Environment(crds=[CRD])
    with env:
        workdir = Path(env.kubeconfig_path).parent
        procs = list(env._procs)
        assert env.url.startswith("https://127.0.0.1:")
        cs = kubernetes.new_for_config(env.rest_config())
        names = {ns["metadata"]["name"] for ns in cs.core_v1().namespaces().list()["items"]}
        assert {"default", "kube-system"} <= names

        # The CRD given to the constructor is served as soon as start() returns.
        dyn = dynamic.new_for_config(env.rest_config())
        widgets = dyn.resource(GroupVersionResource("example.com", "v1", "widgets"))
        made = widgets.namespace("default").create(
            {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
        )
        assert made["metadata"]["uid"]

        # Unmodified kubectl reads the written kubeconfig.
        kubeconfig = tmp_path / "kubeconfig"
        env.write_kubeconfig(kubeconfig)
        assert kubeconfig.stat().st_mode & 0o777 == 0o600
        out = subprocess.run(
            [str(kubectl), "--kubeconfig", str(kubeconfig), "get", "widgets", "-o", "name"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout == "widget.example.com/w\n"

        # The static token is system:masters too; a wrong token is the server's 401.
        token_cfg = Config(
            host=env.url, bearer_token=env.token, tls=TLSClientConfig(ca_data=env.ca_pem)
        )
        kubernetes.new_for_config(token_cfg).core_v1().namespaces().get("default")
        bad = token_cfg.copy(bearer_token="wrong")
        with pytest.raises(StatusError) as info:
            kubernetes.new_for_config(bad).core_v1().namespaces().get("default")
        assert info.value.code == 401
    assert all(p.poll() is not None for p in procs)
    assert not workdir.exists()
    assert env.kubeconfig_path == ""


def test_install_crds_from_files_and_directories(envtest: Environment, tmp_path: Path) -> None:
    crd_dir = tmp_path / "crds"
    crd_dir.mkdir()
    (crd_dir / "gadgets.yaml").write_text(GADGETS_YAML)
    sprockets = json.loads(
        json.dumps(CRD).replace("widget", "sprocket").replace("Widget", "Sprocket")
    )
    (crd_dir / "nested").mkdir()
    (crd_dir / "nested" / "sprockets.json").write_text(json.dumps(sprockets))
    (crd_dir / "README.md").write_text("not a manifest")
    envtest.install_crds([crd_dir])
    dyn = dynamic.new_for_config(envtest.rest_config())
    dyn.resource(GroupVersionResource("example.com", "v1alpha1", "gadgets")).list()
    dyn.resource(GroupVersionResource("example.com", "v1", "sprockets")).namespace("default").list()


def test_install_crds_refuses_other_kinds(envtest: Environment) -> None:
    with pytest.raises(EnvtestError, match="not a CustomResourceDefinition: 'ConfigMap'"):
        envtest.install_crds([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}])


def test_a_server_that_cannot_start_is_reported_and_cleaned_up(
    envtest_assets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    env = Environment(apiserver_args=["--no-such-flag"])
    with pytest.raises(
        EnvtestError, match=r"kube-apiserver exited with code 1:[\s\S]*no-such-flag"
    ):
        env.start()
    assert not any(p.name.startswith("kctl-envtest-") for p in tmp_path.iterdir())
    assert env._procs == []


def test_interrupted_start_tears_down(
    envtest_assets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = Environment()
    spawned = []
    original = Environment._wait_ready

    def interrupted(self: Environment) -> None:
        spawned.extend(self._procs)
        raise KeyboardInterrupt

    monkeypatch.setattr(Environment, "_wait_ready", interrupted)
    with pytest.raises(KeyboardInterrupt):
        env.start()
    monkeypatch.setattr(Environment, "_wait_ready", original)
    assert len(spawned) == 2
    assert all(p.poll() is not None for p in spawned)
    assert not os.path.exists(env._workdir or "/nonexistent")


def test_service_account_tokens_are_signed_and_verified(envtest: Environment) -> None:
    """The generated signing key: a TokenRequest's token authenticates as its account."""
    from kctl.rest import rest_client_for

    cs = kubernetes.new_for_config(envtest.rest_config())
    ns = f"sa-{os.getpid()}"
    cs.core_v1().namespaces().create({"metadata": {"name": ns}})
    cs.core_v1().service_accounts(ns).create({"metadata": {"name": "robot"}})
    issued = (
        cs.core_v1()
        .service_accounts(ns)
        .create_token("robot", {"spec": {"audiences": [envtest.url], "expirationSeconds": 600}})
    )
    token = issued["status"]["token"]
    as_robot = Config(
        host=envtest.url,
        bearer_token=token,
        tls=TLSClientConfig(ca_data=envtest.ca_pem),
        api_path="/apis",
        group_version=GroupVersion("authentication.k8s.io", "v1"),
    )
    review = (
        rest_client_for(as_robot)
        .post()
        .resource("selfsubjectreviews")
        .body({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
        .do()
        .json()
    )
    assert review["status"]["userInfo"]["username"] == f"system:serviceaccount:{ns}:robot"
