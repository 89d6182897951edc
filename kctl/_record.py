"""Records: dataclass-like classes that cost nothing to define.

``@dataclass`` compiles several functions with ``exec`` for every class it decorates, and
importing it pulls in ``inspect``. On the CLI's hot path that was 25 classes and about a
third of ``kctl api-resources --cached``'s run. ``@record`` gives the same everyday
behaviour with shared, generic methods instead:

    @record(frozen=True)
    class Cluster:
        server: str = ""
        extensions: dict[str, Any] = field(default_factory=dict)
        token: str = field(default="", repr=False)

- ``__init__`` takes the fields positionally or by keyword, fills defaults (a
  ``default_factory`` runs per instance) and then calls ``__post_init__`` if the class has one;
- ``__repr__``, ``__eq__`` (same class, equal compared fields) and, when frozen, ``__hash__``
  and assignment raising ``FrozenInstanceError``;
- a method the class defines itself (a redacting ``__repr__``) is kept;
- ``fields(obj_or_cls)`` and ``replace(obj, **changes)`` stand in for dataclasses' functions.

Type checkers see ``record`` as a dataclass_transform, so constructors stay checked.
Fields are taken from the class's own annotations and those of record base classes;
``ClassVar`` annotations are skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    from typing_extensions import dataclass_transform

    _T = TypeVar("_T")
else:

    def dataclass_transform(**_kwargs):
        return lambda decorator: decorator


__all__ = ["MISSING", "Field", "FrozenInstanceError", "field", "fields", "record", "replace"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record (as dataclasses.FrozenInstanceError)."""


class Field:
    """One field of a record: its name, default or default factory, and repr/compare flags."""

    __slots__ = ("compare", "default", "default_factory", "name", "repr")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        repr: bool = True,
        compare: bool = True,
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r})"


def field(
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | Any = MISSING,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    """A field with a per-instance default factory, or left out of repr or comparison."""
    return Field(default, default_factory, repr, compare)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in definition order."""
    try:
        result: tuple[Field, ...] = obj.__record_fields__
    except AttributeError:
        raise TypeError("must be called with a record type or instance") from None
    return result


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of ``obj`` with some fields changed (dataclasses.replace)."""
    for f in fields(obj):
        if f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    result: _T = type(obj)(**changes)
    return result


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    flds: tuple[Field, ...] = cls.__record_fields__
    if len(args) > len(flds):
        raise TypeError(
            f"{cls.__name__}() takes {len(flds)} positional arguments but {len(args)} were given"
        )
    setter = object.__setattr__
    for f, value in zip(flds, args, strict=False):
        if f.name in kwargs:
            raise TypeError(f"{cls.__name__}() got multiple values for argument '{f.name}'")
        setter(self, f.name, value)
    for f in flds[len(args) :]:
        name = f.name
        if name in kwargs:
            setter(self, name, kwargs.pop(name))
        elif f.default_factory is not MISSING:
            setter(self, name, f.default_factory())
        elif f.default is not MISSING:
            setter(self, name, f.default)
        else:
            raise TypeError(f"{cls.__name__}() missing required argument: '{name}'")
    for name in kwargs:
        raise TypeError(f"{cls.__name__}() got an unexpected keyword argument '{name}'")
    post_init = getattr(self, "__post_init__", None)
    if post_init is not None:
        post_init()


def _repr(self: Any) -> str:
    parts = ", ".join(
        f"{f.name}={getattr(self, f.name)!r}" for f in type(self).__record_fields__ if f.repr
    )
    return f"{type(self).__qualname__}({parts})"


def _key(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, f.name) for f in type(self).__record_fields__ if f.compare)


def _eq(self: Any, other: object) -> bool:
    if other.__class__ is not self.__class__:
        unknown: bool = NotImplemented
        return unknown
    equal: bool = _key(self) == _key(other)
    return equal


def _hash(self: Any) -> int:
    return hash(_key(self))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field '{name}'")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field '{name}'")


def _collect(cls: type) -> tuple[Field, ...]:
    by_name: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in getattr(base, "__record_fields__", ()):
            by_name[f.name] = f
    # The class's own annotations only (inherited fields came from the bases above);
    # inspect.get_annotations would cost the import this module exists to avoid.
    own: dict[str, Any] = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    for name, annotation in own.items():
        if "ClassVar" in str(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        if isinstance(value, Field):
            f = value
            # The class attribute keeps a plain default, as dataclasses leaves it.
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        else:
            f = Field(default=value)
        f.name = name
        if f.default is not MISSING and type(f.default).__hash__ is None:
            # dataclasses' guard: a list, dict or set default would be shared by every instance.
            raise ValueError(
                f"mutable default {type(f.default)} for field {name} is not allowed: "
                "use default_factory"
            )
        # A redefined inherited field keeps its place, as in dataclasses.
        by_name[name] = f
    return tuple(by_name.values())


def _set_default(cls: type, name: str, value: Any) -> None:
    if name not in cls.__dict__:
        setattr(cls, name, value)


@overload
@dataclass_transform(field_specifiers=(field, Field))
def record(cls: type[_T], /) -> type[_T]: ...


@overload
@dataclass_transform(field_specifiers=(field, Field))
def record(*, frozen: bool = False, eq: bool = True) -> Callable[[type[_T]], type[_T]]: ...


def record(cls: type[_T] | None = None, /, *, frozen: bool = False, eq: bool = True) -> Any:
    """Make ``cls`` a record; ``@record`` or ``@record(frozen=True)``."""

    def wrap(cls: type[_T]) -> type[_T]:
        cls.__record_fields__ = _collect(cls)  # type: ignore[attr-defined]
        _set_default(cls, "__init__", _init)
        _set_default(cls, "__repr__", _repr)
        if eq:
            _set_default(cls, "__eq__", _eq)
            if "__hash__" not in cls.__dict__ or cls.__dict__["__hash__"] is None:
                # dataclasses: eq without frozen makes instances unhashable.
                cls.__hash__ = _hash if frozen else None  # type: ignore[assignment,method-assign]
        if frozen:
            _set_default(cls, "__setattr__", _frozen_setattr)
            _set_default(cls, "__delattr__", _frozen_delattr)
        return cls

    return wrap if cls is None else wrap(cls)
