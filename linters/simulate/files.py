"""CodeBuild's path patterns (artifacts, reports, cache) resolved against a real directory.

CodeBuild's rules: patterns are relative to the build directory or `base-directory`; `*` stays within
one path segment, `**` spans any number of directories (`**/*` is every file below); patterns select
files, not directories; `base-directory` may itself be a glob and the matched directory is not part of
the uploaded paths; `exclude-paths` are relative to the base directory.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from codeward.globs import glob_regex as shared_glob_regex

# Source checkouts carry .git; CodeBuild sources from CodePipeline or S3 do not.
SKIPPED_DIRS = frozenset({".git"})
MAX_FILES = 200_000


def nested_repository(folder: str) -> bool:
    """A folder holding a `.git` directory: another repository cloned (or extracted) inside this checkout. Git
    does not commit an untracked nested clone's files, so they are never in the source CodeBuild checks out. (A
    submodule's `.git` is a file, and its files can be fetched with the source: it is not skipped.)"""
    return os.path.isdir(os.path.join(folder, ".git"))


def normalize(pattern: str) -> str:
    text = pattern.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text


def glob_regex(pattern: str) -> re.Pattern[str]:
    return shared_glob_regex(normalize(pattern).rstrip("/"))


def is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


@dataclass
class Tree:
    """Every file below a root (relative POSIX paths, sorted) and every directory."""

    root: str
    files: list[str] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    truncated: bool = False

    @classmethod
    def scan(cls, root: str, skip: frozenset[str] = SKIPPED_DIRS, *, own_only: bool = False) -> Tree:
        """Every file below `root`; with `own_only`, none of another repository cloned inside it (see
        nested_repository)."""
        tree = cls(root)
        for current, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(
                d for d in dirnames if d not in skip and not (own_only and nested_repository(os.path.join(current, d)))
            )
            relative = os.path.relpath(current, root).replace(os.sep, "/")
            prefix = "" if relative == "." else relative + "/"
            for name in dirnames:
                tree.dirs.append(prefix + name)
            for name in sorted(filenames):
                tree.files.append(prefix + name)
                if len(tree.files) >= MAX_FILES:
                    tree.truncated = True
                    return tree
        tree.files.sort()
        tree.dirs.sort()
        return tree

    def match(self, pattern: str, base: str = "") -> list[str]:
        """Files (relative to `base`) that `pattern` selects below `base`."""
        regex = glob_regex(pattern)
        prefix = base.rstrip("/") + "/" if base else ""
        out = []
        for path in self.files:
            if prefix and not path.startswith(prefix):
                continue
            rest = path[len(prefix) :]
            if regex.fullmatch(rest):
                out.append(rest)
        return out

    def match_dirs(self, pattern: str) -> list[str]:
        text = normalize(pattern).rstrip("/")
        if text in ("", "."):
            return [""]
        regex = glob_regex(text)
        return [d for d in self.dirs if regex.fullmatch(d)]

    def is_dir(self, path: str) -> bool:
        return normalize(path).rstrip("/") in set(self.dirs)


@dataclass
class PatternResult:
    pattern: str
    # Index of the pattern in its list (for finding positions).
    index: int
    files: list[str]
    # Why nothing matched, when nothing did and there is more to say than that.
    hint: str = ""
    outside: bool = False


@dataclass
class FileSet:
    """One artifact, report group or cache resolved: which files would be taken, under which names."""

    base_dirs: list[str]
    patterns: list[PatternResult]
    excluded: list[str]
    # (path relative to the source directory, name inside the artifact)
    entries: list[tuple[str, str]]
    # names that more than one file flattens to (discard-paths)
    collisions: dict[str, list[str]]
    base_missing: bool = False


def resolve(
    tree: Tree,
    patterns: list[str],
    *,
    base_directory: str | None = None,
    exclude: list[str] | None = None,
    discard_paths: bool = False,
) -> FileSet:
    bases = [""]
    base_missing = False
    if base_directory:
        bases = tree.match_dirs(base_directory) if is_glob(base_directory) else [normalize(base_directory).rstrip("/")]
        if not is_glob(base_directory) and bases[0] and not tree.is_dir(bases[0]):
            bases, base_missing = [], True
        if not bases:
            base_missing = True
    results: list[PatternResult] = []
    chosen: dict[str, str] = {}
    excluded: list[str] = []
    exclude_regexes = [glob_regex(p) for p in exclude or []]
    for index, pattern in enumerate(patterns):
        text = normalize(pattern)
        if text.startswith("/"):
            results.append(PatternResult(pattern, index, [], outside=True))
            continue
        matched: list[str] = []
        for base in bases:
            for rest in tree.match(text, base):
                if any(regex.fullmatch(rest) for regex in exclude_regexes):
                    excluded.append(f"{base}/{rest}" if base else rest)
                    continue
                full = f"{base}/{rest}" if base else rest
                matched.append(full)
                chosen.setdefault(full, os.path.basename(rest) if discard_paths else rest)
        hint = ""
        if not matched and not base_missing:
            joined = [f"{b}/{text}".strip("/") if b else text for b in bases]
            if any(tree.is_dir(p) for p in joined):
                hint = f'"{text.rstrip("/")}" is a directory; patterns select files: write "{text.rstrip("/")}/**/*"'
        results.append(PatternResult(pattern, index, sorted(matched), hint))
    by_name: dict[str, list[str]] = {}
    for path, name in chosen.items():
        by_name.setdefault(name, []).append(path)
    collisions = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    entries = sorted(chosen.items(), key=lambda item: item[1])
    return FileSet(bases, results, sorted(set(excluded)), entries, collisions, base_missing)
