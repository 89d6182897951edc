"""One resource-interface class for both the dynamic client and the typed ClientSet.

``ResourceClient[T, L]`` carries client-go's verbs for one resource (optionally in one
namespace); ``T`` is the object type and ``L`` its list type. The dynamic client uses it with
plain dicts, the typed ClientSet with TypedDicts (Pod, PodList, ...), which cost nothing at
run time: every object is the JSON as decoded, once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from kctl.errors import RequestError
from kctl.metav1 import (
    ApplyOptions,
    CreateOptions,
    DeleteOptions,
    GetOptions,
    ListOptions,
    PatchOptions,
    UpdateOptions,
    merge_options,
)

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

    from kctl.metav1 import (
        ApplyKwargs,
        CreateKwargs,
        DeleteKwargs,
        GetKwargs,
        ListKwargs,
        PatchKwargs,
        UpdateKwargs,
    )
    from kctl.rest import Request, RESTClient, Watcher

__all__ = ["ResourceClient"]

T = TypeVar("T")
L = TypeVar("L")

# kctl.rest.PatchType.APPLY; spelled out so this module does not import kctl.rest eagerly.
_APPLY_PATCH = "application/apply-patch+yaml"


def object_name(obj: Any) -> str:
    metadata = obj.get("metadata") if isinstance(obj, Mapping) else None
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else ""


class ResourceClient(Generic[T, L]):
    """The verbs of one resource: get, list, watch, create, update, patch, apply, delete.

    ``namespace`` is "" for cluster-scoped resources and for all-namespaces calls on
    namespaced ones, as client-go's ``NamespaceIfScoped``.
    """

    # The dynamic client checks names itself ("name is required"); the typed clients leave
    # it to the request builder ("resource name may not be empty"), as client-go does.
    _check_names = False
    # Overrides the Accept header (the dynamic client asks for plain application/json).
    _accept = ""
    # Typed List/Watch also bound the call by timeoutSeconds (client-side timeout and
    # ?timeout=); the dynamic client's do not.
    _timeout_from_options = True

    def __init__(self, client: RESTClient, resource: str, namespace: str = "") -> None:
        self._client = client
        self._resource = resource
        self._namespace = namespace

    @property
    def resource_name(self) -> str:
        return self._resource

    @property
    def namespace_name(self) -> str:
        return self._namespace

    def rest_client(self) -> RESTClient:
        return self._client

    def namespace(self, namespace: str) -> Self:
        """The same resource in ``namespace`` (client-go's ``Namespace(ns)``)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._namespace = namespace
        return clone

    def __repr__(self) -> str:
        where = f", namespace={self._namespace!r}" if self._namespace else ""
        return f"{type(self).__name__}(resource={self._resource!r}{where})"

    # -- request building (pure) -------------------------------------------------------

    def _name_of(self, obj: object) -> str:
        name = object_name(obj)
        if not name and self._check_names:
            raise RequestError("name is required")
        return name

    def _require(self, name: str) -> None:
        if not name and self._check_names:
            raise RequestError("name is required")

    def _request(
        self,
        method: str,
        name: str = "",
        subresources: Sequence[str] = (),
        *,
        named: bool = False,
        patch_type: str = "",
    ) -> Request:
        req = self._client.patch(patch_type) if patch_type else self._client.verb(method)
        if self._namespace:
            req.namespace(self._namespace)
        req.resource(self._resource)
        if named or name:
            req.name(name)
        if subresources:
            req.subresource(*subresources)
        if self._accept:
            req.set_header("Accept", self._accept)
        return req

    # -- verbs ---------------------------------------------------------------------------

    def get(
        self,
        name: str,
        opts: GetOptions | None = None,
        *,
        subresources: Sequence[str] = (),
        **kwargs: Unpack[GetKwargs],
    ) -> T:
        self._require(name)
        options = merge_options(GetOptions, opts, kwargs)
        req = self._request("GET", name, subresources, named=True).params(options)
        return cast(T, req.do().json())

    def list(self, opts: ListOptions | None = None, **kwargs: Unpack[ListKwargs]) -> L:
        options = merge_options(ListOptions, opts, kwargs)
        return self._list(options)

    def _list(self, options: ListOptions) -> L:
        req = self._request("GET").params(options)
        if options.timeout_seconds is not None and self._timeout_from_options:
            req.timeout(options.timeout_seconds)
        return cast(L, req.do().json())

    def watch(self, opts: ListOptions | None = None, **kwargs: Unpack[ListKwargs]) -> Watcher:
        """A stream of WatchEvent(type, object); ``stop()`` ends it. Not rate limited."""
        options = merge_options(ListOptions, opts, kwargs)
        if not options.watch:
            options = merge_options(ListOptions, options, {"watch": True})
        req = self._request("GET").params(options)
        if options.timeout_seconds is not None and self._timeout_from_options:
            req.timeout(options.timeout_seconds)
        return req.watch()

    def create(
        self,
        obj: T,
        opts: CreateOptions | None = None,
        *,
        subresources: Sequence[str] = (),
        **kwargs: Unpack[CreateKwargs],
    ) -> T:
        options = merge_options(CreateOptions, opts, kwargs)
        name = ""
        if subresources:
            name = self._name_of(obj)
        req = self._request("POST", name, subresources, named=bool(subresources))
        return cast(T, req.params(options).body(cast("Mapping[str, Any]", obj)).do().json())

    def update(
        self,
        obj: T,
        opts: UpdateOptions | None = None,
        *,
        subresources: Sequence[str] = (),
        **kwargs: Unpack[UpdateKwargs],
    ) -> T:
        options = merge_options(UpdateOptions, opts, kwargs)
        name = self._name_of(obj)
        req = self._request("PUT", name, subresources, named=True).params(options)
        return cast(T, req.body(cast("Mapping[str, Any]", obj)).do().json())

    def update_status(
        self, obj: T, opts: UpdateOptions | None = None, **kwargs: Unpack[UpdateKwargs]
    ) -> T:
        return self.update(obj, opts, subresources=("status",), **kwargs)

    def delete(
        self,
        name: str,
        opts: DeleteOptions | None = None,
        *,
        subresources: Sequence[str] = (),
        **kwargs: Unpack[DeleteKwargs],
    ) -> dict[str, Any]:
        """Deletes ``name``; returns what the server answered (the object or a Status)."""
        self._require(name)
        options = merge_options(DeleteOptions, opts, kwargs)
        req = self._request("DELETE", name, subresources, named=True).body(options.to_body())
        return cast("dict[str, Any]", req.do().json())

    def delete_collection(
        self,
        opts: DeleteOptions | None = None,
        list_opts: ListOptions | None = None,
        **kwargs: Unpack[ListKwargs],
    ) -> dict[str, Any]:
        """Deletes every object matching ``list_opts``; DeleteOptions go in the body."""
        options = opts if opts is not None else DeleteOptions()
        selection = merge_options(ListOptions, list_opts, kwargs)
        req = self._request("DELETE").params(selection).body(options.to_body())
        return cast("dict[str, Any]", req.do().json())

    def patch(
        self,
        name: str,
        patch_type: str,
        data: Mapping[str, Any] | Sequence[Any] | bytes | str,
        opts: PatchOptions | None = None,
        *,
        subresources: Sequence[str] = (),
        **kwargs: Unpack[PatchKwargs],
    ) -> T:
        """PATCH with ``patch_type`` (kctl.rest.PatchType); a list is a JSON patch document."""
        self._require(name)
        options = merge_options(PatchOptions, opts, kwargs)
        body: Mapping[str, Any] | bytes | str
        if isinstance(data, (bytes, str, Mapping)):
            body = data
        else:
            body = json.dumps(list(data), separators=(",", ":"))
        req = self._request("PATCH", name, subresources, named=True, patch_type=patch_type)
        return cast(T, req.params(options).body(body).do().json())

    def apply(
        self,
        obj: T,
        opts: ApplyOptions | None = None,
        *,
        subresources: Sequence[str] = (),
        **kwargs: Unpack[ApplyKwargs],
    ) -> T:
        """Server-side apply: PATCH application/apply-patch+yaml with the object as JSON.

        The field manager is required; ``force`` is always sent, as client-go's Apply does.
        """
        options = merge_options(ApplyOptions, opts, kwargs)
        name = object_name(obj)
        if not name:
            raise RequestError("name is required")
        if not options.field_manager:
            raise RequestError("fieldManager is required for apply patch")
        data = json.dumps(obj, separators=(",", ":"))
        return self.patch(
            name, _APPLY_PATCH, data, options.to_patch_options(), subresources=subresources
        )

    def apply_status(
        self, obj: T, opts: ApplyOptions | None = None, **kwargs: Unpack[ApplyKwargs]
    ) -> T:
        return self.apply(obj, opts, subresources=("status",), **kwargs)

    # -- paging ----------------------------------------------------------------------------

    def list_pages(
        self, opts: ListOptions | None = None, *, page_size: int = 0, **kwargs: Unpack[ListKwargs]
    ) -> Iterator[L]:
        """Every page of the list, fetched lazily (limit + continue); see ListPager.pages."""
        from kctl.dynamic._pager import ListPager

        pager: ListPager[L] = ListPager(self._list, page_size=page_size or 500)
        return pager.pages(merge_options(ListOptions, opts, kwargs))

    def list_all(
        self, opts: ListOptions | None = None, *, page_size: int = 0, **kwargs: Unpack[ListKwargs]
    ) -> L:
        """The whole list in one object, paged underneath; see ListPager.list."""
        from kctl.dynamic._pager import ListPager

        pager: ListPager[L] = ListPager(self._list, page_size=page_size or 500)
        return pager.list(merge_options(ListOptions, opts, kwargs))
