"""``kctl delete``: by TYPE NAME, TYPE/NAME, -f, -l, --all and --field-selector, with
kubectl's grace/force/cascade rules, its 1.34+ messages, and --wait until the objects are gone."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from kctl.cli._apply_flags import (
    DRY_RUN_BARE,
    DRY_RUN_CLIENT,
    DRY_RUN_NONE,
    DRY_RUN_SERVER,
    dry_run_strategy,
    exit_with_errors,
)
from kctl.cli._delete_flags import GoDuration, cascading_strategy
from kctl.cli._globals import Factory, GoInt, kubectl_command
from kctl.errors import KctlError, StatusError

if TYPE_CHECKING:
    from kctl.cli._resources import Info
    from kctl.discovery import RESTMapping

__all__ = ["command"]

FORCE_WARNING = (
    "Immediate deletion does not wait for confirmation that the running resource has been "
    "terminated. The resource may continue to run on the cluster indefinitely."
)
# kubectl waits "forever" when --timeout is 0: a week.
DEFAULT_WAIT = 168 * 3600.0

_NO_RESOURCES = """You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'"""


@dataclass
class _Options:
    factory: Factory
    namespace: str
    all_namespaces: bool
    label_selector: str
    field_selector: str
    delete_all: bool
    grace_period: int
    cascade: str
    dry_run: str
    output: str
    ignore_not_found: bool
    warn_cluster_scope: bool


def _warn(text: str) -> None:
    from kctl.cli._io import warn

    sys.stdout.flush()
    warn(text)


def _print_deleted(opts: _Options, info: Info) -> None:
    from kctl.cli._resources import kind_string

    kind = kind_string(info)
    if opts.output == "name":
        sys.stdout.write(f"{kind}/{info.name}\n")
        sys.stdout.flush()
        return
    operation = "force deleted" if opts.grace_period == 0 else "deleted"
    if info.namespaced:
        operation += f" from {info.namespace} namespace"
    if opts.dry_run == DRY_RUN_CLIENT:
        operation += " (dry run)"
    elif opts.dry_run == DRY_RUN_SERVER:
        operation += " (server dry run)"
    sys.stdout.write(f'{kind} "{info.name}" {operation}\n')
    sys.stdout.flush()


# -- targets (the resource builder) ---------------------------------------------------------


def _split_args(args: tuple[str, ...]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(TYPE/NAME pairs, types, names) as ResourceTypeOrNameArgs reads the arguments."""
    if any("/" in a for a in args):
        pairs: list[tuple[str, str]] = []
        for arg in args:
            kind, sep, name = arg.partition("/")
            if not sep:
                raise KctlError(
                    "there is no need to specify a resource type as a separate argument when "
                    "passing arguments in resource/name form (e.g. 'kubectl get "
                    "resource/<resource_name>' instead of 'kubectl get resource "
                    "resource/<resource_name>'"
                )
            if not name:
                raise KctlError(
                    "arguments in resource/name form must have a single resource and name"
                )
            pairs.append((kind, name))
        return pairs, [], []
    if not args:
        return [], [], []
    return [], [t for t in args[0].split(",") if t], list(args[1:])


def _mapping(opts: _Options, arg: str) -> RESTMapping:
    return opts.factory.rest_mapper().mapping_for(arg)


def _named(opts: _Options, mapping: RESTMapping, name: str) -> Info:
    from kctl.cli._resources import Info

    namespace = opts.namespace if mapping.namespaced else ""
    return Info("", mapping, namespace, name)


def _selected(opts: _Options, mapping: RESTMapping) -> Iterator[Info]:
    """Every object of one type the selectors (or --all) pick, listed from the server."""
    from kctl.cli._resources import Info

    client = opts.factory.dynamic().resource(mapping.resource)
    if mapping.namespaced and not opts.all_namespaces:
        client = client.namespace(opts.namespace)
    for page in client.list_pages(
        label_selector=opts.label_selector, field_selector=opts.field_selector
    ):
        for item in page.get("items") or []:
            meta = item.get("metadata") or {}
            namespace = str(meta.get("namespace") or "") if mapping.namespaced else ""
            yield Info("", mapping, namespace, str(meta.get("name") or ""), item)


def _targets(
    opts: _Options,
    args: tuple[str, ...],
    filenames: tuple[str, ...],
    recursive: bool,
    enforce_namespace: bool,
) -> Iterator[Info | KctlError]:
    from kctl.cli._resources import infos_from_manifests

    if filenames:
        from kctl.cli._manifests import check_paths

        filenames = check_paths(filenames)
        yield from infos_from_manifests(
            opts.factory,
            filenames,
            recursive=recursive,
            namespace=opts.namespace,
            enforce_namespace=enforce_namespace,
        )
        return
    pairs, types, names = _split_args(args)
    selecting = opts.delete_all or bool(opts.label_selector) or bool(opts.field_selector)
    if pairs:
        mappings = [(_mapping(opts, kind), name) for kind, name in pairs]
        for mapping, name in mappings:
            yield _named(opts, mapping, name)
        return
    if names:
        if selecting:
            raise KctlError("name cannot be provided when a selector is specified")
        type_mappings = [_mapping(opts, t) for t in types]
        for mapping in type_mappings:
            for name in names:
                yield _named(opts, mapping, name)
        return
    if not selecting:
        raise KctlError("resource(s) were provided, but no name was specified")
    type_mappings = [_mapping(opts, t) for t in types]
    for mapping in type_mappings:
        yield from _selected(opts, mapping)


# -- deleting and waiting --------------------------------------------------------------------


def _delete_one(opts: _Options, info: Info) -> str:
    """DELETE one object; returns the UID the server reported (for --wait)."""
    from kctl.cli._resources import add_source_to_err, resource_client
    from kctl.metav1 import DeleteOptions

    options = DeleteOptions(
        grace_period_seconds=opts.grace_period if opts.grace_period >= 0 else None,
        propagation_policy=opts.cascade,
        dry_run=("All",) if opts.dry_run == DRY_RUN_SERVER else (),
    )
    try:
        if not info.name:
            # kubectl deletes through a REST request, which refuses an empty name so.
            raise KctlError("resource name may not be empty")
        response = resource_client(opts.factory, info).delete(info.name, options)
    except KctlError as err:
        raise add_source_to_err("deleting", info.source, err) from err
    _print_deleted(opts, info)
    if response.get("kind") == "Status":
        return str((response.get("details") or {}).get("uid") or "")
    return str((response.get("metadata") or {}).get("uid") or "")


def _gone(opts: _Options, info: Info, uid: str, deadline: float) -> None:
    """Block until the object is gone (or replaced by a new UID), as ``kubectl wait --for=delete``."""
    from kctl.cli._resources import resource_client
    from kctl.errors import is_not_found

    client = resource_client(opts.factory, info)
    gvr = info.mapping.resource
    resource = f"{gvr.resource}.{gvr.group}" if gvr.group else gvr.resource
    while True:
        try:
            live: dict[str, Any] = client.get(info.name)
        except StatusError as err:
            if is_not_found(err):
                return
            raise
        if uid and str((live.get("metadata") or {}).get("uid") or "") != uid:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise KctlError(f"timed out waiting for the condition on {resource}/{info.name}")
        rv = str((live.get("metadata") or {}).get("resourceVersion") or "")
        watcher = client.watch(
            field_selector=f"metadata.name={info.name}",
            resource_version=rv,
            timeout_seconds=max(1, int(remaining + 0.999)),
        )
        with watcher:
            for event in watcher:
                if event.type == "DELETED":
                    return
                if time.monotonic() >= deadline:
                    break


def _run(opts: _Options, targets: Iterator[Info | KctlError], wait: bool, timeout: float) -> None:
    from kctl.errors import is_not_found

    errors: list[BaseException] = []
    problems: list[KctlError] = []
    ignored = 0
    deleted: list[tuple[Info, str]] = []
    found = 0
    warn_cluster_scope = opts.warn_cluster_scope
    for item in targets:
        if isinstance(item, KctlError):
            if not (opts.ignore_not_found and is_not_found(item)):
                problems.append(item)
            continue
        found += 1
        if warn_cluster_scope and not item.namespaced:
            _warn("deleting cluster-scoped resources, not scoped to the provided namespace")
            warn_cluster_scope = False
        if opts.dry_run == DRY_RUN_CLIENT:
            _print_deleted(opts, item)
            continue
        try:
            uid = _delete_one(opts, item)
        except KctlError as err:
            if opts.ignore_not_found and is_not_found(err):
                # Counted as found: kubectl then prints nothing, not "No resources found".
                ignored += 1
                continue
            errors.append(err)
            continue
        deleted.append((item, uid))
    # The builder's aggregate of what it could not read comes after delete's own errors.
    from kctl.cli._aggregate import Aggregate, builder_errors

    if problems:
        errors.append(Aggregate(builder_errors(problems)))
    if ignored and errors and len(errors) + ignored >= 2:
        # utilerrors.FilterOut keeps the aggregate the ignored errors were part of, so
        # CheckErr's one unwrapping reaches only that far.
        errors = [Aggregate(errors)]
    exit_with_errors(errors)
    if found == 0:
        sys.stdout.write("No resources found\n")
        return
    if not wait or opts.dry_run != DRY_RUN_NONE:
        return
    from kctl.cli._io import Status

    deadline = time.monotonic() + (timeout or DEFAULT_WAIT)
    with Status("waiting for deletion...") as status:
        for n, (info, uid) in enumerate(deleted, 1):
            status.update(f"waiting for {info.name} to be deleted ({n}/{len(deleted)})...")
            _gone(opts, info, uid, deadline)


def _guarded(targets: Iterator[Info | KctlError]) -> Iterator[Info | KctlError]:
    """A failing list (or lookup) is one more error in the aggregate, as ContinueOnError."""
    try:
        yield from targets
    except StatusError as err:
        yield err


@kubectl_command(
    "delete",
    short_help="Delete resources by file names, stdin, resources and names, or by resources "
    "and label selector",
)
@click.argument("args", nargs=-1)
@click.option("-f", "--filename", "filenames", multiple=True, metavar="FILE")
@click.option("-R", "--recursive", is_flag=True)
@click.option("-l", "--selector", default="")
@click.option("--field-selector", default="")
@click.option("--all", "delete_all", is_flag=True)
@click.option("-A", "--all-namespaces", is_flag=True)
@click.option("--force", is_flag=True)
@click.option("--cascade", default="background", is_flag=False, flag_value="background")
@click.option("--now", is_flag=True)
@click.option("--grace-period", default=-1, type=GoInt())
@click.option("--timeout", default=0.0, type=GoDuration())
@click.option("--ignore-not-found", default=None, is_flag=True)
@click.option("--wait/--no-wait", default=True)
@click.option("-o", "--output", default="")
@click.option("--dry-run", "dry_run", default="none", is_flag=False, flag_value=DRY_RUN_BARE)
@click.pass_context
def command(
    ctx: click.Context,
    factory: Factory,
    args: tuple[str, ...],
    filenames: tuple[str, ...],
    recursive: bool,
    selector: str,
    field_selector: str,
    delete_all: bool,
    all_namespaces: bool,
    force: bool,
    cascade: str,
    now: bool,
    grace_period: int,
    timeout: float,
    ignore_not_found: bool | None,
    wait: bool,
    output: str,
    dry_run: str,
) -> None:
    """Delete resources by file names, stdin, resources and names, or by resources and label
    selector."""
    del ctx
    policy = cascading_strategy(cascade)
    namespace, enforce = factory.namespace()
    if ignore_not_found is None:
        ignore_not_found = delete_all or bool(selector) or bool(field_selector)
    if now:
        if grace_period != -1:
            raise KctlError("--now and --grace-period cannot be specified together")
        grace_period = 1
    if grace_period == 0 and not force:
        grace_period = 1
    if force and grace_period < 0:
        grace_period = 0
    strategy = dry_run_strategy(dry_run)
    if not args and not filenames:
        raise KctlError(_NO_RESOURCES)
    if delete_all and selector:
        raise KctlError("setting 'all' parameter but found a non empty selector. ")
    if output and output != "name":
        raise KctlError(f"unexpected -o output mode: {output}. We only support '-o name'")
    if delete_all and field_selector:
        raise KctlError("cannot set --all and --field-selector at the same time")
    if grace_period == 0 and force:
        _warn(FORCE_WARNING)
    elif grace_period > 0 and force:
        raise KctlError("--force and --grace-period greater than 0 cannot be specified together")
    opts = _Options(
        factory=factory,
        namespace=namespace,
        all_namespaces=all_namespaces,
        label_selector=selector,
        field_selector=field_selector,
        delete_all=delete_all,
        grace_period=grace_period,
        cascade=policy,
        dry_run=strategy,
        output=output,
        ignore_not_found=ignore_not_found,
        warn_cluster_scope=enforce and not all_namespaces,
    )
    targets = _targets(opts, args, filenames, recursive, enforce)
    _run(opts, _guarded(targets), wait, timeout)
