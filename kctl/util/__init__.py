"""Patch engines, as apimachinery's ``util`` packages: RFC 6902 JSON patch
(:mod:`kctl.util.jsonpatch`), RFC 7386 JSON merge patch (:mod:`kctl.util.jsonmergepatch`)
and strategic merge patch (:mod:`kctl.util.strategicpatch`). Pure Python, no I/O; the
submodules are imported on first use so ``import kctl.util`` stays cheap."""

from __future__ import annotations

__all__ = ["jsonmergepatch", "jsonpatch", "strategicpatch"]
