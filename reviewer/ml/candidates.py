"""Finding the classifier's candidates.

Secrets: every string literal of a Python file (through CPython's `ast`, which is fast and needs no libcst)
with the name it is bound to, the call around it and the words near it; and the values of YAML, JSON, INI
and .env files, line by line. Injection: every call a taint rule treats as a sink, found by walking the
file with the reviewer's own engine and rules, so the features see exactly the taint the rules see.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from codeward.reviewer.ml.features import CREDENTIAL_NAME, PROVIDER_HINT, SecretCandidate, SinkCandidate, words

MIN_LENGTH = 6
MAX_LENGTH = 1000
_LOWER_WORDS = re.compile(r"[a-z_.:\-]+")
_SHORT_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,19}")
_CODE_CHARS = re.compile(r"[(){}\[\]<>]|::")
# An Authorization header's value: a scheme word and one token.
_SCHEME_VALUE = re.compile(r"(?:Bearer|Basic|Token|token|Bot|Key|Digest|AWS4-HMAC-SHA256)\s\S{8,}")


# Names saying the value identifies a credential rather than being one: `SecretId`, `secret_name`, `token_path`,
# `password_field` (judged false on real code: a Secrets Manager secret's name bound to `SecretId`).
_IDENTIFIES = re.compile(
    r"(?:^|_)(?:id|ids|name|names|arn|arns|path|file|filename|field|header|param|parameter|env|var|label|"
    r"prefix|ref|reference)$"
)
_AWS_UNIQUE_ID = re.compile(r"(?:AIDA|AROA|AGPA|AIPA|ANPA|ANVA|ASCA|APKA)[A-Z2-7]{12,20}")


# The context of a candidate is the text around it on its line, at most this many characters each side:
# every ordinary line whole, and a bounded amount per candidate on a hostile one (thousands of literals on
# one megabyte line would otherwise cost memory with the square of their count).
WINDOW = 240


def window(line: str, start: int, end: int) -> str:
    """`line` without `line[start:end]`, cut to WINDOW characters each side of the gap."""
    return line[max(0, start - WINDOW) : start] + line[end : end + WINDOW]


def worth_scoring(value: str, name: str) -> bool:
    """Literals that cannot be credentials are not candidates: short ones, prose (whitespace; a private key
    block and an Authorization value excepted), and, unless bound to a credential-like name or in a known
    token format, words, short identifiers, markup and plain URLs."""
    n = len(value)
    if n < MIN_LENGTH:
        return False
    if "PRIVATE KEY-----" in value:
        return True
    if n > MAX_LENGTH:
        return False
    if _AWS_UNIQUE_ID.fullmatch(value):
        return False  # the unique id of an IAM user, role or group (`AIDA...`, `AROA...`): it grants nothing
    if " " in value or "\n" in value or "\t" in value:
        return bool(_SCHEME_VALUE.fullmatch(value))
    if PROVIDER_HINT.search(value):
        return True
    if _IDENTIFIES.search(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()):
        return False
    if CREDENTIAL_NAME.search(name.lower()):
        return True
    # Unbound, these are code, not credentials: words and short identifiers (`float64`, `LogisticRegression`),
    # markup and templates, URLs without user information.
    if _LOWER_WORDS.fullmatch(value) or _SHORT_IDENTIFIER.fullmatch(value) or _CODE_CHARS.search(value):
        return False
    return not (value.startswith(("http://", "https://")) and "@" not in value)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    if isinstance(node, ast.Subscript):
        return _dotted(node.value)
    return ""


def _target_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        return _dotted(node.value)
    return ""


class _Collector:
    """Walks an `ast` tree carrying the binding (name, call) down to each string constant."""

    def __init__(self, path: str, lines: list[str], file_kind: str = "python") -> None:
        self.path = path
        self.lines = lines
        self.file_kind = file_kind
        self.out: list[SecretCandidate] = []

    def constant(self, node: ast.Constant, name: str, call: str, compared: bool) -> None:
        value = node.value
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if not isinstance(value, str) or not worth_scoring(value, name):
            return
        line = node.lineno
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        # ast columns count UTF-8 bytes; codeward's count code points.
        column = len(text.encode("utf-8")[: node.col_offset].decode("utf-8", "replace")) + 1
        end_line = node.end_lineno or line
        end_text = self.lines[end_line - 1] if 0 < end_line <= len(self.lines) else ""
        end_column = len(end_text.encode("utf-8")[: node.end_col_offset or 0].decode("utf-8", "replace")) + 1
        context = window(text, column - 1, end_column - 1 if end_line == line else len(text))
        above = self.lines[line - 2].strip()[:WINDOW] if line >= 2 else ""
        if above.startswith("#"):
            context = above + "\n" + context
        self.out.append(
            SecretCandidate(
                value, name, call, self.path, line, column, end_line, end_column, context, self.file_kind, compared
            )
        )

    def walk(self, node: ast.AST, name: str = "", call: str = "", compared: bool = False) -> None:
        # Exact node types (CPython's parser builds no subclasses), tested most frequent first; the children of
        # other nodes read from `_fields` directly: this walk sees every node of every file with candidates.
        kind = type(node)
        if kind is ast.Constant:
            self.constant(node, name, call, compared)  # type: ignore[arg-type]
            return
        if kind in _PLAIN:
            for field in node._fields:
                value = getattr(node, field, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, ast.AST):
                            self.walk(item, name, call, compared)
                elif isinstance(value, ast.AST):
                    self.walk(value, name, call, compared)
            return
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return  # docstrings and bare strings
        if isinstance(node, ast.Assign):
            target = _target_name(node.targets[0])
            for t in node.targets:
                self.walk(t)
            self.walk(node.value, target, "", False)
            return
        if isinstance(node, ast.AnnAssign | ast.AugAssign):
            if node.value is not None:
                self.walk(node.value, _target_name(node.target), "", False)
            return
        if isinstance(node, ast.NamedExpr):
            self.walk(node.value, _target_name(node.target), "", False)
            return
        if isinstance(node, ast.Call):
            func = _dotted(node.func)
            self.walk(node.func)
            first = node.args[0] if node.args else None
            key = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
            lookup = func.rsplit(".", 1)[-1] in ("get", "getenv", "setdefault", "pop", "get_secret", "getattr")
            for index, arg in enumerate(node.args):
                self.walk(arg, key if lookup and index > 0 else name, func, False)
            for keyword in node.keywords:
                self.walk(keyword.value, keyword.arg or name, func, False)
            return
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is not None:
                    self.walk(key, "", call, False)
                label = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else name
                self.walk(value, label, call, False)
            return
        if isinstance(node, ast.Compare):
            other = _target_name(node.left) or _dotted(node.left)
            self.walk(node.left, name, call, compared)
            for comparator in node.comparators:
                self.walk(comparator, other or name, call, True)
            return
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            for arg, default in zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True):
                self.walk(default, arg.arg, "", False)
            for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
                if default is not None:
                    self.walk(default, arg.arg, "", False)
            if isinstance(node, ast.Lambda):
                self.walk(node.body, name, call, False)
                return
            for decorator in node.decorator_list:
                self.walk(decorator)
            for stmt in node.body:
                if isinstance(stmt, ast.Return) and stmt.value is not None:
                    self.walk(stmt.value, node.name, "", False)
                else:
                    self.walk(stmt)
            return
        if isinstance(node, ast.Subscript):
            self.walk(node.value, name, call, compared)
            self.walk(node.slice, "", _dotted(node.value) + "[]", compared)
            return
        if isinstance(node, ast.keyword):
            self.walk(node.value, node.arg or name, call, compared)
            return
        for child in ast.iter_child_nodes(node):
            self.walk(child, name, call, compared)


# Nodes the walk handles only by walking their children: every ast class but those `walk` tests by name.
_PLAIN = frozenset(
    kind
    for kind in vars(ast).values()
    if isinstance(kind, type)
    and issubclass(kind, ast.AST)
    and not issubclass(
        kind,
        (ast.Constant, ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.Call, ast.Dict,
         ast.Compare, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Subscript, ast.keyword),
    )
)  # fmt: skip


# A quoted run of text without quotes, backslashes or line breaks: what most literals look like in the source.
_QUOTED = re.compile(r"""(['"])([^'"\\\n]{6,1000})\1""")


# A literal bound to a credential-like name: `password = "..."`, `"api_key": "..."`, `token="..."`.
_BOUND_LITERAL = re.compile(r"(?:pass|pwd|secret|token|key|credential|auth)[a-z0-9_]*['\"]?[ \t]*[:=][ \t]*[rbu]*['\"]")


def may_hold_candidates(text: str) -> bool:
    """A cheap look at the raw text: can any literal of this file be a candidate? Most files answer no
    without being parsed. (Literals with backslash escapes are seen only through the parse.)"""
    if "PRIVATE KEY-----" in text:
        return True
    bound = "password" if _BOUND_LITERAL.search(text.lower()) else ""
    return any(worth_scoring(m.group(2), bound) for m in _QUOTED.finditer(text))


def python_secret_candidates(path: str, text: str, tree: ast.AST | None = None) -> list[SecretCandidate]:
    """Every string literal worth scoring, or [] when the file does not parse (the reviewer reports that)."""
    if tree is None:
        if not may_hold_candidates(text):
            return []
        from codeward.reviewer import pyast

        try:
            tree = pyast.parse(text, path)  # the review's pre-check parsed it already
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []
    collector = _Collector(path, text.split("\n"))
    try:
        collector.walk(tree)
    except RecursionError:
        return collector.out
    return collector.out


# ---------------------------------------------------------------------------------------------------
# Configuration and other text files: `KEY=value`, `key: value`, `"key": "value"`, `key = value`.

_KEY_VALUE = re.compile(
    r"""^\s*(?:export\s+|-\s+)?["']?(?P<key>[A-Za-z_][\w.\-]*)["']?\s*(?::|=)\s*(?P<q>["']?)(?P<value>[^"'\s#,]+)(?P=q)"""
)
_TOKENISH = re.compile(r"[A-Za-z0-9+/=_\-.]{16,}")


def file_kind(path: str) -> str:
    lower = path.lower()
    if lower.endswith((".yml", ".yaml")):
        return "yaml"
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".ini", ".cfg", ".conf", ".toml", ".properties")):
        return "ini"
    if lower.rsplit("/", 1)[-1].startswith(".env") or lower.endswith(".env"):
        return "env"
    return "text"


def text_secret_candidates(path: str, text: str) -> list[SecretCandidate]:
    kind = file_kind(path)
    out: list[SecretCandidate] = []
    previous = ""
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//", ";")):
            previous = stripped
            continue
        match = _KEY_VALUE.match(line)
        spans: list[tuple[str, int, int]] = []
        if match is not None:
            spans.append((match.group("key"), match.start("value"), match.end("value")))
        else:
            spans += [("", m.start(), m.end()) for m in _TOKENISH.finditer(line)]
        for key, start, end in spans:
            value = line[start:end]
            if not worth_scoring(value, key):
                continue
            context = window(line, start, end)
            if previous.startswith("#"):
                context = previous[:WINDOW] + "\n" + context
            out.append(SecretCandidate(value, key, "", path, number, start + 1, number, end + 1, context, kind))
        previous = stripped
    return out


# ---------------------------------------------------------------------------------------------------
# Injection: sink calls, through the reviewer's engine.

_VALIDATION_WORDS = re.compile(r"(?i)valid|check|sanitiz|clean|allow|verify|safe|whitelist|permitted|ensure|assert")
_ESCAPE_WORDS = re.compile(r"(?i)quote|escape|sanitiz|clean|safe")
_CAST_CALLS = frozenset({"int", "float", "bool", "UUID", "uuid.UUID", "Decimal", "abs", "len"})
_FRAMEWORK_IMPORTS = (("flask", "flask"), ("quart", "flask"), ("django", "django"), ("rest_framework", "django"),
                      ("fastapi", "fastapi"), ("starlette", "fastapi"))  # fmt: skip


def _names(node: Any, cst: Any, out: list[str]) -> None:
    """Identifier names in an expression (not attribute names, not call names)."""
    if isinstance(node, cst.Name):
        out.append(node.value)
        return
    if isinstance(node, cst.Attribute):
        _names(node.value, cst, out)
        return
    if isinstance(node, cst.Call):
        if isinstance(node.func, cst.Attribute):
            _names(node.func.value, cst, out)
        for arg in node.args:
            _names(arg.value, cst, out)
        return
    from codeward.reviewer.engine import children

    for child in children(node):
        _names(child, cst, out)


def _builds(node: Any, cst: Any) -> tuple[str, int, bool, bool]:
    """(how the expression was built, how many string-building operations it has, an escaping call in it,
    a cast in it)."""
    from codeward.reviewer.engine import children, method_name

    nested = 0
    escape = cast = False
    stack = [node]
    while stack:
        item = stack.pop()
        if (
            isinstance(item, cst.FormattedString)
            and any(isinstance(p, cst.FormattedStringExpression) for p in item.parts)
        ) or (isinstance(item, cst.BinaryOperation) and isinstance(item.operator, cst.Add | cst.Modulo)):
            nested += 1
        elif isinstance(item, cst.Call):
            method = method_name(item) or ""
            func = item.func.attr.value if isinstance(item.func, cst.Attribute) else getattr(item.func, "value", "")
            if method in ("format", "join"):
                nested += 1
            if isinstance(func, str) and _ESCAPE_WORDS.search(func):
                escape = True
            if isinstance(func, str) and func in _CAST_CALLS:
                cast = True
        stack.extend(children(item))
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        build = "literal"
    elif isinstance(node, cst.FormattedString):
        build = "fstring" if any(isinstance(p, cst.FormattedStringExpression) for p in node.parts) else "literal"
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        build = "percent"
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        build = "concat"
    elif isinstance(node, cst.Call) and method_name(node) == "format":
        build = "format"
    elif isinstance(node, cst.Call) and method_name(node) == "join":
        build = "join"
    elif isinstance(node, cst.Name):
        build = "variable"
    elif isinstance(node, cst.Call):
        build = "call"
    elif isinstance(node, cst.Attribute | cst.Subscript):
        build = "attribute"
    else:
        build = "other"
    return build, nested, escape, cast


class _State:
    """Per-file facts the recorder gathers during the walk."""

    def __init__(self) -> None:
        # (id of the function's node, name) -> last value. The node, not the engine's Scope object: a Scope dies with
        # its function and a later function's Scope may take its id (and these facts), which made the features
        # depend on what the process had allocated before.
        self.assigned: dict[tuple[int, str], Any] = {}
        self.validated: set[tuple[int, str]] = set()
        self.allow_listed: set[tuple[int, str]] = set()
        self.found: list[tuple[Any, SinkCandidate, bool]] = []  # (call node, candidate, the rule reports it)
        self.framework = "none"
        # id of an assigned value -> (_builds of it, its names): every sink that uses the variable asks, and a
        # large value walked once per sink made a file with thousands of sinks quadratic.
        self.value_facts: dict[int, _ValueFacts] = {}

    def facts(self, node: Any, cst: Any) -> _ValueFacts:
        found = self.value_facts.get(id(node))
        if found is None:
            from codeward.reviewer.rules._base import host_is_fixed, literal_prefix

            names: list[str] = []
            _names(node, cst, names)
            found = _ValueFacts(_builds(node, cst), names, literal_prefix(node), host_is_fixed(node))
            self.value_facts[id(node)] = found
        return found


@dataclass(frozen=True)
class _ValueFacts:
    """What the features read of an assigned value."""

    builds: tuple[str, int, bool, bool]
    names: list[str]
    prefix: str | None
    fixed_host: bool


def _recorder_rules(rule_types: tuple[type, ...]) -> tuple[dict[type, list], dict[type, list]]:
    """Dispatch tables: every taint rule's sink matching, recording instead of reporting."""
    from codeward.reviewer.engine import dotted
    from codeward.reviewer.lazy import cst
    from codeward.reviewer.rules._base import TaintSink

    visitors: dict[type, list] = {}
    leavers: dict[type, list] = {}

    def scope_key(ctx: Any) -> int:
        return id(ctx.scope.node)

    def leave_assign(ctx: Any, node: Any) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                ctx.shared["ml"].assigned[(scope_key(ctx), target.target.value)] = node.value

    def visit_call(ctx: Any, node: Any) -> None:
        state: _State = ctx.shared["ml"]
        name = ctx.call_name(node) or dotted(node.func) or ""
        if _VALIDATION_WORDS.search(name.rsplit(".", 1)[-1]):
            for arg in node.args:
                found: list[str] = []
                _names(arg.value, cst, found)
                state.validated.update((scope_key(ctx), n) for n in found)

    def visit_comparison(ctx: Any, node: Any) -> None:
        if len(node.comparisons) == 1 and isinstance(node.comparisons[0].operator, cst.In | cst.NotIn):
            found: list[str] = []
            _names(node.left, cst, found)
            ctx.shared["ml"].allow_listed.update((scope_key(ctx), n) for n in found)

    visitors[cst.Call] = [(None, visit_call)]
    visitors[cst.Comparison] = [(None, visit_comparison)]
    leavers[cst.Assign] = [(None, leave_assign)]

    for rule_type in rule_types:
        if not issubclass(rule_type, TaintSink):
            continue
        rule = rule_type()
        for attr in dir(rule_type):
            if not attr.startswith(("visit_", "leave_")):
                continue
            table = visitors if attr.startswith("visit_") else leavers
            wrapped = _wrap(rule, getattr(rule, attr), attr == "visit_Call")
            table.setdefault(getattr(cst, attr[6:]), []).append((rule_type, wrapped))
    return visitors, leavers


def _sink_expr(ctx: Any, rule: Any, node: Any) -> tuple[Any, str] | None:
    """(the argument a sink call's rule looks at, the sink's label), or None if the call is not its sink."""
    from codeward.reviewer.engine import dotted
    from codeward.reviewer.lazy import cst

    name = ctx.call_name(node)
    spec = rule.calls.get(name)
    label = name
    if spec is None:
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        spec = rule.methods.get(method) if method is not None else None
        if spec is None or not rule.receiver_ok(ctx, node, name):
            if rule.code == "CWR116":
                from codeward.reviewer.rules.injection import is_logging_call

                args = [a.value for a in node.args if a.keyword is None and not a.star]
                if args and is_logging_call(ctx, node):
                    return (args[1] if len(args) > 1 else args[0]), dotted(node.func) or ""
            return None
        label = dotted(node.func) or method or ""
    if not rule.applies(ctx, node, name):
        return None
    exprs = rule.sink_expressions(ctx, node, spec)
    if not exprs:
        return None
    for expr in exprs:
        if ctx.taint(expr, rule.kind) is not None:
            return expr, label
    return exprs[0], label


def _wrap(rule: Any, handler: Any, is_call: bool) -> Any:
    """Run a taint rule's own handler; what it reports is a candidate the rule flags, and a sink call it does
    not report is a candidate it lets through."""
    from codeward.reviewer.engine import dotted
    from codeward.reviewer.lazy import cst

    def run(ctx: Any, node: Any) -> None:
        state: _State = ctx.shared["ml"]
        before = len(ctx.pending)
        handler(ctx, node)
        reported = ctx.pending[before:]
        del ctx.pending[before:]
        if isinstance(node, cst.Return):
            if reported and node.value is not None:
                state.found.append((node, _sink_candidate(ctx, rule, node, "return", node.value, state), True))
            return
        if not is_call:
            if reported:
                for pending in reported:
                    target = pending.node
                    expr = target.args[0].value if isinstance(target, cst.Call) and target.args else node
                    state.found.append((target, _sink_candidate(ctx, rule, target, "", expr, state), True))
            return
        sink = _sink_expr(ctx, rule, node)
        if sink is None and not reported:
            return
        if sink is None:
            args = [a.value for a in node.args]
            sink = (next((a for a in args if ctx.taint(a, rule.kind) is not None), args[0] if args else node),
                    dotted(node.func) or "")  # fmt: skip
        state.found.append((node, _sink_candidate(ctx, rule, node, sink[1], sink[0], state), bool(reported)))

    return run


def _sink_candidate(ctx: Any, rule: Any, node: Any, label: str, expr: Any, state: _State) -> SinkCandidate:
    from codeward.reviewer.engine import kwarg
    from codeward.reviewer.lazy import cst
    from codeward.reviewer.rules._base import host_is_fixed, literal_prefix

    scope = ctx.scope
    key = id(scope.node)
    resolved = expr
    if isinstance(expr, cst.Name) and (key, expr.value) in state.assigned:
        resolved = state.assigned[(key, expr.value)]
    build, nested, escape, cast = _builds(expr, cst)
    value = state.facts(resolved, cst) if resolved is not expr else None
    if build == "variable" and value is not None:
        inner, inner_nested, escape2, cast2 = value.builds
        build = inner if inner not in ("variable", "other") else build
        nested += inner_nested
        escape, cast = escape or escape2, cast or cast2
    taint = ctx.taint(expr)
    kind = rule.kind
    names: list[str] = []
    _names(expr, cst, names)
    if value is not None:
        names += value.names
    function = ctx.function
    if scope.route:
        role = "route"
    elif scope.handler:
        role = "lambda"
    elif function is not None and (function.name.value.startswith("test") or "test" in ctx.path.lower()):
        role = "test"
    elif function is not None and function.name.value.startswith("_"):
        role = "private"
    elif function is not None:
        role = "public"
    else:
        role = "module"
    framework = state.framework
    if scope.handler:
        framework = "lambda"
    function_words = list(words(function.name.value)) if function is not None else []
    function_words += [w for p in scope.params for w in words(p)]
    prefix = literal_prefix(expr) or (value.prefix if value is not None else None) or ""
    args = node.args if isinstance(node, cst.Call) else ()
    by_keyword = any(arg.keyword is not None and arg.value is expr for arg in args)
    shell = kwarg(node, "shell") if isinstance(node, cst.Call) else None
    return SinkCandidate(
        code=rule.code,
        kind=kind,
        sink=label,
        build=build,
        nested=nested,
        tainted=taint is not None,
        sanitized_for_kind=taint is not None and kind in taint.cleared,
        sanitized_other=taint is not None and bool(taint.cleared - {kind}),
        steps=len(taint.steps) if taint is not None else 0,
        source=taint.source if taint is not None else "",
        role=role,
        framework=framework,
        fixed_prefix=host_is_fixed(expr)
        or (value is not None and value.fixed_host)
        or (kind == "command" and bool(prefix.strip())),
        param_in_arg=any(n in scope.params for n in names),
        arg_names=sorted({w for n in names for w in words(n)})[:12],
        function_words=function_words[:12],
        validation_call=any((key, n) in state.validated for n in names),
        allow_list=any((key, n) in state.allow_listed for n in names),
        keyword_arg=by_keyword,
        bound_params=len(args) >= 2 and kind in ("sql", "nosql"),
        shell_true=shell is not None and getattr(shell.value, "value", "") == "True",
        path=ctx.path,
        line=0,
        column=0,
        escape_call=escape,
        cast_call=cast,
        constant_only=bool(names) and all(n.isupper() for n in names),
    )


def sink_candidates(path: str, text: str, codes: frozenset[str] | None = None) -> list[tuple[SinkCandidate, bool]]:
    """(candidate, whether the rule reports it) for every sink call of the taint rules (`codes`: only those),
    with positions; [] when the file does not parse."""
    import libcst as cst
    from codeward.reviewer.engine import Context, Walker
    from codeward.reviewer.positions import positions
    from codeward.reviewer.rules import all_rules

    rules = tuple(r for r in all_rules() if codes is None or r.code in codes)
    try:
        from codeward.reviewer.parse import parse_module

        module = parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return []
    ctx = Context(path, text, module)
    state = _State()
    for head, framework in _FRAMEWORK_IMPORTS:
        if re.search(rf"^\s*(?:from|import)\s+{head}\b", text, re.M):
            state.framework = framework
            break
    ctx.shared["ml"] = state
    visitors, leavers = _recorder_rules(rules)
    try:
        Walker(ctx, visitors, leavers).run(module)
    except RecursionError:
        return []
    where = positions(module, [node for node, _, _ in state.found])
    out = []
    for node, candidate, fires in state.found:
        span = where.get(id(node))
        if span is not None:
            candidate.line, candidate.column = span.line, span.column
            out.append((candidate, fires))
    return out
