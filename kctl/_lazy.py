"""PEP 562 lazy packages: a package's public names load their submodule on first use.

A package ``__init__`` keeps its real imports under ``if TYPE_CHECKING:`` (so type checkers
and IDEs see them), lists which submodule defines each public name, and ends with::

    __getattr__, __dir__ = lazy_attributes(__name__, globals(), _SUBMODULES)

so that ``import kctl.rest`` loads nothing until, say, ``kctl.rest.RESTClient`` is read.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    package: str, namespace: dict[str, Any], submodules: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The package's ``__getattr__`` and ``__dir__`` over a name -> submodule table."""

    # Typed ``object``, not Any, so that mypy flags a misspelt name instead of accepting it.
    def __getattr__(name: str) -> object:
        submodule = submodules.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        # __import__ with a fromlist returns the submodule itself, without loading importlib.
        module = __import__(f"{package}.{submodule}", fromlist=[name])
        value = getattr(module, name)
        # Cached: later lookups are plain module attribute reads.
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *namespace.get("__all__", ())})

    return __getattr__, __dir__
