"""metav1.Time and MicroTime: any RFC 3339 text in, apimachinery's normal form out."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers_http import call

from kctl.sandbox import Sandbox
from kctl.sandbox._times import format_micro_time, format_time, normalize, parse_rfc3339

CMS = "/api/v1/namespaces/default/configmaps"
LEASES = "/apis/coordination.k8s.io/v1/namespaces/default/leases"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-05T07:53:41Z", "2026-12-05T07:53:41Z"),
        ("2026-12-05T07:53:41+00:00", "2026-12-05T07:53:41Z"),
        ("2026-12-05T09:53:41+02:00", "2026-12-05T07:53:41Z"),
        ("2026-12-04T23:23:41-08:30", "2026-12-05T07:53:41Z"),
        ("2026-12-05T07:53:41.999999999Z", "2026-12-05T07:53:41Z"),
        ("2026-12-05T07:53:41,5+00:00", "2026-12-05T07:53:41Z"),
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
    ],
)
def test_time_accepts_rfc3339_and_normalises(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2026-12-05 07:53:41Z",
            'parsing time "2026-12-05 07:53:41Z" as "2006-01-02T15:04:05Z07:00": '
            'cannot parse "2026-12-05 07:53:41Z" as "2006"',
        ),
        ("2026-12-05T07:53:41", 'cannot parse "2026-12-05T07:53:41" as "2006"'),
        ("2026-12-05t07:53:41z", 'as "2006"'),
        ("2026-13-05T07:53:41Z", 'parsing time "2026-13-05T07:53:41Z": month out of range'),
        ("2023-02-29T07:53:41Z", "day out of range"),
        ("2026-12-05T24:00:00Z", "hour out of range"),
        ("2026-12-05T07:53:60Z", "second out of range"),
    ],
)
def test_time_rejects_what_go_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_rfc3339(text)
    assert str(info.value).startswith("parsing time ")
    assert message in str(info.value)


def test_micro_time_wants_six_fraction_digits() -> None:
    assert normalize("2026-12-05T09:53:41.123456+02:00", micro=True) == (
        "2026-12-05T07:53:41.123456Z"
    )
    with pytest.raises(ValueError) as info:
        normalize("2026-12-05T07:53:41+00:00", micro=True)
    assert str(info.value) == (
        'parsing time "2026-12-05T07:53:41+00:00" as "2006-01-02T15:04:05.000000Z07:00": '
        'cannot parse "+00:00" as ".000000"'
    )
    with pytest.raises(ValueError, match='cannot parse "7Z" as "Z07:00"'):
        normalize("2026-12-05T07:53:41.1234567Z", micro=True)


def test_formats() -> None:
    when = datetime(2026, 12, 5, 7, 53, 41, 120000, tzinfo=timezone.utc)
    assert format_time(when) == "2026-12-05T07:53:41Z"
    assert format_micro_time(when) == "2026-12-05T07:53:41.120000Z"
    assert parse_rfc3339("2026-12-05T07:53:41.12Z") == when


def test_update_with_python_client_managed_fields_times(sandbox: Sandbox) -> None:
    """The official Python client sends managedFields back with ``+00:00`` times."""
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "1"}}
    created = call(sandbox, "POST", CMS, cm, headers={"User-Agent": "py/1"}).json()
    created["data"]["x"] = "2"
    for entry in created["metadata"]["managedFields"]:
        entry["time"] = "2026-12-05T09:53:41.5+02:00"
    reply = call(sandbox, "PUT", f"{CMS}/a", created, headers={"User-Agent": "other/1"})
    assert reply.status == 200, reply.body
    times = [e["time"] for e in reply.json()["metadata"]["managedFields"]]
    assert "2026-12-05T07:53:41Z" in times
    assert all(t.endswith("Z") and len(t) == 20 for t in times)
    stored = call(sandbox, "GET", f"{CMS}/a").json()
    assert stored["metadata"]["managedFields"] == reply.json()["metadata"]["managedFields"]


def test_custom_resource_managed_fields_times_are_normalised_too(sandbox: Sandbox) -> None:
    from kctl.sandbox._fieldmanager import FieldManager

    fm = FieldManager(None)
    live = {"apiVersion": "x/v1", "kind": "W", "metadata": {"name": "w"}, "spec": {"a": 1}}
    live = fm.update(None, live, "m", "x/v1")
    new = dict(live, spec={"a": 2})
    new["metadata"] = dict(live["metadata"])
    new["metadata"]["managedFields"] = [
        dict(e, time="2026-12-05T07:53:41-01:00") for e in live["metadata"]["managedFields"]
    ]
    out = fm.update(live, new, "m", "x/v1")
    assert [e["time"] for e in out["metadata"]["managedFields"]] == ["2026-12-05T08:53:41Z"]


def test_object_times_are_stored_normalised(sandbox: Sandbox) -> None:
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "leader"},
        "spec": {
            "holderIdentity": "me",
            "acquireTime": "2026-12-05T09:53:41.000001+02:00",
            "renewTime": "2026-12-05T07:53:41.123456+00:00",
        },
    }
    reply = call(sandbox, "POST", LEASES, lease)
    assert reply.status == 201, reply.body
    spec = call(sandbox, "GET", f"{LEASES}/leader").json()["spec"]
    assert spec["acquireTime"] == "2026-12-05T07:53:41.000001Z"
    assert spec["renewTime"] == "2026-12-05T07:53:41.123456Z"

    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "e1"},
        "involvedObject": {"kind": "Lease", "name": "leader", "namespace": "default"},
        "reason": "Elected",
        "firstTimestamp": "2026-12-05T09:53:41.75+02:00",
        "lastTimestamp": "2026-12-05T07:53:41+00:00",
    }
    assert call(sandbox, "POST", "/api/v1/namespaces/default/events", event).status == 201
    stored = call(sandbox, "GET", "/api/v1/namespaces/default/events/e1").json()
    assert stored["firstTimestamp"] == stored["lastTimestamp"] == "2026-12-05T07:53:41Z"


def test_bad_time_is_a_400_naming_the_layout(sandbox: Sandbox) -> None:
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "leader"},
        "spec": {"renewTime": "2026-12-05T07:53:41+00:00"},
    }
    reply = call(sandbox, "POST", LEASES, lease)
    assert reply.status == 400
    assert reply.json()["message"] == (
        'Lease in version "v1" cannot be handled as a Lease: parsing time '
        '"2026-12-05T07:53:41+00:00" as "2006-01-02T15:04:05.000000Z07:00": '
        'cannot parse "+00:00" as ".000000"'
    )


def test_log_since_time_takes_any_rfc3339_time() -> None:
    from kctl.sandbox._logs import pod_log

    pod = {
        "metadata": {"name": "p", "creationTimestamp": "2026-12-05T07:00:00Z"},
        "spec": {"nodeName": "n", "containers": [{"name": "c", "image": "nginx:1"}]},
        "status": {
            "containerStatuses": [
                {"name": "c", "state": {"running": {"startedAt": "2026-12-05T07:00:00Z"}}}
            ]
        },
    }
    everything = pod_log(pod, {})
    assert len(everything.splitlines()) == 5
    # One hour before the start, spelled with an offset: every line is newer.
    assert pod_log(pod, {"sinceTime": ["2026-12-05T08:00:00+02:00"]}) == everything
    # After the last line, spelled with an offset: nothing is left.
    assert pod_log(pod, {"sinceTime": ["2026-12-05T09:00:01+02:00"]}) == b""
