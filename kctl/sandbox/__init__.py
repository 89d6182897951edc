"""An embedded Kubernetes API server ("sandbox") that unmodified kubectl accepts.

Standard library, plus PyYAML for YAML seeds and bodies and cryptography for its TLS
certificates::

    from kctl.sandbox import Sandbox

    with Sandbox(seed="demo") as sb:
        config = sb.rest_config()
"""

from kctl.sandbox._api import ApiServer, Request, Response
from kctl.sandbox._registry import DeleteOptions, Registry
from kctl.sandbox._sandbox import CONTEXT, Sandbox, SandboxError, kubeconfig_text, write_kubeconfig
from kctl.sandbox._store import Backend, Event, MemoryBackend, Store

__all__ = [
    "CONTEXT",
    "ApiServer",
    "Backend",
    "DeleteOptions",
    "Event",
    "MemoryBackend",
    "Registry",
    "Request",
    "Response",
    "Sandbox",
    "SandboxError",
    "Store",
    "kubeconfig_text",
    "write_kubeconfig",
]
