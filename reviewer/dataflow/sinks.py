"""Sinks: which arguments of a call receive data that is dangerous there, and the flows that reach them.

Two ways a call is a sink: a model names it (`os.system`, a cursor's `execute`), or it calls a project
function whose summary says a parameter reaches a sink inside (a wrapper around `os.system` is a sink too).
The rules and the summaries use the same matcher, so a flow is reported the same way however deep it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst
from codeward.reviewer.dataflow.analysis import Arg, clean_flows, label_step
from codeward.reviewer.dataflow.cfg import element_key
from codeward.reviewer.dataflow.models import Sink
from codeward.reviewer.dataflow.models.shell import MAX_WORDS, SCRIPT_FLAGS, argv_command, is_shell
from codeward.reviewer.dataflow.models.xml import XML_TYPES
from codeward.reviewer.dataflow.nodes import children
from codeward.reviewer.dataflow.values import Flow, Value, merge_flows

if TYPE_CHECKING:
    from codeward.reviewer.dataflow.analysis import Analysis, Env

_FIXED_HOST = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/{}\s]+/|/[^/\\])")


# Where a wrapper's sink is, once per node (a position costs a print of the module up to it).
_POSITIONS: dict[int, object] = {}


@dataclass(frozen=True, slots=True)
class Hit:
    """A flow reaching a sink: `flow` (a source, or in a summary a parameter) at argument `arg` of the call."""

    kind: str
    flow: Flow
    sink: str  # how messages name the sink: "os.system"
    arg: cst.BaseExpression | None
    where: tuple[object, object] | None = None  # (module, call node) inside a wrapper where it calls on
    wrapper: str | None = None  # the project function called here that passes the data on to the sink
    # The wrappers further in, when the wrapper passes the data to another (`listing()` -> `run()` -> the sink):
    # (name, (module, call node inside it)) each; the last call node is the sink.
    hops: tuple[tuple[str, tuple[object, object]], ...] = ()

    @property
    def via(self) -> str | None:
        """ "helpers.py:14": where the sink is, when the call reaches it through a wrapper."""
        if self.where is None:
            return None
        return _where_text(self.hops[-1][1] if self.hops else self.where)

    def label(self) -> str:
        """The sink as messages name it: `os.system()`, `run(), which passes it to os.system() (x.py:3)`, or
        through every wrapper: `listing(), which passes it to run() (x.py:9), which passes it to os.system()
        (x.py:3)`."""
        if self.wrapper is None or self.where is None:
            return f"{self.sink}()"
        names = [name for name, _ in self.hops] + [self.sink]
        wheres = [self.where] + [where for _, where in self.hops]
        return f"{self.wrapper}()" + "".join(
            f", which passes it to {name}() ({_where_text(where)})" for name, where in zip(names, wheres, strict=True)
        )


def _where_text(where: tuple[object, object]) -> str:
    """ "helpers.py:14": a call's file and line."""
    import os

    from codeward.reviewer.positions import positions

    owner, node = where
    span = _POSITIONS.get(id(node))
    if span is None:
        span = _POSITIONS[id(node)] = positions(owner.module, [node]).get(id(node))  # type: ignore[attr-defined]
    name = os.path.basename(owner.path)  # type: ignore[attr-defined]
    return f"{name}:{span.line}" if span is not None else name


def callee(analysis: Analysis, call: cst.Call, env: Env) -> tuple[str | None, str | None, Value | None]:
    """(qualified name, method name, receiver value) of a call, as the analysis resolves them."""
    func = call.func
    if isinstance(func, cst.Attribute):
        receiver = analysis.eval(func.value, env)
        method = func.attr.value
        if receiver.ref is not None:
            value = analysis.read_attr(receiver, method, None)
            if _module_like(receiver.ref):
                return value.ref, method, None
            return value.ref, method, Value()  # a class (or its attribute): its methods work on objects
        name = f"{receiver.type}.{method}" if receiver.type else None
        return name, method, receiver
    value = analysis.eval(func, env)
    return value.ref, None, None


def _module_like(ref: str) -> bool:
    """`os.path`, a project module: not `Entry.objects` (a class's manager) or `@x.py::Model`."""
    if ref.startswith("@"):
        return "::" not in ref
    return not any(part[:1].isupper() for part in ref.split("."))


def call_hits(analysis: Analysis, call: cst.Call, env: Env, kind: str | None = None) -> list[Hit]:
    """Every flow (sources and parameters alike) reaching a sink argument of `call` in state `env`."""
    name, method, receiver = callee(analysis, call, env)
    hits: list[Hit] = []
    for sink in _model_sinks(analysis, name, method, receiver):
        if kind is not None and sink.kind != kind:
            continue
        for expr, value in _sink_values(analysis, sink, call, env, receiver):
            for flow in _reaching(value, sink.kind):
                label = _label(name if receiver is None else None, method, call, analysis)
                hits.append(Hit(sink.kind, flow, label, expr))
    if name is not None and name.startswith("@"):
        hits += _wrapper_hits(analysis, call, env, name, receiver, kind)
    return hits


def _model_sinks(analysis: Analysis, name: str | None, method: str | None, receiver: Value | None) -> list[Sink]:
    models = analysis.models
    found = list(models.call_sinks.get(name or "", ()))
    if receiver is not None and method is not None and receiver.type:
        if receiver.type.startswith(XML_TYPES):
            found += models.call_sinks.get(f"xml.Element.{method}", ())
        if not found and analysis.info._is_handler_instance(receiver.type):
            found += models.call_sinks.get(f"web.Handler.{method}", ())
    if not found and method is not None and (receiver is not None or name is None):
        found += models.method_sinks.get(method, ())
    return found


def _label(name: str | None, method: str | None, call: cst.Call, analysis: Analysis) -> str:
    if name and not name.startswith("@"):
        return name.replace("()", "")
    parts = []
    expr = call.func
    while isinstance(expr, cst.Attribute):
        parts.append(expr.attr.value)
        expr = expr.value
    if isinstance(expr, cst.Name):
        parts.append(expr.value)
    elif isinstance(expr, cst.Call | cst.Subscript):
        parts.append("...")
    return ".".join(reversed(parts)) or (method or "call")


def _argument(call: cst.Call, index: int, keyword: str) -> cst.BaseExpression | None:
    if index >= 0:
        for seen, arg in enumerate(call.args):
            if arg.keyword is not None or arg.star:
                break
            if seen == index:
                return arg.value
    if keyword:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                return arg.value
    return None


def _sink_values(
    analysis: Analysis, sink: Sink, call: cst.Call, env: Env, receiver: Value | None
) -> list[tuple[cst.BaseExpression | None, Value]]:
    when = sink.when
    if when in ("shell", "program"):
        shell = _argument(call, -1, "shell")
        shell_value = analysis.eval(shell, env) if shell is not None else None
        on = shell_value is not None and shell_value.const is not False and shell_value.const is not None
        on = on and shell_value.const != 0  # type: ignore[union-attr]
        if (when == "shell") != on:
            return []
    if when == "no-parser" and (_argument(call, 1, "parser") is not None):
        return []
    if when == "receiver-tainted" and (receiver is None or not _receiver_reaching(receiver, sink.kind)):
        return []
    if when in ("argv", "argv-list"):
        return _argv_script(analysis, sink, call, env)
    out: list[tuple[cst.BaseExpression | None, Value]] = []
    for index, keyword in sink.args:
        if index == -1:
            if isinstance(call.func, cst.Attribute) and receiver is not None:
                out.append((call.func.value, receiver))
            continue
        expr = _argument(call, index, keyword) if index != -2 else _argument(call, -1, keyword)
        if expr is None:
            continue
        value = analysis.eval(expr, env)
        if when == "host" and _host_fixed(value):
            continue
        if when == "text" and (
            value.fields
            or value.rest is not None
            or isinstance(value.const, dict | list)
            or _not_html(analysis, call, env)
        ):
            continue  # a dict or list is sent as JSON, and a body declared as another type is not parsed as HTML
        if when == "sql-text" and value.prefix is None and not isinstance(value.const, str):
            continue
        if when == "program":
            value = _program(value)
            if value is None:
                continue
        elif when == "shell":
            value = _shell_script(value)
        out.append((expr, value))
    return out


def _argv_script(
    analysis: Analysis, sink: Sink, call: cst.Call, env: Env
) -> list[tuple[cst.BaseExpression | None, Value]]:
    """The script of a shell that an `exec*`/`spawn*` argument vector starts with `-c` (`"sh", "-c", cmd`)."""
    start = sink.args[0][0]
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    if sink.when == "argv":
        exprs: list[cst.BaseExpression | None] = list(positional[start : start + 3])
        values = [analysis.eval(e, env) for e in exprs if e is not None]
    else:
        argv = positional[start] if len(positional) > start else None
        if argv is None:
            return []
        vector = analysis.eval(argv, env)
        values = [v for v in (vector.field(i) for i in range(3)) if v is not None]
        exprs = [argv] * len(values)
    if len(values) < 3:
        return []
    program, flag = values[0].const, values[1].const
    if not is_shell(program) or flag not in SCRIPT_FLAGS:
        return []
    return [(exprs[2], values[2])]


def _not_html(analysis: Analysis, call: cst.Call, env: Env) -> bool:
    """The response declares a content type that browsers do not render as a page (`text/plain`,
    `application/json`): HTML, XML and SVG types, and an unknown type, still count. The type is read from the
    constructor's keywords (`mimetype=`, `headers={"Content-Type": ...}`) or, when the response is bound to a
    name, from what the function sets on it afterwards (`resp.headers = {...}`, `resp.mimetype = ...`,
    `resp.headers["Content-Type"] = ...`, Django's `resp["Content-Type"] = ...`) as the object stands when the
    function ends."""
    for keyword in ("content_type", "mimetype", "media_type"):
        given = _argument(call, -1, keyword)
        if given is not None:
            return _plain_type(analysis.eval(given, env).const)
    given = _argument(call, -1, "headers")
    if given is not None:
        declared = _header_type(analysis.eval(given, env))
        if declared is not None:
            return _plain_type(declared)
    name = _bound_name(analysis, call)
    response = analysis.exit_env.get(name) if name is not None else None
    if response is None:
        return False
    for attr in (".mimetype", ".content_type", ".media_type"):
        have = response.field(attr)
        if have is not None and isinstance(have.const, str):
            return _plain_type(have.const)
    for holder in (response.field(".headers"), response):
        declared = _header_type(holder) if holder is not None else None
        if declared is not None:
            return _plain_type(declared)
    return False


def _plain_type(declared: object) -> bool:
    if not isinstance(declared, str):
        return False
    kind = declared.split(";", 1)[0].strip().lower()
    return bool(kind) and not any(word in kind for word in ("html", "xml", "svg"))


def _header_type(headers: Value) -> str | None:
    """The constant `Content-Type` of a headers mapping (any spelling of the name)."""
    for key, value in headers.fields:
        if isinstance(key, str) and key.lower() == "content-type" and isinstance(value.const, str):
            return value.const
    return None


def _bound_name(analysis: Analysis, call: cst.Call) -> str | None:
    """The name a call's result is assigned to in the analysed body (`resp = Response(body)`), if any."""
    table = analysis.bound_calls
    if table is None:
        from codeward.reviewer.dataflow.module import _walk_statements

        table = analysis.bound_calls = {}
        node = analysis.node
        body = node.body.body if isinstance(node, cst.FunctionDef) else []
        for stmt in _walk_statements(body):
            if isinstance(stmt, cst.Assign) and isinstance(stmt.value, cst.Call) and len(stmt.targets) == 1:
                target = stmt.targets[0].target
                if isinstance(target, cst.Name):
                    table[id(stmt.value)] = target.value
    return table.get(id(call))


def _program(value: Value) -> Value | None:
    """Without a shell: the program (first element, or the one a prefix such as `sudo -u app` or `env A=1`
    runs), the command of `sh -c CMD` or `su -c CMD`, or the remote command of `ssh HOST CMD...`."""
    first = value.field(0)
    if first is None:
        if value.fields or value.rest is not None:
            return value.rest
        # A string (the program itself) or a sequence not known here (a wrapper's parameter): its first item,
        # which for a string is as tainted as the string, so a caller passing `["ls", name]` is safe.
        return value.with_flows(label_step(value.flows, 0))
    words = []
    for index in range(MAX_WORDS):
        item = value.field(index)
        if item is None:
            break
        words.append(item.const)
    index, how = argv_command(words)
    if how == "remote":  # every word from there, joined with blanks, is the remote shell's script
        found = [v for v in (value.field(i) for i in range(index, len(words))) if v is not None]
        if value.rest is not None:
            found.append(value.rest)
        flows: tuple[Flow, ...] = ()
        for item in found:
            flows = merge_flows(flows, item.deep_flows())
        return Value(flows=flows)
    command = value.field(index)
    if command is None:
        return value.rest
    if how == "program" and value.rest is not None and index == len(words) - 1 and is_shell(command.const):
        return value.rest  # `["sh", *args]`: the shell's arguments say what it runs
    return command


def _shell_script(value: Value) -> Value:
    """With `shell=True`, the script of an argument sequence: on POSIX the shell runs `/bin/sh -c args[0]
    args[1] ...`, so the first element is the command line and the others only fill `$0`, `$1`, ... (quoted
    by the script's author where used). A string, or a sequence whose first element is unknown, counts whole."""
    first = value.field(0)
    if first is None:
        return value if value.fields or value.rest is not None else value.with_flows(label_step(value.flows, 0))
    return first.with_flows(merge_flows(first.flows, value.flows)) if value.flows else first


def _host_fixed(value: Value) -> bool:
    text = value.const if isinstance(value.const, str) else value.prefix
    return text is not None and bool(_FIXED_HOST.match(text))


def _reaching(value: Value, kind: str) -> tuple[Flow, ...]:
    """Flows in `value` that are dangerous for `kind`: attacker data not sanitised for it, or, for "secret",
    predictable randomness."""
    out = []
    for flow in value.deep_flows():
        family = flow.label.family
        if kind == "secret":
            if family in ("random", "weak-hash") or flow.label.kind == "param":
                out.append(flow)
        elif family == "input" and kind not in flow.cleared:
            if kind == "path" and "path-dots" in flow.cleared:
                continue
            out.append(flow)
    return tuple(out)


def _receiver_reaching(value: Value, kind: str) -> bool:
    """A receiver that may hold attacker data. A method's own `self` (or `cls`) stands for an object the program
    made: its attributes hold attacker data only where the analysis saw it stored there, not because it is a
    parameter (`self._store.save(stream, name)` on a store the constructor was given is not an upload's save)."""
    return any(
        not (flow.label.kind == "param" and flow.label.desc in ("self", "cls")) for flow in _reaching(value, kind)
    )


def _wrapper_hits(
    analysis: Analysis, call: cst.Call, env: Env, name: str, receiver: Value | None, kind: str | None
) -> list[Hit]:
    args = [Arg(analysis.eval(a.value, env), a.keyword.value if a.keyword else None, a.star, a.value)
            for a in call.args]  # fmt: skip
    load = analysis.info.engine.worth_loading(name, args, receiver, analysis.info.path)
    target = analysis.info.resolve_callable(name, load=load)
    if target is None:
        return []
    owner, fn, what = target
    if what == "class":
        init = owner.method_of(fn, "__init__")  # type: ignore[arg-type]
        if init is None:
            return []
        fn = init
        receiver = Value(type=name + "()")
    summary = owner.summary(fn)
    if summary is None:
        return []
    is_method = owner.is_method(fn)
    full = [Arg(receiver, None, "", call), *args] if is_method and receiver is not None else args  # type: ignore[arg-type]
    bound = owner.bind(fn, full, method=False)
    # `run(cmd, shell=False)`: the sinks of the branches this call can take; `fetch(urlopen, url)`: those of the
    # function it passes (none in the general summary, which calls an unknown parameter).
    fixed = owner.fixed_arguments(fn, bound) if summary.sinks or any(v.callable_ref for v in bound.values()) else ()
    if fixed:
        summary = owner.summary(fn, fixed) or summary
    if not summary.sinks:
        return []
    callee_name = fn.name.value if isinstance(fn, cst.FunctionDef) else "<lambda>"
    hits = []
    for sink_kind, flow, desc, node, path, hops in summary.sinks:
        if kind is not None and sink_kind != kind:
            continue
        label = flow.label
        if label.kind != "param":
            continue  # a source inside the callee: reported there
        actual = bound.get(label.index)
        if actual is None:
            continue
        value = analysis.navigate(actual, label.path, call)
        arg_expr = _arg_expr(owner, fn, full, label.index, call)
        for reached in _reaching(value, sink_kind):
            if sink_kind != "secret":
                cleaned = clean_flows((reached,), flow.cleared)
                if not cleaned or sink_kind in cleaned[0].cleared:
                    continue
                reached = cleaned[0]
            holder = owner if path == owner.path else (analysis.info.engine.modules.get(path) or owner)
            hits.append(
                Hit(sink_kind, reached.via(f"{callee_name}()", call), desc, arg_expr, (holder, node), callee_name, hops)
            )
    return hits


def _arg_expr(owner, fn, args: list[Arg], index: int, call: cst.Call) -> cst.BaseExpression | None:
    params = fn.params
    names = [p.name.value for p in [*params.posonly_params, *params.params]]
    position = 0
    for arg in args:
        if arg.keyword is None and not arg.star:
            if position == index:
                return arg.node if isinstance(arg.node, cst.BaseExpression) and arg.node is not call else None
            position += 1
        elif arg.keyword is not None and index < len(names) and names[index] == arg.keyword:
            return arg.node
    return None


def summary_sinks(analysis: Analysis) -> list[tuple[str, Flow, str, object, str, tuple]]:
    """Every parameter flow reaching a sink inside the function (directly or through its callees), with the
    state before each statement as the fixed point left it."""
    out: list[tuple[str, Flow, str, object, str, tuple]] = []
    seen: set[tuple] = set()
    cfg = analysis.cfg
    if cfg is None:
        return out
    for block in cfg.blocks:
        for kind, node in block.elements:
            env = analysis.pre.get(element_key(kind, node))
            if env is None:
                continue
            for call in _calls_in(kind, node):
                for hit in call_hits(analysis, call, dict(env)):
                    if hit.flow.label.kind != "param":
                        continue
                    key = (hit.kind, hit.flow.label, id(call))
                    if key in seen:
                        continue
                    seen.add(key)
                    hops = ((hit.wrapper, hit.where), *hit.hops) if hit.wrapper and hit.where else ()
                    out.append((hit.kind, hit.flow, hit.sink, call, analysis.info.path, hops))
    return out


def _calls_in(kind: str, node: cst.CSTNode) -> list[cst.Call]:
    """Calls an element evaluates (not those inside nested functions, lambdas or comprehensions)."""
    if kind == "def":
        return []
    roots: list[cst.CSTNode]
    if kind == "iter":
        roots = [node.iter]  # type: ignore[attr-defined]
    elif kind == "with":
        roots = [node.item]  # type: ignore[attr-defined]
    elif kind in ("for", "except", "case"):
        return []
    else:
        roots = [node]
    out: list[cst.Call] = []
    stack = list(roots)
    while stack:
        item = stack.pop()
        kind = type(item)  # exact types: libcst's node classes are final, and failing ABC checks are slow
        if kind in _SCOPE_TYPES:
            continue
        if kind is cst.Call:
            out.append(item)  # type: ignore[arg-type]
        stack.extend(children(item))
    return out


_SCOPE_TYPES = frozenset({cst.Lambda, cst.FunctionDef, cst.ClassDef})
