"""Values a framework validates before the code sees them: annotations that admit no free text (`int`, `UUID`,
`Literal["a", "b"]`, an `Enum`, a string constrained by an anchored pattern), and pydantic models, whose
fields are converted to their declared types and passed through their `@field_validator`/`@validator` methods
when the model is built (`Model(**request.json)`, a FastAPI body parameter).

A field typed with such an annotation is clean whatever the request held; a field with validators holds what
the validators return, as their summaries say (a validator that raises unless the value is in an allow-list
returns it cleared); any other field keeps the request's data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst
from codeward.reviewer.dataflow.module import _dotted
from codeward.reviewer.dataflow.values import Value

if TYPE_CHECKING:
    from codeward.reviewer.dataflow.analysis import Analysis
    from codeward.reviewer.dataflow.module import ModuleInfo

# Types whose values hold no free text once a framework has converted them.
SAFE_SCALARS = frozenset(
    ["int", "float", "bool", "complex", "UUID", "UUID1", "UUID3", "UUID4", "UUID5", "date", "datetime", "time",
     "timedelta", "Decimal", "PositiveInt", "NegativeInt", "NonNegativeInt", "NonPositiveInt", "PositiveFloat",
     "NegativeFloat", "NonNegativeFloat", "NonPositiveFloat", "StrictInt", "StrictFloat", "StrictBool", "conint",
     "confloat", "condecimal", "PastDate", "FutureDate", "AwareDatetime", "NaiveDatetime", "PastDatetime",
     "FutureDatetime", "ByteSize"]
)  # fmt: skip
# Generic wrappers whose arguments are the element types (`Optional[int]`, `list[UUID]`, `int | None`).
_WRAPPERS = frozenset(
    ["Optional", "Union", "List", "list", "Set", "set", "FrozenSet", "frozenset", "Tuple", "tuple", "Sequence",
     "Iterable", "Collection", "conlist", "conset"]
)  # fmt: skip
_ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})
# Where model classes come from: a class deriving (through the project's own classes) from one of these.
_MODEL_PACKAGES = ("pydantic", "sqlmodel", "ninja")
_VALIDATOR_DECORATORS = frozenset({"field_validator", "validator"})
_PATTERN_KEYWORDS = ("pattern", "regex")
MAX_DEPTH = 4


def safe_annotation(info: ModuleInfo, node: cst.BaseExpression | None, depth: int = 0) -> bool:
    """Whether an annotation admits no free text once validated (`int`, `Literal[...]`, an `Enum`,
    `Optional[UUID]`, `Annotated[str, StringConstraints(pattern=r"^[a-z]+$")]`, `constr(pattern=...)`)."""
    if node is None or depth > MAX_DEPTH:
        return False
    if isinstance(node, cst.Name) and node.value == "None":
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return safe_annotation(info, node.left, depth + 1) and safe_annotation(info, node.right, depth + 1)
    if isinstance(node, cst.Subscript):
        head = (_dotted(node.value) or "").rsplit(".", 1)[-1]
        parts = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
        if head == "Literal":
            return True
        if head == "Annotated" and parts:
            return safe_annotation(info, parts[0], depth + 1) or any(_strict_meta(info, p) for p in parts[1:])
        if head in _WRAPPERS and parts:
            return all(safe_annotation(info, p, depth + 1) for p in parts if not _is_ellipsis(p))
        return False
    if isinstance(node, cst.Call):
        head = (_dotted(node.func) or "").rsplit(".", 1)[-1]
        if head in SAFE_SCALARS:
            return True
        if head in ("conlist", "conset") and node.args:
            return safe_annotation(info, node.args[0].value, depth + 1)
        return head == "constr" and _strict_meta(info, node)
    dotted = _dotted(node)
    if dotted is None:
        return False
    if dotted.rsplit(".", 1)[-1] in SAFE_SCALARS:
        return True
    return is_enum(info, dotted)


def is_enum(info: ModuleInfo, dotted: str, depth: int = 0) -> bool:
    """A class of the project deriving from `enum.Enum` (or another of the project's enums)."""
    found = _project_class(info, dotted)
    if found is None or depth > MAX_DEPTH:
        return False
    owner, klass = found
    for base in klass.bases:
        name = _dotted(base.value) or ""
        if name.rsplit(".", 1)[-1] in _ENUM_BASES or is_enum(owner, name, depth + 1):
            return True
    return False


def model_class(info: ModuleInfo, dotted: str) -> tuple[ModuleInfo, cst.ClassDef] | None:
    """The project's pydantic model that `dotted` names in `info`, if it is one."""
    found = _project_class(info, dotted)
    if found is None or not is_model(*found):
        return None
    return found


def is_model(info: ModuleInfo, klass: cst.ClassDef, depth: int = 0) -> bool:
    """A class deriving from pydantic's `BaseModel` (or SQLModel, django-ninja's `Schema`), directly or through
    the project's own classes."""
    if depth > MAX_DEPTH:
        return False
    for base in klass.bases:
        name = _dotted(base.value)
        if name is None:
            continue
        head = name.split(".", 1)[0]
        ref = info.imports.get(head, "")
        if ref.split(".", 1)[0] in _MODEL_PACKAGES:
            return True
        found = _project_class(info, name)
        if found is not None and found[1] is not klass and is_model(found[0], found[1], depth + 1):
            return True
    return False


def validated_model(analysis: Analysis, owner: ModuleInfo, klass: cst.ClassDef, instance: Value, node) -> Value:
    """An instance of a model as pydantic leaves it: each declared field given (by keyword) or taken from the
    data the whole instance carries (`**request.json`), then made safe by its type or passed through its
    validators. Attributes the model does not declare keep the whole instance's data."""
    if not is_model(owner, klass):
        return instance
    loose = Value(flows=instance.flows) if instance.flows else None
    for name, (holder, annotation, default) in _fields(owner, klass).items():
        value = instance.field("." + name)
        if value is None:
            if loose is None:
                continue
            value = loose
        if safe_annotation(holder, annotation) or _strict_meta(holder, default):
            value = Value(type=value.type)
        else:
            for vowner, validator in _validators(owner, klass, name):
                value = _through(analysis, vowner, validator, value, node)
        instance = instance.with_field("." + name, value)
    return instance


def _through(analysis: Analysis, owner: ModuleInfo, fn: cst.FunctionDef, value: Value, node) -> Value:
    """What a validator returns for `value`, as its summary says (it receives the class, then the value)."""
    from codeward.reviewer.dataflow.analysis import Arg

    summary = owner.summary(fn)
    if summary is None:
        return value
    holder = Arg(Value(), None, "", None)  # type: ignore[arg-type]
    bound = owner.bind(fn, [holder, Arg(value, None, "", None)], method=False)  # type: ignore[arg-type]
    return analysis.substitute(summary.ret, bound, node, fn.name.value, owner is not analysis.info)


def _fields(
    info: ModuleInfo, klass: cst.ClassDef, depth: int = 0
) -> dict[str, tuple[ModuleInfo, cst.BaseExpression, cst.BaseExpression | None]]:
    """Declared fields (`name: type = default`) of a model and of the project's models it derives from."""
    out: dict[str, tuple[ModuleInfo, cst.BaseExpression, cst.BaseExpression | None]] = {}
    if depth <= MAX_DEPTH:
        for base in klass.bases:
            found = _project_class(info, _dotted(base.value) or "")
            if found is not None and found[1] is not klass:
                out.update(_fields(found[0], found[1], depth + 1))
    for stmt in klass.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    out[small.target.value] = (info, small.annotation.annotation, small.value)
    return out


def _validators(
    info: ModuleInfo, klass: cst.ClassDef, field: str, depth: int = 0
) -> list[tuple[ModuleInfo, cst.FunctionDef]]:
    """The validators of a field, the base classes' first (`@field_validator("name")`, `@validator("*")`);
    a `mode="wrap"` validator calls the next one itself and is left out."""
    out: list[tuple[ModuleInfo, cst.FunctionDef]] = []
    if depth <= MAX_DEPTH:
        for base in klass.bases:
            found = _project_class(info, _dotted(base.value) or "")
            if found is not None and found[1] is not klass:
                out += _validators(found[0], found[1], field, depth + 1)
    for stmt in klass.body.body:
        if not isinstance(stmt, cst.FunctionDef):
            continue
        for decorator in stmt.decorators:
            call = decorator.decorator
            if not isinstance(call, cst.Call) or (_dotted(call.func) or "").rsplit(".", 1)[-1] not in (
                _VALIDATOR_DECORATORS
            ):
                continue
            names = [_string(a.value) for a in call.args if a.keyword is None]
            mode = next((_string(a.value) for a in call.args if a.keyword and a.keyword.value == "mode"), None)
            if mode != "wrap" and (field in names or "*" in names):
                out.append((info, stmt))
    return out


def _strict_meta(info: ModuleInfo, node: cst.BaseExpression | None) -> bool:
    """`Field(pattern=r"^[a-z]+$")`, `StringConstraints(pattern=...)`, `constr(regex=...)`, `Query(pattern=...)`:
    a pattern anchored at both ends whose characters cannot form an injection."""
    if not isinstance(node, cst.Call):
        return False
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value in _PATTERN_KEYWORDS:
            text = _string(arg.value)
            if text is None:
                compiled = arg.value
                if isinstance(compiled, cst.Call) and (_dotted(compiled.func) or "") in ("re.compile", "compile"):
                    text = _string(compiled.args[0].value) if compiled.args else None
            return text is not None and _anchored(text)
    return False


def _anchored(pattern: str) -> bool:
    """Anchored at both ends (pydantic 2 searches, it does not match from the start) and strict inside."""
    from codeward.reviewer.dataflow.analysis import _strict

    start = pattern.startswith(("^", "\\A"))
    end = pattern.endswith(("$", "\\Z", "\\z"))
    return start and end and _strict(pattern, fullmatch=True)


def _project_class(info: ModuleInfo, dotted: str) -> tuple[ModuleInfo, cst.ClassDef] | None:
    """The project class a dotted name refers to in `info` (its own, or imported from the project)."""
    if not dotted:
        return None
    if dotted in info.classes:
        return info, info.classes[dotted]
    head, _, tail = dotted.partition(".")
    ref = info.imports.get(head)
    if ref is None or not ref.startswith("@"):
        return None
    if tail:
        ref = f"{ref}::{tail}" if "::" not in ref else f"{ref}.{tail}"
    target = info.resolve_callable(ref, load=True)
    if target is None or target[2] != "class":
        return None
    return target[0], target[1]  # type: ignore[return-value]


def _string(node: cst.BaseExpression) -> str | None:
    from codeward.reviewer.dataflow.fold import literal

    value = literal(node) if isinstance(node, cst.SimpleString) else None
    return value if isinstance(value, str) else None


def _is_ellipsis(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Ellipsis)
