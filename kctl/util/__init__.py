"""apimachinery's ``util`` packages: patch engines — RFC 7386 JSON merge patch
(:mod:`kctl.util.jsonmergepatch`), strategic merge patch (:mod:`kctl.util.strategicpatch`) —
and the small text forms shared by the client, the CLI and the sandbox
(:mod:`kctl.util.duration`, :mod:`kctl.util.goformat`, :mod:`kctl.util.klog`). Pure Python,
no I/O; the submodules are imported on first use so ``import kctl.util`` stays cheap. (RFC 6902 JSON patch is
applied only by the sandbox's server, so it lives in kctl.sandbox._jsonpatch.)"""

from __future__ import annotations

__all__ = ["duration", "goformat", "jsonmergepatch", "klog", "strategicpatch"]
