"""kctl get -o go-template / template / *-file / --template and -o kyaml: kubectl 1.37.1's bytes.

Each case runs kctl and kubectl on the same demo sandbox and compares stdout, stderr and
the exit code, errors included (a failing template prints kubectl's debugging dump).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kctl.sandbox import Sandbox

Parity = Callable[..., Any]

LIST = "{{range .items}}{{.metadata.namespace}}/{{.metadata.name}} {{.spec.nodeName}}\n{{end}}"


@pytest.mark.parametrize(
    "args",
    [
        ("get", "pods", "-A", "-o", f"go-template={LIST}"),
        ("get", "pods", "-A", "-o", f"template={LIST}"),
        ("get", "pods", "-A", "--template", LIST),
        ("get", "pods", "-A", "-o", "go-template", "--template", LIST),
        ("get", "deploy", "-A", "--sort-by=.metadata.name", "-o", f"go-template={LIST}"),
        ("get", "ns,sa", "-A", "-o", "go-template={{.kind}} {{len .items}} {{.metadata}}"),
        ("get", "ns", "default", "-o", "go-template={{.metadata.name}} {{.status}}"),
        ("get", "ns", "default", "kube-system", "-o", "go-template={{.kind}}"),
        ("get", "secrets", "-A", "-o", "go-template="
         "{{range .items}}{{range $k, $v := .data}}{{$k}}={{base64decode $v}}\n{{end}}{{end}}"),
        ("get", "nodes", "-o", "go-template={{range .items}}{{.status.capacity}}{{end}}"),
        ("get", "pods", "-n", "nope", "-o", "go-template={{.items}}"),
        ("get", "pods", "-A", "--ignore-not-found", "-l", "x=y", "-o", "go-template=x"),
        # Errors: at parse time, while executing (after what was written), missing keys.
        ("get", "ns", "-o", "go-template={{.foo"),
        ("get", "ns", "-o", "go-template"),
        ("get", "ns", "-o", "go-template="),
        ("get", "ns", "-o", "go-template={{nope}}"),
        ("get", "ns", "-o", "go-template={{range .items}}{{.metadata.name}}{{.kind.x}}{{end}}"),
        ("get", "ns", "default", "-o", "go-template={{.metadata.nope}}"),
        ("get", "ns", "default", "-o", "go-template={{.metadata.nope.x}}",
         "--allow-missing-template-keys=false"),
        ("get", "ns", "-o", "go-template-file=/nonexistent/t.tmpl"),
        ("get", "ns", "-o", "templatefile"),
        ("get", "ns", "-o", "jsonpath"),
        ("get", "ns", "-o", "jsonpath-file=/nonexistent/p"),
        ("get", "ns", "-o", "custom-columns-file=/nonexistent/c"),
        ("get", "ns", "-o", "custom-columns", "--template", "NAME:.metadata.name"),
        ("get", "ns", "-o", "custom-columns=N:.metadata.name", "--template", "X:.kind"),
        ("get", "ns", "-o", "jsonpath", "--template", "{.items[*].metadata.name}"),
        ("get", "ns", "-o", "wide", "--template", "{{.x}}"),
        ("get", "ns", "-o", "bogus"),
        # kyaml: lists, single objects, managed fields, and api-resources.
        ("get", "ns", "-o", "kyaml"),
        ("get", "ns", "default", "-o", "kyaml"),
        ("get", "ns", "default", "-o", "kyaml", "--show-managed-fields"),
        ("get", "ns", "default", "kube-system", "-o", "kyaml"),
        ("get", "cm,deploy", "-A", "-o", "kyaml"),
        ("get", "pods", "-n", "nope", "-o", "kyaml"),
        ("get", "ns", "-o", "KYAML"),
        ("get", "ns", "-o", "NAME"),
        ("api-resources", "-o", "kyaml"),
        ("api-resources", "-o", "kyaml", "--api-group=nope"),
    ],
)  # fmt: skip
def test_template_and_kyaml_output_parity(
    demo_sandbox: Sandbox, parity: Parity, args: tuple[str, ...]
) -> None:
    parity(demo_sandbox, *args).assert_same()


@pytest.mark.parametrize("flavour", ["go-template-file", "templatefile", "--template"])
def test_template_files_parity(
    demo_sandbox: Sandbox, parity: Parity, tmp_path: Path, flavour: str
) -> None:
    template = tmp_path / "pods.tmpl"
    template.write_text(
        '{{- range .items}}{{printf "%-40s %s" .metadata.name .status.phase}}\n{{end}}'
    )
    if flavour == "--template":
        output = ("-o", "go-template-file", "--template", str(template))
    else:
        output = ("-o", f"{flavour}={template}")
    parity(demo_sandbox, "get", "pods", "-A", *output).assert_same()


def test_limit_pages_reach_the_template(demo_sandbox: Sandbox, run_kctl: Any) -> None:
    """kctl's --limit: the List a template sees carries the next page's continue token."""
    template = "{{len .items}} {{if .metadata.continue}}more{{end}}"
    first = run_kctl(demo_sandbox, "get", "pods", "-A", "--limit", "2", "-o",
                     f"go-template={template}")  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert first.stdout == "2 more"
    assert "--continue" in first.stderr
    assert "-o 'go-template=" in first.stderr


# What each format needs after "=", if anything (files are written by the test).
_FORMAT_ARGS = {
    "custom-columns": "=NAME:.metadata.name,PHASE:.status.phase",
    "custom-columns-file": "={dir}/columns",
    "go-template": "={{.metadata.name}}",
    "go-template-file": "={dir}/tmpl",
    "jsonpath": "={.metadata.name}",
    "jsonpath-as-json": "={.metadata.name}",
    "jsonpath-file": "={dir}/path",
    "template": "={{.metadata.name}}",
    "templatefile": "={dir}/tmpl",
}


def test_every_format_listed_as_allowed_works(
    demo_sandbox: Sandbox, parity: Parity, run_kctl: Any, tmp_path: Path
) -> None:
    """The formats kctl's own error message offers, each used as kubectl uses it."""
    refused = run_kctl(demo_sandbox, "get", "ns", "default", "-o", "bogus")
    assert refused.returncode == 1
    listed = refused.stderr.rsplit("allowed formats are: ", 1)[1].strip().split(",")
    assert {"go-template", "go-template-file", "template", "templatefile", "kyaml"} <= set(listed)
    (tmp_path / "columns").write_text("NAME          PHASE\n.metadata.name .status.phase\n")
    (tmp_path / "tmpl").write_text("{{.metadata.name}} {{.status.phase}}\n")
    (tmp_path / "path").write_text("{.metadata.name}")
    for fmt in listed:
        output = fmt + _FORMAT_ARGS.get(fmt, "").replace("{dir}", str(tmp_path))
        for target in (("ns", "default"), ("ns",)):
            result = parity(demo_sandbox, "get", *target, "-o", output)
            result.assert_same()
            assert result.ours.returncode == 0, (output, result.ours.stderr)
