"""Constant folding: what literals decide, computed the way Python would, within size limits. Operators and
literals are libcst's or CPython's `ast`'s nodes (the tables hold both; bench/reviewer/ast-move.md)."""

from __future__ import annotations

import ast
import operator
from typing import Any

import libcst as cst
from codeward.reviewer.dataflow.values import UNKNOWN

MAX_TEXT = 10_000  # longer results are not worth knowing (and `"a" * 10**9` must not be built)

_BINARY: dict[type, Any] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod,
    cst.Power: operator.pow,
    cst.LeftShift: operator.lshift,
    cst.RightShift: operator.rshift,
    cst.BitOr: operator.or_,
    cst.BitAnd: operator.and_,
    cst.BitXor: operator.xor,
}
_BINARY.update({ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
                ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
                ast.LShift: operator.lshift, ast.RShift: operator.rshift, ast.BitOr: operator.or_,
                ast.BitAnd: operator.and_, ast.BitXor: operator.xor})  # fmt: skip

# `x += y` computes what `x + y` does (a list's `+=` extends it in place: the same value here).
_AUGMENTED: dict[type, type] = {
    cst.AddAssign: cst.Add,
    cst.SubtractAssign: cst.Subtract,
    cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide,
    cst.FloorDivideAssign: cst.FloorDivide,
    cst.ModuloAssign: cst.Modulo,
    cst.PowerAssign: cst.Power,
    cst.LeftShiftAssign: cst.LeftShift,
    cst.RightShiftAssign: cst.RightShift,
    cst.BitOrAssign: cst.BitOr,
    cst.BitAndAssign: cst.BitAnd,
    cst.BitXorAssign: cst.BitXor,
}


def plain_operator(op: cst.BaseAugOp) -> cst.BaseBinaryOp:
    """The binary operator an augmented assignment applies (`+=` is `+`; `ast`'s `AugAssign.op` is one already)."""
    found = _AUGMENTED.get(type(op))
    return found() if found is not None else op  # type: ignore[return-value]


_COMPARE: dict[type, Any] = {
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
    cst.In: lambda a, b: a in b,
    cst.NotIn: lambda a, b: a not in b,
    cst.Is: lambda a, b: a is b if a is None or b is None or isinstance(a, bool) else a == b,
    cst.IsNot: lambda a, b: a is not b if a is None or b is None or isinstance(a, bool) else a != b,
}
_COMPARE.update({ast.Eq: _COMPARE[cst.Equal], ast.NotEq: _COMPARE[cst.NotEqual], ast.Lt: _COMPARE[cst.LessThan],
                 ast.LtE: _COMPARE[cst.LessThanEqual], ast.Gt: _COMPARE[cst.GreaterThan],
                 ast.GtE: _COMPARE[cst.GreaterThanEqual], ast.In: _COMPARE[cst.In], ast.NotIn: _COMPARE[cst.NotIn],
                 ast.Is: _COMPARE[cst.Is], ast.IsNot: _COMPARE[cst.IsNot]})  # fmt: skip

SCALARS = (str, bytes, int, float, bool, type(None), complex)


def small(value: Any) -> bool:
    if isinstance(value, str | bytes | tuple | frozenset | list):
        return len(value) <= MAX_TEXT
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() <= 4096
    return True


def binary(op: cst.BaseBinaryOp, left: Any, right: Any) -> Any:
    fn = _BINARY.get(type(op))
    if fn is None or left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if isinstance(op, cst.Power | ast.Pow) and isinstance(right, int) and abs(right) > 64:
        return UNKNOWN
    if isinstance(op, cst.Multiply | ast.Mult):
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | tuple) and isinstance(times, int) and len(seq) * max(times, 0) > MAX_TEXT:
                return UNKNOWN
    if isinstance(op, cst.LeftShift | ast.LShift) and isinstance(right, int) and right > 4096:
        return UNKNOWN
    try:
        result = fn(left, right)
    except Exception:
        return UNKNOWN
    return result if small(result) else UNKNOWN


def compare(op: cst.BaseCompOp, left: Any, right: Any) -> Any:
    fn = _COMPARE.get(type(op))
    if fn is None or left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    try:
        return bool(fn(left, right))
    except Exception:
        return UNKNOWN


def unary(op: cst.BaseUnaryOp, value: Any) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    try:
        if isinstance(op, cst.Not | ast.Not):
            return not value
        if isinstance(op, cst.Minus | ast.USub):
            return -value
        if isinstance(op, cst.Plus | ast.UAdd):
            return +value
        if isinstance(op, cst.BitInvert | ast.Invert):
            return ~value
    except Exception:
        return UNKNOWN
    return UNKNOWN


_STRINGS: dict[str, Any] = {}
_TRIPLES = ("'" * 3, '"' * 3)


def literal(node: Any) -> Any:
    """The value of a literal node, else UNKNOWN. From `ast`, one `Constant` may be what libcst holds as several
    strings side by side (`"a" "b"`, a `ConcatenatedString`, which is no literal here): the analysis folds such a
    concatenation to the same value either way."""
    if type(node) is ast.Constant:
        value = node.value
        return UNKNOWN if value is Ellipsis else value
    if isinstance(node, cst.SimpleString):
        raw = node.value
        found = _STRINGS.get(raw)
        if found is not None:
            return found
        if raw[:1] in ("'", '"') and "\\" not in raw:
            size = 3 if raw[:3] in _TRIPLES else 1
            value: Any = raw[size:-size]
        else:
            try:
                value = node.evaluated_value
            except Exception:
                return UNKNOWN
        if len(_STRINGS) > 50_000:
            _STRINGS.clear()
        _STRINGS[raw] = value
        return value
    if isinstance(node, cst.Integer | cst.Float | cst.Imaginary):
        try:
            return node.evaluated_value
        except Exception:
            return UNKNOWN
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    return UNKNOWN


def subscript(value: Any, key: Any) -> Any:
    if value is UNKNOWN or key is UNKNOWN:
        return UNKNOWN
    if not isinstance(value, str | bytes | tuple | list | dict):
        return UNKNOWN
    try:
        result = value[key]
    except Exception:
        return UNKNOWN
    return result if small(result) else UNKNOWN


def call(name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Builtins and string methods of known values: `len("abc")`, `"a,b".split(",")`, `"x".upper()`."""
    if any(a is UNKNOWN for a in args) or any(v is UNKNOWN for v in kwargs.values()):
        return UNKNOWN
    try:
        if name in ("len",) and len(args) == 1 and isinstance(args[0], str | bytes | tuple | list | frozenset | dict):
            return len(args[0])
        if name in ("str", "int", "float", "bool") and len(args) <= 1 and not kwargs:
            if not args:
                return {"str": "", "int": 0, "float": 0.0, "bool": False}[name]
            if isinstance(args[0], SCALARS):
                result = {"str": str, "int": int, "float": float, "bool": bool}[name](args[0])
                return result if small(result) else UNKNOWN
        if name in ("tuple", "list") and len(args) == 1 and isinstance(args[0], str | tuple | list | frozenset):
            return tuple(args[0])
        if name in ("set", "frozenset") and len(args) == 1 and isinstance(args[0], str | tuple | list | frozenset):
            return frozenset(args[0])
        if name in ("min", "max") and args and not kwargs:
            return (min if name == "min" else max)(args if len(args) > 1 else args[0])
        if (name == "sum" and len(args) == 1 and not kwargs and isinstance(args[0], tuple | list | frozenset)
                and all(isinstance(a, int | float) for a in args[0])):  # fmt: skip
            return sum(args[0])
        if name == "abs" and len(args) == 1 and isinstance(args[0], int | float):
            return abs(args[0])
    except Exception:
        return UNKNOWN
    return UNKNOWN


_STR_METHODS = frozenset(
    ["upper", "lower", "strip", "lstrip", "rstrip", "title", "capitalize", "casefold", "swapcase", "replace",
     "split", "rsplit", "join", "format", "startswith", "endswith", "isdigit", "isalnum", "isalpha", "isnumeric",
     "isdecimal", "isidentifier", "count", "find", "rfind", "zfill", "center", "ljust", "rjust", "removeprefix",
     "removesuffix", "encode", "decode", "splitlines", "partition", "rpartition"]
)  # fmt: skip


def method(receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if receiver is UNKNOWN or name not in _STR_METHODS or not isinstance(receiver, str | bytes):
        return UNKNOWN
    if any(a is UNKNOWN for a in args) or any(v is UNKNOWN for v in kwargs.values()):
        return UNKNOWN
    if name == "format" and not all(isinstance(a, SCALARS) for a in [*args, *kwargs.values()]):
        return UNKNOWN
    if name == "join" and not (len(args) == 1 and isinstance(args[0], tuple | list)):
        return UNKNOWN
    try:
        result = getattr(receiver, name)(*args, **kwargs)
    except Exception:
        return UNKNOWN
    if isinstance(result, list):
        result = tuple(result)
    return result if small(result) else UNKNOWN
