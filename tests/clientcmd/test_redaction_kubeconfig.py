"""A loaded kubeconfig can be printed (logs, debuggers, assertion messages) without credentials."""

from __future__ import annotations

from kctl.clientcmd import load

KUBECONFIG = b"""\
apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c
  cluster: {server: "https://h:6443"}
users:
- name: u
  user:
    username: bob
    password: SECRET-PASSWORD
    token: SECRET-TOKEN
    client-certificate-data: Q0VSVA==
    client-key-data: U0VDUkVULUtFWQ==
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: get-token
      args: [--key, SECRET-ARG]
      env: [{name: API_KEY, value: SECRET-ENV}]
      interactiveMode: Never
- name: oidc
  user:
    auth-provider: {name: oidc, config: {id-token: SECRET-ID, refresh-token: SECRET-REFRESH}}
contexts:
- name: a
  context: {cluster: c, user: u}
"""

SECRETS = (
    "SECRET-PASSWORD",
    "SECRET-TOKEN",
    "SECRET-KEY",
    "U0VDUkVULUtFWQ",
    "SECRET-ARG",
    "SECRET-ENV",
    "SECRET-ID",
    "SECRET-REFRESH",
)


def test_kubeconfig_and_entries_render_without_secrets() -> None:
    config = load(KUBECONFIG)
    user = config.auth_infos["u"]
    assert user.exec is not None
    provider = config.auth_infos["oidc"].auth_provider
    assert provider is not None
    for obj in (config, user, user.exec, config.auth_infos["oidc"], provider):
        for text in (repr(obj), str(obj), f"{obj!r}"):
            for secret in SECRETS:
                assert secret not in text, (secret, text)
    # The parts that help debugging are still there.
    assert "username='bob'" in repr(user)
    assert "command='get-token'" in repr(user.exec)
    assert "name='oidc'" in repr(provider)


def test_the_values_are_still_there() -> None:
    # Redaction is in the rendering only: the loaded values are intact.
    config = load(KUBECONFIG)
    user = config.auth_infos["u"]
    assert user.token == "SECRET-TOKEN" and user.password == "SECRET-PASSWORD"
    assert user.exec is not None and user.exec.args == ["--key", "SECRET-ARG"]
