"""The review engine: one libcst parse and one walk per file, every selected rule dispatched from that walk.

Alongside the walk the engine keeps what the rules ask about: the import table (so `import os as o` and
`from subprocess import run as r` resolve without libcst's costly QualifiedNameProvider) and where each
local variable came from (`s3 = boto3.client("s3")`). What data flows where is the data-flow analysis's
(`codeward.reviewer.dataflow`), asked through `Context.taint`, `Context.value` and `Context.sink_hits` and
computed function by function, on first use.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from codeward.reviewer.lazy import cst

from codeward.findings import Span

# The context managers of a test that asserts a failure: `pytest.raises`, unittest's `assertRaises(Regex)`.
_EXPECTS_RAISE = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})

# ---------------------------------------------------------------------------------------------------
# Small helpers over libcst nodes, shared by the rules.


def literal_str(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain string literal (implicitly concatenated parts too), else None."""
    if isinstance(node, cst.SimpleString):
        from codeward.reviewer.dataflow.fold import literal
        from codeward.reviewer.dataflow.values import UNKNOWN

        # fold.literal remembers each literal's value: libcst evaluates one by compiling it, and a 400 KB
        # string asked about at every sink call cost seconds.
        value = literal(node)
        if value is UNKNOWN:
            value = node.evaluated_value
        return value.decode("latin-1") if isinstance(value, bytes) else value
    if isinstance(node, cst.ConcatenatedString):
        # Iteratively, joined once: 'a' 'b' 'c' ... nests one level per part, and adding the parts up level by
        # level was quadratic (a 3000-part literal took 7 ms per question).
        parts: list[str] = []
        stack: list[cst.BaseExpression] = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, cst.ConcatenatedString):
                stack += (item.right, item.left)  # type: ignore[list-item]
                continue
            text = literal_str(item)
            if text is None:
                return None
            parts.append(text)
        return "".join(parts)
    return None


def literal_int(node: cst.BaseExpression | None) -> int | None:
    if isinstance(node, cst.Integer):
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return int(node.value.replace("_", "").lstrip("0") or "0")
    return None


def is_const(node: cst.BaseExpression | None, value: object) -> bool:
    """`True`, `False` or `None` written as such."""
    return isinstance(node, cst.Name) and node.value == str(value)


def kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional(call: cst.Call, index: int) -> cst.Arg | None:
    for seen, arg in enumerate(call.args):
        if arg.keyword is not None or arg.star:
            break
        if seen == index:
            return arg
    return None


def argument(call: cst.Call, index: int, name: str) -> cst.BaseExpression | None:
    """The expression passed as positional `index` or keyword `name`."""
    arg = positional(call, index) if index >= 0 else None
    arg = arg or kwarg(call, name)
    return arg.value if arg is not None else None


def has_star_kwargs(call: cst.Call) -> bool:
    return any(arg.star == "**" for arg in call.args)


def target_names(node: cst.CSTNode) -> list[cst.Name]:
    """The plain names an assignment target binds (`a`, `a, b`, `[a, *b]`); attributes and subscripts bind none."""
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, cst.Tuple | cst.List):
        return [n for element in node.elements for n in target_names(element.value)]
    if isinstance(node, cst.StarredElement):
        return target_names(node.value)
    return []


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a chain of names, without resolving anything."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def method_name(call: cst.Call) -> str | None:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None


# ---------------------------------------------------------------------------------------------------
# Taint comes from the data-flow analysis (codeward.reviewer.dataflow); these names stay for the rules,
# imported on first use so that printing cached results never loads the parser.

if TYPE_CHECKING:
    from codeward.reviewer.dataflow.query import Taint


def __getattr__(name: str) -> object:
    if name == "Taint":
        from codeward.reviewer.dataflow.query import Taint

        return Taint
    if name == "ALL_KINDS":
        from codeward.reviewer.dataflow.values import ALL_KINDS

        return ALL_KINDS
    raise AttributeError(name)


class Scope:
    """A module or a function: its imports, the origins of its variables, what it is (a handler, a route)."""

    __slots__ = ("assigned", "handler", "imports", "node", "origins", "params", "parent", "route")

    def __init__(self, node: cst.CSTNode, parent: Scope | None) -> None:
        self.node = node
        self.parent = parent
        self.imports: dict[str, str] = {}
        # Variable -> (qualified name of the call that produced it, its first string argument).
        self.origins: dict[str, tuple[str, str | None]] = {}
        self.assigned: set[str] = set()
        self.params: set[str] = set()
        # A Lambda handler (event, context) or a web route.
        self.handler = False
        self.route = False


@dataclass(slots=True)
class Pending:
    """A report whose positions are resolved after the walk."""

    rule: type
    node: cst.CSTNode
    message: str
    notes: tuple[str, ...]
    taint: Taint | None
    fix: tuple[str, tuple[tuple[cst.CSTNode, str], ...]] | None
    severity: object
    mask: str | None = None
    span: Span | None = None
    extra_nodes: tuple[cst.CSTNode, ...] = field(default=())
    # Reported only when the rule is asked for by name (measured.opt_in_code): a kind of finding judged wrong too
    # often on real code to show by default, even at info.
    opt_in: bool = False


_ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "delete", "patch", "api_route", "websocket", "head"})


class Context:
    """What a rule sees of the file: names, data flows, ancestors; and where it reports."""

    def __init__(self, path: str, text: str, module: cst.Module, models: object = None) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.module_scope = Scope(module, None)
        self.scope = self.module_scope
        self.parents: list[cst.CSTNode] = []
        self.node: cst.CSTNode | None = None  # the node whose handlers are running
        self.pending: list[Pending] = []
        self.rule: type | None = None
        # Module-level functions and classes: a local `def open()` is not the builtin.
        self.defined: set[str] = set()
        # Modules of `from M import *`, in order: a name bound nowhere in the file comes from one of them.
        self.star_modules: list[str] = []
        # `self.x = boto3.client(...)` anywhere in the file: attribute name -> origin.
        self.attr_origins: dict[str, tuple[str, str | None]] = {}
        self.shared: dict[object, object] = {}
        self.models = models  # user models from [tool.codeward.reviewer.taint], or None
        self._flows = None
        # Other project files the data-flow facts came from: (path, digest), for the results cache.
        self.dependencies: list[tuple[str, str]] = []
        self._last_call: cst.Call | None = None
        self._last_name = ""

    # -- reporting --------------------------------------------------------------------------------

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        taint: Taint | None = None,
        notes: tuple[str, ...] = (),
        fix: tuple[str, tuple[tuple[cst.CSTNode, str], ...]] | None = None,
        severity: object = None,
        mask: str | None = None,
        opt_in: bool = False,
    ) -> None:
        assert self.rule is not None
        if self._expected_to_raise():
            return  # `with pytest.raises(E): os.chmod(p, 0o666)` tests that the call fails: nothing happens
        self.pending.append(Pending(self.rule, node, message, notes, taint, fix, severity, mask, opt_in=opt_in))

    def _expected_to_raise(self) -> bool:
        """Inside the body of `with pytest.raises(...)` or `with self.assertRaises(...)`: a test asserting
        that the code fails, so the call does not do what a finding would say it does."""
        for node in self.ancestors():
            if isinstance(node, cst.With):
                for item in node.items:
                    call = item.item
                    if isinstance(call, cst.Call) and (dotted(call.func) or "").rsplit(".", 1)[-1] in _EXPECTS_RAISE:
                        return True
            elif isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda):
                return False
        return False

    def code(self, node: cst.CSTNode, limit: int = 60) -> str:
        """Source text of a node for messages, shortened."""
        text = " ".join(self.module.code_for_node(node).split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    # -- structure --------------------------------------------------------------------------------

    @property
    def function(self) -> cst.FunctionDef | None:
        node = self.scope.node
        return node if isinstance(node, cst.FunctionDef) else None

    def ancestors(self) -> Iterator[cst.CSTNode]:
        """Enclosing nodes, nearest first (the node being visited is not included)."""
        return reversed(self.parents)

    def inside(self, *types: type) -> cst.CSTNode | None:
        """The nearest enclosing node of one of `types` within the current function."""
        for node in reversed(self.parents):
            if isinstance(node, types):
                return node
            if isinstance(node, cst.FunctionDef | cst.Lambda):
                return None
        return None

    # -- names ------------------------------------------------------------------------------------

    def qualname(self, node: cst.BaseExpression) -> str | None:
        """`subprocess.run` for `r` after `from subprocess import run as r`; `boto3.client()` for a variable
        assigned from `boto3.client(...)`; None for local variables of unknown origin."""
        if isinstance(node, cst.Name):
            name = node.value
            scope: Scope | None = self.scope
            while scope is not None:
                if name in scope.imports:
                    return scope.imports[name]
                origin = scope.origins.get(name)
                if origin is not None:
                    return origin[0] + "()"
                if name in scope.assigned or name in scope.params:
                    return None
                scope = scope.parent
            if name in self.defined:
                return None
            if len(self.star_modules) == 1 and name not in _BUILTIN_NAMES:
                # Bound nowhere here, not a builtin, one star import: Python finds it there (with several,
                # which one defines it is not known without reading them).
                return f"{self.star_modules[0]}.{name}"
            from codeward.reviewer.dataflow.models import unbound_guesses

            return unbound_guesses().get(name, name)  # never bound here: a snippet or a star import
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value == "self":
                origin = self.attr_origins.get(node.attr.value)
                return origin[0] + "()" if origin else None
            base = self.qualname(node.value)
            return f"{base}.{node.attr.value}" if base else None
        if isinstance(node, cst.Call):
            base = self.qualname(node.func)
            return base + "()" if base else None
        return None

    def is_module(self, node: cst.BaseExpression) -> bool:
        """`re` or `os.path`: a chain of names whose head is an imported name."""
        while isinstance(node, cst.Attribute):
            node = node.value
        if not isinstance(node, cst.Name):
            return False
        scope: Scope | None = self.scope
        while scope is not None:
            if node.value in scope.imports:
                # `from .models import Invoice`: a class (by convention capitalised), not a module.
                return not scope.imports[node.value].rsplit(".", 1)[-1][:1].isupper()
            if node.value in scope.assigned or node.value in scope.params:
                return False
            scope = scope.parent
        return False

    def imported_modules(self) -> frozenset[str]:
        """First names of the modules the file imports by absolute name, anywhere (in functions too), read from
        its parsed statements: `import sanic` in a docstring or a comment is no import."""
        found = self.shared.get("imported modules")
        if found is None:
            found = self.shared["imported modules"] = frozenset(_imported_modules(self.module))
        return found  # type: ignore[return-value]

    def call_name(self, call: cst.Call) -> str:
        # Every rule that handles calls asks about the same node in a row: remember the last answer.
        if self._last_call is not call:
            self._last_call = call
            self._last_name = self.qualname(call.func) or ""
        return self._last_name

    def origin(self, node: cst.BaseExpression) -> tuple[str, str | None] | None:
        """(constructor, first string argument) for a variable or `self.attr` built by a known call."""
        if isinstance(node, cst.Name):
            scope: Scope | None = self.scope
            while scope is not None:
                if node.value in scope.origins:
                    return scope.origins[node.value]
                if node.value in scope.assigned or node.value in scope.params:
                    return None
                scope = scope.parent
            return None
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
            return self.attr_origins.get(node.attr.value)
        if isinstance(node, cst.Call):
            name = self.qualname(node.func)
            return (name, literal_str(argument(node, 0, "service_name"))) if name else None
        return None

    def is_request(self, node: cst.BaseExpression) -> bool:
        """A web framework's request object."""
        held = self.value(node).type
        return held is not None and (held.endswith("Request") or held == "web.Request")

    # -- data flow --------------------------------------------------------------------------------

    @property
    def flows(self):  # -> codeward.reviewer.dataflow.query.FileFlows
        if self._flows is None:
            from codeward.reviewer.dataflow.engine import engine_for
            from codeward.reviewer.dataflow.query import FileFlows

            self._flows = FileFlows(engine_for(self.models), self.path, self.module, self.text)  # type: ignore[arg-type]
        return self._flows

    def close(self) -> None:
        if self._flows is not None:
            self.dependencies = self._flows.close()

    def _chain(self) -> list[cst.CSTNode]:
        return [*self.parents, self.node] if self.node is not None else list(self.parents)

    def value(self, node: cst.BaseExpression):  # -> Value
        """What the analysis knows of `node` where the walk is: taint, constant, fields, type."""
        return self.flows.value(node, self._chain())

    def taint(self, node: cst.BaseExpression, kind: str | None = None) -> Taint | None:
        """The untrusted data `node` carries, unless it was sanitized for `kind`."""
        return self.flows.taint(node, self._chain(), kind)

    def random_taint(self, node: cst.BaseExpression) -> Taint | None:
        """A value of the `random` module (predictable) that `node` carries."""
        return self.flows.taint(node, self._chain(), None, family="random")

    def sink_hits(self, call: cst.Call, kind: str | None = None) -> list:
        """(taint, hit) for each untrusted flow reaching a sink argument of `call` (models and wrappers)."""
        cache = self.shared.setdefault("sink-hits", {})
        key = (id(call), kind == "secret")
        found = cache.get(key)  # type: ignore[union-attr]
        if found is None:
            wanted = "secret" if kind == "secret" else None
            found = cache[key] = self.flows.hits(call, self._chain(), wanted, self.call_name(call) or None)  # type: ignore[index]
        return [(t, h) for t, h in found if kind is None or h.kind == kind]

    # -- engine hooks: scope ----------------------------------------------------------------------

    def bind(self, target: cst.BaseExpression, value: cst.BaseExpression | None, stmt: cst.CSTNode) -> None:
        """An assignment `target = value` (value None: unknown): keep where variables came from."""
        if isinstance(target, cst.Name):
            name = target.value
            scope = self.scope
            scope.assigned.add(name)
            origin = self.origin(value) if isinstance(value, cst.Call) else None
            if origin is not None:
                scope.origins[name] = origin
            else:
                scope.origins.pop(name, None)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self.bind(element.value, None, stmt)
        elif isinstance(target, cst.Attribute):
            if isinstance(target.value, cst.Name) and target.value.value == "self" and isinstance(value, cst.Call):
                origin = self.origin(value)
                if origin is not None:
                    self.attr_origins[target.attr.value] = origin
        elif isinstance(target, cst.StarredElement):
            self.bind(target.value, value, stmt)

    def bind_with(self, item: cst.WithItem) -> None:
        """`with boto3.client("s3") as s3` / `with aiohttp.ClientSession() as session`: an origin."""
        assert item.asname is not None
        target = item.asname.name
        self.bind(target, None, item)
        if isinstance(target, cst.Name) and isinstance(item.item, cst.Call):
            origin = self.origin(item.item)
            if origin is not None:
                self.scope.origins[target.value] = origin

    def enter_function(self, node: cst.FunctionDef | cst.Lambda) -> None:
        scope = Scope(node, self.scope)
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        scope.params = {p.name.value for p in every}
        self.scope = scope
        if not isinstance(node, cst.FunctionDef):
            return
        names = [p.name.value for p in [*params.posonly_params, *params.params]]
        if len(names) >= 2 and names[0] == "event" and names[1] == "context":
            scope.handler = True
        for decorator in node.decorators:
            target = decorator.decorator
            func = target.func if isinstance(target, cst.Call) else target
            if isinstance(func, cst.Attribute) and func.attr.value in _ROUTE_DECORATORS:
                scope.route = True

    def leave_function(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def record_import(self, node: cst.Import | cst.ImportFrom) -> None:
        imports = self.scope.imports
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    imports[alias.asname.name.value] = full
                else:
                    head = full.split(".", 1)[0]
                    imports[head] = head
            return
        if isinstance(node.names, cst.ImportStar):
            if not node.relative and node.module is not None:
                self.star_modules.append(dotted(node.module) or "")
            return
        base = "." * len(node.relative) + (dotted(node.module) or "" if node.module is not None else "")
        for alias in node.names:
            name = dotted(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            imports[local] = f"{base}.{name}" if base and not base.endswith(".") else f"{base}{name}"


_BUILTIN_NAMES = frozenset(dir(builtins))


# ---------------------------------------------------------------------------------------------------
# The walk.

Handler = Callable[[Context, "cst.CSTNode"], None]


def _imported_modules(module: cst.Module) -> set[str]:
    """`Context.imported_modules`: walks statements and their blocks only, never into expressions."""
    blocks = (cst.BaseSuite, cst.BaseStatement, cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler,
              cst.MatchCase)  # fmt: skip
    names: set[str] = set()
    stack: list[cst.CSTNode] = list(module.body)
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Import):
            names.update((dotted(alias.name) or "").split(".", 1)[0] for alias in node.names)
        elif isinstance(node, cst.ImportFrom):
            if not node.relative and node.module is not None:
                names.add((dotted(node.module) or "").split(".", 1)[0])
        elif isinstance(node, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            stack.extend(node.body)
        elif isinstance(node, blocks):
            stack.extend(child for child in node.children if isinstance(child, blocks))
    return names


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    from codeward.reviewer.dataflow.nodes import children as fast

    global _children
    _children = fast  # type: ignore[assignment]
    return fast(node)


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Child nodes that carry meaning (no whitespace, commas or parentheses), in field order."""
    return _children(node)


@cache
def _leaves() -> frozenset[type]:
    """Node types that never have children the walk visits (their fields are text and punctuation)."""
    return frozenset({cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis})


class Walker:
    def __init__(
        self,
        ctx: Context,
        visitors: dict[type, list[tuple[type, Handler]]],
        leavers: dict[type, list[tuple[type, Handler]]],
    ) -> None:
        self.ctx = ctx
        self.visitors = visitors
        self.leavers = leavers
        # Leaves no handler wants (names, numbers, most strings): walking one changes nothing, so it is skipped.
        self.skip = frozenset(t for t in _leaves() if t not in visitors and t not in leavers)
        # Call handlers that report only flows `Context.sink_hits` finds (a rule's `hits_only` names its handler
        # that does nothing else): once the walk knows a call has none, the others are not called for it.
        self.hits_only = frozenset(
            rule
            for rule, handler in visitors.get(cst.Call, ())
            if getattr(handler, "__func__", None) is getattr(rule, "hits_only", None)
        )

    def run(self, module: cst.Module) -> None:
        ctx = self.ctx
        for stmt in module.body:
            if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
                ctx.defined.add(stmt.name.value)
        try:
            self.walk(module)
        finally:
            ctx.close()

    def _dispatch(self, table: dict[type, list[tuple[type, Handler]]], node: cst.CSTNode) -> None:
        handlers = table.get(type(node))
        if handlers:
            ctx = self.ctx
            ctx.node = node
            for rule, handler in handlers:
                ctx.rule = rule
                handler(ctx, node)

    def _dispatch_call(self, handlers: list[tuple[type, Handler]], node: cst.CSTNode) -> None:
        ctx = self.ctx
        ctx.node = node
        hits_only = self.hits_only
        key = (id(node), False)  # Context.sink_hits' cache key for every kind but "secret"
        for rule, handler in handlers:
            if rule in hits_only:
                cache = ctx.shared.get("sink-hits")
                if cache is not None and cache.get(key) == []:  # type: ignore[attr-defined]
                    continue
            ctx.rule = rule
            handler(ctx, node)

    def walk(self, node: cst.CSTNode) -> None:
        ctx = self.ctx
        kind = type(node)
        is_function = kind is cst.FunctionDef or kind is cst.Lambda
        if is_function:
            ctx.enter_function(node)  # type: ignore[arg-type]
        elif kind is cst.Import or kind is cst.ImportFrom:
            ctx.record_import(node)  # type: ignore[arg-type]
        elif kind is cst.For:
            ctx.bind(node.target, None, node)  # type: ignore[attr-defined]
        if kind in self.visitors:  # most nodes have no handler: no call for them
            if kind is cst.Call and self.hits_only:
                self._dispatch_call(self.visitors[kind], node)
            else:
                self._dispatch(self.visitors, node)
        ctx.parents.append(node)
        skip = self.skip
        for child in _children(node):
            if type(child) not in skip:
                self.walk(child)
        ctx.parents.pop()
        if kind in self.leavers:
            self._dispatch(self.leavers, node)
        if is_function:
            ctx.leave_function()
            if kind is cst.FunctionDef:
                ctx.scope.assigned.add(node.name.value)  # type: ignore[attr-defined]
        elif kind is cst.Assign:
            for target in node.targets:  # type: ignore[attr-defined]
                ctx.bind(target.target, node.value, node)  # type: ignore[attr-defined]
        elif kind is cst.AnnAssign:
            if node.value is not None:  # type: ignore[attr-defined]
                ctx.bind(node.target, node.value, node)  # type: ignore[attr-defined]
        elif kind is cst.NamedExpr:
            ctx.bind(node.target, node.value, node)  # type: ignore[attr-defined]
        elif kind is cst.WithItem and node.asname is not None:  # type: ignore[attr-defined]
            ctx.bind_with(node)  # type: ignore[arg-type]
