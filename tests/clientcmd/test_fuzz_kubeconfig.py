"""Fuzzing the kubeconfig loader: a Config, or one of kctl's ConfigErrors in one line.

Documents are kubeconfig-shaped (named clusters, users and contexts, with every field
possibly of the wrong type), written as YAML or JSON and then damaged; the loaded config
is then resolved into a rest.Config as kubectl would, against a context picked from it.
Files they name are missing, a directory, or empty.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from kctl.clientcmd import (
    ConfigOverrides,
    Kubeconfig,
    load,
    load_from_file,
    new_client_config_from_bytes,
    new_non_interactive_client_config,
)
from kctl.errors import ConfigError, ConfigLoadError

sys.path.insert(0, str(Path(__file__).parent.parent))
from fuzz_strategies import assert_one_line, json_values, noisy

_NAMES = st.sampled_from(["a", "b", "", "c d"])
_FILES = st.sampled_from(["/nonexistent/x", "/dev/null", "/", "", "rel/path"])
_SERVERS = st.sampled_from(
    [
        "https://127.0.0.1:1",
        "http://127.0.0.1:1",
        "127.0.0.1:6443",
        "https://[::1",
        "https://h:99999",
        "",
        "https://a b",
        "unix:///x",
        "https://127.0.0.1:1/prefix",
    ]
)
_B64 = st.sampled_from(["", "Zm9v", "Zm9vYg==", "!!!", "Zg=x", "Zm9vY", "LS0tLS1CRUdJTg=="])


def _maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(value, json_values(3))


_CLUSTER = st.fixed_dictionaries(
    {},
    optional={
        "server": _maybe(_SERVERS),
        "certificate-authority": _maybe(_FILES),
        "certificate-authority-data": _maybe(_B64),
        "insecure-skip-tls-verify": _maybe(st.booleans()),
        "tls-server-name": _maybe(_NAMES),
        "proxy-url": _maybe(st.sampled_from(["http://p:1", "socks5://p", "ftp://x", "::"])),
        "disable-compression": _maybe(st.booleans()),
    },
)
_USER = st.fixed_dictionaries(
    {},
    optional={
        "token": _maybe(st.sampled_from(["t", "", "a b"])),
        "tokenFile": _maybe(_FILES),
        "client-certificate": _maybe(_FILES),
        "client-key": _maybe(_FILES),
        "client-certificate-data": _maybe(_B64),
        "client-key-data": _maybe(_B64),
        "username": _maybe(_NAMES),
        "password": _maybe(_NAMES),
        "as": _maybe(_NAMES),
        "as-groups": _maybe(st.lists(_NAMES, max_size=2)),
        "as-user-extra": json_values(3),
        "auth-provider": _maybe(
            st.fixed_dictionaries({"name": _maybe(_NAMES), "config": json_values(3)})
        ),
        "exec": _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "command": _maybe(_NAMES),
                    "apiVersion": _maybe(
                        st.sampled_from(
                            ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/x"]
                        )
                    ),
                    "args": _maybe(st.lists(_NAMES, max_size=2)),
                    "env": json_values(3),
                    "interactiveMode": _maybe(
                        st.sampled_from(["Never", "IfAvailable", "Always", "x"])
                    ),
                    "provideClusterInfo": _maybe(st.booleans()),
                },
            )
        ),
    },
)
_CONTEXT = st.fixed_dictionaries(
    {},
    optional={
        "cluster": _maybe(_NAMES),
        "user": _maybe(_NAMES),
        "namespace": _maybe(st.sampled_from(["default", "", "BAD_NS", "x" * 70])),
    },
)


def _named(inner: str, body: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    entry = st.fixed_dictionaries({}, optional={"name": _maybe(_NAMES), inner: _maybe(body)})
    return _maybe(st.lists(_maybe(entry), max_size=3))


_KUBECONFIGS = st.fixed_dictionaries(
    {},
    optional={
        "apiVersion": _maybe(st.sampled_from(["v1", "", "v2"])),
        "kind": _maybe(st.sampled_from(["Config", "Pod"])),
        "clusters": _named("cluster", _CLUSTER),
        "users": _named("user", _USER),
        "contexts": _named("context", _CONTEXT),
        "current-context": _maybe(_NAMES),
        "preferences": json_values(3),
        "extensions": json_values(3),
    },
)


@st.composite
def _documents(draw: st.DrawFn) -> bytes:
    doc = draw(_KUBECONFIGS)
    text = json.dumps(doc) if draw(st.booleans()) else yaml.safe_dump(doc)
    text = draw(noisy(st.just(text), ("\n", ": ", "- ", "{", "[", '"', "\t", "---\n", "&a ")))
    return text.encode("utf-8", "replace")


def _resolve(config: Kubeconfig, context: str) -> None:
    try:
        client = new_non_interactive_client_config(config, context, ConfigOverrides())
        client.client_config()
        client.namespace()
    except ConfigError as err:
        assert_one_line(err, ConfigError, [context])


@given(_documents(), _NAMES)
@example(b"clusters: [{name: a, cluster: {server: 'https://[::1'}}]", "a")
def test_a_kubeconfig_loads_or_fails_in_one_line(data: bytes, context: str) -> None:
    try:
        config = load(data)
    except ValueError as err:
        # load() documents ValueError; the callers name the file (ConfigLoadError).
        assert_one_line(ConfigLoadError("f", str(err)), ConfigError)
        return
    _resolve(config, context)


@given(_documents())
def test_client_config_from_bytes(data: bytes) -> None:
    try:
        new_client_config_from_bytes(data).client_config()
    except ConfigError as err:
        assert_one_line(err, ConfigError)


@given(st.binary(max_size=120))
def test_any_bytes_in_a_kubeconfig_file(tmp_path_factory: Any, data: bytes) -> None:
    path = tmp_path_factory.mktemp("kc") / "config"
    path.write_bytes(data)
    try:
        config = load_from_file(str(path))
    except ConfigLoadError as err:
        assert_one_line(err, ConfigError)
        return
    _resolve(config, "")
