"""The review engine: one libcst parse and one walk per file, every selected rule dispatched from that walk.

Alongside the walk the engine keeps what the rules ask about: the import table (so `import os as o` and
`from subprocess import run as r` resolve without libcst's costly QualifiedNameProvider), where each
local variable came from (`s3 = boto3.client("s3")`), and intra-procedural taint: which variables hold
data from a request, a Lambda event, `input()`, `sys.argv`, the environment or a socket, through which
assignments, and which sanitizers or allow-list checks cleared it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from codeward.reviewer.lazy import cst

from codeward.findings import Span

# ---------------------------------------------------------------------------------------------------
# Small helpers over libcst nodes, shared by the rules.


def literal_str(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain string literal (implicitly concatenated parts too), else None."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value.decode("latin-1") if isinstance(value, bytes) else value
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal_str(node.left), literal_str(node.right)  # type: ignore[arg-type]
        return None if left is None or right is None else left + right
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


def subject_name(node: cst.BaseExpression) -> str | None:
    """The variable an expression is about: `x` in `x`, `x.attr`, `x[0]`, `urlparse(x).hostname`, `x.strip()`."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute | cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Call):
            if (isinstance(node.func, cst.Attribute) and not isinstance(node.func.value, cst.Name | cst.Attribute)) or (
                isinstance(node.func, cst.Attribute) and node.args == ()
            ):
                node = node.func.value
            elif node.args:
                node = node.args[0].value
            else:
                return None
        else:
            return None


def terminates(block: cst.BaseSuite) -> bool:
    """Whether a block always leaves: its last statement returns, raises, continues, breaks or aborts."""
    body = block.body
    if not body:
        return False
    last = body[-1]
    if isinstance(last, cst.SimpleStatementLine):
        stmt = last.body[-1] if last.body else None
        if isinstance(stmt, cst.Return | cst.Raise | cst.Continue | cst.Break):
            return True
        if isinstance(stmt, cst.Expr) and isinstance(stmt.value, cst.Call):
            name = dotted(stmt.value.func) or ""
            return name.rsplit(".", 1)[-1] in {"abort", "exit", "_exit", "fail", "raise_for_status"}
    if isinstance(last, cst.If):
        return terminates(last.body) and last.orelse is not None and terminates(last.orelse.body)  # type: ignore[arg-type]
    return False


# ---------------------------------------------------------------------------------------------------
# Taint.

# Attributes of a web framework's request object that carry client data (Flask, Django, DRF, FastAPI/Starlette).
REQUEST_ATTRS = frozenset(
    [
        "args",
        "form",
        "values",
        "json",
        "data",
        "files",
        "cookies",
        "headers",
        "get_json",
        "get_data",
        "stream",
        "environ",
        "view_args",
        "query_string",
        "GET",
        "POST",
        "body",
        "COOKIES",
        "META",
        "FILES",
        "query_params",
        "path_params",
        "raw_body",
        "text",
    ]
)
REQUEST_NAMES = frozenset({"request", "req"})
REQUEST_IMPORTS = frozenset({"flask.request", "quart.request", "bottle.request", "sanic.request"})
SOURCE_ATTRS = {"sys.argv": "sys.argv", "os.environ": "os.environ", "sys.stdin": "sys.stdin"}
SOURCE_CALLS = {
    "input": "input()",
    "raw_input": "raw_input()",
    "os.getenv": "os.getenv()",
    "os.environ.get": "os.environ",
    "sys.stdin.read": "sys.stdin",
    "sys.stdin.readline": "sys.stdin",
    "sys.stdin.readlines": "sys.stdin",
}
SOURCE_METHODS = {"recv": "socket data", "recvfrom": "socket data", "recv_into": "socket data"}
# Calls that return something with no attacker-controlled text left in it.
CLEAN_CALLS = frozenset(
    [
        "int",
        "float",
        "bool",
        "len",
        "abs",
        "round",
        "ord",
        "hash",
        "id",
        "isinstance",
        "callable",
        "range",
        "uuid.UUID",
        "decimal.Decimal",
        "ipaddress.ip_address",
        "math.floor",
        "math.ceil",
        "datetime.date.fromisoformat",
    ]
)
# Sanitizers that make data safe for some sinks only.
SANITIZERS: dict[str, frozenset[str]] = {
    "shlex.quote": frozenset({"command"}),
    "pipes.quote": frozenset({"command"}),
    "shlex.join": frozenset({"command"}),
    "os.path.basename": frozenset({"path"}),
    "werkzeug.utils.secure_filename": frozenset({"path", "command"}),
    "werkzeug.secure_filename": frozenset({"path", "command"}),
    "html.escape": frozenset({"xss", "log", "header"}),
    "markupsafe.escape": frozenset({"xss"}),
    "flask.escape": frozenset({"xss"}),
    "django.utils.html.escape": frozenset({"xss"}),
    "bleach.clean": frozenset({"xss"}),
    "xml.sax.saxutils.escape": frozenset({"xss", "xpath"}),
    "ldap.filter.escape_filter_chars": frozenset({"ldap"}),
    "ldap3.utils.conv.escape_filter_chars": frozenset({"ldap"}),
    "re.escape": frozenset({"regex"}),
    "repr": frozenset({"log"}),
    "json.dumps": frozenset({"log", "header"}),
    "urllib.parse.quote": frozenset({"header", "log", "path"}),
    "urllib.parse.quote_plus": frozenset({"header", "log", "path", "redirect"}),
}
# Functions whose result carries their arguments' data.
PROPAGATORS = frozenset(
    [
        "str",
        "bytes",
        "bytearray",
        "list",
        "tuple",
        "set",
        "dict",
        "sorted",
        "reversed",
        "os.path.join",
        "posixpath.join",
        "os.path.normpath",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.expanduser",
        "pathlib.Path",
        "pathlib.PurePath",
        "json.loads",
        "base64.b64decode",
        "base64.urlsafe_b64decode",
        "base64.b64encode",
        "urllib.parse.unquote",
        "urllib.parse.unquote_plus",
        "urllib.parse.urljoin",
        "urllib.parse.parse_qs",
        "urllib.parse.urlencode",
        "codecs.decode",
        "textwrap.dedent",
        "string.Template",
    ]
)
# Methods whose result says nothing attacker-controlled (booleans, counts, positions).
BOOL_METHODS = frozenset(
    [
        "startswith",
        "endswith",
        "isdigit",
        "isalnum",
        "isalpha",
        "isnumeric",
        "isdecimal",
        "isidentifier",
        "isspace",
        "islower",
        "isupper",
        "count",
        "find",
        "rfind",
        "index",
        "rindex",
        "__len__",
        "exists",
        "is_file",
        "is_dir",
    ]
)
PROPAGATING_METHODS = frozenset({"format", "join", "format_map", "replace", "substitute", "safe_substitute"})
# Validation calls that, when checked, make a value safe for every sink.
VALIDATORS = frozenset(
    ["url_has_allowed_host_and_scheme", "is_safe_url", "validators.url", "re.fullmatch", "re.match", "uuid.UUID"]
)
VALIDATING_METHODS = frozenset(
    [
        "isdigit",
        "isalnum",
        "isalpha",
        "isnumeric",
        "isdecimal",
        "isidentifier",
        "fullmatch",
        "is_relative_to",
        "startswith",
    ]
)
ALL_KINDS = frozenset(
    [
        "sql",
        "command",
        "code",
        "path",
        "ssrf",
        "xss",
        "template",
        "xxe",
        "ldap",
        "xpath",
        "nosql",
        "log",
        "redirect",
        "header",
        "regex",
        "deserialization",
    ]
)


@dataclass(frozen=True, slots=True)
class Taint:
    """Untrusted data: where it came from, the variables it went through, the sinks it was cleaned for."""

    source: str
    node: cst.CSTNode
    steps: tuple[tuple[str, cst.CSTNode], ...] = ()
    cleared: frozenset[str] = frozenset()

    def via(self, name: str, node: cst.CSTNode) -> Taint:
        if self.steps and self.steps[-1][0] == name:
            return self
        return dataclasses.replace(self, steps=(*self.steps, (name, node))[-6:])

    def clean(self, kinds: frozenset[str]) -> Taint | None:
        cleared = self.cleared | kinds
        return None if cleared >= ALL_KINDS else dataclasses.replace(self, cleared=cleared)


def _union(a: Taint | None, b: Taint | None) -> Taint | None:
    if a is None:
        return b
    if b is None:
        return a
    return dataclasses.replace(a, cleared=a.cleared & b.cleared)


class Scope:
    """A module or a function: its imports, variables' taint and origins."""

    __slots__ = ("assigned", "handler", "imports", "node", "origins", "params", "parent", "route", "taint")

    def __init__(self, node: cst.CSTNode, parent: Scope | None) -> None:
        self.node = node
        self.parent = parent
        self.imports: dict[str, str] = {}
        self.taint: dict[str, Taint] = {}
        # Variable -> (qualified name of the call that produced it, its first string argument).
        self.origins: dict[str, tuple[str, str | None]] = {}
        self.assigned: set[str] = set()
        self.params: set[str] = set()
        # A Lambda handler (event, context) or a web route: its parameters are untrusted.
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


_ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "delete", "patch", "api_route", "websocket", "head"})
_VALIDATED_TYPES = frozenset({"int", "float", "bool", "UUID", "uuid.UUID", "date", "datetime", "Decimal", "EmailStr"})


class Context:
    """What a rule sees of the file: resolution, taint, ancestors; and where it reports."""

    def __init__(self, path: str, text: str, module: cst.Module) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.module_scope = Scope(module, None)
        self.scope = self.module_scope
        self.parents: list[cst.CSTNode] = []
        self.pending: list[Pending] = []
        self.rule: type | None = None
        # Module-level functions and classes: a local `def open()` is not the builtin.
        self.defined: set[str] = set()
        # `self.x = boto3.client(...)` anywhere in the file: attribute name -> origin.
        self.attr_origins: dict[str, tuple[str, str | None]] = {}
        self.shared: dict[object, object] = {}
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
    ) -> None:
        assert self.rule is not None
        self.pending.append(Pending(self.rule, node, message, notes, taint, fix, severity, mask))

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
            return None if name in self.defined else name
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
        if isinstance(node, cst.Attribute):
            return node.attr.value == "request" and isinstance(node.value, cst.Name) and node.value.value == "self"
        if not isinstance(node, cst.Name) or node.value not in REQUEST_NAMES:
            return False
        scope: Scope | None = self.scope
        while scope is not None:
            if node.value in scope.imports:
                return scope.imports[node.value] in REQUEST_IMPORTS
            if node.value in scope.params:
                return True
            if node.value in scope.assigned:
                return False
            scope = scope.parent
        return False

    # -- taint ------------------------------------------------------------------------------------

    def taint(self, node: cst.BaseExpression, kind: str | None = None) -> Taint | None:
        """The untrusted data `node` carries, unless it was sanitized for `kind`."""
        found = self._taint(node, 0)
        if found is None or (kind is not None and kind in found.cleared):
            return None
        return found

    def _lookup(self, name: str) -> Taint | None:
        scope: Scope | None = self.scope
        while scope is not None:
            if name in scope.taint:
                return scope.taint[name]
            if name in scope.assigned or name in scope.params:
                return None
            scope = scope.parent
        return None

    def _taint(self, node: cst.BaseExpression, depth: int) -> Taint | None:
        if depth > 40:
            return None
        depth += 1
        if isinstance(node, cst.Name):
            return self._lookup(node.value)
        if isinstance(node, cst.Attribute):
            if node.attr.value in REQUEST_ATTRS and self.is_request(node.value):
                return Taint(f"{self.code(node.value)}.{node.attr.value}", node)
            name = dotted(node)
            if name is not None:
                qual = self.qualname(node)
                if qual in SOURCE_ATTRS:
                    return Taint(SOURCE_ATTRS[qual], node)
            return self._taint(node.value, depth)
        if isinstance(node, cst.Subscript):
            return self._taint(node.value, depth)
        if isinstance(node, cst.Call):
            return self._call_taint(node, depth)
        if isinstance(node, cst.BinaryOperation):
            return _union(self._taint(node.left, depth), self._taint(node.right, depth))
        if isinstance(node, cst.FormattedString):
            found: Taint | None = None
            for part in node.parts:
                if isinstance(part, cst.FormattedStringExpression):
                    inner = self._taint(part.expression, depth)
                    if inner is not None and part.conversion == "r":
                        inner = inner.clean(frozenset({"log", "header"}))
                    found = _union(found, inner)
            return found
        if isinstance(node, cst.ConcatenatedString):
            return _union(self._taint(node.left, depth), self._taint(node.right, depth))
        if isinstance(node, cst.List | cst.Tuple | cst.Set):
            found = None
            for element in node.elements:
                found = _union(found, self._taint(element.value, depth))
            return found
        if isinstance(node, cst.Dict):
            found = None
            for element in node.elements:
                found = _union(found, self._taint(element.value, depth))
            return found
        if isinstance(node, cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp):
            found = None
            comp: cst.CompFor | None = node.for_in
            while comp is not None:
                found = _union(found, self._taint(comp.iter, depth))
                comp = comp.inner_for_in
            return found
        if isinstance(node, cst.IfExp):
            return _union(self._taint(node.body, depth), self._taint(node.orelse, depth))
        if isinstance(node, cst.BooleanOperation):
            return _union(self._taint(node.left, depth), self._taint(node.right, depth))
        if isinstance(node, cst.Await | cst.StarredElement | cst.NamedExpr):
            return self._taint(node.value if not isinstance(node, cst.Await) else node.expression, depth)
        return None

    def _call_taint(self, node: cst.Call, depth: int) -> Taint | None:
        name = self.qualname(node.func)
        if name is not None:
            if name in CLEAN_CALLS:
                return None
            if name in SOURCE_CALLS:
                return Taint(SOURCE_CALLS[name], node)
            kinds = SANITIZERS.get(name)
            if kinds is not None:
                inner = self._taint(node.args[0].value, depth) if node.args else None
                return inner.clean(kinds) if inner else None
            if name in PROPAGATORS:
                found: Taint | None = None
                for arg in node.args:
                    found = _union(found, self._taint(arg.value, depth))
                if found is not None and name in ("str", "bytes"):
                    found = found.clean(frozenset({"nosql"}))  # a string cannot carry query operators
                return found
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method in REQUEST_ATTRS and self.is_request(node.func.value):
                return Taint(f"{self.code(node.func)}()", node)
            if method in SOURCE_METHODS and not isinstance(node.func.value, cst.SimpleString):
                return Taint(SOURCE_METHODS[method], node)
            if method in BOOL_METHODS:
                return None
            receiver = self._taint(node.func.value, depth)
            if method in PROPAGATING_METHODS:
                found = receiver
                for arg in node.args:
                    found = _union(found, self._taint(arg.value, depth))
                if found is not None and method == "replace" and receiver is not None:
                    removed = literal_str(node.args[0].value) if node.args else None
                    if removed in ("\n", "\r", "\r\n"):
                        found = found.clean(frozenset({"log", "header"}))
                return found
            return receiver
        return None

    # -- engine hooks: scope and dataflow ----------------------------------------------------------

    def bind(self, target: cst.BaseExpression, value: cst.BaseExpression | None, stmt: cst.CSTNode) -> None:
        """An assignment `target = value` (value None: unknown)."""
        if isinstance(target, cst.Name):
            name = target.value
            scope = self.scope
            scope.assigned.add(name)
            found = self._taint(value, 0) if value is not None else None
            if found is not None:
                scope.taint[name] = found.via(name, stmt)
            else:
                scope.taint.pop(name, None)
            origin = self.origin(value) if isinstance(value, cst.Call) else None
            if origin is not None:
                scope.origins[name] = origin
            else:
                scope.origins.pop(name, None)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                inner = element.value
                self.bind(inner, value if not isinstance(value, cst.Tuple | cst.List) else None, stmt)
                if isinstance(inner, cst.Name) and value is not None:
                    found = self._taint(value, 0)
                    if found is not None:
                        self.scope.taint[inner.value] = found.via(inner.value, stmt)
        elif isinstance(target, cst.Attribute):
            if isinstance(target.value, cst.Name) and target.value.value == "self" and isinstance(value, cst.Call):
                origin = self.origin(value)
                if origin is not None:
                    self.attr_origins[target.attr.value] = origin
            self._contaminate(target.value, value, stmt)
        elif isinstance(target, cst.Subscript):
            self._contaminate(target.value, value, stmt)
        elif isinstance(target, cst.StarredElement):
            self.bind(target.value, value, stmt)

    def bind_with(self, item: cst.WithItem) -> None:
        """`with boto3.client("s3") as s3` / `with aiohttp.ClientSession() as session`: an origin, no taint."""
        assert item.asname is not None
        target = item.asname.name
        self.bind(target, None, item)
        if isinstance(target, cst.Name) and isinstance(item.item, cst.Call):
            origin = self.origin(item.item)
            if origin is not None:
                self.scope.origins[target.value] = origin

    def _contaminate(self, container: cst.BaseExpression, value: cst.BaseExpression | None, stmt: cst.CSTNode) -> None:
        """Storing untrusted data into a container taints the container."""
        if value is None or not isinstance(container, cst.Name):
            return
        found = self._taint(value, 0)
        if found is not None:
            self.scope.taint[container.value] = found.via(container.value, stmt)

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
            scope.taint["event"] = Taint("the Lambda event", every[0])
        for decorator in node.decorators:
            target = decorator.decorator
            func = target.func if isinstance(target, cst.Call) else target
            if isinstance(func, cst.Attribute) and func.attr.value in _ROUTE_DECORATORS:
                scope.route = True
        if scope.route:
            for param in every:
                pname = param.name.value
                if pname in ("self", "cls", "request", "req") or _validated(param):
                    continue
                scope.taint[pname] = Taint(f"route parameter `{pname}`", param)

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
            return
        base = "." * len(node.relative) + (dotted(node.module) or "" if node.module is not None else "")
        for alias in node.names:
            name = dotted(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            imports[local] = f"{base}.{name}" if base and not base.endswith(".") else f"{base}{name}"


def _validated(param: cst.Param) -> bool:
    """A route parameter the framework has already converted to a safe type (FastAPI `item_id: int`), or a
    dependency (`db = Depends(...)`)."""
    annotation = param.annotation.annotation if param.annotation is not None else None
    if annotation is not None and (dotted(annotation) or "") in _VALIDATED_TYPES:
        return True
    default = param.default
    return isinstance(default, cst.Call) and (dotted(default.func) or "").rsplit(".", 1)[-1] == "Depends"


# ---------------------------------------------------------------------------------------------------
# Guards: `if x not in ALLOWED: abort(400)` makes x safe below; `if x.isdigit():` inside.


def guard(ctx: Context, test: cst.BaseExpression) -> tuple[str, frozenset[str], bool] | None:
    """(variable, kinds it is validated for, True if the test passing means valid) or None."""
    negate = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        negate = not negate
        test = test.expression
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        if isinstance(comparison.operator, cst.In | cst.NotIn):
            allowed = comparison.comparator
            if ctx.taint(allowed) is not None:
                return None
            name = subject_name(test.left)
            if name is None:
                return None
            return name, ALL_KINDS, isinstance(comparison.operator, cst.In) != negate
        if isinstance(comparison.operator, cst.Equal | cst.NotEqual) and literal_str(comparison.comparator):
            name = subject_name(test.left)
            return (name, ALL_KINDS, isinstance(comparison.operator, cst.Equal) != negate) if name else None
        return None
    if isinstance(test, cst.Call):
        name = ctx.qualname(test.func) or ""
        method = method_name(test)
        if name in VALIDATORS or name.rsplit(".", 1)[-1] in VALIDATORS:
            target = test.args[1].value if name in ("re.fullmatch", "re.match") and len(test.args) > 1 else None
            target = target or (test.args[0].value if test.args else None)
            var = subject_name(target) if target is not None else None
            return (var, ALL_KINDS, not negate) if var else None
        if method in VALIDATING_METHODS and isinstance(test.func, cst.Attribute):
            if method in ("fullmatch", "is_relative_to") and test.args:
                var = subject_name(test.args[0].value) if method == "fullmatch" else subject_name(test.func.value)
            else:
                var = subject_name(test.func.value)
            kinds = frozenset({"path", "ssrf", "redirect"}) if method in ("startswith", "is_relative_to") else ALL_KINDS
            return (var, kinds, not negate) if var else None
    return None


# ---------------------------------------------------------------------------------------------------
# The walk.

_SKIP_FIELDS = frozenset(
    [
        "name",
        "attr",
        "asname",
        "module",
        "names",
        "keyword",
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "colon",
        "equal",
        "star",
        "dot",
        "operator",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "newline",
        "lbrace",
        "rbrace",
        "lbracket",
        "rbracket",
        "first_colon",
        "second_colon",
        "asynchronous",
        "whitespace",
        "conversion",
        "relative",
        "type_parameters",
    ]
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(
            f.name
            for f in dataclasses.fields(kind)
            if f.name not in _SKIP_FIELDS and not f.name.startswith("whitespace")
        )
    return names


# isinstance() against libcst's abstract base classes is slow; a per-type answer is not.
_IS_NODE: dict[type, bool] = {}


def _is_node(kind: type) -> bool:
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Child nodes that carry meaning (no whitespace, commas or parentheses), in field order."""
    for name in _fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            for item in value:
                if _is_node(type(item)):
                    yield item
        elif _is_node(kind):
            yield value


Handler = Callable[[Context, "cst.CSTNode"], None]


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

    def run(self, module: cst.Module) -> None:
        ctx = self.ctx
        for stmt in module.body:
            if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
                ctx.defined.add(stmt.name.value)
        self.walk(module)

    def _dispatch(self, table: dict[type, list[tuple[type, Handler]]], node: cst.CSTNode) -> None:
        handlers = table.get(type(node))
        if handlers:
            ctx = self.ctx
            for rule, handler in handlers:
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
            ctx.bind(node.target, node.iter, node)  # type: ignore[attr-defined]
        self._dispatch(self.visitors, node)
        ctx.parents.append(node)
        if kind is cst.If:
            self._walk_if(node)  # type: ignore[arg-type]
        else:
            for child in children(node):
                self.walk(child)
        ctx.parents.pop()
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
        elif kind is cst.AugAssign:
            target = node.target  # type: ignore[attr-defined]
            if isinstance(target, cst.Name):
                added = ctx.taint(node.value)  # type: ignore[attr-defined]
                if added is not None:
                    ctx.scope.taint[target.value] = added.via(target.value, node)
        elif kind is cst.NamedExpr:
            ctx.bind(node.target, node.value, node)  # type: ignore[attr-defined]
        elif kind is cst.WithItem:
            if node.asname is not None:  # type: ignore[attr-defined]
                ctx.bind_with(node)  # type: ignore[arg-type]
        elif kind is cst.Call:
            self._mutation(node)  # type: ignore[arg-type]

    def _mutation(self, call: cst.Call) -> None:
        """`items.append(x)`: the container now holds x's taint."""
        func = call.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in ("append", "extend", "add", "update", "insert", "appendleft", "setdefault")
            and isinstance(func.value, cst.Name)
        ):
            for arg in call.args:
                self.ctx._contaminate(func.value, arg.value, call)

    def _walk_if(self, node: cst.If) -> None:
        ctx = self.ctx
        self.walk(node.test)
        checked = guard(ctx, node.test)
        saved: Taint | None = None
        if checked is not None and checked[2]:
            saved = ctx._lookup(checked[0])
            if saved is not None:
                ctx.scope.taint[checked[0]] = saved.clean(checked[1]) or dataclasses.replace(saved, cleared=ALL_KINDS)
        self.walk(node.body)
        if saved is not None and checked is not None:
            ctx.scope.taint[checked[0]] = saved
        if node.orelse is not None:
            self.walk(node.orelse)
        if checked is not None and not checked[2] and terminates(node.body):
            current = ctx._lookup(checked[0])
            if current is not None:
                ctx.scope.taint[checked[0]] = current.clean(checked[1]) or dataclasses.replace(
                    current, cleared=ALL_KINDS
                )
