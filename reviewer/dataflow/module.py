"""One module as the analysis sees it: its imports, functions and classes, the analyses of its bodies (made on
demand), their summaries, and what its names and the models' typed objects stand for."""

from __future__ import annotations

import ast
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst
from codeward.reviewer.dataflow.analysis import Analysis, Arg, Check, Summary, param_checks
from codeward.reviewer.dataflow.models import Models
from codeward.reviewer.dataflow.models.aws import (
    EXTERNAL_KEYS,
    GATEWAY_CHOSEN_KEYS,
    HTTP_KEYS,
    POWERTOOLS_TYPES,
    TRUSTED_KEYS,
    TRUSTED_MARKERS,
)
from codeward.reviewer.dataflow.values import CLEAN, UNKNOWN, Flow, Label, Value

if TYPE_CHECKING:
    from codeward.reviewer.dataflow.engine import Engine

_REQUEST_NAMES = frozenset({"request", "req"})
# Summaries nest (a summary needs its callees'): deeper chains are unknown calls, which pass data on.
MAX_SUMMARY_DEPTH = 6
MAX_FIXED = 4  # summaries per function for the constants its callers pass (besides the general one)
_NOT_ROUTE_PARAMS = frozenset({"self", "cls", "request", "req", "response", "resp", "res", "context", "ctx"})
# What CloudBot and discord.py code calls the object whose `command` decorates a handler.
_CHAT_NAMES = frozenset({"hook", "bot"})
# Chat bot frameworks whose `@x.command` handlers take a message's words as arguments (module._chat_bot).
_CHAT_PACKAGES = frozenset(
    {"cloudbot", "discord", "nextcord", "disnake", "sopel", "errbot", "irc3", "twitchio", "hikari", "lightbulb",
     "interactions", "pyrogram", "telebot"}
)  # fmt: skip
_VALIDATED_ANNOTATIONS = frozenset(
    ["int", "float", "bool", "UUID", "uuid.UUID", "date", "datetime", "Decimal", "EmailStr", "PositiveInt",
     "conint", "Path", "HttpUrl", "AnyHttpUrl"]
)  # fmt: skip
_REQUEST_ANNOTATIONS = {
    "HttpRequest": "django.HttpRequest",
    "WSGIRequest": "django.HttpRequest",
    "Request": "web.Request",
    "web.Request": "aiohttp.Request",
    "aiohttp.web.Request": "aiohttp.Request",
    "starlette.requests.Request": "starlette.Request",
    "fastapi.Request": "starlette.Request",
    "falcon.Request": "falcon.Request",
    "HTTPServerRequest": "tornado.HTTPServerRequest",
}
# Packages whose request objects carry what a client sent (the top-level package of an import).
_WEB_PACKAGES = frozenset(
    ["django", "rest_framework", "flask", "werkzeug", "quart", "starlette", "fastapi", "aiohttp", "falcon",
     "tornado", "sanic", "pyramid", "bottle", "litestar", "webob", "cherrypy", "chalice", "aws_lambda_powertools",
     "responder", "masonite", "ninja", "hug", "molten", "klein", "twisted", "emmett", "blacksheep", "robyn"]
)  # fmt: skip
_HTTP_VERBS = frozenset(
    ["get", "post", "put", "patch", "delete", "head", "options", "on_get", "on_post", "on_put", "on_patch",
     "on_delete", "list", "create", "retrieve", "update", "partial_update", "destroy"]
)  # fmt: skip
_CRHELPER = frozenset({"create", "update", "delete", "poll_create", "poll_update", "poll_delete"})
# Parameter names that say the value is outside input (`user_input`, `untrusted_path`): the author's own word,
# taken when no caller is in view. `user_data` is left out: it names EC2 user data and profile fields as often.
_INPUT_PARAM = re.compile(
    r"(?:raw_|unsafe_)?user_?(?:input|supplied|provided|controlled)(?:_\w+)?|(?:untrusted|tainted|attacker)(?:_\w+)?"
)
# Where the framework's `request` global comes from, for a view whose route registration is not in view.
_REQUEST_GLOBALS = frozenset({"flask.request", "quart.request", "bottle.request", "werkzeug.local.request"})
# Decorators, written without a call, that publish a method at a URL whose query and form fields become its
# parameters (CherryPy's `@cherrypy.expose`).
_EXPOSING = frozenset({"cherrypy.expose"})
# Route decorators a snippet may use without importing them (bottle's `from bottle import *`, DRF cut off), and
# names of objects whose methods are no routes even when the file does not bind them (a test cut from its imports).
_SNIPPET_ROUTES = frozenset({"route", "get", "post", "put", "delete", "api_view"})
_NOT_ROUTERS = frozenset({"mock", "mocker", "patch", "pytest", "unittest", "responses", "respx"})
_STDLIB = frozenset(sys.stdlib_module_names)
# What a name's first assignment binds (ModuleInfo.makers): a callable's dotted name, an aliased expression, None.
_Made = str | cst.Name | cst.Attribute | None
_VIEW_FILE = re.compile(r"(?:^|[/\\_])(?:views?|handlers?|routes?|api|endpoints?|controllers?)(?:\.py$|[/\\_])")
_EVENT_NAMES = frozenset({"event", "evt", "_event", "lambda_event"})
_CONTEXT_NAMES = frozenset({"context", "ctx", "_context", "lambda_context", "_ctx"})
_BUILTINS = frozenset(dir(__import__("builtins")))
# Request attributes that map names to strings (`request.args`), and that are strings (`request.path`).
STRING_MAPS = frozenset(
    ["args", "form", "values", "cookies", "headers", "GET", "POST", "COOKIES", "META", "query_params", "query",
     "params", "forms", "match_info", "path_params", "view_args", "query_string_parameters", "path_parameters",
     "multi_value_query_string_parameters", "arguments", "query_arguments", "body_arguments", "matchdict"]
)  # fmt: skip
STRINGS = frozenset(
    ["path", "full_path", "url", "base_url", "query_string", "referrer", "user_agent", "path_info", "uri",
     "remote_user", "text", "raw_path", "path_qs", "relative_uri", "fullpath", "body", "data", "raw_query_string"]
)  # fmt: skip
EVENT_MAPS = frozenset(
    {"queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "headers", "multiValueHeaders"}
)
EVENT_STRINGS = frozenset({"body", "rawPath", "rawQueryString", "path"})


class ModuleInfo:
    def __init__(self, path: str, module: cst.Module, engine: Engine, text: str | None = None) -> None:
        """`text`: what `module` was parsed from, when the caller has it (else printed from the tree)."""
        self.path = os.path.abspath(path)
        self.module = module
        self.engine = engine
        self.models: Models = engine.models
        self.powertools: dict[str, str] = {}
        self.imports: dict[str, str] = {}
        self.functions: dict[str, cst.FunctionDef] = {}
        self.classes: dict[str, cst.ClassDef] = {}
        self.class_of: dict[int, str] = {}
        self.refs: dict[int, str] = {}
        self.by_ref: dict[str, cst.CSTNode] = {}
        self.enclosing: dict[int, cst.CSTNode] = {}
        self.analyses: dict[int, Analysis] = {}
        self.summaries: dict[int, Summary | None] = {}
        self._predicates: dict[int, tuple[tuple[Check, ...], tuple[Check, ...]]] = {}
        self._locals: dict[int, set[str]] = {}
        self._light: Analysis | None = None
        self._class_attrs: dict[str, dict[str, Value]] = {}
        self._self_types: dict[str, dict[str, str]] = {}
        self._method_names: frozenset[str] | None = None
        self._carry: dict[int, bool] = {}
        self._facts: dict[int, _Facts] | None = None
        self._mention: dict[tuple[int, frozenset[str]], bool] = {}
        self._def_names: frozenset[str] | None = None
        self._nested_imports: dict[str, str] | None = None
        self._text: str | None = text
        self._class_keys: dict[int, str] = {}
        self._deciding: dict[int, frozenset[str]] = {}
        self._fixed_seen: dict[int, set[tuple]] = {}
        self._made: tuple[dict[str, _Made], dict[str, _Made]] | None = None
        self._index(module.body, module)

    def forget(self) -> None:
        """Drop the analyses (the file's review is over). Each refers back to this object: left to Python's
        cyclic collector, the file's tree and every abstract value went with them only at its next run, which
        then traversed them all (Django: 1.8 million objects, a twentieth of the review); now they are freed
        as soon as the last reference goes. Asked again, they are computed again."""
        self.analyses.clear()
        self.summaries.clear()
        self._fixed_seen.clear()
        self._predicates.clear()
        self._light = None
        self._facts = None

    # -- indexing ---------------------------------------------------------------------------------------

    def _index(self, body: Any, owner: cst.CSTNode, klass: str | None = None) -> None:
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                key = f"{klass}.{stmt.name.value}" if klass else stmt.name.value
                self.functions[key] = stmt
                self.enclosing[id(stmt)] = owner
                self._register(stmt, key)
                if klass:
                    self.class_of[id(stmt)] = klass
            elif isinstance(stmt, cst.ClassDef):
                # A nested class by its qualified name (`Outer.Inner`), so `Outer.Inner().run()` resolves.
                key = f"{klass}.{stmt.name.value}" if klass else stmt.name.value
                self.classes[key] = stmt
                self._class_keys[id(stmt)] = key
                self._register(stmt, key)
                self.enclosing[id(stmt)] = owner
                self._index(stmt.body.body, stmt, key)
            elif isinstance(stmt, cst.SimpleStatementLine) and klass is None:
                for small in stmt.body:
                    if isinstance(small, cst.Import | cst.ImportFrom):
                        for name, ref in self.import_bindings(small):
                            self.imports.setdefault(name, ref)
            elif isinstance(stmt, cst.If | cst.Try) and klass is None:
                self._index(stmt.body.body, owner, klass)
                for handler in getattr(stmt, "handlers", ()):
                    self._index(handler.body.body, owner, klass)
                orelse = stmt.orelse
                if isinstance(orelse, cst.Else):
                    self._index(orelse.body.body, owner, klass)

    def _register(self, node: cst.CSTNode, key: str) -> None:
        ref = f"@{self.path}::{key}"
        self.refs[id(node)] = ref
        self.by_ref[ref] = node

    def ref_of(self, node: cst.CSTNode) -> str:
        ref = self.refs.get(id(node))
        if ref is None:
            ref = f"@{self.path}::#{id(node)}"
            self.refs[id(node)] = ref
            self.by_ref[ref] = node
        return ref

    def import_bindings(self, stmt: Any) -> list[tuple[str, str]]:
        """The names an import binds and what each refers to; `stmt` is libcst's or `ast`'s (`_import_parts`)."""
        out: list[tuple[str, str]] = []
        project = self.engine.project
        star, level, module, aliases = _import_parts(stmt)
        if module is None and not level:  # `import a.b as c, d`
            for full, asname in aliases:
                if asname is not None:
                    out.append((asname, self._module_ref(full)))
                else:
                    head = full.split(".", 1)[0]
                    out.append((head, self._module_ref(head)))
            return out
        if star:
            return out
        base = module or ""
        base_path = project.resolve(self.path, base, level) if (level or base) else None
        for name, asname in aliases:
            local = asname if asname is not None else name
            if base_path is not None:
                sub = project.resolve(self.path, f"{base}.{name}" if base else name, level)
                out.append((local, f"@{sub}" if sub is not None else f"@{base_path}::{name}"))
            elif level:
                out.append((local, f"{'.' * level}{base}.{name}" if base else f"{'.' * level}{name}"))
            else:
                out.append((local, f"{base}.{name}"))
                if name in POWERTOOLS_TYPES and base.startswith("aws_lambda_powertools"):
                    self.powertools[f"{base}.{name}"] = POWERTOOLS_TYPES[name]
        return out

    def _module_ref(self, dotted: str) -> str:
        found = self.engine.project.resolve(self.path, dotted, 0)
        return f"@{found}" if found is not None else dotted

    def may_carry(self, scope: cst.CSTNode) -> bool:
        """Can untrusted data appear in this function (or module, or class body) at all? A cheap look at its
        names before any analysis: it reads a source (`request`, `event`, `input`, ...), its parameters come
        from a URL or an event, it calls a function of the project that reads one, or it is nested in (or a
        method of a class with) code that does. Most functions of most files do not: they are never analysed."""
        key = id(scope)
        found = self._carry.get(key)
        if found is None:
            self._carry[key] = False  # recursion: a function calling itself adds nothing
            found = self._carry[key] = self._carries(scope)
        return found

    def _carries(self, scope: cst.CSTNode) -> bool:
        if isinstance(scope, cst.FunctionDef):
            klass = self.class_of.get(id(scope))
            params = _params(scope)
            if self._route_kind(scope, klass, params) or self._lambda_event(scope, params):
                return True
            if any(_INPUT_PARAM.fullmatch(p.name.value) for p in params) and not self.called(scope):
                return True
            outer = self.enclosing.get(id(scope))
            if isinstance(outer, cst.FunctionDef | cst.Lambda) and self.may_carry(outer):
                return True
            if isinstance(outer, cst.ClassDef) and self._class_reads(outer):
                return True
        elif isinstance(scope, cst.Lambda):
            outer = self.enclosing.get(id(scope))
            return outer is None or self.may_carry(outer)
        elif isinstance(scope, cst.ClassDef):
            return self._class_reads(scope)
        words = self.engine.source_words()
        facts = self.facts(scope)
        if facts.names & words:
            return True
        for name in facts.called:
            fn = self.functions.get(name)
            if fn is not None and fn is not scope and self.may_carry(fn):
                return True
            ref = self.imports.get(name)
            if ref is not None and ref.startswith("@") and "::" in ref:
                path, _, target = ref[1:].partition("::")
                if self.engine.project.function_mentions_source(path, target):
                    return True
        return False

    def _class_reads(self, klass: cst.ClassDef) -> bool:
        """A method can read `self.x` that another method of the class filled from a source."""
        key = ("class", id(klass))
        found = self._carry.get(key)  # type: ignore[call-overload]
        if found is None:
            words = self.engine.source_words()
            name = self._class_keys.get(id(klass), klass.name.value)
            found = self.is_handler_class(name) or any(
                self.facts(fn).names & words for key_, fn in self.functions.items() if key_.rpartition(".")[0] == name
            )
            self._carry[key] = found  # type: ignore[index]
        return found

    def mentions(self, scope: cst.CSTNode, words: frozenset[str]) -> bool:
        """Whether a body (not its nested definitions) names one of `words`, or calls a function of this module
        that does."""
        key = (id(scope), words)
        found = self._mention.get(key)
        if found is None:
            self._mention[key] = False
            facts = self.facts(scope)
            found = bool(facts.names & words) or any(
                fn is not scope and self.mentions(fn, words)
                for name in facts.called
                if (fn := self.functions.get(name)) is not None
            )
            self._mention[key] = found
        return found

    def facts(self, scope: cst.CSTNode) -> _Facts:
        """What a body uses, calls and binds (not looking into nested definitions), collected on first use."""
        if self._facts is None:
            self._facts = {}
        found = self._facts.get(id(scope))
        if found is None:
            found = self._facts[id(scope)] = _collect_scope(scope)
        return found

    def bears(self, value: Value) -> bool:
        """The value carries data (flows), or is an object whose parts are sources (a request, an event)."""
        if value.deep_flows():
            return True
        held = value.type
        return held is not None and (held in self.models.objects or held == "aws.LambdaEvent")

    def return_type(self, fn: cst.CSTNode) -> str | None:
        """The type a function returns when every `return` builds the same known class (`return Conn(...)`)."""
        if not isinstance(fn, cst.FunctionDef):
            return None
        found: set[str | None] = set()
        for stmt in _walk_statements(fn.body.body):
            if isinstance(stmt, cst.Return):
                value = stmt.value
                name = self.static_call_name(value.func) if isinstance(value, cst.Call) else None
                found.add(name + "()" if name else None)
        return found.pop() if len(found) == 1 else None

    def return_literal(self, fn: cst.CSTNode) -> Value | None:
        """What a function returns when its one `return` is a literal or a dict display with literal keys
        (`return {"Content-Type": "application/json", "x-type": kind}`): the constants it holds, other values
        unknown. Only for calls through which nothing untrusted flows (the caller checks), so the rest is clean."""
        if not isinstance(fn, cst.FunctionDef):
            return None
        from codeward.reviewer.dataflow.fold import literal

        returns = [stmt for stmt in _walk_statements(fn.body.body) if isinstance(stmt, cst.Return)]
        if len(returns) != 1 or returns[0].value is None:
            return None
        expr = returns[0].value
        if isinstance(expr, cst.Dict):
            value = Value()
            for element in expr.elements:
                if not isinstance(element, cst.DictElement):
                    return None
                key = literal(element.key)
                if not isinstance(key, str):
                    return None
                item = literal(element.value)
                value = value.with_field(key, Value(const=item) if item is not UNKNOWN else Value())
            return value
        item = literal(expr)
        return Value(const=item) if item is not UNKNOWN else None

    def method_names(self) -> frozenset[str]:
        """Names of the methods the module's classes define."""
        if self._method_names is None:
            self._method_names = frozenset(key.rsplit(".", 1)[-1] for key in self.functions if "." in key)
        return self._method_names

    def def_names(self) -> frozenset[str]:
        """Names of every function and class the module defines, nested ones included."""
        if self._def_names is None:
            from codeward.reviewer.dataflow.nodes import children

            names: set[str] = set()
            stack: list[cst.CSTNode] = [self.module]
            # Exact types, not isinstance(): libcst's classes are ABCs, whose failing checks are slow.
            definitions, blocks = _DEFINITIONS, _DEF_BLOCKS
            while stack:
                item = stack.pop()
                kind = type(item)
                if kind in definitions:
                    names.add(item.name.value)  # type: ignore[attr-defined]
                    stack.extend(item.body.body)  # type: ignore[attr-defined]
                elif kind in blocks:
                    stack.extend(children(item))
            self._def_names = frozenset(names)
        return self._def_names

    def nested_imports(self) -> dict[str, str]:
        """Names that imports inside functions and classes bind to the project's modules and functions
        (`def view(): from .shell import run`), the first of each name: the cheap tests before an analysis
        (`FlowQuery.maybe_sink`) read them where the module's own imports do not bind the name, as the analysis
        binds each import where it runs."""
        if self._nested_imports is None:
            from codeward.reviewer.dataflow.nodes import children

            found: dict[str, str] = {}
            stack: list[tuple[cst.CSTNode, bool]] = [(self.module, False)]
            definitions, blocks = _DEFINITIONS, _DEF_BLOCKS
            while stack:
                item, inside = stack.pop()
                kind = type(item)
                if kind is cst.Import or kind is cst.ImportFrom:
                    if inside:
                        for name, ref in self.import_bindings(item):
                            if ref.startswith("@"):
                                found.setdefault(name, ref)
                elif kind in definitions:
                    stack.extend((stmt, True) for stmt in item.body.body)  # type: ignore[attr-defined]
                elif kind is cst.SimpleStatementLine:
                    stack.extend((small, inside) for small in item.body)  # type: ignore[attr-defined]
                elif kind in blocks:
                    stack.extend((child, inside) for child in children(item))
            self._nested_imports = found
        return self._nested_imports

    def local_names(self, node: cst.CSTNode) -> set[str]:
        if isinstance(node, cst.Lambda):
            return {p.name.value for p in _params(node)}
        facts = self.facts(node)
        return facts.bound - facts.declared

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.module.code
        return self._text

    # -- analyses -----------------------------------------------------------------------------------------

    def analysis(self, node: cst.CSTNode) -> Analysis:
        """The analysis of a function, class body or the module, run on first use."""
        found = self.analyses.get(id(node))
        if found is not None:
            return found
        parent: Analysis | None = None
        def_key: int | None = None
        if not isinstance(node, cst.Module):
            outer = self.enclosing.get(id(node))
            if outer is None:
                outer = self.module
            parent = self.analysis(outer) if not isinstance(outer, cst.Module) else self.light()
            def_key = id(node)
        analysis = Analysis(self, node, parent, def_key)
        self.analyses[id(node)] = analysis
        analysis._running = True
        analysis.run()
        analysis._running = False
        return analysis

    def module_analysis(self) -> Analysis:
        """Module-level code with calls into the project followed (for questions about that code)."""
        return self.analysis(self.module) if id(self.module) in self.analyses else self._full_module()

    def _full_module(self) -> Analysis:
        analysis = Analysis(self, self.module, None, None)
        self.analyses[id(self.module)] = analysis
        analysis.run()
        return analysis

    def light(self) -> Analysis:
        """Module-level globals as functions see them (calls into the project are not followed, so that
        summaries never wait on the module being analysed)."""
        if self._light is None:
            self._light = Analysis(self, self.module, None, None, light=True)
            self._light.run()
        return self._light

    def note_enclosing(self, node: cst.CSTNode, outer: cst.CSTNode) -> None:
        self.enclosing.setdefault(id(node), outer)

    # -- names -----------------------------------------------------------------------------------------------

    def builtin(self, name: str) -> Value:
        ref = self.imports.get(name)
        if ref is not None:
            return self._ref_value(ref)
        if name in self.functions or name in self.classes:
            return Value(ref=f"@{self.path}::{name}")
        if name in _BUILTINS:
            return Value(ref=name)
        # Never bound in this file: a snippet, or a name from `from x import *`.
        if name in _REQUEST_NAMES:
            return Value(type="web.Request")
        from codeward.reviewer.dataflow.models import module_roots, unbound_guesses

        if name in module_roots():
            return Value(ref=name)  # `os.system(...)` in a snippet without its imports
        guessed = unbound_guesses().get(name)
        return self._ref_value(guessed) if guessed is not None else Value()

    def global_value(self, name: str) -> Value:
        light = self.light()
        value = light.exit_env.get(name)
        if value is None:
            return self.builtin(name)
        return value

    def _ref_value(self, ref: str) -> Value:
        source = self.models.sources.get(ref)
        if source is not None and source.how in ("attr", "object"):
            return self._source_value(source, None)
        return Value(ref=ref)

    def _same(self, path: str) -> ModuleInfo | None:
        """This module, when `path` names it. What another module holds is known only through summaries of
        the calls into it, parsed when a call is worth it: never because an earlier file happened to load it,
        so a file's findings do not depend on which files were reviewed before it."""
        return self if path == self.path else None

    def project_global(self, ref: str) -> Value | None:
        path, _, name = ref[1:].partition("::")
        if not name or "." in name or name.startswith("#"):
            return None
        other = self._same(path)
        if other is None or name in other.functions or name in other.classes:
            return None
        if name in other.imports:
            return other._ref_value(other.imports[name])
        value = other.light().exit_env.get(name)
        return value

    def attribute_of_ref(self, ref: str, attr: str, node: cst.CSTNode | None) -> Value:
        if ref.startswith("@"):
            path, sep, name = ref[1:].partition("::")
            if not sep:
                other = self._same(path)
                if other is None:
                    # Another module: its attribute is a reference resolved when it is called (or a module).
                    sub = self.engine.project.resolve(path, attr, 1) if path.endswith("__init__.py") else None
                    return Value(ref=f"@{sub}" if sub is not None else f"@{path}::{attr}")
                if attr in other.functions or attr in other.classes:
                    return Value(ref=f"@{path}::{attr}")
                sub = self.engine.project.resolve(path, attr, 1) if path.endswith("__init__.py") else None
                if sub is not None:
                    return Value(ref=f"@{sub}")
                if attr in other.imports:
                    return other._ref_value(other.imports[attr])
                return other.light().exit_env.get(attr, Value())
            other = self._same(path)
            if other is None:
                return Value(ref=f"@{path}::{name}.{attr}")
            if name in other.classes:
                if f"{name}.{attr}" in other.functions or f"{name}.{attr}" in other.classes:
                    return Value(ref=f"@{path}::{name}.{attr}")
                return other.class_attr(name, attr)
            return Value()
        qualified = f"{ref}.{attr}"
        source = self.models.sources.get(qualified)
        if source is not None and source.how in ("attr", "object"):
            return self._source_value(source, node)
        return Value(ref=qualified)

    def class_attr(self, klass: str, attr: str) -> Value:
        table = self._class_attrs.get(klass)
        if table is None:
            table = {}
            node = self.classes.get(klass)
            if node is not None:
                analysis = Analysis(self, node, self.light(), None, light=True)
                analysis.run()
                table = analysis.exit_env
            self._class_attrs[klass] = table
        return table.get(attr, Value())

    # -- sources and typed objects ---------------------------------------------------------------------

    def _source_value(self, source, node: cst.CSTNode | None) -> Value:
        if self.models.is_trusted(source.cls):
            return CLEAN
        if source.how == "object":
            return Value(type=source.type)
        family = source.cls if source.cls in ("random", "weak-hash") else "input"
        label = Label("source", source.desc, node, family=family, trust=_trust(source.cls, source.trust))
        return Value(flows=(Flow(label),))

    def source_call(
        self, name: str | None, method: str | None, receiver: Value | None, node, args: list | None = None
    ) -> Value | None:
        models = self.models
        if name is not None:
            source = models.sources.get(name)
            if source is not None and source.how == "call":
                if source.cls == "weak-hash" and _not_for_security(args):
                    return None
                return self._source_value(source, node)
            if name == "hashlib.new" and args:
                return self._hashlib_new(args, node)
        if receiver is not None and method is not None:
            model = models.objects.get(receiver.type or "")
            if model is None and receiver.type and self._is_handler_instance(receiver.type):
                model = models.objects.get(self.handler_model(receiver.type))
            if model is not None and method in model.methods:
                if models.is_trusted(model.cls):
                    return CLEAN
                label = Label("source", f"{model.desc}.{method}()", node, trust=_trust(model.cls, model.trust))
                return Value(flows=(Flow(label),))
            source = models.sources.get("." + method)
            if source is not None and source.how == "call" and receiver.ref is None:
                return self._source_value(source, node)
        return None

    def _hashlib_new(self, args: list, node) -> Value | None:
        """`hashlib.new("md5")`: a weak digest when the name (folded to a constant) is one."""
        from codeward.reviewer.dataflow.models.crypto import WEAK_HASHES

        named = next((a.value for a in args if a.keyword == "name"), None)
        if named is None:
            named = next((a.value for a in args if a.keyword is None and not a.star), None)
        algorithm = named.const if named is not None else None
        if not isinstance(algorithm, str) or algorithm.lower() not in WEAK_HASHES or _not_for_security(args):
            return None
        desc = "SHA-1" if algorithm.lower().startswith("sha") else algorithm.upper()
        return Value(flows=(Flow(Label("source", desc, node, family="weak-hash")),))

    def typed_attr(self, base: Value, attr: str, node: cst.CSTNode | None) -> Value | None:
        models = self.models
        type_name = base.type or ""
        model = models.objects.get(type_name)
        if model is None and self._is_handler_instance(type_name):
            have = base.field("." + attr)
            if have is not None:
                return have
            model = models.objects.get(self.handler_model(type_name))
        if model is not None:
            if attr in model.attrs:
                if models.is_trusted(model.cls):
                    return CLEAN
                label = Label("source", f"{model.desc}.{attr}", node, trust=_trust(model.cls, model.trust))
                held = "strmap" if attr in STRING_MAPS else ("str" if attr in STRINGS else None)
                cleared = _NO_LINE_BREAKS if attr in model.encoded else frozenset()
                return Value(flows=(Flow(label, cleared),), type=held)
            for name, held in model.typed_attrs:
                if name == attr:
                    return Value(type=held)
            return None
        if type_name.startswith("@") and type_name.endswith("()"):
            have = base.field("." + attr)
            if have is not None:
                return have
            path, _, klass = type_name[1:-2].partition("::")
            other = self._same(path)
            from codeward.reviewer.dataflow.analysis import label_step

            flows = label_step(base.flows, "." + attr)
            if other is None or klass not in other.classes:
                return Value(flows=flows)
            declared = other.class_attr(klass, attr)
            held = other.self_attr_type(klass, attr)
            return Value(
                flows=flows + tuple(f for f in declared.flows if f not in flows),
                const=declared.const if not flows else UNKNOWN,
                type=held or declared.type,
                ref=declared.ref,
            )
        if not type_name.startswith("@") and type_name not in self.models.objects:
            from codeward.reviewer.dataflow.analysis import label_step

            return Value(flows=label_step(base.flows, "." + attr), type=f"{type_name}.{attr}")
        return None

    def self_attr_type(self, klass: str, attr: str) -> str | None:
        """`self.attr = boto3.client("s3")` in any method of the class: the attribute's type."""
        table = self._self_types.get(klass)
        if table is None:
            table = self._self_types[klass] = {}
            for key, fn in self.functions.items():
                if key.rpartition(".")[0] != klass:  # its own methods, not a nested class's
                    continue
                for stmt in _walk_statements(fn.body.body):
                    if not isinstance(stmt, cst.Assign) or not isinstance(stmt.value, cst.Call):
                        continue
                    name = self.static_call_name(stmt.value.func)
                    if name is None:
                        continue
                    for target in stmt.targets:
                        t = target.target
                        if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == "self":
                            table.setdefault(t.attr.value, name + "()")
        return table.get(attr)

    def static_call_name(self, func: cst.BaseExpression) -> str | None:
        dotted = _dotted(func)
        if dotted is None:
            return None
        head, _, tail = dotted.partition(".")
        base = self.imports.get(head)
        if base is None:
            base = f"@{self.path}::{head}" if head in self.classes or head in self.functions else head
        return f"{base}.{tail}" if tail else base

    def typed_key(self, base: Value, key: Any, node: cst.CSTNode | None) -> Value | None:
        type_name = base.type
        if type_name == "aws.LambdaEvent":
            if isinstance(key, str) and (key in TRUSTED_KEYS or key in GATEWAY_CHOSEN_KEYS):
                return CLEAN
            if isinstance(key, str) and key in EXTERNAL_KEYS:
                if self.models.is_trusted("external"):
                    return CLEAN
                label = Label("source", "records of the Lambda event (S3, SQS, SNS, Kinesis, DynamoDB)", node,
                              trust="external")  # fmt: skip
                return Value(flows=(Flow(label),))
            if self.models.is_trusted("lambda"):
                return CLEAN
            known = isinstance(key, str) and (key in HTTP_KEYS)
            desc = f"the Lambda event's {key}" if known else "the Lambda event"
            held = "strmap" if key in EVENT_MAPS else ("str" if key in EVENT_STRINGS else None)
            # What an HTTP client sent is untrusted; an event of unknown shape (a direct invocation, a Step
            # Functions state) and API Gateway's own request context are another system's data.
            trust = "untrusted" if known and key != "requestContext" else "external"
            return Value(flows=(Flow(Label("source", desc, node, trust=trust)),), type=held)
        if type_name == "aws.LambdaEvent.trusted":
            return CLEAN
        return None

    def _is_handler_instance(self, type_name: str) -> bool:
        if not (type_name.startswith("@") and type_name.endswith("()")):
            return False
        known = self.engine.handler_types.get(type_name)
        if known is None:
            path, _, klass = type_name[1:-2].partition("::")
            other = self._same(path)
            known = self.engine.handler_types[type_name] = other is not None and other.is_handler_class(klass)
        return known

    def is_handler_class(self, klass: str) -> bool:
        node = self.classes.get(klass)
        if node is None:
            return False
        bases = self.models.handler_bases
        for base in node.bases:
            name = _dotted(base.value) or ""
            if name in bases or name.rsplit(".", 1)[-1] in bases:
                return True
        return False

    def handler_model(self, type_name: str) -> str:
        """The object model of a handler instance's `self`: webapp2's when its class derives from a class of
        `webapp2` (its `self.request.get()` reads the query), else the shared one (Tornado's and the others')."""
        if not type_name.startswith("@"):
            return "web.Handler"
        path, _, klass = type_name[1:].removesuffix("()").partition("::")
        other = self._same(path)
        node = other.classes.get(klass) if other is not None else None
        if node is not None and any(
            other._qualified(base.value).startswith("webapp2.")  # type: ignore[union-attr]
            for base in node.bases
        ):
            return "webapp2.Handler"
        return "web.Handler"

    def is_clean(self, name: str) -> bool:
        clean = self.models.clean
        if name in clean:
            return True
        head = name
        while "." in head:
            head = head.rsplit(".", 1)[0]
            if head + ".*" in clean:
                return True
        return False

    def resolved(self, name: str | None) -> str:
        return name or ""

    # -- parameters ------------------------------------------------------------------------------------------

    def parameters(self, analysis: Analysis) -> dict[str, Value]:
        fn = analysis.node
        if isinstance(fn, cst.Lambda):
            return {p.name.value: Value(flows=(Flow(Label("param", p.name.value, index=i)),))
                    for i, p in enumerate(_params(fn))}  # fmt: skip
        assert isinstance(fn, cst.FunctionDef)
        params = _params(fn)
        klass = self.class_of.get(id(fn))
        is_method = klass is not None and not _has_decorator(fn, "staticmethod")
        route = self._route_kind(fn, klass, params)
        env: dict[str, Value] = {}
        handler_event = self._lambda_event(fn, params)
        for index, param in enumerate(params):
            name = param.name.value
            label = Label("param", name, index=index)
            value = Value(flows=(Flow(label),))
            annotation = _dotted(param.annotation.annotation) if param.annotation is not None else None
            if is_method and index == 0:
                if _has_decorator(fn, "classmethod"):
                    value = Value(ref=f"@{self.path}::{klass}")
                else:
                    value = Value(flows=(Flow(label),), type=f"@{self.path}::{klass}()")
            elif (annotation in _REQUEST_ANNOTATIONS or (annotation and annotation.rsplit(".", 1)[-1] in (
                "HttpRequest", "WSGIRequest"))) and self._framework_type(annotation):  # fmt: skip
                value = Value(flows=(Flow(label),), type=_REQUEST_ANNOTATIONS.get(annotation, "django.HttpRequest"))
            elif name in _REQUEST_NAMES and not annotation:
                value = Value(flows=(Flow(label),), type="web.Request")
            elif handler_event is not None and index == handler_event[0]:
                value = Value(flows=(Flow(label),), type=handler_event[1])
            elif annotation and annotation.rsplit(".", 1)[-1] in POWERTOOLS_TYPES:
                held = POWERTOOLS_TYPES[annotation.rsplit(".", 1)[-1]]
                if held != "trusted":
                    value = Value(flows=(Flow(label),), type=held)
            from_url = (
                route not in (None, "inferred") and name not in _NOT_ROUTE_PARAMS and not _validated(param, annotation)
            )
            if from_url and param.annotation is not None:
                from codeward.reviewer.dataflow.validated import safe_annotation

                from_url = not safe_annotation(self, param.annotation.annotation)  # `kind: Literal["a", "b"]`
            inferred = route == "inferred" or (
                not (is_method and index == 0) and _INPUT_PARAM.fullmatch(name) is not None and not self.called(fn)
            )
            if inferred and not (from_url or _validated(param, annotation) or name in _NOT_ROUTE_PARAMS):
                # Weak evidence (no route, no caller in view): the rules report such flows at `info`.
                why = "its name says it is outside input"
                if route == "inferred":
                    first = params[0].name.value in _REQUEST_NAMES
                    why = "a view's URL variable: the " + (
                        "request comes first" if first else "function reads `request`"
                    )
                source = Label("source", f"parameter `{name}` ({why})", param, trust="inferred")
                value = Value(flows=(*value.flows, Flow(source)), type=value.type)
            elif from_url and not (is_method and index == 0) and not self.models.is_trusted(route):  # type: ignore[arg-type]
                what = {"cli": "command-line option", "chat": "chat command argument"}.get(route, "route parameter")
                source = Label("source", f"{what} `{name}`", param, trust="local" if route == "cli" else "untrusted")
                value = Value(flows=(*value.flows, Flow(source)), type=value.type)
                if annotation is not None:
                    value = self._model_parameter(analysis, annotation, value, param)
            env[name] = value
        return env

    def _model_parameter(self, analysis: Analysis, annotation: str, value: Value, param: cst.Param) -> Value:
        """A body parameter typed with a pydantic model (`item: Item`): an instance built from the request, its
        fields as the model's types and validators leave them."""
        from codeward.reviewer.dataflow.validated import model_class, validated_model

        found = model_class(self, annotation)
        if found is None:
            return value
        owner, klass = found
        instance = Value(flows=value.flows, type=f"{owner.ref_of(klass)}()")
        return validated_model(analysis, owner, klass, instance, param)

    def _framework_type(self, annotation: str) -> bool:
        """Whether a request-like annotation (`Request`) is a web framework's: not the project's own class (an
        HTTP client's `Request`, which its code builds itself) nor another library's (`urllib.request.Request`).
        An annotation this file neither imports nor defines (a snippet) is taken as the framework's."""
        head = annotation.split(".", 1)[0]
        ref = self.imports.get(head)
        if ref is None:
            return head not in self.classes
        return ref.split(".", 1)[0] in _WEB_PACKAGES

    def _route_kind(self, fn: cst.FunctionDef, klass: str | None, params: list[cst.Param]) -> str | None:
        """ "web" when the function's parameters come from a URL, "cli" from a command line, else None."""
        for decorator in fn.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Name | cst.Attribute) and self._qualified(target) in _EXPOSING:
                return "web"
            if (
                isinstance(target, cst.Attribute)
                and target.attr.value in ("command", "commands")
                and self._chat_bot(target)
            ):
                return "chat"  # `@hook.command` written without a call
            if isinstance(target, cst.Call):
                func = target.func
                last = func.attr.value if isinstance(func, cst.Attribute) else (
                    func.value if isinstance(func, cst.Name) else "")  # fmt: skip
                head = _dotted(func) or ""
                if last in ("command", "commands") and self._chat_bot(func):
                    return "chat"
                if head.startswith(("click.", "typer.")) or (last == "command" and "." in head):
                    return "cli"
                if self._route_decorator(target):
                    return "web"
        if klass is not None and fn.name.value in _HTTP_VERBS and self.is_handler_class(klass):
            return "web"
        if klass is None and params and params[0].name.value in _REQUEST_NAMES and _VIEW_FILE.search(self.path):
            return "web"
        if (klass is None and len(params) > 1 and params[0].name.value in _REQUEST_NAMES and not self.called(fn)
                and not self._pytest(fn)):  # fmt: skip
            return "inferred"  # `def detail(request, slug)` outside a views file: a view whose URL is not in view
        if klass is None and params and self._reads_request_global(fn) and not self.called(fn):
            return "inferred"
        return None

    def _route_decorator(self, call: cst.Call) -> bool:
        """`@app.route("/x")`, `@router.get("/x")`, `@api_view(["GET"])`: a decorator registering its function as
        a route (models.Library.route_*). A router is an object a framework's class made, or one this file
        cannot type (imported from the project, a parameter, a snippet's unbound `app`); a method of a module or
        of another library's object (`@mock.patch("m.f")`, `from unittest.mock import patch`) is none."""
        func = call.func
        models = self.models
        if isinstance(func, cst.Name):
            name = func.value
            ref = self.imports.get(name)
            if ref is not None:
                return ref in models.route_functions
            # A snippet cut from its imports (`from bottle import *` too): bottle's and DRF's own names.
            return name in _SNIPPET_ROUTES and not self._binds(name) and _routed_args(call, name)
        if not isinstance(func, cst.Attribute) or func.attr.value not in models.route_decorators:
            return False
        if not _routed_args(call, func.attr.value):
            return False
        if self._qualified(func) in models.route_functions:
            return True  # `bottle.route("/x")`
        return self._router(func.value, 0)

    def _router(self, expr: cst.BaseExpression, depth: int) -> bool:
        """Whether `expr`, the object of a route decorator, may be a router (see _route_decorator)."""
        if isinstance(expr, cst.Attribute):
            return self._router(expr.value, depth) if depth < 3 else False  # `self.app`, `api.v1`
        if not isinstance(expr, cst.Name):
            return False
        name = expr.value
        ref = self.imports.get(name)
        if ref is not None:
            if ref.startswith((".", "@")):
                return True  # the project's own app or blueprint, made in another module
            top = ref.split(".", 1)[0]
            # `import mock`, `from unittest import mock`: a module, whose functions are named in route_functions;
            # `from app import app` (a module not in view): an object, perhaps the app.
            return "." in ref and top not in _STDLIB and top not in _WEB_PACKAGES
        makers = self.makers()[0]
        if name not in makers:
            return name not in _NOT_ROUTERS  # a parameter (`def register(app)`), or unbound in a snippet
        made = makers[name]
        if not isinstance(made, str):
            # `app = flask_app`: the alias's own maker; `app = not(os)`, `app = x[0]`: no router
            return made is not None and depth < 3 and self._router(made, depth + 1)
        callee = made
        head, _, rest = callee.partition(".")
        if head in self.functions or head in self.classes:
            return True  # the project's factory (`app = create_app()`)
        qualified = self._qualified_name(callee)
        last = qualified.rsplit(".", 1)[-1]
        if last in self.models.route_objects or qualified.startswith("@"):
            return True  # `Flask(__name__)`, `APIRouter()`; the project's factory imported from another module
        top = qualified.split(".", 1)[0]
        if top in _WEB_PACKAGES or top.split("_", 1)[0] in _WEB_PACKAGES:
            return True  # another class of a web framework or its extension (`responder.API()`, `quart_trio`)
        ref = self.imports.get(head)
        if rest and depth < 3 and (ref is None or ref.startswith(("@", "."))):
            # `ns = api.namespace("x")`, `v1 = app.group()`: made by a router (not `cache.Cache()`, a module's class)
            return self._router(cst.Name(head), depth + 1)
        return False

    def _chat_bot(self, func: cst.BaseExpression) -> bool:
        """`@hook.command`, `@bot.command()`: a chat bot's command (CloudBot, discord.py, Sopel ...), whose
        arguments are words of a message anyone in the channel can send, not the program's own command line.
        The decorator's object is a chat framework's module, or a module-level name made by one of its calls
        (`bot = commands.Bot(...)`)."""
        if not isinstance(func, cst.Attribute):
            return False
        root = func.value
        while isinstance(root, cst.Attribute):
            root = root.value
        if not isinstance(root, cst.Name):
            return False
        ref = self.imports.get(root.value)
        if ref is None:
            made = self.makers()[1].get(root.value)
            if made is None and root.value in _CHAT_NAMES and not self._binds(root.value):
                return True  # a snippet cut from its imports: the frameworks' own names (`hook`, `bot`)
            ref = self.imports.get(made.split(".", 1)[0]) if isinstance(made, str) else None
        return ref is not None and ref.split(".", 1)[0] in _CHAT_PACKAGES

    def makers(self) -> tuple[dict[str, _Made], dict[str, _Made]]:
        """What the first assignment to each name binds, anywhere in the module and among its top-level
        statements: the dotted name of the callable called (`app = Flask(__name__)` gives "Flask"), the name
        or attribute aliased (`app = flask_app`), or None (any other value). Read from the tree, so that an
        example in a docstring (`app = Flask(__name__)` in a module's usage notes) binds nothing."""
        if self._made is None:
            anywhere: dict[str, _Made] = {}
            top: dict[str, _Made] = {}
            from codeward.reviewer.dataflow.nodes import children

            top_level = {id(stmt) for stmt in self.module.body}
            stack: list[cst.CSTNode] = [self.module]
            while stack:  # depth first, in source order: the first assignment of a name wins, as Python reads it
                node = stack.pop()
                if type(node) is cst.SimpleStatementLine:
                    for small in node.body:
                        if type(small) is not cst.Assign:
                            continue
                        value = small.value
                        made: _Made
                        if type(value) is cst.Call:
                            made = _dotted(value.func)
                        else:
                            made = value if type(value) in (cst.Name, cst.Attribute) else None
                        for target in small.targets:
                            if type(target.target) is cst.Name:
                                name = target.target.value
                                anywhere.setdefault(name, made)
                                if id(node) in top_level:
                                    top.setdefault(name, made)
                stack.extend(reversed(children(node)))
            self._made = (anywhere, top)
        return self._made

    def _binds(self, name: str) -> bool:
        """Whether the file binds `name` anywhere at all (an import, a definition, an assignment or a parameter):
        read from its text, as a snippet's unbound names are few."""
        pattern = rf"(?m)(?:^\s*(?:def|class)\s+{re.escape(name)}\b|\b{re.escape(name)}\s*(?:=[^=]|:)|\bimport\b.*\b{re.escape(name)}\b)"
        return re.search(pattern, self.text) is not None

    def _qualified(self, expr: cst.BaseExpression) -> str:
        """A dotted name as this file's imports resolve it (`expose` from `from cherrypy import expose`)."""
        return self._qualified_name(_dotted(expr) or "")

    def _qualified_name(self, path: str) -> str:
        """`_qualified` of a dotted name given as text."""
        head, dot, rest = path.partition(".")
        return (self.imports.get(head) or head) + dot + rest

    def _pytest(self, fn: cst.FunctionDef) -> bool:
        """pytest's own `request` (a fixture's or a test's parameter), not a web request."""
        name = fn.name.value
        return (name.startswith("test") or _has_decorator(fn, "fixture") or any(
            ref.split(".", 1)[0] in ("pytest", "_pytest") for ref in self.imports.values()))  # fmt: skip

    def is_test(self, fn: cst.FunctionDef) -> bool:
        """A test the runner calls (`test_*`, or decorated by `mock.patch`/`pytest`): its parameters are
        fixtures and mocks, not a caller's values."""
        if fn.name.value.startswith("test"):
            return True
        for decorator in fn.decorators:
            target = decorator.decorator
            qualified = self._qualified(target.func if isinstance(target, cst.Call) else target)
            if qualified.split(".", 1)[0] in ("mock", "pytest", "_pytest") or qualified.startswith("unittest.mock."):
                return True
        return False

    def _reads_request_global(self, fn: cst.FunctionDef) -> bool:
        """A module-level function that reads the framework's `request` global (Flask, Quart, Bottle) is a view,
        whose parameters are the URL's variables, when nothing in view calls it: its route may be registered
        elsewhere (`add_url_rule`, a blueprint factory) or cut off (a snippet)."""
        if self.enclosing.get(id(fn)) is not self.module:
            return False
        facts = self.facts(fn)
        if "request" not in facts.names or "request" in facts.bound:
            return False
        ref = self.imports.get("request")
        if ref is None:  # a snippet without its imports: the name is the framework's when nothing here binds it
            return "request" not in self.functions and "request" not in self.classes and not self.imports
        return ref in _REQUEST_GLOBALS

    def called(self, fn: cst.FunctionDef) -> bool:
        """Whether the module calls `fn` by its name anywhere but its own definition (a caller in view: what
        it passes decides, not the parameter's name)."""
        name = fn.name.value
        before = r"(?<!\w)" if id(fn) in self.class_of else r"(?<![\w.])"  # a method is called as `x.name(...)`
        return len(re.findall(rf"{before}{re.escape(name)}\s*\(", self.text)) > 1

    def _lambda_event(self, fn: cst.FunctionDef, params: list[cst.Param]) -> tuple[int, str] | None:
        names = [p.name.value for p in params[:2]]
        shaped = len(names) == 2 and names[0] in _EVENT_NAMES and names[1] in _CONTEXT_NAMES
        if not shaped and not (len(names) == 2 and fn.name.value in ("lambda_handler", "handler")):
            return None
        for decorator in fn.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Attribute) and target.attr.value in _CRHELPER:
                return 0, "aws.LambdaEvent.trusted"
        if _mentions(fn, TRUSTED_MARKERS):
            return 0, "aws.LambdaEvent.trusted"
        return 0, "aws.LambdaEvent"

    # -- calls into the project ---------------------------------------------------------------------------

    def resolve_callable(self, ref: str, load: bool = False) -> tuple[ModuleInfo, cst.CSTNode, str] | None:
        """The function or class a project reference names; another module is parsed for it only with `load`."""
        path, sep, name = ref[1:].partition("::")
        if not sep:
            return None
        if path == self.path:
            owner: ModuleInfo | None = self
        else:
            owner = self.engine.module(path) if load else None
        if owner is None:
            return None
        if "()." in name:
            klass, _, method = name.partition("().")
            node = owner.classes.get(klass)
            if node is None or "." in method:
                return None
            found = owner.method_of(node, method)
            if found is None:
                return None
            holder = owner.engine.module_of(found) or owner
            return holder, found, "function"
        node = owner.by_ref.get(ref)
        if node is None and name in owner.imports:
            target = owner.imports[name]
            if target.startswith("@") and target != ref:
                return self.resolve_callable(target, load)
            return None
        if isinstance(node, cst.ClassDef):
            return owner, node, "class"
        if isinstance(node, cst.FunctionDef | cst.Lambda):
            return owner, node, "function"
        return None

    def method_of(self, klass: cst.ClassDef, name: str) -> cst.FunctionDef | None:
        found = self.functions.get(f"{self._class_keys.get(id(klass), klass.name.value)}.{name}")
        if found is not None:
            return found
        for base in klass.bases:
            base_name = _dotted(base.value)
            if base_name is None:
                continue
            ref = self.imports.get(base_name) or (f"@{self.path}::{base_name}" if base_name in self.classes else None)
            if ref is None or not ref.startswith("@"):
                continue
            target = self.resolve_callable(ref, load=True)
            if target is not None and target[2] == "class" and target[1] is not klass:
                owner, node, _ = target
                key = owner._class_keys.get(id(node), node.name.value)  # type: ignore[attr-defined]
                found = owner.functions.get(f"{key}.{name}")
                if found is not None:
                    return found
        return None

    def is_method(self, fn: cst.CSTNode) -> bool:
        return id(fn) in self.class_of and not _has_decorator(fn, "staticmethod")  # type: ignore[arg-type]

    def summary(self, fn: cst.CSTNode, fixed: tuple[tuple[int, Any], ...] = ()) -> Summary | None:
        """What a call does in terms of its parameters; with `fixed` ((index, constant) each), for calls that
        pass those constants (`run(cmd, shell=False)`), so that a branch they rule out reaches no sink."""
        key: Any = id(fn) if not fixed else (id(fn), fixed)
        if key in self.summaries:
            return self.summaries[key]
        self.summaries[key] = None  # recursion: calls back into this function are unknown calls
        engine = self.engine
        if engine.depth >= MAX_SUMMARY_DEPTH:
            del self.summaries[key]  # too deep from here; another caller may still summarise it
            return None
        engine.depth += 1
        try:
            analysis = self.analysis(fn) if not fixed else self._fixed_analysis(fn, fixed)
        finally:
            engine.depth -= 1
        from codeward.reviewer.dataflow.sinks import summary_sinks

        ret = analysis.returns if analysis.returns is not None else Value(const=None)
        if analysis.cfg is not None and analysis.cfg.yields:
            ret = Value(rest=analysis.yielded if analysis.yielded is not None else CLEAN)
        self_out = None
        if self.is_method(fn):
            params = _params(fn)  # type: ignore[arg-type]
            if params:
                self_out = analysis.exit_env.get(params[0].name.value)
        checks = param_checks(analysis.exit_env, _param_names(fn), _rebound(fn)) if analysis.exit_env else ()
        summary = Summary(ret=ret, self_out=self_out, sinks=summary_sinks(analysis), checks=checks)
        self.summaries[key] = summary
        return summary

    def _fixed_analysis(self, fn: cst.CSTNode, fixed: tuple[tuple[int, Any], ...]) -> Analysis:
        general = self.analysis(fn)  # nested functions keep the general analysis as their parent
        analysis = Analysis(self, fn, general.parent, general.def_key)
        names = _param_names(fn)
        for index, value in fixed:
            if isinstance(value, tuple) and value[0] == "ref":  # a function or class the caller passes
                analysis.fixed[names[index]] = Value(ref=value[1])
            elif isinstance(value, tuple):  # ("fields", ((key, constant), ...)): a mapping's constant keys
                analysis.fixed_fields[names[index]] = value[1]
            else:
                analysis.fixed[names[index]] = Value(const=value)
        analysis.run()
        return analysis

    def fixed_arguments(self, fn: cst.CSTNode, bound: dict[int, Value]) -> tuple[tuple[int, Any], ...]:
        """The parameters a call fixes to a constant (or leaves at a literal default) that the body tests or
        passes on by keyword (`if shell:`, `subprocess.run(cmd, shell=shell)`): a summary for those values is
        as exact as the call. At most MAX_FIXED distinct combinations per function; past that, the general one."""
        if not isinstance(fn, cst.FunctionDef):
            return ()
        deciding = self._deciding.get(id(fn))
        if deciding is None:
            deciding = self._deciding[id(fn)] = _deciding_names(fn)
        if not deciding:
            return ()
        out = []
        for index, param in enumerate(_params(fn)):
            name = param.name.value
            if name not in deciding:
                continue
            value = bound.get(index)
            if value is None:
                if param.default is None or param.star:
                    continue
                from codeward.reviewer.dataflow.fold import literal

                constant = literal(param.default)
            elif value.callable_ref:
                # A function or class passed to be called (`fetch(urlopen, url)`, `run(subprocess.call, cmd)`):
                # the call the body makes through the parameter is a call of it, sinks included.
                out.append((index, ("ref", value.ref)))
                continue
            elif value.fields and not value.flows:
                # A mapping (`{"Content-Type": "application/json", ...}`): its constant string keys, the other
                # keys read as the parameter's.
                items = tuple((k, v.const) for k, v in value.fields if isinstance(k, str) and not k.startswith(".")
                              and isinstance(v.const, str) and len(v.const) <= 64)  # fmt: skip
                if items:
                    out.append((index, ("fields", items[:8])))
                continue
            elif value.flows or value.fields or value.rest is not None:
                continue
            else:
                constant = value.const
            if constant is None or isinstance(constant, bool | int) or (
                    isinstance(constant, str) and len(constant) <= 64):  # fmt: skip
                out.append((index, constant))
        fixed = tuple(out)
        if fixed:
            seen = self._fixed_seen.setdefault(id(fn), set())
            if fixed not in seen and len(seen) >= MAX_FIXED:
                return ()
            seen.add(fixed)
        return fixed

    def predicate(self, fn: cst.CSTNode) -> tuple[tuple[Check, ...], tuple[Check, ...]]:
        """What a function's body guarantees about its parameters when it returns a true value, and when a
        false one (`def is_plain(s): return re.fullmatch(r"[a-z]+", s) is not None`); computed when a caller
        first tests its result."""
        key = id(fn)
        found = self._predicates.get(key)
        if found is not None:
            return found
        self._predicates[key] = ((), ())  # recursion: a predicate calling itself guarantees nothing more
        engine = self.engine
        if engine.depth >= MAX_SUMMARY_DEPTH:
            del self._predicates[key]
            return (), ()
        engine.depth += 1
        try:
            found = self.analysis(fn).predicate_checks(_param_names(fn), _rebound(fn))
        finally:
            engine.depth -= 1
        self._predicates[key] = found
        return found

    def bind_nodes(self, fn: cst.CSTNode, args: list[Arg]) -> dict[int, cst.BaseExpression]:
        """The caller's expression passed as each parameter (by index), where one expression is (no `*`)."""
        params = _params(fn)  # type: ignore[arg-type]
        node = fn.params  # type: ignore[attr-defined]
        positional = len(node.posonly_params) + len(node.params)
        index_of = {p.name.value: i for i, p in enumerate(params)}
        out: dict[int, cst.BaseExpression] = {}
        position = 0
        for arg in args:
            if arg.star:
                if arg.star == "*":
                    position = positional  # where the spread ends is unknown: no later positional binds
                continue
            if arg.keyword is None:
                if position < positional and isinstance(arg.node, cst.BaseExpression):
                    out[position] = arg.node
                position += 1
            else:
                index = index_of.get(arg.keyword)
                if index is not None and isinstance(arg.node, cst.BaseExpression):
                    out[index] = arg.node
        return out

    def bind(self, fn: cst.CSTNode, args: list[Arg], method: bool) -> dict[int, Value]:
        params = _params(fn)  # type: ignore[arg-type]
        node = fn.params  # type: ignore[attr-defined]
        positional_params = [*node.posonly_params, *node.params]
        index_of = {p.name.value: i for i, p in enumerate(params)}
        bound: dict[int, Value] = {}
        position = 0
        extra: list[Value] = []
        for arg in args:
            if arg.star == "*":
                spread = arg.value.elements()
                while position < len(positional_params):
                    bound[position] = spread
                    position += 1
                extra.append(spread)
            elif arg.star == "**":
                for param in params:
                    index = index_of[param.name.value]
                    if index not in bound:
                        bound[index] = self_key(arg.value, param.name.value)
            elif arg.keyword is None:
                if position < len(positional_params):
                    bound[position] = arg.value
                    position += 1
                else:
                    extra.append(arg.value)
            else:
                index = index_of.get(arg.keyword)
                if index is not None:
                    bound[index] = arg.value
                elif isinstance(node.star_kwarg, cst.Param):
                    star = index_of[node.star_kwarg.name.value]
                    bound[star] = bound.get(star, Value()).with_field(arg.keyword, arg.value)
        if isinstance(node.star_arg, cst.Param) and extra:
            value = Value()
            for item in extra:
                value = value.with_element(item)
            bound[index_of[node.star_arg.name.value]] = value
        return bound


def _trust(cls: str, trust: str) -> str:
    """A source's trust: what a command line or stdin gives comes from whoever runs the program ("local")."""
    return "local" if cls == "cli" and trust == "untrusted" else trust


def _not_for_security(args: list | None) -> bool:
    """`usedforsecurity=False`: the caller says the digest protects nothing."""
    return any(a.keyword == "usedforsecurity" and a.value.const is False for a in args or ())


def self_key(value: Value, key: str) -> Value:
    found = value.field(key)
    return found if found is not None else Value(flows=value.flows)


def _params(fn: cst.FunctionDef | cst.Lambda) -> list[cst.Param]:
    p = fn.params
    out = [*p.posonly_params, *p.params]
    if isinstance(p.star_arg, cst.Param):
        out.append(p.star_arg)
    out += list(p.kwonly_params)
    if isinstance(p.star_kwarg, cst.Param):
        out.append(p.star_kwarg)
    return out


def _param_names(fn: cst.CSTNode) -> list[str]:
    return [p.name.value for p in _params(fn)]  # type: ignore[arg-type]


def _rebound(fn: cst.CSTNode) -> frozenset[object]:
    """Names a function's body binds again (its parameters among them lose what a check said of them), and
    (name, key) for the attributes and constant keys it assigns (`self.x = ...`: (`self`, `.x`))."""
    if not isinstance(fn, cst.FunctionDef):
        return frozenset()
    out: set[object] = set(_collect_scope(fn.body).bound)
    for stmt in _walk_statements(fn.body.body):
        targets: list[cst.BaseExpression] = []
        if isinstance(stmt, cst.Assign):
            targets = [t.target for t in stmt.targets]
        elif isinstance(stmt, cst.AnnAssign | cst.AugAssign):
            targets = [stmt.target]
        for target in targets:
            if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
                out.add((target.value.value, "." + target.attr.value))
            elif (
                isinstance(target, cst.Subscript)
                and isinstance(target.value, cst.Name)
                and len(target.slice) == 1
                and isinstance(target.slice[0].slice, cst.Index)
            ):
                from codeward.reviewer.dataflow.fold import literal

                out.add((target.value.value, literal(target.slice[0].slice.value)))
    return frozenset(out)


def _deciding_names(fn: cst.FunctionDef) -> frozenset[str]:
    """Parameters whose value decides what the body does: named in a test (`if`, `while`, a conditional
    expression), passed on by keyword (`shell=shell`), set on an object (`resp.headers = headers`) or called
    (`opener(url)`: the function or class the caller passes)."""
    from codeward.reviewer.dataflow.nodes import children

    params = set(_param_names(fn))
    out: set[str] = set()
    stack: list[cst.CSTNode] = list(fn.body.body)
    while stack:
        node = stack.pop()
        kind = type(node)
        roots: list[cst.CSTNode] = []
        if kind is cst.If or kind is cst.While or kind is cst.IfExp:
            roots = [node.test]  # type: ignore[attr-defined]
        elif kind is cst.Call and type(node.func) is cst.Name:  # type: ignore[attr-defined]
            roots = [node.func]  # type: ignore[attr-defined]
        elif kind is cst.Arg and node.keyword is not None:  # type: ignore[attr-defined]
            roots = [node.value]  # type: ignore[attr-defined]
        elif kind is cst.Assign and type(node.value) is cst.Name:  # type: ignore[attr-defined]
            targets = [type(t.target) for t in node.targets]  # type: ignore[attr-defined]
            if cst.Attribute in targets or cst.Subscript in targets:
                roots = [node.value]  # `resp.headers = headers`: what the object becomes  # type: ignore[attr-defined]
        for root in roots:
            inner = [root]
            while inner:
                item = inner.pop()
                if type(item) is cst.Name and item.value in params:  # type: ignore[attr-defined]
                    out.add(item.value)  # type: ignore[attr-defined]
                inner.extend(children(item))
        stack.extend(children(node))
    return frozenset(out)


def _validated(param: cst.Param, annotation: str | None) -> bool:
    """A route parameter the framework converts to a safe type (`item_id: int`), or a dependency."""
    if annotation is not None and (annotation in _VALIDATED_ANNOTATIONS or annotation.rsplit(".", 1)[-1] in
                                   _VALIDATED_ANNOTATIONS):  # fmt: skip
        return True
    default = param.default
    return isinstance(default, cst.Call) and (_dotted(default.func) or "").rsplit(".", 1)[-1] in ("Depends", "Security")


def _has_decorator(fn: cst.FunctionDef, name: str) -> bool:
    return any((_dotted(d.decorator) or "").rsplit(".", 1)[-1] == name for d in fn.decorators)


def _dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _routed_args(call: cst.Call, name: str) -> bool:
    """A route decorator's arguments: a path or a list of methods first, or the path by keyword."""
    first = call.args[0].value if call.args else None
    return (
        isinstance(first, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString | cst.List)
        or name in ("api_view", "action")
        or any(a.keyword is not None and a.keyword.value in ("path", "rule") for a in call.args)
    )


def _mentions(node: cst.CSTNode, words: frozenset[str]) -> bool:
    """Whether a string literal in `node` is one of `words` (a handler reading `event["RequestType"]`)."""
    from codeward.reviewer.dataflow.fold import literal
    from codeward.reviewer.dataflow.nodes import children

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, cst.SimpleString):
            if literal(item) in words:
                return True
        else:
            stack.extend(children(item))
    return False


def _walk_statements(body) -> list[cst.CSTNode]:
    """Small statements of a body and of its nested blocks (not of nested functions or classes), one-line
    blocks included (`if x: y()`, whose body holds small statements where an indented block holds lines)."""
    out: list[cst.CSTNode] = []
    stack = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, cst.SimpleStatementLine):
            out.extend(stmt.body)
        elif isinstance(stmt, cst.BaseSmallStatement):
            out.append(stmt)
        elif isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            continue
        else:
            for name in ("body", "orelse", "finalbody"):
                part = getattr(stmt, name, None)
                if isinstance(part, cst.BaseSuite):
                    stack.extend(part.body)
                elif part is not None and hasattr(part, "body") and isinstance(part.body, cst.BaseSuite):
                    stack.extend(part.body.body)
                elif isinstance(part, cst.If):
                    stack.append(part)
            for handler in getattr(stmt, "handlers", ()):
                stack.extend(handler.body.body)
            for case in getattr(stmt, "cases", ()):
                stack.extend(case.body.body)
    return out


_COMPREHENSION_TYPES = frozenset({cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp})
_DEFINITIONS = frozenset({cst.FunctionDef, cst.ClassDef})
# Statements whose blocks can hold definitions (libcst's node classes are final: exact types suffice).
_DEF_BLOCKS = frozenset({cst.IndentedBlock, cst.SimpleStatementSuite, cst.Module, cst.If, cst.Else, cst.Try, cst.With,
                         cst.For, cst.While, cst.ExceptHandler, cst.Finally, cst.Match, cst.MatchCase})  # fmt: skip


# Sink kinds that text without line breaks cannot harm (a header or a log line of its own).
_NO_LINE_BREAKS = frozenset({"header", "log"})


@dataclass(slots=True)
class _Facts:
    names: set[str] = field(default_factory=set)  # identifiers and attribute names it uses
    called: list[str] = field(default_factory=list)  # last names of what it calls
    bound: set[str] = field(default_factory=set)  # names it binds (Python's local variables)
    declared: set[str] = field(default_factory=set)  # names declared global or nonlocal
    # How many times each name is bound, and the value of a name's `name = value` statement (its last one): a
    # name bound once, there, stands for that value everywhere the body reads it (`host = urlparse(u).hostname`).
    counts: dict[str, int] = field(default_factory=dict)
    assigned: dict[str, cst.BaseExpression] = field(default_factory=dict)

    def count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def alias(self, name: str) -> cst.BaseExpression | None:
        """The value a name bound once, by a plain `name = value`, holds; None for any other name."""
        value = self.assigned.get(name)
        return value if value is not None and self.counts.get(name) == 1 else None


def _collect_scope(scope: cst.CSTNode) -> _Facts:
    """One body's facts: each name counted in its innermost function, class or module (comprehensions and
    lambdas belong to the body around them, but their targets bind nothing there)."""
    from codeward.reviewer.dataflow.nodes import children

    facts = _Facts()
    if isinstance(scope, cst.FunctionDef):
        for param in _params(scope):
            _bind(param.name, facts)
        roots: list[cst.CSTNode] = list(scope.body.body)
    elif isinstance(scope, cst.ClassDef):
        roots = list(scope.body.body)
    elif isinstance(scope, cst.Module):
        roots = list(scope.body)
    else:
        roots = list(children(scope))
    stack: list[tuple[cst.CSTNode, bool]] = [(node, False) for node in roots]
    pop = stack.pop
    push = stack.append
    function_def, class_def, lambda_ = cst.FunctionDef, cst.ClassDef, cst.Lambda
    while stack:
        item, in_comprehension = pop()
        kind = type(item)
        if kind is function_def or kind is class_def:
            _bind(item.name, facts)  # type: ignore[attr-defined]
            for decorator in item.decorators:  # type: ignore[attr-defined]
                push((decorator.decorator, in_comprehension))
            continue
        _note(item, kind, facts, in_comprehension)
        nested = in_comprehension or kind is lambda_ or kind in _COMPREHENSION_TYPES
        for child in children(item):
            push((child, nested))
    return facts


def _note(item: cst.CSTNode, kind: type, facts: _Facts, in_comprehension: bool) -> None:
    if kind is cst.Name:
        facts.names.add(item.value)  # type: ignore[attr-defined]
        return
    if kind is cst.Attribute:
        facts.names.add(item.attr.value)  # type: ignore[attr-defined]
        return
    if kind is cst.Call:
        func = item.func  # type: ignore[attr-defined]
        if isinstance(func, cst.Name):
            facts.called.append(func.value)
        elif isinstance(func, cst.Attribute):
            facts.called.append(func.attr.value)
        return
    if kind is cst.Global or kind is cst.Nonlocal:
        facts.declared.update(n.name.value for n in item.names)  # type: ignore[attr-defined]
        return
    if in_comprehension and kind is not cst.NamedExpr:
        return  # a comprehension's or lambda's own variables
    if kind is cst.Assign:
        targets = item.targets  # type: ignore[attr-defined]
        if len(targets) == 1 and type(targets[0].target) is cst.Name:
            facts.assigned[targets[0].target.value] = item.value  # type: ignore[attr-defined]
        return  # its targets are bound where their AssignTarget nodes are seen
    if (
        kind is cst.AssignTarget
        or kind is cst.AnnAssign
        or kind is cst.AugAssign
        or kind is cst.NamedExpr
        or kind is cst.For
    ):
        _bind(item.target, facts)  # type: ignore[attr-defined]
    elif kind is cst.AsName:
        _bind(item.name, facts)  # type: ignore[attr-defined]
    elif kind is cst.Import:
        for alias in item.names:  # type: ignore[attr-defined]
            if alias.asname is None:
                _bind_name((_dotted(alias.name) or "").split(".", 1)[0], facts)
    elif kind is cst.ImportFrom:
        if not isinstance(item.names, cst.ImportStar):  # type: ignore[attr-defined]
            for alias in item.names:  # type: ignore[attr-defined]
                if alias.asname is None:
                    _bind_name(_dotted(alias.name) or "", facts)
    elif (kind is cst.MatchAs or kind is cst.MatchStar) and item.name is not None:  # type: ignore[attr-defined]
        _bind_name(item.name.value, facts)  # type: ignore[attr-defined]
    if kind is cst.WithItem or kind is cst.ExceptHandler or kind is cst.ExceptStarHandler:
        # `with f() as x`, `except E as x`: not in `bound` (the analysis reads these names as the scope always
        # has), but counted, so that a name bound there too is no alias of one assignment.
        asname = item.asname if kind is cst.WithItem else item.name  # type: ignore[attr-defined]
        if asname is not None:
            _count(asname.name, facts)
    elif kind is cst.Import or kind is cst.ImportFrom:
        for alias in () if isinstance(item.names, cst.ImportStar) else item.names:  # type: ignore[attr-defined]
            if alias.asname is not None:
                _count(alias.asname.name, facts)


def _count(target: cst.BaseExpression, facts: _Facts) -> None:
    """Count the names a target binds, without making them the scope's bound names."""
    _each_name(target, facts.count)


def _bind_name(name: str, facts: _Facts) -> None:
    facts.bound.add(name)
    facts.count(name)


def _bind(target: cst.BaseExpression, facts: _Facts) -> None:
    _each_name(target, lambda name: _bind_name(name, facts))


def _each_name(target: cst.BaseExpression, note: Callable[[str], None]) -> None:
    """`note` each name a target binds (`x`, `a, (b, *c)`)."""
    if isinstance(target, cst.Name):
        note(target.value)
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            _each_name(element.value, note)
    elif isinstance(target, cst.StarredElement):
        _each_name(target.value, note)


# -- the same facts from CPython's `ast` (bench/reviewer/ast-move.md step 1) ---------------------------------------
# `_collect_scope` over `ast`, answering as it answers over libcst, what it leaves out included: libcst's children
# skip `name`/`asname` fields, so `with f() as x`, `except E as e` and `import a as b` bind nothing there and their
# names are not among the used ones; a nested definition contributes its decorators only; a pattern's keyword
# (`case P(x=0)`) and a mapping's `**rest` are used names. `called` holds the same names, not in the same order.
_AST_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_AST_NESTED = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_AST_TARGETS = (ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.For, ast.AsyncFor)


def collect_scope_ast(scope: ast.AST) -> _Facts:
    facts = _Facts()
    names, bound = facts.names, facts.bound

    def bind(name: str) -> None:
        bound.add(name)
        facts.count(name)

    if isinstance(scope, _AST_FUNCTIONS):
        a = scope.args
        for p in [*a.posonlyargs, *a.args, a.vararg, *a.kwonlyargs, a.kwarg]:
            if p is not None:
                bind(p.arg)
        roots: list[ast.AST] = list(scope.body)
    elif isinstance(scope, ast.ClassDef | ast.Module):
        roots = list(scope.body)
    else:
        roots = list(ast.iter_child_nodes(scope))
    stack: list[tuple[ast.AST, bool]] = [(node, False) for node in roots]
    while stack:
        item, inside = stack.pop()
        kind = type(item)
        if kind in _AST_FUNCTIONS or kind is ast.ClassDef:
            bind(item.name)  # type: ignore[attr-defined]
            stack.extend((d, inside) for d in item.decorator_list)  # type: ignore[attr-defined]
            continue
        if kind is ast.Name:
            names.add(item.id)  # type: ignore[attr-defined]
        elif kind is ast.Constant:
            if item.value is None or item.value is True or item.value is False:  # type: ignore[attr-defined]
                names.add(repr(item.value))  # type: ignore[attr-defined]  # libcst's `Name("None")`
        elif kind is ast.Attribute:
            names.add(item.attr)  # type: ignore[attr-defined]
        elif kind is ast.Call:
            func = item.func  # type: ignore[attr-defined]
            if type(func) is ast.Name:
                facts.called.append(func.id)
            elif type(func) is ast.Attribute:
                facts.called.append(func.attr)
        elif kind is ast.Global or kind is ast.Nonlocal:
            facts.declared.update(item.names)  # type: ignore[attr-defined]
        elif kind is ast.MatchClass:
            names.update(item.kwd_attrs)  # type: ignore[attr-defined]
        elif kind is ast.MatchMapping and item.rest is not None:  # type: ignore[attr-defined]
            names.add(item.rest)  # type: ignore[attr-defined]
        elif kind is ast.MatchSingleton:
            names.add(repr(item.value))  # type: ignore[attr-defined]  # `case None:`
        elif inside and kind is not ast.NamedExpr:
            pass  # a comprehension's or lambda's own variables
        elif kind is ast.Assign:
            for target in item.targets:  # type: ignore[attr-defined]
                _bind_ast(target, bind)
            if len(item.targets) == 1 and type(item.targets[0]) is ast.Name:  # type: ignore[attr-defined]
                facts.assigned[item.targets[0].id] = item.value  # type: ignore[attr-defined]
        elif kind in _AST_TARGETS:
            _bind_ast(item.target, bind)  # type: ignore[attr-defined]
        elif kind is ast.Import or kind is ast.ImportFrom:
            for alias in item.names:  # type: ignore[attr-defined]
                if alias.asname is not None:
                    facts.count(alias.asname)  # counted, not bound (as libcst's)
                elif alias.name != "*":
                    bind(alias.name.split(".", 1)[0] if kind is ast.Import else alias.name)
        elif (kind is ast.MatchAs or kind is ast.MatchStar) and item.name is not None:  # type: ignore[attr-defined]
            bind(item.name)  # type: ignore[attr-defined]
        elif kind is ast.ExceptHandler and item.name is not None:  # type: ignore[attr-defined]
            facts.count(item.name)  # type: ignore[attr-defined]
        elif kind is ast.withitem and item.optional_vars is not None:  # type: ignore[attr-defined]
            _bind_ast(item.optional_vars, facts.count)  # type: ignore[attr-defined]
        nested = inside or kind in _AST_NESTED
        if kind is ast.withitem:
            stack.append((item.context_expr, nested))  # type: ignore[attr-defined]
        else:
            stack.extend((child, nested) for child in ast.iter_child_nodes(item))
    return facts


def _import_parts(stmt: Any) -> tuple[bool, int, str | None, list[tuple[str, str | None]]]:
    """An import of either tree as (star, level, module, [(dotted name, as-name)]): `module` is None for
    `import a.b` and "" for `from . import x`."""
    if type(stmt) is cst.Import or type(stmt) is cst.ImportFrom:
        pairs = []
        star = isinstance(stmt.names, cst.ImportStar)
        for alias in () if star else stmt.names:
            asname = alias.asname.name if alias.asname is not None else None
            pairs.append((_dotted(alias.name) or "", asname.value if isinstance(asname, cst.Name) else None))
        if type(stmt) is cst.Import:
            return False, 0, None, pairs
        module = _dotted(stmt.module) if stmt.module is not None else ""
        return star, len(stmt.relative), module, pairs
    pairs = [(alias.name, alias.asname) for alias in stmt.names]
    if type(stmt) is ast.Import:
        return False, 0, None, pairs
    star = pairs == [("*", None)]
    return star, stmt.level, stmt.module or "", [] if star else pairs


def _bind_ast(target: ast.AST, bind: Callable[[str], None]) -> None:
    if type(target) is ast.Name:
        bind(target.id)  # type: ignore[attr-defined]
    elif type(target) is ast.Tuple or type(target) is ast.List:
        for element in target.elts:  # type: ignore[attr-defined]
            _bind_ast(element, bind)
    elif type(target) is ast.Starred:
        _bind_ast(target.value, bind)  # type: ignore[attr-defined]
