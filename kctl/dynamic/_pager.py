"""client-go's tools/pager: list a collection page by page with limit and continue.

``ListPager.list`` returns the whole collection as one list object and, when a continue
token expires after the first page (410 Expired), falls back to one full list without a limit
at the originally requested resourceVersion, exactly as client-go's ``ListPager.List``.

``ListPager.pages`` streams: each page is yielded as soon as it is decoded (once), so a caller
can print 10k pods without holding them. Pages already handed out cannot be taken back, so on
an expired token the full-list fallback is yielded as one last page holding only the objects
not yet yielded (by namespace/name): every object reaches the caller exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, Generic, TypeVar, cast

from kctl.errors import is_resource_expired
from kctl.metav1 import ListOptions

__all__ = ["DEFAULT_PAGE_SIZE", "ListPager"]

DEFAULT_PAGE_SIZE = 500

L = TypeVar("L")


def _meta(page: dict[str, Any]) -> dict[str, Any]:
    meta = page.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _items(page: dict[str, Any]) -> list[Any]:
    items = page.get("items")
    return items if isinstance(items, list) else []


def _key(obj: Any) -> tuple[str, str]:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(meta, dict):
        return ("", "")
    return (str(meta.get("namespace") or ""), str(meta.get("name") or ""))


class ListPager(Generic[L]):
    """Pages through ``page_fn`` (a list call taking ListOptions) with limit and continue."""

    def __init__(
        self,
        page_fn: Callable[[ListOptions], L],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        full_list_if_expired: bool = True,
    ) -> None:
        self.page_fn = page_fn
        self.page_size = page_size
        self.full_list_if_expired = full_list_if_expired

    def _fallback(self, err: Exception, options: ListOptions) -> bool:
        # Only an Expired token met on page two or later falls back: a first page that
        # fails has nothing to continue from.
        return is_resource_expired(err) and self.full_list_if_expired and bool(options.continue_)

    def _full_list(self, requested: ListOptions, options: ListOptions) -> L:
        return self.page_fn(
            replace(
                options,
                limit=0,
                continue_="",
                resource_version=requested.resource_version,
                resource_version_match=requested.resource_version_match,
            )
        )

    def _first(self, opts: ListOptions | None) -> ListOptions:
        options = opts or ListOptions()
        if options.limit == 0:
            options = replace(options, limit=self.page_size)
        return options

    @staticmethod
    def _next(options: ListOptions, token: str) -> ListOptions:
        # A continue token already pins the snapshot; sending resourceVersion with it is
        # rejected ("specifying resource version is not allowed when using continue").
        return replace(options, continue_=token, resource_version="", resource_version_match="")

    def list(self, opts: ListOptions | None = None) -> L:
        """The whole collection: the first page's list object with every page's items."""
        requested = opts or ListOptions()
        options = self._first(opts)
        result: dict[str, Any] | None = None
        while True:
            try:
                page = cast("dict[str, Any]", self.page_fn(options))
            except Exception as err:
                if not self._fallback(err, options):
                    raise
                return self._full_list(requested, options)
            token = str(_meta(page).get("continue") or "")
            if result is None:
                if not token:
                    return cast(L, page)
                result = page
                result["items"] = list(_items(page))
            else:
                result["items"].extend(_items(page))
            if not token:
                meta = _meta(result)
                meta.pop("continue", None)
                meta.pop("remainingItemCount", None)
                return cast(L, result)
            options = self._next(options, token)

    def pages(self, opts: ListOptions | None = None) -> Iterator[L]:
        """Each page as it arrives; see the module docstring for the expired-token case."""
        requested = opts or ListOptions()
        options = self._first(opts)
        seen: set[tuple[str, str]] = set()
        while True:
            try:
                page = cast("dict[str, Any]", self.page_fn(options))
            except Exception as err:
                if not self._fallback(err, options):
                    raise
                full = cast("dict[str, Any]", self._full_list(requested, options))
                full["items"] = [item for item in _items(full) if _key(item) not in seen]
                yield cast(L, full)
                return
            token = str(_meta(page).get("continue") or "")
            if token and self.full_list_if_expired:
                seen.update(_key(item) for item in _items(page))
            yield cast(L, page)
            if not token:
                return
            options = self._next(options, token)

    def items(self, opts: ListOptions | None = None) -> Iterator[Any]:
        """Every object of the collection, page by page (client-go's EachListItem)."""
        for page in self.pages(opts):
            yield from _items(cast("dict[str, Any]", page))
