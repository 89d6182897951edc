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
from collections.abc import Callable
from typing import Any

# bench/seed.py: importable because Python puts this script's directory on sys.path.
import seed

from kctl.cli._printers import JSONPrinter, YAMLPrinter, _gojson, _goyaml


def pod(i: int) -> dict[str, Any]:
    """bench/seed.py's ~8 KB pod, plus managedFields for the printers to strip."""
    obj: dict[str, Any] = seed.pod(i)
    obj["metadata"]["managedFields"] = [
        {"manager": "kubectl", "operation": "Update", "fieldsV1": {}}
    ]
    return obj


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
