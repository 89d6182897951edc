"""The hook of the timed controllers into the sandbox's controller thread: ticks on the
shared worker, and a controller's bug on one object does not stop the others."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_batch import APPS, BATCH, condition_types, get
from helpers_http import call, node, wait_for

from kctl.sandbox import Sandbox


def test_a_failing_controller_does_not_stop_the_others(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.create(node("node-1"))

    def broken(ns: str, name: str) -> None:
        raise ValueError("the object's content, which must not be logged")

    monkeypatch.setattr(sandbox.controllers.timed.statefulsets, "sync", broken)
    sts: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
            },
        },
    }
    job: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "pi"},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "c", "image": "busybox:1.36"}],
                }
            }
        },
    }
    with caplog.at_level(logging.ERROR, logger="kctl.sandbox"):
        assert call(sandbox, "POST", APPS + "/statefulsets", sts).status == 201
        assert call(sandbox, "POST", BATCH + "/jobs", job).status == 201
        # The Job still runs to completion on the same worker thread.
        assert wait_for(lambda: "Complete" in condition_types(get(sandbox, BATCH + "/jobs/pi")))
    errors = [r.getMessage() for r in caplog.records if r.name == "kctl.sandbox"]
    # Said once, with where, not what.
    assert len(errors) == 1, errors
    assert errors[0].startswith("controller error: ValueError at test_timed.py:")
    assert "content" not in errors[0]
