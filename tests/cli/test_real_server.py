"""kctl and kubectl 1.37.1 against the real kube-apiserver 1.37: the same bytes, every form.

The sandbox parity tests ask whether kctl prints what kubectl prints; here the server too is
the real one, so a sandbox quirk can hide nothing. One control plane per worker (the
``envtest`` fixture); each test works in namespaces of its own. Writes are compared on twin
namespaces: kctl writes into one, kubectl into the other, with the same manifests.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_proc import LineProc

from kctl import dynamic, kubernetes
from kctl.envtest import Environment
from kctl.errors import StatusError
from kctl.schema import GroupVersionResource

Parity = Callable[..., Any]
KUBECTL = Path(sys.executable).parent / "kubectl"
AGE = [r"\b\d+[smhdy](\d+[smhd])?\b"]
_KLOG = re.compile(r"^[EWIF]\d{4} [^\n]*\n?", re.M)
_ids = itertools.count()

WIDGETS_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gizmos.cli.kctl.test"},
    "spec": {
        "group": "cli.kctl.test",
        "scope": "Namespaced",
        "names": {
            "plural": "gizmos",
            "singular": "gizmo",
            "kind": "Gizmo",
            "shortNames": ["gz"],
            "categories": ["all"],
        },
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {"size": {"type": "integer"}},
                            }
                        },
                    }
                },
                "additionalPrinterColumns": [
                    {"name": "Size", "type": "integer", "jsonPath": ".spec.size"}
                ],
            }
        ],
    },
}


def _deployment(name: str, replicas: int) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {**labels, "tier": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
            },
        },
    }


@pytest.fixture(scope="module")
def populated(envtest: Environment) -> Iterator[str]:
    """A namespace with configmaps, secrets, deployments, services and a custom resource."""
    ns = f"cli-{os.getpid()}-{next(_ids)}"
    cfg = envtest.rest_config().copy(qps=-1)
    cs = kubernetes.new_for_config(cfg)
    cs.core_v1().namespaces().create({"metadata": {"name": ns}})
    for i in range(12):
        cs.core_v1().config_maps(ns).create(
            {"metadata": {"name": f"cm-{i:02d}", "labels": {"idx": str(i % 3)}}, "data": {"k": "v"}}
        )
    cs.core_v1().secrets(ns).create(
        {"metadata": {"name": "creds"}, "type": "Opaque", "stringData": {"password": "hunter2"}}
    )
    apps = dynamic.new_for_config(cfg).resource(GroupVersionResource("apps", "v1", "deployments"))
    for name, replicas in (("api", 3), ("web", 1)):
        apps.namespace(ns).create(_deployment(name, replicas))
    for name in ("api", "web"):
        cs.core_v1().services(ns).create(
            {
                "metadata": {"name": name, "labels": {"app": name}},
                "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]},
            }
        )
    try:
        envtest.install_crds([WIDGETS_CRD])
    except StatusError as err:  # installed by an earlier run of this fixture on this worker
        if err.reason != "AlreadyExists":
            raise
    gizmos = dynamic.new_for_config(cfg).resource(
        GroupVersionResource("cli.kctl.test", "v1", "gizmos")
    )
    gizmos.namespace(ns).create(
        {
            "apiVersion": "cli.kctl.test/v1",
            "kind": "Gizmo",
            "metadata": {"name": "g1"},
            "spec": {"size": 3},
        }
    )
    yield ns


@pytest.mark.parametrize(
    "args",
    [
        ("get", "cm"),
        ("get", "cm", "-o", "wide"),
        ("get", "deploy,svc"),
        ("get", "deploy", "-o", "wide"),
        ("get", "all"),
        ("get", "gizmos"),
        ("get", "gz", "g1", "-o", "wide"),
        ("get", "deploy", "api", "web", "--show-kind"),
        ("get", "cm", "-l", "idx=1", "--show-labels"),
        ("get", "cm", "--field-selector", "metadata.name=cm-03"),
        ("get", "deploy", "--sort-by=.spec.replicas"),
        ("get", "deploy", "-L", "tier", "--no-headers"),
        ("get", "secret", "creds"),
        ("get", "cm", "--chunk-size=5"),
        ("get", "deploy/api", "pod/nope"),
    ],
)
def test_tables(
    envtest: Environment, populated: str, parity: Parity, args: tuple[str, ...]
) -> None:
    p = parity(envtest, *args, "-n", populated, mask=AGE)
    p.assert_same()
    # Every form here finds something: an empty or failed run on both sides proves nothing.
    assert p.ours.stdout.strip(), p.ours.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("get", "deploy", "-o", "json"),
        ("get", "deploy", "api", "-o", "yaml"),
        ("get", "deploy", "api", "-o", "yaml", "--show-managed-fields"),
        ("get", "cm", "cm-01", "-o", "json"),
        ("get", "gizmo", "g1", "-o", "yaml"),
        ("get", "deploy,svc,cm", "-o", "name"),
        ("get", "svc", "-o", "jsonpath={.items[*].metadata.name}"),
        ("get", "svc", "api", "-o", "jsonpath={.spec.ports[0].targetPort}"),
        ("get", "svc", "-o", "custom-columns=N:.metadata.name,P:.spec.ports[0].port"),
        ("get", "cm", "-o", "json", "--sort-by=.metadata.name"),
        ("get", "deploy", "api", "--subresource=scale", "-o", "json"),
        ("get", "deploy", "api", "--subresource=status", "-o", "yaml"),
        ("get", "cm", "-o", "name", "--chunk-size=4"),
        ("get", "cm", "-o", "jsonpath-as-json={.items[*].metadata.name}"),
        (
            "get",
            "deploy",
            "-o",
            'go-template={{range .items}}{{.metadata.name}} {{.spec.replicas}}{{"\\n"}}{{end}}',
        ),
        ("get", "svc", "api", "-o", "template={{.spec.sessionAffinity}}"),
        ("get", "deploy", "api", "-o", "kyaml"),
        ("get", "pods", "nope", "-o", "json"),
        ("get", "svc", "nope", "--ignore-not-found"),
        ("get", "bogus"),
        ("get", "foos.apps"),
    ],
)
def test_objects_and_errors(
    envtest: Environment, populated: str, parity: Parity, args: tuple[str, ...]
) -> None:
    parity(envtest, *args, "-n", populated).assert_same()


@pytest.mark.parametrize(
    ("form", "text"),
    [
        ("jsonpath-file", "{.items[*].metadata.name}"),
        ("go-template-file", "{{range .items}}{{.metadata.name}}:{{.spec.type}} {{end}}"),
        ("templatefile", "{{len .items}} {{(index .items 0).metadata.name}}"),
        ("custom-columns-file", "NAME PORT\n.metadata.name .spec.ports[0].port\n"),
    ],
)
def test_output_from_files(
    envtest: Environment, populated: str, parity: Parity, tmp_path: Path, form: str, text: str
) -> None:
    template = tmp_path / "template.txt"
    template.write_text(text)
    p = parity(envtest, "get", "svc", "-n", populated, "-o", f"{form}={template}")
    p.assert_same()
    assert p.ours.returncode == 0 and "api" in p.ours.stdout, p.ours.stderr


def test_all_namespaces_and_cluster_scoped(envtest: Environment, parity: Parity) -> None:
    parity(envtest, "get", "ns", "-o", "name").assert_same()
    parity(envtest, "get", "clusterroles", "--chunk-size=50", "-o", "name").assert_same()
    parity(envtest, "get", "crd", mask=AGE).assert_same()
    parity(envtest, "get", "--raw", "/api/v1/namespaces/default").assert_same()


def test_limit_pages_like_chunked_lists(
    envtest: Environment, populated: str, run_kctl: Any
) -> None:
    """kctl's own --limit: one page, and a hint that gets the rest."""
    first = run_kctl(envtest, "get", "cm", "-n", populated, "--limit", "5", "-o", "name")
    assert first.returncode == 0, first.stderr
    names = first.stdout.splitlines()
    assert names[:2] == ["configmap/cm-00", "configmap/cm-01"]
    assert len(names) == 5
    token = re.search(r"--continue[ =](\S+)", first.stderr)
    assert token, first.stderr
    rest = run_kctl(
        envtest,
        "get",
        "cm",
        "-n",
        populated,
        "--limit",
        "100",
        "--continue",
        token.group(1),
        "-o",
        "name",
    )
    assert rest.returncode == 0, rest.stderr
    everything = names + rest.stdout.splitlines()
    assert [n for n in everything if n.startswith("configmap/cm-")] == [
        f"configmap/cm-{i:02d}" for i in range(12)
    ]


@pytest.mark.parametrize(
    "flags",
    [
        (),
        ("-o", "wide"),
        ("-o", "name"),
        ("--api-group=apps",),
        ("--api-group=cli.kctl.test", "-o", "wide"),
        ("--namespaced=false",),
        ("--verbs=list,watch",),
        ("--categories=all",),
        ("--sort-by=kind", "-o", "wide"),
        ("--no-headers",),
    ],
)
def test_api_resources(
    envtest: Environment, populated: str, parity: Parity, flags: tuple[str, ...]
) -> None:
    p = parity(envtest, "api-resources", *flags)
    p.assert_same()
    assert p.ours.returncode == 0 and p.ours.stdout.strip(), p.ours.stderr


def test_api_versions(envtest: Environment, populated: str, parity: Parity) -> None:
    p = parity(envtest, "api-versions")
    p.assert_same()
    assert "cli.kctl.test/v1\n" in p.ours.stdout


# -- writes, on twin namespaces -------------------------------------------------------------

_UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_RV = re.compile(r'"?resourceVersion"?: "?\d+"?')


class Twins:
    def __init__(self, env: Environment, run_kctl: Any, run_ref: Any, cwd: Path) -> None:
        self.env = env
        self.run_kctl = run_kctl
        self.run_ref = run_ref
        self.cwd = cwd
        cs = kubernetes.new_for_config(env.rest_config())
        base = f"tw-{os.getpid()}-{next(_ids)}"
        self.ours, self.theirs = f"{base}-a", f"{base}-b"
        for ns in (self.ours, self.theirs):
            cs.core_v1().namespaces().create({"metadata": {"name": ns}})

    def norm(self, text: str) -> str:
        text = _KLOG.sub("", text)
        text = text.replace(self.ours, "<ns>").replace(self.theirs, "<ns>")
        text = _RV.sub("resourceVersion: <rv>", _TIME.sub("<time>", _UID.sub("<uid>", text)))
        return re.sub(r"\bkubectl\b", "kctl", text)

    def step(self, *args: str, input: str | None = None) -> Any:
        ours = self.run_kctl(self.env, *args, "-n", self.ours, input=input, cwd=self.cwd)
        theirs = self.run_ref(self.env, *args, "-n", self.theirs, input=input, cwd=self.cwd)
        assert self.norm(ours.stdout) == self.norm(theirs.stdout), f"stdout differs: {args}"
        assert self.norm(ours.stderr) == self.norm(theirs.stderr), f"stderr differs: {args}"
        assert ours.returncode == theirs.returncode, f"exit code differs: {args}"
        return ours


@pytest.fixture
def twins(envtest: Environment, run_kctl: Any, run_ref_kubectl: Any, tmp_path: Path) -> Twins:
    return Twins(envtest, run_kctl, run_ref_kubectl, tmp_path)


CM1 = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\n  labels: {app: demo}\ndata:\n  a: '1'\n"
CM2 = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm2\n  labels: {app: demo}\ndata:\n  b: '2'\n"


def test_apply_client_side_and_prune(twins: Twins, tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(CM1)
    (tmp_path / "both.yaml").write_text(CM1 + "---\n" + CM2)
    out = twins.step("apply", "-f", "both.yaml")
    assert out.stdout == "configmap/cm1 created\nconfigmap/cm2 created\n"
    twins.step("apply", "-f", "both.yaml")
    (tmp_path / "one.yaml").write_text(CM1.replace("'1'", "'one'"))
    twins.step("apply", "-f", "one.yaml", "--dry-run=server", "-o", "yaml")
    twins.step("apply", "-f", "one.yaml", "--dry-run=client")
    out = twins.step("apply", "-f", "one.yaml", "--prune", "-l", "app=demo")
    assert out.stdout == "configmap/cm1 configured\nconfigmap/cm2 pruned\n"
    twins.step("get", "cm", "-l", "app=demo", "-o", "yaml")


def test_apply_server_side_and_conflicts(twins: Twins, tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text(CM1)
    twins.step("apply", "--server-side", "-f", "cm.yaml")
    (tmp_path / "cm.yaml").write_text(CM1.replace("'1'", "'2'"))
    out = twins.step("apply", "--server-side", "--field-manager=other", "-f", "cm.yaml")
    assert out.returncode == 1
    twins.step(
        "apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "cm.yaml"
    )
    twins.step("get", "cm", "cm1", "-o", "yaml", "--show-managed-fields")


def test_delete(twins: Twins, tmp_path: Path) -> None:
    (tmp_path / "both.yaml").write_text(CM1 + "---\n" + CM2)
    twins.step("apply", "-f", "both.yaml")
    twins.step("delete", "cm", "cm1", "--dry-run=server")
    twins.step("delete", "cm", "cm1")
    twins.step("delete", "cm", "cm1")
    twins.step("delete", "cm", "cm1", "--ignore-not-found")
    twins.step("delete", "-f", "both.yaml", "--ignore-not-found")
    twins.step("delete", "cm", "-l", "app=demo")
    twins.step("delete", "cm")


@pytest.mark.parametrize("extra", [(), ("--output-watch-events",), ("-o", "name")])
def test_get_watch(envtest: Environment, extra: tuple[str, ...], tmp_path: Path) -> None:
    """get -w: the initial list, then each change, as kubectl prints them."""
    cs = kubernetes.new_for_config(envtest.rest_config())
    ns = f"w-{os.getpid()}-{next(_ids)}"
    cs.core_v1().namespaces().create({"metadata": {"name": ns}})
    cs.core_v1().config_maps(ns).create({"metadata": {"name": "before"}})
    args = ["get", "configmaps", "-n", ns, "-w", *extra]
    procs = [
        LineProc([sys.executable, "-m", "kctl", *args], envtest.kubeconfig_path, tmp_path / "a"),
        LineProc([str(KUBECTL), *args], envtest.kubeconfig_path, tmp_path / "b"),
    ]
    seen: list[list[str]] = [[], []]

    def read_until(proc: LineProc, lines: list[str], name: str) -> None:
        while not any(name in line for line in lines):
            lines.extend(proc.take(1))

    try:
        for proc, lines in zip(procs, seen, strict=True):
            read_until(proc, lines, "before")
        cs.core_v1().config_maps(ns).create({"metadata": {"name": "during"}})
        for proc, lines in zip(procs, seen, strict=True):
            read_until(proc, lines, "during")
    finally:
        for proc in procs:
            proc.kill()
    mask = re.compile(AGE[0])
    ours, theirs = ([mask.sub("<age>", line) for line in lines] for lines in seen)
    assert ours == theirs


def test_kctl_watch(envtest: Environment, tmp_path: Path) -> None:
    """kctl's own watch verb on the real server: the list, then each change, as JSON lines,
    and Ctrl-C ends it with exit code 0."""
    import json
    import signal

    cs = kubernetes.new_for_config(envtest.rest_config())
    ns = f"kw-{os.getpid()}-{next(_ids)}"
    cs.core_v1().namespaces().create({"metadata": {"name": ns}})
    cs.core_v1().config_maps(ns).create({"metadata": {"name": "a"}, "data": {"k": "1"}})
    argv = [sys.executable, "-m", "kctl", "watch", "configmaps", "-n", ns, "-o", "json"]
    proc = LineProc(argv, envtest.kubeconfig_path, tmp_path)
    try:
        events = [json.loads(proc.take(1)[0])]
        cs.core_v1().config_maps(ns).patch(
            "a", "application/merge-patch+json", {"data": {"k": "2"}}
        )
        events.append(json.loads(proc.take(1)[0]))
        cs.core_v1().config_maps(ns).delete("a")
        events.append(json.loads(proc.take(1)[0]))
        proc.proc.send_signal(signal.SIGINT)
        code, _ = proc.finish()
    finally:
        proc.kill()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "a"),
        ("MODIFIED", "a"),
        ("DELETED", "a"),
    ]
    assert events[1]["object"]["data"] == {"k": "2"}
    assert code == 0
