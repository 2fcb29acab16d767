"""The project around a reviewed file: which imports name the project's own modules, and those modules parsed
once per process so that calls into them use their functions' summaries.

A module is the project's when its file is found next to the importing file (relative imports, sibling
modules) or under the folder that holds the importing file's top-level package. Anything else is a library,
known only through the models.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import libcst as cst

# Words a module that reads untrusted data contains (requests, Lambda events, the command line, sockets).
_LINE_START = re.compile(r"^([ \t]*)\S", re.M)
_HEADER = re.compile(r"^([ \t]*)(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)", re.M)
_SOURCE_WORDS = re.compile(r"\brequest\.|\bevent\[|\bevent\.get\(|\binput\(|\bargv\b|\.recv\(|\bstdin\b")

# A name in the call scans: possessive where the interpreter has it (3.11), which is the same match (a word cut
# short is followed by a word character, which no `.`, space or `(` after it matches) without backtracking
# through each shorter prefix of every word that no `(` follows.
WORD = r"\w++" if sys.version_info >= (3, 11) else r"\w+"
_CALLS = re.compile(rf"(?<![\w.])({WORD})(?:\.({WORD}))?\s*\(")
_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(?:\(([^)]*)\)|([^\n#;]+))", re.M)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w.]+)(?:[ \t]+as[ \t]+(\w+))?[ \t]*$", re.M)
_MAX_CALLEES = 12  # callees of one function looked into for a sink

# Files over this size are not parsed to summarise their functions (the reviewed file itself always is).
MAX_DEPENDENCY_BYTES = 400_000
# How many other modules one process parses for summaries, at most.
MAX_DEPENDENCIES = 400
# The trees of the files reviewed last, up to this many characters of their text (a tree takes about 90 bytes a
# character: 23 MiB), kept in case a file reviewed next imports them: in Django's source 54 modules were parsed
# again as another file's dependency after their own review, 0.9 s of 7.8 s of parsing, half of them within the
# next 250,000 characters reviewed.
RECENT_CHARS = 256_000


@dataclass(slots=True)
class Loaded:
    path: str
    module: cst.Module
    digest: str


class Project:
    """Process-wide: resolved import names and parsed dependencies."""

    def __init__(self) -> None:
        self._resolved: dict[tuple[str, str, int], str | None] = {}
        self._loaded: dict[str, Loaded | None] = {}
        self._exists: dict[str, bool] = {}
        # What the text of a file mentions, by file: (name, pattern) -> found. One table a file, so that
        # forgetting a file is one deletion, not a pass over every file's answers.
        self._mentions: dict[str, dict[tuple[str, ...], bool]] = {}
        # Files whose text decided something for the file under review: its cached result depends on them.
        self.consulted: set[str] | None = None
        self._texts: dict[str, str] = {}
        self._headers: dict[str, tuple[str, dict[str, list[tuple[int, int]]], dict[str, str | None]]] = {}
        self._stamps: dict[str, tuple[int, int] | None] = {}
        self._import_tables: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {}
        # Reviewed files' (text, tree), oldest first, at most RECENT_CHARS characters in all.
        self._recent: dict[str, tuple[str, cst.Module]] = {}
        self._recent_chars = 0
        # Files checked for changes on disk since the current file's review began (`begin_file`): one stat each
        # per review, not one per question about their text (Django: 30,000 stats, about 2% of the review).
        self._fresh: set[str] = set()

    def begin_file(self) -> None:
        """A file's review begins: every other file is checked for changes again, once, when first asked about
        (a long-lived process sees edits between reviews; a file edited in the middle of a review is read as it
        was when the review first read it)."""
        self._fresh.clear()

    def _isfile(self, path: str) -> bool:
        found = self._exists.get(path)
        if found is None:
            found = self._exists[path] = os.path.isfile(path)
        return found

    def resolve(self, importer: str, dotted: str, level: int) -> str | None:
        """The file of module `dotted` imported from file `importer` (`level` leading dots), if the project's."""
        key = (os.path.dirname(importer), dotted, level)
        if key in self._resolved:
            return self._resolved[key]
        found = self._resolve(importer, dotted, level)
        self._resolved[key] = found
        return found

    def _resolve(self, importer: str, dotted: str, level: int) -> str | None:
        folder = os.path.dirname(os.path.abspath(importer))
        parts = [p for p in dotted.split(".") if p]
        if level:
            for _ in range(level - 1):
                folder = os.path.dirname(folder)
            return self._file_under(folder, parts)
        # Absolute: next to the importer (scripts), then from the root of the importer's package.
        for base in self._roots(folder):
            found = self._file_under(base, parts)
            if found is not None:
                return found
        if parts and not self._isfile(os.path.join(folder, "__init__.py")):
            # The importer sits in a folder without `__init__.py` (a namespace package) inside the package it
            # imports from (`pkg/sub/tools/x.py` importing `pkg.local.image`): the package's folder is in its path.
            # (Not from a package's own folder: `app/test/operations/` importing `operations` means the app's
            # `operations`, found from the test runner's path, not the test package itself.)
            pieces = folder.split(os.sep)
            for index in range(len(pieces) - 1, 0, -1):
                if pieces[index] == parts[0]:
                    found = self._file_under(os.sep.join(pieces[:index]) or os.sep, parts)
                    if found is not None:
                        return found
        return None

    def _roots(self, folder: str) -> list[str]:
        roots = [folder]
        top = folder
        while self._isfile(os.path.join(top, "__init__.py")):
            top = os.path.dirname(top)
        if top != folder:
            roots.append(top)
        return roots

    def _file_under(self, base: str, parts: list[str]) -> str | None:
        if not parts:
            init = os.path.join(base, "__init__.py")
            return init if self._isfile(init) else None
        path = os.path.join(base, *parts)
        if self._isfile(path + ".py"):
            return path + ".py"
        init = os.path.join(path, "__init__.py")
        return init if self._isfile(init) else None

    def load(self, path: str) -> Loaded | None:
        if self.consulted is not None:
            self.consulted.add(path)
        if path in self._loaded and not self.changed(path):
            return self._loaded[path]
        loaded = None
        if len(self._loaded) < MAX_DEPENDENCIES:
            loaded = self._parse(path)
        self._loaded[path] = loaded
        return loaded

    def parsed(self, path: str, text: str) -> cst.Module | None:
        """The tree of `path` parsed earlier for summaries, when `text` is what was parsed (a review reuses it)."""
        loaded = self._loaded.get(os.path.abspath(path))
        return loaded.module if loaded is not None and loaded.digest == _digest(text) else None

    def add(self, path: str, module: cst.Module, text: str) -> None:
        """The reviewed file itself: already parsed."""
        path = os.path.abspath(path)
        self._loaded[path] = Loaded(path, module, _digest(text))
        self._texts[path] = text  # what is under review (an editor's buffer may differ from the disk)
        self._stamps[path] = _stamp(path)
        self._mentions.pop(path, None)

    def reviewed(self, path: str) -> None:
        """The review of `path` is over: its tree leaves the dependencies (a later load reads the file again),
        and waits among the recent trees, which such a load takes when the text it reads is the same."""
        loaded = self._loaded.pop(path, None)
        text = self._texts.get(path)
        self._forget_recent(path)
        if loaded is None or text is None or len(text) > RECENT_CHARS:
            return
        self._recent[path] = (text, loaded.module)
        self._recent_chars += len(text)
        while self._recent_chars > RECENT_CHARS:
            self._forget_recent(next(iter(self._recent)))

    def _forget_recent(self, path: str) -> tuple[str, cst.Module] | None:
        found = self._recent.pop(path, None)
        if found is not None:
            self._recent_chars -= len(found[0])
        return found

    def _parse(self, path: str) -> Loaded | None:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_DEPENDENCY_BYTES + 1)
        except OSError:
            return None
        self._stamps[path] = _stamp(path)
        if len(data) > MAX_DEPENDENCY_BYTES or b"\0" in data[:4096]:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if text.count("(") + text.count("[") + text.count("{") > 200 and _deep(text):
            return None
        recent = self._forget_recent(path)
        if recent is not None and recent[0] == text:  # the tree a parse of this text gives: the same
            return Loaded(path, recent[1], _digest(text))
        from codeward.reviewer.parse import parse_module

        try:
            module = parse_module(text)
        except Exception:  # any parser failure: the module is simply not summarised
            return None
        return Loaded(path, module, _digest(text))

    def _text(self, path: str) -> str:
        if self.consulted is not None:
            self.consulted.add(path)
        text = self._texts.get(path)
        if text is not None and self._stale(path):
            text = None
        if text is None:
            try:
                with open(path, "rb") as handle:
                    data = handle.read(MAX_DEPENDENCY_BYTES + 1)
                text = data.decode("utf-8", "replace") if len(data) <= MAX_DEPENDENCY_BYTES else ""
            except OSError:
                text = ""
            self._texts[path] = text
            self._stamps[path] = _stamp(path)
            self._fresh.add(path)
        return text

    def changed(self, path: str) -> bool:
        """Whether a file read before has changed since (and forget what was derived from it)."""
        return path in self._stamps and self._stale(path)

    def _stale(self, path: str) -> bool:
        """The file changed since it was read (a long-lived process: the language server)."""
        if path in self._fresh:
            return False
        self._fresh.add(path)  # the text read now, if this says stale, is the one this review keeps
        if _stamp(path) == self._stamps.get(path):
            return False
        self._texts.pop(path, None)
        self._loaded.pop(path, None)
        self._mentions.pop(path, None)
        self._forget_recent(path)
        return True

    def module_mentions_source(self, path: str) -> bool:
        key = ("",)
        found = self._mentions.get(path, {}).get(key)
        if found is None:
            found = _mentions(self._text(path))
            self._mentions.setdefault(path, {})[key] = found
        return found

    def function_mentions(self, path: str, name: str, pattern: Any, limit: int = 0) -> bool:
        """Whether the text of function (or class) `name` in a module matches `pattern` (no parse); with
        `limit`, only a text of at most that many characters counts."""
        key = (name, pattern.pattern, str(limit))
        found = self._mentions.get(path, {}).get(key)
        if found is None:
            body = self._body(path, name)
            found = body is not None and (not limit or len(body) <= limit) and bool(pattern.search(body))
            self._mentions.setdefault(path, {})[key] = found
        return found

    def wraps(self, path: str, name: str, pattern: Any, depth: int = 2) -> bool:
        """Whether function `name` of a module calls a sink (`pattern`) in its text, or calls a function of the
        project that does, up to `depth` calls further (a helper around a helper around `subprocess.run`):
        the callees are found from the module's import lines and its own definitions, without a parse."""
        key = ("wraps", name, pattern.pattern, str(depth))
        found = self._mentions.get(path, {}).get(key)
        if found is None and not self.defines(path, name) and (where := self.defining(path, name)) is not None:
            found = self.wraps(*where, pattern, depth)  # re-exported (`from .impl import run` in `__init__.py`)
            self._mentions.setdefault(path, {})[key] = found
        if found is None:
            self._mentions.setdefault(path, {})[key] = False  # recursion
            found = self.function_mentions(path, name, pattern)
            if not found and depth > 0:
                body = self._body(path, name) or ""
                for callee_path, callee in self.callees(path, body)[:_MAX_CALLEES]:
                    if (callee_path, callee) != (path, name) and self.wraps(callee_path, callee, pattern, depth - 1):
                        found = True
                        break
            self._mentions.setdefault(path, {})[key] = found
        return found

    def callees(self, path: str, body: str, local: bool = True) -> list[tuple[str, str]]:
        """(module, function) of the project's functions a text calls: `name(` defined in the module (unless
        `local` is false) or imported from the project (`from .runner import run`), `module.name(` of a
        project module it imports, and `self.name(` / `cls.name(` of a method the module defines or a class it
        imports from the project defines (unless `local` is false)."""
        names = self._imports(path)
        if not names and not local:
            return []
        # The module's headers once, not per call in the text: each look-up checks the file on disk (a stat),
        # and the rules' pre-filter asks this of whole files (Django: 22,716 stats for 406 files).
        defined = self._header_index(path)[1] if local else {}
        out: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for first, second in _CALLS.findall(body):  # tuples, not match objects: a file has thousands of calls
            module = names.get(first)
            if second:
                if first in ("self", "cls") and local:
                    # A method of the module's classes (`self.run(cmd)`), or of a class it imports from the project
                    # (a base class's, `class Job(Base)` with `Base` imported).
                    owner = path if second in defined else _defining_import(self, names, second)
                    if owner is None:
                        continue
                    target = (owner, second)
                elif module is None or module[1] != "":
                    continue
                else:
                    target = (module[0], second)
            elif module is not None and module[1]:
                target = module
            elif first in defined:
                target = (path, first)
            else:
                continue
            if target not in seen:
                seen.add(target)
                out.append(target)
        return out

    def _imports(self, path: str) -> dict[str, tuple[str, str]]:
        """A module's imports of the project, read from its text: local name -> (file, name in it), the name
        empty for a module."""
        text = self._text(path)
        cached = self._import_tables.get(path)
        if cached is not None and cached[0] is text:
            return cached[1]
        table: dict[str, tuple[str, str]] = {}
        for match in _FROM_IMPORT.finditer(text):
            dots, module, names = match.group(1), match.group(2), match.group(3) or match.group(4) or ""
            for item in names.replace("\\", " ").split(","):
                parts = item.split()
                if not parts or parts[0] == "*":
                    continue
                local = parts[2] if len(parts) == 3 and parts[1] == "as" else parts[0]
                sub = self.resolve(path, f"{module}.{parts[0]}" if module else parts[0], len(dots))
                if sub is not None:
                    table[local] = (sub, "")
                    continue
                base = self.resolve(path, module, len(dots)) if (module or dots) else None
                if base is not None:
                    table[local] = (base, parts[0])
        for match in _IMPORT.finditer(text):
            dotted, alias = match.group(1), match.group(2)
            found = self.resolve(path, dotted, 0)
            if found is not None:
                table[alias or dotted.split(".", 1)[0]] = (
                    (found, "") if alias or "." not in dotted else table.get(dotted.split(".", 1)[0], (found, ""))
                )
        self._import_tables[path] = (text, table)
        return table

    def imported(self, path: str, name: str) -> tuple[str, str] | None:
        """What a module's `name` is imported from, read from its import lines: (file, name in it), the name empty
        for a module; None when the module imports no project module or name under `name`."""
        return self._imports(path).get(name)

    def imported_modules(self, path: str) -> list[str]:
        """The files of the project's modules that a module imports (read from its import lines, no parse)."""
        return sorted({file for file, _ in self._imports(path).values()})

    def defines(self, path: str, name: str) -> bool:
        """Whether a module has a `def` or `class` called `name` (no parse; its body is not cut: the wrapper
        pre-filter asks this of every call name in a file)."""
        return name in self._header_index(path)[1]

    def defining(self, path: str, name: str, hops: int = 4) -> tuple[str, str] | None:
        """Where a module's function or class `name` is defined: that module, or the one it re-exports it from
        (`from .impl import run` in a package's `__init__.py`, `from pkg import run` elsewhere), following at most
        `hops` re-exports (no parse); None when no module of the project along the way defines it."""
        for _ in range(hops + 1):
            if self.defines(path, name):
                return path, name
            target = self.imported(path, name)
            if target is None or not target[1]:
                return None  # not imported from the project, or a module imported under that name
            path, name = target
        return None

    def _header_index(self, path: str) -> tuple[str, dict[str, list[tuple[int, int]]], dict[str, str | None]]:
        """(text, name -> [(offset, indent)] of its `def`/`class` headers, bodies cut so far) of a file."""
        index = self._headers.get(path)
        text = self._text(path)
        if index is None or index[0] is not text:
            table: dict[str, list[tuple[int, int]]] = {}
            for match in _HEADER.finditer(text):
                table.setdefault(match.group(2), []).append((match.start(), len(match.group(1))))
            index = self._headers[path] = (text, table, {})
        return index

    def _body(self, path: str, name: str) -> str | None:
        """The text of every `def`/`class` called `name` in a file (their lines, up to the next line indented as
        little as the header), from one index of the file's headers."""
        index = self._header_index(path)
        text = index[0]
        found = index[2].get(name, False)  # bodies cut once: wrapper and guard checks ask for the same ones
        if found is not False:
            return found
        parts = []
        for start, indent in index[1].get(name, ()):
            end = len(text)
            for line in _LINE_START.finditer(text, text.find("\n", start) + 1 or len(text)):
                if len(line.group(1)) <= indent:
                    end = line.start()
                    break
            parts.append(text[start:end])
        found = index[2][name] = "\n".join(parts) if parts else None
        return found

    @staticmethod
    def module_mentions_source_text(text: str) -> bool:
        return _mentions(text)

    def function_mentions_source(self, path: str, name: str) -> bool:
        """A cheap look at the text of function `name` in a module (no parse): does it read a request, an
        event, the command line or a socket, or is it a class whose code does?"""
        key = (name,)
        found = self._mentions.get(path, {}).get(key)
        if found is None:
            found = self._scan(path, name) if self.module_mentions_source(path) else False
            self._mentions.setdefault(path, {})[key] = found
        return found

    def _scan(self, path: str, name: str) -> bool:
        body = self._body(path, name)
        return body is not None and bool(_SOURCE_WORDS.search(body))

    def dependencies(self, paths: set[str]) -> list[tuple[str, str]]:
        """(path, digest of its content now) of each file: a cached result stays valid while they hold."""
        return sorted((path, file_digest(path)) for path in paths)


def _defining_import(project: Project, names: dict[str, tuple[str, str]], name: str) -> str | None:
    """The first module a file imports a class from (`from .base import Base`) that defines `name`."""
    for where, imported in names.values():
        if imported[:1].isupper() and project.defines(where, name):
            return where
    return None


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def file_digest(path: str) -> str:
    """The digest of a file's bytes as they are now ("" when it cannot be read)."""
    import hashlib

    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(MAX_DEPENDENCY_BYTES + 1), digest_size=12).hexdigest()
    except OSError:
        return ""


_WORDS = ("request.", "event[", "event.get(", "input(", "argv", ".recv(", "stdin")


def _mentions(text: str) -> bool:
    """Plain substring tests first (fast); the word-boundary pattern only confirms."""
    return any(word in text for word in _WORDS) and bool(_SOURCE_WORDS.search(text))


def _digest(text: str) -> str:
    import hashlib

    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _deep(text: str) -> bool:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth = max(depth - 1, 0)
    return deepest > 100


_PROJECT: Project | None = None


def shared_project() -> Project:
    """Import resolution and module texts, shared by every engine of the process (and the rules' pre-filter)."""
    global _PROJECT
    if _PROJECT is None:
        _PROJECT = Project()
    return _PROJECT
