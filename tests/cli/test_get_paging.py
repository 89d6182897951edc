"""kctl get --limit/--continue from scripts: the page's continue token on stdout (json, yaml,
jsonpath), kubectl's bytes for the other formats, and a stderr note that is a command to
paste. kubectl has no --limit: its side of each comparison is the server's own page
(``get --raw``) or a named get of the same objects."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kctl.sandbox import Sandbox

_NOTE = re.compile(
    r"^There are (?:(\d+) )?more items on the server; for the next page use: (.*)$", re.M
)
README = Path(__file__).resolve().parents[2] / "README.md"


def _raw_page(run_ref_kubectl: Any, sb: Sandbox, query: str) -> dict[str, Any]:
    done = run_ref_kubectl(sb, "get", "--raw", query)
    assert done.returncode == 0, done.stderr
    page: dict[str, Any] = json.loads(done.stdout)
    return page


def _names(page: dict[str, Any]) -> list[str]:
    return [item["metadata"]["name"] for item in page["items"]]


def test_json_list_carries_the_server_page_metadata(
    demo_sandbox: Sandbox, run_kctl: Any, run_ref_kubectl: Any
) -> None:
    raw = _raw_page(run_ref_kubectl, demo_sandbox, "/api/v1/namespaces/dev/pods?limit=5")
    ours = run_kctl(demo_sandbox, "get", "pods", "-n", "dev", "--limit", "5", "-o", "json")
    assert ours.returncode == 0, ours.stderr
    listed = json.loads(ours.stdout)
    assert _names(listed) == _names(raw)
    assert listed["kind"] == "List"
    assert listed["metadata"] == {
        "continue": raw["metadata"]["continue"],
        "remainingItemCount": raw["metadata"]["remainingItemCount"],
        "resourceVersion": "",
    }
    # Go's map order and kubectl's indentation, as the rest of the document.
    assert ours.stdout.endswith(
        '    "kind": "List",\n    "metadata": {\n'
        f'        "continue": "{raw["metadata"]["continue"]}",\n'
        f'        "remainingItemCount": {raw["metadata"]["remainingItemCount"]},\n'
        '        "resourceVersion": ""\n    }\n}\n'
    )


def test_yaml_and_jsonpath_carry_the_token_the_next_page_continues_from(
    demo_sandbox: Sandbox, run_kctl: Any, run_ref_kubectl: Any
) -> None:
    first = run_kctl(demo_sandbox, "get", "pods", "-n", "dev", "--limit", "4", "-o", "yaml")
    assert first.returncode == 0, first.stderr
    meta = yaml.safe_load(first.stdout)["metadata"]
    token = meta["continue"]
    raw = _raw_page(
        run_ref_kubectl, demo_sandbox, f"/api/v1/namespaces/dev/pods?limit=4&continue={token}"
    )
    second = run_kctl(
        demo_sandbox,
        *("get", "pods", "-n", "dev", "--limit", "4", "--continue", token),
        "-o",
        "jsonpath={.metadata.continue} {.metadata.remainingItemCount} {.items[*].metadata.name}",
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout == " ".join(
        [raw["metadata"]["continue"], str(raw["metadata"]["remainingItemCount"]), *_names(raw)]
    )
    assert meta["remainingItemCount"] == raw["metadata"]["remainingItemCount"] + 4


def test_last_page_has_no_token(demo_sandbox: Sandbox, run_kctl: Any) -> None:
    done = run_kctl(demo_sandbox, "get", "deploy", "-n", "dev", "--limit", "500", "-o", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["metadata"] == {"resourceVersion": ""}
    assert done.stderr == ""


@pytest.mark.parametrize(
    "output",
    [
        "name",
        "jsonpath={.items[*].metadata.name}",
        "custom-columns=NAME:.metadata.name,NODE:.spec.nodeName",
    ],
)
def test_other_formats_keep_kubectls_bytes(
    demo_sandbox: Sandbox, run_kctl: Any, run_ref_kubectl: Any, output: str
) -> None:
    raw = _raw_page(run_ref_kubectl, demo_sandbox, "/api/v1/namespaces/dev/pods?limit=5")
    ours = run_kctl(demo_sandbox, "get", "pods", "-n", "dev", "--limit", "5", "-o", output)
    theirs = run_ref_kubectl(demo_sandbox, "get", "pods", *_names(raw), "-n", "dev", "-o", output)
    assert theirs.returncode == ours.returncode == 0, theirs.stderr
    assert ours.stdout == theirs.stdout
    note = _NOTE.search(ours.stderr)
    assert note, ours.stderr
    assert note.group(1) == str(raw["metadata"]["remainingItemCount"])


def test_note_is_the_next_page_command_as_is(
    demo_sandbox: Sandbox, run_kctl: Any, run_ref_kubectl: Any
) -> None:
    """The note repeats scope, selectors and output, quoted for a shell: running it as
    printed gives the server's next page of the same query."""
    query = ("-l", "app in (api,web)", "--field-selector", "metadata.namespace=dev")
    first = run_kctl(
        demo_sandbox,
        "get",
        "pods",
        "-A",
        *query,
        "--limit",
        "3",
        "-o",
        "custom-columns=N:.metadata.name",
    )
    assert first.returncode == 0, first.stderr
    note = _NOTE.search(first.stderr)
    assert note, first.stderr
    words = shlex.split(note.group(2))
    assert words[:2] == ["kctl", "get"]
    token = words[-1]
    assert words[2:-1] == [
        "pods",
        "-A",
        *query,
        "-o",
        "custom-columns=N:.metadata.name",
        "--limit",
        "3",
        "--continue",
    ]
    second = run_kctl(demo_sandbox, *words[1:])
    assert second.returncode == 0, second.stderr
    selector = "labelSelector=app+in+%28api%2Cweb%29&fieldSelector=metadata.namespace%3Ddev"
    raw = _raw_page(
        run_ref_kubectl, demo_sandbox, f"/api/v1/pods?limit=3&{selector}&continue={token}"
    )
    assert second.stdout.splitlines() == ["N", *_names(raw)]


def test_note_keeps_the_cluster_choosing_flags(
    demo_sandbox: Sandbox, run_kctl: Any, tmp_path: Path
) -> None:
    kubeconfig = tmp_path / "kc"
    shutil.copy(demo_sandbox.kubeconfig_path, kubeconfig)
    done = run_kctl(
        None,
        *("--kubeconfig", str(kubeconfig), "--context", "kctl-sandbox"),
        *("get", "deploy", "-n", "dev", "--limit", "1", "-o", "name"),
    )
    assert done.returncode == 0, done.stderr
    note = _NOTE.search(done.stderr)
    assert note, done.stderr
    words = shlex.split(note.group(2))
    assert words[:7] == [
        "kctl",
        "get",
        *("--kubeconfig", str(kubeconfig), "--context", "kctl-sandbox"),
        "deployments.apps",
    ]


def _readme_paging_loop() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- paging-loop -->\n```sh\n(.*?)```", text, re.S)
    assert match, "README lost its paging example"
    return match.group(1)


def test_readme_paging_loop_collects_every_pod(
    demo_sandbox: Sandbox, run_ref_kubectl: Any, tmp_path: Path
) -> None:
    """The README's shell loop, run as written (with 100 per page), sees every pod once."""
    jq = shutil.which("jq")
    if jq is None:
        pytest.skip("jq is not installed")
    script = _readme_paging_loop()
    assert "--limit 100 -o json" in script
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KCTL"))}
    env.update(
        HOME=str(tmp_path),
        KUBECACHEDIR=str(tmp_path / "cache"),
        KUBECONFIG=demo_sandbox.kubeconfig_path,
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    theirs = run_ref_kubectl(
        demo_sandbox,
        *("get", "pods", "-A", "-o"),
        'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
    )
    everything = theirs.stdout.splitlines()
    # More than one page, so the loop did follow a token.
    assert len(everything) > 100
    assert done.stdout.splitlines() == everything
