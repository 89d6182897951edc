"""repr()/str() of rest.Config and its parts never show a credential (client-go's String())."""

from __future__ import annotations

import pytest

from kctl.rest import (
    AuthProviderConfig,
    Config,
    ExecConfig,
    ExecEnvVar,
    TLSClientConfig,
)

SECRETS = ("SECRET-PASSWORD", "SECRET-TOKEN", "SECRET-KEY", "SECRET-ENV", "SECRET-ARG", "SECRET-ID")


def _config() -> Config:
    return Config(
        host="https://h:6443",
        username="bob",
        password="SECRET-PASSWORD",
        bearer_token="SECRET-TOKEN",
        tls=TLSClientConfig(
            cert_data=b"-----BEGIN CERTIFICATE-----\nMIIB\n",
            key_data=b"-----BEGIN PRIVATE KEY-----\nSECRET-KEY\n",
            ca_data=b"-----BEGIN CERTIFICATE-----\nMIIC\n",
        ),
        exec_provider=ExecConfig(
            command="get-token",
            args=("--key", "SECRET-ARG"),
            env=(ExecEnvVar("API_KEY", "SECRET-ENV"),),
            cluster={"config": {"secret": "SECRET-ID"}},
        ),
        auth_provider=AuthProviderConfig("oidc", {"id-token": "SECRET-ID"}),
        proxy="http://u:SECRET-PASSWORD@proxy:3128",
    )


@pytest.mark.parametrize("render", [repr, str, lambda c: f"{c}"])
def test_config_renders_without_secrets(render: object) -> None:
    assert callable(render)
    text = render(_config())
    for secret in SECRETS:
        assert secret not in text
    # What is not secret still shows, so the redaction is not "print nothing".
    assert "host='https://h:6443'" in text
    assert "username='bob'" in text
    assert "password=--- REDACTED ---" in text
    assert "bearer_token=--- REDACTED ---" in text
    assert "key_data=--- REDACTED ---" in text
    assert "proxy='http://u:xxxxx@proxy:3128'" in text


def test_parts_render_without_secrets() -> None:
    config = _config()
    assert config.exec_provider is not None and config.auth_provider is not None
    for part in (config.exec_provider, config.auth_provider, config.tls):
        text = repr(part)
        for secret in SECRETS:
            assert secret not in text, (secret, text)
    assert "command='get-token'" in repr(config.exec_provider)
    assert "name='oidc'" in repr(config.auth_provider)


def test_unset_fields_say_so() -> None:
    text = repr(Config(host="https://h"))
    assert 'password=""' in text and 'bearer_token=""' in text
    assert repr(ExecConfig(command="x")).startswith('ExecConfig(command=\'x\', args="", env=""')
