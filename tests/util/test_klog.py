from __future__ import annotations

import os
import re

from kctl.errors import new_status_error
from kctl.util.klog import klog_line


def test_error_line_as_memcache_logs_it() -> None:
    err = new_status_error(
        503, "ServiceUnavailable", "the server is currently unable to handle the request"
    )
    line = klog_line(
        "E",
        "memcache.go:403",
        "Couldn't get resource list",
        "groupVersion",
        "metrics.k8s.io/v1beta1",
        err=err,
    )
    header = re.match(r"E(\d{4}) (\d\d:\d\d:\d\d\.\d{6}) (.{7}) memcache\.go:403\] ", line)
    assert header is not None, line
    assert header.group(3) == f"{os.getpid():>7}"
    assert line[header.end() :] == (
        '"Couldn\'t get resource list" err="the server is currently unable to handle the request"'
        ' groupVersion="metrics.k8s.io/v1beta1"\n'
    )


def test_values_quoted_as_go_and_multi_line_indented() -> None:
    line = klog_line(
        "I", "x.go:1", 'say "hi"', "n", 3, "ok", True, "tab", "a\tb", "body", "l1\nl2\n"
    )
    assert line.split("] ", 1)[1] == (
        '"say \\"hi\\"" n=3 ok=true tab="a\\tb" body=<\n\tl1\n\tl2\n >\n'
    )
