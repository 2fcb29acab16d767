"""What the rules ask: the value of an expression where the walk is, the untrusted data it carries for a sink
kind, and the flows that reach a call's sink arguments. Rules never compute taint themselves."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from codeward.reviewer.dataflow.analysis import Analysis, Env
from codeward.reviewer.dataflow.engine import Engine
from codeward.reviewer.dataflow.sinks import Hit, _reaching, call_hits
from codeward.reviewer.dataflow.values import ALL_KINDS, CLEAN, Flow, Value

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Module)
_SCOPE_TYPES = frozenset(_SCOPES)  # libcst's node classes are final: exact types, without slow ABC checks
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
# Names a body must mention for predictable numbers or weak digests to appear in it (directly or from a call).
_FAMILY_WORDS = {
    "random": frozenset({"random", "randint", "randrange", "choice", "choices", "sample", "getrandbits", "randbytes",
                         "uniform", "gauss", "normalvariate", "Random"}),
    "weak-hash": frozenset({"hashlib", "md5", "sha1", "MD5", "SHA1", "hashes", "new"}),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Taint:
    """Untrusted data as findings report it: where it came from, the variables it went through, the sink
    kinds it was sanitised for, and how much it is trusted ("untrusted", or "external": another system's)."""

    source: str
    node: object
    steps: tuple[tuple[str, object], ...] = ()
    cleared: frozenset[str] = frozenset()
    trust: str = "untrusted"
    family: str = "input"  # "random": a predictable number; "weak-hash": an MD5 or SHA-1 digest

    @classmethod
    def of(cls, flow: Flow) -> Taint:
        label = flow.label
        return cls(label.desc, label.node, flow.steps, flow.cleared, label.trust, label.family)


# Re-exports followed to a module's function (`from .api import error` in a package's `__init__.py`).
_MAX_REEXPORTS = 4
_LITERALS = frozenset({cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary})
# Sinks whose receiver is the dangerous part (`Path(p).read_text()`, `upload.save(dst)`).
_RECEIVER_SINKS = frozenset({"read_text", "read_bytes", "write_text", "write_bytes", "unlink", "open", "exists",
                             "is_file", "is_dir", "mkdir", "rmdir", "touch", "iterdir", "glob", "rename", "stat",
                             "save"})  # fmt: skip


# Libraries whose objects have sink methods with common names (`ldap3` `search`, ElementTree `findall`).
_TYPED_LIBRARIES = ("xml", "lxml", "defusedxml", "elementpath", "ldap3", "ldap", "paramiko", "docker", "fabric",
                    "pycurl", "cryptography", "urllib3", "webapp2")  # fmt: skip


def _literal(node: cst.BaseExpression) -> bool:
    kind = type(node)  # exact types: libcst's node classes are final, and failing ABC checks are slow
    if kind is cst.ConcatenatedString:  # `f"ls {d}" " -l"` is no literal: a part may be an f-string
        return _literal(node.left) and _literal(node.right)  # type: ignore[attr-defined]
    return kind in _LITERALS or (kind is cst.Name and node.value in ("True", "False", "None"))  # type: ignore[attr-defined]


def _receiver_matters(call: cst.Call) -> bool:
    return isinstance(call.func, cst.Attribute) and call.func.attr.value in _RECEIVER_SINKS


class FileFlows:
    """The data-flow facts of one reviewed file, computed function by function as the rules ask."""

    def __init__(self, engine: Engine, path: str, module: cst.Module, text: str) -> None:
        self.engine = engine
        self.info = engine.start_file(path, module, text)
        self.path = path
        self._typed: frozenset[str] | None = None

    def close(self) -> list[tuple[str, str]]:
        return self.engine.finish_file(self.path)

    # -- locating the state ------------------------------------------------------------------------------

    def state(self, expr: cst.CSTNode, chain: list[cst.CSTNode]) -> tuple[Analysis, Env] | None:
        """The analysis and environment in force at `expr`, whose ancestors (root first) are `chain`."""
        if chain and chain[-1] is expr:
            chain = chain[:-1]
        scope_at = 0
        for index in range(len(chain) - 1, -1, -1):
            if type(chain[index]) in _SCOPE_TYPES and chain[index] is not expr:
                scope_at = index
                break
        scope = chain[scope_at]
        info = self.info
        if isinstance(scope, cst.Module):
            analysis = info.module_analysis()
        else:
            if id(scope) not in info.enclosing:
                outer = next((n for n in reversed(chain[:scope_at]) if isinstance(n, _SCOPES)), info.module)
                info.note_enclosing(scope, outer)
            analysis = info.analysis(scope)
        pre = analysis.pre
        anchor = None
        if id(expr) in pre:
            anchor = len(chain)
            env = pre[id(expr)]
        else:
            for index in range(len(chain) - 1, scope_at, -1):
                found = pre.get(id(chain[index]))
                if found is not None:
                    anchor = index
                    env = found
                    break
        if anchor is None:
            return None
        env = dict(env)
        path = [*chain[anchor + 1 :], expr]
        for index, node in enumerate(path[:-1]):
            below = path[index + 1]
            env = self._descend(analysis, node, below, env)
            if env is None:
                return None
        return analysis, env

    def _descend(self, analysis: Analysis, node: cst.CSTNode, below: cst.CSTNode, env: Env) -> Env | None:
        """Entering `below` from `node`: bindings and conditions that hold there."""
        if isinstance(node, _COMPREHENSIONS):
            comp = node.for_in
            while comp is not None:
                if comp is below or comp.iter is below:
                    break
                iterable = analysis.eval(comp.iter, env)
                analysis.assign(comp.target, iterable.elements(), env, comp)
                for condition in comp.ifs:
                    refined = analysis.refine(env, condition.test, True)
                    if refined is None:
                        return None
                    env = refined
                comp = comp.inner_for_in
            return env
        if isinstance(node, cst.Lambda):
            for param in [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]:
                env[param.name.value] = CLEAN
            return env
        if isinstance(node, cst.IfExp):
            if below is node.body:
                return analysis.refine(env, node.test, True)
            if below is node.orelse:
                return analysis.refine(env, node.test, False)
            return env
        if isinstance(node, cst.BooleanOperation) and below is node.right:
            return analysis.refine(env, node.left, isinstance(node.operator, cst.And))
        return env

    # -- questions ------------------------------------------------------------------------------------------

    def may_carry(self, chain: list[cst.CSTNode], family: str = "input") -> bool:
        """Whether the innermost function (class body, module) around the walk can hold untrusted data (or, for
        another family, a random number or a weak digest)."""
        for node in reversed(chain):
            if type(node) in _SCOPE_TYPES:
                if type(node) is not cst.Module and id(node) not in self.info.enclosing:
                    outer = next((n for n in reversed(chain[: chain.index(node)]) if isinstance(n, _SCOPES)), None)
                    if outer is not None:
                        self.info.note_enclosing(node, outer)
                if family != "input":
                    return self.info.mentions(node, _FAMILY_WORDS[family])
                return self.info.may_carry(node)
        return True

    def value(self, expr: cst.BaseExpression, chain: list[cst.CSTNode]) -> Value:
        found = self.state(expr, chain)
        if found is None:
            return CLEAN
        analysis, env = found
        return analysis.eval(expr, env)

    def taint(
        self, expr: cst.BaseExpression, chain: list[cst.CSTNode], kind: str | None = None, family: str = "input"
    ) -> Taint | None:
        """The first source flow in `expr`'s value that is dangerous for `kind` (any kind when None)."""
        if not self.may_carry(chain, family):
            return None
        value = self.value(expr, chain)
        for flow in value.deep_flows():
            label = flow.label
            if label.kind != "source" or label.family != family:
                continue
            if family == "input":
                if kind is not None and kind in flow.cleared:
                    continue
                if kind is None and flow.cleared >= ALL_KINDS:
                    continue
            return Taint.of(flow)
        return None

    def maybe_sink(self, call: cst.Call, name: str | None = None, aliased: bool = False) -> bool:
        """A cheap test before any analysis: can this call be a sink (a model names it; `name` is what the
        walk resolved it to), or a call into a function of the project whose text names a sink (a wrapper)?
        Calls whose arguments are all literals pass nothing on."""
        if call.args and all(_literal(a.value) for a in call.args) and not _receiver_matters(call):
            return False
        models = self.engine.models
        func = call.func
        info = self.info
        if name and name in models.call_sinks:
            return True
        if name and name.startswith("@"):
            return self._wraps_a_sink(name) or self._passes_a_sink(call)
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in models.method_sinks or method in self.typed_methods():
                return True
            if method in info.method_names() and self.engine.project.wraps(
                info.path, method, self.engine.sink_pattern()
            ):
                return True  # a method of this module's classes that calls a sink (`Job(cmd).run()`)
            head = func.value
            while isinstance(head, cst.Attribute):
                head = head.value
            if isinstance(head, cst.Name):
                ref = info.imports.get(head.value) or info.nested_imports().get(head.value, "")
                if ref.startswith("@"):  # `x.m(...)`, `x` imported from the project
                    return head is not func.value or self._member_wraps(ref, method) or self._passes_a_sink(call)
                if name is None and ref:
                    static = info.static_call_name(func)
                    return static is not None and static in models.call_sinks
            return False
        if isinstance(func, cst.Name):
            if func.value in info.def_names():  # a wrapper here, or of a wrapper (here or imported)
                return self.engine.project.wraps(info.path, func.value, self.engine.sink_pattern()) or (
                    self._passes_a_sink(call))  # fmt: skip
            ref = info.imports.get(func.value) or info.nested_imports().get(func.value)
            if ref is not None and ref.startswith("@"):
                return self._wraps_a_sink(ref) or self._passes_a_sink(call)
            target = info.makers()[1].get(func.value) if ref is None and not aliased else None
            if isinstance(target, cst.Name | cst.Attribute):
                # A module-level alias of a function (`execute = run_cmd`, `run = tools.run`): the call is one of it.
                return self.maybe_sink(call.with_changes(func=target), name, aliased=True)
            return name is None and (ref or func.value) in models.call_sinks
        return False

    def _passes_a_sink(self, call: cst.Call) -> bool:
        """`fetch(urlopen, url)`: a sink passed to a function of the project, whose text need not name it (the
        analysis calls it through the parameter, in the summary for that argument)."""
        sinks = self.engine.models.call_sinks
        aliases = self.info.makers()[1]  # `legacy_urlopen = urlopen` at module level
        for arg in call.args:
            value = arg.value
            if type(value) is cst.Name and isinstance(aliases.get(value.value), cst.Name | cst.Attribute):
                value = aliases[value.value]
            if type(value) in (cst.Name, cst.Attribute) and self.info.static_call_name(value) in sinks:
                return True
        return False

    def typed_methods(self) -> frozenset[str]:
        """Sink methods of typed receivers worth a look in this file: the distinctive ones, and the common ones
        (`search`, `findall`) of libraries the file imports (`ldap3`, `xml.etree`)."""
        if self._typed is None:
            text = self.engine.project._text(self.info.path)
            imported = {top for top in _TYPED_LIBRARIES if top in text}
            if imported & {"lxml", "defusedxml", "elementpath"}:
                imported.add("xml")
            methods = set(self.engine.typed_sink_methods())
            handlers = any(base.rsplit(".", 1)[-1] in text for base in self.engine.models.handler_bases)
            for name in self.engine.models.call_sinks:
                typed = "()." in name or name.startswith("xml.Element.")
                handler = handlers and name.startswith("web.Handler.")  # `self.write(...)` in a Tornado handler
                if (typed and name.split(".", 1)[0] in imported) or handler:
                    methods.add(name.rsplit(".", 1)[-1])
            self._typed = frozenset(methods)
        return self._typed

    def _member_wraps(self, ref: str, attr: str) -> bool:
        """`x.attr(...)` where `x` is imported from the project (`ref`): whether the function the analysis can
        resolve it to may call a sink, read from the texts (no parse). Of an object or class `x` of another
        module, `attribute_of_ref` and `resolve_callable` find only a method `attr` of a class `x` defined in
        that module; of a module, its function `attr`, or the one it imports under that name."""
        path, _, name = ref[1:].partition("::")
        project, pattern = self.engine.project, self.engine.sink_pattern()
        if name:
            return path == self.info.path or project.wraps(path, attr, pattern)
        for _ in range(_MAX_REEXPORTS):
            if project.defines(path, attr):
                return project.wraps(path, attr, pattern)
            target = project.imported(path, attr)
            if target is None:
                return False  # not in that module (a star import, an assignment): the analysis resolves no callee
            path, attr = target
            if not attr:
                return False  # a module called: nothing the analysis summarises
        return True  # a longer chain of re-exports than is followed here: keep the call

    def _wraps_a_sink(self, ref: str) -> bool:
        path, _, name = ref[1:].partition("::")
        if not name:
            return True
        name = name.rpartition(".")[2].replace("()", "") or name
        return self.engine.project.wraps(path, name, self.engine.sink_pattern())

    def hits(
        self, call: cst.Call, chain: list[cst.CSTNode], kind: str | None = None, name: str | None = None
    ) -> list[tuple[Taint, Hit]]:
        """Source flows reaching the sink arguments of `call` (models and project wrappers)."""
        if not self.maybe_sink(call, name):
            return []
        if kind == "secret":
            if not (self.may_carry(chain, "random") or self.may_carry(chain, "weak-hash")):
                return []
        elif not self.may_carry(chain):
            return []
        return self.hits_anyway(call, chain, kind)

    def hits_anyway(self, call: cst.Call, chain: list[cst.CSTNode], kind: str | None = None) -> list[tuple[Taint, Hit]]:
        """`hits` without the cheap pre-checks (for flows that are not untrusted input, such as digests)."""
        found = self.state(call, chain)
        if found is None:
            return []
        analysis, env = found
        out = []
        for hit in call_hits(analysis, call, env, kind):
            if hit.flow.label.kind == "source":
                out.append((Taint.of(hit.flow), hit))
        return out

    def route_kind(self, function: cst.FunctionDef) -> str | None:
        """ "web" when the function's parameters come from a URL, "cli" from a command line."""
        klass = self.info.class_of.get(id(function))
        params = [*function.params.posonly_params, *function.params.params]
        return self.info._route_kind(function, klass, params)

    def returns_html(self, function: cst.FunctionDef) -> bool:
        """A route of a framework that sends a returned string as an HTML page (Flask, Quart, Bottle, CherryPy)."""
        if self.route_kind(function) != "web":
            return False
        frameworks = {ref.split(".", 1)[0] for ref in self.info.imports.values()}
        return bool(frameworks & {"flask", "quart", "bottle", "cherrypy"}) and not frameworks & {"fastapi", "starlette"}

    def reaching(self, value: Value, kind: str) -> list[Taint]:
        return [Taint.of(f) for f in _reaching(value, kind) if f.label.kind == "source"]
