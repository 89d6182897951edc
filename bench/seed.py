"""Write a sandbox seed of N fully formed pods (~8 KB of JSON each) as one v1 List.

Fully formed objects (uid + creationTimestamp set) are stored as they are, so a 10,000-pod
sandbox starts in seconds: ``python bench/seed.py 10000 /tmp/kctl-bench/pods.json``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import uuid


def pod(i: int) -> dict[str, object]:
    name = f"bench-{i:05d}"
    env = [{"name": f"SETTING_{k:02d}", "value": f"value-{i}-{k}-" + "x" * 40} for k in range(60)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "bench",
            "uid": str(uuid.UUID(int=i + 1)),
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {"app": "bench", "shard": str(i % 16)},
            "annotations": {"bench.kctl.dev/note": "n" * 200},
        },
        "spec": {
            "nodeName": f"node-{i % 50}",
            "restartPolicy": "Always",
            "containers": [{"name": "app", "image": "registry.example/bench:1.0", "env": env}],
        },
        "status": {
            "phase": "Running",
            "podIP": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
            "startTime": "2026-01-01T00:00:05Z",
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:09Z"}
            ],
            "containerStatuses": [
                {
                    "name": "app",
                    "ready": True,
                    "restartCount": 0,
                    "image": "registry.example/bench:1.0",
                    "state": {"running": {"startedAt": "2026-01-01T00:00:08Z"}},
                }
            ],
        },
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    target = sys.argv[2] if len(sys.argv) > 2 else "pods.json"
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}}
    items = [namespace, *(pod(i) for i in range(count))]
    directory = os.path.dirname(os.path.abspath(target))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory)
    with os.fdopen(fd, "w") as fh:
        json.dump({"apiVersion": "v1", "kind": "List", "items": items}, fh)
    os.replace(tmp, target)


if __name__ == "__main__":
    main()
