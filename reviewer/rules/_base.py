"""Shared shapes of rules: untrusted data reaching a sink, and calls matched by qualified name."""

from __future__ import annotations

import re
from typing import ClassVar

from codeward.reviewer.engine import Context, Taint, argument, literal_str, method_name
from codeward.reviewer.lazy import cst
from codeward.reviewer.rule import ReviewRule

from codeward.findings import Severity

# (positional index, keyword) pairs; index -1 means the receiver (`Path(x).read_text()`).
ArgSpec = tuple[tuple[int, str], ...]

# A URL whose scheme and host are fixed by a literal prefix: the untrusted part can only pick a path.
_FIXED_HOST = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/{}\s]+/|/[^/\\])")


def literal_prefix(node: cst.BaseExpression) -> str | None:
    """The literal text a string-building expression starts with."""
    if isinstance(node, cst.FormattedString):
        first = node.parts[0] if node.parts else None
        return first.value if isinstance(first, cst.FormattedStringText) else ""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add | cst.Modulo):
        return literal_prefix(node.left)
    if isinstance(node, cst.Call) and method_name(node) == "format" and isinstance(node.func, cst.Attribute):
        text = literal_str(node.func.value)
        return text.split("{", 1)[0] if text is not None else None
    text = literal_str(node)
    return text


def host_is_fixed(node: cst.BaseExpression) -> bool:
    prefix = literal_prefix(node)
    return prefix is not None and bool(_FIXED_HOST.match(prefix))


# Text that every untrusted source leaves in a file: without it, no taint rule can report anything there.
SOURCE_WORDS = ("request", "req", "event", "input(", "argv", "environ", "getenv", "recv", "stdin")
ROUTE_DECORATOR = re.compile(r"@\w+(?:\.\w+)*\.(?:route|get|post|put|delete|patch|api_route|websocket|head)\(")


def has_source(text: str, facts: dict[object, bool]) -> bool:
    found = facts.get(SOURCE_WORDS)
    if found is None:
        found = facts[SOURCE_WORDS] = any(w in text for w in SOURCE_WORDS) or bool(ROUTE_DECORATOR.search(text))
    return found


class TaintSink(ReviewRule):
    """Untrusted data reaching an argument of a dangerous call."""

    @classmethod
    def may_match(cls, text: str, facts: dict[object, bool]) -> bool:
        return has_source(text, facts) and super().may_match(text, facts)

    category: ClassVar[str] = "security"
    severity: ClassVar[Severity] = Severity.ERROR
    kind: ClassVar[str]
    # Qualified names of sink functions.
    calls: ClassVar[dict[str, ArgSpec]] = {}
    # Method names that are sinks whatever the receiver (checked by `receiver_ok`).
    methods: ClassVar[dict[str, ArgSpec]] = {}
    # "{source}" and "{sink}" are filled in.
    template: ClassVar[str] = "{source} reaches {sink}()"

    def applies(self, ctx: Context, node: cst.Call, name: str) -> bool:
        return True

    def receiver_ok(self, ctx: Context, node: cst.Call, name: str) -> bool:
        """Method sinks: skip receivers that are modules (`re.search` is not an LDAP search)."""
        func = node.func
        assert isinstance(func, cst.Attribute)
        return not ctx.is_module(func.value)

    def sink_expressions(self, ctx: Context, node: cst.Call, spec: ArgSpec) -> list[cst.BaseExpression]:
        out = []
        for index, keyword in spec:
            if index == -1:
                if isinstance(node.func, cst.Attribute):
                    out.append(node.func.value)
                continue
            expr = argument(node, index, keyword)
            if expr is not None:
                out.append(expr)
        return out

    def check_taint(self, ctx: Context, node: cst.Call, expr: cst.BaseExpression) -> Taint | None:
        return ctx.taint(expr, self.kind)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        spec = self.calls.get(name)
        label = name
        if spec is None:
            method = method_name(node)
            spec = self.methods.get(method) if method is not None else None
            if spec is None or not self.receiver_ok(ctx, node, name):
                return
            label = ctx.code(node.func, 40)
        if not self.applies(ctx, node, name):
            return
        for expr in self.sink_expressions(ctx, node, spec):
            found = self.check_taint(ctx, node, expr)
            if found is not None:
                ctx.report(node, self.template.format(source=found.source, sink=label), taint=found)
                return


class CallRule(ReviewRule):
    """Calls matched by qualified name; `check` decides and reports."""

    targets: ClassVar[frozenset[str]] = frozenset()

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        if name in self.targets:
            self.check(ctx, node, name)

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        raise NotImplementedError
