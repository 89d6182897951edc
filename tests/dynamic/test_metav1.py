from __future__ import annotations

from kctl.metav1 import (
    ApplyOptions,
    CreateOptions,
    DeleteOptions,
    GetOptions,
    ListOptions,
    PatchOptions,
    Preconditions,
    merge_options,
)


def test_list_options_params_omit_zero_values_but_send_set_pointers() -> None:
    assert ListOptions().to_params() == []
    opts = ListOptions(
        label_selector="a=b",
        field_selector="x=y",
        watch=True,
        allow_watch_bookmarks=True,
        resource_version="10",
        resource_version_match="NotOlderThan",
        timeout_seconds=0,
        limit=500,
        continue_="c",
        send_initial_events=False,
    )
    assert opts.to_params() == [
        ("labelSelector", "a=b"),
        ("fieldSelector", "x=y"),
        ("watch", "true"),
        ("allowWatchBookmarks", "true"),
        ("resourceVersion", "10"),
        ("resourceVersionMatch", "NotOlderThan"),
        ("timeoutSeconds", "0"),
        ("limit", "500"),
        ("continue", "c"),
        ("sendInitialEvents", "false"),
    ]


def test_write_options() -> None:
    assert GetOptions(resource_version="0").to_params() == [("resourceVersion", "0")]
    assert CreateOptions(
        dry_run="All", field_manager="m", field_validation="Strict"
    ).to_params() == [
        ("dryRun", "All"),
        ("fieldManager", "m"),
        ("fieldValidation", "Strict"),
    ]
    assert PatchOptions(force=False).to_params() == [("force", "false")]
    assert ApplyOptions(field_manager="kubectl").to_params() == [
        ("force", "false"),
        ("fieldManager", "kubectl"),
    ]


def test_delete_options_body_and_params() -> None:
    opts = DeleteOptions(
        grace_period_seconds=0,
        preconditions=Preconditions(uid="u", resource_version="5"),
        orphan_dependents=False,
        propagation_policy="Background",
        dry_run=["All"],
    )
    assert opts.to_body() == {
        "kind": "DeleteOptions",
        "apiVersion": "v1",
        "gracePeriodSeconds": 0,
        "preconditions": {"uid": "u", "resourceVersion": "5"},
        "orphanDependents": False,
        "propagationPolicy": "Background",
        "dryRun": ["All"],
    }
    assert ("preconditions.uid", "u") in opts.to_params()
    assert DeleteOptions().to_body() == {"kind": "DeleteOptions", "apiVersion": "v1"}


def test_merge_options() -> None:
    base = ListOptions(limit=5, label_selector="a")
    assert merge_options(ListOptions, base, {}) is base
    assert merge_options(ListOptions, base, {"limit": 9}) == ListOptions(
        limit=9, label_selector="a"
    )
    assert merge_options(ListOptions, None, {"limit": 9}) == ListOptions(limit=9)
