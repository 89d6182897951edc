"""kctl: client-go's client stack for Python.

Subpackages mirror client-go: ``kctl.rest``, ``kctl.clientcmd``, ``kctl.discovery``,
``kctl.dynamic``, ``kctl.kubernetes``; ``kctl.config.get_config`` follows controller-runtime.
Importing ``kctl`` itself is cheap: it pulls in neither requests, yaml, rich nor click.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
