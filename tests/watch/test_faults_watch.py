"""RetryWatcher and Reflector against the sandbox's injected faults, with a concurrent writer.

``watch-cut-after=N`` ends a watch connection after N events (bookmarks count), every one of
them delivered: each cut connection brings exactly N. The outcome must be every change exactly
once, in resourceVersion order, each resume from the last version seen. ``times=`` bounds the
cuts so a test always ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kctl import dynamic
from kctl.errors import WatchError
from kctl.metav1 import ListOptions
from kctl.rest import WatchEvent
from kctl.sandbox import Sandbox
from kctl.schema import GroupVersionResource
from kctl.watch import Reflector, RetryWatcher

NS = "faults"
PATH = f"/api/v1/namespaces/{NS}/configmaps"
CONFIGMAPS = GroupVersionResource("", "v1", "configmaps")
DEADLINE = 30.0
MERGE = "application/merge-patch+json"
# Every namespace also holds the root-CA publisher's ConfigMap.
NOT_ROOT_CA = "metadata.name!=kube-root-ca.crt"


def rv_of(obj: Any) -> str:
    return str(obj["metadata"].get("resourceVersion") or "")


class Recorded:
    """One watch's stream, noting the last resourceVersion that came out of it."""

    def __init__(self, stream: Any, owner: Recording) -> None:
        self._stream = stream
        self._owner = owner

    def __iter__(self) -> Iterator[WatchEvent]:
        self._owner.delivered.append(0)
        for event in self._stream:
            self._owner.delivered[-1] += 1
            if event.type != "ERROR":
                self._owner.last_rv = rv_of(event.object) or self._owner.last_rv
            yield event

    def stop(self) -> None:
        self._stream.stop()


class Recording:
    """A resource client whose watches and lists are recorded."""

    def __init__(self, resource: Any) -> None:
        self._resource = resource
        self.last_rv = ""
        # (resourceVersion asked for, last resourceVersion seen before asking)
        self.watches: list[tuple[str, str]] = []
        self.lists: list[ListOptions] = []
        # How many events each watch brought, in order.
        self.delivered: list[int] = []

    def watch(self, opts: ListOptions | None = None) -> Recorded:
        assert opts is not None
        self.watches.append((opts.resource_version, self.last_rv))
        return Recorded(self._resource.watch(opts), self)

    def list(self, opts: ListOptions | None = None) -> Any:
        assert opts is not None
        self.lists.append(opts)
        page = self._resource.list(opts)
        self.last_rv = rv_of(page)
        return page


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed="empty", watch_bookmark_interval=0.02) as sandbox:
        sandbox.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
        # Its root-CA ConfigMap made before the test's first version is taken.
        assert sandbox.wait_idle()
        yield sandbox


def resource(sb: Sandbox) -> Any:
    dyn = dynamic.new_for_config(sb.rest_config().copy(qps=-1))
    return dyn.resource(CONFIGMAPS).namespace(NS)


def cm(name: str, value: str = "0") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name},
        "data": {"v": value},
    }


class Writer(threading.Thread):
    """Creates, updates and deletes ``n`` configmaps; ``expected`` is what a watch must see."""

    def __init__(self, client: Any, n: int) -> None:
        super().__init__(daemon=True)
        self.client = client
        self.n = n
        self.expected: list[tuple[str, str]] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for i in range(self.n):
                self.client.create(cm(f"cm-{i}"))
                self.expected.append(("ADDED", f"cm-{i}"))
                if i % 2:
                    self.client.patch(f"cm-{i - 1}", MERGE, {"data": {"v": str(i)}})
                    self.expected.append(("MODIFIED", f"cm-{i - 1}"))
                if i % 3 == 2:
                    self.client.delete(f"cm-{i - 2}")
                    self.expected.append(("DELETED", f"cm-{i - 2}"))
        except BaseException as err:  # surfaced by the test, not swallowed
            self.error = err

    def total(self) -> int:
        """How many events the writer will have produced once done."""
        return sum(1 + (i % 2) + (i % 3 == 2) for i in range(self.n))


def collect(stream: Iterator[WatchEvent], count: int, stop: Any) -> list[WatchEvent]:
    """``count`` events from ``stream``; a watchdog stops it if they do not come in time."""
    watchdog = threading.Timer(DEADLINE, stop)
    watchdog.daemon = True
    watchdog.start()
    out: list[WatchEvent] = []
    try:
        for event in stream:
            out.append(event)
            if len(out) == count:
                break
    finally:
        watchdog.cancel()
    return out


def test_retry_watcher_sees_every_change_once_across_cuts(sb: Sandbox) -> None:
    client = resource(sb)
    start = client.list()["metadata"]["resourceVersion"]
    fault = sb.faults.add(f"watch-cut-after=3,times=8,path={PATH}")
    recording = Recording(client)
    recording.last_rv = start
    writer = Writer(client, 24)
    watcher = RetryWatcher(recording, start, sleep=lambda s: None)
    writer.start()
    events = collect(watcher, writer.total(), watcher.stop)
    watcher.stop()
    writer.join(DEADLINE)
    assert writer.error is None
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == writer.expected
    versions = [int(rv_of(e.object)) for e in events]
    assert versions == sorted(set(versions))  # in order, none twice
    assert fault._fired == 8  # every cut happened, and each was survived
    assert len(recording.watches) >= 8
    # Every watch before the last was cut, and each cut delivered all of its 3 events.
    assert recording.delivered[:-1] == [3] * (len(recording.delivered) - 1)
    for asked, last_seen in recording.watches:
        assert asked == last_seen  # resumed exactly where the previous stream ended
    assert watcher.resource_version == recording.last_rv


def test_retry_watcher_stops_on_expired_version(sb: Sandbox) -> None:
    client = resource(sb)
    start = client.list()["metadata"]["resourceVersion"]
    client.create(cm("a"))
    sb.faults.add(f"expire-rv,times=1,path={PATH}")
    watcher = RetryWatcher(client, start, sleep=lambda s: None)
    with pytest.raises(WatchError) as info:
        next(watcher)
    assert info.value.status is not None and info.value.status["code"] == 410
    assert str(info.value).startswith(f"too old resource version: {start} (")


def test_reflector_relists_on_410_and_reports_only_differences(sb: Sandbox) -> None:
    client = resource(sb)
    for i in range(5):
        client.create(cm(f"old-{i}"))
    recording = Recording(client)
    reflector = Reflector(
        recording,
        ListOptions(field_selector=NOT_ROOT_CA),
        use_watch_list=False,
        page_size=2,
        sleep=lambda s: None,
    )
    view: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()

    def apply(event: WatchEvent) -> None:
        name, rv = event.object["metadata"].get("name", ""), rv_of(event.object)
        if event.type == "BOOKMARK":
            return
        assert (name, rv) not in seen or event.type == "DELETED", f"duplicate {event}"
        seen.add((name, rv))
        if event.type == "ADDED":
            assert name not in view, f"ADDED twice: {name}"
        elif event.type == "MODIFIED":
            assert view.get(name) not in (None, rv), f"not a change: {event.type} {name}"
        else:
            assert name in view, f"DELETED unknown {name}"
        if event.type == "DELETED":
            del view[name]
        else:
            view[name] = rv

    synced = collect(reflector, 6, reflector.stop)  # 5 ADDED and the sync bookmark
    for event in synced:
        apply(event)
    assert synced[-1].type == "BOOKMARK" and len(view) == 5
    # Now: the watch is cut after 2 events and its resume finds its version compacted (410).
    sb.faults.add(f"watch-cut-after=2,times=1,path={PATH}")
    sb.faults.add(f"expire-rv,times=1,path={PATH}")
    writer = Writer(client, 12)
    writer.start()
    writer.join(DEADLINE)
    assert writer.error is None
    client.patch("old-0", MERGE, {"data": {"v": "last"}})
    listed = client.list(field_selector=NOT_ROOT_CA)["items"]
    final = {i["metadata"]["name"]: rv_of(i) for i in listed}

    watchdog = threading.Timer(DEADLINE, reflector.stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        for event in reflector:
            apply(event)
            if view == final:
                break
    finally:
        watchdog.cancel()
        reflector.stop()
    assert view == final
    assert {uid: rv_of(obj) for uid, obj in reflector.store.items()} == {
        o["metadata"]["uid"]: rv_of(o) for o in client.list(field_selector=NOT_ROOT_CA)["items"]
    }
    # The 410 made it list again, in pages, from scratch.
    assert len(recording.lists) >= 2 and recording.lists[-1].resource_version == ""
    assert sb.faults.faults[1]._fired == 1


def test_reflector_rewatches_at_once_after_a_watch_of_only_bookmarks() -> None:
    # client-go counts bookmarks as events: a watch that brought only bookmarks before it
    # was cut is not a "very short watch" and is resumed without a backoff.
    with Sandbox(seed="empty", watch_bookmark_interval=0.1) as sandbox:
        sandbox.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
        assert sandbox.wait_idle()
        client = resource(sandbox)
        delays: list[float] = []
        opts = ListOptions(field_selector=NOT_ROOT_CA)
        reflector = Reflector(client, opts, use_watch_list=False, sleep=delays.append)
        assert next(reflector).type == "BOOKMARK"  # synced: nothing there
        fault = sandbox.faults.add(f"watch-cut-after=3,times=2,path={PATH}")
        got: list[WatchEvent] = []
        consumer = threading.Thread(
            target=lambda: got.extend(collect(reflector, 1, reflector.stop))
        )
        consumer.start()
        deadline = threading.Event()
        timer = threading.Timer(DEADLINE, deadline.set)
        timer.start()
        while fault._fired < 2 and not deadline.is_set():
            deadline.wait(0.01)
        timer.cancel()
        assert fault._fired == 2
        client.create(cm("x"))
        consumer.join(DEADLINE)
        reflector.stop()
        assert [(e.type, e.object["metadata"]["name"]) for e in got] == [("ADDED", "x")]
        assert delays == []
