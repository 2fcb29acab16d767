"""The analysis of one function (or module, or class body): a forward data-flow fixed point over its CFG.

Facts are environments (variable -> abstract value). They merge where paths join (taint united, constants kept
only where they agree), loops run to a fixed point (with widening after a few rounds), and branch edges refine
what they test (allow-lists, validators, early exits). Calls use, in order: the models (sources, sanitizers,
clean results, containers and strings), the summaries of the project's own functions, and otherwise pass
their arguments' taint to the result: an unknown call never cleans data.

Parameters start as symbolic labels ("parameter 1"), so one analysis serves both the rules' questions (which
sources reach here?) and the function's summary (which parameters reach the return value, `self`, a sink?).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import libcst as cst
from codeward.reviewer.dataflow import fold
from codeward.reviewer.dataflow.cfg import CFG, LIBCST, build_cfg, element_key
from codeward.reviewer.dataflow.nodes import children
from codeward.reviewer.dataflow.values import (
    ALL_KINDS,
    CLEAN,
    MAX_DEPTH,
    MAX_FIELDS,
    UNKNOWN,
    Flow,
    Label,
    Value,
    const,
    join,
    merge_flows,
    prefer_flows,
    same,
    truthy,
    widen,
    with_implied,
)

if TYPE_CHECKING:
    from codeward.reviewer.dataflow.module import ModuleInfo

Env = dict[str, Value]

MAX_VISITS = 12  # per block, before values are widened
MAX_PATH = 3  # access-path length kept on parameter labels
_ITER = "<iter:{}>"

# Methods whose result is a boolean or a number: they carry nothing from the receiver.
BOOL_METHODS = frozenset(
    ["startswith", "endswith", "isdigit", "isalnum", "isalpha", "isnumeric", "isdecimal", "isidentifier",
     "isspace", "islower", "isupper", "isascii", "isprintable", "istitle", "count", "find", "rfind", "index",
     "rindex", "__len__", "exists", "is_file", "is_dir", "is_absolute", "is_relative_to", "match_hostname"]
)  # fmt: skip
# String methods that return a transformed copy of the receiver (taint and prefix kept when known).
_STR_COPY = frozenset(
    ["strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold", "swapcase", "encode",
     "decode", "expandtabs", "zfill", "center", "ljust", "rjust", "removeprefix", "removesuffix", "translate",
     "format_map", "__str__", "normalize"]
)  # fmt: skip
_SPLIT = frozenset({"split", "rsplit", "splitlines", "partition", "rpartition"})
_READ_ALL = frozenset({"getvalue", "read", "readline", "readlines", "values", "copy", "get_json"})
_ADD_ONE = {"append": 0, "appendleft": 0, "add": 0, "insert": 1, "put": 0, "put_nowait": 0, "push": 0}
_ADD_MANY = frozenset({"extend", "extendleft", "writelines"})
_URL_PARTS = frozenset({"netloc", "hostname", "scheme", "port", "username"})
_HOST_PARTS = frozenset({"netloc", "hostname"})
# What a URL's parts (`_URL_PARTS`) decide, and what a check that pins the host to one domain clears.
_HOST_KINDS = frozenset({"ssrf", "redirect"})
_MAX_ALIAS_HOPS = 4
_PATH_TYPE = "path:normalized"
# A service name as boto3.client takes it ("s3", "discovery", "cognito-idp"); a URL or a sentence is not one.
_SDK_SERVICE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
# Values that are AWS SDK clients (boto3's constructors are modelled clean; a wrapper's `client("s3")` is one too).
_SDK_CLIENTS = frozenset({"boto3.client()", "boto3.resource()"})
_FIXED_HOST = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/{}\s]+/|/[^/\\])")
# Dangerous characters of each sink kind: a check that rejects the value when it holds one clears the kind.
_BLOCKED = (
    ("..", frozenset({"path-dots"})),  # enough unless the value is joined after a base (an absolute path escapes)
    ("'", frozenset({"sql", "xpath"})),
    ('"', frozenset({"sql", "xpath"})),
    ("<", frozenset({"xss"})),
    (">", frozenset({"xss"})),
    ("\n", frozenset({"log", "header"})),
    ("\r", frozenset({"log", "header"})),
    (";", frozenset({"command", "sql"})),
    ("|", frozenset({"command"})),
    ("&", frozenset({"command"})),
    ("`", frozenset({"command"})),
    ("$", frozenset({"command"})),
    ("(", frozenset({"ldap"})),
    ("*", frozenset({"ldap"})),
    ("{", frozenset({"template"})),
    ("://", frozenset({"ssrf", "redirect"})),
    ("//", frozenset({"redirect"})),
)


def label_step(flows: tuple[Flow, ...], step: object) -> tuple[Flow, ...]:
    """Reading part of a value: parameter labels extend their access path, sources stay as they are."""
    out = []
    for flow in flows:
        label = flow.label
        if label.kind == "param" and len(label.path) < MAX_PATH:
            flow = Flow(label.extended(step), flow.cleared, flow.steps)
        out.append(flow)
    return tuple(out)


# The mark of a value that went through a function whose name says it quotes SQL (`sql_quoting_name`).
SQL_QUOTED = frozenset({"sql-quoted"})
# Quoting functions of other trades: a URL's, a shell's, HTML's or a regular expression's quoting is no SQL quoting.
_NOT_SQL_QUOTING = ("urllib.", "shlex.", "pipes.", "html.", "cgi.", "markupsafe.", "re.", "xml.", "json.",
                    "jinja2.", "django.utils.html.", "email.", "requests.")  # fmt: skip
# Words that name what else a quoting function is for (`shell_quote`, `url_escape`, `quote_plus`).
_OTHER_TRADES = frozenset({"shell", "cmd", "arg", "args", "url", "uri", "html", "xml", "js", "json", "regex", "re",
                           "path", "plus", "csv", "yaml", "markdown", "md", "latex", "tex", "header"})  # fmt: skip
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def sql_quoting_name(ref: str | None, last: object) -> bool:
    """Whether a callee's name says it quotes or escapes a value for SQL: the word quote or escape joined to
    another word (`escape_sqlite`, `quote_identifier`, `quote_name`, `sql_escape`, `escapeIdentifier`), or
    `identifier` alone (awswrangler's `identifier(name, sql_mode=...)`); not a bare `quote`/`escape` (urllib's,
    HTML's), not `unquote`, and not a function of a module whose quoting is for something else
    (`urllib.parse.quote_plus`, `re.escape`)."""
    if not isinstance(last, str) or (ref is not None and ref.startswith(_NOT_SQL_QUOTING)):
        return False
    words = [w.lower() for w in _WORDS.findall(last)]
    if words in (["identifier"], ["quote", "ident"]):
        return True
    if any(w in _OTHER_TRADES for w in words):
        return False
    return len(words) > 1 and any(w in ("quote", "escape", "quoted", "escaped") for w in words)


def clean_flows(flows: tuple[Flow, ...], kinds: frozenset[str]) -> tuple[Flow, ...]:
    """Sanitised for `kinds`; predictable randomness is not made unpredictable by any sanitiser."""
    out = []
    for flow in flows:
        if flow.label.family != "input":
            out.append(flow)
            continue
        cleaned = flow.clean(kinds)
        if cleaned is not None:
            out.append(cleaned)
    return tuple(out)


def _constructed(instance: Value, klass: cst.ClassDef, args: list[Arg]) -> Value:
    """An instance of a project class without an `__init__` of its own (a dataclass, a pydantic model, a
    NamedTuple, or a subclass of a library class): keyword arguments become the attributes they name,
    positional ones the class's annotated fields in order, and what cannot be placed (`**request.json`, an
    argument past the known fields) is data of the whole instance, as for any call the analysis cannot see."""
    names = [
        stmt.body[0].target.value
        for stmt in klass.body.body
        if isinstance(stmt, cst.SimpleStatementLine)
        and isinstance(stmt.body[0], cst.AnnAssign)
        and isinstance(stmt.body[0].target, cst.Name)
    ]
    flows: tuple[Flow, ...] = ()
    position = 0
    for arg in args:
        if arg.star == "**":
            for key, item in arg.value.fields:
                if isinstance(key, str) and not key.startswith("."):
                    instance = instance.with_field("." + key, item)
            flows = merge_flows(flows, arg.value.flows)
            if arg.value.rest is not None:
                flows = merge_flows(flows, arg.value.rest.deep_flows())
        elif arg.keyword is not None:
            instance = instance.with_field("." + arg.keyword, arg.value)
        elif not arg.star and position < len(names):
            instance = instance.with_field("." + names[position], arg.value)
            position += 1
        else:
            flows = merge_flows(flows, arg.value.deep_flows())
    return instance.with_flows(flows) if flows else instance


def _cleaned(value: Value, kinds: frozenset[str], depth: int = 0) -> Value:
    """`value` sanitised for `kinds`, its fields and elements with it."""
    flows = clean_flows(value.flows, kinds)
    if depth > MAX_DEPTH or (not value.fields and value.rest is None):
        return value if flows == value.flows else value.with_flows(flows)
    fields = tuple((key, _cleaned(item, kinds, depth + 1)) for key, item in value.fields)
    rest = _cleaned(value.rest, kinds, depth + 1) if value.rest is not None else None
    return replace(value, flows=flows, fields=fields, rest=rest)


def _mark_cleared(flows: tuple[Flow, ...], kinds: frozenset[str]) -> tuple[Flow, ...]:
    """Like `clean_flows`, but sources cleared of every kind are kept (marked cleared), not dropped."""
    out = []
    for flow in flows:
        if flow.label.family == "input" and flow.label.kind == "source":
            out.append(Flow(flow.label, with_implied(flow.cleared | kinds), flow.steps))
        elif flow.label.family != "input":
            out.append(flow)
        else:
            cleaned = flow.clean(kinds)
            if cleaned is not None:
                out.append(cleaned)
    return tuple(out)


def keep_random(flows: tuple[Flow, ...]) -> tuple[Flow, ...]:
    return tuple(f for f in flows if f.label.family != "input")


_PERCENT_NAME = re.compile(r"%\(([^)]*)\)")


def _percent_names(text: Any) -> frozenset[str] | None:
    """The keys a constant %-format reads from its mapping (`"%(d)s"`), or None when it names none."""
    if not isinstance(text, str):
        return None
    names = frozenset(_PERCENT_NAME.findall(text))
    return names or None


def _format_names(text: Any) -> frozenset[str] | None:
    """The names a constant `str.format` text reads from its keywords (`"{d}"`, `"{d.x}"`, `"{d[0]}"`; numbered
    and automatic fields are positional), or None when the text is not constant or does not parse."""
    if not isinstance(text, str):
        return None
    import string

    names: set[str] = set()
    try:
        for _, field_name, _, _ in string.Formatter().parse(text):
            if field_name:
                root = re.split(r"[.\[]", field_name, maxsplit=1)[0]
                if root and not root.isdigit():
                    names.add(root)
    except ValueError:
        return None
    return frozenset(names)


def _named_flows(mapping: Value, names: frozenset[str]) -> tuple[Flow, ...]:
    """What a format reading keys `names` takes from a mapping: the keys it names, the mapping's own data and
    its unknown keys; not another constant key's value."""
    flows = mapping.flows
    if mapping.rest is not None:
        flows = merge_flows(flows, mapping.rest.deep_flows())
    for key, value in mapping.fields:
        if not isinstance(key, str) or key in names or key.startswith("."):
            flows = merge_flows(flows, value.deep_flows())
    return flows


# A parameter (by index), at an access path (`()`: the argument itself, `(".name",)`: its attribute), known safe
# for some sink kinds: after the call returns normally (a validator that raises), or when its result is true or
# false (a predicate).
Check = tuple[int, tuple[object, ...], frozenset[str]]


@dataclass(slots=True)
class Summary:
    """What a call to the function does, in terms of its parameters."""

    ret: Value = CLEAN
    self_out: Value | None = None
    # (kind, flow from a parameter or a source inside, what the sink is, the call here that reaches it (the sink,
    # or a wrapper's call), module path, the wrappers further in: (name, (module, call)) each, the sink's last)
    sinks: list[tuple[str, Flow, str, object, str, tuple]] = field(default_factory=list)
    # What every normal return guarantees about the arguments (`if re.search(r"[^a-z]", s): raise`).
    checks: tuple[Check, ...] = ()


@dataclass(slots=True)
class Arg:
    value: Value
    keyword: str | None
    star: str
    node: cst.BaseExpression


class Analysis:
    """A function's, module's or class body's fixed point, and the evaluator its transfer functions use."""

    def __init__(
        self,
        info: ModuleInfo,
        node: cst.CSTNode,
        parent: Analysis | None,
        def_key: int | None,
        light: bool = False,
    ) -> None:
        self.info = info
        self.node = node
        self.parent = parent
        self.def_key = def_key
        self.light = light  # module-level globals: calls into project functions are not followed
        self.models = info.models
        self.pre: dict[int, Env] = {}
        self.returns: Value | None = None
        self.yielded: Value | None = None
        self.exit_env: Env = {}
        self.locals: set[str] = set()
        self.cfg: CFG | None = None
        self.block_out: dict[int, Env | None] = {}
        self._summary: Summary | None = None
        self._running = False
        self.fixed: Env = {}  # parameters a call fixes to constants (a summary for those calls)
        self.fixed_fields: dict[str, tuple[tuple[str, Any], ...]] = {}  # constant keys of a mapping parameter
        self.bound_calls: dict[int, str] | None = None  # call -> the name its result is assigned to

    # -- driving the fixed point -----------------------------------------------------------------------

    def run(self) -> None:
        node = self.node
        if isinstance(node, cst.Module):
            body = node.body
        elif isinstance(node, cst.ClassDef | cst.FunctionDef):
            body = LIBCST.body(node)  # `def f(x): return x` too
        elif isinstance(node, cst.Lambda):
            body = [cst.SimpleStatementLine([cst.Return(node.body)])]
        else:
            body = []
        self.cfg = cfg = build_cfg(body, self._noreturn)
        self.locals = self.info.local_names(node)
        env = self.initial_env()
        block_in: dict[int, Env | None] = {cfg.entry: env}
        block_out: dict[int, Env | None] = {}
        visits: dict[int, int] = {}
        order = _reverse_postorder(cfg)
        rank = {b: i for i, b in enumerate(order)}
        work = [cfg.entry]
        queued = {cfg.entry}
        while work:
            work.sort(key=lambda b: -rank.get(b, 0))
            index = work.pop()
            queued.discard(index)
            block = cfg.blocks[index]
            start = block_in.get(index)
            if start is None:
                continue
            count = visits[index] = visits.get(index, 0) + 1
            if count > MAX_VISITS:
                start = {k: widen(v) for k, v in start.items()}
            if count > MAX_VISITS * 3:
                continue  # gave up converging here: the widened state stands
            out = self.transfer_block(block, dict(start))
            old = block_out.get(index)
            if old is not None and _same_env(old, out):
                continue
            block_out[index] = out
            for succ, cond in block.succ:
                refined = self.refine_edge(out, cond)
                if refined is None:
                    continue
                have = block_in.get(succ)
                merged = refined if have is None else _join_env(have, refined)
                if have is not None and _same_env(have, merged):
                    continue
                block_in[succ] = merged
                if succ not in queued:
                    work.append(succ)
                    queued.add(succ)
        self.exit_env = block_in.get(cfg.exit) or {}
        self.block_out = block_out

    def transfer_block(self, block, env: Env) -> Env:
        for kind, node in block.elements:
            self.pre[element_key(kind, node)] = dict(env)
            self.transfer(kind, node, env)
        return env

    def initial_env(self) -> Env:
        node = self.node
        if not isinstance(node, cst.FunctionDef | cst.Lambda):
            return {}
        env = self.info.parameters(self)
        env.update(self.fixed)
        for name, items in self.fixed_fields.items():
            value = env.get(name, CLEAN)
            for key, item in items:
                value = value.with_field(key, const(item))
            env[name] = value
        return env

    def _noreturn(self, call: cst.Call) -> bool:
        name = self.static_name(call.func)
        return name is not None and name in self.models.noreturn

    def name_in(self, expr: cst.BaseExpression, env: Env) -> str | None:
        """The qualified name an expression refers to where `env` holds (imports inside functions too)."""
        if not isinstance(expr, cst.Name | cst.Attribute):
            return None
        return self.eval(expr, dict(env)).ref or self.static_name(expr)

    def static_name(self, expr: cst.BaseExpression) -> str | None:
        """The qualified name of a dotted expression from imports alone (used while building the CFG)."""
        parts = []
        while isinstance(expr, cst.Attribute):
            parts.append(expr.attr.value)
            expr = expr.value
        if not isinstance(expr, cst.Name):
            return None
        base = self.info.imports.get(expr.value, expr.value)
        return ".".join([base, *reversed(parts)])

    # -- edges -------------------------------------------------------------------------------------------

    def refine_edge(self, env: Env, cond: tuple | None) -> Env | None:
        if cond is None:
            return env
        if cond[0] == "if":
            return self.refine(dict(env), cond[1], cond[2])
        if cond[0] == "case":
            _, case, subject, outcome = cond
            decided = self._case_decided(case, subject, env)
            if decided is not None and decided != outcome:
                return None
            return env
        return env

    def _case_decided(self, case: cst.MatchCase, subject: cst.BaseExpression, env: Env) -> bool | None:
        pattern = case.pattern
        if isinstance(pattern, cst.MatchAs) and pattern.pattern is None:
            return True if case.guard is None else None  # `case _:` / `case name:` always matches
        value = self.eval(subject, env)
        if value.const is UNKNOWN:
            return None
        if isinstance(pattern, cst.MatchValue):
            want = self.eval(pattern.value, env)
            if want.const is not UNKNOWN:
                return value.const == want.const
        if isinstance(pattern, cst.MatchSingleton):
            return value.const is fold.literal(pattern.value)
        if isinstance(pattern, cst.MatchOr):
            outcomes = []
            for alt in pattern.patterns:
                if isinstance(alt.pattern, cst.MatchValue):
                    want = self.eval(alt.pattern.value, env)
                    if want.const is UNKNOWN:
                        return None
                    outcomes.append(value.const == want.const)
                else:
                    return None
            return any(outcomes)
        return None

    # -- statements ---------------------------------------------------------------------------------------

    def transfer(self, kind: str, node: cst.CSTNode, env: Env) -> None:
        if kind == "stmt":
            self.statement(node, env)
        elif kind == "test":
            self.eval(node, env)  # assignment expressions in the test
        elif kind == "iter":
            env[_ITER.format(id(node))] = self.eval(node.iter, env)  # type: ignore[attr-defined]
        elif kind == "for":
            iterable = env.get(_ITER.format(id(node)), CLEAN)
            self.assign(node.target, iterable.elements(), env, node)  # type: ignore[attr-defined]
        elif kind == "with":
            value = self.eval(node.item, env)  # type: ignore[attr-defined]
            if node.asname is not None:  # type: ignore[attr-defined]
                self.assign(node.asname.name, value, env, node)  # type: ignore[attr-defined]
        elif kind == "except":
            if node.name is not None:  # type: ignore[attr-defined]
                self.assign(node.name.name, CLEAN, env, node)  # type: ignore[attr-defined]
        elif kind == "case":
            subject = self.cfg.subjects.get(id(node)) if self.cfg is not None else None
            value = self.eval(subject, env) if subject is not None else CLEAN
            self.bind_pattern(node.pattern, value, env, node)  # type: ignore[attr-defined]
        elif kind == "def":
            name = node.name.value  # type: ignore[attr-defined]
            self.info.note_enclosing(node, self.node)
            env[name] = Value(ref=self.info.ref_of(node))

    def statement(self, stmt: cst.CSTNode, env: Env) -> None:
        if isinstance(stmt, cst.Assign):
            value = self.eval(stmt.value, env)
            for target in stmt.targets:
                self.assign(target.target, value, env, stmt)
        elif isinstance(stmt, cst.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.eval(stmt.value, env), env, stmt)
        elif isinstance(stmt, cst.AugAssign):
            current = self.eval(stmt.target, env)
            added = self.eval(stmt.value, env)
            value = self.binary(fold.plain_operator(stmt.operator), current, added)
            self.assign(stmt.target, value, env, stmt)
        elif isinstance(stmt, cst.Expr):
            self.eval(stmt.value, env)
            call = stmt.value
            if isinstance(call, cst.Call) and call.args and call.args[0].keyword is None and not call.args[0].star:
                # `validate_filename(name)` whose result is dropped: it raises unless the value is acceptable.
                self._checked_by_name(env, call, call.args[0].value)
        elif isinstance(stmt, cst.Return):
            value = self.eval(stmt.value, env) if stmt.value is not None else const(None)
            self.returns = value if self.returns is None else join(self.returns, value)
        elif isinstance(stmt, cst.Import | cst.ImportFrom):
            for name, ref in self.info.import_bindings(stmt):
                env[name] = self.info._ref_value(ref)
        elif isinstance(stmt, cst.Del):
            targets = stmt.target.elements if isinstance(stmt.target, cst.Tuple) else [stmt.target]
            for target in targets:
                expr = target.value if isinstance(target, cst.Element) else target
                if isinstance(expr, cst.Name):
                    env.pop(expr.value, None)

    def bind_pattern(self, pattern: cst.MatchPattern, subject: Value, env: Env, node: cst.CSTNode) -> None:
        if isinstance(pattern, cst.MatchAs):
            if pattern.pattern is not None:
                self.bind_pattern(pattern.pattern, subject, env, node)
            if pattern.name is not None:
                env[pattern.name.value] = self._via(subject, pattern.name.value, node)
        elif isinstance(pattern, cst.MatchOr):
            for alt in pattern.patterns:
                self.bind_pattern(alt.pattern, subject, env, node)
        elif isinstance(pattern, cst.MatchSequence):
            for element in pattern.patterns:
                inner = element.value if isinstance(element, cst.MatchSequenceElement) else element
                if isinstance(inner, cst.MatchStar):
                    if inner.name is not None:
                        env[inner.name.value] = Value(rest=subject.elements())
                else:
                    self.bind_pattern(inner, subject.elements(), env, node)
        elif isinstance(pattern, cst.MatchMapping):
            for element in pattern.elements:
                key = self.eval(element.key, env).const
                self.bind_pattern(element.pattern, self.read_key(subject, key, element), env, node)
            if pattern.rest is not None:
                env[pattern.rest.value] = subject
        elif isinstance(pattern, cst.MatchClass):
            for element in pattern.patterns:
                inner = subject if len(pattern.patterns) == 1 and not pattern.kwds else subject.elements()
                self.bind_pattern(element.value, inner, env, node)
            for keyword in pattern.kwds:
                self.bind_pattern(keyword.pattern, self.read_attr(subject, keyword.key.value, node), env, node)

    # -- assignment ---------------------------------------------------------------------------------------

    def _via(self, value: Value, name: str, node: cst.CSTNode) -> Value:
        if not value.flows:
            return value
        return value.with_flows(tuple(f.via(name, node) for f in value.flows))

    def assign(self, target: cst.BaseExpression, value: Value, env: Env, node: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            env[target.value] = self._via(value, target.value, node)
        elif isinstance(target, cst.Tuple | cst.List):
            elements = target.elements
            star = next((i for i, e in enumerate(elements) if isinstance(e, cst.StarredElement)), None)
            for index, element in enumerate(elements):
                inner = element.value
                if isinstance(element, cst.StarredElement):
                    self.assign(inner, Value(rest=value.elements()), env, node)
                    continue
                position: int | None = index if star is None or index < star else None
                if position is None and star is not None:
                    position = index - len(elements)  # counted from the end
                part = value.field(position) if position is not None else None
                if part is None and isinstance(value.const, tuple | list) and position is not None:
                    folded = fold.subscript(value.const, position)
                    part = const(folded) if folded is not UNKNOWN else None
                self.assign(inner, part if part is not None else value.elements(), env, node)
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, Value(rest=value.elements()), env, node)
        elif isinstance(target, cst.Attribute | cst.Subscript):
            path = self.access_path(target, env)
            if path is None:
                return
            root, keys = path
            if root not in env and root not in self.locals:
                env[root] = self.lookup(root, env)
            current = env.get(root, CLEAN)
            env[root] = _set_path(current, keys, self._via(value, _describe(root, keys), node))

    def access_path(self, expr: cst.BaseExpression, env: Env) -> tuple[str, tuple[object, ...]] | None:
        """`d["a"].b` -> ("d", ("a", ".b")); a key that is not a constant becomes None (any element)."""
        keys: list[object] = []
        while True:
            if isinstance(expr, cst.Name):
                return expr.value, tuple(reversed(keys))
            if isinstance(expr, cst.Attribute):
                keys.append("." + expr.attr.value)
                expr = expr.value
            elif isinstance(expr, cst.Subscript):
                key: object = None
                if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
                    folded = self.eval(expr.slice[0].slice.value, env).const
                    if isinstance(folded, str | int | bytes) and not isinstance(folded, bool):
                        key = folded
                keys.append(key)
                expr = expr.value
            else:
                return None

    # -- names ----------------------------------------------------------------------------------------------

    def lookup(self, name: str, env: Env) -> Value:
        if name in env:
            return env[name]
        if name in self.locals:
            return CLEAN  # not bound on this path
        return self.outer(name)

    def outer(self, name: str) -> Value:
        parent = self.parent
        if parent is None:
            return self.info.builtin(name)
        if isinstance(parent.node, cst.Module):
            return self.info.global_value(name)
        if isinstance(parent.node, cst.ClassDef):
            return parent.outer(name)  # methods do not see the class body's names
        state = parent.pre.get(self.def_key) if self.def_key is not None else None
        if state is not None and name in state:
            return state[name]
        if name in parent.locals:
            return parent.exit_env.get(name, CLEAN)
        return parent.outer(name)

    # -- expressions ------------------------------------------------------------------------------------------

    def eval(self, expr: cst.BaseExpression, env: Env, depth: int = 0) -> Value:
        if depth > 60:
            return CLEAN
        depth += 1
        kind = type(expr)
        if kind is cst.Name:
            name = expr.value  # type: ignore[attr-defined]
            if name in ("True", "False", "None"):
                return const(fold.literal(expr))
            return self.resolve_ref(self.lookup(name, env))
        if kind is cst.SimpleString or kind is cst.Integer or kind is cst.Float or kind is cst.Imaginary:
            return const(fold.literal(expr))
        if kind is cst.ConcatenatedString:
            left = self.eval(expr.left, env, depth)  # type: ignore[attr-defined]
            right = self.eval(expr.right, env, depth)  # type: ignore[attr-defined]
            return self.binary(cst.Add(), left, right)
        if kind is cst.FormattedString:
            return self.fstring(expr, env, depth)  # type: ignore[arg-type]
        if kind is cst.Attribute:
            base = self.eval(expr.value, env, depth)  # type: ignore[attr-defined]
            return self.read_attr(base, expr.attr.value, expr)  # type: ignore[attr-defined]
        if kind is cst.Subscript:
            return self.subscript(expr, env, depth)  # type: ignore[arg-type]
        if kind is cst.Call:
            return self.call(expr, env, depth)  # type: ignore[arg-type]
        if kind is cst.BinaryOperation:
            left = self.eval(expr.left, env, depth)  # type: ignore[attr-defined]
            right = self.eval(expr.right, env, depth)  # type: ignore[attr-defined]
            return self.binary(expr.operator, left, right)  # type: ignore[attr-defined]
        if kind is cst.BooleanOperation:
            left = self.eval(expr.left, env, depth)  # type: ignore[attr-defined]
            decided = truthy(left)
            is_and = isinstance(expr.operator, cst.And)  # type: ignore[attr-defined]
            if decided is not None:
                if decided != is_and:
                    return left
                return self.eval(expr.right, env, depth)  # type: ignore[attr-defined]
            side = self.refine(dict(env), expr.left, is_and)  # type: ignore[attr-defined]
            right = self.eval(expr.right, side if side is not None else env, depth)  # type: ignore[attr-defined]
            return join(left, right)
        if kind is cst.UnaryOperation:
            inner = self.eval(expr.expression, env, depth)  # type: ignore[attr-defined]
            folded = fold.unary(expr.operator, inner.const)  # type: ignore[attr-defined]
            if isinstance(expr.operator, cst.Not):  # type: ignore[attr-defined]
                return const(folded) if folded is not UNKNOWN else Value(flows=keep_random(inner.flows))
            return Value(flows=inner.deep_flows(), const=folded)
        if kind is cst.Comparison:
            return self.comparison(expr, env, depth)  # type: ignore[arg-type]
        if kind is cst.IfExp:
            test = self.eval(expr.test, env, depth)  # type: ignore[attr-defined]
            decided = truthy(test)
            if decided is True:
                return self.eval(expr.body, env, depth)  # type: ignore[attr-defined]
            if decided is False:
                return self.eval(expr.orelse, env, depth)  # type: ignore[attr-defined]
            yes = self.refine(dict(env), expr.test, True)  # type: ignore[attr-defined]
            no = self.refine(dict(env), expr.test, False)  # type: ignore[attr-defined]
            body = self.eval(expr.body, yes, depth) if yes is not None else None  # type: ignore[attr-defined]
            orelse = self.eval(expr.orelse, no, depth) if no is not None else None  # type: ignore[attr-defined]
            return join(body, orelse)
        if kind is cst.List or kind is cst.Tuple or kind is cst.Set:
            return self.sequence(expr, env, depth)
        if kind is cst.Dict:
            return self.dict_(expr, env, depth)  # type: ignore[arg-type]
        if kind in (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp):
            return self.comprehension(expr, env, depth)
        if kind is cst.NamedExpr:
            value = self.eval(expr.value, env, depth)  # type: ignore[attr-defined]
            self.assign(expr.target, value, env, expr)  # type: ignore[attr-defined]
            return value
        if kind is cst.Await:
            return self.eval(expr.expression, env, depth)  # type: ignore[attr-defined]
        if kind is cst.StarredElement:
            return self.eval(expr.value, env, depth).elements()  # type: ignore[attr-defined]
        if kind is cst.Lambda:
            self.info.note_enclosing(expr, self.node)
            return Value(ref=self.info.ref_of(expr))
        if kind is cst.Ellipsis:
            return const(...)
        if kind is cst.Yield:
            inner = expr.value  # type: ignore[attr-defined]
            if inner is not None and not isinstance(inner, cst.From):
                value = self.eval(inner, env, depth)
                self.yielded = value if self.yielded is None else join(self.yielded, value)
            elif isinstance(inner, cst.From):
                value = self.eval(inner.item, env, depth).elements()
                self.yielded = value if self.yielded is None else join(self.yielded, value)
            return CLEAN
        return CLEAN

    def resolve_ref(self, value: Value) -> Value:
        """A name bound to a module-level variable of another project module stands for its value (when that
        module is loaded already: names alone never make the analysis parse another file)."""
        ref = value.ref
        if ref is not None and ref.startswith("@") and "::" in ref and not value.flows:
            path = ref[1:].partition("::")[0]
            if path == self.info.path or path in self.info.engine.modules:
                found = self.info.project_global(ref)
                if found is not None:
                    return found
        return value

    def fstring(self, expr: cst.FormattedString, env: Env, depth: int) -> Value:
        flows: tuple[Flow, ...] = ()
        text: list[str] | None = []
        prefix: str | None = None
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                if text is not None:
                    text.append(part.value)
                continue
            inner = self.eval(part.expression, env, depth)
            part_flows = inner.deep_flows()
            if part.conversion == "r":
                part_flows = clean_flows(part_flows, frozenset({"log", "header"}))
            flows = merge_flows(flows, part_flows)
            if text is not None:
                if prefix is None:
                    prefix = "".join(text)
                if inner.const is not UNKNOWN and part.format_spec is None and part.conversion is None:
                    text.append(str(inner.const))
                else:
                    text = None
        if text is not None and not flows:
            joined = "".join(text)
            if "{{" not in joined and "}}" not in joined:
                return const(joined)
        if prefix is None and text is not None:
            prefix = "".join(text)
        return Value(flows=flows, prefix=prefix, type="str")

    def binary(self, op: cst.BaseBinaryOp, left: Value, right: Value) -> Value:
        folded = fold.binary(op, left.const, right.const)
        if folded is not UNKNOWN:
            return const(folded)
        flows = merge_flows(left.deep_flows(), right.deep_flows())
        if isinstance(op, cst.Add):
            prefix = left.const if isinstance(left.const, str) else left.prefix
            if isinstance(left.const, str) and isinstance(right.prefix, str):
                prefix = left.const + right.prefix  # `"SELECT a " "FROM t " f"WHERE id = {x}"`
            if isinstance(left.const, tuple | list) or left.rest is not None or left.fields:
                return _concatenated(left, right)
            text = "str" if "str" in (_kind(left), _kind(right)) else None
            return Value(flows=flows, prefix=prefix, type=text)
        if isinstance(op, cst.Modulo):
            prefix = left.const.split("%", 1)[0] if isinstance(left.const, str) else None
            names = _percent_names(left.const)
            if names is not None and (right.fields or right.rest is not None):
                flows = _named_flows(right, names)  # `"ls %(d)s" % {"d": d, "n": n}`, `% locals()`: only `d`
            return Value(flows=flows, prefix=prefix, type="str" if _kind(left) == "str" else None)
        if isinstance(op, cst.Divide) and left.type and left.type.startswith("pathlib."):
            return Value(flows=_joined_again(flows), type=left.type)
        return Value(flows=flows)

    def comparison(self, expr: cst.Comparison, env: Env, depth: int) -> Value:
        left = self.eval(expr.left, env, depth)
        result: Any = True
        flows = keep_random(left.deep_flows())
        for target in expr.comparisons:
            right = self.eval(target.comparator, env, depth)
            members = _members(right)
            if isinstance(target.operator, cst.In | cst.NotIn) and members is not None and left.const is not UNKNOWN:
                outcome: Any = (left.const in members) == isinstance(target.operator, cst.In)
            else:
                outcome = fold.compare(target.operator, left.const, right.const)
            if outcome is UNKNOWN:
                result = UNKNOWN
            elif outcome is False and result is not UNKNOWN:
                return const(False)
            left = right
        return const(result) if result is not UNKNOWN else Value(flows=flows)

    def subscript(self, expr: cst.Subscript, env: Env, depth: int) -> Value:
        base = self.eval(expr.value, env, depth)
        if len(expr.slice) != 1:
            return Value(flows=base.deep_flows())
        element = expr.slice[0].slice
        if isinstance(element, cst.Slice):
            parts = [self.eval(p, env, depth).const if p is not None else None for p in
                     (element.lower, element.upper, element.step)]  # fmt: skip
            if base.const is not UNKNOWN and all(p is not UNKNOWN for p in parts):
                folded = fold.subscript(base.const, slice(*parts))
                if folded is not UNKNOWN:
                    return const(folded)
            if base.fields or base.rest is not None:
                return Value(rest=base.elements(), flows=base.flows)
            return Value(flows=base.flows, type=base.type)
        key = self.eval(element.value, env, depth)  # type: ignore[attr-defined]
        return self.read_key(base, key.const, expr)

    def sequence(self, expr: cst.CSTNode, env: Env, depth: int) -> Value:
        fields: list[tuple[object, Value]] = []
        rest: Value | None = None
        consts: list[Any] | None = []
        starred = False
        for index, element in enumerate(expr.elements):  # type: ignore[attr-defined]
            value = self.eval(element.value, env, depth)
            if isinstance(element, cst.StarredElement):
                starred = True
                rest = join(rest, value.elements()) if rest is not None else value.elements()
                consts = None
                continue
            if not starred:
                fields.append((index, value))
            else:
                rest = join(rest, value) if rest is not None else value
            if consts is not None:
                if value.const is not UNKNOWN and isinstance(value.const, fold.SCALARS):
                    consts.append(value.const)
                else:
                    consts = None
        if isinstance(expr, cst.Set):
            members = frozenset(consts) if consts is not None else UNKNOWN
            elements = join(None, None)
            for _, v in fields:
                elements = join(elements, v)
            return Value(const=members, rest=elements if consts is None else None)
        for _, extra in fields[MAX_FIELDS:]:  # past the tracked positions, the elements as a whole (never dropped)
            rest = join(rest, extra) if rest is not None else extra
        kind = "list" if isinstance(expr, cst.List) else None
        value = Value(fields=tuple(fields[:MAX_FIELDS]), rest=rest, type=kind)
        if consts is not None and len(consts) == len(fields) and len(fields) <= MAX_FIELDS:
            value = replace(value, const=tuple(consts))
        return value

    def dict_(self, expr: cst.Dict, env: Env, depth: int) -> Value:
        value = Value()
        closed = True
        for element in expr.elements:
            if isinstance(element, cst.StarredDictElement):
                other = self.eval(element.value, env, depth)
                for key, v in other.fields:
                    value = value.with_field(key, v)
                if other.rest is not None or other.flows:
                    value = value.with_element(join(other.rest, Value(flows=other.flows)))
                continue
            key = self.eval(element.key, env, depth)
            item = self.eval(element.value, env, depth)
            if isinstance(key.const, str | int | bytes) and not isinstance(key.const, bool):
                value = value.with_field(key.const, item)
            else:
                closed = False
                value = value.with_element(item)
                if key.flows:
                    value = value.with_element(Value(flows=key.deep_flows()))
        del closed
        return value

    def comprehension(self, expr: cst.CSTNode, env: Env, depth: int) -> Value:
        inner = dict(env)
        comp = expr.for_in  # type: ignore[attr-defined]
        while comp is not None:
            iterable = self.eval(comp.iter, inner, depth)
            self.assign(comp.target, iterable.elements(), inner, comp)
            for condition in comp.ifs:
                refined = self.refine(inner, condition.test, True)
                if refined is None:
                    return Value()  # the condition never holds: an empty collection
                inner = refined
            comp = comp.inner_for_in
        if isinstance(expr, cst.DictComp):
            key = self.eval(expr.key, inner, depth)
            item = self.eval(expr.value, inner, depth)
            return Value(rest=join(item, Value(flows=key.deep_flows())))
        element = self.eval(expr.elt, inner, depth)  # type: ignore[attr-defined]
        return Value(rest=element)

    # -- reading parts of values -------------------------------------------------------------------------------

    def read_attr(self, base: Value, attr: str, node: cst.CSTNode | None) -> Value:
        models = self.models
        if base.ref is not None:
            return self.info.attribute_of_ref(base.ref, attr, node)
        if base.type is not None:
            found = self.info.typed_attr(base, attr, node)
            if found is not None:
                return found
        have = base.field("." + attr)
        whole = label_step(base.flows, "." + attr)
        if have is not None:
            return have if not whole else have.with_flows(merge_flows(have.flows, whole))
        del models
        return Value(flows=whole)

    def read_key(self, base: Value, key: Any, node: cst.CSTNode | None) -> Value:
        if base.type is not None:
            if base.type == "strmap":
                return Value(flows=base.flows, type="str")
            found = self.info.typed_key(base, key, node)
            if found is not None:
                return found
        if key is not UNKNOWN and base.const is not UNKNOWN and not isinstance(base.const, frozenset):
            folded = fold.subscript(base.const, key)
            if folded is not UNKNOWN:
                return const(folded)
        known_key = isinstance(key, str | int | bytes) and not isinstance(key, bool)
        whole = label_step(base.flows, key) if known_key else base.flows
        if known_key:
            have = base.field(key)
            if have is None and isinstance(key, int) and key < 0:
                positions = [k for k, _ in base.fields if isinstance(k, int) and k >= 0]
                if positions and base.rest is None:
                    have = base.field(max(positions) + 1 + key)
            if have is not None:
                return have if not whole else have.with_flows(prefer_flows(have.flows, whole))
            rest = base.rest
            if rest is None:
                return Value(flows=whole)
            return rest.with_flows(merge_flows(rest.flows, whole))
        out = base.elements()
        return out.with_flows(merge_flows(out.flows, whole)) if whole else out

    def navigate(self, value: Value, path: tuple[object, ...], node: cst.CSTNode | None) -> Value:
        """A parameter label's access path applied to the argument a caller passed."""
        for step in path:
            if isinstance(step, str) and step.startswith("."):
                value = self.read_attr(value, step[1:], node)
            elif isinstance(step, str) and step.startswith("()"):
                value = self.method_result(value, step[2:], [], node)
            else:
                value = self.read_key(value, step, node)
        return value

    # -- calls ----------------------------------------------------------------------------------------------------

    def call(self, node: cst.Call, env: Env, depth: int) -> Value:
        func = node.func
        receiver: Value | None = None
        method: str | None = None
        if isinstance(func, cst.Attribute):
            receiver = self.eval(func.value, env, depth)
            method = func.attr.value
            callee = self.read_attr(receiver, method, None) if receiver.ref is not None else Value()
            name = callee.ref or (f"{receiver.type}.{method}" if receiver.type else None)
            if receiver.ref is not None and "::" not in receiver.ref:
                receiver = None  # a module or class, not an object the method works on
        else:
            callee = self.eval(func, env, depth)
            name = callee.ref
        args = [
            Arg(self.eval(a.value, env, depth), a.keyword.value if a.keyword else None, a.star, a.value)
            for a in node.args
        ]
        result = self.apply(node, name, method, receiver, args, env, func)
        if result.flows and sql_quoting_name(name, method or getattr(func, "value", None)):
            # The project's SQL quoting helper (`escape_sqlite(t)`, `quote_identifier(c)`), whatever its body
            # shows (escape_sqlite's `[name]` branch is safe only because it runs when `]` is absent): marked,
            # not cleared, so that only CWR120's guess ("built from a variable") trusts the name; CWR101 does not.
            result = result.with_flows(clean_flows(result.flows, SQL_QUOTED))
        return result

    def apply(
        self,
        node: cst.Call | None,
        name: str | None,
        method: str | None,
        receiver: Value | None,
        args: list[Arg],
        env: Env,
        func: cst.BaseExpression | None,
        follow: bool = True,
    ) -> Value:
        models = self.models
        info = self.info
        # Sources.
        source = info.source_call(name, method, receiver, node, args)
        if source is not None:
            return source
        if receiver is not None and method is not None and receiver.type in _SDK_CLIENTS:
            # What an AWS SDK call returns is the service's answer, not its request: an export id or a download
            # URL from `describe_export_tasks(exportIds=[...])` is not the data that chose the parameters.
            return Value()
        # Project functions and classes: their summaries.
        if name is not None and name.startswith("@") and not self.light and follow:
            found = self.apply_summary(node, name, receiver, args, env, func)
            if found is not None:
                return found
        positional = [a.value for a in args if a.keyword is None and not a.star]
        first = positional[0] if positional else None
        sanitizer = models.sanitizers.get(name or "") or (
            models.sanitizers.get("." + method) if method and receiver is not None else None
        )
        if sanitizer is not None and first is not None:
            flows = clean_flows(first.deep_flows(), sanitizer.kinds)
            folded = fold.call(name.rsplit(".", 1)[-1], [first.const], {}) if name else UNKNOWN
            if folded is not UNKNOWN and not flows:
                return const(folded)
            return Value(flows=flows, type="sanitized")
        if name is not None and info.is_clean(name):
            # A digest or an encoding of a predictable value is as predictable: random flows stay, the receiver's
            # too (`hashlib.sha256(seed).hexdigest()` is a method of a clean module's object).
            flows: tuple[Flow, ...] = keep_random(receiver.deep_flows()) if receiver is not None else ()
            for a in args:
                flows = merge_flows(flows, keep_random(a.value.deep_flows()))
            folded = fold.call(name, [a.value.const for a in args if a.keyword is None],
                               {a.keyword: a.value.const for a in args if a.keyword})  # fmt: skip
            if folded is not UNKNOWN:
                return const(folded)
            return Value(flows=flows, type=f"{name}()")
        if name is not None and name in models.normalizers:
            base = first if first is not None else receiver
            flows = base.deep_flows() if base is not None else ()
            return Value(flows=flows, type=_PATH_TYPE)
        if receiver is not None and method is not None:
            handled = self.method_call(receiver, method, args, env, func, node)
            if handled is not None:
                return handled
        if name in ("locals", "vars", "builtins.locals", "builtins.vars") and not args:
            # The variables in scope, by name (`"ls %(d)s" % locals()`, `"{d}".format(**locals())`).
            return Value(fields=tuple((k, v) for k, v in env.items() if k.isidentifier()), type="dict")
        if name is not None and receiver is None:
            handled = self.builtin_call(name, args, node)
            if handled is not None:
                return handled
        if method in ("client", "resource") and first is not None and _SDK_SERVICE.fullmatch(str(first.const)):
            # An AWS SDK client built by a wrapper (`cmf_boto.client("discovery", region_name=...)`), as boto3.client
            # itself is modelled: the Region or credentials it is given do not become the data its calls return.
            return Value(type="boto3.client()")
        # Anything else passes its arguments' (and receiver's) data on.
        flows = ()
        for a in args:
            flows = merge_flows(flows, a.value.deep_flows())
        if receiver is not None:
            flows = merge_flows(flows, label_step(receiver.deep_flows(), "()" + (method or "")))
        sunk = models.call_sinks.get(name or "")
        if sunk:
            # The data was reported where it entered this sink (`text(q)`); the object it became is not
            # reported again where it is used (`session.execute(text(q))`).
            flows = clean_flows(flows, frozenset(s.kind for s in sunk))
        type_name = f"{name}()" if name else None
        if name in info.powertools:
            type_name = info.powertools[name]
        return Value(flows=flows, type=type_name)

    def method_result(self, receiver: Value, method: str, args: list[Arg], node: cst.CSTNode | None) -> Value:
        """A method called on a value (no environment to update): used when applying access paths."""
        name = f"{receiver.type}.{method}" if receiver.type else None
        call = node if isinstance(node, cst.Call) else None
        # Models only: following summaries from inside a substitution could go round in circles.
        return self.apply(call, name, method, receiver, args, {}, None, follow=False)

    def method_call(
        self,
        receiver: Value,
        method: str,
        args: list[Arg],
        env: Env,
        func: cst.BaseExpression | None,
        node: cst.Call | None,
    ) -> Value | None:
        positional = [a.value for a in args if a.keyword is None and not a.star]
        folded = fold.method(receiver.const, method, [v.const for v in positional],
                             {a.keyword: a.value.const for a in args if a.keyword})  # fmt: skip
        if folded is not UNKNOWN:
            return const(folded)
        if method in BOOL_METHODS:
            return Value(flows=keep_random(receiver.flows))
        target = func.value if isinstance(func, cst.Attribute) else None
        if method in ("get", "getint", "getboolean") and receiver.type and receiver.type.startswith("configparser."):
            if len(positional) < 2:
                return Value(flows=receiver.deep_flows())
            key = _section_key(positional[0].const, positional[1].const)
            found = receiver.field(key) if key is not None else None
            if method != "get":
                return CLEAN
            return found if found is not None else receiver.elements()
        if receiver.type == "deque" and method in _DEQUE_ENDS:
            edited = _deque_edit(receiver, method, positional)
            if edited is not None and target is not None:
                items, taken = edited
                self.update_target(target, env, lambda v: _as_deque(items))
                return taken
            if method in ("pop", "popleft"):
                return receiver.elements()
        if receiver.type == "deque" and method in ("rotate", "reverse", "remove", "clear") and target is not None:
            # The items move (or go): keep what they hold, not where they are.
            self.update_target(target, env, lambda v: _as_deque([]) if method == "clear" else Value(
                rest=v.elements(), type="deque"))  # fmt: skip
            return CLEAN
        if receiver.type == "list" and method in ("pop", "insert") and target is not None:
            shifted = _list_edit(receiver, method, positional)
            if shifted is not None:
                items, taken = shifted
                self.update_target(target, env, lambda v: _as_list(items))
                return taken
        if method in ("get", "pop", "setdefault", "__getitem__", "getlist", "getfirst", "getone", "get_all"):
            key = positional[0].const if positional else UNKNOWN
            if method == "pop" and not positional:
                return receiver.elements()
            got = self.read_key(receiver, key, node)
            if method in ("getlist", "get_all"):
                got = Value(rest=got)
            default = (
                positional[1]
                if len(positional) > 1
                else next((a.value for a in args if a.keyword in ("default", "failobj")), None)
            )
            result = join(got, default) if default is not None else got
            if method == "setdefault" and default is not None and target is not None:
                self.update_target(
                    target, env, lambda v: v if v.field(key) is not None else _set_path(v, (key,), default)
                )
            return result
        if method in ("items", "iteritems"):
            keys = Value(flows=receiver.flows)
            return Value(rest=Value(fields=((0, keys), (1, receiver.elements()))))
        if method in ("keys", "iterkeys"):
            return Value(rest=Value(flows=receiver.flows))
        if method in _READ_ALL:
            out = receiver.elements()
            return out.with_flows(merge_flows(out.flows, label_step(receiver.flows, "()" + method)))
        if method in _ADD_ONE and target is not None:
            index = _ADD_ONE[method]
            if len(positional) > index:
                added = positional[index]
                self.update_target(target, env, lambda v: v.with_element(added))
            return CLEAN
        if method in _ADD_MANY and target is not None and positional:
            added = positional[0].elements()
            self.update_target(target, env, lambda v: v.with_element(added))
            return CLEAN
        if method == "update" and target is not None:

            def merge(v: Value) -> Value:
                for a in args:
                    if a.keyword is not None:
                        v = v.with_field(a.keyword, a.value)
                    else:
                        for key, item in a.value.fields:
                            v = v.with_field(key, item)
                        if a.value.rest is not None or a.value.flows:
                            v = v.with_element(join(a.value.rest, Value(flows=a.value.flows)))
                return v

            self.update_target(target, env, merge)
            return CLEAN
        if method == "write" and target is not None and positional:
            added = positional[0]
            self.update_target(target, env, lambda v: v.with_element(added))
            return CLEAN
        if method == "set" and receiver.type and receiver.type.startswith("configparser.") and len(positional) >= 3:
            key = _section_key(positional[0].const, positional[1].const)
            value = positional[2]
            self.update_target(target, env, lambda v: _set_path(v, (key,), value) if target is not None else v)
            return CLEAN
        if method == "join" and positional:
            parts = positional[0]
            flows = merge_flows(receiver.deep_flows(), parts.deep_flows())
            return Value(flows=flows, type="str" if isinstance(receiver.const, str) else None)
        if method in ("format", "format_map"):
            flows = receiver.deep_flows()
            names = _format_names(receiver.const)
            for a in args:
                if names is not None and method == "format" and a.keyword is not None:
                    if a.keyword in names:  # `"ls {d}".format(d=d, n=n)`: only `d` is in the text
                        flows = merge_flows(flows, a.value.deep_flows())
                elif names is not None and (a.star == "**" or method == "format_map"):
                    flows = merge_flows(flows, _named_flows(a.value, names))
                else:
                    flows = merge_flows(flows, a.value.deep_flows())
            prefix = receiver.const.split("{", 1)[0] if isinstance(receiver.const, str) else None
            return Value(flows=flows, prefix=prefix, type="str")
        if method == "replace" and len(positional) >= 2:
            flows = merge_flows(receiver.deep_flows(), positional[1].deep_flows())
            old, new = positional[0].const, positional[1].const
            if old in ("\n", "\r", "\r\n") and isinstance(new, str) and "\n" not in new and "\r" not in new:
                flows = clean_flows(flows, frozenset({"log", "header"}))
            # A quote doubled (or backslashed, in a literal) cannot end the quoted text it goes into: a string
            # literal's `'`, an identifier's `"` (ANSI, PostgreSQL, Oracle), `` ` `` (MySQL) or `]` (SQL Server).
            if isinstance(old, str) and new in _SQL_QUOTE_ESCAPES.get(old, ()):
                flows = clean_flows(flows, frozenset({"sql"}))
            return Value(flows=flows, prefix=receiver.prefix, type=receiver.type or "str")
        if method in _STR_COPY:
            prefix = receiver.prefix if method in ("strip", "rstrip", "encode", "decode", "__str__") else None
            return Value(flows=receiver.deep_flows(), prefix=prefix, type=receiver.type or "str")
        if method in _SPLIT:
            return Value(rest=Value(flows=receiver.deep_flows()))
        if receiver.type is not None and receiver.type.startswith("pathlib.") and method in (
            "joinpath", "resolve", "absolute", "with_name", "with_suffix", "expanduser", "relative_to"
        ):  # fmt: skip
            flows = receiver.deep_flows()
            for a in args:
                flows = merge_flows(flows, a.value.deep_flows())
            return Value(flows=flows, type=_PATH_TYPE if method in ("resolve", "absolute") else receiver.type)
        if method in ("hexdigest", "digest"):
            return Value(flows=keep_random(receiver.flows))
        return None

    def update_target(self, target: cst.BaseExpression | None, env: Env, change) -> None:
        """A method that changes its receiver in place (`items.append(x)`): the variable's value changes."""
        if target is None:
            return
        path = self.access_path(target, env)
        if path is None:
            return
        root, keys = path
        if root not in env:
            if root not in self.locals and isinstance(self.node, cst.FunctionDef):
                return  # a global changed in a function: not tracked
            env[root] = self.lookup(root, env)
        current = env[root]
        inner = _get_path(current, keys)
        env[root] = _set_path(current, keys, change(inner))

    def builtin_call(self, name: str, args: list[Arg], node: cst.Call | None) -> Value | None:
        positional = [a.value for a in args if a.keyword is None and not a.star]
        first = positional[0] if positional else None
        short = name.rsplit(".", 1)[-1] if name.startswith(("builtins.", "collections.", "copy.")) else name
        if short in ("str", "bytes", "bytearray", "format", "unicode"):
            if first is None:
                return const("") if short == "str" else CLEAN
            folded = fold.call(short, [first.const], {}) if short == "str" else UNKNOWN
            if folded is not UNKNOWN:
                return const(folded)
            # A string is never a query object (`{"$ne": ""}`): converted, the data is safe for MongoDB.
            flows = clean_flows(first.deep_flows(), frozenset({"nosql"}))
            return Value(flows=flows, prefix=first.prefix if short == "str" else None, type="str")
        if short == "deque" and name.startswith("collections.") and len(positional) <= 1 and not args[1:]:
            items = [] if first is None else _positions(first)
            if items is not None and len(items) <= MAX_FIELDS:
                return _as_deque(items)  # `deque()`, `deque(["a", x])`: the order of its items is known
        if short in ("list", "tuple", "set", "frozenset", "sorted", "reversed", "iter", "deque", "OrderedDict",
                     "defaultdict", "Counter"):  # fmt: skip
            if first is None:
                return Value()
            folded = fold.call(short, [first.const], {}) if short in ("list", "tuple", "set", "frozenset") else UNKNOWN
            if folded is not UNKNOWN:
                return const(folded)
            if short in ("list", "tuple") and first.fields and first.rest is None:
                return Value(fields=first.fields, flows=first.flows)
            return Value(rest=first.elements())
        if short == "dict":
            value = Value()
            for a in args:
                if a.keyword is not None:
                    value = value.with_field(a.keyword, a.value)
                else:
                    for key, item in a.value.fields:
                        value = value.with_field(key, item)
                    if a.value.rest is not None or a.value.flows:
                        value = value.with_element(join(a.value.rest, Value(flows=a.value.flows)))
            return value
        if short in ("copy", "deepcopy") and first is not None:
            return first
        if short == "next" and first is not None:
            return join(first.elements(), positional[1]) if len(positional) > 1 else first.elements()
        if short in ("enumerate",) and first is not None:
            return Value(rest=Value(fields=((0, CLEAN), (1, first.elements()))))
        if short == "zip":
            return Value(rest=Value(fields=tuple((i, v.elements()) for i, v in enumerate(positional))))
        if short in ("map", "filter") and len(positional) > 1:
            flows = ()
            for v in positional[1:]:
                flows = merge_flows(flows, v.deep_flows())
            return Value(rest=Value(flows=flows))
        if short == "getattr" and len(positional) >= 2:
            attr = positional[1].const
            got = self.read_attr(positional[0], attr, node) if isinstance(attr, str) else positional[0]
            return join(got, positional[2]) if len(positional) > 2 else got
        if short in ("min", "max", "sum") and positional:
            folded = fold.call(short, [v.const for v in positional], {})
            if folded is not UNKNOWN:
                return const(folded)
            return None
        if short in ("print", "setattr", "delattr", "super", "locals", "globals", "vars", "dir", "help"):
            return CLEAN
        if name == "re.compile" and first is not None:
            return Value(type="re.Pattern", fields=((".pattern", first),))
        if name in ("io.StringIO", "io.BytesIO"):
            return Value(rest=first, type=f"{name}()") if first is not None else Value(type=f"{name}()")
        if name in ("os.path.join", "posixpath.join", "ntpath.join"):
            flows = ()
            for index, v in enumerate(positional):
                part = _joined_again(v.deep_flows())
                if index:  # an absolute later part replaces the base: a ".." check alone protects nothing
                    part = _unclear_dots(part)
                flows = merge_flows(flows, part)
            # Parts spread with `*parts` join in after the first: their data flows on, and nothing folds.
            spread = [a.value for a in args if a.keyword is None and a.star]
            for v in spread:
                flows = merge_flows(flows, _unclear_dots(_joined_again(v.deep_flows())))
            prefix = first.const if first is not None and isinstance(first.const, str) else None
            if positional and not spread and not flows and all(isinstance(v.const, str) for v in positional):
                import posixpath

                return const(posixpath.join(*[v.const for v in positional]))
            return Value(flows=flows, prefix=prefix)
        return None

    # -- summaries ----------------------------------------------------------------------------------------------

    def apply_summary(
        self,
        node: cst.Call | None,
        name: str,
        receiver: Value | None,
        args: list[Arg],
        env: Env,
        func: cst.BaseExpression | None,
    ) -> Value | None:
        if not self.info.engine.worth_loading(name, args, receiver, self.info.path):
            return None
        target = self.info.resolve_callable(name, load=True)
        if target is None:
            return None
        owner, fn, kind = target
        carried = receiver is not None and self.info.bears(receiver)
        carried = carried or any(self.info.bears(a.value) for a in args)
        if not carried and not owner.may_carry(fn):
            # Nothing flows in and nothing untrusted is read inside: only what it returns matters (a helper
            # returning an `ldap3.Connection`), which its return statements say without an analysis.
            if kind == "class":
                return Value(type=name + "()")
            shaped = owner.return_literal(fn)
            return shaped if shaped is not None else Value(type=owner.return_type(fn))
        if kind == "class":
            init = owner.method_of(fn, "__init__")
            instance = Value(type=name + "()")
            if init is None:
                from codeward.reviewer.dataflow.validated import validated_model

                built = _constructed(instance, fn, args)  # type: ignore[arg-type]
                return validated_model(self, owner, fn, built, node)  # type: ignore[arg-type]
            summary = owner.summary(init)
            if summary is None:
                return instance
            bound = owner.bind(init, [Arg(instance, None, "", node), *args], method=False)  # type: ignore[arg-type]
            self_out = summary.self_out
            if self_out is None:
                return instance
            if summary.checks:
                self.apply_checks(env, summary.checks, owner.bind_nodes(init, [Arg(instance, None, "", None), *args]))
            out = self.substitute(self_out, bound, node, _name_of(fn), owner is not self.info)
            return replace(out, type=instance.type, flows=tuple(f for f in out.flows if f.label.kind != "param"))
        summary = owner.summary(fn)
        if summary is None:
            return None
        is_method = receiver is not None and owner.is_method(fn)
        receiver_node = func.value if isinstance(func, cst.Attribute) else None
        full = [Arg(receiver, None, "", receiver_node), *args] if is_method and receiver is not None else args  # type: ignore[arg-type]
        bound = owner.bind(fn, full, method=False)
        if any(f.label.kind == "param" for f in summary.ret.deep_flows()):
            fixed = owner.fixed_arguments(fn, bound)
            if fixed:  # `render(x, raw=False)`: what the branches this call takes return
                summary = owner.summary(fn, fixed) or summary
        if summary.checks:
            self.apply_checks(env, summary.checks, owner.bind_nodes(fn, full))
        result = self.substitute(summary.ret, bound, node, _name_of(fn), owner is not self.info)
        if is_method and summary.self_out is not None and isinstance(func, cst.Attribute):
            updated = self.substitute(summary.self_out, bound, node, _name_of(fn), owner is not self.info)
            receiver_value = receiver

            def refresh(v: Value) -> Value:
                merged = v
                for key, item in updated.fields:
                    merged = merged.with_field(key, item)
                return merged if receiver_value is not None else v

            self.update_target(func.value, env, refresh)
        return result

    def substitute(
        self, value: Value, bound: dict[int, Value], node: cst.CSTNode | None, callee: str, foreign: bool = False
    ) -> Value:
        """A summary's symbolic value with the caller's arguments in place of its parameters. A source read in
        another module is reported at this call (`foreign`), where the finding can point."""
        if len(value.flows) == 1 and value.flows[0].label.kind == "param" and not value.fields and value.rest is None:
            flow = value.flows[0]
            actual = bound.get(flow.label.index)
            if actual is None:
                return CLEAN
            out = self.navigate(actual, flow.label.path, node)
            return self._after_call(out, flow.cleared, node, callee)
        flows: tuple[Flow, ...] = ()
        for flow in value.flows:
            if flow.label.kind != "param":
                if foreign and node is not None:
                    label = flow.label
                    moved = Label(label.kind, f"{label.desc} (read in {callee}())", node, label.family,
                                  trust=label.trust)  # fmt: skip
                    flow = Flow(moved, flow.cleared, ())
                flows = merge_flows(flows, (flow.via(f"{callee}()", node),) if node is not None else (flow,))
                continue
            actual = bound.get(flow.label.index)
            if actual is None:
                continue
            got = self.navigate(actual, flow.label.path, node)
            flows = merge_flows(flows, self._after_call(got, flow.cleared, node, callee).deep_flows())
        fields = tuple((k, self.substitute(v, bound, node, callee, foreign)) for k, v in value.fields)
        rest = self.substitute(value.rest, bound, node, callee, foreign) if value.rest is not None else None
        return Value(flows=flows, const=value.const, fields=fields, rest=rest, ref=value.ref, type=value.type,
                     prefix=value.prefix)  # fmt: skip

    def apply_checks(self, env: Env, checks: tuple[Check, ...], nodes: dict[int, cst.BaseExpression]) -> None:
        """What a callee guarantees about its arguments (a validator returned, a predicate answered): the
        caller's variables passed there are safe for those kinds from here on."""
        for index, path, kinds in checks:
            expr = nodes.get(index)
            if expr is not None:
                self.narrow(env, expr, kinds, extra=path)

    def predicate(self, env: Env, test: cst.Call, name: str, outcome: bool) -> bool | None:
        """`if is_plain(name):` where `is_plain` is the project's: what its body guarantees when it answers
        `outcome`, applied to the arguments. None when the callee's body is not known."""
        func = test.func
        receiver, args = self._call_args(env, test)
        if not self.info.engine.worth_loading(name, args, receiver, self.info.path):
            return None
        target = self.info.resolve_callable(name, load=True)
        if target is None or target[2] != "function":
            return None
        owner, fn, _ = target
        if receiver is not None and owner.is_method(fn):
            args = [Arg(receiver, None, "", func.value), *args]  # type: ignore[attr-defined]
        when_true, when_false = owner.predicate(fn)
        checks = when_true if outcome else when_false
        if checks:
            self.apply_checks(env, checks, owner.bind_nodes(fn, args))
        return bool(checks)

    def predicate_checks(
        self, params: list[str], rebound: frozenset[object]
    ) -> tuple[tuple[Check, ...], tuple[Check, ...]]:
        """What holds of the parameters where the function returns a true value, and where a false one: each
        `return` refined by its own value (`return re.fullmatch(P, s) is not None`), a constant return counted
        on its side, falling off the end counted as `None`."""
        cfg = self.cfg
        if cfg is None:
            return (), ()
        sides: list[Env | None] = [None, None]  # true, false

        def add(side: int, state: Env | None) -> None:
            if state is not None:
                sides[side] = state if sides[side] is None else _join_env(sides[side], state)  # type: ignore[arg-type]

        for block in cfg.blocks:
            for kind, node in block.elements:
                if kind != "stmt" or not isinstance(node, cst.Return):
                    continue
                state = self.pre.get(id(node))
                if state is None:
                    continue
                if node.value is None:
                    add(1, state)
                    continue
                decided = truthy(self.eval(node.value, dict(state)))
                if decided is not None:
                    add(0 if decided else 1, state)
                    continue
                add(0, self.refine(dict(state), node.value, True))
                add(1, self.refine(dict(state), node.value, False))
        for pred, cond in cfg.blocks[cfg.exit].preds:
            block = cfg.blocks[pred]
            last = block.elements[-1][1] if block.elements else None
            if not isinstance(last, cst.Return):
                out = self.block_out.get(pred)
                add(1, self.refine_edge(out, cond) if out is not None else None)
        return tuple(param_checks(side, params, rebound) if side is not None else () for side in sides)  # type: ignore[return-value]

    def _after_call(self, value: Value, cleared: frozenset[str], node: cst.CSTNode | None, callee: str) -> Value:
        if cleared:
            # What the callee sanitised is the whole argument, what it contains included: `json.dumps(b)` of a
            # caller's `{"id": item}` clears the taint the dict holds under "id", not only the dict's own.
            value = _cleaned(value, cleared)
        flows = value.flows
        if node is not None:
            flows = tuple(f.via(f"{callee}()", node) for f in flows)
        if flows is value.flows:
            return value
        return value.with_flows(flows)

    # -- refinement on branch edges ---------------------------------------------------------------------------------

    def refine(self, env: Env, test: cst.BaseExpression, outcome: bool) -> Env | None:
        """What holds on the edge where `test` evaluated to `outcome` (None: that edge cannot be taken)."""
        value = self.eval(test, dict(env))
        decided = truthy(value)
        if decided is not None:
            return env if decided == outcome else None
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self.refine(env, test.expression, not outcome)
        if isinstance(test, cst.BooleanOperation):
            is_and = isinstance(test.operator, cst.And)
            if is_and == outcome:  # `a and b` true, `a or b` false: both sides hold
                first = self.refine(dict(env), test.left, outcome)
                return self.refine(first, test.right, outcome) if first is not None else None
            left = self.refine(dict(env), test.left, outcome)
            other = self.refine(dict(env), test.left, not outcome)
            right = self.refine(other, test.right, outcome) if other is not None else None
            if left is None:
                return right
            return left if right is None else _join_env(left, right)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            return self.refine_compare(env, test, outcome)
        if isinstance(test, cst.Call):
            return self.refine_call(env, test, outcome)
        if isinstance(test, cst.NamedExpr):
            self.eval(test, env)
            return self.refine(env, test.target, outcome)
        if not outcome and isinstance(test, cst.Name | cst.Attribute | cst.Subscript):
            # A false value ("", None, 0, []) carries nothing.
            return self.narrow(env, test, ALL_KINDS)
        return env

    def refine_compare(self, env: Env, test: cst.Comparison, outcome: bool) -> Env | None:
        comparison = test.comparisons[0]
        op = comparison.operator
        left, right = test.left, comparison.comparator
        if isinstance(op, cst.In | cst.NotIn):
            positive = isinstance(op, cst.In) == outcome
            collection = self.eval(right, dict(env))
            members = _members(collection)
            trusted = not any(f.label.family == "input" for f in collection.deep_flows())
            if positive and (members is not None or trusted):
                return self.narrow(env, left, ALL_KINDS, members)
            if positive and not any(f.label.kind == "source" for f in collection.deep_flows()):
                # A collection the function was given (`if column not in columns: raise`): the value is one of its
                # elements, so it carries what the collection carries (a caller's data, if any), not its own.
                return self._one_of(self.narrow(env, left, ALL_KINDS), left, collection.deep_flows())
            needle = self.eval(left, dict(env))
            if not positive and isinstance(needle.const, str):
                kinds = frozenset().union(*(k for blocked, k in _BLOCKED if needle.const == blocked or
                                            (len(blocked) == 1 and blocked in needle.const and len(needle.const) <= 2)))  # fmt: skip
                if kinds:
                    return self.narrow(env, right, kinds)
            return env
        if isinstance(op, cst.Equal | cst.NotEqual | cst.Is | cst.IsNot):
            positive = isinstance(op, cst.Equal | cst.Is) == outcome
            if isinstance(op, cst.Is | cst.IsNot) and self._match_call(left) and fold.literal(right) is None:
                # `re.fullmatch(P, s) is not None`: a match object is never false, so this is its truth.
                return self.refine(env, left, not positive)
            for subject, other in ((left, right), (right, left)):
                if positive and self._common_path(env, subject, other):
                    return env
                known = self.eval(other, dict(env))
                if positive and known.const is not UNKNOWN and not known.flows:
                    return self.narrow(env, subject, ALL_KINDS, (known.const,))
            return env
        return env

    def _one_of(self, env: Env, subject: cst.BaseExpression, flows: tuple[Flow, ...]) -> Env:
        """`subject`, narrowed to nothing of its own, now carries `flows` (those of the collection it is in)."""
        path = self.access_path(subject, env)
        if path is None or path[0] not in env:
            return env
        root, keys = path
        inner = _get_path(env[root], keys)
        env[root] = _set_path(env[root], keys, inner.with_flows(inner.flows + flows))
        return env

    def _common_path(self, env: Env, call: cst.BaseExpression, base: cst.BaseExpression) -> bool:
        """`os.path.commonpath([BASE, real]) == BASE`: every other normalised path of the list lies under BASE
        (narrowed, and True); a path that is not normalised may still climb out with `..`."""
        if not isinstance(call, cst.Call) or len(call.args) != 1:
            return False
        name = self.name_in(call.func, env)
        if name is None or self.info.resolved(name).rsplit(".", 1)[-1] not in ("commonpath", "commonprefix"):
            return False
        listed = call.args[0].value
        if not isinstance(listed, cst.List | cst.Tuple):
            return False
        code = self.info.module.code_for_node
        wanted = code(base)
        others = [e.value for e in listed.elements if code(e.value) != wanted]
        if len(others) != len(listed.elements) - 1:
            return False
        for other in others:
            if self.eval(other, dict(env)).type == _PATH_TYPE:
                self.narrow(env, other, frozenset({"path"}))
        return True

    def _match_call(self, expr: cst.BaseExpression) -> bool:
        """A call of a regular expression's `match`, `fullmatch` or `search` (module function or method)."""
        if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
            return False
        if expr.func.attr.value not in ("match", "fullmatch", "search"):
            return False
        return self.static_name(expr.func) in ("re.match", "re.fullmatch", "re.search") or not (
            isinstance(expr.func.value, cst.Name) and expr.func.value.value == "re"
        )

    def refine_no_match(self, env: Env, test: cst.Call, name: str | None, positional: list) -> Env:
        """`if re.search(r"[^a-z0-9_]", x): raise` falls through only when x holds allowed characters only."""
        if name is not None and self.info.resolved(name) in _ISABS and len(positional) == 1:
            return self.narrow(env, positional[0], frozenset({"path-abs"}))  # `if os.path.isabs(x): continue`
        func = test.func
        if isinstance(func, cst.Attribute) and func.attr.value == "startswith" and len(positional) == 1:
            prefix = self.eval(positional[0], dict(env)).const
            prefixes = prefix if isinstance(prefix, tuple) else (prefix,)
            if "/" in prefixes or self.info.resolved(self.name_in(positional[0], env) or "") in ("os.sep",):
                return self.narrow(env, func.value, frozenset({"path-abs"}))  # `if x.startswith("/"): raise`
        if name is not None and self.info.resolved(name) == "re.search" and len(positional) >= 2:
            kinds = _allowed_only(self.eval(positional[0], dict(env)).const)
            return self.narrow(env, positional[1], kinds) if kinds else env
        if isinstance(test.func, cst.Attribute) and test.func.attr.value == "search" and positional:
            pattern = self.eval(test.func.value, dict(env)).field(".pattern")
            kinds = _allowed_only(pattern.const if pattern is not None else None)
            return self.narrow(env, positional[0], kinds) if kinds else env
        return env

    def refine_call(self, env: Env, test: cst.Call, outcome: bool) -> Env:
        func = test.func
        name = self.name_in(func, env)
        positional = [a.value for a in test.args if a.keyword is None and not a.star]
        if name is not None and name.startswith("@") and not self.light and self.predicate(env, test, name, outcome):
            return env
        if name == "bool" and len(positional) == 1 and len(test.args) == 1:
            return self.refine(env, positional[0], outcome) or env
        if not outcome:
            return self.refine_no_match(env, test, name, positional)
        if name in ("isinstance",) and len(positional) == 2:
            types = positional[1]
            names = (
                [self.name_in(e.value, env) for e in types.elements]
                if isinstance(types, cst.Tuple)
                else [self.name_in(types, env)]
            )
            if names and all(n in _SAFE_TYPES for n in names if n) and all(names):
                return self.narrow(env, positional[0], ALL_KINDS)
            return env
        if name is not None and self.info.resolved(name) in ("re.fullmatch", "re.match") and len(positional) >= 2:
            pattern = self.eval(positional[0], dict(env)).const
            if isinstance(pattern, str | bytes):
                whole = self.info.resolved(name) == "re.fullmatch"
                kinds = _strict_kinds(pattern, fullmatch=whole)
                hosts = _HOST_KINDS if _fixed_domain(pattern, whole) else frozenset()
                if kinds or hosts:
                    return self.narrow(env, positional[1], kinds, host_kinds=hosts)
            return env
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = func.value
            if method in ("fullmatch", "match") and positional:
                compiled = self.eval(receiver, dict(env))
                pattern = compiled.field(".pattern")
                text = pattern.const if pattern is not None else UNKNOWN
                if isinstance(text, str | bytes):
                    kinds = _strict_kinds(text, fullmatch=method == "fullmatch")
                    hosts = _HOST_KINDS if _fixed_domain(text, method == "fullmatch") else frozenset()
                    if kinds or hosts:
                        return self.narrow(env, positional[0], kinds, host_kinds=hosts)
                return env
            if method in ("isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha", "isidentifier", "isascii"):
                kinds = ALL_KINDS if method != "isascii" else frozenset()
                return self.narrow(env, receiver, kinds) if kinds else env
            if method in ("startswith", "is_relative_to") and positional:
                prefix = self.eval(positional[0], dict(env))
                subject = self.eval(receiver, dict(env))
                kinds: set[str] = set()
                if isinstance(prefix.const, str) and _FIXED_HOST.match(prefix.const):
                    kinds |= {"redirect", "ssrf"}
                # The path must be normalised first, or `..` climbs out of a prefix that matched: a value known to
                # be a plain `pathlib` path (`Path(BASE) / name`) is not; one of unknown origin is given the benefit.
                lexical = (subject.type or "").startswith("pathlib.")
                if (
                    subject.type == _PATH_TYPE or (method == "is_relative_to" and not lexical)
                ) and prefix.const is not None:
                    kinds.add("path")
                if kinds:
                    return self.narrow(env, receiver, frozenset(kinds))
                return env
        validator = self.models.validators.get(self.info.resolved(name) if name else "")
        if validator is not None:
            index, kinds, keyword = validator
            subject = positional[index] if len(positional) > index else None
            if subject is None and keyword:
                subject = next(
                    (a.value for a in test.args if a.keyword is not None and a.keyword.value == keyword), None
                )
            if subject is not None and kinds:
                return self.narrow(env, subject, kinds)
        if name is not None:
            short = name.rsplit(".", 1)[-1]
            if short in ("url_has_allowed_host_and_scheme", "is_safe_url") and positional:
                return self.narrow(env, positional[0], frozenset({"redirect", "ssrf"}))
        if positional:
            self._checked_by_name(env, test, positional[0])  # `if is_valid_path(p):`
        return env

    def _alias(self, name: str) -> cst.BaseExpression | None:
        """The expression a local variable of this function stands for wherever it is read: it is bound once,
        by `name = expression`, and every variable the expression reads is bound at most once (so it still
        holds what it held there). None for any other name."""
        node = self.node
        if not isinstance(node, cst.FunctionDef):
            return None
        facts = self.info.facts(node)
        value = facts.alias(name) if name not in facts.declared else None
        if value is None:
            return None
        counts = facts.counts
        stack: list[cst.CSTNode] = [value]
        while stack:
            item = stack.pop()
            if type(item) is cst.Name and counts.get(item.value, 0) > 1:
                return None
            stack.extend(children(item))
        return value

    def _checked_by_name(self, env: Env, call: cst.Call, subject: cst.BaseExpression) -> None:
        """A project's check whose name says it validates a file name, a path or a key (`validateKeyName(x)`,
        `is_valid_path(p)`, `check_filename(f)`), passed, makes its argument safe as a path: what such a check
        accepts is its author's definition of a safe name. A check named for something else
        (`validate_request(data)`, `check_user(u)`) says nothing about the parts used as paths."""
        func = call.func
        short = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else ""
        if isinstance(subject, cst.Name) and _VALIDATOR.match(short):
            # A parameter taken as outside input only from how its function looks ("inferred": no caller in view)
            # that the code itself passes to a validator (`validateClient(client)`): that guess is withdrawn.
            value = env.get(subject.value)
            inferred = value is not None and any(f.label.trust == "inferred" for f in value.flows)
            if inferred and not self._body_seen(env, call):
                env[subject.value] = value.with_flows(tuple(f for f in value.flows if f.label.trust != "inferred"))  # type: ignore[union-attr]
        if not _PATH_CHECK.match(short) or not isinstance(subject, cst.Name | cst.Attribute | cst.Subscript):
            return
        if not self._body_seen(env, call):  # the body, when the analysis reads it, says what it checks
            self.narrow(env, subject, _PATH_KINDS)

    def _body_seen(self, env: Env, call: cst.Call) -> bool:
        """Whether the callee is a function of the project whose body the analysis reads at this call (its
        summary, or what it answers, decides; its name does not)."""
        name = self.name_in(call.func, env)
        if name is None or not name.startswith("@") or self.light:
            return False
        receiver, args = self._call_args(env, call)
        if not self.info.engine.worth_loading(name, args, receiver, self.info.path):
            return False
        return self.info.resolve_callable(name, load=True) is not None

    def _call_args(self, env: Env, call: cst.Call) -> tuple[Value | None, list[Arg]]:
        """The receiver (of a method call) and the arguments of a call, evaluated where `env` holds."""
        func = call.func
        receiver = self.eval(func.value, dict(env)) if isinstance(func, cst.Attribute) else None
        args = [Arg(self.eval(a.value, dict(env)), a.keyword.value if a.keyword else None, a.star, a.value)
                for a in call.args]  # fmt: skip
        return receiver, args

    def narrow(
        self,
        env: Env,
        subject: cst.BaseExpression,
        kinds: frozenset[str],
        members: Any = None,
        extra: tuple = (),
        host_kinds: frozenset[str] = frozenset(),
        hops: int = 0,
    ) -> Env:
        """The value `subject` stands for (at access path `extra` below it) is now known safe for `kinds` (or
        one of `members`); `host_kinds` too when `subject` is the host part of a URL (a check that pins a host
        name says nothing of a whole URL: `.*\\.example\\.com$` matches `http://evil/?.example.com`)."""
        derived: frozenset[str] | None = None
        expr = subject
        while True:
            if isinstance(expr, cst.Name) and hops < _MAX_ALIAS_HOPS:
                value = self._alias(expr.value)
                if value is not None:
                    # `host = urlparse(url).hostname` then `if host in ALLOWED`: the name is narrowed, and
                    # what it was computed from as far as the computation lets the check through.
                    self.narrow(env, expr, kinds, members, extra, host_kinds, _MAX_ALIAS_HOPS)
                    expr, hops = value, hops + 1
                    continue
            if (
                isinstance(expr, cst.BooleanOperation)
                and isinstance(expr.operator, cst.Or)
                and fold.literal(expr.right) is not None
            ):
                expr = expr.left  # `(parsed.hostname or "")`: the default is a constant
                continue
            parts = _joined_parts(expr, self, env)
            if parts is not None:
                # A path joined from parts and checked as a whole (`realpath(join(BASE, name)).startswith(BASE)`):
                # each part is safe as a path there; a constant base is narrowed to nothing.
                narrowed = kinds & derived if derived is not None else kinds
                if "path" in narrowed:
                    # Inside that base only: a part used alone later is relative to the working directory.
                    narrowed = (narrowed - _PATH_KINDS) | {"path-under"}
                for part in parts:
                    self.narrow(env, part, narrowed, None, extra)
                return env
            if isinstance(expr, cst.Call):
                name = self.name_in(expr.func, env)
                method = expr.func.attr.value if isinstance(expr.func, cst.Attribute) else None
                if name is not None and self.info.resolved(name) in self.models.derivers and expr.args:
                    if self.info.resolved(name) in self.models.normalizers:
                        derived = (derived or ALL_KINDS) & frozenset({"path"})
                    expr = expr.args[0].value
                    continue
                if method in ("lower", "upper", "strip", "lstrip", "rstrip", "casefold", "resolve", "absolute"):
                    expr = expr.func.value  # type: ignore[attr-defined]
                    continue
                break
            if isinstance(expr, cst.Attribute) and expr.attr.value in _URL_PARTS:
                base = expr.value
                if isinstance(base, cst.Name) and hops < _MAX_ALIAS_HOPS:
                    base = self._alias(base.value) or base  # `parsed = urlparse(url)` then `parsed.hostname`
                if isinstance(base, cst.Call):
                    if expr.attr.value in _HOST_PARTS:
                        kinds = kinds | host_kinds
                    derived = (derived or ALL_KINDS) & _HOST_KINDS
                    expr = base
                    continue
            break
        if derived is not None:
            kinds = kinds & derived
            members = None
        if not kinds:
            return env
        path = self.access_path(expr, env)
        if path is None:
            return env
        root, keys = path
        keys = (*keys, *extra)
        if root not in env:
            if root in self.locals or not isinstance(self.node, cst.FunctionDef):
                return env
            env[root] = self.lookup(root, env)
        current = env[root]
        inner = _get_path(current, keys)
        if members is not None and len(members) == 1 and not keys and kinds >= ALL_KINDS:
            env[root] = const(next(iter(members)))
            return env
        flows = clean_flows(inner.flows, kinds)
        if keys and keys[-1] is not None and not (isinstance(keys[-1], str) and keys[-1].startswith(".")):
            # One key of a container: its sources stay, cleared, so that they prevail over the same sources the
            # container as a whole still carries (`prefer_flows` when the key is read).
            flows = _mark_cleared(inner.flows, kinds)
        cleaned = replace(inner, flows=flows, fields=tuple(
            (k, v.with_flows(clean_flows(v.deep_flows(), kinds))) for k, v in inner.fields
        ), rest=inner.rest.with_flows(clean_flows(inner.rest.deep_flows(), kinds)) if inner.rest is not None else None)  # fmt: skip
        env[root] = _set_path(current, keys, cleaned)
        return env


# The name of a check of a path-like value: a verb that validates, then what it validates (a name, path,
# file, directory or key): `validateKeyName`, `is_valid_path`, `check_filename`, `ensure_safe_dir`.
_PATH_CHECK = re.compile(
    r"^_*(?:is_?|has_?)?(?:valid(?:ate)?|check|verify|ensure|assert|safe|secure|allowed)_?(?:(?:is_?)?(?:safe|valid|allowed|secure)_?)?"
    r"(?:[a-z]+_?|[A-Z][a-z]+)??(?:name|path|file|filename|dir|directory|folder|key|slug)s?$",
    re.IGNORECASE,
)
_PATH_KINDS = frozenset({"path", "path-dots"})
_ISABS = frozenset({"os.path.isabs", "posixpath.isabs"})
# The name of any check that raises or answers on what it is given (`validateClient`, `check_user`).
_VALIDATOR = re.compile(
    r"^_*(?:is_?)?(?:[Vv]alid(?:ate)?|[Cc]heck|[Vv]erify|[Ee]nsure|[Aa]ssert|[Ss]aniti[sz]e)(?:[_A-Z0-9]\w*)?$"
    r"(?<!check_output)(?<!check_call)"
)


def param_checks(env: Env, params: list[str], rebound: frozenset[object]) -> tuple[Check, ...]:
    """What a state says about a function's parameters (those its body never binds again): each one whose own
    data is sanitised there, for the kinds it is (gone entirely: checked for every kind, or narrowed to a
    constant), and attributes or keys of one checked on their own (`self.name`, `d["k"]`)."""
    out: list[Check] = []
    for index, name in enumerate(params):
        value = env.get(name)
        if name in rebound or value is None or value.ref is not None:
            continue
        own = _own_cleared(value.flows, index, ())
        kinds = ALL_KINDS if own is None else own  # none left: checked for every kind, or narrowed to a constant
        if kinds:
            out.append((index, (), kinds))
        for key, item in value.fields:
            if key is None or item.const is not UNKNOWN:
                continue
            got = _own_cleared(item.flows, index, (key,))
            if got is None and item.flows and all(f.spent for f in item.flows) and (name, key) not in rebound:
                got = ALL_KINDS  # checked for every kind, and never assigned
            if got and not got <= kinds:
                out.append((index, (key,), got))
    return tuple(out)


def _own_cleared(flows: tuple[Flow, ...], index: int, path: tuple[object, ...]) -> frozenset[str] | None:
    """The kinds every flow of parameter `index` (read at `path`, or as a whole) is cleared for in `flows`;
    None when there is none."""
    kinds: frozenset[str] | None = None
    for flow in flows:
        label = flow.label
        if label.kind == "param" and label.index == index and label.path in (path, ()):
            kinds = flow.cleared if kinds is None else kinds & flow.cleared
    return kinds


_JOINS = frozenset({"os.path.join", "posixpath.join", "ntpath.join"})


def _joined_parts(expr: cst.BaseExpression, analysis: Analysis, env: Env) -> list[cst.BaseExpression] | None:
    """The parts of a path join (`os.path.join(a, b)`, `Path(a) / b`), else None."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
        left = analysis.eval(expr.left, dict(env))
        if left.type is not None and left.type.startswith(("pathlib.", _PATH_TYPE)):
            return [expr.left, expr.right]
        return None
    if isinstance(expr, cst.Call) and expr.args and all(not a.star and a.keyword is None for a in expr.args):
        name = analysis.name_in(expr.func, env)
        if name is not None and analysis.info.resolved(name) in _JOINS:
            return [a.value for a in expr.args]
    return None


def _allowed_only(pattern: object) -> frozenset[str]:
    """The kinds a value is safe for when `re.search(pattern, value)` finds nothing and `pattern` is one negated
    character class (`[^a-zA-Z0-9_-]`): every character of the value is in the class, an allow-list, judged per
    kind as `_strict_kinds` judges a full match (a space among them still splits command arguments)."""
    if isinstance(pattern, bytes):
        pattern = pattern.decode("latin-1")
    if not isinstance(pattern, str):
        return frozenset()
    match = re.fullmatch(r"\[\^((?:[^\]\\]|\\.)+)\]", pattern)
    if match is None:
        return frozenset()
    members = _class_members(match.group(1))
    if members is None:
        return frozenset()
    chars = frozenset(members)
    return frozenset(kind for kind in ALL_KINDS if _safe_for(kind, chars, "." in chars))


_SAFE_TYPES = frozenset(
    ["int", "float", "bool", "complex", "uuid.UUID", "UUID", "decimal.Decimal", "Decimal", "datetime.date",
     "datetime.datetime", "numbers.Number", "numbers.Integral"]
)  # fmt: skip


def _anchored_body(pattern: str | bytes, fullmatch: bool) -> str | None:
    """What a value must match whole: the pattern without its anchors (`re.match` anchors the start itself, and
    needs `$`, `\\Z` or `\\z` at the end), or None when `re.match` leaves the end open."""
    text = pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern
    if not fullmatch and not text.endswith(("$", "\\Z", "\\z")):
        return None
    text = text.strip("^$")
    if text.startswith("\\A"):
        text = text[2:]
    if text.endswith(("\\Z", "\\z")):
        text = text[:-2]
    return text


# The end of a pattern that pins the domain: two or more literal labels, each after an escaped dot
# (`\.amazonaws\.com`), then optional literal labels (`(\.cn)?`).
_DOMAIN_TAIL = re.compile(r"(?:\\\.[A-Za-z0-9-]+){2,}(?:\((?:\?:)?(?:\\\.[A-Za-z0-9-]+)+\)\?)*")


def _fixed_domain(pattern: str | bytes, fullmatch: bool) -> bool:
    r"""A host name that matches `pattern` whole lies in one fixed domain (`^sns\.[a-z0-9-]+\.amazonaws\.com$`):
    anchored at both ends, no alternative, and ending with that domain's literal labels."""
    body = _anchored_body(pattern, fullmatch)
    if not body or "|" in body:
        return False
    tail = _DOMAIN_TAIL.search(body)
    return tail is not None and tail.end() == len(body)


def _strict(pattern: str | bytes, fullmatch: bool) -> bool:
    """A pattern anchored at both ends whose characters cannot form an injection of any kind that takes text
    (SSRF aside: a host name of letters alone still picks a server)."""
    return _strict_kinds(pattern, fullmatch) >= ALL_KINDS - {"ssrf"}


_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_LETTERS = frozenset(c for c in _WORD if not c.isdigit())
# Per sink kind, the characters that let a value change what the sink does rather than only be another value:
# a value holding none of them is safe there. "code" and "ssrf" have conditions of their own (`_safe_for`);
# a dot that can repeat (`..` climbs a directory) is judged apart.
_DANGER = {
    "command": frozenset(";|&$`()<>'\"\\ \t\n\r\f\v*?[]{}~!#"),
    "path": frozenset("/\\\x00"),
    "path-abs": frozenset("/\\:"),
    "sql": frozenset("'\"`\\;\n\r()=<>|&*/#"),
    "xss": frozenset("<>\"'&`="),
    "template": frozenset("{}%$<>#"),
    "xxe": frozenset("<>&%"),
    "ldap": frozenset('*()\\&|=!~<>,+";#\x00'),
    "xpath": frozenset("'\"[]()/=@|*:<>"),
    "nosql": frozenset("${}'\":\\;"),
    "log": frozenset("\n\r\f\v\x1b"),
    "header": frozenset("\n\r"),
    "regex": frozenset(".^$*+?()[]{}|\\"),
    "redirect": frozenset("/\\:\t\n\r"),
    "ssrf": frozenset("/\\@:?#%.[]"),
    # A pickle, marshal or YAML payload needs punctuation or line breaks (`(`, `.`, `!!`, `\n`).
    "deserialization": frozenset(chr(c) for c in range(128) if chr(c) not in _WORD and chr(c) != "-"),
}
_DOT_KINDS = frozenset({"path", "path-dots", "path-under"})
_QUOTES = frozenset("'\"\\")
_CODE_DANGER = frozenset("()[]{}.'\"\\@:;=,\n\r`")


def _strict_kinds(pattern: str | bytes, fullmatch: bool) -> frozenset[str]:
    r"""The kinds a value that fully matches `pattern` is safe for, from the characters the pattern lets
    through (`_pattern_chars`): digits alone are safe everywhere; `[a-z0-9_-]+` everywhere but SSRF (a name can
    be a host); `[a-z()]+` not for code (`eval` of `exit()`), while `[0-9+\-*/().]+` is (such an expression
    names nothing: it can only compute with literals); `[\w.-]+` not for paths (`..`); a pattern whose
    characters this cannot tell (`.`, `\S`, a negated class, a look-around) for none."""
    body = _anchored_body(pattern, fullmatch)
    if not body:
        return frozenset()
    found = _pattern_chars(body)
    if found is None:
        return frozenset()
    chars, dots = found
    return frozenset(kind for kind in ALL_KINDS if _safe_for(kind, chars, dots))


def _safe_for(kind: str, chars: frozenset[str], dots: bool) -> bool:
    if dots and kind in _DOT_KINDS:
        return False
    if kind == "code":
        # No name (letters or `_`) and no string: literals and operators only. Or names, numbers and operators
        # without a call, an attribute, a subscript, a string or a statement: it reads values and runs nothing.
        return not chars & (_LETTERS | _QUOTES) or not chars & _CODE_DANGER
    if kind == "ssrf" and chars & (_LETTERS | _NON_ASCII):
        return False  # `localhost`, `metadata`: a name alone chooses a host
    return not chars & _DANGER.get(kind, frozenset())


# `\w` in a str pattern also takes non-ASCII letters and digits: one stands for them all (none is a danger).
_NON_ASCII = frozenset("\u00e9")
_ESCAPES = {
    "d": "0123456789",
    "w": "".join(sorted(_WORD | _NON_ASCII)),
    "s": " \t\n\r\f\v",
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "f": "\f",
    "v": "\v",
}


def _pattern_chars(body: str) -> tuple[frozenset[str], bool] | None:
    r"""The characters a value matching the regular expression `body` can hold, and whether two dots can
    follow each other; None when any character can (`.`, `\S`, a negated class) or the pattern is beyond this
    reading (look-arounds, back-references, `\x` and `\u` escapes, inline flags)."""
    chars: set[str] = set()
    dots = False
    last_dot = False  # the atom just read was a literal `.`
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body):
                return None
            atom = _escaped(body[i + 1], in_class=False)
            i += 2
            if atom is None:
                return None
            chars.update(atom)
            dots = dots or (last_dot and atom == ".")
            last_dot = atom == "."
            continue
        if ch == "[":
            end = i + 2 if body.startswith("[]", i) else i + 1  # `[]...]`: a leading `]` is a member
            while end < len(body) and body[end] != "]":
                end += 2 if body[end] == "\\" else 1
            inner = body[i + 1 : end]
            if end >= len(body) or inner.startswith("^"):
                return None
            members = _class_members(inner)
            if members is None:
                return None
            chars.update(members)
            dots = dots or "." in members
            last_dot = False
            i = end + 1
            continue
        if ch == ".":
            return None  # any character
        if ch == "(":
            if body.startswith("(?:", i):
                i += 3
            elif body.startswith("(?P<", i) and body.find(">", i) > 0:
                i = body.find(">", i) + 1
            elif body.startswith("(?", i):
                return None
            else:
                i += 1
            last_dot = False
            continue
        if ch in ")|^$":
            last_dot = False
            i += 1
            continue
        if ch in "+*":
            dots = dots or last_dot
            i += 1
            continue
        if ch == "?":
            i += 1
            continue
        if ch == "{":
            close = body.find("}", i)
            bounds = body[i + 1 : close] if close > 0 else ""
            if close < 0 or not re.fullmatch(r"\d*,?\d*", bounds):
                return None
            dots = dots or (last_dot and bounds not in ("0", "1", "0,1", ",1"))
            i = close + 1
            continue
        chars.add(ch)
        last_dot = False
        i += 1
    return frozenset(chars), dots


# The quote characters of SQL text and how a quoting function escapes them inside that quote.
_SQL_QUOTE_ESCAPES: dict[str, tuple[str, ...]] = {"'": ("''", "\\'"), '"': ('""',), "`": ("``",), "]": ("]]",)}


def _escaped(letter: str, in_class: bool) -> str | None:
    r"""The characters `\<letter>` stands for: a class (`\d`), a control character (`\n`), nothing for a
    position outside a class (`\b`, `\A`), the character itself when escaped punctuation (`\.`), or None."""
    found = _ESCAPES.get(letter)
    if found is not None:
        return found
    if not in_class and letter in "bBAZz":
        return ""
    return None if letter.isalnum() else letter


def _class_members(body: str) -> set[str] | None:
    r"""The characters a character class's body allows, or None when it uses an escape other than `\d`, `\s` or
    an escaped punctuation character (`\w` allows letters)."""
    chars: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body):
                return None
            atom = _escaped(body[i + 1], in_class=True)
            if atom is None:
                return None
            chars.extend(atom)
            i += 2
            continue
        if i + 2 < len(body) and body[i + 1] == "-" and body[i + 2] != "\\":
            low, high = ord(ch), ord(body[i + 2])
            if high < low or high - low > 256:
                return None
            chars.extend(chr(c) for c in range(low, high + 1))
            i += 3
            continue
        chars.append(ch)
        i += 1
    return set(chars)


def _members(value: Value) -> Any:
    """The constant members of a literal collection, else None."""
    if isinstance(value.const, frozenset | tuple | list):
        return value.const
    if isinstance(value.const, str):
        return None
    if value.fields and value.rest is None and not value.flows:
        keys = [k for k, _ in value.fields]
        if all(isinstance(k, int) for k in keys):
            consts = [v.const for _, v in value.fields]
            if all(c is not UNKNOWN for c in consts):
                return tuple(consts)
            return None
        return tuple(k for k in keys if not (isinstance(k, str) and k.startswith(".")))
    return None


def _joined_again(flows: tuple[Flow, ...]) -> tuple[Flow, ...]:
    """Parts joined into a path: those checked inside a join after a base (`path-under`) are safe as a path."""
    return tuple(Flow(f.label, f.cleared | {"path"}, f.steps) if "path-under" in f.cleared else f for f in flows)


def _unclear_dots(flows: tuple[Flow, ...]) -> tuple[Flow, ...]:
    """A part joined after a base: its `..` check protects only if an absolute path was rejected too."""
    return tuple(
        Flow(f.label, f.cleared - {"path-dots"}, f.steps)
        if "path-dots" in f.cleared and "path-abs" not in f.cleared
        else f
        for f in flows
    )


def _name_of(fn: cst.CSTNode) -> str:
    name = getattr(fn, "name", None)
    return name.value if isinstance(name, cst.Name) else "<lambda>"


def _positions(value: Value) -> list[Value] | None:
    """The items of a list or tuple whose length and order are known (a literal), else None."""
    if isinstance(value.const, tuple | list):
        return [const(item) for item in value.const]
    if value.rest is not None or not value.fields or value.flows:
        return None
    items = [value.field(index) for index in range(len(value.fields))]
    return None if any(item is None for item in items) else items  # type: ignore[return-value]


def _list_edit(receiver: Value, method: str, positional: list[Value]) -> tuple[list[Value], Value] | None:
    """A list of known length after `pop(i)` or `insert(i, x)` with a constant index: the items move as Python
    moves them (after `pop(0)`, item 1 is read as `[0]`), and what the call returns. (`append` leaves the length
    unknown, as before: tracking exact lengths through appends lost a real flow (a list appended to in a loop,
    then joined into SQL) for a reason not yet found.)"""
    items = _positions(receiver)
    if items is None:
        return None
    index = positional[0].const if positional else (-1 if method == "pop" else UNKNOWN)
    if not isinstance(index, int) or isinstance(index, bool):
        return None
    items = list(items)
    if method == "insert" and len(positional) == 2:
        items.insert(index, positional[1])
        return items, CLEAN
    if method == "pop" and len(positional) <= 1 and -len(items) <= index < len(items):
        taken = items.pop(index)
        return items, taken
    return None


_DEQUE_ENDS = frozenset({"append", "appendleft", "pop", "popleft"})


def _deque_items(value: Value) -> list[Value] | None:
    """The items of a `collections.deque` in order, when every path agrees on them (values.join forgets the
    order of deques whose lengths differ: a deque appended to in a loop), else None."""
    if value.type != "deque" or value.rest is not None or value.flows or value.const is not UNKNOWN:
        return None
    items = [value.field(index) for index in range(len(value.fields))]
    return None if any(item is None for item in items) else items  # type: ignore[return-value]


def _deque_edit(receiver: Value, method: str, positional: list[Value]) -> tuple[list[Value], Value] | None:
    """`append`/`appendleft` of one item, `pop()`/`popleft()` on a deque whose items are known: the items after
    the call, and what it returns (`popleft` takes the oldest, `pop` the newest, as Python does)."""
    items = _deque_items(receiver)
    if items is None:
        return None
    if method in ("append", "appendleft"):
        if len(positional) != 1 or len(items) >= MAX_FIELDS:
            return None
        return ([*items, positional[0]] if method == "append" else [positional[0], *items]), CLEAN
    if positional or not items:
        return None
    return (items[1:], items[0]) if method == "popleft" else (items[:-1], items[-1])


def _as_deque(items: list[Value]) -> Value:
    return Value(fields=tuple(enumerate(items)), type="deque")


def _as_list(items: list[Value]) -> Value:
    if len(items) > MAX_FIELDS:
        out = Value(type="list")
        for item in items:
            out = out.with_element(item)
        return out
    return Value(fields=tuple(enumerate(items)), type="list")


def _concatenated(left: Value, right: Value) -> Value:
    """`left + right` for sequences: positions stay known while the left one's length is (`["ls"] + extra`
    keeps `ls` as the program); past that, the items only as a whole."""
    head = _positions(left)
    if head is None:
        return Value(rest=join(left.elements(), right.elements()))
    tail = _positions(right)
    out = Value()
    for index, item in enumerate(head + (tail or [])):
        out = out.with_field(index, item)
    return out if tail is not None else out.with_element(right.elements())


def _kind(value: Value) -> str | None:
    """ "str" for a value known to be a string."""
    if isinstance(value.const, str) or value.type == "str":
        return "str"
    return None


def _section_key(section: Any, option: Any) -> object:
    if isinstance(section, str) and isinstance(option, str):
        return f"{section}/{option.lower()}"
    return None


def _describe(root: str, keys: tuple[object, ...]) -> str:
    out = root
    for key in keys:
        if isinstance(key, str) and key.startswith("."):
            out += key
        elif key is None:
            out += "[...]"
        else:
            out += f"[{key!r}]"
    return out


def _get_path(value: Value, keys: tuple[object, ...]) -> Value:
    for key in keys:
        if key is None:
            value = value.elements()
            continue
        found = value.field(key)
        if found is None:
            return Value(flows=value.flows)
        value = found
    return value


def _set_path(value: Value, keys: tuple[object, ...], new: Value) -> Value:
    if not keys:
        return new
    key, rest = keys[0], keys[1:]
    if key is None:
        inner = value.rest if value.rest is not None else Value()
        return value.with_element(_set_path(inner, rest, new)) if rest else value.with_element(new)
    inner = value.field(key)
    if inner is None:
        inner = Value()
    return value.with_field(key, _set_path(inner, rest, new))


def _join_env(a: Env, b: Env) -> Env:
    if a is b:
        return a
    out = dict(a)
    for key, value in b.items():
        have = out.get(key)
        # Most variables hold the same value object on both paths (states are copied, values shared): that one
        # is the join, without a call.
        if have is None:
            out[key] = value
        elif have is not value:
            out[key] = join(have, value)
    return out


def _same_env(a: Env, b: Env) -> bool:
    if a is b:
        return True
    if a.keys() != b.keys():
        return False
    for key, value in a.items():
        other = b[key]
        if value is not other and not same(value, other):
            return False
    return True


def _reverse_postorder(cfg: CFG) -> list[int]:
    seen: set[int] = set()
    order: list[int] = []
    stack = [(cfg.entry, iter(cfg.blocks[cfg.entry].succ))]
    seen.add(cfg.entry)
    while stack:
        index, successors = stack[-1]
        for succ, _ in successors:
            if succ not in seen:
                seen.add(succ)
                stack.append((succ, iter(cfg.blocks[succ].succ)))
                break
        else:
            stack.pop()
            order.append(index)
    order.reverse()
    return order
