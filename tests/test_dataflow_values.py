"""The data flow's values built by the faster __init__ are the objects the dataclasses' own __init__ builds."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from codeward.reviewer.dataflow.values import (
    DATACLASS_INITS,
    UNKNOWN,
    Flow,
    Label,
    Value,
    join,
)
from codeward.reviewer.parse import fast_init


def _slots(obj: object) -> list[tuple[str, object]]:
    return [(name, getattr(obj, name)) for name in type(obj).__slots__]


def _both(kind: type, *args: Any, **kwargs: Any) -> tuple[object, object]:
    fast = kind(*args, **kwargs)
    own = object.__new__(kind)
    DATACLASS_INITS[kind](own, *args, **kwargs)
    return fast, own


def test_every_value_class_has_the_faster_init() -> None:
    assert set(DATACLASS_INITS) == {Label, Flow, Value}
    for kind, own in DATACLASS_INITS.items():
        assert kind.__init__ is not own
        assert "<codeward fast __init__" in kind.__init__.__code__.co_filename


NODE = object()


@pytest.mark.parametrize(
    ("kind", "args", "kwargs"),
    [
        (Label, ("source", "request.args"), {}),
        (Label, ("param", "x", NODE, "input", 2, (".a", "k"), "external"), {}),
        (Label, ("source", "random"), {"family": "random", "path": ("k",)}),
        (Flow, (Label("source", "s"),), {}),
        (Flow, (Label("source", "s"), frozenset({"sql"}), (("x", NODE),)), {}),
        (Value, (), {}),
        (Value, (), {"const": "SELECT", "prefix": "SEL", "type": "ldap3.Connection()"}),
        (Value, ((Flow(Label("source", "s")),), UNKNOWN, (("k", Value(const=1)),), Value(), "os.system"), {}),
    ],
)
def test_the_faster_init_builds_the_same_object(kind: type, args: tuple, kwargs: dict) -> None:
    fast, own = _both(kind, *args, **kwargs)
    assert _slots(fast) == _slots(own)
    assert fast == own
    assert hash(fast) == hash(own)  # Label's hash is computed by __post_init__ into an init=False field


def test_missing_and_unknown_arguments_fail_as_before() -> None:
    with pytest.raises(TypeError):
        Label("source")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Value(colour="red")  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Value().const = 1  # type: ignore[misc]


def test_replace_and_join_go_through_the_faster_init() -> None:
    label = Label("param", "x", None, "input", 0, (".a", ".b"))
    shorter = dataclasses.replace(label, path=(".a",))
    assert shorter == Label("param", "x", None, "input", 0, (".a",))
    assert hash(shorter) == hash(Label("param", "x", None, "input", 0, (".a",)))
    joined = join(Value(const="a"), Value(const="ab"))
    assert _slots(joined) == _slots(Value(prefix="a"))


def test_fields_it_cannot_store_directly_keep_their_init() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int = 0

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class KeywordOnly:
        a: int = 0

    assert fast_init(NoSlots) is None
    assert fast_init(KeywordOnly) is None
