"""Models of sources, sinks, sanitizers and propagators, as data: one module per framework or library.

Names are qualified the way imports resolve them (`flask.request`, `subprocess.run`). A method is written
`Type.method` for a receiver of a known type (`flask.Request.get_json`, `ldap3.Connection().search`), or
`.method` for any receiver that is not a module (`.execute`). Instances are named after their constructor
with `()` (`requests.Session()`), a convention the rules share.

Users add their own in `[tool.codeward.reviewer.taint]` (see `Models.with_user`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from codeward.reviewer.dataflow.values import ALL_KINDS

# Classes of sources; `trusted` in the configuration turns classes off. Environment variables and
# configuration files are written by whoever deploys the code, so they are trusted unless configured.
SOURCE_CLASSES = ("web", "lambda", "external", "cli", "network", "environment", "files")
DEFAULT_TRUSTED = frozenset({"environment", "files"})


@dataclass(frozen=True, slots=True)
class Source:
    """`name` returns (a call), holds (an attribute or a global) or, for a type, yields untrusted data.

    how: "call" (calling `name` returns it), "attr" (reading attribute `name`), "object" (`name` is an object
    of type `type`, whose own model says which attributes and methods are sources).
    """

    name: str
    desc: str
    cls: str = "web"
    how: str = "call"
    type: str | None = None
    trust: str = "untrusted"  # "external": another system's data (S3 keys, queue payloads)


@dataclass(frozen=True, slots=True)
class ObjectModel:
    """A type whose attributes and methods are sources (a request object, a Lambda event)."""

    type: str
    desc: str  # how findings name it: "request"
    cls: str
    attrs: frozenset[str] = frozenset()  # reading these gives untrusted data
    methods: frozenset[str] = frozenset()  # calling these gives untrusted data
    typed_attrs: tuple[tuple[str, str], ...] = ()  # attribute -> type of the object it holds
    trust: str = "untrusted"
    # Attributes holding the request line's text as sent, still percent-encoded (a raw query string): an HTTP
    # request line cannot carry a line break, so this text cannot add a header or a log line of its own.
    encoded: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Sink:
    """Arguments of a call where untrusted data of `kind` is dangerous.

    args: (positional index, keyword) pairs; index -1 is the receiver (`Path(p).read_text()`).
    when: extra condition: "shell" (only with `shell=True`), "program" (without a shell: the program, the
    first element of the list, or the command of `sh -c`), "receiver-tainted" (the receiver carries the data,
    e.g. an uploaded file's `save`), "host" (only when the URL's host is not fixed by a literal prefix), "text"
    (not when the argument is a dict or list: frameworks send those as JSON; nor when `content_type=`,
    `mimetype=` or `media_type=` declares a type browsers do not render as HTML, such as `text/plain`);
    "argv" / "argv-list" (an argument vector given from `args`'s position on, or as one list there: only the
    script of a shell started with `-c`); "sql-text" (only text built from a constant start).
    """

    name: str
    kind: str
    args: tuple[tuple[int, str], ...]
    when: str = ""


@dataclass(frozen=True, slots=True)
class Sanitizer:
    """Calling `name` returns its argument made safe for `kinds` (all kinds: a clean value)."""

    name: str
    kinds: frozenset[str] = ALL_KINDS


@dataclass(frozen=True, slots=True)
class Library:
    """Everything one framework or library contributes."""

    name: str
    sources: tuple[Source, ...] = ()
    objects: tuple[ObjectModel, ...] = ()
    sinks: tuple[Sink, ...] = ()
    sanitizers: tuple[Sanitizer, ...] = ()
    # Calls whose result carries nothing from their arguments (a digest, a length, a boolean).
    clean: tuple[str, ...] = ()
    # Calls that never return (`abort(403)`): what follows them on that path does not run.
    noreturn: tuple[str, ...] = ()
    # Calls whose result is a path that has been made absolute and normalised (checks with startswith work).
    normalizers: tuple[str, ...] = ()
    # Calls that take a value apart without cleaning it: `urlparse(u).netloc` is still `u`'s data.
    derivers: tuple[str, ...] = ()
    # Validation calls: when they return true, argument `arg` is safe for `kinds`. A fourth item names the
    # parameter, for calls that pass it by keyword (Django's own code does: `url_has_allowed_host_and_scheme(url=...)`).
    validators: tuple[tuple[str, int, frozenset[str]] | tuple[str, int, frozenset[str], str], ...] = ()
    # Class names whose subclasses handle HTTP requests: `self.request` is the request, and the
    # parameters of their HTTP-verb methods come from the URL.
    handler_bases: tuple[str, ...] = ()
    # Route decorators, whose function's parameters come from the URL. `route_decorators`: the methods of a
    # router object (`@app.route("/x")`, `@router.get("/x")`), a router being an object these classes make
    # (`route_objects`: `Flask`, `APIRouter`); `route_functions`: decorators imported by qualified name
    # (`bottle.route`, `rest_framework.decorators.api_view`). A method of any other object (`@patch("m.f")`,
    # `@mock.patch(...)`, `@pytest.mark.x(...)`) is no route (module.ModuleInfo._route_decorator).
    route_decorators: tuple[str, ...] = ()
    route_objects: tuple[str, ...] = ()
    route_functions: tuple[str, ...] = ()


@dataclass(slots=True)
class Models:
    """All libraries' models merged, with the lookups the analysis needs."""

    sources: dict[str, Source] = field(default_factory=dict)
    objects: dict[str, ObjectModel] = field(default_factory=dict)
    call_sinks: dict[str, list[Sink]] = field(default_factory=dict)
    method_sinks: dict[str, list[Sink]] = field(default_factory=dict)
    sanitizers: dict[str, Sanitizer] = field(default_factory=dict)
    clean: set[str] = field(default_factory=set)
    noreturn: set[str] = field(default_factory=set)
    normalizers: set[str] = field(default_factory=set)
    derivers: set[str] = field(default_factory=set)
    validators: dict[str, tuple[int, frozenset[str], str]] = field(default_factory=dict)
    handler_bases: set[str] = field(default_factory=set)
    route_decorators: set[str] = field(default_factory=set)
    route_objects: set[str] = field(default_factory=set)
    route_functions: set[str] = field(default_factory=set)
    trusted: frozenset[str] = DEFAULT_TRUSTED

    def add(self, library: Library) -> None:
        for source in library.sources:
            self.sources[source.name] = source
        for obj in library.objects:
            self.objects[obj.type] = obj
        for sink in library.sinks:
            if sink.name.startswith("."):
                self.method_sinks.setdefault(sink.name[1:], []).append(sink)
            else:
                self.call_sinks.setdefault(sink.name, []).append(sink)
        for sanitizer in library.sanitizers:
            self.sanitizers[sanitizer.name] = sanitizer
        self.clean.update(library.clean)
        self.noreturn.update(library.noreturn)
        self.normalizers.update(library.normalizers)
        self.derivers.update(library.derivers)
        for name, arg, kinds, *keyword in library.validators:
            self.validators[name] = (arg, kinds, keyword[0] if keyword else "")
        self.handler_bases.update(library.handler_bases)
        self.route_decorators.update(library.route_decorators)
        self.route_objects.update(library.route_objects)
        self.route_functions.update(library.route_functions)

    def is_trusted(self, cls: str) -> bool:
        return cls in self.trusted

    def sinks_for(self, name: str | None, method: str | None) -> list[Sink]:
        out: list[Sink] = []
        if name:
            out += self.call_sinks.get(name, ())
        if method and not out:
            out += self.method_sinks.get(method, ())
        return out


LIBRARY_MODULES = (
    "builtins",
    "web",
    "aws",
    "sql",
    "shell",
    "files",
    "http",
    "xml",
    "ldap",
    "nosql",
    "templates",
    "crypto",
)


@cache
def libraries() -> tuple[Library, ...]:
    import importlib

    out: list[Library] = []
    for name in LIBRARY_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        out += module.LIBRARIES
    return tuple(out)


def build_models(user: UserModels | None = None) -> Models:
    models = Models()
    for library in libraries():
        models.add(library)
    if user is not None:
        models.add(user.library())
        models.trusted = user.trusted
    return models


@dataclass(frozen=True, slots=True)
class UserModels:
    """`[tool.codeward.reviewer.taint]`: sources, sinks and sanitizers a project adds, and which source
    classes it trusts."""

    sources: tuple[Source, ...] = ()
    sinks: tuple[Sink, ...] = ()
    sanitizers: tuple[Sanitizer, ...] = ()
    trusted: frozenset[str] = DEFAULT_TRUSTED

    def library(self) -> Library:
        return Library("user", sources=self.sources, sinks=self.sinks, sanitizers=self.sanitizers)

    def key(self) -> str:
        """What the results cache must see change."""
        return repr((self.sources, self.sinks, self.sanitizers, sorted(self.trusted)))


class ModelError(ValueError):
    pass


def user_models(table: object) -> UserModels:
    """Read `[tool.codeward.reviewer.taint]`; raises ModelError saying which entry is wrong."""
    if table is None:
        return UserModels()
    if not isinstance(table, dict):
        raise ModelError("[tool.codeward.reviewer.taint] must be a table")
    unknown = set(table) - {"sources", "sinks", "sanitizers", "trusted"}
    if unknown:
        raise ModelError(f"[tool.codeward.reviewer.taint]: unknown key {sorted(unknown)[0]!r}")

    def entries(key: str) -> Iterable[tuple[int, dict]]:
        value = table.get(key, [])
        if not isinstance(value, list):
            raise ModelError(f"[tool.codeward.reviewer.taint] {key} must be an array of tables")
        for index, entry in enumerate(value):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
                raise ModelError(f"[tool.codeward.reviewer.taint] {key}[{index}] needs a name (a qualified name)")
            yield index, entry

    def kinds_of(key: str, index: int, entry: dict, single: bool) -> frozenset[str]:
        raw = entry.get("kind" if single else "kinds", "all" if not single else None)
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            what = "kind" if single else "kinds"
            raise ModelError(f'[tool.codeward.reviewer.taint] {key}[{index}] needs {what} (e.g. "sql")')
        if values == ["all"]:
            return ALL_KINDS
        bad = [v for v in values if v not in ALL_KINDS]
        if bad:
            raise ModelError(
                f"[tool.codeward.reviewer.taint] {key}[{index}]: unknown kind {bad[0]!r} "
                f"(one of: {', '.join(sorted(ALL_KINDS))})"
            )
        return frozenset(values)

    sources = []
    for index, entry in entries("sources"):
        cls = entry.get("class", "web")
        if cls not in SOURCE_CLASSES:
            raise ModelError(f"[tool.codeward.reviewer.taint] sources[{index}]: unknown class {cls!r}")
        how = "attr" if entry.get("attribute") else "call"
        sources.append(Source(entry["name"], str(entry.get("description", entry["name"])), cls, how))
    sinks = []
    for index, entry in entries("sinks"):
        (kind,) = kinds_of("sinks", index, entry, single=True)
        args = entry.get("args", [0])
        if not isinstance(args, list) or not all(isinstance(a, int | str) for a in args):
            raise ModelError(f"[tool.codeward.reviewer.taint] sinks[{index}]: args must list positions or names")
        spec = tuple((a, "") if isinstance(a, int) else (-2, a) for a in args)
        sinks.append(Sink(entry["name"], kind, spec))
    sanitizers = [
        Sanitizer(entry["name"], kinds_of("sanitizers", index, entry, single=False))
        for index, entry in entries("sanitizers")
    ]
    trusted = table.get("trusted", sorted(DEFAULT_TRUSTED))
    if not isinstance(trusted, list) or any(t not in SOURCE_CLASSES for t in trusted):
        raise ModelError(
            f"[tool.codeward.reviewer.taint] trusted must list source classes ({', '.join(SOURCE_CLASSES)})"
        )
    return UserModels(tuple(sources), tuple(sinks), tuple(sanitizers), frozenset(trusted))


# Last names too common to stand for one library's function when a file never imports them.
_GENERIC = frozenset(
    ["run", "call", "open", "get", "post", "put", "delete", "head", "options", "patch", "load", "loads", "new",
     "search", "match", "compile", "text", "raw", "execute", "find", "findall", "join", "split", "remove",
     "rename", "copy", "move", "escape", "quote", "request", "input", "read", "write", "save", "extra", "select",
     "parse", "spawn", "replace", "stat", "walk", "glob", "listdir", "mkdir", "chmod", "chown", "link", "sub",
     "template", "finish", "from_string", "exists", "isfile", "isdir"]
)  # fmt: skip


# Top-level names of the models that are not modules (pseudo-types the models share).
_NOT_MODULES = frozenset({"web", "powertools", "aws"})


@cache
def module_roots() -> frozenset[str]:
    """Module names the models know (`os`, `subprocess`, `yaml`): a file that uses one without binding it (a
    function cut out of its module, as code review and vulnerability datasets show it) means that module."""
    import builtins
    import sys

    models = build_models()
    names = [*models.call_sinks, *models.sources, *models.sanitizers, *models.clean, *models.normalizers,
             *models.derivers, *models.validators, *models.noreturn]  # fmt: skip
    roots = {n.split(".", 1)[0] for n in names if "." in n and not n.startswith(".")}
    return frozenset(
        r for r in roots if "()" not in r and r not in _NOT_MODULES and r.isidentifier() and not hasattr(builtins, r)
    ) | frozenset(
        r
        for r in ("os", "subprocess", "shutil", "shlex", "pickle", "sqlite3", "tarfile", "zipfile")
        if r in sys.stdlib_module_names
    )


@cache
def unbound_guesses() -> dict[str, str]:
    """Name -> qualified name, for names a file uses without importing (snippets, `from x import *`) that
    exactly one model knows: `Popen` is `subprocess.Popen`, `send_file` is `flask.send_file`."""
    models = build_models()
    seen: dict[str, set[str]] = {}
    names = [*models.call_sinks, *models.sources, *models.sanitizers]
    names += ["subprocess.Popen", "subprocess.check_output", "subprocess.check_call", "subprocess.getoutput",
              "urllib.request.urlopen", "flask.send_file", "flask.render_template_string", "flask.make_response",
              "flask.redirect", "markupsafe.Markup", "yaml.load", "pickle.loads"]  # fmt: skip
    for name in names:
        if name.startswith((".", "web.", "xml.", "aws.", "powertools.")) or "()" in name:
            continue
        last = name.rsplit(".", 1)[-1]
        if len(last) >= 4 and last not in _GENERIC:
            seen.setdefault(last, set()).add(name)
    return {last: next(iter(found)) for last, found in seen.items() if len(found) == 1}
