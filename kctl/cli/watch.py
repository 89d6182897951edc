"""``kctl watch``: list, then watch, resuming across drops, until Ctrl-C or ``--timeout``.

Either ends it with exit 0, as does SIGTERM; a closed stdout (``| head``) ends it as any
verb (141, silently, see _errors), at the first event written after the close.

kubectl has only ``get -w``, which ends when the server closes the stream. This verb keeps
going: kctl.watch's Reflector re-watches from the last resourceVersion after a dropped
connection or a server timeout, and on 410 Gone re-lists and reports only what really
changed, so no event is lost or repeated. The table form is ``get -w --output-watch-events``
(an EVENT column); ``-o json`` is one compact ``{"type":...,"object":...}`` per line, flushed
as it is written. Bookmarks are never printed.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol, TextIO

import click

from kctl.cli._globals import Factory, kubectl_command

if TYPE_CHECKING:
    from kctl.cli._printers import TablePrinter, TabWriter
    from kctl.dynamic import DynamicResource
    from kctl.metav1 import ListOptions
    from kctl.rest import WatchEvent
    from kctl.watch import EventStream

__all__ = ["OUTPUT_FORMATS", "command"]

OUTPUT_FORMATS = ("table", "wide", "json", "yaml", "name")

# kubectl's Accept for server-side printing: Table v1, then v1beta1, then the object itself.
TABLE_ACCEPT = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,"
    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
)

# Rows of the initial list between flushes, as kubectl flushes a long table.
_FLUSH_INTERVAL = 100


class _Stoppable(Protocol):
    def stop(self) -> None: ...


# -- tables as objects ---------------------------------------------------------------------


class _TableEvents:
    """A watch of Tables seen as a watch of row objects (see _TableRows)."""

    def __init__(self, stream: EventStream, rows: _TableRows) -> None:
        self._stream = stream
        self._rows = rows

    def __iter__(self) -> Iterator[WatchEvent]:
        from kctl.rest import WatchEvent

        for event in self._stream:
            obj = event.object
            if event.type in ("ERROR", "BOOKMARK") or obj.get("kind") != "Table":
                yield event
                continue
            for row in self._rows.rows_of(obj):
                yield WatchEvent(event.type, row)

    def stop(self) -> None:
        self._stream.stop()


class _TableRows:
    """A Lister over a resource answering in metav1.Table form.

    Each table row becomes ``{"metadata": <the row's object metadata>, "row": <row>}``, so
    the Reflector tracks rows by uid and resourceVersion as it would whole objects, and a
    re-list's DELETED event still carries the last row printed for that object.
    """

    def __init__(self, resource: DynamicResource) -> None:
        self._resource = resource
        self.columns: list[dict[str, Any]] = []

    def rows_of(self, table: dict[str, Any]) -> list[dict[str, Any]]:
        if table.get("kind") != "Table":
            from kctl.errors import KctlError

            raise KctlError(f"the server did not answer with a Table but a {table.get('kind')}")
        columns = table.get("columnDefinitions")
        if columns:
            self.columns = list(columns)
        out: list[dict[str, Any]] = []
        for row in table.get("rows") or []:
            obj = row.get("object")
            meta = obj.get("metadata") if isinstance(obj, dict) else None
            out.append({"metadata": meta if isinstance(meta, dict) else {}, "row": row})
        return out

    def list(self, opts: ListOptions | None = None) -> dict[str, Any]:
        table = self._resource.list(opts)
        return {"metadata": table.get("metadata") or {}, "items": self.rows_of(table)}

    def watch(self, opts: ListOptions | None = None) -> _TableEvents:
        return _TableEvents(self._resource.watch(opts), self)


def _table_resource(resource: DynamicResource) -> DynamicResource:
    from kctl.dynamic import DynamicResource

    class TableResource(DynamicResource):
        _accept = TABLE_ACCEPT

    table = TableResource(resource.rest_client(), resource.gvr)
    return table.namespace(resource.namespace_name)


# -- output --------------------------------------------------------------------------------


class _Output(Protocol):
    def event(self, event_type: str, obj: dict[str, Any]) -> None: ...

    def synced(self) -> None: ...


class _TableOutput:
    def __init__(self, out: TextIO, rows: _TableRows, *, wide: bool, all_namespaces: bool) -> None:
        from kctl.cli._printers import TableOptions, TablePrinter, TabWriter

        self._out = out
        self._rows = rows
        self._w: TabWriter = TabWriter(out)
        self._printer: TablePrinter = TablePrinter(
            self._w, TableOptions(wide=wide, with_namespace=all_namespaces)
        )
        self._live = False
        self._pending = 0

    def event(self, event_type: str, obj: dict[str, Any]) -> None:
        table = {"columnDefinitions": self._rows.columns, "rows": [obj["row"]]}
        self._printer.print_table(table, event_type)
        self._pending += 1
        if self._live or self._pending >= _FLUSH_INTERVAL:
            self._flush()

    def synced(self) -> None:
        self._flush()
        self._live = True

    def _flush(self) -> None:
        self._pending = 0
        self._w.flush()
        self._out.flush()


class _ObjectOutput:
    """json, yaml and name: whole objects, kind and apiVersion filled in for list items."""

    def __init__(self, out: TextIO, fmt: str, api_version: str, kind: str) -> None:
        self._out = out
        self._fmt = fmt
        self._api_version = api_version
        self._kind = kind
        self._yaml: Any = None
        if fmt == "yaml":
            from kctl.cli._printers import YAMLPrinter

            self._yaml = YAMLPrinter(out, show_managed_fields=True)

    def event(self, event_type: str, obj: dict[str, Any]) -> None:
        from kctl.cli._printers import marshal, name_for

        if "kind" not in obj or "apiVersion" not in obj:
            # List items come without them; a watch event's object has them.
            obj = {"apiVersion": self._api_version, "kind": self._kind, **obj}
        if self._fmt == "json":
            # Go writes WatchEvent's fields in struct order: type, then object. kubectl's
            # watch output keeps managedFields, so this does too.
            line = '{"type":' + marshal(event_type) + ',"object":'
            self._out.write(line + marshal(obj) + "}\n")
        elif self._fmt == "yaml":
            self._yaml.print_obj({"type": event_type, "object": obj})
        else:
            self._out.write(name_for(obj) + "\n")
        self._out.flush()

    def synced(self) -> None:
        self._out.flush()


# -- event sources ---------------------------------------------------------------------------


class _Current:
    """The stream being read, so that a timer or Ctrl-C can stop whichever one it is."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._source: _Stoppable | None = None
        self.stopped = False

    def set(self, source: _Stoppable) -> None:
        with self._lock:
            self._source = source
            stopped = self.stopped
        if stopped:
            source.stop()

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            source = self._source
        if source is not None:
            source.stop()


def _reflected(client: Any, opts: ListOptions, current: _Current, table: bool) -> Any:
    from kctl.watch import Reflector

    # Tables are a per-event rendering; WatchList's initial-events bookmark is not kept in
    # table form by every server, so tables sync with a plain list.
    reflector = Reflector(client, opts, use_watch_list=False if table else None)
    current.set(reflector)
    return reflector


def _from_version(
    client: Any, rv: str, opts: ListOptions, current: _Current, table: bool
) -> Iterator[WatchEvent]:
    """Changes after ``rv``, without a list; on 410, a re-list diffed against what was shown.

    Objects that did not change between ``rv`` and the 410 were never seen here, so the
    re-list reports them as ADDED, and one deleted during the gap goes unreported.
    """
    from kctl.errors import WatchError
    from kctl.rest import WatchEvent
    from kctl.watch import ADDED, BOOKMARK, DELETED, MODIFIED, RetryWatcher
    from kctl.watch._common import object_key, resource_version

    shown: dict[str, dict[str, Any]] = {}
    watcher = RetryWatcher(client, rv, opts)
    current.set(watcher)
    yield WatchEvent(BOOKMARK, {"metadata": {"resourceVersion": rv}})
    try:
        for event in watcher:
            key = object_key(event.object)
            if event.type == DELETED:
                shown.pop(key, None)
            else:
                shown[key] = event.object
            yield event
        return
    except WatchError as err:
        code = (err.status or {}).get("code")
        if code != 410:
            raise
    if current.stopped:
        return
    listed: set[str] = set()
    syncing = True
    for event in _reflected(client, opts, current, table):
        if not syncing:
            yield event
            continue
        if event.type == BOOKMARK:
            syncing = False
            for key in [k for k in shown if k not in listed]:
                yield WatchEvent(DELETED, shown.pop(key))
            continue
        key = object_key(event.object)
        listed.add(key)
        old = shown.get(key)
        if old is not None and resource_version(old) == resource_version(event.object):
            continue
        yield WatchEvent(ADDED if old is None else MODIFIED, event.object)


def run(
    source: Iterator[WatchEvent] | Any,
    out: _Output,
    *,
    since_now: bool = False,
    ending: _Ending | None = None,
) -> None:
    """Print ``source``'s events: bookmarks mark the end of a sync and are never printed.

    With ``ending``, a stop signal that comes while an event is being printed takes effect
    once it is printed, so output never ends in half a line, half a YAML document or a
    table row that a later flush would repeat.
    """
    guard = ending if ending is not None else _Ending()
    synced = False
    for event in source:
        if event.type == "BOOKMARK":
            if not synced:
                synced = True
                guard.hold()
                out.synced()
                guard.release()
            continue
        if since_now and not synced:
            continue
        guard.hold()
        out.event(event.type, event.object)
        guard.release()


# -- the command ------------------------------------------------------------------------------


def _complete_types(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from kctl.cli.completion import complete_resource_types

    return complete_resource_types(ctx, param, incomplete)


def _complete_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
    from kctl.cli.completion import complete_resource_names

    return complete_resource_names(ctx, param, incomplete)


@kubectl_command("watch", short_help="Watch resources, resuming across drops")
@click.argument("type_", metavar="TYPE", shell_complete=_complete_types)
@click.argument("name", required=False, default="", shell_complete=_complete_names)
@click.option(
    "-A",
    "--all-namespaces",
    "all_namespaces",
    is_flag=True,
    help="Watch the requested objects across all namespaces.",
)
@click.option(
    "-l", "--selector", "selector", default="", help="Label selector (e.g. -l key1=value1)."
)
@click.option(
    "--field-selector", "field_selector", default="", help="Field selector (e.g. metadata.name=x)."
)
@click.option(
    "-o",
    "--output",
    "output",
    default="table",
    metavar="FORMAT",
    help="Output format: table, wide, json (one event per line), yaml or name.",
)
@click.option(
    "--resource-version",
    "resource_version",
    default="",
    help="Skip the initial list and print the changes after this resourceVersion.",
)
@click.option(
    "--since-now", "since_now", is_flag=True, help="List silently; print only later changes."
)
@click.option(
    "--timeout",
    "timeout",
    default="",
    help="Stop after this long (e.g. 30s, 5m; a bare integer is seconds). Default: never.",
)
def command(
    factory: Factory,
    type_: str,
    name: str,
    all_namespaces: bool,
    selector: str,
    field_selector: str,
    output: str,
    resource_version: str,
    since_now: bool,
    timeout: str,
) -> None:
    """Watch TYPE (and optionally one NAME): list, then print every change as it happens.

    Survives dropped connections and server timeouts by resuming from the last
    resourceVersion; when the server has forgotten that version (410 Gone) it lists again
    and prints only the real changes. Runs until Ctrl-C or --timeout, then exits 0.
    """
    if output not in OUTPUT_FORMATS:
        raise click.UsageError(
            f"unable to match a printer suitable for the output format {output!r}, "
            f"allowed formats are: {','.join(OUTPUT_FORMATS)}"
        )
    if resource_version and since_now:
        raise click.UsageError("--resource-version and --since-now are mutually exclusive")
    seconds = _parse_timeout(timeout)
    from kctl.metav1 import ListOptions

    mapping = factory.rest_mapper().mapping_for(type_)
    namespace, _ = factory.namespace()
    resource = factory.dynamic().resource(mapping.resource)
    if mapping.namespaced and not all_namespaces:
        resource = resource.namespace(namespace)
    if name:
        name_term = f"metadata.name={name}"
        field_selector = f"{name_term},{field_selector}" if field_selector else name_term
    opts = ListOptions(label_selector=selector, field_selector=field_selector)

    stdout = sys.stdout
    table = output in ("table", "wide")
    client: Any = resource
    printer: _Output
    if table:
        rows = _TableRows(_table_resource(resource))
        client = rows
        printer = _TableOutput(
            stdout,
            rows,
            wide=output == "wide",
            all_namespaces=all_namespaces and mapping.namespaced,
        )
    else:
        gvk = mapping.group_version_kind
        api_version = f"{gvk.group}/{gvk.version}" if gvk.group else gvk.version
        printer = _ObjectOutput(stdout, output, api_version, gvk.kind)

    current = _Current()
    source: Any
    if resource_version:
        source = _from_version(client, resource_version, opts, current, table)
    else:
        source = _reflected(client, opts, current, table)
    ending = _Ending()
    try:
        ending.arm(seconds, current)
        run(source, printer, since_now=since_now, ending=ending)
    except _Stop:
        # Ctrl-C, SIGTERM and --timeout are how a watch is meant to end.
        pass
    finally:
        ending.disarm()
        current.stop()
    if table:
        printer.synced()


class _Stop(Exception):
    """Ctrl-C, SIGTERM or --timeout: raised in the main thread, where it is reading."""


class _Ending:
    """Turns SIGINT, SIGTERM and --timeout's SIGALRM into ``_Stop`` in the main thread.

    Raised from the signal handler, it interrupts a blocking read where it is, as Ctrl-C's
    KeyboardInterrupt does; stopping the stream from another thread would race with that
    read. Between ``hold`` and ``release`` (an event being printed) the stop waits for
    ``release``. kubectl's ``get -w`` treats SIGINT and SIGTERM alike (it stops the watch and
    exits 1 without a word), so this verb ends on either as it does on Ctrl-C: exit 0.
    Outside the main thread no handler can be set: --timeout then stops ``current`` from a
    timer thread.
    """

    def __init__(self) -> None:
        self._holding = False
        self._pending = False
        self._previous: list[tuple[int, Any]] = []
        self._itimer = False
        self._timer: threading.Timer | None = None

    def arm(self, seconds: float, current: _Current) -> None:
        import signal

        if threading.current_thread() is not threading.main_thread():
            if seconds > 0:
                self._timer = threading.Timer(seconds, current.stop)
                self._timer.daemon = True
                self._timer.start()
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._catch(signum)
        if seconds > 0 and hasattr(signal, "setitimer"):
            self._catch(signal.SIGALRM)
            signal.setitimer(signal.ITIMER_REAL, seconds)
            self._itimer = True
        elif seconds > 0:
            self._timer = threading.Timer(seconds, current.stop)
            self._timer.daemon = True
            self._timer.start()

    def _catch(self, signum: int) -> None:
        import signal

        previous = signal.getsignal(signum)
        if previous is None:
            # Set from outside Python: it could not be put back, so it is left alone.
            return
        signal.signal(signum, self._on_signal)
        self._previous.append((signum, previous))

    def _on_signal(self, signum: int, frame: object) -> None:
        if self._holding:
            self._pending = True
            return
        raise _Stop

    def hold(self) -> None:
        self._holding = True

    def release(self) -> None:
        self._holding = False
        if self._pending:
            self._pending = False
            raise _Stop

    def disarm(self) -> None:
        import signal

        if self._timer is not None:
            self._timer.cancel()
        if self._itimer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._itimer = False
        for signum, previous in reversed(self._previous):
            signal.signal(signum, previous)
        self._previous.clear()


def _parse_timeout(text: str) -> float:
    if not text:
        return 0.0
    from kctl.clientcmd import parse_timeout
    from kctl.errors import ConfigError

    try:
        return parse_timeout(text)
    except ConfigError as err:
        raise click.UsageError(str(err)) from None
