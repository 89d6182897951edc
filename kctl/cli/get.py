"""``kctl get``: display one or many resources, as ``kubectl get`` does.

Lists are fetched page by page (``--chunk-size``, default 500) and each page is printed as
soon as it is decoded: a table through the server-side Table (kubectl's Accept header), or
objects through the streaming json/yaml/name printers, so 10k objects never sit in memory
together. Only ``--sort-by`` and ``-o jsonpath`` need the whole list (as in kubectl).

``--limit N`` and ``--continue TOKEN`` are kctl's own: one page of N, and a note on stderr
with the command that fetches the next page. With -o json|yaml|jsonpath the List also
carries the page's ``metadata.continue`` and ``remainingItemCount``, for scripts.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TextIO

from kctl.cli._errors import SilentExit, report, usage_errorf
from kctl.cli._flags import Flag, boolean, integer, string, strings
from kctl.errors import KctlError, PrinterError, StatusError, is_not_found

if TYPE_CHECKING:
    import click

    from kctl.cli._factory import Factory
    from kctl.discovery import RESTMapping
    from kctl.rest import Request

__all__ = ["FLAGS", "TABLE_ACCEPT", "click_command", "command", "run"]

TABLE_ACCEPT = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,"
    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
)
_FORMATS = (
    "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,"
    "jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,wide,yaml"
)


class _Tracking:
    """stdout that counts what was written and can put one blank line before the next write
    (kubectl's trackingWriterWrapper and separatorWriterWrapper)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.written = 0
        self.separator_ready = False

    def write(self, text: str) -> int:
        if not text:
            return 0
        if self.separator_ready:
            self._out.write("\n")
            self.separator_ready = False
        self.written += len(text)
        self._out.write(text)
        return len(text)


@dataclass
class _Target:
    """One resource type to fetch, with the names asked for (none: list them all)."""

    mapping: RESTMapping
    namespace: str
    names: list[str] = field(default_factory=list)
    # Objects read from -f: fetched by name, in their own namespace.
    from_file: bool = False
    # -f: the version the manifest named, which the request uses (see _resources.Info).
    version: str | None = None
    from_list: int | None = None
    # -f: an object without a name is not fetched (RetrieveLatest skips it): shown as read.
    local: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        gk = self.mapping.group_version_kind
        return f"{gk.kind}.{gk.group}" if gk.group else gk.kind


@dataclass
class _Options:
    output: str
    all_namespaces: bool
    selector: str
    field_selector: str
    chunk_size: int
    show_labels: bool
    label_columns: list[str]
    sort_by: str
    no_headers: bool
    show_kind: bool
    ignore_not_found: bool
    show_managed_fields: bool
    subresource: str
    limit: int
    continue_token: str
    watch: bool
    watch_only: bool
    output_watch_events: bool
    # The command as invoked ("kctl get"), for the --limit note's next-page command.
    path: str = "kctl get"
    template: str = ""
    allow_missing_keys: bool = True

    @property
    def human(self) -> bool:
        return (self.output == "" and not self.template) or self.output == "wide"


# -- argument resolution ----------------------------------------------------------------------


def _split_args(args: tuple[str, ...], path: str) -> list[tuple[str, list[str]]]:
    """``TYPE[,TYPE] [NAME...]`` or ``TYPE/NAME...`` into (type, names) pairs in order."""
    if any("/" in a for a in args):
        if not all("/" in a for a in args):
            raise KctlError(
                "there is no need to specify a resource type as a separate argument when "
                "passing arguments in resource/name form (e.g. 'kubectl get resource/"
                "<resource_name>' instead of 'kubectl get resource resource/<resource_name>'"
            )
        pairs: list[tuple[str, list[str]]] = []
        for arg in args:
            kind, _, name = arg.partition("/")
            if not kind or not name or "/" in name:
                raise KctlError(
                    "arguments in resource/name form must have a single resource and name"
                )
            for existing, names in pairs:
                if existing == kind:
                    names.append(name)
                    break
            else:
                pairs.append((kind, [name]))
        return pairs
    types = [t for t in args[0].split(",") if t]
    if not types:
        raise usage_errorf(path, "Required resource not specified.")
    return [(t, list(args[1:])) for t in types]


def _targets(
    factory: Factory, args: tuple[str, ...], opts: _Options, namespace: str, path: str
) -> list[_Target]:
    mapper = factory.rest_mapper()
    pairs = _split_args(args, path)
    if not any("/" in a for a in args):
        expanded = mapper.replace_aliases(pairs[0][0] if len(pairs) == 1 else args[0])
        if expanded != args[0]:
            pairs = [(t, list(args[1:])) for t in expanded.split(",") if t]
    targets: list[_Target] = []
    seen: set[Any] = set()
    for kind, names in pairs:
        mapping = mapper.mapping_for(kind)
        if mapping.resource in seen:
            continue
        seen.add(mapping.resource)
        if names and opts.all_namespaces and mapping.namespaced:
            raise KctlError("a resource cannot be retrieved by name across all namespaces")
        ns = "" if not mapping.namespaced or opts.all_namespaces else namespace
        targets.append(_Target(mapping, ns, names))
    return targets


def _file_targets(
    factory: Factory, filenames: tuple[str, ...], recursive: bool, namespace: str, explicit: bool
) -> tuple[list[_Target], list[tuple[int, KctlError]]]:
    """The objects named by -f (files, directories, ``-``, URLs; -R), as kubectl's builder
    reads them for get, and the problems met on the way, each with the number of targets
    found before it (kubectl reports them in document order, among the fetch errors)."""
    from kctl.cli._resources import Info, infos_from_manifests

    targets: list[_Target] = []
    problems: list[tuple[int, KctlError]] = []
    for item in infos_from_manifests(
        factory, filenames, recursive=recursive, namespace=namespace, enforce_namespace=False
    ):
        if not isinstance(item, Info):
            problems.append((len(targets), item))
            continue
        if explicit and item.namespaced and item.namespace != namespace:
            # kubectl refuses the whole command, printing nothing it found.
            raise KctlError(
                f'the namespace from the provided object "{item.namespace}" does not match the '
                f"namespace \"{namespace}\". You must pass '--namespace={item.namespace}' to "
                "perform this operation."
            )
        targets.append(
            _Target(
                item.mapping,
                item.namespace,
                [item.name],
                from_file=True,
                version=item.version,
                from_list=item.from_list,
                local=None if item.name else item.obj,
            )
        )
    return targets, problems


def _single_source(filenames: tuple[str, ...], recursive: bool) -> bool:
    """cli-runtime's singleItemImplied: -f names exactly one file (directories expanded;
    stdin and URLs are streams, never single)."""
    import os

    from kctl.cli._manifests import expand_dir, is_url

    files = 0
    for name in filenames:
        if name == "-" or is_url(name):
            return False
        if os.path.isdir(name):
            try:
                files += len(expand_dir(name, recursive))
            except KctlError:
                return False
        else:
            files += 1
    return files == 1


# -- requests ---------------------------------------------------------------------------------


def _request(factory: Factory, target: _Target, table: bool, opts: _Options) -> Request:
    gvr = target.mapping.resource
    version = gvr.version if target.version is None else target.version
    req = factory.rest_client(gvr.group, version).get()
    if target.mapping.namespaced and target.namespace:
        req.namespace(target.namespace)
    req.resource(gvr.resource)
    if table:
        req.set_header("Accept", TABLE_ACCEPT)
        if opts.sort_by:
            req.param("includeObject", "Object")
    else:
        req.set_header("Accept", "application/json")
    return req


def _list_params(req: Request, opts: _Options, limit: int, token: str) -> Request:
    if opts.selector:
        req.param("labelSelector", opts.selector)
    if opts.field_selector:
        req.param("fieldSelector", opts.field_selector)
    if limit > 0:
        req.param("limit", limit)
    if token:
        req.param("continue", token)
    return req


@dataclass
class _Page:
    body: dict[str, Any]
    more: str = ""
    remaining: int | None = None


def _pages(factory: Factory, target: _Target, table: bool, opts: _Options) -> Iterator[_Page]:
    """Each list page as decoded once; with --limit, just one page of that size.

    Not kctl.dynamic's ListPager: kubectl's get sends the Table Accept header, may start from
    --continue, and on an expired continue token fails (printing what it has) instead of
    falling back to a full list as client-go's pager does.
    """
    limit = opts.limit or (0 if opts.sort_by else opts.chunk_size)
    token = opts.continue_token
    while True:
        req = _list_params(_request(factory, target, table, opts), opts, limit, token)
        try:
            body = req.do().json()
        except StatusError as err:
            raise _list_error(err, target, opts) from None
        meta = body.get("metadata") or {}
        token = str(meta.get("continue") or "")
        remaining = meta.get("remainingItemCount")
        yield _Page(body, token, int(remaining) if isinstance(remaining, int) else None)
        if not token or opts.limit:
            return


def _list_error(err: StatusError, target: _Target, opts: _Options) -> StatusError:
    """cli-runtime's Selector visitor names what it listed in a BadRequest or NotFound."""
    if err.reason not in ("BadRequest", "NotFound"):
        return err
    from kctl.cli._printers import marshal

    gvr = target.mapping.resource
    what = marshal(f"{gvr.group}/{gvr.version}, Resource={gvr.resource}")
    if opts.selector or opts.field_selector:
        prefix = (
            f"Unable to find {what} that match label selector {marshal(opts.selector)}, "
            f"field selector {marshal(opts.field_selector)}"
        )
    else:
        prefix = f"Unable to list {what}"
    return StatusError({**err.status, "message": f"{prefix}: {err.message}"})


def _get_one(factory: Factory, target: _Target, name: str, table: bool, opts: _Options) -> Any:
    if target.local is not None:
        return _local_table(target.local) if table else target.local
    req = _request(factory, target, table, opts).name(name)
    if opts.subresource:
        req.subresource(opts.subresource)
    return req.do().json()


def _local_table(obj: dict[str, Any]) -> dict[str, Any]:
    """kubectl's default table for an object the server did not print: name and age."""
    from kctl.cli._printers._duration import translate_timestamp_since

    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "columnDefinitions": [
            {"name": "Name", "type": "string", "format": "name"},
            {"name": "Age", "type": "string"},
        ],
        "rows": [
            {
                "cells": [
                    str((meta or {}).get("name") or ""),
                    translate_timestamp_since((meta or {}).get("creationTimestamp")),
                ],
                "object": obj,
            }
        ],
    }


def _more_note(factory: Factory, target: _Target, page: _Page, opts: _Options) -> None:
    if not page.more:
        return
    count = f"{page.remaining} more items" if page.remaining is not None else "more items"
    command = _next_page_command(factory, target, opts, page.more)
    sys.stderr.write(f"There are {count} on the server; for the next page use: {command}\n")


def _next_page_command(factory: Factory, target: _Target, opts: _Options, token: str) -> str:
    """The command line that fetches the next page of the same query, ready to paste: the
    flags that chose the cluster (never a credential), scope, filters and output."""
    from shlex import quote

    words = opts.path.split()
    flags = factory.flags
    for flag, value in (
        ("--kubeconfig", flags.kubeconfig),
        ("--context", flags.context),
        ("--cluster", flags.cluster),
        ("--user", flags.user),
        ("--server", flags.server),
    ):
        if value:
            words += [flag, value]
    gvr = target.mapping.resource
    words.append(f"{gvr.resource}.{gvr.group}" if gvr.group else gvr.resource)
    if target.mapping.namespaced:
        words += ["-A"] if opts.all_namespaces else ["-n", target.namespace]
    if opts.selector:
        words += ["-l", opts.selector]
    if opts.field_selector:
        words += ["--field-selector", opts.field_selector]
    if opts.output:
        words += ["-o", opts.output]
    if opts.template:
        words += ["--template", opts.template]
    if not opts.allow_missing_keys:
        words.append("--allow-missing-template-keys=false")
    for flag, on in (
        ("--no-headers", opts.no_headers),
        ("--show-kind", opts.show_kind),
        ("--show-labels", opts.show_labels),
        ("--show-managed-fields", opts.show_managed_fields),
    ):
        if on:
            words.append(flag)
    if opts.label_columns:
        words += ["-L", ",".join(opts.label_columns)]
    if opts.sort_by:
        words += ["--sort-by", opts.sort_by]
    words += ["--limit", str(opts.limit), "--continue", token]
    return " ".join(quote(word) for word in words)


# -- human-readable output --------------------------------------------------------------------


def _print_human(
    factory: Factory,
    targets: list[_Target],
    opts: _Options,
    ns: str,
    problems: list[tuple[int, KctlError]],
) -> None:
    from kctl.cli._aggregate import add_error
    from kctl.cli._io import Progress
    from kctl.cli._printers import TableOptions, TablePrinter, TabWriter, sort_table_rows

    out = _Tracking(sys.stdout)
    tw = TabWriter(out)
    errors: list[BaseException] = []
    pending = iter(problems)
    problem = next(pending, None)
    # Named objects are fetched first: like kubectl, only what was found decides whether
    # several kinds are shown (and so whether names carry a kind/ prefix).
    fetched: dict[int, list[Any]] = {}
    for index, target in enumerate(targets):
        while problem is not None and problem[0] <= index:
            add_error(errors, problem[1], getattr(problem[1], "from_list", None))
            problem = next(pending, None)
        if not target.names:
            continue
        fetched[index] = []
        for name in target.names:
            try:
                fetched[index].append(_get_one(factory, target, name, True, opts))
            except KctlError as err:
                if not (opts.ignore_not_found and is_not_found(err)):
                    add_error(errors, err, target.from_list)
    while problem is not None:
        add_error(errors, problem[1], getattr(problem[1], "from_list", None))
        problem = next(pending, None)
    kinds = {t.mapping.group_version_kind for i, t in enumerate(targets) if fetched.get(i, [None])}
    with_kind = opts.show_kind or len(kinds) > 1
    all_namespaced = not opts.all_namespaces
    last: _Target | None = None
    printer: TablePrinter | None = None
    notes: list[tuple[_Target, _Page]] = []
    for index, target in enumerate(targets):
        if target.names and not fetched[index]:
            continue
        if printer is None or last is None or last.mapping != target.mapping:
            tw.flush()
            tw.set_remembered_widths(None)
            if last is not None and not opts.no_headers and out.written > 0:
                out.separator_ready = True
            printer = TablePrinter(
                tw,
                TableOptions(
                    no_headers=opts.no_headers,
                    wide=opts.output == "wide",
                    with_namespace=opts.all_namespaces and target.mapping.namespaced,
                    kind=target.kind,
                    with_kind=with_kind,
                    show_labels=opts.show_labels,
                    column_labels=opts.label_columns,
                ),
            )
            last = target
        if target.names:
            for table in fetched[index]:
                printer.print_table(table)
            all_namespaced = all_namespaced and target.mapping.namespaced
            continue
        with Progress(target.mapping.resource.resource) as progress:
            try:
                for page in _pages(factory, target, True, opts):
                    # kubectl words "No resources found" by the scope of the objects it got:
                    # a Table is one, but a server without Tables sends a plain list, and an
                    # empty one leaves nothing to judge by (so the namespaced wording stays).
                    if page.body.get("kind") == "Table" or page.body.get("items"):
                        all_namespaced = all_namespaced and target.mapping.namespaced
                    if opts.sort_by:
                        sort_table_rows(page.body, opts.sort_by)
                    printer.print_table(page.body)
                    progress.advance(len(page.body.get("rows") or []))
                    if opts.limit:
                        notes.append((target, page))
            except KctlError as err:
                # kubectl's builder keeps the pages it got (an expired continue token, a
                # reset mid-list) and reports the error after printing them.
                errors.append(err)
    tw.flush()
    if out.written == 0 and not opts.ignore_not_found and not errors:
        if all_namespaced:
            sys.stderr.write(f"No resources found in {ns} namespace.\n")
        else:
            sys.stderr.write("No resources found\n")
    for target, page in notes:
        _more_note(factory, target, page, opts)
    _finish(errors, aggregate=True)


def _finish(errors: list[BaseException], *, aggregate: bool = False) -> None:
    sys.stdout.flush()
    if not errors:
        return
    for err in errors:
        if aggregate:
            _report_in_aggregate(err)
        else:
            report(err)
    raise SilentExit(1)


def _report_in_aggregate(err: BaseException) -> None:
    """kubectl's human get returns an aggregate, whose MultipleErrors prints a plain error
    (a broken response body or manifest: neither a Status nor a *url.Error) without
    ``error: ``."""
    from kctl.cli._aggregate import Aggregate
    from kctl.cli._errors import message_for
    from kctl.cli._io import error
    from kctl.cli._manifests import ListItemError
    from kctl.errors import ResponseBodyError, ResponseDecodeError

    text = message_for(err)
    # Plain errors: a broken body, what -f could not read or map, a list's items' errors.
    plain = (KctlError, Aggregate, ListItemError)
    if type(err) in plain or isinstance(err, (ResponseBodyError, ResponseDecodeError)):
        text = text.removeprefix("error: ")
    error(text)


# -- json, yaml, name, jsonpath, custom columns ----------------------------------------------


_JSONPATH_FORMATS = ("jsonpath", "jsonpath-file", "jsonpath-as-json")
_TEMPLATE_FORMATS = ("go-template", "go-template-file", "template", "templatefile")
# Printed once, as one ``kind: List`` object, like jsonpath.
_WHOLE_LIST_FORMATS = (*_JSONPATH_FORMATS, *_TEMPLATE_FORMATS, "kyaml")


def _object_printer(opts: _Options, out: Any) -> tuple[Any, Callable[[], None]]:
    """The printer for -o, and what to call once everything was printed.

    In kubectl's order (get's PrintFlags.ToPrinter): jsonpath and go templates, which may
    take their template from --template; json, yaml, kyaml; custom columns; name.
    """
    from kctl.cli import _printers as p

    output = opts.output
    if opts.template and not output:
        output = "go-template"
    for family in (_JSONPATH_FORMATS, _TEMPLATE_FORMATS):
        found = _template_format(output, opts.template, family)
        if found is None:
            continue
        fmt, template = found
        if fmt in _JSONPATH_FORMATS:
            jsonpath = p.JSONPathPrinter(
                out,
                template,
                allow_missing_keys=opts.allow_missing_keys,
                output_json=fmt == "jsonpath-as-json",
            )
            return jsonpath, lambda: None
        return p.GoTemplatePrinter(out, template, opts.allow_missing_keys), lambda: None
    lower = output.lower()
    if lower == "json":
        return p.JSONPrinter(out, opts.show_managed_fields), lambda: None
    if lower == "yaml":
        return p.YAMLPrinter(out, opts.show_managed_fields), lambda: None
    if lower == "kyaml":
        return p.KYAMLPrinter(out, opts.show_managed_fields), lambda: None
    # As for templates, --template is the columns, and -o is then taken whole.
    fmt, arg = (output, opts.template) if opts.template else output.partition("=")[::2]
    if fmt in ("custom-columns", "custom-columns-file"):
        if not arg:
            raise PrinterError("custom-columns format specified but no custom columns given")
        tw = p.TabWriter(out)
        if fmt == "custom-columns":
            columns = p.parse_custom_columns(arg)
        else:
            columns = p.parse_custom_columns_template(_read_file(arg, "error reading template"))
        return p.CustomColumnsPrinter(tw, columns, opts.no_headers), tw.flush
    if lower == "name":
        return p.NamePrinter(out), lambda: None
    raise PrinterError(
        f'unable to match a printer suitable for the output format "{output}", '
        f"allowed formats are: {_FORMATS}"
    )


def _format_name(opts: _Options) -> str:
    """The -o format without its argument, as the printers know it."""
    fmt = (opts.output or ("go-template" if opts.template else "")).partition("=")[0]
    return fmt.lower() if fmt.lower() in ("json", "yaml", "kyaml") else fmt


def _template_format(output: str, template: str, family: tuple[str, ...]) -> tuple[str, str] | None:
    """cli-runtime's jsonpath and go-template flags: the format and the template text, or
    None when ``output`` is none of ``family``. --template, when given, is the template."""
    if not template and not output:
        return None
    fmt, value = output, template
    if not template:
        for name in family:
            if output.startswith(name + "="):
                fmt, value = name, output[len(name) + 1 :]
                break
    if fmt not in family:
        return None
    if not value:
        raise PrinterError("template format specified but no template given")
    if fmt.endswith("file"):
        value = _read_file(value, "error reading --template")
    return fmt, value


def _read_file(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError as err:
        # Go's *PathError: os.ReadFile opens, then reads (a directory fails there).
        op, reason = "open", (err.strerror or str(err)).lower()
        if isinstance(err, IsADirectoryError):
            op, reason = "read", "is a directory"
        raise KctlError(f"{what} {path}, {op} {path}: {reason}") from None


def _items_of(body: Mapping[str, Any]) -> list[Any]:
    items = body.get("items")
    return items if isinstance(items, list) else []


def _print_objects(
    factory: Factory,
    targets: list[_Target],
    opts: _Options,
    ns: str,
    problems: list[tuple[int, KctlError]],
    single_source: bool,
) -> None:
    from kctl.cli._io import Progress
    from kctl.cli._printers import sort_objects

    prefetched: dict[tuple[int, str], Any] = {}
    if single_source:  # only ever with -f
        prefetched = _fetch_single_source(factory, targets, opts, problems)

    out = _Tracking(sys.stdout)
    printer, done = _object_printer(opts, out)
    fmt = _format_name(opts)
    single = len(targets) == 1 and (
        single_source if targets[0].from_file else len(targets[0].names) == 1
    )
    errors: list[BaseException] = []
    notes: list[tuple[_Target, _Page]] = []
    # printGeneric flattens the builder's aggregate: its errors one by one, in document order.
    pending = list(reversed(problems))

    def flush_problems(upto: int) -> None:
        while pending and pending[-1][0] <= upto:
            errors.append(pending.pop()[1])

    def list_metadata() -> dict[str, Any]:
        """--limit: the page's continue and remainingItemCount, as the server sent them, so a
        script pages from stdout alone. Several listed types have no single next page."""
        if len(notes) != 1:
            return {}
        page = notes[0][1]
        meta: dict[str, Any] = {}
        if page.more:
            meta["continue"] = page.more
        if page.remaining is not None:
            meta["remainingItemCount"] = page.remaining
        return meta

    def fetched() -> Iterator[list[Any]]:
        """Pages of objects across every target, in order."""
        for index, target in enumerate(targets):
            flush_problems(index)
            if target.names:
                found: list[Any] = []
                for name in target.names:
                    if (index, name) in prefetched:
                        found.append(prefetched[(index, name)])
                        continue
                    try:
                        found.append(_get_one(factory, target, name, False, opts))
                    except KctlError as err:
                        if opts.ignore_not_found and is_not_found(err):
                            continue
                        if single:
                            raise
                        errors.append(err)
                yield found
                continue
            with Progress(target.mapping.resource.resource) as progress:
                try:
                    for page in _pages(factory, target, False, opts):
                        items = _items_of(page.body)
                        gv = target.mapping.group_version_kind
                        for item in items:
                            # List items carry no kind; kubectl's decoder sets it.
                            item.setdefault("apiVersion", gv.api_version)
                            item.setdefault("kind", gv.kind)
                        progress.advance(len(items))
                        if opts.limit:
                            notes.append((target, _Page({}, page.more, page.remaining)))
                        yield items
                except KctlError as err:
                    # As kubectl: the list printed holds what arrived; the error follows.
                    errors.append(err)

    pages: Iterator[list[Any]] = fetched()
    if opts.sort_by:
        everything = [item for page in pages for item in page]
        pages = iter([sort_objects(everything, opts.sort_by)])
    if single:
        objs = [item for page in pages for item in page]
        if len(objs) == 1:
            printer.print_obj(objs[0])
        elif objs or not opts.ignore_not_found:
            _print_list(printer, fmt, iter([objs]))
    elif not opts.ignore_not_found:
        _print_list(printer, fmt, pages, list_metadata)
    else:
        # kubectl prints nothing at all when --ignore-not-found left no object.
        buffered: list[list[Any]] = []
        for page in pages:
            buffered.append(page)
            if page:
                break
        if any(buffered):
            _print_list(printer, fmt, _chain(buffered, pages), list_metadata)
    done()
    flush_problems(len(targets))
    for target, note in notes:
        _more_note(factory, target, note, opts)
    # kubectl returns an aggregate: one error prints as ``error: ...``, several as plain lines.
    _finish(errors, aggregate=len(errors) > 1)


def _fetch_single_source(
    factory: Factory,
    targets: list[_Target],
    opts: _Options,
    problems: list[tuple[int, KctlError]],
) -> dict[tuple[int, str], Any]:
    """cli-runtime's singleItemImplied: with one -f source, get fetches every object first and
    any problem is the whole answer (nothing printed), the builder's aggregate as CheckErr
    prints it, its errors in document order. Returns what was fetched, by target and name."""
    from kctl.cli._aggregate import Aggregate, add_error
    from kctl.cli._apply_flags import exit_with_errors

    errors: list[BaseException] = []
    found: dict[tuple[int, str], Any] = {}
    pending = list(reversed(problems))
    for index in range(len(targets) + 1):
        while pending and pending[-1][0] <= index:
            err = pending.pop()[1]
            add_error(errors, err, getattr(err, "from_list", None))
        if index == len(targets):
            break
        target = targets[index]
        for name in target.names:
            try:
                found[(index, name)] = _get_one(factory, target, name, False, opts)
            except KctlError as err:
                if not (opts.ignore_not_found and is_not_found(err)):
                    add_error(errors, err, target.from_list)
    if errors:
        exit_with_errors([Aggregate(errors)])
    return found


def _chain(first: list[list[Any]], rest: Iterator[list[Any]]) -> Iterator[list[Any]]:
    yield from first
    yield from rest


def _print_list(
    printer: Any,
    fmt: str,
    pages: Iterator[list[Any]],
    metadata: Callable[[], Mapping[str, Any]] | None = None,
) -> None:
    if fmt in ("json", "yaml"):
        printer.print_list(pages, metadata)
        return
    if fmt in _WHOLE_LIST_FORMATS:
        items = [item for page in pages for item in page]
        extra = metadata() if metadata is not None else {}
        printer.print_obj(
            {
                "apiVersion": "v1",
                "items": items,
                "kind": "List",
                "metadata": {"resourceVersion": "", **extra},
            }
        )
        return
    for page in pages:
        printer.print_obj({"kind": "List", "items": page})


# -- watch ------------------------------------------------------------------------------------


def _watch(factory: Factory, targets: list[_Target], opts: _Options, ns: str) -> None:
    from kctl.cli._printers import TableOptions, TablePrinter, TabWriter

    if len(targets) != 1:
        raise KctlError("you may only specify a single resource type")
    target = targets[0]
    table = opts.human
    tw = TabWriter(sys.stdout)
    printer: Any
    if table:
        printer = TablePrinter(
            tw,
            TableOptions(
                no_headers=opts.no_headers,
                wide=opts.output == "wide",
                with_namespace=opts.all_namespaces and target.mapping.namespaced,
                kind=target.kind,
                show_labels=opts.show_labels,
                column_labels=opts.label_columns,
            ),
        )
    else:
        printer, _ = _object_printer(opts, sys.stdout)

    def emit(obj: dict[str, Any], event: str) -> None:
        if table:
            printer.print_table(obj, event_type=event if opts.output_watch_events else "")
        elif opts.output_watch_events:
            from kctl.cli._printers import WatchEvent

            printer.print_obj(WatchEvent(event, obj))
        else:
            printer.print_obj(obj)
        tw.flush()
        sys.stdout.flush()

    if target.names:
        if len(target.names) != 1:
            raise KctlError(
                "watch is only supported on individual resources and resource collections, but 2 resources were found"
            )
        try:
            obj = _get_one(factory, target, target.names[0], table, opts)
        except KctlError as err:
            if opts.ignore_not_found and is_not_found(err):
                return
            raise
        rv = "0"
        if not opts.watch_only:
            emit(obj, "ADDED")
        field_selector = f"metadata.name={target.names[0]}"
    else:
        rv = ""
        for page in _pages(factory, target, table, _without_limit(opts)):
            rv = str((page.body.get("metadata") or {}).get("resourceVersion") or "")
            if opts.watch_only:
                continue
            if table:
                if opts.output_watch_events:
                    # One table for the whole listing: kubectl aligns its rows together.
                    for row in page.body.get("rows") or []:
                        printer.print_table({**page.body, "rows": [row]}, event_type="ADDED")
                    tw.flush()
                    sys.stdout.flush()
                else:
                    emit(page.body, "")
            else:
                gvk = target.mapping.group_version_kind
                for item in _items_of(page.body):
                    item.setdefault("apiVersion", gvk.api_version)
                    item.setdefault("kind", gvk.kind)
                    emit(item, "ADDED")
        field_selector = opts.field_selector
    req = _request(factory, target, table, opts).param("watch", "true")
    if opts.selector:
        req.param("labelSelector", opts.selector)
    if field_selector:
        req.param("fieldSelector", field_selector)
    if rv:
        req.param("resourceVersion", rv)
    with _interrupt_exits_1(), req.watch() as watcher:
        for event in watcher:
            if event.type == "ERROR":
                from kctl.errors import StatusError

                raise StatusError(event.object)
            if event.type == "BOOKMARK":
                continue
            emit(event.object, event.type)


@contextmanager
def _interrupt_exits_1() -> Iterator[None]:
    """kubectl's watch runs under its interrupt handler: a termination signal (HUP, INT,
    TERM, QUIT) cancels the watch and the command exits 1 without a word."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signals = [signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    previous = {signum: signal.signal(signum, stop) for signum in signals}
    try:
        yield
    except KeyboardInterrupt:
        raise SilentExit(1) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _without_limit(opts: _Options) -> _Options:
    return replace(opts, limit=0, continue_token="")


# -- raw --------------------------------------------------------------------------------------


def _raw(factory: Factory, raw: str) -> None:
    from urllib.parse import parse_qsl, urlsplit

    from kctl.rest import unversioned_rest_client_for

    parts = urlsplit(raw)
    if not raw.startswith("/") or parts.scheme or parts.netloc:
        raise KctlError(f'--raw must be a valid URL path: parse "{raw}": invalid URI for request')
    req = unversioned_rest_client_for(factory.rest_config()).get().abs_path(parts.path)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        req.param(key, value)
    body = req.do_raw()
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


# -- the command ------------------------------------------------------------------------------


FLAGS: tuple[Flag, ...] = (
    string(
        "-o",
        "--output",
        dest="output",
        help=(
            "Output format: json|yaml|kyaml|name|wide|jsonpath=...|custom-columns=...|"
            "go-template=..."
        ),
    ),
    boolean("-A", "--all-namespaces", dest="all_namespaces", help="List across all namespaces."),
    string("-l", "--selector", dest="selector", help="Label selector to filter on."),
    string("--field-selector", dest="field_selector", help="Field selector to filter on."),
    integer(
        "--chunk-size",
        dest="chunk_size",
        default=500,
        help="Return large lists in chunks (0: no chunks).",
    ),
    boolean("--show-labels", dest="show_labels", help="Show all labels as the last column."),
    strings("-L", "--label-columns", dest="label_columns", help="Labels to show as columns."),
    string("--sort-by", dest="sort_by", help="Sort by this JSONPath field."),
    boolean("--no-headers", dest="no_headers", help="Don't print headers."),
    boolean("--show-kind", dest="show_kind", help="List the resource type of each object."),
    boolean("--ignore-not-found", dest="ignore_not_found", help="Treat not found as success."),
    boolean(
        "--show-managed-fields",
        dest="show_managed_fields",
        help="Keep managedFields in json/yaml output.",
    ),
    string(
        "--template",
        dest="template",
        help="Template string or path to template file to use when -o=go-template, "
        "-o=go-template-file.",
    ),
    boolean(
        "--allow-missing-template-keys",
        dest="allow_missing_template_keys",
        default=True,
        help="If true, ignore any errors in templates when a field or map key is missing.",
    ),
    string("--raw", dest="raw", help="Raw URI to request from the server."),
    string("--subresource", dest="subresource", help="Get this subresource (status, scale)."),
    strings("-f", "--filename", dest="filename", help="Files identifying the resources to get."),
    boolean(
        "-R",
        "--recursive",
        dest="recursive",
        help="Process the directory used in -f, --filename recursively.",
    ),
    boolean("-w", "--watch", dest="watch", help="After listing, watch for changes."),
    boolean("--watch-only", dest="watch_only", help="Watch for changes, without listing first."),
    boolean(
        "--output-watch-events",
        dest="output_watch_events",
        help="Print the event type of watch events.",
    ),
    integer(
        "--limit",
        dest="limit",
        help=(
            "kctl: return at most N objects (one page); with -o json|yaml the List's "
            "metadata.continue is the next page's --continue."
        ),
    ),
    string("--continue", dest="continue_token", help="kctl: resume a --limit listing."),
)


def run(factory: Factory, path: str, params: Mapping[str, Any]) -> None:
    """Display one or many resources."""
    args: tuple[str, ...] = params["args"]
    output: str = params["output"]
    selector: str = params["selector"]
    label_columns: tuple[str, ...] = params["label_columns"]
    sort_by: str = params["sort_by"]
    raw: str = params["raw"]
    filename: tuple[str, ...] = params["filename"]
    watch: bool = params["watch"]
    watch_only: bool = params["watch_only"]
    output_watch_events: bool = params["output_watch_events"]
    show_labels: bool = params["show_labels"]
    limit: int = params["limit"]
    continue_token: str = params["continue_token"]
    if raw:
        if args:
            raise KctlError("arguments may not be passed when --raw is specified")
        if watch or watch_only or selector:
            raise KctlError(
                "--raw may not be specified with other flags that filter the server request "
                "or alter the output"
            )
        if output:
            raise KctlError("--raw and --output are mutually exclusive")
        _raw(factory, raw)
        return
    if show_labels and output not in ("", "wide"):
        raise KctlError(f"--show-labels option cannot be used with {output} printer")
    if label_columns and output.startswith("custom-columns"):
        raise KctlError(f"--label-columns option cannot be used with {output} printer")
    if output_watch_events and not (watch or watch_only):
        raise KctlError(
            "--output-watch-events option can only be used with --watch or --watch-only"
        )
    if limit < 0:
        raise KctlError("--limit must be a positive number")
    if continue_token and not limit:
        raise KctlError("--continue needs --limit (the page size the token was made with)")
    if (watch or watch_only) and sort_by:
        which = "--watch" if watch else "--watch-only"
        extra = " for watch events received" if watch else ""
        sys.stderr.write(f"warning: {which} requested, --sort-by will be ignored{extra}\n")
    if not args and not filename and not (watch or watch_only):
        parent = path.rsplit(" ", 1)[0]
        sys.stderr.write(
            "You must specify the type of resource to get. Use "
            f'"{parent} api-resources" for a complete list of supported resources.\n\n'
        )
        raise usage_errorf(
            path,
            "Required resource not specified.\nUse "
            f'"{parent} explain <resource>" for a detailed description of that resource '
            f"(e.g. {parent} explain pods).",
        )
    opts = _Options(
        output=output,
        all_namespaces=params["all_namespaces"],
        selector=selector,
        field_selector=params["field_selector"],
        chunk_size=params["chunk_size"],
        show_labels=show_labels,
        label_columns=[c for spec in label_columns for c in spec.split(",") if c],
        sort_by=sort_by,
        no_headers=params["no_headers"],
        show_kind=params["show_kind"],
        ignore_not_found=params["ignore_not_found"],
        show_managed_fields=params["show_managed_fields"],
        subresource=params["subresource"],
        limit=limit,
        continue_token=continue_token,
        watch=watch,
        watch_only=watch_only,
        output_watch_events=output_watch_events,
        path=path,
        template=params["template"],
        allow_missing_keys=params["allow_missing_template_keys"],
    )
    if not opts.human:
        # Fail on a bad -o before any request, as kubectl's printer flags do.
        _object_printer(opts, _Tracking(sys.stdout))
    namespace, explicit = factory.namespace()
    problems: list[tuple[int, KctlError]] = []
    if filename:
        from kctl.cli._manifests import check_paths

        filename = check_paths(filename)
        targets, problems = _file_targets(
            factory, filename, params["recursive"], namespace, explicit
        )
    elif args:
        targets = _targets(factory, args, opts, namespace, path)
    else:
        raise usage_errorf(path, "Required resource not specified.")
    if watch or watch_only:
        _watch(factory, targets, opts, namespace)
    elif opts.human:
        _print_human(factory, targets, opts, namespace, problems)
    else:
        _print_objects(
            factory,
            targets,
            opts,
            namespace,
            problems,
            _single_source(filename, params["recursive"]),
        )


def click_command() -> click.Command:
    """A new click command for the verb (``command`` below is the one kctl runs)."""
    from kctl.cli._globals import build_command

    return build_command(
        "get",
        FLAGS,
        run,
        help="Display one or many resources.",
        short_help="Display one or many resources",
    )


command = click_command()
