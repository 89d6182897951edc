"""The kubeconfig subset reader agrees with PyYAML on everything it accepts."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kctl.clientcmd import load
from kctl.clientcmd._simple_yaml import NotSimple, parse
from kctl.clientcmd._yaml import parse_yaml

KUBECTL = Path(sys.executable).parent / "kubectl"


def _typed(value: Any) -> Any:
    """A structure whose equality also compares types (True != 1, 1 != 1.0, None != "")."""
    if isinstance(value, dict):
        return ("map", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [_typed(v) for v in value])
    return (type(value).__name__, value)


def _pyyaml(data: bytes) -> tuple[bool, Any]:
    """(ok, result) of both PyYAML loaders, which must agree for the test to mean anything."""
    results = []
    for loader in (yaml.CSafeLoader, yaml.SafeLoader):
        try:
            results.append((True, _typed(yaml.load(data, Loader=loader))))
        except yaml.YAMLError:
            results.append((False, None))
    return results[0] if results[0] == results[1] else (False, "loaders disagree")


def _check(data: bytes) -> bool:
    """Asserts the property for one document; True when the subset reader accepted it."""
    try:
        got = parse(data)
    except NotSimple:
        return False
    ok, want = _pyyaml(data)
    assert ok, f"subset reader accepted what PyYAML rejects: {data!r}"
    assert _typed(got) == want, data
    return True


SANDBOX = b"""apiVersion: v1
kind: Config
clusters:
- name: kctl-sandbox
  cluster:
    server: http://127.0.0.1:41769
contexts:
- name: kctl-sandbox
  context:
    cluster: kctl-sandbox
    user: kctl-sandbox
    namespace: default
current-context: kctl-sandbox
preferences: {}
users:
- name: kctl-sandbox
  user:
    {}
"""

EKS = b"""apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM1ekNDQWMrZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKY201bGRHVnpNQjRYRFRJd01EUXhNekUyTXpVME9Wb1hEVE13TURReE1URTJNelUwT1Zvd0ZURVRNQkVHQTFVRQpBeE1LYTNWaVpYSnVaWFJsY3pDQ0FTSXdEUVlKS29aSWh2Y05BUUVCQlFBRGdnRVBBRENDQVFvQ2dnRUJBTU5jCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K
    server: https://ABCDEF0123456789ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com
  name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
contexts:
- context:
    cluster: arn:aws:eks:eu-west-1:123456789012:cluster/prod
    namespace: kube-system
    user: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
current-context: arn:aws:eks:eu-west-1:123456789012:cluster/prod
kind: Config
preferences: {}
users:
- name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - --region
      - eu-west-1
      - eks
      - get-token
      - --cluster-name
      - prod
      - --output
      - json
      command: aws
      env:
      - name: AWS_PROFILE
        value: prod-admin
      interactiveMode: IfAvailable
      provideClusterInfo: false
"""

GKE = b"""apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUVMVENDQXBXZ0F3SUJBZ0lSQU0K
    server: https://34.78.12.201
  name: gke_my-project_europe-west1_autopilot-1
contexts:
- context:
    cluster: gke_my-project_europe-west1_autopilot-1
    user: gke_my-project_europe-west1_autopilot-1
  name: gke_my-project_europe-west1_autopilot-1
current-context: gke_my-project_europe-west1_autopilot-1
kind: Config
preferences: {}
users:
- name: gke_my-project_europe-west1_autopilot-1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
      installHint: Install gke-gcloud-auth-plugin for use with kubectl by following
        https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin
      provideClusterInfo: true
"""

AKS = b"""apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUU2RENDQXRDZ0F3SUJBZ0lRCg==
    server: https://aks-prod-dns-1a2b3c4d.hcp.westeurope.azmk8s.io:443
  name: aks-prod
contexts:
- context:
    cluster: aks-prod
    user: clusterUser_rg-prod_aks-prod
  name: aks-prod
current-context: aks-prod
kind: Config
preferences: {}
users:
- name: clusterUser_rg-prod_aks-prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - 72f988bf-86f1-41af-91ab-2d7cd011db47
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: |2

        kubelogin is not installed which is required to connect to AAD enabled cluster.
      provideClusterInfo: false
"""

KIND = b"""apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUyZ0F3SUJBZ0lJCg==
    server: https://127.0.0.1:38517
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    user: kind-kind
  name: kind-kind
current-context: kind-kind
kind: Config
preferences: {}
users:
- name: kind-kind
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURJVENDQWdtZ0F3SUJBZ0lJCg==
    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFcEFJQkFBS0NBUUVBCg==
"""

MINIKUBE = b"""apiVersion: v1
clusters:
- cluster:
    certificate-authority: /home/dev/.minikube/ca.crt
    extensions:
    - extension:
        last-update: Mon, 06 May 2024 10:21:14 CEST
        provider: minikube.sigs.k8s.io
        version: v1.33.0
      name: cluster_info
    server: https://192.168.49.2:8443
  name: minikube
contexts:
- context:
    cluster: minikube
    extensions:
    - extension:
        last-update: Mon, 06 May 2024 10:21:14 CEST
        provider: minikube.sigs.k8s.io
        version: v1.33.0
      name: context_info
    namespace: default
    user: minikube
  name: minikube
current-context: minikube
kind: Config
preferences: {}
users:
- name: minikube
  user:
    client-certificate: /home/dev/.minikube/profiles/minikube/client.crt
    client-key: /home/dev/.minikube/profiles/minikube/client.key
"""

# Hand-written, with comments, quoting, an indented sequence and a token.
HANDWRITTEN = b"""# my clusters
apiVersion: "v1"
kind: 'Config'
current-context: dev\x20\x20

clusters:
  - name: dev
    cluster:
      server: "https://dev.example.com:6443"
      insecure-skip-tls-verify: true
      tls-server-name: 'it''s.example.com'
  # staging is down
  - name: staging
    cluster:
      server: https://staging.example.com
      proxy-url: socks5://localhost:1080
users:
  - name: dev
    user:
      token: "eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2ln"
  - name: basic
    user:
      username: admin
      password: "s3cr\\u00e9t\\n"
contexts:
  - name: dev
    context: {cluster: dev, user: dev}
"""

ACCEPTED = {
    "sandbox": SANDBOX,
    "eks": EKS,
    "kind": KIND,
    "minikube": MINIKUBE,
}
# Shapes the reader must leave to PyYAML (multi-line plain scalar, block scalar, flow map).
REFUSED = {"gke": GKE, "aks": AKS, "handwritten": HANDWRITTEN}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_real_world_kubeconfigs_take_the_fast_path(name: str) -> None:
    assert _check(ACCEPTED[name]), name


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_shapes_outside_the_subset_fall_back(name: str) -> None:
    with pytest.raises(NotSimple):
        parse(REFUSED[name])
    # ... and still load through PyYAML.
    assert parse_yaml(REFUSED[name]) == yaml.safe_load(REFUSED[name])


def test_kubectl_written_kubeconfig_takes_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "config"
    kc = ["--kubeconfig", str(path)]
    steps = [
        [
            "config",
            "set-cluster",
            "c1",
            "--server=https://10.0.0.1:6443",
            "--insecure-skip-tls-verify",
        ],
        ["config", "set-cluster", "c2", "--server=https://c2.example:443", "--tls-server-name=c2"],
        ["config", "set-credentials", "u1", "--token=abc.def"],
        ["config", "set-credentials", "u2", "--username=admin", "--password=p:w #x"],
        [
            "config",
            "set-credentials",
            "u3",
            "--exec-command=aws",
            "--exec-api-version=client.authentication.k8s.io/v1beta1",
            "--exec-arg=eks,get-token",
            "--exec-env=A=1",
        ],
        ["config", "set-context", "ctx", "--cluster=c1", "--user=u1", "--namespace=dev"],
        ["config", "set", "clusters.c1.proxy-url", "http://proxy:3128"],
        ["config", "use-context", "ctx"],
    ]
    for step in steps:
        subprocess.run([str(KUBECTL), *step, *kc], check=True, capture_output=True)
    raw = subprocess.run(
        [str(KUBECTL), "config", "view", "--raw", *kc], check=True, capture_output=True
    ).stdout
    for data in (path.read_bytes(), raw):
        assert _check(data), data.decode()


def test_json_kubeconfig() -> None:
    doc = json.dumps(yaml.safe_load(EKS), indent=2).encode()
    assert _check(doc)
    assert parse(b'{"a": [1, -2, true, null, "x\\u00e9\\n", {}], "b": {"c": "\\/"}}') == {
        "a": [1, -2, True, None, "x\u00e9\n", {}],
        "b": {"c": "/"},
    }
    # YAML 1.1 reads 1e5 as a string and libyaml refuses lone surrogates: left to PyYAML.
    for data in (b'{"a": 1.5}', b'{"a": 1e5}', b'{"a": 1, "a": 2}'):
        with pytest.raises(NotSimple):
            parse(data)
        assert parse_yaml(data) == yaml.safe_load(data)
    with pytest.raises(NotSimple):
        parse(b'{"a": "\\ud83d\\ude00"}')


@pytest.mark.parametrize(
    "data",
    [
        b"a: 1.5\n",
        b"a: 0x1f\n",
        b"a: 0755\n",
        b"a: 1_000\n",
        b"a: 2024-01-01\n",
        b"a: .inf\n",
        b"a: 1:30\n",
        b"a: &x 1\nb: *x\n",
        b"a: !!str 1\n",
        b"a: |\n  x\n",
        b"a: >\n  x\n",
        b"a: b\n  c\n",
        b"a: [x]\n",
        b"a: {b: c}\n",
        b"? a\n: b\n",
        b"a: 1\na: 2\n",
        b"a:\tb\n",
        b"a: b\r\nc: d\r\n",
        b"---\na: b\n",
        b"%YAML 1.1\n---\na: b\n",
        b"\xef\xbb\xbfa: b\n",
        b"a: b # comment\n",
        b'a: "b" c\n',
        b"a: 'b\n  c'\n",
        b"<<: {}\n",
        b"a: =\n",
        b"a: \xff\n",
        b"a: b\x85c\n",
        b"- - a\n",
        b"a: 'x' #c\n",
    ],
)
def test_outside_the_subset_is_refused(data: bytes) -> None:
    with pytest.raises(NotSimple):
        parse(data)


def test_errors_come_from_pyyaml(tmp_path: Path) -> None:
    bad = b"apiVersion: v1\nclusters:\n- name: a\n  cluster: [\n"
    with pytest.raises(NotSimple):
        parse(bad)
    with pytest.raises(ValueError) as info:
        load(bad)
    try:
        yaml.load(bad, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        assert mark is not None
        assert str(info.value) == f"yaml: line {mark.line + 1}: {err.problem}"


# -- seeded random documents -----------------------------------------------------------------

_TRICKY = [
    "",
    " ",
    "1",
    "-1",
    "+1",
    "0",
    "00",
    "-0",
    "1.0",
    "1e5",
    "1.5e+3",
    "0x1F",
    "0o7",
    "0b1",
    "1_0",
    "1:20",
    ".5",
    ".inf",
    "-.Inf",
    ".NaN",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "~x",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "<<",
    "=",
    "-",
    "--",
    "---",
    "...",
    "-a",
    "--region",
    "a b",
    "a  b",
    "a:b",
    "a: b",
    "a:",
    ":a",
    "a #b",
    "a#b",
    "#a",
    "&a",
    "*a",
    "!a",
    "|",
    ">",
    "%a",
    "@a",
    "`a",
    "[a",
    "a]",
    "{a",
    "a}",
    "a,b",
    "?a",
    "? a",
    "'a",
    "a'",
    '"a',
    'a"',
    "a\\b",
    "é",
    "日本",
    "\u2028",
    "\x85",
    "\x7f",
    "\x01",
    "\ufeff",
    "\ufffe",
    "\xa0",
    "\U0001f600",
    "a\tb",
    "https://h:6443/p?q=1#f",
    "arn:aws:eks:x:1:cluster/a",
    "LS0tLS1CRUdJTg==",
    "v1.33.0",
    "10.0.0.1",
    "1.2.3",
    "0.1.2.3",
    "Mon, 06 May 2024 10:21:14 CEST",
    "k8s.io/exec",
]


def _random_string(rnd: random.Random) -> str:
    roll = rnd.random()
    if roll < 0.12:
        return rnd.choice(_TRICKY)
    if roll < 0.85:
        return "".join(rnd.choice("abcxyz-_./0123456789") for _ in range(rnd.randint(1, 12)))
    alphabet = "ab01-_.:/ #'\"\\{}[],&*!|>%@?~=<xeE+é"
    return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 8)))


def _random_scalar(rnd: random.Random) -> Any:
    roll = rnd.random()
    if roll < 0.1:
        return rnd.choice([True, False, None])
    if roll < 0.2:
        return rnd.randint(-1000, 10**12)
    return _random_string(rnd)


def _random_value(rnd: random.Random, depth: int) -> Any:
    roll = rnd.random()
    if depth > 2 or roll < 0.45:
        return _random_scalar(rnd)
    if roll < 0.75:
        return {
            _random_string(rnd): _random_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))
        }
    return [_random_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]


def _render_scalar(rnd: random.Random, value: Any) -> str:
    if value is None:
        return rnd.choice(["null", "~", "Null"])
    if isinstance(value, bool):
        return rnd.choice([["false", "False", "no", "off"], ["true", "TRUE", "yes", "On"]][value])
    if isinstance(value, int):
        return str(value)
    roll = rnd.random()
    if roll < 0.4:
        return value  # plain, whatever it means
    if roll < 0.7:
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=rnd.random() < 0.5)


def _render(rnd: random.Random, value: Any, indent: int, out: list[str], prefix: str) -> None:
    """Block style; ``prefix`` is what precedes the node on its first line (``key:``, ``-``)."""
    pad = " " * indent
    step = rnd.choice([2, 2, 4])
    if isinstance(value, dict) and value:
        first = True
        for k, v in value.items():
            key = _render_scalar(rnd, k)
            if first and prefix.endswith("-"):
                head = prefix + " " + key + ":"
                col = len(prefix) + 1
                first = False
            else:
                if first:
                    out.append(prefix)
                    first = False
                head = pad + key + ":"
                col = indent
            _render_child(rnd, v, col, out, head, step)
        return
    if isinstance(value, list) and value:
        out.append(prefix)
        seq_indent = indent if (rnd.random() < 0.5 and prefix.endswith(":")) else indent + step
        for v in value:
            _render(rnd, v, seq_indent + 2, out, " " * seq_indent + "-")
        return
    if isinstance(value, dict):
        out.append(prefix + " {}")
    elif isinstance(value, list):
        out.append(prefix + " []")
    else:
        out.append(prefix + " " + _render_scalar(rnd, value))


def _render_child(
    rnd: random.Random, v: Any, col: int, out: list[str], head: str, step: int
) -> None:
    if isinstance(v, dict) and v:
        out.append(head)
        # An empty prefix line is dropped when the document is joined.
        _render(rnd, v, col + step, out, "")
    else:
        _render(rnd, v, col, out, head)


def _document(rnd: random.Random) -> bytes:
    value = {_random_string(rnd): _random_value(rnd, 0) for _ in range(rnd.randint(1, 4))}
    lines: list[str] = []
    for k, v in value.items():
        _render_child(rnd, v, 0, lines, _render_scalar(rnd, k) + ":", rnd.choice([2, 4]))
    if rnd.random() < 0.3:
        lines.insert(rnd.randint(0, len(lines)), " " * rnd.randint(0, 4) + "# note")
    text = "\n".join(line for line in lines if line != "")
    return (text + rnd.choice(["\n", "", "\n\n"])).encode()


def test_random_documents_agree_with_pyyaml() -> None:
    rnd = random.Random(20261126)
    accepted = 0
    for _ in range(1500):
        accepted += _check(_document(rnd))
    # The generator must exercise the fast path, not only the refusals.
    assert accepted > 300


def test_mutated_kubeconfigs_agree_with_pyyaml() -> None:
    rnd = random.Random(7)
    alphabet = [*" -:#'\"{}[]\n&*!|>%@?~=<\\\tab01.", "\n  ", "- ", ": ", "\n- "]
    seeds = [*ACCEPTED.values(), HANDWRITTEN]
    accepted = 0
    for _ in range(700):
        data = bytearray(rnd.choice(seeds))
        for _ in range(rnd.randint(1, 3)):
            pos = rnd.randrange(len(data) + 1)
            op = rnd.random()
            if op < 0.4:
                data[pos:pos] = rnd.choice(alphabet).encode()
            elif op < 0.7:
                del data[pos : pos + rnd.randint(1, 3)]
            else:
                data[pos : pos + 1] = rnd.choice(alphabet).encode()
        accepted += _check(bytes(data))
    assert accepted > 100


def test_random_json_documents_agree_with_pyyaml() -> None:
    rnd = random.Random(99)
    accepted = 0
    for _ in range(400):
        value = {_random_string(rnd): _random_value(rnd, 0) for _ in range(rnd.randint(0, 4))}
        separators = rnd.choice([(",", ":"), (", ", ": "), (",", ": ")])
        text = json.dumps(
            value,
            indent=rnd.choice([None, 2, 4]),
            separators=separators,
            ensure_ascii=rnd.random() < 0.5,
        )
        accepted += _check(text.encode())
    assert accepted > 100
