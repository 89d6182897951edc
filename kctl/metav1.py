"""metav1 request options: ListOptions, GetOptions, ..., DeleteOptions.

Each is a small frozen dataclass whose ``to_params()`` yields the query parameters client-go's
parameter codec produces for it: zero values are omitted (Go's ``omitempty``), pointer fields
(``None`` here) are sent whenever set, even to ``0`` or ``false``. DeleteOptions travels in the
DELETE body instead (``to_body()``), as client-go sends it.

The ``*Kwargs`` TypedDicts describe the same fields as keyword arguments, so client verbs can
take ``limit=100`` as well as ``ListOptions(limit=100)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "ApplyKwargs",
    "ApplyOptions",
    "CreateKwargs",
    "CreateOptions",
    "DeleteKwargs",
    "DeleteOptions",
    "GetKwargs",
    "GetOptions",
    "ListKwargs",
    "ListOptions",
    "PatchKwargs",
    "PatchOptions",
    "Preconditions",
    "UpdateKwargs",
    "UpdateOptions",
    "label_selector_string",
    "merge_options",
]

# apimachinery's DryRunAll, the only dryRun value the API server accepts.
DRY_RUN_ALL = "All"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _dry_run(value: str | Sequence[str]) -> tuple[str, ...]:
    # A bare "All" must not become ("A", "l", "l").
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True, slots=True)
class ListOptions:
    label_selector: str = ""
    field_selector: str = ""
    watch: bool = False
    allow_watch_bookmarks: bool = False
    resource_version: str = ""
    resource_version_match: str = ""
    timeout_seconds: int | None = None
    limit: int = 0
    continue_: str = ""
    send_initial_events: bool | None = None

    def to_params(self) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        if self.label_selector:
            params.append(("labelSelector", self.label_selector))
        if self.field_selector:
            params.append(("fieldSelector", self.field_selector))
        if self.watch:
            params.append(("watch", "true"))
        if self.allow_watch_bookmarks:
            params.append(("allowWatchBookmarks", "true"))
        if self.resource_version:
            params.append(("resourceVersion", self.resource_version))
        if self.resource_version_match:
            params.append(("resourceVersionMatch", self.resource_version_match))
        if self.timeout_seconds is not None:
            params.append(("timeoutSeconds", str(self.timeout_seconds)))
        if self.limit:
            params.append(("limit", str(self.limit)))
        if self.continue_:
            params.append(("continue", self.continue_))
        if self.send_initial_events is not None:
            params.append(("sendInitialEvents", _bool(self.send_initial_events)))
        return params


@dataclass(frozen=True, slots=True)
class GetOptions:
    resource_version: str = ""

    def to_params(self) -> list[tuple[str, str]]:
        return [("resourceVersion", self.resource_version)] if self.resource_version else []


def _write_params(
    dry_run: tuple[str, ...], field_manager: str, field_validation: str
) -> list[tuple[str, str]]:
    params = [("dryRun", d) for d in dry_run]
    if field_manager:
        params.append(("fieldManager", field_manager))
    if field_validation:
        params.append(("fieldValidation", field_validation))
    return params


@dataclass(frozen=True, slots=True)
class _WriteOptions:
    # metav1.CreateOptions and UpdateOptions have the same fields; the classes stay distinct.
    dry_run: Sequence[str] = ()
    field_manager: str = ""
    # Strict | Warn | Ignore; "" lets the server decide (Warn for kubectl's default).
    field_validation: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "dry_run", _dry_run(self.dry_run))

    def to_params(self) -> list[tuple[str, str]]:
        return _write_params(tuple(self.dry_run), self.field_manager, self.field_validation)


@dataclass(frozen=True, slots=True)
class CreateOptions(_WriteOptions):
    """metav1.CreateOptions: dryRun, fieldManager, fieldValidation."""


@dataclass(frozen=True, slots=True)
class UpdateOptions(_WriteOptions):
    """metav1.UpdateOptions: dryRun, fieldManager, fieldValidation."""


@dataclass(frozen=True, slots=True)
class PatchOptions:
    dry_run: Sequence[str] = ()
    force: bool | None = None
    field_manager: str = ""
    field_validation: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "dry_run", _dry_run(self.dry_run))

    def to_params(self) -> list[tuple[str, str]]:
        params = [("dryRun", d) for d in self.dry_run]
        if self.force is not None:
            params.append(("force", _bool(self.force)))
        if self.field_manager:
            params.append(("fieldManager", self.field_manager))
        if self.field_validation:
            params.append(("fieldValidation", self.field_validation))
        return params


@dataclass(frozen=True, slots=True)
class ApplyOptions:
    """Server-side apply; sent as PatchOptions with ``force`` always present (ToPatchOptions)."""

    field_manager: str = ""
    force: bool = False
    dry_run: Sequence[str] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "dry_run", _dry_run(self.dry_run))

    def to_patch_options(self) -> PatchOptions:
        return PatchOptions(
            dry_run=self.dry_run, force=self.force, field_manager=self.field_manager
        )

    def to_params(self) -> list[tuple[str, str]]:
        return self.to_patch_options().to_params()


@dataclass(frozen=True, slots=True)
class Preconditions:
    uid: str = ""
    resource_version: str = ""

    def to_dict(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.uid:
            out["uid"] = self.uid
        if self.resource_version:
            out["resourceVersion"] = self.resource_version
        return out


@dataclass(frozen=True, slots=True)
class DeleteOptions:
    grace_period_seconds: int | None = None
    preconditions: Preconditions | None = None
    orphan_dependents: bool | None = None
    # Orphan | Background | Foreground
    propagation_policy: str = ""
    dry_run: Sequence[str] = ()
    ignore_store_read_error_with_cluster_breaking_potential: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "dry_run", _dry_run(self.dry_run))

    def to_body(self) -> dict[str, Any]:
        """The JSON client-go puts in a DELETE body (encoded as meta v1 DeleteOptions)."""
        body: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if self.grace_period_seconds is not None:
            body["gracePeriodSeconds"] = self.grace_period_seconds
        if self.preconditions is not None:
            body["preconditions"] = self.preconditions.to_dict()
        if self.orphan_dependents is not None:
            body["orphanDependents"] = self.orphan_dependents
        if self.propagation_policy:
            body["propagationPolicy"] = self.propagation_policy
        if self.dry_run:
            body["dryRun"] = list(self.dry_run)
        if self.ignore_store_read_error_with_cluster_breaking_potential is not None:
            body["ignoreStoreReadErrorWithClusterBreakingPotential"] = (
                self.ignore_store_read_error_with_cluster_breaking_potential
            )
        return body

    def to_params(self) -> list[tuple[str, str]]:
        """The same options as query parameters, which the API server also accepts."""
        params: list[tuple[str, str]] = []
        if self.grace_period_seconds is not None:
            params.append(("gracePeriodSeconds", str(self.grace_period_seconds)))
        if self.preconditions is not None:
            if self.preconditions.uid:
                params.append(("preconditions.uid", self.preconditions.uid))
            if self.preconditions.resource_version:
                params.append(
                    ("preconditions.resourceVersion", self.preconditions.resource_version)
                )
        if self.orphan_dependents is not None:
            params.append(("orphanDependents", _bool(self.orphan_dependents)))
        if self.propagation_policy:
            params.append(("propagationPolicy", self.propagation_policy))
        params.extend(("dryRun", d) for d in self.dry_run)
        if self.ignore_store_read_error_with_cluster_breaking_potential is not None:
            params.append(
                (
                    "ignoreStoreReadErrorWithClusterBreakingPotential",
                    _bool(self.ignore_store_read_error_with_cluster_breaking_potential),
                )
            )
        return params


class ListKwargs(TypedDict, total=False):
    label_selector: str
    field_selector: str
    allow_watch_bookmarks: bool
    resource_version: str
    resource_version_match: str
    timeout_seconds: int | None
    limit: int
    continue_: str
    send_initial_events: bool | None


class GetKwargs(TypedDict, total=False):
    resource_version: str


class CreateKwargs(TypedDict, total=False):
    dry_run: Sequence[str]
    field_manager: str
    field_validation: str


UpdateKwargs = CreateKwargs


class PatchKwargs(TypedDict, total=False):
    dry_run: Sequence[str]
    force: bool | None
    field_manager: str
    field_validation: str


class ApplyKwargs(TypedDict, total=False):
    field_manager: str
    force: bool
    dry_run: Sequence[str]


class DeleteKwargs(TypedDict, total=False):
    grace_period_seconds: int | None
    preconditions: Preconditions | None
    orphan_dependents: bool | None
    propagation_policy: str
    dry_run: Sequence[str]


_O = TypeVar("_O", bound="DataclassInstance")


def merge_options(cls: type[_O], opts: _O | None, kwargs: Any) -> _O:
    """``opts`` with the keyword arguments laid over it (or ``cls(**kwargs)`` when absent).

    Unknown keywords fail with the TypeError Python gives any call with a wrong keyword.
    """
    if opts is None:
        return cls(**kwargs)
    if not isinstance(opts, cls):
        raise TypeError(f"expected {cls.__name__}, got {type(opts).__name__}")
    return replace(opts, **kwargs) if kwargs else opts


def label_selector_string(selector: Mapping[str, Any] | None) -> str:
    """A LabelSelector object as metav1.LabelSelectorAsSelector(...).String() writes it:
    requirements sorted by key, "" for an empty or absent selector."""
    if not selector:
        return ""
    reqs: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        reqs.append((key, f"{key}={value}"))
    for expr in selector.get("matchExpressions") or []:
        key, op = str(expr.get("key", "")), str(expr.get("operator", ""))
        values = ",".join(sorted(str(v) for v in expr.get("values") or []))
        text = {
            "In": f"{key} in ({values})",
            "NotIn": f"{key} notin ({values})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }.get(op, key)
        reqs.append((key, text))
    return ",".join(text for _, text in sorted(reqs, key=lambda r: r[0]))
