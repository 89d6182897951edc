"""kctl._record: records behave like the dataclasses they replace."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any, ClassVar

import pytest

from kctl._record import MISSING, FrozenInstanceError, field, fields, record, replace


@record
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    note: str = field(default="", repr=False, compare=False)
    origin: ClassVar[str] = "zero"


@record(frozen=True)
class Key:
    name: str
    secret: str = field(default="", repr=False)
    labels: tuple[str, ...] = ()


# -- __init__ ---------------------------------------------------------------------------------


def test_init_positional_keyword_and_defaults() -> None:
    p = Point(1, 2, ["a"], "n")
    assert (p.x, p.y, p.tags, p.note) == (1, 2, ["a"], "n")
    q = Point(y=3, x=4)
    assert (q.x, q.y, q.tags, q.note) == (4, 3, [], "")


def test_default_factory_runs_per_instance() -> None:
    a, b = Point(1), Point(1)
    a.tags.append("mine")
    assert b.tags == []
    assert a.tags is not b.tags


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "Point() missing required argument: 'x'"),
        ((1, 2, [], "", 5), {}, "Point() takes 4 positional arguments but 5 were given"),
        ((1,), {"x": 2}, "Point() got multiple values for argument 'x'"),
        ((1,), {"z": 2}, "Point() got an unexpected keyword argument 'z'"),
        ((1,), {"origin": "here"}, "Point() got an unexpected keyword argument 'origin'"),
    ],
)
def test_bad_arguments(args: tuple[Any, ...], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError) as err:
        Point(*args, **kwargs)
    assert str(err.value) == message


def test_class_attributes_follow_dataclasses() -> None:
    # A plain default stays a class attribute; a factory-made or required one does not.
    assert Point.y == 0
    assert Point.note == ""
    assert not hasattr(Point, "x")
    assert not hasattr(Point, "tags")
    assert Point.origin == "zero"


def test_classvar_is_not_a_field() -> None:
    assert [f.name for f in fields(Point)] == ["x", "y", "tags", "note"]


def test_post_init_runs_after_the_fields_are_set() -> None:
    seen: list[tuple[int, int]] = []

    @record
    class Pair:
        a: int
        b: int = 2

        def __post_init__(self) -> None:
            seen.append((self.a, self.b))

    Pair(1)
    assert seen == [(1, 2)]
    replace(Pair(5, 6), b=7)
    assert seen == [(1, 2), (5, 6), (5, 7)]


def test_frozen_post_init_can_set_state_through_object_setattr() -> None:
    @record(frozen=True)
    class Cached:
        n: int

        def __post_init__(self) -> None:
            object.__setattr__(self, "double", self.n * 2)

    assert Cached(4).__dict__["double"] == 8


# -- repr and equality ------------------------------------------------------------------------


def test_repr_leaves_out_repr_false_fields() -> None:
    assert repr(Point(1, 2, ["a"], "hidden")) == "Point(x=1, y=2, tags=['a'])"
    assert repr(Key("k", "s3cret")) == "Key(name='k', labels=())"


def test_repr_uses_the_qualified_name() -> None:
    @record
    class Inner:
        v: int = 1

    assert repr(Inner()) == "test_repr_uses_the_qualified_name.<locals>.Inner(v=1)"


def test_methods_the_class_defines_are_kept() -> None:
    @record(frozen=True)
    class Secret:
        value: str

        def __repr__(self) -> str:
            return "Secret(<redacted>)"

    assert repr(Secret("x")) == "Secret(<redacted>)"
    assert Secret("x") == Secret("x")


def test_eq_compares_compared_fields_of_the_same_class() -> None:
    assert Point(1, 2, ["a"], "n1") == Point(1, 2, ["a"], "n2")  # note has compare=False
    assert Point(1, 2) != Point(1, 3)
    assert Point(1, 2, ["a"]) != Point(1, 2, ["b"])

    @record
    class Other:
        x: int
        y: int = 0
        tags: list[str] = field(default_factory=list)
        note: str = ""

    assert Point(1) != Other(1)
    assert Point(1) != (1, 0, [], "")


def test_eq_false_keeps_identity_equality() -> None:
    @record(eq=False)
    class Box:
        v: int = 0

    a = Box()
    assert a == a
    assert a != Box()
    assert hash(a) == object.__hash__(a)


# -- frozen and hashing -----------------------------------------------------------------------


def test_frozen_refuses_assignment_and_deletion() -> None:
    k = Key("k")
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'name'"):
        k.name = "other"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'extra'"):
        k.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError, match="cannot delete field 'name'"):
        del k.name  # type: ignore[misc]
    # As dataclasses.FrozenInstanceError, it is an AttributeError.
    assert issubclass(FrozenInstanceError, AttributeError)
    assert k.name == "k"


def test_frozen_records_hash_by_their_compared_fields() -> None:
    assert hash(Key("k", "a", ("x",))) == hash(Key("k", "a", ("x",)))
    assert len({Key("k"), Key("k"), Key("j")}) == 2


def test_mutable_records_are_unhashable() -> None:
    p = Point(1)
    with pytest.raises(TypeError, match="unhashable"):
        hash(p)
    p.y = 9
    assert p.y == 9


def test_a_hash_the_class_defines_is_kept() -> None:
    @record
    class Named:
        name: str = ""

        def __hash__(self) -> int:
            return 42

    assert hash(Named("a")) == 42


def test_frozen_with_own_eq_still_hashes_by_fields() -> None:
    # Defining __eq__ makes Python set __hash__ = None; dataclasses then adds one when frozen.
    @record(frozen=True)
    class Loose:
        v: str = ""

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Loose) and self.v.lower() == other.v.lower()

    assert Loose("A") == Loose("a")
    assert hash(Loose("a")) == hash(Loose("a"))


# -- inheritance ------------------------------------------------------------------------------


def test_fields_of_record_bases_come_first() -> None:
    @record
    class Base:
        a: int = 1
        b: str = "b"

    @record
    class Child(Base):
        c: float = 3.0

    assert [f.name for f in fields(Child)] == ["a", "b", "c"]
    assert Child(5, "x", 1.5) == Child(a=5, b="x", c=1.5)
    assert (
        repr(Child()) == "test_fields_of_record_bases_come_first.<locals>.Child(a=1, b='b', c=3.0)"
    )
    # Equality is per class: a Child is not equal to a Base with the same fields.
    assert Base() != Child()


def test_a_redefined_field_keeps_its_place_and_takes_the_new_default() -> None:
    @record
    class Base:
        x: int = 0
        y: int = 1

    @record
    class Child(Base):
        x: int = 5

    @dataclasses.dataclass
    class DBase:
        x: int = 0
        y: int = 1

    @dataclasses.dataclass
    class DChild(DBase):
        x: int = 5

    assert [f.name for f in fields(Child)] == [f.name for f in dataclasses.fields(DChild)]
    assert (Child().x, Child(1, 2).y) == (DChild().x, DChild(1, 2).y) == (5, 2)


def test_frozen_base_methods_are_inherited() -> None:
    @record(frozen=True)
    class Base:
        a: int = 1

        def double(self) -> int:
            return self.a * 2

    @record(frozen=True)
    class Child(Base):
        b: int = 2

    c = Child(3)
    assert c.double() == 6
    with pytest.raises(FrozenInstanceError):
        c.b = 1  # type: ignore[misc]
    assert hash(c) == hash(Child(3, 2))


# -- field(), fields(), replace() -------------------------------------------------------------


def test_field_refuses_default_and_factory_together() -> None:
    with pytest.raises(ValueError, match="cannot specify both default and default_factory"):
        field(default=1, default_factory=list)


@pytest.mark.parametrize("default", [[], {}, set()])
def test_mutable_defaults_are_refused(default: object) -> None:
    with pytest.raises(ValueError, match=r"mutable default .* for field items is not allowed"):

        @record
        class Bag:
            items: object = default


def test_fields_describes_the_record() -> None:
    by_name = {f.name: f for f in fields(Point(1))}
    assert list(by_name) == ["x", "y", "tags", "note"]
    assert by_name["x"].default is MISSING and by_name["x"].default_factory is MISSING
    assert by_name["y"].default == 0
    assert by_name["tags"].default_factory is list
    assert (by_name["note"].repr, by_name["note"].compare) == (False, False)
    assert fields(Point) == fields(Point(2))
    assert repr(by_name["y"]) == "Field(name='y', default=0)"


@pytest.mark.parametrize("obj", [object(), 1, object, dataclasses.make_dataclass("D", ["a"])])
def test_fields_of_a_non_record(obj: object) -> None:
    with pytest.raises(TypeError, match="must be called with a record type or instance"):
        fields(obj)


def test_replace_copies_with_changes() -> None:
    k = Key("k", "s", ("a",))
    k2 = replace(k, name="j")
    assert (k2.name, k2.secret, k2.labels) == ("j", "s", ("a",))
    assert k.name == "k"
    assert type(k2) is Key
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        replace(k, nope=1)


def test_replace_keeps_field_values_it_does_not_change() -> None:
    p = Point(1, tags=["a"])
    q = replace(p, y=5)
    # As dataclasses.replace: a shallow copy, so the list is the same object.
    assert q.tags is p.tags
    assert (q.x, q.y) == (1, 5)


# -- cost ------------------------------------------------------------------------------------


def test_importing_record_loads_neither_dataclasses_nor_inspect() -> None:
    code = (
        "import sys, kctl._record\n"
        "from kctl._record import record, field\n"
        "@record(frozen=True)\n"
        "class A:\n"
        "    x: int = field(default=1)\n"
        "print(A(), sorted(m for m in ('dataclasses', 'inspect', 'typing_extensions')"
        " if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout == "A(x=1) []\n"
