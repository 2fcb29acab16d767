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
