"""Fast traversal of libcst trees: child nodes that carry meaning, without whitespace and punctuation."""

from __future__ import annotations

import dataclasses

import libcst as cst

_SKIP_FIELDS = frozenset(
    ["name", "attr", "asname", "module", "names", "keyword", "lpar", "rpar", "comma", "semicolon", "colon",
     "equal", "star", "dot", "operator", "leading_lines", "lines_after_decorators", "header", "footer", "newline",
     "lbrace", "rbrace", "lbracket", "rbracket", "first_colon", "second_colon", "asynchronous", "whitespace",
     "conversion", "relative", "type_parameters"]
)  # fmt: skip
_FIELDS: dict[type, tuple[str, ...]] = {}
# isinstance() against libcst's abstract base classes is slow; a per-type answer is not.
_IS_NODE: dict[type, bool] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(
            f.name
            for f in dataclasses.fields(kind)
            if f.name not in _SKIP_FIELDS and not f.name.startswith("whitespace")
        )
    return names


def _is_node(kind: type) -> bool:
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Child nodes that carry meaning (no whitespace, commas or parentheses), in field order. A list, not a
    generator: every node of every reviewed file passes through here, several times."""
    out: list[cst.CSTNode] = []
    append = out.append
    known = _IS_NODE
    kind = type(node)
    names = _FIELDS.get(kind)
    if names is None:
        names = _fields(kind)
    for name in names:
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            for item in value:
                is_node = known.get(type(item))
                if is_node is None:
                    is_node = _is_node(type(item))
                if is_node:
                    append(item)
        else:
            is_node = known.get(kind)
            if is_node is None:
                is_node = _is_node(kind)
            if is_node:
                append(value)
    return out


# What `children` leaves out but a search for the names a body binds needs: `except E as e` (`ExceptHandler.name`),
# `with f() as x` (`WithItem.asname`) and imports (`Import.names`, `ImportAlias.asname`) hold their `AsName` there.
_NAME_FIELDS = frozenset(["name", "asname", "names"])
_BINDING_FIELDS: dict[type, tuple[str, ...]] = {}


def binding_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """`children` with the name fields too: every statement and every `AsName` below `node`, the statements in
    the order libcst's own `node.children` meets them (a handler's `as` name may come after its body here), at a
    fraction of its cost: libcst's property runs a visitor over every child, whitespace and commas included
    (Django's review: about 2% of its time, in the rules' searches of a function's assignments)."""
    kind = type(node)
    names = _BINDING_FIELDS.get(kind)
    if names is None:
        names = _BINDING_FIELDS[kind] = tuple(
            f.name
            for f in dataclasses.fields(kind)
            if (f.name not in _SKIP_FIELDS or f.name in _NAME_FIELDS) and not f.name.startswith("whitespace")
        )
    out: list[cst.CSTNode] = []
    append = out.append
    for name in names:
        value = getattr(node, name)
        if type(value) is tuple or type(value) is list:
            for item in value:
                if _is_node(type(item)):
                    append(item)
        elif _is_node(type(value)):
            append(value)
    return out


# Scopes of their own inside a function: a comprehension's or a lambda's names, a class body's.
INNER_SCOPES = frozenset({cst.Lambda, cst.ClassDef, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp})
_TARGET_HOLDERS = frozenset({cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr,
                             cst.Del})  # fmt: skip
_NAMED_BINDERS = frozenset({cst.FunctionDef, cst.ClassDef, cst.Param, cst.MatchAs, cst.MatchStar, cst.MatchMapping,
                            cst.TypeAlias, cst.TypeVar, cst.TypeVarTuple, cst.ParamSpec})  # fmt: skip


def params_of(function: cst.FunctionDef) -> list[cst.Param]:
    p = function.params
    out = [*p.posonly_params, *p.params, *p.kwonly_params]
    out += [star for star in (p.star_arg, p.star_kwarg) if isinstance(star, cst.Param)]
    return out


def names_bound_in(body: cst.CSTNode) -> frozenset[str]:
    """Every name any statement or expression in `body` binds, nested definitions included (more than Python
    binds in the body itself: enough to know a name is never bound again): assignment targets of every kind
    (every name inside the target, `x.a = 1` and `x[0] = 1` included), `as` names, imports, `del`, `global`
    and `nonlocal`, definitions and their parameters, pattern captures."""
    names: set[str] = set()
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        kind = type(node)
        targets: list[cst.CSTNode | None] = []
        if kind in _TARGET_HOLDERS:
            targets.append(node.target)  # type: ignore[attr-defined]
        elif kind is cst.AsName or kind is cst.NameItem:
            targets.append(node.name)  # type: ignore[attr-defined]
        elif kind is cst.Import or kind is cst.ImportFrom:
            if not isinstance(node.names, cst.ImportStar):  # type: ignore[attr-defined]
                for alias in node.names:  # type: ignore[attr-defined]
                    targets.append(alias.asname.name if alias.asname is not None else alias.name)
        elif kind is cst.Global or kind is cst.Nonlocal:
            targets.extend(item.name for item in node.names)  # type: ignore[attr-defined]
        elif kind in _NAMED_BINDERS:
            targets.append(getattr(node, "name", None))
            targets.append(getattr(node, "rest", None))
        for target in targets:
            if target is not None:
                names.update(_names_in(target))
        stack.extend(children(node))
        if kind is cst.ExceptHandler or kind is cst.WithItem:
            found = node.name if kind is cst.ExceptHandler else node.asname  # type: ignore[attr-defined]
            if found is not None:
                stack.append(found)
    return frozenset(names)


def _names_in(target: cst.CSTNode) -> list[str]:
    out: list[str] = []
    stack = [target]
    while stack:
        node = stack.pop()
        if type(node) is cst.Name:
            out.append(node.value)  # type: ignore[attr-defined]
        else:
            stack.extend(children(node))
    return out
