"""-o go-template: the interpreter against Go's text/template and real kubectl 1.37.1.

The first table's expectations were printed by Go 1.26's text/template with kubectl's two
functions, on the object decoded as kubectl decodes it (int64 and float64 numbers). The
second table runs each template through kubectl itself (``annotate --local``, offline) and
through our printer, comparing stdout, the error line and the exit code.
"""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kctl.cli._printers import GoTemplatePrinter
from kctl.cli._printers._gotemplate import GoTemplate, TemplateError
from kctl.errors import PrinterError
from kctl.util.goformat import go_quote

sys.path.insert(0, str(Path(__file__).parent.parent.parent))
from fuzz_strategies import token_strings

KUBECTL = Path(sys.executable).parent / "kubectl"

SMALL = {
    "kind": "Pod",
    "metadata": {"name": "web-1", "labels": {"app": "web", "tier": "fe"}},
    "spec": {
        "replicas": 3,
        "ratio": 1.5,
        "nodeName": None,
        "containers": [{"name": "a"}, {"name": "b"}],
    },
}

# (template, output, error) as Go's text/template gives them on SMALL.
GO_CASES = [
    ("{{.metadata.name}}", "web-1", ""),
    ("{{.metadata.nope}}", "<no value>", ""),
    ("{{print .metadata.nope}}", "<nil>", ""),
    ("{{.spec.nodeName}}", "<no value>", ""),
    (
        "{{.spec.nodeName.x}}",
        "",
        'template: output:1:7: executing "output" at <.spec.nodeName.x>: '
        "nil pointer evaluating interface {}.x",
    ),
    (
        "{{.kind.x}}",
        "",
        'template: output:1:7: executing "output" at <.kind.x>: '
        "can't evaluate field x in type interface {}",
    ),
    (
        "{{with .kind}}{{.x}}{{end}}",
        "",
        'template: output:1:16: executing "output" at <.x>: can\'t evaluate field x in type string',
    ),
    ("{{.metadata.labels}}", "map[app:web tier:fe]", ""),
    ("{{range $k, $v := .metadata.labels}}{{$k}}={{$v}};{{end}}", "app=web;tier=fe;", ""),
    ("{{range .spec.containers}}{{.name}}{{else}}none{{end}}", "ab", ""),
    ("{{range 2}}{{.}}{{end}}", "01", ""),
    (
        "{{index .spec.containers 2}}",
        "",
        'template: output:1:2: executing "output" at <index .spec.containers 2>: '
        "error calling index: reflect: slice index out of range",
    ),
    (
        "{{len .spec.nope}}",
        "",
        'template: output:1:2: executing "output" at <len .spec.nope>: '
        "error calling len: reflect: call of reflect.Value.Type on zero Value",
    ),
    (
        "{{.spec.nope | len}}",
        "",
        'template: output:1:15: executing "output" at <len>: '
        "error calling len: reflect: call of reflect.Value.Type on zero Value",
    ),
    (
        "{{eq .spec.replicas 3}} {{eq .spec.replicas 3.0}}",
        "true ",
        'template: output:1:26: executing "output" at <eq .spec.replicas 3.0>: '
        "error calling eq: incompatible types for comparison: int64 and float64",
    ),
    ('{{printf "%05.1f|%-4s|%x|%q" .spec.ratio .kind 255 .kind}}', '001.5|Pod |ff|"Pod"', ""),
    ('{{printf "%d" .kind}}', "%!d(string=Pod)", ""),
    ('{{exists . "spec" "containers" 1 "name"}} {{exists nil}}', "true true", ""),
    ('{{base64decode "aGk="}}', "hi", ""),
    (
        '{{base64decode "aG=k"}}',
        "",
        'template: output:1:2: executing "output" at <base64decode "aG=k">: error calling '
        "base64decode: base64 decode failed: illegal base64 data at input byte 2",
    ),
    ('{{html "<a>" .nope}}', "&lt;a&gt;&lt;no value&gt;", ""),
    ("{{.foo", "", "template: output:1: unclosed action"),
    ("{{if}}", "", "template: output:1: missing value for if"),
    ("{{nope}}", "", 'template: output:1: function "nope" not defined'),
    (
        '{{define "x"}}{{.kind}}{{end}}{{template "x" .}} {{block "y" .metadata}}{{.name}}{{end}}',
        "Pod web-1",
        "",
    ),
    ("a {{- /* c */ -}} b", "ab", ""),
    ("{{$x := 1}}{{$x = 2}}{{$x}}", "2", ""),
    ("{{slice .kind 1 2}} {{index .kind 0}}", "o 80", ""),
    # fmt's verbs, flags and complaints.
    ('{{printf "%q|%c|%U|%#U" -3 -3 -3 97}}', "'\ufffd'|\ufffd|U+FFFFFFFFFFFFFFFD|U+0061 'a'", ""),
    (
        '{{printf "%#08x|%#08b|%+05d|%-6d|%06.2d" 80 1 3 -4 5}}',
        "0x00000050|0b00000001|+0003|-4    |    05",
        "",
    ),
    ('{{printf "%+q|%#q|%x|% X" "héllo" "a" "hi" "hi"}}', '"h\\u00e9llo"|`a`|6869|68 69', ""),
    (
        '{{printf "%x|%.1x|%b|%#.0x" .spec.ratio 1.999 2.5 1.5}}',
        "0x1.8p+00|0x1.0p+01|5629499534213120p-51|0x1.p+01",
        "",
    ),
    (
        '{{printf "%#v|%#v|%+v|%#v" .metadata.labels .kind .spec.replicas nil}}',
        'map[string]interface {}{"app":"web", "tier":"fe"}|"Pod"|3|<nil>',
        "",
    ),
    (
        '{{printf "%08s|%-8q|%.2s|%5.1f|%e|%G" .kind .kind .kind .spec.ratio 1234.5678 1e-7}}',
        '00000Pod|"Pod"   |Po|  1.5|1.234568e+03|1E-07',
        "",
    ),
    ('{{printf "%*d|%-*d|%.*f|%*d" 4 1 4 2 1 3.14159 true 5}}', "   1|2   |3.1|%!(BADWIDTH)5", ""),
    (
        '{{printf "%d %s" .metadata.labels .spec.containers}}',
        "map[%!d(string=app):%!d(string=web) %!d(string=tier):%!d(string=fe)] "
        "[map[name:a] map[name:b]]",
        "",
    ),
    ('{{printf "%!|%z|%|%d" 1 2}}', "%!!(int=1)|%!z(int=2)|%!|(MISSING)%!d(MISSING)", ""),
]


def execute(template: str, data: Any, strict: bool = False) -> tuple[str, str]:
    try:
        parsed = GoTemplate(template)
    except TemplateError as err:
        return "", str(err)
    out, err = parsed.execute(data, strict=strict)
    return out, str(err) if err else ""


@pytest.mark.parametrize(("template", "output", "error"), GO_CASES)
def test_go_text_template_semantics(template: str, output: str, error: str) -> None:
    assert execute(template, copy.deepcopy(SMALL)) == (output, error)


def test_missing_keys_fail_when_not_allowed() -> None:
    assert execute("{{.metadata.nope.deeper}}", SMALL, strict=True) == (
        "",
        'template: output:1:11: executing "output" at <.metadata.nope.deeper>: '
        'map has no entry for key "nope"',
    )
    assert execute("{{.metadata.name}}", SMALL, strict=True) == ("web-1", "")


# -- against kubectl ----------------------------------------------------------------------------

_KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- cluster: {server: "http://127.0.0.1:1"}
  name: c
contexts:
- context: {cluster: c, user: u}
  name: c
current-context: c
users:
- name: u
  user: {}
"""

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "web-1",
        "namespace": "default",
        "labels": {"app": "web", "tier": "front"},
        "annotations": {"note": "a<b>&c", "multi": "line1\nline2"},
        "creationTimestamp": "2024-01-01T00:00:00Z",
        "managedFields": [{"manager": "kubectl", "operation": "Update"}],
    },
    "spec": {
        "replicas": 3,
        "ratio": 1.5,
        "big": 1e21,
        "small": 0.00001,
        "neg": -2,
        "containers": [
            {
                "name": "c1",
                "image": "nginx:1.25",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "args": ["a", "b"],
            },
            {"name": "c2", "image": "busybox", "env": None},
        ],
        "nodeName": None,
        "empty": {},
        "emptyList": [],
        "flag": True,
        "off": False,
        "secret": "aGVsbG8gd29ybGQ=",
        "bad64": "a$b",
        "s": "héllo",
    },
    "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
}

KUBECTL_CASES = [
    "{{.metadata.name}}",
    "{{.metadata.missing}} {{.metadata.missing.deeper}}",
    "{{.spec.nodeName}}",
    "{{.spec.nodeName.x}}",
    "{{.kind.x}}",
    "{{.metadata.labels}} {{.metadata.annotations}}",
    "{{.spec}}",
    "{{.spec.replicas}} {{.spec.ratio}} {{.spec.big}} {{.spec.small}} {{.spec.neg}}",
    "{{range .spec.containers}}{{.name}}={{.image}};{{end}}",
    "{{range $i, $c := .spec.containers}}{{$i}}:{{$c.name}} {{end}}",
    "{{range $k, $v := .metadata.labels}}{{$k}}={{$v}},{{end}}",
    "{{range .spec.emptyList}}x{{else}}empty{{end}} {{range .spec.nope}}x{{else}}none{{end}}",
    "{{range .kind}}x{{end}}",
    "{{range .spec.replicas}}[{{.}}]{{end}}",
    "{{range $i, $v := 3}}{{.}}{{end}}",
    "{{if .spec.flag}}yes{{else}}no{{end}} {{if .spec.off}}y{{else if .spec.flag}}elif{{end}}",
    "{{with .metadata}}{{.name}}{{end}} {{with .metadata.nope}}x{{else}}nope{{end}}",
    "{{len .spec.containers}} {{len .metadata.labels}} {{len .kind}} {{len .spec.s}}",
    "{{len .spec.replicas}}",
    "{{len .spec.nodeName}}",
    '{{index .metadata.labels "app"}} {{index .spec.containers 1 "name"}}',
    "{{index .spec.containers 5}}",
    '{{index .spec.containers "a"}}',
    "{{index .metadata.labels 1}}",
    "{{slice .kind 1 2}} {{slice .spec.containers 1}}",
    '{{eq .kind "Pod"}} {{ne .kind "Pod"}} {{lt .spec.replicas 4}} {{ge .spec.ratio 1.5}}',
    '{{eq .kind "Service" "Pod"}} {{eq .spec.nope "x"}}',
    '{{eq .spec.replicas "3"}}',
    "{{eq .metadata .metadata}}",
    "{{lt true false}}",
    "{{and .spec.flag .kind}} {{or .spec.off .kind}} {{and .spec.off .kind}} {{not .spec.flag}}",
    '{{print .kind 1 2 "x" .spec.nope}}|{{println .kind 3}}',
    '{{printf "%s-%d-%v-%q-%5.2f|%-6s|%x|%t" .kind .spec.replicas .spec.ratio .kind '
    ".spec.ratio .kind .kind .spec.flag}}",
    '{{printf "%d" .kind}} {{printf "%s"}} {{printf "%s" .kind 3}} {{printf "%z" 3}}',
    '{{printf "%v %v" .metadata.labels .spec.containers}}',
    '{{printf "%T %T %T %T" 1 1.0 .spec.replicas .spec.ratio}}',
    '{{printf "%e %g %G %.2e %8.3f|%+d|%o|%b|%c|%U" 1234.5678 1234.5678 0.000012 '
    "1234.5 3.14159 42 8 5 65 65}}",
    "{{html .metadata.annotations.note}} {{js .metadata.annotations.note}} "
    '{{urlquery "a b&c=d/é"}}',
    "{{base64decode .spec.secret}}",
    "{{base64decode .spec.bad64}}",
    "{{base64decode .spec.replicas}}",
    '{{exists . "metadata" "name"}} {{exists . "metadata" "zz"}} '
    '{{exists .spec "containers" 0 "name"}} {{exists .spec "nodeName"}}',
    "{{$x := .kind}}{{$x}} {{$x = .spec.replicas}}{{$x}} {{$}}",
    '{{.kind | printf "%s!"}} {{.kind | len | printf "%d"}}',
    "{{3 | len}}",
    "{{.kind 3}}",
    "{{nil}}",
    '{{define "x"}}X{{.kind}}{{end}}{{template "x" .}}',
    '{{define "x"}}X{{.kind.y}}{{end}}{{template "x" .}}',
    '{{template "nope" .}}',
    '{{block "b" .metadata}}{{.name}}{{end}}',
    "{{/* comment */}}a  {{- .kind -}}  b",
    '{{range .spec.containers}}{{if eq .name "c2"}}{{break}}{{end}}{{.name}}{{end}}',
    '{{range .spec.containers}}{{if eq .name "c1"}}{{continue}}{{end}}{{.name}}{{end}}',
    "{{.foo",
    "{{.foo}",
    "{{end}}",
    "{{if .x}}",
    "{{range $a, $b, $c := .x}}{{end}}",
    "{{undefinedfn .x}}",
    "{{$nope}}",
    "{{.a | 3}}",
    '{{"x".y}}',
    "line1\n{{.kind}}\n{{.foo\n}}",
    "{{3.0}} {{1e3}} {{0x10}} {{'a'}} {{1_000}}",
    "{{(index .spec.containers 0).name}} {{(.spec).replicas}}",
    "{{.spec.containers.name}}",
    "{{call .kind}}",
    "{{.metadata.managedFields}}",
    "{{.metadata.annotations.multi}}",
    "{{.}}",
]


class Oracle:
    """Real kubectl printing a local object offline (annotate --local calls no server)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.kubeconfig = tmp / "kubeconfig"
        self.kubeconfig.write_text(_KUBECONFIG)

    def run(self, obj: dict[str, Any], *flags: str) -> subprocess.CompletedProcess[str]:
        path = self.tmp / "obj.json"
        path.write_text(json.dumps(obj))
        args = [str(KUBECTL), "--kubeconfig", str(self.kubeconfig), "annotate", "--local"]
        args += ["--overwrite", "-f", str(path), *flags, "printed=yes"]
        return subprocess.run(args, capture_output=True, text=True, timeout=60)


@pytest.fixture
def oracle(tmp_path: Path) -> Oracle:
    if not KUBECTL.exists():
        pytest.skip("reference kubectl not installed")
    return Oracle(tmp_path)


def ours(template: str, obj: dict[str, Any], allow_missing_keys: bool = True) -> tuple[str, str]:
    """stdout and stderr as kctl prints them through the printer."""
    out = io.StringIO()
    annotated = copy.deepcopy(obj)
    annotated["metadata"].setdefault("annotations", {})["printed"] = "yes"
    try:
        GoTemplatePrinter(out, template, allow_missing_keys).print_obj(annotated)
    except PrinterError as err:
        return out.getvalue(), f"error: {err}\n"
    return out.getvalue(), ""


@pytest.mark.parametrize("template", KUBECTL_CASES)
def test_template_matches_kubectl(oracle: Oracle, template: str) -> None:
    want = oracle.run(POD, "-o", f"go-template={template}")
    assert ours(template, POD) == (want.stdout, want.stderr)


@pytest.mark.parametrize(
    "template", ["{{.metadata.nope}}", "{{.spec.nodeName}}", "{{.metadata.nope.x}}", "{{.a}}b"]
)
def test_missing_keys_not_allowed_match_kubectl(oracle: Oracle, template: str) -> None:
    flags = ("-o", f"go-template={template}", "--allow-missing-template-keys=false")
    want = oracle.run(POD, *flags)
    assert ours(template, POD, allow_missing_keys=False) == (want.stdout, want.stderr)


# -- no input ends in a traceback ---------------------------------------------------------------

_TOKENS = (
    "{{",
    "}}",
    "{{- ",
    " -}}",
    " ",
    ".",
    ".metadata",
    ".name",
    ".spec",
    ".containers",
    ".kind",
    ".nope",
    "$",
    "$x",
    " := ",
    " = ",
    " | ",
    "(",
    ")",
    "range ",
    "if ",
    "with ",
    "else",
    "end",
    "define ",
    "template ",
    "block ",
    "break",
    "continue",
    '"x"',
    '"%d %v"',
    '"%q %c %U"',
    '"%*d %.*f %#x"',
    "-3",
    "`r`",
    "1",
    "-1",
    "2.5",
    "'a'",
    "0x1f",
    "1i",
    "true",
    "nil",
    ",",
    "\n",
    "/*",
    "*/",
    "len ",
    "index ",
    "slice ",
    "eq ",
    "lt ",
    "and ",
    "or ",
    "not ",
    "print ",
    "printf ",
    "html ",
    "js ",
    "urlquery ",
    "exists ",
    "base64decode ",
    "call ",
)


@given(token_strings(_TOKENS, max_size=20), st.booleans())
@example("{{" + "(" * 3000 + "1" + ")" * 3000 + "}}", False)
@example('{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}', False)
@example("{{exists nil}}{{range $i, $v := 3}}{{end}}", False)
@example("{{printf", True)
@example('{{printf "%q" -3}}', False)
@example('{{printf "%99999999999999999999d|" 1}}', False)
@example("{{range 100000000000000}}{{break}}{{end}}", False)
@example("{{" + "print (" * 210 + "1" + ")" * 210 + "}}", False)
def test_any_template_gives_text_or_gos_error(template: str, strict: bool) -> None:
    try:
        parsed = GoTemplate(template)
    except TemplateError as err:
        assert str(err).startswith("template: output:")
        return
    out, err = parsed.execute(copy.deepcopy(POD), strict=strict)
    assert isinstance(out, str)
    if err is not None:
        assert str(err).startswith("template: ")
    # The printer kctl get uses: kubectl's wrapping, and nothing but a PrinterError.
    printed = io.StringIO()
    try:
        GoTemplatePrinter(printed, template, not strict).print_obj(copy.deepcopy(POD))
    except PrinterError as failure:
        assert err is not None
        assert str(failure).startswith(f"error executing template {go_quote(template)}: ")
        assert printed.getvalue().startswith(out + "Error executing template: ")
    else:
        assert err is None
        assert printed.getvalue() == out
