"""What building a rest.Config from a kubeconfig may import (issue 6 start-up budget).

Each check runs a fresh interpreter and inspects ``sys.modules``; no timings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kctl.clientcmd
import kctl.rest

# The request machinery and the socket layer: neither is needed to turn a kubeconfig into
# a Config.
_NOT_FOR_A_CONFIG = [
    "yaml",
    "ssl",
    "socket",
    "logging",
    "urllib.parse",
    "ipaddress",
    "kctl.rest._request",
    "kctl.rest._transport",
    "kctl.rest._adapter",
    "kctl.rest._proxies",
    "requests",
    "urllib3",
    "kctl.rest._auth",
    "kctl.rest._watch",
    "kctl.rest._url",
    "kctl.clientcmd._writer",
]

_KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: Y2E=
users:
- name: u
  user:
    token: secret-token
contexts:
- name: main
  context:
    cluster: c
    user: u
    namespace: team
current-context: main
"""

_PROBE = """
import json, sys
import kctl.clientcmd, kctl.rest

rules = kctl.clientcmd.ClientConfigLoadingRules(explicit_path=sys.argv[1])
cc = kctl.clientcmd.new_non_interactive_deferred_loading_client_config(
    rules, kctl.clientcmd.ConfigOverrides()
)
config = cc.client_config()
assert isinstance(config, kctl.rest.Config)
print(json.dumps({
    "host": config.host,
    "token": config.bearer_token,
    "ca": config.tls.ca_data.decode(),
    "namespace": cc.namespace(),
    "modules": sorted(sys.modules),
}))
"""


def _run(code: str, *args: str) -> str:
    import yaml

    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL", "PYTHON"))}
    # Without site: an editable install's import finder loads pathlib (and with it
    # urllib.parse) before any kctl code runs. Of site-packages kctl needs only PyYAML here,
    # to read a YAML kubeconfig.
    paths = [Path(kctl.__file__).parents[1], Path(yaml.__file__).parents[1]]
    env["PYTHONPATH"] = os.pathsep.join(map(str, paths))
    proc = subprocess.run(
        [sys.executable, "-S", "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("as_json", [False, True])
def test_kubeconfig_to_config_imports_only_what_a_config_needs(
    tmp_path: Path, as_json: bool
) -> None:
    import yaml

    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(yaml.safe_load(_KUBECONFIG)) if as_json else _KUBECONFIG)
    result = json.loads(_run(_PROBE, str(path)))
    assert (result["host"], result["token"], result["ca"], result["namespace"]) == (
        "https://127.0.0.1:6443",
        "secret-token",
        "ca",
        "team",
    )
    modules = set(result["modules"])
    assert "kctl.rest._config" in modules
    # Reading a YAML kubeconfig takes PyYAML (issue 11); a JSON one does not.
    allowed = set() if as_json else {"yaml", "yaml._yaml"}
    unwanted = [m for m in _NOT_FOR_A_CONFIG if m in modules and m not in allowed]
    assert unwanted == []
    assert ("yaml" in modules) is not as_json


def test_importing_the_packages_loads_no_submodule() -> None:
    code = (
        "import json, sys, kctl.clientcmd, kctl.rest\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('kctl'))))\n"
    )
    # kctl._lazy is the shared PEP 562 hook the packages are built on.
    assert json.loads(_run(code)) == ["kctl", "kctl._lazy", "kctl.clientcmd", "kctl.rest"]


@pytest.mark.parametrize("package", [kctl.rest, kctl.clientcmd])
def test_every_public_name_resolves_and_is_listed(package: object) -> None:
    names: list[str] = getattr(package, "__all__")  # noqa: B009
    for name in names:
        value = getattr(package, name)
        assert getattr(value, "__name__", name) == name or not callable(value)
    assert set(names) <= set(dir(package))


@pytest.mark.parametrize("package", [kctl.rest, kctl.clientcmd])
def test_unknown_names_raise_attribute_error(package: object) -> None:
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        getattr(package, "no_such_name")  # noqa: B009
    with pytest.raises(ImportError):
        exec(f"from {getattr(package, '__name__')} import no_such_name", {})  # noqa: B009


def test_lazy_names_are_the_submodules_objects() -> None:
    from kctl.clientcmd._loader import load
    from kctl.rest._config import Config
    from kctl.rest._request import RESTClient

    assert kctl.rest.Config is Config
    assert kctl.rest.RESTClient is RESTClient
    assert kctl.clientcmd.load is load
