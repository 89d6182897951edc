"""``kctl apply``: kubectl's client-side apply (last-applied annotation, three-way patches),
server-side apply, dry runs and --prune with kubectl's default allowlist."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from kctl.cli._apply_flags import (
    DRY_RUN_BARE,
    DRY_RUN_CLIENT,
    DRY_RUN_SERVER,
    dry_run_strategy,
    dry_run_suffix,
    exit_with_errors,
    validation_directive,
)
from kctl.cli._delete_flags import GoDuration
from kctl.cli._errors import usage_errorf
from kctl.cli._globals import Factory, kubectl_command
from kctl.errors import KctlError, PatchConflictError, StatusError

if TYPE_CHECKING:
    from kctl.cli._manifests import Validate
    from kctl.cli._resources import Info
    from kctl.discovery import RESTMapping

__all__ = ["LAST_APPLIED", "command"]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
FIELD_MANAGER_CLIENT_SIDE = "kubectl-client-side-apply"
FIELD_MANAGER_SERVER_SIDE = "kubectl"
# kubectl's maxPatchRetry: a 409 on PATCH re-reads the live object and tries again.
MAX_PATCH_RETRY = 5
BASE_NAME = "kctl"

# kubectl's pkg/util/prune defaults: (group, version, kind, namespaced).
DEFAULT_PRUNE_ALLOWLIST: tuple[tuple[str, str, str, bool], ...] = (
    ("", "v1", "ConfigMap", True),
    ("", "v1", "Endpoints", True),
    ("", "v1", "PersistentVolumeClaim", True),
    ("", "v1", "Pod", True),
    ("", "v1", "ReplicationController", True),
    ("", "v1", "Secret", True),
    ("", "v1", "Service", True),
    ("batch", "v1", "Job", True),
    ("batch", "v1", "CronJob", True),
    ("networking.k8s.io", "v1", "Ingress", True),
    ("apps", "v1", "DaemonSet", True),
    ("apps", "v1", "Deployment", True),
    ("apps", "v1", "ReplicaSet", True),
    ("apps", "v1", "StatefulSet", True),
    ("", "v1", "Namespace", False),
    ("", "v1", "PersistentVolume", False),
)

_SSA_CONFLICT_HINT = """
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts"""

_WARN_NO_ANNOTATION = (
    "Warning: resource {name} is missing the {annotation} annotation which is required by "
    "{base} apply. {base} apply should only be used on resources created declaratively by "
    "either {base} create --save-config or {base} apply. The missing annotation will be "
    "patched automatically.\n"
)


def _marshal(obj: Any) -> str:
    from kctl.cli._printers import marshal

    return marshal(obj)


def encode(obj: dict[str, Any]) -> str:
    """runtime.Encode with the unstructured JSON scheme: compact Go JSON and a newline."""
    return _marshal(obj) + "\n"


def modified_configuration(obj: dict[str, Any], annotate: bool) -> str:
    """kubectl's GetModifiedConfiguration: the object without its last-applied annotation,
    encoded; with ``annotate`` that text is embedded as the annotation and encoded again."""
    doc = copy.deepcopy(obj)
    meta = doc.setdefault("metadata", {})
    annotations = dict(meta.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    meta["annotations"] = annotations
    text = encode(doc)
    if not annotate:
        return text
    annotations[LAST_APPLIED] = text
    return encode(doc)


def with_apply_annotation(obj: dict[str, Any]) -> dict[str, Any]:
    """CreateApplyAnnotation: the object carrying its own configuration as the annotation."""
    doc = copy.deepcopy(obj)
    meta = doc.setdefault("metadata", {})
    annotations = dict(meta.get("annotations") or {})
    annotations[LAST_APPLIED] = modified_configuration(obj, annotate=False)
    meta["annotations"] = annotations
    return doc


def prune_nulls(value: Any) -> Any:
    """Drop null map values everywhere, as a create must match what an update would store."""
    if isinstance(value, dict):
        return {k: prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune_nulls(v) for v in value]
    return value


def compute_patch(
    mapping: RESTMapping, live: dict[str, Any], modified: str, overwrite: bool
) -> tuple[str, dict[str, Any]]:
    """The three-way patch from the live object to ``modified``: (patch type, patch).

    Built-in kinds get a strategic merge patch, everything else a JSON merge patch, as
    kubectl does when the kind is not in its scheme.
    """
    import json

    from kctl.rest import PatchType
    from kctl.util import jsonmergepatch, strategicpatch

    annotation = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    original = json.loads(annotation) if annotation else None
    desired = json.loads(modified)
    gvk = mapping.group_version_kind
    meta = strategicpatch.patch_meta_for(gvk.group, gvk.version, gvk.kind)
    if meta is not None:
        patch = strategicpatch.create_three_way_merge_patch(
            original, desired, live, meta, overwrite
        )
        return PatchType.STRATEGIC_MERGE, patch
    try:
        patch = jsonmergepatch.create_three_way_merge_patch(
            original,
            desired,
            live,
            jsonmergepatch.require_key_unchanged("apiVersion"),
            jsonmergepatch.require_key_unchanged("kind"),
            jsonmergepatch.require_metadata_key_unchanged("name"),
        )
    except PatchConflictError as err:
        if str(err).startswith("precondition failed"):
            raise KctlError("At least one of apiVersion, kind and name was changed") from err
        raise
    return PatchType.MERGE, patch


def apply_patch_locally(
    mapping: RESTMapping, patch_type: str, live: dict[str, Any], patch: dict[str, Any]
) -> dict[str, Any]:
    from kctl.rest import PatchType
    from kctl.util import jsonmergepatch, strategicpatch

    gvk = mapping.group_version_kind
    if patch_type == PatchType.STRATEGIC_MERGE:
        meta = strategicpatch.patch_meta_for(gvk.group, gvk.version, gvk.kind)
        assert meta is not None  # compute_patch chose this type because there is metadata
        return strategicpatch.apply_strategic_merge_patch(live, patch, meta)
    patched = jsonmergepatch.apply_merge_patch(live, patch)
    if not isinstance(patched, dict):
        raise KctlError("applying patch locally: the result is not an object")
    return patched


@dataclass
class _Options:
    factory: Factory
    dry_run: str
    server_side: bool
    force_conflicts: bool
    field_manager: str
    validation: str
    overwrite: bool
    output: str
    show_managed_fields: bool
    selector: str
    prune: bool
    prune_all: bool
    prune_allowlist: tuple[str, ...]
    cascade: str
    grace_period: int
    force: bool
    timeout: float
    namespace: str
    enforce_namespace: bool
    visited_uids: set[str] = field(default_factory=set)
    visited_namespaces: set[str] = field(default_factory=set)
    applied: list[dict[str, Any]] = field(default_factory=list)

    @property
    def print_objects(self) -> bool:
        return bool(self.output) and self.output != "name"

    def dry_run_params(self) -> tuple[str, ...]:
        return ("All",) if self.dry_run == DRY_RUN_SERVER else ()

    def say(self, obj: dict[str, Any], operation: str) -> None:
        """The name printer: ``kind[.group]/name operation``; ``-o name`` drops the verb."""
        from kctl.cli._printers import name_for

        if self.output == "name":
            sys.stdout.write(f"{name_for(obj)}\n")
            return
        sys.stdout.write(f"{name_for(obj)} {operation}{dry_run_suffix(self.dry_run)}\n")
        sys.stdout.flush()


def _validator(opts: _Options) -> Validate:
    """--validate=strict|warn: kubectl's validator, which checks on the client what the
    server cannot (v1 List and other kinds without a PATCH endpoint)."""
    if opts.validation == "Ignore":
        return False
    from kctl.cli._apply_flags import klog_warning
    from kctl.cli._schema_validation import SchemaValidator

    return SchemaValidator(opts.factory, opts.validation, klog_warning)


def _uid(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("uid") or "")


def _object_name(info: Info) -> str:
    """info.ObjectName(): ``resource[.group]/name``."""
    gvr = info.mapping.resource
    resource = f"{gvr.resource}.{gvr.group}" if gvr.group else gvr.resource
    return f"{resource}/{info.name}"


def _warn_if_deleting(obj: dict[str, Any]) -> None:
    meta = obj.get("metadata") or {}
    if meta.get("deletionTimestamp"):
        sys.stderr.write(
            f"Warning: Detected changes to resource {meta.get('name', '')} which is currently "
            "being deleted.\n"
        )


def _with_source(verb: str, info: Info, err: Exception) -> Exception:
    from kctl.cli._resources import add_source_to_err

    return add_source_to_err(verb, info.source, err)


def _apply_server_side(opts: _Options, info: Info) -> None:
    from kctl.cli._resources import resource_client
    from kctl.metav1 import PatchOptions
    from kctl.rest import PatchType

    client = resource_client(opts.factory, info)
    options = PatchOptions(
        dry_run=opts.dry_run_params(),
        force=opts.force_conflicts,
        field_manager=opts.field_manager,
        field_validation=opts.validation,
    )
    try:
        obj = client.patch(info.name, PatchType.APPLY, encode(info.obj), options)
    except StatusError as err:
        if err.code == 415:
            raise KctlError(f"Server-side apply not available on the server: ({err})") from err
        if err.reason == "Conflict":
            raise KctlError(f"{err.message}{_SSA_CONFLICT_HINT}") from err
        raise
    _warn_if_deleting(obj)
    opts.visited_uids.add(_uid(obj))
    opts.applied.append(obj)
    if not opts.print_objects:
        opts.say(obj, "serverside-applied")


def _patch(opts: _Options, info: Info, live: dict[str, Any], modified: str) -> tuple[str, Any]:
    """Patcher.Patch: compute, send, and on 409 re-read and try again."""
    from kctl.cli._resources import resource_client
    from kctl.errors import is_conflict, is_invalid
    from kctl.metav1 import PatchOptions

    client = resource_client(opts.factory, info)
    options = PatchOptions(
        dry_run=opts.dry_run_params(),
        field_manager=opts.field_manager,
        field_validation=opts.validation,
    )
    attempt = 0
    while True:
        patch_type, patch = _computed(opts, info, live, modified)
        text = _marshal(patch)
        if text == "{}":
            return text, live
        try:
            return text, client.patch(info.name, patch_type, text, options)
        except StatusError as err:
            attempt += 1
            if not is_conflict(err) or attempt > MAX_PATCH_RETRY:
                if opts.force and (is_conflict(err) or is_invalid(err)):
                    return modified, _delete_and_create(opts, info, live, modified)
                raise _with_source("patching", info, err) from err
        live = client.get(info.name)


def _delete_and_create(
    opts: _Options, info: Info, live: dict[str, Any], modified: str
) -> dict[str, Any]:
    """--force: the patch cannot be applied, so the object is deleted and created anew from
    the manifest (kubectl's Patcher.deleteAndCreate); the old one is put back if that fails."""
    import json
    import time

    from kctl.cli._resources import resource_client
    from kctl.errors import is_not_found
    from kctl.metav1 import CreateOptions, DeleteOptions

    client = resource_client(opts.factory, info)
    client.delete(
        info.name,
        DeleteOptions(
            grace_period_seconds=opts.grace_period if opts.grace_period >= 0 else None,
            propagation_policy=opts.cascade,
        ),
    )
    # wait.PollUntilContextTimeout(1s, --timeout, immediate): one look at once, then one a
    # second until the deadline; --timeout 0 (the default) allows that first look only.
    deadline = time.monotonic() + opts.timeout
    while True:
        try:
            client.get(info.name)
        except StatusError as err:
            if not is_not_found(err):
                raise
            break
        if time.monotonic() + 1 > deadline:
            raise KctlError("context deadline exceeded")
        time.sleep(1)
    options = CreateOptions(field_manager=opts.field_manager, field_validation=opts.validation)
    try:
        return client.create(_for_create(json.loads(modified)), options)
    except KctlError as err:
        try:
            client.create(_for_create(live), options)
        except KctlError as restore_err:
            raise KctlError(
                "An error occurred force-replacing the existing object with the newly "
                f"provided one:\n\n{err}.\n\nAdditionally, an error occurred attempting to "
                f"restore the original object:\n\n{restore_err}"
            ) from err
        raise


def _for_create(obj: dict[str, Any]) -> dict[str, Any]:
    # resource.Helper.Create(modify=true) clears the resourceVersion.
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("resourceVersion", None)
    ordered: dict[str, Any] = _go_ordered(obj)
    return ordered


def _go_ordered(value: Any) -> Any:
    """Maps with their keys in Go's order: kubectl sends an unstructured object as Go's
    JSON, and the server names unknown fields in the order the body has them."""
    if isinstance(value, dict):
        return {key: _go_ordered(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_go_ordered(item) for item in value]
    return value


def _computed(
    opts: _Options, info: Info, live: dict[str, Any], modified: str
) -> tuple[str, dict[str, Any]]:
    try:
        return compute_patch(info.mapping, live, modified, opts.overwrite)
    except KctlError as err:
        # kubectl's createPatchErrFormat, wrapped with the source.
        original = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED, "")
        message = (
            f"creating patch with:\noriginal:\n{original}\nmodified:\n{modified}\n"
            f"current:\n{encode(live)}\nfor:"
        )
        raise _with_source(message, info, err) from err


def _apply_client_side(opts: _Options, info: Info) -> None:
    from kctl.cli._resources import resource_client
    from kctl.errors import is_not_found
    from kctl.metav1 import CreateOptions

    modified = modified_configuration(info.obj, annotate=True)
    client = resource_client(opts.factory, info)
    try:
        if not info.name:
            raise KctlError("resource name may not be empty")
        live = client.get(info.name)
    except StatusError as err:
        if not is_not_found(err):
            verb = f"retrieving current configuration of:\n{info}\nfrom server for:"
            raise _with_source(verb, info, err) from err
        live = None
    except KctlError as err:
        verb = f"retrieving current configuration of:\n{info}\nfrom server for:"
        raise _with_source(verb, info, err) from err

    if live is None:
        obj = prune_nulls(with_apply_annotation(info.obj))
        if opts.dry_run != DRY_RUN_CLIENT:
            meta = obj.get("metadata") or {}
            meta.pop("resourceVersion", None)
            options = CreateOptions(
                dry_run=opts.dry_run_params(),
                field_manager=opts.field_manager,
                field_validation=opts.validation,
            )
            try:
                obj = client.create(_go_ordered(obj), options)
            except KctlError as err:
                raise _with_source("creating", info, err) from err
        opts.visited_uids.add(_uid(obj))
        opts.applied.append(obj)
        if not opts.print_objects:
            opts.say(obj, "created")
        return

    opts.visited_uids.add(_uid(live))
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    if LAST_APPLIED not in annotations:
        sys.stdout.flush()
        sys.stderr.write(
            _WARN_NO_ANNOTATION.format(
                name=_object_name(info), annotation=LAST_APPLIED, base=BASE_NAME
            )
        )
    try:
        if opts.dry_run == DRY_RUN_CLIENT:
            patch_type, patch = _computed(opts, info, live, modified)
            text = _marshal(patch)
            obj = (
                live if text == "{}" else apply_patch_locally(info.mapping, patch_type, live, patch)
            )
        else:
            text, obj = _patch(opts, info, live, modified)
    except KctlError as err:
        raise _with_source(f"applying patch:\n{{}}\nto:\n{info}\nfor:", info, err) from err
    _warn_if_deleting(obj)
    opts.applied.append(obj)
    if opts.print_objects:
        return
    opts.say(obj, "unchanged" if text == "{}" else "configured")


def _apply_one(opts: _Options, info: Info) -> None:
    if info.namespaced:
        opts.visited_namespaces.add(info.namespace)
    if not info.name:
        generate = str((info.obj.get("metadata") or {}).get("generateName") or "")
        if generate:
            raise KctlError(f"from {generate}: cannot use generate name with apply")
    if opts.server_side:
        _apply_server_side(opts, info)
    else:
        _apply_client_side(opts, info)


def _print_applied(opts: _Options) -> None:
    from kctl.cli._printers import JSONPathPrinter, JSONPrinter, YAMLPrinter

    if not opts.print_objects or not opts.applied:
        return
    obj: dict[str, Any] = opts.applied[0]
    if len(opts.applied) > 1:
        obj = {"apiVersion": "v1", "items": opts.applied, "kind": "List", "metadata": {}}
    printer: Any
    if opts.output == "json":
        printer = JSONPrinter(sys.stdout, opts.show_managed_fields)
    elif opts.output == "yaml":
        printer = YAMLPrinter(sys.stdout, opts.show_managed_fields)
    elif opts.output.startswith(("jsonpath=", "jsonpath-as-json=")):
        kind, _, template = opts.output.partition("=")
        printer = JSONPathPrinter(sys.stdout, template, output_json=kind == "jsonpath-as-json")
    else:
        raise KctlError(
            f'unable to match a printer suitable for the output format "{opts.output}", '
            "allowed formats are: json,jsonpath,jsonpath-as-json,name,yaml"
        )
    printer.print_obj(obj)


def _parse_allowlist(opts: _Options) -> list[tuple[RESTMapping, bool]]:
    from kctl.errors import NoMatchError
    from kctl.schema import GroupKind

    mapper = opts.factory.rest_mapper()
    chosen: list[tuple[RESTMapping, bool]] = []
    if opts.prune_allowlist:
        for entry in opts.prune_allowlist:
            parts = entry.split("/")
            if len(parts) != 3:
                raise KctlError(
                    f"invalid GroupVersionKind format: {entry}, please follow <group/version/kind>"
                )
            group = "" if parts[0] == "core" else parts[0]
            mapping = mapper.rest_mapping(GroupKind(group, parts[2]), parts[1])
            chosen.append((mapping, mapping.namespaced))
        return chosen
    for group, version, kind, namespaced in DEFAULT_PRUNE_ALLOWLIST:
        try:
            mapping = mapper.rest_mapping(GroupKind(group, kind), version)
        except NoMatchError as err:
            raise KctlError(
                "error retrieving RESTMappings to prune: invalid resource "
                f"{group}/{version}, Kind={kind}, Namespaced={str(namespaced).lower()}: {err}"
            ) from err
        chosen.append((mapping, namespaced))
    return chosen


def _prune(opts: _Options) -> None:
    from kctl.metav1 import DeleteOptions

    mappings = _parse_allowlist(opts)
    namespaced = [m for m, ns in mappings if ns]
    cluster = [m for m, ns in mappings if not ns]
    delete_options = DeleteOptions(
        grace_period_seconds=opts.grace_period if opts.grace_period >= 0 else None,
        propagation_policy=opts.cascade,
        dry_run=opts.dry_run_params(),
    )
    work: list[tuple[str, RESTMapping]] = [
        (ns, m) for ns in sorted(opts.visited_namespaces) for m in namespaced
    ]
    work += [("", m) for m in cluster]
    for namespace, mapping in work:
        client = opts.factory.dynamic().resource(mapping.resource)
        if namespace:
            client = client.namespace(namespace)
        where = "namespaced" if namespace else "nonNamespaced"
        gvk = mapping.group_version_kind
        try:
            listed = client.list(label_selector=opts.selector)
            for item in listed.get("items") or []:
                meta = item.get("metadata") or {}
                if LAST_APPLIED not in (meta.get("annotations") or {}):
                    continue
                if _uid(item) in opts.visited_uids:
                    continue
                if opts.dry_run != DRY_RUN_CLIENT:
                    client.delete(str(meta.get("name") or ""), delete_options)
                kind = gvk.kind.lower() + (f".{gvk.group}" if gvk.group else "")
                sys.stdout.write(
                    f"{kind}/{meta.get('name', '')} pruned{dry_run_suffix(opts.dry_run)}\n"
                )
        except KctlError as err:
            kind = f"{gvk.group}/{gvk.version}, Kind={gvk.kind}"
            raise KctlError(f"error pruning {where} object {kind}: {err}") from err


def _validate(ctx: click.Context, opts: _Options, filenames: tuple[str, ...]) -> None:
    if opts.force_conflicts and not opts.server_side:
        raise KctlError("--force-conflicts only works with --server-side")
    if opts.dry_run == DRY_RUN_CLIENT and opts.server_side:
        raise KctlError(
            "--dry-run=client doesn't work with --server-side (did you mean --dry-run=server "
            "instead?)"
        )
    if opts.server_side and opts.force:
        raise KctlError("--force cannot be used with --server-side")
    if opts.dry_run == DRY_RUN_SERVER and opts.force:
        raise KctlError("--dry-run=server cannot be used with --force")
    if not filenames:
        raise KctlError("must specify one of -f and -k")
    if opts.prune_all and opts.selector:
        raise KctlError("cannot set --all and --selector at the same time")
    if opts.prune:
        # A forced re-creation changes the UIDs prune relies on.
        if opts.force:
            raise KctlError("--force cannot be used with --prune")
        if not opts.prune_all and not opts.selector:
            raise KctlError(
                "all resources selected for prune without explicitly passing --all. To prune "
                "all resources, pass the --all flag. If you did not mean to prune all "
                "resources, specify a label selector"
            )
        if opts.server_side:
            raise KctlError(
                "--prune is in alpha and doesn't currently work on objects created by "
                "server-side apply"
            )
    del ctx


def _selected(selector: str) -> Callable[[dict[str, Any]], bool]:
    """The builder's LabelSelectorParam applied to manifests: only matching objects apply."""
    if not selector:
        return lambda obj: True
    from kctl.cli._resources import label_matcher

    matches = label_matcher(selector)
    return lambda obj: matches((obj.get("metadata") or {}).get("labels") or {})


@kubectl_command("apply", short_help="Apply a configuration to a resource by file name or stdin")
@click.argument("args", nargs=-1)
@click.option("-f", "--filename", "filenames", multiple=True, metavar="FILE")
@click.option("-R", "--recursive", is_flag=True)
@click.option("-l", "--selector", default="")
@click.option("--all", "prune_all", is_flag=True)
@click.option("--prune", is_flag=True)
@click.option("--prune-allowlist", multiple=True)
@click.option("--server-side", is_flag=True)
@click.option("--force-conflicts", is_flag=True)
@click.option("--field-manager", default=None)
@click.option("--dry-run", "dry_run", default="none", is_flag=False, flag_value=DRY_RUN_BARE)
@click.option("--validate", default="strict", is_flag=False, flag_value="strict")
@click.option("--overwrite/--no-overwrite", default=True)
@click.option("--openapi-patch/--no-openapi-patch", default=True)
@click.option("-o", "--output", default="")
@click.option("--show-managed-fields", is_flag=True)
@click.option("--cascade", default="background", is_flag=False, flag_value="background")
@click.option("--grace-period", default=-1, type=int)
@click.option("--force", is_flag=True)
@click.option("--timeout", default=0.0, type=GoDuration())
@click.option("--wait", is_flag=True)
@click.pass_context
def command(
    ctx: click.Context,
    factory: Factory,
    args: tuple[str, ...],
    filenames: tuple[str, ...],
    recursive: bool,
    selector: str,
    prune_all: bool,
    prune: bool,
    prune_allowlist: tuple[str, ...],
    server_side: bool,
    force_conflicts: bool,
    field_manager: str | None,
    dry_run: str,
    validate: str,
    overwrite: bool,
    openapi_patch: bool,
    output: str,
    show_managed_fields: bool,
    cascade: str,
    grace_period: int,
    force: bool,
    timeout: float,
    wait: bool,
) -> None:
    """Apply a configuration to a resource by file name or stdin."""
    from kctl.cli._delete_flags import cascading_strategy

    del openapi_patch  # kctl always uses its built-in patch metadata
    del wait  # one of kubectl's delete flags that apply takes in and never reads
    if args:
        raise usage_errorf(ctx.command_path, f"Unexpected args: [{' '.join(args)}]")
    strategy = dry_run_strategy(dry_run)
    if field_manager is None:
        field_manager = FIELD_MANAGER_SERVER_SIDE if server_side else FIELD_MANAGER_CLIENT_SIDE
    namespace, enforce = factory.namespace()
    opts = _Options(
        factory=factory,
        dry_run=strategy,
        server_side=server_side,
        force_conflicts=force_conflicts,
        field_manager=field_manager,
        validation=validation_directive(validate),
        overwrite=overwrite,
        output=output,
        show_managed_fields=show_managed_fields,
        selector=selector,
        prune=prune,
        prune_all=prune_all,
        prune_allowlist=prune_allowlist,
        cascade=cascading_strategy(cascade),
        grace_period=grace_period,
        force=force,
        timeout=timeout,
        namespace=namespace,
        enforce_namespace=enforce,
    )
    _validate(ctx, opts, filenames)
    from kctl.cli._manifests import check_paths
    from kctl.cli._resources import Info, infos_from_manifests

    filenames = check_paths(filenames)
    if enforce:
        opts.visited_namespaces.add(namespace)
    selected = _selected(selector)
    errors: list[BaseException] = []
    problems: list[KctlError] = []
    seen = 0
    for item in infos_from_manifests(
        factory,
        filenames,
        recursive=recursive,
        namespace=namespace,
        enforce_namespace=enforce,
        validate=_validator(opts),
    ):
        if not isinstance(item, Info):
            problems.append(item)
            continue
        if not selected(item.obj):
            continue
        seen += 1
        try:
            _apply_one(opts, item)
        except KctlError as err:
            errors.append(err)
    if not seen and not errors and not problems:
        raise KctlError("no objects passed to apply")
    # kubectl reads every manifest before applying: the builder's aggregate comes first.
    if problems:
        from kctl.cli._aggregate import Aggregate, builder_errors

        errors.insert(0, Aggregate(builder_errors(problems)))
    exit_with_errors(errors)
    _print_applied(opts)
    if opts.prune:
        _prune(opts)
