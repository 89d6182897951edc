"""The library's list of N pods against a bare ``requests`` + ``json`` loop over the same pages.

Usage (run.sh calls it): ``python bench/library.py KUBECONFIG NAMESPACE [RUNS]``. Both sides
page with limit=500 over one keep-alive connection, rate limiting off on kctl's side (a
library user's choice), and decode every page; the result is the best and median wall time
of each and their ratio.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable


def _bare(host: str, ca: str | bool, headers: dict[str, str], ns: str) -> int:
    import requests

    session = requests.Session()
    session.trust_env = False
    count, token = 0, ""
    while True:
        params = {"limit": "500", **({"continue": token} if token else {})}
        reply = session.get(
            f"{host}/api/v1/namespaces/{ns}/pods", params=params, headers=headers, verify=ca
        )
        reply.raise_for_status()
        page = reply.json()
        count += len(page["items"])
        token = page["metadata"].get("continue", "")
        if not token:
            return count


def _kctl(config: object, ns: str) -> int:
    from kctl import dynamic
    from kctl.schema import GroupVersionResource

    pods = dynamic.new_for_config(config).resource(GroupVersionResource("", "v1", "pods"))
    return sum(len(page["items"]) for page in pods.namespace(ns).list_pages(page_size=500))


def _time(fn: Callable[[], int], runs: int) -> tuple[list[float], int]:
    times, count = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - start)
    return times, count


def main() -> None:
    import tempfile

    from kctl.clientcmd import build_config_from_flags

    kubeconfig, ns = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    config = build_config_from_flags("", kubeconfig).copy(qps=-1)
    headers = {"Accept": "application/json"}
    if config.bearer_token:
        headers["Authorization"] = f"Bearer {config.bearer_token}"
    ca: str | bool = True
    if config.tls.ca_data:
        with tempfile.NamedTemporaryFile("wb", suffix=".crt", delete=False) as fh:
            fh.write(config.tls.ca_data)
            ca = fh.name
    bare, n1 = _time(lambda: _bare(config.host, ca, headers, ns), runs)
    ours, n2 = _time(lambda: _kctl(config, ns), runs)
    assert n1 == n2, (n1, n2)
    b, k = statistics.median(bare), statistics.median(ours)
    print(
        f"| library list of {n1} pods | requests+json {b * 1000:.0f} ms "
        f"(best {min(bare) * 1000:.0f}) | kctl {k * 1000:.0f} ms (best {min(ours) * 1000:.0f}) "
        f"| {k / b:.2f}x |"
    )


if __name__ == "__main__":
    main()
