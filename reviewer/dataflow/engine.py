"""The engine: models, the project's modules, and the budget that keeps one file's analysis bounded."""

from __future__ import annotations

import os
import re

import libcst as cst
from codeward.reviewer.dataflow.models import Models, UserModels, build_models
from codeward.reviewer.dataflow.module import ModuleInfo
from codeward.reviewer.dataflow.project import WORD, shared_project
from codeward.reviewer.dataflow.values import Value

# Names that read untrusted data (sources' own names come from the models): `request`, a Lambda `event`.
_SOURCE_NAMES = frozenset(["request", "req", "event", "evt", "input", "raw_input", "argv", "stdin", "recv",
                           "recvfrom", "current_event", "get_argument", "get_arguments", "get_query_argument",
                           "get_body_argument", "match_info", "random", "randint", "choice", "hashlib", "md5",
                           "sha1", "MD5", "SHA1"])  # fmt: skip

# `(?<!\w)`: no match starts inside a word (one starting at the word's first character would have matched
# first, with the same groups), so the scan no longer tries every suffix of every word that no `(` follows:
# with `project.WORD`, a third of the time on Django's source, the same matches (tests/test_dataflow_prefilter.py).
_CALL = re.compile(rf"(\.?)(?<!\w)({WORD})(?:\.({WORD}))?\s*\(")


# Text of a function that checks or cleans its arguments: it raises or aborts, matches a pattern, tests
# characters or a prefix, resolves a path against a base, converts, quotes or escapes.
_GUARD_TEXT = re.compile(
    r"\braise\b|\babort\(|\.(?:full)?match\(|\.search\(|quote|escape|\.is(?:alnum|digit|decimal|numeric|alpha|"
    r"identifier|ascii)\(|\.startswith\(|\.is_relative_to\(|\bcommonpath\(|\b(?:int|float|UUID)\("
)

# The longest function text (docstring included) read as a guard or a wrapper when only the caller's parameters
# flow into it: validators, sanitisers and wrappers of a sink are short.
_GUARD_SIZE = 2500


# Methods of the values every program handles (str, bytes, containers, compiled patterns and their matches).
_BUILTIN_METHODS = frozenset(
    name
    for kind in (str, bytes, bytearray, list, dict, set, frozenset, tuple, int, float, re.Pattern, re.Match)
    for name in dir(kind)
    if not name.startswith("_")
)


class SinkText:
    """Whether source text calls a sink: one linear pass over its call-like tokens, tested against sets."""

    def __init__(
        self,
        dotted: frozenset[str],
        bare: frozenset[str],
        methods: frozenset[str],
        builtins: frozenset[str],
        chained: frozenset[str] = frozenset(),
    ) -> None:
        self.dotted, self.bare, self.methods, self.builtins = dotted, bare, methods, builtins
        # Common method names that are sinks of a library's objects (`find`, `update_one`: MongoDB collections)
        # count when called on an attribute (`db.users.find(`, `self.coll.find_one(`), which a str's or a
        # dict's method rarely is; alone they would make every `s.find(` a wrapper.
        self.chained = chained
        # A module function's name after a dot counts without its module (`sp.check_output(` for `import
        # subprocess as sp`) only when no str, bytes, container or regex has a method of that name: `x.copy(`,
        # `s.encode(`, `items.remove(` are such methods far more often than `shutil.copy`, `jwt.encode` or
        # `os.remove` under another name, and `shutil.copy(` itself is matched in `dotted`.
        self.qualified = bare - _BUILTIN_METHODS
        self.pattern = f"sinks:{len(dotted)}:{len(bare)}:{len(methods)}:{len(chained)}"

    def search(self, text: str) -> bool:
        # finditer, not findall: the first sink call found decides, the rest of the text need not be scanned.
        for match in _CALL.finditer(text):
            lead, first, second = match.groups(default="")
            if second:
                if f"{first}.{second}" in self.dotted or second in self.methods or second in self.qualified:
                    return True
                if lead and second in self.chained:
                    return True
                continue
            if lead and first in self.methods:
                return True
            if not lead and (first in self.bare or first in self.builtins):
                return True
        return False


# Method names too common to say anything alone (`d.get`, `f.open`, `s.find`, `form.save`).
_GENERIC_METHODS = frozenset(
    ["get", "post", "put", "patch", "delete", "head", "options", "request", "run", "open", "exists", "is_file",
     "is_dir", "mkdir", "rmdir", "touch", "iterdir", "glob", "rename", "stat", "unlink", "find", "findall",
     "findtext", "iterfind", "search", "save", "raw", "extra", "load", "loads", "write", "finish", "redirect",
     "setopt", "encrypt", "select", "call", "spawn", "new", "text", "compile", "match", "sub", "split", "update_one",
     "update_many", "delete_one", "delete_many", "replace_one", "count_documents", "aggregate", "find_one"]
)  # fmt: skip


class Engine:
    def __init__(self, models: Models) -> None:
        self.models = models
        self.project = shared_project()
        self.modules: dict[str, ModuleInfo | None] = {}
        self.owners: dict[int, ModuleInfo] = {}
        self.handler_types: dict[str, bool] = {}
        self._sink_words: frozenset[str] | None = None
        self._typed_methods: frozenset[str] | None = None
        self._source_words: frozenset[str] | None = None
        self._sink_pattern = None
        self.depth = 0  # summaries being computed, one inside the other
        # The file under review's module as a dependency of files reviewed before it (its tree, its summaries),
        # set aside while the file is reviewed with a fresh one and put back after.
        self._aside: tuple[str, ModuleInfo] | None = None

    def start_file(self, path: str, module: cst.Module, text: str) -> ModuleInfo:
        """The file under review (already parsed): analysed fresh, its budget starting now."""
        path = os.path.abspath(path)
        self.project.add(path, module, text)
        self.project.consulted = set()
        before = self.modules.get(path)
        self._aside = (path, before) if before is not None and before.module is module else None
        info = ModuleInfo(path, module, self, text)  # the tree prints back to this text: no need to print it
        self.modules[path] = info
        self._own(info)
        self.depth = 0
        return info

    def finish_file(self, path: str) -> list[tuple[str, str]]:
        """Keep dependencies for the next files; drop the reviewed file's analyses (memory). Returns the other
        files whose content the result depends on, with their digests (for the results cache)."""
        path = os.path.abspath(path)
        consulted = (self.project.consulted or set()) - {path}
        self.project.consulted = None
        info = self.modules.pop(path, None)
        self.handler_types.clear()
        from codeward.reviewer.dataflow.sinks import _POSITIONS

        _POSITIONS.clear()
        if info is not None:
            for fn in info.functions.values():
                self.owners.pop(id(fn), None)
            info.forget()
        aside, self._aside = self._aside, None
        if aside is not None and aside[0] == path:
            # What other files learnt of this module stands again (the same tree: nothing to parse or redo).
            self.modules[path] = aside[1]
            self._own(aside[1])
        self.project.reviewed(path)
        return self.project.dependencies(consulted)

    def module(self, path: str) -> ModuleInfo | None:
        if self.project.consulted is not None:
            self.project.consulted.add(path)
        if path in self.modules and not self.project.changed(path):
            return self.modules[path]
        loaded = self.project.load(path)
        info = ModuleInfo(path, loaded.module, self) if loaded is not None else None
        self.modules[path] = info
        if info is not None:
            self._own(info)
        return info

    def loaded(self, path: str) -> ModuleInfo | None:
        """A module already parsed, or None: questions that are not worth a parse use this."""
        found = self.modules.get(path)
        if found is not None and self.project.consulted is not None:
            self.project.consulted.add(path)
        return found

    def _own(self, info: ModuleInfo) -> None:
        for fn in info.functions.values():
            self.owners[id(fn)] = info

    def module_of(self, fn: cst.CSTNode) -> ModuleInfo | None:
        return self.owners.get(id(fn))

    def worth_loading(self, ref: str, args: list, receiver: Value | None, here: str = "") -> bool:
        """Whether a call into another project module is worth parsing that module for: an argument carries
        untrusted data, or the module can produce some itself (it mentions a source). Calls whose arguments
        only carry the caller's parameters are followed within loaded modules only, so summarising one
        function never parses the whole project."""
        path, _, name = ref[1:].partition("::")
        if path == here:
            return True  # the caller's own module: parsed already
        if name.isidentifier():
            # A function the module re-exports (`from .impl import run` in a package's `__init__.py`): what
            # counts is the text of the module defining it.
            path, name = self.project.defining(path, name) or (path, name)
        name = name.rpartition(".")[2].replace("()", "")
        carried = False
        for arg in [*args, receiver]:
            value = arg.value if hasattr(arg, "value") else arg
            flows = value.deep_flows() if value is not None else ()
            if any(f.label.kind == "source" for f in flows):
                # Untrusted data flows in: worth it whenever the callee is there, sink or not. Unparsed, the call
                # would be an unknown call whose result carries its arguments' data, a false flow when the
                # callee drops, converts or checks it (`return_constant(x)`, `to_int(x)`).
                return self.project.defines(path, name)
            carried = carried or bool(flows)
        if self.project.function_mentions_source(path, name):
            return True
        # The caller's parameters flow in: worth it when the callee is a short function whose text checks or
        # cleans what it is given (a validator that raises, a predicate, an escaping helper), so that what it
        # guarantees holds here too, or calls a sink (a wrapper, whose callers' data reaches that sink through
        # this one). Long functions that merely raise somewhere or open a file are not worth a parse.
        if not carried:
            return False
        project = self.project
        return project.function_mentions(path, name, _GUARD_TEXT, _GUARD_SIZE) or project.function_mentions(
            path, name, self.sink_pattern(), _GUARD_SIZE
        )

    def sink_pattern(self) -> SinkText:
        """Calls of sinks as they appear in source text: `os.system(`, `subprocess.run(`, `.execute(`, a
        builtin `open(`, and distinctive bare names (`check_output(`); common names (`get`, `run`, `save`)
        count only with their module. A function whose text has none of these cannot be a wrapper."""
        if self._sink_pattern is None:
            dotted: set[str] = set()
            bare: set[str] = set()
            builtins: set[str] = set()
            methods: set[str] = set()
            for name in self.models.call_sinks:
                pieces = name.replace("()", "").split(".")
                last = pieces[-1]
                if len(pieces) == 1:
                    builtins.add(last)
                elif "()" in name or pieces[0] in ("xml", "web"):
                    if last not in _GENERIC_METHODS:
                        methods.add(last)
                else:
                    dotted.add(f"{pieces[-2]}.{last}")
                    if last not in _GENERIC_METHODS:
                        bare.add(last)
            methods.update(m for m in self.models.method_sinks if m not in _GENERIC_METHODS)
            # (Not `.save`, a sink only on an uploaded file: `x.y.save(` is every Django model's save.)
            chained = frozenset(
                m
                for m, sinks in self.models.method_sinks.items()
                if m in _GENERIC_METHODS and any(sink.when != "receiver-tainted" for sink in sinks)
            )
            self._sink_pattern = SinkText(
                frozenset(dotted), frozenset(bare), frozenset(methods), frozenset(builtins), chained
            )
        return self._sink_pattern

    def sink_words(self) -> frozenset[str]:
        """The last name of every sink (`system` for `os.system`, `read_text` for `Path().read_text`)."""
        if self._sink_words is None:
            words = {name.rsplit(".", 1)[-1] for name in self.models.call_sinks}
            words.update(self.models.method_sinks)
            self._sink_words = frozenset(words)
        return self._sink_words

    def source_words(self) -> frozenset[str]:
        """Names whose presence means a body may read untrusted or predictable data."""
        if self._source_words is None:
            words = set(_SOURCE_NAMES)
            for name in self.models.sources:
                words.add(name.rsplit(".", 1)[-1].replace("()", ""))
            for model in self.models.objects.values():
                words.update(model.methods)
            words -= {"get", "read", "json", "text", "data", "body", "path", "url", "query", "params", "form"}
            if self.models.is_trusted("environment"):
                words -= {"environ", "getenv", "getenvb"}
            self._source_words = frozenset(words)
        return self._source_words

    def typed_sink_methods(self) -> frozenset[str]:
        """Methods that are sinks on receivers of a known type (`ldap3.Connection().search`), the common names
        (`get`, `open`, `find`) left out: those resolve by the receiver's origin or not at all."""
        if self._typed_methods is None:
            self._typed_methods = frozenset(
                last
                for name in self.models.call_sinks
                if ("()." in name or "Element." in name) and (last := name.rsplit(".", 1)[-1]) not in _GENERIC_METHODS
            )
        return self._typed_methods


_ENGINES: dict[str, Engine] = {}


def engine_for(user: UserModels | None) -> Engine:
    """One engine per process and configuration: parsed dependencies serve every file the process reviews."""
    key = user.key() if user is not None else ""
    found = _ENGINES.get(key)
    if found is None:
        if len(_ENGINES) > 4:
            _ENGINES.clear()
        found = _ENGINES[key] = Engine(build_models(user))
    return found
