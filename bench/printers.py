"""Micro-benchmark of kctl's -o json / -o yaml printers on a generated list of pods.

    .venv/bin/python bench/printers.py [--count 10000] [--no-baseline]

Prints wall and CPU seconds for the fast printers and, unless --no-baseline, for the
straightforward encoders they replaced (json.dumps(indent=4) plus a float-fixing pass; the
libyaml-style emitter walking every character), and checks that both give the same bytes.
"""

from __future__ import annotations

import argparse
import io
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from kctl.cli._printers import JSONPrinter, YAMLPrinter, _gojson, _goyaml


def pod(i: int) -> dict[str, Any]:
    """A pod of ~8 KB of JSON: the shape of bench/seed.py's, plus managedFields to strip."""
    env = [{"name": f"SETTING_{k:02d}", "value": f"value-{i}-{k}-" + "x" * 40} for k in range(60)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"bench-{i:05d}",
            "namespace": "bench",
            "uid": str(uuid.UUID(int=i + 1)),
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {"app": "bench", "shard": str(i % 16)},
            "annotations": {"bench.kctl.dev/note": "n" * 200},
            "managedFields": [{"manager": "kubectl", "operation": "Update", "fieldsV1": {}}],
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


def timed(label: str, run: Callable[[], str]) -> str:
    wall, cpu = time.perf_counter(), time.process_time()
    text = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<16} {wall:7.2f} s wall {cpu:7.2f} s cpu  {len(text) / 2**20:7.1f} MiB out")
    return text


def fast(printer: type[JSONPrinter] | type[YAMLPrinter], pages: list[list[Any]]) -> str:
    out = io.StringIO()
    printer(out).print_list(iter(pages))
    return out.getvalue()


def baseline_json(pages: list[list[Any]]) -> str:
    out = io.StringIO()
    printer = JSONPrinter(out)
    # The encoder kctl used before: pure-Python indenting, then re-indented for the List.
    original = _gojson._indented
    _gojson._indented = None
    try:
        printer.print_list(iter(pages))
    finally:
        _gojson._indented = original
    return out.getvalue()


def baseline_yaml(pages: list[list[Any]]) -> str:
    out = io.StringIO()
    printer = YAMLPrinter(out)
    original = _goyaml._fast
    _goyaml._fast = lambda value, in_sequence: None
    try:
        printer.print_list(iter(pages))
    finally:
        _goyaml._fast = original
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    # As kctl get sees them: decoded from JSON pages of 500.
    items = [json.loads(json.dumps(pod(i))) for i in range(args.count)]
    pages = [items[i : i + 500] for i in range(0, len(items), 500)]
    print(f"{args.count} pods, {len(json.dumps(items[0])) if items else 0} bytes of JSON each")
    for name, printer, baseline in (
        ("json", JSONPrinter, baseline_json),
        ("yaml", YAMLPrinter, baseline_yaml),
    ):
        got = timed(f"{name} fast", lambda printer=printer: fast(printer, pages))
        if not args.no_baseline:
            want = timed(f"{name} baseline", lambda baseline=baseline: baseline(pages))
            print(f"{'':<16} identical: {got == want}")


if __name__ == "__main__":
    main()
