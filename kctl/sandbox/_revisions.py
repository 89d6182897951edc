"""ControllerRevisions as the StatefulSet and DaemonSet controllers keep them (pkg/controller/
history): a strategic-merge patch that puts the pod template back, named
``<parent>-<hash>``, numbered in order, pruned to ``revisionHistoryLimit``."""

from __future__ import annotations

import copy
import json
from typing import Any

from kctl.sandbox._ctlkit import Kit, owner_ref
from kctl.sandbox._workloads import safe_encode_string

__all__ = ["REVISIONS", "Revisions", "revision_hash"]

REVISIONS = ("apps", "controllerrevisions")
HASH_LABEL = "controller-revision-hash"

Obj = dict[str, Any]


def _fnv32(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h = ((h * 0x01000193) & 0xFFFFFFFF) ^ byte
    return h


def revision_data(template: Obj) -> Obj:
    """getPatch: the template to restore, ``$patch: replace``. The metadata carries the
    ``creationTimestamp: null`` a Go-encoded template has."""
    template = copy.deepcopy(template)
    template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


def revision_hash(data: Obj, collision_count: int | None) -> str:
    """HashControllerRevision: FNV-1 32 over the patch's JSON (sorted keys, as Go encodes a
    map), then the collision count in decimal; safe-encoded."""
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    if collision_count is not None:
        raw += str(collision_count).encode()
    return safe_encode_string(str(_fnv32(raw)))


class Revisions:
    def __init__(self, kit: Kit, api_version: str, kind: str) -> None:
        self.kit = kit
        self.api_version = api_version
        self.kind = kind

    def owned(self, parent: Obj) -> list[Obj]:
        meta = parent["metadata"]
        found = self.kit.owned(REVISIONS, meta["namespace"], meta["uid"])
        return sorted(found, key=lambda r: (int(r.get("revision") or 0), r["metadata"]["name"]))

    def ensure(
        self, parent: Obj, annotations: dict[str, str] | None = None, digest: str | None = None
    ) -> Obj:
        """The revision of the parent's current template, made (or renumbered to be the
        newest) when needed; named after ``digest`` (default: the hash of the patch)."""
        meta = parent["metadata"]
        spec = parent.get("spec") or {}
        template = spec.get("template") or {}
        data = revision_data(template)
        revisions = self.owned(parent)
        newest = max((int(r.get("revision") or 0) for r in revisions), default=0)
        for rev in revisions:
            if rev.get("data") == data:
                if int(rev.get("revision") or 0) != newest:
                    return self._renumber(rev, newest + 1)
                return rev
        collisions = int((parent.get("status") or {}).get("collisionCount") or 0)
        if digest is None:
            digest = revision_hash(data, collisions)
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        labels[HASH_LABEL] = digest
        rev_meta: Obj = {
            "name": f"{meta['name'][:223]}-{digest}",
            "namespace": meta["namespace"],
            "labels": labels,
        }
        if annotations:
            rev_meta["annotations"] = dict(annotations)
        rev_meta["ownerReferences"] = [owner_ref(parent, self.api_version, self.kind)]
        revision = {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": rev_meta,
            "data": data,
            "revision": newest + 1,
        }
        return self.kit.create(REVISIONS, meta["namespace"], revision)

    def adopt(self, parent: Obj, pods: list[Obj], label: str) -> None:
        """Pods made before the parent had any revision (a seed's, a restored state's) are
        taken as made from the first one, instead of being rolled for want of a label."""
        for pod in pods:
            if (pod["metadata"].get("labels") or {}).get(HASH_LABEL) == label:
                continue

            def change(obj: Obj, label: str = label) -> Obj:
                obj["metadata"].setdefault("labels", {})[HASH_LABEL] = label
                return obj

            meta = pod["metadata"]
            self.kit.mutate(("", "pods"), meta["namespace"], meta["name"], change)

    def _renumber(self, rev: Obj, number: int) -> Obj:
        def change(obj: Obj) -> Obj:
            obj["revision"] = number
            return obj

        meta = rev["metadata"]
        return self.kit.mutate(REVISIONS, meta["namespace"], meta["name"], change)

    def prune(self, parent: Obj, live: set[str]) -> None:
        """Delete the oldest revisions no pod uses beyond revisionHistoryLimit."""
        limit = int((parent.get("spec") or {}).get("revisionHistoryLimit", 10))
        idle = [r for r in self.owned(parent) if r["metadata"]["name"] not in live]
        for rev in idle[: max(0, len(idle) - limit)]:
            self.kit.delete(REVISIONS, rev["metadata"]["namespace"], rev["metadata"]["name"])
