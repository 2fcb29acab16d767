"""The engine: models, the project's modules, and the budget that keeps one file's analysis bounded."""

from __future__ import annotations

import os
import time

import libcst as cst
from codeward.reviewer.dataflow.models import Models, UserModels, build_models
from codeward.reviewer.dataflow.module import ModuleInfo
from codeward.reviewer.dataflow.project import shared_project
from codeward.reviewer.dataflow.values import Value

# Names that read untrusted data (sources' own names come from the models): `request`, a Lambda `event`.
_SOURCE_NAMES = frozenset(["request", "req", "event", "evt", "input", "raw_input", "argv", "stdin", "recv",
                           "recvfrom", "current_event", "get_argument", "get_arguments", "get_query_argument",
                           "get_body_argument", "match_info", "random", "randint", "choice", "hashlib", "md5",
                           "sha1", "MD5", "SHA1"])  # fmt: skip

# CPU seconds one reviewed file may spend on summaries of the functions it calls; past it, calls are unknown
# calls (their arguments' taint passes on), so a pathological project slows a file down, never hangs it.
SUMMARY_BUDGET = 1.5


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
        self._deadline = float("inf")

    def start_file(self, path: str, module: cst.Module, text: str) -> ModuleInfo:
        """The file under review (already parsed): analysed fresh, its budget starting now."""
        path = os.path.abspath(path)
        self.project.add(path, module, text)
        self.project.consulted = set()
        info = ModuleInfo(path, module, self)
        self.modules[path] = info
        self._own(info)
        self._deadline = time.process_time() + SUMMARY_BUDGET
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
        self.project._loaded.pop(path, None)
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

    def worth_loading(self, ref: str, args: list, receiver: Value | None) -> bool:
        """Whether a call into another project module is worth parsing that module for: an argument carries
        untrusted data, or the module can produce some itself (it mentions a source). Calls whose arguments
        only carry the caller's parameters are followed within loaded modules only, so summarising one
        function never parses the whole project."""
        path, _, name = ref[1:].partition("::")
        if path in self.modules:
            return True
        name = name.rpartition(".")[2].replace("()", "")
        for arg in [*args, receiver]:
            value = arg.value if hasattr(arg, "value") else arg
            if value is not None and any(f.label.kind == "source" for f in value.deep_flows()):
                # Untrusted data flows in: worth it when the callee can pass it to a sink. Otherwise the call is
                # an unknown call, whose result carries its arguments' data: nothing is lost by not parsing.
                return self.project.function_mentions(path, name, self.sink_pattern())
        return self.project.function_mentions_source(path, name)

    def sink_pattern(self):  # -> re.Pattern[str]
        """The names of every sink, as a pattern over source text (`system(`, `.execute(`)."""
        if self._sink_pattern is None:
            import re

            words = sorted(self.sink_words(), key=len, reverse=True)
            self._sink_pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\s*\(")
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
        """Methods that are sinks on receivers of a known type (`ldap3.Connection().search`)."""
        if self._typed_methods is None:
            self._typed_methods = frozenset(
                name.rsplit(".", 1)[-1] for name in self.models.call_sinks if "()." in name or "Element." in name
            )
        return self._typed_methods

    def budget_ok(self) -> bool:
        return time.process_time() < self._deadline


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
